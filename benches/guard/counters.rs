//! The guard's I/O counters, read around the measured call inside the child process.
//!
//! - **Bytes written**: `wchar` of `/proc/self/io`, the bytes the process passed to
//!   write(2)/pwrite(2) and friends. Unlike `write_bytes` (what reached the block layer,
//!   which depends on the kernel's write-back timing), it depends only on the calls the
//!   program makes, so it is the same on every run. SQLite writes whole pages (plus a
//!   24-byte header per WAL frame), so bytes / 4096 counts the pages written.
//! - **fsyncs**: this binary defines `fsync` and `fdatasync` itself. The executable's own
//!   definitions take precedence over glibc's for every caller linked into it (the bundled
//!   SQLite, Rust's `File::sync_all`), so each call is counted here and then made as the
//!   raw system call. No VFS, no ptrace, no preloaded library. On targets where this is not
//!   set up the count is 0 and the guard's fsync column only shows the baseline's 0 too.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::scenarios::GuardResult;

static FSYNCS: AtomicU64 = AtomicU64::new(0);

/// The counters at one instant.
pub struct Counters {
    pub written_bytes: u64,
    pub fsyncs: u64,
}

impl Counters {
    pub fn now() -> GuardResult<Counters> {
        let io = std::fs::read_to_string("/proc/self/io")
            .map_err(|e| format!("cannot read /proc/self/io: {e}"))?;
        let written_bytes = io
            .lines()
            .find_map(|l| l.strip_prefix("wchar:"))
            .and_then(|v| v.trim().parse().ok())
            .ok_or("no wchar line in /proc/self/io")?;
        Ok(Counters {
            written_bytes,
            fsyncs: FSYNCS.load(Ordering::SeqCst),
        })
    }
}

#[cfg(all(
    target_os = "linux",
    target_env = "gnu",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
mod interpose {
    use std::ffi::{c_int, c_long};
    use std::sync::atomic::Ordering;

    use super::FSYNCS;

    #[cfg(target_arch = "x86_64")]
    const SYS_FSYNC: c_long = 74;
    #[cfg(target_arch = "x86_64")]
    const SYS_FDATASYNC: c_long = 75;
    #[cfg(target_arch = "aarch64")]
    const SYS_FSYNC: c_long = 82;
    #[cfg(target_arch = "aarch64")]
    const SYS_FDATASYNC: c_long = 83;

    unsafe extern "C" {
        /// glibc's generic system call: returns -1 and sets errno on failure, as fsync does.
        fn syscall(number: c_long, ...) -> c_long;
    }

    /// Counts, then makes the real fsync(2).
    #[unsafe(no_mangle)]
    pub extern "C" fn fsync(fd: c_int) -> c_int {
        FSYNCS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: fsync takes one integer argument; the kernel checks the descriptor.
        unsafe { syscall(SYS_FSYNC, c_long::from(fd)) as c_int }
    }

    /// Counts, then makes the real fdatasync(2).
    #[unsafe(no_mangle)]
    pub extern "C" fn fdatasync(fd: c_int) -> c_int {
        FSYNCS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: as for `fsync`.
        unsafe { syscall(SYS_FDATASYNC, c_long::from(fd)) as c_int }
    }
}
