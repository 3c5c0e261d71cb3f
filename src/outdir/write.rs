//! Writing one file so that it is never torn: git's lock-file-and-rename discipline.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;

use super::{TEMP_PREFIX, TEMP_SUFFIX, io_error};

/// Whether writes are flushed to the disk: yes unless `SSM_COMPILE_FSYNC=0` (for scratch
/// directories whose loss on power failure costs nothing, and to measure what flushing costs).
fn durable() -> bool {
    static DURABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DURABLE.get_or_init(|| std::env::var_os("SSM_COMPILE_FSYNC").is_none_or(|v| v != "0"))
}

/// A complete temporary file, not yet renamed to its name (removed if dropped).
/// A written temporary file, to be renamed to its name. Only the temporary path is held: a
/// cold build of 400,000 files stages them all before the first rename (issue 16).
pub(super) struct Staged {
    temp: tempfile::TempPath,
}

/// Replaces `dir/name` with `bytes`: a temporary file in the same directory, its data flushed
/// to the disk, renamed over it. `absolute` is `dir` as an absolute path; `exists`: whether
/// there is a file to replace, whose mode is kept. The directory itself is synced once by the
/// caller ([`sync_dir`]) after its last rename, not once per file.
pub(super) fn atomic(
    dir: &Path,
    absolute: &Path,
    name: &str,
    bytes: &[u8],
    exists: bool,
) -> Result<(), Diagnostic> {
    let staged = stage(dir, absolute, name, bytes, exists, true)?;
    commit(staged, &dir.join(name))
}

/// Writes the temporary file for `dir/name`; `sync`: flush its data now (else the caller
/// flushes a batch at once with [`sync_batch`]).
pub(super) fn stage(
    dir: &Path,
    absolute: &Path,
    name: &str,
    bytes: &[u8],
    exists: bool,
    sync: bool,
) -> Result<Staged, Diagnostic> {
    stage_with(
        dir,
        absolute,
        name,
        &mut |w| w.write_all(bytes),
        exists,
        sync,
    )
}

/// [`stage`] with the content written by `content`: a template is rendered straight into
/// its file, never held whole (issue 16).
pub(super) fn stage_with(
    dir: &Path,
    absolute: &Path,
    name: &str,
    content: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    exists: bool,
    sync: bool,
) -> Result<Staged, Diagnostic> {
    let path = dir.join(name);
    let fail = |e: io::Error| io_error("write", &path, &e);
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    let mut temp = builder.tempfile_in(absolute).map_err(fail)?;
    #[cfg(unix)]
    {
        // Set after creation: a mode given at creation is reduced by the umask, and the
        // README promises rw-r--r-- (or the replaced file's mode) whatever the umask.
        let mode = file_permissions(&path, exists);
        temp.as_file().set_permissions(mode).map_err(fail)?;
    }
    #[cfg(not(unix))]
    let _ = exists;
    content(&mut temp).map_err(fail)?;
    // Without this a power loss after the rename can leave a file of zeros under the new name
    // (ext4 without auto_da_alloc, XFS): the rename reaches the disk before the data.
    if durable() && sync {
        temp.as_file().sync_data().map_err(fail)?;
    } else if durable() {
        start_writeout(temp.as_file());
    }
    // The descriptor is closed here: a batch of 100,000 files must not hold as many open.
    Ok(Staged {
        temp: temp.into_temp_path(),
    })
}

/// Renames a staged file to its name.
pub(super) fn commit(staged: Staged, path: &Path) -> Result<(), Diagnostic> {
    staged
        .temp
        .persist(path)
        .map_err(|e| io_error("write", path, &e.error))
}

/// Flushes the data of every staged file in `dir` to the disk, git's `core.fsyncMethod=batch`:
/// on Linux each file's write-out was started when it was staged (`sync_file_range`), and one
/// full `fsync` at the end commits the file system's journal, which in ext4's and XFS's
/// ordered mode waits for that data. 10,000 `fdatasync` calls would cost one journal commit
/// each (minutes on a slow disk). Elsewhere each file is synced.
pub(super) fn sync_batch(
    staged: &[Staged],
    path_of: &dyn Fn(usize) -> PathBuf,
) -> Result<(), Diagnostic> {
    if !durable() {
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    if let Some(last) = staged.last() {
        let sync = fs::File::open(&last.temp).and_then(|f| f.sync_all());
        sync.map_err(|e| io_error("sync", &path_of(staged.len() - 1), &e))?;
    }
    #[cfg(not(target_os = "linux"))]
    for (i, s) in staged.iter().enumerate() {
        let sync = fs::File::open(&s.temp).and_then(|f| f.sync_all());
        sync.map_err(|e| io_error("sync", &path_of(i), &e))?;
    }
    Ok(())
}

/// Starts writing a staged file's data to the disk without waiting (Linux).
fn start_writeout(file: &fs::File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: only reads the descriptor, which `file` keeps open. A failure only means
        // the final fsync has more to wait for.
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// Keep the mode of the file being replaced; new files get the usual rw-r--r--, not the
/// owner-only mode of a temporary file.
#[cfg(unix)]
fn file_permissions(path: &Path, exists: bool) -> fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    let new = || fs::Permissions::from_mode(0o644);
    if !exists {
        return new();
    }
    fs::metadata(path).map_or_else(|_| new(), |meta| meta.permissions())
}

/// Makes the renames and removals in `dir` durable: they are entries of the directory, which
/// has its own data to flush.
pub(super) fn sync_dir(dir: &Path) -> Result<(), Diagnostic> {
    if !durable() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        let fail = |e: io::Error| io_error("sync", dir, &e);
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(fail)?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

pub(super) fn remove(path: &Path) -> Result<(), Diagnostic> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("remove", path, &e)),
    }
}

/// Whether `a` and `b` (in one directory) are the same file: two spellings of one name on a
/// case-insensitive file system (macOS, Windows).
pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::symlink_metadata(a), fs::symlink_metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        // No inode to compare: assume the worst, that a case twin is the same file.
        fs::symlink_metadata(a).is_ok() && fs::symlink_metadata(b).is_ok()
    }
}
