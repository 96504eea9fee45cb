//! Console sessions, cookies and CSRF tokens.
//!
//! A session is a random 256-bit id in an `HttpOnly; SameSite=Lax` cookie (`Secure` when
//! the request came over TLS), stored in the database ([`tamga_store::sessions`]: only the
//! id's hash, with the user, the token it was opened with, its CSRF token and its times),
//! so a restart signs no one out and a sign-out or revocation holds for every server on
//! the database at once. A session ends after 8 hours without use or 7 days after sign-in.
//! On every request the session's user is looked up again (through [`crate::auth`]'s
//! short-lived cache): a user removed, or a token revoked that the session was opened with,
//! ends the session within [`crate::auth::CALLER_TTL`] (at once when the revocation
//! deletes the session's row, as `tamga user revoke|remove` do).
//!
//! No in-process cache of sessions: a console request is a person's click (or the
//! dashboard's refresh every 5 s), and the primary-key read costs far less than the page;
//! without a cache, a session deleted by another process is refused on its next request.
//! What is kept down is writing: the time of last use is written at most once a minute.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use jiff::Timestamp;
use tamga_store::sessions::{self as store_sessions, ConsoleSession, IdHash};

use super::i18n::{self, Tr};
use crate::auth::Caller;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "tamga_session";
pub const LANG_COOKIE: &str = "lang";
/// Double-submit token for the sign-in form, which has no session yet.
pub const LOGIN_CSRF_COOKIE: &str = "tamga_login_csrf";
pub const CSRF_FIELD: &str = "csrf";

/// A signed-in user's session.
#[derive(Clone)]
pub struct Session {
    /// The hash of the session id: what the store knows it by.
    pub id: IdHash,
    pub caller: Arc<Caller>,
    pub csrf: String,
    /// The hash of the API token the session was opened with; `None` for a password.
    pub token_hash: Option<String>,
}

/// 256 random bits, hex.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// Whether a cookie value could be a session id at all (64 hex digits): anything else is
/// refused without asking the database.
fn well_formed(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Opens a session for `caller`, who signed in with a password (`token_hash` `None`) or
/// an API token, which must then stay valid for the session to live. Answers the session
/// id, which goes into the cookie and is never stored.
pub async fn open(
    state: &AppState,
    caller: &Caller,
    token_hash: Option<String>,
) -> Result<String, tamga_store::StoreError> {
    let id = random_token();
    let stored = ConsoleSession::new(
        IdHash::of(&id),
        caller.id.clone(),
        token_hash,
        random_token(),
        Timestamp::now(),
    );
    state.store.apply(stored.open()).await?;
    Ok(id)
}

/// The live session with this id, its use recorded (at most once a minute); `None` when
/// there is none, or it has ended (then it is deleted).
async fn find(state: &AppState, id: &str) -> Option<ConsoleSession> {
    if !well_formed(id) {
        return None;
    }
    let hash = IdHash::of(id);
    let stored = match store_sessions::find(state.store.db(), &hash).await {
        Ok(found) => found?,
        Err(e) => {
            tracing::error!(error = %e, "console: cannot read a session");
            return None;
        }
    };
    let now = Timestamp::now();
    if !stored.is_live(now) {
        close(state, &hash).await;
        return None;
    }
    if stored.needs_touch(now)
        && let Err(e) = state.store.apply(store_sessions::touch(&hash, now)).await
    {
        // The session stands; only its idle clock missed a minute.
        tracing::warn!(error = %e, "console: cannot record a session's use");
    }
    Some(stored)
}

/// Ends a session (sign-out, or found ended). A failure is logged: the cookie is deleted
/// anyway, and an unclosed row ends by itself.
pub async fn close(state: &AppState, id: &IdHash) {
    if let Err(e) = state.store.apply(store_sessions::close(id)).await {
        tracing::error!(error = %e, "console: cannot close a session");
    }
}

/// Compares secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// Whether the browser reached us over TLS: directly, or through a trusted proxy that says
/// so ([`crate::edge`]); the proxy headers of anyone else are ignored.
pub fn over_tls(parts: &Parts) -> bool {
    parts.uri.scheme_str() == Some("https")
        || parts
            .extensions
            .get::<crate::edge::Edge>()
            .is_some_and(|e| e.https)
}

/// The session still stands for a user that exists (and, when opened with a token, for a
/// token that still works); with the user as stored now. A session that no longer does is
/// closed.
async fn still_valid(state: &AppState, s: ConsoleSession) -> Option<Session> {
    let fresh = match &s.token_hash {
        Some(hash) => crate::auth::caller_by_hash(state, hash).await,
        None => crate::auth::caller_by_id(state, &s.user_id).await,
    };
    match fresh {
        Ok(Some(caller)) if caller.id == s.user_id => Some(Session {
            id: s.id_hash,
            caller,
            csrf: s.csrf,
            token_hash: s.token_hash,
        }),
        Ok(_) => {
            close(state, &s.id_hash).await;
            None
        }
        Err(e) => {
            tracing::error!(error = %e, "console: cannot check a session's user");
            None
        }
    }
}

/// A `Set-Cookie` value. `max_age` `Some(0)` deletes the cookie.
pub fn set_cookie(
    name: &str,
    value: &str,
    secure: bool,
    http_only: bool,
    max_age: Option<u64>,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).expect("cookie values are hex or language codes")
}

/// What every console request knows: its language, whether it came over TLS, and the
/// session when signed in. Extracting it never fails.
#[derive(Clone)]
pub struct Ctx {
    pub tr: Tr,
    pub secure: bool,
    /// The client's address (from a trusted proxy's header when behind one), if known.
    pub client: Option<std::net::IpAddr>,
    pub session: Option<Session>,
    /// The request path and query, for the language selector's way back.
    pub here: String,
    /// Sent by htmx; boosted requests still get whole pages.
    pub htmx: bool,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = i18n::negotiate(
            cookie(&parts.headers, LANG_COOKIE).as_deref(),
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        );
        let session = match cookie(&parts.headers, SESSION_COOKIE) {
            Some(id) => match find(state, &id).await {
                Some(s) => still_valid(state, s).await,
                None => None,
            },
            None => None,
        };
        Ok(Ctx {
            tr: Tr::for_code(lang),
            secure: over_tls(parts),
            client: parts
                .extensions
                .get::<crate::edge::Edge>()
                .and_then(|e| e.client),
            session,
            here: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into()),
            htmx: parts.headers.contains_key("hx-request"),
        })
    }
}

impl Ctx {
    pub fn caller(&self) -> Option<&Arc<Caller>> {
        self.session.as_ref().map(|s| &s.caller)
    }

    /// Whether a submitted form carries this session's CSRF token.
    pub fn csrf_ok(&self, form: &[(String, String)]) -> bool {
        let sent = field(form, CSRF_FIELD).unwrap_or("");
        self.session
            .as_ref()
            .is_some_and(|s| same_secret(&s.csrf, sent))
    }
}

/// The first value of a form field.
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_id_is_256_random_bits_and_well_formed() {
        let id = random_token();
        assert_eq!(id.len(), 64);
        assert_ne!(id, random_token());
        assert!(well_formed(&id));
    }

    #[test]
    fn a_cookie_that_cannot_be_a_session_id_is_refused_unread() {
        assert!(!well_formed(""));
        assert!(!well_formed(&"g".repeat(64)));
        assert!(!well_formed(&"a".repeat(63)));
        assert!(!well_formed(&"a".repeat(65)));
    }

    #[test]
    fn secrets_of_different_lengths_or_empty_never_match() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
        assert!(!same_secret("", ""));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; lang=ru; b=2".parse().unwrap());
        assert_eq!(cookie(&h, "lang").as_deref(), Some("ru"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_lax_and_secure_over_tls() {
        let c = set_cookie(SESSION_COOKIE, "x", true, true, None);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        let plain = set_cookie(SESSION_COOKIE, "x", false, true, None);
        assert!(!plain.to_str().unwrap().contains("Secure"));
    }
}
