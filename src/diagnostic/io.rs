//! Diagnostics for the world outside the file: a failed read or write gets a kind of its own
//! (permission, a directory in place of a file, ...), the reason in plain words, and a help
//! line. The reason never quotes the underlying error's text, which for a temporary file
//! names that file (`.ssm-compile-XXXX.tmp`), not the one the user knows.

use std::io::{self, ErrorKind};

use super::Diagnostic;
use super::message::{Problem, World};

/// "could not WHAT PATH: REASON", with the kind and help that fit the error (the words are
/// `message::World::Failed`'s).
pub(crate) fn error(what: &str, path: &str, e: &io::Error) -> Diagnostic {
    World::Failed {
        what,
        path,
        error: e,
    }
    .diagnostic()
}

/// The reason in lower-case words, without "(os error N)" and without any path.
pub(crate) fn reason(e: &io::Error) -> String {
    let words = match e.kind() {
        ErrorKind::NotFound => "no such file or directory",
        ErrorKind::PermissionDenied => "permission denied",
        ErrorKind::IsADirectory => "it is a directory",
        ErrorKind::NotADirectory => "a part of the path is a file, not a directory",
        ErrorKind::AlreadyExists => "it already exists",
        ErrorKind::StorageFull => "no space left on the device",
        ErrorKind::QuotaExceeded => "the disk quota is exceeded",
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only",
        ErrorKind::InvalidData => "it is not valid text",
        kind => return first_lower(&kind.to_string()),
    };
    words.to_owned()
}

fn first_lower(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_lowercase().chain(c).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Kind;

    #[test]
    fn kinds_reasons_and_no_temporary_names() {
        let e = io::Error::new(
            ErrorKind::PermissionDenied,
            "Permission denied at path \"/tmp/out/.ssm-compile-abc.tmp\"",
        );
        let d = error("write", "out/web.json", &e);
        assert_eq!(d.kind, Kind::PermissionDenied);
        assert_eq!(
            &*d.message,
            "could not write out/web.json: permission denied"
        );
        assert!(d.help.unwrap().contains("-o DIR"));
        let d = error("read", "x", &io::Error::from(ErrorKind::IsADirectory));
        assert_eq!(d.kind, Kind::NotAFile);
        let d = error("write", "x", &io::Error::from(ErrorKind::StorageFull));
        assert_eq!(d.kind, Kind::WriteFailed);
        assert_eq!(
            reason(&io::Error::from(ErrorKind::Interrupted)),
            "operation interrupted"
        );
    }
}
