//! Timestamps at the start of log lines, in the common formats, sniffed
//! per file: ISO 8601 / RFC 3339 (with or without offset, `T` or space,
//! fractions: also RFC 5424's and log4j's `2026-11-28 09:14:03,123`),
//! RFC 3164 syslog (`Nov 28 09:14:03`, year inferred), Apache/nginx common
//! log (`[28/Nov/2026:09:14:03 +0100]`), and epoch seconds (`1764321243`,
//! `1764321243.123`, as audit and some exporters write). A time without an
//! offset is the machine's local time.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// A recognised line-start format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `2026-11-28T09:14:03.123+01:00`, `2026-11-28 09:14:03,123`, RFC 5424 `<34>1 2026-…`.
    Iso,
    /// `Nov 28 09:14:03` (RFC 3164 syslog).
    Syslog,
    /// `[28/Nov/2026:09:14:03 +0100]` somewhere in the first 100 bytes (common log).
    Clf,
    /// Epoch seconds (10 digits, optional fraction) at the line start, or `audit(1764321243.123:42)`.
    Epoch,
}

/// How times are read: the format, the zone for times without an offset,
/// and "now" for inferring a syslog line's year.
#[derive(Clone, Debug)]
pub struct Reader {
    pub format: Format,
    pub zone: TimeZone,
    pub now: Timestamp,
    /// This year in `zone` (syslog lines have none).
    year: i16,
    /// The zone's offset for the last local hour converted: most lines of a
    /// file share it, and a zone lookup per line is most of the cost.
    hour_offset: std::cell::Cell<Option<(i64, i32)>>,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let s = b.get(at..at + n)?;
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0i64, |a, d| a * 10 + i64::from(d - b'0')))
}

fn month(b: &[u8], at: usize) -> Option<i8> {
    let m = b.get(at..at + 3)?;
    MONTHS
        .iter()
        .position(|name| name.as_bytes() == m)
        .map(|i| i as i8 + 1)
}

fn civil(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, nanos: i32) -> Option<DateTime> {
    let date = Date::new(y as i16, mo as i8, d as i8).ok()?;
    let time = Time::new(h as i8, mi as i8, s.min(59) as i8, nanos).ok()?;
    Some(date.to_datetime(time))
}

/// A fraction `.123` / `,123456` at `at`: (nanoseconds, bytes used).
fn fraction(b: &[u8], at: usize) -> (i32, usize) {
    if !matches!(b.get(at), Some(b'.' | b',')) {
        return (0, 0);
    }
    let n = b[at + 1..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if n == 0 {
        return (0, 0);
    }
    let mut nanos: i64 = 0;
    for i in 0..9 {
        nanos = nanos * 10
            + b.get(at + 1 + i)
                .filter(|_| i < n)
                .map_or(0, |d| i64::from(d - b'0'));
    }
    (nanos as i32, 1 + n)
}

/// An offset `Z`, `+01:00`, `+0100`, ` +0100` at `at`: seconds east.
fn offset(b: &[u8], at: usize) -> Option<i32> {
    match b.get(at)? {
        b'Z' | b'z' => Some(0),
        sign @ (b'+' | b'-') => {
            let h = digits(b, at + 1, 2)?;
            let m = if b.get(at + 3) == Some(&b':') {
                digits(b, at + 4, 2)?
            } else {
                digits(b, at + 3, 2).unwrap_or(0)
            };
            let secs = (h * 3600 + m * 60) as i32;
            Some(if *sign == b'-' { -secs } else { secs })
        }
        _ => None,
    }
}

impl Reader {
    pub fn new(format: Format, zone: TimeZone, now: Timestamp) -> Reader {
        let year = now.to_zoned(zone.clone()).year();
        Reader {
            format,
            zone,
            now,
            year,
            hour_offset: std::cell::Cell::new(None),
        }
    }

    /// The format of a file, from its first lines; `None` when no line starts with a known time.
    pub fn sniff(lines: &[&[u8]]) -> Option<Format> {
        let now = Timestamp::now();
        let count = |f: Format| {
            let r = Reader::new(f, TimeZone::UTC, now);
            lines.iter().filter(|l| r.parse(l).is_some()).count()
        };
        [Format::Iso, Format::Syslog, Format::Clf, Format::Epoch]
            .into_iter()
            .map(|f| (count(f), f))
            .filter(|(n, _)| *n > 0)
            .max_by_key(|(n, _)| *n)
            .map(|(_, f)| f)
    }

    /// The time at the start of `line` (after an optional `<PRI>` and RFC
    /// 5424 version), or `None`.
    pub fn parse(&self, line: &[u8]) -> Option<Timestamp> {
        match self.format {
            Format::Iso => self.iso(skip_priority(line)),
            Format::Syslog => self.syslog(skip_priority(line)),
            Format::Clf => self.clf(line),
            Format::Epoch => epoch(line),
        }
    }

    fn local(&self, dt: DateTime, offset: Option<i32>) -> Option<Timestamp> {
        match offset {
            Some(secs) => {
                let off = jiff::tz::Offset::from_seconds(secs).ok()?;
                off.to_timestamp(dt).ok()
            }
            None => {
                // The civil time read as UTC, then the zone's offset for
                // that hour (looked up once per hour of log).
                let as_utc = jiff::tz::Offset::UTC.to_timestamp(dt).ok()?;
                let hour = as_utc.as_second().div_euclid(3600);
                let offset = match self.hour_offset.get() {
                    Some((h, off)) if h == hour => off,
                    _ => {
                        let z: Zoned = dt.to_zoned(self.zone.clone()).ok()?;
                        let off = z.offset().seconds();
                        self.hour_offset.set(Some((hour, off)));
                        off
                    }
                };
                as_utc
                    .checked_sub(jiff::SignedDuration::from_secs(i64::from(offset)))
                    .ok()
            }
        }
    }

    fn iso(&self, b: &[u8]) -> Option<Timestamp> {
        let (y, mo, d) = (digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?);
        if b.get(4) != Some(&b'-')
            || b.get(7) != Some(&b'-')
            || !matches!(b.get(10), Some(b'T' | b' '))
        {
            return None;
        }
        let (h, mi, s) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
        if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
            return None;
        }
        let (nanos, used) = fraction(b, 19);
        let at = 19 + used;
        let off = offset(b, at).or_else(|| {
            (b.get(at) == Some(&b' '))
                .then(|| offset(b, at + 1))
                .flatten()
        });
        self.local(civil(y, mo, d, h, mi, s, nanos)?, off)
    }

    fn syslog(&self, b: &[u8]) -> Option<Timestamp> {
        let mo = month(b, 0)?;
        if b.get(3) != Some(&b' ') {
            return None;
        }
        // Day: " 8" or "08" or "28".
        let d = digits(b, 4, 2)
            .or_else(|| (b.get(4) == Some(&b' ')).then(|| digits(b, 5, 1)).flatten())?;
        let (h, mi, s) = (digits(b, 7, 2)?, digits(b, 10, 2)?, digits(b, 13, 2)?);
        if b.get(9) != Some(&b':') || b.get(12) != Some(&b':') {
            return None;
        }
        // The year is not written: the latest year that does not put the
        // line more than a day in the future.
        for y in [i64::from(self.year), i64::from(self.year) - 1] {
            let t = self.local(civil(y, i64::from(mo), d, h, mi, s, 0)?, None)?;
            if t.as_second() <= self.now.as_second() + 86_400 {
                return Some(t);
            }
        }
        None
    }

    fn clf(&self, b: &[u8]) -> Option<Timestamp> {
        let head = &b[..b.len().min(200)];
        let open = memchr::memchr(b'[', head)?;
        let t = &head[open + 1..];
        let (d, mo, y) = (digits(t, 0, 2)?, month(t, 3)?, digits(t, 7, 4)?);
        if t.get(2) != Some(&b'/') || t.get(6) != Some(&b'/') || t.get(11) != Some(&b':') {
            return None;
        }
        let (h, mi, s) = (digits(t, 12, 2)?, digits(t, 15, 2)?, digits(t, 18, 2)?);
        let off = (t.get(20) == Some(&b' ')).then(|| offset(t, 21)).flatten();
        self.local(civil(y, i64::from(mo), d, h, mi, s, 0)?, off)
    }
}

/// `<34>` and RFC 5424's version (`<34>1 `) before the time.
fn skip_priority(b: &[u8]) -> &[u8] {
    if b.first() != Some(&b'<') {
        return b;
    }
    let Some(close) = b.iter().take(6).position(|&c| c == b'>') else {
        return b;
    };
    let rest = &b[close + 1..];
    match rest {
        [v, b' ', tail @ ..] if v.is_ascii_digit() => tail,
        _ => rest,
    }
}

fn epoch(b: &[u8]) -> Option<Timestamp> {
    let start = if b.starts_with(b"type=") {
        // auditd: `type=X msg=audit(1764321243.123:42): …`
        memchr::memmem::find(&b[..b.len().min(80)], b"audit(")? + 6
    } else {
        0
    };
    let b = &b[start..];
    let secs = digits(b, 0, 10)?;
    if b.get(10).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let (nanos, _) = fraction(b, 10);
    Timestamp::new(secs, nanos).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(format: Format) -> Reader {
        Reader::new(
            format,
            TimeZone::fixed(jiff::tz::offset(1)),
            "2026-11-28T12:00:00Z".parse().unwrap(),
        )
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn every_format() {
        let iso = reader(Format::Iso);
        assert_eq!(
            iso.parse(b"2026-11-28T09:14:03Z boom"),
            Some(at("2026-11-28T09:14:03Z"))
        );
        assert_eq!(
            iso.parse(b"2026-11-28T09:14:03.250+02:00 x"),
            Some(at("2026-11-28T07:14:03.25Z"))
        );
        assert_eq!(
            iso.parse(b"2026-11-28 09:14:03,123 ERROR [main] x"),
            Some(at("2026-11-28T08:14:03.123Z"))
        );
        assert_eq!(
            iso.parse(b"<34>1 2026-11-28T09:14:03.003Z host app - - - msg"),
            Some(at("2026-11-28T09:14:03.003Z"))
        );
        assert_eq!(
            iso.parse(b"2026-11-28 09:14:03 +0000 x"),
            Some(at("2026-11-28T09:14:03Z"))
        );
        let sys = reader(Format::Syslog);
        assert_eq!(
            sys.parse(b"Nov 28 09:14:03 host sshd[1]: x"),
            Some(at("2026-11-28T08:14:03Z"))
        );
        assert_eq!(
            sys.parse(b"Nov  2 09:14:03 host x"),
            Some(at("2026-11-02T08:14:03Z"))
        );
        // December's lines read in November are last year's.
        assert_eq!(
            sys.parse(b"Dec 30 23:00:00 host x"),
            Some(at("2025-12-30T22:00:00Z"))
        );
        let clf = reader(Format::Clf);
        assert_eq!(
            clf.parse(b"10.0.0.7 - ana [28/Nov/2026:09:14:03 +0100] \"GET / HTTP/1.1\" 500 12"),
            Some(at("2026-11-28T08:14:03Z"))
        );
        let ep = reader(Format::Epoch);
        assert_eq!(
            ep.parse(b"1764321243.5 x"),
            Some(Timestamp::new(1_764_321_243, 500_000_000).unwrap())
        );
        assert_eq!(
            ep.parse(b"type=SYSCALL msg=audit(1764321243.123:42): arch=c000003e"),
            Some(Timestamp::new(1_764_321_243, 123_000_000).unwrap())
        );
        assert_eq!(iso.parse(b"    at com.example.Foo(Foo.java:12)"), None);
    }

    #[test]
    fn sniffing() {
        let lines: Vec<&[u8]> = vec![
            b"Nov 28 09:14:03 h a",
            b"  continued",
            b"Nov 28 09:14:04 h b",
        ];
        assert_eq!(Reader::sniff(&lines), Some(Format::Syslog));
        let lines: Vec<&[u8]> = vec![b"no time here", b"nor here"];
        assert_eq!(Reader::sniff(&lines), None);
    }
}
