//! The output directory: what is on disk, how it differs from a plan, and writing a plan.
//!
//! This is the only module (with the command shells) that touches the file system. The directory
//! is ssm-compile's: a manifest lists the files it wrote; it never overwrites or deletes a file
//! not listed there, and every write is a rename of a complete temporary file.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::compile::plan::{Content, MANIFEST, Plan, parse_manifest};
use crate::diagnostic::Diagnostic;

/// Temporary files are named like this, so a run killed mid-write can be cleaned up by the next.
const TEMP_PREFIX: &str = ".ssm-compile-";
const TEMP_SUFFIX: &str = ".tmp";

/// What the output directory holds, as far as the plan and the manifest care.
#[derive(Debug, Default)]
pub struct DiskState {
    pub exists: bool,
    /// Names the manifest lists; empty without a manifest.
    pub owned: BTreeSet<String>,
    pub manifest: Option<Vec<u8>>,
    /// Planned files already on disk with exactly the planned bytes (owned or adopted).
    pub identical: HashSet<String>,
    /// Bytes of every other existing file that is planned or owned: what a build would replace
    /// or remove. Identical files are compared as they are read and not kept, so a directory of
    /// 100,000 policies is never held in memory twice.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Entries ssm-compile did not write (and will not touch), planned-and-identical ones excepted.
    pub foreign: Vec<String>,
    /// Leftovers of a killed run.
    pub temps: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Removed => "removed",
        }
    }
}

/// One file the plan adds, changes or removes. The new content is borrowed from the plan and
/// turned into bytes only where they are used ([`Change::new_bytes`]), one file at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change<'p> {
    pub name: String,
    pub kind: ChangeKind,
    pub old: Option<Vec<u8>>,
    pub new: Option<&'p Content>,
}

impl<'p> Change<'p> {
    /// The bytes the plan wants in the file; `None` when the file is removed.
    pub fn new_bytes(&self) -> Option<Cow<'p, [u8]>> {
        self.new.map(Content::bytes)
    }
}

/// Reads the state of `dir` relevant to `plan`. A missing directory is an empty state.
pub fn read(dir: &Path, plan: &Plan) -> Result<DiskState, Diagnostic> {
    let mut state = DiskState::default();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(state),
        Err(e) => return Err(io_error("read the output directory", dir, &e)),
    };
    state.exists = true;
    // The entry's type comes with the listing on most file systems: no stat per file.
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error("read the output directory", dir, &e))?;
        let is_file = match entry.file_type() {
            Ok(t) => t.is_file(),
            Err(e) => return Err(io_error("read", &entry.path(), &e)),
        };
        names.push((entry.file_name().to_string_lossy().into_owned(), is_file));
    }
    names.sort();
    if names.iter().any(|(n, _)| n == MANIFEST) {
        let path = dir.join(MANIFEST);
        let bytes = fs::read(&path).map_err(|e| io_error("read", &path, &e))?;
        state.owned = parse_manifest(&String::from_utf8_lossy(&bytes))
            .into_iter()
            .collect();
        state.manifest = Some(bytes);
    }
    let mut scratch = Vec::new();
    for (name, is_file) in names {
        if name == MANIFEST {
            continue;
        }
        if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
            state.temps.push(name);
            continue;
        }
        let planned = plan.files.get(&name);
        let owned = state.owned.contains(&name);
        if planned.is_none() && !owned {
            state.foreign.push(name);
            continue;
        }
        if !is_file {
            // A directory or a link where a policy belongs is not ours to read or replace.
            state.foreign.push(name);
            continue;
        }
        let path = dir.join(&name);
        let bytes = fs::read(&path).map_err(|e| io_error("read", &path, &e))?;
        if planned.is_some_and(|p| p.is(&bytes, &mut scratch)) {
            state.identical.insert(name);
            continue;
        }
        if !owned {
            state.foreign.push(name.clone());
        }
        state.files.insert(name, bytes);
    }
    Ok(state)
}

impl DiskState {
    /// Planned files that exist, were not written by ssm-compile, and differ from the plan:
    /// building would have to overwrite a file that is not ours.
    pub fn conflicts(&self, plan: &Plan) -> Vec<String> {
        // Walk the few foreign entries, not the (possibly 100,000) planned names; `foreign` is
        // sorted, so the result is too.
        self.foreign
            .iter()
            .filter(|n| plan.files.contains_key(*n))
            .cloned()
            .collect()
    }

    /// Foreign entries that the plan does not want: reported, never touched.
    pub fn untouched(&self, plan: &Plan) -> Vec<String> {
        self.foreign
            .iter()
            .filter(|n| !plan.files.contains_key(*n))
            .cloned()
            .collect()
    }

    /// How the plan differs from the disk, by file name.
    pub fn changes<'p>(&self, plan: &'p Plan) -> Vec<Change<'p>> {
        let mut out = Vec::new();
        for (name, new) in &plan.files {
            if self.identical.contains(name) {
                continue;
            }
            match self.files.get(name) {
                Some(old) if self.owned.contains(name) => out.push(Change {
                    name: name.clone(),
                    kind: ChangeKind::Changed,
                    old: Some(old.clone()),
                    new: Some(new),
                }),
                _ => out.push(Change {
                    name: name.clone(),
                    kind: ChangeKind::Added,
                    old: None,
                    new: Some(new),
                }),
            }
        }
        for name in &self.owned {
            if plan.files.contains_key(name) {
                continue;
            }
            if let Some(old) = self.files.get(name) {
                out.push(Change {
                    name: name.clone(),
                    kind: ChangeKind::Removed,
                    old: Some(old.clone()),
                    new: None,
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// Whether the manifest on disk is exactly the one the plan would write.
    pub fn manifest_current(&self, plan: &Plan) -> bool {
        self.manifest.as_deref() == Some(plan.manifest().as_slice())
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
}

/// Writes the plan into `dir`. Nothing is written when a planned file would overwrite a file
/// ssm-compile did not write. Unchanged files are not touched at all.
pub fn build<'p>(dir: &Path, plan: &'p Plan) -> Result<BuildReport<'p>, Vec<Diagnostic>> {
    // A linked output directory could send every write somewhere the user never reviewed.
    if fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(vec![Diagnostic::error(format!(
            "the output directory {} is a symbolic link; ssm-compile writes only into a real directory",
            display(dir)
        ))
        .help("name the directory the link points to with -o DIR, or replace the link with a directory")]);
    }
    let state = read(dir, plan).map_err(|d| vec![d])?;
    let conflicts = state.conflicts(plan);
    if !conflicts.is_empty() {
        return Err(conflicts
            .iter()
            .map(|name| {
                let path = dir.join(name);
                let link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
                Diagnostic::new(crate::diagnostic::Kind::InTheWay, format!(
                    "{} {} and was not written by ssm-compile",
                    display(&path),
                    if link { "is a symbolic link" } else { "exists" }
                ))
                .help(format!(
                    "ssm-compile never overwrites a file it did not write: move or delete {} and build again",
                    display(&dir.join(name))
                ))
            })
            .collect());
    }
    let changes = state.changes(plan);
    let one = |e: Diagnostic| vec![e];

    if !state.exists {
        fs::create_dir_all(dir).map_err(|e| one(io_error("create", dir, &e)))?;
    }
    for temp in &state.temps {
        remove(&dir.join(temp)).map_err(one)?;
    }
    // Temporary files are created by absolute path: given a relative one, the tempfile crate
    // asks for the current directory once per file.
    let absolute = std::path::absolute(dir).map_err(|e| one(io_error("find", dir, &e)))?;
    let write_atomic =
        |name: &str, bytes: &[u8], exists: bool| write_atomic(dir, &absolute, name, bytes, exists);

    // Claim new files in the manifest before writing them, so a run killed in between
    // leaves files the next run knows are its own.
    let claimed: BTreeSet<&String> = state.owned.iter().chain(plan.files.keys()).collect();
    let mut manifest_now = state.manifest.clone();
    if changes.iter().any(|c| !state.owned.contains(&c.name)) {
        let interim = Plan::manifest_for(claimed);
        write_atomic(MANIFEST, &interim, state.manifest.is_some()).map_err(one)?;
        manifest_now = Some(interim);
    }

    let mut report = BuildReport {
        untouched: state.untouched(plan),
        ..BuildReport::default()
    };
    for change in &changes {
        match change.new {
            Some(content) => {
                // An added file does not exist (an existing one would be a conflict).
                let exists = change.kind != ChangeKind::Added;
                write_atomic(&change.name, &content.bytes(), exists).map_err(one)?;
            }
            None => remove(&dir.join(&change.name)).map_err(one)?,
        }
    }
    // Split in place: a cold build of 100,000 files has as many changes.
    let mut written = changes;
    report.removed = written.extract_if(.., |c| c.new.is_none()).collect();
    report.written = written;
    report.unchanged = plan.files.len() - report.written.len();

    let manifest = plan.manifest();
    if manifest_now.as_deref() != Some(manifest.as_slice()) {
        write_atomic(MANIFEST, &manifest, manifest_now.is_some()).map_err(one)?;
    }
    Ok(report)
}

/// Replaces `dir/name` with `bytes`: a temporary file in the same directory, renamed over it.
/// `absolute` is `dir` as an absolute path; `exists`: whether there is a file to replace, whose
/// mode is kept.
fn write_atomic(
    dir: &Path,
    absolute: &Path,
    name: &str,
    bytes: &[u8],
    exists: bool,
) -> Result<(), Diagnostic> {
    let path = dir.join(name);
    let fail = |e: io::Error| io_error("write", &path, &e);
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    builder.permissions(file_permissions(&path, exists));
    let mut temp = builder.tempfile_in(absolute).map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.persist(&path).map_err(|e| fail(e.error))?;
    Ok(())
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

fn remove(path: &Path) -> Result<(), Diagnostic> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("remove", path, &e)),
    }
}

pub fn io_error(what: &str, path: &Path, e: &io::Error) -> Diagnostic {
    crate::diagnostic::io::error(what, &display(path), e)
}

/// A path as the user would type it.
pub fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
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
