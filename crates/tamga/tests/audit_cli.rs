//! `tamga audit …` as an auditor runs it: keygen, checkpoint, export, and verify against a
//! public key and checkpoints held outside the database, before and after tampering.

use std::path::Path;
use std::process::{Command, Output};

fn tamga(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tamga"))
        .args(args)
        .env_remove("TAMGA_AUDIT_KEY_FILE")
        .env_remove("TAMGA_AUDIT_PUBLIC_KEY")
        .env_remove("TAMGA_DATABASE_URL")
        .env("RUST_LOG", "error")
        .output()
        .expect("run tamga")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn last_line(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or_default().to_owned()
}

fn add_user(db: &str, name: &str) {
    let o = tamga(&[
        "user",
        "add",
        "--name",
        name,
        "--role",
        "auditor",
        "--database",
        db,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

async fn execute(db: &str, sql: &str) {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(db).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut c)
        .await
        .unwrap();
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[tokio::test]
async fn the_audit_commands_sign_export_and_catch_deleted_events() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", tmp.path().join("tamga.db").display());
    let key = tmp.path().join("audit.key");
    let held = tmp.path().join("checkpoints.jsonl");

    let o = tamga(&["audit", "keygen", "--out", path(&key)]);
    assert!(o.status.success());
    let public = last_line(&o);
    assert_eq!(public.len(), 64, "{}", stdout(&o));
    // The key file is not overwritten.
    assert!(
        !tamga(&["audit", "keygen", "--out", path(&key)])
            .status
            .success()
    );

    for name in ["ann", "bob"] {
        add_user(&db, name);
    }
    // A verify with the key on a log without checkpoints passes and signs the first one;
    // without the key, a configured public key then finds it.
    let o = tamga(&[
        "audit",
        "verify",
        "--database",
        &db,
        "--audit-key",
        path(&key),
    ]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("none stored yet"), "{}", stdout(&o));
    let o = tamga(&[
        "audit",
        "verify",
        "--database",
        &db,
        "--public-key",
        &public,
    ]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("1 stored and 0 held, all signed"),
        "{}",
        stdout(&o)
    );
    add_user(&db, "cyd");
    let o = tamga(&[
        "audit",
        "checkpoint",
        "--database",
        &db,
        "--audit-key",
        path(&key),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = tamga(&["audit", "export", "--database", &db, "--out", path(&held)]);
    assert!(o.status.success());
    let lines = std::fs::read_to_string(&held).unwrap();
    // The first checkpoint (by verify), then this one, oldest first.
    assert_eq!(lines.lines().count(), 2, "{lines}");
    let signed: serde_json::Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    let events = signed["event_count"].as_i64().unwrap();
    assert!(events >= 4, "reference data and three users: {signed}");
    assert_eq!(signed["public_key"], public.as_str());

    let verify = |extra: &[&str]| {
        let mut args = vec!["audit", "verify", "--database", &db];
        args.extend_from_slice(extra);
        tamga(&args)
    };
    let o = verify(&["--public-key", &public, "--checkpoints", path(&held)]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert_eq!(last_line(&o), format!("ok: {events} events"));
    // The contract's plain form still answers the same.
    let o = verify(&[]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert_eq!(last_line(&o), format!("ok: {events} events"));
    // Another public key: the stored checkpoint is not its.
    let other = "11".repeat(32);
    let o = verify(&["--public-key", &other]);
    assert!(!o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("another key") || stdout(&o).contains("--public-key"),
        "{}",
        stdout(&o)
    );
    // A verify with the key signs a fresh checkpoint of the head.
    let o = verify(&["--audit-key", path(&key)]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!("checkpoint: signed event {events}")),
        "{}",
        stdout(&o)
    );

    // Delete the last user's event and every stored checkpoint: the chain that is left
    // holds, but the held file counted more events.
    execute(&db, &format!("DELETE FROM events WHERE seq = {events}")).await;
    execute(&db, "DELETE FROM audit_checkpoints").await;
    let o = verify(&[]);
    assert!(
        o.status.success(),
        "without checkpoints nothing can tell: {}",
        stdout(&o)
    );
    let o = verify(&["--public-key", &public, "--checkpoints", path(&held)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let last = last_line(&o);
    assert!(
        last.starts_with(&format!("broken: event {events}: "))
            && last.contains("deleted from the end"),
        "{last}"
    );
}
