//! Who is calling: bearer tokens → users → roles. Every `/api/v1` call except the OpenAPI
//! document goes through [`Caller`].
//!
//! Tokens are 256 random bits shown once at creation and stored only as SHA-256 hashes.
//! A slow hash (argon2) buys nothing for tokens of that entropy and would cost
//! milliseconds per call; passwords (console sign-in) are a different matter.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

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

/// Users by token hash, filled on first use. Users are never deleted or re-roled yet, so
/// nothing needs evicting; when they are, the change must clear this cache.
#[derive(Default)]
pub struct CallerCache {
    by_hash: RwLock<HashMap<String, Arc<Caller>>>,
}

impl CallerCache {
    pub fn clear(&self) {
        self.by_hash
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

pub async fn authenticate(state: &AppState, token: &str) -> Result<Arc<Caller>, ApiError> {
    let hash = token_hash(token);
    if let Some(c) = state
        .callers
        .by_hash
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&hash)
    {
        return Ok(c.clone());
    }
    let row = tamga_store::users::by_token_hash(state.store.db(), &hash)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let caller = Arc::new(Caller {
        role: Role::parse(&row.role)
            .ok_or_else(|| ApiError::Internal(format!("user {} has unknown role", row.id)))?,
        id: row.id,
        name: row.name,
        party: row.party,
        office: row.office,
    });
    state
        .callers
        .by_hash
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(hash, caller.clone());
    Ok(caller)
}

impl FromRequestParts<AppState> for Arc<Caller> {
    type Rejection = ApiError;

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
        authenticate(state, token).await
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

    #[test]
    fn two_tokens_differ() {
        assert_ne!(new_token().0, new_token().0);
    }
}
