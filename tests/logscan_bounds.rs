//! `logscan` stays bounded: a 2 GiB sparse file (no newline anywhere) is
//! read with bounded memory, measured as the child's peak resident size
//! (its own test binary, so no other child counts), and a file that grows
//! while it is read is scanned without error.
#![cfg(unix)]

mod common;

use std::io::Write;

use common::Test;

fn peak_child_rss_kib() -> i64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss
}

#[test]
fn a_2_gib_sparse_file_is_scanned_in_bounded_memory() {
    let t = Test::new();
    let path = t.path().join("sparse.log");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(2 << 30).unwrap();
    drop(f);
    let r = t
        .playbook(&format!(
            "[[step]]\nid = \"scan\"\nkind = \"logscan\"\nfiles = [\"{}\"]\npatterns = 'ERROR'\n",
            path.display()
        ))
        .args(&["run", "p.toml", "--format", "json"])
        .run();
    let step = r.step("scan");
    assert_eq!(step["status"], "pass", "{step}");
    let peak = peak_child_rss_kib();
    assert!(
        peak < 64 * 1024,
        "peak resident memory {peak} KiB, over 64 MiB"
    );
}

#[test]
fn a_file_growing_while_read() {
    let t = Test::new();
    let path = t.path().join("growing.log");
    let mut f = std::fs::File::create(&path).unwrap();
    for i in 0..200_000 {
        writeln!(
            f,
            "2026-11-28T09:14:03Z {} line {i}",
            if i % 100 == 0 { "ERROR" } else { "INFO" }
        )
        .unwrap();
    }
    let writer = std::thread::spawn(move || {
        for i in 0..200_000 {
            let _ = writeln!(f, "2026-11-28T09:14:04Z ERROR appended {i}");
        }
    });
    let r = t
        .playbook(&format!(
            "[[step]]\nid = \"scan\"\nkind = \"logscan\"\nfiles = [\"{}\"]\npatterns = 'ERROR'\nfail_count = 100000000\n",
            path.display()
        ))
        .args(&["run", "p.toml", "--format", "json"])
        .run();
    writer.join().unwrap();
    let step = r.step("scan");
    assert_eq!(step["status"], "pass", "{step}");
    let n = step["measurements"][0]["value"].as_f64().unwrap();
    assert!(n >= 2000.0, "{step}");
}
