//! Where deliveries may go (SSRF protection). A subscription's URL is http(s) without
//! credentials; unless private targets are allowed, a literal address or `localhost` that is not
//! a global unicast address is refused when the subscription is written, and every address a
//! host name resolves to is checked again at delivery time by the HTTP client's resolver
//! ([`GuardedResolver`]), so a name that later resolves to a private address (DNS rebinding)
//! reaches nothing.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Longest accepted URL.
pub const MAX_URL_LEN: usize = 2048;

/// Whether deliveries may go to loopback, private and other non-global addresses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    pub allow_private: bool,
}

impl Policy {
    /// Whether `ip` may be a target.
    pub fn permits(self, ip: IpAddr) -> bool {
        self.allow_private || is_global(ip)
    }

    /// The parsed URL if it may be a subscription's target, or why not. Only what can be told
    /// without resolving a name is checked here.
    pub fn check_url(self, text: &str) -> Result<Url, String> {
        if text.len() > MAX_URL_LEN {
            return Err(format!("must be at most {MAX_URL_LEN} characters"));
        }
        let url = Url::parse(text).map_err(|e| format!("is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("must be an http or https URL".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not contain credentials".into());
        }
        match url.host() {
            None => return Err("must have a host".into()),
            Some(Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip))?,
            Some(Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip))?,
            Some(Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                if !self.allow_private && (name == "localhost" || name.ends_with(".localhost")) {
                    return Err("must not be a loopback address (localhost)".into());
                }
            }
        }
        Ok(url)
    }

    fn check_ip(self, ip: IpAddr) -> Result<(), String> {
        if self.permits(ip) {
            Ok(())
        } else {
            Err(format!(
                "must not target {ip}: loopback, private, link-local and other non-global addresses are refused"
            ))
        }
    }
}

/// Whether `ip` is a global unicast address (not loopback, private, shared, link-local,
/// unique-local, multicast, unspecified, documentation, benchmarking or reserved). An IPv6
/// address that embeds an IPv4 one (mapped, NAT64, 6to4) is judged by that IPv4 address.
pub fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_global_v4(v4),
        IpAddr::V6(v6) => is_global_v6(v6),
    }
}

fn is_global_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                   // "this network", unspecified
        || a == 10                             // private
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || a == 127                            // loopback
        || (a == 169 && b == 254)              // link-local
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 0 && c == 0)      // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)      // documentation
        || (a == 192 && b == 88 && c == 99)    // 6to4 relay anycast
        || (a == 192 && b == 168)              // private
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 198 && b == 51 && c == 100)   // documentation
        || (a == 203 && b == 0 && c == 113)    // documentation
        || a >= 224) // multicast, reserved, broadcast
}

fn is_global_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_global_v4(v4);
    }
    // NAT64 (64:ff9b::/96): the embedded IPv4 address decides.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return is_global_v4(Ipv4Addr::new(a, b, c, d));
    }
    // 6to4 (2002::/16): the IPv4 address in the next 32 bits.
    if s[0] == 0x2002 {
        let [a, b] = s[1].to_be_bytes();
        let [c, d] = s[2].to_be_bytes();
        return is_global_v4(Ipv4Addr::new(a, b, c, d));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || s[0..7] == [0; 7]                   // IPv4-compatible (deprecated) and ::/96
        || (s[0] & 0xfe00) == 0xfc00           // unique local fc00::/7
        || (s[0] & 0xffc0) == 0xfe80           // link-local fe80::/10
        || (s[0] & 0xffc0) == 0xfec0           // site-local (deprecated) fec0::/10
        || (s[0] & 0xff00) == 0xff00           // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8)  // documentation
        || (s[0] == 0x2001 && s[1] < 0x0200)   // IETF protocol assignments (Teredo, ...)
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0])) // discard-only
}

/// The HTTP client's resolver: the system's, with every address the policy refuses dropped; a
/// name with no address left fails to resolve.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub policy: Policy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| policy.permits(a.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(format!(
                    "{host} resolves to no address deliveries may go to (loopback, private and other non-global addresses are refused)"
                )
                .into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn refuses_non_global_addresses() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "198.18.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
            "2001::1",
        ] {
            assert!(!is_global(ip(a)), "{a} should be refused");
        }
    }

    #[test]
    fn accepts_global_addresses() {
        for a in [
            "8.8.8.8",
            "200.45.1.1",
            "172.32.0.1",
            "2800:3f0:4001:810::200e",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_global(ip(a)), "{a} should be accepted");
        }
    }

    #[test]
    fn checks_urls_without_resolving() {
        let strict = Policy::default();
        assert!(strict
            .check_url("https://hooks.example.org/palermo")
            .is_ok());
        assert!(strict.check_url("http://127.0.0.1:9000/").is_err());
        assert!(strict.check_url("http://[::1]/").is_err());
        assert!(strict.check_url("http://localhost:8080/").is_err());
        assert!(strict.check_url("ftp://example.org/").is_err());
        assert!(strict.check_url("https://user:pw@example.org/").is_err());
        assert!(strict.check_url("not a url").is_err());
        let open = Policy {
            allow_private: true,
        };
        assert!(open.check_url("http://127.0.0.1:9000/").is_ok());
        assert!(open.check_url("http://localhost:8080/").is_ok());
    }
}
