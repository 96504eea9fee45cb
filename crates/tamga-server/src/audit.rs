//! The server's part in the audit trail: signing checkpoints of the event log
//! periodically while a signing key is configured (see `tamga_store::checkpoint`).

use std::time::Duration;

use tamga_store::checkpoint::{self, AuditKey};

use crate::AppState;

/// Signs a checkpoint of the log's head now, then every `every`, for as long as the
/// runtime runs; a head already signed is not signed again. A failure is logged and
/// retried at the next tick: checkpoints are evidence, not a condition of serving.
pub fn spawn_checkpointer(
    state: &AppState,
    key: AuditKey,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    let store = state.store.clone();
    tracing::info!(public_key = %key.public_hex(), ?every, "signing audit checkpoints");
    tokio::spawn(async move {
        let mut signed: Option<i64> = None;
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match checkpoint::head(store.db()).await {
                Ok(Some((seq, _))) if signed == Some(seq) => continue,
                Ok(None) => continue,
                Ok(Some(_)) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the head of the event log");
                    continue;
                }
            }
            match checkpoint::sign_head(store.db(), &key).await {
                Ok(Some(c)) => {
                    tracing::debug!(seq = c.seq, "audit checkpoint signed");
                    signed = Some(c.seq);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot sign an audit checkpoint"),
            }
        }
    })
}

/// The signing key named by `TAMGA_AUDIT_KEY_FILE`, if set: `Err` when set but unreadable,
/// so that a server meant to sign never runs silently without.
pub fn key_from_env() -> Result<Option<AuditKey>, String> {
    match std::env::var("TAMGA_AUDIT_KEY_FILE") {
        Ok(path) if !path.trim().is_empty() => {
            AuditKey::read_file(std::path::Path::new(path.trim())).map(Some)
        }
        _ => Ok(None),
    }
}

/// How often the server signs: `TAMGA_AUDIT_CHECKPOINT_SECS` (default 60).
pub fn interval_from_env() -> Duration {
    let secs = std::env::var("TAMGA_AUDIT_CHECKPOINT_SECS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(60);
    Duration::from_secs(secs)
}

/// Starts [`spawn_checkpointer`] when `TAMGA_AUDIT_KEY_FILE` names a key (`serve`, `demo`).
pub fn start_from_env(state: &AppState) -> Result<Option<tokio::task::JoinHandle<()>>, String> {
    Ok(key_from_env()?.map(|key| spawn_checkpointer(state, key, interval_from_env())))
}
