//! The installation's security settings and what each request tells about its sender: the
//! client address (for the login limit) and whether it came over TLS (for HSTS and `Secure`
//! cookies). Forwarded headers are believed only from a proxy the settings name, since anyone
//! can send them.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request};
use laksana_store::password_policy::PasswordPolicy;
use laksana_store::{LoginLimits, SessionPolicy};

/// Settings of the installation (command line or environment), with safe defaults.
#[derive(Clone, Debug, Default)]
pub struct SecuritySettings {
    pub sessions: SessionPolicy,
    pub login: LoginLimits,
    pub passwords: PasswordPolicy,
    /// Reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<IpAddr>,
}

/// Who sent a request, as far as the server can tell; put in the request's extensions by the
/// middleware in `lib.rs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientInfo {
    /// The client's IP address as text, or "tidak-diketahui" when the server was started
    /// without connection info (tests that call the router directly).
    pub address: String,
    /// The request reached us over TLS (directly per the public URL, or at a trusted proxy).
    pub tls: bool,
}

impl ClientInfo {
    pub fn of<B>(req: &Request<B>, settings: &SecuritySettings, public_base_url: &str) -> Self {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        client_info(peer, req.headers(), settings, public_base_url)
    }
}

/// Pure: the peer address, the headers and the settings decide.
pub fn client_info(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    settings: &SecuritySettings,
    public_base_url: &str,
) -> ClientInfo {
    let trusted = peer.is_some_and(|p| settings.trusted_proxies.contains(&p));
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let forwarded_for = trusted
        .then(|| header("x-forwarded-for"))
        .flatten()
        // The proxy appends the address it saw last: the rightmost entry is the one it vouches
        // for; anything left of it came from the client and may be made up.
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    let address = forwarded_for
        .or(peer)
        .map_or_else(|| "tidak-diketahui".to_string(), |ip| ip.to_string());
    let forwarded_tls =
        trusted && header("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let tls = public_base_url.starts_with("https://") || forwarded_tls;
    ClientInfo { address, tls }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_headers_of_an_untrusted_peer_are_ignored() {
        let s = SecuritySettings::default();
        let peer = "203.0.113.9".parse().ok();
        let h = headers(&[
            ("x-forwarded-for", "10.1.1.1"),
            ("x-forwarded-proto", "https"),
        ]);
        let c = client_info(peer, &h, &s, "http://laksana.local");
        assert_eq!(c.address, "203.0.113.9");
        assert!(!c.tls);
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_the_scheme() {
        let s = SecuritySettings {
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..Default::default()
        };
        let peer = "127.0.0.1".parse().ok();
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4, 198.51.100.7"),
            ("x-forwarded-proto", "https"),
        ]);
        let c = client_info(peer, &h, &s, "http://laksana.local");
        assert_eq!(c.address, "198.51.100.7");
        assert!(c.tls);
    }

    #[test]
    fn an_https_public_url_means_tls() {
        let c = client_info(
            None,
            &HeaderMap::new(),
            &SecuritySettings::default(),
            "https://x.go.id",
        );
        assert!(c.tls);
        assert_eq!(c.address, "tidak-diketahui");
    }
}
