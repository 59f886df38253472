//! Debian's version order, exactly as `dpkg --compare-versions` has it
//! (deb-version(7)): `[epoch:]upstream[-revision]`, the revision after the
//! *last* hyphen; upstream and revision compared by dpkg's `verrevcmp`
//! (non-digit runs by a modified ASCII order where `~` sorts before
//! everything, even the end, and letters before other characters; digit
//! runs numerically).

use std::cmp::Ordering;

/// Compares two Debian version strings as dpkg does.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (ea, ua, ra) = split(a.trim());
    let (eb, ub, rb) = split(b.trim());
    cmp_number(ea, eb)
        .then_with(|| verrevcmp(ua, ub))
        .then_with(|| verrevcmp(ra, rb))
}

/// `(epoch, upstream, revision)`; a missing epoch is `0`, a missing revision empty.
fn split(v: &str) -> (&str, &str, &str) {
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) => (e, r),
        None => ("0", v),
    };
    match rest.rsplit_once('-') {
        Some((u, r)) => (epoch, u, r),
        None => (epoch, rest, ""),
    }
}

/// Numbers of any length, compared without overflow.
fn cmp_number(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// dpkg's character weight: `~` first, then the end, letters, everything else.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit(a, i)) || (j < b.len() && !digit(b, j)) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let (si, sj) = (i, j);
        while digit(a, i) {
            i += 1;
        }
        while digit(b, j) {
            j += 1;
        }
        let ord = (i - si)
            .cmp(&(j - sj))
            .then_with(|| a[si..i].cmp(&b[sj..j]));
        if ord.is_ne() {
            return ord;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::*;

    #[test]
    fn revision_is_split_at_the_last_hyphen() {
        assert_eq!(compare("2.1.28+dfsg1-9", "2.1.28+dfsg-10"), Greater);
        assert_eq!(compare("6.0.2-1+b2", "6.0-3+b2"), Greater);
        assert_eq!(compare("1.0~rc1-1", "1.0-1"), Less);
        assert_eq!(compare("1.0~~", "1.0~"), Less);
        assert_eq!(compare("1.0", "1.0-0"), Equal);
        assert_eq!(compare("1:0.1", "2.0"), Greater);
    }
}
