//! The `palermo` binary; everything lives in the library.

fn main() -> std::process::ExitCode {
    palermo::cli::main()
}
