//! How the questions stay within the time of a build at 100,000 grants: policies are parsed
//! only when they name an asked action; identical policies are held once (a pool); a policy
//! that alone answers "no" to every request under the weakest facts (every policy variable
//! unknown, not absent)
//! is dropped, since no principal's facts nor other policies can make *it* allow anything;
//! and a principal's answer is memoised on its set of policies (and its facts, only when a
//! statement about the action uses a variable), so principals with the same grants' policies
//! are decided once.

use std::collections::HashMap;

use crate::access::{
    Answer, Facts, Policy, Query, Undecidable, Unknown, Verdict, evaluate_partial,
};

use super::{Ask, is_tag_key};
use crate::deploy::compact::Compact;

#[derive(Default)]
pub(super) struct Pool<'a> {
    /// A policy's bytes to its id (`None`: dropped): grants of the same shape have the same
    /// bytes and are parsed once.
    seen: HashMap<&'a Compact, Option<usize>>,
    policies: Vec<Policy>,
    /// Per policy: whether a statement about an asked action uses a variable (computed once).
    matters: Vec<bool>,
    ids: HashMap<Policy, usize>,
    /// Keyed by the policy ids and, when facts matter, the principal (whose facts they are).
    memo: HashMap<(Vec<usize>, Option<String>), Vec<Verdict>>,
}

impl<'a> Pool<'a> {
    /// The policy's id; `None` when it alone can allow none of the requests.
    pub(super) fn add(
        &mut self,
        json: &'a Compact,
        asks: &[Ask],
    ) -> Result<Option<usize>, Undecidable> {
        if let Some(&id) = self.seen.get(json) {
            return Ok(id);
        }
        let id = self.parse(&json.to_vec(), asks)?;
        self.seen.insert(json, id);
        Ok(id)
    }

    fn parse(&mut self, json: &[u8], asks: &[Ask]) -> Result<Option<usize>, Undecidable> {
        let value: serde_json::Value = serde_json::from_slice(json)
            .map_err(|e| Undecidable::new(format!("a planned policy is not JSON: {e}")))?;
        let policy = Policy::parse(&value)?;
        if let Some(&id) = self.ids.get(&policy) {
            return Ok(Some(id));
        }
        let one = std::slice::from_ref(&policy);
        let weakest = Facts::default();
        // The weakest facts: the policy variables unknown too (not absent).
        let useful = asks.iter().any(|a| {
            let mut q = query(a, one);
            if let Unknown::Keys(keys) = &mut q.unknown {
                keys.extend(["aws:username", "aws:userid"].map(String::from));
            }
            evaluate_partial(one, &q, &weakest).answer != Answer::No
        });
        if !useful {
            return Ok(None);
        }
        let id = self.policies.len();
        self.matters.push(
            asks.iter()
                .any(|a| policy.variables_matter(&a.request.action)),
        );
        self.ids.insert(policy.clone(), id);
        self.policies.push(policy);
        Ok(Some(id))
    }

    pub(super) fn get(&self, id: usize) -> &Policy {
        &self.policies[id]
    }

    /// One verdict per request for the union of the policies `ids` (sorted, distinct).
    pub(super) fn verdicts(&mut self, ids: &[usize], principal: &str, asks: &[Ask]) -> &[Verdict] {
        let matter = ids.iter().any(|&id| self.matters[id]);
        let key = (ids.to_vec(), matter.then(|| principal.to_string()));
        if !self.memo.contains_key(&key) {
            let owned: Vec<Policy>;
            let policies: &[Policy] = if let [id] = ids {
                std::slice::from_ref(&self.policies[*id])
            } else {
                owned = ids.iter().map(|&id| self.policies[id].clone()).collect();
                &owned
            };
            let facts = key
                .1
                .as_deref()
                .map(Facts::for_principal)
                .unwrap_or_default();
            let verdicts = asks
                .iter()
                .map(|a| evaluate_partial(policies, &query(a, policies), &facts))
                .collect();
            self.memo.insert(key.clone(), verdicts);
        }
        &self.memo[&key]
    }
}

/// The query for one request: with unknown tags, every instance-tag key the policies test and
/// the request does not set is unknown; every other key not set is absent.
fn query(ask: &Ask, policies: &[Policy]) -> Query {
    let mut unknown: Vec<String> = Vec::new();
    if ask.tags_unknown {
        for p in policies {
            for key in p.condition_keys() {
                let set = ask
                    .request
                    .context
                    .keys()
                    .any(|k| k.eq_ignore_ascii_case(key));
                if is_tag_key(key) && !set && !unknown.iter().any(|u| u.eq_ignore_ascii_case(key)) {
                    unknown.push(key.to_string());
                }
            }
        }
    }
    Query {
        action: ask.request.action.clone(),
        resource: ask.request.resource.clone(),
        context: ask.request.context.clone(),
        unknown: Unknown::Keys(unknown),
    }
}
