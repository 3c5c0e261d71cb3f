//! What AWS accepts as a name: regions, instance ids, document names, tag characters, KMS key
//! ids, and the placeholders of AWS's sample policies. Each check returns the problem in words.

/// The session document of an end-user grant that names none (and the preferences document an
/// admin grant manages).
pub(crate) const DEFAULT_DOCUMENT: &str = "SSM-SessionManagerRunShell";

/// Values copied from AWS's sample policies that must be replaced before a policy can work.
pub(crate) const PLACEHOLDERS: &[&str] = &[
    "account-id",
    "region",
    "instance-id",
    "key-name",
    "key-id",
    "tag-key",
    "tag-value",
    "document-name",
    "user-name",
    "role-name",
    "group-name",
];

pub(crate) fn is_placeholder(s: &str) -> bool {
    PLACEHOLDERS.contains(&s) || s.contains("EXAMPLE")
}

pub(crate) fn is_policy_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// Characters an IAM policy document can hold (besides tab, LF and CR).
pub(crate) fn is_policy_char(c: char) -> bool {
    ('\u{20}'..='\u{ff}').contains(&c)
}

pub(crate) fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() && is_policy_char(c) || " _.:/=+-@".contains(c)
}

pub(crate) fn is_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(crate) fn is_key_id(id: &str) -> bool {
    if let Some(mrk) = id.strip_prefix("mrk-") {
        return mrk.len() == 32 && is_hex(mrk);
    }
    let parts: Vec<&str> = id.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && parts.iter().all(|p| is_hex(p))
}

pub(crate) fn region_problem(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split('-').collect();
    let word = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    let number = |p: &str| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    let shape = match parts.as_slice() {
        [area, sub, n] => area.len() == 2 && word(area) && word(sub) && number(n),
        [area, "gov", sub, n] => area.len() == 2 && word(sub) && number(n),
        _ => false,
    };
    if parts.get(1).is_some_and(|p| p.starts_with("iso")) {
        return Some("the ISO partitions are not supported".to_owned());
    }
    (!shape).then(|| "expected a region code like us-east-2".to_owned())
}

pub(crate) fn instance_problem(s: &str) -> Option<String> {
    let (prefix, digits, lengths): (&str, &str, &[usize]) = if let Some(d) = s.strip_prefix("mi-") {
        ("mi-", d, &[17])
    } else if let Some(d) = s.strip_prefix("i-") {
        ("i-", d, &[8, 17])
    } else {
        return Some("ids start with i- (EC2) or mi- (managed node)".to_owned());
    };
    if digits.contains('*') || digits.contains('?') {
        return Some("wildcards are not allowed in instance ids".to_owned());
    }
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(format!("after {prefix} come only hex digits"));
    }
    if !is_hex(digits) {
        return Some("instance ids are lowercase".to_owned());
    }
    if !lengths.contains(&digits.len()) {
        let want = if prefix == "mi-" { "17" } else { "8 or 17" };
        return Some(format!(
            "{} hex digits after {prefix}; expected {want}",
            digits.len()
        ));
    }
    None
}

pub(crate) fn document_problem(s: &str) -> Option<String> {
    let len = s.chars().count();
    if s.starts_with("arn:") {
        return Some("write the document name, not its ARN".to_owned());
    }
    if !(3..=128).contains(&len) {
        return Some(format!("{len} characters; names have 3 to 128"));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_-.".contains(*c)))
    {
        return Some(format!("{c:?} cannot appear in a document name"));
    }
    let lower = s.to_lowercase();
    let reserved = ["aws", "amazon", "amzn"]
        .iter()
        .any(|p| lower.starts_with(p));
    if reserved && !is_aws_owned_document(s) {
        return Some("names starting with aws, amazon or amzn are reserved for AWS's own documents (AWS-..., AWSFleetManager-..., Amazon...)".to_owned());
    }
    None
}

/// AWS's own documents have no account in their ARN.
pub(crate) fn is_aws_owned_document(name: &str) -> bool {
    name.starts_with("AWS") || name.starts_with("Amazon")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        for ok in [
            "us-east-2",
            "cn-north-1",
            "us-gov-west-1",
            "il-central-1",
            "ap-southeast-3",
        ] {
            assert_eq!(region_problem(ok), None, "{ok}");
        }
        for bad in [
            "us-east",
            "US-EAST-1",
            "useast1",
            "us-isob-east-1",
            "us-east-123",
            "",
        ] {
            assert!(region_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn instance_ids() {
        assert_eq!(instance_problem("i-0123456789abcdef0"), None);
        assert_eq!(instance_problem("i-01234567"), None);
        assert_eq!(instance_problem("mi-0123456789abcdef0"), None);
        for bad in [
            "i-0123",
            "i-0123456789ABCDEF0",
            "mi-01234567",
            "i-*",
            "x-01234567",
            "i-02573cafcfEXAMPLE",
        ] {
            assert!(instance_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn key_ids() {
        assert!(is_key_id("1234abcd-12ab-34cd-56ef-1234567890ab"));
        assert!(is_key_id("mrk-1234abcd12ab34cd56ef1234567890ab"));
        assert!(!is_key_id("1234abcd-12ab-34cd-56ef-12345EXAMPLE"));
        assert!(!is_key_id("mrk-123"));
    }

    #[test]
    fn documents() {
        assert_eq!(document_problem("SSM-SessionManagerRunShell"), None);
        assert_eq!(document_problem("AWS-StartSSHSession"), None);
        assert!(document_problem("aws-mine").is_some());
        assert!(document_problem("a b").is_some());
        assert!(is_aws_owned_document("AWSFleetManager-StartRDPSession"));
        assert!(!is_aws_owned_document("SSM-SessionManagerRunShell"));
    }
}
