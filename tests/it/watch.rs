//! `ssm-compile --watch` end to end on Linux: the real binary, real saves the ways editors make
//! them. Every wait is for a condition with a deadline; the only sleeps are the pauses inside a
//! simulated save (an editor between its steps).

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(15);

/// Two versions of one configuration: `V2` adds the grant `b`.
const V1: &str = r#"account = "111122223333"
region = "us-east-2"

[grant.a]
role = "admin"
who = ["user:alice"]
consoles = ["cli"]
tags = { Team = "web" }
"#;

fn v2() -> String {
    format!(
        "{V1}\n[grant.b]\nrole = \"admin\"\nwho = [\"user:bob\"]\nconsoles = [\"cli\"]\ntags = {{ Team = \"db\" }}\n"
    )
}

struct Watching {
    child: Child,
    log: Arc<Mutex<String>>,
    dir: tempfile::TempDir,
}

impl Watching {
    /// Starts `ssm-compile --watch` (plus `args`) on `access.toml` = `V1` and waits for the
    /// first build.
    fn start(args: &[&str]) -> Watching {
        let w = Watching::launch(args, Some(V1));
        w.wait_for("the first build", |log| log.contains("1 written"));
        w
    }

    /// Starts the watch without waiting for anything.
    fn launch(args: &[&str], config: Option<&str>) -> Watching {
        let dir = tempfile::tempdir().unwrap();
        if let Some(text) = config {
            fs::write(dir.path().join("access.toml"), text).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_ssm-compile"))
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        crate::support::collect(child.stderr.take().unwrap(), log.clone());
        crate::support::collect(child.stdout.take().unwrap(), log.clone());
        Watching { child, log, dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn config(&self) -> PathBuf {
        self.path("access.toml")
    }
    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
    fn count(&self, needle: &str) -> usize {
        self.log().matches(needle).count()
    }

    /// Polls `cond` on the log until it holds; fails with the log after the deadline.
    fn wait_for(&self, what: &str, cond: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if cond(&self.log()) {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        panic!("timed out waiting for {what}; log:\n{}", self.log());
    }

    fn wait_until(&self, what: &str, cond: impl Fn() -> bool) {
        self.wait_for(what, |_| cond());
    }

    /// Sends a signal and waits for the exit.
    fn signal(&mut self, sig: &str) -> (ExitStatus, Duration, String) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let sent = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let took = sent.elapsed();
                // Let the reader threads drain the pipes.
                thread::sleep(Duration::from_millis(20));
                return (status, took, self.log());
            }
            assert!(sent.elapsed() < DEADLINE, "did not exit on {sig}");
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for_b(w: &Watching) {
    let b = w.path("policies/b.json");
    w.wait_until("policies/b.json", || b.exists());
    w.wait_for("the report", |log| log.contains("added policies/b.json"));
}

fn assert_no_errors(w: &Watching) {
    let log = w.log();
    assert!(!log.contains("error"), "an error was reported:\n{log}");
}

fn pause() {
    // An editor between the steps of one save: longer than the debounce, shorter than the
    // settle time, so the watch does read the half-finished file.
    thread::sleep(Duration::from_millis(150));
}

#[test]
fn write_in_place_rebuilds() {
    let w = Watching::start(&["--watch"]);
    // Overwrite from the start without truncating (V2 is longer than V1).
    let mut f = OpenOptions::new().write(true).open(w.config()).unwrap();
    f.write_all(v2().as_bytes()).unwrap();
    drop(f);
    wait_for_b(&w);
    assert_eq!(w.count("rebuilt"), 2);
    assert_no_errors(&w);
}

/// Each save prints the per-principal verdict, a `who` change alone included.
#[test]
fn each_save_prints_who_gains_what() {
    let w = Watching::start(&["--watch"]);
    fs::write(w.config(), v2()).unwrap();
    wait_for_b(&w);
    w.wait_for("the verdict", |log| log.contains("WIDENS  user:bob"));
    assert!(
        w.log().contains("+ can now ssm:StartSession on "),
        "{}",
        w.log()
    );
    let who = v2().replace("[\"user:alice\"]", "[\"user:alice\", \"user:mallory\"]");
    fs::write(w.config(), who).unwrap();
    w.wait_for("mallory", |log| log.contains("WIDENS  user:mallory"));
    assert!(w.log().contains("no policy file changes"), "{}", w.log());
    assert_no_errors(&w);
}

#[test]
fn truncate_then_write_with_the_file_held_open_is_never_an_error() {
    let w = Watching::start(&["build", "--watch"]);
    let mut f = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(w.config())
        .unwrap();
    pause();
    let text = v2();
    let (head, tail) = text.split_at(text.len() / 2);
    f.write_all(head.as_bytes()).unwrap();
    f.flush().unwrap();
    pause();
    f.write_all(tail.as_bytes()).unwrap();
    drop(f);
    wait_for_b(&w);
    assert_eq!(w.count("rebuilt"), 2, "{}", w.log());
    assert_no_errors(&w);
}

#[test]
fn a_valid_first_part_written_while_the_file_is_still_open_is_never_built() {
    let w = Watching::start(&["--watch"]);
    let mut f = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(w.config())
        .unwrap();
    // The first part (V2) is a valid configuration on its own; the writer is not done.
    f.write_all(v2().as_bytes()).unwrap();
    f.flush().unwrap();
    pause();
    pause();
    f.write_all(b"\n[grant.c]\nrole = \"admin\"\nwho = [\"user:c\"]\nconsoles = [\"cli\"]\ntags = { Team = \"c\" }\n")
        .unwrap();
    drop(f);
    let c = w.path("policies/c.json");
    w.wait_until("c.json", || c.exists());
    w.wait_for("the report", |log| log.contains("added policies/c.json"));
    // One rebuild after the first, with b and c together: the first part alone never went out.
    assert_eq!(w.count("rebuilt"), 2, "{}", w.log());
    assert!(w.log().contains("2 written"), "{}", w.log());
}

#[test]
fn an_empty_then_half_written_file_closed_between_writes_is_retried_not_reported() {
    let w = Watching::start(&["--watch"]);
    let text = v2();
    // Truncate and close; then write half and close; then append the rest.
    fs::write(w.config(), "").unwrap();
    pause();
    fs::write(w.config(), &text[..text.len() / 2]).unwrap();
    pause();
    let mut f = OpenOptions::new().append(true).open(w.config()).unwrap();
    f.write_all(&text.as_bytes()[text.len() / 2..]).unwrap();
    drop(f);
    wait_for_b(&w);
    assert_no_errors(&w);
    // Nothing but the final content was ever built.
    assert_eq!(w.count("rebuilt"), 2, "{}", w.log());
}

#[test]
fn a_temporary_file_renamed_over_the_config_rebuilds_and_the_watch_keeps_working() {
    let w = Watching::start(&["--watch"]);
    // JetBrains "safe write": temp file, old one renamed away, temp renamed in, old deleted.
    let temp = w.path("access.toml___jb_tmp___");
    let old = w.path("access.toml___jb_old___");
    fs::write(&temp, v2()).unwrap();
    fs::rename(w.config(), &old).unwrap();
    fs::rename(&temp, w.config()).unwrap();
    fs::remove_file(&old).unwrap();
    wait_for_b(&w);
    // vim: write a swap/backup, rename over; the new inode is still watched.
    let swap = w.path(".access.toml.swp");
    fs::write(&swap, V1).unwrap();
    fs::rename(&swap, w.config()).unwrap();
    let b = w.path("policies/b.json");
    w.wait_until("b.json removed", || !b.exists());
    w.wait_for("the report", |log| log.contains("removed policies/b.json"));
    assert_eq!(w.count("rebuilt"), 3, "{}", w.log());
    assert_no_errors(&w);
    assert!(!w.log().contains("is gone"), "{}", w.log());
}

#[test]
fn delete_and_recreate_rebuilds_without_saying_it_was_gone() {
    let w = Watching::start(&["--watch"]);
    fs::remove_file(w.config()).unwrap();
    pause();
    fs::write(w.config(), v2()).unwrap();
    wait_for_b(&w);
    assert_no_errors(&w);
    assert!(!w.log().contains("is gone"), "{}", w.log());
}

#[test]
fn an_invalid_save_reports_located_errors_and_leaves_the_outputs_alone() {
    let w = Watching::start(&["--watch"]);
    let a = w.path("policies/a.json");
    let before = fs::read(&a).unwrap();
    let mtime = fs::metadata(&a).unwrap().modified().unwrap();
    let listing = || {
        let mut names: Vec<_> = fs::read_dir(w.path("policies"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let files = listing();
    // Grant b is added, but grant a gets a bad role: nothing may be written.
    fs::write(w.config(), v2().replacen("\"admin\"", "\"root\"", 1)).unwrap();
    w.wait_for("the errors", |log| log.contains("has errors"));
    let log = w.log();
    assert!(log.contains("access.toml:5:8"), "{log}");
    assert!(log.contains("policies are left as they were"), "{log}");
    assert_eq!(fs::read(&a).unwrap(), before);
    assert_eq!(fs::metadata(&a).unwrap().modified().unwrap(), mtime);
    assert_eq!(listing(), files);
    // The next valid save builds again.
    fs::write(w.config(), v2()).unwrap();
    wait_for_b(&w);
}

#[test]
fn an_unchanged_save_prints_one_line() {
    let w = Watching::start(&["--watch"]);
    let before = w.log().lines().count();
    fs::write(w.config(), V1).unwrap();
    w.wait_for("no changes", |log| log.contains("no changes"));
    assert_eq!(w.log().lines().count(), before + 1, "{}", w.log());
}

#[test]
fn outputs_inside_the_watched_directory_never_trigger_a_rebuild() {
    // The policies go next to the config: every file written is in the watched directory.
    let w = Watching::start(&["--watch", "-o", "."]);
    assert!(w.path("a.json").exists());
    fs::write(w.config(), v2()).unwrap();
    w.wait_for("b", |log| log.contains("added ./b.json"));
    // A loop would rebuild again ("no changes") before this second save is even seen.
    fs::write(w.config(), V1).unwrap();
    w.wait_for("b removed", |log| log.contains("removed ./b.json"));
    assert_eq!(w.count("rebuilt"), 3, "{}", w.log());
    assert_eq!(w.count("no changes"), 0, "{}", w.log());
}

#[test]
fn a_deleted_config_is_reported_and_waited_for() {
    let w = Watching::start(&["--watch"]);
    fs::remove_file(w.config()).unwrap();
    w.wait_for("gone", |log| log.contains("access.toml is gone; waiting"));
    assert!(w.path("policies/a.json").exists(), "outputs kept");
    fs::write(w.config(), v2()).unwrap();
    wait_for_b(&w);
    assert_no_errors(&w);
}

#[test]
fn a_config_that_does_not_exist_yet_is_waited_for() {
    let w = Watching::launch(&["--watch"], None);
    w.wait_for("the message", |log| {
        log.contains("access.toml does not exist yet; waiting")
    });
    fs::write(w.config(), V1).unwrap();
    let a = w.path("policies/a.json");
    w.wait_until("a.json", || a.exists());
    assert_no_errors(&w);
}

#[test]
fn the_watched_directory_removed_and_recreated_is_watched_again() {
    let mut w = Watching::start(&["--watch"]);
    fs::remove_dir_all(w.dir.path()).unwrap();
    w.wait_for("the message", |log| {
        log.contains("was removed; waiting for it to come back")
    });
    fs::create_dir(w.dir.path()).unwrap();
    fs::write(w.config(), v2()).unwrap();
    // A fresh directory: both policies are new there.
    w.wait_for("the rebuild", |log| log.contains("2 written"));
    assert!(w.path("policies/b.json").exists());
    // And the new directory is watched: a later save is seen.
    fs::write(w.config(), V1).unwrap();
    w.wait_for("the next rebuild", |log| {
        log.contains("removed policies/b.json")
    });
    let (status, _, log) = w.signal("-TERM");
    assert_eq!(status.code(), Some(0), "{log}");
}

#[test]
fn an_output_directory_removed_by_hand_is_recreated_on_the_next_build() {
    let w = Watching::start(&["--watch"]);
    fs::remove_dir_all(w.path("policies")).unwrap();
    fs::write(w.config(), v2()).unwrap();
    wait_for_b(&w);
    assert!(w.path("policies/a.json").exists());
    assert!(w.path("policies/.ssm-compile-manifest").exists());
}

#[test]
fn hundreds_of_saves_in_a_row_end_in_the_last_state_without_errors() {
    let w = Watching::start(&["--watch"]);
    let texts = [V1.to_string(), v2()];
    for i in 1..=300 {
        fs::write(w.config(), &texts[i % 2]).unwrap();
        if i % 50 == 0 {
            thread::sleep(Duration::from_millis(2));
        }
    }
    // A last, distinct save: once its grant c is built, the watch has caught up.
    fs::write(w.config(), v2().replace("[grant.b]", "[grant.c]")).unwrap();
    let c = w.path("policies/c.json");
    w.wait_until("c.json", || c.exists());
    w.wait_for("the report", |log| log.contains("added policies/c.json"));
    assert_no_errors(&w);
    // Bursts were coalesced: far fewer builds than saves.
    assert!(w.count("rebuilt") < 100, "{}", w.count("rebuilt"));
}

#[test]
fn polling_rebuilds_too() {
    let w = Watching::start(&["--watch", "--poll", "100ms"]);
    assert!(w.log().contains("polling every 100 ms"), "{}", w.log());
    fs::write(w.config(), v2()).unwrap();
    wait_for_b(&w);
    assert_no_errors(&w);
}

#[test]
fn poll_without_watch_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_ssm-compile"))
        .args(["--poll", "1s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_ssm-compile"))
        .args(["--watch", "--poll", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("500ms"));
}

#[test]
fn watch_goes_with_build_only() {
    for command in ["diff", "check"] {
        let out = Command::new(env!("CARGO_BIN_EXE_ssm-compile"))
            .args(["--watch", command])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--watch goes with build only"),
            "{command}"
        );
    }
}

fn assert_clean_exit(sig: &str) {
    let mut w = Watching::start(&["--watch"]);
    // Stop it while it has work in hand.
    fs::write(w.config(), v2()).unwrap();
    let (status, took, log) = w.signal(sig);
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert!(log.contains("stopped watching"), "{log}");
    for entry in fs::read_dir(w.path("policies")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "temporary file left: {name}");
    }
}

#[test]
fn ctrl_c_exits_promptly_with_0_and_leaves_no_temporary_files() {
    assert_clean_exit("-INT");
}

#[test]
fn sigterm_exits_the_same_way() {
    assert_clean_exit("-TERM");
}

#[test]
fn a_missing_directory_is_an_error_with_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_ssm-compile"))
        .args(["--watch", "-c", "/nonexistent-dir/access.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[E0903]: could not watch"), "{err}");
}

#[test]
fn a_save_with_thousands_of_errors_prints_the_first_ones_and_a_count() {
    let w = Watching::start(&["--watch"]);
    let mut text = V1.to_owned();
    for i in 0..3000 {
        text.push_str(&format!(
            "\n[grant.g{i}]\nrole = \"end-user\"\nwho = [\"user:u{i}\"]\nconsoles = [\"cli\"]\ninstances = [\"i-{i:05x}\"]\n"
        ));
    }
    let started = Instant::now();
    fs::write(w.config(), text).unwrap();
    w.wait_for("the errors", |log| log.contains("has errors"));
    w.wait_for("the count", |log| {
        log.contains("3000 errors in access.toml")
    });
    let log = w.log();
    assert!(started.elapsed() < DEADLINE);
    // After the verdict: 20 diagnostics (the lint warnings of grant `a` among them), the count
    // of the rest, then the count of every error.
    let report = &log[log.rfind("has errors").unwrap()..];
    let headed = |l: &&str| l.starts_with("error[") || l.starts_with("warning[");
    assert_eq!(report.lines().filter(headed).count(), 20, "{report}");
    let warnings = report.lines().filter(|l| l.starts_with("warning[")).count();
    let more = format!(
        "warning: {} diagnostics more not shown",
        3000 + warnings - 20
    );
    assert!(report.contains(&more), "{report}");
    // The watch goes on: the next valid save builds.
    fs::write(w.config(), v2()).unwrap();
    wait_for_b(&w);
}
