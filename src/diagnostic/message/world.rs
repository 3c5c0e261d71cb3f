//! E09xx: the world outside the file (reading and writing files, the output directory, the
//! lock, watching). Paths are as the user would type them; `error` fields are the system's.

use std::io::{self, ErrorKind};

use super::Problem;
use crate::diagnostic::Kind;
use crate::diagnostic::io::reason;

#[derive(Debug)]
pub enum World<'a> {
    /// Could not `what` (a verb: read, write, create, ...) `path`.
    Failed {
        what: &'a str,
        path: &'a str,
        error: &'a io::Error,
    },
    /// The configuration file could not be read.
    ConfigReadFailed {
        path: &'a str,
        error: &'a io::Error,
    },
    /// The lock file could not be locked.
    LockFailed {
        path: &'a str,
        error: &'a io::Error,
    },
    /// Another build held `dir`'s `lock` for `waited` (`2 s`).
    OutputLocked {
        dir: &'a str,
        waited: &'a str,
        lock: &'a str,
    },
    InTheWay {
        path: &'a str,
        link: bool,
    },
    LinkedOutputDir {
        dir: &'a str,
    },
    ManifestTooLarge {
        path: &'a str,
        max_mib: u64,
    },
    FileTooLarge {
        path: &'a str,
        max_mib: u64,
    },
    /// `-c DIR`; `inside` is the `access.toml` in it, if there is one.
    ConfigIsDirectory {
        path: &'a str,
        inside: Option<&'a str>,
    },
    OutputIsFile {
        dir: &'a str,
    },
    NoParent {
        dir: &'a str,
        parent: &'a str,
    },
    ConfigExists {
        path: &'a str,
    },
    /// `--watch` on `path`, which is not a regular file.
    NotRegular {
        path: &'a str,
        what: FileType,
    },
    WatchLimit {
        dir: &'a str,
    },
    WatchInstances {
        dir: &'a str,
        error: String,
    },
    WatchFailed {
        dir: &'a str,
        error: String,
    },
    CtrlC {
        error: String,
    },
    /// Printing `what` (`the output`, `the report`) failed.
    PrintFailed {
        what: &'a str,
        error: String,
    },
}

/// What a path is, when it is not a regular file.
#[derive(Clone, Copy, Debug)]
pub enum FileType {
    Fifo,
    Directory,
    Device,
    Other,
}

const POLL: &str = "or watch by polling instead: ssm-compile --watch --poll 500ms";

fn writing(what: &str) -> bool {
    ["write", "create", "remove"]
        .iter()
        .any(|w| what.starts_with(w))
}

/// The kind that fits a failed `what`.
fn failed_kind(what: &str, e: &io::Error) -> Kind {
    match e.kind() {
        ErrorKind::PermissionDenied => Kind::PermissionDenied,
        ErrorKind::IsADirectory | ErrorKind::NotADirectory => Kind::NotAFile,
        _ if writing(what) => Kind::WriteFailed,
        _ => Kind::ReadFailed,
    }
}

fn failed_help(what: &str, path: &str, e: &io::Error) -> Option<String> {
    Some(match e.kind() {
        ErrorKind::PermissionDenied if writing(what) => format!(
            "make {path} writable for this user, or choose another output directory with -o DIR"
        ),
        ErrorKind::PermissionDenied => format!("make {path} readable for this user"),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => {
            "free some space, then build again".to_owned()
        }
        ErrorKind::ReadOnlyFilesystem => {
            "choose an output directory on a writable file system with -o DIR".to_owned()
        }
        _ => return None,
    })
}

impl Problem for World<'_> {
    fn kind(&self) -> Kind {
        match self {
            World::Failed { what, error, .. } => failed_kind(what, error),
            World::ConfigReadFailed { error, .. } => failed_kind("read", error),
            World::LockFailed { error, .. } => failed_kind("lock", error),
            World::OutputLocked { .. } => Kind::OutputLocked,
            World::InTheWay { .. } => Kind::InTheWay,
            World::FileTooLarge { .. } => Kind::FileTooLarge,
            World::ConfigIsDirectory { .. } | World::OutputIsFile { .. } => Kind::NotAFile,
            World::NoParent { .. } => Kind::NoParent,
            World::ConfigExists { .. } => Kind::ConfigExists,
            World::LinkedOutputDir { .. }
            | World::ManifestTooLarge { .. }
            | World::NotRegular { .. }
            | World::WatchLimit { .. }
            | World::WatchInstances { .. }
            | World::WatchFailed { .. }
            | World::CtrlC { .. }
            | World::PrintFailed { .. } => Kind::Io,
        }
    }

    fn message(&self) -> String {
        match self {
            World::Failed { what, path, error } => {
                format!("could not {what} {path}: {}", reason(error))
            }
            World::ConfigReadFailed { path, error } => {
                format!("could not read {path}: {}", reason(error))
            }
            World::LockFailed { path, error } => {
                format!("could not lock {path}: {}", reason(error))
            }
            World::OutputLocked { dir, waited, .. } => format!(
                "another ssm-compile build of {dir} did not finish within {waited}; nothing was written"
            ),
            World::InTheWay { path, link } => format!(
                "{path} {} and was not written by ssm-compile",
                if *link {
                    "is a symbolic link"
                } else {
                    "exists"
                }
            ),
            World::LinkedOutputDir { dir } => format!(
                "the output directory {dir} is a symbolic link; ssm-compile writes only into a real directory"
            ),
            World::ManifestTooLarge { path, max_mib } => format!(
                "the manifest {path} is larger than {max_mib} MiB; it cannot be one ssm-compile wrote"
            ),
            World::FileTooLarge { path, max_mib } => format!(
                "{path} is larger than {max_mib} MiB; ssm-compile does not read configuration files that large"
            ),
            World::ConfigIsDirectory { path, .. } => {
                format!("{path} is a directory, not a configuration file")
            }
            World::OutputIsFile { dir } => {
                format!("the output directory {dir} is a file, not a directory")
            }
            World::NoParent { dir, parent } => {
                format!("cannot create the output directory {dir}: {parent} does not exist")
            }
            World::ConfigExists { path } => format!("{path} already exists"),
            World::NotRegular { path, what } => {
                let what = match what {
                    FileType::Fifo => "a FIFO",
                    FileType::Directory => "a directory",
                    FileType::Device => "a device",
                    FileType::Other => "not a regular file",
                };
                format!("{path} is {what}; --watch reads only a regular file")
            }
            World::WatchLimit { dir } => {
                format!("could not watch {dir}: the system's limit of inotify watches is reached")
            }
            World::WatchInstances { dir, error } => {
                format!("could not watch {dir}: too many inotify instances or open files ({error})")
            }
            World::WatchFailed { dir, error } => format!("could not watch {dir}: {error}"),
            World::CtrlC { error } => format!("could not handle Ctrl-C: {error}"),
            World::PrintFailed { what, error } => format!("could not write {what}: {error}"),
        }
    }

    fn label(&self) -> Option<String> {
        match self {
            World::ConfigExists { .. } => {
                Some("init does not overwrite a configuration".to_owned())
            }
            _ => None,
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            World::Failed { what, path, error } => return failed_help(what, path, error),
            World::ConfigReadFailed { error, .. } if error.kind() == ErrorKind::NotFound => {
                "run ssm-compile in the directory of access.toml, or name the file with -c FILE"
                    .to_owned()
            }
            World::ConfigReadFailed { path, error } => return failed_help("read", path, error),
            World::LockFailed { path, .. } => format!(
                "{path} is ssm-compile's lock file; if something else is at that name, remove it"
            ),
            World::OutputLocked { lock, .. } => format!(
                "wait for the other build (a watch or another terminal) and run again; if none is running, another process holds {lock}"
            ),
            World::InTheWay { path, .. } => format!(
                "ssm-compile never overwrites a file it did not write: move or delete {path} and build again"
            ),
            World::LinkedOutputDir { .. } => "name the directory the link points to with -o DIR, or replace the link with a directory".to_owned(),
            World::ManifestTooLarge { path, .. } => {
                format!("delete {path} (the next build writes a new one)")
            }
            World::FileTooLarge { .. } => "split the grants over several files, each with its own output directory (IAM allows a few thousand managed policies per account)".to_owned(),
            World::ConfigIsDirectory { inside: Some(inside), .. } => {
                format!("name the file inside it: -c {inside}")
            }
            World::ConfigIsDirectory { inside: None, .. } => {
                "name the configuration file with -c FILE".to_owned()
            }
            World::OutputIsFile { dir } => {
                format!("name a directory with -o DIR, or move {dir} out of the way")
            }
            World::NoParent { parent, .. } => format!(
                "ssm-compile creates only the last directory of the path: correct the path, or create {parent} first (mkdir -p {parent})"
            ),
            World::ConfigExists { path } => format!(
                "edit {path}, name another file with -c FILE, or run `ssm-compile init --force` to replace it"
            ),
            World::NotRegular { .. } => {
                "watch the file itself (`ssm-compile build -c FILE` reads a pipe once)".to_owned()
            }
            World::WatchLimit { .. } => format!(
                "raise the limit, e.g. `sudo sysctl fs.inotify.max_user_watches=524288` (make it \
                 last in /etc/sysctl.d/), {POLL}"
            ),
            World::WatchInstances { .. } => format!(
                "raise the limit, e.g. `sudo sysctl fs.inotify.max_user_instances=1024` (or the \
                 open-file limit, `ulimit -n`), {POLL}"
            ),
            World::WatchFailed { .. } => POLL.to_owned(),
            World::CtrlC { .. } | World::PrintFailed { .. } => return None,
        })
    }
}
