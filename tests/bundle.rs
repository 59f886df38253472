//! The `bundle` step through the real binary: archives opened by real
//! consumers (`unzip -t`, Python's zipfile, `sha256sum -c`), a planted-secrets
//! corpus, pseudonyms, tails, atomicity under SIGINT/SIGKILL, unwritable and
//! full destinations.
#![cfg(unix)]

mod common;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Run, Test, is_root, run_unprivileged};

/// A playbook with one bundle step writing `out/b.zip`, plus `extra` keys/tables.
fn bundle(t: Test, extra: &str) -> Test {
    let dir = t.path().to_path_buf();
    let text = format!(
        "[playbook]\nname = \"b\"\n\n[[step]]\nid = \"first\"\nkind = \"command\"\ncommand = [\"true\"]\n\n\
         [[step]]\nid = \"bundle\"\nkind = \"bundle\"\noutput = \"{}/out/b.zip\"\n{extra}\n",
        dir.display()
    );
    t.playbook(&text)
}

fn files_of(dir: &Path) -> String {
    format!("[[step.files]]\npaths = [\"{}/logs\"]\n", dir.display())
}

/// Every entry of a zip, decompressed: (name, bytes).
fn entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut a = zip::ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    (0..a.len())
        .map(|i| {
            let mut f = a.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

fn entry(zip: &Path, name: &str) -> String {
    let all = entries(zip);
    let (_, data) = all.iter().find(|(n, _)| n == name).unwrap_or_else(|| {
        panic!(
            "no {name} in {:?}",
            all.iter().map(|e| &e.0).collect::<Vec<_>>()
        )
    });
    String::from_utf8_lossy(data).into_owned()
}

/// Opens the zip with Python's zipfile (tests/consumers/zip_check.py: CRCs,
/// manifest sizes and hashes, clean names); returns the entry names.
fn python_zip_check(zip: &Path) -> String {
    let py = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/consumers/zip_check.py"
        ))
        .arg(zip)
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    String::from_utf8_lossy(&py.stdout).into_owned()
}

fn manifest(zip: &Path) -> serde_json::Value {
    serde_json::from_str(&entry(zip, "manifest.json")).unwrap()
}

fn out_dir(r: &Run) -> PathBuf {
    r.dir.join("out")
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// Bytes that do not compress (xorshift).
fn noise(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn bundles_open_in_real_consumers_with_a_complete_manifest() {
    let t = Test::new();
    let d = t.path().to_path_buf();
    write(&d.join("logs/app.log"), "started\nok\n");
    write(&d.join("logs/sub/other.log"), "more\n");
    write(&d.join("logs/data.bin"), b"\x00\x01\x02binary");
    let extra = format!(
        "{}\n[[step.commands]]\ncommand = [\"echo\", \"from a command\"]\n\n\
         [[step.commands]]\ncommand = \"echo out; echo problem >&2; exit 4\"\nshell = true\nname = \"failing.txt\"\n",
        files_of(&d)
    );
    let r = bundle(t, &extra)
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(0);
    assert_eq!(r.step_status("bundle"), "pass", "{}", r.stdout);
    let zip = out_dir(&r).join("b.zip");
    // unzip -t, Python's zipfile (CRC, manifest sizes and hashes), sha256sum -c.
    if common::program_available("unzip") {
        let unzip = Command::new("unzip").arg("-t").arg(&zip).output().unwrap();
        assert!(
            unzip.status.success(),
            "{}",
            String::from_utf8_lossy(&unzip.stdout)
        );
    }
    let names = python_zip_check(&zip);
    let logs = d.join("logs").display().to_string();
    for want in [
        format!("files{logs}/app.log"),
        format!("files{logs}/sub/other.log"),
        "commands/echo-from-a-command.txt".into(),
        "commands/failing.txt".into(),
        "facts.json".into(),
        "report.json".into(),
        "report.md".into(),
        "manifest.json".into(),
    ] {
        assert!(
            names.lines().any(|l| l == want),
            "{want} missing from {names}"
        );
    }
    let sums = Command::new("sha256sum")
        .args(["-c", "b.zip.sha256"])
        .current_dir(out_dir(&r))
        .output()
        .unwrap();
    assert!(
        sums.status.success(),
        "{}",
        String::from_utf8_lossy(&sums.stdout)
    );
    // The failing command is recorded, not fatal; its stderr is kept.
    let m = manifest(&zip);
    let failing = m["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "commands/failing.txt")
        .unwrap();
    assert_eq!(failing["exit_code"], 4);
    assert_eq!(
        entry(&zip, "commands/failing.txt"),
        "out\n\n--- stderr ---\nproblem\n\n[supportctl: exited with 4]\n"
    );
    // The binary file is listed with the reason, not stored.
    let bin = m["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source"].as_str().unwrap().ends_with("data.bin"))
        .unwrap();
    assert!(bin["skipped"].as_str().unwrap().contains("binary"), "{bin}");
    // The report inside holds the steps run before the bundle.
    let report: serde_json::Value = serde_json::from_str(&entry(&zip, "report.json")).unwrap();
    assert_eq!(report["playbooks"][0]["steps"][0]["id"], "first");
    assert_eq!(report["playbooks"][0]["steps"][0]["status"], "pass");
    // No temporary file is left beside the archive.
    assert_eq!(listing(&out_dir(&r)), ["b.zip", "b.zip.sha256"]);
}

/// Planted secrets in many formats: (file, content). Every value listed in
/// `SECRETS` must be absent from everything written.
const CORPUS: &[(&str, &str)] = &[
    (
        "app.env",
        "DB_PASSWORD=Pl4nted-DB-pass\nAPI_KEY=planted_api_key_0001\nDEBUG=true\n",
    ),
    (
        "config.json",
        "{\n  \"user\": \"svc\",\n  \"password\": \"planted json pass\",\n  \"client_secret\": \"planted-client-secret\"\n}\n",
    ),
    (
        "settings.yaml",
        "smtp:\n  host: mail\n  passwd: planted-yaml-pass\n  token: planted-yaml-token\n",
    ),
    (
        "web.config",
        "<add name=\"db\" connectionString=\"Server=sql01;Database=crm;User Id=sa;Password=Planted Conn Pass;Encrypt=true\" />\n",
    ),
    (
        "storage.txt",
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=UGxhbnRlZEF6dXJlS2V5MTIzNDU2Nzg5MA==;EndpointSuffix=localhost\n",
    ),
    (
        "sync.log",
        "10:00 cloning https://deploy:planted-url-pass@localhost/repo.git\n",
    ),
    (
        "http.log",
        "GET /api Authorization: Bearer plantedBearerToken123456\nProxy-Authorization: Basic cGxhbnRlZDpwcm94eQ==\nretrying with bearer plantedBareBearer0001\n",
    ),
    (
        "ci.log",
        "using ghp_PlantedGitHubToken0123456789abcdefghij and xoxb-1234567890-PlantedSlack\n",
    ),
    (
        "aws.ini",
        "[default]\naws_access_key_id = AKIAPLANTEDKEY123456\naws_secret_access_key = Planted/Secret/Access/Key/0123456789\n",
    ),
    (
        "sas.log",
        "upload https://127.0.0.1:10000/acct/c/f?sv=2022-11-02&sig=PlantedSasSignature0123%2B%3D\n",
    ),
    (
        "jwt.log",
        "session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.UGxhbnRlZFNpZ25hdHVyZQ\n",
    ),
    (
        "id_rsa.txt",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEPlantedPrivateKeyLine1\nPlantedPrivateKeyLine2==\n-----END RSA PRIVATE KEY-----\n",
    ),
];

const SECRETS: &[&str] = &[
    "Pl4nted-DB-pass",
    "planted_api_key_0001",
    "planted json pass",
    "planted-client-secret",
    "planted-yaml-pass",
    "planted-yaml-token",
    "Planted Conn Pass",
    "UGxhbnRlZEF6dXJlS2V5MTIzNDU2Nzg5MA",
    "planted-url-pass",
    "plantedBearerToken123456",
    "cGxhbnRlZDpwcm94eQ",
    "plantedBareBearer0001",
    "ghp_PlantedGitHubToken0123456789abcdefghij",
    "xoxb-1234567890-PlantedSlack",
    "AKIAPLANTEDKEY123456",
    "Planted/Secret/Access/Key",
    "PlantedSasSignature0123",
    "eyJzdWIiOiJwbGFudGVkIn0",
    "MIIEPlantedPrivateKeyLine1",
    "PlantedPrivateKeyLine2",
];

#[test]
fn planted_secrets_never_reach_the_archive() {
    let t = Test::new();
    let d = t.path().to_path_buf();
    for (name, content) in CORPUS {
        write(&d.join("logs").join(name), content);
    }
    // Secrets in command output and in a UTF-16 file too.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "password=PlantedUtf16Pass\r\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    write(&d.join("logs/windows-utf16.log"), utf16);
    let extra = format!(
        "{}\n[[step.commands]]\ncommand = [\"echo\", \"token: PlantedCommandToken\"]\n",
        files_of(&d)
    );
    let r = bundle(t, &extra).args(&["run", "p.toml"]).run().status(0);
    let zip = out_dir(&r).join("b.zip");
    let mut all = entries(&zip);
    for side in listing(&out_dir(&r)) {
        all.push((side.clone(), fs::read(out_dir(&r).join(side)).unwrap()));
    }
    let mut secrets: Vec<&str> = SECRETS.to_vec();
    secrets.extend(["PlantedUtf16Pass", "PlantedCommandToken"]);
    for (name, data) in &all {
        let text = String::from_utf8_lossy(data);
        for s in &secrets {
            assert!(!text.contains(s), "`{s}` leaked into {name}:\n{text}");
        }
    }
    // The files themselves are still there, with their structure.
    let logs = d.join("logs").display().to_string();
    assert_eq!(
        entry(&zip, &format!("files{logs}/app.env")),
        "DB_PASSWORD=[REDACTED:password]\nAPI_KEY=[REDACTED:password]\nDEBUG=true\n"
    );
    assert!(
        entry(&zip, &format!("files{logs}/windows-utf16.log"))
            .starts_with("password=[REDACTED:password]")
    );
    let counts = manifest(&zip)["redaction"]["counts"].clone();
    for rule in [
        "password",
        "connection-string",
        "url-credentials",
        "authorization",
        "bearer-token",
        "api-token",
        "cloud-key",
        "private-key",
    ] {
        assert!(
            counts[rule].as_u64().unwrap_or(0) >= 1,
            "{rule} never matched: {counts}"
        );
    }
}

#[test]
fn pseudonyms_are_consistent_across_files_and_the_mapping_stays_outside() {
    let t = Test::new();
    let d = t.path().to_path_buf();
    write(
        &d.join("logs/a.log"),
        "connect 10.20.30.40 by jane.doe@corp.example\n",
    );
    write(
        &d.join("logs/b.log"),
        "again 10.20.30.40, then 10.20.30.41 and jane.doe@corp.example\nmac 00:1A:2B:3C:4D:5E\n",
    );
    let extra = format!(
        "{}\n[step.redact]\nip = true\nemails = true\nmac = true\n",
        files_of(&d)
    );
    let r = bundle(t, &extra).args(&["run", "p.toml"]).run().status(0);
    let zip = out_dir(&r).join("b.zip");
    let logs = d.join("logs").display().to_string();
    assert_eq!(
        entry(&zip, &format!("files{logs}/a.log")),
        "connect ip4-1 by email-1\n"
    );
    assert_eq!(
        entry(&zip, &format!("files{logs}/b.log")),
        "again ip4-1, then ip4-2 and email-1\nmac mac-1\n"
    );
    // The mapping is beside the archive, owner-only, and not inside it.
    let mapping = out_dir(&r).join("b.pseudonyms.json");
    let map: serde_json::Value = serde_json::from_slice(&fs::read(&mapping).unwrap()).unwrap();
    assert_eq!(map["ip4"]["10.20.30.40"], "ip4-1");
    assert_eq!(map["email"]["jane.doe@corp.example"], "email-1");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&mapping).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        entries(&zip).iter().all(|(n, d)| !n.contains("pseudonyms")
            && !String::from_utf8_lossy(d).contains("10.20.30.40"))
    );
}

#[test]
fn large_files_keep_their_newest_tail_and_the_total_is_capped() {
    let t = Test::new();
    let d = t.path().to_path_buf();
    let lines: String = (1..=20_000).map(|i| format!("line {i:05}\n")).collect();
    write(&d.join("logs/big.log"), &lines);
    let extra = format!(
        "[[step.files]]\npaths = \"{}/logs/*.log\"\nmax_size = \"10 KiB\"\n",
        d.display()
    );
    let r = bundle(t, &extra).args(&["run", "p.toml"]).run().status(0);
    let zip = out_dir(&r).join("b.zip");
    let kept = entry(&zip, &format!("files{}/logs/big.log", d.display()));
    assert!(kept.ends_with("line 20000\n"), "the tail is kept");
    assert!(!kept.contains("line 00001\n"), "the head is dropped");
    assert!(
        kept.starts_with("line "),
        "starts at a whole line: {}",
        &kept[..20]
    );
    assert!(kept.len() <= 10 * 1024);
    let m = manifest(&zip);
    let e = m["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "file")
        .unwrap();
    assert!(
        e["truncated"].as_str().unwrap().starts_with("max_size"),
        "{e}"
    );
}

#[test]
fn never_overwrites_unless_asked() {
    let t = Test::new();
    let d = t.path().to_path_buf();
    write(&d.join("out/b.zip"), "an earlier bundle");
    let t = bundle(t, "");
    // A dry run says the real run would fail (a warning), and changes nothing.
    let dry = t
        .command()
        .args(["run", "p.toml", "--dry-run"])
        .output()
        .unwrap();
    let dry_out = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(dry.status.code(), Some(0), "{dry_out}");
    assert!(dry_out.contains("the real run would fail"), "{dry_out}");
    let r = t
        .args(&["run", "p.toml"])
        .run()
        .status(3)
        .stdout_has("already exists; add `overwrite = true`");
    assert_eq!(
        fs::read_to_string(out_dir(&r).join("b.zip")).unwrap(),
        "an earlier bundle"
    );
    let t = Test::new();
    let d = t.path().to_path_buf();
    write(&d.join("out/b.zip"), "an earlier bundle");
    let r = bundle(t, "overwrite = true")
        .args(&["run", "p.toml"])
        .run()
        .status(0);
    assert!(
        entries(&out_dir(&r).join("b.zip"))
            .iter()
            .any(|(n, _)| n == "manifest.json")
    );
}

#[test]
fn dry_run_lists_what_it_would_collect_and_writes_nothing() {
    let t = Test::new();
    let d = t.path().to_path_buf();
    write(&d.join("logs/app.log"), "x\n");
    write(&d.join("logs/data.bin"), b"\x00\x01binary");
    let extra = format!(
        "{}\n[[step.commands]]\ncommand = [\"touch\", \"{}/ran\"]\n\n[[step.files]]\npaths = \"{}/nowhere/*.log\"\n",
        files_of(&d),
        d.display(),
        d.display()
    );
    let r = bundle(t, &extra)
        .args(&["run", "p.toml", "--dry-run"])
        .run()
        .status(0);
    let r = r
        .stdout_has("dry run: would write")
        .stdout_has("with 1 file(s)")
        .stdout_has("2 left out")
        .stdout_has("data.bin  (binary file")
        .stdout_has("nowhere/*.log  (matched nothing)")
        .stdout_has("app.log")
        .stdout_has("would run: touch");
    assert!(!out_dir(&r).exists() && !d.join("ran").exists());
}

/// Starts a bundle whose command sleeps, waits until the temporary archive
/// exists, and sends `signal`; returns the run's directory and exit status.
fn interrupt_midway(signal: i32) -> (tempfile::TempDir, Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(&d.join("logs/app.log"), "x\n".repeat(1000));
    let pb = format!(
        "[playbook]\nname = \"b\"\n[[step]]\nid = \"bundle\"\nkind = \"bundle\"\noutput = \"{0}/out/b.zip\"\n\
         [[step.files]]\npaths = \"{0}/logs\"\n[[step.commands]]\ncommand = [\"sleep\", \"30\"]\n",
        d.display()
    );
    write(&d.join("p.toml"), pb);
    fs::create_dir_all(d.join("out")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_supportctl"))
        .args(["run", "p.toml", "-q"])
        .current_dir(d)
        .env("HOME", d)
        .env("SUPPORTCTL_PATH", "")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while listing(&d.join("out")).is_empty() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !listing(&d.join("out")).is_empty(),
        "the bundle never started"
    );
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(child.id() as i32, signal) };
    let status = child.wait().unwrap();
    (dir, status.code())
}

#[test]
fn sigint_midway_leaves_no_file_at_all() {
    let (dir, code) = interrupt_midway(libc::SIGINT);
    assert_eq!(code, Some(130));
    assert_eq!(
        listing(&dir.path().join("out")),
        Vec::<String>::new(),
        "the temporary file is removed too"
    );
}

#[test]
fn sigkill_midway_leaves_nothing_at_the_final_path() {
    let (dir, code) = interrupt_midway(libc::SIGKILL);
    assert_eq!(code, None);
    let left = listing(&dir.path().join("out"));
    assert!(!left.contains(&"b.zip".to_string()), "{left:?}");
    // A hard kill can only leave the hidden temporary file.
    assert!(
        left.iter()
            .all(|n| n.starts_with(".supportctl-") && n.ends_with(".partial")),
        "{left:?}"
    );
}

#[test]
fn an_unwritable_destination_is_a_clear_error() {
    let t = Test::new();
    let d = t.path().to_path_buf();
    let locked = d.join("out");
    fs::create_dir_all(&locked).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    let _t = bundle(t, "");
    if is_root() {
        // `nobody` must still read the playbook.
        fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(d.join("p.toml"), fs::Permissions::from_mode(0o644)).unwrap();
    }
    let Some(out) = run_unprivileged(&d, &["run", "p.toml"]) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "cannot write in `{}`: permission denied",
            locked.display()
        )),
        "{stdout}"
    );
    assert!(listing(&locked).is_empty());
}

#[test]
fn a_full_destination_is_a_clear_error_and_leaves_nothing() {
    if !common::root_with("unshare", "to mount a small tmpfs") {
        return;
    }
    let t = Test::new();
    let d = t.path().to_path_buf();
    write(&d.join("logs/noise.log"), noise(2 << 20));
    let _t = bundle(t, &format!("{}  binary = true\n", files_of(&d)));
    let out_path = d.join("out");
    fs::create_dir_all(&out_path).unwrap();
    let script = format!(
        "mount -t tmpfs -o size=512k tmpfs '{0}' && '{1}' run p.toml; code=$?; echo LEFT:; ls -A '{0}'; exit $code",
        out_path.display(),
        env!("CARGO_BIN_EXE_supportctl")
    );
    let out = Command::new("/usr/bin/unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .current_dir(&d)
        .env("HOME", &d)
        .env("SUPPORTCTL_PATH", "")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("mount") {
        eprintln!(
            "NOT RUN: mounts not permitted: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("ran out of space while writing the bundle; nothing was left at"),
        "{stdout}"
    );
    // `ls -A` of the tmpfs printed nothing after the run: no archive, no temporary file.
    let left = stdout.split("LEFT:").nth(1).unwrap_or_default();
    assert!(left.trim().is_empty(), "{stdout}");
}

#[test]
fn bad_bundle_settings_are_load_errors_with_locations() {
    Test::new()
        .playbook(
            "[[step]]\nkind = \"bundle\"\noutput = \"relative.txt\"\n\n[[step.files]]\npaths = [\"logs\"]\n\n\
             [[step.commands]]\ncommand = [\"ipconfig\", \"/all\"]\nname = \"../x.txt\"\n",
        )
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("p.toml:3:10")
        .stderr_has("`output` must end in .zip, not `relative.txt`")
        .stderr_has("file path `logs` must be absolute")
        .stderr_has("command output name `../x.txt` is not a plain file name");
    // A misspelt key inside [[step.files]], located, with a suggestion.
    Test::new()
        .playbook(
            "[[step]]\nkind = \"bundle\"\n\n[[step.files]]\npaths = \"/var/log\"\nsinse = \"7d\"\n",
        )
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("p.toml:6:1")
        .stderr_has("unknown key `sinse`")
        .stderr_has("did you mean `since`?");
}

#[test]
fn the_shipped_collect_logs_playbook_bundles_this_machine() {
    let t = Test::new();
    let out = t.path().join("tickets");
    let r = t
        .args(&[
            "run",
            "collect-logs",
            "--format",
            "json",
            "--var",
            &format!("output_dir={}", out.display()),
            "--var",
            "ticket=INC0042",
            "--var",
            "max_total=20 MiB",
        ])
        .run();
    assert_eq!(r.step_status("bundle"), "pass", "{}", r.stdout);
    let zips: Vec<String> = listing(&out)
        .into_iter()
        .filter(|n| n.ends_with(".zip"))
        .collect();
    assert_eq!(zips.len(), 1, "{:?}", listing(&out));
    assert!(zips[0].starts_with("support-INC0042-"), "{}", zips[0]);
    let zip = out.join(&zips[0]);
    python_zip_check(&zip);
    let m = manifest(&zip);
    assert!(m["totals"]["bytes"].as_u64().unwrap() <= 21 << 20);
    assert!(
        m["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "command")
    );
}

#[test]
fn secrets_in_earlier_steps_output_stay_out_of_the_report_inside() {
    // JSON escaping (`\"hunter2\"`) must not hide a secret from the rules.
    let t = Test::new();
    let d = t.path().to_path_buf();
    let text = format!(
        "[playbook]\nname = \"b\"\n\n[[step]]\nid = \"show-config\"\nkind = \"command\"\n\
         command = \"printf 'config:\\\\n  password: \\\"ReportSecret1\\\"\\\\n'\"\nshell = true\nshow_output = true\n\n\
         [[step]]\nid = \"bundle\"\nkind = \"bundle\"\noutput = \"{}/out/b.zip\"\n",
        d.display()
    );
    let r = t
        .playbook(&text)
        .args(&["run", "p.toml"])
        .run()
        .status(0)
        // Reports are redacted like bundles, on the terminal too.
        .stdout_lacks("ReportSecret1")
        .stdout_has("REDACTED:password");
    let zip = out_dir(&r).join("b.zip");
    for name in ["report.json", "report.md"] {
        let body = entry(&zip, name);
        assert!(!body.contains("ReportSecret1"), "{name}:\n{body}");
        assert!(body.contains("REDACTED:password"), "{name}:\n{body}");
    }
}

#[test]
fn the_newest_files_win_and_everything_left_out_is_accounted_for() {
    let t = Test::new();
    let d = t.path().to_path_buf();
    for (name, age_h) in [("old.log", 3), ("mid.log", 2), ("new.log", 1)] {
        let p = d.join("logs").join(name);
        write(&p, "x\n");
        let f = fs::File::options().write(true).open(&p).unwrap();
        f.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600 * age_h))
            .unwrap();
    }
    let extra = format!(
        "max_files = 2\n[[step.files]]\npaths = [\"{0}/logs\", \"{0}/no-such-dir/*.log\"]\n",
        d.display()
    );
    let r = bundle(t, &extra)
        .args(&["run", "p.toml"])
        .run()
        .status(0)
        .stdout_has("file(s) left out");
    let zip = out_dir(&r).join("b.zip");
    let m = manifest(&zip);
    let names: Vec<String> = entries(&zip)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| n.starts_with("files/"))
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with("new.log"))
            && names.iter().any(|n| n.ends_with("mid.log")),
        "{names:?}"
    );
    assert_eq!(m["totals"]["over_max_files"], 1, "{}", m["totals"]);
    let missing = m["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["skipped"] == "matched nothing")
        .unwrap();
    assert!(
        missing["source"]
            .as_str()
            .unwrap()
            .ends_with("no-such-dir/*.log")
    );
}
