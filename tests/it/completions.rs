//! `ssm-compile completions SHELL` and `ssm-compile man`: generated from the command line's
//! definition, so they must name every subcommand and flag; the bash script must load in bash,
//! and the man page render where `man` is installed. scripts/completions-check.sh also asks
//! bash for a completion.

use std::process::Command as Process;

use assert_cmd::Command;

const SUBCOMMANDS: &[&str] = &["build", "diff", "check", "init", "completions", "man"];
const FLAGS: &[&str] = &[
    "--config",
    "--out",
    "--emit",
    "--watch",
    "--quiet",
    "--verbose",
];

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("ssm-compile")
        .unwrap()
        .args(args)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn every_shells_completions_name_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = run(&["completions", shell]);
        for word in SUBCOMMANDS.iter().chain(FLAGS) {
            // fish writes flags without their dashes (`-l quiet`).
            let bare = word.trim_start_matches('-');
            assert!(script.contains(bare), "{shell} completions lack {word}");
        }
        assert!(script.contains("exit-code"), "{shell}");
    }
}

#[test]
fn the_bash_completion_script_sources_without_error() {
    let script = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ssm-compile.bash");
    std::fs::write(&path, script).unwrap();
    let Ok(out) = Process::new("bash")
        .args([
            "--norc",
            "--noprofile",
            "-c",
            "set -e; source \"$1\"; complete -p ssm-compile",
            "_",
        ])
        .arg(&path)
        .output()
    else {
        eprintln!("no bash: skipped");
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.is_empty(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("ssm-compile"));
}

#[test]
fn the_man_page_has_a_title_and_every_subcommand() {
    let page = run(&["man"]);
    assert!(page.contains(".TH ssm-compile 1"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("ssm\\-compile\\-{sub}(1)")), "{sub}");
    }
    // Flags of the subcommands are in their own sections.
    for flag in ["exit\\-code", "force", "format"] {
        assert!(page.contains(flag), "{flag}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ssm-compile.1");
    std::fs::write(&path, &page).unwrap();
    let Ok(out) = Process::new("man")
        .arg("-l")
        .arg(&path)
        .env("MANWIDTH", "80")
        .output()
    else {
        eprintln!("no man: skipped rendering");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("SSM-COMPILE INIT") && text.contains("--force"),
        "{text}"
    );
}
