//! The optional inputs of `access`, read from what AWS's CLI prints, without credentials:
//! `aws iam get-account-authorization-details` (users and their groups) and
//! `aws ec2 describe-instances` (instances and their tags). Checked like the configuration: a
//! located error (line and column of the JSON) with the code `E0802`.

use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::questions::InputFile;
use crate::diagnostic::message::{Problem, Questions};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AuthorizationDetails {
    user_detail_list: Vec<UserDetail>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserDetail {
    user_name: String,
    #[serde(default)]
    group_list: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Described {
    reservations: Vec<Reservation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Reservation {
    owner_id: Option<String>,
    instances: Vec<Ec2Instance>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Ec2Instance {
    instance_id: String,
    #[serde(default)]
    tags: Vec<Tag>,
    placement: Option<Placement>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Placement {
    availability_zone: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Tag {
    key: String,
    value: String,
}

/// IAM users and the groups they are in: (user name, group names).
pub type Members = Vec<(String, Vec<String>)>;

/// One instance: its id, account and region when the file says, and its tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// Reads the JSON of `aws iam get-account-authorization-details`.
pub fn members(text: &str) -> Result<Members, Diagnostic> {
    let details: AuthorizationDetails =
        serde_json::from_str(text).map_err(|e| located(text, &e, InputFile::Members))?;
    Ok(details
        .user_detail_list
        .into_iter()
        .map(|u| (u.user_name, u.group_list))
        .collect())
}

/// Reads the JSON of `aws ec2 describe-instances`.
pub fn instances(text: &str) -> Result<Vec<Instance>, Diagnostic> {
    let described: Described =
        serde_json::from_str(text).map_err(|e| located(text, &e, InputFile::Instances))?;
    let mut out = Vec::new();
    for r in described.reservations {
        for i in r.instances {
            let region = i.placement.and_then(|p| p.availability_zone).map(|az| {
                az.trim_end_matches(|c: char| c.is_ascii_lowercase())
                    .to_string()
            });
            out.push(Instance {
                id: i.instance_id,
                account: r.owner_id.clone(),
                region,
                tags: i.tags.into_iter().map(|t| (t.key, t.value)).collect(),
            });
        }
    }
    Ok(out)
}

/// The serde error at its line and column, as a span of the text.
fn located(text: &str, e: &serde_json::Error, input: InputFile) -> Diagnostic {
    let offset = offset_of(text, e.line(), e.column());
    let end = (offset + 1).min(text.len()).max(offset);
    let error = e.to_string();
    Questions::BadInputFile { input, error }.at(offset..end)
}

/// The byte offset of a 1-based line and column (serde_json's), clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Kind;

    #[test]
    fn reads_and_locates() {
        let ok = r#"{"Reservations": [{"OwnerId": "111122223333", "Instances": [
            {"InstanceId": "i-0123456789abcdef0", "Placement": {"AvailabilityZone": "us-east-2a"},
             "Tags": [{"Key": "Team", "Value": "web"}]}]}]}"#;
        let got = instances(ok).unwrap();
        assert_eq!(got[0].region.as_deref(), Some("us-east-2"));
        assert_eq!(got[0].tags, vec![("Team".to_string(), "web".to_string())]);
        let bad = "{\"Reservations\": [\n  {\"Instances\": [{\"Tags\": []}]}]}";
        let d = instances(bad).unwrap_err();
        assert_eq!(d.kind, Kind::BadInputFile);
        assert!(d.message.contains("InstanceId"), "{}", d.message);
        assert!(d.span.unwrap().start > bad.find('\n').unwrap());
        let m = members(r#"{"UserDetailList": [{"UserName": "bob", "GroupList": ["ops"]}]}"#);
        assert_eq!(
            m.unwrap(),
            vec![("bob".to_string(), vec!["ops".to_string()])]
        );
        assert!(members("[]").is_err());
    }
}
