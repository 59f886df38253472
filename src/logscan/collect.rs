//! What a scan found, gathered in bounded tables: events grouped (by
//! pattern, a pattern's capture, source, event id or normalised message),
//! each group's count, first and last time and a few samples; values
//! extracted from matching lines (IP addresses, user names) with their
//! counts. Memory stays bounded whatever the log size: past [`MAX_GROUPS`]
//! groups new keys count as "other", past [`MAX_VALUES`] values per kind
//! new values are counted apart.

use std::collections::HashMap;

use jiff::Timestamp;
use regex::bytes::Regex;

/// How events are grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GroupBy {
    /// The message with numbers, ids and addresses masked (default).
    #[default]
    Message,
    /// Which pattern matched.
    Pattern,
    /// The file, program or event provider.
    Source,
    /// The Windows event id (else the source).
    EventId,
    /// The text of the first capture group that took part in the match of
    /// the pattern that matched (`Faulting module name: ([^,]+)` groups
    /// crashes by module); the message, as with `Message`, when none did.
    Capture,
}

/// Values to collect from matching lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extract {
    Ip,
    User,
}

impl Extract {
    pub fn name(self) -> &'static str {
        match self {
            Extract::Ip => "ip",
            Extract::User => "user",
        }
    }
}

pub const MAX_GROUPS: usize = 500;
pub const MAX_VALUES: usize = 1000;

/// One event offered to the collector.
pub struct Event<'a> {
    pub time: Option<Timestamp>,
    /// File name, program (journal), provider (Event Log), process (unified log).
    pub source: &'a str,
    pub event_id: Option<u32>,
    /// The line or message, as read (not necessarily UTF-8).
    pub text: &'a [u8],
}

/// A group of events.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub key: String,
    pub count: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub samples: Vec<String>,
}

/// Values of one kind found in matching lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Extracted {
    pub kind: Extract,
    /// (value, count), most frequent first.
    pub values: Vec<(String, u64)>,
    /// Values not kept once the table was full.
    pub dropped: u64,
}

/// Everything found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Findings {
    pub total: u64,
    /// Largest first.
    pub groups: Vec<Group>,
    /// Events in groups past the table's bound.
    pub other: u64,
    /// Per kind: values with their counts.
    pub extracted: Vec<Extracted>,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
}

/// Gathers events.
pub struct Collector {
    patterns: Vec<Regex>,
    exclude: Vec<Regex>,
    group_by: GroupBy,
    samples: usize,
    since: Option<Timestamp>,
    extract: Vec<(Extract, Regex, HashMap<String, u64>, u64)>,
    groups: HashMap<String, Group>,
    order: Vec<String>,
    findings: Findings,
}

const SAMPLE_MAX: usize = 500;

impl Collector {
    pub fn new(
        patterns: Vec<Regex>,
        exclude: Vec<Regex>,
        group_by: GroupBy,
        samples: usize,
        since: Option<Timestamp>,
        extract: &[Extract],
    ) -> Collector {
        let extract = extract
            .iter()
            .map(|e| {
                let re = match e {
                    Extract::Ip => Regex::new(
                        r"(?:\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b|\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}\b)",
                    ),
                    Extract::User => Regex::new(
                        r#"(?i)\buser(?:name)?[=: ]+"?([A-Za-z0-9._\\@$-]{1,64})|\bfor (?:invalid user |user )?([A-Za-z0-9._-]{1,64}) from\b|\baccount name:\s+([A-Za-z0-9._\\@$-]{1,64})"#,
                    ),
                }
                .expect("built-in extraction patterns compile");
                (*e, re, HashMap::new(), 0)
            })
            .collect();
        Collector {
            patterns,
            exclude,
            group_by,
            samples,
            since,
            extract,
            groups: HashMap::new(),
            order: Vec::new(),
            findings: Findings::default(),
        }
    }

    /// Which pattern matches `text` (any, when there are none), unless an
    /// exclusion does.
    pub fn matches(&self, text: &[u8]) -> Option<usize> {
        if self.exclude.iter().any(|e| e.is_match(text)) {
            return None;
        }
        if self.patterns.is_empty() {
            return Some(usize::MAX);
        }
        self.patterns.iter().position(|p| p.is_match(text))
    }

    /// For a line in which the patterns (all in one regex) already found a
    /// match: which pattern it was, when grouping needs to know, else 0;
    /// `None` when an exclusion matches.
    pub fn confirm(&self, text: &[u8]) -> Option<usize> {
        if matches!(self.group_by, GroupBy::Pattern | GroupBy::Capture) {
            return self.matches(text);
        }
        (!self.exclude.iter().any(|e| e.is_match(text))).then_some(0)
    }

    /// Offers an event: counted when it is in the window and matches.
    pub fn offer(&mut self, ev: Event) {
        if let (Some(since), Some(t)) = (self.since, ev.time)
            && t < since
        {
            return;
        }
        if let Some(which) = self.matches(ev.text) {
            self.add(ev, which);
        }
    }

    /// Counts an event already known to match pattern `which`.
    pub fn add(&mut self, ev: Event, which: usize) {
        let f = &mut self.findings;
        f.total += 1;
        if let Some(t) = ev.time {
            f.first = Some(f.first.map_or(t, |x| x.min(t)));
            f.last = Some(f.last.map_or(t, |x| x.max(t)));
        }
        for (_, re, table, dropped) in &mut self.extract {
            for c in re.captures_iter(ev.text).take(8) {
                // The first group that took part (the IP pattern has none: the whole match).
                let m = first_group(&c)
                    .or_else(|| c.get(0))
                    .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned());
                let Some(value) = m else { continue };
                let full = table.len() >= MAX_VALUES;
                match table.get_mut(&value) {
                    Some(n) => *n += 1,
                    None if !full => {
                        table.insert(value, 1);
                    }
                    None => *dropped += 1,
                }
            }
        }
        let key = match self.group_by {
            GroupBy::Pattern => self
                .patterns
                .get(which)
                .map_or_else(|| "any".to_string(), |p| p.as_str().to_string()),
            GroupBy::Source => ev.source.to_string(),
            GroupBy::EventId => match ev.event_id {
                Some(id) => format!("event {id} ({})", ev.source),
                None => ev.source.to_string(),
            },
            GroupBy::Message => normalise(ev.text),
            GroupBy::Capture => self
                .patterns
                .get(which)
                .and_then(|p| captured(p, ev.text))
                .unwrap_or_else(|| normalise(ev.text)),
        };
        let full = self.groups.len() >= MAX_GROUPS;
        let group = match self.groups.get_mut(&key) {
            Some(g) => g,
            None if !full => {
                self.order.push(key.clone());
                self.groups.entry(key.clone()).or_insert(Group {
                    key,
                    count: 0,
                    first: None,
                    last: None,
                    samples: Vec::new(),
                })
            }
            None => {
                self.findings.other += 1;
                return;
            }
        };
        group.count += 1;
        if let Some(t) = ev.time {
            group.first = Some(group.first.map_or(t, |x| x.min(t)));
            group.last = Some(group.last.map_or(t, |x| x.max(t)));
        }
        if group.samples.len() < self.samples {
            group.samples.push(
                crate::text::clip(String::from_utf8_lossy(ev.text).trim_end(), SAMPLE_MAX)
                    .into_owned(),
            );
        }
    }

    /// The findings, groups largest first (then first seen).
    pub fn finish(mut self) -> Findings {
        let mut groups: Vec<Group> = self
            .order
            .iter()
            .filter_map(|k| self.groups.remove(k))
            .collect();
        groups.sort_by_key(|g| std::cmp::Reverse(g.count));
        self.findings.groups = groups;
        self.findings.extracted = self
            .extract
            .into_iter()
            .map(|(kind, _, table, dropped)| {
                let mut values: Vec<(String, u64)> = table.into_iter().collect();
                values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                Extracted {
                    kind,
                    values,
                    dropped,
                }
            })
            .collect();
        self.findings
    }
}

/// The first capture group that took part in a match.
fn first_group<'t>(c: &regex::bytes::Captures<'t>) -> Option<regex::bytes::Match<'t>> {
    c.iter().skip(1).flatten().next()
}

/// What `pattern`'s first participating capture group holds in `text`,
/// trimmed and at most 160 characters; `None` when no group took part or
/// it holds only spaces.
fn captured(pattern: &Regex, text: &[u8]) -> Option<String> {
    let c = pattern.captures(text)?;
    let m = first_group(&c)?;
    let value = String::from_utf8_lossy(m.as_bytes());
    let value = value.trim();
    (!value.is_empty()).then(|| crate::text::clip(value, 160).into_owned())
}

/// A message with what varies between occurrences masked, so repeats group:
/// a leading timestamp dropped, IPv4 addresses as `<ip>`, numbers and hex
/// ids (a word of hex digits with a digit in it, `0x…`) as `#`, digits
/// inside words as `#` (`u12` is `u#`), runs of spaces as one; at most 160
/// bytes. One pass over the bytes: it runs for every matching line.
pub fn normalise(text: &[u8]) -> String {
    let b = skip_timestamp(text);
    let mut out: Vec<u8> = Vec::with_capacity(b.len().min(200));
    let mut i = 0;
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() && out.len() < 160 {
        let c = b[i];
        let starts_word = i == 0 || !word(b[i - 1]);
        if c.is_ascii_whitespace() {
            if out.last().is_some_and(|l| *l != b' ') {
                out.push(b' ');
            }
            i += 1;
            continue;
        }
        if starts_word
            && c.is_ascii_digit()
            && let Some(len) = ipv4_len(&b[i..])
        {
            out.extend_from_slice(b"<ip>");
            i += len;
            continue;
        }
        if starts_word && word(c) {
            let end = i + b[i..].iter().take_while(|&&x| word(x)).count();
            let run = &b[i..end];
            let hex = run.strip_prefix(b"0x").unwrap_or(run);
            if !run.iter().any(u8::is_ascii_digit) {
                out.extend_from_slice(run);
            } else if !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit) {
                out.push(b'#');
            } else {
                let mut k = 0;
                while k < run.len() {
                    if run[k].is_ascii_digit() {
                        out.push(b'#');
                        k += run[k..].iter().take_while(|d| d.is_ascii_digit()).count();
                    } else {
                        out.push(run[k]);
                        k += 1;
                    }
                }
            }
            i = end;
            continue;
        }
        out.push(c);
        i += 1;
    }
    while out.last() == Some(&b' ') {
        out.pop();
    }
    let mut s = String::from_utf8_lossy(&out).into_owned();
    if b.len() > i {
        s.push('…');
    }
    s
}

/// The length of an IPv4 address (and `:port`) at the start of `b`.
fn ipv4_len(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    for part in 0..4 {
        let n = b[i..]
            .iter()
            .take(3)
            .take_while(|d| d.is_ascii_digit())
            .count();
        if n == 0 {
            return None;
        }
        i += n;
        if part < 3 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
    }
    if b.get(i).is_some_and(|c| {
        c.is_ascii_alphanumeric() || *c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)
    }) {
        return None;
    }
    if b.get(i) == Some(&b':') {
        let port = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
        if port > 0 {
            i += 1 + port;
        }
    }
    Some(i)
}

/// `b` without a leading `<PRI>` / RFC 5424 version, timestamp (ISO,
/// syslog, epoch) and the spaces after it.
fn skip_timestamp(b: &[u8]) -> &[u8] {
    let mut b = b;
    if b.first() == Some(&b'<')
        && let Some(close) = b.iter().take(6).position(|&c| c == b'>')
    {
        b = &b[close + 1..];
        if b.first().is_some_and(u8::is_ascii_digit) && b.get(1) == Some(&b' ') {
            b = &b[2..];
        }
    }
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let skip = if b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b' ')
        && digits(&b[..4])
    {
        // ISO: through fractions and an offset.
        let mut i = 19;
        while i < b.len()
            && (b[i].is_ascii_digit() || matches!(b[i], b'.' | b',' | b':' | b'+' | b'-' | b'Z'))
        {
            i += 1;
        }
        i
    } else if b.len() >= 15
        && b[3] == b' '
        && b[9] == b':'
        && b[12] == b':'
        && b[..3].iter().all(u8::is_ascii_alphabetic)
    {
        15
    } else if b.len() > 10 && digits(&b[..10]) && !b[10].is_ascii_digit() {
        10 + b[10..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == b'.')
            .count()
    } else {
        0
    };
    let rest = &b[skip.min(b.len())..];
    let spaces = rest.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &rest[spaces..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_group_and_values_are_counted() {
        let mut c = Collector::new(
            vec![Regex::new(r"(?i)\berror\b").unwrap()],
            vec![Regex::new("healthcheck").unwrap()],
            GroupBy::Message,
            2,
            None,
            &[Extract::Ip, Extract::User],
        );
        for (i, line) in [
            "2026-11-28T09:14:03Z ERROR disk timeout on sector 1234 from 10.0.0.7",
            "2026-11-28T09:15:03Z ERROR disk timeout on sector 99 from 10.0.0.7",
            "2026-11-28T09:16:03Z error login failed for user ana from 10.0.0.9",
            "2026-11-28T09:17:03Z ERROR healthcheck failed",
            "2026-11-28T09:18:03Z all good",
        ]
        .iter()
        .enumerate()
        {
            c.offer(Event {
                time: Some(Timestamp::from_second(1_764_321_243 + i as i64 * 60).unwrap()),
                source: "app.log",
                event_id: None,
                text: line.as_bytes(),
            });
        }
        let f = c.finish();
        assert_eq!(f.total, 3);
        assert_eq!(f.groups[0].key, "ERROR disk timeout on sector # from <ip>");
        assert_eq!(
            normalise(b"user=u12 took 1300ms pid 0x7f3a"),
            "user=u# took #ms pid #"
        );
        assert_eq!(f.groups[0].count, 2);
        assert_eq!(f.groups[0].samples.len(), 2);
        let ips = &f.extracted[0].values;
        assert_eq!(ips[0], ("10.0.0.7".to_string(), 2));
        let users = &f.extracted[1].values;
        assert_eq!(users, &vec![("ana".to_string(), 1)]);
    }

    /// Grouped by what a pattern captured: crashes by faulting module, the
    /// pattern without a group (or whose group took no part) by message.
    #[test]
    fn capture_groups_by_the_first_group_that_took_part() {
        let mut c = Collector::new(
            vec![
                Regex::new(r"Faulting module name: ([^,]+),").unwrap(),
                Regex::new(r"dumped core\.(?:[\s\S]*?\n#0 +\S+ [^\n]* \(([^ \n()]+)(?: \+ 0x[0-9a-f]+)?\))?").unwrap(),
                Regex::new(r"segfault").unwrap(),
            ],
            vec![],
            GroupBy::Capture,
            1,
            None,
            &[],
        );
        for text in [
            "Faulting application name: OUTLOOK.EXE, version: 16.0.1, Faulting module name: nvwgf2umx.dll, version: 31.0.15.5222",
            "Faulting application name: OUTLOOK.EXE, version: 16.0.1, Faulting module name: nvwgf2umx.dll, version: 31.0.15.5244",
            "Faulting application name: OUTLOOK.EXE, version: 16.0.1, Faulting module name: ntdll.dll, version: 10.0.19041.3636",
            "Process 4242 (editor) of user 1000 dumped core.\n\nStack trace of thread 4242:\n#0  0x00007f3e2c8a9e2c operator()(int) (libfoo.so.1 + 0x8ae2c)\n#1  0x00007f3e2c85afb2 n/a (libc.so.6 + 0x3bfb2)",
            "Process 4243 (editor) of user 1000 dumped core.",
            "Process 4244 (editor) of user 1000 dumped core.",
            "editor[4245]: segfault at 0 ip 00007f sp 00007ff error 4",
        ] {
            c.offer(Event {
                time: None,
                source: "log",
                event_id: None,
                text: text.as_bytes(),
            });
        }
        let f = c.finish();
        let groups: Vec<(&str, u64)> = f.groups.iter().map(|g| (g.key.as_str(), g.count)).collect();
        assert_eq!(
            groups,
            [
                ("nvwgf2umx.dll", 2),
                ("Process # (editor) of user # dumped core.", 2),
                ("ntdll.dll", 1),
                ("libfoo.so.1", 1),
                ("editor[#]: segfault at # ip # sp # error #", 1),
            ]
        );
    }

    #[test]
    fn tables_stay_bounded() {
        let mut c = Collector::new(vec![], vec![], GroupBy::Source, 0, None, &[]);
        for i in 0..(MAX_GROUPS + 10) {
            let source = format!("s{i}");
            c.offer(Event {
                time: None,
                source: &source,
                event_id: None,
                text: b"x",
            });
        }
        let f = c.finish();
        assert_eq!(f.groups.len(), MAX_GROUPS);
        assert_eq!(f.other, 10);
        assert_eq!(f.total, (MAX_GROUPS + 10) as u64);
    }
}
