//! Bad configurations: each `tests/errors/NAME.toml` must make the real binary exit 2, print
//! exactly `tests/errors/NAME.stderr` (every problem located at FILE:LINE:COL, its line shown,
//! a help line), and leave an output directory from an earlier build byte for byte and
//! modification time for modification time as it was.
//! `TRYCMD=overwrite cargo test --test it errors` rewrites the `.stderr` files; review them.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use assert_cmd::Command;

use crate::support;

fn errors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors")
}

/// Every entry of a directory: bytes, modification time and (on Unix) inode.
fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime, u64)> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            #[cfg(unix)]
            let ino = std::os::unix::fs::MetadataExt::ino(&meta);
            #[cfg(not(unix))]
            let ino = 0;
            (
                e.file_name().into_string().unwrap(),
                (fs::read(e.path()).unwrap(), meta.modified().unwrap(), ino),
            )
        })
        .collect()
}

/// Builds a valid configuration into a fresh directory, the state a bad edit must not disturb.
fn prior_build() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("policies");
    let good =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/end-user-all-consoles.toml");
    Command::cargo_bin("ssm-compile")
        .unwrap()
        .arg("-c")
        .arg(good)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    fs::write(out.join("README.txt"), "a file ssm-compile did not write\n").unwrap();
    (tmp, out)
}

fn check_case(name: &str) {
    let (tmp, out) = prior_build();
    let before = snapshot(&out);
    let file = format!("{name}.toml");
    let output = Command::cargo_bin("ssm-compile")
        .unwrap()
        .current_dir(errors_dir())
        .args(["build", "-c", &file, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    assert_eq!(snapshot(&out), before, "the output directory changed");

    // The shape every diagnostic must have, whatever its text.
    let source = String::from_utf8_lossy(&fs::read(errors_dir().join(&file)).unwrap()).into_owned();
    let lines: Vec<&str> = stderr.lines().collect();
    let mut located = 0;
    for (i, line) in lines.iter().enumerate() {
        let Some(loc) = line.trim_start().strip_prefix(&format!("--> {file}:")) else {
            continue;
        };
        located += 1;
        let (l, c) = loc.split_once(':').expect("LINE:COL");
        let (l, c): (usize, usize) = (l.parse().unwrap(), c.parse().unwrap());
        assert!(
            c >= 1 && l >= 1 && l <= source.lines().count().max(1),
            "{line}"
        );
        // The offending line is shown with its number, and a help line follows.
        let shown = format!("{l} | ");
        let rest = &lines[i..];
        let end = rest.iter().position(|x| x.is_empty()).unwrap_or(rest.len());
        assert!(
            rest[..end]
                .iter()
                .any(|x| x.trim_start().starts_with(&shown)),
            "line {l} not shown after {line}:\n{stderr}"
        );
        let block_end = rest
            .iter()
            .skip(1)
            .position(|x| x.starts_with("error"))
            .map_or(rest.len(), |p| p + 1);
        assert!(
            rest[..block_end].iter().any(|x| x.starts_with("help: ")),
            "no help for {line}:\n{stderr}"
        );
    }
    // Each error carries its code, `error[E0101]: ...` (or a denied lint's, `error[L0700]`);
    // the closing count has none.
    let errors = lines.iter().filter(|l| l.starts_with("error[")).count();
    assert!(errors >= 1, "{stderr}");
    assert_eq!(located, errors, "every error is located:\n{stderr}");
    let summary = if errors == 1 {
        "1 error".to_owned()
    } else {
        format!("{errors} errors")
    };
    assert!(
        stderr.ends_with(&format!(
            "error: {summary} in {file}; nothing was written\n\n"
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains(tmp.path().to_str().unwrap()),
        "a machine path leaked:\n{stderr}"
    );

    let expected_path = errors_dir().join(format!("{name}.stderr"));
    if support::bless() {
        fs::write(&expected_path, &stderr).unwrap();
        return;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_default();
    assert!(
        expected == stderr,
        "stderr differs from tests/errors/{name}.stderr:\n{stderr}"
    );
}

/// Every `tests/errors/NAME.toml`, and there are at least 40 distinct ones.
#[test]
fn every_case() {
    let cases = support::cases_in("tests/errors", "toml");
    assert!(cases.len() >= 40, "{cases:?}");
    // Every file of the folder belongs to a case.
    for file in support::cases_in("tests/errors", "stderr") {
        assert!(
            cases.contains(&file),
            "tests/errors/{file}.stderr has no .toml"
        );
    }
    support::check_all(&cases, check_case);
}

/// All problems of one file are reported in one run, each in its place.
#[test]
fn several_problems_are_all_reported_at_once() {
    let output = Command::cargo_bin("ssm-compile")
        .unwrap()
        .current_dir(errors_dir())
        .args(["-c", "many-problems.toml", "-o", "never-written"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    for at in ["1:11", "5:8", "6:22", "7:20", "9:1", "15:10", "16:1"] {
        assert!(
            stderr.contains(&format!("--> many-problems.toml:{at}\n")),
            "{at}:\n{stderr}"
        );
    }
    assert!(stderr.contains("error: 7 errors in many-problems.toml; nothing was written"));
    assert!(!errors_dir().join("never-written").exists());
}
