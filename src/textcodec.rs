//! Text encodings of files read as logs: sniffed from the first bytes
//! (UTF-16 by its byte-order mark, binary by NUL bytes), and UTF-16 decoded
//! to UTF-8 as a stream. A foundation shared by bundles and log scans
//! (Windows writes many logs in UTF-16).

use std::io::{self, Read};

/// How a file's bytes are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Text,
    Utf16Le,
    Utf16Be,
    Binary,
}

impl Encoding {
    pub fn name(self) -> Option<&'static str> {
        match self {
            Encoding::Utf16Le => Some("utf-16le"),
            Encoding::Utf16Be => Some("utf-16be"),
            _ => None,
        }
    }
}

/// Sniffs the encoding from a file's first bytes.
pub fn sniff(head: &[u8]) -> Encoding {
    match head {
        [0xFF, 0xFE, ..] => Encoding::Utf16Le,
        [0xFE, 0xFF, ..] => Encoding::Utf16Be,
        _ if head.contains(&0) => Encoding::Binary,
        _ => Encoding::Text,
    }
}

/// Decodes UTF-16 to UTF-8 as a stream (invalid units become U+FFFD; a byte
/// order mark is dropped).
pub struct Utf16ToUtf8<R> {
    inner: R,
    big_endian: bool,
    raw: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16ToUtf8 {
            inner,
            big_endian,
            raw: Vec::new(),
            out: Vec::new(),
            pos: 0,
            eof: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        while self.out.is_empty() && !self.eof {
            let mut chunk = [0u8; 32 * 1024];
            let n = match self.inner.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.eof = n == 0;
            self.raw.extend_from_slice(&chunk[..n]);
            let mut units: Vec<u16> = self
                .raw
                .chunks_exact(2)
                .map(|p| {
                    if self.big_endian {
                        u16::from_be_bytes([p[0], p[1]])
                    } else {
                        u16::from_le_bytes([p[0], p[1]])
                    }
                })
                .collect();
            let mut used = units.len() * 2;
            // Keep a trailing high surrogate for the next chunk.
            if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
                units.pop();
                used -= 2;
            }
            if self.eof {
                used = self.raw.len();
            }
            self.raw.drain(..used);
            for c in char::decode_utf16(units) {
                let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
                if c != '\u{feff}' {
                    let mut b = [0u8; 4];
                    self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.out.len() {
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
