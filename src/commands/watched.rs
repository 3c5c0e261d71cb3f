//! Which directories `--watch` watches and under which paths the watcher reports the
//! configuration: the one part of watching that asks the file system (canonical paths, links),
//! kept here in the shell so `ssm_compile::watch` decides without I/O.

use std::path::{Path, PathBuf};

/// What to watch for a configuration path: the directories, and the paths under which the
/// watcher reports the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Watched {
    pub(super) dirs: Vec<PathBuf>,
    pub(super) paths: Vec<PathBuf>,
}

/// Watching the config's directory, not the file, keeps the watch alive when an editor
/// replaces the file (rename, delete and re-create). When the config is a symbolic link, the
/// directory of the file it points to is watched too: edits to the target happen there.
pub(super) fn watched_paths(config: &Path) -> std::io::Result<Watched> {
    let dir = match config.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = dir.canonicalize()?;
    let name = config
        .file_name()
        .ok_or_else(|| std::io::Error::other("the configuration path names no file"))?;
    let path = dir.join(name);
    let mut watched = Watched {
        dirs: vec![dir],
        paths: vec![path.clone()],
    };
    let linked = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    if linked && let Ok(target) = path.canonicalize() {
        if let Some(target_dir) = target.parent()
            && !watched.dirs.iter().any(|d| d == target_dir)
        {
            watched.dirs.push(target_dir.to_path_buf());
        }
        watched.paths.push(target);
    }
    Ok(watched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_is_matched_under_its_canonical_directory() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("access.toml");
        let watched = watched_paths(&config).unwrap();
        let real = dir.path().canonicalize().unwrap();
        assert_eq!(watched.dirs, vec![real.clone()]);
        assert_eq!(watched.paths, vec![real.join("access.toml")]);
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_config_is_watched_in_its_targets_directory_too() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap();
        std::fs::create_dir(real.join("shared")).unwrap();
        std::fs::write(real.join("shared/real.toml"), "").unwrap();
        std::os::unix::fs::symlink("shared/real.toml", real.join("access.toml")).unwrap();
        let watched = watched_paths(&real.join("access.toml")).unwrap();
        assert_eq!(watched.dirs, vec![real.clone(), real.join("shared")]);
        assert_eq!(
            watched.paths,
            vec![real.join("access.toml"), real.join("shared/real.toml")]
        );
    }
}
