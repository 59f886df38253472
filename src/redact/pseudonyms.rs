//! The pseudonym rule family (opt-in): e-mail, IP and MAC addresses, host
//! and user names replaced by stable placeholders (`ip4-3`), the same value
//! by the same placeholder across a whole bundle.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, Ipv6Addr};

use super::config::RedactConfig;
use super::rules::{Action, Rule, rule};

/// What kind of value a pseudonym stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Kind {
    Email,
    Ip4,
    Ip6,
    Mac,
    Host,
    User,
}

impl Kind {
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Ip4 => "ip4",
            Kind::Ip6 => "ip6",
            Kind::Mac => "mac",
            Kind::Host => "host",
            Kind::User => "user",
        }
    }
}

/// A case-insensitive alternation of literal words (longest first).
pub(super) fn words(list: &[String]) -> Option<String> {
    let mut list: Vec<&str> = list
        .iter()
        .map(|s| s.trim())
        .filter(|s| s.len() >= 2)
        .collect();
    if list.is_empty() {
        return None;
    }
    list.sort_by_key(|s| std::cmp::Reverse(s.len()));
    list.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let alternation: Vec<String> = list.iter().map(|w| regex::escape(w)).collect();
    Some(format!(r"\b(?i:{})\b", alternation.join("|")))
}

/// User names that are roles, not people: never pseudonymised.
pub(super) const NOT_PEOPLE: &[&str] = &[
    "root",
    "system",
    "administrator",
    "admin",
    "guest",
    "nobody",
    "default",
    "default user",
    "public",
    "all users",
    "shared",
];

/// Host names that identify no one.
pub(super) const NOT_HOSTS: &[&str] = &["localhost", "localhost.localdomain"];

pub(super) fn optional_rules(cfg: &RedactConfig, hostname: &str, user: &str) -> Vec<Rule> {
    let mut rules = Vec::new();
    if let Some(w) = words(&cfg.keywords) {
        rules.push(rule(w, Action::Secret("keyword")));
    }
    if cfg.emails {
        rules.push(rule(
            r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
            Action::Pseudonym(Kind::Email),
        ));
    }
    if cfg.mac {
        rules.push(rule(
            r"\b[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}\b",
            Action::Pseudonym(Kind::Mac),
        ));
    }
    if cfg.ip {
        rules.push(rule(
            // Eight groups, or `::` compression (so times like 12:30:45 and
            // MAC addresses are not candidates), never starting inside a
            // word (`std::vector`, `app::auth::key`).
            concat!(
                r"(?P<k>^|[^0-9A-Za-z_:.])(?P<v>(?:",
                r"[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}",
                r"|(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?",
                r")(?:\.[0-9]{1,3}){0,3}(?:%[0-9A-Za-z_.-]+)?)"
            ),
            Action::Pseudonym(Kind::Ip6),
        ));
        rules.push(rule(
            r"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b",
            Action::Pseudonym(Kind::Ip4),
        ));
    }
    if cfg.usernames || !cfg.extra_usernames.is_empty() {
        rules.push(rule(
            r#"(?P<k>/home/|/Users/|(?i:\\Users\\|\\Documents and Settings\\))(?P<v>[^/\\\s"':;,]+)"#,
            Action::Pseudonym(Kind::User),
        ));
        let mut names = cfg.extra_usernames.clone();
        if cfg.usernames {
            names.push(user.to_string());
        }
        names.retain(|n| !NOT_PEOPLE.contains(&n.to_ascii_lowercase().as_str()));
        if let Some(w) = words(&names) {
            rules.push(rule(w, Action::Pseudonym(Kind::User)));
        }
    }
    if cfg.hostnames || !cfg.extra_hostnames.is_empty() {
        let mut names = cfg.extra_hostnames.clone();
        if cfg.hostnames {
            names.push(hostname.to_string());
            if let Some((short, _)) = hostname.split_once('.') {
                names.push(short.to_string());
            }
        }
        names.retain(|n| !NOT_HOSTS.contains(&n.to_ascii_lowercase().as_str()));
        if let Some(w) = words(&names) {
            rules.push(rule(w, Action::Pseudonym(Kind::Host)));
        }
    }
    rules
}

/// Distinct values per kind that get numbered placeholders (`ip4-1`...) and
/// a line in the mapping file; past this, placeholders are keyed hashes
/// (`ip4-h3fa9c2d10b7e`), still consistent within the bundle, so memory
/// stays bounded whatever the logs hold.
pub const NUMBERED: usize = 50_000;

/// Consistent placeholders for pseudonymised values, across a whole bundle.
#[derive(Default, Debug)]
pub struct Pseudonyms {
    maps: BTreeMap<Kind, HashMap<Box<str>, u32>>,
    /// Keyed with random keys per bundle, so a hashed placeholder cannot be
    /// reversed by hashing guesses.
    hasher: std::hash::RandomState,
    /// Replacements made with hashed placeholders.
    pub hashed: u64,
}

impl Pseudonyms {
    pub(super) fn write(&mut self, kind: Kind, value: &str, out: &mut Vec<u8>) {
        use std::hash::BuildHasher;
        let map = self.maps.entry(kind).or_default();
        let n = match map.get(value) {
            Some(n) => Some(*n),
            None if map.len() < NUMBERED => {
                let n = map.len() as u32 + 1;
                map.insert(value.into(), n);
                Some(n)
            }
            None => None,
        };
        let text = match n {
            Some(n) => format!("{}-{n}", kind.name()),
            None => {
                self.hashed += 1;
                let h = self.hasher.hash_one(value) & 0xffff_ffff_ffff;
                format!("{}-h{h:012x}", kind.name())
            }
        };
        out.extend_from_slice(text.as_bytes());
    }

    pub fn is_empty(&self) -> bool {
        self.maps.values().all(HashMap::is_empty)
    }

    /// `{"ip4": {"10.1.2.3": "ip4-1"}, ...}`: what each numbered placeholder stands for.
    pub fn to_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        for (kind, map) in &self.maps {
            let mut pairs: Vec<(&Box<str>, &u32)> = map.iter().collect();
            pairs.sort_by_key(|(_, n)| **n);
            let entries: serde_json::Map<String, serde_json::Value> = pairs
                .into_iter()
                .map(|(v, n)| (v.to_string(), format!("{}-{n}", kind.name()).into()))
                .collect();
            out.insert(kind.name().into(), entries.into());
        }
        serde_json::Value::Object(out)
    }
}

/// `text` in lower case, borrowed when it already is.
pub(super) fn lower(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// A dotted quad with octets up to 255 and no leading zeros (so the text
/// itself is the canonical key).
pub(super) fn canonical_ipv4(text: &str) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut parts = text.split('.');
    for o in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || (p.len() > 1 && p.starts_with('0')) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    parts.next().is_none().then_some(octets)
}

/// The value a pseudonym is keyed on, or `None` when the match is not really
/// one (an invalid address, a loopback address, a role account...).
pub(super) fn normalise<'a>(
    kind: Kind,
    value: &'a [u8],
    line: &[u8],
    at: std::ops::Range<usize>,
) -> Option<Cow<'a, str>> {
    let text = std::str::from_utf8(value).ok()?;
    let before = at.start.checked_sub(1).map(|i| line[i]);
    let after = line.get(at.end).copied();
    match kind {
        Kind::Ip4 => {
            // Part of a longer dotted number (a version such as 10.0.19045.3693)?
            let dotted = |b: Option<u8>| b == Some(b'.');
            if dotted(before)
                || (dotted(after) && line.get(at.end + 1).is_some_and(u8::is_ascii_digit))
            {
                return None;
            }
            let ip = Ipv4Addr::from(canonical_ipv4(text)?);
            (!ip.is_loopback() && !ip.is_unspecified() && !ip.is_broadcast())
                .then_some(Cow::Borrowed(text))
        }
        Kind::Ip6 => {
            let addr = text.split('%').next()?;
            let ip: Ipv6Addr = addr.parse().ok()?;
            let groups = addr.split(':').filter(|g| !g.is_empty()).count();
            (groups >= 2 && !ip.is_loopback() && !ip.is_unspecified())
                .then(|| Cow::Owned(ip.to_string()))
        }
        Kind::Mac if text.contains('-') => {
            Some(Cow::Owned(text.to_ascii_lowercase().replace('-', ":")))
        }
        Kind::User => {
            let l = lower(text);
            (!NOT_PEOPLE.contains(&l.as_ref())).then_some(l)
        }
        Kind::Mac | Kind::Email | Kind::Host => Some(lower(text)),
    }
}
