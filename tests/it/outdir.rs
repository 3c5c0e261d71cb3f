//! The output directory contract of SPEC.md section 4, through the real binary.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use assert_cmd::Command;

const HEADER: &str = "# Written by ssm-compile: the files it generated in this directory.\n\
                      # Commit it with them; ssm-compile never touches a file not listed here.\n";

/// The manifest's record of who each grant (every one here is for `user:alice`) is attached to.
fn who(grants: &[&str]) -> String {
    let mut out = "# Who each grant is attached to (`#who GRANT PRINCIPAL...`): diff compares access per principal.\n".to_owned();
    for g in grants {
        out.push_str(&format!("#who {g} user:alice\n"));
    }
    out
}

fn grant(name: &str, instance: &str) -> String {
    format!(
        "[grant.{name}]\nrole = \"end-user\"\nwho = [\"user:alice\"]\nconsoles = [\"cli\"]\ninstances = [\"{instance}\"]\n\n"
    )
}

fn config(grants: &[(&str, &str)]) -> String {
    let mut text = "account = \"111122223333\"\nregion = \"us-east-2\"\n\n".to_owned();
    for (name, instance) in grants {
        text.push_str(&grant(name, instance));
    }
    text
}

struct Project {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Project {
    fn new(text: &str) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let p = Project { _tmp: tmp, root };
        p.write_config(text);
        p
    }

    fn write_config(&self, text: &str) {
        fs::write(self.root.join("access.toml"), text).unwrap();
    }

    fn out(&self) -> PathBuf {
        self.root.join("policies")
    }

    /// Runs `ssm-compile` in the project; returns (exit code, stderr).
    fn run(&self) -> (i32, String) {
        let output = Command::cargo_bin("ssm-compile")
            .unwrap()
            .current_dir(&self.root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(output.stdout.is_empty());
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }

    fn build_ok(&self) -> String {
        let (code, stderr) = self.run();
        assert_eq!(code, 0, "{stderr}");
        stderr
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Entry {
    bytes: Option<Vec<u8>>,
    modified: SystemTime,
    ino: u64,
}

/// Every entry of a directory, with bytes (files), modification time and inode.
fn snapshot(dir: &Path) -> BTreeMap<String, Entry> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = fs::symlink_metadata(e.path()).unwrap();
            #[cfg(unix)]
            let ino = std::os::unix::fs::MetadataExt::ino(&meta);
            #[cfg(not(unix))]
            let ino = 0;
            let bytes = meta.is_file().then(|| fs::read(e.path()).unwrap());
            (
                e.file_name().into_string().unwrap(),
                Entry {
                    bytes,
                    modified: meta.modified().unwrap(),
                    ino,
                },
            )
        })
        .collect()
}

/// Moves every file's modification time an hour back, so a rewrite cannot hide within the
/// file system's time resolution.
fn age(dir: &Path) {
    let past = SystemTime::now() - Duration::from_secs(3600);
    for e in fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_file() {
            fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(past)
                .unwrap();
        }
    }
}

fn names(dir: &Path) -> Vec<String> {
    snapshot(dir).into_keys().collect()
}

#[test]
fn a_build_with_nothing_changed_writes_nothing() {
    let p = Project::new(&config(&[
        ("web", "i-0123456789abcdef0"),
        ("db", "i-01234567"),
    ]));
    p.build_ok();
    age(&p.out());
    let before = snapshot(&p.out());
    let stderr = p.build_ok();
    assert_eq!(snapshot(&p.out()), before);
    assert_eq!(
        stderr,
        "2 grants -> 2 files in policies: 0 written, 0 removed, 2 unchanged\n"
    );
}

#[test]
fn only_the_changed_file_is_replaced_by_a_rename() {
    let p = Project::new(&config(&[
        ("web", "i-0123456789abcdef0"),
        ("db", "i-01234567"),
    ]));
    p.build_ok();
    age(&p.out());
    let before = snapshot(&p.out());
    p.write_config(&config(&[
        ("web", "i-0fedcba9876543210"),
        ("db", "i-01234567"),
    ]));
    let stderr = p.build_ok();
    assert_eq!(
        stderr,
        "  changed policies/web.json\n2 grants -> 2 files in policies: 1 written, 0 removed, 1 unchanged\n"
    );
    let after = snapshot(&p.out());
    assert_eq!(after["db.json"], before["db.json"], "db.json was rewritten");
    assert_eq!(
        after[".ssm-compile-manifest"], before[".ssm-compile-manifest"],
        "the manifest was rewritten"
    );
    let web = &after["web.json"];
    assert!(
        String::from_utf8_lossy(web.bytes.as_ref().unwrap())
            .contains("instance/i-0fedcba9876543210")
    );
    assert_ne!(web.modified, before["web.json"].modified);
    // A rename of a new file, not an edit in place: the old inode is gone.
    #[cfg(unix)]
    assert_ne!(web.ino, before["web.json"].ino);
    assert_eq!(
        names(&p.out()),
        [".ssm-compile-manifest", "db.json", "web.json"]
    );
}

/// A mix of grant shapes like the benchmark's (benches/bench.py): roles, consoles, instances,
/// tags with a `$`, keys, resumable sessions.
fn varied(n: usize, edited: Option<usize>) -> String {
    let consoles = [
        "\"session-manager\", \"cli\"",
        "\"ec2\"",
        "\"session-manager\", \"cli\", \"ec2\"",
    ];
    let mut text = "account = \"111122223333\"\nregion = \"us-east-2\"\n\n".to_owned();
    for i in 0..n {
        let e = usize::from(edited == Some(i));
        let role = if i % 5 == 0 { "admin" } else { "end-user" };
        text.push_str(&format!(
            "[grant.g{i:04}]\nrole = \"{role}\"\nwho = [\"user:u{i}\", \"group:g{}\"]\nconsoles = [{}]\n",
            i / 10,
            consoles[i % 3]
        ));
        if i % 2 == 0 {
            text.push_str(&format!("instances = [\"i-{:017x}\"]\n", i * 10 + e));
        } else {
            text.push_str(&format!(
                "tags = {{ Team = \"web-{}{e}\", Env = [\"pro$d\", \"st*\"] }}\n",
                i % 7
            ));
        }
        if i % 4 == 1 {
            text.push_str("kms_key = \"arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\"\n");
        }
        if i % 6 == 1 && role == "end-user" {
            text.push_str("resume_session = true\n");
        }
    }
    text
}

#[test]
fn a_one_grant_edit_among_many_rewrites_exactly_that_file() {
    let p = Project::new(&varied(300, None));
    p.build_ok();
    age(&p.out());
    // Each step differs from the one before in one grant: edited, then back.
    for edited in [Some(7), None, Some(150), None] {
        let before = snapshot(&p.out());
        p.write_config(&varied(300, edited));
        let stderr = p.build_ok();
        let after = snapshot(&p.out());
        let rewritten: Vec<&String> = after
            .keys()
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        assert_eq!(rewritten.len(), 1, "{rewritten:?}\n{stderr}");
        assert!(
            stderr.ends_with(
                "300 grants -> 300 files in policies: 1 written, 0 removed, 299 unchanged\n"
            ),
            "{stderr}"
        );
        age(&p.out());
    }
}

#[test]
fn the_manifest_lists_exactly_the_files_written() {
    let p = Project::new(&config(&[
        ("web", "i-0123456789abcdef0"),
        ("db", "i-01234567"),
    ]));
    p.build_ok();
    assert_eq!(
        fs::read_to_string(p.out().join(".ssm-compile-manifest")).unwrap(),
        format!("{HEADER}db.json\nweb.json\n{}", who(&["db", "web"]))
    );
    p.write_config(&config(&[
        ("web", "i-0123456789abcdef0"),
        ("api", "i-01234567"),
    ]));
    p.build_ok();
    assert_eq!(
        fs::read_to_string(p.out().join(".ssm-compile-manifest")).unwrap(),
        format!("{HEADER}api.json\nweb.json\n{}", who(&["api", "web"]))
    );
}

#[test]
fn files_of_deleted_grants_are_removed() {
    let p = Project::new(&config(&[
        ("web", "i-0123456789abcdef0"),
        ("db", "i-01234567"),
    ]));
    p.build_ok();
    age(&p.out());
    let before = snapshot(&p.out());
    p.write_config(&config(&[("web", "i-0123456789abcdef0")]));
    let stderr = p.build_ok();
    assert!(stderr.contains("  removed policies/db.json\n"), "{stderr}");
    assert_eq!(names(&p.out()), [".ssm-compile-manifest", "web.json"]);
    assert_eq!(snapshot(&p.out())["web.json"], before["web.json"]);
}

#[test]
fn foreign_files_are_reported_and_never_touched() {
    let p = Project::new(&config(&[
        ("web", "i-0123456789abcdef0"),
        ("db", "i-01234567"),
    ]));
    fs::create_dir_all(p.out().join("archive")).unwrap();
    fs::write(p.out().join("archive/old.json"), "{}\n").unwrap();
    fs::write(p.out().join("NOTES.md"), "hand-written\n").unwrap();
    fs::write(
        p.out().join("legacy.json"),
        "{\"Version\": \"2012-10-17\"}\n",
    )
    .unwrap();
    age(&p.out());
    let foreign = |s: &BTreeMap<String, Entry>| {
        s.iter()
            .filter(|(n, _)| ["archive", "NOTES.md", "legacy.json"].contains(&n.as_str()))
            .map(|(n, e)| (n.clone(), (e.bytes.clone(), e.modified, e.ino)))
            .collect::<Vec<_>>()
    };
    let before = foreign(&snapshot(&p.out()));
    let stderr = p.build_ok();
    for name in ["NOTES.md", "archive", "legacy.json"] {
        assert!(
            stderr.contains(&format!(
                "  skipped policies/{name} (not written by ssm-compile; left as it is)\n"
            )),
            "{stderr}"
        );
    }
    // A grant deleted later does not make ssm-compile claim or remove anything foreign.
    p.write_config(&config(&[("web", "i-0123456789abcdef0")]));
    p.build_ok();
    assert_eq!(foreign(&snapshot(&p.out())), before);
    assert_eq!(fs::read(p.out().join("archive/old.json")).unwrap(), b"{}\n");
    assert!(
        !fs::read_to_string(p.out().join(".ssm-compile-manifest"))
            .unwrap()
            .contains("legacy")
    );
}

#[test]
fn a_foreign_file_in_the_way_stops_the_build_before_anything_is_written() {
    let p = Project::new(&config(&[
        ("web", "i-0123456789abcdef0"),
        ("db", "i-01234567"),
    ]));
    fs::create_dir_all(p.out()).unwrap();
    fs::write(p.out().join("web.json"), "mine, not ssm-compile's\n").unwrap();
    age(&p.out());
    let before = snapshot(&p.out());
    let (code, stderr) = p.run();
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr
            .contains("error[E0906]: policies/web.json exists and was not written by ssm-compile"),
        "{stderr}"
    );
    assert!(stderr.contains("help: ssm-compile never overwrites a file it did not write"));
    // Not even db.json or the manifest.
    assert_eq!(snapshot(&p.out()), before);
}

#[test]
fn a_directory_in_the_way_stops_the_build() {
    let p = Project::new(&config(&[("web", "i-0123456789abcdef0")]));
    fs::create_dir_all(p.out().join("web.json")).unwrap();
    let before = snapshot(&p.out());
    let (code, stderr) = p.run();
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(snapshot(&p.out()), before);
}

#[test]
fn a_foreign_file_with_the_planned_bytes_is_adopted_without_a_write() {
    let p = Project::new(&config(&[("web", "i-0123456789abcdef0")]));
    p.build_ok();
    fs::remove_file(p.out().join(".ssm-compile-manifest")).unwrap();
    age(&p.out());
    let before = snapshot(&p.out());
    p.build_ok();
    let after = snapshot(&p.out());
    assert_eq!(after["web.json"], before["web.json"]);
    assert_eq!(
        fs::read_to_string(p.out().join(".ssm-compile-manifest")).unwrap(),
        format!("{HEADER}web.json\n{}", who(&["web"]))
    );
}

#[test]
fn a_hand_edited_generated_file_is_restored() {
    let p = Project::new(&config(&[("web", "i-0123456789abcdef0")]));
    p.build_ok();
    let good = fs::read(p.out().join("web.json")).unwrap();
    fs::write(p.out().join("web.json"), "edited\n").unwrap();
    let stderr = p.build_ok();
    assert!(stderr.contains("  changed policies/web.json\n"), "{stderr}");
    assert_eq!(fs::read(p.out().join("web.json")).unwrap(), good);
    // And one deleted by hand comes back.
    fs::remove_file(p.out().join("web.json")).unwrap();
    p.build_ok();
    assert_eq!(fs::read(p.out().join("web.json")).unwrap(), good);
}

#[test]
fn nothing_is_written_when_the_configuration_has_an_error() {
    // No output directory yet: it is not even created.
    let p = Project::new(&format!(
        "{}[grant.db]\nrole = \"end-user\"\n",
        config(&[("web", "i-0123456789abcdef0")])
    ));
    let (code, stderr) = p.run();
    assert_eq!(code, 2, "{stderr}");
    assert!(!p.out().exists());

    // With a previous build: every byte and time stays.
    p.write_config(&config(&[
        ("web", "i-0123456789abcdef0"),
        ("db", "i-01234567"),
    ]));
    p.build_ok();
    fs::write(p.out().join(".ssm-compile-stale.tmp"), "half").unwrap();
    age(&p.out());
    let before = snapshot(&p.out());
    p.write_config(&config(&[
        ("web", "i-0fedcba98765432"),
        ("api", "i-01234567"),
    ]));
    let (code, stderr) = p.run();
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(snapshot(&p.out()), before);
}

#[test]
fn leftover_temporary_files_are_cleaned_and_none_are_left() {
    let p = Project::new(&config(&[("web", "i-0123456789abcdef0")]));
    p.build_ok();
    fs::write(p.out().join(".ssm-compile-Ab12Cd.tmp"), "half a poli").unwrap();
    fs::write(p.out().join(".ssm-compile-x.tmpl"), "not ours").unwrap();
    // Even a build with nothing to write cleans them.
    let stderr = p.build_ok();
    assert!(
        stderr.ends_with("0 written, 0 removed, 1 unchanged\n"),
        "{stderr}"
    );
    assert_eq!(
        names(&p.out()),
        [".ssm-compile-manifest", ".ssm-compile-x.tmpl", "web.json"]
    );
    // A build that writes leaves no temporary file behind.
    p.write_config(&config(&[
        ("web", "i-01234567"),
        ("db", "i-0123456789abcdef0"),
    ]));
    p.build_ok();
    assert!(
        !names(&p.out()).iter().any(|n| n.ends_with(".tmp")),
        "{:?}",
        names(&p.out())
    );
}

#[cfg(unix)]
#[test]
fn new_files_are_world_readable_and_replaced_files_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new(&config(&[("web", "i-0123456789abcdef0")]));
    p.build_ok();
    let mode = |n: &str| fs::metadata(p.out().join(n)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("web.json"), 0o644);
    assert_eq!(mode(".ssm-compile-manifest"), 0o644);
    fs::set_permissions(p.out().join("web.json"), fs::Permissions::from_mode(0o640)).unwrap();
    p.write_config(&config(&[("web", "i-01234567")]));
    p.build_ok();
    assert_eq!(mode("web.json"), 0o640);
}

#[test]
fn the_output_key_and_dash_o_pick_the_directory() {
    let p = Project::new(&format!(
        "output = \"gen/iam\"\n{}",
        config(&[("web", "i-0123456789abcdef0")])
    ));
    p.build_ok();
    assert!(p.root.join("gen/iam/web.json").is_file());
    // -o wins over the key; the config's directory is the base for the key, not the cwd.
    let other = p.root.join("elsewhere");
    Command::cargo_bin("ssm-compile")
        .unwrap()
        .current_dir(&p.root)
        .args(["-c", "access.toml", "-o", "elsewhere"])
        .assert()
        .success();
    assert!(other.join("web.json").is_file());
    let sub = p.root.join("sub");
    fs::create_dir(&sub).unwrap();
    Command::cargo_bin("ssm-compile")
        .unwrap()
        .current_dir(&sub)
        .args(["-c", "../access.toml"])
        .assert()
        .success();
    assert!(!sub.join("gen").exists());
}
