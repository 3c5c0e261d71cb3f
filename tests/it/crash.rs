//! Crash safety (issue 5, part 5): `ssm-compile build` killed with SIGKILL at random moments of a
//! 10,000-grant build leaves every policy file complete (old or new bytes), listed in the
//! manifest, and the next build repairs everything. A normal run leaves no temporary file.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use ssm_compile::outdir::MANIFEST;
use ssm_compile::outdir::parse_manifest;
use ssm_compile::{Plan, compile, outdir};

const GRANTS: usize = 10_000;
const KILLS: usize = 20;

/// Two configurations that differ in every file: `shift` renames 5% of the grants (so files are
/// added and removed too), `console` changes every policy's bytes.
fn config(shift: usize, console: &str) -> String {
    // The EC2-console lint would print 10,000 warnings and move the kills away from the writes.
    let mut t = String::from(
        "account = \"111122223333\"\nregion = \"us-east-2\"\n\
         [lints]\nec2-console-agent-update-denied = \"allow\"\n",
    );
    for i in shift..shift + GRANTS {
        t.push_str(&format!(
            "[grant.g{i}]\nrole = \"end-user\"\nwho = [\"user:u{i}\"]\nconsoles = [\"{console}\"]\ninstances = [\"i-{i:017x}\"]\n"
        ));
    }
    t
}

fn plan(text: &str) -> Plan {
    compile(text).expect("the test configuration is valid").plan
}

/// xorshift64*: enough randomness for kill times, with a seed we can print and replay.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

fn run_build(config: &Path, out: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ssm-compile"))
        .args(["build", "--color", "never", "-c"])
        .arg(config)
        .arg("-o")
        .arg(out)
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Asserts the invariant after any kill. Returns how many files hold each configuration's bytes.
fn check_after_kill(out: &Path, a: &Plan, b: &Plan, seed: u64) -> (usize, usize) {
    let Ok(entries) = fs::read_dir(out) else {
        return (0, 0); // killed before the directory was made
    };
    let manifest: BTreeSet<String> = fs::read_to_string(out.join(MANIFEST))
        .map(|m| parse_manifest(&m).into_iter().collect())
        .unwrap_or_default();
    let (mut from_a, mut from_b) = (0, 0);
    for entry in entries {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == MANIFEST
            || name == outdir::LOCK
            || (name.starts_with(".ssm-compile-") && name.ends_with(".tmp"))
        {
            continue; // a killed run may leave its temporary file; the next run removes it
        }
        let bytes = fs::read(out.join(&name)).unwrap();
        let in_a = a.bytes(&name).as_deref() == Some(&bytes[..]);
        let in_b = b.bytes(&name).as_deref() == Some(&bytes[..]);
        assert!(
            in_a || in_b,
            "seed {seed}: {name} is neither the old nor the new policy: {:?}",
            String::from_utf8_lossy(&bytes)
        );
        // A file the manifest does not list would be foreign to the next build, which then refuses.
        assert!(
            manifest.contains(&name),
            "seed {seed}: {name} is not in the manifest"
        );
        from_a += usize::from(in_a);
        from_b += usize::from(in_b);
    }
    (from_a, from_b)
}

/// The first file a build of `to` will rename into place, given what is on disk now, with
/// its new bytes. A file that already holds them is skipped by the build, so waiting for the
/// plan's first file would return before the build even started writing.
fn first_rename(out: &Path, to: &Plan) -> Option<(String, Vec<u8>)> {
    // The build writes its changes in plan order.
    to.files.keys().find_map(|name| {
        let want = to.bytes(name)?;
        let now = fs::read(out.join(name)).ok();
        (now.as_deref() != Some(&want[..])).then(|| (name.clone(), want.to_vec()))
    })
}

/// Returns once `out/name` holds `want`, or after twice the time of a full build.
fn wait_for_rename(out: &Path, (name, want): &(String, Vec<u8>), full_us: u64) {
    let deadline = Instant::now() + Duration::from_micros(2 * full_us);
    while Instant::now() < deadline {
        if fs::read(out.join(name)).is_ok_and(|b| b[..] == want[..]) {
            return;
        }
        std::thread::sleep(Duration::from_micros(50));
    }
}

#[test]
fn sigkill_during_a_10000_grant_build_never_loses_a_file() {
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let texts = [config(0, "cli"), config(GRANTS / 20, "ec2")];
    let plans = [plan(&texts[0]), plan(&texts[1])];
    // Every planned policy is valid JSON, so "equals a planned file" means "complete JSON".
    for p in &plans {
        for name in p.files.keys() {
            serde_json::from_slice::<serde_json::Value>(&p.bytes(name).unwrap()).unwrap();
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let configs = [dir.path().join("a.toml"), dir.path().join("b.toml")];
    fs::write(&configs[0], &texts[0]).unwrap();
    fs::write(&configs[1], &texts[1]).unwrap();
    let out = dir.path().join("policies");

    // How long a full build takes here: kills land anywhere in that window.
    let started = Instant::now();
    assert!(run_build(&configs[0], &out).wait().unwrap().success());
    let full = started.elapsed().as_micros() as u64;

    // `landed`: kills after which some, not all, of the build's files had been renamed.
    let (mut kills, mut landed, mut attempts) = (0, 0, 0);
    let mut counts = check_after_kill(&out, &plans[0], &plans[1], seed);
    while kills < KILLS {
        attempts += 1;
        assert!(
            attempts < KILLS * 3,
            "seed {seed}: builds kept finishing before the kill"
        );
        let which = attempts % 2; // alternate, so the directory keeps holding a mix
        let first = first_rename(&out, &plans[which]);
        let mut child = run_build(&configs[which], &out);
        if let Some(first) = first.as_ref().filter(|_| attempts % 4 < 2) {
            // Half the kills, of both configurations, wait for the first rename: the renames
            // come after every file is staged and flushed, a short phase that random times
            // rarely hit. (Waiting on every other attempt would wait only for `a`'s builds.)
            wait_for_rename(&out, first, full);
        } else {
            std::thread::sleep(Duration::from_micros(rng.below(full)));
        }
        if child.try_wait().unwrap().is_none() {
            kills += 1;
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let before = counts;
        counts = check_after_kill(&out, &plans[0], &plans[1], seed);
        let (new_before, new_after, old_after) = if which == 0 {
            (before.0, counts.0, counts.1)
        } else {
            (before.1, counts.1, counts.0)
        };
        if new_after > new_before && old_after > 0 {
            landed += 1;
        }
    }
    // The kills must have hit the write phase, or the test proved nothing about it.
    assert!(
        landed > 0,
        "seed {seed}: no kill landed while files were being renamed"
    );

    // The next build repairs everything: exactly the plan, current manifest, no leftovers.
    for which in [0, 1] {
        assert!(run_build(&configs[which], &out).wait().unwrap().success());
        let state = outdir::read(&out, &plans[which]).unwrap();
        assert!(state.changes(&plans[which]).is_empty(), "seed {seed}");
        assert!(state.manifest_current(&plans[which]), "seed {seed}");
        assert!(
            state.temps.is_empty() && state.foreign.is_empty(),
            "seed {seed}"
        );
        // Every planned file is on disk with exactly the planned bytes, and nothing else is.
        assert!(state.files.is_empty(), "seed {seed}");
        let identical: BTreeSet<&String> = state.identical.iter().collect();
        assert_eq!(
            identical,
            plans[which].files.keys().collect::<BTreeSet<_>>(),
            "seed {seed}"
        );
    }
    eprintln!("seed {seed}: {kills} kills in {attempts} builds, {landed} between two renames");
}

#[test]
fn a_normal_build_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.toml");
    let out = dir.path().join("policies");
    for text in [config(0, "cli"), config(7, "ec2")] {
        let small: String = text.split("[grant.g30]").next().unwrap().to_owned();
        fs::write(&path, small).unwrap();
        assert!(run_build(&path, &out).wait().unwrap().success());
        let leftovers: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp") || n.starts_with(".ssm-compile-") && n != MANIFEST)
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
