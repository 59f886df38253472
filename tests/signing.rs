//! Signed playbooks and the machine policy: keys made here, signatures
//! checked both ways with the standard `minisign` tool, and every refusal
//! path. The policy must be owned by root, so these tests need root (CI
//! runs them); elsewhere they print NOT RUN.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::Test;

const PLAYBOOK: &str = "[playbook]\nname = \"fleet\"\nversion = \"1.2\"\n\n[[step]]\nid = \"disk\"\nkind = \"disk\"\npath = \"/\"\n";

fn root() -> bool {
    if !common::is_root() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the signing tests as root"
        );
        eprintln!("NOT RUN: the policy file must be owned by root");
        return false;
    }
    true
}

/// A scratch folder with a key pair (`supportctl.key`, `.pub`) and `p.toml`.
fn setup() -> (Test, String) {
    let t = Test::new().playbook(PLAYBOOK);
    let out = Command::new(env!("CARGO_BIN_EXE_supportctl"))
        .args(["keygen", "--dir"])
        .arg(t.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pubkey = std::fs::read_to_string(t.path().join("supportctl.pub")).unwrap();
    let key = pubkey.lines().nth(1).unwrap().to_string();
    assert_eq!(
        std::fs::metadata(t.path().join("supportctl.key"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    (t, key)
}

/// Runs the standard `minisign` tool in `dir`; returns what it printed.
fn minisign(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("minisign")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "minisign {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sign(t: &Test, file: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_supportctl"))
        .current_dir(t.path())
        .args(["sign", file])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn policy(t: &Test, text: &str) -> String {
    let path = t.path().join("policy.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn run(t: Test, policy: &str, args: &[&str]) -> common::Run {
    t.env("SUPPORTCTL_POLICY", policy).args(args).run()
}

#[test]
fn signed_by_supportctl_verified_by_minisign_and_back() {
    if !root() || !common::program_available("minisign") {
        return;
    }
    let (t, key) = setup();
    sign(&t, "p.toml");
    let d = t.path().to_path_buf();
    let said = minisign(&d, &["-Vm", "p.toml", "-p", "supportctl.pub"]);
    assert!(
        said.contains("playbook:fleet") && said.contains("version:1.2"),
        "{said}"
    );
    // And minisign's own key and signature, verified by supportctl.
    std::fs::write(d.join("q.toml"), PLAYBOOK).unwrap();
    minisign(&d, &["-GW", "-p", "m.pub", "-s", "m.key"]);
    minisign(&d, &["-Sm", "q.toml", "-s", "m.key"]);
    let mkey = std::fs::read_to_string(d.join("m.pub"))
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let p = policy(
        &t,
        &format!("trusted_keys = [\"{key}\", \"{mkey}\"]\nrequire_signature = \"always\"\n"),
    );
    let r = run(t, &p, &["run", "q.toml", "p.toml", "--format", "json"]);
    assert!(matches!(r.code, 0 | 1), "{}", r.stderr);
    let json = r.json();
    for pb in json["playbooks"].as_array().unwrap() {
        assert_eq!(pb["signature"]["status"], "signed", "{pb}");
        assert_eq!(pb["signature"]["key_id"].as_str().unwrap().len(), 16);
    }
}

#[test]
fn every_refusal_names_its_rule_and_runs_nothing() {
    if !root() {
        return;
    }
    let (t, key) = setup();
    sign(&t, "p.toml");
    let d = t.path().to_path_buf();
    let strict = policy(
        &t,
        &format!("trusted_keys = [\"{key}\"]\nrequire_signature = \"elevated\"\n"),
    );
    // Signed: runs.
    let t = run(t, &strict, &["run", "p.toml"]);
    assert!(matches!(t.code, 0 | 1), "{}", t.stderr);
    let again = |files: &[(&str, &str)], args: &[&str]| {
        let mut t = Test::new();
        for (name, text) in files {
            t = t.file(name, text);
        }
        for f in [
            "p.toml",
            "p.toml.minisig",
            "supportctl.key",
            "supportctl.pub",
        ] {
            std::fs::copy(d.join(f), t.path().join(f)).unwrap();
        }
        let p = policy(&t, &std::fs::read_to_string(&strict).unwrap());
        run(t, &p, args)
    };
    // A tampered byte.
    let tampered = PLAYBOOK.replace("path = \"/\"", "path = \"/ \"");
    let r = again(&[], &["check", "p.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut t2 = Test::new().playbook(&tampered);
    std::fs::copy(d.join("p.toml.minisig"), t2.path().join("p.toml.minisig")).unwrap();
    let p = policy(&t2, &std::fs::read_to_string(&strict).unwrap());
    t2 = t2.env("SUPPORTCTL_POLICY", &p);
    let r = t2.args(&["run", "p.toml"]).run().status(2);
    assert!(
        r.stderr.contains("does not match the playbook's bytes"),
        "{}",
        r.stderr
    );
    // Unsigned, as root under require_signature = "elevated".
    let r = again(&[("u.toml", PLAYBOOK)], &["run", "u.toml"]).status(2);
    assert!(
        r.stderr.contains("unsigned playbook") && r.stderr.contains("supportctl sign"),
        "{}",
        r.stderr
    );
    // A key the policy does not trust.
    let t3 = Test::new().playbook(PLAYBOOK);
    std::fs::copy(d.join("p.toml.minisig"), t3.path().join("p.toml.minisig")).unwrap();
    let other = Command::new(env!("CARGO_BIN_EXE_supportctl"))
        .args(["keygen", "--name", "other", "--dir"])
        .arg(t3.path())
        .output()
        .unwrap();
    let other_key = String::from_utf8_lossy(&other.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("trusted_keys = [\"")
                .map(|k| k.trim_end_matches("\"]").to_string())
        })
        .unwrap();
    let p = policy(
        &t3,
        &format!("trusted_keys = [\"{other_key}\"]\nrequire_signature = \"always\"\n"),
    );
    let r = run(t3, &p, &["run", "p.toml"]).status(2);
    assert!(r.stderr.contains("does not trust"), "{}", r.stderr);
    // Expired.
    let t4 = Test::new().playbook(PLAYBOOK);
    std::fs::copy(d.join("p.toml.minisig"), t4.path().join("p.toml.minisig")).unwrap();
    let p = policy(
        &t4,
        &format!("trusted_keys = [\"{key}\"]\nrequire_signature = \"always\"\nmax_age = \"1s\"\n"),
    );
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let r = run(t4, &p, &["run", "p.toml"]).status(2);
    assert!(r.stderr.contains("signature expired"), "{}", r.stderr);
    // Shell, kinds and paths.
    let shell = "[[step]]\nid = \"sh\"\nkind = \"command\"\nshell = true\ncommand = \"true\"\n";
    let t5 = Test::new().file("s.toml", shell);
    let p = policy(
        &t5,
        "allow_shell = false\nallowed_kinds = [\"disk\"]\nallowed_paths = [\"/nonexistent\"]\n",
    );
    let r = run(t5, &p, &["check", "s.toml"]).status(2);
    for rule in ["allow_shell", "allowed_kinds", "allowed_paths"] {
        assert!(r.stderr.contains(rule), "{rule}: {}", r.stderr);
    }
}

#[test]
fn unsigned_runs_for_an_ordinary_user_under_elevated_only() {
    if !root() || !Path::new("/usr/bin/setpriv").exists() {
        return;
    }
    let t = Test::new().playbook(PLAYBOOK);
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let p = policy(&t, "require_signature = \"elevated\"\n");
    std::fs::set_permissions(
        t.path().join("p.toml"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = Command::new("/usr/bin/setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_supportctl"))
        .args(["run", "p.toml", "--format", "json"])
        .current_dir(t.path())
        .env("SUPPORTCTL_POLICY", &p)
        .env("HOME", t.path())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["playbooks"][0]["signature"]["status"], "unsigned");
    // As root, the same playbook is refused.
    let r = run(t, &p, &["run", "p.toml"]).status(2);
    assert!(r.stderr.contains("unsigned playbook"), "{}", r.stderr);
}

#[test]
fn a_policy_someone_else_controls_or_cannot_parse_stops_everything() {
    if !root() {
        return;
    }
    let t = Test::new().playbook(PLAYBOOK);
    let p = policy(&t, "require_signature = \"never\"\n");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
    let t = t
        .env("SUPPORTCTL_POLICY", &p)
        .args(&["run", "p.toml"])
        .run()
        .status(2);
    assert!(
        t.stderr.contains("policy refused") && t.stderr.contains("written by other users"),
        "{}",
        t.stderr
    );
    let t = Test::new().playbook(PLAYBOOK);
    let p = policy(&t, "require_signature = \"never\"\n");
    std::os::unix::fs::chown(&p, Some(65534), None).unwrap();
    let r = t
        .env("SUPPORTCTL_POLICY", &p)
        .args(&["run", "p.toml"])
        .run()
        .status(2);
    assert!(r.stderr.contains("not root"), "{}", r.stderr);
    let t = Test::new().playbook(PLAYBOOK);
    let p = policy(&t, "trusted_keys = []\nrequire_signature = \"sometimes\"\n");
    let r = t
        .env("SUPPORTCTL_POLICY", &p)
        .args(&["run", "p.toml"])
        .run()
        .status(2);
    assert!(r.stderr.contains("policy.toml:2:"), "{}", r.stderr);
}

#[test]
fn pinned_scripts_run_only_unchanged() {
    let t = Test::new().file("fix.sh", "echo fixed\n");
    let sum = {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::fs::File::open(t.path().join("fix.sh"))
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        let out = Command::new("sha256sum")
            .arg(t.path().join("fix.sh"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    let script = t.path().join("fix.sh").display().to_string();
    let t = t.playbook(&format!(
        "[[step]]\nid = \"fix\"\nkind = \"command\"\ncommand = [\"sh\", \"{script}\"]\nsha256 = \"{sum}\"\n"
    ));
    std::fs::write(t.path().join("fix.sh"), "echo changed\n").unwrap();
    let r = t.args(&["run", "p.toml", "--format", "json"]).run();
    assert_eq!(r.step_status("fix"), "error", "{}", r.stdout);
    assert!(
        r.step("fix")["message"]
            .as_str()
            .unwrap()
            .contains("has changed")
    );
}
