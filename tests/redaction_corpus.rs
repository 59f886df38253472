//! Recall and precision of the built-in redaction against the corpus in
//! `tests/redaction_corpus/` (sources in its SOURCES.md): every planted
//! secret in `secrets/` must be gone from `supportctl redact`'s output, and
//! the real-looking logs in `clean/` must come out unchanged (at most one
//! false positive per 10,000 lines, the bar).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn redact(path: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_supportctl"))
        .arg("redact")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/redaction_corpus")
}

/// Whether `value` survives in `out`: whole, or as a 12-byte piece of its
/// middle that the file's other text does not also hold (base64 PEM
/// framing is shared by every key and certificate).
fn leaked(value: &str, out: &str, others: &str) -> bool {
    if out.contains(value) {
        return true;
    }
    let b = value.as_bytes();
    (16..b.len().saturating_sub(12))
        .step_by(4)
        .filter_map(|i| std::str::from_utf8(&b[i..i + 12]).ok())
        .any(|piece| out.contains(piece) && !others.contains(piece))
}

#[test]
fn planted_secrets_are_removed() {
    let dir = corpus().join("secrets");
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in std::fs::read_to_string(dir.join("EXPECTED.tsv"))
        .unwrap()
        .lines()
    {
        if let Some((file, value)) = line.split_once('\t') {
            expected.entry(file.into()).or_default().push(value.into());
        }
    }
    let (mut total, mut missed) = (0, Vec::new());
    for (file, values) in &expected {
        let path = dir.join(file);
        let original = std::fs::read_to_string(&path).unwrap();
        let mut others = original.clone();
        for v in values {
            others = others.replace(v.as_str(), "");
        }
        let out = redact(&path);
        for v in values {
            total += 1;
            if leaked(v, &out, &others) {
                missed.push(format!("{file}: {v}"));
            }
        }
    }
    let recall = 1.0 - missed.len() as f64 / total as f64;
    eprintln!(
        "recall: {}/{total} ({:.1}%)",
        total - missed.len(),
        recall * 100.0
    );
    assert!(
        recall >= 0.98,
        "recall {:.1}%; missed:\n{}",
        recall * 100.0,
        missed.join("\n")
    );
}

#[test]
fn real_logs_without_secrets_come_out_unchanged() {
    let dir = corpus().join("clean");
    let (mut lines, mut changed) = (0usize, Vec::new());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let original = std::fs::read_to_string(&path).unwrap();
        let out = redact(&path);
        for (a, b) in original.lines().zip(out.lines()) {
            lines += 1;
            if a != b {
                changed.push(format!(
                    "{}: {b}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    let per_10k = changed.len() as f64 * 10_000.0 / lines as f64;
    eprintln!(
        "false positives: {} in {lines} lines ({per_10k:.1} per 10,000)",
        changed.len()
    );
    assert!(lines >= 5000, "the precision set shrank to {lines} lines");
    assert!(
        per_10k <= 1.0,
        "{per_10k:.1} per 10,000 lines:\n{}",
        changed.join("\n")
    );
}
