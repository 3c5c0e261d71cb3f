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

use super::sides::{Read, Sides};
use crate::access::{self, Facts, Policy, Side, Undecidable};
use crate::compile::plan::{Plan, who_words};
use crate::deploy::{self, read, read::Reading};
use crate::outdir::{Blob, Change, DiskState};
use crate::review::model::{GrantChange, GrantEntry, PrincipalVerdict, RequestView};
use crate::review::spool::{SpoolWriter, Spooled};

/// The reason given for a grant whose principals before the change are not on record.
pub(super) fn unknown_who(grant: &str) -> String {
    format!(
        "the principals of grant {grant} before this change are unknown: the manifest does not record them (a manifest from before ssm-compile recorded `who`, or an interrupted build); `build` records them"
    )
}

/// The verdict of a change: every principal whose grants changed, and every changed grant,
/// each list in name order and kept out of memory ([`Spooled`]).
pub struct Verdict {
    pub principals: Spooled<PrincipalVerdict>,
    pub grants: Spooled<GrantEntry>,
    /// Each changed file's grants whose policy or attachments change, by file name, sorted.
    pub by_file: BTreeMap<String, Vec<String>>,
    /// How many principals widen.
    pub widening: usize,
}

impl Verdict {
    /// The verdict of no review (`check`, `--watch` without one).
    pub fn empty() -> Verdict {
        Verdict {
            principals: Vec::new().into(),
            grants: Vec::new().into(),
            by_file: BTreeMap::new(),
            widening: 0,
        }
    }
}

/// Compares the directory (`state`, whose differences from the plan are `changes`) with the
/// plan.
pub(super) fn verdict(plan: &Plan, state: &DiskState, changes: &[Change]) -> Verdict {
    let sides = Sides::new(plan, state, changes);
    let attached = sides.unrecorded();
    let mut sides = sides.with_attached(attached.as_ref());
    let touched = touched_grants(&sides, changes);
    let mut principals: BTreeSet<&str> = BTreeSet::new();
    for grant in touched.keys() {
        principals.extend(sides.before_who(grant).into_iter().flatten());
        principals.extend(sides.after_who(grant).into_iter().flatten());
    }
    // The other grants of every principal concerned: a principal's access is their union.
    // Found by scanning the records as text: no string per grant of a large directory.
    let names = |rest: &str| who_words(rest).any(|p| principals.contains(p));
    let mut concerned: BTreeSet<&str> = touched.keys().map(|g| g.as_ref()).collect();
    for (grant, rest) in sides.planned_who.0.iter().chain(&sides.recorded.0) {
        if names(rest) {
            concerned.insert(grant);
        }
    }
    sides.load(&|g| concerned.contains(g));
    let grants = grant_entries(&sides, &touched);
    let (principals, widening) = per_principal(&sides, &concerned, &touched, &principals);
    let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (grant, files) in &touched {
        for f in files {
            by_file
                .entry((*f).to_owned())
                .or_default()
                .push(grant.to_string());
        }
    }
    Verdict {
        principals,
        grants,
        by_file,
        widening,
    }
}

/// Each changed grant: how its own policy and its `who` changed, in name order.
fn grant_entries(sides: &Sides, touched: &Touched) -> Spooled<GrantEntry> {
    let mut out = SpoolWriter::default();
    for (grant, files) in touched {
        let old = sides.before_policies(grant);
        let new: Vec<_> = sides.after_policy(grant).into_iter().collect();
        let (who, now) = (sides.before_who(grant), sides.after_who(grant));
        let entry = grant_entry(grant, &old, &new, who.as_deref(), now.as_deref(), files);
        out.push(grant, &entry);
    }
    out.finish()
}

/// Each principal of a changed grant, decided by the access model over the union of its
/// grants (the `concerned` ones), in name order; and how many widen. A
/// principal of a grant whose principals before are unknown cannot be decided.
fn per_principal(
    sides: &Sides,
    concerned: &BTreeSet<&str>,
    touched: &Touched,
    principals: &BTreeSet<&str>,
) -> (Spooled<PrincipalVerdict>, usize) {
    // Borrowed from the records (100,000 grants' principals copied were 13 MB), in one list
    // per side with each grant's range of it (a list per grant was 4 MB at 20,000).
    let mut before = Flat::default();
    let mut after = Flat::default();
    let mut unknown: HashSet<&str> = HashSet::new();
    for grant in concerned {
        let who = sides.before_who(grant);
        if sides.before_exists(grant) {
            if who.is_none() {
                unknown.insert(grant);
            }
            before.push(grant, who.unwrap_or_default());
        }
        if let Some(now) = sides.after_who(grant) {
            after.push(grant, now);
        }
    }
    let (nb, na) = (before.named(), after.named());
    let changed = |side: Side, i: usize| {
        let list = if side == Side::Before { &nb } else { &na };
        touched.contains_key(list[i].name)
    };
    let mut load = |side: Side, i: usize| match side {
        Side::Before => sides.before_policies(nb[i].name),
        Side::After => sides.after_policy(na[i].name).into_iter().collect(),
    };
    let mut out = SpoolWriter::default();
    let mut widening = 0;
    let mut emit = |mut d: access::PrincipalDelta| {
        if let Some(g) = d.grants_after.iter().find(|g| unknown.contains(g.as_str())) {
            d.undecidable = Some(unknown_who(g));
            d.gained.clear();
            d.lost.clear();
        }
        let v = PrincipalVerdict {
            widens: d.widens(),
            gained: views(&d.gained),
            lost: views(&d.lost),
            principal: d.principal,
            grants_before: d.grants_before,
            grants_after: d.grants_after,
            undecidable: d.undecidable,
        };
        widening += usize::from(v.widens);
        out.push(&v.principal, &v);
    };
    let wanted = |p: &str| principals.contains(p);
    access::compare_principals_with(&nb, &na, &wanted, &changed, &mut load, &mut emit);
    (out.finish(), widening)
}

/// Grants with their principals, all principals in one list.
#[derive(Default)]
struct Flat<'a> {
    grants: Vec<(&'a str, std::ops::Range<usize>)>,
    principals: Vec<&'a str>,
}

impl<'a> Flat<'a> {
    fn push(&mut self, grant: &'a str, principals: Vec<&'a str>) {
        let start = self.principals.len();
        self.principals.extend(principals);
        self.grants.push((grant, start..self.principals.len()));
    }

    fn named(&self) -> Vec<access::Named<'_, &'a str>> {
        (self.grants.iter())
            .map(|(name, range)| access::Named {
                name,
                principals: &self.principals[range.clone()],
            })
            .collect()
    }
}

/// Grants whose files or principals differ between the directory and the plan, each with the
/// changed files that hold it (its `.json`, the templates). Names are borrowed where they can
/// be: every grant of 100,000 changed, copied, was 25 MB.
type Touched<'c> = BTreeMap<Cow<'c, str>, Vec<&'c str>>;

fn touched_grants<'c>(sides: &Sides<'c>, changes: &'c [Change]) -> Touched<'c> {
    let mut out: Touched = BTreeMap::new();
    for c in changes {
        if deploy::is_template(&c.name) {
            for g in template_grants(sides, c) {
                out.entry(Cow::Owned(g)).or_default().push(&c.name);
            }
        } else if let Some(stem) = c.name.strip_suffix(".json") {
            out.entry(Cow::Borrowed(stem)).or_default().push(&c.name);
        }
    }
    // Both records are in the same canonical form, so equal text is an equal `who`.
    for (grant, rest) in &sides.planned_who.0 {
        if sides.recorded.get(grant) != Some(*rest) {
            out.entry(Cow::Borrowed(*grant)).or_default();
        }
    }
    for (grant, _) in &sides.recorded.0 {
        if sides.planned_who.get(grant).is_none() {
            out.entry(Cow::Borrowed(*grant)).or_default();
        }
    }
    for files in out.values_mut() {
        files.shrink_to_fit();
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
    let new_blob = c.new_blob();
    let new = side(&sides.planned, &c.name, new_blob.as_deref());
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
    who: Option<&[&str]>,
    now: Option<&[&str]>,
    files: &[&str],
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
        files: files.iter().map(|f| (*f).to_owned()).collect(),
        who_before: who.map(owned),
        who_after: now.map(owned).unwrap_or_default(),
        who_added: Vec::new(),
        who_removed: Vec::new(),
        gained: Vec::new(),
        lost: Vec::new(),
        undecidable: None,
    };
    let set = |v: Option<&[&str]>| -> BTreeSet<String> {
        v.into_iter().flatten().map(|p| (*p).to_owned()).collect()
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

fn owned(v: &[&str]) -> Vec<String> {
    v.iter().map(|p| (*p).to_owned()).collect()
}

fn ok_or_first(v: &[Result<Policy, Undecidable>]) -> Result<Vec<Policy>, Undecidable> {
    v.iter().cloned().collect()
}
