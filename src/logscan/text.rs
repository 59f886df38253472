//! Scanning one text log: plain, gzip (decompressed on another thread) or
//! UTF-16, in 4 MiB chunks. The patterns are searched in the whole chunk
//! (as grep does), not line by line; only matching lines are looked at
//! further (timestamp, exclusions, grouping). With a window (`since`) on a
//! plain file, its start is found by binary search over byte offsets, so a
//! day at the end of a year-long log costs a day's reading. A line without
//! a timestamp (a stack trace) takes the time of the line before it.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Instant;

use jiff::Timestamp;
use regex::bytes::Regex;

use super::collect::{Collector, Event};
use super::files;
use super::time::Reader;
use crate::cancel::Cancel;
use crate::textcodec::{Encoding, Utf16ToUtf8, sniff};

const CHUNK: usize = 4 << 20;
/// A line longer than this is cut (the rest up to its newline is skipped).
const MAX_LINE: usize = 8 << 20;
/// How far back a line without a timestamp looks for one.
const LOOKBACK_LINES: usize = 200;
const PROBE: usize = 64 << 10;

/// What a scan of text files needs.
pub struct TextScan<'a> {
    /// All patterns in one (multi-line) regex; `None`: every line counts.
    pub combined: Option<&'a Regex>,
    pub since: Option<Timestamp>,
    pub zone: jiff::tz::TimeZone,
    pub now: Timestamp,
    pub deadline: Instant,
    pub cancel: &'a Cancel,
}

/// What reading one file did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileNote {
    pub path: String,
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Bytes before the window, skipped by the binary search.
    pub skipped: u64,
    pub error: Option<String>,
    /// Set when the scan stopped early (time, interruption).
    pub stopped: bool,
}

/// Scans `path` into `collector`.
pub fn scan(path: &Path, s: &TextScan, collector: &mut Collector) -> FileNote {
    let mut note = FileNote {
        path: path.display().to_string(),
        ..FileNote::default()
    };
    if let Err(e) = scan_inner(path, s, collector, &mut note) {
        note.error = Some(e.to_string());
    }
    note
}

fn read_head(file: &mut File, n: usize) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; n];
    let mut got = 0;
    while got < n {
        let r = file.read(&mut head[got..])?;
        if r == 0 {
            break;
        }
        got += r;
    }
    head.truncate(got);
    Ok(head)
}

fn scan_inner(path: &Path, s: &TextScan, c: &mut Collector, note: &mut FileNote) -> io::Result<()> {
    let mut file = files::open(path)?;
    let len = file.metadata()?.len();
    let head = read_head(&mut file, PROBE)?;
    file.seek(SeekFrom::Start(0))?;
    let source = path
        .file_name()
        .map_or_else(|| note.path.clone(), |n| n.to_string_lossy().into_owned());
    if head.starts_with(&[0x1f, 0x8b]) {
        // Decompress on another thread; this one searches.
        let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(2);
        let worker = std::thread::spawn(move || {
            let mut gz = flate2::read::MultiGzDecoder::new(io::BufReader::new(file));
            loop {
                let mut buf = vec![0u8; CHUNK];
                match gz.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => {
                        buf.truncate(n);
                        if tx.send(Ok(buf)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        let reader = ChannelReader {
            rx,
            buf: Vec::new(),
            pos: 0,
        };
        let result = scan_decoded(reader, &source, s, c, note);
        let _ = worker.join();
        return result;
    }
    match sniff(&head[..head.len().min(512)]) {
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let be = head.starts_with(&[0xFE, 0xFF]);
            scan_decoded(Utf16ToUtf8::new(file, be), &source, s, c, note)
        }
        _ => {
            let reader = time_reader(&head, s);
            if let (Some(since), Some(r)) = (s.since, &reader)
                && len > 4 * PROBE as u64
            {
                let start = window_start(&mut file, len, r, since)?;
                note.skipped = start;
                file.seek(SeekFrom::Start(start))?;
            }
            scan_stream(file, &source, reader, note.skipped > 0, s, c, note)
        }
    }
}

/// A UTF-16 or gzip stream: no seeking; the time format comes from its first chunk.
fn scan_decoded(
    mut r: impl Read,
    source: &str,
    s: &TextScan,
    c: &mut Collector,
    note: &mut FileNote,
) -> io::Result<()> {
    let mut head = vec![0u8; PROBE];
    let mut got = 0;
    while got < head.len() {
        let n = r.read(&mut head[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    head.truncate(got);
    let reader = time_reader(&head, s);
    scan_stream(
        io::Cursor::new(head).chain(r),
        source,
        reader,
        false,
        s,
        c,
        note,
    )
}

fn time_reader(head: &[u8], s: &TextScan) -> Option<Reader> {
    let lines: Vec<&[u8]> = head.split(|&b| b == b'\n').take(50).collect();
    Reader::sniff(&lines).map(|format| Reader::new(format, s.zone.clone(), s.now))
}

/// The offset of a line at or shortly before the first one in the window
/// (a time-ordered file; the caller still checks each line's time).
fn window_start(file: &mut File, len: u64, r: &Reader, since: Timestamp) -> io::Result<u64> {
    let (mut lo, mut hi) = (0u64, len);
    while hi - lo > PROBE as u64 {
        let mid = lo + (hi - lo) / 2;
        file.seek(SeekFrom::Start(mid))?;
        let block = read_head(file, PROBE)?;
        // The first whole line after `mid` with a time.
        let t = block
            .split(|&b| b == b'\n')
            .skip(1)
            .find_map(|line| r.parse(line));
        match t {
            Some(t) if t < since => lo = mid,
            _ => hi = mid,
        }
    }
    Ok(lo.saturating_sub(PROBE as u64))
}

/// The core loop: chunks, whole lines, matches.
fn scan_stream(
    mut input: impl Read,
    source: &str,
    reader: Option<Reader>,
    mid_file: bool,
    s: &TextScan,
    c: &mut Collector,
    note: &mut FileNote,
) -> io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + (64 << 10));
    let mut skip_partial = mid_file;
    let mut cut_line = false;
    let mut eof = false;
    while !eof {
        if Instant::now() >= s.deadline || s.cancel.is_set() {
            note.stopped = true;
            return Ok(());
        }
        let old = buf.len();
        buf.resize(old + CHUNK, 0);
        let mut filled = old;
        while filled < buf.len() {
            let n = match input.read(&mut buf[filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                eof = true;
                break;
            }
            filled += n;
        }
        buf.truncate(filled);
        note.bytes += (filled - old) as u64;
        let mut start = 0;
        if skip_partial || cut_line {
            match memchr::memchr(b'\n', &buf) {
                Some(i) => {
                    start = i + 1;
                    skip_partial = false;
                    cut_line = false;
                }
                None => {
                    buf.clear();
                    continue;
                }
            }
        }
        let end = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf[start..]) {
                Some(i) => start + i + 1,
                None if buf.len() - start > MAX_LINE => {
                    cut_line = true;
                    buf.len()
                }
                None => continue,
            }
        };
        search(&buf[start..end], source, reader.as_ref(), s, c);
        buf.drain(..end);
    }
    Ok(())
}

/// Every matching line of `region` (whole lines) into the collector.
fn search(region: &[u8], source: &str, reader: Option<&Reader>, s: &TextScan, c: &mut Collector) {
    let mut at = 0;
    while at < region.len() {
        let (line_start, line_end) = match s.combined {
            Some(re) => {
                let Some(m) = re.find_at(region, at) else {
                    return;
                };
                let start = memchr::memrchr(b'\n', &region[..m.start()]).map_or(0, |i| i + 1);
                let end =
                    memchr::memchr(b'\n', &region[m.end()..]).map_or(region.len(), |i| m.end() + i);
                (start.max(at), end)
            }
            None => {
                let end = memchr::memchr(b'\n', &region[at..]).map_or(region.len(), |i| at + i);
                (at, end)
            }
        };
        at = line_end + 1;
        let line = strip_cr(&region[line_start..line_end]);
        if line.is_empty() {
            continue;
        }
        let Some(which) = c.matches(line) else {
            continue;
        };
        let time = reader.and_then(|r| r.parse(line).or_else(|| lookback(region, line_start, r)));
        if let (Some(since), Some(t)) = (s.since, time)
            && t < since
        {
            continue;
        }
        c.add(
            Event {
                time,
                source,
                event_id: None,
                text: line,
            },
            which,
        );
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The time of the nearest line before `line_start` that has one.
fn lookback(region: &[u8], line_start: usize, r: &Reader) -> Option<Timestamp> {
    let mut end = line_start.checked_sub(1)?;
    for _ in 0..LOOKBACK_LINES {
        let start = memchr::memrchr(b'\n', &region[..end]).map_or(0, |i| i + 1);
        if let Some(t) = r.parse(strip_cr(&region[start..end])) {
            return Some(t);
        }
        if start == 0 {
            return None;
        }
        end = start - 1;
    }
    None
}

/// Reads the chunks a decompressing thread sends.
struct ChannelReader {
    rx: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.buf.len() {
            match self.rx.recv() {
                Ok(Ok(b)) => {
                    self.buf = b;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
