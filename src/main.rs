//! The `supportctl` binary: a thin shell around [`supportctl::main_entry`].

fn main() {
    // Rust ignores SIGPIPE, so `supportctl facts | head` would make println!
    // panic; restore the default so a closed pipe ends the process quietly.
    #[cfg(unix)]
    // SAFETY: setting a signal disposition before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(supportctl::main_entry());
}
