//! The access matrix: every principal against what its grants reach. Read from the validated
//! grants (what was written) and, for `--instances`, decided on the access model (`reach.rs`).
//!
//! Held compactly (issue 16: 400,000 rows of `String`s took 46x the configuration): the rows
//! are built as the grants are validated, one grant at a time, every value interned once and
//! each principal holding a list of tagged string ids and a set of flags. A [`Row`] of strings
//! is made for one principal at a time, as a renderer writes it.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::rc::Rc;

use super::inputs::Members;
use super::reach::Reach;
use crate::compile::config::{Grant, OwnSessions, Role, Target, Variant};
use crate::compile::{parse, validate};

/// One principal's row, as the renderers show it.
///
/// The fields are in name order: the JSON output's keys are (as serde_json's map wrote them).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    /// Manages Session Manager's preferences document.
    pub admin: bool,
    pub consoles: Vec<String>,
    pub documents: Vec<String>,
    pub grants: Vec<String>,
    /// Instance ids named, or `*` for every instance.
    pub instances: Vec<String>,
    pub kms: Vec<String>,
    /// For a group, with `--members`: the IAM users in it.
    pub members: Vec<String>,
    pub own_sessions: Vec<String>,
    pub principal: String,
    /// With `--instances`: the instances the principal may start a session on.
    pub reached: Vec<String>,
    /// Tag selectors, one per grant: `Team=web, Env=dev|staging`.
    pub tags: Vec<String>,
}

/// What a principal's item is, in the order of a row's lists (the high half of an item).
const GRANT: u64 = 0;
const INSTANCE: u64 = 1;
const TAG: u64 = 2;
const DOCUMENT: u64 = 3;
const KMS: u64 = 4;

/// A principal's values other than strings, as bits; each list's bits in the order its words
/// sort, so the flags set give the sorted list.
const CONSOLES: [(u8, &str); 2] = [(1, "ec2"), (2, "session-manager/cli")];
const ADMIN: u8 = 4;
const OWN_SESSIONS: [(u8, &str); 4] = [
    (8, "resume (by session tag)"),
    (16, "resume (by user name)"),
    (32, "terminate (by session tag)"),
    (64, "terminate (by user name)"),
];

/// One principal's values: items (kind << 32 | string id) and flags.
#[derive(Default)]
struct Held {
    items: Vec<u64>,
    flags: u8,
}

/// The matrix of a valid configuration, one row per principal in name order.
pub struct Matrix {
    rows: BTreeMap<Box<str>, Held>,
    strings: Vec<Rc<str>>,
    members: Option<Members>,
    reach: Option<Reach>,
}

/// The matrix of a configuration already known to be valid. `reach`, from [`super::reach`],
/// gives the column of reached instances.
pub fn matrix(text: &str, members: Option<Members>, reach: Option<Reach>) -> Matrix {
    let mut b = Builder::default();
    let split = validate::validate_sections(text, &mut |g| b.add(&g));
    if split.is_none() {
        b = Builder::default();
        if let Ok(root) = parse::parse(text)
            && let (Some(config), _) = validate::validate(&root)
        {
            for g in &config.grants {
                b.add(g);
            }
        }
    }
    let Builder {
        mut rows,
        strings,
        ids,
    } = b;
    drop(ids);
    for held in rows.values_mut() {
        finish(held, &strings);
    }
    Matrix {
        rows,
        strings,
        members,
        reach,
    }
}

/// Sorts a principal's items: grants in name order (as written, repeats kept), the other lists
/// as sorted sets.
fn finish(held: &mut Held, strings: &[Rc<str>]) {
    held.items
        .sort_by(|a, b| (a >> 32, &strings[id(*a)]).cmp(&(b >> 32, &strings[id(*b)])));
    held.items.dedup_by(|a, b| a == b && *a >> 32 != GRANT);
    held.items.shrink_to_fit();
}

fn id(item: u64) -> usize {
    usize::try_from(item & u64::from(u32::MAX)).expect("a u32 fits")
}

#[derive(Default)]
struct Builder {
    rows: BTreeMap<Box<str>, Held>,
    strings: Vec<Rc<str>>,
    ids: HashMap<Rc<str>, u32>,
}

impl Builder {
    fn intern(&mut self, kind: u64, s: &str) -> u64 {
        let id = match self.ids.get(s) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.strings.len()).expect("fewer than 2^32 strings");
                let s: Rc<str> = s.into();
                self.strings.push(s.clone());
                self.ids.insert(s, id);
                id
            }
        };
        kind << 32 | u64::from(id)
    }

    fn add(&mut self, g: &Grant) {
        let mut items = vec![self.intern(GRANT, &g.name)];
        match &g.target {
            Target::Instances(ids) => items.extend(ids.iter().map(|i| self.intern(INSTANCE, i))),
            Target::AllInstances => items.push(self.intern(INSTANCE, "*")),
            Target::Tags(tags) => {
                let selector = tags
                    .iter()
                    .map(|(k, vs)| format!("{k}={}", vs.join("|")))
                    .collect::<Vec<_>>()
                    .join(", ");
                items.push(self.intern(TAG, &selector));
            }
        }
        items.extend(g.documents.iter().map(|d| self.intern(DOCUMENT, d)));
        items.extend(g.kms_key.iter().map(|k| self.intern(KMS, k)));
        let mut flags = match g.variant {
            Variant::SessionManagerCli => CONSOLES[1].0,
            Variant::Ec2 => CONSOLES[0].0,
            Variant::AllConsoles => CONSOLES[0].0 | CONSOLES[1].0,
        };
        if g.role == Role::Admin && g.variant.has_session_manager() {
            flags |= ADMIN;
        }
        let (resume, terminate) = match g.own_sessions {
            OwnSessions::SessionTag => (OWN_SESSIONS[0].0, OWN_SESSIONS[2].0),
            OwnSessions::Username => (OWN_SESSIONS[1].0, OWN_SESSIONS[3].0),
        };
        flags |= terminate;
        if g.resume_session {
            flags |= resume;
        }
        for p in &g.who {
            let p = p.to_string();
            let held = match self.rows.get_mut(p.as_str()) {
                Some(held) => held,
                None => self.rows.entry(p.into()).or_default(),
            };
            held.items.extend_from_slice(&items);
            held.flags |= flags;
        }
    }
}

impl Matrix {
    /// How many principals (rows).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Every row, in principal name order.
    pub fn rows(&self) -> impl Iterator<Item = Row> + '_ {
        self.rows.iter().map(|(p, held)| self.row(p, held))
    }

    /// The rows of the principals whose name starts with `prefix` (`user:`), in name order.
    pub fn rows_starting<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = Row> + 'a {
        self.rows
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(move |(p, _)| p.starts_with(prefix))
            .map(|(p, held)| self.row(p, held))
    }

    fn row(&self, principal: &str, held: &Held) -> Row {
        let mut row = Row {
            principal: principal.to_string(),
            admin: held.flags & ADMIN != 0,
            ..Row::default()
        };
        for &item in &held.items {
            let value = self.strings[id(item)].to_string();
            match item >> 32 {
                GRANT => row.grants.push(value),
                INSTANCE => row.instances.push(value),
                TAG => row.tags.push(value),
                DOCUMENT => row.documents.push(value),
                _ => row.kms.push(value),
            }
        }
        let set = |bits: &[(u8, &str)]| -> Vec<String> {
            bits.iter()
                .filter(|(bit, _)| held.flags & bit != 0)
                .map(|(_, word)| (*word).to_string())
                .collect()
        };
        row.consoles = set(&CONSOLES);
        row.own_sessions = set(&OWN_SESSIONS);
        if let (Some(members), Some(group)) = (&self.members, principal.strip_prefix("group:")) {
            row.members = members
                .iter()
                .filter(|(_, groups)| groups.iter().any(|g| g == group))
                .map(|(user, _)| format!("user:{user}"))
                .collect();
        }
        if let Some(reach) = &self.reach {
            row.reached = reach.of(row.grants.iter().map(String::as_str));
        }
        row
    }
}
