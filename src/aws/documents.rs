//! Session Manager session documents that AWS publishes, as data.
//!
//! Document names are case-sensitive: `AWS-StartSshSession` is not `AWS-StartSSHSession`, and a
//! policy naming it grants nothing. Names with a prefix AWS reserves (`aws`, `amazon`, `amzn`)
//! cannot be created by customers ([`is_reserved_name`]), so such a name outside [`DOCUMENTS`] is
//! a document that does not exist, or one newer than this table. Each entry cites the AWS page
//! that names it; every page was read on [`CHECKED`].

/// When the sources below were read.
pub(crate) const CHECKED: &str = "2026-12-01";

/// The valid `sessionType` values.
pub(crate) const SCHEMA_SOURCE: &str =
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-schema.html";

// Session Manager logs no session data of port forwarding or SSH sessions: "Logging isn't
// available for Session Manager sessions that connect through port forwarding or SSH. This is
// because SSH encrypts all session data, and Session Manager only serves as a tunnel for SSH
// connections." (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-logging.html,
// and the SSH page.)
//
// The prefixes AWS reserves for its own document names are those of CreateDocument `Name`:
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html

const START: &str = "https://docs.aws.amazon.com/systems-manager/latest/userguide/\
    session-manager-working-with-sessions-start.html";
const SSH: &str = "https://docs.aws.amazon.com/systems-manager/latest/userguide/\
    session-manager-getting-started-enable-ssh-connections.html";
const DOCUMENT_TYPES: &str =
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/documents.html";
const PASSWORD_RESET: &str = "https://docs.aws.amazon.com/systems-manager/latest/userguide/fleet-manager-reset-password.html";
const QUICKSTART: &str = "https://docs.aws.amazon.com/systems-manager/latest/userguide/\
    getting-started-restrict-access-quickstart.html";

/// A Session document's `sessionType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SessionType {
    /// A shell.
    StandardStream,
    /// A tunnel: port forwarding and SSH.
    Port,
    InteractiveCommands,
    NonInteractiveCommands,
}

impl SessionType {
    /// The value as a Session document spells it.
    #[cfg(test)]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SessionType::StandardStream => "Standard_Stream",
            SessionType::Port => "Port",
            SessionType::InteractiveCommands => "InteractiveCommands",
            SessionType::NonInteractiveCommands => "NonInteractiveCommands",
        }
    }
}

/// Who owns a document, which decides its ARN's account field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Owner {
    /// Published by AWS: `arn:PARTITION:ssm:REGION::document/NAME` (empty account).
    Aws,
    /// Created in the customer's account (by Session Manager itself, for the default shell).
    Account,
}

/// One session document.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Document {
    /// The exact, case-sensitive name.
    pub name: &'static str,
    pub owner: Owner,
    pub session_type: SessionType,
    /// Whether Session Manager can log the session's data (when logging is on in the session
    /// preferences). False for port forwarding and SSH (see the logging page quoted above).
    pub logged: bool,
    /// Whether the session reaches hosts other than the managed node itself.
    pub remote_hosts: bool,
    /// The AWS page that names the document.
    pub source: &'static str,
    /// What the source says, or what it leaves unsaid.
    pub note: &'static str,
}

/// The known session documents, AWS-owned first, by name.
pub(crate) const DOCUMENTS: &[Document] = &[
    Document {
        name: "AWS-PasswordReset",
        owner: Owner::Aws,
        session_type: SessionType::InteractiveCommands,
        logged: true,
        remote_hosts: false,
        source: PASSWORD_RESET,
        note: "Resets a local user's password through Session Manager; AWS restricts it with \
               ssm:StartSession on this document and asks for KMS encryption of session data. \
               The page does not give the session type: InteractiveCommands is from the \
               document's content (it runs passwd).",
    },
    Document {
        name: "AWS-StartInteractiveCommand",
        owner: Owner::Aws,
        session_type: SessionType::InteractiveCommands,
        logged: true,
        remote_hosts: false,
        source: DOCUMENT_TYPES,
        note: "Runs the command given as a parameter, interactively. Listed among the Session \
               documents on the document-types page; any command means a shell in effect.",
    },
    Document {
        name: "AWS-StartNonInteractiveCommand",
        owner: Owner::Aws,
        session_type: SessionType::NonInteractiveCommands,
        logged: true,
        remote_hosts: false,
        source: SCHEMA_SOURCE,
        note: "Runs the command given as a parameter without a terminal. The schema page defines \
               the NonInteractiveCommands type; no AWS page read on the checked date names this \
               document, which is in wide public use.",
    },
    Document {
        name: "AWS-StartPortForwardingSession",
        owner: Owner::Aws,
        session_type: SessionType::Port,
        logged: false,
        remote_hosts: false,
        source: START,
        note: "Forwards a local port to a port on the managed node (\"Starting a session (port \
               forwarding)\").",
    },
    Document {
        name: "AWS-StartPortForwardingSessionToRemoteHost",
        owner: Owner::Aws,
        session_type: SessionType::Port,
        logged: false,
        remote_hosts: true,
        source: START,
        note: "Forwards a local port to any host:port the node can reach; \"The remote host isn't \
               required to be managed by Systems Manager.\" (\"Starting a session (port \
               forwarding to remote host)\").",
    },
    Document {
        name: "AWS-StartPortForwardingSessionToSocket",
        owner: Owner::Aws,
        session_type: SessionType::Port,
        logged: false,
        remote_hosts: false,
        source: DOCUMENT_TYPES,
        note: "Port forwarding to a Unix socket on the node. Listed among the Session documents on \
               the document-types page, which does not describe it further.",
    },
    Document {
        name: "AWS-StartSSHSession",
        owner: Owner::Aws,
        session_type: SessionType::Port,
        logged: false,
        remote_hosts: false,
        source: SSH,
        note: "The ProxyCommand for ssh/scp through Session Manager (portNumber=%p). Itself it \
               reaches only the node, but ssh's own -L/-D forwarding reaches further unless sshd \
               forbids TCP forwarding.",
    },
    Document {
        name: "SSM-SessionManagerRunShell",
        owner: Owner::Account,
        session_type: SessionType::StandardStream,
        logged: true,
        remote_hosts: false,
        source: QUICKSTART,
        note: "Not AWS-owned: the default shell document that Session Manager creates in the \
               account to hold its session preferences, so its ARN carries the account id.",
    },
];

/// The entry named exactly `name`.
pub(crate) fn find(name: &str) -> Option<&'static Document> {
    DOCUMENTS.iter().find(|d| d.name == name)
}

/// The entry whose name equals `name` ignoring ASCII case: `AWS-StartSshSession` finds
/// `AWS-StartSSHSession`, whose `name` is the spelling to suggest.
pub(crate) fn find_ignore_case(name: &str) -> Option<&'static Document> {
    DOCUMENTS.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// The AWS-owned entries.
pub(crate) fn aws_owned() -> impl Iterator<Item = &'static Document> {
    DOCUMENTS.iter().filter(|d| d.owner == Owner::Aws)
}

/// Whether `name` starts with a prefix AWS reserves (`aws`, `amazon`, `amzn`, in any case;
/// `AWSEC2`, `AWSSupport`, `AWSConfigRemediation` are covered by `aws`): no customer can have
/// made it, so it is AWS's or nobody's.
#[cfg(test)]
pub(crate) fn is_reserved_name(name: &str) -> bool {
    ["aws", "amazon", "amzn"].iter().any(|prefix| {
        name.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    })
}

/// "Did you mean" for a name that is not in the table: the same name in another case first,
/// then the closest name within a few edits (`AWS-StartPortForwardingSesion`). None for a name
/// that is in the table.
pub(crate) fn suggest(name: &str) -> Option<&'static str> {
    if find(name).is_some() {
        return None;
    }
    let wanted = name.trim();
    if let Some(d) = find_ignore_case(wanted) {
        return Some(d.name);
    }
    let wanted = wanted.to_ascii_lowercase();
    // The distance is at least the difference in length, and no more than 3 is close.
    let len = wanted.chars().count();
    let (distance, best) = DOCUMENTS
        .iter()
        .filter(|d| len.abs_diff(d.name.len()) <= 3)
        .map(|d| {
            (
                strsim::levenshtein(&wanted, &d.name.to_ascii_lowercase()),
                d.name,
            )
        })
        .min_by_key(|(d, _)| *d)?;
    (distance <= 3 && distance * 4 <= wanted.len()).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_ignoring_case_and_every_entry_is_sourced() {
        for (i, a) in DOCUMENTS.iter().enumerate() {
            for b in &DOCUMENTS[i + 1..] {
                assert!(!a.name.eq_ignore_ascii_case(b.name), "{}", a.name);
            }
            assert!(
                a.source.starts_with("https://docs.aws.amazon.com/"),
                "{}",
                a.name
            );
            assert!(!a.source.contains(' ') && !a.note.is_empty(), "{}", a.name);
            // AWS-owned exactly when the name has a reserved prefix.
            assert_eq!(
                a.owner == Owner::Aws,
                is_reserved_name(a.name),
                "{}",
                a.name
            );
        }
        assert_eq!(CHECKED.len(), 10);
    }

    #[test]
    fn the_issue_s_documents_are_known_with_their_session_types() {
        let port = ["AWS-StartSSHSession", "AWS-StartPortForwardingSession"];
        for name in port
            .into_iter()
            .chain(["AWS-StartPortForwardingSessionToRemoteHost"])
        {
            assert_eq!(
                find(name).unwrap().session_type,
                SessionType::Port,
                "{name}"
            );
        }
        let interactive = find("AWS-StartInteractiveCommand").unwrap();
        assert_eq!(interactive.session_type.as_str(), "InteractiveCommands");
        let batch = find("AWS-StartNonInteractiveCommand").unwrap();
        assert_eq!(batch.session_type.as_str(), "NonInteractiveCommands");
        let shell = find("SSM-SessionManagerRunShell").unwrap();
        assert_eq!(
            (shell.owner, shell.session_type.as_str()),
            (Owner::Account, "Standard_Stream")
        );
        assert_eq!(aws_owned().count(), DOCUMENTS.len() - 1);
    }

    #[test]
    fn exactly_the_tunnels_are_unlogged_and_only_one_reaches_other_hosts() {
        for d in DOCUMENTS {
            assert_eq!(d.logged, d.session_type != SessionType::Port, "{}", d.name);
        }
        let remote: Vec<_> = DOCUMENTS
            .iter()
            .filter(|d| d.remote_hosts)
            .map(|d| d.name)
            .collect();
        assert_eq!(remote, ["AWS-StartPortForwardingSessionToRemoteHost"]);
    }

    #[test]
    fn lookup_is_case_sensitive_and_suggests_the_exact_spelling() {
        assert!(find("AWS-StartSshSession").is_none());
        assert_eq!(
            find_ignore_case("AWS-StartSshSession").unwrap().name,
            "AWS-StartSSHSession"
        );
        assert_eq!(suggest("AWS-StartSshSession"), Some("AWS-StartSSHSession"));
        assert_eq!(suggest("aws-startsshsession"), Some("AWS-StartSSHSession"));
        assert_eq!(
            suggest("AWS-StartPortForwardingSesion"),
            Some("AWS-StartPortForwardingSession")
        );
        assert_eq!(
            suggest("AWS-StartNonInteractiveCommands"),
            Some("AWS-StartNonInteractiveCommand")
        );
        assert_eq!(suggest("AWS-StartSSHSession"), None);
        assert_eq!(suggest("AWS-RunShellScript"), None);
        assert_eq!(suggest("My-Doc"), None);
        assert_eq!(suggest(""), None);
    }

    #[test]
    fn reserved_prefixes_are_case_insensitive() {
        for name in [
            "AWS-Anything",
            "aws-x",
            "AWSSupport-Reset",
            "Amazon-X",
            "amzn-y",
        ] {
            assert!(is_reserved_name(name), "{name}");
        }
        for name in [
            "SSM-SessionManagerRunShell",
            "My-AWS-Doc",
            "aw",
            "",
            "ünicode",
        ] {
            assert!(!is_reserved_name(name), "{name}");
        }
    }
}
