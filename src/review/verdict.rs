//! The exact verdict: what a change does to who can do what, per principal, decided by the
//! access model (`crate::access`).
//!
//! Before is the output directory: each grant's policies as its files hold them (its `.json`
//! and every template that embeds it, a hand edit included: a file outside the modelled subset
//! is "cannot decide" with the reason) and its principals as the manifest records them. After
//! is the plan, with the configuration's `who`. A principal's access is the union of its
//! grants', so a rename, a merge or a split that keeps everyone's access changes nothing.
//!
//! Only what a change can touch is parsed: the grants whose files or `who` differ, the
//! principals they name, and the other grants of those principals. An unchanged 10,000-grant
//! directory costs a name comparison per grant.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::access::{self, Facts, Policy, Undecidable};
use crate::compile::plan::{Content, Plan, parse_who, who_words};
use crate::compile::policy::PolicyDocument;
use crate::deploy::{self, read, read::Reading};
use crate::outdir::{Blob, Change, DiskState};
use crate::review::model::{GrantChange, GrantEntry, PrincipalVerdict, RequestView};

/// The reason given for a grant whose principals before the change are not on record.
pub(super) fn unknown_who(grant: &str) -> String {
    format!(
        "the principals of grant {grant} before this change are unknown: the manifest does not record them (a manifest from before ssm-compile recorded `who`, or an interrupted build); `build` records them"
    )
}

/// A template read back, with the file it was read from; `None`: it does not read as one.
type Read<'a> = (Option<Reading>, Source<'a>);

/// Where a template is read again from: a file the review holds, or the plan, rendered again
/// (375 accounts' templates held at once were 600 MB).
enum Source<'a> {
    Held(Blob),
    Plan(&'a Content),
}

impl Source<'_> {
    fn blob(&self) -> Blob {
        match self {
            Source::Held(blob) => blob.clone(),
            Source::Plan(content) => Blob::of(content),
        }
    }
}

/// Everything the verdict reads, with the templates read at most twice: once for what changed,
/// once more for the documents of the grants concerned ([`Sides::load`]).
struct Sides<'a> {
    plan: &'a Plan,
    state: &'a DiskState,
    /// The plan's templates whose documents are the policies after (no `.json` is planned).
    planned: Vec<(&'a str, Read<'a>)>,
    /// Every template on disk that ssm-compile wrote, one per account: those that differ from
    /// the plan as they are, the identical ones as the plan renders them.
    on_disk: Vec<(&'a str, Read<'a>)>,
    /// The principals the manifest records, and the plan's.
    recorded: Who<'a>,
    planned_who: Who<'a>,
}

/// A record of principals ([`parse_who`]): looked up by binary search, never copied whole.
struct Who<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Who<'a> {
    fn get(&self, grant: &str) -> Option<&'a str> {
        let i = self.0.binary_search_by(|(g, _)| (*g).cmp(grant)).ok()?;
        Some(self.0[i].1)
    }

    fn list(&self, grant: &str) -> Option<Vec<String>> {
        self.get(grant)
            .map(|rest| who_words(rest).map(str::to_owned).collect())
    }
}

impl<'a> Sides<'a> {
    fn new(plan: &'a Plan, state: &'a DiskState, changes: &[Change]) -> Sides<'a> {
        let none = |_: &str| false;
        // A changed template's rendering is shared with the diff; any other is made again.
        let source = |t: &str, content| match changes.iter().find(|c| c.name == t) {
            Some(c) => c
                .new_blob()
                .cloned()
                .map_or(Source::Plan(content), Source::Held),
            None => Source::Plan(content),
        };
        let read = |t: &str, source: Source<'a>| {
            let reading = read::read(t, source.blob().reader(), &none);
            (reading, source)
        };
        let templates = plan.files.iter().filter(|(n, _)| deploy::is_template(n));
        // With the `.json` files planned the templates' documents are the same bytes.
        let policy_file = |n: &String| n.ends_with(".json") && !deploy::is_template(n);
        let mut planned = Vec::new();
        if !plan.files.keys().any(policy_file) {
            for (t, content) in templates.clone() {
                planned.push((t.as_str(), read(t, source(t, content))));
            }
        }
        let mut on_disk = Vec::new();
        for (t, content) in templates.filter(|(t, _)| state.identical.contains(*t)) {
            // Its bytes on disk are the plan's.
            on_disk.push((t.as_str(), read(t, Source::Plan(content))));
        }
        for (t, old) in &state.files {
            if deploy::is_template(t) && state.owned.contains(t) {
                on_disk.push((t.as_str(), read(t, Source::Held(old.clone()))));
            }
        }
        // A manifest that is not UTF-8 records nobody: every grant's principals are unknown.
        let recorded = state
            .manifest
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
            .map(parse_who)
            .unwrap_or_default();
        Sides {
            plan,
            state,
            planned,
            on_disk,
            recorded: Who(recorded),
            planned_who: Who(parse_who(&plan.who)),
        }
    }

    /// Reads the templates again, keeping the documents of the `concerned` grants.
    fn load(&mut self, concerned: &BTreeMap<String, Concern>) {
        let want = |g: &str| concerned.contains_key(g);
        for (t, (reading, source)) in self.planned.iter_mut().chain(&mut self.on_disk) {
            if let Some(r) = reading
                && concerned.keys().any(|g| r.digests.contains_key(g))
            {
                *reading = read::read(t, source.blob().reader(), &want);
            }
        }
    }

    fn json_on_disk(&self, grant: &str) -> Option<Result<&[u8], ()>> {
        let name = format!("{grant}.json");
        if self.state.identical.contains(&name) {
            return Some(Err(()));
        }
        let owned = self.state.owned.contains(&name);
        self.state
            .files
            .get(&name)
            .filter(|_| owned)
            // A policy file is always held in memory.
            .map(|b| Ok(b.in_memory().unwrap_or_default()))
    }

    /// The grant's policy after the change; `None` when the plan has no such grant.
    fn after_policy(&self, grant: &str) -> Option<Result<Policy, Undecidable>> {
        if let Some(content) = self.plan.files.get(&format!("{grant}.json")) {
            return Some(parse_content(content));
        }
        self.planned
            .iter()
            .find_map(|(t, (reading, _))| match reading {
                Some(r) => r.docs.get(grant).map(|doc| parse_doc(t, doc)),
                None => Some(Err(unreadable(t))),
            })
    }

    /// The grant's policies before, one per file that holds it (a `.json` and each template);
    /// empty when no file held it.
    fn before_policies(&mut self, grant: &str) -> Vec<Result<Policy, Undecidable>> {
        let mut out = Vec::new();
        // The `.json` as read: a template's copy that says the same adds nothing to the union.
        let mut json = None;
        match self.json_on_disk(grant) {
            Some(Ok(bytes)) => {
                let file = format!("{grant}.json");
                match serde_json::from_slice::<serde_json::Value>(bytes) {
                    Ok(value) => {
                        out.push(parse_value(&file, &value));
                        json = Some(value);
                    }
                    Err(e) => out.push(Err(not_json(&file, &e))),
                }
            }
            Some(Err(())) => out.extend(self.after_policy(grant)),
            None => {}
        }
        for (t, (reading, _)) in &mut self.on_disk {
            match reading {
                // Taken: each grant is decided once, and 100,000 documents add up.
                Some(r) => {
                    if let Some(doc) = r.docs.remove(grant) {
                        let value = serde_json::to_value(&doc).expect("a document serializes");
                        if json.as_ref() != Some(&value) {
                            out.push(parse_value(t, &value));
                        }
                    }
                }
                None => out.push(Err(unreadable(t))),
            }
        }
        out
    }

    /// The grant's principals before: the manifest's record, else the attachments of the
    /// templates on disk, else `None` (unknown).
    fn before_who(&self, grant: &str) -> Option<Vec<String>> {
        if let Some(who) = self.recorded.list(grant) {
            return Some(who);
        }
        let mut found: Option<BTreeSet<String>> = None;
        for (_, (reading, _)) in &self.on_disk {
            let set = found.get_or_insert_default();
            let attached = &reading.as_ref()?.attached;
            set.extend(
                attached
                    .iter()
                    .filter(|a| a.grant == grant)
                    .map(|a| a.principal.to_string()),
            );
        }
        found.map(|s| s.into_iter().collect())
    }
}

fn unreadable(file: &str) -> Undecidable {
    Undecidable {
        reason: format!("{file} is not a template ssm-compile can read"),
    }
}

fn not_json(file: &str, e: &serde_json::Error) -> Undecidable {
    Undecidable {
        reason: format!("{file} is not JSON ({e})"),
    }
}

fn parse_bytes(file: &str, bytes: &[u8]) -> Result<Policy, Undecidable> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| not_json(file, &e))?;
    parse_value(file, &value)
}

fn parse_value(file: &str, value: &serde_json::Value) -> Result<Policy, Undecidable> {
    Policy::parse(value).map_err(|e| Undecidable {
        reason: format!("{file}: {}", e.reason),
    })
}

fn parse_content(content: &Content) -> Result<Policy, Undecidable> {
    match content {
        Content::Policy(compact) => parse_bytes("the plan", &compact.to_vec()),
        other => parse_bytes("the plan", &other.bytes()),
    }
}

fn parse_doc(file: &str, doc: &PolicyDocument) -> Result<Policy, Undecidable> {
    let value = serde_json::to_value(doc).expect("a policy document always serializes");
    parse_value(file, &value)
}

/// A grant the verdict decides: its principals after (`None`: not planned) and before
/// (`None`: unknown).
type Concern = (Option<Vec<String>>, Option<Vec<String>>);

/// The verdict of a change: every principal whose grants changed, and every changed grant.
pub struct Verdict {
    pub principals: Vec<PrincipalVerdict>,
    pub grants: Vec<GrantEntry>,
}

/// Compares the directory (`state`, whose differences from the plan are `changes`) with the
/// plan.
pub(super) fn verdict(plan: &Plan, state: &DiskState, changes: &[Change]) -> Verdict {
    let mut sides = Sides::new(plan, state, changes);
    let touched = touched_grants(&sides, changes);
    let mut principals: BTreeSet<String> = BTreeSet::new();
    let mut concerned: BTreeMap<String, Concern> = BTreeMap::new();
    for grant in touched.keys() {
        let now = sides.planned_who.list(grant);
        let who = sides.before_who(grant);
        principals.extend(who.iter().flatten().cloned());
        principals.extend(now.iter().flatten().cloned());
        concerned.insert(grant.clone(), (now, who));
    }
    // The other grants of every principal concerned: a principal's access is their union.
    // Found by scanning the records as text: no string per grant of a large directory.
    let names = |rest: &str| who_words(rest).any(|p| principals.contains(p));
    let mut others: BTreeSet<&str> = BTreeSet::new();
    for (grant, rest) in sides.planned_who.0.iter().chain(&sides.recorded.0) {
        if !touched.contains_key(*grant) && names(rest) {
            others.insert(grant);
        }
    }
    for grant in others {
        let now = sides.planned_who.list(grant);
        let who = sides.before_who(grant);
        concerned.insert(grant.to_owned(), (now, who));
    }
    sides.load(&concerned);
    let (mut entries, mut before, mut after, mut unknown) = (vec![], vec![], vec![], vec![]);
    for (grant, (now, who)) in concerned {
        let old = sides.before_policies(&grant);
        let new: Vec<_> = sides.after_policy(&grant).into_iter().collect();
        if who.is_none() && !old.is_empty() {
            unknown.push(grant.clone());
        }
        if let Some(files) = touched.get(&grant) {
            entries.push(grant_entry(
                &grant,
                &old,
                &new,
                who.as_ref(),
                now.as_ref(),
                files,
            ));
        }
        if !old.is_empty() {
            before.push(access::Grant {
                name: grant.clone(),
                principals: who.unwrap_or_default(),
                policies: old,
            });
        }
        if let Some(now) = now {
            after.push(access::Grant {
                name: grant,
                principals: now,
                policies: new,
            });
        }
    }
    Verdict {
        principals: per_principal(&before, &after, &unknown, &principals),
        grants: entries,
    }
}

/// Grants whose files or principals differ between the directory and the plan, each with the
/// changed files that hold it (its `.json`, the templates).
fn touched_grants(sides: &Sides, changes: &[Change]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in changes {
        if deploy::is_template(&c.name) {
            for g in template_grants(sides, c) {
                out.entry(g).or_default().push(c.name.clone());
            }
        } else if let Some(stem) = c.name.strip_suffix(".json") {
            out.entry(stem.to_owned()).or_default().push(c.name.clone());
        }
    }
    // Both records are in the same canonical form, so equal text is an equal `who`.
    for (grant, rest) in &sides.planned_who.0 {
        if sides.recorded.get(grant) != Some(*rest) {
            out.entry((*grant).to_owned()).or_default();
        }
    }
    for (grant, _) in &sides.recorded.0 {
        if sides.planned_who.get(grant).is_none() {
            out.entry((*grant).to_owned()).or_default();
        }
    }
    out
}

/// The grants whose documents or attachments a changed template changes (all of them when a
/// side does not read as a template). A side [`Sides`] read already is not read again: a
/// template of 100,000 grants is 250 MB.
fn template_grants(sides: &Sides, c: &Change) -> BTreeSet<String> {
    // Borrowed where `Sides` has it: a reading of 100,000 grants is tens of MB.
    fn side<'s>(
        list: &'s [(&str, Read<'_>)],
        name: &str,
        blob: Option<&Blob>,
    ) -> Cow<'s, Option<Reading>> {
        let Some(blob) = blob else {
            return Cow::Owned(Some(Reading::default()));
        };
        match list.iter().find(|(t, _)| *t == name) {
            Some((_, (reading, _))) => Cow::Borrowed(reading),
            None => Cow::Owned(read::read(name, blob.reader(), &|_| false)),
        }
    }
    let old = side(&sides.on_disk, &c.name, c.old.as_ref());
    let new = side(&sides.planned, &c.name, c.new_blob());
    let mut out = BTreeSet::new();
    match (old.as_ref(), new.as_ref()) {
        (Some(o), Some(n)) => {
            for g in o.digests.keys().chain(n.digests.keys()) {
                if o.digests.get(g) != n.digests.get(g) {
                    out.insert(g.clone());
                }
            }
            for a in o.attached.symmetric_difference(&n.attached) {
                out.insert(a.grant.clone());
            }
        }
        (o, n) => {
            for r in o.iter().chain(n) {
                out.extend(r.digests.keys().cloned());
            }
        }
    }
    out
}

/// The witnesses as the report shows them: requests on a named resource first (they say more
/// than `ec2:DescribeInstances on *`), otherwise in the model's order.
fn views(ws: &[access::Witness]) -> Vec<RequestView> {
    let mut out: Vec<RequestView> = ws.iter().map(view).collect();
    out.sort_by_key(|r| r.resource == "*");
    out
}

fn view(w: &access::Witness) -> RequestView {
    RequestView {
        action: w.action.clone(),
        resource: w.resource.clone(),
        context: w.context.clone(),
    }
}

/// One changed grant: how its own policy and its `who` changed.
fn grant_entry(
    grant: &str,
    old: &[Result<Policy, Undecidable>],
    new: &[Result<Policy, Undecidable>],
    who: Option<&Vec<String>>,
    now: Option<&Vec<String>>,
    files: &[String],
) -> GrantEntry {
    let change = match (old.is_empty(), new.is_empty()) {
        (true, _) => GrantChange::Added,
        (_, true) => GrantChange::Removed,
        _ => GrantChange::Changed,
    };
    let (before, after) = (ok_or_first(old), ok_or_first(new));
    let mut e = GrantEntry {
        grant: grant.to_owned(),
        change,
        files: files.to_vec(),
        who_before: who.cloned(),
        who_after: now.cloned().unwrap_or_default(),
        who_added: Vec::new(),
        who_removed: Vec::new(),
        gained: Vec::new(),
        lost: Vec::new(),
        undecidable: None,
    };
    let set = |v: Option<&Vec<String>>| -> BTreeSet<String> {
        v.into_iter().flatten().cloned().collect()
    };
    let (b, a) = (set(who), set(now));
    e.who_added = a.difference(&b).cloned().collect();
    e.who_removed = b.difference(&a).cloned().collect();
    match before.and_then(|b| Ok((b, after?))) {
        Ok((b, a)) => match access::compare(&b, &a, &Facts::default()) {
            Ok(c) => {
                e.gained = views(&c.gained);
                e.lost = views(&c.lost);
            }
            Err(u) => e.undecidable = Some(u.reason),
        },
        Err(u) => e.undecidable = Some(u.reason),
    }
    e
}

fn ok_or_first(v: &[Result<Policy, Undecidable>]) -> Result<Vec<Policy>, Undecidable> {
    v.iter().cloned().collect()
}

/// Each principal concerned, decided by the access model; a principal of a grant whose
/// principals before are unknown cannot be decided.
fn per_principal(
    before: &[access::Grant],
    after: &[access::Grant],
    unknown: &[String],
    concerned: &BTreeSet<String>,
) -> Vec<PrincipalVerdict> {
    let unknown: HashSet<&str> = unknown.iter().map(String::as_str).collect();
    access::compare_principals(before, after)
        .into_iter()
        .filter(|d| concerned.contains(&d.principal))
        .map(|mut d| {
            if let Some(g) = d.grants_after.iter().find(|g| unknown.contains(g.as_str())) {
                d.undecidable = Some(unknown_who(g));
                d.gained.clear();
                d.lost.clear();
            }
            PrincipalVerdict {
                widens: d.widens(),
                gained: views(&d.gained),
                lost: views(&d.lost),
                principal: d.principal,
                grants_before: d.grants_before,
                grants_after: d.grants_after,
                undecidable: d.undecidable,
            }
        })
        .collect()
}
