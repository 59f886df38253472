//! The shipped `updates` playbook on Linux: stand-in `apt-get`, `dpkg`,
//! `dnf` and `needs-restarting` first on PATH, printing recorded output
//! (Debian 12, Fedora 39), threshold variables for disk space, and a
//! private mount namespace holding `/run/reboot-required`. Each cause is
//! concluded with words for the user. The Windows causes (the update
//! service, install failures in the event log, Windows Update's offer and
//! restart keys) and the macOS ones (softwareupdate) run only there.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;

use common::Test;

/// `apt-get -s upgrade` with nothing to do (Debian 12).
const APT_NOTHING: &str = "Reading package lists...
Building dependency tree...
Reading state information...
Calculating upgrade...
0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.
";

/// `apt-get -s -o Debug::NoLocking=1 upgrade` with three upgrades, two of
/// them from the security archive (Debian 12).
const APT_PENDING: &str = "NOTE: This is only a simulation!
      apt-get needs root privileges for real execution.
      Keep also in mind that locking is deactivated,
      so don't depend on the relevance to the real current situation!
Reading package lists...
Building dependency tree...
Reading state information...
Calculating upgrade...
The following packages will be upgraded:
  libssl3 openssl tzdata
3 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.
Inst libssl3 [3.0.11-1~deb12u2] (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])
Inst openssl [3.0.11-1~deb12u2] (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])
Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable-updates [all])
Conf libssl3 (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])
Conf openssl (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])
Conf tzdata (2025b-0+deb12u1 Debian:12.11/stable-updates [all])
";

/// `apt-get -s upgrade` over broken dependencies (stdout, then stderr; exit 100).
const APT_BROKEN_OUT: &str = "Reading package lists...
Building dependency tree...
Reading state information...
You might want to run 'apt --fix-broken install' to correct these.
The following packages have unmet dependencies:
 libreoffice-core : Depends: libreoffice-common (> 4:7.4.7) but 4:7.4.5-3 is installed
";
const APT_BROKEN_ERR: &str =
    "E: Unmet dependencies. Try 'apt --fix-broken install' with no packages (or specify a solution).
";

/// `dpkg --audit` after an interrupted upgrade (a blank line between its
/// paragraphs).
const DPKG_AUDIT: &str = "The following packages have been unpacked but not yet configured.
They must be configured using dpkg --configure or the configure
menu option in dselect for them to work:
 linux-headers-6.1.0-28-amd64 Header files for Linux 6.1.0-28-amd64

The following packages are only half configured, probably due to problems
configuring them the first time.  The configuration should be retried using
dpkg --configure <package> or the configure menu option in dselect:
 linux-image-6.1.0-28-amd64 Linux 6.1 for 64-bit PCs (signed)
";

/// `dnf -q check-update` with updates waiting (Fedora 39; exit 100).
const DNF_PENDING: &str = "
NetworkManager.x86_64                   1:1.44.2-1.fc39                  updates
firefox.x86_64                          122.0-2.fc39                     updates
kernel.x86_64                           6.7.4-200.fc39                   updates
";

/// `dnf -q check-update` when a repository cannot be reached (stderr; exit 1).
const DNF_ERROR: &str = "Errors during downloading metadata for repository 'updates':
  - Curl error (6): Couldn't resolve host name for https://mirrors.fedoraproject.org/metalink?repo=updates-released-f39&arch=x86_64 [Could not resolve host: mirrors.fedoraproject.org]
Error: Failed to download metadata for repo 'updates': Cannot prepare internal mirrorlist: Curl error (6): Couldn't resolve host name for https://mirrors.fedoraproject.org/metalink?repo=updates-released-f39&arch=x86_64 [Could not resolve host: mirrors.fedoraproject.org]
";

const RESTART_NOT_NEEDED: &str = "No core libraries or services have been updated since boot-up.
Reboot should not be necessary.
";

/// `needs-restarting -r` after a kernel update (exit 1).
const RESTART_NEEDED: &str = "Core libraries or services have been updated since boot-up:
  * kernel
  * systemd

Reboot is required to fully utilize these updates.
More information: https://access.redhat.com/solutions/27943
";

/// A stand-in program: prints `stdout` and `stderr`, exits with `code`.
struct Fake {
    name: &'static str,
    stdout: &'static str,
    stderr: &'static str,
    code: i32,
}

const fn fake(name: &'static str, stdout: &'static str, code: i32) -> Fake {
    Fake {
        name,
        stdout,
        stderr: "",
        code,
    }
}

/// A machine whose package tools all say that all is well.
const CLEAN: [Fake; 4] = [
    fake("apt-get", APT_NOTHING, 0),
    fake("dpkg", "", 0),
    fake("dnf", "", 0),
    fake("needs-restarting", RESTART_NOT_NEEDED, 0),
];

/// Writes the clean tools, with `fakes` in place of theirs, into
/// `dir/bin`; returns a PATH with them first.
fn tools(dir: &Path, fakes: &[Fake]) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for f in CLEAN
        .iter()
        .filter(|c| !fakes.iter().any(|f| f.name == c.name))
        .chain(fakes)
    {
        let (out, err) = (
            bin.join(format!("{}.out", f.name)),
            bin.join(format!("{}.err", f.name)),
        );
        std::fs::write(&out, f.stdout).unwrap();
        std::fs::write(&err, f.stderr).unwrap();
        let script = format!(
            "#!/bin/sh\ncat '{}'\ncat '{}' >&2\nexit {}\n",
            out.display(),
            err.display(),
            f.code
        );
        let path = bin.join(f.name);
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
    }
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// The arguments of a JSON run of `updates` with room on every disk, plus
/// `extra`; a restart this machine really waits for is left out.
fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        "updates",
        "--format",
        "json",
        "--var",
        "min_free=1 MB",
        "--var",
        "min_free_boot=1 MB",
    ];
    if Path::new("/var/run/reboot-required").exists() {
        args.extend(["--skip", "reboot-pending"]);
    }
    args.extend(extra);
    args
}

/// Runs `updates` with `fakes` (and clean tools otherwise); returns the
/// conclusion's id (checking it has words for the user) and the report.
fn conclude(fakes: &[Fake], extra: &[&str]) -> (String, serde_json::Value) {
    let t = Test::new();
    let path = tools(t.path(), fakes);
    let json = t.env("PATH", &path).args(&args(extra)).run().json();
    (common::concluded(&json), json)
}

fn step(json: &serde_json::Value, id: &str) -> serde_json::Value {
    common::step_of(json, id).clone()
}

#[test]
fn all_well() {
    let (id, json) = conclude(&[], &[]);
    assert_eq!(id, "", "{}", json["playbooks"][0]["steps"]);
    assert_eq!(
        json["conclusions"][0]["summary"],
        "No problem found: every check ended well."
    );
    assert_eq!(
        step(&json, "apt-pending")["message"],
        "0 updates pending (0 security)"
    );
    assert_eq!(step(&json, "dnf-pending")["message"], "0 updates pending");
    assert_eq!(step(&json, "update-service")["reason"], "other_os");
}

#[test]
fn apt_updates_pending() {
    let (id, json) = conclude(&[fake("apt-get", APT_PENDING, 0)], &[]);
    assert_eq!(id, "updates-pending");
    let apt = step(&json, "apt-pending");
    assert_eq!(apt["status"], "warn");
    let out = apt["output"]["stdout"].as_str().unwrap();
    assert!(out.ends_with("3 updates pending (2 security)\n"), "{apt}");
}

#[test]
fn dnf_updates_pending() {
    let (id, json) = conclude(&[fake("dnf", DNF_PENDING, 100)], &[]);
    assert_eq!(id, "updates-pending-dnf");
    let dnf = step(&json, "dnf-pending");
    let out = dnf["output"]["stdout"].as_str().unwrap();
    assert!(out.ends_with("3 updates pending\n"), "{dnf}");
}

#[test]
fn dnf_cannot_check() {
    let dnf = Fake {
        name: "dnf",
        stdout: "",
        stderr: DNF_ERROR,
        code: 1,
    };
    let (id, _) = conclude(&[dnf], &[]);
    assert_eq!(id, "update-check-failed-dnf");
}

#[test]
fn an_interrupted_update() {
    let (id, json) = conclude(&[fake("dpkg", DPKG_AUDIT, 1)], &[]);
    assert_eq!(id, "updates-failing-dpkg");
    assert_eq!(step(&json, "dpkg-audit")["reason"], "exit");
}

#[test]
fn broken_dependencies_block_updates() {
    let apt = Fake {
        name: "apt-get",
        stdout: APT_BROKEN_OUT,
        stderr: APT_BROKEN_ERR,
        code: 100,
    };
    let (id, _) = conclude(&[apt], &[]);
    assert_eq!(id, "updates-failing-apt");
}

#[test]
fn a_restart_after_a_kernel_update() {
    let (id, _) = conclude(
        &[
            fake("needs-restarting", RESTART_NEEDED, 1),
            fake("dnf", DNF_PENDING, 100),
        ],
        &[],
    );
    // A pending restart comes before the updates still waiting.
    assert_eq!(id, "restart-pending-dnf");
}

#[test]
fn too_little_space_for_updates() {
    let (id, json) = conclude(
        &[fake("apt-get", APT_PENDING, 0)],
        &["--var", "min_free=1000 TB"],
    );
    assert_eq!(id, "low-disk-space", "{}", step(&json, "system-disk"));
}

#[test]
fn a_full_boot_partition() {
    if !Path::new("/boot").exists() {
        eprintln!("NOT RUN: no /boot here");
        return;
    }
    let (id, _) = conclude(&[], &["--var", "min_free_boot=1000 TB"]);
    assert_eq!(id, "boot-nearly-full");
}

/// In a private mount namespace, `/run` a fresh tmpfs holding
/// `reboot-required` (what Debian's and Ubuntu's packages leave).
#[test]
fn a_restart_pending() {
    let dir = tempfile::tempdir().unwrap();
    let path = tools(dir.path(), &[]);
    let mut args = args(&[]);
    args.retain(|a| *a != "--skip" && *a != "reboot-pending");
    let Some(json) = common::in_namespace(
        &["-m", "--propagation", "private"],
        "mount -t tmpfs tmpfs /run && touch /run/reboot-required",
        &args,
        &[("PATH", std::ffi::OsStr::new(&path))],
    ) else {
        return;
    };
    assert_eq!(json["conclusions"][0]["id"], "restart-pending", "{json}");
    assert!(
        json["conclusions"][0]["tell_user"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
}
