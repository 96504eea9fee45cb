//! `tamga audit …`: verify the trail, make a signing key, sign and export checkpoints.
//!
//! The signing key (`--audit-key FILE` or `TAMGA_AUDIT_KEY_FILE`, a 32-byte seed in hex)
//! lives outside the database; verification takes the public key from the command line or
//! `TAMGA_AUDIT_PUBLIC_KEY`, never from the database. See `tamga_store::checkpoint`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use tamga_store::checkpoint::{self, AuditKey, Checkpoint};
use tamga_store::{DatabaseUrl, Db, VerifyReport};

async fn connect(database: &str) -> anyhow::Result<Db> {
    let url = DatabaseUrl::new(database);
    Db::connect(&url)
        .await
        .with_context(|| format!("cannot open the database {url}"))
}

fn read_key(path: &Path) -> anyhow::Result<AuditKey> {
    AuditKey::read_file(path).map_err(anyhow::Error::msg)
}

/// Reads only, unless a signing key is given: then a verify that passes signs a checkpoint
/// of the head (migrating the database first if it predates checkpoints), so each verify
/// extends the trail. Checks, in order: the payments ledger against every balance, the
/// chain, the stored checkpoints and those in `--checkpoints`, and the state rebuilt from
/// the events against the tables. The last line is `ok: N events` or `broken: …`.
pub async fn verify(
    database: &str,
    public_key: Option<&str>,
    held: Option<&Path>,
    audit_key: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let signer = audit_key.map(read_key).transpose()?;
    let key = match (public_key, &signer) {
        (Some(text), _) => Some(
            checkpoint::parse_public_key(text).map_err(|e| anyhow::anyhow!("--public-key: {e}"))?,
        ),
        (None, Some(s)) => Some(s.public()),
        (None, None) => None,
    };
    if let (Some(k), Some(s)) = (&key, &signer) {
        anyhow::ensure!(
            *k == s.public(),
            "the audit key does not match the public key given; its public key is {}",
            s.public_hex()
        );
    }
    let held: Vec<Checkpoint> = match held {
        Some(path) => checkpoint::parse_exported(
            &std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
        None => Vec::new(),
    };
    let db = connect(database).await?;
    let (checked, balances) = tamga_store::ledger::reconcile(&db).await?;
    for m in &balances {
        println!(
            "ledger mismatch: declaration {} stores balance {} but its ledger adds up to {}",
            m.declaration_id, m.stored, m.ledger
        );
    }
    if balances.is_empty() {
        println!("ledger: {checked} balances reconcile");
    }
    // Given the signing key, a log without checkpoints gets its first one (if it passes).
    let report = checkpoint::verify_trail(&db, key.as_ref(), &held, signer.is_none()).await?;
    if signer.is_some() && report.stored_checkpoints == 0 {
        println!("checkpoints: none stored yet; a passing verify signs the first");
    }
    for f in &report.checkpoints {
        println!("checkpoint: event {}: {}", f.seq, f.reason);
    }
    match &key {
        Some(_) if report.checkpoints.is_empty() => println!(
            "checkpoints: {} stored and {} held, all signed by the configured key and matching the log",
            report.stored_checkpoints,
            held.len()
        ),
        None if report.checkpoints.is_empty() => println!(
            "checkpoints: {} stored and {} held match the log (signatures not checked: no --public-key)",
            report.stored_checkpoints,
            held.len()
        ),
        _ => {}
    }
    for (seq, why) in &report.unreadable {
        println!("event {seq}: {why}");
    }
    for m in &report.mismatches {
        println!("state mismatch: {m}");
    }
    if report.mismatches.is_empty() {
        println!(
            "state: {} declarations match what their events say",
            report.declarations
        );
    }
    if let Some((seq, reason)) = report.first_broken() {
        println!("broken: event {seq}: {reason}");
        return Ok(ExitCode::FAILURE);
    }
    let VerifyReport::Ok { events } = report.chain else {
        unreachable!("a broken chain is the first broken event")
    };
    if !balances.is_empty() || !report.mismatches.is_empty() {
        println!(
            "broken: the event chain holds ({events} events) but {} balance(s) do not reconcile and {} field(s) differ from the events",
            balances.len(),
            report.mismatches.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    if let Some(signer) = &signer {
        db.migrate().await?;
        if let Some(c) = checkpoint::sign_head(&db, signer).await? {
            println!("checkpoint: signed event {} ({})", c.seq, c.head_hash);
        }
    }
    println!("ok: {events} events");
    Ok(ExitCode::SUCCESS)
}

/// Writes a new seed to `out` (never over an existing file; owner-only on Unix) and prints
/// the public key alone on the last line.
pub fn keygen(out: &Path) -> anyhow::Result<ExitCode> {
    let key = AuditKey::from_seed(rand::random::<[u8; 32]>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(out)
        .with_context(|| format!("cannot create {} (it must not exist yet)", out.display()))?;
    std::io::Write::write_all(&mut file, format!("{}\n", key.seed_hex()).as_bytes())?;
    file.sync_all()?;
    println!(
        "signing key written to {}; keep it outside the database. Public key:",
        out.display()
    );
    println!("{}", key.public_hex());
    Ok(ExitCode::SUCCESS)
}

/// Signs a checkpoint of the head now.
pub async fn checkpoint(database: &str, audit_key: &Path) -> anyhow::Result<ExitCode> {
    let key = read_key(audit_key)?;
    let db = connect(database).await?;
    db.migrate().await?;
    match checkpoint::sign_head(&db, &key).await? {
        Some(c) => println!(
            "checkpoint: event {} ({}) of {} events signed by {}",
            c.seq, c.head_hash, c.event_count, c.public_key
        ),
        None => println!("checkpoint: the event log is empty; nothing to sign"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The stored checkpoints as JSON lines, oldest first.
pub async fn export(database: &str, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let db = connect(database).await?;
    let mut text = String::new();
    for c in checkpoint::all(&db).await? {
        text.push_str(&serde_json::to_string(&c)?);
        text.push('\n');
    }
    match out {
        Some(path) => std::fs::write(path, &text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
