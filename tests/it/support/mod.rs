//! Proptest strategies for valid `access.toml` files that use every option of SPEC.md section 2.
//!
//! A generated [`Spec`] is rendered to TOML text by hand (not by a serializer), in the shapes
//! users write: quoted and bare grant names, inline tag tables, single strings and lists.
#![allow(dead_code)] // each test file uses a different part

pub mod brute;

use proptest::prelude::*;
use proptest::sample::{select, subsequence};

/// Regions of each partition, with the partition's name.
pub const REGIONS: &[(&str, &[&str])] = &[
    (
        "aws",
        &["us-east-2", "eu-west-1", "ap-southeast-2", "il-central-1"],
    ),
    ("aws-cn", &["cn-north-1", "cn-northwest-1"]),
    ("aws-us-gov", &["us-gov-west-1", "us-gov-east-1"]),
];

pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

#[derive(Clone, Debug)]
pub enum TargetSpec {
    Instances(Vec<String>),
    All,
    /// Key to values; a single value is written as a string when `as_string` is set.
    Tags(Vec<(String, Vec<String>, bool)>),
}

#[derive(Clone, Debug)]
pub struct GrantSpec {
    pub name: String,
    pub quote_name: bool,
    pub admin: bool,
    pub who: Vec<String>,
    pub consoles: Vec<&'static str>,
    pub target: TargetSpec,
    /// (kind: uuid or mrk) — the ARN is built from the grant's own partition and region.
    pub kms: Option<bool>,
    pub documents: Option<Vec<String>>,
    pub access_check: Option<bool>,
    pub own_sessions: Option<&'static str>,
    pub resume: Option<bool>,
    /// Per-grant account and region.
    pub location: Option<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct Spec {
    /// Top-level account and region; `None` makes every grant carry its own.
    pub top: Option<(String, String)>,
    pub explicit_partition: bool,
    pub output: Option<String>,
    pub grants: Vec<GrantSpec>,
}

impl GrantSpec {
    pub fn has_documents(&self) -> bool {
        !self.admin && self.consoles != ["ec2"]
    }
}

fn account() -> impl Strategy<Value = String> {
    "[0-9]{12}"
}

fn iam_name() -> impl Strategy<Value = String> {
    // Starts with a letter so it can never be one of AWS's placeholders; every IAM name character.
    "[a-z][A-Za-z0-9+=,.@_-]{0,20}"
}

fn instance_ids(max: usize) -> impl Strategy<Value = Vec<String>> {
    let one = prop_oneof![
        "[0-9a-f]{17}".prop_map(|h| format!("i-{h}")),
        "[0-9a-f]{8}".prop_map(|h| format!("i-{h}")),
        "[0-9a-f]{17}".prop_map(|h| format!("mi-{h}")),
    ];
    proptest::collection::btree_set(one, 1..=max).prop_map(|s| s.into_iter().collect())
}

fn tag_value() -> impl Strategy<Value = String> {
    // Any character IAM can hold, wildcards and `$` included; AWS's sample placeholders excluded.
    "[ -~\u{a0}-\u{ff}]{0,24}".prop_filter("placeholder", |v| {
        !v.contains("EXAMPLE") && v != "tag-value"
    })
}

fn tags() -> impl Strategy<Value = Vec<(String, Vec<String>, bool)>> {
    let key =
        "[A-Za-z\u{c0}-\u{d6}\u{d8}-\u{f6}][A-Za-z0-9 _.:/=+@\u{e0}-\u{f6}\u{f8}-\u{ff}-]{0,20}"
            .prop_filter("reserved or placeholder", |k| {
                !k.to_lowercase().starts_with("aws:") && !k.contains("EXAMPLE") && k != "tag-key"
            });
    let values = proptest::collection::btree_set(tag_value(), 1..4);
    proptest::collection::btree_map(key, (values, any::<bool>()), 1..4).prop_map(|m| {
        // Keys that differ only in case are an error (E0422): keep the first spelling.
        let mut seen = std::collections::HashSet::new();
        m.into_iter()
            .filter(|(k, _)| seen.insert(k.to_lowercase()))
            .map(|(k, (v, s))| {
                let v: Vec<String> = v.into_iter().collect();
                let as_string = s && v.len() == 1;
                (k, v, as_string)
            })
            .collect()
    })
}

fn documents() -> impl Strategy<Value = Vec<String>> {
    let name = prop_oneof![
        Just("SSM-SessionManagerRunShell".to_owned()),
        Just("AWS-StartSSHSession".to_owned()),
        Just("AWS-StartPortForwardingSession".to_owned()),
        "[B-Z][A-Za-z0-9_.-]{2,30}",
    ];
    proptest::collection::btree_set(name, 1..5).prop_map(|s| s.into_iter().collect())
}

fn region() -> impl Strategy<Value = String> {
    select(
        REGIONS
            .iter()
            .flat_map(|(_, r)| r.iter().map(|s| s.to_string()))
            .collect::<Vec<_>>(),
    )
}

/// One grant. `big` allows instance lists long enough to exceed IAM's size limit.
pub fn grant(big: bool) -> impl Strategy<Value = GrantSpec> {
    let target = prop_oneof![
        4 => instance_ids(if big { 220 } else { 6 }).prop_map(TargetSpec::Instances),
        1 => Just(TargetSpec::All),
        4 => tags().prop_map(TargetSpec::Tags),
    ];
    let consoles = subsequence(vec!["session-manager", "cli", "ec2"], 1..=3).prop_shuffle();
    let who = proptest::collection::vec((0..3usize, iam_name()), 1..4);
    (
        (
            iam_name(),
            any::<bool>(),
            any::<bool>(),
            who,
            consoles,
            target,
        ),
        (
            proptest::option::of(any::<bool>()),
            proptest::option::of(documents()),
            proptest::option::of(any::<bool>()),
            proptest::option::of(select(vec!["auto", "username", "session-tag"])),
            proptest::option::of(any::<bool>()),
            proptest::option::of((account(), region())),
        ),
    )
        .prop_map(
            |(
                (name, quote_name, admin, who, consoles, target),
                (kms, documents, access_check, own, resume, location),
            )| {
                // Principal names made unique (IAM ignores case) by their position.
                let mut who: Vec<String> = who
                    .into_iter()
                    .enumerate()
                    // No `-` in user names: `p0a` and `p0a-b` would trip the (deny) lint
                    // username-prefix-collision, which tests/it/lints.rs covers.
                    .map(|(i, (kind, n))| match kind {
                        0 => format!("user:p{i}{}", n.replace('-', "_")),
                        _ => format!("{}:p{i}{n}", ["user", "group", "role"][kind]),
                    })
                    .collect();
                let own = match own {
                    // `username` works only for users and groups.
                    Some("username") if who.iter().any(|w| w.starts_with("role:")) => {
                        who.retain(|w| !w.starts_with("role:"));
                        if who.is_empty() {
                            who.push("user:alice".to_owned());
                        }
                        Some("username")
                    }
                    o => o,
                };
                let mut g = GrantSpec {
                    name,
                    quote_name,
                    admin,
                    who,
                    consoles,
                    target,
                    kms,
                    documents,
                    access_check,
                    own_sessions: own,
                    resume,
                    location,
                };
                if !g.has_documents() {
                    g.documents = None;
                    g.access_check = None;
                }
                if !g.quote_name {
                    // Bare TOML keys hold only letters, digits, `-` and `_`.
                    g.quote_name = g.name.contains(|c: char| "+=,.@".contains(c));
                }
                g
            },
        )
}

/// A whole valid configuration of 1..max grants.
pub fn spec(max: usize, big: bool) -> impl Strategy<Value = Spec> {
    (
        proptest::option::of((account(), region())),
        any::<bool>(),
        proptest::option::of("[a-z][a-z0-9_-]{0,10}"),
        proptest::collection::vec(grant(big), 1..=max),
    )
        .prop_map(|(top, explicit, output, mut grants)| {
            for (i, g) in grants.iter_mut().enumerate() {
                // Unique even ignoring case: the position comes first.
                // `..` in a name is refused (a confusing file name).
                g.name = format!("g{i}-{}", g.name.replace("..", "._"));
                if top.is_none() && g.location.is_none() {
                    g.location = Some(("111122223333".to_owned(), "us-east-2".to_owned()));
                }
            }
            // An explicit partition binds every grant to the top region's partition.
            let explicit_partition = explicit && top.is_some();
            if let (true, Some((_, region))) = (explicit_partition, &top) {
                let p = partition_of(region);
                for g in &mut grants {
                    if let Some((_, r)) = &mut g.location
                        && partition_of(r) != p
                    {
                        *r = region.clone();
                    }
                }
            }
            Spec {
                top,
                explicit_partition,
                output,
                grants,
            }
        })
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

impl GrantSpec {
    pub fn region<'a>(&'a self, spec: &'a Spec) -> &'a str {
        match (&self.location, &spec.top) {
            (Some((_, r)), _) | (None, Some((_, r))) => r,
            (None, None) => unreachable!("spec() gives every grant a location"),
        }
    }

    pub fn account<'a>(&'a self, spec: &'a Spec) -> &'a str {
        match (&self.location, &spec.top) {
            (Some((a, _)), _) | (None, Some((a, _))) => a,
            (None, None) => unreachable!("spec() gives every grant a location"),
        }
    }

    pub fn partition(&self, spec: &Spec) -> &'static str {
        partition_of(self.region(spec))
    }

    pub fn render(&self, spec: &Spec) -> String {
        let mut t = String::new();
        let name = if self.quote_name {
            quote(&self.name)
        } else {
            self.name.clone()
        };
        t.push_str(&format!("\n[grant.{name}]\n"));
        t.push_str(&format!(
            "role = {}\n",
            quote(if self.admin { "admin" } else { "end-user" })
        ));
        t.push_str(&format!("who = {}\n", list(&self.who)));
        let consoles: Vec<String> = self.consoles.iter().map(|s| s.to_string()).collect();
        t.push_str(&format!("consoles = {}\n", list(&consoles)));
        match &self.target {
            TargetSpec::Instances(ids) => t.push_str(&format!("instances = {}\n", list(ids))),
            TargetSpec::All => t.push_str("instances = [\"*\"]\n"),
            TargetSpec::Tags(tags) => {
                let parts: Vec<String> = tags
                    .iter()
                    .map(|(k, v, as_string)| {
                        let v = if *as_string { quote(&v[0]) } else { list(v) };
                        format!("{} = {v}", quote(k))
                    })
                    .collect();
                t.push_str(&format!("tags = {{ {} }}\n", parts.join(", ")));
            }
        }
        if let Some((account, region)) = &self.location {
            t.push_str(&format!(
                "account = {}\nregion = {}\n",
                quote(account),
                quote(region)
            ));
        }
        if let Some(mrk) = self.kms {
            let id = if mrk {
                "mrk-0123456789abcdef0123456789abcdef"
            } else {
                "1234abcd-12ab-34cd-56ef-1234567890ab"
            };
            t.push_str(&format!(
                "kms_key = \"arn:{}:kms:{}:{}:key/{id}\"\n",
                self.partition(spec),
                self.region(spec),
                self.account(spec)
            ));
        }
        if let Some(docs) = &self.documents {
            t.push_str(&format!("documents = {}\n", list(docs)));
        }
        if let Some(b) = self.access_check {
            t.push_str(&format!("document_access_check = {b}\n"));
        }
        if let Some(o) = self.own_sessions {
            t.push_str(&format!("own_sessions = {}\n", quote(o)));
        }
        if let Some(b) = self.resume {
            t.push_str(&format!("resume_session = {b}\n"));
        }
        t
    }
}

impl Spec {
    /// The configuration's text with the grants in the given order.
    pub fn render_in(&self, order: &[usize]) -> String {
        let mut t = String::from("# generated by tests/support\n");
        if let Some((account, region)) = &self.top {
            t.push_str(&format!(
                "account = {}\nregion = {}\n",
                quote(account),
                quote(region)
            ));
            if self.explicit_partition {
                t.push_str(&format!("partition = {}\n", quote(partition_of(region))));
            }
        }
        if let Some(o) = &self.output {
            t.push_str(&format!("output = {}\n", quote(o)));
        }
        for &i in order {
            t.push_str(&self.grants[i].render(self));
        }
        t
    }

    pub fn render(&self) -> String {
        self.render_in(&(0..self.grants.len()).collect::<Vec<_>>())
    }

    pub fn grant_named(&self, name: &str) -> &GrantSpec {
        self.grants
            .iter()
            .find(|g| g.name == name)
            .expect("a grant of the spec")
    }
}

/// Whether expected files are to be rewritten: `TRYCMD=overwrite`, the one update switch of the
/// test suite (trycmd reads it for `tests/cmd`; `cases` and `errors` read it here).
pub fn bless() -> bool {
    std::env::var_os("TRYCMD").is_some_and(|v| v == "overwrite")
}

/// The stems of the `*.EXT` files of a folder of the repository, sorted: the cases of a
/// fixture folder, discovered rather than listed.
pub fn cases_in(dir: &str, ext: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(&format!(".{ext}")).map(str::to_owned)
        })
        .collect();
    stems.sort();
    stems
}

/// Runs `check` on every case and fails once, naming every case that failed with its message,
/// so one broken case does not hide the others.
pub fn check_all(cases: &[String], check: impl Fn(&str) + std::panic::RefUnwindSafe) {
    let failed: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let outcome = std::panic::catch_unwind(|| check(case));
            let message = outcome.err()?;
            let text = message
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| message.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Some(format!("--- {case}:\n{text}"))
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}

/// Appends what a child writes on `pipe` to `log`, from a thread, until the pipe closes: how
/// the watch tests read a running `--watch`.
pub fn collect(
    mut pipe: impl std::io::Read + Send + 'static,
    log: std::sync::Arc<std::sync::Mutex<String>>,
) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            log.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
}
