//! Reading merge inputs: the files, folders and globs given, each file
//! read into one reused buffer (capped), decoded as a report or a history
//! export (one run at a time), or listed as a problem with the reason.

use super::*;

/// Expands the command-line inputs into report files: files as given,
/// folders searched for `*.json`, globs expanded. Errors name inputs that
/// match nothing.
pub fn inputs(args: &[String]) -> (Vec<PathBuf>, Vec<Problem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for arg in args {
        let matched = crate::pathglob::expand(arg, 100_000).unwrap_or_default();
        if matched.is_empty() {
            problems.push(Problem {
                source: arg.clone(),
                problem: "no such file, folder or match".into(),
                rejected: true,
            });
        }
        for path in matched {
            if path.is_dir() {
                let mut found: Vec<PathBuf> = walkdir::WalkDir::new(&path)
                    .follow_links(false)
                    .into_iter()
                    .filter_map(Result::ok)
                    .filter(|e| {
                        e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json")
                    })
                    .map(walkdir::DirEntry::into_path)
                    .collect();
                found.sort();
                files.extend(found);
            } else {
                files.push(path);
            }
        }
    }
    (files, problems)
}

/// The largest report read; a supportctl report is far smaller.
const MAX_REPORT_BYTES: u64 = 256 << 20;

/// Reads a regular file's text into `buf` (emptied first, reused from file
/// to file), at most [`MAX_REPORT_BYTES`]: opened without blocking (a FIFO
/// named `*.json` cannot hang the merge), checked on the open handle (a
/// link to `/dev/zero` is not a regular file), read with a cap.
fn read_capped<'b>(path: &Path, buf: &'b mut Vec<u8>) -> Result<&'b str, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot be read: {e}");
    let file = crate::safeopen::open_regular(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::Other {
            format!("{e}; not a supportctl report")
        } else {
            cannot(e)
        }
    })?;
    buf.clear();
    if let Ok(meta) = file.metadata() {
        buf.reserve(meta.len().min(MAX_REPORT_BYTES + 1) as usize);
    }
    file.take(MAX_REPORT_BYTES + 1)
        .read_to_end(buf)
        .map_err(cannot)?;
    if buf.len() as u64 > MAX_REPORT_BYTES {
        return Err("larger than 256 MiB; not a supportctl report".into());
    }
    std::str::from_utf8(buf).map_err(|_| "not UTF-8 text; not a supportctl report".into())
}

/// Reads one report file — or a history export (`supportctl history
/// export`: `{"tool": "supportctl", "history": [reports]}`) — and hands each
/// report to `each` as it is decoded, or says why the file cannot be merged
/// (`each` may then have seen some of an export's runs: the caller drops
/// them). `buf` is the reused read buffer.
pub fn read_each(
    path: &Path,
    buf: &mut Vec<u8>,
    each: &mut dyn FnMut(Report),
) -> Result<(), String> {
    let text = read_capped(path, buf)?;
    // The header first, into a small struct: unknown fields are skipped
    // without being kept, so memory follows the report, not the file.
    #[derive(serde::Deserialize)]
    struct Header {
        tool: Option<String>,
        schema_version: Option<u64>,
        #[serde(default)]
        history: Option<serde::de::IgnoredAny>,
    }
    let header: Header = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if header.tool.as_deref() != Some("supportctl") {
        return Err("not a supportctl report (no \"tool\": \"supportctl\")".into());
    }
    if header.history.is_some() {
        return export_runs(text, each);
    }
    each(report_of(header.schema_version, || {
        serde_json::from_str(text)
    })?);
    Ok(())
}

/// Reads one file whole (see [`read_each`]).
pub fn read(path: &Path) -> Result<Vec<Report>, String> {
    let mut reports = Vec::new();
    read_each(path, &mut Vec::new(), &mut |r| reports.push(r))?;
    Ok(reports)
}

/// A history export's runs, decoded one at a time (never the whole list).
fn export_runs(text: &str, each: &mut dyn FnMut(Report)) -> Result<(), String> {
    use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess};

    /// The `history` list: each run checked and handed on as it is read.
    struct Runs<'f> {
        each: &'f mut dyn FnMut(Report),
        failed: &'f mut Option<String>,
    }
    impl<'de> de::Visitor<'de> for Runs<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of reports")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            while let Some(v) = seq.next_element::<serde_json::Value>()? {
                i += 1;
                let version = v.get("schema_version").and_then(serde_json::Value::as_u64);
                match report_of(version, || serde::Deserialize::deserialize(v)) {
                    Ok(report) => (self.each)(report),
                    Err(e) => {
                        *self.failed = Some(format!("run {i} of the export: {e}"));
                        return Err(de::Error::custom("stopped"));
                    }
                }
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for Runs<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    /// The export object: `history` read with [`Runs`], the rest skipped.
    struct Export<'f>(Option<Runs<'f>>);
    impl<'de> de::Visitor<'de> for Export<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a history export")
        }
        fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                match (key.as_ref(), self.0.take()) {
                    ("history", Some(runs)) => map.next_value_seed(runs)?,
                    (_, runs) => {
                        self.0 = runs;
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(())
        }
    }

    let mut failed = None;
    let runs = Runs {
        each,
        failed: &mut failed,
    };
    let read = serde_json::Deserializer::from_str(text).deserialize_map(Export(Some(runs)));
    match (failed, read) {
        (Some(problem), _) => Err(problem),
        (None, Err(e)) => Err(format!("not a valid history export: {e}")),
        (None, Ok(())) => Ok(()),
    }
}

/// A report of this build's schema version, decoded by `decode`.
fn report_of(
    schema_version: Option<u64>,
    decode: impl FnOnce() -> serde_json::Result<Report>,
) -> Result<Report, String> {
    match schema_version {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "incompatible report schema_version {v}: this supportctl reads version {SCHEMA_VERSION} (merge it with a matching supportctl)"
            ));
        }
        None => return Err("no schema_version".into()),
    }
    decode().map_err(|e| format!("not a valid version-{SCHEMA_VERSION} report: {e}"))
}
