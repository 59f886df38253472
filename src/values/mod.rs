//! Typed playbook values, parsed while the playbook loads, never mid-run.
//!
//! Sizes (`"500 MB"`, `"2 GiB"`), percentages (`"15%"`), durations (`"30s"`,
//! `"7d"`, `"1h30m"`), versions and regular expressions each have a type
//! whose `Deserialize` rejects bad text with a message that names the value
//! and shows the accepted forms; the loader adds file:line:col.

pub mod fields;
pub mod platform;

pub use platform::{Arch, OsFamily};

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// Separates an error message from its hint; the loader splits on it.
pub const HINT: &str = "\u{1f}";

/// Implements `Deserialize` (from a TOML string) and `JsonSchema` (a string
/// with a pattern and description) for a type with a `FromStr` impl.
macro_rules! string_value {
    ($ty:ty, $name:literal, $pattern:literal, $desc:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str($desc)
                    }
                    fn visit_str<E: de::Error>(self, s: &str) -> Result<$ty, E> {
                        s.parse().map_err(E::custom)
                    }
                    fn visit_i64<E: de::Error>(self, n: i64) -> Result<$ty, E> {
                        // Numbers are accepted where the text form of the number is.
                        n.to_string().parse().map_err(|_| {
                            E::custom(format!("`{n}` needs a unit and quotes{HINT}{}", $desc))
                        })
                    }
                    fn visit_f64<E: de::Error>(self, n: f64) -> Result<$ty, E> {
                        Err(E::custom(format!("`{n}` needs quotes{HINT}{}", $desc)))
                    }
                }
                d.deserialize_any(V)
            }
        }
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                // Any string may also be a `{{ template }}`, expanded before it is parsed.
                json_schema!({
                    "type": "string",
                    "description": $desc,
                    "anyOf": [{ "pattern": $pattern }, { "pattern": "\\{\\{.*\\}\\}" }]
                })
            }
        }
    };
}

/// A number of bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ByteSize(pub u64);

const UNITS: &[(&str, u64)] = &[
    ("b", 1),
    ("", 1),
    ("kb", 1_000),
    ("mb", 1_000_000),
    ("gb", 1_000_000_000),
    ("tb", 1_000_000_000_000),
    ("k", 1 << 10),
    ("kib", 1 << 10),
    ("m", 1 << 20),
    ("mib", 1 << 20),
    ("g", 1 << 30),
    ("gib", 1 << 30),
    ("t", 1 << 40),
    ("tib", 1 << 40),
];

/// Splits `"  12.5 GiB"` into (12.5, "gib").
fn number_and_unit(text: &str) -> Option<(f64, String)> {
    let t = text.trim();
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let number: f64 = t[..end].parse().ok()?;
    Some((number, t[end..].trim().to_ascii_lowercase()))
}

impl FromStr for ByteSize {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "invalid size `{text}`{HINT}write a number and a unit, e.g. \"500 MB\", \"2 GiB\", \"512K\" (KB/MB/GB = 1000, K/KiB/M/MiB/G/GiB = 1024)"
            )
        };
        let (n, unit) = number_and_unit(text).ok_or_else(bad)?;
        let (_, mult) = UNITS.iter().find(|(u, _)| *u == unit).ok_or_else(bad)?;
        let bytes = n * *mult as f64;
        if !bytes.is_finite() || bytes > u64::MAX as f64 {
            return Err(format!("size `{text}` is too large"));
        }
        Ok(ByteSize(bytes.round() as u64))
    }
}
string_value!(
    ByteSize,
    "Size",
    r"^\s*[0-9.]+\s*([kKmMgGtT]i?[bB]?|[bB])?\s*$",
    "A size: \"500 MB\", \"2 GiB\", \"512K\". KB/MB/GB are powers of 1000; K/KiB, M/MiB, G/GiB powers of 1024."
);

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&human_bytes(self.0))
    }
}

/// A TCP port written as a number, or as text so a template can supply it
/// (`port = "{{ https_port }}"`).
pub fn port<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(i64),
        Text(String),
    }
    let bad = |shown: String| {
        serde::de::Error::custom(format!(
            "`{shown}` is not a port{HINT}a number from 1 to 65535, e.g. 443"
        ))
    };
    match Raw::deserialize(d)? {
        Raw::Number(n) => u16::try_from(n).map_err(|_| bad(n.to_string())),
        Raw::Text(t) => t.trim().parse::<u16>().map_err(|_| bad(t)),
    }
}

/// One port or a list of them (`443`, `"{{ port }}"`, `[9100, 631, 515]`).
pub fn ports<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u16>, D::Error> {
    #[derive(Deserialize)]
    struct One(#[serde(deserialize_with = "port")] u16);
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        List(Vec<serde_json::Value>),
        Single(serde_json::Value),
    }
    let one = |v: serde_json::Value| {
        One::deserialize(v)
            .map(|p| p.0)
            .map_err(serde::de::Error::custom)
    };
    match Raw::deserialize(d)? {
        Raw::List(items) if items.is_empty() => Err(serde::de::Error::custom(format!(
            "no port given{HINT}a number from 1 to 65535, or a list of them"
        ))),
        Raw::List(items) => items.into_iter().map(one).collect(),
        Raw::Single(v) => one(v).map(|p| vec![p]),
    }
}

/// The JSON Schema of [`ports`]: a port, or a list of them.
pub fn ports_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let one = port_schema(g);
    schemars::json_schema!({
        "anyOf": [one, {"type": "array", "items": one, "minItems": 1}]
    })
}

/// The JSON Schema of [`port`]: an integer, or digits as text.
pub fn port_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": 65535},
            {"type": "string", "description": "digits, usually from a template"}
        ]
    })
}

/// An optional count: a number (`50`), or digits as text (`"50"`, usually
/// from a template).
pub fn opt_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(u64),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Number(n) => Ok(Some(n)),
        Raw::Text(t) => t.trim().parse::<u64>().map(Some).map_err(|_| {
            serde::de::Error::custom(format!(
                "`{t}` is not a count{HINT}a whole number, 0 or more, e.g. 50"
            ))
        }),
    }
}

/// The JSON Schema of [`opt_count`]: an integer, or digits as text.
pub fn count_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [
            {"type": "integer", "minimum": 0},
            {"type": "string", "description": "digits, usually from a template"}
        ]
    })
}

/// An optional CPU percentage: a number (`90`), or text (`"90"`, `"90%"`,
/// usually from a template). Must be finite and not negative.
pub fn opt_percent<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(f64),
        Text(String),
    }
    let bad = |shown: String| {
        serde::de::Error::custom(format!(
            "`{shown}` is not a percentage{HINT}a number of percent, 0 or more, e.g. 90 (a busy core) or 250 (two and a half cores)"
        ))
    };
    let v = match Raw::deserialize(d)? {
        Raw::Number(n) => n,
        Raw::Text(t) => t
            .trim()
            .trim_end_matches('%')
            .trim()
            .parse::<f64>()
            .map_err(|_| bad(t.clone()))?,
    };
    if !v.is_finite() || v < 0.0 {
        return Err(bad(v.to_string()));
    }
    Ok(Some(v))
}

/// The JSON Schema of [`opt_percent`]: a number, or text.
pub fn percent_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [
            {"type": "number", "minimum": 0},
            {"type": "string", "description": "a number of percent, usually from a template"}
        ]
    })
}

/// Formats bytes with binary units and one decimal: `1.5 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const NAMES: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < NAMES.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", NAMES[unit])
    }
}

/// A threshold that is either an absolute size or a percentage of a total.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SizeOrPercent {
    Size(ByteSize),
    Percent(f64),
}

impl SizeOrPercent {
    /// The threshold in bytes, given the total it is a percentage of.
    pub fn bytes_of(&self, total: u64) -> u64 {
        match self {
            SizeOrPercent::Size(s) => s.0,
            SizeOrPercent::Percent(p) => (total as f64 * p / 100.0).round() as u64,
        }
    }
}

impl FromStr for SizeOrPercent {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        if let Some(p) = text.trim().strip_suffix('%') {
            return match p.trim().parse::<f64>() {
                Ok(v) if (0.0..=100.0).contains(&v) => Ok(SizeOrPercent::Percent(v)),
                _ => Err(format!(
                    "invalid percentage `{text}`{HINT}write a number from 0 to 100 followed by %, e.g. \"15%\""
                )),
            };
        }
        // A bare number is ambiguous here (15 bytes or 15%?): a unit is required.
        let has_unit = text.trim().ends_with(|c: char| c.is_ascii_alphabetic());
        match text.parse() {
            Ok(size) if has_unit => Ok(SizeOrPercent::Size(size)),
            _ => Err(format!(
                "invalid size or percentage `{text}`{HINT}write \"15%\", \"500 MB\" or \"2 GiB\""
            )),
        }
    }
}
string_value!(
    SizeOrPercent,
    "SizeOrPercent",
    r"^\s*[0-9.]+\s*(%|[kKmMgGtT]i?[bB]?|[bB])?\s*$",
    "A size (\"500 MB\", \"2 GiB\") or a percentage (\"15%\")."
);

impl fmt::Display for SizeOrPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeOrPercent::Size(s) => s.fmt(f),
            SizeOrPercent::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// The longest duration a playbook may give (keeps time arithmetic far from overflow).
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 86_400);

/// A duration written as `"30s"`, `"5m"`, `"7d"`, `"1h30m"`, `"250ms"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dur(pub Duration);

impl FromStr for Dur {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "invalid duration `{text}`{HINT}write a number and a unit, e.g. \"500ms\", \"30s\", \"5m\", \"2h\", \"7d\", \"1w\" or \"1h30m\""
            )
        };
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(bad());
        }
        let mut total = Duration::ZERO;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
            let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = rest[digits..].trim_start();
            let unit_len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            let secs = match &rest[..unit_len] {
                "ms" => 0,
                "s" | "sec" | "secs" => 1,
                "m" | "min" | "mins" => 60,
                "h" | "hr" | "hrs" => 3600,
                "d" | "day" | "days" => 86_400,
                "w" | "week" | "weeks" => 604_800,
                _ => return Err(bad()),
            };
            let part = if secs == 0 {
                Duration::from_millis(n)
            } else {
                Duration::from_secs(n.checked_mul(secs).ok_or_else(bad)?)
            };
            total = total.checked_add(part).ok_or_else(bad)?;
            rest = rest[unit_len..].trim_start();
        }
        if total > MAX_DURATION {
            return Err(format!(
                "duration `{text}` is too long{HINT}the longest accepted is 365d"
            ));
        }
        Ok(Dur(total))
    }
}
string_value!(
    Dur,
    "Duration",
    r"^\s*([0-9]+\s*(ms|s|secs?|m|mins?|h|hrs?|d|days?|w|weeks?)\s*)+$",
    "A duration: \"500ms\", \"30s\", \"5m\", \"2h\", \"7d\", \"1w\", \"1h30m\"."
);

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&human_duration(self.0))
    }
}

impl Serialize for Dur {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// Formats a duration compactly: `250ms`, `30s`, `5m`, `1h30m`, `7d`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    if !ms.is_multiple_of(1000) && d.as_secs() < 60 {
        return format!("{:.1}s", d.as_secs_f64());
    }
    let mut secs = d.as_secs();
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

/// A version requirement's version, parsed leniently (see [`crate::version`]).
impl<'de> Deserialize<'de> for crate::version::Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = crate::version::Version;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a version string such as \"10.0.19045\" or \"2.30\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                let v = crate::version::Version::parse(s);
                if v.has_digits() {
                    Ok(v)
                } else {
                    Err(E::custom(format!(
                        "invalid version `{s}`{HINT}write digits, e.g. \"10.0.19045\" or \"2.30\""
                    )))
                }
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                Ok(crate::version::Version::parse(&n.to_string()))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                Err(E::custom(format!(
                    "version {n} is a number{HINT}write versions as strings (e.g. \"2.10\"): as a number, 2.10 is read as 2.1"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for crate::version::Version {
    fn schema_name() -> Cow<'static, str> {
        "Version".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "integer"], "description": "A version such as \"10.0.19045\", \"2.30\" or \"1:9.2p1-2\"." })
    }
}

impl Serialize for crate::version::Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A regular expression compiled at load time.
#[derive(Clone, Debug)]
pub struct Pattern(pub regex::Regex);

impl FromStr for Pattern {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        regex::Regex::new(text).map(Pattern).map_err(|e| {
            let detail = e.to_string();
            let last = detail
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .trim_start_matches("error: ")
                .to_string();
            format!("invalid regular expression `{text}`{HINT}{last}")
        })
    }
}
string_value!(
    Pattern,
    "Regex",
    ".*",
    "A regular expression (Rust regex syntax)."
);

impl Serialize for Pattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

/// A value that may be written once or as a list: `os = "linux"` or
/// `os = ["linux", "macos"]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element()? {
                    out.push(item);
                }
                Ok(OneOrMany(out))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::new(s)).map(|t| OneOrMany(vec![t]))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                self.visit_str(&s)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                T::deserialize(de::value::I64Deserializer::new(n)).map(|t| OneOrMany(vec![t]))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
                T::deserialize(de::value::BoolDeserializer::new(b)).map(|t| OneOrMany(vec![t]))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|t| OneOrMany(vec![t]))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for OneOrMany<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("OneOrMany_{}", T::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let one = generator.subschema_for::<T>();
        json_schema!({ "anyOf": [one, { "type": "array", "items": one }] })
    }
}

impl<T> OneOrMany<T> {
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!("500 MB".parse::<ByteSize>().unwrap().0, 500_000_000);
        assert_eq!("2 GiB".parse::<ByteSize>().unwrap().0, 2 << 30);
        assert_eq!("512K".parse::<ByteSize>().unwrap().0, 512 << 10);
        assert_eq!("1.5gb".parse::<ByteSize>().unwrap().0, 1_500_000_000);
        assert_eq!("42".parse::<ByteSize>().unwrap().0, 42);
        for bad in ["", "MB", "12 parsecs", "-1 MB", "1..2 GB"] {
            let err = bad.parse::<ByteSize>().unwrap_err();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn percents() {
        assert_eq!(
            "15%".parse::<SizeOrPercent>().unwrap(),
            SizeOrPercent::Percent(15.0)
        );
        assert_eq!("15%".parse::<SizeOrPercent>().unwrap().bytes_of(200), 30);
        assert!(
            "15".parse::<SizeOrPercent>().is_err(),
            "bare numbers are ambiguous"
        );
        assert!("150%".parse::<SizeOrPercent>().is_err());
        assert_eq!(
            "1 GB".parse::<SizeOrPercent>().unwrap(),
            SizeOrPercent::Size(ByteSize(1_000_000_000))
        );
    }

    #[test]
    fn durations() {
        let d = |s: &str| s.parse::<Dur>().map(|d| d.0);
        assert_eq!(d("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(d("7d").unwrap(), Duration::from_secs(7 * 86_400));
        assert_eq!(d("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(d("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(d("2 h").unwrap(), Duration::from_secs(7200));
        for bad in [
            "",
            "30",
            "7x",
            "s",
            "1.5h",
            "99999999999999999999w",
            "15250000000000w",
            "366d",
        ] {
            assert!(d(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(human_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5s");
    }
}

/// A list of glob patterns compiled at load time: `"*.log"` or `["*.tmp", "cache/**"]`.
/// A pattern without `/` matches a file or folder *name* at any depth; a
/// pattern with `/` matches the path below the root. `*` never crosses a
/// `/` (use `**` for that). Case-insensitive on Windows.
#[derive(Clone, Debug, Default)]
pub struct Globs {
    pub patterns: Vec<String>,
    names: Option<globset::GlobSet>,
    paths: Option<globset::GlobSet>,
}

impl Globs {
    pub fn new(patterns: Vec<String>) -> Result<Globs, String> {
        let build = |list: Vec<&String>| -> Result<Option<globset::GlobSet>, String> {
            if list.is_empty() {
                return Ok(None);
            }
            let mut builder = globset::GlobSetBuilder::new();
            for p in list {
                let glob = globset::GlobBuilder::new(p)
                    .case_insensitive(cfg!(windows))
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("invalid glob `{p}`{HINT}{}", e.kind()))?;
                builder.add(glob);
            }
            builder
                .build()
                .map(Some)
                .map_err(|e| format!("invalid globs{HINT}{e}"))
        };
        let (with_sep, names): (Vec<&String>, Vec<&String>) =
            patterns.iter().partition(|p| p.contains('/'));
        Ok(Globs {
            names: build(names)?,
            paths: build(with_sep)?,
            patterns,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether an entry matches: its name against patterns without `/`, its
    /// path below the root against patterns with `/`.
    pub fn matches(&self, name: &std::ffi::OsStr, rel: &std::path::Path) -> bool {
        self.names.as_ref().is_some_and(|s| s.is_match(name))
            || self.paths.as_ref().is_some_and(|s| s.is_match(rel))
    }
}

impl<'de> Deserialize<'de> for Globs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let OneOrMany(patterns) = OneOrMany::<String>::deserialize(d)?;
        Globs::new(patterns).map_err(de::Error::custom)
    }
}

impl Serialize for Globs {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.patterns.serialize(s)
    }
}

impl JsonSchema for Globs {
    fn schema_name() -> Cow<'static, str> {
        "Globs".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A glob (\"*.log\") or a list of globs; without `/` a pattern matches names at any depth, with `/` the path below the root.",
            "anyOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }]
        })
    }
}
