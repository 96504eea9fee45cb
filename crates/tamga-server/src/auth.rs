//! Who is calling: bearer tokens → users → roles. Every `/api/v1` call except the OpenAPI
//! document goes through [`Caller`].
//!
//! Tokens are 256 random bits shown once at creation and stored only as SHA-256 hashes.
//! A slow hash (argon2) buys nothing for tokens of that entropy and would cost
//! milliseconds per call; passwords (console sign-in) are a different matter.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;
use crate::throttle::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Declarant or customs broker, bound to its party.
    Trader,
    /// Customs officer, bound to an office.
    Officer,
    /// Risk analyst: writes risk profiles.
    Analyst,
    /// Auditor: reads everything, verifies the log.
    Auditor,
    /// Administrator: manages users. Has no power over risk decisions.
    Admin,
    /// A bank that notifies payments of duties and taxes.
    Bank,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Trader,
        Role::Officer,
        Role::Analyst,
        Role::Auditor,
        Role::Admin,
        Role::Bank,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Trader => "trader",
            Role::Officer => "officer",
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::Bank => "bank",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The authenticated user of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Caller {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub party: Option<String>,
    pub office: Option<String>,
}

impl Caller {
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this call needs the role {}",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )))
        }
    }
}

/// A new random API token (shown once) and the hash that is stored.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = format!("tmg_{}", hex::encode(bytes));
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// How long a looked-up user is believed without asking the database again: the bound on
/// "a revoked or removed token stops working at once" when another process (the CLI)
/// changes the users table. Changes made in this process evict at once.
pub const CALLER_TTL: Duration = Duration::from_secs(2);
/// Most users held per map; past it, stale entries go and then, if need be, all.
pub const CALLER_CACHE_CAP: usize = 10_000;

type Cached = (Arc<Caller>, Instant);

/// Users by token hash and by id, each believed for [`CALLER_TTL`].
#[derive(Default)]
pub struct CallerCache {
    by_hash: RwLock<HashMap<String, Cached>>,
    by_id: RwLock<HashMap<String, Cached>>,
}

fn fresh(map: &RwLock<HashMap<String, Cached>>, key: &str, now: Instant) -> Option<Arc<Caller>> {
    map.read()
        .unwrap_or_else(|e| e.into_inner())
        .get(key)
        .filter(|(_, at)| now.duration_since(*at) < CALLER_TTL)
        .map(|(c, _)| c.clone())
}

fn remember(map: &RwLock<HashMap<String, Cached>>, key: String, caller: Arc<Caller>, now: Instant) {
    let mut m = map.write().unwrap_or_else(|e| e.into_inner());
    if m.len() >= CALLER_CACHE_CAP && !m.contains_key(&key) {
        m.retain(|_, (_, at)| now.duration_since(*at) < CALLER_TTL);
        if m.len() >= CALLER_CACHE_CAP {
            m.clear();
        }
    }
    m.insert(key, (caller, now));
}

impl CallerCache {
    pub fn clear(&self) {
        for map in [&self.by_hash, &self.by_id] {
            map.write().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }

    /// Forgets one user (its token rotated or revoked, the user removed).
    pub fn forget_user(&self, user_id: &str) {
        self.by_hash
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (c, _)| c.id != user_id);
        self.by_id
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(user_id);
    }

    /// Entries held (both maps).
    pub fn len(&self) -> usize {
        self.by_hash.read().unwrap_or_else(|e| e.into_inner()).len()
            + self.by_id.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn caller_of(row: tamga_store::UserRow) -> Result<Arc<Caller>, ApiError> {
    Ok(Arc::new(Caller {
        role: Role::parse(&row.role)
            .ok_or_else(|| ApiError::Internal(format!("user {} has unknown role", row.id)))?,
        id: row.id,
        name: row.name,
        party: row.party,
        office: row.office,
    }))
}

/// The user whose token hashes to `hash`, if any (cached for [`CALLER_TTL`]).
pub async fn caller_by_hash(state: &AppState, hash: &str) -> Result<Option<Arc<Caller>>, ApiError> {
    let now = Instant::now();
    if let Some(c) = fresh(&state.callers.by_hash, hash, now) {
        return Ok(Some(c));
    }
    let Some(row) = tamga_store::users::by_token_hash(state.store.db(), hash).await? else {
        return Ok(None);
    };
    let caller = caller_of(row)?;
    remember(&state.callers.by_hash, hash.to_owned(), caller.clone(), now);
    Ok(Some(caller))
}

/// The user with this id, if it still exists (cached for [`CALLER_TTL`]).
pub async fn caller_by_id(state: &AppState, id: &str) -> Result<Option<Arc<Caller>>, ApiError> {
    let now = Instant::now();
    if let Some(c) = fresh(&state.callers.by_id, id, now) {
        return Ok(Some(c));
    }
    let Some(row) = tamga_store::users::by_id(state.store.db(), id).await? else {
        return Ok(None);
    };
    let caller = caller_of(row)?;
    remember(&state.callers.by_id, id.to_owned(), caller.clone(), now);
    Ok(Some(caller))
}

pub async fn authenticate(state: &AppState, token: &str) -> Result<Arc<Caller>, ApiError> {
    caller_by_hash(state, &token_hash(token))
        .await?
        .ok_or(ApiError::Unauthenticated)
}

impl FromRequestParts<AppState> for Arc<Caller> {
    type Rejection = ApiError;

    /// A bearer token, refused (429) while the client's address is locked out; a token
    /// that is sent but wrong counts against the address ([`crate::throttle`]). No header at
    /// all is a plain 401 and counts for nothing.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthenticated)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthenticated)?;
        let client = parts
            .extensions
            .get::<crate::edge::Edge>()
            .and_then(|e| e.client);
        let keys: Vec<Key> = client.map(Key::address).into_iter().collect();
        if let Some(wait) = state.throttle.locked(&keys, Instant::now()) {
            return Err(ApiError::TooManyAttempts(wait));
        }
        match authenticate(state, token).await {
            Err(ApiError::Unauthenticated) => {
                let address = client.map(|c| c.to_string()).unwrap_or_default();
                crate::throttle::record_failure(
                    state,
                    "auth.token_refused",
                    &address,
                    &keys,
                    serde_json::json!({"address": address}),
                )
                .await;
                Err(ApiError::Unauthenticated)
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_never_its_own_hash() {
        let (token, hash) = new_token();
        assert_ne!(token, hash);
        assert_eq!(token_hash(&token), hash);
        assert_eq!(hash.len(), 64);
    }

    fn caller(id: &str) -> Arc<Caller> {
        Arc::new(Caller {
            id: id.into(),
            name: id.into(),
            role: Role::Trader,
            party: None,
            office: None,
        })
    }

    #[test]
    fn a_cached_caller_is_believed_only_for_the_ttl() {
        let cache = CallerCache::default();
        let now = Instant::now();
        remember(&cache.by_hash, "h".into(), caller("u1"), now);
        assert!(fresh(&cache.by_hash, "h", now + CALLER_TTL / 2).is_some());
        assert!(fresh(&cache.by_hash, "h", now + CALLER_TTL).is_none());
    }

    #[test]
    fn the_caller_cache_never_holds_more_than_its_cap() {
        let cache = CallerCache::default();
        let now = Instant::now();
        for i in 0..CALLER_CACHE_CAP + 10 {
            remember(
                &cache.by_hash,
                format!("h{i}"),
                caller(&format!("u{i}")),
                now,
            );
            assert!(cache.len() <= CALLER_CACHE_CAP);
        }
    }

    #[test]
    fn forgetting_a_user_evicts_it_from_both_maps() {
        let cache = CallerCache::default();
        let now = Instant::now();
        remember(&cache.by_hash, "h1".into(), caller("u1"), now);
        remember(&cache.by_id, "u1".into(), caller("u1"), now);
        remember(&cache.by_hash, "h2".into(), caller("u2"), now);
        cache.forget_user("u1");
        assert!(fresh(&cache.by_hash, "h1", now).is_none());
        assert!(fresh(&cache.by_id, "u1", now).is_none());
        assert!(fresh(&cache.by_hash, "h2", now).is_some());
    }

    #[test]
    fn two_tokens_differ() {
        assert_ne!(new_token().0, new_token().0);
    }
}
