//! Console sessions, cookies and CSRF tokens.
//!
//! A session is a random 256-bit id in an `HttpOnly; SameSite=Lax` cookie (`Secure` when
//! the request came over TLS), mapped server-side to the signed-in caller and a per-session
//! CSRF token. Sessions expire after 8 hours without use. On every request the session's
//! user is looked up again (through [`crate::auth`]'s short-lived cache): a user removed,
//! or a token revoked that the session was opened with, ends the session within
//! [`crate::auth::CALLER_TTL`].
//!
//! Why a process-wide static and not a field of `AppState`: `AppState` belongs to the API
//! and the console must not widen it; sessions are therefore held in memory here and are
//! lost when the server restarts (users sign in again). A `sessions` table in the store is
//! the next step, and only this module would change.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};

use super::i18n::{self, Tr};
use crate::auth::Caller;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "tamga_session";
pub const LANG_COOKIE: &str = "lang";
/// Double-submit token for the sign-in form, which has no session yet.
pub const LOGIN_CSRF_COOKIE: &str = "tamga_login_csrf";
pub const CSRF_FIELD: &str = "csrf";

const IDLE: Duration = Duration::from_secs(8 * 60 * 60);

/// A signed-in user's session.
#[derive(Clone)]
pub struct Session {
    pub id: String,
    pub caller: Arc<Caller>,
    pub csrf: String,
    /// The hash of the API token the session was opened with; `None` for a password.
    pub token_hash: Option<String>,
}

struct Entry {
    session: Session,
    expires: Instant,
}

#[derive(Default)]
struct Sessions {
    map: Mutex<HashMap<String, Entry>>,
}

static SESSIONS: LazyLock<Sessions> = LazyLock::new(Sessions::default);

/// 256 random bits, hex.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// Opens a session for `caller` (signed in by password); answers it (its id goes into the
/// cookie).
pub fn open(caller: Arc<Caller>) -> Session {
    open_with(caller, None)
}

/// Opens a session; `token_hash` when the user signed in with an API token, which then
/// must stay valid for the session to live.
pub fn open_with(caller: Arc<Caller>, token_hash: Option<String>) -> Session {
    let session = Session {
        id: random_token(),
        caller,
        csrf: random_token(),
        token_hash,
    };
    let now = Instant::now();
    let mut map = SESSIONS.map.lock().unwrap_or_else(|e| e.into_inner());
    // Sweep expired sessions on each sign-in: cheap, and bounds the map.
    map.retain(|_, e| e.expires > now);
    map.insert(
        session.id.clone(),
        Entry {
            session: session.clone(),
            expires: now + IDLE,
        },
    );
    session
}

/// The live session with this id, its idle timer restarted.
pub fn find(id: &str) -> Option<Session> {
    let now = Instant::now();
    let mut map = SESSIONS.map.lock().unwrap_or_else(|e| e.into_inner());
    match map.get_mut(id) {
        Some(e) if e.expires > now => {
            e.expires = now + IDLE;
            Some(e.session.clone())
        }
        Some(_) => {
            map.remove(id);
            None
        }
        None => None,
    }
}

pub fn close(id: &str) {
    SESSIONS
        .map
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(id);
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
async fn still_valid(state: &AppState, s: Session) -> Option<Session> {
    let fresh = match &s.token_hash {
        Some(hash) => crate::auth::caller_by_hash(state, hash).await,
        None => crate::auth::caller_by_id(state, &s.caller.id).await,
    };
    match fresh {
        Ok(Some(caller)) if caller.id == s.caller.id => Some(Session { caller, ..s }),
        Ok(_) => {
            close(&s.id);
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
        let session = match cookie(&parts.headers, SESSION_COOKIE).and_then(|id| find(&id)) {
            Some(s) => still_valid(state, s).await,
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
    use crate::auth::Role;

    fn caller() -> Arc<Caller> {
        Arc::new(Caller {
            id: "u1".into(),
            name: "trader".into(),
            role: Role::Trader,
            party: Some("01234567890123".into()),
            office: None,
        })
    }

    #[test]
    fn a_session_id_is_256_random_bits() {
        let s = open(caller());
        assert_eq!(s.id.len(), 64);
        assert_ne!(s.id, open(caller()).id);
        assert_ne!(s.id, s.csrf);
    }

    #[test]
    fn a_closed_session_is_gone() {
        let s = open(caller());
        assert!(find(&s.id).is_some());
        close(&s.id);
        assert!(find(&s.id).is_none());
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
