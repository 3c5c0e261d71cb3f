//! The two sides the verdict compares, read once and then asked grant by grant: before is the
//! output directory (each grant's `.json` and every template that embeds it, and the principals
//! the manifest records), after is the plan. A grant's policies are parsed when the verdict
//! asks for them, and dropped after: 100,000 grants parsed on both sides were 1 GB (issue 16).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::access::{Policy, Undecidable};
use crate::compile::plan::{Content, Plan, parse_who, who_words};
use crate::compile::policy::PolicyDocument;
use crate::deploy::{self, read, read::Reading};
use crate::outdir::{Blob, Change, DiskState};

/// A template read back, with the file it was read from; `None`: it does not read as one.
pub(super) type Read<'a> = (Option<Reading>, Source<'a>);

/// Where a template is read again from: a file the review holds, or the plan, rendered again
/// (375 accounts' templates held at once were 600 MB).
pub(super) enum Source<'a> {
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

/// A grant's `.json` on disk: the plan's bytes, or other bytes the review holds.
enum Json<'a> {
    Planned(&'a Content),
    Held(&'a Blob),
}

/// A record of principals ([`parse_who`]): looked up by binary search, never copied whole.
pub(super) struct Who<'a>(pub(super) Vec<(&'a str, &'a str)>);

impl<'a> Who<'a> {
    pub(super) fn get(&self, grant: &str) -> Option<&'a str> {
        let i = self.0.binary_search_by(|(g, _)| (*g).cmp(grant)).ok()?;
        Some(self.0[i].1)
    }

    fn list(&self, grant: &str) -> Option<Vec<&'a str>> {
        self.get(grant).map(|rest| who_words(rest).collect())
    }
}

/// Everything the verdict reads, with the templates read at most twice: once for what changed,
/// once more for the documents of the grants concerned ([`Sides::load`]).
pub(super) struct Sides<'a> {
    plan: &'a Plan,
    state: &'a DiskState,
    /// The plan's templates whose documents are the policies after (no `.json` is planned).
    pub(super) planned: Vec<(&'a str, Read<'a>)>,
    /// Every template on disk that ssm-compile wrote, one per account: those that differ from
    /// the plan as they are, the identical ones as the plan renders them.
    pub(super) on_disk: Vec<(&'a str, Read<'a>)>,
    /// The principals the manifest records, and the plan's.
    pub(super) recorded: Who<'a>,
    pub(super) planned_who: Who<'a>,
    /// The principals of grants the manifest does not record, from the templates'
    /// attachments; `None` where a template on disk does not read.
    /// Held by the caller ([`Sides::with_attached`]), so that principals borrowed from it
    /// outlive [`Sides::load`].
    attached: Option<&'a Attached>,
}

/// The principals of grants the manifest does not record, by grant.
pub(super) type Attached = BTreeMap<String, Vec<String>>;

impl<'a> Sides<'a> {
    pub(super) fn new(plan: &'a Plan, state: &'a DiskState, changes: &[Change]) -> Sides<'a> {
        let none = |_: &str| false;
        // A changed template's rendering in its temporary file is shared with the diff; any
        // other is made again when it is read (held, 375 accounts' were 260 MB).
        let source = |t: &str, content| match changes.iter().find(|c| c.name == t) {
            Some(c) => match c.new_blob() {
                Some(blob) if blob.in_memory().is_none() => Source::Held(blob.into_owned()),
                _ => Source::Plan(content),
            },
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
            attached: None,
        }
    }

    /// The sides with the attachments [`Sides::unrecorded`] found, for [`Sides::before_who`].
    pub(super) fn with_attached<'b>(self, attached: Option<&'b Attached>) -> Sides<'b>
    where
        'a: 'b,
    {
        let sides: Sides<'b> = self;
        Sides { attached, ..sides }
    }

    /// The attachments of the grants the manifest does not record, by grant; `None` without a
    /// template on disk, or with one that does not read.
    pub(super) fn unrecorded(&self) -> Option<Attached> {
        if self.on_disk.is_empty() {
            return None;
        }
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (_, (reading, _)) in &self.on_disk {
            for a in &reading.as_ref()?.attached {
                if self.recorded.get(&a.grant).is_none() {
                    let set = out.entry(a.grant.clone()).or_default();
                    set.insert(a.principal.to_string());
                }
            }
        }
        Some(
            out.into_iter()
                .map(|(g, s)| (g, s.into_iter().collect()))
                .collect(),
        )
    }

    /// Reads the templates again, keeping the documents of the `concerned` grants: all of the
    /// plan's, and those a template on disk holds otherwise than their `.json` on disk (a copy
    /// that says the same adds nothing to the union, and 100,000 copies held were 300 MB).
    pub(super) fn load(&mut self, concerned: &dyn Fn(&str) -> bool) {
        // The attachments served to find what changed ([`Sides::unrecorded`] kept what the
        // decisions still need): 20,000 grants' were 6 MB of the review's peak.
        for (_, (reading, _)) in self.on_disk.iter_mut().chain(&mut self.planned) {
            if let Some(r) = reading {
                r.attached = BTreeSet::new();
            }
        }
        let mut differs: BTreeSet<&str> = BTreeSet::new();
        for (_, (reading, _)) in &self.on_disk {
            for (g, digest) in reading.iter().flat_map(|r| &r.digests) {
                if concerned(g) && self.json_digest(g).as_ref() != Some(digest) {
                    differs.insert(g);
                }
            }
        }
        let differs: BTreeSet<String> = differs.into_iter().map(str::to_owned).collect();
        let differs = |g: &str| differs.contains(g);
        for (wanted, list) in [
            (concerned, &mut self.planned),
            (&differs as &dyn Fn(&str) -> bool, &mut self.on_disk),
        ] {
            for (t, (reading, source)) in list.iter_mut() {
                if let Some(r) = reading
                    && r.digests.keys().any(|g| wanted(g))
                {
                    // The digests are still asked (`before_exists`): kept, not made again.
                    let digests = std::mem::take(&mut r.digests);
                    *reading = None;
                    *reading = read::read_spilled(t, source.blob().reader(), wanted)
                        .map(|kept| Reading { digests, ..kept });
                }
            }
        }
    }

    /// The digest a template gives the grant when it holds what the grant's `.json` on disk
    /// holds; `None` without one (or one that is not a policy document).
    fn json_digest(&self, grant: &str) -> Option<read::Digest> {
        let doc: PolicyDocument = serde_json::from_slice(&self.json_bytes(grant)?).ok()?;
        Some(read::whole_digest(&doc))
    }

    /// The grant's `.json` that ssm-compile wrote, as it is on disk; `None` without one.
    fn json_on_disk(&self, grant: &str) -> Option<Json<'a>> {
        let name = format!("{grant}.json");
        if self.state.identical.contains(&name) {
            return Some(Json::Planned(self.plan.files.get(&name)?));
        }
        let blob = self.state.files.get(&name)?;
        self.state.owned.contains(&name).then_some(Json::Held(blob))
    }

    /// The bytes of the grant's `.json` on disk. Bytes that cannot be read back are empty,
    /// and say so when parsed ("not JSON").
    fn json_bytes(&self, grant: &str) -> Option<Cow<'a, [u8]>> {
        Some(match self.json_on_disk(grant)? {
            Json::Planned(content) => content.bytes(),
            Json::Held(blob) => blob.bytes().unwrap_or_default(),
        })
    }

    /// Whether a file on disk holds the grant: it has policies before.
    pub(super) fn before_exists(&self, grant: &str) -> bool {
        self.json_on_disk(grant).is_some()
            || (self.on_disk.iter())
                .any(|(_, (r, _))| r.as_ref().is_none_or(|r| r.digests.contains_key(grant)))
    }

    /// The grant's policy after the change; `None` when the plan has no such grant.
    pub(super) fn after_policy(&self, grant: &str) -> Option<Result<Policy, Undecidable>> {
        if let Some(content) = self.plan.files.get(&format!("{grant}.json")) {
            return Some(parse_bytes("the plan", &content.bytes()));
        }
        self.planned
            .iter()
            .find_map(|(t, (reading, _))| match reading {
                Some(r) => document(t, r, grant),
                None => Some(Err(unreadable(t))),
            })
    }

    /// The grant's policies before, one per file that holds it (a `.json` and each template
    /// whose copy says something else); empty when no file held it.
    pub(super) fn before_policies(&self, grant: &str) -> Vec<Result<Policy, Undecidable>> {
        let mut out = Vec::new();
        if let Some(bytes) = self.json_bytes(grant) {
            out.push(parse_bytes(&format!("{grant}.json"), &bytes));
        }
        for (t, (reading, _)) in &self.on_disk {
            match reading {
                Some(r) => out.extend(document(t, r, grant)),
                None => out.push(Err(unreadable(t))),
            }
        }
        out
    }

    /// The grant's principals after; `None` when the plan has no such grant.
    pub(super) fn after_who(&self, grant: &str) -> Option<Vec<&'a str>> {
        self.planned_who.list(grant)
    }

    /// The grant's principals before: the manifest's record, else the attachments of the
    /// templates on disk, else `None` (unknown).
    pub(super) fn before_who(&self, grant: &str) -> Option<Vec<&'a str>> {
        if let Some(who) = self.recorded.list(grant) {
            return Some(who);
        }
        let attached = self.attached?;
        let names = attached.get(grant).map_or(&[][..], Vec::as_slice);
        Some(names.iter().map(String::as_str).collect())
    }
}

/// The grant's policy as the template `file` holds it, when it was kept.
fn document(file: &str, reading: &Reading, grant: &str) -> Option<Result<Policy, Undecidable>> {
    if let Some(doc) = reading.docs.get(grant) {
        return Some(parse_doc(file, doc));
    }
    let parts = reading.spilled.get(grant)?;
    Some(match read::spilled_document(parts) {
        Some(doc) => parse_doc(file, &doc),
        None => Err(Undecidable {
            reason: format!(
                "{file}: the copy of grant {grant} kept for the review could not be read back"
            ),
        }),
    })
}

fn unreadable(file: &str) -> Undecidable {
    Undecidable {
        reason: format!("{file} is not a template ssm-compile can read"),
    }
}

fn parse_bytes(file: &str, bytes: &[u8]) -> Result<Policy, Undecidable> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| Undecidable {
        reason: format!("{file} is not JSON ({e})"),
    })?;
    parse_value(file, &value)
}

fn parse_value(file: &str, value: &serde_json::Value) -> Result<Policy, Undecidable> {
    Policy::parse(value).map_err(|e| Undecidable {
        reason: format!("{file}: {}", e.reason),
    })
}

fn parse_doc(file: &str, doc: &PolicyDocument) -> Result<Policy, Undecidable> {
    let value = serde_json::to_value(doc).expect("a policy document always serializes");
    parse_value(file, &value)
}
