//! The ssm-compile binary: the command line (`cli`), the command shells (`commands`), and the
//! output streams, which strip colour where it is off (anstream). The core is the library.

#![warn(clippy::too_many_lines)]

mod cli;
mod commands;

use std::process::ExitCode;

fn main() -> ExitCode {
    raise_open_files_limit();
    fixed_mmap_threshold();
    let invocation = cli::parse();
    let (out, err) = (
        &mut anstream::stdout().lock(),
        &mut anstream::stderr().lock(),
    );
    let exit = commands::run(invocation, out, err);
    ExitCode::from(exit as u8)
}

/// Raises the soft limit of open files to the hard one, as Go's runtime does for every
/// program: `diff` keeps a changed template past 1 MiB as an unnamed temporary file, one per
/// account and format, and 1,024 (a common soft limit) is within reach of a directory of
/// hundreds of accounts. Nothing is lost where it cannot be raised: a rendering that finds no
/// descriptor stays in memory.
fn raise_open_files_limit() {
    #[cfg(unix)]
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        let mut limit = std::mem::zeroed::<libc::rlimit>();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            let soft = limit.rlim_cur;
            limit.rlim_cur = limit.rlim_max;
            // macOS refuses an unlimited soft limit; 10,240 is its OPEN_MAX.
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 && soft < 10_240 {
                limit.rlim_cur = 10_240.min(limit.rlim_max);
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    }
}

/// Keeps glibc's threshold for serving an allocation from its own mapping at 128 KiB. By
/// default a freed large buffer raises it (up to 32 MiB), and the next buffers of that size
/// come from the heap, where freeing them returns nothing to the system: a review's peak
/// resident memory was 3 MB over its heap's at 20,000 grants, and the bound is 20 times the
/// configuration (issue 16). No slower in the benchmark's runs.
fn fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator, before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
    }
}
