//! What is on disk in the output directory, and how it differs from a plan.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::Path;

use crate::compile::plan::{Content, Plan};
use crate::diagnostic::Diagnostic;

use super::blob::{Blob, Spill};
use super::lock::LOCK;
use super::manifest::{self, MANIFEST};
use super::{io_error, is_temp_name};

/// What the output directory holds, as far as the plan and the manifest care.
#[derive(Debug, Default)]
pub struct DiskState {
    pub exists: bool,
    /// Names the manifest lists (only names ssm-compile may write); empty without a manifest.
    pub owned: BTreeSet<String>,
    pub manifest: Option<Vec<u8>>,
    /// Planned files already on disk with exactly the planned bytes (owned or adopted).
    pub identical: HashSet<String>,
    /// Whether `files` holds the files' bytes ([`OldBytes::Keep`]); else each is empty.
    pub kept_old: bool,
    /// Bytes of every other existing file that is planned or owned: what a build would replace
    /// or remove. Identical files are compared as they are read and not kept, so a directory of
    /// 100,000 policies is never held in memory twice; a large template is kept as its open
    /// file, and other files past 1 MiB in all as slices of one temporary file ([`Spill`]):
    /// 100,000 changed policies are 150 MB.
    pub files: BTreeMap<String, Blob>,
    /// Entries ssm-compile did not write (and will not touch), planned-and-identical ones excepted.
    pub foreign: Vec<String>,
    /// Temporary files of a killed run: regular files named like the ones a build makes.
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
/// turned into bytes only where they are used ([`Change::new_blob`]), one file at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change<'p> {
    pub name: String,
    pub kind: ChangeKind,
    /// Shared with the [`DiskState`]: an old template can be hundreds of MB.
    pub old: Option<Blob>,
    pub new: Option<&'p Content>,
    /// A template's `new` as a [`Blob`], made on first use and shared by the review and the
    /// diff; a policy's is made again where it is used (100,000 of them held were 135 MB).
    spooled: OnceCell<Blob>,
}

impl<'p> Change<'p> {
    pub fn new(
        name: String,
        kind: ChangeKind,
        old: Option<Blob>,
        new: Option<&'p Content>,
    ) -> Self {
        let spooled = OnceCell::new();
        Change {
            name,
            kind,
            old,
            new,
            spooled,
        }
    }

    /// The new bytes as a [`Blob`]: a template past 1 MiB is rendered once, into a temporary
    /// file, and kept; a smaller one, and any other file, is rendered on each call.
    pub fn new_blob(&self) -> Option<Cow<'_, Blob>> {
        let new = self.new?;
        if !matches!(new, Content::Template(_)) {
            return Some(Cow::Owned(Blob::of(new)));
        }
        if let Some(blob) = self.spooled.get() {
            return Some(Cow::Borrowed(blob));
        }
        // A rendering in memory (at most 1 MiB) is made again where it is used: a change to
        // every account's template kept one per account and format, 750 MB for 375 accounts.
        let blob = Blob::of(new);
        if blob.in_memory().is_some() {
            return Some(Cow::Owned(blob));
        }
        Some(Cow::Borrowed(self.spooled.get_or_init(|| blob)))
    }
}

/// Whether a read keeps the bytes of the files that differ from the plan. `diff` shows and
/// reviews them; a build and `check` only need to know which differ, and a changed template
/// of 400,000 grants is 745 MB (issue 16).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OldBytes {
    Keep,
    Skip,
}

/// Reads the state of `dir` relevant to `plan`, without taking the lock (the caller holds it).
/// A missing directory is an empty state.
pub(super) fn read_unlocked(
    dir: &Path,
    plan: &Plan,
    old: OldBytes,
) -> Result<DiskState, Diagnostic> {
    let mut state = DiskState {
        kept_old: old == OldBytes::Keep,
        ..DiskState::default()
    };
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
    let listed = names.iter().any(|(n, _)| n == MANIFEST);
    if listed && let Some(bytes) = manifest::read(&dir.join(MANIFEST))? {
        state.owned = manifest::parse(&String::from_utf8_lossy(&bytes))
            .into_iter()
            .collect();
        state.manifest = Some(bytes);
    }
    let mut scratch = (Vec::new(), Vec::new());
    let mut spool = Spill::default();
    for (name, is_file) in names {
        if name == MANIFEST || name == LOCK {
            continue;
        }
        if is_file && is_temp_name(&name) {
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
        let fail = |e: io::Error| io_error("read", &path, &e);
        // Any file past 1 MiB is kept as its open file, never read whole: a template is
        // 250 MB for 100,000 grants, and a removed account's is read too (issue 16).
        let blob = Blob::open(&path).map_err(fail)?;
        let same = match (planned, blob.in_memory()) {
            (Some(Content::Template(t)), _) => t.is_read(blob.reader()).map_err(fail)?,
            (Some(p), Some(bytes)) => p.is(bytes, &mut scratch),
            // A policy is a few KB: only a file of its length can be it.
            (Some(p), None) => {
                blob.len() == p.bytes().len() as u64
                    && p.is(&blob.bytes().map_err(fail)?, &mut scratch)
            }
            (None, _) => false,
        };
        if same {
            state.identical.insert(name);
            continue;
        }
        // A changed file's bytes are kept only for `diff`.
        let blob = match old {
            OldBytes::Keep => spool.keep_blob(blob),
            OldBytes::Skip => Blob::from(Vec::new()),
        };
        if !owned {
            state.foreign.push(name.clone());
        }
        state.files.insert(name, blob);
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

    /// Foreign files that Terraform (or OpenTofu) would load with the generated module when
    /// the plan has one: every `*.tf` and `*.tf.json` in a directory is part of its module, so
    /// one ssm-compile did not write is deployed unreviewed (an attachment of
    /// AdministratorAccess, say). `check` fails on them and `diff` reports them.
    pub fn loaded_by_terraform(&self, plan: &Plan) -> Vec<String> {
        if !plan.files.contains_key(crate::deploy::TERRAFORM_FILE) {
            return Vec::new();
        }
        let module = [".tf", ".tf.json", ".tofu", ".tofu.json"];
        self.untouched(plan)
            .into_iter()
            .filter(|n| module.iter().any(|ext| n.ends_with(ext)))
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
                Some(old) if self.owned.contains(name) => out.push(Change::new(
                    name.clone(),
                    ChangeKind::Changed,
                    Some(old.clone()),
                    Some(new),
                )),
                _ => out.push(Change::new(
                    name.clone(),
                    ChangeKind::Added,
                    None,
                    Some(new),
                )),
            }
        }
        for name in &self.owned {
            if plan.files.contains_key(name) {
                continue;
            }
            if let Some(old) = self.files.get(name) {
                out.push(Change::new(
                    name.clone(),
                    ChangeKind::Removed,
                    Some(old.clone()),
                    None,
                ));
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// Whether the manifest on disk is exactly the one the plan would write.
    pub fn manifest_current(&self, plan: &Plan) -> bool {
        self.manifest.as_deref() == Some(manifest::for_plan(plan).as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every planned file changed, 10 MiB of them: each keeps its own old bytes, the first
    /// 1 MiB in memory and the rest in the shared temporary file; identical files are not kept.
    #[test]
    fn the_old_bytes_of_many_changed_files_are_kept_mostly_out_of_memory() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = BTreeMap::new();
        let mut old = BTreeMap::new();
        for i in 0..100u8 {
            let name = format!("p{i:03}.json");
            let bytes = vec![i; 100 << 10];
            fs::write(dir.path().join(&name), &bytes).unwrap();
            files.insert(name.clone(), Content::Bytes(b"new".to_vec()));
            old.insert(name, bytes);
        }
        fs::write(dir.path().join("same.json"), b"same").unwrap();
        files.insert("same.json".into(), Content::Bytes(b"same".to_vec()));
        let plan = Plan {
            files,
            who: String::new(),
        };
        let state = read_unlocked(dir.path(), &plan, OldBytes::Keep).unwrap();
        assert!(state.identical.contains("same.json"));
        assert!(!state.files.contains_key("same.json"));
        assert_eq!(state.files.len(), old.len());
        let mut in_memory = 0;
        for (name, bytes) in &old {
            let blob = &state.files[name];
            assert_eq!(blob.bytes().unwrap().as_ref(), &bytes[..], "{name}");
            in_memory += blob.in_memory().map_or(0, <[u8]>::len);
        }
        // 10 files of 100 KiB fit in the spill's 1 MiB; the rest are slices of its file.
        let fit = (crate::outdir::IN_MEMORY / (100 << 10)) as usize;
        assert_eq!(fit, 10);
        assert_eq!(in_memory, fit * (100 << 10), "up to 1 MiB in memory");
        assert!(state.files["p000.json"].in_memory().is_some());
        assert!(state.files["p099.json"].in_memory().is_none());

        let state = read_unlocked(dir.path(), &plan, OldBytes::Skip).unwrap();
        assert_eq!(state.files.len(), old.len());
        assert!(state.files.values().all(Blob::is_empty));
    }

    /// A removed file past 1 MiB (an account's template) is kept as its open file, not read
    /// into memory, and still reads back whole.
    #[test]
    fn a_large_removed_file_is_kept_open_not_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![b'x'; 9 << 20];
        fs::write(dir.path().join("gone.json"), &big).unwrap();
        let mut files = BTreeMap::new();
        files.insert("gone.json".to_owned(), Content::Bytes(Vec::new()));
        let before = Plan {
            files,
            who: String::new(),
        };
        fs::write(dir.path().join(MANIFEST), manifest::for_plan(&before)).unwrap();
        let now = Plan {
            files: BTreeMap::new(),
            who: String::new(),
        };
        let state = read_unlocked(dir.path(), &now, OldBytes::Keep).unwrap();
        let blob = &state.files["gone.json"];
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let Blob::File { file, .. } = blob else {
                panic!("not in memory");
            };
            let on_disk = fs::metadata(dir.path().join("gone.json")).unwrap().ino();
            assert_eq!(file.metadata().unwrap().ino(), on_disk, "the file itself");
        }
        assert_eq!(blob.bytes().unwrap().as_ref(), &big[..]);
        let changes = state.changes(&now);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, ChangeKind::Removed);
    }
}
