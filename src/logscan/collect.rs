//! What a scan found, gathered in bounded tables: events grouped (by
//! pattern, source, event id or normalised message), each group's count,
//! first and last time and a few samples; values extracted from matching
//! lines (IP addresses, user names) with their counts. Memory stays bounded
//! whatever the log size: past [`MAX_GROUPS`] groups new keys count as
//! "other", past [`MAX_VALUES`] values per kind new values are counted apart.

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
    pub text: &'a str,
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

    /// Offers an event: counted when it is in the window and matches.
    pub fn offer(&mut self, ev: Event) {
        if let (Some(since), Some(t)) = (self.since, ev.time)
            && t < since
        {
            return;
        }
        if let Some(which) = self.matches(ev.text.as_bytes()) {
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
            for c in re.captures_iter(ev.text.as_bytes()).take(8) {
                // The first group that took part (the IP pattern has none: the whole match).
                let m = c
                    .iter()
                    .skip(1)
                    .flatten()
                    .next()
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
            group
                .samples
                .push(crate::text::clip(ev.text.trim_end(), SAMPLE_MAX).into_owned());
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

/// A message with what varies between occurrences masked, so repeats group:
/// a leading timestamp dropped, then IP addresses as `<ip>`, hex ids and
/// numbers as `#`, runs of spaces as one; at most 160 characters.
pub fn normalise(text: &str) -> String {
    static MASKS: std::sync::OnceLock<[(Regex, &'static str); 5]> = std::sync::OnceLock::new();
    let masks = MASKS.get_or_init(|| {
        [
            // A leading timestamp (ISO, syslog, epoch) and syslog's host.
            (
                Regex::new(r"^(?:<\d{1,3}>\d? ?)?(?:\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{10}(?:\.\d+)?)\s*").unwrap(),
                "",
            ),
            (Regex::new(r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b").unwrap(), "<ip>"),
            (Regex::new(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b").unwrap(), "#"),
            (Regex::new(r"\b(?:0x)?[0-9a-fA-F]*\d[0-9a-fA-F]*\b|\d+").unwrap(), "#"),
            (Regex::new(r"\s+").unwrap(), " "),
        ]
    });
    let mut out = text.as_bytes().to_vec();
    for (re, with) in masks.iter() {
        out = re.replace_all(&out, with.as_bytes()).into_owned();
    }
    let s = String::from_utf8_lossy(&out).trim().to_string();
    crate::text::clip(&s, 160).into_owned()
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
                text: line,
            });
        }
        let f = c.finish();
        assert_eq!(f.total, 3);
        assert_eq!(f.groups[0].key, "ERROR disk timeout on sector # from <ip>");
        assert_eq!(
            normalise("user=u12 took 1300ms pid 0x7f3a"),
            "user=u# took #ms pid #"
        );
        assert_eq!(f.groups[0].count, 2);
        assert_eq!(f.groups[0].samples.len(), 2);
        let ips = &f.extracted[0].values;
        assert_eq!(ips[0], ("10.0.0.7".to_string(), 2));
        let users = &f.extracted[1].values;
        assert_eq!(users, &vec![("ana".to_string(), 1)]);
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
                text: "x",
            });
        }
        let f = c.finish();
        assert_eq!(f.groups.len(), MAX_GROUPS);
        assert_eq!(f.other, 10);
        assert_eq!(f.total, (MAX_GROUPS + 10) as u64);
    }
}
