//! Console sessions live in the database (issue 13): they survive a restart, end when
//! idle or too old, and end on the server at sign-out and when the user's token is
//! revoked or the user removed. Over HTTP, on both backends.

use jiff::{SignedDuration, Timestamp};
use tamga_server::users::{NewUser, create_user};
use tamga_store::sessions::{self, ConsoleSession, IdHash};

use crate::helpers::{Backend, PARTY_A, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_console_session_survives_a_server_restart,
    signing_out_ends_the_session_on_the_server,
    an_idle_or_too_old_session_is_refused_and_deleted,
    a_use_is_written_at_most_once_a_minute,
    revoking_a_token_ends_its_sessions_and_removing_the_user_ends_all,
);

const PASSWORD: &str = "correct horse battery";

/// A browser that does not follow redirects, so that the console's 303s can be read.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

const FORM: &str = "application/x-www-form-urlencoded";

/// A form body, percent-encoded.
fn form_body(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `name=value` of a Set-Cookie header.
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

/// A trader with a console password; answers its API token and its user id.
async fn trader(app: &TestApp) -> (String, String) {
    let created = create_user(
        &app.state,
        NewUser {
            name: "trader".into(),
            role: "trader".into(),
            party: Some(PARTY_A.into()),
            office: None,
            password: Some(PASSWORD.into()),
        },
        "test",
    )
    .await
    .expect("create user");
    (created.token, created.id)
}

/// Signs in with the form's fields (a password or a token); answers the session cookie.
async fn sign_in(app: &TestApp, fields: &[(&str, &str)]) -> String {
    let b = browser();
    let page = b.get(format!("{}/login", app.base)).send().await.unwrap();
    let csrf_cookie = set_cookie(&page, "tamga_login_csrf").expect("login csrf cookie");
    let csrf = csrf_cookie.split_once('=').unwrap().1.to_owned();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let resp = b
        .post(format!("{}/login", app.base))
        .header("cookie", &csrf_cookie)
        .header("content-type", FORM)
        .body(form_body(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    set_cookie(&resp, "tamga_session").expect("session cookie")
}

/// A console page with a cookie: its status and the body (or where it sends the browser).
async fn page(app: &TestApp, path: &str, cookie: &str) -> (u16, String) {
    let resp = browser()
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let body = resp.text().await.unwrap();
    (status, location.unwrap_or(body))
}

/// The `csrf` hidden field of a page.
fn csrf_of(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let rest = &html[html.find(marker).expect("a csrf field") + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn stored(app: &TestApp, cookie: &str) -> Option<ConsoleSession> {
    let id = cookie.strip_prefix("tamga_session=").unwrap();
    sessions::find(app.state.store.db(), &IdHash::of(id))
        .await
        .expect("read")
}

/// Writes a session for `user` straight into the store, opened at `opened` and last used
/// at `used`; answers its cookie.
async fn write_session(app: &TestApp, user: &str, opened: Timestamp, used: Timestamp) -> String {
    let id = hex::encode(rand::random::<[u8; 32]>());
    let mut s = ConsoleSession::new(IdHash::of(&id), user.into(), None, "c".repeat(64), opened);
    s.last_used_at = used;
    app.state.store.apply(s.open()).await.expect("written");
    format!("tamga_session={id}")
}

async fn a_console_session_survives_a_server_restart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    trader(&app).await;
    let cookie = sign_in(&app, &[("username", "trader"), ("password", PASSWORD)]).await;
    let (status, before) = page(&app, "/declarations", &cookie).await;
    assert_eq!(status, 200, "{before}");
    let app = app.restart().await;
    let (status, after) = page(&app, "/declarations", &cookie).await;
    assert_eq!(status, 200, "{after}");
    assert!(after.contains("My declarations"));
    // The same session, CSRF token included: its forms still post.
    assert_eq!(csrf_of(&before), csrf_of(&after));
    // The raw id is nowhere in the table, only its hash.
    let raw = cookie.strip_prefix("tamga_session=").unwrap();
    let hashes: Vec<(String,)> = tamga_store::on_pool!(app.state.store.db(), p =>
        sqlx::query_as("SELECT id_hash FROM console_sessions").fetch_all(p).await.unwrap());
    assert_eq!(hashes.len(), 1);
    assert_ne!(hashes[0].0, raw);
}

async fn signing_out_ends_the_session_on_the_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    trader(&app).await;
    let cookie = sign_in(&app, &[("username", "trader"), ("password", PASSWORD)]).await;
    let (status, body) = page(&app, "/declarations", &cookie).await;
    assert_eq!(status, 200);
    let out = browser()
        .post(format!("{}/logout", app.base))
        .header("cookie", &cookie)
        .header("content-type", FORM)
        .body(form_body(&[("csrf", &csrf_of(&body))]))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status().as_u16(), 303);
    assert_eq!(app.count("console_sessions").await, 0);
    // A copy of the old cookie, kept by whoever, opens nothing.
    assert_eq!(
        page(&app, "/declarations", &cookie).await,
        (303, "/login".into())
    );
}

async fn an_idle_or_too_old_session_is_refused_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, user) = trader(&app).await;
    let now = Timestamp::now();
    let mins = SignedDuration::from_mins;
    // A live session written the same way opens the console: the refusals below are
    // about time, not about how the rows were written.
    let live = write_session(&app, &user, now - mins(30), now - mins(5)).await;
    assert_eq!(page(&app, "/declarations", &live).await.0, 200);
    let idle = write_session(&app, &user, now - mins(9 * 60), now - mins(8 * 60 + 1)).await;
    let too_old = write_session(&app, &user, now - mins(7 * 24 * 60 + 1), now - mins(1)).await;
    for cookie in [&idle, &too_old] {
        assert_eq!(
            page(&app, "/declarations", cookie).await,
            (303, "/login".into())
        );
        assert_eq!(
            stored(&app, cookie).await,
            None,
            "an ended session is deleted"
        );
    }
    assert!(stored(&app, &live).await.is_some());
}

async fn a_use_is_written_at_most_once_a_minute(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, user) = trader(&app).await;
    let now = Timestamp::now();
    let recent = now - SignedDuration::from_secs(10);
    let a_while_ago = now - SignedDuration::from_mins(2);
    let fresh = write_session(&app, &user, recent, recent).await;
    let stale = write_session(&app, &user, a_while_ago, a_while_ago).await;
    for cookie in [&fresh, &stale] {
        assert_eq!(page(&app, "/declarations", cookie).await.0, 200);
    }
    let fresh_used = stored(&app, &fresh).await.unwrap().last_used_at;
    assert_eq!(
        fresh_used.as_second(),
        recent.as_second(),
        "not written again"
    );
    let stale_used = stored(&app, &stale).await.unwrap().last_used_at;
    assert!(stale_used >= now, "written: {stale_used} < {now}");
}

async fn revoking_a_token_ends_its_sessions_and_removing_the_user_ends_all(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (token, user) = trader(&app).await;
    let by_token = sign_in(&app, &[("token", &token)]).await;
    let by_password = sign_in(&app, &[("username", "trader"), ("password", PASSWORD)]).await;
    for cookie in [&by_token, &by_password] {
        assert_eq!(page(&app, "/declarations", cookie).await.0, 200);
    }
    // `tamga user revoke` runs in another process: its own state, its own caches. No wait
    // for the callers' cache: the session's row is gone.
    let cli = tamga_server::startup::build_state(&app.url, tamga_server::Config::default())
        .await
        .expect("second state");
    tamga_server::users::revoke_token(&cli, &user, "cli")
        .await
        .expect("revoked");
    assert_eq!(
        page(&app, "/declarations", &by_token).await,
        (303, "/login".into())
    );
    assert_eq!(stored(&app, &by_token).await, None);
    // The password still works, and so does the session it opened.
    assert_eq!(page(&app, "/declarations", &by_password).await.0, 200);
    tamga_server::users::remove_user(&cli, &user, "cli")
        .await
        .expect("removed");
    assert_eq!(
        page(&app, "/declarations", &by_password).await,
        (303, "/login".into())
    );
    assert_eq!(app.count("console_sessions").await, 0);
}
