//! Semantic Versioning 2.0 precedence, as npm's `semver.compare` has it:
//! `MAJOR.MINOR.PATCH[-pre.release][+build]` (a leading `v` or `=` allowed);
//! any pre-release sorts before its release (`13.4.19-canary.0 < 13.4.19`,
//! `3.2.0-0 < 3.2.0`); pre-release identifiers compare numerically when
//! both are digits, numbers before words, words in ASCII order, and a
//! shorter list first; build metadata is ignored.

use std::cmp::Ordering;

/// A parsed SemVer version.
#[derive(Debug, PartialEq, Eq)]
pub struct SemVer<'a> {
    core: [&'a str; 3],
    pre: Vec<&'a str>,
}

/// Parses a SemVer version, or `None` when `text` is not one.
pub fn parse(text: &str) -> Option<SemVer<'_>> {
    let s = text.trim();
    let s = s.strip_prefix('=').unwrap_or(s).trim_start();
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let s = match s.split_once('+') {
        Some((v, build)) => {
            if !identifiers_ok(build, false) {
                return None;
            }
            v
        }
        None => s,
    };
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) => {
            if !identifiers_ok(p, true) {
                return None;
            }
            (c, p.split('.').collect())
        }
        None => (s, Vec::new()),
    };
    let mut nums = core.split('.');
    let mut next = || {
        nums.next()
            .filter(|n| numeric(n) && (n.len() == 1 || !n.starts_with('0')))
    };
    let core = [next()?, next()?, next()?];
    if nums.next().is_some() {
        return None;
    }
    Some(SemVer { core, pre })
}

fn numeric(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Dot-separated non-empty `[0-9A-Za-z-]` identifiers; pre-release numbers
/// have no leading zeros.
fn identifiers_ok(s: &str, pre: bool) -> bool {
    s.split('.').all(|id| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !(pre && numeric(id) && id.len() > 1 && id.starts_with('0'))
    })
}

fn cmp_number(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for SemVer<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.core.iter().zip(&other.core) {
            let o = cmp_number(a, b);
            if o.is_ne() {
                return o;
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        for (a, b) in self.pre.iter().zip(&other.pre) {
            let o = match (numeric(a), numeric(b)) {
                (true, true) => cmp_number(a, b),
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => a.cmp(b),
            };
            if o.is_ne() {
                return o;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
}

impl PartialOrd for SemVer<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use std::cmp::Ordering::*;

    fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
        parse(a).unwrap().cmp(&parse(b).unwrap())
    }

    #[test]
    fn any_pre_release_sorts_before_its_release() {
        assert_eq!(cmp("13.4.19-canary.0", "13.4.19"), Less);
        assert_eq!(cmp("3.2.0-0", "3.2.0"), Less);
        assert_eq!(cmp("1.0.0-alpha.1", "1.0.0-alpha.beta"), Less);
        assert_eq!(cmp("1.0.0-a2", "1.0.0-a10"), Greater);
        assert_eq!(cmp("1.0.0+build.1", "1.0.0+build.2"), Equal);
        assert!(parse("1.0").is_none() && parse("01.0.0").is_none());
    }
}
