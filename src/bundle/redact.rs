//! Redaction: secrets out, personal data pseudonymised, before any byte
//! reaches the archive.
//!
//! Text is redacted line by line (lines longer than [`MAX_LINE`] are cut into
//! pieces), so memory stays bounded whatever the input. All built-in and
//! optional rules are alternatives of **one** regular expression, so each
//! line is scanned once, the leftmost match wins, and a replaced value is
//! never matched again by another rule.
//!
//! - Secret rules (on by default) replace the secret with
//!   `[REDACTED:<rule>]` and keep what names it (`password=` stays).
//! - Pseudonym rules (opt-in: emails, IP addresses, MAC addresses, host
//!   names, user names) replace a value with a stable placeholder such as
//!   `ip4-3`: the same value gets the same placeholder across the whole
//!   bundle ([`Pseudonyms`]), so a technician can still follow one address
//!   through many logs.
//! - A private key block (`-----BEGIN … PRIVATE KEY-----` to its `END`
//!   line) is removed whole, across lines.
//! - Custom `patterns` (regexes) run after the built-ins.
//!
//! Known limit: a secret split across the cut of an over-long line (more
//! than 1 MiB without a newline) may escape both halves' rules.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead, Write};
use std::net::{Ipv4Addr, Ipv6Addr};

use regex::bytes::{CaptureLocations, Regex, RegexBuilder};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cancel::Cancel;
use crate::values::Pattern;

/// Lines longer than this are redacted in pieces of this size.
pub const MAX_LINE: usize = 1 << 20;

fn yes() -> bool {
    true
}

/// `[step.redact]`: which rules run. The built-in secret rules are on unless
/// `builtin = false`; everything else is opt-in.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedactConfig {
    /// The built-in secret rules (passwords, tokens, keys, credentials in URLs...). Default true.
    #[serde(default = "yes")]
    pub builtin: bool,
    /// Pseudonymise e-mail addresses.
    #[serde(default)]
    pub emails: bool,
    /// Pseudonymise IPv4 and IPv6 addresses (loopback and unspecified ones are kept).
    #[serde(default)]
    pub ip: bool,
    /// Pseudonymise MAC addresses.
    #[serde(default)]
    pub mac: bool,
    /// Pseudonymise this machine's host name (and `extra_hostnames`).
    #[serde(default)]
    pub hostnames: bool,
    /// Pseudonymise the current user's name, names in home-folder paths (and `extra_usernames`).
    #[serde(default)]
    pub usernames: bool,
    /// More host names to pseudonymise (implies `hostnames`).
    #[serde(default)]
    pub extra_hostnames: Vec<String>,
    /// More user names to pseudonymise (implies `usernames`).
    #[serde(default)]
    pub extra_usernames: Vec<String>,
    /// Words removed wherever they appear (case-insensitive), e.g. a project code name.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regular expressions whose matches are removed.
    #[serde(default)]
    pub patterns: Vec<Pattern>,
}

impl Default for RedactConfig {
    fn default() -> Self {
        RedactConfig {
            builtin: true,
            emails: false,
            ip: false,
            mac: false,
            hostnames: false,
            usernames: false,
            extra_hostnames: Vec::new(),
            extra_usernames: Vec::new(),
            keywords: Vec::new(),
            patterns: Vec::new(),
        }
    }
}

impl RedactConfig {
    /// The names of the optional rules switched on (for the manifest).
    pub fn optional_rules(&self) -> Vec<&'static str> {
        let mut on = Vec::new();
        for (flag, name) in [
            (self.emails, "emails"),
            (self.ip, "ip"),
            (self.mac, "mac"),
            (
                self.hostnames || !self.extra_hostnames.is_empty(),
                "hostnames",
            ),
            (
                self.usernames || !self.extra_usernames.is_empty(),
                "usernames",
            ),
            (!self.keywords.is_empty(), "keywords"),
            (!self.patterns.is_empty(), "patterns"),
        ] {
            if flag {
                on.push(name);
            }
        }
        on
    }
}

/// What kind of value a pseudonym stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    Email,
    Ip4,
    Ip6,
    Mac,
    Host,
    User,
}

impl Kind {
    fn name(self) -> &'static str {
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

/// What a rule does with its match.
#[derive(Clone, Copy, Debug)]
enum Action {
    /// Replace group `v` (or the whole match) with `[REDACTED:label]`, keeping `k` and `t`.
    Secret(&'static str),
    /// Replace group `v` (or the whole match) with a pseudonym, keeping `k`.
    Pseudonym(Kind),
}

struct Rule {
    pattern: String,
    action: Action,
}

fn rule(pattern: impl Into<String>, action: Action) -> Rule {
    Rule {
        pattern: pattern.into(),
        action,
    }
}

/// The keys whose value is a secret in `key=value`, `key: value`, `"key": "value"`.
const SECRET_KEYS: &str = concat!(
    r"passw(?:or)?d|passphrase|(?:\b|_)pass\b|secret|token|api[_-]?key|access[_-]?key",
    r"|private[_-]?key|credentials?|client[_-]?secret|auth[_-]?key",
    r"|(?:account|storage|shared|preshared|master|signing|encryption|session|app|subscription|functions)[_-]?key",
    r"|key-data|tls\.key|requirepass|masterauth"
);

/// A quote around a key or value, as written raw, escaped inside a JSON
/// string (`\"`, `\\\"`) or in XML (`&quot;`).
const QUOTE: &str = r#"(?:\\*["']|&quot;)"#;

/// `-----BEGIN RSA PRIVATE KEY-----`, `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`,
/// `-----BEGIN OpenVPN Static key V1-----`.
/// PuTTY `.ppk` files: from `Private-Lines:` to `Private-MAC:`.
const KEY_BEGIN: &str = r"-{4,5} ?BEGIN[ A-Za-z0-9]*(?:PRIVATE KEY|(?i:static key))[ A-Za-z0-9]*-{4,5}|^Private-Lines: *[0-9]+";
const KEY_END: &str =
    r"-{4,5} ?END[ A-Za-z0-9]*(?:PRIVATE KEY|(?i:static key))[ A-Za-z0-9]*-{4,5}|^Private-MAC:";

/// The built-in secret rules, in priority order (see docs/redaction.md).
/// Private key blocks are handled before these, line by line (see
/// [`Redactor::line`]).
fn builtin_rules() -> Vec<Rule> {
    let token = r"[A-Za-z0-9\-._~+/]{8,}=*";
    let value = r#"\\+".*?\\+"|&quot;.*?&quot;|"(?:[^"\\]|\\.)*"?|'[^']*'|[^\s,;&"'<>{}\[\]()]+"#;
    let pw = |p: String| rule(p, Action::Secret("password"));
    vec![
        // Base64 of a PEM private key (Kubernetes `client-key-data`, `tls.key`).
        rule(
            r"LS0tLS1CRUdJTi(?:BQUklWQVRF|BSU0EgUFJJVkFUR|BFQyBQUklWQVRF|BPUEVOU1NIIFBSSV|BFTkNSWVBURUQgUF|BEU0EgUFJJVkFUR)[A-Za-z0-9+/=]*",
            Action::Secret("private-key"),
        ),
        // scheme://user:password@host (an `@` may be in the user or the password).
        rule(
            r"(?P<k>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<v>[^\s/:?#]*:[^\s?#]*)@",
            Action::Secret("url-credentials"),
        ),
        rule(
            format!(
                r#"(?P<k>(?i:authorization|proxy-authorization){QUOTE}?\s*[:=]\s*{QUOTE}?(?:[A-Za-z][\w-]*\s+)?)(?P<v>{token})"#
            ),
            Action::Secret("authorization"),
        ),
        rule(
            format!(r"(?P<k>\b(?i:bearer)\s+)(?P<v>{token})"),
            Action::Secret("bearer-token"),
        ),
        rule(
            r"(?P<k>\b(?i:cookie|set-cookie)\s*:\s*)(?P<v>[^\r\n]+)",
            Action::Secret("cookie"),
        ),
        rule(
            concat!(
                r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}",
                r"|glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}",
                r"|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}",
                r"|npm_[A-Za-z0-9]{36}|ya29\.[0-9A-Za-z_-]{20,}",
                r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
                r"|hooks\.slack\.com/services/[A-Za-z0-9/]+",
                r"|discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]+",
                r"|webhook\.office\.com/[A-Za-z0-9@/._-]+)"
            ),
            Action::Secret("api-token"),
        ),
        rule(
            r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b",
            Action::Secret("cloud-key"),
        ),
        rule(
            r"(?P<k>(?:[?&;]|\\u0026)(?i:sig|x-amz-signature|x-goog-signature)=)(?P<v>[A-Za-z0-9%+/=]{16,})",
            Action::Secret("cloud-key"),
        ),
        // `Server=x;Password=a b c;Encrypt=true`: the whole value, spaces,
        // ODBC braces and quotes included, after a `;` or before one.
        rule(
            r#"(?P<k>;\s*(?i:password|accountkey|sharedaccesskey|sharedaccesssignature)\s*=\s*)(?P<v>\{(?:[^}]|\}\})*\}|"(?:[^"]|"")*"|'(?:[^']|'')*'|[^;\r\n"]+)"#,
            Action::Secret("connection-string"),
        ),
        rule(
            r#"(?P<k>\b(?i:password|accountkey|sharedaccesskey|sharedaccesssignature)\s*=\s*)(?P<v>\{(?:[^}]|\}\})*\}|[^;\r\n"]+)(?P<t>;)"#,
            Action::Secret("connection-string"),
        ),
        // `PWD=` in connection strings, but not a working directory (`PWD=/var/www`).
        rule(
            r#"(?P<k>(?:^|[;\s&?])[\w.-]*(?i:pwd)\s*=\s*)(?P<v>\{(?:[^}]|\}\})*\}|[^/~;\r\n"\s][^;\r\n"]*)"#,
            Action::Secret("connection-string"),
        ),
        // Command lines: `--password X`, `-token=X`, `curl -u user:pass`,
        // `ConvertTo-SecureString "X"`, SQL `IDENTIFIED BY 'X'`, `.netrc`.
        pw(r#"(?P<k>(?:^|\s)--?(?i:password|passwd|pass|token|secret|account-key|api-key)[\s=]+)(?P<v>"[^"]*"|'[^']*'|[^\s"']+)"#.into()),
        pw(r"(?P<k>(?:^|\s)(?:-u|--user)\s+[^:\s]+:)(?P<v>\S+)".into()),
        pw(r#"(?P<k>(?i:convertto-securestring)(?:\s+-\w+)*\s+)(?P<v>"[^"]*"|'[^']*')"#.into()),
        pw(r"(?P<k>\b(?i:net)\s+(?i:user)\s+[^\s/]+\s+)(?P<v>[^\s/*]\S*)".into()),
        pw(r"(?P<k>\b(?i:net)\s+(?i:use)\s+(?:[A-Za-z]:\s+)?\\\\\S+\s+)(?P<v>[^\s/*]\S*)".into()),
        pw(r"(?P<k>\bmysql(?:dump|admin)?\s(?:[^\r\n]*?\s)?-p)(?P<v>[^\s-]\S*)".into()),
        pw(r"(?P<k>\bsqlcmd\s(?:[^\r\n]*?\s)?-P\s*)(?P<v>\S+)".into()),
        pw(r"(?P<k>^\s*(?:requirepass|masterauth)\s+)(?P<v>\S+)".into()),
        pw(r"(?P<k>(?i:identified\s+by|with\s+password|password)\s+)(?P<v>'[^']*')".into()),
        pw(r"(?P<k>\bmachine\s+\S+\s+login\s+\S+\s+password\s+)(?P<v>\S+)".into()),
        // A key that is just `auth` or `_auth` (npm, Docker's config.json), not
        // a word inside a name (`gcloud-auth-plugin:amd64` in dpkg.log).
        pw(format!(
            r#"(?P<k>(?:^|[^\w.-]){QUOTE}?_?(?i:auth){QUOTE}?\s*[:=]\s*)(?P<v>{value})"#
        )),
        // XML: `<Password>x</Password>`, `<add key="SmtpPassword" value="x" />`.
        pw(format!(r"(?P<k><[\w:.-]*(?i:{SECRET_KEYS})[\w.-]*>(?:\s*<Value>)?)(?P<v>[^<]+)")),
        pw(format!(r#"(?P<k>(?i:key)="[^"]*(?i:{SECRET_KEYS})[^"]*"\s+(?i:value)=)(?P<v>"[^"]*")"#)),
        // A key naming a secret at the start of a line (.env, INI, YAML,
        // `set "X=..."`, `export X=...`): the value runs to the end of the line.
        pw(format!(
            r#"(?P<k>^\s*(?:export\s+|set\s+"?)?{QUOTE}?[\w.-]*(?i:{SECRET_KEYS})[\w.-]*{QUOTE}?\s*(?:=|:)[ \t]*)(?P<v>[^"'\s][^\r\n]*[^\s"\r\n]|[^"'\s])"#
        )),
        // Anywhere else: key=value, key: value, "key": "value", key => value.
        pw(format!(
            r#"(?P<k>{QUOTE}?[\w.-]*(?i:{SECRET_KEYS})[\w.-]*{QUOTE}?\s*(?:=>|=|:|%3[Dd])\s*)(?P<v>{value})"#
        )),
    ]
}

/// Keys that name something about a secret, not a secret: their values stay
/// (`PasswordExpired : False`, `badPwdCount`, `PublicKeyToken=31bf...`).
fn harmless_key(key: &[u8]) -> bool {
    let word: String = key
        .iter()
        .rev()
        .skip_while(|b| !b.is_ascii_alphanumeric())
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-' || **b == b'.')
        .map(|b| b.to_ascii_lowercase() as char)
        .collect::<String>()
        .chars()
        .rev()
        .collect();
    const SUFFIXES: &[&str] = &[
        "expired",
        "expires",
        "expiry",
        "expiration",
        "lastset",
        "count",
        "attempt",
        "name",
        "type",
        "policy",
        "length",
        "elevation",
        "publickeytoken",
        "max_tokens",
        "tokens",
        "required",
        "changed",
        "age",
    ];
    SUFFIXES.iter().any(|s| word.ends_with(s))
}

/// Values that are never secrets on their own.
fn harmless_value(value: &[u8]) -> bool {
    let v = value.trim_ascii();
    let v = v
        .strip_prefix(b"\"")
        .and_then(|v| v.strip_suffix(b"\""))
        .unwrap_or(v);
    matches!(
        v.to_ascii_lowercase().as_slice(),
        b"true" | b"false" | b"null" | b"none" | b"" | b"required"
    )
}

/// A case-insensitive alternation of literal words (longest first).
fn words(list: &[String]) -> Option<String> {
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
const NOT_PEOPLE: &[&str] = &[
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
const NOT_HOSTS: &[&str] = &["localhost", "localhost.localdomain"];

fn optional_rules(cfg: &RedactConfig, hostname: &str, user: &str) -> Vec<Rule> {
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
    fn write(&mut self, kind: Kind, value: &str, out: &mut Vec<u8>) {
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

/// How many values each rule replaced.
pub type Counts = BTreeMap<&'static str, u64>;

/// Per-stream state: inside a private key block or not.
#[derive(Default)]
pub struct LineState {
    in_private_key: bool,
}

/// Capture-group indices of one rule within the combined regex.
#[derive(Clone, Copy)]
struct Groups {
    rule: usize,
    keep: Option<usize>,
    value: Option<usize>,
    tail: Option<usize>,
}

/// The compiled rules and the bundle's pseudonyms.
pub struct Redactor {
    combined: Option<Regex>,
    actions: Vec<Action>,
    groups: Vec<Groups>,
    /// Reused for every match (no allocation per match).
    locations: CaptureLocations,
    custom: Vec<Regex>,
    key_begin: Option<Regex>,
    key_end: Regex,
    /// A JSON key naming a secret (built-in rules only).
    secret_key: Option<Regex>,
    pub pseudonyms: Pseudonyms,
}

fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .map_err(|e| e.to_string())
}

impl Redactor {
    pub fn new(cfg: &RedactConfig, hostname: &str, user: &str) -> Result<Redactor, String> {
        let mut rules = if cfg.builtin {
            builtin_rules()
        } else {
            Vec::new()
        };
        rules.extend(optional_rules(cfg, hostname, user));
        let combined = if rules.is_empty() {
            None
        } else {
            let alternatives: Vec<String> = rules
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let p = r
                        .pattern
                        .replace("?P<k>", &format!("?P<k{i}>"))
                        .replace("?P<v>", &format!("?P<v{i}>"))
                        .replace("?P<t>", &format!("?P<t{i}>"));
                    format!("(?P<r{i}>{p})")
                })
                .collect();
            Some(compile(&alternatives.join("|"))?)
        };
        let custom = cfg
            .patterns
            .iter()
            .map(|p| {
                RegexBuilder::new(p.0.as_str())
                    .size_limit(64 << 20)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        let index = |name: String| {
            combined
                .as_ref()
                .and_then(|re| re.capture_names().position(|n| n == Some(name.as_str())))
        };
        let groups = (0..rules.len())
            .map(|i| Groups {
                rule: index(format!("r{i}")).unwrap_or(0),
                keep: index(format!("k{i}")),
                value: index(format!("v{i}")),
                tail: index(format!("t{i}")),
            })
            .collect();
        let locations = match &combined {
            Some(re) => re.capture_locations(),
            None => compile("x")?.capture_locations(),
        };
        Ok(Redactor {
            combined,
            locations,
            groups,
            actions: rules.iter().map(|r| r.action).collect(),
            custom,
            key_begin: if cfg.builtin {
                Some(compile(KEY_BEGIN)?)
            } else {
                None
            },
            key_end: compile(KEY_END)?,
            secret_key: if cfg.builtin {
                Some(compile(&format!("(?i:{SECRET_KEYS})"))?)
            } else {
                None
            },
            pseudonyms: Pseudonyms::default(),
        })
    }

    /// A redactor that changes nothing (binary files allowed as they are).
    pub fn is_noop(&self) -> bool {
        self.combined.is_none() && self.custom.is_empty() && !crate::secrets::any()
    }

    /// Redacts one line (with or without its line ending) into `out`.
    pub fn line(
        &mut self,
        line: &[u8],
        state: &mut LineState,
        out: &mut Vec<u8>,
        counts: &mut Counts,
    ) {
        let mut line = line;
        if state.in_private_key {
            let Some(end) = self.key_end.find(line) else {
                return;
            };
            state.in_private_key = false;
            line = &line[end.end()..];
            if line.iter().all(u8::is_ascii_whitespace) {
                return;
            }
        }
        // A private key starting here: the text before it goes through the
        // rules, the key is removed (to its END line, or to the end of the stream).
        if let Some(begin) = self.key_begin.as_ref().and_then(|re| re.find(line)) {
            let (before, rest) = (&line[..begin.start()], &line[begin.end()..]);
            self.rules(before, out, counts);
            out.extend_from_slice(b"[REDACTED:private-key]");
            *counts.entry("private-key").or_default() += 1;
            match self.key_end.find(rest) {
                Some(end) => return self.line(&rest[end.end()..], state, out, counts),
                None => {
                    state.in_private_key = true;
                    if line.ends_with(b"\n") {
                        out.push(b'\n');
                    }
                    return;
                }
            }
        }
        self.rules(line, out, counts);
    }

    /// Applies the combined rules, then the custom patterns, to a piece of a line.
    fn rules(&mut self, line: &[u8], out: &mut Vec<u8>, counts: &mut Counts) {
        let start_len = out.len();
        let Redactor {
            combined,
            locations,
            groups,
            actions,
            pseudonyms,
            ..
        } = self;
        let Some(combined) = combined else {
            out.extend_from_slice(line);
            return self.custom_pass(out, start_len, counts);
        };
        let (mut last, mut at) = (0, 0);
        while at <= line.len() {
            let Some(found) = combined.captures_read_at(locations, line, at) else {
                break;
            };
            let whole = found.range();
            let Some(i) = groups.iter().position(|g| locations.get(g.rule).is_some()) else {
                at = whole.end.max(whole.start + 1);
                continue;
            };
            let m = Match {
                locations,
                groups: groups[i],
                line,
                whole: whole.clone(),
            };
            let replacement = match decide(actions[i], &m) {
                Decision::Replace(r) => r,
                // A harmless key or value (`PasswordExpired : False`), or
                // not a value of its kind (`12:30:45` is no IPv6 address):
                // left as it is. Pseudonym candidates hold only digits, hex
                // letters and separators, so skipping one cannot hide a
                // secret (and an IPv6 candidate never starts inside a word).
                Decision::Keep => {
                    at = whole.end.max(whole.start + 1);
                    continue;
                }
            };
            out.extend_from_slice(&line[last..whole.start]);
            out.extend_from_slice(m.group(m.groups.keep));
            match replacement {
                Replacement::Redacted(label) => {
                    out.extend_from_slice(format!("[REDACTED:{label}]").as_bytes());
                    *counts.entry(label).or_default() += 1;
                }
                Replacement::Pseudonym(kind, key) => {
                    pseudonyms.write(kind, &key, out);
                    *counts.entry(kind.name()).or_default() += 1;
                }
            }
            out.extend_from_slice(m.group(m.groups.tail));
            last = whole.end;
            at = whole.end.max(whole.start + 1);
        }
        out.extend_from_slice(&line[last..]);
        self.custom_pass(out, start_len, counts);
    }

    fn custom_pass(&self, out: &mut Vec<u8>, from: usize, counts: &mut Counts) {
        // Variables marked secret are removed by every redactor, whatever its rules.
        if crate::secrets::any() {
            let n = crate::secrets::scrub_bytes(out, from);
            if n > 0 {
                *counts.entry("secret-var").or_default() += n;
            }
        }
        for re in &self.custom {
            let n = re.find_iter(&out[from..]).count();
            if n > 0 {
                let replaced = re
                    .replace_all(&out[from..], &b"[REDACTED:pattern]"[..])
                    .into_owned();
                out.truncate(from);
                out.extend_from_slice(&replaced);
                *counts.entry("pattern").or_default() += n as u64;
            }
        }
    }

    /// Redacts every string in a JSON value in place (multi-line strings
    /// line by line); a string under a key that names a secret is replaced
    /// whole. Serialising first and redacting the text would not do: JSON
    /// escapes quotes and backslashes, which hides secrets from the rules.
    pub fn json(&mut self, value: &mut serde_json::Value, counts: &mut Counts) {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                let mut out = Vec::with_capacity(s.len());
                let found = self
                    .stream(&mut s.as_bytes(), &mut out, &Cancel::new(), false)
                    .unwrap_or_default();
                for (rule, n) in found {
                    *counts.entry(rule).or_default() += n;
                }
                *s = String::from_utf8_lossy(&out).into_owned();
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.json(v, counts)),
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    let names_secret = self
                        .secret_key
                        .as_ref()
                        .is_some_and(|re| re.is_match(key.as_bytes()))
                        && !harmless_key(key.as_bytes());
                    match v {
                        Value::String(s) if names_secret && !harmless_value(s.as_bytes()) => {
                            *s = "[REDACTED:password]".into();
                            *counts.entry("password").or_default() += 1;
                        }
                        _ => self.json(v, counts),
                    }
                }
            }
            _ => {}
        }
    }

    /// Redacts a short text (a path, a command line) on its own.
    pub fn text(&mut self, text: &str) -> String {
        let mut out = Vec::with_capacity(text.len());
        self.line(
            text.as_bytes(),
            &mut LineState::default(),
            &mut out,
            &mut Counts::new(),
        );
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Redacts a whole stream, line by line, into `out`; checks `cancel`
    /// between lines. Returns the counts per rule.
    ///
    /// `cut`: the stream starts in the middle of a file (a kept tail), so it
    /// may start inside a private key. Then the first lines (up to 64 KiB)
    /// are held back: when a key's END line comes before any BEGIN line,
    /// everything before it is dropped as part of that key.
    pub fn stream(
        &mut self,
        input: &mut (impl BufRead + ?Sized),
        out: &mut (impl Write + ?Sized),
        cancel: &Cancel,
        cut: bool,
    ) -> io::Result<Counts> {
        let mut counts = Counts::new();
        let mut state = LineState::default();
        let mut line = Vec::with_capacity(8 * 1024);
        let mut redacted = Vec::with_capacity(8 * 1024);
        let mut held: Vec<Vec<u8>> = Vec::new();
        let mut holding = cut && self.key_begin.is_some();
        let mut held_bytes = 0;
        let mut n = 0u32;
        loop {
            line.clear();
            let eof = read_line_capped(input, &mut line, MAX_LINE)? == 0;
            if holding {
                let begins = !eof && self.key_begin.as_ref().is_some_and(|re| re.is_match(&line));
                let ends = !eof && self.key_end.is_match(&line);
                held_bytes += line.len();
                if ends && !begins {
                    // The tail began inside a key: drop it up to here.
                    held.clear();
                    state.in_private_key = true;
                    redacted.clear();
                    redacted.extend_from_slice(b"[REDACTED:private-key]\n");
                    *counts.entry("private-key").or_default() += 1;
                    out.write_all(&redacted)?;
                    holding = false;
                } else if begins || eof || held_bytes > 64 * 1024 {
                    holding = false;
                    for h in held.drain(..) {
                        redacted.clear();
                        self.line(&h, &mut state, &mut redacted, &mut counts);
                        out.write_all(&redacted)?;
                    }
                } else {
                    held.push(line.clone());
                    continue;
                }
            }
            if eof {
                break;
            }
            redacted.clear();
            self.line(&line, &mut state, &mut redacted, &mut counts);
            out.write_all(&redacted)?;
            n = n.wrapping_add(1);
            if n.is_multiple_of(256) && cancel.is_set() {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
            }
        }
        Ok(counts)
    }
}

/// One rule's match within a line.
struct Match<'a> {
    locations: &'a CaptureLocations,
    groups: Groups,
    line: &'a [u8],
    whole: std::ops::Range<usize>,
}

impl<'a> Match<'a> {
    fn group(&self, index: Option<usize>) -> &'a [u8] {
        index
            .and_then(|i| self.locations.get(i))
            .map_or(&[], |(start, end)| &self.line[start..end])
    }
}

/// What a match becomes.
enum Replacement<'a> {
    Redacted(&'static str),
    Pseudonym(Kind, Cow<'a, str>),
}

/// What to do with a match.
enum Decision<'a> {
    Replace(Replacement<'a>),
    Keep,
}

/// The replacement for one match, or why there is none.
fn decide<'a>(action: Action, m: &Match<'a>) -> Decision<'a> {
    let matched = &m.line[m.whole.clone()];
    let value = match m.group(m.groups.value) {
        [] => matched,
        v => v,
    };
    let keep_unless = |secret: bool, label| {
        if secret {
            Decision::Replace(Replacement::Redacted(label))
        } else {
            Decision::Keep
        }
    };
    match action {
        // `Using bearer authentication` is prose, not a token.
        Action::Secret("bearer-token") => keep_unless(
            value.len() >= 16 && value.iter().any(u8::is_ascii_digit),
            "bearer-token",
        ),
        Action::Secret(label @ ("password" | "authorization" | "connection-string")) => {
            keep_unless(
                !harmless_key(m.group(m.groups.keep)) && !harmless_value(value),
                label,
            )
        }
        Action::Secret(label) => Decision::Replace(Replacement::Redacted(label)),
        Action::Pseudonym(kind) => match normalise(kind, value, m.line, m.whole.clone()) {
            Some(key) => Decision::Replace(Replacement::Pseudonym(kind, key)),
            None => Decision::Keep,
        },
    }
}

/// `text` in lower case, borrowed when it already is.
fn lower(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// A dotted quad with octets up to 255 and no leading zeros (so the text
/// itself is the canonical key).
fn canonical_ipv4(text: &str) -> Option<[u8; 4]> {
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
fn normalise<'a>(
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

/// Reads one line (up to and including `\n`), or `cap` bytes of a longer one.
pub fn read_line_capped(
    input: &mut (impl BufRead + ?Sized),
    line: &mut Vec<u8>,
    cap: usize,
) -> io::Result<usize> {
    let mut read = 0;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(read);
        }
        let room = cap - read;
        let (take, done) = match available.iter().take(room).position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len().min(room), available.len() >= room),
        };
        line.extend_from_slice(&available[..take]);
        input.consume(take);
        read += take;
        if done || read >= cap {
            return Ok(read);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_on() -> RedactConfig {
        RedactConfig {
            emails: true,
            ip: true,
            mac: true,
            hostnames: true,
            usernames: true,
            ..RedactConfig::default()
        }
    }

    fn redact(cfg: &RedactConfig, text: &str) -> (String, Counts) {
        let mut r = Redactor::new(cfg, "ws-0042.corp.example", "alice").unwrap();
        let mut out = Vec::new();
        let counts = r
            .stream(&mut text.as_bytes(), &mut out, &Cancel::new(), false)
            .unwrap();
        (String::from_utf8(out).unwrap(), counts)
    }

    /// (input, the secret that must be gone, the rule that removes it)
    const SECRETS: &[(&str, &str, &str)] = &[
        ("password=hunter2\n", "hunter2", "password"),
        ("db.password = \"s3cr3t pass\"\n", "s3cr3t pass", "password"),
        (
            "  \"client_secret\": \"abc\\\"def\",\n",
            "abc\\\"def",
            "password",
        ),
        ("smtp_passwd: 'quoted yaml'\n", "quoted yaml", "password"),
        ("MYSQL_ROOT_PASSWORD=rootpw123\n", "rootpw123", "password"),
        ("api_key: sk-test-123456\n", "sk-test-123456", "password"),
        ("$token => 'perl-token-9'\n", "perl-token-9", "password"),
        (
            "git clone https://bob:pa55w0rd@localhost/r.git\n",
            "pa55w0rd",
            "url-credentials",
        ),
        (
            "mongodb://admin:Mongo!Pass@db:27017\n",
            "Mongo!Pass",
            "url-credentials",
        ),
        (
            "Authorization: Basic dXNlcjpwYXNzd29yZA==\n",
            "dXNlcjpwYXNzd29yZA",
            "authorization",
        ),
        (
            "curl -H 'Authorization: Bearer abcdefghijklmnop'\n",
            "abcdefghijklmnop",
            "authorization",
        ),
        (
            "sent bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_nature_xyz\n",
            "eyJhbGciOiJIUzI1NiJ9",
            "bearer-token",
        ),
        (
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl\n",
            "eyJzdWIiOiIxMjM0In0",
            "api-token",
        ),
        (
            "GITHUB ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij used\n",
            "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij",
            "api-token",
        ),
        (
            "slack xoxb-123456789012-abcdefghij\n",
            "xoxb-123456789012-abcdefghij",
            "api-token",
        ),
        (
            "stripe sk_live_abcdefghijklmnop1234\n",
            "sk_live_abcdefghijklmnop1234",
            "api-token",
        ),
        (
            "key AIzaSyA-1234567890abcdefghijklmnopqrstu\n",
            "AIzaSyA-1234567890abcdefghijklmnopqrstu",
            "api-token",
        ),
        (
            "aws AKIAIOSFODNN7EXAMPLE ok\n",
            "AKIAIOSFODNN7EXAMPLE",
            "cloud-key",
        ),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            "wJalrXUtnFEMI",
            "password",
        ),
        (
            "https://127.0.0.1:10000/acct/c?sv=2020&sig=abcDEF123%2Bxyz456789\n",
            "abcDEF123%2Bxyz456789",
            "cloud-key",
        ),
        (
            "Server=db;Database=x;User Id=sa;Password=Pass word 1;Encrypt=true\n",
            "Pass word 1",
            "connection-string",
        ),
        (
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFyYmF6cXV4==;EndpointSuffix=core\n",
            "Zm9vYmFyYmF6cXV4",
            "connection-string",
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nQUJDREVGR0hJ\n-----END RSA PRIVATE KEY-----\nafter\n",
            "MIIEowIBAAKCAQEA",
            "private-key",
        ),
        (
            "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END PRIVATE KEY-----\\n\"}\n",
            "MIIEvQIBADAN",
            "private-key",
        ),
        // Found by an adversarial pass:
        (
            "PRIVATE_KEY=-----BEGIN RSA PRIVATE KEY-----\nMIIBodyLine\n-----END RSA PRIVATE KEY-----\n",
            "MIIBodyLine",
            "private-key",
        ),
        (
            "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nSsh2Body\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n",
            "Ssh2Body",
            "private-key",
        ),
        (
            "client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=\n",
            "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo",
            "password",
        ),
        (
            "applied LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo= ok\n",
            "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo",
            "private-key",
        ),
        (
            "redis://:S3cretRedisPw@cache:6379/0\n",
            "S3cretRedisPw",
            "url-credentials",
        ),
        (
            "postgres://app:p@ssw0rd@db/app\n",
            "ssw0rd",
            "url-credentials",
        ),
        (
            "x Server=x;Password=Pass word 1\n",
            "word 1",
            "connection-string",
        ),
        (
            "UID=sa;PWD={p;ss}word};Server=x\n",
            "ss}word",
            "connection-string",
        ),
        (
            "AccountName=a;AccountKey=Zm9vYmFyYmF6\n",
            "Zm9vYmFyYmF6",
            "connection-string",
        ),
        ("DB_PASS=dbpass123\n", "dbpass123", "password"),
        ("  SMTP_PASS: smtp pass 1\n", "smtp pass 1", "password"),
        (
            "{\"auths\":{\"r\":{\"auth\":\"dXNlcjpwYXNz\"}}}\n",
            "dXNlcjpwYXNz",
            "password",
        ),
        (
            "password = correct horse battery staple\n",
            "battery staple",
            "password",
        ),
        ("password=x7{Kp]2&Lq(9)\n", "Kp]2&Lq", "password"),
        (
            "log {\\\"client_secret\\\":\\\"ClientSec2024\\\"}\n",
            "ClientSec2024",
            "password",
        ),
        (
            "<add key=\"SmtpPassword\" value=\"MailPw2024!\" />\n",
            "MailPw2024",
            "password",
        ),
        (
            "  <password>MavenPw2024</password>\n",
            "MavenPw2024",
            "password",
        ),
        (
            "Authorization: Splunk abcdef123456\n",
            "abcdef123456",
            "authorization",
        ),
        (
            "{\"url\":\"https://a/b?sv=1\\u0026sig=SigValue1234567890ab\"}\n",
            "SigValue1234567890ab",
            "cloud-key",
        ),
        (
            "+ curl -u admin:Adm1nPass https://x\n",
            "Adm1nPass",
            "password",
        ),
        (
            "docker login --password Dock3rPass\n",
            "Dock3rPass",
            "password",
        ),
        (
            "$p = ConvertTo-SecureString \"P@ssw0rd!Adm\" -AsPlainText\n",
            "P@ssw0rd!Adm",
            "password",
        ),
        (
            "GET / Cookie: session=abc123secret; theme=dark\n",
            "abc123secret",
            "cookie",
        ),
        (
            "CREATE USER x IDENTIFIED BY 'SqlSecret1';\n",
            "SqlSecret1",
            "password",
        ),
        (
            "machine localhost login bob password N3trcPass\n",
            "N3trcPass",
            "password",
        ),
        (
            "AMQP_URL=amqp://guest:Gx/9kQ+zz@mq.internal:5672/\n",
            "Gx/9kQ+zz",
            "url-credentials",
        ),
        (
            "PS> Set-ADAccountPassword bob -NewPassword (ConvertTo-SecureString -AsPlainText 'Winter2024!' -Force)\n",
            "Winter2024",
            "password",
        ),
        (
            "C:\\> net user svc_backup Backup#2024 /add\n",
            "Backup#2024",
            "password",
        ),
        (
            "C:\\> net use Z: \\\\fs01\\share Sh@re2024 /user:CORP\\bob\n",
            "Sh@re2024",
            "password",
        ),
        (
            "mysql -u root -pR00tPass123 -h db\n",
            "R00tPass123",
            "password",
        ),
        (
            "sqlcmd -S db01 -U sa -P SqlPass123 -Q \"select 1\"\n",
            "SqlPass123",
            "password",
        ),
        ("requirepass R3disPass2024\n", "R3disPass2024", "password"),
        (
            "Private-Lines: 1\nAAAAPuttyKeyBody\nPrivate-MAC: 0123\n",
            "AAAAPuttyKeyBody",
            "private-key",
        ),
        (
            "GET /login.aspx user=bob&pwd=IisPw2024 443\n",
            "IisPw2024",
            "connection-string",
        ),
        ("x password: \"multi\n", "multi", "password"),
    ];

    #[test]
    fn every_builtin_rule_removes_its_secret() {
        for (input, secret, rule) in SECRETS {
            let (out, counts) = redact(&RedactConfig::default(), input);
            assert!(!out.contains(secret), "{rule}: `{secret}` left in {out:?}");
            assert!(
                counts.get(rule).copied().unwrap_or(0) >= 1,
                "{rule} not counted for {input:?}: {counts:?} -> {out:?}"
            );
        }
    }

    #[test]
    fn keys_and_structure_stay() {
        // At the start of a line the value runs to its end (it may hold spaces)...
        let (out, _) = redact(&RedactConfig::default(), "password=hunter2 user=bob\n");
        assert_eq!(out, "password=[REDACTED:password]\n");
        // ...elsewhere it ends at a space or separator.
        let (out, _) = redact(
            &RedactConfig::default(),
            "login password=hunter2 user=bob\n",
        );
        assert_eq!(out, "login password=[REDACTED:password] user=bob\n");
        let (out, _) = redact(
            &RedactConfig::default(),
            "Server=db;Password=a b;Encrypt=true\n",
        );
        assert_eq!(
            out,
            "Server=db;Password=[REDACTED:connection-string];Encrypt=true\n"
        );
        let (out, _) = redact(
            &RedactConfig::default(),
            "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\nnext line\n",
        );
        assert_eq!(out, "[REDACTED:private-key]\nnext line\n");
        // Ordinary log text is untouched, including what only names secrets.
        for plain in [
            "2026-11-24 10:00:01 service started, 3 tasks passed\n",
            "PasswordExpired : False\n",
            "badPwdCount : 0\n",
            "PasswordLastSet : 11/24/2026 09:12:44\n",
            "<dependentAssembly PublicKeyToken=31bf3856ad364e35 />\n",
            "sudo: alice : TTY=pts/0 ; PWD=/var/www/app ; USER=root ; COMMAND=/bin/ls\n",
            "Using bearer authentication for the API\n",
            "{\"isSecret\": false, \"max_tokens\": 4096}\n",
            "compass=north bypass=yes\n",
            "2026-11-20 status installed google-cloud-cli-gke-gcloud-auth-plugin:amd64 474.0.0\n",
        ] {
            assert_eq!(redact(&RedactConfig::default(), plain).0, plain);
        }
    }

    #[test]
    fn unterminated_private_key_drops_the_rest() {
        let (out, _) = redact(
            &RedactConfig::default(),
            "a\n-----BEGIN PRIVATE KEY-----\nMIIE\nmore\n",
        );
        assert_eq!(out, "a\n[REDACTED:private-key]\n");
    }

    #[test]
    fn pseudonyms_are_consistent() {
        let text = "from 10.1.2.3 to 10.1.2.4\nagain 10.1.2.3 and fe80::1ff:fe23:4567:890a%eth0\n\
                    mac AA-BB-CC-DD-EE-FF = aa:bb:cc:dd:ee:ff\nmail Alice.Smith@corp.example\n\
                    host WS-0042 / ws-0042.corp.example, user alice in /home/alice/x and C:\\Users\\bob\\y\n\
                    keep 127.0.0.1 ::1 0.0.0.0 version 10.0.19045.3693 time 12:30:45 std::vector /home/Public\n";
        let (out, counts) = redact(&all_on(), text);
        assert!(
            out.contains("from ip4-1 to ip4-2\nagain ip4-1 and ip6-1\n"),
            "{out}"
        );
        assert!(out.contains("mac mac-1 = mac-1\n"), "{out}");
        assert!(out.contains("mail email-1\n"), "{out}");
        assert!(
            out.contains(
                "host host-1 / host-2, user user-1 in /home/user-1/x and C:\\Users\\user-2\\y"
            ),
            "{out}"
        );
        assert!(
            out.contains("keep 127.0.0.1 ::1 0.0.0.0 version 10.0.19045.3693 time 12:30:45 std::vector /home/Public"),
            "{out}"
        );
        assert_eq!(counts["ip4"], 3);
        assert_eq!(counts["user"], 3);
        // A declined candidate does not hide a secret inside it.
        let (out, _) = redact(&all_on(), "app::auth::credentials=SecretVal123\n");
        assert!(!out.contains("SecretVal123"), "{out}");
    }

    #[test]
    fn a_tail_that_starts_inside_a_private_key_drops_the_key() {
        let mut r = Redactor::new(&RedactConfig::default(), "h", "u").unwrap();
        let mut out = Vec::new();
        let tail = "QkFTRTY0Qk9EWQ==\nMORE==\n-----END PRIVATE KEY-----\nafter\n";
        r.stream(&mut tail.as_bytes(), &mut out, &Cancel::new(), true)
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[REDACTED:private-key]\nafter\n"
        );
        // Without an END line, the held lines come out as they are.
        let mut out = Vec::new();
        r.stream(
            &mut "plain\nafter\n".as_bytes(),
            &mut out,
            &Cancel::new(),
            true,
        )
        .unwrap();
        assert_eq!(out, b"plain\nafter\n");
    }

    #[test]
    fn json_strings_are_redacted_before_escaping() {
        let mut r = Redactor::new(&RedactConfig::default(), "h", "u").unwrap();
        let mut v = serde_json::json!({
            "stdout": "config:\n  password: \"hunter2\"\n",
            "password": "direct",
            "passwordExpired": "false",
            "list": ["Authorization: Bearer abcdef0123456789"]
        });
        let mut counts = Counts::new();
        r.json(&mut v, &mut counts);
        let text = v.to_string();
        for secret in ["hunter2", "direct", "abcdef0123456789"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert_eq!(v["passwordExpired"], "false");
        assert_eq!(counts.values().sum::<u64>(), 3);
    }

    #[test]
    fn pseudonyms_past_the_numbered_limit_are_hashed_but_consistent() {
        let mut r = Redactor::new(&all_on(), "h", "u").unwrap();
        let mut text = String::new();
        for i in 0..NUMBERED + 5 {
            text.push_str(&format!(
                "10.{}.{}.{}\n",
                i / 62500,
                (i / 250) % 250,
                i % 250 + 1
            ));
        }
        text.push_str("10.0.0.1 again\n");
        let mut out = Vec::new();
        r.stream(&mut text.as_bytes(), &mut out, &Cancel::new(), false)
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "ip4-1");
        assert!(
            lines[NUMBERED + 1].starts_with("ip4-h"),
            "{}",
            lines[NUMBERED + 1]
        );
        assert_eq!(lines.last().unwrap(), &"ip4-1 again");
        assert_eq!(
            r.pseudonyms.to_json()["ip4"].as_object().unwrap().len(),
            NUMBERED
        );
        assert_eq!(r.pseudonyms.hashed, 5);
    }

    #[test]
    fn custom_keywords_and_patterns() {
        let cfg = RedactConfig {
            keywords: vec!["Project Falcon".into()],
            patterns: vec!["EMP-[0-9]{5}".parse().unwrap()],
            ..RedactConfig::default()
        };
        let (out, counts) = redact(&cfg, "project falcon staff EMP-12345 and EMP-99999\n");
        assert_eq!(
            out,
            "[REDACTED:keyword] staff [REDACTED:pattern] and [REDACTED:pattern]\n"
        );
        assert_eq!(counts["pattern"], 2);
    }

    #[test]
    fn long_lines_are_cut_and_bytes_kept() {
        let mut input: &[u8] = b"abc\xffdef\nxyz";
        let mut line = Vec::new();
        assert_eq!(read_line_capped(&mut input, &mut line, 4).unwrap(), 4);
        assert_eq!(line, b"abc\xff");
        line.clear();
        assert_eq!(read_line_capped(&mut input, &mut line, 4).unwrap(), 4);
        assert_eq!(line, b"def\n");
        line.clear();
        assert_eq!(read_line_capped(&mut input, &mut line, 4).unwrap(), 3);
        line.clear();
        assert_eq!(read_line_capped(&mut input, &mut line, 4).unwrap(), 0);
        // Non-UTF-8 bytes pass through unchanged.
        let mut r = Redactor::new(&RedactConfig::default(), "h", "u").unwrap();
        let mut out = Vec::new();
        r.stream(
            &mut &b"caf\xe9 password=x\n"[..],
            &mut out,
            &Cancel::new(),
            false,
        )
        .unwrap();
        assert_eq!(out, b"caf\xe9 password=[REDACTED:password]\n");
    }

    #[test]
    fn mapping_lists_what_each_placeholder_stands_for() {
        let mut r = Redactor::new(&all_on(), "h", "u").unwrap();
        r.text("10.9.8.7 then 10.9.8.6");
        assert_eq!(
            r.pseudonyms.to_json(),
            serde_json::json!({"ip4": {"10.9.8.7": "ip4-1", "10.9.8.6": "ip4-2"}})
        );
    }
}
