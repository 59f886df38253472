//! Cleanup against a hostile tree: links and hard links pointing outside,
//! link loops, a root that is a link, folders swapped for links and files
//! deleted while the walk runs, undeletable files, non-UTF-8 names.
//! After every cleanup, every file outside the root is byte-identical.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::Test;

const OLD: &str = "10 days ago";

/// Sets a file's (or link's) modification time with touch(1).
fn age(path: &Path) {
    let ok = Command::new("touch")
        .args(["-h", "-d", OLD])
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "touch {}", path.display());
}

fn write_old(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
    age(path);
}

/// Every file below `dir` (not following links) with its content or link target.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let m = p.symlink_metadata().unwrap();
            if m.file_type().is_symlink() {
                out.insert(
                    p.clone(),
                    fs::read_link(&p).unwrap().as_os_str().as_bytes().to_vec(),
                );
            } else if m.is_dir() {
                out.insert(p.clone(), b"<dir>".to_vec());
                stack.push(p);
            } else if m.is_file() {
                out.insert(p.clone(), fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A scratch area with `root/` (to clean) and `outside/` (must survive).
struct Tree {
    test: Test,
}

impl Tree {
    fn new() -> Tree {
        let test = Test::new();
        let (root, out) = (test.path().join("root"), test.path().join("outside"));
        write_old(&out.join("secret.txt"), b"do not touch");
        write_old(&out.join("dir/nested.txt"), b"nested secret");
        write_old(&out.join("hardlinked"), b"shared inode data");
        write_old(&root.join("old.tmp"), b"old");
        write_old(&root.join("sub/deep/older.tmp"), b"older");
        write_old(&root.join("keep.lock"), b"lock");
        fs::write(root.join("new.tmp"), b"new").unwrap();
        symlink(&out, root.join("link-to-outside")).unwrap();
        symlink(out.join("secret.txt"), root.join("file-link")).unwrap();
        symlink(root.join("loop-b"), root.join("loop-a")).unwrap();
        symlink(root.join("loop-a"), root.join("loop-b")).unwrap();
        symlink(&root, root.join("sub/up")).unwrap();
        fs::hard_link(out.join("hardlinked"), root.join("hard")).unwrap();
        write_old(
            &root.join(OsStr::from_bytes(b"bad-\xff\xfe-name.tmp")),
            b"latin1",
        );
        let fifo = root.join("pipe");
        assert!(
            Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        for p in [
            "link-to-outside",
            "file-link",
            "loop-a",
            "loop-b",
            "sub/up",
            "hard",
            "pipe",
            "sub/deep",
            "sub",
        ] {
            age(&root.join(p));
        }
        Tree { test }
    }

    fn root(&self) -> PathBuf {
        self.test.path().join("root")
    }

    fn outside(&self) -> PathBuf {
        self.test.path().join("outside")
    }

    /// A cleanup of `root/` (files older than 7d, `*.lock` kept unless `extra` sets `keep`).
    fn playbook(self, extra: &str) -> Test {
        let root = self.root();
        let extra = if extra.contains("keep =") {
            extra.to_string()
        } else {
            format!("keep = [\"*.lock\"]\n{extra}")
        };
        self.test.playbook(&format!(
            "[[step]]\nid = \"clean\"\nkind = \"cleanup\"\npaths = [\"{}\"]\nolder_than = \"7d\"\n{extra}\n",
            root.display()
        ))
    }
}

fn step(json: &serde_json::Value) -> &serde_json::Value {
    &json["playbooks"][0]["steps"][0]
}

fn measurement(json: &serde_json::Value, name: &str) -> f64 {
    step(json)["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap()["value"]
        .as_f64()
        .unwrap()
}

#[test]
fn cleans_old_files_and_never_touches_anything_outside() {
    let tree = Tree::new();
    let (root, outside) = (tree.root(), tree.outside());
    let before = snapshot(&outside);
    let r = tree
        .playbook("")
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(0);
    let json = r.json();
    assert_eq!(
        snapshot(&outside),
        before,
        "something outside the root changed"
    );
    // Deleted: old files, old links (as links), the hard link, the non-UTF-8 name, emptied folders.
    for gone in [
        "old.tmp",
        "sub",
        "link-to-outside",
        "file-link",
        "loop-a",
        "loop-b",
        "hard",
    ] {
        assert!(
            root.join(gone).symlink_metadata().is_err(),
            "{gone} should be gone"
        );
    }
    assert!(
        root.join(OsStr::from_bytes(b"bad-\xff\xfe-name.tmp"))
            .symlink_metadata()
            .is_err()
    );
    // Kept: new files, kept patterns, special files, and the root itself.
    for kept in ["new.tmp", "keep.lock", "pipe"] {
        assert!(
            root.join(kept).symlink_metadata().is_ok(),
            "{kept} should be kept"
        );
    }
    assert!(root.is_dir());
    assert_eq!(measurement(&json, "folders"), 2.0);
    let msg = step(&json)["message"].as_str().unwrap();
    assert!(msg.contains("hard-linked files, not freed"), "{msg}");
    assert!(msg.contains("1 special files"), "{msg}");
}

#[test]
fn dry_run_deletes_nothing_and_previews() {
    let tree = Tree::new();
    let (root, outside) = (tree.root(), tree.outside());
    let (before_root, before_out) = (snapshot(&root), snapshot(&outside));
    let r = tree
        .playbook("")
        .args(&["run", "p.toml", "--format", "json", "--dry-run"])
        .run()
        .status(0);
    assert_eq!(snapshot(&root), before_root, "a dry run changed the root");
    assert_eq!(snapshot(&outside), before_out);
    let json = r.json();
    assert!(
        step(&json)["message"]
            .as_str()
            .unwrap()
            .starts_with("would free")
    );
    assert!(
        step(&json)["actions"][0]
            .as_str()
            .unwrap()
            .starts_with("would delete 9 files"),
        "{}",
        step(&json)["actions"]
    );
}

#[test]
fn protected_roots_are_refused_at_load_time() {
    // (root, the reason the error must give)
    for (path, why) in [
        ("/", "is a filesystem root"),
        ("/etc", "is a protected system location"),
        ("/usr/share", "is a protected system location"),
        ("{{ home }}", "is the home directory itself"),
        ("/home/somebody-else", "is a user's home directory"),
        ("relative/dir", "is not an absolute path"),
        ("/tmp/..", "contains `.` or `..`"),
        ("{{ temp }}/..", "contains `.` or `..`"),
    ] {
        Test::new()
            .playbook(&format!(
                "[[step]]\nkind = \"cleanup\"\npaths = [\"{path}\"]\n"
            ))
            .args(&["check", "p.toml"])
            .run()
            .status(2)
            .stderr_has("refusing to clean")
            .stderr_has(why);
    }
    Test::new()
        .playbook("[[step]]\nkind = \"cleanup\"\n")
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("needs `paths` or `locations`");
}

#[test]
fn undeletable_files_are_counted_and_the_rest_goes_on() {
    let tree = Tree::new();
    let root = tree.root();
    write_old(&root.join("stuck/a.tmp"), b"a");
    write_old(&root.join("stuck/b.tmp"), b"b");
    let as_root = common::is_root();
    // As root, permissions do not stop deletion: make the folder immutable instead.
    let locked = if as_root {
        Command::new("chattr")
            .arg("+i")
            .arg(root.join("stuck"))
            .status()
            .is_ok_and(|s| s.success())
    } else {
        fs::set_permissions(
            root.join("stuck"),
            std::os::unix::fs::PermissionsExt::from_mode(0o500),
        )
        .is_ok()
    };
    if !locked {
        eprintln!("NOT RUN: cannot make a folder undeletable here");
        return;
    }
    let r = tree
        .playbook("")
        .args(&["run", "p.toml", "--format", "json"])
        .run();
    if as_root {
        let _ = Command::new("chattr")
            .arg("-i")
            .arg(root.join("stuck"))
            .status();
    } else {
        let _ = fs::set_permissions(
            root.join("stuck"),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        );
    }
    let r = r.status(0);
    let msg = step(&r.json())["message"].as_str().unwrap().to_string();
    assert!(msg.contains("2 permission denied"), "{msg}");
    assert!(root.join("stuck/a.tmp").exists() && !root.join("old.tmp").exists());
}

#[test]
fn folders_swapped_for_links_and_files_vanishing_mid_walk_are_safe() {
    // Another thread keeps swapping a folder for a link to `outside` and
    // deleting files while cleanups run; `outside` must never change.
    let tree = Tree::new();
    let (root, outside) = (tree.root(), tree.outside());
    let before = snapshot(&outside);
    let t = tree.playbook("");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let (root, outside, stop) = (root.clone(), outside.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let swap = root.join("swap");
                let _ = fs::remove_file(&swap);
                let _ = fs::remove_dir_all(&swap);
                for n in 0..20 {
                    let _ = fs::create_dir_all(&swap);
                    let f = swap.join(format!("f{n}.tmp"));
                    let old =
                        std::time::SystemTime::now() - std::time::Duration::from_secs(10 * 86_400);
                    let _ = fs::write(&f, b"x")
                        .and_then(|()| fs::File::options().write(true).open(&f)?.set_modified(old));
                }
                if i.is_multiple_of(2) {
                    let _ = fs::remove_dir_all(&swap);
                    let _ = symlink(&outside, &swap);
                }
                let _ = fs::remove_file(root.join(format!("f{}.tmp", i % 7)));
                i += 1;
            }
            i
        })
    };
    for _ in 0..15 {
        let mut cmd = t.command();
        let out = cmd
            .args(["run", "p.toml", "--format", "json"])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0)),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(
            snapshot(&outside),
            before,
            "a swapped link led the cleanup outside its root"
        );
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let rounds = churn.join().unwrap();
    assert!(
        rounds > 15,
        "the churn thread ran only {rounds} rounds: the race was not exercised"
    );
}

#[test]
fn include_exclude_min_size_and_trash_free_options() {
    let tree = Tree::new();
    let root = tree.root();
    write_old(&root.join("logs/app.log.1"), &[b'x'; 2048]);
    write_old(&root.join("logs/tiny.log.2"), b"x");
    write_old(&root.join("cache/skip-me/old.bin"), b"old");
    let r = tree
        .playbook("include = [\"*.log.*\"]\nexclude = [\"cache\"]\nmin_size = \"1 KiB\"\nremove_empty_dirs = false")
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(0);
    assert_eq!(measurement(&r.json(), "files"), 1.0);
    assert!(!root.join("logs/app.log.1").exists());
    assert!(
        root.join("logs/tiny.log.2").exists()
            && root.join("cache/skip-me/old.bin").exists()
            && root.join("old.tmp").exists()
    );
}

#[test]
fn named_locations_resolve_and_clean() {
    // user-temp is {{ temp }}: point it at a scratch folder with --var-free TMPDIR.
    let t = Test::new();
    let temp = t.path().join("tmp");
    write_old(&temp.join("old.tmp"), b"old");
    fs::write(temp.join("new.tmp"), b"new").unwrap();
    let r = t
        .playbook("[[step]]\nkind = \"cleanup\"\nlocations = [\"user-temp\", \"windows-update-cache\"]\nolder_than = \"7d\"\n")
        .env("TMPDIR", temp.to_str().unwrap())
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(0);
    assert!(!temp.join("old.tmp").exists() && temp.join("new.tmp").exists());
    assert!(
        step(&r.json())["actions"][0]
            .as_str()
            .unwrap()
            .contains("user-temp")
    );
}

#[test]
fn disk_thresholds_on_the_real_filesystem() {
    let t = Test::new();
    let dir = t.path().display().to_string();
    let r = t
        .playbook(&format!(
            "[[step]]\nid = \"never\"\nkind = \"disk\"\npath = \"{dir}\"\nfail_free_below = \"1 B\"\n\
             [[step]]\nid = \"always\"\nkind = \"disk\"\npath = \"{dir}\"\nfail_free_below = \"100%\"\n\
             [[step]]\nid = \"warns\"\nkind = \"disk\"\npath = \"{dir}\"\nwarn_free_below = \"100%\"\nfail_free_below = \"0%\"\n\
             [[step]]\nid = \"missing\"\nkind = \"disk\"\npath = \"{dir}/no/such/dir\"\n"
        ))
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(1);
    assert_eq!(r.step_status("never"), "pass");
    assert_eq!(r.step_status("always"), "fail");
    assert_eq!(r.step_status("warns"), "warn");
    assert_eq!(r.step_status("missing"), "error");
    assert!(
        r.step("always")["message"]
            .as_str()
            .unwrap()
            .ends_with("; below 100%")
    );
}

#[test]
fn fix_then_reverify_with_a_real_cleanup() {
    // The check always fails (100% free is impossible), so the cleanup fix
    // runs, and the re-check still fails: both attempts are recorded.
    let t = Test::new();
    let junk = t.path().join("junk");
    write_old(&junk.join("old.tmp"), b"old");
    let r = t
        .playbook(&format!(
            "[[step]]\nid = \"disk\"\nkind = \"disk\"\npath = \"{}\"\nfail_free_below = \"100%\"\nfix = {{ step = \"clear\" }}\n\
             [[step]]\nid = \"clear\"\nkind = \"cleanup\"\npaths = [\"{}\"]\nolder_than = \"7d\"\nonly_as_fix = true\n",
            junk.display(),
            junk.display()
        ))
        .args(&["run", "p.toml", "--format", "json"])
        .run()
        .status(1);
    let s = r.step("disk");
    assert_eq!(r.attempt_labels("disk"), ["check", "fix", "re-check"]);
    assert!(
        s["attempts"][1]["message"]
            .as_str()
            .unwrap()
            .starts_with("freed 3 B in 1 file")
    );
    assert!(
        s["message"]
            .as_str()
            .unwrap()
            .ends_with("fix applied but the check still fails")
    );
    assert!(!junk.join("old.tmp").exists());
}

#[test]
fn shipped_clean_temp_and_disk_full() {
    let t = Test::new();
    let temp = t.path().join("tmp");
    write_old(&temp.join("old.tmp"), b"old");
    write_old(&t.path().join(".cache/app/old.bin"), b"cache");
    fs::write(temp.join("new.tmp"), b"new").unwrap();
    let home = t.path().to_path_buf();
    // disk-full in a dry run deletes nothing.
    let before = snapshot(&home);
    let mut cmd = t.command();
    let out = cmd
        .env("TMPDIR", &temp)
        .args(["run", "disk-full", "--dry-run", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(snapshot(&home), before);
    // clean-temp judges age by the newest of modified, accessed and changed
    // (age_by = "any"): files with old dates but just written (as when
    // another user unpacks an archive into a shared temp folder) are kept.
    let r = t
        .env("TMPDIR", temp.to_str().unwrap())
        .args(&["run", "clean-temp", "--format", "json"])
        .run()
        .status(0);
    assert!(temp.join("old.tmp").exists() && temp.join("new.tmp").exists());
    assert!(home.join(".cache/app/old.bin").exists(), "{}", r.stdout);
    for pb in ["clean-temp", "disk-full"] {
        let shown = Test::new().args(&["show", pb]).run().status(0);
        assert!(
            shown.stdout.contains("newest of modified"),
            "{pb}: {}",
            shown.stdout
        );
    }
}

#[test]
fn unreadable_folders_are_counted_and_skipped() {
    // Permissions do not stop root: as root, run supportctl as `nobody`.
    let as_root = common::is_root();
    let tree = Tree::new();
    let root = tree.root();
    write_old(&root.join("locked/inside.tmp"), b"secret");
    let t = tree.playbook("");
    let dir = t.path().to_path_buf();
    use std::os::unix::fs::PermissionsExt;
    if as_root {
        assert!(
            Command::new("chown")
                .args(["-R", "nobody:nogroup"])
                .arg(&dir)
                .status()
                .unwrap()
                .success()
        );
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    }
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    let Some(out) = common::run_unprivileged(&dir, &["run", "p.toml", "--format", "json"]) else {
        return;
    };
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let msg = step(&json)["message"].as_str().unwrap().to_string();
    assert!(msg.contains("1 permission denied"), "{msg}");
    assert!(
        root.join("locked/inside.tmp").exists(),
        "a file in an unreadable folder was touched"
    );
    assert!(
        !root.join("old.tmp").exists(),
        "the rest of the cleanup did not go on"
    );
}

// ---- Regressions from the safety review ----

/// Runs `p.toml` with `--format json`; the returned Run keeps the scratch folder alive.
fn cleanup_json(t: Test, args: &[&str]) -> (serde_json::Value, common::Run) {
    let mut all = vec!["run", "p.toml", "--format", "json"];
    all.extend_from_slice(args);
    let r = t.args(&all).run();
    (r.json(), r)
}

#[test]
fn a_root_that_is_a_link_is_refused_even_with_a_trailing_slash_or_dot() {
    // `link/` would make the OS follow the link despite O_NOFOLLOW.
    for suffix in ["", "/"] {
        let tree = Tree::new();
        let link = tree.test.path().join("link-root");
        symlink(tree.outside(), &link).unwrap();
        let before = (snapshot(&tree.outside()), snapshot(&tree.root()));
        let t = tree.test.playbook(&format!(
            "[[step]]\nkind = \"cleanup\"\npaths = [\"{}{suffix}\"]\n",
            link.display()
        ));
        let r = t
            .args(&["run", "p.toml", "--format", "json"])
            .run()
            .status(3);
        assert!(
            step(&r.json())["message"]
                .as_str()
                .unwrap()
                .contains("is a symbolic link"),
            "{suffix:?}: {}",
            r.stdout
        );
        assert_eq!(
            (
                snapshot(&r.dir.join("outside")),
                snapshot(&r.dir.join("root"))
            ),
            before,
            "{suffix:?}: a linked root was followed"
        );
    }
    // `link/.` is refused at load time, like any `.` or `..` segment.
    let link = std::env::temp_dir().join("supportctl-no-such-link");
    Test::new()
        .playbook(&format!(
            "[[step]]\nkind = \"cleanup\"\npaths = [\"{}/.\"]\n",
            link.display()
        ))
        .args(&["check", "p.toml"])
        .run()
        .status(2)
        .stderr_has("contains `.` or `..`");
}

#[test]
fn globs_without_a_slash_match_names_only() {
    let tree = Tree::new();
    let root = tree.root();
    write_old(&root.join("tmpdata/thesis.docx"), b"precious");
    write_old(&root.join("tmp1"), b"junk");
    let _run = tree
        .playbook("include = \"tmp*\"")
        .args(&["run", "p.toml"])
        .run()
        .status(0);
    assert!(
        root.join("tmpdata/thesis.docx").exists(),
        "`tmp*` matched a file inside a folder named tmpdata"
    );
    assert!(!root.join("tmp1").exists());
}

#[test]
fn only_folders_this_run_emptied_are_removed_and_kept_names_stay() {
    let tree = Tree::new();
    let root = tree.root();
    fs::create_dir_all(root.join("already-empty")).unwrap();
    age(&root.join("already-empty"));
    write_old(&root.join("important/old.tmp"), b"x");
    age(&root.join("important"));
    let _run = tree
        .playbook("keep = [\"*.lock\", \"important\"]")
        .args(&["run", "p.toml"])
        .run()
        .status(0);
    assert!(
        root.join("already-empty").is_dir(),
        "a folder that was already empty was removed"
    );
    assert!(root.join("important").is_dir(), "a kept folder was removed");
    assert!(!root.join("important/old.tmp").exists());
}

#[test]
fn overlapping_roots_agree_between_preview_and_run_and_no_root_is_removed() {
    let t = Test::new();
    write_old(&t.path().join(".cache/thumbnails/large/a.png"), &[0; 1000]);
    write_old(&t.path().join(".cache/other/b.bin"), &[0; 500]);
    for d in [
        ".cache/thumbnails/large",
        ".cache/thumbnails",
        ".cache/other",
    ] {
        age(&t.path().join(d));
    }
    let t = t.playbook("[[step]]\nid = \"c\"\nkind = \"cleanup\"\nlocations = [\"user-cache\", \"thumbnails\"]\nolder_than = \"7d\"\n");
    let home = t.path().to_path_buf();
    let mut cmd = t.command();
    let dry: serde_json::Value = serde_json::from_slice(
        &cmd.args(["run", "p.toml", "--format", "json", "--dry-run"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let (real, _run) = cleanup_json(t, &[]);
    for m in ["files", "bytes"] {
        assert_eq!(
            measurement(&dry, m),
            measurement(&real, m),
            "{m}: preview and run disagree"
        );
    }
    assert!(
        home.join(".cache/thumbnails").is_dir(),
        "the thumbnails root was removed"
    );
}

#[test]
fn hard_links_are_counted_the_same_in_preview_and_run() {
    let t = Test::new();
    write_old(&t.path().join("root/a"), &[0; 4096]);
    fs::hard_link(t.path().join("root/a"), t.path().join("root/b")).unwrap();
    let dir = t.path().display().to_string();
    let t = t.playbook(&format!(
        "[[step]]\nkind = \"cleanup\"\npaths = [\"{dir}/root\"]\nolder_than = \"7d\"\n"
    ));
    let mut cmd = t.command();
    let dry: serde_json::Value = serde_json::from_slice(
        &cmd.args(["run", "p.toml", "--format", "json", "--dry-run"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let (real, _) = cleanup_json(t, &[]);
    assert_eq!(measurement(&dry, "bytes"), 4096.0);
    assert_eq!(measurement(&real, "bytes"), 4096.0);
}

#[test]
fn very_deep_trees_do_not_crash() {
    let t = Test::new();
    let mut deep = t.path().join("root");
    for _ in 0..1000 {
        deep.push("d");
    }
    fs::create_dir_all(&deep).unwrap();
    write_old(&deep.join("bottom.tmp"), b"x");
    let dir = t.path().display().to_string();
    let t = t.playbook(&format!(
        "[[step]]\nkind = \"cleanup\"\npaths = [\"{dir}/root\"]\n"
    ));
    let (json, _) = cleanup_json(t, &[]);
    assert!(
        step(&json)["message"]
            .as_str()
            .unwrap()
            .contains("too deeply nested"),
        "{json}"
    );
}

#[test]
fn bind_mounts_inside_a_root_are_not_crossed() {
    let as_root = common::is_root();
    if !as_root || !Path::new("/usr/bin/unshare").exists() {
        eprintln!("NOT RUN: needs root and unshare for a private mount namespace");
        return;
    }
    let tree = Tree::new();
    let (root, outside) = (tree.root(), tree.outside());
    fs::create_dir_all(root.join("mnt")).unwrap();
    age(&root.join("mnt"));
    let before = snapshot(&outside);
    let t = tree.playbook("");
    let script = format!(
        "mount --bind '{}' '{}' && exec '{}' run p.toml --format json",
        outside.display(),
        root.join("mnt").display(),
        env!("CARGO_BIN_EXE_supportctl")
    );
    let out = Command::new("/usr/bin/unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .current_dir(t.path())
        .env("HOME", t.path())
        .output()
        .unwrap();
    if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("mount") {
        eprintln!(
            "NOT RUN: bind mounts are not permitted here: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    assert_eq!(
        snapshot(&outside),
        before,
        "the cleanup crossed into a bind mount"
    );
}

/// A dry run's report breaks the would-be deletions down by folder (files,
/// bytes) and lists every file by name, up to 1,000, with a count of the
/// rest; nothing is touched.
#[test]
fn dry_run_lists_files_by_folder_bounded() {
    let tree = Tree::new();
    let root = tree.root();
    for i in 0..1003 {
        write_old(&root.join(format!("many/f{i:04}.tmp")), b"0123456789");
    }
    let before = snapshot(&root);
    let r = tree
        .playbook("")
        .args(&["run", "p.toml", "--dry-run", "--format", "json"])
        .run()
        .status(0);
    assert_eq!(snapshot(&root), before, "a dry run changed the tree");
    let json = r.json();
    let out = step(&json)["output"]["stdout"]
        .as_str()
        .unwrap()
        .to_string();
    let many = format!("{}  ", root.join("many").display());
    let row = out
        .lines()
        .find(|l| l.trim_start().starts_with(&many))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        row.contains("1,003 files") && row.contains("9.8 KiB"),
        "{row}"
    );
    assert!(
        out.lines().any(|l| l
            .trim_start()
            .starts_with(&format!("{}  ", root.join("sub").display()))),
        "{out}"
    );
    let total = measurement(&json, "files") as u64;
    let commas = |n: u64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    assert!(
        out.contains(&format!("files (1,000 of {} listed):", commas(total))),
        "{out}"
    );
    let listed = out
        .lines()
        .filter(|l| {
            l.starts_with("  ")
                && l.contains(&root.display().to_string())
                && !l.contains(" files ")
                && !l.contains(" file ")
        })
        .count();
    assert!(listed >= 1000, "{listed}");
    assert!(
        out.contains(&format!("… {} files not listed", total - 1000)),
        "{out}"
    );
    assert_eq!(step(&json)["output"]["truncated"], true);
}
