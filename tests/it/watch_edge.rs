//! `--watch` against slow writers, two-step saves, linked and special configuration files
//! (issue 16). Linux: real inotify events. Waits are for conditions with a deadline; sleeps
//! only pace the simulated writers.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(15);

fn grant(name: &str) -> String {
    format!(
        "[grant.{name}]\nrole = \"admin\"\nwho = [\"user:{name}\"]\nconsoles = [\"cli\"]\ntags = {{ Team = \"{name}\" }}\n"
    )
}

/// A configuration with the grants `g0`..`g{n-1}`.
fn config(n: usize) -> String {
    let mut t = String::from("account = \"111122223333\"\nregion = \"us-east-2\"\n");
    for i in 0..n {
        t.push_str(&grant(&format!("g{i}")));
    }
    t
}

struct Watch {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Watch {
    fn launch(dir: &Path, args: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ssm-compile"))
            .arg("--watch")
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        crate::support::collect(child.stderr.take().unwrap(), log.clone());
        Watch { child, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

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

    /// SIGTERM; asserts a prompt exit with 0.
    fn terminate(&mut self) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let sent = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                sent.elapsed() < Duration::from_secs(5),
                "SIGTERM was ignored:\n{}",
                self.log()
            );
            thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(self.child.wait().unwrap().code(), Some(0), "{}", self.log());
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn project(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("access.toml");
    fs::write(&config, config_text(n)).unwrap();
    (dir, config)
}

fn config_text(n: usize) -> String {
    config(n)
}

#[test]
fn a_writer_that_holds_the_file_open_past_the_grace_is_never_built_half_way() {
    let (dir, path) = project(1);
    let w = Watch::launch(dir.path(), &[]);
    w.wait_for("the first build", |l| l.contains("1 written"));
    let mut f = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    // Every prefix written is a valid configuration with fewer grants; the writer takes
    // 3 s, longer than the 2 s grace, and only then closes.
    f.write_all(config(3).as_bytes()).unwrap();
    for i in 3..6 {
        thread::sleep(Duration::from_millis(1000));
        f.write_all(grant(&format!("g{i}")).as_bytes()).unwrap();
    }
    w.wait_for("the notice", |l| l.contains("is still open for writing"));
    drop(f);
    w.wait_for("the rebuild", |l| l.contains("6 grants -> 6 files"));
    let log = w.log();
    assert!(
        !log.contains("3 grants") && !log.contains("4 grants"),
        "{log}"
    );
    assert_eq!(log.matches("rebuilt").count(), 2, "{log}");
}

#[test]
fn a_save_in_two_steps_300_ms_apart_is_built_once_whole() {
    let (dir, path) = project(10);
    let w = Watch::launch(dir.path(), &[]);
    w.wait_for("the first build", |l| l.contains("10 written"));
    // Step one: a valid file without the last 5 grants, closed. Step two, 300 ms later: all.
    fs::write(&path, config(5)).unwrap();
    thread::sleep(Duration::from_millis(300));
    fs::write(&path, config(11)).unwrap();
    w.wait_for("the rebuild", |l| l.contains("11 grants -> 11 files"));
    let log = w.log();
    assert!(
        !log.contains("removed policies/"),
        "the first step was built:\n{log}"
    );
    assert_eq!(log.matches("rebuilt").count(), 2, "{log}");
}

#[test]
fn edits_to_the_target_of_a_linked_config_are_seen() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    let project = dir.path().join("project");
    fs::create_dir(&shared).unwrap();
    fs::create_dir(&project).unwrap();
    fs::write(shared.join("access.toml"), config(1)).unwrap();
    std::os::unix::fs::symlink("../shared/access.toml", project.join("access.toml")).unwrap();
    let w = Watch::launch(&project, &[]);
    w.wait_for("the first build", |l| l.contains("1 written"));
    fs::write(shared.join("access.toml"), config(2)).unwrap();
    w.wait_for("the rebuild", |l| l.contains("added policies/g1.json"));
    assert!(project.join("policies/g1.json").exists());
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn a_fifo_config_is_refused_at_the_start() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("access.toml"));
    let out = Command::new(env!("CARGO_BIN_EXE_ssm-compile"))
        .args(["--watch"])
        .current_dir(dir.path())
        .timeout_or_kill();
    assert_eq!(out.0, Some(2), "{}", out.1);
    assert!(
        out.1
            .contains("access.toml is a FIFO; --watch reads only a regular file"),
        "{}",
        out.1
    );
    assert!(!dir.path().join("policies").exists());
}

#[test]
fn a_fifo_put_in_place_of_the_config_never_blocks_the_watch() {
    let (dir, path) = project(1);
    let mut w = Watch::launch(dir.path(), &[]);
    w.wait_for("the first build", |l| l.contains("1 written"));
    fs::remove_file(&path).unwrap();
    mkfifo(&path);
    w.wait_for("the report", |l| l.contains("is a FIFO"));
    // Not stuck in an open(): a signal ends it at once.
    w.terminate();
}

/// Runs a command that must end by itself; kills it after the deadline.
trait TimeoutOrKill {
    fn timeout_or_kill(&mut self) -> (Option<i32>, String);
}

impl TimeoutOrKill for Command {
    fn timeout_or_kill(&mut self) -> (Option<i32>, String) {
        let mut child = self
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > DEADLINE {
                let _ = child.kill();
                panic!("did not end");
            }
            thread::sleep(Duration::from_millis(10));
        }
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}
