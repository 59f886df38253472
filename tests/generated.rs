//! Generated files committed to the repository must match what the code
//! generates now. Run `SUPPORTCTL_BLESS=1 cargo test --test generated` to
//! refresh them after changing the CLI or the playbook format.

use std::path::Path;

fn check(path: &str, fresh: &[u8]) {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("SUPPORTCTL_BLESS").is_some() {
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, fresh).unwrap();
        return;
    }
    let committed = std::fs::read(&full).unwrap_or_default();
    assert!(
        committed == fresh,
        "{path} is stale: run `SUPPORTCTL_BLESS=1 cargo test --test generated` and commit the result"
    );
}

#[test]
fn schema_is_fresh() {
    check(
        "playbooks/schema.json",
        supportctl::playbook::schema::json().as_bytes(),
    );
}

#[test]
fn report_schema_is_fresh() {
    check(
        "docs/report.schema.json",
        supportctl::report::schema::json().as_bytes(),
    );
}

#[test]
fn reason_codes_page_is_fresh() {
    check(
        "docs/reasons.md",
        supportctl::steps::reasons_doc().as_bytes(),
    );
}

#[test]
fn completions_are_fresh() {
    use clap_complete::Shell;
    for (shell, file) in [
        (Shell::Bash, "supportctl.bash"),
        (Shell::Zsh, "_supportctl"),
        (Shell::Fish, "supportctl.fish"),
        (Shell::PowerShell, "_supportctl.ps1"),
        (Shell::Elvish, "supportctl.elv"),
    ] {
        let out = supportctl::commands::complete::script(shell);
        check(&format!("completions/{file}"), &out);
    }
}

#[test]
fn man_pages_are_fresh() {
    let pages = supportctl::commands::man::pages();
    for (name, roff) in &pages {
        check(&format!("man/{name}"), roff);
    }
    // Every page another page refers to (`supportctl-run(1)`) is shipped.
    for (name, roff) in &pages {
        let text = String::from_utf8_lossy(roff).replace("\\-", "-");
        for word in text.split(|c: char| c.is_whitespace()) {
            if let Some(page) = word
                .strip_suffix("(1)")
                .filter(|w| w.starts_with("supportctl"))
            {
                assert!(
                    pages.iter().any(|(n, _)| *n == format!("{page}.1")),
                    "{name} refers to {page}(1), which is not shipped"
                );
            }
        }
    }
    let shipped = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("man"))
        .unwrap()
        .count();
    assert_eq!(shipped, pages.len(), "man/ holds a stale page");
}

#[test]
fn every_shipped_playbook_references_the_schema() {
    for (name, text) in supportctl::playbook::source::SHIPPED {
        assert!(
            text.starts_with("#:schema ./schema.json\n"),
            "playbooks/{name}.toml must start with `#:schema ./schema.json`"
        );
    }
}
