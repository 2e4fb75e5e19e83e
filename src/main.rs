//! The `archc` binary: parses the command line and dispatches to `archc::cli`.

fn main() -> std::process::ExitCode {
    archc::cli::main()
}
