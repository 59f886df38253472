//! Reading one chosen file: its newest tail when it is too large, text or
//! binary, UTF-16 turned into UTF-8 (Windows writes many logs in UTF-16).
//!
//! A file is binary when its first 8 KiB hold a NUL byte and it does not
//! start with a UTF-16 byte-order mark. A tail starts at the first line
//! break after the cut, so the first line kept is whole. At most the planned
//! number of bytes is read, even from a file that grows meanwhile.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};

pub use crate::textcodec::{Encoding, Utf16ToUtf8, sniff};

/// An opened file region, ready to stream.
pub struct Opened {
    pub reader: Box<dyn BufRead + Send>,
    pub encoding: Encoding,
    /// Bytes of the file's start that are left out (0 when whole).
    pub skipped: u64,
    /// The file's size when opened.
    pub size: u64,
}

/// Opens the chosen file to read at most its last `keep` bytes: relative
/// to its folder, without following a final link (unless the playbook named
/// it literally) and without blocking, and only if it is still the file
/// chosen (see [`crate::safeopen`]).
pub fn open(file: &super::select::Candidate, keep: u64) -> io::Result<Opened> {
    let mut file = crate::safeopen::open_chosen(&file.source, &file.id, file.literal)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let size = meta.len();
    let mut head = [0u8; 8192];
    let n = read_full(&mut file, &mut head)?;
    let encoding = sniff(&head[..n]);
    let keep = keep.min(size);
    let cut = keep < size;
    let mut start = size - keep;
    if matches!(encoding, Encoding::Utf16Le | Encoding::Utf16Be) {
        // Whole code units, after the byte-order mark.
        start = start.max(2);
        start += start % 2;
    }
    file.seek(SeekFrom::Start(start))?;
    let region = file.take(size.saturating_sub(start));
    let mut reader: Box<dyn BufRead + Send> = match encoding {
        Encoding::Utf16Le | Encoding::Utf16Be => Box::new(BufReader::with_capacity(
            64 * 1024,
            Utf16ToUtf8::new(BufReader::new(region), encoding == Encoding::Utf16Be),
        )),
        _ => Box::new(BufReader::with_capacity(64 * 1024, region)),
    };
    let mut skipped = if cut { start } else { 0 };
    if cut && encoding != Encoding::Binary {
        // Start at a whole line (unless there is no break in the first 64 KiB).
        let buf = reader.fill_buf()?;
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            reader.consume(i + 1);
            if encoding == Encoding::Text {
                skipped += i as u64 + 1;
            }
        }
    }
    Ok(Opened {
        reader,
        encoding,
        skipped,
        size,
    })
}

fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Ends a stream at its first read error with a marker line, keeping what
/// was read, so one failing source (a network file that vanished, a disk
/// error) cannot abort the whole bundle; [`StopOnError::error`] tells.
pub struct StopOnError<R> {
    inner: R,
    error: Option<io::Error>,
    marker: Vec<u8>,
    at: usize,
}

impl<R: BufRead> StopOnError<R> {
    pub fn new(inner: R) -> Self {
        StopOnError {
            inner,
            error: None,
            marker: Vec::new(),
            at: 0,
        }
    }

    pub fn error(&self) -> Option<&io::Error> {
        self.error.as_ref()
    }
}

impl<R: BufRead> Read for StopOnError<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for StopOnError<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.error.is_none() {
            match self.inner.fill_buf() {
                // (Re-borrowed below: the borrow checker cannot see through the match.)
                Ok(_) => return self.inner.fill_buf(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
                Err(e) => {
                    self.marker =
                        format!("\n[supportctl: reading stopped here: {e}]\n").into_bytes();
                    self.error = Some(e);
                }
            }
        }
        Ok(&self.marker[self.at..])
    }

    fn consume(&mut self, n: usize) {
        if self.error.is_none() {
            self.inner.consume(n);
        } else {
            self.at = (self.at + n).min(self.marker.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str) -> Vec<u8> {
        let mut v = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v
    }

    #[test]
    fn utf16_is_decoded_even_across_chunks() {
        let text = "héllo 𝄞 wörld\r\n".repeat(5000);
        let mut out = String::new();
        Utf16ToUtf8::new(&utf16le(&text)[..], false)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
    }

    /// The file at `p` as chosen now.
    fn chosen(p: &std::path::Path) -> crate::bundle::select::Candidate {
        let meta = std::fs::metadata(p).unwrap();
        crate::bundle::select::Candidate {
            source: p.to_path_buf(),
            size: meta.len(),
            modified: meta.modified().unwrap(),
            max_size: u64::MAX,
            binary: false,
            id: crate::safeopen::FileId::of(&meta),
            literal: false,
        }
    }

    #[test]
    fn tails_start_at_a_whole_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.log");
        std::fs::write(&p, "line one\nline two\nline three\n").unwrap();
        let mut o = open(&chosen(&p), 15).unwrap();
        let mut s = String::new();
        o.reader.read_to_string(&mut s).unwrap();
        assert_eq!(s, "line three\n");
        assert_eq!(o.skipped, 18);
        let mut o = open(&chosen(&p), 1000).unwrap();
        s.clear();
        o.reader.read_to_string(&mut s).unwrap();
        assert_eq!((s.len(), o.skipped), (29, 0));
        // UTF-16 tails too.
        std::fs::remove_file(&p).unwrap();
        std::fs::write(&p, utf16le("first\nsecond\nthird\n")).unwrap();
        let mut o = open(&chosen(&p), 14).unwrap();
        s.clear();
        o.reader.read_to_string(&mut s).unwrap();
        assert_eq!((s.as_str(), o.encoding), ("third\n", Encoding::Utf16Le));
        let mut o = open(&chosen(&p), 1000).unwrap();
        s.clear();
        o.reader.read_to_string(&mut s).unwrap();
        assert_eq!((s.as_str(), o.skipped), ("first\nsecond\nthird\n", 0));
    }

    #[test]
    fn a_read_error_ends_the_stream_with_a_marker() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk gone"));
                }
                self.0 -= 1;
                buf[..3].copy_from_slice(b"ok\n");
                Ok(3)
            }
        }
        let mut r = StopOnError::new(BufReader::new(Failing(2)));
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(
            s,
            "ok\nok\n\n[supportctl: reading stopped here: disk gone]\n"
        );
        assert_eq!(r.error().unwrap().to_string(), "disk gone");
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"plain text"), Encoding::Text);
        assert_eq!(sniff(b"PK\x03\x04\x00\x00"), Encoding::Binary);
        assert_eq!(sniff(&[0xFE, 0xFF, 0, b'a']), Encoding::Utf16Be);
    }
}
