//! The checks on `-c` and `-o` made before anything is read or written, so that a directory
//! given as the file, a file in the place of the output directory, or a missing parent is one
//! clear error (what, where, help) and nothing is written.

use std::io;
use std::path::Path;

use ssm_compile::diagnostic::Diagnostic;
use ssm_compile::diagnostic::message::{Problem, World};
use ssm_compile::outdir::display;

/// `-c DIR`: a directory where the configuration file belongs.
pub(super) fn config_is_directory(path: &Path) -> Option<Diagnostic> {
    if !path.is_dir() {
        return None;
    }
    let inside = path.join("access.toml");
    let inside = inside.is_file().then(|| display(&inside));
    let found = World::ConfigIsDirectory {
        path: &display(path),
        inside: inside.as_deref(),
    };
    Some(found.diagnostic())
}

/// A failed read of the configuration file.
pub(super) fn read_config_error(path: &Path, e: &io::Error) -> Diagnostic {
    let found = World::ConfigReadFailed {
        path: &display(path),
        error: e,
    };
    found.diagnostic()
}

/// The output directory, before a build writes into it: a file in its place, or (for `-o`,
/// `from_flag`) a parent that does not exist. Like `mkdir` (not `mkdir -p`), `-o` creates only
/// the last directory of its path, so a typo in a parent does not create a tree somewhere
/// unexpected; the file's `output` key is reviewed with the file and keeps creating its path.
pub(super) fn output_dir_error(dir: &Path, from_flag: bool) -> Option<Diagnostic> {
    let shown = display(dir);
    if dir.exists() && !dir.is_dir() {
        return Some(World::OutputIsFile { dir: &shown }.diagnostic());
    }
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty())?;
    if !from_flag || dir.exists() || parent.is_dir() {
        return None;
    }
    let parent = display(parent);
    let found = World::NoParent {
        dir: &shown,
        parent: &parent,
    };
    Some(found.diagnostic())
}
