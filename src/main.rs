//! The `archc` binary: parses the command line and dispatches to `archc::cli`.

fn main() -> std::process::ExitCode {
    // `archc model FILE | head` must end quietly when the reader goes away, as
    // other command-line tools do, instead of panicking on a broken pipe.
    // SAFETY: called first thing, before any thread exists.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    archc::cli::main()
}
