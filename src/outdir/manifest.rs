//! The manifest `.ssm-compile-manifest`: the list of files ssm-compile wrote in the output
//! directory, one name a line after a two-line `#` header. It is the only thing that makes a file
//! ours to replace or remove, so what it may name is narrow (see [`may_own`]), and it is read
//! without trusting what sits at its name (see [`read`]).

use std::io::{self, Read};
use std::path::Path;

use crate::compile::plan::Plan;
use crate::deploy;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::{Problem, World};

use super::{display, io_error, open_no_follow};

/// The file in the output directory that lists the files ssm-compile owns there.
pub const MANIFEST: &str = ".ssm-compile-manifest";

/// A manifest larger than this is refused: a 32 MiB configuration holds at most a few hundred
/// thousand grants, whose names (at most 133 bytes with `.json`) fit in far less. A link to
/// `/dev/zero` or a runaway file must not take the memory of the machine.
pub(super) const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// The manifest that lists exactly `names`, one per line, after a short header.
pub(super) fn for_names<'a>(names: impl IntoIterator<Item = &'a String>) -> Vec<u8> {
    let mut out = String::from(
        "# Written by ssm-compile: the files it generated in this directory.\n\
         # Commit it with them; ssm-compile never touches a file not listed here.\n",
    );
    for name in names {
        out.push_str(name);
        out.push('\n');
    }
    out.into_bytes()
}

/// The manifest a build of `plan` leaves: the names, then each grant's principals
/// (`#who` lines, [`crate::compile::plan::format_who`]: comments to this parser and to older
/// ssm-compiles; `diff` reads them with `parse_who`). The interim manifest of a build
/// ([`for_names`]) has none: a build killed in between leaves the principals unknown.
pub fn for_plan(plan: &Plan) -> Vec<u8> {
    let mut out = for_names(plan.files.keys());
    out.extend_from_slice(plan.who.as_bytes());
    out
}

/// Reads a manifest back; comment and blank lines are skipped, and so are lines that name a
/// file ssm-compile never writes: a hand-edited (or hostile) manifest cannot make it replace or
/// delete `access.toml`, `README.md` or a path outside the directory.
pub fn parse(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| may_own(l))
        .map(str::to_owned)
        .collect()
}

/// Whether ssm-compile could have written a file of this name: a grant's policy
/// (`NAME.json`, NAME being 1 to 128 of the policy-name characters) or one of the templates.
pub(super) fn may_own(name: &str) -> bool {
    if deploy::is_template(name) {
        return true;
    }
    let Some(stem) = name.strip_suffix(".json") else {
        return false;
    };
    !stem.is_empty()
        && stem.len() <= 128
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// Reads the manifest at `path`, which the directory listing says exists. It is opened without
/// following a link and without blocking on a FIFO. Anything but a regular file there (a link,
/// a FIFO, a device) is not read and counts as no manifest (`None`): `check` calls it missing and
/// `build` replaces it with a real one (a rename replaces the link, never writes through it). A
/// regular file over [`MAX_MANIFEST_BYTES`] is an error.
pub(super) fn read(path: &Path) -> Result<Option<Vec<u8>>, Diagnostic> {
    let file = match open_no_follow(path) {
        Ok(file) => file,
        Err(e) if is_link_error(&e) => return Ok(None),
        Err(e) => return Err(io_error("read", path, &e)),
    };
    let meta = file.metadata().map_err(|e| io_error("read", path, &e))?;
    if !meta.is_file() {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error("read", path, &e))?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        let found = World::ManifestTooLarge {
            path: &display(path),
            max_mib: MAX_MANIFEST_BYTES >> 20,
        };
        return Err(found.diagnostic());
    }
    Ok(Some(bytes))
}

/// `open(O_NOFOLLOW)` on a link fails with ELOOP (Linux, macOS) or EMLINK (FreeBSD).
fn is_link_error(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(e.raw_os_error(), Some(libc::ELOOP) | Some(libc::EMLINK))
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn only_names_ssm_compile_writes_can_be_owned() {
        for ok in [
            "web.json",
            "a.json",
            "ssm-compile.cfn.json",
            "ssm-compile.tf.json",
        ] {
            assert!(may_own(ok), "{ok}");
        }
        let long = format!("{}.json", "a".repeat(129));
        for bad in [
            "access.toml",
            "README.md",
            ".json",
            "../x.json",
            "a/b.json",
            "/etc/x.json",
            "main.tf",
            ".ssm-compile.lock",
            MANIFEST,
            "sp ace.json",
            long.as_str(),
        ] {
            assert!(!may_own(bad), "{bad}");
        }
        let text = "# header\nweb.json\naccess.toml\n../../etc/passwd.json\n\n";
        assert_eq!(parse(text), vec!["web.json".to_owned()]);
    }

    #[test]
    fn a_linked_or_fifo_manifest_is_not_read_and_a_huge_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
            assert_eq!(read(&link).unwrap(), None);
            let fifo = dir.path().join("fifo");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
            assert_eq!(read(&fifo).unwrap(), None);
        }
        let big = dir.path().join("big");
        let f = fs::File::create(&big).unwrap();
        f.set_len(MAX_MANIFEST_BYTES + 1).unwrap();
        let e = format!("{:?}", read(&big).unwrap_err());
        assert!(e.contains("larger than 64 MiB"), "{e}");
        fs::write(&big, b"# h\nweb.json\n").unwrap();
        assert_eq!(read(&big).unwrap().unwrap(), b"# h\nweb.json\n");
    }
}
