//! Creating, revoking and removing users: the CLI's `tamga user add|revoke|remove`, the demo
//! and the tests all come here.

use argon2::{PasswordHash, PasswordHasher, PasswordVerifier};
use tamga_store::UserRow;
use tamga_types::{FieldErrors, PartyId};

use crate::auth::{Role, new_token};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: String,
    pub role: String,
    pub party: Option<String>,
    pub office: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Store(#[from] tamga_store::StoreError),
}

/// A created user and its API token, shown this once.
#[derive(Debug, Clone)]
pub struct CreatedUser {
    pub id: String,
    pub token: String,
}

pub async fn create_user(
    state: &AppState,
    new: NewUser,
    actor: &str,
) -> Result<CreatedUser, UserError> {
    let mut problems = FieldErrors::default();
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.len() > 64 {
        problems.push("name", "bad_format", "a user name is 1 to 64 characters");
    }
    let role = Role::parse(&new.role);
    if role.is_none() {
        problems.push(
            "role",
            "unknown_role",
            "role is one of trader, officer, analyst, auditor, admin, bank",
        );
    }
    match (&role, &new.party) {
        (Some(Role::Trader), None) => problems.push(
            "party",
            "missing",
            "a trader is bound to its party (tax id)",
        ),
        (_, Some(p)) if PartyId::parse(p).is_none() => problems.push(
            "party",
            "bad_format",
            "a party is its tax id: 9 to 14 digits",
        ),
        _ => {}
    }
    match (&role, &new.office) {
        (Some(Role::Officer), None) => {
            problems.push("office", "missing", "an officer is bound to an office")
        }
        (_, Some(o)) if state.reference.office(o).is_none() => {
            problems.push("office", "unknown_office", format!("no customs office {o}"))
        }
        _ => {}
    }
    if let Some(p) = &new.password
        && p.chars().count() < 8
    {
        problems.push(
            "password",
            "too_short",
            "a console password has at least 8 characters",
        );
    }
    if tamga_store::users::by_name(state.store.db(), &name)
        .await?
        .is_some()
    {
        problems.push("name", "taken", format!("a user named {name} exists"));
    }
    if !problems.is_empty() {
        return Err(UserError::Invalid(problems));
    }
    let password_hash = match &new.password {
        Some(p) => Some(hash_password(p).map_err(|e| {
            UserError::Invalid(FieldErrors {
                errors: vec![tamga_types::FieldError::new("password", "bad_password", e)],
            })
        })?),
        None => None,
    };
    let (token, token_hash) = new_token();
    let row = UserRow {
        id: uuid::Uuid::now_v7().to_string(),
        name,
        role: new.role,
        party: new.party,
        office: new.office,
        token_hash,
        password_hash,
        created_at: tamga_store::now_text(),
    };
    state.store.apply(row.insert(actor)).await?;
    Ok(CreatedUser { id: row.id, token })
}

/// Argon2id with a random salt, PHC string format.
pub fn hash_password(password: &str) -> Result<String, String> {
    let hash: PasswordHash = argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(hash.to_string())
}

/// Checks a console password against its stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Gives an existing user a new API token (shown this once) and retires the old one.
pub async fn rotate_token(
    state: &AppState,
    user_id: &str,
    actor: &str,
) -> Result<String, UserError> {
    let (token, token_hash) = new_token();
    state
        .store
        .apply(
            tamga_store::users::rotate_token(user_id, &token_hash, actor)
                .stmt(tamga_store::sessions::end_token_sessions_of_user(user_id)),
        )
        .await?;
    state.callers.forget_user(user_id);
    Ok(token)
}

/// Revokes a user's API token (no new one is issued): it stops working at once in this
/// process, and within [`crate::auth::CALLER_TTL`] in servers running elsewhere. The
/// console sessions opened with a token end in the same change, at once everywhere; those
/// opened with the console password stay, as the password does (`user remove` ends all).
pub async fn revoke_token(state: &AppState, user_id: &str, actor: &str) -> Result<(), UserError> {
    let bytes: [u8; 32] = rand::random();
    let unusable = format!("revoked:{}", hex::encode(bytes));
    state
        .store
        .apply(
            tamga_store::users::revoke_token(user_id, &unusable, actor)
                .stmt(tamga_store::sessions::end_token_sessions_of_user(user_id)),
        )
        .await?;
    state.callers.forget_user(user_id);
    Ok(())
}

/// Removes a user: its token stops working at once in this process, and within
/// [`crate::auth::CALLER_TTL`] in servers running elsewhere; its console sessions are
/// deleted in the same change, so they end at once everywhere.
pub async fn remove_user(state: &AppState, user_id: &str, actor: &str) -> Result<(), UserError> {
    let row = tamga_store::users::by_id(state.store.db(), user_id)
        .await?
        .ok_or_else(|| {
            UserError::Invalid(FieldErrors {
                errors: vec![tamga_types::FieldError::new(
                    "name",
                    "not_found",
                    format!("no user {user_id}"),
                )],
            })
        })?;
    state
        .store
        .apply(
            tamga_store::users::remove(&row.id, &row.name, actor)
                .stmt(tamga_store::sessions::end_all_of_user(&row.id)),
        )
        .await?;
    state.callers.forget_user(user_id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
    }
}
