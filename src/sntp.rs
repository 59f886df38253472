//! A simple SNTP client (RFC 4330): one request to a time server over UDP,
//! bounded by a deadline, and the clock offset it implies.
//!
//! The offset is `((T2 - T1) + (T3 - T4)) / 2` from our send time T1, the
//! server's receive and transmit times T2 and T3, and our receive time T4;
//! positive means this machine is behind. The reply must echo our transmit
//! time (so a stray or spoofed datagram is not believed), come from a
//! server (mode 4) with a synchronised clock (leap indicator not 3, stratum
//! 1–15; stratum 0 is a "kiss-o'-death" refusal).

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Seconds from 1900-01-01 (NTP's epoch) to 1970-01-01.
const NTP_UNIX_OFFSET: f64 = 2_208_988_800.0;

/// What one exchange measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Seconds to add to this machine's clock to get the server's.
    pub offset: f64,
    /// The round trip, less the server's processing time.
    pub delay: Duration,
    pub stratum: u8,
}

/// Why there is no sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SntpError {
    /// No (valid) reply before the deadline.
    Timeout,
    /// The port refused (nothing listens there).
    Refused,
    /// A reply that cannot be used: not a server, unsynchronised, a refusal.
    BadAnswer(String),
    Io(String),
}

/// Seconds since the Unix epoch as an NTP timestamp (era 0; eras are
/// resolved on reading, relative to our own clock).
fn to_ntp(unix: f64) -> [u8; 8] {
    let t = unix + NTP_UNIX_OFFSET;
    let secs = t.floor();
    let frac = ((t - secs) * 4_294_967_296.0) as u32;
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&(secs as u64 as u32).to_be_bytes());
    out[4..].copy_from_slice(&frac.to_be_bytes());
    out
}

/// An NTP timestamp read as Unix seconds, in the 136-year era nearest `near`.
fn from_ntp(bytes: &[u8], near: f64) -> f64 {
    let secs = u32::from_be_bytes(bytes[..4].try_into().expect("4 bytes")) as f64;
    let frac = u32::from_be_bytes(bytes[4..8].try_into().expect("4 bytes")) as f64;
    let era = 4_294_967_296.0;
    let mut t = secs + frac / era - NTP_UNIX_OFFSET;
    while t < near - era / 2.0 {
        t += era;
    }
    t
}

fn now_unix() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Judges a reply to the request sent at `t1` and received at `t4` (pure:
/// tested with crafted packets).
pub fn read_reply(reply: &[u8], sent: &[u8; 8], t1: f64, t4: f64) -> Result<Sample, SntpError> {
    if reply.len() < 48 {
        return Err(SntpError::BadAnswer(format!(
            "a reply of {} bytes (48 expected)",
            reply.len()
        )));
    }
    if &reply[24..32] != sent {
        return Err(SntpError::BadAnswer(
            "the reply does not answer our request".into(),
        ));
    }
    let leap = reply[0] >> 6;
    let mode = reply[0] & 7;
    let stratum = reply[1];
    if mode != 4 && mode != 5 {
        return Err(SntpError::BadAnswer(format!(
            "the reply is not from a time server (mode {mode})"
        )));
    }
    if stratum == 0 {
        let code = String::from_utf8_lossy(&reply[12..16])
            .trim_end_matches('\0')
            .to_string();
        return Err(SntpError::BadAnswer(format!(
            "the server refused to give the time (kiss code `{code}`)"
        )));
    }
    if leap == 3 || stratum > 15 {
        return Err(SntpError::BadAnswer(
            "the server's own clock is not synchronised".into(),
        ));
    }
    let t2 = from_ntp(&reply[32..40], t1);
    let t3 = from_ntp(&reply[40..48], t1);
    let offset = ((t2 - t1) + (t3 - t4)) / 2.0;
    let delay = ((t4 - t1) - (t3 - t2)).max(0.0);
    Ok(Sample {
        offset,
        delay: Duration::from_secs_f64(delay),
        stratum,
    })
}

/// Asks `server` for the time once, waiting until `deadline` for a valid reply.
pub fn query(server: SocketAddr, deadline: Instant) -> Result<Sample, SntpError> {
    let io = |e: std::io::Error| SntpError::Io(e.to_string());
    let socket = crate::net::udp_to(server).map_err(io)?;
    let mut request = [0u8; 48];
    request[0] = 0b00_100_011; // leap 0, version 4, mode 3 (client)
    let t1 = now_unix();
    let sent = to_ntp(t1);
    request[40..48].copy_from_slice(&sent);
    socket.send(&request).map_err(io)?;
    let mut buf = [0u8; 512];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(SntpError::Timeout);
        }
        socket.set_read_timeout(Some(left)).map_err(io)?;
        match socket.recv(&mut buf) {
            Ok(n) => match read_reply(&buf[..n], &sent, t1, now_unix()) {
                // Another request's reply (or a forgery): keep waiting.
                Err(SntpError::BadAnswer(m)) if m.contains("does not answer") => continue,
                other => return other,
            },
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(SntpError::Timeout);
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Err(SntpError::Refused);
            }
            Err(e) => return Err(io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server reply whose clock reads `ours + skew`.
    fn reply(sent: &[u8; 8], t1: f64, skew: f64, first: u8, stratum: u8) -> Vec<u8> {
        let mut r = vec![0u8; 48];
        r[0] = first;
        r[1] = stratum;
        r[24..32].copy_from_slice(sent);
        r[32..40].copy_from_slice(&to_ntp(t1 + 0.010 + skew));
        r[40..48].copy_from_slice(&to_ntp(t1 + 0.011 + skew));
        r
    }

    #[test]
    fn offsets_and_delays_from_the_four_times() {
        let t1 = 1_800_000_000.25;
        let sent = to_ntp(t1);
        let t4 = t1 + 0.021;
        for skew in [0.0, 300.5, -7200.0] {
            let s = read_reply(&reply(&sent, t1, skew, 0x24, 2), &sent, t1, t4).unwrap();
            assert!((s.offset - skew).abs() < 0.001, "{skew}: {s:?}");
            assert!((s.delay.as_secs_f64() - 0.020).abs() < 0.001, "{s:?}");
            assert_eq!(s.stratum, 2);
        }
    }

    #[test]
    fn timestamps_survive_the_2036_era_change() {
        // 2040: NTP seconds wrapped past 2^32.
        let t = 2_209_000_000.5;
        assert!((from_ntp(&to_ntp(t), t) - t).abs() < 0.001);
        let t = 1_800_000_000.0;
        assert!((from_ntp(&to_ntp(t), t) - t).abs() < 0.001);
    }

    #[test]
    fn unusable_replies_are_told_apart() {
        let t1 = 1_800_000_000.0;
        let sent = to_ntp(t1);
        let bad = |r: Vec<u8>| match read_reply(&r, &sent, t1, t1) {
            Err(SntpError::BadAnswer(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(bad(vec![0; 20]).contains("20 bytes"));
        assert!(bad(reply(&to_ntp(t1 + 1.0), t1, 0.0, 0x24, 2)).contains("does not answer"));
        assert!(bad(reply(&sent, t1, 0.0, 0x23, 2)).contains("mode 3"));
        let mut kiss = reply(&sent, t1, 0.0, 0x24, 0);
        kiss[12..16].copy_from_slice(b"RATE");
        assert!(bad(kiss).contains("`RATE`"));
        assert!(bad(reply(&sent, t1, 0.0, 0xe4, 2)).contains("not synchronised"));
    }
}
