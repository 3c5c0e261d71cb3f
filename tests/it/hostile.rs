//! Hostile input (issue 5, part 6): links out of the output directory, names that would escape
//! it, huge and deeply nested files, bytes that are not UTF-8, characters IAM cannot hold.
//! Each gets exit code 2 with a clear message, and nothing is written anywhere.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub(crate) const HEAD: &str = "account = \"111122223333\"\nregion = \"us-east-2\"\n";
pub(crate) const GRANT: &str = "[grant.web]\nrole = \"end-user\"\nwho = [\"user:alice\"]\nconsoles = [\"cli\"]\ninstances = [\"i-0123456789abcdef0\"]\n";

struct Run {
    code: Option<i32>,
    stderr: String,
}

fn build(config: &Path, out: &Path) -> Run {
    let output = Command::cargo_bin("ssm-compile")
        .unwrap()
        .args(["build", "--color", "never", "-c"])
        .arg(config)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    Run {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every file under `dir`, with its bytes (links as their target), for before/after comparisons.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).unwrap();
                out.push((path, target.to_string_lossy().as_bytes().to_vec()));
            } else if meta.is_dir() {
                stack.push(path);
            } else {
                let bytes = fs::read(&path).unwrap();
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

/// Asserts exit 2 with an `error:` that contains `needle`, and that `root` did not change.
fn assert_refused(config_bytes: &[u8], needle: &str) -> String {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("access.toml");
    fs::write(&config, config_bytes).unwrap();
    let before = snapshot(root.path());
    let run = build(&config, &root.path().join("policies"));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains(needle),
        "expected {needle:?} in:\n{}",
        run.stderr
    );
    assert!(run.stderr.starts_with("error["), "{}", run.stderr);
    assert_eq!(
        snapshot(root.path()),
        before,
        "files changed on a refused build"
    );
    run.stderr
}

/// The diagnostic points at `line:col` of the configuration.
fn assert_located(stderr: &str, line: usize, col: usize) {
    let at = format!("access.toml:{line}:{col}");
    assert!(
        stderr.contains(" --> ") && stderr.contains(&at),
        "expected {at} in:\n{stderr}"
    );
}

#[test]
fn symlinked_output_directory_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let config = root.path().join("access.toml");
    fs::write(&config, format!("{HEAD}{GRANT}")).unwrap();
    let link = root.path().join("policies");
    symlink(outside.path(), &link).unwrap();

    let run = build(&config, &link);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("is a symbolic link"), "{}", run.stderr);
    assert!(
        snapshot(outside.path()).is_empty(),
        "wrote through the link"
    );
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn symlinked_policy_file_is_never_written_through() {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.json");
    fs::write(&secret, b"do not touch\n").unwrap();
    let config = root.path().join("access.toml");
    let out = root.path().join("policies");

    // A link where a new policy goes.
    fs::create_dir(&out).unwrap();
    symlink(&secret, out.join("web.json")).unwrap();
    fs::write(&config, format!("{HEAD}{GRANT}")).unwrap();
    let run = build(&config, &out);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("web.json is a symbolic link"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read(&secret).unwrap(), b"do not touch\n");

    // A link swapped in for a policy ssm-compile wrote and lists in its manifest.
    fs::remove_file(out.join("web.json")).unwrap();
    assert_eq!(build(&config, &out).code, Some(0));
    fs::remove_file(out.join("web.json")).unwrap();
    symlink(&secret, out.join("web.json")).unwrap();
    fs::write(&config, format!("{HEAD}{}", GRANT.replace("cli", "ec2"))).unwrap();
    let run = build(&config, &out);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_eq!(fs::read(&secret).unwrap(), b"do not touch\n");
    assert!(
        fs::symlink_metadata(out.join("web.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // The same link, when its grant is deleted, is reported and left alone, not followed.
    fs::write(
        &config,
        format!("{HEAD}{}", GRANT.replace("[grant.web]", "[grant.other]")),
    )
    .unwrap();
    let run = build(&config, &out);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("skipped"), "{}", run.stderr);
    assert_eq!(fs::read(&secret).unwrap(), b"do not touch\n");
    assert_eq!(snapshot(outside.path()).len(), 1);
}

#[test]
fn grant_names_cannot_escape_the_output_directory() {
    for name in [
        "../escape",
        "../../etc/passwd",
        "/tmp/abs",
        "a/b",
        "..",
        ".hidden",
        "a\\\\b",
        "nul\\u0000x",
        "",
    ] {
        let text = format!(
            "{HEAD}{}",
            GRANT.replace("[grant.web]", &format!("[grant.\"{name}\"]"))
        );
        let stderr = assert_refused(text.as_bytes(), "error: ");
        assert_located(&stderr, 3, 8);
    }
}

#[test]
fn a_50_mb_configuration_is_refused_quickly() {
    // Valid TOML, and valid once the comment is gone: only the size is wrong.
    let mut text = format!("{HEAD}{GRANT}").into_bytes();
    text.extend(b"# ");
    text.resize(50 * 1024 * 1024, b'x');
    text.push(b'\n');
    let started = std::time::Instant::now();
    assert_refused(&text, "larger than 32 MiB");
    assert!(started.elapsed().as_secs() < 20);
}

#[test]
fn an_endless_configuration_file_is_refused() {
    let out = tempfile::tempdir().unwrap();
    let run = build(Path::new("/dev/zero"), &out.path().join("p"));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("larger than 32 MiB"), "{}", run.stderr);
    assert!(!out.path().join("p").exists());
}

#[test]
fn deeply_nested_toml_is_an_error_not_a_stack_overflow() {
    let n = 100_000;
    let cases = [
        format!("a = {}{}\n", "[".repeat(n), "]".repeat(n)),
        format!("a = {}1{}\n", "{b=".repeat(n), "}".repeat(n)),
        format!("[{}b]\n", "a.".repeat(n)),
        format!("{}b = 1\n", "a.".repeat(n)),
        format!("{HEAD}{GRANT}tags = {}\n", "{ K = ".repeat(n)),
    ];
    for text in cases {
        let stderr = assert_refused(text.as_bytes(), "invalid TOML");
        assert!(stderr.contains("--> "), "{stderr}");
    }
}

#[test]
fn bytes_that_are_not_utf8_are_located() {
    let mut text = format!("{HEAD}{GRANT}")
        .replace("user:alice", "user:al")
        .into_bytes();
    let at = text.windows(7).position(|w| w == b"user:al").unwrap() + 7;
    text.splice(at..at, [0xff, 0xfe]);
    let stderr = assert_refused(&text, "not UTF-8");
    // Line 5 is `who = ["user:al..."]`: the bad byte follows `al`, in column 16.
    assert_located(&stderr, 5, 16);
}

#[test]
fn characters_iam_cannot_hold_are_refused_in_tags() {
    for (value, code) in [
        ("price in \u{20ac}", "U+20AC"),
        ("rocket \u{1F680}", "U+1F680"),
        ("\u{0101}", "U+0101"),
        ("bell \\u0007", "U+0007"),
        ("tab\\t", "U+0009"),
    ] {
        let text = format!(
            "{HEAD}{}",
            GRANT.replace(
                "instances = [\"i-0123456789abcdef0\"]",
                &format!("tags = {{ Team = \"{value}\" }}")
            )
        );
        let stderr = assert_refused(text.as_bytes(), code);
        assert_located(&stderr, 7, 17);
        // And in a tag key.
        let text = format!(
            "{HEAD}{}",
            GRANT.replace(
                "instances = [\"i-0123456789abcdef0\"]",
                &format!("tags = {{ \"{value}\" = \"x\" }}")
            )
        );
        let stderr = assert_refused(text.as_bytes(), "invalid tag key");
        assert_located(&stderr, 7, 10);
    }
}

#[test]
fn a_linked_manifest_is_replaced_not_written_through() {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("list");
    // The linked file even claims a file outside the directory.
    fs::write(&target, b"../../escape.json\n").unwrap();
    let config = root.path().join("access.toml");
    let out = root.path().join("policies");
    fs::create_dir(&out).unwrap();
    symlink(&target, out.join(".ssm-compile-manifest")).unwrap();
    fs::write(&config, format!("{HEAD}{GRANT}")).unwrap();

    let run = build(&config, &out);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(fs::read(&target).unwrap(), b"../../escape.json\n");
    let manifest = out.join(".ssm-compile-manifest");
    assert!(fs::symlink_metadata(&manifest).unwrap().is_file());
    assert!(
        fs::read_to_string(&manifest)
            .unwrap()
            .ends_with("\nweb.json\n# Who each grant is attached to (`#who GRANT PRINCIPAL...`): diff compares access per principal.\n#who web user:alice\n")
    );
    assert_eq!(snapshot(outside.path()).len(), 1);
}

/// Runs the binary in `dir` with `args`; returns (exit code, stderr).
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = Command::cargo_bin("ssm-compile")
        .unwrap()
        .args(args)
        .args(["--color", "never"])
        .current_dir(dir)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_symlinked_output_directory_is_refused_however_it_is_spelled() {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    symlink(outside.path(), root.path().join("policies")).unwrap();
    fs::write(root.path().join("access.toml"), format!("{HEAD}{GRANT}")).unwrap();
    for out in ["policies/", "policies/.", "policies//", "./policies/./"] {
        let (code, stderr) = run_in(root.path(), &["build", "-o", out]);
        assert_eq!(code, Some(2), "-o {out}: {stderr}");
        assert!(stderr.contains("is a symbolic link"), "-o {out}: {stderr}");
    }
    let key = format!("output = \"policies/\"\n{HEAD}{GRANT}");
    fs::write(root.path().join("access.toml"), key).unwrap();
    let (code, stderr) = run_in(root.path(), &["build"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    assert!(
        snapshot(outside.path()).is_empty(),
        "wrote through the link"
    );
}

#[test]
fn a_manifest_linked_to_dev_zero_or_a_fifo_is_not_read() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("access.toml"), format!("{HEAD}{GRANT}")).unwrap();
    let out = root.path().join("policies");
    let manifest = out.join(".ssm-compile-manifest");
    fs::create_dir(&out).unwrap();
    symlink("/dev/zero", &manifest).unwrap();
    // Each would run out of memory (or hang, for the FIFO) if the manifest were read.
    let (code, stderr) = run_in(root.path(), &["check"]);
    assert_eq!(code, Some(1), "{stderr}");
    let (code, stderr) = run_in(root.path(), &["diff"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = run_in(root.path(), &["build"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(fs::symlink_metadata(&manifest).unwrap().is_file());

    fs::remove_file(&manifest).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&manifest)
        .status()
        .unwrap();
    assert!(status.success());
    for args in [&["check"][..], &["diff"], &["build"]] {
        let (code, stderr) = run_in(root.path(), args);
        assert!(code == Some(0) || code == Some(1), "{args:?}: {stderr}");
    }
    assert!(fs::symlink_metadata(&manifest).unwrap().is_file());
}

#[test]
fn a_manifest_line_cannot_delete_the_configuration_or_other_files() {
    let root = tempfile::tempdir().unwrap();
    let config = format!("output = \".\"\n{HEAD}{GRANT}");
    fs::write(root.path().join("access.toml"), &config).unwrap();
    fs::write(root.path().join("README.md"), "mine").unwrap();
    fs::write(root.path().join("notes.json"), "mine").unwrap();
    let (code, stderr) = run_in(root.path(), &["build"]);
    assert_eq!(code, Some(0), "{stderr}");
    // A hand-edited manifest claims the configuration, the README and a file outside.
    let manifest = root.path().join(".ssm-compile-manifest");
    let mut text = fs::read_to_string(&manifest).unwrap();
    text.push_str("access.toml\nREADME.md\n../outside.json\n");
    fs::write(&manifest, text).unwrap();
    let (code, stderr) = run_in(root.path(), &["build"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        fs::read_to_string(root.path().join("access.toml")).unwrap(),
        config
    );
    assert_eq!(
        fs::read_to_string(root.path().join("README.md")).unwrap(),
        "mine"
    );
    assert!(
        stderr.contains("skipped ./access.toml (not written by ssm-compile"),
        "{stderr}"
    );
}

#[test]
fn temporary_file_names_that_are_not_ours_are_left_alone_and_reported() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("access.toml"), format!("{HEAD}{GRANT}")).unwrap();
    let out = root.path().join("policies");
    fs::create_dir(&out).unwrap();
    // A directory of that name used to break every build; a link must not be followed.
    fs::create_dir(out.join(".ssm-compile-abc123.tmp")).unwrap();
    fs::write(out.join(".ssm-compile-abc123.tmp/keep"), "x").unwrap();
    symlink("/etc/hostname", out.join(".ssm-compile-zzz999.tmp")).unwrap();
    fs::write(out.join(".ssm-compile-def456.tmp"), "half").unwrap();
    let (code, stderr) = run_in(root.path(), &["build"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr
            .contains("  removed policies/.ssm-compile-def456.tmp (left by an interrupted build)"),
        "{stderr}"
    );
    assert!(!out.join(".ssm-compile-def456.tmp").exists());
    assert!(out.join(".ssm-compile-abc123.tmp/keep").exists());
    assert!(fs::symlink_metadata(out.join(".ssm-compile-zzz999.tmp")).is_ok());
    assert!(
        stderr.contains("skipped policies/.ssm-compile-abc123.tmp"),
        "{stderr}"
    );
    let (code, stderr) = run_in(root.path(), &["check"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn new_files_are_rw_r_r_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("access.toml"), format!("{HEAD}{GRANT}")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("ssm-compile");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 077 && exec \"$0\" build 2>/dev/null")
        .arg(&bin)
        .current_dir(root.path())
        .status()
        .unwrap();
    assert!(status.success());
    for name in ["web.json", ".ssm-compile-manifest"] {
        let mode = fs::metadata(root.path().join("policies").join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{name}: {mode:o}");
    }
}

#[test]
fn a_1_mib_bad_value_is_not_echoed_whole_and_look_alike_keys_show_the_difference() {
    let root = tempfile::tempdir().unwrap();
    let big = "x".repeat(1 << 20);
    let text = format!("account = \"111122223333\"\nregion = \"{big}\"\n{GRANT}");
    fs::write(root.path().join("access.toml"), text).unwrap();
    let (code, stderr) = run_in(root.path(), &["check"]);
    assert_eq!(code, Some(2));
    assert!(stderr.len() < 4096, "{} bytes", stderr.len());
    assert!(stderr.contains("… (1048576 characters)`"), "{stderr}");
    // A Cyrillic `о` in `role`: the suggestion must not look identical to the key.
    let text = format!(
        "{HEAD}{}",
        GRANT.replace("role =", "\"r\u{43e}le\" = \"admin\"\nrole =")
    );
    fs::write(root.path().join("access.toml"), text).unwrap();
    let (code, stderr) = run_in(root.path(), &["check"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("did you mean `role`? `r\u{43e}le` is written `r\\u{43e}le`"),
        "{stderr}"
    );
}
