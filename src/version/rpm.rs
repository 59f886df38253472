//! RPM's version order, as `rpm.labelCompare` has it: `[epoch:]version[-release]`
//! (release after the last hyphen), each of version and release compared by
//! `rpmvercmp`: alphanumeric segments, digits numerically and above letters,
//! `~` before everything (even the end), `^` after the end but before any
//! further segment. A missing release sorts before any release.

use std::cmp::Ordering;

/// Compares two RPM `[E:]V[-R]` strings as rpm's `labelCompare` does.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (ea, va, ra) = split(a.trim());
    let (eb, vb, rb) = split(b.trim());
    let epoch = |e: Option<&str>| e.map_or(0u128, |e| e.parse().unwrap_or(u128::MAX));
    epoch(ea)
        .cmp(&epoch(eb))
        .then_with(|| rpmvercmp(va, vb))
        .then_with(|| match (ra, rb) {
            (Some(x), Some(y)) => rpmvercmp(x, y),
            (x, y) => x.is_some().cmp(&y.is_some()),
        })
}

fn split(v: &str) -> (Option<&str>, &str, Option<&str>) {
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => (Some(e), r),
        _ => (None, v),
    };
    match rest.rsplit_once('-') {
        Some((v, r)) => (epoch, v, Some(r)),
        None => (epoch, rest, None),
    }
}

/// rpm's `rpmvercmp` (lib/rpmvercmp.c), on bytes.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    while i < a.len() || j < b.len() {
        while i < a.len() && sep(a[i]) {
            i += 1;
        }
        while j < b.len() && sep(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            break;
        };
        let numeric = ca.is_ascii_digit();
        let class = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let (si, sj) = (i, j);
        while a.get(i).is_some_and(class) {
            i += 1;
        }
        while b.get(j).is_some_and(class) {
            j += 1;
        }
        if sj == j {
            // Different kinds of segment: a number beats letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (mut x, mut y) = (&a[si..i], &b[sj..j]);
        if numeric {
            while x.first() == Some(&b'0') {
                x = &x[1..];
            }
            while y.first() == Some(&b'0') {
                y = &y[1..];
            }
            let by_len = x.len().cmp(&y.len());
            if by_len.is_ne() {
                return by_len;
            }
        }
        let ord = x.cmp(y);
        if ord.is_ne() {
            return ord;
        }
    }
    match (i < a.len(), j < b.len()) {
        (false, false) => Ordering::Equal,
        (true, _) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::*;

    #[test]
    fn tilde_caret_and_segments() {
        assert_eq!(compare("1.0", "1.0.0"), Less);
        assert_eq!(compare("1.01", "1.1"), Equal);
        assert_eq!(compare("1.0~rc1", "1.0"), Less);
        assert_eq!(compare("1.0^git1", "1.0"), Greater);
        assert_eq!(compare("1.0^git1", "1.0.1"), Less);
        assert_eq!(compare("1.0a", "1.0.1"), Less);
        assert_eq!(compare("1:1.0-1", "2.0-1"), Greater);
    }
}
