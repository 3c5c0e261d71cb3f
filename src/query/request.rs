//! The requests behind a question: the plain form (one action on one resource) and the
//! friendly `start-session` form. A session is started on an instance with a session
//! document, and IAM authorizes `ssm:StartSession` on each ARN it checks. With a document
//! named (`--document`), both are checked, so the answer is yes only when both requests are
//! allowed (the conjunction of the two three-valued answers). Without one, the session uses
//! Session Manager's default document, which AWS checks only under the document access check
//! (reference: session-manager-quickstart-policies.md, callout 2); the answer is then the
//! instance request's alone, as for the EC2 console and admin policies, which grant no document.

use crate::access::Request;
use crate::aws::Partition;
use crate::aws::names::is_aws_owned_document;
use crate::compile::parse;

/// One request of a question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ask {
    pub request: Request,
    /// Whether the resource's tags that the context does not give are unknown (three-valued)
    /// rather than absent.
    pub tags_unknown: bool,
    /// What the request is on, for the report ("instance", "document", "request").
    pub what: String,
}

/// Where the instance and document live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub account: String,
    pub region: String,
}

impl Place {
    /// The `--account`/`--region` given, else the file's top-level `account`/`region`; the
    /// key neither gives, if one is missing.
    pub fn resolve(
        text: &str,
        account: Option<&str>,
        region: Option<&str>,
    ) -> Result<Place, &'static str> {
        let (top_account, top_region) = top_level(text);
        let account = account
            .map(str::to_string)
            .or(top_account)
            .ok_or("account")?;
        let region = region.map(str::to_string).or(top_region).ok_or("region")?;
        Ok(Place { account, region })
    }
}

/// The top-level `account` and `region` of the file, read from its head (before the first
/// grant) only.
fn top_level(text: &str) -> (Option<String>, Option<String>) {
    let Some(head) = parse::sections(text).into_iter().next() else {
        return (None, None);
    };
    let Ok(root) = toml::de::DeTable::parse(head.text) else {
        return (None, None);
    };
    let get = |key: &str| {
        root.get_ref()
            .get(key)
            .and_then(|v| v.get_ref().as_str().map(str::to_string))
    };
    (get("account"), get("region"))
}

/// The two requests of starting a session on `instance` (with its known `tags`) with
/// `document`, if named.
pub fn start_session(
    place: &Place,
    instance: &str,
    tags: &[(String, String)],
    document: Option<&str>,
) -> Vec<Ask> {
    let p = Partition::of_region(&place.region).as_str();
    let (region, account) = (&place.region, &place.account);
    let instance_arn = if instance.starts_with("mi-") {
        format!("arn:{p}:ssm:{region}:{account}:managed-instance/{instance}")
    } else {
        format!("arn:{p}:ec2:{region}:{account}:instance/{instance}")
    };
    let mut on_instance = Request::new("ssm:StartSession", &instance_arn);
    for (k, v) in tags {
        on_instance = on_instance.with(&format!("ssm:resourceTag/{k}"), v);
    }
    let mut asks = vec![Ask {
        request: on_instance,
        tags_unknown: true,
        what: "instance".to_string(),
    }];
    if let Some(document) = document {
        let owner = if is_aws_owned_document(document) {
            ""
        } else {
            account
        };
        let document_arn = format!("arn:{p}:ssm:{region}:{owner}:document/{document}");
        asks.push(Ask {
            request: Request::new("ssm:StartSession", &document_arn),
            tags_unknown: false,
            what: "document".to_string(),
        });
    }
    asks
}

/// `KEY=VALUE`, split at the first `=`.
pub fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
}
