//! The same grants, written in any order (grants, keys within a grant, tag keys), compile to the
//! same bytes in every output file, manifest included.

use std::collections::BTreeMap;
use std::fs;

use assert_cmd::Command;

/// Each grant as a list of `key = value` lines; the tag table as (key, value) pairs.
struct Grant {
    name: &'static str,
    lines: Vec<&'static str>,
    tags: Vec<(&'static str, &'static str)>,
}

fn grants() -> Vec<Grant> {
    let g = |name, lines: &[&'static str], tags: &[(&'static str, &'static str)]| Grant {
        name,
        lines: lines.to_vec(),
        tags: tags.to_vec(),
    };
    vec![
        g(
            "web-oncall",
            &[
                r#"role = "end-user""#,
                r#"who = ["group:oncall", "user:alice"]"#,
                r#"consoles = ["session-manager", "cli", "ec2"]"#,
                r#"instances = ["i-0123456789abcdef0", "mi-0123456789abcdef0"]"#,
                r#"kms_key = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab""#,
            ],
            &[],
        ),
        g(
            "web-developers",
            &[
                r#"role = "end-user""#,
                r#"who = ["role:WebDeveloper"]"#,
                r#"consoles = ["session-manager", "cli"]"#,
                r#"documents = ["SSM-SessionManagerRunShell", "AWS-StartSSHSession"]"#,
                r#"resume_session = true"#,
            ],
            &[
                ("Team", r#""web""#),
                ("Env", r#"["dev", "staging"]"#),
                ("Cost", r#""4$2""#),
                ("Owner", r#""a*""#),
            ],
        ),
        g(
            "platform-admins",
            &[
                r#"role = "admin""#,
                r#"who = ["group:platform"]"#,
                r#"consoles = ["ec2"]"#,
                r#"own_sessions = "session-tag""#,
            ],
            &[("Finance", r#""WebServers""#), ("Tier", r#""*""#)],
        ),
        g(
            "build-node",
            &[
                r#"role = "end-user""#,
                r#"who = ["user:ci-bot"]"#,
                r#"consoles = ["cli"]"#,
                r#"instances = ["mi-0123456789abcdef0"]"#,
                r#"account = "444455556666""#,
                r#"region = "eu-west-1""#,
            ],
            &[],
        ),
        g(
            "all-ops",
            &[
                r#"role = "admin""#,
                r#"who = ["group:ops", "role:Ops"]"#,
                r#"consoles = ["cli", "ec2"]"#,
                r#"instances = ["*"]"#,
            ],
            &[],
        ),
    ]
}

/// A tiny deterministic shuffle (xorshift), so failures reproduce.
fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        items.swap(i, (*seed % (i as u64 + 1)) as usize);
    }
}

fn render(seed: Option<u64>) -> String {
    let mut grants = grants();
    let mut top = vec![r#"account = "111122223333""#, r#"region = "us-east-2""#];
    if let Some(mut seed) = seed {
        shuffle(&mut top, &mut seed);
        shuffle(&mut grants, &mut seed);
        for g in &mut grants {
            shuffle(&mut g.lines, &mut seed);
            shuffle(&mut g.tags, &mut seed);
        }
    }
    let mut text = top.join("\n") + "\n\n";
    for g in grants {
        text.push_str(&format!("[grant.{}]\n", g.name));
        for line in &g.lines {
            text.push_str(line);
            text.push('\n');
        }
        if !g.tags.is_empty() {
            let tags: Vec<String> = g.tags.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            text.push_str(&format!("tags = {{ {} }}\n", tags.join(", ")));
        }
        text.push('\n');
    }
    text
}

fn build(text: &str) -> BTreeMap<String, Vec<u8>> {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("access.toml"), text).unwrap();
    Command::cargo_bin("ssm-compile")
        .unwrap()
        .current_dir(tmp.path())
        .assert()
        .success();
    fs::read_dir(tmp.path().join("policies"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn any_order_of_grants_keys_and_tags_gives_the_same_bytes() {
    let reference = build(&render(None));
    assert_eq!(reference.len(), 6, "five policies and the manifest");
    let mut texts = vec![render(None)];
    for seed in [1, 2, 3, 0x9e37_79b9, 0xdead_beef] {
        let text = render(Some(seed));
        assert!(
            !texts.contains(&text),
            "seed {seed} did not reorder anything"
        );
        texts.push(text);
    }
    for text in &texts[1..] {
        let files = build(text);
        assert!(files == reference, "different output for:\n{text}");
    }
}

#[test]
fn building_twice_gives_the_same_bytes() {
    let text = render(Some(7));
    assert!(build(&text) == build(&text));
}
