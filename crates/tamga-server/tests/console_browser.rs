//! The console end to end in headless Chromium, driven through chromedriver by fantoccini.
//! Each test starts the real server on a random port over a fresh database, starts
//! chromedriver on a random port with a fresh profile, and saves screenshots of the main
//! pages into `screenshots/` at the repository root.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`/usr/bin/chromium`,
//! `/usr/bin/chromedriver`; `.ci/run` installs them). Without them every test here prints
//! a loud SKIPPED line and passes — unless `TAMGA_REQUIRE_BROWSER=1` (set by `.ci/run`),
//! when a missing browser fails the test instead of hiding it.

#[path = "browser/support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use support::{Console, OTHER_PARTY, PASSWORD, TRADER_PARTY};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WAIT: Duration = Duration::from_secs(20);

/// One browser at a time: the machines that run these have few cores.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running console and a browser pointed at it.
struct Session {
    console: Console,
    base: String,
    client: Client,
    _driver: Driver,
    _profile: tempfile::TempDir,
    _server: tokio::task::JoinHandle<()>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots folder");
    dir
}

impl Session {
    /// `None` (after a loud notice) when Chromium or chromedriver is not installed.
    async fn start() -> Option<Session> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            assert!(
                std::env::var("TAMGA_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "TAMGA_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing"
            );
            eprintln!(
                "\n*** SKIPPED: chromium not installed — the console's browser tests need \
                 {CHROMIUM} and {CHROMEDRIVER} (apt-get install -y chromium chromium-driver) ***\n"
            );
            return None;
        }
        let console = Console::new().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = tamga_server::app(console.state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("server");
        });

        let port = free_port();
        let driver = Driver(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
        );
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,1100",
                    "--lang=en-GB",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {"intl.accept_languages": "en-GB,en"}
            }
        });
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!(),
        };
        let url = format!("http://127.0.0.1:{port}");
        let mut client = None;
        // chromedriver takes a moment to listen.
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let client = client.expect("a WebDriver session with chromedriver");
        Some(Session {
            console,
            base,
            client,
            _driver: driver,
            _profile: profile,
            _server: server,
        })
    }

    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("navigate");
    }

    /// Waits for an element (pages swap in asynchronously with htmx).
    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self.wait_for(css).await;
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.expect("click");
    }

    async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// Saves the whole page (the window grows to the page's height for the shot).
    async fn screenshot(&self, name: &str) {
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(1100)
            .clamp(800, 4000) as u32;
        let _ = self.client.set_window_size(1280, height + 120).await;
        let png = self.client.screenshot().await.expect("screenshot");
        let _ = self.client.set_window_size(1280, 1100).await;
        std::fs::write(screenshots_dir().join(name), png).expect("write screenshot");
    }

    async fn sign_in(&self, name: &str, then: &str) {
        self.goto("/login").await;
        self.fill("#username", name).await;
        self.fill("#password", PASSWORD).await;
        self.click("#login-submit").await;
        self.wait_for(then).await;
    }

    async fn end(self) {
        let _ = self.client.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trader_lodges_through_the_form_fixing_an_error_and_sees_it_listed() {
    let _one = ONE_BROWSER.lock().await;
    let Some(s) = Session::start().await else {
        return;
    };
    s.console.cast().await;
    s.goto("/").await;
    s.wait_for("#username").await;
    s.screenshot("login.png").await;
    s.sign_in("trader-a", "#lodge-link").await;

    s.click("#lodge-link").await;
    s.wait_for("#lodge-form").await;
    // Add a goods item and remove it again: the form keeps the rest.
    s.click("#add-item").await;
    s.wait_for("#f-items-1--hs_code").await;
    s.click("#remove-item-1").await;
    s.client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#lodge-form:not(:has(#f-items-1--hs_code))"))
        .await
        .expect("item 2 removed");

    let office = s.wait_for("#f-office").await;
    office.select_by_value("41701").await.expect("office");
    s.fill("#f-exporter-name", "Shenzhen Example Co").await;
    s.fill("#f-exporter-country", "CN").await;
    s.fill("#f-dispatch_country", "CN").await;
    s.fill("#f-invoice-freight", "500.00").await;
    s.fill("#f-invoice-insurance", "20.00").await;
    s.fill("#f-items-0--hs_code", "8517990000").await;
    s.fill("#f-items-0--description", "Smartphones").await;
    s.fill("#f-items-0--origin", "CN").await;
    s.fill("#f-items-0--quantity", "100").await;
    s.fill("#f-items-0--net_mass_kg", "20.5").await;
    s.fill("#f-items-0--gross_mass_kg", "25").await;
    s.fill("#f-items-0--value", "15000.00").await;
    s.fill("#f-documents-0--ref", "INV-2026-001").await;
    s.click("#lodge-submit").await;

    let err = s.wait_for("#f-items-0--hs_code-err").await;
    assert!(!err.text().await.unwrap().is_empty());
    assert!(
        s.wait_for("#error-summary")
            .await
            .is_displayed()
            .await
            .unwrap()
    );
    // The typed values are kept beside the error.
    let kept = s.wait_for("#f-items-0--description").await;
    assert_eq!(
        kept.prop("value").await.unwrap().as_deref(),
        Some("Smartphones")
    );
    s.screenshot("lodge-form-errors.png").await;

    s.fill("#f-items-0--hs_code", "8517130000").await;
    s.click("#lodge-submit").await;
    s.wait_for("#notice").await;
    let url = s.client.current_url().await.unwrap();
    let id = url.path().trim_start_matches("/declarations/").to_owned();
    assert!(s.source().await.contains("Smartphones"));
    s.screenshot("declaration-page.png").await;

    s.goto("/declarations").await;
    s.wait_for("#declarations").await;
    assert!(
        s.source().await.contains(&id),
        "the new declaration is listed"
    );
    s.screenshot("trader-list.png").await;
    s.end().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trader_cannot_open_another_partys_declaration() {
    let _one = ONE_BROWSER.lock().await;
    let Some(s) = Session::start().await else {
        return;
    };
    let cast = s.console.cast().await;
    let theirs = s.console.lodge_as(&cast.trader_b, OTHER_PARTY).await;
    s.sign_in("trader-a", "#lodge-link").await;
    s.goto(&format!("/declarations/{theirs}")).await;
    let p = s.wait_for(".error-detail").await;
    assert_eq!(p.attr("data-status").await.unwrap().as_deref(), Some("404"));
    let src = s.source().await;
    assert!(src.contains("Not found"));
    assert!(
        !src.contains(OTHER_PARTY),
        "nothing of the declaration leaks"
    );
    s.end().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_signs_in_and_sees_its_queue() {
    let _one = ONE_BROWSER.lock().await;
    let Some(s) = Session::start().await else {
        return;
    };
    s.console.cast().await;
    let held = s.console.held_for_control(TRADER_PARTY).await;
    s.sign_in("officer-a", "#declarations").await;
    assert!(s.source().await.contains(&held));
    s.screenshot("officer-queue.png").await;
    s.click(&format!("a[href='/declarations/{held}']")).await;
    s.wait_for("#release-button").await;
    s.click("#release-button").await;
    let problems = s.wait_for("#problems").await;
    assert!(
        problems
            .text()
            .await
            .unwrap()
            .contains("control result has not been recorded")
    );
    s.screenshot("officer-declaration.png").await;
    s.end().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sees_the_dashboard_with_svg_charts() {
    let _one = ONE_BROWSER.lock().await;
    let Some(s) = Session::start().await else {
        return;
    };
    let cast = s.console.cast().await;
    s.console.profile_hit(&cast, OTHER_PARTY).await;
    for _ in 0..3 {
        s.console.lodge_as(&cast.trader_a, TRADER_PARTY).await;
    }
    s.console.held_for_control(TRADER_PARTY).await;
    for (channel, minutes) in [
        ("yellow", 35),
        ("yellow", 50),
        ("red", 95),
        ("red", 140),
        ("green", 1),
    ] {
        s.console
            .released_after(OTHER_PARTY, channel, minutes * 60)
            .await;
    }
    s.sign_in("admin", "#dash-live").await;
    s.wait_for("#chart-per-day svg").await;
    s.wait_for("#chart-release svg").await;
    let total = s.wait_for("#kpi-total").await.text().await.unwrap();
    assert_eq!(total.trim(), "10");
    // A declaration lodged now appears without reloading (htmx polls every 5 s).
    s.console.lodge_as(&cast.trader_a, TRADER_PARTY).await;
    s.client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::XPath(
            "//p[@id='kpi-total' and normalize-space()='11']",
        ))
        .await
        .expect("the dashboard refreshes itself");
    s.screenshot("dashboard.png").await;
    s.end().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_switches_to_russian() {
    let _one = ONE_BROWSER.lock().await;
    let Some(s) = Session::start().await else {
        return;
    };
    s.console.cast().await;
    s.sign_in("trader-a", "#lodge-link").await;
    s.click("a[lang='ru']").await;
    s.client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("html[lang='ru']"))
        .await
        .expect("Russian page");
    let src = s.source().await;
    assert!(src.contains("Мои декларации"));
    s.click("#lodge-link").await;
    s.wait_for("#lodge-form").await;
    assert!(s.source().await.contains("Подать декларацию"));
    s.screenshot("lodge-form-ru.png").await;
    // And back to English.
    s.click("a[lang='en']").await;
    s.client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("html[lang='en']"))
        .await
        .expect("English page");
    s.end().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_writes_a_profile_and_an_officer_records_a_control_result() {
    let _one = ONE_BROWSER.lock().await;
    let Some(s) = Session::start().await else {
        return;
    };
    let cast = s.console.cast().await;
    s.console.everything_yellow().await;
    let id = s.console.lodge_as(&cast.trader_a, TRADER_PARTY).await;

    // The analyst writes a profile: a mistake in the criteria is shown beside them, fixed.
    s.sign_in("analyst-a", "#dash-live").await;
    s.click("a[href='/risk/profiles']").await;
    s.click("#new-profile").await;
    s.fill("#p-title", "Undervalued smartphones").await;
    s.fill(
        "#p-criteria",
        r#"[{"field": "items.hs_code", "op": "bogus", "values": ["851713"]}]"#,
    )
    .await;
    s.click("#profile-submit").await;
    let err = s.wait_for("#p-criteria-err").await.text().await.unwrap();
    assert!(err.contains("criteria[0].op"), "{err}");
    s.fill(
        "#p-criteria",
        r#"[{"field": "items.hs_code", "op": "prefix", "values": ["851713"]}]"#,
    )
    .await;
    s.click("#profile-submit").await;
    s.wait_for("#profiles").await;
    let list = s.source().await;
    assert!(list.contains("RP-0001") && list.contains("Undervalued smartphones"));
    s.screenshot("analyst-profiles.png").await;
    s.click("button.link").await;
    s.wait_for("#username").await;

    // The officer records the control result of the yellow declaration.
    s.sign_in("officer-a", "#control-tasks").await;
    s.click(&format!("#control-tasks a[href='/declarations/{id}']"))
        .await;
    s.wait_for("#control-form").await;
    s.click("#outcome-discrepancy").await;
    s.wait_for("#f-findings-0--kind")
        .await
        .select_by_value("undervaluation")
        .await
        .expect("kind");
    s.wait_for("#f-findings-0--item")
        .await
        .select_by_value("0")
        .await
        .expect("item");
    s.wait_for("#f-findings-0--field")
        .await
        .select_by_value("value")
        .await
        .expect("field");
    s.fill("#f-findings-0--value", "30000.00").await;
    s.fill("#f-note", "invoice found in the cab: the real value")
        .await;
    s.screenshot("control-result.png").await;
    s.click("#control-submit").await;
    s.wait_for("#notice").await;
    let page = s.source().await;
    assert!(
        page.contains("additional assessment"),
        "the control's additional tax is in the ledger"
    );
    s.end().await;
}
