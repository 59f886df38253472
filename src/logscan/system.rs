//! The OS logs: the systemd journal (`journalctl -o json`), the macOS
//! unified log (`log show --style ndjson`) and the Windows Event Log
//! (`wevtutil qe` with an XPath query built here, rendered as text). Each
//! program's output is parsed into events for the collector; the parsers
//! are plain functions, tested on recorded output on every OS.

use std::time::Instant;

use jiff::Timestamp;

use super::collect::{Collector, Event};
use crate::cancel::Cancel;
use crate::process;

/// At most this much of a program's output is read (the rest is reported as cut).
const MAX_OUTPUT: usize = 64 << 20;

/// journald priorities by name (`err` and above, as `journalctl -p err`).
pub const PRIORITIES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// Runs a log program and returns its stdout (and whether it was cut).
pub fn run(
    argv: Vec<String>,
    deadline: Instant,
    cancel: &Cancel,
) -> Result<(String, bool), String> {
    let shown = process::display_argv(&argv);
    let env = vec![("LC_ALL".into(), "C".into())];
    process::run_tool(argv, env, MAX_OUTPUT, deadline, cancel).map_err(|f| match f.code {
        Some(code) => format!("`{shown}` exited with {code}: {}", f.said),
        None => f.said,
    })
}

/// The `journalctl` command line for a window and a priority.
pub fn journal_argv(
    since: Option<Timestamp>,
    priority: Option<&str>,
    units: &[String],
) -> Vec<String> {
    let mut argv: Vec<String> = ["journalctl", "-o", "json", "--no-pager", "-q"]
        .map(String::from)
        .to_vec();
    if let Some(t) = since {
        argv.push(format!("--since=@{}", t.as_second()));
    }
    if let Some(p) = priority {
        argv.push(format!("--priority={p}"));
    }
    for u in units {
        argv.push(format!("--unit={u}"));
    }
    argv
}

/// The objects of JSON-lines output (a line that is not JSON is skipped).
fn json_lines(text: &str) -> impl Iterator<Item = serde_json::Value> + '_ {
    text.lines().filter_map(|l| serde_json::from_str(l).ok())
}

/// `journalctl -o json` lines into the collector.
pub fn parse_journal(text: &str, c: &mut Collector) -> usize {
    let mut n = 0;
    for v in json_lines(text) {
        let message = match &v["MESSAGE"] {
            serde_json::Value::String(s) => s.clone(),
            // Binary messages come as arrays of bytes.
            serde_json::Value::Array(bytes) => String::from_utf8_lossy(
                &bytes
                    .iter()
                    .filter_map(|b| b.as_u64().map(|b| b as u8))
                    .collect::<Vec<_>>(),
            )
            .into_owned(),
            _ => continue,
        };
        let time = v["__REALTIME_TIMESTAMP"]
            .as_str()
            .and_then(|us| us.parse::<i64>().ok())
            .and_then(|us| Timestamp::from_microsecond(us).ok());
        let source = v["SYSLOG_IDENTIFIER"]
            .as_str()
            .or_else(|| v["_COMM"].as_str())
            .or_else(|| v["_SYSTEMD_UNIT"].as_str())
            .unwrap_or("journal");
        c.offer(Event {
            time,
            source,
            event_id: None,
            text: message.as_bytes(),
        });
        n += 1;
    }
    n
}

/// The `log show` command line (macOS).
pub fn unified_argv(
    since: Option<Timestamp>,
    predicate: Option<&str>,
    zone: &jiff::tz::TimeZone,
) -> Vec<String> {
    let mut argv: Vec<String> = ["/usr/bin/log", "show", "--style", "ndjson", "--no-pager"]
        .map(String::from)
        .to_vec();
    if let Some(t) = since {
        argv.push("--start".into());
        argv.push(
            t.to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string(),
        );
    }
    if let Some(p) = predicate {
        argv.push("--predicate".into());
        argv.push(p.to_string());
    }
    argv
}

/// `log show --style ndjson` lines into the collector.
pub fn parse_unified(text: &str, c: &mut Collector) -> usize {
    let mut n = 0;
    for v in json_lines(text) {
        let Some(message) = v["eventMessage"].as_str() else {
            continue;
        };
        // "2026-11-28 09:14:03.123456+0100"
        let time = v["timestamp"].as_str().and_then(|t| {
            jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S%.f%z", t)
                .ok()
                .and_then(|p| p.to_timestamp().ok())
        });
        let source = v["processImagePath"]
            .as_str()
            .and_then(|p| p.rsplit('/').next())
            .or_else(|| v["subsystem"].as_str())
            .unwrap_or("unified log");
        c.offer(Event {
            time,
            source,
            event_id: None,
            text: message.as_bytes(),
        });
        n += 1;
    }
    n
}

/// Windows Event Log levels by name (`wevtutil` and the XPath use numbers).
pub fn level_number(name: &str) -> Option<u8> {
    match name.to_ascii_lowercase().as_str() {
        "critical" => Some(1),
        "error" => Some(2),
        "warning" => Some(3),
        "information" | "info" => Some(4),
        "verbose" => Some(5),
        _ => None,
    }
}

/// The XPath query for events at `level` or worse, within `window_ms`,
/// from `providers`, with `ids`: `*[System[(Level=1 or Level=2) and
/// TimeCreated[timediff(@SystemTime) <= 86400000]]]`.
pub fn event_xpath(
    level: Option<u8>,
    window_ms: Option<u64>,
    providers: &[String],
    ids: &[u32],
) -> String {
    let mut parts = Vec::new();
    if let Some(l) = level {
        let levels: Vec<String> = (1..=l).map(|n| format!("Level={n}")).collect();
        parts.push(format!("({})", levels.join(" or ")));
    }
    if let Some(ms) = window_ms {
        parts.push(format!("TimeCreated[timediff(@SystemTime) <= {ms}]"));
    }
    if !providers.is_empty() {
        let p: Vec<String> = providers
            .iter()
            .map(|p| format!("@Name='{}'", p.replace('\'', "")))
            .collect();
        parts.push(format!("Provider[{}]", p.join(" or ")));
    }
    if !ids.is_empty() {
        let e: Vec<String> = ids.iter().map(|i| format!("EventID={i}")).collect();
        parts.push(format!("({})", e.join(" or ")));
    }
    if parts.is_empty() {
        "*".into()
    } else {
        format!("*[System[{}]]", parts.join(" and "))
    }
}

/// The `wevtutil qe` command line for one log: a log name (`System`), or
/// an exported `.evtx` file (from another machine's bundle).
pub fn eventlog_argv(log: &str, xpath: &str, max: u64) -> Vec<String> {
    let mut argv = vec![
        "wevtutil".into(),
        "qe".into(),
        log.into(),
        format!("/q:{xpath}"),
        "/f:text".into(),
        "/rd:true".into(),
        format!("/c:{max}"),
    ];
    if log.to_ascii_lowercase().ends_with(".evtx") {
        argv.push("/lf:true".into());
    }
    argv
}

/// `wevtutil qe … /f:text` output (blocks of `Key: value` lines, then
/// `Description:` and the message) into the collector.
pub fn parse_eventlog(text: &str, c: &mut Collector) -> usize {
    let mut n = 0;
    for block in text.split("Event[").skip(1) {
        let mut source = "";
        let mut id = None;
        let mut time = None;
        let mut description = String::new();
        let mut in_description = false;
        for line in block.lines().skip(1) {
            if in_description {
                description.push_str(line.trim_end());
                description.push(' ');
                continue;
            }
            let l = line.trim();
            if let Some(v) = l.strip_prefix("Source:") {
                source = v.trim();
            } else if let Some(v) = l.strip_prefix("Event ID:") {
                id = v.trim().parse().ok();
            } else if let Some(v) = l.strip_prefix("Date:") {
                time = v.trim().parse::<Timestamp>().ok().or_else(|| {
                    jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M:%S%.f", v.trim())
                        .ok()
                        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::system()).ok())
                        .map(|z| z.timestamp())
                });
            } else if l.starts_with("Description:") {
                in_description = true;
                description.push_str(l.trim_start_matches("Description:").trim());
                description.push(' ');
            }
        }
        let message = description.trim();
        c.offer(Event {
            time,
            source,
            event_id: id,
            text: message.as_bytes(),
        });
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logscan::collect::GroupBy;
    use regex::bytes::Regex;

    fn collector(group_by: GroupBy) -> Collector {
        Collector::new(vec![], vec![], group_by, 1, None, &[])
    }

    #[test]
    fn journal_json() {
        let text = r#"{"__REALTIME_TIMESTAMP":"1764321243000000","MESSAGE":"Failed to start nginx.service","SYSLOG_IDENTIFIER":"systemd","PRIORITY":"3"}
{"__REALTIME_TIMESTAMP":"1764321244000000","MESSAGE":[98,105,110],"_COMM":"kernel"}
not json
"#;
        let mut c = collector(GroupBy::Source);
        assert_eq!(parse_journal(text, &mut c), 2);
        let f = c.finish();
        assert_eq!(f.total, 2);
        assert_eq!(f.groups[0].key, "systemd");
        assert_eq!(
            f.first,
            Some(Timestamp::from_second(1_764_321_243).unwrap())
        );
        assert_eq!(
            journal_argv(Some(Timestamp::from_second(100).unwrap()), Some("err"), &[]),
            [
                "journalctl",
                "-o",
                "json",
                "--no-pager",
                "-q",
                "--since=@100",
                "--priority=err"
            ]
        );
    }

    #[test]
    fn unified_ndjson() {
        let text = r#"{"timestamp":"2026-11-28 09:14:03.123456+0100","eventMessage":"disk0s2: I/O error","processImagePath":"/kernel","messageType":"Error"}
{"finished":1}
"#;
        let mut c = collector(GroupBy::Source);
        assert_eq!(parse_unified(text, &mut c), 1);
        let f = c.finish();
        assert_eq!(f.groups[0].key, "kernel");
        assert_eq!(
            f.first,
            Some("2026-11-28T08:14:03.123456Z".parse().unwrap())
        );
    }

    #[test]
    fn event_log_xpath_and_text() {
        assert_eq!(
            event_xpath(Some(2), Some(86_400_000), &["disk".into()], &[7, 153]),
            "*[System[(Level=1 or Level=2) and TimeCreated[timediff(@SystemTime) <= 86400000] and Provider[@Name='disk'] and (EventID=7 or EventID=153)]]"
        );
        assert_eq!(event_xpath(None, None, &[], &[]), "*");
        assert!(
            eventlog_argv(r"C:\\bundle\\System.evtx", "*", 10).contains(&"/lf:true".to_string())
        );
        assert!(!eventlog_argv("System", "*", 10).contains(&"/lf:true".to_string()));
        assert_eq!(level_number("Error"), Some(2));
        let text = "Event[0]:\r\n  Log Name: System\r\n  Source: disk\r\n  Date: 2026-11-28T09:14:03.1230000Z\r\n  Event ID: 153\r\n  Task: N/A\r\n  Level: Warning\r\n  Description: \r\nThe IO operation at logical block address 0x1234 was retried.\r\n\r\nEvent[1]:\r\n  Log Name: System\r\n  Source: disk\r\n  Date: 2026-11-28T09:20:03.0000000Z\r\n  Event ID: 153\r\n  Description: \r\nThe IO operation at logical block address 0x99 was retried.\r\n";
        let mut c = collector(GroupBy::EventId);
        assert_eq!(parse_eventlog(text, &mut c), 2);
        let f = c.finish();
        assert_eq!(f.groups[0].key, "event 153 (disk)");
        assert_eq!(f.groups[0].count, 2);
        assert_eq!(f.first, Some("2026-11-28T09:14:03.123Z".parse().unwrap()));
        assert!(
            f.groups[0].samples[0].starts_with("The IO operation"),
            "{:?}",
            f.groups[0].samples
        );
    }

    /// Recorded `wevtutil qe Application /f:text` events 1000 (Application
    /// Error) and System event 20 (Windows Update), grouped by what the
    /// shipped app-crash and updates playbooks capture: the faulting
    /// module, the error code and update.
    #[test]
    fn event_log_messages_group_by_capture() {
        let crash = |module: &str, ts: &str| {
            format!(
                "Event[0]:\r\n  Log Name: Application\r\n  Source: Application Error\r\n  Date: {ts}\r\n  Event ID: 1000\r\n  Task: Application Crashing Events\r\n  Level: Error\r\n  Opcode: Info\r\n  Keyword: Classic\r\n  User: N/A\r\n  User Name: N/A\r\n  Computer: PC-0042.corp.example\r\n  Description: \r\nFaulting application name: OUTLOOK.EXE, version: 16.0.17328.20162, time stamp: 0x65d6f9a1\r\nFaulting module name: {module}, version: 31.0.15.5222, time stamp: 0x6617c2b6\r\nException code: 0xc0000005\r\nFault offset: 0x0000000000a3b2c4\r\nFaulting process id: 0x0x3A4C\r\nFaulting application start time: 0x0x1DA8F3B2C4D5E6F\r\nFaulting application path: C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\r\nFaulting module path: C:\\Windows\\System32\\{module}\r\nReport Id: 5b2f1c3e-8d4a-4f6b-9e2d-7a1c0b3d5e6f\r\nFaulting package full name: \r\nFaulting package-relative application ID: \r\n\r\n"
            )
        };
        let text = crash("nvwgf2umx.dll", "2026-11-28T09:14:03.1230000Z")
            + &crash("nvwgf2umx.dll", "2026-11-28T10:02:41.0000000Z")
            + &crash("ntdll.dll", "2026-11-28T11:30:00.0000000Z");
        let module = Regex::new(
            r"(?i)Faulting application name: outlook(?:\.exe)?,.*?Faulting module name: ([^,]+),",
        )
        .unwrap();
        let mut c = Collector::new(vec![module], vec![], GroupBy::Capture, 1, None, &[]);
        assert_eq!(parse_eventlog(&text, &mut c), 3);
        let f = c.finish();
        assert_eq!(f.groups[0].key, "nvwgf2umx.dll");
        assert_eq!(f.groups[0].count, 2);
        assert_eq!(f.groups[1].key, "ntdll.dll");

        let update = "Event[0]:\r\n  Log Name: System\r\n  Source: Microsoft-Windows-WindowsUpdateClient\r\n  Date: 2026-11-27T03:12:55.4410000Z\r\n  Event ID: 20\r\n  Task: Windows Update Agent\r\n  Level: Error\r\n  Description: \r\nInstallation Failure: Windows failed to install the following update with error 0x800F0922: 2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441).\r\n";
        let failed = Regex::new(
            r"failed to install the following update with error (0x[0-9A-Fa-f]+: .*?)\.?\s*$",
        )
        .unwrap();
        let mut c = Collector::new(vec![failed], vec![], GroupBy::Capture, 1, None, &[]);
        assert_eq!(parse_eventlog(update, &mut c), 1);
        assert_eq!(
            c.finish().groups[0].key,
            "0x800F0922: 2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)"
        );
    }
}
