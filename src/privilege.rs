//! Who we run as, and whether a file or folder is safe to trust when we run
//! elevated (root, Administrators, SYSTEM).
//!
//! The rule is OpenSSH's StrictModes and sudo's: a file an elevated run
//! reads as instructions (a playbook, the machine policy) must be owned by
//! root (Administrators or SYSTEM on Windows) and writable by nobody else,
//! and so must every folder above it, except folders with the sticky bit
//! (`/tmp`), where other users cannot rename or remove root's entries.
//! A foundation module: it imports nothing of the crate.

use std::path::{Path, PathBuf};

/// Whether this process runs with administrative rights.
#[cfg(unix)]
pub fn is_elevated() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Whether this process runs with administrative rights (an elevated token).
#[cfg(windows)]
pub fn is_elevated() -> bool {
    windows::token_is_elevated()
}

/// Why `path` cannot be trusted by an elevated run, or `None` when it and
/// every folder above it are owned by root and writable by no one else.
/// Relative paths are never trusted: they depend on the working folder.
pub fn untrusted_reason(path: &Path) -> Option<String> {
    if !path.is_absolute() {
        return Some(format!(
            "`{}` is a relative path (it depends on the current folder)",
            path.display()
        ));
    }
    let mut current: Option<PathBuf> = Some(path.to_path_buf());
    let mut first = true;
    while let Some(p) = current {
        if let Some(reason) = owner_problem(&p, first) {
            return Some(reason);
        }
        first = false;
        current = p.parent().map(Path::to_path_buf);
    }
    None
}

/// Why a folder cannot be trusted to hold what root reads: it, or a folder
/// above it, is owned or writable by another user; sticky folders such as
/// `/tmp` are fine (other users cannot rename or replace root's entries),
/// as long as what is read in them is itself checked on its handle.
pub fn untrusted_folder(dir: &Path) -> Option<String> {
    let mut current = Some(dir.to_path_buf());
    while let Some(p) = current {
        if let Some(reason) = owner_problem(&p, false) {
            return Some(reason);
        }
        current = p.parent().map(Path::to_path_buf);
    }
    None
}

/// Running elevated, why root must not write into `dir`: the folder (the
/// part of it that exists) or a folder above it is owned or writable by
/// another user, who could swap a folder for a link to `/etc` between a
/// check and the write. Sticky folders (`/tmp`) are fine: there other users
/// cannot rename or replace root's entries, and files are created there
/// exclusively under random names. `None` when not elevated.
pub fn unsafe_output_dir(dir: &Path) -> Option<String> {
    if !is_elevated() {
        return None;
    }
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    // The deepest part that exists (the rest is created by root).
    let mut existing = absolute.as_path();
    while std::fs::symlink_metadata(existing).is_err() {
        existing = existing.parent()?;
    }
    // Each folder judged as an ancestor: a sticky folder may be shared.
    untrusted_folder(existing)
}

/// Running elevated, `path` with each link in it resolved, when root owns
/// every link on the way; otherwise why not (a link another user owns
/// could point anywhere, and root would read there). Not elevated, the
/// path as it is: a user reads only what they may anyway.
pub fn resolve_root_links(path: &Path) -> Result<PathBuf, String> {
    if !is_elevated() {
        return Ok(path.to_path_buf());
    }
    resolve_links(path, 0)
}

#[cfg(unix)]
fn resolve_links(path: &Path, depth: usize) -> Result<PathBuf, String> {
    use std::os::unix::fs::MetadataExt;
    use std::path::Component;
    if depth > 40 {
        return Err(format!("`{}`: too many links", path.display()));
    }
    let mut out = PathBuf::new();
    let mut components = path.components().peekable();
    while let Some(c) = components.next() {
        match c {
            Component::ParentDir => {
                out.pop();
                continue;
            }
            Component::CurDir => continue,
            other => out.push(other.as_os_str()),
        }
        let Ok(meta) = std::fs::symlink_metadata(&out) else {
            // Missing: nothing further to resolve.
            for rest in components {
                out.push(rest.as_os_str());
            }
            return Ok(out);
        };
        if meta.file_type().is_symlink() {
            if meta.uid() != 0 {
                return Err(format!(
                    "`{}` is a link owned by uid {}, not root",
                    out.display(),
                    meta.uid()
                ));
            }
            let target = std::fs::read_link(&out).map_err(|e| e.to_string())?;
            out.pop();
            let joined = out.join(target);
            let mut rest = joined;
            for r in components {
                rest.push(r.as_os_str());
            }
            return resolve_links(&rest, depth + 1);
        }
    }
    Ok(out)
}

#[cfg(not(unix))]
fn resolve_links(path: &Path, _depth: usize) -> Result<PathBuf, String> {
    Ok(path.to_path_buf())
}

#[cfg(unix)]
fn owner_problem(path: &Path, is_target: bool) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // lstat: a link is judged itself, and so is where it points (below).
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) => return Some(format!("`{}` cannot be checked: {e}", path.display())),
    };
    if meta.file_type().is_symlink() {
        // A link is as trustworthy as its owner, its folder and its target.
        if meta.uid() != 0 {
            return Some(format!(
                "`{}` is a link owned by uid {}, not root",
                path.display(),
                meta.uid()
            ));
        }
        let target = std::fs::canonicalize(path).ok()?;
        return untrusted_reason(&target);
    }
    if meta.uid() != 0 {
        return Some(format!(
            "`{}` is owned by uid {}, not root",
            path.display(),
            meta.uid()
        ));
    }
    let mode = meta.mode();
    let sticky_dir = meta.is_dir() && mode & 0o1000 != 0;
    if mode & 0o022 != 0 && (!sticky_dir || is_target) {
        return Some(format!(
            "`{}` can be written by other users (mode {:o})",
            path.display(),
            mode & 0o7777
        ));
    }
    None
}

#[cfg(windows)]
fn owner_problem(path: &Path, _is_target: bool) -> Option<String> {
    match windows::owner_is_admin(path) {
        Ok(true) => None,
        Ok(false) => Some(format!(
            "`{}` is not owned by Administrators, SYSTEM, TrustedInstaller or this account",
            path.display()
        )),
        Err(e) => Some(format!("`{}` cannot be checked: {e}", path.display())),
    }
}

#[cfg(windows)]
mod windows {
    use std::os::windows::ffi::OsStrExt;
    use std::path::Path;

    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, LocalFree};
    use windows_sys::Win32::Security::Authorization::{GetNamedSecurityInfoW, SE_FILE_OBJECT};
    use windows_sys::Win32::Security::{
        GetTokenInformation, IsWellKnownSid, OWNER_SECURITY_INFORMATION, PSID, TOKEN_ELEVATION,
        TOKEN_QUERY, TokenElevation, WinBuiltinAdministratorsSid, WinLocalSystemSid,
    };
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    pub fn token_is_elevated() -> bool {
        // SAFETY: plain Win32 calls with valid out-pointers; the token is closed.
        unsafe {
            let mut token: HANDLE = std::ptr::null_mut();
            if OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) == 0 {
                return false;
            }
            let mut elevation = TOKEN_ELEVATION { TokenIsElevated: 0 };
            let mut len = 0u32;
            let ok = GetTokenInformation(
                token,
                TokenElevation,
                (&raw mut elevation).cast(),
                size_of::<TOKEN_ELEVATION>() as u32,
                &mut len,
            );
            CloseHandle(token);
            ok != 0 && elevation.TokenIsElevated != 0
        }
    }

    pub fn owner_is_admin(path: &Path) -> std::io::Result<bool> {
        let wide: Vec<u16> = path.as_os_str().encode_wide().chain(Some(0)).collect();
        // SAFETY: `wide` is NUL-terminated; the descriptor is freed with LocalFree.
        unsafe {
            let mut owner: PSID = std::ptr::null_mut();
            let mut descriptor = std::ptr::null_mut();
            let rc = GetNamedSecurityInfoW(
                wide.as_ptr(),
                SE_FILE_OBJECT,
                OWNER_SECURITY_INFORMATION,
                &mut owner,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut descriptor,
            );
            if rc != 0 {
                return Err(std::io::Error::from_raw_os_error(rc as i32));
            }
            let admin = IsWellKnownSid(owner, WinBuiltinAdministratorsSid) != 0
                || IsWellKnownSid(owner, WinLocalSystemSid) != 0
                || is_trusted_installer(owner)
                || is_current_user(owner);
            LocalFree(descriptor);
            Ok(admin)
        }
    }

    /// The account this (elevated) process runs as: an administrator's own
    /// files (their Desktop, a folder they made) are theirs, not the
    /// Administrators group's, and no other user can change them.
    unsafe fn is_current_user(sid: PSID) -> bool {
        use windows_sys::Win32::Security::{EqualSid, TOKEN_USER, TokenUser};
        // SAFETY: a token query into a buffer large enough for TOKEN_USER
        // and its SID; the token is closed.
        unsafe {
            let mut token: HANDLE = std::ptr::null_mut();
            if OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) == 0 {
                return false;
            }
            // u64s: TOKEN_USER needs pointer alignment.
            let mut buf = [0u64; 32];
            let mut len = 0u32;
            let ok = GetTokenInformation(
                token,
                TokenUser,
                buf.as_mut_ptr().cast(),
                size_of_val(&buf) as u32,
                &mut len,
            );
            CloseHandle(token);
            if ok == 0 {
                return false;
            }
            let user = &*(buf.as_ptr().cast::<TOKEN_USER>());
            EqualSid(user.User.Sid, sid) != 0
        }
    }

    /// NT SERVICE\TrustedInstaller owns system folders: S-1-5-80-956008885-…
    unsafe fn is_trusted_installer(sid: PSID) -> bool {
        use windows_sys::Win32::Security::{GetSidSubAuthority, GetSidSubAuthorityCount};
        // SAFETY: `sid` is a valid SID from GetNamedSecurityInfoW.
        unsafe {
            let count = *GetSidSubAuthorityCount(sid);
            count == 6
                && *GetSidSubAuthority(sid, 0) == 80
                && *GetSidSubAuthority(sid, 1) == 956_008_885
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_never_trusted() {
        assert!(untrusted_reason(Path::new("playbooks")).is_some());
    }

    #[test]
    fn a_folder_others_can_write_is_not_trusted() {
        if !is_elevated() {
            return; // Ownership by root is only possible as root.
        }
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(untrusted_reason(dir.path()), None);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let why = untrusted_reason(dir.path()).unwrap();
        assert!(why.contains("can be written by other users"), "{why}");
    }
}
