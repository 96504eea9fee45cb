//! The web console in-process (`tower::ServiceExt::oneshot` on `tamga_server::app`):
//! sign-in, sessions, CSRF, languages, visibility, the lodge form, release refusals and the
//! dashboard. The same flows in a real browser are in `console_browser.rs`.

#[path = "browser/support.rs"]
mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::{Console, OTHER_PARTY, PASSWORD, TRADER_PARTY};
use tower::ServiceExt;

struct Answer {
    status: StatusCode,
    location: Option<String>,
    cookies: Vec<String>,
    body: String,
}

impl Answer {
    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(String::as_str)
    }
}

async fn send(c: &Console, req: Request<Body>) -> Answer {
    let resp = tamga_server::app(c.state.clone())
        .oneshot(req)
        .await
        .expect("answer");
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    let cookies = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    Answer {
        status,
        location,
        cookies,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

fn post(path: &str, cookie: &str, form: &[(&str, &str)]) -> Request<Body> {
    let body: Vec<String> = form
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The value of the first hidden `csrf` input of a page.
fn csrf_of(html: &str) -> String {
    let at = html.find(r#"name="csrf" value=""#).expect("a csrf field");
    let rest = &html[at + r#"name="csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// The `name=value` part of a Set-Cookie.
fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// A signed-in browser: its session cookie and the session's CSRF token.
struct Signed {
    cookie: String,
    csrf: String,
}

async fn sign_in(c: &Console, name: &str) -> Signed {
    let page = send(c, get("/login", "")).await;
    let login_cookie = pair(page.cookie("tamga_login_csrf").expect("login csrf cookie"));
    let a = send(
        c,
        post(
            "/login",
            &login_cookie,
            &[
                ("csrf", &csrf_of(&page.body)),
                ("username", name),
                ("password", PASSWORD),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let cookie = pair(a.cookie("tamga_session").expect("session cookie"));
    let home = send(c, get(a.location.as_deref().unwrap(), &cookie)).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    Signed {
        csrf: csrf_of(&home.body),
        cookie,
    }
}

#[tokio::test]
async fn a_trader_signs_in_with_a_password_and_lands_on_its_declarations() {
    let c = Console::new().await;
    c.cast().await;
    let page = send(&c, get("/login", "")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"<label for="username">"#));
    let login_cookie = pair(page.cookie("tamga_login_csrf").unwrap());
    let a = send(
        &c,
        post(
            "/login",
            &login_cookie,
            &[
                ("csrf", &csrf_of(&page.body)),
                ("username", "trader-a"),
                ("password", PASSWORD),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location.as_deref(), Some("/declarations"));
    let session = a.cookie("tamga_session").unwrap();
    assert_eq!(pair(session).len(), "tamga_session=".len() + 64, "256 bits");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(session.contains("Path=/") && !session.contains("Secure"));
    let list = send(&c, get("/declarations", &pair(session))).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("My declarations"));
    // The root sends a signed-in user home, and a stranger to sign in.
    let root = send(&c, get("/", &pair(session))).await;
    assert_eq!(root.location.as_deref(), Some("/declarations"));
    let root = send(&c, get("/", "")).await;
    assert_eq!(root.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn the_session_cookie_is_secure_behind_a_trusted_tls_proxy_only() {
    let c = Console::new().await;
    c.cast().await;
    // The same request from the same peer: believed only when the peer is a trusted proxy.
    for trusted in [false, true] {
        let mut state = c.state.clone();
        if trusted {
            state.config = std::sync::Arc::new(tamga_server::Config {
                trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
                ..(*state.config).clone()
            });
        }
        let page = send(&c, get("/login", "")).await;
        let login_cookie = pair(page.cookie("tamga_login_csrf").unwrap());
        let mut req = post(
            "/login",
            &login_cookie,
            &[
                ("csrf", &csrf_of(&page.body)),
                ("username", "admin"),
                ("password", PASSWORD),
            ],
        );
        req.headers_mut()
            .insert("x-forwarded-proto", "https".parse().unwrap());
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                40000,
            ))));
        let resp = tamga_server::app(state).oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let session = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("tamga_session="))
            .unwrap();
        assert_eq!(session.contains("; Secure"), trusted, "{session}");
        assert_eq!(
            resp.headers()
                .contains_key(header::STRICT_TRANSPORT_SECURITY),
            trusted
        );
    }
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_is_refused_alike() {
    let c = Console::new().await;
    c.cast().await;
    for (user, pw) in [("trader-a", "wrong password"), ("nobody", PASSWORD)] {
        let page = send(&c, get("/login", "")).await;
        let login_cookie = pair(page.cookie("tamga_login_csrf").unwrap());
        let a = send(
            &c,
            post(
                "/login",
                &login_cookie,
                &[
                    ("csrf", &csrf_of(&page.body)),
                    ("username", user),
                    ("password", pw),
                ],
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert!(a.body.contains("Wrong user name, password or token."));
        assert!(a.cookie("tamga_session").is_none());
    }
}

#[tokio::test]
async fn a_user_signs_in_with_an_api_token() {
    let c = Console::new().await;
    let token = c.user("officer-t", "officer", None, Some("41701")).await;
    let page = send(&c, get("/login", "")).await;
    let login_cookie = pair(page.cookie("tamga_login_csrf").unwrap());
    let a = send(
        &c,
        post(
            "/login",
            &login_cookie,
            &[("csrf", &csrf_of(&page.body)), ("token", &token)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location.as_deref(), Some("/queue"));
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let c = Console::new().await;
    c.cast().await;
    // Sign-in without the double-submit cookie.
    let page = send(&c, get("/login", "")).await;
    let a = send(
        &c,
        post(
            "/login",
            "",
            &[
                ("csrf", &csrf_of(&page.body)),
                ("username", "trader-a"),
                ("password", PASSWORD),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let s = sign_in(&c, "trader-a").await;
    // Lodging and signing out with a wrong or missing token.
    for form in [vec![("csrf", "0".repeat(64))], vec![]] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let a = send(&c, post("/declarations/new", &s.cookie, &form)).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        assert!(a.body.contains("The form has expired"));
        let a = send(&c, post("/logout", &s.cookie, &form)).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
    }
    // The session survived the refused sign-out; the right token signs out.
    let a = send(&c, post("/logout", &s.cookie, &[("csrf", &s.csrf)])).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(a.cookie("tamga_session").unwrap().contains("Max-Age=0"));
    let after = send(&c, get("/declarations", &s.cookie)).await;
    assert_eq!(after.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn the_language_follows_the_browser_then_the_users_choice() {
    let c = Console::new().await;
    let ru = send(
        &c,
        Request::get("/login")
            .header(header::ACCEPT_LANGUAGE, "ru-RU,ru;q=0.9,en;q=0.8")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(ru.body.contains(r#"<html lang="ru">"#));
    assert!(ru.body.contains("Имя пользователя"));
    let en = send(&c, get("/login", "")).await;
    assert!(en.body.contains(r#"<html lang="en">"#) && en.body.contains("User name"));
    // Choosing English sets a cookie that beats the browser's preference.
    let choose = send(&c, get("/lang/en?next=%2Flogin", "")).await;
    assert_eq!(choose.status, StatusCode::SEE_OTHER);
    assert_eq!(choose.location.as_deref(), Some("/login"));
    let lang = pair(choose.cookie("lang").unwrap());
    assert_eq!(lang, "lang=en");
    let chosen = send(
        &c,
        Request::get("/login")
            .header(header::ACCEPT_LANGUAGE, "ru")
            .header(header::COOKIE, &lang)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(chosen.body.contains("User name"));
    // No open redirect through the selector.
    let away = send(&c, get("/lang/ru?next=%2F%2Fevil.example", "")).await;
    assert_eq!(away.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn a_trader_gets_404_for_another_partys_declaration() {
    let c = Console::new().await;
    let cast = c.cast().await;
    let theirs = c.lodge_as(&cast.trader_b, OTHER_PARTY).await;
    let s = sign_in(&c, "trader-a").await;
    let a = send(&c, get(&format!("/declarations/{theirs}"), &s.cookie)).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.body.contains("Not found"));
    let none = send(&c, get("/declarations/no-such-id", &s.cookie)).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    // The same page as for an id that does not exist: nothing tells that it does.
    assert_eq!(
        a.body.replace(&theirs, "ID"),
        none.body.replace("no-such-id", "ID")
    );
    // Its own declaration opens, with its assessment and history.
    let mine = c.lodge_as(&cast.trader_a, TRADER_PARTY).await;
    let a = send(&c, get(&format!("/declarations/{mine}"), &s.cookie)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("Customs decision") && a.body.contains("History"));
    assert!(!a.body.contains("Risk assessment"));
    assert!(a.body.contains("Smartphones"));
}

/// Issue 23: the trader's page tells the channel and what to do next, never why; the
/// officer's shows the fired profile and the draws.
#[tokio::test]
async fn a_trader_sees_the_channel_and_next_step_the_officer_sees_why() {
    let c = Console::new().await;
    let cast = c.cast().await;
    let token = c.user("analyst-c", "analyst", None, None).await;
    let analyst = tamga_server::auth::authenticate(&c.state, &token)
        .await
        .expect("token");
    let stored = tamga_server::profiles::create(
        &c.state,
        &analyst,
        serde_json::json!({"title": "Watchlist of grey-import handsets",
               "rationale": "undervaluation seen in 2025",
               "scope": "national", "valid_from": "2026-01-01",
               "criteria": [{"field": "items.hs_code", "op": "prefix", "values": ["851713"]}],
               "score": 60, "measure": "physical_inspection"}),
    )
    .await
    .expect("profile");
    let profile_id = stored.id;
    let id = c.lodge_as(&cast.trader_a, TRADER_PARTY).await;

    let t = sign_in(&c, "trader-a").await;
    let page = send(&c, get(&format!("/declarations/{id}"), &t.cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Customs decision"), "{}", page.body);
    assert!(
        page.body
            .contains("Present the goods for inspection at the customs office."),
        "{}",
        page.body
    );
    for secret in [
        "Watchlist of grey-import handsets",
        profile_id.as_str(),
        "seed",
        "Risk assessment",
        "Score",
        "Number drawn",
    ] {
        assert!(
            !page.body.contains(secret),
            "the trader's page shows {secret}: {}",
            page.body
        );
    }
    // The same in Russian.
    let ru = send(
        &c,
        Request::get(format!("/declarations/{id}"))
            .header(header::COOKIE, &t.cookie)
            .header(header::ACCEPT_LANGUAGE, "ru")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(ru.status, StatusCode::OK);
    assert!(ru.body.contains("Решение таможни"), "{}", ru.body);
    assert!(
        ru.body
            .contains("Предъявите товары для досмотра в таможенном органе."),
        "{}",
        ru.body
    );
    assert!(!ru.body.contains("Watchlist of grey-import handsets") && !ru.body.contains("seed"));

    let o = sign_in(&c, "officer-a").await;
    let page = send(&c, get(&format!("/declarations/{id}"), &o.cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Risk assessment"), "{}", page.body);
    assert!(page.body.contains(&profile_id), "{}", page.body);
    assert!(page.body.contains("seed"), "{}", page.body);
    assert!(!page.body.contains("Customs decision"));
}

#[tokio::test]
async fn the_lodge_form_shows_each_error_beside_its_field_and_keeps_the_values() {
    let c = Console::new().await;
    c.cast().await;
    let s = sign_in(&c, "trader-a").await;
    let form = send(&c, get("/declarations/new", &s.cookie)).await;
    assert_eq!(form.status, StatusCode::OK);
    // Every input has its label.
    let inputs =
        form.body.matches("<input id=\"").count() + form.body.matches("<select id=\"").count();
    let labels = form.body.matches("<label for=\"").count();
    assert_eq!(inputs, labels);
    let mut fields = vec![
        ("csrf", s.csrf.as_str()),
        ("type", "IM"),
        ("procedure", "4000"),
        ("office", "41701"),
        ("declarant", TRADER_PARTY),
        ("importer", TRADER_PARTY),
        ("dispatch_country", "CN"),
        ("transport.mode", "3"),
        ("invoice.currency", "USD"),
        ("invoice.freight", "500.00"),
        ("invoice.insurance", "20.00"),
        ("items[0].hs_code", "8517130000"),
        ("items[0].description", "Smartphones"),
        ("items[0].origin", "CN"),
        ("items[0].quantity", "100"),
        ("items[0].unit", "p/st"),
        ("items[0].net_mass_kg", "20.5"),
        ("items[0].gross_mass_kg", "25"),
        ("items[0].value", "15000.00"),
        ("items[1].hs_code", "8517990000"),
        ("items[1].description", "Mystery"),
        ("items[1].origin", "CN"),
        ("items[1].quantity", "1"),
        ("items[1].unit", "p/st"),
        ("items[1].net_mass_kg", "1"),
        ("items[1].gross_mass_kg", "1"),
        ("items[1].value", "10"),
        ("documents[0].code", "N380"),
        ("documents[0].ref", "INV-1"),
        ("action", "lodge"),
    ];
    let a = send(&c, post("/declarations/new", &s.cookie, &fields)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    // The error sits in the field's own block, tied to its input, and the values stay.
    let at = a
        .body
        .find(r#"id="f-items-1--hs_code""#)
        .expect("the input");
    let block = &a.body[at..at + 600];
    assert!(block.contains(r#"aria-invalid="true""#), "{block}");
    assert!(
        block.contains(r#"class="field-error" id="f-items-1--hs_code-err""#),
        "{block}"
    );
    assert!(block.contains(r#"value="8517990000""#));
    assert!(a.body.contains(r#"value="Mystery""#));
    assert!(
        a.body.contains(r##"href="#f-items-1--hs_code""##),
        "the summary links to it"
    );
    // Removing the bad item, then lodging, succeeds.
    fields.retain(|(k, _)| !k.starts_with("items[1]"));
    let a = send(&c, post("/declarations/new", &s.cookie, &fields)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let to = a.location.unwrap();
    assert!(to.starts_with("/declarations/") && to.ends_with("?notice=lodged"));
    let page = send(&c, get(&to, &s.cookie)).await;
    assert!(page.body.contains("The declaration has been lodged"));
    let list = send(&c, get("/declarations", &s.cookie)).await;
    let id = to
        .trim_start_matches("/declarations/")
        .trim_end_matches("?notice=lodged");
    assert!(list.body.contains(id));
}

#[tokio::test]
async fn adding_and_removing_goods_items_keeps_what_was_typed() {
    let c = Console::new().await;
    c.cast().await;
    let s = sign_in(&c, "trader-a").await;
    let a = send(
        &c,
        post(
            "/declarations/new",
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("items[0].description", "first"),
                ("item_rows", "1"),
                ("action", "add_item"),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains(r#"id="f-items-1--hs_code""#));
    assert!(a.body.contains(r#"value="first""#));
    let a = send(
        &c,
        post(
            "/declarations/new",
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("items[0].description", "first"),
                ("items[1].description", "second"),
                ("action", "remove_item:0"),
            ],
        ),
    )
    .await;
    assert!(!a.body.contains(r#"id="f-items-1--hs_code""#));
    assert!(a.body.contains(r#"value="second""#) && !a.body.contains(r#"value="first""#));
}

#[tokio::test]
async fn an_officer_sees_its_queue_and_release_is_refused_while_control_is_pending() {
    let c = Console::new().await;
    c.cast().await;
    let held = c.held_for_control(OTHER_PARTY).await;
    let s = sign_in(&c, "officer-a").await;
    let q = send(&c, get("/queue", &s.cookie)).await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(q.body.contains(&held) && q.body.contains("Control queue"));
    let page = send(&c, get(&format!("/declarations/{held}"), &s.cookie)).await;
    assert!(page.body.contains("phones-cn") && page.body.contains("physical inspection"));
    assert!(page.body.contains("232.00"), "taxes and total shown");
    assert!(page.body.contains(r#"id="control-result-slot""#));
    let a = send(
        &c,
        post(
            &format!("/declarations/{held}/release"),
            &s.cookie,
            &[("csrf", &s.csrf)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert!(
        a.body
            .contains("the control result has not been recorded yet")
    );
    // A trader has no queue.
    let t = sign_in(&c, "trader-a").await;
    assert_eq!(
        send(&c, get("/queue", &t.cookie)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn management_sees_the_dashboard_with_svg_charts() {
    let c = Console::new().await;
    let cast = c.cast().await;
    c.profile_hit(&cast, OTHER_PARTY).await;
    c.lodge_as(&cast.trader_a, TRADER_PARTY).await;
    c.held_for_control(TRADER_PARTY).await;
    let s = sign_in(&c, "admin").await;
    let d = send(&c, get("/dashboard", &s.cookie)).await;
    assert_eq!(d.status, StatusCode::OK);
    // One control by the profile, one hit; the ledger's sums in the revenue cards.
    assert!(d.body.contains(r#"id="kpi-hit">100.0 %<"#), "{}", d.body);
    assert!(d.body.contains("RP-0001"));
    assert!(d.body.contains(r#"id="kpi-assessed""#) && !d.body.contains(r#"id="kpi-assessed">0 "#));
    assert!(d.body.matches("<svg").count() >= 2);
    assert!(d.body.contains(r#"hx-trigger="every 5s""#));
    assert!(
        d.body.contains(r#"id="kpi-total">3<"#),
        "three declarations"
    );
    let live = send(&c, get("/dashboard/live", &s.cookie)).await;
    assert_eq!(live.status, StatusCode::OK);
    assert!(live.body.contains("<svg") && !live.body.contains("<html"));
    // Polling stops (htmx's 286) once signed out; traders are not management.
    assert_eq!(
        send(&c, get("/dashboard/live", "")).await.status.as_u16(),
        286
    );
    let t = sign_in(&c, "trader-a").await;
    assert_eq!(
        send(&c, get("/dashboard", &t.cookie)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn every_role_lands_on_a_page_it_may_open() {
    let c = Console::new().await;
    c.cast().await;
    c.user("analyst-a", "analyst", None, None).await;
    c.user("auditor-a", "auditor", None, None).await;
    c.user("bank-a", "bank", None, None).await;
    // `sign_in` follows the redirect home and asserts 200 there.
    for (name, home) in [
        ("trader-a", "/declarations"),
        ("officer-a", "/queue"),
        ("analyst-a", "/dashboard"),
        ("auditor-a", "/dashboard"),
        ("admin", "/dashboard"),
        ("bank-a", "/payments"),
    ] {
        let s = sign_in(&c, name).await;
        let root = send(&c, get("/", &s.cookie)).await;
        assert_eq!(root.location.as_deref(), Some(home), "{name}");
    }
}

#[tokio::test]
async fn assets_ship_inside_the_binary() {
    let c = Console::new().await;
    let js = send(&c, get("/assets/htmx.min.js", "")).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.starts_with("/*! htmx.org 2."));
    let css = send(&c, get("/assets/console.css", "")).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(
        send(&c, get("/assets/nope.js", "")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_officer_records_a_control_result_through_the_form() {
    let c = Console::new().await;
    let cast = c.cast().await;
    c.everything_yellow().await;
    let id = c.lodge_as(&cast.trader_a, TRADER_PARTY).await;
    let s = sign_in(&c, "officer-a").await;
    let q = send(&c, get("/queue", &s.cookie)).await;
    assert!(q.body.contains(r#"id="control-tasks""#) && q.body.contains(&id));
    let page = send(&c, get(&format!("/declarations/{id}"), &s.cookie)).await;
    assert!(page.body.contains(r#"id="control-form""#), "{}", page.body);
    assert!(page.body.contains(r#"id="control-task""#));
    let control = {
        let at = page.body.find(r#"name="control" value=""#).unwrap() + 22;
        page.body[at..at + page.body[at..].find('"').unwrap()].to_owned()
    };
    // A discrepancy without findings: refused, the error beside the findings.
    let a = send(
        &c,
        post(
            &format!("/declarations/{id}/control"),
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("control", &control),
                ("outcome", "discrepancy"),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(a.body.contains(r#"id="f-findings-err""#));
    assert!(
        a.body
            .contains(r#"value="discrepancy" id="outcome-discrepancy" checked"#)
    );
    let a = send(
        &c,
        post(
            &format!("/declarations/{id}/control"),
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("control", &control),
                ("outcome", "no_discrepancy"),
                ("note", "seals intact"),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = send(&c, get(a.location.as_deref().unwrap(), &s.cookie)).await;
    assert!(page.body.contains(r#"id="notice""#));
    assert!(!page.body.contains(r#"id="control-form""#));
    // Management sees the control in the hit rate: one control, no hit.
    let m = sign_in(&c, "admin").await;
    let d = send(&c, get("/dashboard", &m.cookie)).await;
    assert!(d.body.contains(r#"id="kpi-hit">0.0 %<"#), "{}", d.body);
}

fn profile_form<'a>(criteria: &'a str, csrf: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("title", "Cheap phones"),
        ("rationale", "unit values below world prices"),
        ("scope", "national"),
        ("valid_from", "2026-01-01"),
        ("criteria", criteria),
        ("score", "60"),
        ("measure", "documentary_check"),
        ("active", "on"),
    ]
}

#[tokio::test]
async fn an_analyst_writes_a_profile_sees_the_error_in_place_then_fixes_it() {
    let c = Console::new().await;
    c.user("analyst-a", "analyst", None, None).await;
    let s = sign_in(&c, "analyst-a").await;
    let form = send(&c, get("/risk/profiles/new", &s.cookie)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"<label for="p-criteria">"#));
    let bad = r#"[{"field": "items.hs_code", "op": "bogus", "values": ["8517"]}]"#;
    let a = send(
        &c,
        post("/risk/profiles/new", &s.cookie, &profile_form(bad, &s.csrf)),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(a.body.contains(r#"id="p-criteria-err""#), "{}", a.body);
    assert!(a.body.contains("criteria[0].op"));
    assert!(a.body.contains("Cheap phones"), "the values are kept");
    let good = r#"[{"field": "items.hs_code", "op": "prefix", "values": ["8517"]}]"#;
    let a = send(
        &c,
        post(
            "/risk/profiles/new",
            &s.cookie,
            &profile_form(good, &s.csrf),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let list = send(&c, get("/risk/profiles", &s.cookie)).await;
    assert!(list.body.contains("RP-0001") && list.body.contains("Cheap phones"));
    assert!(list.body.contains("Risk profiles") && list.body.contains("Back-test"));
    let edit = send(&c, get("/risk/profiles/RP-0001/edit", &s.cookie)).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("Cheap phones"));
}

#[tokio::test]
async fn the_back_test_page_renders_a_report() {
    let c = Console::new().await;
    let cast = c.cast().await;
    c.lodge_as(&cast.trader_a, TRADER_PARTY).await;
    c.user("analyst-a", "analyst", None, None).await;
    let s = sign_in(&c, "analyst-a").await;
    let page = send(&c, get("/risk/backtest", &s.cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let today = tamga_store::now_text()[..10].to_owned();
    let good = r#"[{"field": "items.hs_code", "op": "prefix", "values": ["8517"]}]"#;
    let mut form = profile_form(good, &s.csrf);
    form.push(("from", "2026-01-01"));
    form.push(("to", &today));
    let a = send(&c, post("/risk/backtest", &s.cookie, &form)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains(r#"id="backtest-report""#));
    assert!(a.body.contains(r#"id="bt-selected">1<"#), "{}", a.body);
}

/// The value of the first input named `name` of a page.
fn input_value(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let at = html.find(&marker).expect("the input") + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn a_low_risk_trader_sees_its_ledger_and_pays_by_guarantee() {
    let c = Console::new().await;
    let cast = c.cast().await;
    let admin = tamga_server::auth::authenticate(&c.state, &cast.admin)
        .await
        .unwrap();
    tamga_server::profiles::put_trader_status(
        &c.state,
        &admin,
        TRADER_PARTY,
        serde_json::json!({"aeo": true, "suspended": false}),
    )
    .await
    .expect("authorised economic operator");
    let id = c.lodge_as(&cast.trader_a, TRADER_PARTY).await;
    let s = sign_in(&c, "trader-a").await;
    let page = send(&c, get(&format!("/declarations/{id}"), &s.cookie)).await;
    assert!(page.body.contains(r#"id="ledger""#), "{}", page.body);
    assert!(
        page.body.contains(r#"id="guarantee-form""#),
        "{}",
        page.body
    );
    let key = input_value(&page.body, "key");
    let a = send(
        &c,
        post(
            &format!("/declarations/{id}/guarantee"),
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("key", &key),
                ("reference", "BG-2026-17"),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = send(&c, get(a.location.as_deref().unwrap(), &s.cookie)).await;
    assert!(
        page.body.contains(r#"id="ledger-balance">0.00 "#),
        "{}",
        page.body
    );
    assert!(page.body.contains("BG-2026-17") && !page.body.contains(r#"id="guarantee-form""#));
    // Another trader's declaration has no ledger for it: the page itself is a 404.
    let other = sign_in(&c, "trader-b").await;
    let a = send(&c, get(&format!("/declarations/{id}"), &other.cookie)).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bank_finds_the_amount_due_by_number_and_nothing_else() {
    let c = Console::new().await;
    let cast = c.cast().await;
    c.user("bank-a", "bank", None, None).await;
    let id = c.lodge_as(&cast.trader_a, TRADER_PARTY).await;
    let s = sign_in(&c, "bank-a").await;
    let page = send(&c, get(&format!("/payments?number={id}"), &s.cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(r#"id="payment-due""#), "{}", page.body);
    assert!(page.body.contains("162736.51 KGS"), "{}", page.body);
    // Not the goods, the parties or the assessment.
    for secret in ["Smartphones", TRADER_PARTY, "Shenzhen"] {
        assert!(!page.body.contains(secret), "{secret} shown to a bank");
    }
    let missing = send(&c, get("/payments?number=no-such", &s.cookie)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains(r#"id="bank-not-found""#));
    // The declaration's own page is not for banks.
    let a = send(&c, get(&format!("/declarations/{id}"), &s.cookie)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
}

#[tokio::test]
async fn an_officer_decides_a_claim_to_lower_the_duties_on_the_declarations_page() {
    let c = Console::new().await;
    let cast = c.cast().await;
    let id = c.lodge_as(&cast.trader_a, TRADER_PARTY).await;
    let trader = tamga_server::auth::authenticate(&c.state, &cast.trader_a)
        .await
        .unwrap();
    let mut lower = support::declaration(TRADER_PARTY);
    lower["items"][0]["value"] = serde_json::json!("10000.00");
    tamga_server::declarations::amend(
        &c.state,
        &trader,
        &id,
        serde_json::json!({"reason": "final invoice", "declaration": lower}),
    )
    .await
    .expect("amended");
    // The trader sees its claim pending and cannot decide it.
    let t = sign_in(&c, "trader-a").await;
    let page = send(&c, get(&format!("/declarations/{id}"), &t.cookie)).await;
    assert!(
        page.body.contains(r#"class="claim-pending""#),
        "{}",
        page.body
    );
    assert!(!page.body.contains(r#"id="claim-form""#));
    let s = sign_in(&c, "officer-a").await;
    let page = send(&c, get(&format!("/declarations/{id}"), &s.cookie)).await;
    assert!(page.body.contains(r#"id="claim-form""#), "{}", page.body);
    let action = page
        .body
        .split(r#"<form method="post" action=""#)
        .find(|f| f.contains(r#"id="claim-form""#))
        .and_then(|f| f.split('"').next())
        .expect("the claim form's action")
        .to_owned();
    // No reason: refused with the reason beside it, nothing decided.
    let a = send(
        &c,
        post(
            &action,
            &s.cookie,
            &[("csrf", &s.csrf), ("decision", "granted")],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    let a = send(
        &c,
        post(
            &action,
            &s.cookie,
            &[
                ("csrf", &s.csrf),
                ("decision", "granted"),
                ("note", "final invoice checked with the seller"),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let page = send(&c, get(a.location.as_deref().unwrap(), &s.cookie)).await;
    assert!(
        page.body.contains(r#"class="claim-granted""#),
        "{}",
        page.body
    );
    assert!(page.body.contains("final invoice checked with the seller"));
    assert!(!page.body.contains(r#"id="claim-form""#));
}
