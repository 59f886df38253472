//! Finding playbooks: a path, or a name looked up on the search path and
//! among the playbooks shipped inside the binary.
//!
//! Search order for a name: each directory in `SUPPORTCTL_PATH` (separated
//! like `PATH`), then the per-user directory (`<config dir>/supportctl/playbooks`,
//! e.g. `~/.config/supportctl/playbooks`, `%APPDATA%\supportctl\playbooks`),
//! then the shipped playbooks. A site can thus override a shipped playbook
//! by putting a file of the same name on its search path.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::diagnostic::did_you_mean;
use super::load::SourceFile;

/// Playbooks embedded at build time: (name, TOML text).
pub const SHIPPED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/shipped.rs"));

/// The directories on the search path, in order, before any trust check.
fn configured_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("SUPPORTCTL_PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .filter(|d| !d.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    if let Some(config) = dirs::config_dir() {
        dirs.push(config.join("supportctl").join("playbooks"));
    }
    dirs
}

/// Warns once per process (the search path is read by several verbs).
fn warn_once(message: String) {
    use std::sync::Mutex;
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if !seen.contains(&message) {
        crate::errln!("warning: {message}");
        seen.push(message);
    }
}

/// Whether an elevated run may read this search-path entry; warns when not.
fn trusted(path: &Path) -> bool {
    if !crate::privilege::is_elevated() {
        return true;
    }
    match crate::privilege::untrusted_reason(path) {
        None => true,
        Some(why) => {
            warn_once(format!(
                "ignoring `{}` on the playbook search path: {why}; running elevated, playbooks are read only from places root (Administrators) owns",
                path.display()
            ));
            false
        }
    }
}

/// The directories searched for playbooks by name, in order. When running
/// elevated (root, Administrators), relative entries and folders that
/// another user owns or can write are left out with a warning: an inherited
/// `HOME`, `XDG_CONFIG_HOME` or `SUPPORTCTL_PATH` (`sudo -E`, `su` without
/// `-`) must not hand a user's files to root.
pub fn search_dirs() -> Vec<PathBuf> {
    configured_dirs()
        .into_iter()
        .filter(|d| {
            if crate::privilege::is_elevated() && std::fs::symlink_metadata(d).is_err() {
                return d.is_absolute();
            }
            trusted(d)
        })
        .collect()
}

/// One playbook found by `list`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Listed {
    pub name: String,
    /// `shipped` or the file path.
    pub source: String,
    pub description: String,
    /// `[playbook] category`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `[playbook] symptoms`: what users say when this playbook fits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub symptoms: Vec<String>,
    /// Whether it may change the system (cleanups, fixes, actions,
    /// `changes = true` commands): `suggest` then offers a dry run first.
    pub changes: bool,
    /// Hidden by an earlier playbook of the same name.
    pub shadowed: bool,
}

/// What `list` and `suggest` read of a playbook without loading it:
/// description, category, symptoms, and whether it may change the system.
fn summary_of(text: &str) -> (String, Option<String>, Vec<String>, bool) {
    let Ok(t) = toml::from_str::<toml::Table>(text) else {
        return (String::new(), None, Vec::new(), false);
    };
    let meta = t.get("playbook");
    let text_of = |key: &str| meta.and_then(|m| m.get(key)?.as_str().map(str::to_string));
    let symptoms = meta
        .and_then(|m| m.get("symptoms")?.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let steps = t
        .get("step")
        .and_then(|s| s.as_array())
        .cloned()
        .unwrap_or_default();
    let step_changes = steps.iter().filter_map(|s| s.as_table()).any(|s| {
        s.get("kind").and_then(|k| k.as_str()) == Some("cleanup")
            || s.contains_key("fix")
            || s.contains_key("action")
            || s.get("changes").and_then(|c| c.as_bool()) == Some(true)
    });
    let cause_fixes = t
        .get("cause")
        .and_then(|c| c.as_array())
        .is_some_and(|cs| cs.iter().any(|c| c.get("fix").is_some()));
    (
        text_of("description").unwrap_or_default(),
        text_of("category"),
        symptoms,
        step_changes || cause_fixes,
    )
}

/// Every playbook on the search path and shipped, in search order.
pub fn list() -> Vec<Listed> {
    let mut out: Vec<Listed> = Vec::new();
    let mut push = |name: String, source: String, text: &str| {
        let shadowed = out.iter().any(|l| l.name == name);
        let (description, category, symptoms, changes) = summary_of(text);
        out.push(Listed {
            name,
            source,
            description,
            category,
            symptoms,
            changes,
            shadowed,
        });
    };
    for dir in search_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        // Running elevated, the folder (which may have appeared since
        // `search_dirs` looked) is judged once, here, and each file on its
        // own open handle.
        if crate::privilege::is_elevated() && !trusted(&dir) {
            continue;
        }
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
            .collect();
        files.sort();
        for path in files {
            let text = match open_checked(&path, false) {
                Ok(f) => {
                    let mut text = String::new();
                    std::io::Read::read_to_string(
                        &mut std::io::Read::take(f, MAX_PLAYBOOK_BYTES),
                        &mut text,
                    )
                    .map(|_| text)
                    .unwrap_or_default()
                }
                Err(Opened::Untrusted(why)) => {
                    warn_once(format!(
                        "ignoring `{}` on the playbook search path: {why}; running elevated, playbooks are read only from places root (Administrators) owns",
                        path.display()
                    ));
                    continue;
                }
                Err(Opened::Io(_)) => String::new(),
            };
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            push(name, path.display().to_string(), &text);
        }
    }
    for (name, text) in SHIPPED {
        push(name.to_string(), "shipped".into(), text);
    }
    out
}

/// Why a playbook could not be found or read.
#[derive(Debug)]
pub struct NotFound {
    pub message: String,
    pub hint: Option<String>,
}

/// Only an argument with a path separator or ending in `.toml` is a path.
/// A bare name is never looked up in the current directory: an elevated run
/// started from a folder other users can write would read their file.
fn looks_like_path(arg: &str) -> bool {
    arg.ends_with(".toml") || arg.contains('/') || arg.contains('\\')
}

const ELEVATED_HINT: &str = "put it in a folder only root (Administrators) can write, e.g. /etc/supportctl/playbooks, or run it as an ordinary user";

/// Why a playbook file could not be opened.
enum Opened {
    Io(std::io::Error),
    /// Running elevated, and someone other than root controls it.
    Untrusted(String),
}

/// Opens a playbook file without blocking. Running elevated, the folders
/// above it must be root's alone, the file is opened without following a
/// link, and the opened file itself must be root's and writable by no one
/// else: checked on the handle, so a file swapped after the check is never
/// the one read.
fn open_playbook(path: &Path) -> Result<std::fs::File, Opened> {
    open_checked(path, true)
}

/// [`open_playbook`]; `check_folders = false` when the folder holding the
/// file was found trusted already (the search path, walked once per folder
/// rather than once per file: `list` and `suggest` read every playbook).
fn open_checked(path: &Path, check_folders: bool) -> Result<std::fs::File, Opened> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK;
        if crate::privilege::is_elevated() {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    if !crate::privilege::is_elevated() {
        return options.open(path).map_err(Opened::Io);
    }
    let absolute = std::path::absolute(path).map_err(Opened::Io)?;
    if check_folders
        && let Some(why) = absolute
            .parent()
            .and_then(crate::privilege::untrusted_folder)
    {
        return Err(Opened::Untrusted(why));
    }
    let file = match options.open(&absolute) {
        Ok(f) => f,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(Opened::Untrusted(format!(
                "`{}` is a link; name the file itself",
                absolute.display()
            )));
        }
        Err(e) => return Err(Opened::Io(e)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = file.metadata().map_err(Opened::Io)?;
        if meta.is_file() && (meta.uid() != 0 || meta.mode() & 0o022 != 0) {
            return Err(Opened::Untrusted(format!(
                "`{}` is owned by uid {} or writable by others (mode {:o})",
                absolute.display(),
                meta.uid(),
                meta.mode() & 0o7777
            )));
        }
    }
    #[cfg(windows)]
    if let Some(why) = crate::privilege::untrusted_reason(&absolute) {
        return Err(Opened::Untrusted(why));
    }
    Ok(file)
}

/// The largest playbook file read (a guard against `/dev/zero` and mistakes).
pub const MAX_PLAYBOOK_BYTES: u64 = 8 << 20;

fn read_file(path: &Path, label: String) -> Result<SourceFile, NotFound> {
    let cannot = |e: std::io::Error| NotFound {
        message: format!("cannot read playbook `{label}`: {e}"),
        hint: Some("check the path, or give the name of a playbook from `supportctl list`".into()),
    };
    // Opened once, without blocking; everything below is judged on the
    // handle, so nothing can be swapped between the checks and the read.
    let file = open_playbook(path).map_err(|e| match e {
        Opened::Io(e) => cannot(e),
        Opened::Untrusted(why) => NotFound {
            message: format!("refusing playbook `{label}` while running elevated: {why}"),
            hint: Some(ELEVATED_HINT.into()),
        },
    })?;
    // Only regular files: a FIFO would block and a device never ends.
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(NotFound {
            message: format!("playbook `{label}` is not a regular file"),
            hint: Some("give the path of a .toml file".into()),
        });
    }
    if meta.len() > MAX_PLAYBOOK_BYTES {
        return Err(NotFound {
            message: format!(
                "playbook `{label}` is {} bytes, more than the {MAX_PLAYBOOK_BYTES} accepted",
                meta.len()
            ),
            hint: Some("split it into several playbooks".into()),
        });
    }
    let mut text = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_PLAYBOOK_BYTES + 1),
        &mut text,
    )
    .map_err(cannot)?;
    let bytes: Arc<[u8]> = Arc::from(text.as_slice());
    let text = String::from_utf8(text).map_err(|e| NotFound {
        message: format!(
            "playbook `{label}` is not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        ),
        hint: Some("save the file as UTF-8".into()),
    })?;
    // A UTF-8 byte-order mark (Notepad) would shift every column by one.
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    // dunce: no `\\?\` prefix on Windows, which cmd.exe rejects in {{ playbook_dir }}.
    let dir = dunce::canonicalize(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    Ok(SourceFile {
        default_name: path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        dir: dir.display().to_string(),
        label,
        text: Arc::from(text),
        file: Some((
            std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            bytes,
        )),
    })
}

/// Resolves a command-line argument to a playbook's text.
pub fn resolve(arg: &str) -> Result<SourceFile, NotFound> {
    if looks_like_path(arg) {
        return read_file(Path::new(arg), arg.to_string());
    }
    for dir in search_dirs() {
        let path = dir.join(format!("{arg}.toml"));
        if path.is_file() && trusted(&path) {
            return read_file(&path, path.display().to_string());
        }
    }
    if let Some((name, text)) = SHIPPED.iter().find(|(n, _)| *n == arg) {
        return Ok(SourceFile {
            label: format!("shipped:{name}"),
            default_name: name.to_string(),
            dir: String::new(),
            text: Arc::from(*text),
            file: None,
        });
    }
    let names: Vec<String> = list().into_iter().map(|l| l.name).collect();
    let hint = match did_you_mean(arg, names.iter().map(String::as_str)) {
        Some(near) => format!("did you mean `{near}`? `supportctl list` shows every playbook"),
        None => "`supportctl list` shows every playbook; give a path to run a file".into(),
    };
    Err(NotFound {
        message: format!("no playbook named `{arg}`"),
        hint: Some(hint),
    })
}
