//! Writing the zip atomically: into a temporary file in the destination
//! folder (owner-only on Unix), renamed to the final name only when complete.
//!
//! Dropping a [`PendingZip`] (an error, Ctrl-C, a panic) deletes the
//! temporary file; a hard kill can leave it behind under its hidden
//! `.supportctl-*.partial` name, never at the final path. Entries are
//! deflated as they stream in, on a thread of their own ([`Entry`] hashes
//! and counts what it hands over; at most 1 MiB waits between the two
//! threads). zip64 is used for entries that may pass 4 GiB.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::cancel::Cancel;
use tempfile::TempPath;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Entries that may grow past this use zip64 headers.
const LARGE_ENTRY: u64 = 1 << 30;
/// Bytes handed to the compressing thread at a time, and how many such
/// chunks may wait: at most 8 × 128 KiB in flight.
const CHUNK: usize = 128 * 1024;
const IN_FLIGHT: usize = 8;

/// Work for the thread that owns the zip writer.
enum Job {
    Start(String, SimpleFileOptions),
    Data(Vec<u8>),
}

type Output = BufWriter<File>;

/// An archive being written. Reading and redacting happen on the caller's
/// thread; deflating and writing on a thread of its own, so the two overlap
/// (the machine's second core does the compression).
pub struct PendingZip {
    jobs: Option<SyncSender<Job>>,
    writer: Option<JoinHandle<io::Result<Output>>>,
    temp: Option<TempPath>,
    level: i64,
}

/// The finished archive.
pub struct Finished {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
}

fn write_jobs(file: File, jobs: Receiver<Job>) -> io::Result<Output> {
    let mut zip = ZipWriter::new(BufWriter::with_capacity(256 * 1024, file));
    for job in jobs {
        match job {
            Job::Start(name, options) => zip.start_file(name, options).map_err(zip_error)?,
            Job::Data(bytes) => zip.write_all(&bytes)?,
        }
    }
    zip.finish().map_err(zip_error)
}

/// Keeps the kind of an I/O error inside a zip error (a full disk stays `StorageFull`).
fn zip_error(e: zip::result::ZipError) -> io::Error {
    match e {
        zip::result::ZipError::Io(e) => e,
        other => io::Error::other(other),
    }
}

impl PendingZip {
    /// Starts an archive that will become `target` (whose folder must exist).
    pub fn create(target: &Path, level: u8) -> io::Result<PendingZip> {
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let (file, temp) = tempfile::Builder::new()
            .prefix(".supportctl-")
            .suffix(".partial")
            .tempfile_in(dir)?
            .into_parts();
        let (jobs, receiver) = sync_channel(IN_FLIGHT);
        let writer = std::thread::Builder::new()
            .name("bundle-zip".into())
            .spawn(move || write_jobs(file, receiver))?;
        Ok(PendingZip {
            jobs: Some(jobs),
            writer: Some(writer),
            temp: Some(temp),
            level: i64::from(level),
        })
    }

    /// Hands a job to the writing thread; when it has stopped, its error.
    fn send(&mut self, job: Job) -> io::Result<()> {
        let sent = self.jobs.as_ref().is_some_and(|j| j.send(job).is_ok());
        if sent {
            Ok(())
        } else {
            Err(self
                .stop()
                .err()
                .unwrap_or_else(|| io::Error::other("the zip writer stopped")))
        }
    }

    /// Ends the writing thread and returns what it wrote into.
    fn stop(&mut self) -> io::Result<Output> {
        self.jobs = None;
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the zip writer panicked")),
            None => Err(io::Error::other("the zip writer already stopped")),
        }
    }

    /// Starts an entry; write its content into the returned [`Entry`].
    pub fn entry(
        &mut self,
        name: &str,
        modified: Option<SystemTime>,
        size_hint: u64,
    ) -> io::Result<Entry<'_>> {
        let method = if self.level == 0 {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .compression_level((self.level > 0).then_some(self.level))
            .last_modified_time(dos_time(modified.unwrap_or_else(SystemTime::now)))
            .unix_permissions(0o644)
            .large_file(size_hint >= LARGE_ENTRY);
        self.send(Job::Start(name.to_string(), options))?;
        Ok(Entry {
            zip: self,
            buf: Vec::with_capacity(CHUNK),
            hasher: Sha256::new(),
            bytes: 0,
        })
    }

    /// Completes the archive and renames it to `target`; refuses to replace
    /// an existing file unless `overwrite`.
    pub fn finish(
        mut self,
        target: &Path,
        overwrite: bool,
        cancel: &Cancel,
    ) -> io::Result<Finished> {
        let file = self.stop()?.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        let temp = self
            .temp
            .take()
            .ok_or_else(|| io::Error::other("no temporary file"))?;
        let (size, sha256) = hash_file(&temp)?;
        // Interrupted (or over the step's time) meanwhile: never rename.
        if cancel.is_set() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        if overwrite {
            temp.persist(target)
        } else {
            temp.persist_noclobber(target)
        }
        .map_err(|e| e.error)?;
        Ok(Finished {
            path: target.to_path_buf(),
            size,
            sha256,
        })
    }
}

impl Drop for PendingZip {
    /// Abandoned (an error, an interruption): stop the writer, so its file
    /// handle is closed, then the temporary file is deleted.
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = self.stop();
        }
        self.temp.take();
    }
}

/// One entry being written: buffered, hashed and counted.
pub struct Entry<'a> {
    zip: &'a mut PendingZip,
    buf: Vec<u8>,
    hasher: Sha256,
    bytes: u64,
}

impl Entry<'_> {
    fn flush_buf(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.hasher.update(&self.buf);
        self.bytes += self.buf.len() as u64;
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.zip.send(Job::Data(full))
    }

    /// Ends the entry: (bytes written, SHA-256 of them).
    pub fn finish(mut self) -> io::Result<(u64, String)> {
        self.flush_buf()?;
        let hasher = std::mem::take(&mut self.hasher);
        Ok((self.bytes, hex(&hasher.finalize())))
    }
}

impl Write for Entry<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush_buf()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Size and SHA-256 of a file, read in chunks.
pub fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(&hasher.finalize())))
}

/// A zip timestamp (local time; zip can hold 1980 to 2107).
fn dos_time(t: SystemTime) -> DateTime {
    let local = jiff::Timestamp::try_from(t)
        .ok()
        .map(|ts| ts.to_zoned(jiff::tz::TimeZone::system()).datetime());
    local
        .and_then(|d| {
            let year = u16::try_from(d.year()).ok()?.clamp(1980, 2107);
            DateTime::from_date_and_time(
                year,
                d.month() as u8,
                d.day() as u8,
                d.hour() as u8,
                d.minute() as u8,
                d.second() as u8,
            )
            .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_atomically_and_never_over_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("b.zip");
        let mut z = PendingZip::create(&target, 6).unwrap();
        let mut e = z.entry("a/b.txt", None, 5).unwrap();
        e.write_all(b"hello").unwrap();
        let (n, sha) = e.finish().unwrap();
        assert_eq!(n, 5);
        assert_eq!(
            sha,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        // Nothing at the final path until finished.
        assert!(!target.exists());
        let done = z.finish(&target, false, &Cancel::new()).unwrap();
        assert_eq!(hash_file(&target).unwrap(), (done.size, done.sha256));
        let mut archive = zip::ZipArchive::new(File::open(&target).unwrap()).unwrap();
        let mut s = String::new();
        archive
            .by_name("a/b.txt")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "hello");
        // A second one refuses to replace it, and leaves no temporary file.
        let z = PendingZip::create(&target, 6).unwrap();
        assert!(z.finish(&target, false, &Cancel::new()).is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["b.zip"]);
        // Dropped midway: the temporary file goes too.
        let mut z = PendingZip::create(&target, 6).unwrap();
        z.entry("x", None, 0)
            .unwrap()
            .write_all(b"partial")
            .unwrap();
        drop(z);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
