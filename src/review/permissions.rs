//! What a change of policy files does to access: the permission summary of `diff` (and of
//! `--watch`). Pure: it reads the old and new bytes of each [`Change`] as a typed
//! [`PolicyDocument`] and compares what they allow, not how the JSON is laid out.
//!
//! The unit of comparison is the pair (effect, action, resource) and the conditions under which a
//! policy grants it. A statement's condition block is a conjunction of clauses
//! (`StringLike ssm:resourceTag/Finance = [...]`); several statements granting one pair are
//! alternatives. Every item says whether it widens or narrows access; when that cannot be told
//! for sure (a value swapped for another, a new policy language version) it is marked as
//! widening, because a reviewer must look at it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::compile::policy::{Effect, PolicyDocument};
use crate::deploy;
use crate::outdir::{Change, ChangeKind};

/// Whether a change gives access or takes it away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Widens,
    Narrows,
}

/// How a grant's policy file changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum GrantChange {
    Added,
    Changed,
    Removed,
}

impl From<ChangeKind> for GrantChange {
    fn from(kind: ChangeKind) -> Self {
        match kind {
            ChangeKind::Added => GrantChange::Added,
            ChangeKind::Changed => GrantChange::Changed,
            ChangeKind::Removed => GrantChange::Removed,
        }
    }
}

impl GrantChange {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantChange::Added => "added",
            GrantChange::Changed => "changed",
            GrantChange::Removed => "removed",
        }
    }
}

/// The permission changes of one grant's policy file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct GrantDelta {
    /// The grant's name: the policy file's name without `.json`.
    pub grant: String,
    /// The policy file's name inside the output directory.
    pub file: String,
    pub change: GrantChange,
    /// Whether any item widens access.
    pub widens: bool,
    /// Every change of access, in a fixed order: grant, version, actions, resources, pairs,
    /// conditions. Empty when the file changes but what it allows does not.
    pub items: Vec<Item>,
    /// Why the summary may be incomplete: a file that is not a policy document ssm-compile can
    /// read is compared as if it were empty.
    pub notes: Vec<String>,
}

impl GrantDelta {
    /// Whether this change gives anyone access they did not have.
    pub fn widens(&self) -> bool {
        self.widens
    }

    /// The items worth reading: for a new or removed grant the resource items already name
    /// every action, so the action items (kept in JSON) would only repeat them.
    pub fn shown_items(&self) -> impl Iterator<Item = &Item> {
        let whole = self.change != GrantChange::Changed;
        self.items.iter().filter(move |i| {
            !(whole
                && matches!(
                    i.what,
                    What::ActionAdded { .. } | What::ActionRemoved { .. }
                ))
        })
    }

    pub fn narrows(&self) -> bool {
        self.items.iter().any(|i| i.direction == Direction::Narrows)
    }
}

/// One change of access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Item {
    pub direction: Direction,
    /// The effect of the statements concerned; `null` for the grant and version items.
    #[cfg_attr(test, schemars(with = "Option<EffectSchema>"))]
    pub effect: Option<Effect>,
    #[serde(flatten)]
    pub what: What,
}

/// The policy effect, for the JSON schema only (the type lives in `policy`).
#[cfg(test)]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
enum EffectSchema {
    Allow,
    Deny,
}

/// One condition clause: `operator` (`StringLike`) on `key` with `values` (ORed).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Clause {
    pub operator: String,
    pub key: String,
    /// Sorted; a match of any one satisfies a positive operator.
    pub values: Vec<String>,
}

/// What changed. `actions` and `resources` lists name the access an item concerns;
/// `conditions` lists the clauses that every grant of new access carries (empty: none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum What {
    /// A new policy file: everything it allows is new.
    GrantAdded,
    /// A policy file goes away with all it allowed.
    GrantRemoved,
    /// The policy language version changes, which changes how policy variables are read.
    VersionChanged { old: String, new: String },
    /// An action no statement of this effect had, and the resources it is now on.
    ActionAdded {
        action: String,
        resources: Vec<String>,
        conditions: Vec<Clause>,
    },
    /// An action no statement of this effect has any more, and the resources it was on.
    ActionRemoved {
        action: String,
        resources: Vec<String>,
    },
    /// A resource no statement of this effect had, and the actions now on it.
    ResourceAdded {
        resource: String,
        actions: Vec<String>,
        conditions: Vec<Clause>,
    },
    /// A resource no statement of this effect has any more, and the actions that were on it.
    ResourceRemoved {
        resource: String,
        actions: Vec<String>,
    },
    /// A known action on a known resource, newly combined.
    AccessAdded {
        action: String,
        resource: String,
        conditions: Vec<Clause>,
    },
    /// A known action no longer on a known resource.
    AccessRemoved { action: String, resource: String },
    /// A clause now required for access that was already granted.
    ConditionAdded {
        condition: Clause,
        actions: Vec<String>,
        resources: Vec<String>,
    },
    /// A clause no longer required.
    ConditionRemoved {
        condition: Clause,
        actions: Vec<String>,
        resources: Vec<String>,
    },
    /// A clause's values change: `added` and `removed` values, old and new lists.
    ConditionChanged {
        operator: String,
        key: String,
        old: Vec<String>,
        new: Vec<String>,
        added: Vec<String>,
        removed: Vec<String>,
        actions: Vec<String>,
        resources: Vec<String>,
    },
    /// Access granted by several statements with different conditions (hand-written policies
    /// only): the sets of alternative condition blocks, old and new.
    ConditionsReplaced {
        old: Vec<Vec<Clause>>,
        new: Vec<Vec<Clause>>,
        actions: Vec<String>,
        resources: Vec<String>,
    },
    /// A deployable template attaches the grant's policy to a principal (`user:NAME`...).
    AttachmentAdded { principal: String },
    /// A deployable template no longer attaches the grant's policy to a principal.
    AttachmentRemoved { principal: String },
}

/// The permission changes of every policy file among `changes`, in the order given. A
/// deployable template (CloudFormation, Terraform) gives one delta per grant whose policy or
/// attachments it changes.
pub fn deltas(changes: &[Change]) -> Vec<GrantDelta> {
    let (templates, files): (Vec<&Change>, Vec<&Change>) =
        changes.iter().partition(|c| deploy::is_template(&c.name));
    let mut out: Vec<GrantDelta> = files.into_iter().map(delta).collect();
    // A template embeds the policy files' documents: where a grant's policy file already shows
    // a change, the template adds only what the file cannot show, its attachments.
    let shown: BTreeSet<String> = out.iter().map(|d| d.grant.clone()).collect();
    for change in templates {
        let Some(per_grant) = template_deltas(change) else {
            out.push(delta(change));
            continue;
        };
        for mut d in per_grant {
            if shown.contains(&d.grant) {
                d.items.retain(|i| {
                    matches!(
                        i.what,
                        What::AttachmentAdded { .. } | What::AttachmentRemoved { .. }
                    )
                });
                if d.items.is_empty() {
                    continue;
                }
                d.change = GrantChange::Changed;
                d.widens = d.items.iter().any(|i| i.direction == Direction::Widens);
            }
            out.push(d);
        }
    }
    out
}

/// The grants a template change concerns: their policies compared as policy files are, and
/// each principal that gains (widens) or loses (narrows) a grant's policy. `None` when the file
/// is not a template or a side does not read as one (it is then compared as a policy file,
/// which notes that it cannot be read).
fn template_deltas(change: &Change) -> Option<Vec<GrantDelta>> {
    if !deploy::is_template(&change.name) {
        return None;
    }
    let read = |bytes: Option<&[u8]>| -> Option<_> {
        match bytes {
            None => Some((BTreeMap::new(), BTreeSet::new())),
            Some(b) => Some((
                deploy::documents_in(&change.name, b)?,
                deploy::attachments_in(&change.name, b)?,
            )),
        }
    };
    let new = change.new_bytes();
    let (old_docs, old_attached) = read(change.old.as_deref())?;
    let (new_docs, new_attached) = read(new.as_deref())?;
    let grants: BTreeSet<&String> = old_docs.keys().chain(new_docs.keys()).collect();
    let mut out = Vec::new();
    for grant in grants {
        let (old, new) = (old_docs.get(grant), new_docs.get(grant));
        let kind = match (old, new) {
            (None, _) => ChangeKind::Added,
            (_, None) => ChangeKind::Removed,
            _ => ChangeKind::Changed,
        };
        let mut d = compare_documents(
            grant,
            &change.name,
            kind,
            old.cloned(),
            new.cloned(),
            Vec::new(),
        );
        let attached = |set: &BTreeSet<deploy::Attachment>| -> BTreeSet<String> {
            set.iter()
                .filter(|a| &a.grant == grant)
                .map(|a| a.principal.to_string())
                .collect()
        };
        let (before, after) = (attached(&old_attached), attached(&new_attached));
        for principal in after.difference(&before) {
            d.items.push(Item {
                direction: Direction::Widens,
                effect: None,
                what: What::AttachmentAdded {
                    principal: principal.clone(),
                },
            });
        }
        for principal in before.difference(&after) {
            d.items.push(Item {
                direction: Direction::Narrows,
                effect: None,
                what: What::AttachmentRemoved {
                    principal: principal.clone(),
                },
            });
        }
        d.widens = d.items.iter().any(|i| i.direction == Direction::Widens);
        if kind != ChangeKind::Changed || !d.items.is_empty() {
            out.push(d);
        }
    }
    Some(out)
}

fn delta(change: &Change) -> GrantDelta {
    let mut notes = Vec::new();
    let mut read = |bytes: Option<&[u8]>, side: &str| -> Option<PolicyDocument> {
        let bytes = bytes?;
        match serde_json::from_slice::<PolicyDocument>(bytes) {
            Ok(doc) => Some(doc),
            Err(e) => {
                notes.push(format!(
                    "the {side} {} is not a policy document ssm-compile can read ({e}); it is compared as an empty policy",
                    change.name
                ));
                None
            }
        }
    };
    let new_bytes = change.new_bytes();
    let old = read(change.old.as_deref(), "current");
    let new = read(new_bytes.as_deref(), "new");
    let grant = change.name.strip_suffix(".json").unwrap_or(&change.name);
    compare_documents(grant, &change.name, change.kind, old, new, notes)
}

/// The delta of one grant's policy, from its old and new documents (`None`: absent or unread).
fn compare_documents(
    grant: &str,
    file: &str,
    kind: ChangeKind,
    old: Option<PolicyDocument>,
    new: Option<PolicyDocument>,
    notes: Vec<String>,
) -> GrantDelta {
    let mut items = Vec::new();
    match kind {
        ChangeKind::Added => items.push(Item {
            // A grant of nothing but denials takes access away.
            direction: if new.as_ref().is_some_and(|d| !has_allow(d)) {
                Direction::Narrows
            } else {
                Direction::Widens
            },
            effect: None,
            what: What::GrantAdded,
        }),
        ChangeKind::Removed => items.push(Item {
            direction: if old.as_ref().is_some_and(|d| !has_allow(d)) {
                Direction::Widens
            } else {
                Direction::Narrows
            },
            effect: None,
            what: What::GrantRemoved,
        }),
        ChangeKind::Changed => {
            if let (Some(o), Some(n)) = (&old, &new)
                && o.version != n.version
            {
                items.push(Item {
                    direction: Direction::Widens,
                    effect: None,
                    what: What::VersionChanged {
                        old: o.version.clone(),
                        new: n.version.clone(),
                    },
                });
            }
        }
    }
    compare(&flatten(old.as_ref()), &flatten(new.as_ref()), &mut items);
    GrantDelta {
        grant: grant.to_owned(),
        file: file.to_owned(),
        change: kind.into(),
        widens: items.iter().any(|i| i.direction == Direction::Widens),
        items,
        notes,
    }
}

fn has_allow(doc: &PolicyDocument) -> bool {
    doc.statement.iter().any(|s| s.effect == Effect::Allow)
}

type Block = BTreeSet<Clause>;

/// (effect, action, resource) to the alternative condition blocks that grant it.
type Pairs = BTreeMap<(Effect, String, String), BTreeSet<Block>>;

fn flatten(doc: Option<&PolicyDocument>) -> Pairs {
    let mut pairs = Pairs::new();
    for statement in doc.iter().flat_map(|d| &d.statement) {
        let block: Block = statement
            .condition
            .iter()
            .flat_map(|(operator, keys)| {
                keys.iter().map(move |(key, values)| {
                    let mut values = values.as_slice().to_vec();
                    values.sort();
                    values.dedup();
                    Clause {
                        operator: operator.clone(),
                        key: key.clone(),
                        values,
                    }
                })
            })
            .collect();
        for action in statement.action.as_slice() {
            for resource in statement.resource.as_slice() {
                pairs
                    .entry((statement.effect, action.clone(), resource.clone()))
                    .or_default()
                    .insert(block.clone());
            }
        }
    }
    // An unconditional grant makes every alternative beside it moot.
    for blocks in pairs.values_mut() {
        if blocks.iter().any(BTreeSet::is_empty) {
            blocks.retain(BTreeSet::is_empty);
        }
    }
    pairs
}

/// Widening for an Allow is narrowing for a Deny.
fn direction(effect: Effect, widens_if_allow: bool) -> Direction {
    if (effect == Effect::Allow) == widens_if_allow {
        Direction::Widens
    } else {
        Direction::Narrows
    }
}

/// Clauses every one of `blocks` requires.
fn common<'a>(mut blocks: impl Iterator<Item = &'a BTreeSet<Block>>) -> Vec<Clause> {
    let mut all = blocks.next().map(|b| b.iter()).into_iter().flatten();
    let Some(first) = all.next() else {
        return Vec::new();
    };
    let mut shared: Block = first.clone();
    for block in all {
        shared.retain(|c| block.contains(c));
    }
    for set in blocks {
        for block in set {
            shared.retain(|c| block.contains(c));
        }
    }
    shared.into_iter().collect()
}

fn compare(old: &Pairs, new: &Pairs, items: &mut Vec<Item>) {
    for effect in [Effect::Allow, Effect::Deny] {
        let of = |pairs: &'_ Pairs| -> Pairs {
            pairs
                .iter()
                .filter(|((e, _, _), _)| *e == effect)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let (old, new) = (of(old), of(new));
        let actions = |p: &Pairs| -> BTreeSet<String> { p.keys().map(|k| k.1.clone()).collect() };
        let resources = |p: &Pairs| -> BTreeSet<String> { p.keys().map(|k| k.2.clone()).collect() };
        let (old_actions, new_actions) = (actions(&old), actions(&new));
        let (old_resources, new_resources) = (resources(&old), resources(&new));
        let item = |widens_if_allow: bool, what: What| Item {
            direction: direction(effect, widens_if_allow),
            effect: Some(effect),
            what,
        };

        for action in new_actions.difference(&old_actions) {
            let mine = || new.iter().filter(|(k, _)| &k.1 == action);
            items.push(item(
                true,
                What::ActionAdded {
                    action: action.clone(),
                    resources: mine().map(|(k, _)| k.2.clone()).collect(),
                    conditions: common(mine().map(|(_, v)| v)),
                },
            ));
        }
        for action in old_actions.difference(&new_actions) {
            items.push(item(
                false,
                What::ActionRemoved {
                    action: action.clone(),
                    resources: old
                        .keys()
                        .filter(|k| &k.1 == action)
                        .map(|k| k.2.clone())
                        .collect(),
                },
            ));
        }
        for resource in new_resources.difference(&old_resources) {
            let mine = || new.iter().filter(|(k, _)| &k.2 == resource);
            let mut actions: Vec<String> = mine().map(|(k, _)| k.1.clone()).collect();
            actions.sort();
            items.push(item(
                true,
                What::ResourceAdded {
                    resource: resource.clone(),
                    actions,
                    conditions: common(mine().map(|(_, v)| v)),
                },
            ));
        }
        for resource in old_resources.difference(&new_resources) {
            let mut actions: Vec<String> = old
                .keys()
                .filter(|k| &k.2 == resource)
                .map(|k| k.1.clone())
                .collect();
            actions.sort();
            items.push(item(
                false,
                What::ResourceRemoved {
                    resource: resource.clone(),
                    actions,
                },
            ));
        }
        // Pairs whose action and resource were both known: not explained by the items above.
        for ((_, action, resource), blocks) in &new {
            if !old.contains_key(&(effect, action.clone(), resource.clone()))
                && old_actions.contains(action)
                && old_resources.contains(resource)
            {
                items.push(item(
                    true,
                    What::AccessAdded {
                        action: action.clone(),
                        resource: resource.clone(),
                        conditions: common(std::iter::once(blocks)),
                    },
                ));
            }
        }
        for (_, action, resource) in old.keys() {
            if !new.contains_key(&(effect, action.clone(), resource.clone()))
                && new_actions.contains(action)
                && new_resources.contains(resource)
            {
                items.push(item(
                    false,
                    What::AccessRemoved {
                        action: action.clone(),
                        resource: resource.clone(),
                    },
                ));
            }
        }
        compare_conditions(&old, &new, effect, items);
    }
}

/// A condition change, before the pairs it applies to are gathered.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum ConditionKey {
    Added(Clause),
    Removed(Clause),
    Changed(Clause, Clause),
    Replaced(BTreeSet<Block>, BTreeSet<Block>),
}

/// Conditions of the pairs both sides grant. One change that applies to many pairs is one item.
fn compare_conditions(old: &Pairs, new: &Pairs, effect: Effect, items: &mut Vec<Item>) {
    let mut changes: BTreeMap<ConditionKey, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for (key, new_blocks) in new {
        let Some(old_blocks) = old.get(key) else {
            continue;
        };
        if old_blocks == new_blocks {
            continue;
        }
        let mut found = Vec::new();
        if let ([o], [n]) = (
            &old_blocks.iter().collect::<Vec<_>>()[..],
            &new_blocks.iter().collect::<Vec<_>>()[..],
        ) {
            let by_key = |b: &Block| -> BTreeMap<(String, String), Clause> {
                b.iter()
                    .map(|c| ((c.operator.clone(), c.key.clone()), c.clone()))
                    .collect()
            };
            let (o, n) = (by_key(o), by_key(n));
            for (k, c) in &n {
                match o.get(k) {
                    None => found.push(ConditionKey::Added(c.clone())),
                    Some(oc) if oc != c => found.push(ConditionKey::Changed(oc.clone(), c.clone())),
                    Some(_) => {}
                }
            }
            for (k, c) in &o {
                if !n.contains_key(k) {
                    found.push(ConditionKey::Removed(c.clone()));
                }
            }
        } else {
            found.push(ConditionKey::Replaced(
                old_blocks.clone(),
                new_blocks.clone(),
            ));
        }
        for f in found {
            let entry = changes.entry(f).or_default();
            entry.0.insert(key.1.clone());
            entry.1.insert(key.2.clone());
        }
    }
    for (key, (actions, resources)) in changes {
        let actions: Vec<String> = actions.into_iter().collect();
        let resources: Vec<String> = resources.into_iter().collect();
        let (widens_if_allow, what) = match key {
            ConditionKey::Added(condition) => (
                false,
                What::ConditionAdded {
                    condition,
                    actions,
                    resources,
                },
            ),
            ConditionKey::Removed(condition) => (
                true,
                What::ConditionRemoved {
                    condition,
                    actions,
                    resources,
                },
            ),
            ConditionKey::Changed(o, n) => {
                let added: Vec<String> = n
                    .values
                    .iter()
                    .filter(|v| !o.values.contains(v))
                    .cloned()
                    .collect();
                let removed: Vec<String> = o
                    .values
                    .iter()
                    .filter(|v| !n.values.contains(v))
                    .cloned()
                    .collect();
                // Values are ORed: one more value lets more through a positive operator
                // (`StringLike`) and fewer through a negated one (`StringNotLike`).
                let negated = n.operator.contains("Not");
                let widens = if negated {
                    !removed.is_empty()
                } else {
                    !added.is_empty()
                };
                (
                    widens,
                    What::ConditionChanged {
                        operator: n.operator,
                        key: n.key,
                        old: o.values,
                        new: n.values,
                        added,
                        removed,
                        actions,
                        resources,
                    },
                )
            }
            ConditionKey::Replaced(o, n) => {
                // A new alternative may let more through; only dropping alternatives surely
                // does not.
                let widens = n.iter().any(|b| !o.contains(b));
                let list = |s: BTreeSet<Block>| -> Vec<Vec<Clause>> {
                    s.into_iter().map(|b| b.into_iter().collect()).collect()
                };
                (
                    widens,
                    What::ConditionsReplaced {
                        old: list(o),
                        new: list(n),
                        actions,
                        resources,
                    },
                )
            }
        };
        items.push(Item {
            direction: direction(effect, widens_if_allow),
            effect: Some(effect),
            what,
        });
    }
}

/// The text summary of `diff` and `--watch`: per grant a header line and one line per item (with
/// indented detail lines). Empty when `deltas` is. `color` adds ANSI styles.
pub fn render_summary(deltas: &[GrantDelta], color: bool) -> String {
    if deltas.is_empty() {
        return String::new();
    }
    let paint = |style: Style, text: &str| -> String {
        if color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    };
    let wide = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
    let narrow = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let bold = Style::new().bold();

    let changed: BTreeSet<&str> = deltas.iter().map(|d| d.grant.as_str()).collect();
    let widening: BTreeSet<&str> = deltas
        .iter()
        .filter(|d| d.widens())
        .map(|d| d.grant.as_str())
        .collect();
    let widening = widening.len();
    let mut out = String::new();
    let _ = write!(
        out,
        "{}: {} {} changed",
        paint(bold, "Permission summary"),
        changed.len(),
        if changed.len() == 1 {
            "grant"
        } else {
            "grants"
        },
    );
    if widening > 0 {
        let _ = write!(
            out,
            ", {}",
            paint(wide, &format!("{widening} WIDENS ACCESS"))
        );
    }
    out.push('\n');
    for d in deltas {
        let verdict = match (d.widens(), d.narrows()) {
            (true, false) => paint(wide, "WIDENS ACCESS"),
            (true, true) => format!("{} (and narrows some)", paint(wide, "WIDENS ACCESS")),
            (false, true) => paint(narrow, "narrows access"),
            (false, false) => "no change in access (only the file's layout differs)".to_owned(),
        };
        // Entries read from a deployable template say so: the same grant may appear twice.
        let place = if deploy::is_template(&d.file) {
            format!(" in {}", d.file)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "\n  {}{place} ({}): {verdict}",
            paint(bold, &d.grant),
            d.change.as_str()
        );
        for note in &d.notes {
            let _ = writeln!(out, "    note: {note}");
        }
        for item in d.shown_items() {
            let mark = match item.direction {
                Direction::Widens => paint(wide, "[WIDENS] "),
                Direction::Narrows => paint(narrow, "[narrows]"),
            };
            let (head, details) = describe(item);
            let _ = writeln!(out, "    {mark} {head}");
            for detail in details {
                let _ = writeln!(out, "              {detail}");
            }
        }
    }
    out
}

/// One item as a headline and detail lines, plain text (shared with the markdown report).
pub fn describe(item: &Item) -> (String, Vec<String>) {
    let effect = item.effect.map_or(String::new(), |e| match e {
        Effect::Allow => "Allow: ".to_owned(),
        Effect::Deny => "Deny: ".to_owned(),
    });
    let mut details = Vec::new();
    let head = match &item.what {
        What::AttachmentAdded { principal } => format!("policy newly attached to {principal}"),
        What::AttachmentRemoved { principal } => {
            format!("policy no longer attached to {principal}")
        }
        What::GrantAdded => "new grant".to_owned(),
        What::GrantRemoved => "grant removed".to_owned(),
        What::VersionChanged { old, new } => {
            format!("policy language version changes from {old} to {new}")
        }
        What::ActionAdded {
            action,
            resources,
            conditions,
        } => {
            on(&mut details, "on", resources);
            on_conditions(&mut details, conditions);
            format!("{effect}new action {action}")
        }
        What::ActionRemoved { action, resources } => {
            on(&mut details, "was on", resources);
            format!("{effect}action removed {action}")
        }
        What::ResourceAdded {
            resource,
            actions,
            conditions,
        } => {
            on(&mut details, "for", actions);
            on_conditions(&mut details, conditions);
            format!("{effect}new resource {resource}")
        }
        What::ResourceRemoved { resource, actions } => {
            on(&mut details, "was for", actions);
            format!("{effect}resource removed {resource}")
        }
        What::AccessAdded {
            action,
            resource,
            conditions,
        } => {
            on_conditions(&mut details, conditions);
            format!("{effect}{action} now also on {resource}")
        }
        What::AccessRemoved { action, resource } => {
            format!("{effect}{action} no longer on {resource}")
        }
        What::ConditionAdded {
            condition,
            actions,
            resources,
        } => {
            on(&mut details, "on", actions);
            on(&mut details, "of", resources);
            format!("{effect}condition added {}", clause(condition))
        }
        What::ConditionRemoved {
            condition,
            actions,
            resources,
        } => {
            on(&mut details, "on", actions);
            on(&mut details, "of", resources);
            format!("{effect}condition removed {}", clause(condition))
        }
        What::ConditionChanged {
            operator,
            key,
            added,
            removed,
            actions,
            resources,
            ..
        } => {
            let mut changes = Vec::new();
            changes.extend(added.iter().map(|v| format!("+{}", quote(v))));
            changes.extend(removed.iter().map(|v| format!("-{}", quote(v))));
            on(&mut details, "on", actions);
            on(&mut details, "of", resources);
            format!(
                "{effect}condition changed {operator} {key}: {}",
                changes.join(" ")
            )
        }
        What::ConditionsReplaced {
            old,
            new,
            actions,
            resources,
        } => {
            let blocks = |b: &[Vec<Clause>]| -> String {
                b.iter()
                    .map(|c| {
                        if c.is_empty() {
                            "(none)".to_owned()
                        } else {
                            c.iter().map(clause).collect::<Vec<_>>().join(" and ")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" | or | ")
            };
            details.push(format!("was {}", blocks(old)));
            details.push(format!("now {}", blocks(new)));
            on(&mut details, "on", actions);
            on(&mut details, "of", resources);
            format!("{effect}alternative conditions replaced")
        }
    };
    (head, details)
}

fn on(details: &mut Vec<String>, label: &str, list: &[String]) {
    if !list.is_empty() {
        details.push(format!("{label} {}", list.join(", ")));
    }
}

fn on_conditions(details: &mut Vec<String>, conditions: &[Clause]) {
    if !conditions.is_empty() {
        details.push(format!(
            "if {}",
            conditions
                .iter()
                .map(clause)
                .collect::<Vec<_>>()
                .join(" and ")
        ));
    }
}

/// `StringLike ssm:resourceTag/Finance = "WebServers"` (or a bracketed list).
pub fn clause(c: &Clause) -> String {
    let values = match &c.values[..] {
        [one] => quote(one),
        many => format!(
            "[{}]",
            many.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")
        ),
    };
    format!("{} {} = {values}", c.operator, c.key)
}

fn quote(v: &str) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| format!("\"{v}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Planned content for a `Change` that lives as long as the test.
    fn content(bytes: &[u8]) -> &'static crate::compile::plan::Content {
        Box::leak(Box::new(crate::compile::plan::Content::Bytes(
            bytes.to_vec(),
        )))
    }

    const BASE: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["ssm:StartSession"],
            "Resource": ["arn:aws:ec2:*:*:instance/i-1", "arn:aws:ssm:r:1:document/D"],
            "Condition": {"BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"}}
        },
        {
            "Effect": "Allow",
            "Action": ["ssm:TerminateSession"],
            "Resource": ["arn:aws:ssm:*:*:session/${aws:username}-*"]
        }
    ]
}
"#;

    fn changed(old: &str, new: &str) -> GrantDelta {
        let d = deltas(&[Change {
            name: "g.json".into(),
            kind: ChangeKind::Changed,
            old: Some(old.as_bytes().to_vec()),
            new: Some(content(new.as_bytes())),
        }]);
        d.into_iter().next().unwrap()
    }

    /// BASE with one textual replacement, which must apply.
    fn edit(from: &str, to: &str) -> String {
        assert!(BASE.contains(from), "{from} not in BASE");
        BASE.replacen(from, to, 1)
    }

    fn kinds(d: &GrantDelta) -> Vec<(Direction, &'static str)> {
        d.items
            .iter()
            .map(|i| {
                let k = match &i.what {
                    What::GrantAdded => "grant_added",
                    What::GrantRemoved => "grant_removed",
                    What::VersionChanged { .. } => "version_changed",
                    What::ActionAdded { .. } => "action_added",
                    What::ActionRemoved { .. } => "action_removed",
                    What::ResourceAdded { .. } => "resource_added",
                    What::ResourceRemoved { .. } => "resource_removed",
                    What::AccessAdded { .. } => "access_added",
                    What::AccessRemoved { .. } => "access_removed",
                    What::ConditionAdded { .. } => "condition_added",
                    What::ConditionRemoved { .. } => "condition_removed",
                    What::ConditionChanged { .. } => "condition_changed",
                    What::ConditionsReplaced { .. } => "conditions_replaced",
                    What::AttachmentAdded { .. } => "attachment_added",
                    What::AttachmentRemoved { .. } => "attachment_removed",
                };
                (i.direction, k)
            })
            .collect()
    }

    use Direction::{Narrows, Widens};

    /// The template `file` that `formats` makes of a one-grant configuration.
    fn template(file: &str, formats: &str, who: &str, instance: &str) -> Vec<u8> {
        let text = format!(
            "account = \"111122223333\"\nregion = \"us-east-2\"\nformats = [{formats}]\n\
             [grant.web]\nrole = \"end-user\"\nwho = [{who}]\nconsoles = [\"cli\"]\n\
             instances = [\"{instance}\"]\n"
        );
        crate::compile(&text)
            .unwrap()
            .plan
            .bytes(file)
            .unwrap()
            .into_owned()
    }

    #[test]
    fn templates_summarize_attachments_and_policies_per_grant() {
        for (file, formats) in [
            (deploy::CLOUDFORMATION_FILE, "\"cloudformation\""),
            (deploy::TERRAFORM_FILE, "\"terraform\""),
        ] {
            let i1 = "i-0123456789abcdef0";
            let i2 = "i-0fedcba9876543210";
            let old = template(file, formats, "\"user:alice\"", i1);
            let attach = template(file, formats, "\"user:alice\", \"group:ops\"", i1);
            let widened = template(file, formats, "\"user:alice\"", i2);
            let change = |old: &[u8], new: &'static [u8]| Change {
                name: file.to_owned(),
                kind: ChangeKind::Changed,
                old: Some(old.to_vec()),
                new: Some(content(new)),
            };
            let attach: &'static [u8] = attach.leak();
            let d = deltas(&[change(&old, attach)]);
            assert_eq!(d.len(), 1, "{file}");
            assert_eq!((d[0].grant.as_str(), d[0].file.as_str()), ("web", file));
            assert_eq!(kinds(&d[0]), [(Widens, "attachment_added")], "{file}");
            assert!(d[0].widens());
            let d = deltas(&[change(attach, old.clone().leak())]);
            assert_eq!(kinds(&d[0]), [(Narrows, "attachment_removed")], "{file}");
            let d = deltas(&[change(&old, widened.leak())]);
            assert!(
                d[0].widens(),
                "{file}: a new instance in the template widens"
            );
            assert!(kinds(&d[0]).contains(&(Widens, "resource_added")), "{file}");
            // Unchanged grants of a changed template are not listed.
            let d = deltas(&[change(&old, old.clone().leak())]);
            assert!(d.is_empty(), "{file}");
        }
    }

    #[test]
    fn templates_add_only_attachments_to_a_grant_whose_policy_file_changed() {
        let file = deploy::CLOUDFORMATION_FILE;
        let both = "\"json\", \"cloudformation\"";
        let (i1, i2) = ("i-0123456789abcdef0", "i-0fedcba9876543210");
        let old = template(file, both, "\"user:alice\"", i1);
        let new: &'static [u8] = template(file, both, "\"user:alice\", \"user:bob\"", i2).leak();
        let old_json = template("web.json", both, "\"user:alice\"", i1);
        let new_json: &'static [u8] = template("web.json", both, "\"user:alice\"", i2).leak();
        let d = deltas(&[
            Change {
                name: "web.json".into(),
                kind: ChangeKind::Changed,
                old: Some(old_json),
                new: Some(content(new_json)),
            },
            Change {
                name: file.into(),
                kind: ChangeKind::Changed,
                old: Some(old),
                new: Some(content(new)),
            },
        ]);
        assert_eq!(d.len(), 2);
        assert!(kinds(&d[0]).contains(&(Widens, "resource_added")));
        assert_eq!(d[1].file, file);
        assert_eq!(kinds(&d[1]), [(Widens, "attachment_added")]);
        let summary = render_summary(&d, false);
        assert!(
            summary.starts_with("Permission summary: 1 grant changed, 1 WIDENS ACCESS"),
            "{summary}"
        );
        assert!(
            summary.contains(&format!("web in {file} (changed)")),
            "{summary}"
        );
    }

    #[test]
    fn new_grant_widens_and_lists_its_access() {
        let d = deltas(&[Change {
            name: "web.json".into(),
            kind: ChangeKind::Added,
            old: None,
            new: Some(content(BASE.as_bytes())),
        }]);
        let d = &d[0];
        assert_eq!(d.grant, "web");
        assert!(d.widens());
        assert_eq!(
            kinds(d),
            vec![
                (Widens, "grant_added"),
                (Widens, "action_added"),
                (Widens, "action_added"),
                (Widens, "resource_added"),
                (Widens, "resource_added"),
                (Widens, "resource_added"),
            ]
        );
        // The access check is on every StartSession pair, so it qualifies the new action.
        let What::ActionAdded { conditions, .. } = &d.items[1].what else {
            panic!()
        };
        assert_eq!(conditions[0].operator, "BoolIfExists");
    }

    #[test]
    fn removed_grant_narrows() {
        let d = deltas(&[Change {
            name: "web.json".into(),
            kind: ChangeKind::Removed,
            old: Some(BASE.as_bytes().to_vec()),
            new: None,
        }]);
        assert!(!d[0].widens());
        assert_eq!(kinds(&d[0])[0], (Narrows, "grant_removed"));
        assert!(kinds(&d[0]).iter().all(|(dir, _)| *dir == Narrows));
    }

    #[test]
    fn new_action_widens_and_removed_action_narrows() {
        let new = edit(
            r#"["ssm:TerminateSession"]"#,
            r#"["ssm:TerminateSession", "ssm:ResumeSession"]"#,
        );
        let d = changed(BASE, &new);
        assert_eq!(kinds(&d), vec![(Widens, "action_added")]);
        assert_eq!(
            d.items[0].what,
            What::ActionAdded {
                action: "ssm:ResumeSession".into(),
                resources: vec!["arn:aws:ssm:*:*:session/${aws:username}-*".into()],
                conditions: vec![],
            }
        );
        let d = changed(&new, BASE);
        assert_eq!(kinds(&d), vec![(Narrows, "action_removed")]);
        assert!(!d.widens());
    }

    #[test]
    fn new_resource_widens_and_removed_resource_narrows() {
        let new = edit(
            r#""arn:aws:ec2:*:*:instance/i-1","#,
            r#""arn:aws:ec2:*:*:instance/i-1", "arn:aws:ec2:*:*:instance/i-2","#,
        );
        let d = changed(BASE, &new);
        assert_eq!(kinds(&d), vec![(Widens, "resource_added")]);
        let What::ResourceAdded {
            resource,
            actions,
            conditions,
        } = &d.items[0].what
        else {
            panic!()
        };
        assert_eq!(resource, "arn:aws:ec2:*:*:instance/i-2");
        assert_eq!(actions, &["ssm:StartSession"]);
        assert_eq!(conditions.len(), 1);
        assert_eq!(
            kinds(&changed(&new, BASE)),
            vec![(Narrows, "resource_removed")]
        );
    }

    #[test]
    fn known_action_on_known_resource_widens() {
        // TerminateSession moves onto the instance, where only StartSession was.
        let new = edit(
            r#"["ssm:StartSession"]"#,
            r#"["ssm:StartSession", "ssm:TerminateSession"]"#,
        );
        let d = changed(BASE, &new);
        let k = kinds(&d);
        assert_eq!(
            k,
            vec![(Widens, "access_added"), (Widens, "access_added")],
            "{:#?}",
            d.items
        );
        assert_eq!(
            kinds(&changed(&new, BASE)),
            vec![(Narrows, "access_removed"), (Narrows, "access_removed")]
        );
    }

    #[test]
    fn removed_condition_widens_and_added_condition_narrows() {
        let new = edit(
            r#",
            "Condition": {"BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"}}"#,
            "",
        );
        let d = changed(BASE, &new);
        assert_eq!(kinds(&d), vec![(Widens, "condition_removed")]);
        let What::ConditionRemoved {
            condition,
            actions,
            resources,
        } = &d.items[0].what
        else {
            panic!()
        };
        assert_eq!(condition.key, "ssm:SessionDocumentAccessCheck");
        assert_eq!(actions, &["ssm:StartSession"]);
        assert_eq!(resources.len(), 2, "one item for both pairs");
        assert_eq!(
            kinds(&changed(&new, BASE)),
            vec![(Narrows, "condition_added")]
        );
    }

    #[test]
    fn loosened_condition_widens_and_tightened_narrows() {
        let tags = |values: &str| {
            edit(
                r#"{"BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"}}"#,
                &format!(r#"{{"StringLike": {{"ssm:resourceTag/Team": {values}}}}}"#),
            )
        };
        let one = tags(r#"["web"]"#);
        let two = tags(r#"["web", "db"]"#);
        let other = tags(r#"["db"]"#);
        assert_eq!(
            kinds(&changed(&one, &two)),
            vec![(Widens, "condition_changed")]
        );
        assert_eq!(
            kinds(&changed(&two, &one)),
            vec![(Narrows, "condition_changed")]
        );
        // A value swapped for another may let anyone new in.
        let d = changed(&one, &other);
        assert_eq!(kinds(&d), vec![(Widens, "condition_changed")]);
        let What::ConditionChanged { added, removed, .. } = &d.items[0].what else {
            panic!()
        };
        assert_eq!(
            (added.as_slice(), removed.as_slice()),
            (&["db".to_owned()][..], &["web".to_owned()][..])
        );
    }

    #[test]
    fn negated_operators_and_deny_statements_flip_the_direction() {
        let not_like = |values: &str| {
            edit(
                r#"{"BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"}}"#,
                &format!(r#"{{"StringNotLike": {{"ssm:resourceTag/Env": {values}}}}}"#),
            )
        };
        // Excluding one more value lets fewer through.
        assert_eq!(
            kinds(&changed(
                &not_like(r#"["prod"]"#),
                &not_like(r#"["prod", "stage"]"#)
            )),
            vec![(Narrows, "condition_changed")]
        );
        assert_eq!(
            kinds(&changed(
                &not_like(r#"["prod", "stage"]"#),
                &not_like(r#"["prod"]"#)
            )),
            vec![(Widens, "condition_changed")]
        );
        // A new denied action takes access away; dropping it gives access back.
        let deny = edit(
            "\n    ]\n}",
            r#",
        {"Effect": "Deny", "Action": ["ssm:SendCommand"], "Resource": ["*"]}
    ]
}"#,
        );
        assert_eq!(
            kinds(&changed(BASE, &deny)),
            vec![(Narrows, "action_added"), (Narrows, "resource_added")]
        );
        assert_eq!(
            kinds(&changed(&deny, BASE)),
            vec![(Widens, "action_removed"), (Widens, "resource_removed")]
        );
    }

    #[test]
    fn alternatives_and_unconditional_statements() {
        // A second, unconditional statement for StartSession on i-1 makes the check moot.
        let extra = edit(
            "\n    ]\n}",
            r#",
        {"Effect": "Allow", "Action": "ssm:StartSession", "Resource": "arn:aws:ec2:*:*:instance/i-1"}
    ]
}"#,
        );
        let d = changed(BASE, &extra);
        assert_eq!(kinds(&d), vec![(Widens, "condition_removed")]);
        let What::ConditionRemoved { resources, .. } = &d.items[0].what else {
            panic!()
        };
        assert_eq!(resources, &["arn:aws:ec2:*:*:instance/i-1"]);

        // A second conditional alternative is reported as a replacement that widens.
        let alt = edit(
            "\n    ]\n}",
            r#",
        {"Effect": "Allow", "Action": "ssm:StartSession", "Resource": "arn:aws:ec2:*:*:instance/i-1",
         "Condition": {"StringLike": {"ssm:resourceTag/Team": "web"}}}
    ]
}"#,
        );
        let d = changed(BASE, &alt);
        assert_eq!(kinds(&d), vec![(Widens, "conditions_replaced")]);
        assert_eq!(
            kinds(&changed(&alt, BASE)),
            vec![(Narrows, "conditions_replaced")]
        );
    }

    #[test]
    fn layout_only_changes_have_no_items() {
        let compact: String =
            serde_json::to_string(&serde_json::from_str::<PolicyDocument>(BASE).unwrap()).unwrap();
        let d = changed(BASE, &compact);
        assert!(d.items.is_empty() && !d.widens() && d.notes.is_empty());
        assert!(render_summary(&[d], false).contains("no change in access"));
    }

    #[test]
    fn version_change_is_marked_widening() {
        let d = changed(BASE, &edit("2012-10-17", "2008-10-17"));
        assert_eq!(kinds(&d), vec![(Widens, "version_changed")]);
    }

    #[test]
    fn unreadable_file_is_compared_as_empty_and_said_so() {
        for bad in [
            "{ not json",
            "[]",
            r#"{"Version": "2012-10-17", "Statement": [], "Sid": 1}"#,
            "\u{0}\u{ff}",
        ] {
            let d = changed(bad, BASE);
            assert_eq!(d.notes.len(), 1, "{bad}");
            assert!(d.notes[0].contains("current g.json is not a policy document"));
            // Everything the new policy allows is listed as gained.
            assert!(d.widens());
            assert!(kinds(&d).contains(&(Widens, "action_added")));
        }
        // A statement key the typed model does not know is not silently dropped.
        let d = changed(
            BASE,
            &edit(
                r#""Effect": "Allow","#,
                r#""Effect": "Allow", "NotAction": "iam:*","#,
            ),
        );
        assert!(d.notes[0].contains("NotAction"), "{:?}", d.notes);
    }

    #[test]
    fn summary_marks_widening_and_narrowing() {
        let new = edit(
            r#""arn:aws:ec2:*:*:instance/i-1","#,
            r#""arn:aws:ec2:*:*:instance/i-2","#,
        );
        let text = render_summary(&[changed(BASE, &new)], false);
        assert_eq!(
            text,
            "Permission summary: 1 grant changed, 1 WIDENS ACCESS

  g (changed): WIDENS ACCESS (and narrows some)
    [WIDENS]  Allow: new resource arn:aws:ec2:*:*:instance/i-2
              for ssm:StartSession
              if BoolIfExists ssm:SessionDocumentAccessCheck = \"true\"
    [narrows] Allow: resource removed arn:aws:ec2:*:*:instance/i-1
              was for ssm:StartSession
"
        );
        let colored = render_summary(&[changed(BASE, &new)], true);
        assert!(
            colored.contains("\u{1b}[1m\u{1b}[31m[WIDENS] \u{1b}[0m"),
            "{colored:?}"
        );
        assert!(render_summary(&[], true).is_empty());
    }
}
