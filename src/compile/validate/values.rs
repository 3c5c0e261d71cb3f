//! The value of each key: accounts, regions, principals, consoles, instances, tags, documents,
//! KMS keys. The AWS facts behind the checks are in `crate::aws`.

use toml::de::DeValue;

use super::schema::CONSOLES;
use super::{Span, Validator, Value};
use crate::aws::arn::{KmsArnProblem, KmsKeyArn};
use crate::aws::names::{
    document_problem, instance_problem, is_policy_char, is_policy_name_char, is_tag_char,
    region_problem,
};
use crate::aws::{documents as aws_documents, regions};
use crate::compile::config::{Format, Partition, Principal, PrincipalKind, Target};
use crate::diagnostic::suggestion::suggest;
use crate::diagnostic::{Diagnostic, Kind, list};

impl Validator<'_> {
    pub(super) fn account(&mut self, value: &Value<'_>) -> Option<String> {
        let s = self.string(value, "account")?;
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Some(s);
        }
        self.push(
            Diagnostic::new(Kind::BadAccount, format!("`{s}` is not an AWS account id"))
                .at(value.span())
                .label("expected 12 digits")
                .help("an account id is 12 digits, as a string: account = \"111122223333\""),
        );
        None
    }

    pub(super) fn region(&mut self, value: &Value<'_>) -> Option<String> {
        let s = self.string(value, "region")?;
        match region_problem(&s) {
            None => self.known_region(&s, value.span(), "").then_some(s),
            Some(problem) => {
                let unsupported =
                    regions::unsupported_partition(&s).is_some() || s.contains("-iso");
                let help = match regions::suggest(&s).filter(|_| !unsupported) {
                    Some(best) => format!("did you mean \"{best}\"?"),
                    None => "write a region code such as \"us-east-2\", \"eu-west-1\", \"cn-north-1\" or \"us-gov-west-1\"".to_owned(),
                };
                self.push(
                    Diagnostic::new(
                        Kind::BadRegion,
                        format!("`{s}` is not a region ssm-compile supports"),
                    )
                    .at(value.span())
                    .label(problem)
                    .help(help),
                );
                None
            }
        }
    }

    pub(super) fn output(&mut self, value: &Value<'_>) -> Option<String> {
        let s = self.string(value, "output")?;
        if s.trim().is_empty() {
            self.push(
                Diagnostic::new(Kind::EmptyOutput, "`output` is empty")
                    .at(value.span())
                    .help("name a directory relative to access.toml, e.g. output = \"policies\""),
            );
            return None;
        }
        Some(s)
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
            let list = list::quoted(&names);
            let help = match best {
                Some(b) => format!("did you mean \"{b}\"? formats are {list}"),
                None => format!("formats are {list}"),
            };
            self.push(
                Diagnostic::new(Kind::UnknownFormat, format!("unknown format \"{s}\""))
                    .at(span)
                    .help(help),
            );
        }
        out.sort();
        ok.then_some(out)
    }

    pub(super) fn grant_name(&mut self, name: &str, span: Span) {
        let bad: Vec<char> = name.chars().filter(|c| !is_policy_name_char(*c)).collect();
        let problem = if name.is_empty() {
            Some("the grant name is empty".to_owned())
        } else if name.chars().count() > 128 {
            Some(format!(
                "the grant name is {} characters long; IAM policy names have at most 128",
                name.chars().count()
            ))
        } else if !bad.is_empty() {
            let mut shown: Vec<String> = bad.iter().map(|c| format!("{c:?}")).collect();
            shown.dedup();
            Some(format!(
                "the grant name `{name}` has characters IAM policy names cannot hold: {}",
                shown.join(", ")
            ))
        } else if name.starts_with('.') || name.contains("..") {
            Some(format!(
                "the grant name `{name}` starts with '.' or holds \"..\", which would make a hidden or confusing file name"
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            self.push(
                Diagnostic::new(Kind::BadGrantName, problem)
                    .at(span)
                    .help("name grants with 1 to 128 of A-Z a-z 0-9 + = , . @ _ - (e.g. [grant.web-oncall]); the name is the policy name and the file name"),
            );
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
                Some((k, _)) => {
                    let hint = suggest(k, ["user", "group", "role"])
                        .map(|b| format!(" (did you mean `{b}`?)"))
                        .unwrap_or_default();
                    self.push(
                        Diagnostic::new(
                            Kind::UnknownPrincipalType,
                            format!("unknown principal type `{k}` in `{s}`{hint}"),
                        )
                        .at(span)
                        .help("write principals as \"user:NAME\", \"group:NAME\" or \"role:NAME\""),
                    );
                    continue;
                }
                None => {
                    self.push(
                        Diagnostic::new(
                            Kind::UntypedPrincipal,
                            format!("`{s}` does not say whether it is a user, a group or a role"),
                        )
                        .at(span)
                        .help(format!("write \"user:{s}\", \"group:{s}\" or \"role:{s}\"")),
                    );
                    continue;
                }
            };
            let max = if kind == PrincipalKind::Group {
                128
            } else {
                64
            };
            let problem = if name.is_empty() {
                Some("the name is empty".to_owned())
            } else if name.starts_with("arn:") || name.contains('/') {
                Some("write the plain name, not an ARN or a path".to_owned())
            } else if name.chars().count() > max {
                Some(format!(
                    "IAM {} names have at most {max} characters",
                    kind.as_str()
                ))
            } else {
                name.chars()
                    .find(|c| !is_policy_name_char(*c))
                    .map(|c| format!("{c:?} cannot appear in an IAM name"))
            };
            if let Some(problem) = problem {
                self.push(
                    Diagnostic::new(
                        Kind::BadPrincipalName,
                        format!("`{s}` is not a valid IAM {} name", kind.as_str()),
                    )
                    .at(span)
                    .label(problem)
                    .help("IAM names use A-Z a-z 0-9 and + = , . @ _ - only"),
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
                    let help = match suggest(other, known.iter().copied()) {
                        Some(b) => {
                            format!("did you mean \"{b}\"? consoles are {}", list::quoted(known))
                        }
                        None => format!("consoles are {}", list::quoted(known)),
                    };
                    self.push(
                        Diagnostic::new(
                            Kind::UnknownConsole,
                            format!("unknown console \"{other}\""),
                        )
                        .at(span)
                        .help(help),
                    );
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
                self.push(
                    Diagnostic::new(Kind::StarNotAlone, "`*` must stand alone in `instances`")
                        .at(star.clone())
                        .label("`*` already means every instance")
                        .help("remove the other ids, or remove \"*\" to grant only the listed instances"),
                );
                return None;
            }
            return Some(Target::AllInstances);
        }
        let mut ok = true;
        for (s, span) in &items {
            if let Some(problem) = instance_problem(s) {
                ok = false;
                self.push(
                    Diagnostic::new(Kind::BadInstanceId, format!("`{s}` is not an instance id"))
                        .at(span.clone())
                        .label(problem)
                        .help("write EC2 instances as i- and 8 or 17 lowercase hex digits, managed nodes as mi- and 17; use [\"*\"] for every instance or `tags` to select by tag"),
                );
            }
        }
        ok.then(|| Target::Instances(items.into_iter().map(|(s, _)| s).collect()))
    }

    /// The tag target and where each key is written.
    pub(super) fn tags(&mut self, value: &Value<'_>) -> Option<(Target, Vec<Span>)> {
        let Some(table) = value.get_ref().as_table() else {
            self.type_error(
                value,
                "tags",
                "a table",
                "tags = { Team = \"web\", Env = [\"prod\", \"staging\"] }",
            );
            return None;
        };
        if table.is_empty() {
            self.push(
                Diagnostic::new(Kind::Empty, "`tags` is empty")
                    .at(value.span())
                    .help("name at least one tag: tags = { Team = \"web\" }"),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut spans = Vec::new();
        let mut ok = true;
        let mut lower: Vec<(String, &str, Span)> = Vec::new();
        for (key, v) in table.iter() {
            let k: &str = key.get_ref().as_ref();
            ok &= self.tag_key(k, key.span());
            ok &= self.tag_key_case(k, key.span(), &mut lower);
            spans.push(key.span());
            let values = match v.get_ref() {
                DeValue::String(_) => self.string(v, "tags").map(|s| vec![(s, v.span())]),
                DeValue::Array(_) => {
                    self.string_list(v, &format!("tags.{k}"), &format!("{k} = [\"v1\", \"v2\"]"))
                }
                _ => {
                    self.type_error(
                        v,
                        &format!("tags.{k}"),
                        "a string or a list of strings",
                        &format!("{k} = \"value\" or {k} = [\"v1\", \"v2\"]"),
                    );
                    None
                }
            };
            let Some(values) = values else {
                ok = false;
                continue;
            };
            ok &= self.tag_values(k, &values);
            out.push((k.to_owned(), values.into_iter().map(|(s, _)| s).collect()));
        }
        ok.then_some((Target::Tags(out), spans))
    }

    /// Condition key names ignore case: `Finance` and `finance` are one key that would have to
    /// match two values at once. False (reported) for the second spelling.
    fn tag_key_case<'k>(
        &mut self,
        k: &'k str,
        span: Span,
        seen: &mut Vec<(String, &'k str, Span)>,
    ) -> bool {
        let lower = k.to_lowercase();
        let Some((_, first, first_span)) = seen.iter().find(|(l, _, _)| *l == lower) else {
            seen.push((lower, k, span));
            return true;
        };
        let d = Diagnostic::new(
            Kind::TagKeyCase,
            format!("tag keys `{first}` and `{k}` differ only in letter case"),
        )
        .at(span)
        .label("IAM condition keys ignore case: this is the same key")
        .related(first_span.clone(), format!("`{first}` is here"))
        .help(
            "one tag value cannot match both: keep one spelling, or write two grants for either/or",
        );
        self.push(d);
        false
    }

    /// A tag key usable in an IAM condition; false (reported) if not.
    fn tag_key(&mut self, k: &str, span: Span) -> bool {
        let key_problem = if k == "tag-key" {
            Some(format!("`{k}` is a placeholder from AWS's sample policies"))
        } else if k.is_empty() || k.chars().count() > 128 {
            Some("a tag key has 1 to 128 characters".to_owned())
        } else if k.to_lowercase().starts_with("aws:") {
            Some("tag keys starting with `aws:` are reserved by AWS".to_owned())
        } else {
            k.chars()
                .find(|c| !is_tag_char(*c))
                .map(|c| format!("{c:?} cannot appear in a tag key used in an IAM condition"))
        };
        if let Some(problem) = key_problem {
            let help = if k == "tag-key" {
                "replace it with the key of a tag your instances carry, e.g. tags = { Team = \"web\" }"
            } else {
                "tag keys have 1 to 128 letters, digits, spaces and _ . : / = + - @, and do not start with aws:"
            };
            self.push(
                Diagnostic::new(Kind::BadTagKey, format!("invalid tag key `{k}`"))
                    .at(span)
                    .label(problem)
                    .help(help),
            );
            return false;
        }
        true
    }

    /// Tag values an IAM policy can hold; false (each bad one reported) if not.
    fn tag_values(&mut self, k: &str, values: &[(String, Span)]) -> bool {
        let mut ok = true;
        for (s, span) in values {
            if s == "tag-value" {
                ok = false;
                self.push(
                    Diagnostic::new(Kind::BadTagValue, format!("invalid tag value for `{k}`"))
                        .at(span.clone())
                        .label("`tag-value` is a placeholder from AWS's sample policies")
                        .help("replace it with the value your instances carry in this tag"),
                );
                continue;
            }
            let problem = if s.chars().count() > 256 {
                Some(format!(
                    "{} characters; a tag value has at most 256",
                    s.chars().count()
                ))
            } else {
                s.chars().find(|c| !is_policy_char(*c)).map(|c| {
                    format!(
                        "{c:?} (U+{:04X}) cannot be written in an IAM policy",
                        c as u32
                    )
                })
            };
            if let Some(problem) = problem {
                ok = false;
                self.push(
                Diagnostic::new(Kind::BadTagValue, format!("invalid tag value for `{k}`"))
                    .at(span.clone())
                    .label(problem)
                    .help("IAM policies hold only characters U+0020 to U+00FF; `*` and `?` are wildcards"),
            );
            }
        }
        ok
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
                let help = match aws_documents::suggest(s) {
                    Some(best) => format!("did you mean \"{best}\"?"),
                    None => "write the document's name (3 to 128 of A-Z a-z 0-9 _ - .), e.g. \"SSM-SessionManagerRunShell\" or \"AWS-StartSSHSession\"".to_owned(),
                };
                self.push(
                    Diagnostic::new(
                        Kind::BadDocumentName,
                        format!("`{s}` is not a session document name"),
                    )
                    .at(span.clone())
                    .label(problem)
                    .help(help),
                );
            } else {
                ok &= self.aws_document(s, span.clone());
            }
        }
        ok.then_some(items)
    }

    pub(super) fn kms_key(&mut self, key: &str, span: Span, partition: Partition, region: &str) {
        let err = |problem: String| {
            Diagnostic::new(Kind::BadKmsArn, format!("`kms_key` is not a KMS key ARN: {problem}"))
                .at(span.clone())
                .help("write the key's ARN: arn:aws:kms:REGION:ACCOUNT:key/KEY-ID (aws kms describe-key --key-id ... --query KeyMetadata.Arn)")
        };
        let arn = match KmsKeyArn::parse(key) {
            Ok(arn) => arn,
            Err(KmsArnProblem::Shape) => {
                let d = err("expected arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID".to_owned());
                return self.push(d);
            }
            Err(KmsArnProblem::Alias) => {
                return self.push(
                    Diagnostic::new(Kind::KmsAlias, "`kms_key` is an alias ARN; IAM cannot grant a key through its alias")
                        .at(span)
                        .label("a policy on an alias ARN does not allow using the key")
                        .help("use the key ARN the alias points to: aws kms describe-key --key-id alias/NAME --query KeyMetadata.Arn"),
                );
            }
            Err(KmsArnProblem::Field(problem)) => return self.push(err(problem)),
        };
        let (p, r) = (arn.partition, arn.region);
        if !self.known_region(r, span.clone(), " in `kms_key`") {
            return;
        }
        if p != partition {
            self.push(
                Diagnostic::new(Kind::KmsPartition, format!(
                    "`kms_key` is in partition `{p}`, but the grant is in partition `{partition}`"
                ))
                .at(span)
                .label("an ARN of another partition silently grants nothing")
                .help(format!(
                    "use a key of region `{region}`, whose ARN starts with arn:{partition}:kms:"
                )),
            );
            return;
        }
        if r != region {
            self.push(
                Diagnostic::new(Kind::KmsRegion, format!(
                    "`kms_key` is in region `{r}`, but the grant's sessions are in region `{region}`"
                ))
                .at(span)
                .help("Session Manager encrypts with a key of the sessions' region; check that this is the key your session preferences name"),
            );
        }
    }
}
