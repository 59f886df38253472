//! How many network checks may be open at once, given the open-file limit.
//!
//! Every network check holds file descriptors while it waits: a socket
//! (`tcp`, `http`, `dns`), a resolver's socket, or a `ping` program's pipes
//! and process handle. Unix caps them per process (`ulimit -n`: often 1024
//! on Linux, 256 on macOS), and a check that cannot open its socket fails
//! with "too many open files" — a wrong answer about the network. So before
//! a run, [`net_jobs`] raises the soft limit towards what the wanted
//! concurrency needs (never above the hard limit, which is the policy
//! owner's), and lowers the concurrency to what the limit allows.
//! Windows has no such per-process limit for sockets.
//! A foundation module: it imports nothing of the crate.

/// Descriptors one network check may hold at once (a `ping` program: three
/// pipes and a process handle).
pub const PER_CHECK: u64 = 4;

/// Descriptors kept for everything else: standard streams, the history
/// database, playbooks being read, other steps' files.
pub const RESERVED: u64 = 64;

/// How many checks may run at once when `wanted` are asked for and the
/// process may open `limit` files.
pub fn fit(wanted: usize, limit: u64) -> usize {
    let room = limit.saturating_sub(RESERVED) / PER_CHECK;
    wanted.min(room.max(1) as usize)
}

/// Raises this process's open-file soft limit to what `wanted` checks need
/// (if the hard limit allows) and returns how many may run at once.
#[cfg(unix)]
pub fn net_jobs(wanted: usize) -> usize {
    let need = RESERVED + PER_CHECK * wanted as u64;
    fit(wanted, raise_soft_limit(need))
}

/// Windows: sockets and handles have no per-process limit worth the name.
#[cfg(not(unix))]
pub fn net_jobs(wanted: usize) -> usize {
    wanted.max(1)
}

/// Raises the soft `RLIMIT_NOFILE` to `need` when it is lower and the hard
/// limit allows; returns the soft limit now in force. Only ever raised, and
/// only as far as needed, so programs the run starts inherit a limit close
/// to the one they would have had.
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // rlim_t is 32 bits on some targets
fn raise_soft_limit(need: u64) -> u64 {
    let Some(lim) = open_file_limit() else {
        return u64::MAX;
    };
    let (soft, hard) = (lim.rlim_cur as u64, lim.rlim_max as u64);
    if soft >= need || lim.rlim_cur == libc::RLIM_INFINITY {
        return soft;
    }
    let target = if lim.rlim_max == libc::RLIM_INFINITY {
        need
    } else {
        need.min(hard)
    };
    if target <= soft {
        return soft;
    }
    let raised = libc::rlimit {
        rlim_cur: target as libc::rlim_t,
        rlim_max: lim.rlim_max,
    };
    // SAFETY: setrlimit reads one rlimit we own; raising the soft limit up
    // to the hard one needs no privilege. macOS refuses more than
    // kern.maxfilesperproc, and then the old limit stays.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
        target
    } else {
        soft
    }
}

/// The open-file limits in force (soft and hard), if they can be read.
#[cfg(unix)]
fn open_file_limit() -> Option<libc::rlimit> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct we own.
    (unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0).then_some(lim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_fits_the_limit() {
        assert_eq!(fit(256, 1_000_000), 256);
        // Linux's usual 1024: (1024 - 64) / 4.
        assert_eq!(fit(256, 1024), 240);
        // macOS's usual 256.
        assert_eq!(fit(256, 256), 48);
        // Never none, however low the limit.
        assert_eq!(fit(256, 10), 1);
        assert_eq!(fit(4, 1024), 4);
    }

    #[cfg(unix)]
    #[test]
    #[allow(clippy::unnecessary_cast)] // rlim_t is 32 bits on some targets
    fn the_soft_limit_is_raised_to_what_is_needed() {
        let before = open_file_limit().unwrap();
        let jobs = net_jobs(256);
        let after = open_file_limit().unwrap();
        assert_eq!(
            after.rlim_max, before.rlim_max,
            "the hard limit is not ours"
        );
        assert!(after.rlim_cur >= before.rlim_cur);
        assert_eq!(jobs, fit(256, after.rlim_cur as u64));
        if before.rlim_max == libc::RLIM_INFINITY || before.rlim_max as u64 >= 1088 {
            assert_eq!(jobs, 256);
        }
    }
}
