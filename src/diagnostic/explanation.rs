//! The long explanations `ssm-compile explain CODE` prints, and SARIF's rule descriptions: one
//! paragraph per kind, saying what is flagged, why it matters, an example, and the fix, in
//! that order (a test checks the order). Kinds without one print their one-line description.

use super::Kind;

impl Kind {
    /// The paragraph for `explain`, if the kind has one.
    pub fn explanation(self) -> Option<&'static str> {
        EXPLANATIONS
            .iter()
            .find(|(kinds, _)| kinds.contains(&self))
            .map(|(_, text)| *text)
    }
}

/// Each paragraph with the kinds it explains; a kind not listed has none.
const EXPLANATIONS: &[(&[Kind], &str)] = &[
    (
        &[Kind::NotUtf8],
        "The file holds bytes that are not UTF-8. Why: TOML files must be \
        UTF-8, and a name in another encoding would end up in a policy as different \
        characters than the author saw. Example: a file saved as Latin-1 with `é` in a \
        tag value. Fix: save the file as UTF-8 (most editors: \"Save with encoding\").",
    ),
    (
        &[Kind::Syntax],
        "The file is not valid TOML at the place shown. Why: ssm-compile \
        reads nothing it cannot parse exactly, and every later problem would be a guess, \
        so only the first syntax error is reported. Example: `role = end-user` (strings \
        need double quotes). Fix: correct the line; https://toml.io describes the syntax.",
    ),
    (
        &[Kind::Unclosed],
        "A string, list, inline table or table header is opened and never \
        closed. Why: TOML cannot tell where the value ends, so the rest of the file \
        cannot be read. Example: `who = [\"user:alice\"` with no `]`. Fix: close it \
        where the value ends.",
    ),
    (
        &[Kind::NotToml],
        "The file given with -c is JSON, not TOML: typically a policy \
        ssm-compile generated, or an IAM policy copied from the console. Why: \
        access.toml is the input, the JSON files are the output. Example: \
        `ssm-compile -c policies/web.json`. Fix: pass the access.toml the policies \
        were compiled from.",
    ),
    (
        &[Kind::CurlyQuotes],
        "A value is written in typographic quotes (“ ” or ‘ ’), as word \
        processors and chat tools type them. Why: TOML strings need straight quotes \
        (\" or '), so the line does not parse. Example: `role = “admin”`. Fix: \
        retype the quotes as straight double quotes: `role = \"admin\"`.",
    ),
    (
        &[Kind::DuplicateTable],
        "A table header such as `[grant.web]` appears twice. Why: \
        TOML forbids it, and two halves of one grant are easy to miss in review. \
        Example: two `[grant.web]` sections. Fix: merge the two sections, or rename one \
        grant.",
    ),
    (
        &[Kind::DuplicateKey],
        "A key is set twice in one table. Why: TOML forbids it, and \
        which value was meant is a guess. Example: `role = \"admin\"` and later \
        `role = \"end-user\"` in one grant. Fix: keep one of them.",
    ),
    (
        &[Kind::WrongType],
        "A value has a TOML type the key does not take. Why: a number or \
        a boolean where a string belongs (or the reverse) would change the policy \
        silently if it were converted. Example: `account = 111122223333` (a number \
        loses leading zeros). Fix: write the value in the type the help names.",
    ),
    (
        &[Kind::QuotedBoolean],
        "A boolean is written as a string. Why: `\"false\"` is a \
        non-empty string, which many tools read as true. Example: \
        `resume_session = \"false\"`. Fix: drop the quotes: `resume_session = false`.",
    ),
    (
        &[Kind::NotAList],
        "A single string stands where a list belongs. Why: the key takes \
        several values, and the list form keeps a later addition a one-line change. \
        Example: `who = \"user:alice\"`. Fix: `who = [\"user:alice\"]`.",
    ),
    (
        &[Kind::Empty],
        "A list or table that must hold values is empty. Why: an empty `who`, \
        `consoles`, `instances` or `tags` would compile into a policy that grants \
        nothing (or, for tags, everything). Example: `instances = []`. Fix: list the \
        values, or remove the grant.",
    ),
    (
        &[Kind::Repeated],
        "A value is listed twice. Why: harmless to IAM, but usually a \
        copy-paste slip that hides the value that was meant. Example: \
        `consoles = [\"cli\", \"cli\"]`. Fix: remove the repeat, or correct it.",
    ),
    (
        &[Kind::Placeholder],
        "A value is one of the placeholders of AWS's sample policies \
        (`111122223333`, `i-02573cafcfEXAMPLE`, ...). Why: a policy naming the sample \
        account or instance grants nothing real, and compiling it is a sign the file \
        was never finished. Example: `account = \"123456789012\"`. Fix: put in the real \
        value.",
    ),
    (
        &[Kind::UnknownChoice],
        "A key that takes one of a few words has another. Why: a \
        typo must not fall back to a default. Example: `role = \"superuser\"`. Fix: use \
        one of the words the help lists.",
    ),
    (
        &[Kind::UnknownKey],
        "A key ssm-compile does not know. Why: a misspelt key would be \
        ignored and its setting lost (a `kms-key` that is never applied). Example: \
        `kms-key = \"arn:...\"`. Fix: correct the spelling (the help suggests the \
        closest key), or remove the key.",
    ),
    (
        &[Kind::NotAGrantKey],
        "A key of the whole file (`output`, `formats`, `partition`) \
        is written inside a grant. Why: it applies to every grant and cannot differ \
        between them. Example: `output = \"out\"` under `[grant.web]`. Fix: move it above \
        the first grant.",
    ),
    (
        &[Kind::GrantArray],
        "Grants are written as an array of tables (`[[grant]]`). Why: \
        each grant names its policy file and its place in diffs, so grants are a \
        table of named grants. Example: `[[grant]]` followed by `role = ...`. Fix: \
        write each grant as `[grant.NAME]`, with a name of your choice.",
    ),
    (
        &[Kind::GrantKeyAtTop],
        "A key that belongs in a grant (`role`, `who`, `kms_key`, \
        ...) is written at the top level of the file, before the first `[grant.NAME]`. \
        Why: TOML puts every key above the first header in the top-level table, so the \
        grant never gets it. Example: `kms_key = \"arn:...\"` on line 3, `[grant.web]` \
        on line 5. Fix: move the line below the header of the grant it belongs to.",
    ),
    (
        &[Kind::MissingKey],
        "A grant lacks a key it needs (`role`, `who`, `consoles`). Why: \
        there is no safe default for who gets access or how. Example: a grant with no \
        `who`. Fix: add the key; the help shows its form.",
    ),
    (
        &[Kind::MissingEverywhere, Kind::MissingInGrant],
        "No `account` or `region` applies \
        to a grant. Why: every ARN in the policy names them, and a guess would grant \
        access in the wrong place. Example: a file with no top-level `region` and a \
        grant without one. Fix: set them at the top level, or in each grant.",
    ),
    (
        &[Kind::BadAccount],
        "An account id that is not 12 digits. Why: IAM accepts the \
        policy, whose ARNs then match no account, so the grant silently works nowhere. \
        Example: `account = \"11112222333\"`. Fix: copy the 12-digit id from the \
        console's account menu.",
    ),
    (
        &[Kind::BadRegion],
        "A region code of the wrong form or outside the supported \
        partitions. Why: ARNs with it match nothing. Example: `region = \"us-east\"`. \
        Fix: use a region code such as `eu-central-1`.",
    ),
    (
        &[Kind::UntypedPrincipal],
        "A principal in `who` without its type. Why: a user, a \
        group and a role may share a name, and each is attached differently. Example: \
        `who = [\"alice\"]`. Fix: `who = [\"user:alice\"]` (or `group:`, `role:`).",
    ),
    (
        &[Kind::BadInstanceId],
        "An instance id of the wrong form. Why: a policy naming it \
        matches no instance. Example: `i-0123` or `I-0123456789ABCDEF0`. Fix: copy the \
        id (`i-` and 8 or 17 lower-case hex digits, or `mi-` and 17) from the console.",
    ),
    (
        &[Kind::BadKmsArn, Kind::KmsAlias],
        "`kms_key` is not the ARN of a KMS key. Why: \
        IAM matches `kms:GenerateDataKey` against the key's ARN; an alias ARN or a bare \
        key id never matches, and sessions fail to start with encryption on. Example: \
        `kms_key = \"alias/session\"`. Fix: the key's ARN, \
        `arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`.",
    ),
    (
        &[Kind::KmsRegion],
        "`kms_key` is in another region than the grant's sessions. Why: \
        Session Manager encrypts with the key of the session's region; a key elsewhere \
        is only right for a multi-Region key. Example: region `us-east-2`, key in \
        `eu-west-1`. Fix: use the key of the grant's region, or ignore the warning for \
        a multi-Region key.",
    ),
    (
        &[Kind::InstancesAndTags],
        "A grant sets both `instances` and `tags`. Why: one says \
        \"these ids\", the other \"whatever carries the tag\"; the combination is \
        ambiguous. Example: both keys in one grant. Fix: split into two grants.",
    ),
    (
        &[Kind::NoTarget],
        "A grant sets neither `instances` nor `tags`. Why: without a \
        target there is nothing to start a session on. Example: a grant with only \
        `role` and `who`. Fix: add `instances = [...]` or `tags = { ... }`.",
    ),
    (
        &[Kind::DocumentsForAdmin],
        "A document key in an admin grant. Why: the \
        administrator policy already allows every session document, so the key would \
        narrow nothing. Example: `documents` with `role = \"admin\"`. Fix: remove the \
        key, or make the grant an end-user grant.",
    ),
    (
        &[Kind::UsernameForRoles],
        "`own_sessions = \"username\"` in a grant for roles. \
        Why: `${aws:username}` is not set for role sessions, so the condition matches \
        nothing. Example: `who = [\"role:Ops\"]`. Fix: `own_sessions = \"session-tag\"`.",
    ),
    (
        &[Kind::BadMaxManagedPolicies],
        "`max_managed_policies` is not a whole number from 1 to 20. Why: IAM lets a \
        user or role hold 10 managed policies by default and 20 at most after a quota \
        increase; packing plans within this number. Example: `max_managed_policies = 25`. \
        Fix: write 10 (the default), up to 20 once the account's quota is raised, or \
        less to leave room for policies attached outside ssm-compile.",
    ),
    (
        &[Kind::UsernameForPermissionSets],
        "`own_sessions = \"username\"` in a grant whose `who` names a permission set. \
        Why: Identity Center users are federated and have no `aws:username`, so the \
        scope would match no session and they could not end their own. Example: `who = \
        [\"permission-set:Support\"]` with `own_sessions = \"username\"`. Fix: use \
        `session-tag`, or `auto`, which picks it.",
    ),
    (
        &[Kind::PolicySplit],
        "A grant's policy alone is over IAM's 6,144 characters, so it is written as \
        parts (`NAME.json`, `NAME.part2.json`, ...) whose statements are the original's \
        cut by their resource or action lists: together they allow exactly the same. \
        Why: one policy could not be created. Example: a grant naming 200 instances. \
        Fix: nothing, if every part is attached (the templates do); or select the \
        instances by tag to keep one policy.",
    ),
    (
        &[Kind::PackingChangesAccess],
        "The policies packed for the deployable templates would not grant a principal \
        exactly what its grants' policies grant. Why: this is a bug in ssm-compile, \
        caught by the proof every build runs; nothing is written. Example: a packed policy \
        that lost a grant's statement. Fix: report it with \
        the configuration, and deploy the per-grant policy files meanwhile.",
    ),
    (
        &[Kind::PolicyTooLarge],
        "A policy is larger than IAM's limit for a managed policy \
        (6,144 characters without whitespace). Why: IAM rejects it at deploy time. \
        Example: a grant listing hundreds of instances. Fix: select the instances by \
        tag, or split the grant.",
    ),
    (
        &[Kind::ManyAttachments, Kind::TooManyAttachments],
        "A principal has more managed \
        policies attached than IAM allows (10 by default, 20 at most on request). \
        Why: the deploy fails at the attachment over the limit. Example: one user in \
        eleven grants. Fix: merge grants for that principal, or give access through a \
        group.",
    ),
    (
        &[Kind::Io, Kind::ReadFailed],
        "Reading a file failed. Why: ssm-compile works \
        only from complete input. Example: an unreadable access.toml. Fix: the \
        message names the file and the reason; correct that and run again.",
    ),
    (
        &[Kind::WriteFailed],
        "Writing into the output directory failed. Why: a full disk or \
        a read-only file system. Each file is replaced whole, so every file is old or \
        new, never half-written. Example: a disk with no space left. Fix: free space \
        or name another directory with -o DIR, then build again.",
    ),
    (
        &[Kind::NotAFile],
        "A directory was given where a file belongs, or the reverse. \
        Why: -c names the configuration file and -o the output directory. Example: \
        `-c infra` instead of `-c infra/access.toml`. Fix: name the file (or the \
        directory) the help suggests.",
    ),
    (
        &[Kind::InTheWay],
        "A file ssm-compile did not write is where it would write one. \
        Why: ssm-compile never overwrites or deletes a file it did not write (the \
        manifest lists its own), so nothing is written. Example: a hand-written \
        `web.json` in the output directory. Fix: move or delete the file, or rename \
        the grant.",
    ),
    (
        &[Kind::NoParent],
        "The directory that should hold the output directory does not \
        exist. Why: -o creates the output directory itself, like `mkdir`, not a whole \
        path, so a typo in a parent does not create a tree somewhere unexpected. \
        Example: `-o bulid/policies` when `build/` exists. Fix: correct the path, or \
        create the parent first.",
    ),
    (
        &[Kind::PermissionDenied],
        "The operating system refused to let ssm-compile read or \
        write a file or directory. Why: the directory or file belongs to another user, \
        or is read-only. Example: `-o /etc/policies`. Fix: check the permissions of \
        the path named, or choose another output directory with -o DIR.",
    ),
    (
        &[Kind::FileTooLarge],
        "The configuration file is over the size ssm-compile reads. \
        Why: a runaway or hostile file must not cost gigabytes. Example: a generated \
        file of millions of grants. Fix: split the grants over several files.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_say_why_example_and_fix_in_that_order() {
        for kind in Kind::ALL {
            let Some(text) = kind.explanation() else {
                continue;
            };
            let at = |m: &str| text.find(m);
            let (why, example, fix) = (at("Why: "), at("Example: "), at("Fix: "));
            assert!(why > Some(0), "{kind:?}: nothing before Why");
            assert!(
                why < example && example < fix,
                "{kind:?}: parts out of order"
            );
        }
    }

    #[test]
    fn the_common_kinds_have_a_paragraph() {
        let with = Kind::ALL
            .iter()
            .filter(|k| k.explanation().is_some())
            .count();
        assert!(with * 2 > Kind::ALL.len(), "{with} of {}", Kind::ALL.len());
    }
}
