//! `logscan` on generated logs with known counts: every timestamp format,
//! matches inside and outside the window, rotated and gzipped siblings, a
//! stack trace, a UTF-16 file, a 50 MB line, a big time-ordered file whose
//! window start is found by binary search, and bad steps.

mod common;

use std::io::Write;
use std::path::Path;

use common::Test;

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// `n` lines, one a minute up to now, every `every`-th an error.
fn lines(n: i64, every: i64, format: impl Fn(jiff::Timestamp) -> String) -> (String, i64) {
    let mut out = String::new();
    let mut errors_last_day = 0;
    for i in 0..n {
        let t = now() - jiff::SignedDuration::from_mins(n - i);
        let error = i % every == 0;
        if error && (n - i) <= 24 * 60 {
            errors_last_day += 1;
        }
        out.push_str(&format!(
            "{} {} request {i} from 192.0.2.{} done\n",
            format(t),
            if error { "ERROR" } else { "INFO" },
            i % 5
        ));
    }
    (out, errors_last_day)
}

fn scan(t: Test, body: &str) -> serde_json::Value {
    let r = t
        .playbook(&format!(
            "[[step]]\nid = \"scan\"\nkind = \"logscan\"\n{body}"
        ))
        .args(&["run", "p.toml", "--format", "json"])
        .run();
    r.step("scan")
}

fn matches(step: &serde_json::Value) -> f64 {
    step["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "matches")
        .unwrap()["value"]
        .as_f64()
        .unwrap()
}

/// Writes a line's timestamp.
type Stamp = Box<dyn Fn(jiff::Timestamp) -> String>;

#[test]
fn every_timestamp_format_counts_only_the_window() {
    let zone = jiff::tz::TimeZone::system();
    let formats: Vec<(&str, Stamp)> = vec![
        (
            "iso.log",
            Box::new(|t: jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        ),
        ("log4j.log", {
            let z = zone.clone();
            Box::new(move |t: jiff::Timestamp| {
                t.to_zoned(z.clone())
                    .strftime("%Y-%m-%d %H:%M:%S,%3f")
                    .to_string()
            })
        }),
        ("syslog.log", {
            let z = zone.clone();
            Box::new(move |t: jiff::Timestamp| {
                t.to_zoned(z.clone())
                    .strftime("%b %e %H:%M:%S host app[1]:")
                    .to_string()
            })
        }),
        (
            "rfc5424.log",
            Box::new(|t: jiff::Timestamp| {
                format!(
                    "<11>1 {} host app - - -",
                    t.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00")
                )
            }),
        ),
        (
            "clf.log",
            Box::new(|t: jiff::Timestamp| {
                format!(
                    "192.0.2.9 - - [{}] \"GET /\"",
                    t.strftime("%d/%b/%Y:%H:%M:%S +0000")
                )
            }),
        ),
        (
            "epoch.log",
            Box::new(|t: jiff::Timestamp| format!("{}.250", t.as_second())),
        ),
    ];
    for (name, format) in formats {
        let t = Test::new();
        let (text, want) = lines(3 * 24 * 60, 37, format);
        std::fs::write(t.path().join(name), text).unwrap();
        let step = scan(
            t.file("x", ""),
            &format!(
                "files = [\"{{{{ playbook_dir }}}}/{name}\"]\nsince = \"24h\"\npatterns = '\\bERROR\\b'\nfail_count = 1000\n"
            ),
        );
        // One line may sit on the window's edge as the minute turns.
        let got = matches(&step) as i64;
        assert!(
            (got - want).abs() <= 1,
            "{name}: {got} matches, want {want}: {step}"
        );
    }
}

#[test]
fn rotated_gzip_and_utf16_siblings_stack_traces_and_extraction() {
    let t = Test::new();
    let d = t.path().to_path_buf();
    let stamp = |mins: i64| {
        (now() - jiff::SignedDuration::from_mins(mins))
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    // Older, rotated and gzipped: two errors in the window, one outside.
    let old = format!(
        "{} ERROR disk timeout from 198.51.100.1 user=ana\n{} ERROR disk timeout from 198.51.100.1 user=ana\n{} ERROR ancient\n",
        stamp(300),
        stamp(290),
        stamp(3000)
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(old.as_bytes()).unwrap();
    std::fs::write(d.join("app.log.1.gz"), gz.finish().unwrap()).unwrap();
    // The live file: an exception with a stack trace (the trace lines take
    // the error's time), an excluded health check.
    let live = format!(
        "{} INFO fine\n{} ERROR java.lang.IllegalStateException: boom\n    at com.example.Foo(Foo.java:12)\n{} ERROR healthcheck failed\n",
        stamp(20),
        stamp(10),
        stamp(5)
    );
    std::fs::write(d.join("app.log"), &live).unwrap();
    // A UTF-16 log (Windows writes them): one error.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            format!("{} ERROR service crashed\r\n", stamp(15))
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    std::fs::write(d.join("svc.log"), utf16).unwrap();
    // The rotated file is older than the live one.
    let old_time = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(d.join("app.log.1.gz"))
        .unwrap()
        .set_modified(old_time)
        .unwrap();
    let step = scan(
        t,
        &format!(
            "files = [\"{0}/app.log\", \"{0}/svc.log\"]\nsince = \"24h\"\npatterns = ['\\bERROR\\b', '^\\s+at ']\nexclude = 'healthcheck'\nextract = [\"ip\", \"user\"]\nwarn_count = 1\nfail_count = 10\n",
            d.display()
        ),
    );
    assert_eq!(step["status"], "warn", "{step}");
    // 2 (gz) + 1 exception + 1 trace line + 1 UTF-16 = 5; the health check and the old one are out.
    assert_eq!(matches(&step), 5.0, "{step}");
    let out = step["output"]["stdout"].as_str().unwrap();
    assert!(
        out.contains("2×  ERROR disk timeout from <ip> user=ana"),
        "{out}"
    );
    assert!(out.contains("top ip: 198.51.100.1 (2)"), "{out}");
    assert!(out.contains("top user: ana (2)"), "{out}");
    assert!(out.contains("ERROR service crashed"), "{out}");
    assert!(out.contains("app.log.1.gz"), "{out}");
    assert!(!out.contains("healthcheck"), "{out}");
}

/// A big time-ordered file: the window's start is found by binary search
/// (most of the file is skipped unread), and the count is still exact.
#[test]
fn the_window_start_is_found_without_reading_the_file() {
    let t = Test::new();
    let path = t.path().join("big.log");
    let (text, want) = lines(60 * 24 * 30, 53, |t| {
        t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    });
    std::fs::write(&path, &text).unwrap();
    let step = scan(
        t,
        &format!(
            "files = [\"{}\"]\nsince = \"24h\"\npatterns = 'ERROR'\nfail_count = 100000\n",
            path.display()
        ),
    );
    let got = matches(&step) as i64;
    assert!((got - want).abs() <= 1, "{got} vs {want}");
    let read = step["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "bytes_read")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    assert!(
        read < text.len() as f64 / 10.0,
        "read {read} of {} bytes",
        text.len()
    );
    assert!(
        step["output"]["stdout"]
            .as_str()
            .unwrap()
            .contains("before the window skipped")
    );
}

/// A 50 MB line is cut, not held whole, and the lines around it still count.
#[test]
fn a_huge_line_is_cut() {
    let t = Test::new();
    let path = t.path().join("huge.log");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "ERROR before").unwrap();
    f.write_all(&vec![b'x'; 50 << 20]).unwrap();
    writeln!(f, " ERROR inside the huge line").unwrap();
    writeln!(f, "ERROR after").unwrap();
    drop(f);
    let step = scan(
        t,
        &format!(
            "files = [\"{}\"]\npatterns = 'ERROR'\nfail_count = 100\n",
            path.display()
        ),
    );
    // before + after, and the huge line at most once.
    let got = matches(&step);
    assert!((2.0..=3.0).contains(&got), "{step}");
}

#[test]
fn missing_files_unknown_priorities_and_other_oses() {
    let t = Test::new();
    let step = scan(t, "files = [\"/nonexistent-supportctl/*.log\"]\n");
    assert_eq!(step["status"], "pass", "{step}");
    assert!(
        step["message"]
            .as_str()
            .unwrap()
            .contains("no file matches"),
        "{step}"
    );
    // Only a Windows source: skipped elsewhere, with the reason.
    if !cfg!(windows) {
        let step = scan(
            Test::new(),
            "eventlog = { log = \"System\", level = \"error\" }\n",
        );
        assert_eq!(step["status"], "skipped", "{step}");
    }
    let r = Test::new()
        .playbook("[[step]]\nkind = \"logscan\"\njournal = { priority = \"errors\" }\n\n[[step]]\nkind = \"logscan\"\n")
        .args(&["check", "p.toml"])
        .run()
        .status(2);
    assert!(
        r.stderr.contains("unknown journal priority `errors`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("say what to read"), "{}", r.stderr);
}

#[test]
fn the_real_journal_when_there_is_one() {
    if !Path::new("/run/systemd/system").is_dir() || which::which("journalctl").is_err() {
        eprintln!(
            "NOT RUN: no systemd journal here (the parser is unit-tested on recorded output)"
        );
        return;
    }
    let step = scan(
        Test::new(),
        "journal = { priority = \"debug\" }\nsince = \"1h\"\nwarn_count = 1000000\n",
    );
    assert_ne!(step["status"], "error", "{step}");
    assert!(
        step["output"]["stdout"]
            .as_str()
            .unwrap()
            .contains("journal:"),
        "{step}"
    );
}

/// An unprivileged user plants a link where a root run scans logs, aimed
/// at a file only root can read: the elevated scan refuses the link, and
/// nothing of the target reaches the report.
#[cfg(unix)]
#[test]
fn an_elevated_scan_does_not_follow_a_planted_link() {
    if !common::root_with("setpriv", "to act as another user") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let t = Test::new();
    let shared = t.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let secret = t.path().join("root-only.txt");
    std::fs::write(&secret, "ERROR root-only-token-5521\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let planted = std::process::Command::new("/usr/bin/setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "ln",
            "-s",
        ])
        .arg(&secret)
        .arg(shared.join("app.log"))
        .status()
        .unwrap();
    assert!(planted.success());
    let step = scan(
        t,
        &format!(
            "files = [\"{}/*.log\"]\npatterns = 'ERROR'\nsamples = 5\n",
            shared.display()
        ),
    );
    let text = step.to_string();
    assert!(!text.contains("root-only-token"), "{text}");
    assert!(text.contains("a link"), "{text}");
    // Nothing else was there to read: the step says so, never a clean pass.
    assert_eq!(step["status"], "error", "{step}");
}
