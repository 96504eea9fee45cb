//! Roles and sessions (issue 12): failed sign-ins and refused tokens are throttled per
//! account and per client address and logged; a revoked or removed user stops working; a
//! stopping server answers 503 to new work; proxy headers count only from trusted proxies.
//!
//! The real server (`tamga_server::serve_until`, with each connection's peer address) on a
//! random port over a fresh SQLite database, driven over HTTP.

use std::net::IpAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tamga_server::users::{NewUser, create_user};
use tamga_server::{AppState, Config};
use tamga_store::DatabaseUrl;

const PASSWORD: &str = "correct horse battery";
const PARTY: &str = "01234567890123";
/// Addresses a trusted proxy names in `X-Forwarded-For`.
const ATTACKER: &str = "203.0.113.9";
const ADMIN_DESK: &str = "198.51.100.1";

struct Server {
    base: String,
    state: AppState,
    url: DatabaseUrl,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
    _tmp: tempfile::TempDir,
}

async fn start(trusted_proxies: Vec<IpAddr>) -> Server {
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = DatabaseUrl::new(format!("sqlite://{}", tmp.path().join("t.db").display()));
    let config = Config {
        risk_settings: tamga_risk::SelectionSettings::without_random(),
        trusted_proxies,
        ..Config::default()
    };
    let state = tamga_server::startup::build_state(&url, config)
        .await
        .expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(tamga_server::serve_until(
        listener,
        state.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    Server {
        base,
        state,
        url,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        stop: Some(stop),
        handle,
        _tmp: tmp,
    }
}

fn localhost() -> Vec<IpAddr> {
    vec!["127.0.0.1".parse().unwrap()]
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(|c| c.split(';').next().unwrap().to_owned())
    }
    fn error_code(&self) -> String {
        self.json()["errors"][0]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

impl Server {
    async fn user(&self, name: &str, role: &str, party: Option<&str>) -> String {
        create_user(
            &self.state,
            NewUser {
                name: name.into(),
                role: role.into(),
                party: party.map(Into::into),
                office: None,
                password: Some(PASSWORD.into()),
            },
            "test",
        )
        .await
        .expect("create user")
        .token
    }

    /// A request from `from` (sent as `X-Forwarded-For`; believed only from a trusted proxy).
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        from: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Answer {
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        if let Some(ip) = from {
            r = r.header("x-forwarded-for", ip);
        }
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        if let Some(b) = body {
            r = r.body(b);
        }
        let resp = r.send().await.expect("answer");
        Answer {
            status: resp.status().as_u16(),
            headers: resp.headers().clone(),
            body: resp.text().await.unwrap_or_default(),
        }
    }

    async fn api(&self, path: &str, token: &str, from: Option<&str>) -> Answer {
        let auth = format!("Bearer {token}");
        self.send(
            reqwest::Method::GET,
            path,
            from,
            &[("authorization", &auth)],
            None,
        )
        .await
    }

    /// Posts the console's sign-in form as a browser would (double-submit CSRF cookie).
    async fn sign_in(&self, from: Option<&str>, fields: &[(&str, &str)], lang: &str) -> Answer {
        let page = self
            .send(
                reqwest::Method::GET,
                "/login",
                from,
                &[("cookie", &format!("lang={lang}"))],
                None,
            )
            .await;
        let csrf_cookie = page.cookie("tamga_login_csrf").expect("login csrf cookie");
        let csrf = csrf_cookie.split_once('=').unwrap().1.to_owned();
        let mut form = vec![format!("csrf={csrf}")];
        for (k, v) in fields {
            form.push(format!("{k}={}", v.replace(' ', "+")));
        }
        self.send(
            reqwest::Method::POST,
            "/login",
            from,
            &[
                ("cookie", &format!("{csrf_cookie}; lang={lang}")),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some(form.join("&")),
        )
        .await
    }

    /// A console page with a session cookie.
    async fn page(&self, path: &str, from: Option<&str>, cookie: &str) -> Answer {
        self.send(
            reqwest::Method::GET,
            path,
            from,
            &[("cookie", cookie)],
            None,
        )
        .await
    }

    async fn events_of(&self, kind: &str) -> i64 {
        tamga_store::on_pool!(self.state.store.db(), p => sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM events WHERE kind = $1")
            .bind(kind)
            .fetch_one(p)
            .await
            .expect("count")
            .0)
    }

    /// The same database as another process (the CLI) sees it: its own state and caches.
    async fn other_process(&self) -> AppState {
        tamga_server::startup::build_state(&self.url, Config::default())
            .await
            .expect("second state")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_tokens_lock_the_client_address_out_and_an_admin_sees_and_lifts_it() {
    let s = start(localhost()).await;
    let trader = s.user("trader", "trader", Some(PARTY)).await;
    let admin = s.user("admin", "admin", None).await;
    let auditor = s.user("auditor", "auditor", None).await;
    // No token at all counts for nothing.
    for _ in 0..6 {
        let a = s
            .send(
                reqwest::Method::GET,
                "/api/v1/me",
                Some(ATTACKER),
                &[],
                None,
            )
            .await;
        assert_eq!(a.status, 401);
    }
    for i in 0..5 {
        let a = s
            .api("/api/v1/me", &format!("tmg_wrong{i}"), Some(ATTACKER))
            .await;
        assert_eq!(a.status, 401, "attempt {i}: {}", a.body);
    }
    // Locked: even the trader's good token is refused from that address, in our error shape.
    let a = s.api("/api/v1/me", &trader, Some(ATTACKER)).await;
    assert_eq!(a.status, 429, "{}", a.body);
    assert_eq!(a.error_code(), "too_many_attempts");
    assert_eq!(a.json()["errors"][0]["path"], "");
    let retry: u64 = a
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Other clients are not affected.
    let me = s.api("/api/v1/me", &trader, Some(ADMIN_DESK)).await;
    assert_eq!(me.status, 200, "{}", me.body);
    // Admin and auditor see the lockout; a trader may not.
    let list = s
        .api("/api/v1/auth/lockouts", &admin, Some(ADMIN_DESK))
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let lockouts = list.json()["lockouts"].as_array().unwrap().clone();
    assert_eq!(lockouts.len(), 1, "{lockouts:?}");
    assert_eq!(lockouts[0]["kind"], "address");
    assert_eq!(lockouts[0]["key"], ATTACKER);
    assert_eq!(lockouts[0]["failures"], 5);
    assert!(lockouts[0]["locked_until"].as_str().unwrap().ends_with('Z'));
    let seen = s
        .api("/api/v1/auth/lockouts", &auditor, Some(ADMIN_DESK))
        .await;
    assert_eq!(seen.status, 200);
    let refused = s
        .api("/api/v1/auth/lockouts", &trader, Some(ADMIN_DESK))
        .await;
    assert_eq!(refused.status, 403);
    // Logged: the first three failures and the fifth (which locked), and the lockout; the
    // refusals while locked are not.
    assert_eq!(s.events_of("auth.token_refused").await, 4);
    assert_eq!(s.events_of("auth.locked_out").await, 1);
    // Only an admin lifts it; then the good token works again from there.
    let body = json!({"kind": "address", "key": ATTACKER}).to_string();
    let auth = format!("Bearer {auditor}");
    let no = s
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/lockouts/unlock",
            Some(ADMIN_DESK),
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            Some(body.clone()),
        )
        .await;
    assert_eq!(no.status, 403);
    let auth = format!("Bearer {admin}");
    let yes = s
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/lockouts/unlock",
            Some(ADMIN_DESK),
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            Some(body.clone()),
        )
        .await;
    assert_eq!(yes.status, 200, "{}", yes.body);
    assert_eq!(s.events_of("auth.unlocked").await, 1);
    assert_eq!(
        s.api("/api/v1/me", &trader, Some(ATTACKER)).await.status,
        200
    );
    let again = s
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/lockouts/unlock",
            Some(ADMIN_DESK),
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            Some(body),
        )
        .await;
    assert_eq!(again.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lockout_lifts_by_itself_after_its_back_off() {
    let s = start(localhost()).await;
    let trader = s.user("trader", "trader", Some(PARTY)).await;
    for i in 0..5 {
        s.api("/api/v1/me", &format!("tmg_wrong{i}"), Some(ATTACKER))
            .await;
    }
    assert_eq!(
        s.api("/api/v1/me", &trader, Some(ATTACKER)).await.status,
        429
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        s.api("/api/v1/me", &trader, Some(ATTACKER)).await.status,
        200
    );
    // One more failure locks again, for twice as long.
    s.api("/api/v1/me", "tmg_wrong", Some(ATTACKER)).await;
    let a = s.api("/api/v1/me", &trader, Some(ATTACKER)).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.header("retry-after"), Some("2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_trusted_proxy_forwarded_headers_are_ignored() {
    let s = start(Vec::new()).await;
    let admin = s.user("admin", "admin", None).await;
    for i in 0..5 {
        s.api("/api/v1/me", &format!("tmg_wrong{i}"), Some(ATTACKER))
            .await;
    }
    // The header named another client, but the peer (127.0.0.1) is what was counted.
    let a = s
        .api("/api/v1/auth/lockouts", &admin, Some(ADMIN_DESK))
        .await;
    assert_eq!(a.status, 429, "{}", a.body);
    let locked = tamga_server::routes::auth::current(&s.state);
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0].key, "127.0.0.1");
    // Nor does it make the request HTTPS.
    let h = s
        .send(
            reqwest::Method::GET,
            "/health",
            None,
            &[("x-forwarded-proto", "https")],
            None,
        )
        .await;
    assert_eq!(h.status, 200);
    assert_eq!(h.header("strict-transport-security"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_and_secure_cookies_when_a_trusted_proxy_says_https() {
    let s = start(localhost()).await;
    s.user("admin", "admin", None).await;
    let plain = s
        .send(reqwest::Method::GET, "/health", None, &[], None)
        .await;
    assert_eq!(plain.header("strict-transport-security"), None);
    let tls = s
        .send(
            reqwest::Method::GET,
            "/health",
            None,
            &[("x-forwarded-proto", "https")],
            None,
        )
        .await;
    assert_eq!(
        tls.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
    let std = s
        .send(
            reqwest::Method::GET,
            "/login",
            None,
            &[("forwarded", "for=192.0.2.60;proto=https")],
            None,
        )
        .await;
    assert!(std.header("strict-transport-security").is_some());
    let set_cookie = std.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_password_during_a_lockout_is_refused_in_both_languages() {
    let s = start(localhost()).await;
    s.user("trader", "trader", Some(PARTY)).await;
    s.user("admin", "admin", None).await;
    let good = [("username", "trader"), ("password", PASSWORD)];
    let bad = [("username", "trader"), ("password", "wrong password")];
    for i in 0..5 {
        let a = s.sign_in(Some(ATTACKER), &bad, "en").await;
        assert_eq!(a.status, 401, "attempt {i}");
    }
    let a = s.sign_in(Some(ATTACKER), &good, "en").await;
    assert_eq!(a.status, 429);
    assert!(a.header("retry-after").is_some());
    assert!(
        a.body.contains("Too many failed sign-in attempts"),
        "{}",
        a.body
    );
    assert!(a.cookie("tamga_session").is_none());
    // The account is locked too: the right password from elsewhere is refused as well.
    let ru = s.sign_in(Some("192.0.2.77"), &good, "ru").await;
    assert_eq!(ru.status, 429);
    assert!(
        ru.body.contains("Слишком много неудачных попыток входа"),
        "{}",
        ru.body
    );
    assert_eq!(s.events_of("auth.sign_in_failed").await, 4);
    // Account and address locked by the same failure: two lockouts logged.
    assert_eq!(s.events_of("auth.locked_out").await, 2);
    // An admin at another desk sees both on the console's lockouts page.
    let admin = s
        .sign_in(
            Some(ADMIN_DESK),
            &[("username", "admin"), ("password", PASSWORD)],
            "en",
        )
        .await;
    assert_eq!(admin.status, 303, "{}", admin.body);
    let session = admin.cookie("tamga_session").unwrap();
    let page = s.page("/lockouts", Some(ADMIN_DESK), &session).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Sign-in lockouts"));
    assert!(page.body.contains(ATTACKER) && page.body.contains(">trader<"));
    // Once the lock lifts the right password works and forgives the account.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let ok = s.sign_in(Some("192.0.2.77"), &good, "en").await;
    assert_eq!(ok.status, 303, "{}", ok.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_revoked_by_another_process_stops_working_within_the_ttl() {
    let s = start(localhost()).await;
    let trader = s.user("trader", "trader", Some(PARTY)).await;
    let me = s.api("/api/v1/me", &trader, None).await;
    assert_eq!(me.status, 200);
    let id = me.json()["id"].as_str().unwrap().to_owned();
    // The CLI's path (`tamga user revoke`): its own state over the same database.
    let cli = s.other_process().await;
    tamga_server::users::revoke_token(&cli, &id, "cli")
        .await
        .expect("revoked");
    tokio::time::sleep(tamga_server::auth::CALLER_TTL + Duration::from_millis(200)).await;
    let a = s.api("/api/v1/me", &trader, None).await;
    assert_eq!(a.status, 401, "{}", a.body);
    assert_eq!(s.events_of("user.token_revoked").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_revoked_in_process_stops_working_at_once() {
    let s = start(localhost()).await;
    let trader = s.user("trader", "trader", Some(PARTY)).await;
    let me = s.api("/api/v1/me", &trader, None).await;
    assert_eq!(me.status, 200);
    let id = me.json()["id"].as_str().unwrap().to_owned();
    tamga_server::users::revoke_token(&s.state, &id, "admin")
        .await
        .expect("revoked");
    assert_eq!(s.api("/api/v1/me", &trader, None).await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_users_console_session_and_token_stop_working() {
    let s = start(localhost()).await;
    let trader = s.user("trader", "trader", Some(PARTY)).await;
    let signed = s
        .sign_in(
            None,
            &[("username", "trader"), ("password", PASSWORD)],
            "en",
        )
        .await;
    assert_eq!(signed.status, 303);
    let session = signed.cookie("tamga_session").unwrap();
    assert_eq!(s.page("/declarations", None, &session).await.status, 200);
    let id = s.api("/api/v1/me", &trader, None).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cli = s.other_process().await;
    tamga_server::users::remove_user(&cli, &id, "cli")
        .await
        .expect("removed");
    tokio::time::sleep(tamga_server::auth::CALLER_TTL + Duration::from_millis(200)).await;
    let after = s.page("/declarations", None, &session).await;
    assert_eq!(after.status, 303);
    assert_eq!(after.header("location"), Some("/login"));
    assert_eq!(s.api("/api/v1/me", &trader, None).await.status, 401);
    assert_eq!(s.events_of("user.removed").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_session_opened_with_a_revoked_token_ends_at_once() {
    let s = start(localhost()).await;
    let trader = s.user("trader", "trader", Some(PARTY)).await;
    let signed = s.sign_in(None, &[("token", &trader)], "en").await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let cookie = signed.cookie("tamga_session").unwrap();
    assert_eq!(s.page("/declarations", None, &cookie).await.status, 200);
    let id = s.api("/api/v1/me", &trader, None).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    tamga_server::users::revoke_token(&s.state, &id, "admin")
        .await
        .expect("revoked");
    assert_eq!(s.page("/declarations", None, &cookie).await.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_server_answers_503_to_new_work_then_stops() {
    let mut s = start(localhost()).await;
    let trader = s.user("trader", "trader", Some(PARTY)).await;
    assert_eq!(s.api("/api/v1/me", &trader, None).await.status, 200);
    // The flag the stop signal sets: new requests are refused, and told to close.
    s.state
        .draining
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let a = s.api("/api/v1/me", &trader, None).await;
    assert_eq!(a.status, 503, "{}", a.body);
    assert_eq!(a.error_code(), "shutting_down");
    assert_eq!(a.header("connection"), Some("close"));
    let h = s
        .send(reqwest::Method::GET, "/health", None, &[], None)
        .await;
    assert_eq!(h.status, 503);
    // The signal itself: the server returns cleanly.
    s.stop.take().unwrap().send(()).unwrap();
    let stopped = tokio::time::timeout(Duration::from_secs(10), &mut s.handle)
        .await
        .expect("stopped within 10 s");
    stopped.expect("task").expect("serve returned Ok");
}
