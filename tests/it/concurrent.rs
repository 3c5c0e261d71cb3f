//! One writer at a time (issue 16): builds into one directory at once never mix, a build that
//! cannot get the directory's lock in time fails with exit 2 and writes nothing, and `check`
//! never reads a build half-way.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use ssm_compile::outdir::{self, LOCK, MANIFEST};
use ssm_compile::{Plan, compile};

/// `prefix` names the grants, `console` changes every policy's bytes; the two configurations of
/// a round share some names (replaced files) and not others (added and removed ones).
fn config(prefix: &str, console: &str, n: usize) -> String {
    let mut t = String::from("account = \"111122223333\"\nregion = \"us-east-2\"\n");
    for i in 0..n {
        let name = if i % 2 == 0 {
            format!("shared{i}")
        } else {
            format!("{prefix}{i}")
        };
        t.push_str(&format!(
            "[grant.{name}]\nrole = \"end-user\"\nwho = [\"user:u{i}\"]\nconsoles = [\"{console}\"]\ninstances = [\"i-{i:017x}\"]\n"
        ));
        // Lint-free, so stderr starts with what the lock prints (L0706 warns on ec2 otherwise).
        if console == "ec2" {
            t.push_str("ec2_agent_update = true\n");
        }
    }
    t
}

fn ssm(args: &[&str], dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ssm-compile"));
    cmd.args(args)
        .args(["--color", "never"])
        .current_dir(dir)
        .env("NO_COLOR", "1");
    cmd
}

/// The directory's entries and their bytes.
fn listing(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut entries: Vec<_> = fs::read_dir(out)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            (name, fs::read(e.path()).unwrap_or_default())
        })
        .collect();
    entries.sort();
    entries
}

/// Exactly the plan's files with its bytes, and its manifest: no orphan, no temporary file,
/// no lock file.
fn expected(plan: &Plan) -> Vec<(String, Vec<u8>)> {
    let mut want: Vec<_> = plan
        .files
        .keys()
        .map(|n| (n.clone(), plan.bytes(n).unwrap().into_owned()))
        .collect();
    want.push((MANIFEST.to_owned(), outdir::manifest_for(plan)));
    want.sort();
    want
}

#[test]
fn two_builds_at_once_leave_exactly_one_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let texts = [config("a", "cli", 24), config("b", "ec2", 24)];
    let plans: Vec<Plan> = texts.iter().map(|t| compile(t).unwrap().plan).collect();
    fs::write(dir.path().join("a.toml"), &texts[0]).unwrap();
    fs::write(dir.path().join("b.toml"), &texts[1]).unwrap();
    let out = dir.path().join("policies");
    let wants = [expected(&plans[0]), expected(&plans[1])];
    let mut waited = 0;
    for round in 0..100 {
        if round % 10 == 0 {
            // Both may race to create the directory too.
            let _ = fs::remove_dir_all(&out);
        }
        let children: Vec<_> = ["a.toml", "b.toml"]
            .iter()
            .map(|c| {
                ssm(&["build", "-c", c, "-o", "policies"], dir.path())
                    // What is tested is the lock, not the disk: flushing made the rounds slow.
                    .env("SSM_COMPILE_FSYNC", "0")
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert!(output.status.success(), "round {round}: {stderr}");
            assert!(
                !stderr.contains("not written by ssm-compile"),
                "round {round}: {stderr}"
            );
            waited += usize::from(
                stderr
                    .lines()
                    .any(|l| l.starts_with("Blocking: waiting for another")),
            );
        }
        let got = listing(&out);
        assert!(
            got == wants[0] || got == wants[1],
            "round {round}: the directory is neither configuration's output: {:?}",
            got.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
    }
    // Without contention the test proves nothing about the lock.
    assert!(waited > 0, "no build ever waited for the other");
}

/// Holds the lock of `out` as another build would, in this process.
fn hold(out: &Path, exclusive: bool) -> fs::File {
    let file = fs::File::create(out.join(LOCK)).unwrap();
    if exclusive {
        file.lock()
    } else {
        file.lock_shared()
    }
    .unwrap();
    file
}

fn run(cmd: &mut Command) -> (i32, String) {
    let Output { status, stderr, .. } = cmd.output().unwrap();
    (status.code().unwrap(), String::from_utf8(stderr).unwrap())
}

#[test]
fn a_build_that_cannot_get_the_lock_waits_then_fails_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("access.toml"), config("a", "cli", 4)).unwrap();
    let out = dir.path().join("policies");
    assert_eq!(run(&mut ssm(&["build"], dir.path())).0, 0);
    assert!(
        !out.join(LOCK).exists(),
        "a finished build leaves no lock file"
    );
    fs::write(dir.path().join("access.toml"), config("b", "ec2", 4)).unwrap();
    let before = listing(&out);

    let held = hold(&out, true);
    let (code, stderr) = run(ssm(&["build"], dir.path()).env("SSM_COMPILE_LOCK_TIMEOUT", "300ms"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l == "Blocking: waiting for another ssm-compile build of policies"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error[E0902]: another ssm-compile build of policies did not finish within 300 ms; nothing was written"),
        "{stderr}"
    );
    let mut now = listing(&out);
    now.retain(|(n, _)| n != LOCK);
    assert_eq!(now, before, "nothing was written");

    // `check` waits for a build too, rather than reading half of one.
    let (code, stderr) = run(ssm(&["check"], dir.path()).env("SSM_COMPILE_LOCK_TIMEOUT", "200ms"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("did not finish within 200 ms"), "{stderr}");
    drop(held);

    // Readers share: a check runs while another reader holds the lock, and a build waits for
    // them and then goes ahead.
    let reader = hold(&out, false);
    let (code, stderr) = run(ssm(&["check"], dir.path()).env("SSM_COMPILE_LOCK_TIMEOUT", "200ms"));
    assert_eq!(code, 1, "{stderr}");
    let mut build = ssm(&["build"], dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        build.try_wait().unwrap().is_none(),
        "the build waits for the reader"
    );
    drop(reader);
    let output = build.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with("Blocking: waiting")),
        "{stderr}"
    );
    let plan = compile(&config("b", "ec2", 4)).unwrap().plan;
    assert_eq!(listing(&out), expected(&plan));
}

#[test]
fn a_lock_file_that_is_a_link_or_a_directory_is_an_error_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("access.toml"), config("a", "cli", 2)).unwrap();
    let out = dir.path().join("policies");
    fs::create_dir(&out).unwrap();
    let target = dir.path().join("elsewhere");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, out.join(LOCK)).unwrap();
    let (code, stderr) = run(&mut ssm(&["build"], dir.path()));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("could not lock policies/.ssm-compile.lock"),
        "{stderr}"
    );
    assert!(!target.exists(), "the link was not followed");
    let names: BTreeSet<String> = listing(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, BTreeSet::from([LOCK.to_owned()]));
}
