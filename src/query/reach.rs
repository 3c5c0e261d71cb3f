//! `access --instances`: which of the instances each grant's policy allows starting a session
//! on (any document), decided on the access model. The model is allow-only (a policy allows a
//! request when one of its statements does), so a principal reaches an instance when one of
//! its grants does, and a grant when one of its statements does.
//!
//! Each distinct statement of the plan is parsed and decided once (issue 16: a parsed policy
//! per principal took hundreds of MB), and only what is decided is kept, so the compiled plan
//! can be dropped before the matrix is built.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use super::inputs::Instance;
use super::{Place, start_session};
use crate::access::{Policy, Request, allows};
use crate::compile::Compiled;
use crate::compile::plan::{Content, Plan};

/// The instances each grant reaches.
pub struct Reach {
    /// The instances' ids, in the order of the instances file.
    ids: Vec<String>,
    /// (grant name, the instances it reaches as indexes into `ids`, ascending), in name order;
    /// only the grants that reach one.
    grants: Vec<(String, Rc<[u32]>)>,
}

/// What each grant of `compiled` (compiled with the `json` format) reaches of `instances`.
/// Only a grant's own policy file (`NAME.json`) is read; a policy the model cannot read
/// reaches nothing. The plan is taken over and dropped grant by grant as it is read, so what
/// is decided replaces it instead of adding to it.
pub fn reach(text: &str, compiled: Compiled, instances: &[Instance]) -> Reach {
    let requests = requests(text, instances);
    let Compiled {
        grants: summaries,
        plan,
        ..
    } = compiled;
    let Plan { mut files, .. } = plan;
    // Each distinct statement: the instances it allows, or `None` when it cannot be modelled.
    let mut statements: HashMap<Arc<[u8]>, Option<Box<[u32]>>> = HashMap::new();
    let mut sets: HashSet<Rc<[u32]>> = HashSet::new();
    let mut grants: Vec<(String, Rc<[u32]>)> = Vec::with_capacity(summaries.len());
    for g in summaries {
        let Some(Content::Policy(json)) = files.remove(&format!("{}.json", g.name)) else {
            continue;
        };
        let mut reached = Vec::new();
        let mut modelled = true;
        for s in json.shared_statements() {
            let allowed = statements
                .entry(s.clone())
                .or_insert_with(|| allowed(s, &requests));
            match allowed {
                Some(allowed) => reached.extend_from_slice(allowed),
                None => modelled = false,
            }
        }
        if !modelled || reached.is_empty() {
            continue;
        }
        reached.sort_unstable();
        reached.dedup();
        let set = match sets.get(reached.as_slice()) {
            Some(set) => set.clone(),
            None => {
                let set: Rc<[u32]> = reached.into();
                sets.insert(set.clone());
                set
            }
        };
        grants.push((g.name, set));
    }
    grants.sort_by(|a, b| a.0.cmp(&b.0));
    grants.shrink_to_fit();
    Reach {
        ids: instances.iter().map(|i| i.id.clone()).collect(),
        grants,
    }
}

impl Reach {
    /// The instances reached by any of `grants`, in the order of the instances file.
    pub fn of<'a>(&self, grants: impl Iterator<Item = &'a str>) -> Vec<String> {
        let mut reached: Vec<u32> = Vec::new();
        for g in grants {
            if let Ok(at) = self
                .grants
                .binary_search_by(|(name, _)| name.as_str().cmp(g))
            {
                reached.extend_from_slice(&self.grants[at].1);
            }
        }
        reached.sort_unstable();
        reached.dedup();
        reached
            .into_iter()
            .map(|i| self.ids[i as usize].clone())
            .collect()
    }
}

/// The request to start a session on each instance, placed where the file says unless the
/// instance says.
fn requests(text: &str, instances: &[Instance]) -> Vec<Request> {
    let mut places: HashMap<(Option<&str>, Option<&str>), Place> = HashMap::new();
    instances
        .iter()
        .map(|i| {
            let (account, region) = (i.account.as_deref(), i.region.as_deref());
            let place = places.entry((account, region)).or_insert_with(|| {
                Place::resolve(text, account, region).unwrap_or(Place {
                    account: account.unwrap_or("000000000000").to_string(),
                    region: region.unwrap_or("us-east-1").to_string(),
                })
            });
            start_session(place, &i.id, &i.tags, None).remove(0).request
        })
        .collect()
}

/// The instances (indexes of `requests`) that the statement's JSON allows, or `None` when the
/// model cannot read it (its whole policy then allows nothing, as a policy that does not
/// parse).
fn allowed(statement: &[u8], requests: &[Request]) -> Option<Box<[u32]>> {
    let mut doc = br#"{"Version":"2012-10-17","Statement":["#.to_vec();
    doc.extend_from_slice(statement);
    doc.extend_from_slice(b"]}");
    let value = serde_json::from_slice::<serde_json::Value>(&doc).ok()?;
    let policy = Policy::parse(&value).ok()?;
    let policy = std::slice::from_ref(&policy);
    Some(
        (0..requests.len())
            .filter(|&n| allows(policy, &requests[n]))
            .map(|n| u32::try_from(n).expect("fewer than 2^32 instances"))
            .collect(),
    )
}
