//! Version strings and their ordering, in five schemes ([`Scheme`]):
//! `auto` (below) for any string, and `dpkg`, `rpm`, `pep440`, `semver`,
//! each exactly its own tool's order (one module each, tested against the
//! tools themselves on real version lists in `tests/data/versions/`).
//!
//! `auto`: lenient version strings and their ordering.
//!
//! Real-world version strings are messy: `v20.11.0`, `1:9.2p1-2+deb12u6`,
//! `10.0.19045.3693`, `1.0.0-rc.1`, `2024.2`. [`Version`] parses any of them
//! without failing and orders them the way a technician would expect.
//!
//! Ordering rules (documented in docs/playbook-format.md, "Version comparison"):
//! 1. A leading `v`/`V` is ignored; surrounding whitespace is ignored.
//! 2. An epoch `N:` prefix (Debian, RPM) is compared first; none means 0.
//! 3. The rest is split into runs of digits and runs of letters; `.`, `-`,
//!    `_`, `+` and other punctuation only separate runs. `~` marks a
//!    pre-release (sorts before everything, as in Debian).
//! 4. Runs are compared left to right: numbers numerically (`10 > 9`,
//!    leading zeros ignored); pre-release words (`dev < alpha = a < beta = b
//!    < pre < rc`, also `preview`, `snapshot`) sort *before* the end of the
//!    version, so `1.0.0-rc.1 < 1.0.0`; any other word (`p1`, `deb12u6`,
//!    `build`) sorts *after* the end, so `9.2 < 9.2p1`; a number sorts after
//!    a word at the same place.
//! 5. When one version runs out, the missing runs count as the end, and
//!    trailing zero numbers are ignored: `2.39 == 2.39.0 < 2.39.0.1`.

pub mod dpkg;
pub mod pep440;
pub mod rpm;
pub mod semver;

use std::cmp::Ordering;
use std::fmt;

/// How two version strings are ordered.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Any string, ordered as a technician expects (see docs/playbook-format.md).
    #[default]
    Auto,
    /// Debian packages: `dpkg --compare-versions`.
    Dpkg,
    /// RPM packages: rpm's `labelCompare` (`[E:]V-R`).
    Rpm,
    /// Python packages: PEP 440, as the `packaging` library orders them.
    Pep440,
    /// Semantic Versioning 2.0, as npm's `semver` orders it.
    Semver,
}

impl Scheme {
    /// Orders `a` against `b`. In `pep440` and `semver`, a string that is
    /// not a version of the scheme sorts before every one that is, and two
    /// such strings are ordered by `auto`.
    pub fn compare(self, a: &str, b: &str) -> Ordering {
        fn strict<T: Ord>(a: Option<T>, b: Option<T>, raw: (&str, &str)) -> Ordering {
            match (a, b) {
                (Some(x), Some(y)) => x.cmp(&y),
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (None, None) => Version::parse(raw.0).cmp(&Version::parse(raw.1)),
            }
        }
        match self {
            Scheme::Auto => Version::parse(a).cmp(&Version::parse(b)),
            Scheme::Dpkg => dpkg::compare(a, b),
            Scheme::Rpm => rpm::compare(a, b),
            Scheme::Pep440 => strict(pep440::parse(a), pep440::parse(b), (a, b)),
            Scheme::Semver => strict(semver::parse(a), semver::parse(b), (a, b)),
        }
    }

    /// Whether `text` is a version of this scheme (`auto`, `dpkg` and
    /// `rpm` take any string).
    pub fn accepts(self, text: &str) -> bool {
        match self {
            Scheme::Pep440 => pep440::parse(text).is_some(),
            Scheme::Semver => semver::parse(text).is_some(),
            _ => true,
        }
    }

    /// The scheme of a package manager's versions (`dpkg`, `rpm`, ...).
    pub fn of_source(source: &str) -> Scheme {
        match source {
            "dpkg" => Scheme::Dpkg,
            "rpm" => Scheme::Rpm,
            _ => Scheme::Auto,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Auto => "auto",
            Scheme::Dpkg => "dpkg",
            Scheme::Rpm => "rpm",
            Scheme::Pep440 => "pep440",
            Scheme::Semver => "semver",
        }
    }
}

/// A parsed version string; keeps the original text for display.
#[derive(Clone, Debug)]
pub struct Version {
    raw: String,
    epoch: u64,
    parts: Vec<Part>,
    /// How many leading parts are the release: numbers joined by dots,
    /// up to the first other separator or word (`1.3.0` of `1.3.0-2`).
    release: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    /// A run of digits (stored without leading zeros, compared by length then text,
    /// so arbitrarily long numbers never overflow).
    Num(String),
    /// A word that marks a pre-release: its rank, and for a word not known
    /// by rank (`canary`, `next` after a `-`) the word itself.
    Pre(u8, String),
    /// `~` (Debian: sorts before anything, even the end).
    Tilde,
    /// Any other word: a post-release marker.
    Word(String),
}

/// Words that mark a later release even right after a `-` (`1.0-p1`).
const POST_WORDS: [&str; 11] = [
    "p", "pl", "patch", "post", "rev", "r", "update", "u", "sp", "hotfix", "build",
];

fn pre_rank(word: &str) -> Option<u8> {
    Some(match word {
        "dev" | "snapshot" | "nightly" => 0,
        "alpha" | "a" => 1,
        "beta" | "b" => 2,
        "pre" | "preview" => 3,
        "rc" | "c" | "cr" => 4,
        _ => return None,
    })
}

impl Version {
    /// Parses any string; never fails. An empty string is the smallest version.
    pub fn parse(text: &str) -> Version {
        let raw = text.trim().to_string();
        let mut rest = raw.as_str();
        if let Some(r) = rest.strip_prefix(['v', 'V'])
            && r.starts_with(|c: char| c.is_ascii_digit())
        {
            rest = r;
        }
        let mut epoch = 0;
        if let Some((e, r)) = rest.split_once([':', '!'])
            && !e.is_empty()
            && e.bytes().all(|b| b.is_ascii_digit())
        {
            epoch = e.parse().unwrap_or(u64::MAX);
            rest = r;
        }
        let pseudo = go_pseudo(rest);
        let rest = pseudo.as_deref().unwrap_or(rest);
        let mut parts = Vec::new();
        let mut chars = rest.char_indices().peekable();
        // The separator just before the current run (`+` starts build metadata).
        let mut after_plus = false;
        let mut after_dash = false;
        let mut release = 0;
        let mut in_release = true;
        while let Some(&(start, c)) = chars.peek() {
            if c.is_ascii_digit() {
                let mut end = start;
                while let Some(&(i, d)) = chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    end = i + d.len_utf8();
                    chars.next();
                }
                let digits = rest[start..end].trim_start_matches('0');
                parts.push(Part::Num(digits.to_string()));
                if in_release {
                    release += 1;
                }
                after_plus = false;
                after_dash = false;
            } else if c.is_alphabetic() {
                let mut end = start;
                while let Some(&(i, d)) = chars.peek() {
                    if !d.is_alphabetic() {
                        break;
                    }
                    end = i + d.len_utf8();
                    chars.next();
                }
                let word = rest[start..end].to_ascii_lowercase();
                // A lone `a`, `b` or `c` is a pre-release only when a number
                // follows (`3.12.0b1`); `3.3a`, `1.1.1c` and Debian's `+b1`
                // are later releases.
                let numbered = chars.peek().is_some_and(|&(_, d)| d.is_ascii_digit());
                let lone_letter = word.len() == 1;
                parts.push(match pre_rank(&word) {
                    Some(rank) if !after_plus && (!lone_letter || numbered) => {
                        Part::Pre(rank, String::new())
                    }
                    // Right after the release and a `-`, an unknown word is a
                    // pre-release, as in SemVer (`13.4.19-canary.0`,
                    // `14.0.0-next.3`); a release marker says nothing.
                    _ if after_dash && parts.iter().all(|p| matches!(p, Part::Num(_))) => {
                        match word.as_str() {
                            w if pre_rank(w).is_some() => {
                                Part::Pre(pre_rank(w).unwrap_or_default(), String::new())
                            }
                            "final" | "release" | "ga" | "stable" => Part::Num(String::new()),
                            w if POST_WORDS.contains(&w) => Part::Word(word),
                            _ => Part::Pre(3, word),
                        }
                    }
                    _ => Part::Word(word),
                });
                after_plus = false;
                after_dash = false;
                in_release = false;
            } else {
                if c == '~' {
                    parts.push(Part::Tilde);
                }
                after_plus = c == '+';
                after_dash = c == '-';
                in_release &= c == '.';
                chars.next();
            }
        }
        // Trailing zeros say nothing (`9.2.0` is `9.2`), which keeps the
        // order transitive: `9.2.0 < 9.2p1` as `9.2 < 9.2p1`.
        while parts
            .last()
            .is_some_and(|p| matches!(p, Part::Num(n) if n.is_empty()))
        {
            parts.pop();
        }
        let release = release.min(parts.len());
        Version {
            raw,
            epoch,
            parts,
            release,
        }
    }

    /// The text this version was parsed from.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// True when the string contained no digits at all (e.g. `garbage`).
    pub fn has_digits(&self) -> bool {
        self.raw.bytes().any(|b| b.is_ascii_digit())
    }
}

/// Where a part sorts relative to the end of a version (`None`).
fn cmp_part(a: Option<&Part>, b: Option<&Part>) -> Ordering {
    use Part::*;
    // Rank of a part's class against the end: Tilde < Pre < End < Word < Num.
    fn class(p: Option<&Part>) -> u8 {
        match p {
            Some(Tilde) => 0,
            Some(Pre(..)) => 1,
            None => 2,
            Some(Word(_)) => 3,
            Some(Num(_)) => 4,
        }
    }
    match (a, b) {
        (Some(Num(x)), Some(Num(y))) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        // A zero where the other version has ended counts as nothing: 1.0.0-rc1 vs 1.
        (Some(Num(x)), None) | (None, Some(Num(x))) if x.is_empty() => Ordering::Equal,
        (Some(Pre(x, wx)), Some(Pre(y, wy))) => x.cmp(y).then_with(|| wx.cmp(wy)),
        (Some(Word(x)), Some(Word(y))) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

impl Ord for Version {
    /// Epoch, then the release padded with zeros (`1.0rc17` is `1.0.0rc17`),
    /// then the rest part by part.
    fn cmp(&self, other: &Self) -> Ordering {
        let (ra, rb) = (self.release, other.release);
        let zero = Part::Num(String::new());
        let release = |v: &Version, len: usize, i: usize| {
            if i < len {
                v.parts.get(i).cloned()
            } else {
                Some(zero.clone())
            }
        };
        self.epoch.cmp(&other.epoch).then_with(|| {
            let by_release = (0..ra.max(rb))
                .map(|i| {
                    cmp_part(
                        release(self, ra, i).as_ref(),
                        release(other, rb, i).as_ref(),
                    )
                })
                .find(|o| o.is_ne());
            if let Some(o) = by_release {
                return o;
            }
            let (a, b) = (&self.parts[ra..], &other.parts[rb..]);
            (0..a.len().max(b.len()))
                .map(|i| cmp_part(a.get(i), b.get(i)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
    }
}

/// A Go pseudo-version (`v0.32.1-0.20250101120000-abcdef123456`,
/// `v0.0.0-20191109021931-daa7c04131f5`) as the pre-release it is: the
/// commit hash dropped and the timestamp a `dev` number, so it sorts before
/// the release it leads to (`X.Y.Z-dev.TIMESTAMP`).
fn go_pseudo(text: &str) -> Option<String> {
    let (head, hash) = text.rsplit_once('-')?;
    if hash.len() != 12 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let stamp = head.get(head.len().checked_sub(14)?..)?;
    let before = &head[..head.len() - 14];
    if !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(base) = before
        .strip_suffix("-0.")
        .or_else(|| before.strip_suffix('-'))
    {
        Some(format!("{base}-dev.{stamp}"))
    } else {
        before
            .strip_suffix(".0.")
            .map(|pre| format!("{pre}.0.{stamp}"))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    fn v(s: &str) -> Version {
        Version::parse(s)
    }

    #[test]
    fn orders_real_world_strings() {
        // Each pair: left < right.
        let ascending = [
            ("2.39.1", "2.39.2"),
            ("2.9", "2.10"),
            ("1.0.0-rc.1", "1.0.0"),
            ("1.0.0-alpha", "1.0.0-beta"),
            ("1.0.0-beta.2", "1.0.0-rc.1"),
            ("9.2", "9.2p1"),
            ("1:9.2p1-2+deb12u6", "1:9.2p1-2+deb12u7"),
            ("9.9", "1:0.1"),
            ("10.0.19044.3693", "10.0.19045.1"),
            ("v20.11.0", "v20.11.1"),
            ("126.0.6478.127", "127.0.1.1"),
            ("3.11.7", "3.12"),
            ("2023.12", "2024.2"),
            ("1.0~rc1", "1.0"),
            ("2.39", "2.39.0.1"),
            ("", "0.1"),
        ];
        for (a, b) in ascending {
            assert!(v(a) < v(b), "{a} should sort before {b}");
            assert!(v(b) > v(a), "{b} should sort after {a}");
        }
    }

    #[test]
    fn equal_forms() {
        for (a, b) in [
            ("2.39.0", "2.39"),
            ("v1.2", "1.2"),
            ("01.2", "1.2"),
            (" 3.1 ", "3.1"),
        ] {
            assert_eq!(v(a), v(b), "{a} == {b}");
        }
    }

    /// At least 40 real-world strings, each strictly above the one before:
    /// sorting any shuffle of them must give this order back.
    #[test]
    fn a_table_of_real_world_versions_sorts_in_order() {
        let ascending = [
            "",
            "0.1",
            "0.9.9",
            "1.0.0-dev",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0-rc.2",
            "1.0.0",
            "1.0.1",
            "1.2",
            "1.10",
            "2.9",
            "2.10.0",
            "2.39",
            "2.39.0.1",
            "2.39.2",
            "v2.43.0",
            "3.9.18",
            "3.11.7",
            "3.12.0b1",
            "3.12.0rc3",
            "3.12.0",
            "5.15.0-91-generic",
            "6.1.0-17-amd64",
            "9.2",
            "9.2p1",
            "9.2p1-2+deb12u6",
            "9.2p1-2+deb12u7",
            "10.0.17763.5329",
            "10.0.19045.3693",
            "10.0.19045.4046",
            "10.0.22631.2861",
            "v20.11.0",
            "v20.11.1",
            "v21.0.0",
            "126.0.6478.127",
            "126.0.6478.183",
            "127.0.1.1",
            "2023.12",
            "2024.2",
            "2024.2.1",
            "1:0.1",
            "1:9.2p1-2+deb12u6",
            "2:8.2.3995-1ubuntu2",
        ];
        assert!(ascending.len() >= 40);
        for pair in ascending.windows(2) {
            assert!(
                v(pair[0]) < v(pair[1]),
                "{} should sort before {}",
                pair[0],
                pair[1]
            );
        }
        let mut shuffled: Vec<&str> = ascending.to_vec();
        shuffled.reverse();
        shuffled.rotate_left(17);
        shuffled.sort_by_key(|s| v(s));
        assert_eq!(shuffled, ascending);
    }

    #[test]
    fn letter_suffixes_and_transitivity() {
        for (a, b) in [
            ("3.3", "3.3a"),
            ("1.1.1", "1.1.1c"),
            ("1.1.1c", "1.1.1d"),
            ("1.2.3-1", "1.2.3-1+b1"),
            ("3.12.0b1", "3.12.0"),
            ("9.2.0", "9.2p1"),
            ("9.2", "9.2p1"),
        ] {
            assert!(v(a) < v(b), "{a} should sort before {b}");
        }
        assert_eq!(v("9.2"), v("9.2.0"));
        assert!(v("9.2p1") >= v("9.2.0"), "ssh 9.2p1 meets a 9.2.0 minimum");
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "",
            "v",
            ":",
            "1:",
            "::1",
            "~~~",
            "é1.2ü",
            "99999999999999999999999.1",
        ] {
            let _ = v(s).cmp(&v("1.0"));
        }
        assert!(v("99999999999999999999999") > v("9999999999999999999"));
    }
}

/// Every scheme against its oracle's answers on real version lists
/// (tests/data/versions/, generated by the tools themselves).
#[cfg(test)]
mod oracle_tests {
    use super::Scheme;
    use std::cmp::Ordering;

    fn pairs(data: &str) -> Vec<(&str, &str, Ordering)> {
        data.lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let mut f = l.split('\t');
                let (a, b, op) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
                let op = match op {
                    "<" => Ordering::Less,
                    "=" => Ordering::Equal,
                    ">" => Ordering::Greater,
                    other => panic!("bad op {other:?} in {l:?}"),
                };
                (a, b, op)
            })
            .collect()
    }

    fn disagreements(scheme: Scheme, data: &str) -> (usize, Vec<String>) {
        let all = pairs(data);
        let bad: Vec<String> = all
            .iter()
            .filter(|(a, b, op)| scheme.compare(a, b) != *op)
            .map(|(a, b, op)| format!("{a} {op:?} {b} (got {:?})", scheme.compare(a, b)))
            .collect();
        (all.len(), bad)
    }

    macro_rules! exact {
        ($name:ident, $scheme:expr, $file:literal) => {
            #[test]
            fn $name() {
                let (n, bad) = disagreements(
                    $scheme,
                    include_str!(concat!("../../tests/data/versions/", $file)),
                );
                assert!(n > 1000, "{n} pairs");
                assert!(
                    bad.is_empty(),
                    "{} of {n} pairs disagree with the oracle:\n{}",
                    bad.len(),
                    bad.join("\n")
                );
            }
        };
    }

    exact!(dpkg_agrees_with_dpkg, Scheme::Dpkg, "dpkg.tsv");
    exact!(rpm_agrees_with_rpm, Scheme::Rpm, "rpm.tsv");
    exact!(pep440_agrees_with_packaging, Scheme::Pep440, "pep440.tsv");
    exact!(semver_agrees_with_node_semver, Scheme::Semver, "semver.tsv");
}

/// `auto` against the same oracles: it is one order for every kind of
/// string, so it disagrees where the schemes disagree with each other
/// (docs/playbook-format.md lists the deliberate differences); the counts
/// may only go down.
#[cfg(test)]
mod auto_tests {
    use super::Scheme;

    /// The classes the oracles found wrong in `auto` before, now right.
    #[test]
    fn auto_follows_the_schemes_where_they_agree() {
        use std::cmp::Ordering::*;
        for (a, b, want) in [
            ("1!1.0", "2.0", Greater),
            ("1.0.0rc9", "1.0rc17", Less),
            ("1.0a5", "1.0.0a5", Equal),
            ("0.2.post1", "0.2.0.post1", Equal),
            ("13.4.19-canary.0", "13.4.19", Less),
            ("14.0.0-next.3", "14.0.0", Less),
            ("5.9.0-insiders.1", "5.9.0", Less),
            ("14.0.0-beta.1", "14.0.0-next.3", Less),
            ("v0.32.1-0.20250101120000-abcdef123456", "v0.32.1", Less),
            ("v0.0.0-20191109021931-daa7c04131f5", "v0.0.1", Less),
            ("1.3.0-2", "1.3-1", Greater),
            ("2.3.1-1", "2.3-3", Greater),
            ("1.0-final", "1.0", Equal),
            ("1.0-p1", "1.0", Greater),
        ] {
            assert_eq!(Scheme::Auto.compare(a, b), want, "{a} vs {b}");
        }
    }

    #[test]
    fn auto_disagrees_only_where_documented() {
        for (file, data, most) in [
            (
                "dpkg",
                include_str!("../../tests/data/versions/dpkg.tsv"),
                57,
            ),
            ("rpm", include_str!("../../tests/data/versions/rpm.tsv"), 29),
            (
                "pep440",
                include_str!("../../tests/data/versions/pep440.tsv"),
                43,
            ),
            (
                "semver",
                include_str!("../../tests/data/versions/semver.tsv"),
                121,
            ),
        ] {
            let mut bad = Vec::new();
            for line in data.lines() {
                let f: Vec<&str> = line.split('\t').collect();
                let got = match Scheme::Auto.compare(f[0], f[1]) {
                    std::cmp::Ordering::Less => "<",
                    std::cmp::Ordering::Equal => "=",
                    std::cmp::Ordering::Greater => ">",
                };
                if got != f[2] {
                    bad.push(format!("{} {} {} (auto: {got})", f[0], f[2], f[1]));
                }
            }
            assert!(
                bad.len() <= most,
                "{file}: {} disagreements (at most {most}):\n{}",
                bad.len(),
                bad.join("\n")
            );
        }
    }
}
