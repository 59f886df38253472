//! Lenient version strings and their ordering.
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

use std::cmp::Ordering;
use std::fmt;

/// A parsed version string; keeps the original text for display.
#[derive(Clone, Debug)]
pub struct Version {
    raw: String,
    epoch: u64,
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    /// A run of digits (stored without leading zeros, compared by length then text,
    /// so arbitrarily long numbers never overflow).
    Num(String),
    /// A word that marks a pre-release, with its rank.
    Pre(u8),
    /// `~` (Debian: sorts before anything, even the end).
    Tilde,
    /// Any other word: a post-release marker.
    Word(String),
}

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
        if let Some((e, r)) = rest.split_once(':')
            && !e.is_empty()
            && e.bytes().all(|b| b.is_ascii_digit())
        {
            epoch = e.parse().unwrap_or(u64::MAX);
            rest = r;
        }
        let mut parts = Vec::new();
        let mut chars = rest.char_indices().peekable();
        // The separator just before the current run (`+` starts build metadata).
        let mut after_plus = false;
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
                after_plus = false;
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
                    Some(rank) if !after_plus && (!lone_letter || numbered) => Part::Pre(rank),
                    _ => Part::Word(word),
                });
                after_plus = false;
            } else {
                if c == '~' {
                    parts.push(Part::Tilde);
                }
                after_plus = c == '+';
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
        Version { raw, epoch, parts }
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
            Some(Pre(_)) => 1,
            None => 2,
            Some(Word(_)) => 3,
            Some(Num(_)) => 4,
        }
    }
    match (a, b) {
        (Some(Num(x)), Some(Num(y))) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        // A zero where the other version has ended counts as nothing: 1.0.0-rc1 vs 1.
        (Some(Num(x)), None) | (None, Some(Num(x))) if x.is_empty() => Ordering::Equal,
        (Some(Pre(x)), Some(Pre(y))) => x.cmp(y),
        (Some(Word(x)), Some(Word(y))) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch.cmp(&other.epoch).then_with(|| {
            let n = self.parts.len().max(other.parts.len());
            (0..n)
                .map(|i| cmp_part(self.parts.get(i), other.parts.get(i)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
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
