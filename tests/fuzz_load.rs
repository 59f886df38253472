//! Property tests: no input makes loading panic, and every diagnostic
//! renders. Inputs: random text, mutations of real playbooks, and random
//! step tables built from real keys and odd values.
//!
//! `PROPTEST_CASES` sets the number of cases per property (CI runs more).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use supportctl::facts::Facts;
use supportctl::playbook::{SourceFile, load};

fn facts() -> &'static Facts {
    static FACTS: OnceLock<Facts> = OnceLock::new();
    FACTS.get_or_init(Facts::gather)
}

fn load_text(text: &str) {
    let file = SourceFile {
        label: "fuzz.toml".into(),
        default_name: "fuzz".into(),
        dir: "/tmp".into(),
        text: Arc::from(text),
        file: None,
    };
    let overrides = BTreeMap::from([("ticket".to_string(), "INC1".to_string())]);
    if let Err(diags) = load(&file, facts(), &overrides) {
        assert!(!diags.is_empty());
        for d in diags {
            let rendered = d.render(false);
            assert!(rendered.starts_with("error: "), "{rendered}");
            let _ = d.to_json();
        }
    }
}

fn corpus() -> Vec<String> {
    let mut c: Vec<String> = supportctl::playbook::source::SHIPPED
        .iter()
        .map(|(_, t)| t.to_string())
        .collect();
    c.push(
        r#"[playbook]
name = "x"
[vars]
ticket = "none"
[[step]]
id = "a"
kind = "command"
command = ["echo", "{{ ticket }} {{ temp }}"]
timeout = "5s"
retries = 2
retry_delay = "10ms"
severity = "warn"
when = { os = ["linux", "windows"], failed = "b", min_os_version = "10.0" }
fix = { command = "echo fix", shell = true }
stdout_matches = '^\w+'
max_output = "1 KiB"
[[step]]
id = "b"
kind = "command"
command = ["true"]
only_as_fix = true
"#
        .to_string(),
    );
    c
}

const SNIPPETS: &[&str] = &[
    "[[step]]",
    "[step.fix]",
    "[vars]",
    "[playbook]",
    "kind",
    "=",
    "\"",
    "'",
    "{{",
    "}}",
    "{{ temp }}",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\n",
    "\\",
    "\\u00e9",
    "é",
    "#",
    "true",
    "-1",
    "1e99",
    "99999999999999999999",
    "\"5s\"",
    "\"15%\"",
    "\"1:2.3~rc\"",
    "when = { failed = \"a\" }",
    "fix = { step = \"a\" }",
    "id = \"a\"",
    "\u{0}",
    "\r\n",
    "\"\"\"",
    "'''",
];

fn mutation() -> impl Strategy<Value = (usize, usize, usize, usize)> {
    (any::<usize>(), any::<usize>(), 0..8usize, any::<usize>())
}

proptest! {
    #[test]
    fn random_text_never_panics(text in "\\PC{0,400}") {
        load_text(&text);
    }

    #[test]
    fn random_toml_shaped_text_never_panics(parts in proptest::collection::vec(proptest::sample::select(SNIPPETS), 0..60)) {
        load_text(&parts.concat());
    }

    #[test]
    fn mutated_playbooks_never_panic(which in any::<usize>(), edits in proptest::collection::vec(mutation(), 1..6)) {
        let corpus = corpus();
        let mut text = corpus[which % corpus.len()].clone();
        for (pos, len, op, pick) in edits {
            let mut at = pos % (text.len() + 1);
            while !text.is_char_boundary(at) { at -= 1; }
            let mut end = (at + len % 24).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            match op {
                0 | 1 => text.replace_range(at..end, ""),
                2 | 3 => text.insert_str(at, SNIPPETS[pick % SNIPPETS.len()]),
                4 => { let s = text[at..end].to_string(); text.insert_str(end, &s); }
                _ => text.replace_range(at..end, SNIPPETS[pick % SNIPPETS.len()]),
            }
        }
        load_text(&text);
    }

    #[test]
    fn random_steps_never_panic(
        keys in proptest::collection::vec((proptest::sample::select(&[
            "id", "kind", "command", "shell", "cwd", "env", "expect_exit", "stdout_contains", "stdout_matches",
            "max_output", "changes", "timeout", "retries", "retry_delay", "severity", "when", "fix", "tags",
            "only_as_fix", "stop_on_failure", "advice", "name", "bogus",
        ][..]), proptest::sample::select(&[
            "\"command\"", "\"x\"", "[\"true\"]", "[]", "true", "-5", "4294967296", "\"5s\"", "\"1 KiB\"", "\"(\"",
            "{ os = \"linux\" }", "{ step = \"a\" }", "{ failed = \"zz\" }", "{ command = [] }", "[1, \"a\"]", "1.5",
            "{ a = { b = 1 } }", "\"{{ nope }}\"", "\"{{\"", "1979-05-27T07:32:00Z",
        ][..])), 0..12),
        steps in 1..4usize,
    ) {
        let mut text = String::new();
        for s in 0..steps {
            text.push_str("[[step]]\n");
            let mut seen = std::collections::BTreeSet::new();
            for (k, v) in keys.iter().skip(s) {
                if seen.insert(*k) { text.push_str(&format!("{k} = {v}\n")); }
            }
        }
        load_text(&text);
    }
}
