//! The real binary: it stops on SIGTERM as on Ctrl-C (requests it acknowledged are kept,
//! new ones are refused or not accepted, exit 0), and a token revoked or a user removed by
//! `tamga user revoke|remove` (another process) stops working in the running server within
//! two seconds.

#![cfg(unix)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const PARTY: &str = "01234567890123";

fn tamga() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tamga"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `tamga serve`; killed if a test fails before it stops.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// `tamga serve` on a free port; answers once `/health` does.
async fn serve(database: &str) -> (Running, String) {
    let port = free_port();
    let child = Running(
        tamga()
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .args(["--database", database])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tamga serve"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{base}/health")).send().await
            && r.status().is_success()
        {
            return (child, base);
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "tamga serve did not come up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn sigterm(child: &Running) {
    let status = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// Waits for the process to end; its exit status.
async fn exit_of(mut child: Running) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.0.try_wait().expect("wait") {
            return status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(45),
            "tamga did not stop within 45 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `tamga user add`; the printed token.
fn add_user(database: &str, name: &str) -> String {
    let out = tamga()
        .args(["user", "add", "--name", name, "--role", "trader"])
        .args(["--party", PARTY, "--database", database])
        .output()
        .expect("tamga user add");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.lines().last().unwrap().trim().to_owned();
    assert!(token.starts_with("tmg_"), "{stdout}");
    token
}

fn declaration() -> Value {
    json!({
        "type": "IM", "procedure": "4000", "office": "41701",
        "declarant": PARTY, "importer": PARTY,
        "exporter": {"name": "Shenzhen Example Co", "country": "CN"},
        "dispatch_country": "CN",
        "transport": {"mode": "3", "id": "01KG123ABC", "border_office": "41702"},
        "invoice": {"currency": "USD", "incoterm": "FOB", "freight": "500.00", "insurance": "20.00"},
        "items": [
            {"hs_code": "8517130000", "description": "Smartphones", "origin": "CN",
             "quantity": "100", "unit": "p/st", "net_mass_kg": "20.5", "gross_mass_kg": "25",
             "value": "15000.00", "preference": "100"}
        ],
        "documents": [{"code": "N380", "ref": "INV-2026-001"}]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_keeps_what_was_acknowledged_and_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", tmp.path().join("t.db").display());
    let token = add_user(&database, "trader");

    let (child, base) = serve(&database).await;
    let client = reqwest::Client::new();
    let lodge = |client: reqwest::Client| {
        let (url, token) = (format!("{base}/api/v1/declarations"), token.clone());
        async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .json(&declaration())
                .send()
                .await
                .ok()?;
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            Some((status, body))
        }
    };
    let (status, first) = lodge(client.clone()).await.expect("answer");
    assert_eq!(status, 201, "{first}");
    // Lodgements racing the signal: whatever was answered 201 must survive.
    let racing: Vec<_> = (0..20)
        .map(|_| tokio::spawn(lodge(client.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    sigterm(&child);
    let mut acknowledged = vec![first["id"].as_str().unwrap().to_owned()];
    for r in racing {
        match r.await.unwrap() {
            Some((201, body)) => acknowledged.push(body["id"].as_str().unwrap().to_owned()),
            Some((503, body)) => assert_eq!(body["errors"][0]["code"], "shutting_down"),
            Some((other, body)) => panic!("unexpected {other}: {body}"),
            None => {} // not accepted: the listener had closed
        }
    }
    let status = exit_of(child).await;
    assert!(status.success(), "exit status {status:?}");
    eprintln!(
        "{} lodgements acknowledged around the signal",
        acknowledged.len()
    );

    // After a restart every acknowledged declaration is there.
    let (child, base) = serve(&database).await;
    for id in &acknowledged {
        let r = client
            .get(format!("{base}/api/v1/declarations/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "declaration {id} lost");
    }
    sigterm(&child);
    assert!(exit_of(child).await.success());
    // And the log is whole.
    let out = tamga()
        .args(["audit", "verify", "--database", &database])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_revoked_or_users_removed_by_the_cli_stop_working_in_a_running_server() {
    let tmp = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", tmp.path().join("t.db").display());
    let revoked = add_user(&database, "revoked");
    let removed = add_user(&database, "removed");
    let kept = add_user(&database, "kept");
    let (child, base) = serve(&database).await;
    let client = reqwest::Client::new();
    let me = |token: String| {
        let (client, url) = (client.clone(), format!("{base}/api/v1/me"));
        async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for t in [&revoked, &removed, &kept] {
        assert_eq!(me(t.clone()).await, 200);
    }
    for (cmd, name) in [("revoke", "revoked"), ("remove", "removed")] {
        let out = tamga()
            .args(["user", cmd, "--name", name, "--database", &database])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let unknown = tamga()
        .args([
            "user",
            "remove",
            "--name",
            "nobody",
            "--database",
            &database,
        ])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    // The server believes what it looked up for at most two seconds.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(me(revoked).await, 401);
    assert_eq!(me(removed).await, 401);
    assert_eq!(me(kept).await, 200);
    sigterm(&child);
    assert!(exit_of(child).await.success());
}
