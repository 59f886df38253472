//! Expanding path globs into the paths that exist now.
//!
//! `/var/log/*.log`, `C:\Program Files\*\app.exe` or `{{ home }}/**/logs`:
//! the literal folders at the start are the base, which is walked (never
//! following links) only as deep as the pattern can reach (`**` goes up to
//! [`MAX_DEPTH`]). `*` and `?` stay within one path component. Windows
//! patterns may use `\` or `/` and match case-insensitively.

use std::path::PathBuf;

use globset::GlobBuilder;

/// How deep `**` reaches below the base.
pub const MAX_DEPTH: usize = 32;

/// Whether a path contains glob syntax.
pub fn has_glob(path: &str) -> bool {
    path.contains(['*', '?', '[', '{'])
}

/// `\` to `/` on Windows, where both separate components.
fn normalise(path: &str) -> String {
    if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    }
}

fn matcher(pattern: &str) -> Result<globset::GlobMatcher, String> {
    Ok(GlobBuilder::new(&normalise(pattern))
        .literal_separator(true)
        .case_insensitive(cfg!(windows))
        .backslash_escape(!cfg!(windows))
        .build()
        .map_err(|e| format!("invalid glob `{pattern}`: {}", e.kind()))?
        .compile_matcher())
}

/// Checks a pattern's glob syntax (at load time).
pub fn check(pattern: &str) -> Result<(), String> {
    if has_glob(pattern) {
        matcher(pattern)?;
    }
    Ok(())
}

/// Calls `found` with each path (file, folder, link) matching `pattern`,
/// in walk order, until it returns `false`; a pattern without glob syntax
/// yields itself when it exists. Errors only for invalid glob syntax.
pub fn visit(pattern: &str, mut found: impl FnMut(PathBuf) -> bool) -> Result<(), String> {
    if !has_glob(pattern) {
        let path = PathBuf::from(pattern);
        if std::fs::symlink_metadata(&path).is_ok() {
            found(path);
        }
        return Ok(());
    }
    let norm = normalise(pattern);
    let matcher = matcher(pattern)?;
    let components: Vec<&str> = norm.split('/').collect();
    let first_glob = components.iter().position(|c| has_glob(c)).unwrap_or(0);
    let mut base = components[..first_glob].join("/");
    if base.is_empty() {
        base = if norm.starts_with('/') {
            "/".into()
        } else {
            ".".into()
        };
    } else if base.ends_with(':') {
        base.push('/');
    }
    let rest = &components[first_glob..];
    let depth = if rest.iter().any(|c| c.contains("**")) {
        MAX_DEPTH
    } else {
        rest.len()
    };
    // Listing leaves folders' access times as they were (see dirwalk).
    crate::dirwalk::walk(
        std::path::Path::new(&base),
        depth,
        &mut |entry| {
            let text = normalise(&entry.path.to_string_lossy());
            let text = text
                .strip_prefix("./")
                .filter(|_| base == ".")
                .unwrap_or(&text);
            if matcher.is_match(text) && !found(entry.path.clone()) {
                return crate::dirwalk::Next::Stop;
            }
            crate::dirwalk::Next::Continue
        },
        &mut |_, _| crate::dirwalk::Next::Continue,
    );
    Ok(())
}

/// The paths matching `pattern` (see [`visit`]), sorted, at most `limit`.
pub fn expand(pattern: &str, limit: usize) -> Result<Vec<PathBuf>, String> {
    let mut paths = Vec::new();
    visit(pattern, |p| {
        paths.push(p);
        paths.len() < limit
    })?;
    paths.sort();
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_within_components_and_with_double_star() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "a.log",
            "b.log",
            "c.txt",
            "sub/d.log",
            "sub/deep/e.log",
            "Prog/One/app.exe",
            "Prog/Two/app.exe",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let names = |pattern: &str, limit| -> Vec<String> {
            expand(&format!("{}/{pattern}", root.display()), limit)
                .unwrap()
                .iter()
                .map(|p| {
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/")
                })
                .collect()
        };
        assert_eq!(names("*.log", 100), ["a.log", "b.log"]);
        assert_eq!(
            names("**/*.log", 100),
            ["a.log", "b.log", "sub/d.log", "sub/deep/e.log"]
        );
        assert_eq!(
            names("Prog/*/app.exe", 100),
            ["Prog/One/app.exe", "Prog/Two/app.exe"]
        );
        assert_eq!(names("*.{log,txt}", 2).len(), 2);
        assert_eq!(names("c.txt", 100), ["c.txt"]);
        assert!(names("missing.txt", 100).is_empty());
        assert!(expand("/x/[", 1).is_err());
    }
}
