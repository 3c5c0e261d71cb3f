//! The output directory: what is on disk, how it differs from a plan, and writing a plan.
//!
//! This is the only module (with the command shells) that touches the file system. The directory
//! is ssm-compile's: a manifest lists the files it wrote; it never overwrites or deletes a file
//! not listed there, and every write is a rename of a complete temporary file. One build at a
//! time writes into a directory ([`lock`]).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::compile::plan::Plan;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::{Problem, World};

mod blob;
mod lock;
pub(crate) mod manifest;
mod state;
mod write;

#[cfg(test)]
pub(crate) use blob::IN_MEMORY;
pub use blob::{Blob, Spill};
pub use lock::{LOCK, Wait};
pub use manifest::{MANIFEST, for_plan as manifest_for, parse as parse_manifest};
pub use state::{Change, ChangeKind, DiskState, OldBytes};

/// Temporary files are named like this, so a run killed mid-write can be cleaned up by the next.
const TEMP_PREFIX: &str = ".ssm-compile-";
const TEMP_SUFFIX: &str = ".tmp";

/// Whether `name` has the shape of the temporary files a build makes (the tempfile crate puts
/// six random letters and digits between prefix and suffix; up to 16 are accepted). Only
/// regular files of this shape are removed as leftovers; anything else is foreign and left alone.
fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|mid| {
            (1..=16).contains(&mid.len()) && mid.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Reads the state of `dir` relevant to `plan`, holding the shared lock while it reads so a
/// build running at the same time is seen whole or not at all. Waits up to the default time,
/// silently; see [`read_with`]. A missing directory is an empty state.
pub fn read(dir: &Path, plan: &Plan) -> Result<DiskState, Diagnostic> {
    read_with(dir, plan, &mut default_wait(&mut |_| {}), OldBytes::Keep)
}

/// [`read`], waiting for a build as `wait` says, keeping the old bytes of changed files or not.
pub fn read_with(
    dir: &Path,
    plan: &Plan,
    wait: &mut Wait,
    old: OldBytes,
) -> Result<DiskState, Diagnostic> {
    let dir = &normalize(dir);
    if !dir.is_dir() {
        return state::read_unlocked(dir, plan, old);
    }
    let _lock = lock::acquire(dir, lock::Mode::Shared, wait)?;
    state::read_unlocked(dir, plan, old)
}

/// A lock wait with the timeout from the environment (see [`Wait::timeout_from_env`]).
pub fn default_wait<'a>(on_wait: &'a mut dyn FnMut(&Path)) -> Wait<'a> {
    Wait {
        timeout: Wait::timeout_from_env(),
        on_wait,
    }
}

/// What a build did.
#[derive(Debug, Default)]
pub struct BuildReport<'p> {
    pub written: Vec<Change<'p>>,
    pub removed: Vec<Change<'p>>,
    pub unchanged: usize,
    /// Entries not written by ssm-compile, left as they are.
    pub untouched: Vec<String>,
    /// Temporary files of an interrupted build, removed.
    pub leftovers: Vec<String>,
}

/// Writes the plan into `dir`, waiting silently for another build; see [`build_with`].
pub fn build<'p>(dir: &Path, plan: &'p Plan) -> Result<BuildReport<'p>, Vec<Diagnostic>> {
    build_with(dir, plan, &mut default_wait(&mut |_| {}))
}

/// Writes the plan into `dir` with the directory's lock held (waiting as `wait` says). Nothing
/// is written when a planned file would overwrite a file ssm-compile did not write. Unchanged
/// files are not touched at all.
pub fn build_with<'p>(
    dir: &Path,
    plan: &'p Plan,
    wait: &mut Wait,
) -> Result<BuildReport<'p>, Vec<Diagnostic>> {
    let one = |e: Diagnostic| vec![e];
    // `policies/` and `policies/.` name what `policies` names, link or not.
    let dir = &normalize(dir);
    refuse_link(dir).map_err(one)?;
    if !dir.exists() {
        fs::create_dir_all(dir).map_err(|e| one(io_error("create", dir, &e)))?;
    }
    let _lock = lock::acquire(dir, lock::Mode::Exclusive, wait).map_err(one)?;
    let state = state::read_unlocked(dir, plan, OldBytes::Skip).map_err(one)?;
    let mut conflicts = state.conflicts(plan);
    let changes = state.changes(plan);
    conflicts.extend(case_aliases(dir, &state, &changes));
    if !conflicts.is_empty() {
        return Err(conflicts.iter().map(|n| conflict(dir, n)).collect());
    }
    for temp in &state.temps {
        write::remove(&dir.join(temp)).map_err(one)?;
    }
    let mut report = BuildReport {
        untouched: state.untouched(plan),
        leftovers: state.temps.clone(),
        ..BuildReport::default()
    };
    apply(dir, plan, &state, changes, &mut report).map_err(one)?;
    Ok(report)
}

/// Carries out the changes, the manifest first (claiming new files) and last (their final list).
fn apply<'p>(
    dir: &Path,
    plan: &'p Plan,
    state: &DiskState,
    changes: Vec<Change<'p>>,
    report: &mut BuildReport<'p>,
) -> Result<(), Diagnostic> {
    // Temporary files are created by absolute path: given a relative one, the tempfile crate
    // asks for the current directory once per file.
    let absolute = std::path::absolute(dir).map_err(|e| io_error("find", dir, &e))?;
    let write_atomic =
        |name: &str, bytes: &[u8], exists: bool| write::atomic(dir, &absolute, name, bytes, exists);

    // Claim new files in the manifest before writing them, so a run killed in between (or a
    // power loss: the directory is synced) leaves files the next run knows are its own.
    let claimed: BTreeSet<&String> = state.owned.iter().chain(plan.files.keys()).collect();
    let mut manifest_now = state.manifest.clone();
    let mut touched = false;
    let twins = case_twins(plan, &changes);
    if changes.iter().any(|c| !state.owned.contains(&c.name)) {
        let interim = manifest::for_names(claimed);
        write_atomic(MANIFEST, &interim, state.manifest.is_some())?;
        write::sync_dir(dir)?;
        manifest_now = Some(interim);
    }
    // Every new file is written first and flushed at once, then renamed into place.
    let mut staged = Vec::new();
    for change in &changes {
        if let Some(content) = change.new {
            // An added file does not exist (an existing one would be a conflict).
            let exists = change.kind != ChangeKind::Added;
            staged.push(write::stage_with(
                dir,
                &absolute,
                &change.name,
                &mut |w| content.write_to(w),
                exists,
                false,
            )?);
        }
    }
    let name_of = |i: usize| {
        let change = changes.iter().filter(|c| c.new.is_some()).nth(i);
        dir.join(&change.expect("a staged file is a change").name)
    };
    write::sync_batch(&staged, &name_of)?;
    touched |= !changes.is_empty();
    let writes = changes.iter().filter(|c| c.new.is_some());
    for (s, change) in staged.into_iter().zip(writes) {
        write::commit(s, &dir.join(&change.name))?;
    }
    for change in changes.iter().filter(|c| c.new.is_none()) {
        remove_owned(dir, &twins, &change.name)?;
    }
    // Split in place: a cold build of 100,000 files has as many changes.
    let mut written = changes;
    report.removed = written.extract_if(.., |c| c.new.is_none()).collect();
    report.written = written;
    report.unchanged = plan.files.len() - report.written.len();

    let manifest = manifest::for_plan(plan);
    if manifest_now.as_deref() != Some(manifest.as_slice()) {
        write_atomic(MANIFEST, &manifest, manifest_now.is_some())?;
        touched = true;
    }
    if touched || !state.temps.is_empty() {
        write::sync_dir(dir)?;
    }
    Ok(())
}

/// Removes a file whose grant is gone, unless it is a planned file under another spelling:
/// on a case-insensitive file system, renaming grant `Web` to `web` writes `web.json` over
/// `Web.json`, and removing `Web.json` then would delete the new policy. `twins`: planned
/// names by their lower case, for the removed names that have one.
fn remove_owned(
    dir: &Path,
    twins: &HashMap<String, &String>,
    name: &str,
) -> Result<(), Diagnostic> {
    let path = dir.join(name);
    if let Some(twin) = twins.get(&name.to_ascii_lowercase()) {
        let twin = dir.join(twin);
        if write::same_file(&path, &twin) {
            // Best effort: give the entry the planned spelling (a case-only rename).
            let _ = fs::rename(&path, &twin);
            return Ok(());
        }
    }
    write::remove(&path)
}

/// The planned names that differ only in case from a removed name, by their lower case.
fn case_twins<'p>(plan: &'p Plan, changes: &[Change]) -> HashMap<String, &'p String> {
    let removed: HashSet<String> = changes
        .iter()
        .filter(|c| c.new.is_none())
        .map(|c| c.name.to_ascii_lowercase())
        .collect();
    if removed.is_empty() {
        return HashMap::new();
    }
    plan.files
        .keys()
        .filter(|p| removed.contains(&p.to_ascii_lowercase()))
        .map(|p| (p.to_ascii_lowercase(), p))
        .collect()
}

/// Added files that already exist under another spelling on a case-insensitive file system,
/// where that other spelling is not ours: writing would replace a foreign file. Only names
/// with a case twin in the listing are looked up, so the cost is a stat per twin.
fn case_aliases(dir: &Path, state: &DiskState, changes: &[Change]) -> Vec<String> {
    let foreign: HashSet<String> = state
        .foreign
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Added)
        .filter(|c| foreign.contains(&c.name.to_ascii_lowercase()))
        .filter(|c| fs::symlink_metadata(dir.join(&c.name)).is_ok())
        .map(|c| c.name.clone())
        .collect()
}

fn conflict(dir: &Path, name: &str) -> Diagnostic {
    let path = dir.join(name);
    let link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    let path = display(&path);
    World::InTheWay { path: &path, link }.diagnostic()
}

/// A linked output directory could send every write somewhere the user never reviewed.
fn refuse_link(dir: &Path) -> Result<(), Diagnostic> {
    if fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        let dir = display(dir);
        return Err(World::LinkedOutputDir { dir: &dir }.diagnostic());
    }
    Ok(())
}

/// `dir` without trailing `/` and `.` components: `policies/.` is `policies`, so the link
/// check looks at the link itself rather than through it. `..` is kept (it is not lexical).
pub fn normalize(dir: &Path) -> PathBuf {
    let cleaned: PathBuf = dir.components().collect();
    if cleaned.as_os_str().is_empty() || cleaned.components().all(|c| c == Component::CurDir) {
        return PathBuf::from(".");
    }
    cleaned
}

/// Opens `path` for reading without following a final symbolic link and without blocking on
/// a FIFO (whose writer may never come).
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}

pub fn io_error(what: &str, path: &Path, e: &io::Error) -> Diagnostic {
    crate::diagnostic::io::error(what, &display(path), e)
}

/// A path as the user would type it, with control characters escaped (`\u{1b}`, `\n`): a
/// file name is untrusted input, and an escape sequence in one must not reach the terminal
/// (or forge a line of the report).
pub fn display(path: &Path) -> String {
    let text = path.to_string_lossy();
    if !text.chars().any(char::is_control) {
        return text.into_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The output directory for a configuration file: `-o`, else its `output` key, else `policies`,
/// relative to the configuration file's directory.
pub fn resolve(config_path: &Path, cli_out: Option<&Path>, key: Option<&str>) -> PathBuf {
    if let Some(out) = cli_out {
        return out.to_path_buf();
    }
    let base = config_path.parent().unwrap_or(Path::new(""));
    base.join(key.unwrap_or("policies"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slashes_and_dots_are_dropped() {
        for (given, want) in [
            ("policies/", "policies"),
            ("policies/.", "policies"),
            ("policies/./", "policies"),
            ("./policies//", "./policies"),
            ("a/./b/", "a/b"),
            ("a/..", "a/.."),
            (".", "."),
            ("./", "."),
        ] {
            assert_eq!(normalize(Path::new(given)), PathBuf::from(want), "{given}");
        }
    }

    #[test]
    fn control_characters_in_paths_are_escaped() {
        assert_eq!(display(Path::new("policies/web.json")), "policies/web.json");
        assert_eq!(
            display(Path::new("out\x1b[31mred\n/x")),
            "out\\u{1b}[31mred\\n/x"
        );
    }

    /// A case-insensitive file system, simulated: `Web.json` and `web.json` are one file (a
    /// hard link here). Removing the old spelling must not delete the new policy.
    #[cfg(unix)]
    #[test]
    fn a_case_only_rename_keeps_the_new_policy_when_both_spellings_are_one_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("web.json"), "new").unwrap();
        fs::hard_link(dir.path().join("web.json"), dir.path().join("Web.json")).unwrap();
        let planned = "web.json".to_owned();
        let twins = HashMap::from([("web.json".to_owned(), &planned)]);
        remove_owned(dir.path(), &twins, "Web.json").unwrap();
        // Not unlinked: on the real thing, that would have been the new policy's only name.
        assert!(dir.path().join("Web.json").exists());
        assert_eq!(fs::read(dir.path().join("web.json")).unwrap(), b"new");
        // Two different files (a case-sensitive file system): the old one is removed.
        fs::remove_file(dir.path().join("Web.json")).unwrap();
        fs::write(dir.path().join("Web.json"), "old").unwrap();
        remove_owned(dir.path(), &twins, "Web.json").unwrap();
        assert!(!dir.path().join("Web.json").exists());
        assert_eq!(fs::read(dir.path().join("web.json")).unwrap(), b"new");
    }

    #[test]
    fn only_the_temporary_files_a_build_makes_are_leftovers() {
        assert!(is_temp_name(".ssm-compile-a1B2c3.tmp"));
        assert!(is_temp_name(".ssm-compile-x1.tmp"));
        for name in [
            ".ssm-compile-.tmp",
            ".ssm-compile-a1B2c3d4e5f6g7h8i.tmp",
            ".ssm-compile-a-b.tmp",
            ".ssm-compile-a/b2c3.tmp",
            ".ssm-compile-manifest",
            ".ssm-compile.lock",
        ] {
            assert!(!is_temp_name(name), "{name}");
        }
    }
}
