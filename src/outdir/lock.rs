//! One writer at a time: an advisory lock on `.ssm-compile.lock` in the output directory.
//!
//! `build` holds it exclusively from reading the directory to writing the last manifest;
//! `check` and `diff` hold it shared while they read, so they never see half of a build.
//! The lock is the kernel's (`flock`), so a build killed with SIGKILL releases it at once.
//!
//! The file is removed when the last holder lets go, so a directory at rest holds no lock file.
//! That is safe because every holder checks, once it has the lock, that the name still refers
//! to the file it locked (git's and cargo's discipline): a waiter that got the lock of a file
//! the previous holder unlinked starts over on the new one.

use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::{Problem, World};

use super::display;

/// The lock file's name; `check` and `diff` count it as neither foreign nor stale.
pub const LOCK: &str = ".ssm-compile.lock";

/// How long a build waits for another one before it gives up, unless
/// `SSM_COMPILE_LOCK_TIMEOUT` (e.g. `500ms`, `2m`) says otherwise.
pub(super) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How to wait for the lock.
pub struct Wait<'a> {
    pub timeout: Duration,
    /// Called once, when the lock is held by someone else and waiting starts.
    pub on_wait: &'a mut dyn FnMut(&Path),
}

impl Wait<'_> {
    /// The timeout from `SSM_COMPILE_LOCK_TIMEOUT`, else [`DEFAULT_TIMEOUT`].
    pub fn timeout_from_env() -> Duration {
        std::env::var("SSM_COMPILE_LOCK_TIMEOUT")
            .ok()
            .and_then(|t| crate::watch::parse_interval(&t).ok())
            .unwrap_or(DEFAULT_TIMEOUT)
    }
}

/// A held lock; released (and its file removed if nobody else holds it) when dropped.
#[derive(Debug)]
pub(super) struct Lock {
    file: File,
    path: PathBuf,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Shared,
    Exclusive,
}

/// Takes the lock of the existing directory `dir`. `Ok(None)`: a shared lock could not be had
/// because the directory is not writable (a read-only checkout); the reader goes on without.
pub(super) fn acquire(dir: &Path, mode: Mode, wait: &mut Wait) -> Result<Option<Lock>, Diagnostic> {
    let path = dir.join(LOCK);
    let start = Instant::now();
    let mut told = false;
    loop {
        let file = match open(&path) {
            Ok(file) => file,
            Err(e) if mode == Mode::Shared && read_only(&e) => return Ok(None),
            Err(e) => return Err(lock_error(&path, &e)),
        };
        let locked = match mode {
            Mode::Shared => file.try_lock_shared(),
            Mode::Exclusive => file.try_lock(),
        };
        match locked {
            Ok(()) if same_file(&file, &path) => return Ok(Some(Lock { file, path })),
            // The previous holder removed the file we locked: start over on the new one.
            Ok(()) => continue,
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(lock_error(&path, &e)),
        }
        if start.elapsed() >= wait.timeout {
            let found = World::OutputLocked {
                dir: &display(dir),
                waited: &seconds(wait.timeout),
                lock: &display(&path),
            };
            return Err(found.diagnostic());
        }
        if !told {
            (wait.on_wait)(dir);
            told = true;
        }
        drop(file);
        std::thread::sleep(Duration::from_millis(10));
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Remove the file only with the lock held exclusively (a shared holder upgrades if it
        // can), and only if the name is still this file: see the module's comment.
        if self.file.try_lock().is_ok() && same_file(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// Opens (or creates) the lock file without following a link or blocking on a FIFO.
fn open(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("it is not a regular file"));
    }
    Ok(file)
}

/// Whether `path` still names the file `file` is open on.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

fn read_only(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    )
}

fn lock_error(path: &Path, e: &io::Error) -> Diagnostic {
    let path = display(path);
    World::LockFailed {
        path: &path,
        error: e,
    }
    .diagnostic()
}

fn seconds(d: Duration) -> String {
    if d.as_millis().is_multiple_of(1000) {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}
