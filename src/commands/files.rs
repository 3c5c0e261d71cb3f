//! The checks on `-c` and `-o` made before anything is read or written, so that a directory
//! given as the file, a file in the place of the output directory, or a missing parent is one
//! clear error (what, where, help) and nothing is written.

use std::io;
use std::path::Path;

use ssm_compile::diagnostic::{Diagnostic, Kind, io::error};
use ssm_compile::outdir::display;

/// `-c DIR`: a directory where the configuration file belongs.
pub(super) fn config_is_directory(path: &Path) -> Option<Diagnostic> {
    if !path.is_dir() {
        return None;
    }
    let shown = display(path);
    let inside = path.join("access.toml");
    let help = if inside.is_file() {
        format!("name the file inside it: -c {}", display(&inside))
    } else {
        "name the configuration file with -c FILE".to_owned()
    };
    Some(
        Diagnostic::new(
            Kind::NotAFile,
            format!("{shown} is a directory, not a configuration file"),
        )
        .help(help),
    )
}

/// A failed read of the configuration file.
pub(super) fn read_config_error(path: &Path, e: &io::Error) -> Diagnostic {
    let d = error("read", &display(path), e);
    if e.kind() == io::ErrorKind::NotFound {
        return d.help(
            "run ssm-compile in the directory of access.toml, or name the file with -c FILE",
        );
    }
    d
}

/// The output directory, before a build writes into it: a file in its place, or (for `-o`,
/// `from_flag`) a parent that does not exist. Like `mkdir` (not `mkdir -p`), `-o` creates only
/// the last directory of its path, so a typo in a parent does not create a tree somewhere
/// unexpected; the file's `output` key is reviewed with the file and keeps creating its path.
pub(super) fn output_dir_error(dir: &Path, from_flag: bool) -> Option<Diagnostic> {
    let shown = display(dir);
    if dir.exists() && !dir.is_dir() {
        return Some(
            Diagnostic::new(
                Kind::NotAFile,
                format!("the output directory {shown} is a file, not a directory"),
            )
            .help(format!(
                "name a directory with -o DIR, or move {shown} out of the way"
            )),
        );
    }
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty())?;
    if !from_flag || dir.exists() || parent.is_dir() {
        return None;
    }
    let parent = display(parent);
    Some(
        Diagnostic::new(
            Kind::NoParent,
            format!("cannot create the output directory {shown}: {parent} does not exist"),
        )
        .help(format!(
            "ssm-compile creates only the last directory of the path: correct the path, or create {parent} first (mkdir -p {parent})"
        )),
    )
}
