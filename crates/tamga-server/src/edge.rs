//! What the server learns at its edge, before any handler: who the client is, whether it
//! came over TLS, and whether the server is stopping.
//!
//! The server speaks plain HTTP; TLS ends at a reverse proxy. A proxy's word
//! (`X-Forwarded-Proto`, `X-Forwarded-For`, `Forwarded`) is taken only when the peer is one
//! of the configured trusted proxies (`--trusted-proxy`, `TAMGA_TRUSTED_PROXIES`); from
//! anyone else these headers are ignored, so a client cannot pick the address it is
//! throttled under or claim TLS. Over TLS every answer carries
//! `Strict-Transport-Security` and console cookies are `Secure`.
//!
//! While the server drains (SIGTERM or Ctrl-C received) every new request is answered 503
//! `shutting_down` with `Connection: close`; requests already inside finish.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Set on every request by [`layer`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Edge {
    /// The TCP peer, when known (unknown when the app is driven in-process).
    pub peer: Option<IpAddr>,
    /// The client: the peer, or what a trusted proxy says the client is.
    pub client: Option<IpAddr>,
    /// The client reached us over TLS (a trusted proxy says so).
    pub https: bool,
}

/// The decision: trust the proxy headers only from a trusted peer.
pub fn decide(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Edge {
    let mut edge = Edge {
        peer,
        client: peer,
        https: false,
    };
    let Some(peer) = peer else {
        return edge;
    };
    if !is_trusted(peer, trusted) {
        return edge;
    }
    let forwarded = forwarded_elements(headers);
    // The proxy nearest to us speaks last: its value is the one that counts.
    edge.https = match last_value(headers, "x-forwarded-proto") {
        Some(p) => p.eq_ignore_ascii_case("https"),
        None => forwarded
            .iter()
            .rev()
            .find_map(|e| e.proto.as_deref())
            .is_some_and(|p| p.eq_ignore_ascii_case("https")),
    };
    // Walk the chain from our side; the first hop that is not a trusted proxy is the client.
    let chain: Vec<IpAddr> = match headers.contains_key("x-forwarded-for") {
        true => headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| parse_node(s.trim()))
            .collect(),
        false => forwarded.iter().filter_map(|e| e.r#for).collect(),
    };
    if let Some(client) = chain.iter().rev().find(|ip| !is_trusted(**ip, trusted)) {
        edge.client = Some(*client);
    } else if let Some(first) = chain.first() {
        edge.client = Some(*first);
    }
    edge
}

fn is_trusted(ip: IpAddr, trusted: &[IpAddr]) -> bool {
    let ip = canonical(ip);
    trusted.iter().any(|t| canonical(*t) == ip)
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

fn last_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut values: Vec<String> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    values.pop()
}

#[derive(Debug, Default)]
struct Element {
    proto: Option<String>,
    r#for: Option<IpAddr>,
}

/// RFC 7239 `Forwarded` elements, in order.
fn forwarded_elements(headers: &HeaderMap) -> Vec<Element> {
    headers
        .get_all(header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|element| {
            let mut e = Element::default();
            for pair in element.split(';') {
                let Some((k, v)) = pair.split_once('=') else {
                    continue;
                };
                let v = v.trim().trim_matches('"');
                match k.trim().to_ascii_lowercase().as_str() {
                    "proto" => e.proto = Some(v.to_owned()),
                    "for" => e.r#for = parse_node(v),
                    _ => {}
                }
            }
            e
        })
        .collect()
}

/// `203.0.113.9`, `203.0.113.9:443`, `[2001:db8::1]:443` or `2001:db8::1`.
fn parse_node(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    s.strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

/// The middleware: decides [`Edge`], refuses new work while draining, adds HSTS over TLS.
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if state.draining.load(Ordering::Relaxed) {
        let mut resp = ApiError::ShuttingDown.into_response();
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return resp;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let edge = decide(peer, req.headers(), &state.config.trusted_proxies);
    req.extensions_mut().insert(edge);
    let mut resp = next.run(req).await;
    if edge.https {
        resp.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    const PROXY: &str = "10.0.0.2";

    #[test]
    fn an_untrusted_peer_cannot_claim_tls_or_another_address() {
        let h = headers(&[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=198.51.100.1;proto=https"),
        ]);
        let e = decide(Some(ip("192.0.2.50")), &h, &[ip(PROXY)]);
        assert!(!e.https);
        assert_eq!(e.client, Some(ip("192.0.2.50")));
    }

    #[test]
    fn a_trusted_proxy_says_tls_and_names_the_client() {
        let h = headers(&[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        let e = decide(Some(ip(PROXY)), &h, &[ip(PROXY)]);
        assert!(e.https);
        assert_eq!(e.client, Some(ip("203.0.113.9")));
        assert_eq!(e.peer, Some(ip(PROXY)));
    }

    #[test]
    fn a_trusted_proxy_saying_http_is_not_tls() {
        let h = headers(&[("x-forwarded-proto", "http")]);
        let e = decide(Some(ip(PROXY)), &h, &[ip(PROXY)]);
        assert!(!e.https);
        assert_eq!(e.client, Some(ip(PROXY)));
    }

    #[test]
    fn a_client_cannot_prepend_a_forged_address_through_the_proxy() {
        // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real peer.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9")]);
        let e = decide(Some(ip(PROXY)), &h, &[ip(PROXY)]);
        assert_eq!(e.client, Some(ip("203.0.113.9")));
    }

    #[test]
    fn chained_trusted_proxies_are_skipped() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 10.0.0.3")]);
        let e = decide(Some(ip(PROXY)), &h, &[ip(PROXY), ip("10.0.0.3")]);
        assert_eq!(e.client, Some(ip("203.0.113.9")));
    }

    #[test]
    fn the_standard_forwarded_header_is_understood() {
        let h = headers(&[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https;by=x")]);
        let e = decide(Some(ip(PROXY)), &h, &[ip(PROXY)]);
        assert!(e.https);
        assert_eq!(e.client, Some(ip("2001:db8::7")));
    }

    #[test]
    fn no_peer_means_no_address_and_no_tls() {
        let h = headers(&[("x-forwarded-proto", "https")]);
        assert_eq!(decide(None, &h, &[ip(PROXY)]), Edge::default());
    }

    #[test]
    fn an_ipv4_mapped_peer_matches_its_ipv4_proxy() {
        let h = headers(&[("x-forwarded-proto", "https")]);
        assert!(decide(Some(ip("::ffff:10.0.0.2")), &h, &[ip(PROXY)]).https);
    }
}
