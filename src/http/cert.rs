//! What a server's certificate says, for expiry checks and plain messages:
//! the names it is valid for, its issuer and its validity period.

use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The parts of a certificate a technician needs.
#[derive(Clone, Debug, PartialEq)]
pub struct CertInfo {
    /// The host whose connection presented it.
    pub host: String,
    pub subject: String,
    pub issuer: String,
    /// DNS names and IP addresses it is valid for (subject alternative names,
    /// else the common name).
    pub names: Vec<String>,
    /// Unix seconds.
    pub not_before: i64,
    /// Unix seconds.
    pub not_after: i64,
}

/// Reads a DER certificate; `None` when it cannot be parsed.
pub fn parse(host: &str, der: &[u8]) -> Option<CertInfo> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(n) => names.push(n.to_string()),
                GeneralName::IPAddress(bytes) => {
                    if let Some(ip) = ip_from_bytes(bytes) {
                        names.push(ip.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    if names.is_empty() {
        names.extend(
            cert.subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok().map(str::to_string)),
        );
    }
    Some(CertInfo {
        host: host.to_string(),
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        names,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
    })
}

fn ip_from_bytes(bytes: &[u8]) -> Option<std::net::IpAddr> {
    match bytes.len() {
        4 => Some(<[u8; 4]>::try_from(bytes).ok()?.into()),
        16 => Some(<[u8; 16]>::try_from(bytes).ok()?.into()),
        _ => None,
    }
}

impl CertInfo {
    /// Whole days until it expires (negative once expired), at `now` (Unix seconds).
    pub fn days_left(&self, now: i64) -> i64 {
        (self.not_after - now).div_euclid(86_400)
    }

    /// The expiry date, `YYYY-MM-DD` (UTC).
    pub fn expiry_date(&self) -> String {
        date(self.not_after)
    }

    /// "expires in 12 days (2026-12-07)" / "expired 3 days ago (2026-11-21)".
    pub fn expiry_phrase(&self, now: i64) -> String {
        let days = self.days_left(now);
        let date = self.expiry_date();
        match days {
            d if self.not_after <= now => match -d - 1 {
                0 => format!("expired today ({date})"),
                1 => format!("expired yesterday ({date})"),
                n => format!("expired {n} days ago ({date})"),
            },
            0 => format!("expires today ({date})"),
            1 => format!("expires tomorrow ({date})"),
            n => format!("expires in {n} days ({date})"),
        }
    }

    /// The names as a short list for messages.
    pub fn names_list(&self) -> String {
        match self.names.len() {
            0 => "no names".into(),
            1..=4 => self.names.join(", "),
            n => format!("{} and {} more", self.names[..4].join(", "), n - 4),
        }
    }
}

/// Unix seconds as `YYYY-MM-DD` (UTC).
pub fn date(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| format!("@{secs}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(not_after: i64) -> CertInfo {
        CertInfo {
            host: "h".into(),
            subject: String::new(),
            issuer: String::new(),
            names: vec![],
            not_before: 0,
            not_after,
        }
    }

    #[test]
    fn days_and_phrases() {
        let day = 86_400;
        let now = 1_800_000_000; // 2027-01-15 08:00 UTC
        assert_eq!(info(now + 10 * day + 5).days_left(now), 10);
        assert_eq!(
            info(now + 10 * day + 5).expiry_phrase(now),
            "expires in 10 days (2027-01-25)"
        );
        assert_eq!(
            info(now + 5).expiry_phrase(now),
            "expires today (2027-01-15)"
        );
        assert_eq!(
            info(now + day).expiry_phrase(now),
            "expires tomorrow (2027-01-16)"
        );
        assert_eq!(info(now - 5).days_left(now), -1);
        assert_eq!(
            info(now - 5).expiry_phrase(now),
            "expired today (2027-01-15)"
        );
        assert_eq!(
            info(now - day - 5).expiry_phrase(now),
            "expired yesterday (2027-01-14)"
        );
        assert_eq!(
            info(now - 3 * day - 5).expiry_phrase(now),
            "expired 3 days ago (2027-01-12)"
        );
    }
}
