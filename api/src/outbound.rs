//! Where the service may send requests on a caller's say-so: webhook deliveries and OCDS package
//! fetches. The caller chooses the URL, so without a check it could make the service reach into
//! its own network (a cloud metadata endpoint, an internal admin page). By default a URL must be
//! https to a public address: checked when the URL is given (an address written as an IP literal
//! or `localhost`), on every redirect, and on every connection (what a name resolves to, so DNS
//! cannot point a public name at a private address later). `ALLOW_PRIVATE_URLS` lifts these
//! rules, for development and tests on loopback.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a URL may not receive deliveries, phrased for the subscriber.
pub fn refusal(url: &str, allow_private: bool) -> Option<String> {
    let Ok(url) = Url::parse(url.trim()) else {
        return Some("must be an absolute https URL".to_owned());
    };
    if !matches!(url.scheme(), "https" | "http") {
        return Some("must be an https URL".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Some("must not carry credentials; authenticate deliveries by their signature".to_owned());
    }
    if allow_private {
        return None;
    }
    if url.scheme() != "https" {
        return Some("must be https (plain http is allowed only with ALLOW_PRIVATE_URLS)".to_owned());
    }
    let host = url.host_str().unwrap_or_default();
    let private_host = match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(ip) => !is_public(ip),
        Err(_) => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            name.is_empty() || name == "localhost" || name.ends_with(".localhost")
        }
    };
    private_host.then(|| "must be a public address (loopback, private and link-local addresses are refused)".to_owned())
}

/// Whether the service may connect to `ip` when private URLs are not allowed.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(ip),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let shared_address_space = a == 100 && (64..128).contains(&b);
    let benchmarking = a == 198 && (b == 18 || b == 19);
    let protocol_assignments = a == 192 && b == 0 && c == 0;
    let reserved = a >= 240;
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || shared_address_space
        || benchmarking
        || protocol_assignments
        || reserved
        || a == 0)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let octets = ip.octets();
    let first = segments[0];
    let unique_local = (first & 0xfe00) == 0xfc00;
    let link_local = (first & 0xffc0) == 0xfe80;
    let site_local = (first & 0xffc0) == 0xfec0;
    // Addresses that carry an IPv4 address reach it: judge that address instead.
    let embedded_v4 = |at: usize| Ipv4Addr::new(octets[at], octets[at + 1], octets[at + 2], octets[at + 3]);
    let nat64 = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || segments[..2] == [0x64, 0xff9b];
    let six_to_four = first == 0x2002;
    let ipv4_compatible = segments[..6] == [0, 0, 0, 0, 0, 0];
    if nat64 || ipv4_compatible {
        return is_public_v4(embedded_v4(12));
    }
    if six_to_four {
        return is_public_v4(embedded_v4(2));
    }
    !(ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() || unique_local || link_local || site_local)
}

/// A client builder that keeps to the rules: names resolved to public addresses only, and each
/// redirect (if `max_redirects` > 0) checked like the first URL.
pub fn client_builder(allow_private: bool, max_redirects: usize) -> reqwest::ClientBuilder {
    let redirects = if max_redirects == 0 {
        reqwest::redirect::Policy::none()
    } else {
        reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                attempt.error(format!("more than {max_redirects} redirects"))
            } else if let Some(reason) = refusal(attempt.url().as_str(), allow_private) {
                attempt.error(format!("redirected to a URL that {reason}"))
            } else {
                attempt.follow()
            }
        })
    };
    let builder = reqwest::Client::builder().redirect(redirects);
    if allow_private {
        builder
    } else {
        // No proxy from the environment: a proxy resolves the name itself, past our resolver.
        builder.no_proxy().dns_resolver(std::sync::Arc::new(PublicOnlyResolver))
    }
}

/// Resolves names as the system does, then drops private addresses: a name that resolves only
/// to private addresses fails to connect with a clear error.
pub struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = addrs.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_https_urls_are_accepted() {
        assert_eq!(refusal("https://hooks.example-force.police.uk/bluelight", false), None);
        assert_eq!(refusal("https://203.0.114.7/hook", false), None);
        assert_eq!(refusal("https://[2a00:1450:4009:81f::200e]/hook", false), None);
        assert_eq!(
            refusal("https://[64:ff9b::cb00:7207]/hook", false),
            None,
            "NAT64 of a public address"
        );
    }

    #[test]
    fn private_and_plain_urls_are_refused_unless_allowed() {
        for url in [
            "http://hooks.example.org/",
            "https://localhost/hook",
            "https://127.0.0.1:8080/hook",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:192.168.1.1]/",
            "https://100.64.0.1/",
            "https://198.18.0.1/",
            "https://240.0.0.1/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://[2002:a00:1::]/",
            "https://[::10.0.0.1]/",
            "https://[fec0::1]/",
        ] {
            assert!(refusal(url, false).is_some(), "{url} should be refused");
            assert_eq!(refusal(url, true), None, "{url} should be allowed for development");
        }
    }

    #[test]
    fn other_schemes_and_credentials_are_always_refused() {
        assert!(refusal("ftp://example.org/", true).is_some());
        assert!(refusal("not a url", true).is_some());
        assert!(refusal("https://user:pass@example.org/", true).is_some());
    }
}
