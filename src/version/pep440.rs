//! Python's version order (PEP 440), as the `packaging` library has it:
//! `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with the spellings PEP
//! 440 normalises (`alpha`, `c`, `pre`, `preview`, `rev`, `r`, `-N` as a
//! post-release, `_`/`-`/`.` separators, a leading `v`, any case). Release
//! segments are compared as if zero-padded (`1.0a5 == 1.0.0a5`).

use std::cmp::Ordering;

/// A parsed PEP 440 version; the fields are its sort key.
#[derive(Debug, PartialEq, Eq)]
pub struct Pep440 {
    epoch: u128,
    /// Trailing zeros removed, so `1.0` and `1.0.0` compare equal.
    release: Vec<u128>,
    /// `(0 a | 1 b | 2 rc, N)`.
    pre: Option<(u8, u128)>,
    post: Option<u128>,
    dev: Option<u128>,
    local: Vec<Local>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Local {
    /// Letters sort before numbers in a local segment.
    Word(String),
    Num(u128),
}

/// Parses a PEP 440 version, or `None` when `text` is not one.
pub fn parse(text: &str) -> Option<Pep440> {
    let s = text.trim().to_ascii_lowercase();
    let mut s = s.strip_prefix('v').unwrap_or(&s);
    let (public, local) = match s.split_once('+') {
        Some((p, l)) => (p, Some(l)),
        None => (s, None),
    };
    s = public;
    let mut epoch = 0;
    if let Some((e, rest)) = s.split_once('!') {
        epoch = number(e)?;
        s = rest;
    }
    // Release: N(.N)*
    let mut release = Vec::new();
    loop {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        release.push(number(&s[..digits])?);
        s = &s[digits..];
        match s.strip_prefix('.') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => s = rest,
            _ => break,
        }
    }
    let mut pre = None;
    let mut post = None;
    let mut dev = None;
    // Pre-release.
    if let Some((word, rest)) = tag(s, &["alpha", "beta", "preview", "pre", "rc", "a", "b", "c"]) {
        let kind = match word {
            "alpha" | "a" => 0,
            "beta" | "b" => 1,
            _ => 2,
        };
        let (n, rest) = tag_number(rest);
        pre = Some((kind, n));
        s = rest;
    }
    // Post-release: `-N`, or `[sep]post|rev|r[sep][N]`.
    if let Some(rest) = s.strip_prefix('-')
        && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        post = Some(number(&rest[..digits])?);
        s = &rest[digits..];
    } else if let Some((_, rest)) = tag(s, &["post", "rev", "r"]) {
        let (n, rest) = tag_number(rest);
        post = Some(n);
        s = rest;
    }
    if let Some((_, rest)) = tag(s, &["dev"]) {
        let (n, rest) = tag_number(rest);
        dev = Some(n);
        s = rest;
    }
    if !s.is_empty() {
        return None;
    }
    let local = match local {
        None => Vec::new(),
        Some(l) => {
            let parts: Vec<&str> = l.split(['.', '-', '_']).collect();
            if parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
            {
                return None;
            }
            parts
                .into_iter()
                .map(|p| match number(p) {
                    Some(n) if p.bytes().all(|b| b.is_ascii_digit()) => Local::Num(n),
                    _ => Local::Word(p.to_string()),
                })
                .collect()
        }
    };
    while release.last() == Some(&0) {
        release.pop();
    }
    Some(Pep440 {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

fn number(digits: &str) -> Option<u128> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Beyond u128, keep the order of lengths: saturate (never seen in practice).
    Some(digits.parse().unwrap_or(u128::MAX))
}

/// An optional separator then one of `words` (longest first in `words`).
fn tag<'a>(s: &'a str, words: &[&'static str]) -> Option<(&'static str, &'a str)> {
    let body = s.strip_prefix(['.', '-', '_']).unwrap_or(s);
    words
        .iter()
        .find_map(|w| body.strip_prefix(w).map(|rest| (*w, rest)))
}

/// An optional separator then an optional number (missing is 0). The
/// separator goes even without a number (`1.0.ALPHA-`): every later tag
/// takes an optional separator of its own.
fn tag_number(s: &str) -> (u128, &str) {
    let body = s.strip_prefix(['.', '-', '_']).unwrap_or(s);
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return (0, body);
    }
    (number(&body[..digits]).unwrap_or(0), &body[digits..])
}

impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `packaging`'s `_cmpkey`: a dev release without pre or post sorts before
/// any pre-release; no pre-release sorts after all of them; no post before
/// any post; no dev after any dev; no local before any local.
type Key<'a> = (
    u128,
    &'a [u128],
    (u8, u128),
    Option<u128>,
    (bool, u128),
    &'a [Local],
);

impl Pep440 {
    fn key(&self) -> Key<'_> {
        let pre = match (self.pre, self.post, self.dev) {
            (None, None, Some(_)) => (0, 0),
            (None, _, _) => (4, 0),
            (Some((k, n)), _, _) => (k + 1, n),
        };
        let dev = match self.dev {
            Some(n) => (false, n),
            None => (true, 0),
        };
        (self.epoch, &self.release, pre, self.post, dev, &self.local)
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
    fn padding_epochs_and_tags() {
        assert_eq!(cmp("1.0.0rc9", "1.0rc17"), Less);
        assert_eq!(cmp("1.0a5", "1.0.0a5"), Equal);
        assert_eq!(cmp("0.2.post1", "0.2.0.post1"), Equal);
        assert_eq!(cmp("1!1.0", "2.0"), Greater);
        assert_eq!(cmp("1.0.dev0", "1.0a0"), Less);
        assert_eq!(cmp("1.0-1", "1.0.post1"), Equal);
        assert_eq!(cmp("1.0+abc", "1.0+1"), Less);
        assert!(parse("1.0-").is_none() && parse("garbage").is_none());
    }
}
