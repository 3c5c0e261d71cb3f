//! ARNs, built and parsed in one place. Every ARN a policy names is built here; the only ARN a
//! user writes (`kms_key`) is parsed here.

use super::names::{is_aws_owned_document, is_key_id, region_problem};
use super::partition::Partition;

/// Every EC2 instance, in every region and account.
pub(crate) fn all_instances(p: &str) -> String {
    format!("arn:{p}:ec2:*:*:instance/*")
}

/// An EC2 instance (`i-`, region and account wildcarded as in the quickstart) or a managed node
/// (`mi-`, which lives in Systems Manager under the grant's region and account).
pub(crate) fn instance(p: &str, region: &str, account: &str, id: &str) -> String {
    if id.starts_with("mi-") {
        format!("arn:{p}:ssm:{region}:{account}:managed-instance/{id}")
    } else {
        format!("arn:{p}:ec2:*:*:instance/{id}")
    }
}

/// A session document; AWS's own documents have no account in their ARN.
pub(crate) fn document(p: &str, region: &str, account: &str, name: &str) -> String {
    let owner = if is_aws_owned_document(name) {
        ""
    } else {
        account
    };
    format!("arn:{p}:ssm:{region}:{owner}:document/{name}")
}

/// The sessions a user started (Session Manager names them after the user).
pub(crate) fn own_sessions_by_username(p: &str) -> String {
    format!("arn:{p}:ssm:*:*:session/${{aws:username}}-*")
}

/// Every session (narrowed by a tag condition).
pub(crate) fn all_sessions(p: &str) -> String {
    format!("arn:{p}:ssm:*:*:session/*")
}

/// A KMS key ARN as written in `kms_key`, checked field by field.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct KmsKeyArn<'a> {
    pub partition: Partition,
    pub region: &'a str,
}

/// Why a `kms_key` is not a usable key ARN.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KmsArnProblem {
    /// Not `arn:PARTITION:kms:REGION:ACCOUNT:RESOURCE` at all.
    Shape,
    /// An alias ARN, which IAM cannot grant a key through.
    Alias,
    /// A field is wrong; the text says which and how.
    Field(String),
}

impl<'a> KmsKeyArn<'a> {
    pub(crate) fn parse(arn: &'a str) -> Result<Self, KmsArnProblem> {
        let fields: Vec<&str> = arn.splitn(6, ':').collect();
        if fields.len() != 6 || fields[0] != "arn" || fields[2] != "kms" {
            return Err(KmsArnProblem::Shape);
        }
        let (p, r, a, resource) = (fields[1], fields[3], fields[4], fields[5]);
        if resource.starts_with("alias/") {
            return Err(KmsArnProblem::Alias);
        }
        let field = |s: String| Err(KmsArnProblem::Field(s));
        let Some(id) = resource.strip_prefix("key/") else {
            return field(format!("the resource `{resource}` is not key/KEY-ID"));
        };
        let Some(partition) = Partition::ALL.into_iter().find(|x| x.as_str() == p) else {
            return field(format!("unknown partition `{p}`"));
        };
        if let Some(problem) = region_problem(r) {
            return field(format!("region `{r}`: {problem}"));
        }
        if !(a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())) {
            return field(format!("account `{a}` is not 12 digits"));
        }
        if !is_key_id(id) {
            return field(format!(
                "`{id}` is not a key id (a lowercase UUID, or mrk- and 32 hex digits)"
            ));
        }
        Ok(KmsKeyArn {
            partition,
            region: r,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kms_key_arns() {
        let key = "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert_eq!(
            KmsKeyArn::parse(key),
            Ok(KmsKeyArn {
                partition: Partition::AwsCn,
                region: "cn-north-1"
            })
        );
        let alias = "arn:aws:kms:us-east-2:111122223333:alias/x";
        assert_eq!(KmsKeyArn::parse(alias), Err(KmsArnProblem::Alias));
        assert_eq!(KmsKeyArn::parse("key/x"), Err(KmsArnProblem::Shape));
        let short = "arn:aws:kms:us-east-2:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert!(matches!(
            KmsKeyArn::parse(short),
            Err(KmsArnProblem::Field(_))
        ));
    }

    #[test]
    fn documents_of_aws_have_no_account() {
        assert_eq!(
            document("aws", "us-east-2", "111122223333", "AWS-StartSSHSession"),
            "arn:aws:ssm:us-east-2::document/AWS-StartSSHSession"
        );
        assert_eq!(
            document("aws", "us-east-2", "111122223333", "Mine"),
            "arn:aws:ssm:us-east-2:111122223333:document/Mine"
        );
    }
}
