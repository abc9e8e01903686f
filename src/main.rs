//! The `palermo` binary; everything lives in the library.

/// jemalloc instead of glibc's malloc, chosen by measurement (`bench/scale.py`, SQLite, 100,000
/// values, `wrk -t2 -c32`, medians of 3, the same release build with each allocator preloaded):
/// the 100-value page went from 3,721 to 6,426 req/s and its p99 from 21.1 to 12.9 ms, the first
/// push from 60,584 to 76,146 values/s; mimalloc gave 3,689 req/s. glibc spent about a third of
/// the page's CPU in malloc and free, capped at two arenas to keep its RSS down; jemalloc's
/// per-thread caches avoid that contention and return freed memory to the system on a timer.
/// Linked here it serves Rust's allocations only; SQLite's and libpq's C code keep glibc's malloc
/// (so the linked gain is smaller than the preloaded one: see `bench/README.md`).
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    palermo::cli::main()
}
