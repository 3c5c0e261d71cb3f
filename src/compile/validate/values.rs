//! The value of each key: accounts, regions, principals, consoles, instances, documents, KMS
//! keys (tags are in `tags.rs`). The AWS facts behind the checks are in `crate::aws`.

use super::schema::CONSOLES;
use super::{Span, Validator, Value};
use crate::aws::arn::{KmsArnProblem, KmsKeyArn};
use crate::aws::names::{document_problem, instance_problem, is_policy_name_char, region_problem};
use crate::aws::{documents as aws_documents, regions};
use crate::compile::config::{Format, Partition, Principal, PrincipalKind, Target};
use crate::diagnostic::message::values::{GrantName, PrincipalName};
use crate::diagnostic::message::{Problem, Values};
use crate::diagnostic::suggestion::suggest;

impl Validator<'_> {
    pub(super) fn account(&mut self, value: &Value<'_>) -> Option<String> {
        let s = self.string(value, "account")?;
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Some(s);
        }
        self.push(Values::BadAccount { value: &s }.at(value.span()));
        None
    }

    pub(super) fn region(&mut self, value: &Value<'_>) -> Option<String> {
        let s = self.string(value, "region")?;
        match region_problem(&s) {
            None => self.known_region(&s, value.span(), "").then_some(s),
            Some(problem) => {
                let unsupported =
                    regions::unsupported_partition(&s).is_some() || s.contains("-iso");
                let suggestion = regions::suggest(&s).filter(|_| !unsupported);
                let found = Values::BadRegion {
                    value: &s,
                    problem,
                    suggestion,
                };
                self.push(found.at(value.span()));
                None
            }
        }
    }

    pub(super) fn output(&mut self, value: &Value<'_>) -> Option<String> {
        let s = self.string(value, "output")?;
        if s.trim().is_empty() {
            self.push(Values::EmptyOutput.at(value.span()));
            return None;
        }
        Some(s)
    }

    /// `max_managed_policies`: 1 to 20, IAM's most for a user or role.
    pub(super) fn max_managed_policies(&mut self, value: &Value<'_>) -> Option<usize> {
        let max = crate::aws::limits::MAX_MANAGED_POLICIES_SETTING;
        let Some(int) = value.get_ref().as_integer() else {
            self.type_error(
                value,
                "max_managed_policies",
                "an integer",
                "max_managed_policies = 20",
            );
            return None;
        };
        let n = (int.radix() == 10)
            .then(|| int.as_str().replace('_', "").parse::<usize>().ok())
            .flatten();
        match n {
            Some(n) if (1..=max).contains(&n) => Some(n),
            _ => {
                let written = int.as_str();
                self.push(Values::BadMaxManagedPolicies { written, max }.at(value.span()));
                None
            }
        }
    }

    pub(super) fn formats(&mut self, value: &Value<'_>) -> Option<Vec<Format>> {
        let example = "formats = [\"json\", \"cloudformation\", \"terraform\"]";
        let items = self.string_list(value, "formats", example)?;
        // A partly bad list would silently drop an output the user asked for.
        let mut ok = items.len() == value.get_ref().as_array().map_or(0, |a| a.len());
        let mut out = Vec::new();
        for (s, span) in items {
            if let Some(f) = Format::ALL.iter().find(|f| f.as_str() == s) {
                out.push(*f);
                continue;
            }
            ok = false;
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
            let best = match s.to_lowercase().as_str() {
                "cfn" | "cloud-formation" | "cloud_formation" => Some("cloudformation"),
                "tf" | "tf.json" | "hcl" | "opentofu" => Some("terraform"),
                "policy" | "policies" | "iam" => Some("json"),
                lower => suggest(lower, names.iter().copied()),
            };
            let found = Values::UnknownFormat {
                value: &s,
                suggestion: best,
                known: &names,
            };
            self.push(found.at(span));
        }
        out.sort();
        ok.then_some(out)
    }

    pub(super) fn grant_name(&mut self, name: &str, span: Span) {
        // The policy file's name must be one every system can hold (a checkout on Windows too).
        let bad: Vec<char> = name.chars().filter(|c| !is_policy_name_char(*c)).collect();
        let problem = if name.is_empty() {
            Some(GrantName::Empty)
        } else if name.chars().count() > 128 {
            Some(GrantName::TooLong(name.chars().count()))
        } else if !bad.is_empty() {
            Some(GrantName::BadChars(bad))
        } else if name.starts_with('.') || name.contains("..") {
            Some(GrantName::Dots)
        } else if is_windows_device(name) {
            Some(GrantName::WindowsDevice)
        } else {
            None
        };
        if let Some(problem) = problem {
            self.push(Values::BadGrantName { name, problem }.at(span));
        }
    }

    pub(super) fn who(&mut self, value: &Value<'_>) -> Option<Vec<(Principal, Span)>> {
        let items = self.string_list(value, "who", "who = [\"user:alice\", \"group:oncall\"]")?;
        let mut out = Vec::new();
        for (s, span) in items {
            let (kind, name) = match s.split_once(':') {
                Some(("user", n)) => (PrincipalKind::User, n),
                Some(("group", n)) => (PrincipalKind::Group, n),
                Some(("role", n)) => (PrincipalKind::Role, n),
                Some(("permission-set", n)) => (PrincipalKind::PermissionSet, n),
                Some((k, _)) => {
                    let suggestion = suggest(k, ["user", "group", "role", "permission-set"]);
                    let found = Values::UnknownPrincipalType {
                        kind: k,
                        value: &s,
                        suggestion,
                    };
                    self.push(found.at(span));
                    continue;
                }
                None => {
                    self.push(Values::UntypedPrincipal { value: &s }.at(span));
                    continue;
                }
            };
            // A permission set's name holds at most 32 characters (Identity Center's limit).
            let max = match kind {
                PrincipalKind::Group => 128,
                PrincipalKind::PermissionSet => 32,
                _ => 64,
            };
            let problem = if name.is_empty() {
                Some(PrincipalName::Empty)
            } else if name.starts_with("arn:") || name.contains('/') {
                Some(PrincipalName::ArnOrPath)
            } else if name.chars().count() > max {
                Some(PrincipalName::TooLong { max })
            } else {
                name.chars()
                    .find(|c| !is_policy_name_char(*c))
                    .map(PrincipalName::BadChar)
            };
            if let Some(problem) = problem {
                let kind = kind.as_str();
                self.push(
                    Values::BadPrincipalName {
                        value: &s,
                        kind,
                        problem,
                    }
                    .at(span),
                );
                continue;
            }
            out.push((
                Principal {
                    kind,
                    name: name.to_owned(),
                },
                span,
            ));
        }
        Some(out)
    }

    /// Returns (has session-manager or cli, where `"ec2"` is written if it is).
    pub(super) fn consoles(&mut self, value: &Value<'_>) -> Option<(bool, Option<Span>)> {
        let items = self.string_list(
            value,
            "consoles",
            "consoles = [\"session-manager\", \"cli\", \"ec2\"]",
        )?;
        let known = CONSOLES;
        // A partly bad list would pick the wrong variant and cause misleading errors later.
        let mut ok = items.len() == value.get_ref().as_array().map_or(0, |a| a.len());
        let (mut sm, mut ec2) = (false, None);
        for (s, span) in items {
            match s.as_str() {
                "session-manager" | "cli" => sm = true,
                "ec2" => ec2 = Some(span),
                other => {
                    ok = false;
                    let found = Values::UnknownConsole {
                        value: other,
                        suggestion: suggest(other, known.iter().copied()),
                        known,
                    };
                    self.push(found.at(span));
                }
            }
        }
        ok.then_some((sm, ec2))
    }

    pub(super) fn instances(&mut self, value: &Value<'_>) -> Option<Target> {
        let items =
            self.string_list(value, "instances", "instances = [\"i-0123456789abcdef0\"]")?;
        if let Some((_, star)) = items.iter().find(|(s, _)| s == "*") {
            if items.len() > 1 {
                self.push(Values::StarNotAlone.at(star.clone()));
                return None;
            }
            return Some(Target::AllInstances);
        }
        let mut ok = true;
        for (s, span) in &items {
            if let Some(problem) = instance_problem(s) {
                ok = false;
                self.push(Values::BadInstanceId { value: s, problem }.at(span.clone()));
            }
        }
        ok.then(|| Target::Instances(items.into_iter().map(|(s, _)| s).collect()))
    }

    /// The document names and where each is written.
    pub(super) fn documents(&mut self, value: &Value<'_>) -> Option<Vec<(String, Span)>> {
        let items = self.string_list(
            value,
            "documents",
            "documents = [\"SSM-SessionManagerRunShell\"]",
        )?;
        let mut ok = true;
        for (s, span) in &items {
            if let Some(problem) = document_problem(s) {
                ok = false;
                let found = Values::BadDocumentName {
                    value: s,
                    problem,
                    suggestion: aws_documents::suggest(s),
                };
                self.push(found.at(span.clone()));
            } else {
                ok &= self.aws_document(s, span.clone());
            }
        }
        ok.then_some(items)
    }

    pub(super) fn kms_key(&mut self, key: &str, span: Span, partition: Partition, region: &str) {
        let arn = match KmsKeyArn::parse(key) {
            Ok(arn) => arn,
            Err(KmsArnProblem::Shape) => {
                return self.push(Values::BadKmsArn { problem: None }.at(span));
            }
            Err(KmsArnProblem::Alias) => return self.push(Values::KmsAlias.at(span)),
            Err(KmsArnProblem::Field(problem)) => {
                let problem = Some(problem);
                return self.push(Values::BadKmsArn { problem }.at(span));
            }
        };
        let (p, r) = (arn.partition, arn.region);
        if !self.known_region(r, span.clone(), " in `kms_key`") {
            return;
        }
        if p != partition {
            let found = Values::KmsPartition {
                key: p.to_string(),
                grant: partition.to_string(),
                region,
            };
            self.push(found.at(span));
            return;
        }
        if r != region {
            self.push(Values::KmsRegion { key: r, region }.at(span));
        }
    }
}

/// `CON`, `PRN`, `AUX`, `NUL`, `COM1`-`COM9`, `LPT1`-`LPT9`, in any case, alone or before a dot:
/// Windows opens the device for `NUL.json` or `con.web.json`.
fn is_windows_device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).to_ascii_uppercase();
    match stem.as_bytes() {
        b"CON" | b"PRN" | b"AUX" | b"NUL" => true,
        [b'C', b'O', b'M', d] | [b'L', b'P', b'T', d] => (b'1'..=b'9').contains(d),
        _ => false,
    }
}
