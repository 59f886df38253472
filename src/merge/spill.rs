//! Where a merge keeps each run's compact record while it reads the rest:
//! an anonymous temporary file (`tempfile::tempfile`: no name another user
//! could open or replace — `O_TMPFILE` on Linux, deleted on close on
//! Windows — and readable by the owner only), so that memory holds one
//! offset per run rather than the run. If no temporary file can be made
//! (a read-only temp folder), the records stay in memory, as before.
//!
//! A record is written once, in the fold, and read back by its offset when
//! the summary is built and again when it is drawn; [`Record`] is its
//! content and its encoding (little-endian integers, length-prefixed
//! strings; only this build reads what it wrote).

use std::fs::File;
use std::io::{self, BufWriter, Write};
#[cfg(not(any(unix, windows)))]
use std::io::{Read, Seek, SeekFrom};

use super::{StepFact, StepNotes};
use crate::report::{Status, Summary};

/// What a merge keeps of one run, beyond what decides which run counts.
#[derive(Debug, Default)]
pub(super) struct Record {
    pub host: String,
    pub exit_code: i32,
    pub summary: Summary,
    pub unsigned: Vec<String>,
    pub steps: StepNotes,
    /// (playbook, cause id, summary, cleared), the strings by index.
    pub conclusions: Vec<(u32, Option<u32>, u32, bool)>,
}

/// Where a record is: its offset and length in the spill.
#[derive(Clone, Copy, Debug)]
pub(super) struct At {
    offset: u64,
    len: u32,
}

enum Store {
    /// Being written; read back once [`Spill::seal`] has flushed it.
    Writing(BufWriter<File>),
    File(File),
    Memory(Vec<u8>),
}

/// The records of a merge's runs.
pub(super) struct Spill {
    store: Store,
    len: u64,
    /// The first write that failed: the merge cannot be trusted after it.
    failed: Option<io::Error>,
    buf: Vec<u8>,
}

impl Spill {
    /// A spill in a new anonymous temporary file (in memory if none can be
    /// made).
    pub fn new() -> Spill {
        let store = match tempfile::tempfile() {
            Ok(file) => Store::Writing(BufWriter::with_capacity(1 << 16, file)),
            Err(_) => Store::Memory(Vec::new()),
        };
        Spill {
            store,
            len: 0,
            failed: None,
            buf: Vec::new(),
        }
    }

    /// Keeps `record`; says where it is.
    pub fn push(&mut self, record: &Record) -> At {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        record.encode(&mut buf);
        let at = At {
            offset: self.len,
            len: buf.len() as u32,
        };
        let written = match &mut self.store {
            Store::Writing(w) => w.write_all(&buf),
            Store::Memory(m) => {
                m.extend_from_slice(&buf);
                Ok(())
            }
            Store::File(_) => Err(io::Error::other("the merge's records were already sealed")),
        };
        if let Err(e) = written {
            self.failed.get_or_insert(e);
        }
        self.len += buf.len() as u64;
        self.buf = buf;
        at
    }

    /// Ends the writing: every record can now be read back. Fails when a
    /// write failed (a full disk), naming the error.
    pub fn seal(&mut self) -> io::Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if let Store::Writing(_) = self.store {
            let Store::Writing(w) = std::mem::replace(&mut self.store, Store::Memory(Vec::new()))
            else {
                unreachable!()
            };
            self.store = Store::File(w.into_inner().map_err(|e| e.into_error())?);
        }
        Ok(())
    }

    /// The record at `at` (after [`Spill::seal`]).
    pub fn get(&self, at: At) -> io::Result<Record> {
        let mut bytes = vec![0; at.len as usize];
        let slice: &[u8] = match &self.store {
            Store::File(f) => {
                read_at(f, &mut bytes, at.offset)?;
                &bytes
            }
            Store::Memory(m) => m
                .get(at.offset as usize..at.offset as usize + at.len as usize)
                .ok_or_else(|| damaged("a record past its end"))?,
            Store::Writing(_) => {
                return Err(io::Error::other("the merge's records are not sealed"));
            }
        };
        Record::decode(slice)
    }
}

/// Fills `buf` from `offset` of `file` without moving a shared cursor (a
/// positional read), so that readers never interleave a seek and a read.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            let n = std::os::windows::fs::FileExt::seek_read(
                file,
                &mut buf[done..],
                offset + done as u64,
            )?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            done += n;
        }
        Ok(())
    }
    #[cfg(not(any(unix, windows)))]
    {
        let mut file = file;
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(buf)
    }
}

fn damaged(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the merge's working file is damaged: {what}"),
    )
}

impl Record {
    fn encode(&self, out: &mut Vec<u8>) {
        put_str(out, &self.host);
        out.extend_from_slice(&self.exit_code.to_le_bytes());
        let s = &self.summary;
        for n in [s.total, s.pass, s.fixed, s.warn, s.fail, s.error, s.skipped] {
            out.extend_from_slice(&(n as u64).to_le_bytes());
        }
        put_u32(out, self.unsigned.len() as u32);
        for name in &self.unsigned {
            put_str(out, name);
        }
        put_str(out, &self.steps.text);
        put_u32(out, self.steps.facts.len() as u32);
        for f in &self.steps.facts {
            put_u32(out, f.step);
            put_u32(out, f.reason);
            put_u32(out, f.end);
            out.push(f.status as u8);
        }
        put_u32(out, self.conclusions.len() as u32);
        for &(playbook, id, summary, cleared) in &self.conclusions {
            put_u32(out, playbook);
            put_u32(out, id.unwrap_or(u32::MAX));
            put_u32(out, summary);
            out.push(u8::from(cleared));
        }
    }

    fn decode(bytes: &[u8]) -> io::Result<Record> {
        let mut r = Reader(bytes);
        let host = r.string()?;
        let exit_code = i32::from_le_bytes(r.take(4)?.try_into().unwrap());
        let mut n = [0usize; 7];
        for slot in &mut n {
            *slot = r.u64()? as usize;
        }
        let [total, pass, fixed, warn, fail, error, skipped] = n;
        let summary = Summary {
            total,
            pass,
            fixed,
            warn,
            fail,
            error,
            skipped,
        };
        let unsigned = (0..r.u32()?)
            .map(|_| r.string())
            .collect::<io::Result<_>>()?;
        let text = r.string()?;
        let facts = (0..r.u32()?)
            .map(|_| {
                Ok(StepFact {
                    step: r.u32()?,
                    reason: r.u32()?,
                    end: r.u32()?,
                    status: *Status::ALL
                        .get(r.take(1)?[0] as usize)
                        .ok_or_else(|| damaged("a status"))?,
                })
            })
            .collect::<io::Result<_>>()?;
        let conclusions = (0..r.u32()?)
            .map(|_| {
                let playbook = r.u32()?;
                let id = Some(r.u32()?).filter(|&i| i != u32::MAX);
                Ok((playbook, id, r.u32()?, r.take(1)?[0] != 0))
            })
            .collect::<io::Result<_>>()?;
        Ok(Record {
            host,
            exit_code,
            summary,
            unsigned,
            steps: StepNotes { text, facts },
            conclusions,
        })
    }
}

fn put_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

/// Reads a record's fields in order.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(damaged("a record cut short"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }

    fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }

    fn string(&mut self) -> io::Result<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| damaged("text that is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_as_written() {
        let record = Record {
            host: "ws-01".into(),
            exit_code: -3,
            summary: Summary {
                total: 3,
                pass: 1,
                fail: 2,
                ..Default::default()
            },
            unsigned: vec!["a".into(), "ü".into()],
            steps: StepNotes {
                text: "okno".into(),
                facts: vec![
                    StepFact {
                        step: 0,
                        reason: super::super::NO_REASON,
                        end: 2,
                        status: Status::Pass,
                    },
                    StepFact {
                        step: 7,
                        reason: 3,
                        end: 4,
                        status: Status::Error,
                    },
                ],
            },
            conclusions: vec![(1, None, 2, true), (1, Some(4), 5, false)],
        };
        let mut spill = Spill::new();
        let first = spill.push(&Record::default());
        let at = spill.push(&record);
        spill.seal().unwrap();
        let back = spill.get(at).unwrap();
        assert_eq!(format!("{back:?}"), format!("{record:?}"));
        assert_eq!(spill.get(first).unwrap().host, "");
        // A record cut short is an error, not a panic.
        let mut bytes = Vec::new();
        record.encode(&mut bytes);
        for cut in 0..bytes.len() {
            assert!(Record::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }
}
