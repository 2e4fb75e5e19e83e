//! The `archc` binary: parses the command line and dispatches to `archc::cli`.

fn main() -> std::process::ExitCode {
    // `archc model FILE | head` must end quietly when the reader goes away, as
    // other command-line tools do, instead of panicking on a broken pipe.
    // SAFETY: called first thing, before any thread exists.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // glibc serves a large allocation with its own mapping, returned to the
    // system when freed, but raises that threshold (up to 32 MB) each time
    // such a block is freed: the megabyte-sized file texts and template
    // contexts of a large build then come from the heap, which keeps them
    // after they are freed. A fixed threshold keeps them mapped and also lets
    // a growing file text be remapped instead of copied. Building 10,000
    // components: peak memory 144 -> 123 MB, time within the machine's noise
    // (bench/README.md).
    // SAFETY: called before any thread exists; mallopt only sets a parameter.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
    archc::cli::main()
}
