//! Which HTTP proxy a request goes through: an explicit one, none, or the
//! environment's (`https_proxy`, `http_proxy`, `all_proxy`, upper case too,
//! with `no_proxy`), as curl reads them. Loopback targets never go through
//! an environment proxy (the proxy could not reach our loopback).
//!
//! Plain `http` URLs are sent to the proxy in absolute form; `https` ones
//! through a `CONNECT` tunnel, so TLS (and the certificate check) is still
//! end to end. Only `http://` proxies are supported.

use std::net::IpAddr;

use url::Url;

/// Where a step's proxy comes from.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum ProxySetting {
    /// The environment variables (default).
    #[default]
    FromEnv,
    /// No proxy, whatever the environment says (`proxy = "none"`).
    Direct,
    /// This proxy (`proxy = "http://proxy.corp.example:3128"`).
    Explicit(Url),
}

/// Parses a proxy address: `http://[user:pass@]host[:port]`, or bare
/// `host:port` (taken as http). Other schemes are refused with a reason.
pub fn parse_proxy(text: &str) -> Result<Url, String> {
    let raw = text.trim();
    // Messages never repeat a password.
    let text = &mask_credentials(raw);
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("http://{raw}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| format!("`{text}` is not a proxy URL: {e}"))?;
    match url.scheme() {
        "http" => {}
        "https" => {
            return Err(format!(
                "`{text}`: TLS to the proxy itself is not supported; use its http:// address \
                 (https sites are still tunnelled end to end)"
            ));
        }
        other => {
            return Err(format!(
                "`{text}`: {other} proxies are not supported, only http:// proxies"
            ));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{text}` names no proxy host"));
    }
    Ok(url)
}

/// The proxy for `target`, if any. `env` reads an environment variable.
pub fn choose(
    setting: &ProxySetting,
    target: &Url,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Url>, String> {
    match setting {
        ProxySetting::Direct => Ok(None),
        ProxySetting::Explicit(url) => Ok(Some(url.clone())),
        ProxySetting::FromEnv => {
            let host = target.host_str().unwrap_or_default();
            if is_loopback(host) {
                return Ok(None);
            }
            let get = |name: &str| env(name).filter(|v| !v.trim().is_empty());
            if let Some(list) = get("no_proxy").or_else(|| get("NO_PROXY"))
                && no_proxy_matches(&list, host)
            {
                return Ok(None);
            }
            let names: &[&str] = if target.scheme() == "https" {
                &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
            } else {
                // Upper-case HTTP_PROXY is honoured as most tools do; curl
                // skips it only because of CGI's HTTP_* headers.
                &["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
            };
            for name in names {
                if let Some(value) = get(name) {
                    return parse_proxy(&value)
                        .map(Some)
                        .map_err(|e| format!("proxy from ${name}: {e}"));
                }
            }
            Ok(None)
        }
    }
}

/// Whether `host` is this machine's loopback.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_matches(['[', ']']);
    bare.eq_ignore_ascii_case("localhost")
        || bare.to_ascii_lowercase().ends_with(".localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether a `no_proxy` list (`*`, `corp.example`, `.corp.example`,
/// `10.0.0.0/8`, `host:port`, separated by commas or spaces) covers `host`.
pub fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
    let ip = host.parse::<IpAddr>().ok();
    list.split([',', ' '])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = entry.to_ascii_lowercase();
            if let (Some(ip), Some((net, bits))) = (ip, entry.split_once('/')) {
                return in_network(ip, net, bits);
            }
            // Drop a port (`host:8080`), but not from a bare IPv6 address.
            let entry = match entry.rsplit_once(':') {
                Some((h, p)) if p.parse::<u16>().is_ok() && !h.contains(':') => h.to_string(),
                _ => entry,
            };
            let entry = entry.trim_matches(['[', ']']);
            let domain = entry.trim_start_matches("*.").trim_start_matches('.');
            host == domain || host.ends_with(&format!(".{domain}"))
        })
}

fn in_network(ip: IpAddr, net: &str, bits: &str) -> bool {
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// `Basic` credentials from a URL's user and password (`Proxy-Authorization`
/// for a proxy URL, `Authorization` for a site URL), if it has any.
pub fn basic_auth(url: &Url) -> Option<String> {
    if url.username().is_empty() {
        return None;
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let pair = format!(
        "{}:{}",
        decode(url.username()),
        decode(url.password().unwrap_or(""))
    );
    Some(format!("Basic {}", base64(pair.as_bytes())))
}

/// A URL-ish text with any `user:password@` replaced by `***@`, for messages.
pub fn mask_credentials(text: &str) -> String {
    let start = text.find("://").map_or(0, |i| i + 3);
    let rest = &text[start..];
    let authority = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority].rfind('@') {
        Some(at) => format!("{}***{}", &text[..start], &rest[at..]),
        None => text.to_string(),
    }
}

/// The proxy as shown in reports: no credentials.
pub fn display(proxy: &Url) -> String {
    let host = proxy.host_str().unwrap_or_default();
    match proxy.port_or_known_default() {
        Some(port) => format!("http://{host}:{port}"),
        None => format!("http://{host}"),
    }
}

/// Standard base64 with padding (for one short header value).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn environment_proxies() {
        let env = env_of(&[
            ("HTTPS_PROXY", "proxy.corp.example:3128"),
            ("http_proxy", "http://user:p%40ss@plain.corp.example"),
            (
                "NO_PROXY",
                "intranet.corp.example, .internal,10.0.0.0/8,[fd00::1]",
            ),
        ]);
        let choose = |u: &str| choose(&ProxySetting::FromEnv, &url(u), &env).unwrap();
        assert_eq!(
            choose("https://portal.example/").unwrap().as_str(),
            "http://proxy.corp.example:3128/"
        );
        let plain = choose("http://portal.example/").unwrap();
        assert_eq!(display(&plain), "http://plain.corp.example:80");
        assert_eq!(basic_auth(&plain).unwrap(), "Basic dXNlcjpwQHNz"); // user:p@ss
        assert_eq!(choose("https://intranet.corp.example/"), None);
        assert_eq!(choose("https://a.intranet.corp.example/"), None);
        assert_eq!(choose("https://files.internal/"), None);
        assert_eq!(choose("https://10.20.30.40/"), None);
        assert_eq!(choose("https://[fd00::1]/"), None);
        assert!(choose("https://11.0.0.1/").is_some());
        assert!(choose("https://notintranet.corp.example/").is_some());
        // Loopback never goes through an environment proxy.
        assert_eq!(choose("https://127.0.0.1:8443/"), None);
        assert_eq!(choose("http://localhost/"), None);
        assert_eq!(choose("http://[::1]:8080/"), None);
        // But an explicit proxy is used as given, and "none" means none.
        let explicit = ProxySetting::Explicit(url("http://127.0.0.1:3128"));
        assert!(choose_with(&explicit, "http://localhost/").is_some());
        assert_eq!(
            choose_with(&ProxySetting::Direct, "https://portal.example/"),
            None
        );

        fn choose_with(s: &ProxySetting, u: &str) -> Option<Url> {
            super::choose(s, &url(u), &|_| Some("http://env-proxy:1".into())).unwrap()
        }
    }

    #[test]
    fn unsupported_proxies_are_refused_with_a_reason() {
        assert!(
            parse_proxy("socks5://127.0.0.1:1080")
                .unwrap_err()
                .contains("socks5 proxies are not supported")
        );
        assert!(
            parse_proxy("https://p:443")
                .unwrap_err()
                .contains("http:// address")
        );
        let env = env_of(&[("https_proxy", "socks5h://127.0.0.1:1080")]);
        let e = choose(
            &ProxySetting::FromEnv,
            &url("https://portal.example/"),
            &env,
        )
        .unwrap_err();
        assert!(e.starts_with("proxy from $https_proxy:"), "{e}");
        assert!(no_proxy_matches("*", "anything"));
        assert!(no_proxy_matches("portal.example:443", "portal.example"));
        assert!(!no_proxy_matches("example", "portal.example.org"));
        // Passwords never reach a message.
        let e = parse_proxy("https://jdoe:Winter2025@proxy:8080").unwrap_err();
        assert!(
            !e.contains("Winter2025") && e.contains("https://***@proxy:8080"),
            "{e}"
        );
        assert_eq!(mask_credentials("jdoe:pw@proxy:3128"), "***@proxy:3128");
        assert_eq!(mask_credentials("http://proxy/a@b"), "http://proxy/a@b");
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }
}
