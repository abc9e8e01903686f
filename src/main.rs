//! The `palermo` binary; everything lives in the library.

fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    palermo::cli::main()
}

/// Caps glibc's malloc at two arenas. glibc gives every thread that allocates under contention an
/// arena of its own (up to 8 per core), and the blocking pool runs dozens of database threads
/// under read load: each arena keeps its freed memory, which took the server's RSS from about 60 MB
/// to over 100 MB with no gain in throughput. `MALLOC_ARENA_MAX` in the environment still wins.
///
/// Also fixes the threshold past which an allocation is its own mapping at 4 MiB. glibc raises it
/// after each large block is freed, so every password verification's 19 MiB (argon2) was then
/// taken from an arena and kept there: RSS grew by about 10 MB per sign-in until the arenas were
/// full of them. Fixed, the block goes back to the system when the verification ends.
/// `MALLOC_MMAP_THRESHOLD_` in the environment still wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: called first thing in `main`, before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: as above.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
