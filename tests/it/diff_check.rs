//! `diff` and `check` beyond the transcripts: they write nothing, the JSON carries the same diff
//! as the text, colour follows `--color` and `NO_COLOR`, and a large directory with one change
//! reports only that change.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use assert_cmd::Command;

fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd")
}

/// Copies a transcript fixture into a fresh temporary directory.
fn fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&cases().join(format!("{name}.in")), tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.insert(path.clone(), (Vec::new(), SystemTime::UNIX_EPOCH));
                stack.push(path);
            } else {
                let mtime = fs::metadata(&path).unwrap().modified().unwrap();
                out.insert(path.clone(), (fs::read(&path).unwrap(), mtime));
            }
        }
    }
    out
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("ssm-compile")
        .unwrap()
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn diff_and_check_write_nothing() {
    for case in [
        "nothing-changed",
        "grant-added",
        "grant-removed",
        "output-missing",
        "hand-edited",
        "foreign-file",
        "foreign-in-the-way",
        "invalid-config",
    ] {
        let tmp = fixture(case);
        let before = snapshot(tmp.path());
        for args in [
            &["diff"][..],
            &["diff", "--exit-code"],
            &["diff", "--format", "markdown"],
            &["diff", "--format", "json"],
            &["check"],
        ] {
            run(tmp.path(), args);
            assert!(
                snapshot(tmp.path()) == before,
                "{case}: `{}` changed the directory",
                args.join(" ")
            );
        }
    }
}

#[test]
fn json_carries_the_text_diff_and_the_summary() {
    let tmp = fixture("one-grant-changed");
    let (code, text, _) = run(tmp.path(), &["diff", "-c", "infra/access.toml"]);
    assert_eq!(code, 0);
    let (code, json, _) = run(
        tmp.path(),
        &["diff", "-c", "infra/access.toml", "--format", "json"],
    );
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["schema_version"], 2);
    assert_eq!(report["up_to_date"], false);
    assert_eq!(report["widens"], true);
    let diff = report["files"][0]["diff"].as_str().unwrap();
    assert!(diff.starts_with(
        "--- a/infra/policies/web-oncall.json\n+++ b/infra/policies/web-oncall.json\n@@ "
    ));
    assert!(text.contains(diff), "the text report shows the same diff");
    assert_eq!(
        report["files"][0]["grants"],
        serde_json::json!(["web-oncall"])
    );
    let alice = &report["principals"][0];
    assert_eq!(alice["principal"], "user:alice");
    assert_eq!(alice["widens"], true);
    let actions: Vec<&str> = alice["gained"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"ssm:ResumeSession"), "{actions:?}");
    assert_eq!(report["grants"][0]["grant"], "web-oncall");
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let tmp = fixture("one-grant-changed");
    let c = ["-c", "infra/access.toml"];
    let red = "\u{1b}[31m";
    let green = "\u{1b}[32m";

    let (_, always, _) = run(
        tmp.path(),
        &[&c[..], &["diff", "--color", "always"]].concat(),
    );
    assert!(always.contains(red) && always.contains(green), "{always:?}");
    assert!(
        always.contains("\u{1b}[1m\u{1b}[31mWIDENS"),
        "bold red mark"
    );
    let (_, check, _) = run(
        tmp.path(),
        &[&c[..], &["check", "--color", "always"]].concat(),
    );
    assert!(check.contains(red));

    // Not a terminal here, so `auto` means none; nor with `never`, nor for machine formats.
    for args in [
        &["diff"][..],
        &["diff", "--color", "never"],
        &["diff", "--color", "always", "--format", "json"],
        &["diff", "--color", "always", "--format", "markdown"],
        &["check"],
    ] {
        let (_, out, _) = run(tmp.path(), &[&c[..], args].concat());
        assert!(!out.contains('\u{1b}'), "{args:?}: {out:?}");
    }
    let out = Command::cargo_bin("ssm-compile")
        .unwrap()
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .args(["diff", "-c", "infra/access.toml"])
        .output()
        .unwrap();
    assert!(!out.stdout.contains(&0x1b));
}

/// `n` end-user grants, one instance each; grant 5 gets a second instance when `changed`.
fn many_grants(n: usize, changed: bool) -> String {
    let mut text = String::from("account = \"111122223333\"\nregion = \"us-east-2\"\n");
    for i in 0..n {
        let extra = if changed && i == 5 {
            ", \"i-0000000000000ffff\""
        } else {
            ""
        };
        text.push_str(&format!(
            "\n[grant.g{i:05}]\nrole = \"end-user\"\nwho = [\"user:u{i}\"]\nconsoles = [\"cli\"]\ninstances = [\"i-{i:017x}\"{extra}]\n"
        ));
    }
    text
}

fn one_change_among(n: usize) -> (tempfile::TempDir, std::time::Duration, std::time::Duration) {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("access.toml"), many_grants(n, false)).unwrap();
    assert_eq!(run(tmp.path(), &["build"]).0, 0);
    fs::write(tmp.path().join("access.toml"), many_grants(n, true)).unwrap();

    let start = Instant::now();
    let (code, out, _) = run(tmp.path(), &["diff", "--exit-code"]);
    let diff_time = start.elapsed();
    assert_eq!(code, 1);
    assert_eq!(
        out.matches("\n+++ ").count() + usize::from(out.starts_with("+++ ")),
        1
    );
    assert!(out.contains("\n--- a/policies/g00005.json\n"), "{out}");
    assert!(
        out.starts_with("1 file in policies would change; access WIDENS for "),
        "{out}"
    );

    let start = Instant::now();
    let (code, out, _) = run(tmp.path(), &["check"]);
    let check_time = start.elapsed();
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "  changed policies/g00005.json (differs from what the configuration compiles to)\n\
         policies is out of date (1 stale file): run `ssm-compile build` to update it\n"
    );
    (tmp, diff_time, check_time)
}

#[test]
fn one_change_among_many_grants_is_the_only_one_reported() {
    one_change_among(500);
}

/// The speed requirement: `cargo test --release --test it diff_check -- --ignored --nocapture`.
#[test]
#[ignore = "timing: run in release on a quiet machine"]
fn ten_thousand_grants_one_changed_is_fast() {
    let (_tmp, diff, check) = one_change_among(10_000);
    eprintln!("10,000 grants, one changed: diff {diff:?}, check {check:?}");
    assert!(diff.as_millis() < 1000 && check.as_millis() < 1000);
}

#[test]
fn leftovers_and_foreign_files_are_reported_not_stale() {
    let tmp = fixture("nothing-changed");
    fs::write(tmp.path().join("policies/.ssm-compile-x1.tmp"), "half").unwrap();
    fs::write(tmp.path().join("policies/notes.md"), "mine").unwrap();
    let (code, out, _) = run(tmp.path(), &["check"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(" leftover policies/.ssm-compile-x1.tmp (left by an interrupted build"));
    assert!(out.contains("  foreign policies/notes.md (not written by ssm-compile; not checked)"));
    assert!(out.ends_with("policies is up to date: 2 policies match access.toml\n"));
}

#[test]
fn paths_are_shown_as_typed_and_absolute_ones_made_relative() {
    let tmp = fixture("one-grant-changed");
    // Canonical, as the current directory the binary sees is (TMPDIR may be a link).
    let root = tmp.path().canonicalize().unwrap();
    let abs = root.join("infra/access.toml");
    let (_, out, _) = run(tmp.path(), &["diff", "-c", abs.to_str().unwrap()]);
    assert!(
        out.contains("\n--- a/infra/policies/web-oncall.json\n"),
        "{out}"
    );
    let (_, out, _) = run(tmp.path(), &["check", "-c", "./infra/access.toml"]);
    assert!(
        out.starts_with("  changed infra/policies/web-oncall.json"),
        "{out}"
    );
    assert!(
        out.contains("run `ssm-compile build -c infra/access.toml`"),
        "{out}"
    );
    // Outside the current directory, the absolute path stays and loses the a/ b/ prefixes.
    let elsewhere = tempfile::tempdir().unwrap();
    let (_, out, _) = run(elsewhere.path(), &["diff", "-c", abs.to_str().unwrap()]);
    let policy = root.join("infra/policies/web-oncall.json");
    assert!(
        out.contains(&format!(
            "\n--- {}\n+++ {}\n",
            policy.display(),
            policy.display()
        )),
        "{out}"
    );
}

/// A manifest without `#who` lines (from before they were recorded): with a template on disk,
/// its attachments say who had each grant, so the verdict stays exact.
#[test]
fn an_old_manifest_with_a_template_uses_its_attachments() {
    let tmp = fixture("template-two-grants");
    let manifest = tmp.path().join("policies/.ssm-compile-manifest");
    let text = fs::read_to_string(&manifest).unwrap();
    let old: String = text
        .lines()
        .filter(|l| !l.starts_with("#who ") && !l.starts_with("# Who"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(old, text, "the fixture's manifest records principals");
    fs::write(&manifest, old).unwrap();
    let (code, json, _) = run(
        tmp.path(),
        &["diff", "--format", "json", "--fail-on", "widening"],
    );
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let verdicts: BTreeMap<String, (bool, bool)> = report["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let name = p["principal"].as_str().unwrap().to_owned();
            (name, (p["widens"] == true, p["undecidable"].is_null()))
        })
        .collect();
    let want: BTreeMap<String, (bool, bool)> = [
        ("group:db", (false, true)),
        ("group:web", (false, true)),
        ("user:carol", (true, true)),
        ("user:dave", (true, true)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(verdicts, want);
}

/// `--max-bytes` leaves diffs out, never the verdict; `--fail-on widening` is 0 without one.
#[test]
fn max_bytes_cuts_diffs_and_keeps_the_verdict() {
    let tmp = fixture("grants-merged");
    let (code, full, _) = run(tmp.path(), &["diff", "--format", "markdown"]);
    assert_eq!(code, 0);
    let (code, cut, _) = run(
        tmp.path(),
        &[
            "diff",
            "--format",
            "markdown",
            "--max-bytes",
            "1500",
            "--fail-on",
            "widening",
        ],
    );
    assert_eq!(code, 0, "merging with equal access widens nothing");
    assert!(cut.len() <= 1500, "{} bytes", cut.len());
    assert!(full.len() > 1500);
    let verdict = "- `group:ops`: no change in access";
    assert!(full.contains(verdict) && cut.contains(verdict), "{cut}");
    assert!(cut.contains("left out to stay within 1500 bytes"), "{cut}");
    // A budget below the verdict keeps it whole and leaves every diff out.
    let (_, tiny, _) = run(
        tmp.path(),
        &["diff", "--format", "markdown", "--max-bytes", "10"],
    );
    assert!(
        tiny.contains(verdict) && !tiny.contains("```diff"),
        "{tiny}"
    );
}
