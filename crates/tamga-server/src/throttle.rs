//! Failed sign-ins and refused tokens, counted per account and per client address, with
//! lockout and exponential back-off.
//!
//! Rules (each has a unit test of that name below):
//! - after [`Policy::failures`] failures of one key (5) the key is locked out for
//!   [`Policy::first_lockout`] (1 s); every further failure once the lock has lifted locks
//!   it again for twice as long, up to [`Policy::max_lockout`] (15 min);
//! - while a key is locked every attempt is refused before its credentials are looked at, a
//!   correct password included (otherwise guessing would go on at full speed);
//! - a key quiet for [`Policy::window`] (15 min) after its last failure or lock is forgotten;
//!   a successful sign-in forgets its account (never its address);
//! - the table holds at most [`Policy::capacity`] keys (10,000), the least recently touched
//!   evicted first: memory does not grow with the number of attackers;
//! - only the first [`Policy::logged_per_key`] failures of a key (3) and each lockout are
//!   worth an event in the log, and at most [`Policy::log_budget_per_minute`] (120) events a
//!   minute in all, so that failures cannot flood the single writer.
//!
//! The table is in memory: a restart forgets it (lockouts are short by design).

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tamga_store::{Change, NewEvent};

use crate::state::AppState;

/// What failures are counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// A user name as typed (at most 64 characters are kept: no user name is longer).
    Account(String),
    /// A client address; IPv6 by its /64 prefix (one host usually holds the whole /64).
    Address(String),
}

impl Key {
    pub fn account(name: &str) -> Key {
        Key::Account(name.trim().chars().take(64).collect())
    }

    pub fn address(ip: IpAddr) -> Key {
        let ip = match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let s = v6.segments();
                    return Key::Address(format!(
                        "{:x}:{:x}:{:x}:{:x}::/64",
                        s[0], s[1], s[2], s[3]
                    ));
                }
            },
            v4 => v4,
        };
        Key::Address(ip.to_string())
    }

    /// `account` or `address`.
    pub fn kind(&self) -> &'static str {
        match self {
            Key::Account(_) => "account",
            Key::Address(_) => "address",
        }
    }

    pub fn value(&self) -> &str {
        match self {
            Key::Account(v) | Key::Address(v) => v,
        }
    }

    /// The key of `kind` (`account` or `address`) and `value`, as an admin names it.
    pub fn parse(kind: &str, value: &str) -> Option<Key> {
        match kind {
            "account" => Some(Key::account(value)),
            "address" => Some(match value.parse::<IpAddr>() {
                Ok(ip) => Key::address(ip),
                Err(_) => Key::Address(value.trim().to_owned()),
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub failures: u32,
    pub window: Duration,
    pub first_lockout: Duration,
    pub max_lockout: Duration,
    pub capacity: usize,
    pub logged_per_key: u32,
    pub log_budget_per_minute: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            failures: 5,
            window: Duration::from_secs(15 * 60),
            first_lockout: Duration::from_secs(1),
            max_lockout: Duration::from_secs(15 * 60),
            capacity: 10_000,
            logged_per_key: 3,
            log_budget_per_minute: 120,
        }
    }
}

struct Entry {
    failures: u32,
    lockouts: u32,
    last_failure: Instant,
    locked_until: Option<Instant>,
    touched: u64,
}

impl Entry {
    fn locked_at(&self, now: Instant) -> Option<Duration> {
        self.locked_until
            .filter(|u| *u > now)
            .map(|u| u.duration_since(now))
    }
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Key, Entry>,
    /// Touch order: the first is evicted first.
    order: BTreeMap<u64, Key>,
    tick: u64,
    budget_from: Option<Instant>,
    budget_used: u32,
}

impl Inner {
    fn touch(&mut self, key: &Key) {
        self.tick += 1;
        let tick = self.tick;
        if let Some(e) = self.entries.get_mut(key) {
            self.order.remove(&e.touched);
            e.touched = tick;
            self.order.insert(tick, key.clone());
        }
    }

    /// Drops the keys quiet for longer than `window` (neither failing nor locked).
    fn prune(&mut self, now: Instant, window: Duration) {
        let stale: Vec<(u64, Key)> = self
            .entries
            .iter()
            .filter(|(_, e)| {
                let quiet_since = e.locked_until.unwrap_or(e.last_failure).max(e.last_failure);
                now.saturating_duration_since(quiet_since) > window
            })
            .map(|(k, e)| (e.touched, k.clone()))
            .collect();
        for (tick, key) in stale {
            self.order.remove(&tick);
            self.entries.remove(&key);
        }
    }

    fn remove(&mut self, key: &Key) -> bool {
        match self.entries.remove(key) {
            Some(e) => {
                self.order.remove(&e.touched);
                true
            }
            None => false,
        }
    }
}

/// What one failure led to.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Failure {
    /// Worth an event in the log.
    pub log: bool,
    /// Keys this failure locked out, and for how long.
    pub locked: Vec<(Key, Duration)>,
    /// The highest failure count among the keys.
    pub failures: u32,
}

/// A current lockout, as an admin sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockout {
    pub key: Key,
    pub failures: u32,
    pub remaining: Duration,
}

pub struct Throttle {
    policy: Policy,
    inner: Mutex<Inner>,
    /// Entries held; 0 lets the check of every API call skip the lock.
    len: AtomicUsize,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(Policy::default())
    }
}

impl Throttle {
    pub fn new(policy: Policy) -> Self {
        Throttle {
            policy,
            inner: Mutex::new(Inner::default()),
            len: AtomicUsize::new(0),
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn store_len(&self, inner: &Inner) {
        self.len.store(inner.entries.len(), Ordering::Relaxed);
    }

    /// How long the longest lock among `keys` still holds; `None` when none is locked.
    pub fn locked(&self, keys: &[Key], now: Instant) -> Option<Duration> {
        if keys.is_empty() || self.len.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut inner = self.lock();
        let mut longest = None;
        for key in keys {
            let Some(wait) = inner.entries.get(key).and_then(|e| e.locked_at(now)) else {
                continue;
            };
            inner.touch(key);
            longest = longest.max(Some(wait));
        }
        longest
    }

    /// Counts a failure against every key of `keys`.
    pub fn failed(&self, keys: &[Key], now: Instant) -> Failure {
        let p = &self.policy;
        let mut inner = self.lock();
        // Now and then, forget quiet keys, so that the check of every API call goes back to
        // its lock-free path once an attack is over.
        if inner.tick % 256 == 255 {
            inner.prune(now, p.window);
        }
        let mut out = Failure::default();
        let mut wants_log = false;
        for key in keys {
            if !inner.entries.contains_key(key) {
                while inner.entries.len() >= p.capacity.max(1) {
                    let Some((_, oldest)) = inner.order.pop_first() else {
                        break;
                    };
                    inner.entries.remove(&oldest);
                }
                inner.entries.insert(
                    key.clone(),
                    Entry {
                        failures: 0,
                        lockouts: 0,
                        last_failure: now,
                        locked_until: None,
                        touched: 0,
                    },
                );
            }
            inner.touch(key);
            let e = inner.entries.get_mut(key).expect("inserted above");
            let quiet_since = e.locked_until.unwrap_or(e.last_failure).max(e.last_failure);
            if now.saturating_duration_since(quiet_since) > p.window {
                e.failures = 0;
                e.lockouts = 0;
                e.locked_until = None;
            }
            e.failures = e.failures.saturating_add(1);
            e.last_failure = now;
            if e.failures <= p.logged_per_key {
                wants_log = true;
            }
            if e.failures >= p.failures && e.locked_at(now).is_none() {
                let factor = 1u32.checked_shl(e.lockouts.min(31)).unwrap_or(u32::MAX);
                let lock = p
                    .first_lockout
                    .checked_mul(factor)
                    .unwrap_or(p.max_lockout)
                    .min(p.max_lockout);
                e.lockouts = e.lockouts.saturating_add(1);
                e.locked_until = Some(now + lock);
                out.locked.push((key.clone(), lock));
                wants_log = true;
            }
            out.failures = out.failures.max(e.failures);
        }
        if wants_log {
            let fresh = inner
                .budget_from
                .is_some_and(|from| now.saturating_duration_since(from) < Duration::from_secs(60));
            if !fresh {
                inner.budget_from = Some(now);
                inner.budget_used = 0;
            }
            if inner.budget_used < p.log_budget_per_minute {
                inner.budget_used += 1;
                out.log = true;
            } else if inner.budget_used == p.log_budget_per_minute {
                inner.budget_used += 1;
                tracing::warn!("authentication failures beyond the log budget: not logged");
            }
        }
        self.store_len(&inner);
        out
    }

    /// A successful sign-in: the account's failures are forgiven.
    pub fn succeeded(&self, account: &Key) {
        if self.len.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut inner = self.lock();
        inner.remove(account);
        self.store_len(&inner);
    }

    /// Lifts a lockout (an admin's act); answers whether the key was known.
    pub fn unlock(&self, key: &Key) -> bool {
        let mut inner = self.lock();
        let known = inner.remove(key);
        self.store_len(&inner);
        known
    }

    /// Current lockouts, the longest first.
    pub fn lockouts(&self, now: Instant) -> Vec<Lockout> {
        let mut inner = self.lock();
        inner.prune(now, self.policy.window);
        self.store_len(&inner);
        let mut out: Vec<Lockout> = inner
            .entries
            .iter()
            .filter_map(|(key, e)| {
                e.locked_at(now).map(|remaining| Lockout {
                    key: key.clone(),
                    failures: e.failures,
                    remaining,
                })
            })
            .collect();
        out.sort_by(|a, b| b.remaining.cmp(&a.remaining).then(a.key.cmp(&b.key)));
        out
    }

    /// Keys held (for the bound's test and for operators).
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `Retry-After` seconds for a lock: whole seconds, rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let s = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    s.max(1)
}

/// Counts a failure against `keys` and writes what is worth writing to the log: `kind`
/// (`auth.sign_in_failed`, `auth.token_refused`) for the first failures, and
/// `auth.locked_out` for each lockout. `subject` names what was tried (an account name, or
/// the address for a token).
pub async fn record_failure(
    state: &AppState,
    kind: &str,
    subject: &str,
    keys: &[Key],
    detail: serde_json::Value,
) -> Failure {
    let failure = state.throttle.failed(keys, Instant::now());
    tracing::warn!(
        kind,
        subject,
        failures = failure.failures,
        "authentication failed"
    );
    if !failure.log {
        return failure;
    }
    let mut payload = detail;
    payload["failures"] = serde_json::json!(failure.failures);
    let mut change = Change::new().event(NewEvent::new(kind, subject, "anonymous", &payload));
    for (key, lock) in &failure.locked {
        change = change.event(NewEvent::new(
            "auth.locked_out",
            key.value(),
            "system",
            &serde_json::json!({
                "key_kind": key.kind(), "key": key.value(),
                "seconds": retry_after_secs(*lock),
            }),
        ));
    }
    if let Err(e) = state.store.apply(change).await {
        tracing::error!(error = %e, "could not log an authentication failure");
    }
    failure
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(n: &str) -> Key {
        Key::account(n)
    }

    fn fail_n(t: &Throttle, keys: &[Key], n: u32, now: Instant) -> Failure {
        let mut last = Failure::default();
        for _ in 0..n {
            last = t.failed(keys, now);
        }
        last
    }

    #[test]
    fn five_failures_lock_the_key_out() {
        let t = Throttle::default();
        let now = Instant::now();
        let k = [acct("alice")];
        let fourth = fail_n(&t, &k, 4, now);
        assert!(fourth.locked.is_empty());
        assert_eq!(t.locked(&k, now), None);
        let fifth = t.failed(&k, now);
        assert_eq!(fifth.locked, vec![(acct("alice"), Duration::from_secs(1))]);
        assert_eq!(t.locked(&k, now), Some(Duration::from_secs(1)));
        // Another account is not affected.
        assert_eq!(t.locked(&[acct("bob")], now), None);
    }

    #[test]
    fn a_lock_holds_until_it_expires_then_lifts() {
        let t = Throttle::default();
        let now = Instant::now();
        let k = [acct("alice")];
        fail_n(&t, &k, 5, now);
        assert!(t.locked(&k, now + Duration::from_millis(999)).is_some());
        assert_eq!(t.locked(&k, now + Duration::from_secs(1)), None);
    }

    #[test]
    fn a_lockout_doubles_with_each_further_failure_up_to_the_cap() {
        let t = Throttle::default();
        let mut now = Instant::now();
        let k = [acct("alice")];
        fail_n(&t, &k, 4, now);
        let mut seen = Vec::new();
        for _ in 0..14 {
            let f = t.failed(&k, now);
            let (_, lock) = f.locked[0].clone();
            seen.push(lock.as_secs());
            now += lock; // the next failure comes as the lock lifts
        }
        assert_eq!(&seen[..6], &[1, 2, 4, 8, 16, 32]);
        assert_eq!(*seen.last().unwrap(), 15 * 60);
        assert!(seen.iter().all(|s| *s <= 15 * 60));
    }

    #[test]
    fn failures_while_locked_do_not_lengthen_the_lock() {
        let t = Throttle::default();
        let now = Instant::now();
        let k = [acct("alice")];
        fail_n(&t, &k, 5, now);
        let again = t.failed(&k, now + Duration::from_millis(500));
        assert!(again.locked.is_empty());
        assert_eq!(t.locked(&k, now + Duration::from_secs(1)), None);
    }

    #[test]
    fn quiet_for_a_window_forgets_the_failures() {
        let t = Throttle::default();
        let now = Instant::now();
        let k = [acct("alice")];
        fail_n(&t, &k, 4, now);
        let later = now + Duration::from_secs(15 * 60 + 1);
        let f = t.failed(&k, later);
        assert_eq!(f.failures, 1);
        assert!(f.locked.is_empty());
    }

    #[test]
    fn a_success_forgets_the_account_but_not_the_address() {
        let t = Throttle::default();
        let now = Instant::now();
        let addr = Key::address("10.0.0.7".parse().unwrap());
        let k = [acct("alice"), addr.clone()];
        fail_n(&t, &k, 4, now);
        t.succeeded(&acct("alice"));
        let f = t.failed(&k, now);
        // The account starts again from one; the address reaches five and locks.
        assert_eq!(f.locked, vec![(addr, Duration::from_secs(1))]);
        assert_eq!(f.failures, 5);
    }

    #[test]
    fn a_locked_key_refuses_even_with_other_keys_clean() {
        let t = Throttle::default();
        let now = Instant::now();
        let addr = Key::address("10.0.0.7".parse().unwrap());
        fail_n(&t, std::slice::from_ref(&addr), 5, now);
        assert!(t.locked(&[acct("carol"), addr], now).is_some());
    }

    #[test]
    fn the_table_never_holds_more_than_its_capacity_oldest_evicted() {
        let t = Throttle::new(Policy {
            capacity: 100,
            ..Policy::default()
        });
        let now = Instant::now();
        fail_n(&t, &[acct("first")], 5, now);
        for i in 0..1000 {
            t.failed(&[acct(&format!("attacker-{i}"))], now);
            assert!(t.len() <= 100);
        }
        assert_eq!(t.len(), 100);
        assert_eq!(t.locked(&[acct("first")], now), None, "evicted");
        // The most recent keys are the ones kept.
        fail_n(&t, &[acct("attacker-999")], 4, now);
        assert!(t.locked(&[acct("attacker-999")], now).is_some());
    }

    #[test]
    fn touching_a_key_saves_it_from_eviction() {
        let t = Throttle::new(Policy {
            capacity: 3,
            ..Policy::default()
        });
        let now = Instant::now();
        fail_n(&t, &[acct("victim")], 5, now);
        t.failed(&[acct("a")], now);
        t.failed(&[acct("b")], now);
        assert!(t.locked(&[acct("victim")], now).is_some()); // touched: now the newest
        t.failed(&[acct("c")], now);
        assert!(t.locked(&[acct("victim")], now).is_some());
    }

    #[test]
    fn only_the_first_failures_and_each_lockout_are_logged() {
        let t = Throttle::default();
        let now = Instant::now();
        let k = [acct("alice")];
        let logged: Vec<bool> = (0..5).map(|_| t.failed(&k, now).log).collect();
        assert_eq!(logged, vec![true, true, true, false, true]);
        // While locked: nothing more.
        assert!(!t.failed(&k, now).log);
        // The next lockout is logged again.
        assert!(t.failed(&k, now + Duration::from_secs(1)).log);
    }

    #[test]
    fn logging_has_a_global_budget_per_minute() {
        let t = Throttle::default();
        let now = Instant::now();
        let logged = (0..500)
            .filter(|i| t.failed(&[acct(&format!("u{i}"))], now).log)
            .count();
        assert_eq!(logged, 120);
        assert!(
            t.failed(&[acct("fresh")], now + Duration::from_secs(61))
                .log
        );
    }

    #[test]
    fn ipv6_addresses_are_counted_by_their_64_prefix() {
        let a = Key::address("2001:db8:1:2::1".parse().unwrap());
        let b = Key::address("2001:db8:1:2:ffff::9".parse().unwrap());
        let c = Key::address("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            Key::address("::ffff:10.0.0.1".parse().unwrap()),
            Key::address("10.0.0.1".parse().unwrap())
        );
    }

    #[test]
    fn quiet_keys_are_dropped_from_the_table() {
        let t = Throttle::default();
        let now = Instant::now();
        fail_n(&t, &[acct("alice")], 5, now);
        t.failed(&[acct("bob")], now);
        assert_eq!(t.len(), 2);
        let later = now + Duration::from_secs(15 * 60 + 2);
        assert!(t.lockouts(later).is_empty());
        assert!(t.is_empty(), "both forgotten");
    }

    #[test]
    fn unlock_lifts_a_lockout() {
        let t = Throttle::default();
        let now = Instant::now();
        fail_n(&t, &[acct("alice")], 5, now);
        assert_eq!(t.lockouts(now).len(), 1);
        assert!(t.unlock(&Key::parse("account", "alice").unwrap()));
        assert!(t.lockouts(now).is_empty());
        assert_eq!(t.locked(&[acct("alice")], now), None);
        assert!(!t.unlock(&acct("alice")));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(4)), 4);
    }
}
