//! The spanned TOML tree to a `Config`, checking every rule of the schema and collecting every
//! problem of the file, so a user sees them all in one run.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::config::{
    Config, Format, Grant, OwnSessions, Partition, Principal, PrincipalKind, Role, Settings,
    Target, Variant,
};
use crate::diagnostic::Diagnostic;
use crate::parse;

type Value<'i> = Spanned<DeValue<'i>>;
type Span = Range<usize>;

/// The keys of `access.toml`, at the top and in a grant.
pub const TOP_KEYS: &[&str] = &[
    "account",
    "region",
    "partition",
    "output",
    "formats",
    "grant",
];
pub const GRANT_KEYS: &[&str] = &[
    "role",
    "who",
    "consoles",
    "instances",
    "tags",
    "kms_key",
    "documents",
    "document_access_check",
    "own_sessions",
    "resume_session",
    "account",
    "region",
];
const DEFAULT_DOCUMENT: &str = "SSM-SessionManagerRunShell";

/// Values copied from AWS's sample policies that must be replaced before a policy can work.
const PLACEHOLDERS: &[&str] = &[
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

/// Checks the tree and builds the configuration. The configuration is returned only when there
/// is no error; warnings are returned either way.
pub fn validate(root: &Spanned<DeTable<'_>>) -> (Option<Config>, Vec<Diagnostic>) {
    let mut grants = Vec::new();
    let mut collect = |g: Grant| grants.push(g);
    let mut v = Validator {
        sink: Some(&mut collect),
        ..Validator::default()
    };
    if let Some(table) = v.top_level(root.get_ref()) {
        v.grant_tables(table);
    }
    let (settings, diagnostics) = v.finish();
    grants.sort_by(|a, b| a.name.cmp(&b.name));
    (
        settings.map(|settings| Config { settings, grants }),
        diagnostics,
    )
}

/// Validates a file grant by grant: each `[grant.NAME]` section is parsed, checked and dropped
/// before the next, so memory holds one section's tree instead of the whole file's (a 100,000-
/// grant file has a tree of hundreds of MB). Returns `None` when the file does not split cleanly
/// (a syntax error, a section that defines keys of another, a repeated table): the caller then
/// parses the whole file, which gives the same result, or the parser's own errors.
///
/// Each valid grant is handed to `sink` as soon as it is checked, in file order; the settings
/// are returned when the whole file has no error. After `None`, discard what `sink` received.
pub fn validate_sections(
    text: &str,
    sink: &mut dyn FnMut(Grant),
) -> Option<(Option<Settings>, Vec<Diagnostic>)> {
    let mut sections = parse::sections(text).into_iter();
    let (_, head) = sections.next()?;
    let root = DeTable::parse(head).ok()?;
    let mut v = Validator {
        sink: Some(sink),
        ..Validator::default()
    };
    let mut names: HashSet<String> = HashSet::new();
    let mut add_names = |table: &DeTable<'_>| {
        table
            .keys()
            .all(|k| names.insert(k.get_ref().as_ref().to_owned()))
    };
    match v.top_level(root.get_ref()) {
        Some(grants) => {
            if let Some(table) = grants.get_ref().as_table()
                && !add_names(table)
            {
                return None;
            }
            v.grant_tables(grants);
        }
        None if root.get_ref().contains_key("grant") => return None,
        None => {}
    }
    for (offset, section) in sections {
        let tree = DeTable::parse(section).ok()?;
        let table = tree.get_ref();
        // A later section holds only `[grant.NAME]` tables, none seen before.
        let grants = table.get("grant").filter(|_| table.len() == 1)?;
        if !add_names(grants.get_ref().as_table()?) {
            return None;
        }
        v.base = offset;
        v.has_grant_key = true;
        v.grant_tables(grants);
    }
    v.base = 0;
    Some(v.finish())
}

#[derive(Default)]
struct Validator<'s> {
    /// Where valid grants go (always set; `Option` only for `Default`).
    sink: Option<&'s mut dyn FnMut(Grant)>,
    diagnostics: Vec<Diagnostic>,
    /// Byte offset of the section being checked within the file; added to every span.
    base: usize,
    defaults: Defaults,
    /// Whether the top level has a `grant` key at all.
    has_grant_key: bool,
    /// Whether that key's value is of the wrong shape (already reported).
    bad_grant_key: bool,
    output: Option<String>,
    formats: Option<Vec<Format>>,
    /// Grants seen, valid or not.
    grant_count: usize,
    /// Lower-cased grant name to where it is written and, if it differs, the name as written:
    /// for names that differ only in case. Kept small: it has an entry per grant.
    seen: HashMap<Box<str>, (Option<Box<str>>, Span)>,
    /// Grants that set neither their own nor inherit a top-level account / region.
    missing: [Vec<(String, Span)>; 2],
}

/// Top-level values that grants inherit.
#[derive(Default)]
struct Defaults {
    account: Option<String>,
    region: Option<(String, Span)>,
    partition: Option<(Partition, Span)>,
    /// Whether the keys are written at the top at all (even with a bad value).
    has_account: bool,
    has_region: bool,
}

impl Validator<'_> {
    fn push(&mut self, mut d: Diagnostic) {
        if self.base > 0 {
            let base = self.base;
            d.span = d.span.map(|s| s.start + base..s.end + base);
            for (span, _) in &mut d.related {
                *span = span.start + base..span.end + base;
            }
        }
        self.diagnostics.push(d);
    }

    fn shift(&self, span: Span) -> Span {
        span.start + self.base..span.end + self.base
    }

    /// Checks the top-level keys; returns the `grant` value, if it is there.
    fn top_level<'a, 'i>(&mut self, table: &'a DeTable<'i>) -> Option<&'a Value<'i>> {
        let mut grants_value = None;
        for (key, value) in table.iter() {
            let span = key.span();
            match key.get_ref().as_ref() {
                "account" => {
                    self.defaults.has_account = true;
                    self.defaults.account = self.account(value);
                }
                "region" => {
                    self.defaults.has_region = true;
                    self.defaults.region = self.region(value).map(|r| (r, value.span()));
                }
                "partition" => {
                    self.defaults.partition = self
                        .choice(value, "partition", &["aws", "aws-cn", "aws-us-gov"])
                        .map(|i| (Partition::ALL[i], value.span()))
                }
                "output" => self.output = self.output(value),
                "formats" => self.formats = self.formats(value),
                "grant" => grants_value = Some((key, value)),
                other => self.unknown_key(other, span, TOP_KEYS, "at the top level"),
            }
        }
        if let (Some((partition, p_span)), Some((region, r_span))) =
            (&self.defaults.partition, &self.defaults.region)
        {
            let derived = Partition::of_region(region);
            if derived != *partition {
                let d = Diagnostic::error(format!(
                    "partition `{partition}` contradicts region `{region}`, which is in partition `{derived}`"
                ))
                .at(p_span.clone())
                .label(format!("region `{region}` is in `{derived}`"))
                .related(r_span.clone(), "region set here")
                .help(format!(
                    "remove `partition` (it follows the region) or set partition = \"{derived}\""
                ));
                self.push(d);
            }
        }
        let (grant_key, grants_value) = grants_value?;
        self.has_grant_key = true;
        self.bad_grant_key = !grants_value.get_ref().is_table();
        if grants_value.get_ref().is_array() {
            self.push(
                Diagnostic::error("`grant` must be a table of named grants, not an array")
                    .at(grant_key.span())
                    .help("write each grant as `[grant.NAME]` instead of `[[grant]]`"),
            );
            return None;
        }
        self.table(grants_value, "grant")?;
        Some(grants_value)
    }

    /// Checks every grant of one `grant` table (the whole file's, or one section's).
    fn grant_tables(&mut self, grants_value: &Value<'_>) {
        let Some(grant_tables) = grants_value.get_ref().as_table() else {
            return;
        };
        for (name, value) in grant_tables.iter() {
            self.grant_count += 1;
            let name_span = name.span();
            let name = name.get_ref().as_ref();
            self.grant_name(name, name_span.clone());
            let lower = name.to_lowercase();
            if let Some((first, first_span)) = self.seen.get(lower.as_str()) {
                let first = first.as_deref().unwrap_or(&lower);
                // Both spans are absolute here: push without shifting.
                let d = Diagnostic::error(format!(
                    "grant `{name}` differs from grant `{first}` only in letter case"
                ))
                .at(self.shift(name_span.clone()))
                .related(first_span.clone(), format!("`{first}` is defined here"))
                .help(
                    "IAM policy names and some file systems ignore case: rename one of the grants",
                );
                self.diagnostics.push(d);
            } else {
                let absolute = self.shift(name_span.clone());
                let written = (lower != name).then(|| name.into());
                self.seen.insert(lower.into(), (written, absolute));
            }
            let Some(grant_table) = value.get_ref().as_table() else {
                self.push(
                    Diagnostic::error(format!(
                        "grant `{name}` must be a table, found {}",
                        value.get_ref().type_str()
                    ))
                    .at(value.span())
                    .help(format!(
                        "write it as a table: [grant.{name}] followed by its keys"
                    )),
                );
                continue;
            };
            let missing = self.missing[0].len() + self.missing[1].len();
            match self.grant(name, name_span.clone(), grant_table) {
                Some(grant) => {
                    if let Some(sink) = self.sink.as_mut() {
                        sink(grant);
                    }
                }
                // A grant is dropped only with an error that says why; this guards the rule.
                None if self.error_count() == 0
                    && missing == self.missing[0].len() + self.missing[1].len() =>
                {
                    let d = Diagnostic::error(format!(
                        "internal error: grant `{name}` could not be compiled"
                    ))
                    .at(name_span)
                    .help("please report this with the grant's text");
                    self.push(d);
                }
                None => {}
            }
        }
    }

    fn finish(mut self) -> (Option<Settings>, Vec<Diagnostic>) {
        if !self.has_grant_key {
            self.push(
                Diagnostic::error("no grants: the file defines no `[grant.NAME]` table")
                    .at(0..0)
                    .help("add a grant, e.g.\n[grant.web-oncall]\nrole = \"end-user\"\nwho = [\"group:oncall\"]\nconsoles = [\"session-manager\", \"cli\"]\ninstances = [\"i-0123456789abcdef0\"]"),
            );
        } else if self.grant_count == 0 && !self.bad_grant_key {
            self.push(
                Diagnostic::error("`grant` has no grants")
                    .at(0..0)
                    .help("add at least one `[grant.NAME]` table"),
            );
        }
        // A key missing everywhere is said once, not once per grant.
        for (i, key, example) in [
            (0, "account", "account = \"111122223333\""),
            (1, "region", "region = \"us-east-2\""),
        ] {
            let missing = std::mem::take(&mut self.missing[i]);
            if missing.is_empty() {
                continue;
            }
            if missing.len() == self.grant_count {
                self.push(
                    Diagnostic::error(format!(
                        "missing `{key}`: no top-level `{key}` and no grant sets one"
                    ))
                    .at(0..0)
                    .label(format!("`{key}` belongs at the top of the file"))
                    .help(format!(
                        "add `{example}` at the top of the file, before the first [grant.NAME]"
                    )),
                );
                continue;
            }
            for (name, span) in missing {
                self.diagnostics.push(
                    Diagnostic::error(format!(
                        "grant `{name}` has no `{key}`, and the file sets none at the top"
                    ))
                    .at(span)
                    .help(format!(
                        "add `{example}` to [grant.{name}], or at the top of the file for every grant"
                    )),
                );
            }
        }
        let has_error = self.diagnostics.iter().any(Diagnostic::is_error);
        let settings = Settings {
            output: self.output.take(),
            formats: self
                .formats
                .take()
                .unwrap_or_else(|| Format::DEFAULT.to_vec()),
        };
        ((!has_error).then_some(settings), self.diagnostics)
    }

    fn grant(&mut self, name: &str, name_span: Span, table: &DeTable<'_>) -> Option<Grant> {
        let before = self.error_count();
        let mut role = None;
        let mut who = None;
        let mut consoles = None;
        let mut instances: Option<(Option<Target>, Span)> = None;
        let mut tags: Option<(Option<Target>, Span)> = None;
        let mut kms_key = None;
        let mut documents: Option<(Option<Vec<String>>, Span)> = None;
        let mut access_check: Option<(Option<bool>, Span)> = None;
        let mut own_sessions = None;
        let mut resume_session = None;
        let mut account = None;
        let mut region: Option<(String, Span)> = None;
        let mut key_spans: HashMap<&str, Span> = HashMap::new();

        for (key, value) in table.iter() {
            let k = key.get_ref().as_ref();
            if let Some(known) = GRANT_KEYS.iter().find(|g| **g == k) {
                key_spans.insert(known, key.span());
            }
            match k {
                "role" => {
                    role = self
                        .choice(value, "role", &["end-user", "admin"])
                        .map(|i| [Role::EndUser, Role::Admin][i])
                }
                "who" => who = self.who(value),
                "consoles" => consoles = self.consoles(value),
                "instances" => instances = Some((self.instances(value), key.span())),
                "tags" => tags = Some((self.tags(value), key.span())),
                "kms_key" => kms_key = self.string(value, "kms_key").map(|s| (s, value.span())),
                "documents" => documents = Some((self.documents(value), key.span())),
                "document_access_check" => {
                    access_check = Some((self.bool(value, "document_access_check"), key.span()))
                }
                "own_sessions" => {
                    own_sessions = self
                        .choice(value, "own_sessions", &["auto", "username", "session-tag"])
                        .map(|i| (i, value.span()))
                }
                "resume_session" => resume_session = self.bool(value, "resume_session"),
                "account" => account = self.account(value),
                "region" => region = self.region(value).map(|r| (r, value.span())),
                "partition" | "output" | "formats" => self.push(
                    Diagnostic::error(format!("`{k}` is not a grant key"))
                        .at(key.span())
                        .help(format!(
                            "`{k}` applies to the whole file: move it above the first [grant.NAME]"
                        )),
                ),
                other => {
                    self.unknown_key(other, key.span(), GRANT_KEYS, &format!("in grant `{name}`"))
                }
            }
        }

        let missing = |v: &mut Self, key: &str, example: &str| {
            v.push(
                Diagnostic::error(format!("grant `{name}` is missing `{key}`"))
                    .at(name_span.clone())
                    .help(format!("add `{example}` to [grant.{name}]")),
            );
        };
        if !key_spans.contains_key("role") {
            missing(self, "role", "role = \"end-user\"` or `role = \"admin\"");
        }
        if !key_spans.contains_key("who") {
            missing(
                self,
                "who",
                "who = [\"user:alice\", \"group:oncall\", \"role:OncallRole\"]",
            );
        }
        if !key_spans.contains_key("consoles") {
            missing(
                self,
                "consoles",
                "consoles = [\"session-manager\", \"cli\", \"ec2\"]",
            );
        }

        let target = match (instances, tags) {
            (Some(_), Some((_, tags_span))) => {
                self.push(
                    Diagnostic::error(format!("grant `{name}` sets both `instances` and `tags`"))
                        .at(tags_span)
                        .related(key_spans["instances"].clone(), "`instances` is set here")
                        .help("a grant targets either named instances or tagged instances: split it into two grants"),
                );
                None
            }
            (Some((t, _)), None) | (None, Some((t, _))) => t,
            (None, None) => {
                self.push(
                    Diagnostic::error(format!("grant `{name}` has neither `instances` nor `tags`"))
                        .at(name_span.clone())
                        .help("add `instances = [\"i-0123456789abcdef0\"]` or `tags = { Team = \"web\" }`"),
                );
                None
            }
        };

        let variant = consoles.map(|(has_sm, has_ec2)| match (has_sm, has_ec2) {
            (true, true) => Variant::AllConsoles,
            (false, true) => Variant::Ec2,
            _ => Variant::SessionManagerCli,
        });

        // Keys that only act on an end-user grant in a variant that has a session document.
        for (key, present) in [
            ("documents", documents.is_some()),
            ("document_access_check", access_check.is_some()),
        ] {
            if !present {
                continue;
            }
            let span = key_spans[key].clone();
            if role == Some(Role::Admin) {
                self.push(
                    Diagnostic::error(format!("`{key}` applies only to end-user grants"))
                        .at(span)
                        .label("this grant is an admin grant")
                        .help(format!(
                            "remove `{key}`: an admin grant manages the `{DEFAULT_DOCUMENT}` preferences document and starts sessions without a document restriction"
                        )),
                );
            } else if variant == Some(Variant::Ec2) {
                self.push(
                    Diagnostic::error(format!("`{key}` has no effect with consoles = [\"ec2\"]"))
                        .at(span)
                        .label("the EC2-console policy grants no session document")
                        .help(format!(
                            "remove `{key}`, or add \"session-manager\" or \"cli\" to `consoles`"
                        )),
                );
            }
        }

        let grant_sets_region = region.is_some() || key_spans.contains_key("region");
        let account = account.or_else(|| self.defaults.account.clone());
        let region = region.map(|(r, s)| (r, self.shift(s)));
        let region = region.or_else(|| self.defaults.region.clone());
        let partition = region.as_ref().map(|(r, _)| Partition::of_region(r));
        if let (Some((explicit, p_span)), Some(derived), Some((r, r_span)), true) = (
            &self.defaults.partition,
            partition,
            &region,
            grant_sets_region,
        ) {
            // A contradiction of the top-level region is reported once, by `top_level`.
            if *explicit != derived {
                self.diagnostics.push(
                    Diagnostic::error(format!(
                        "grant `{name}` is in region `{r}` of partition `{derived}`, but the file sets partition `{explicit}`"
                    ))
                    .at(r_span.clone())
                    .related(p_span.clone(), "partition set here")
                    .help("every grant of one file must be in the file's partition: move this grant to a file of its own"),
                );
            }
        }
        // Missing everywhere is reported by `finish`, once or per grant.
        if account.is_none() && !self.defaults.has_account && !key_spans.contains_key("account") {
            let at = self.shift(name_span.clone());
            self.missing[0].push((name.to_owned(), at));
        }
        if region.is_none() && !self.defaults.has_region && !grant_sets_region {
            let at = self.shift(name_span.clone());
            self.missing[1].push((name.to_owned(), at));
        }
        let region = region.map(|(r, _)| r);

        let own = match own_sessions {
            Some((1, span)) => {
                if let Some(who) = &who {
                    let roles: Vec<String> = who
                        .iter()
                        .filter(|(p, _): &&(Principal, Span)| p.kind == PrincipalKind::Role)
                        .map(|(p, _)| p.to_string())
                        .collect();
                    if !roles.is_empty() {
                        self.push(
                            Diagnostic::error(format!(
                                "own_sessions = \"username\" does not work for {}",
                                roles.join(", ")
                            ))
                            .at(span)
                            .label("`${aws:username}` exists only for IAM users")
                            .help("use own_sessions = \"session-tag\" (or \"auto\"), which works for users and roles alike"),
                        );
                    }
                }
                OwnSessions::Username
            }
            Some((2, _)) => OwnSessions::SessionTag,
            _ => match &who {
                Some(who) if who.iter().any(|(p, _)| p.kind == PrincipalKind::Role) => {
                    OwnSessions::SessionTag
                }
                _ => OwnSessions::Username,
            },
        };

        if let (Some((key, key_span)), Some(partition), Some(region)) =
            (&kms_key, partition, region.as_deref())
        {
            self.kms_key(key, key_span.clone(), partition, region);
        }

        if self.error_count() > before {
            return None;
        }
        let role = role?;
        let variant = variant?;
        let documents = match (role, variant) {
            (Role::Admin, _) | (_, Variant::Ec2) => Vec::new(),
            _ => documents
                .and_then(|(d, _)| d)
                .unwrap_or_else(|| vec![DEFAULT_DOCUMENT.to_owned()]),
        };
        let (who, who_spans): (Vec<Principal>, Vec<Span>) = who?
            .into_iter()
            .map(|(p, span)| (p, self.shift(span)))
            .unzip();
        Some(Grant {
            name: name.to_owned(),
            span: self.shift(name_span),
            role,
            who,
            who_spans,
            variant,
            target: target?,
            kms_key: kms_key.map(|(k, _)| k),
            documents,
            document_access_check: role == Role::EndUser
                && variant != Variant::Ec2
                && access_check.and_then(|(c, _)| c).unwrap_or(true),
            own_sessions: own,
            resume_session: resume_session.unwrap_or(false),
            account: account?,
            region: region?,
            partition: partition?,
        })
    }

    fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    // ---- shapes ----

    fn type_error(&mut self, value: &Value<'_>, key: &str, expected: &str, example: &str) {
        let found = value.get_ref().type_str();
        let mut d = Diagnostic::error(format!("`{key}` must be {expected}, found {found}"))
            .at(value.span())
            .help(format!("write it as {example}"));
        if key == "account" && value.get_ref().is_integer() {
            d = d.help("quote the account id: account = \"111122223333\" (a number would lose leading zeros)");
        }
        self.push(d);
    }

    fn string(&mut self, value: &Value<'_>, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => {
                let s: &str = s.as_ref();
                // Tag values and the output directory are free text: "region" may be real there.
                let free_text = key == "output" || key == "tags" || key.starts_with("tags.");
                if !free_text && is_placeholder(s) {
                    self.push(
                        Diagnostic::error(format!(
                            "`{s}` is a placeholder from AWS's sample policies, not a real value"
                        ))
                        .at(value.span())
                        .help(format!("replace it with your own value for `{key}`")),
                    );
                    return None;
                }
                Some(s.to_owned())
            }
            _ => {
                self.type_error(value, key, "a string", &format!("{key} = \"...\""));
                None
            }
        }
    }

    fn bool(&mut self, value: &Value<'_>, key: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            DeValue::String(s) if s == "true" || s == "false" => {
                self.push(
                    Diagnostic::error(format!("`{key}` must be a boolean, found string"))
                        .at(value.span())
                        .help(format!("remove the quotes: {key} = {s}")),
                );
                None
            }
            _ => {
                self.type_error(value, key, "a boolean", &format!("{key} = true"));
                None
            }
        }
    }

    fn table<'a, 'i>(&mut self, value: &'a Value<'i>, key: &str) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                if !value.get_ref().is_array() || key != "grant" {
                    self.type_error(value, key, "a table", &format!("[{key}.NAME]"));
                }
                None
            }
        }
    }

    /// A non-empty list of distinct strings, each with its span. Reports every bad item.
    fn string_list(
        &mut self,
        value: &Value<'_>,
        key: &str,
        example: &str,
    ) -> Option<Vec<(String, Span)>> {
        let DeValue::Array(items) = value.get_ref() else {
            if let DeValue::String(s) = value.get_ref() {
                self.push(
                    Diagnostic::error(format!("`{key}` must be a list, found string"))
                        .at(value.span())
                        .help(format!(
                            "put the value in square brackets: {key} = [\"{s}\"]"
                        )),
                );
            } else {
                self.type_error(value, key, "a list of strings", example);
            }
            return None;
        };
        if items.is_empty() {
            self.push(
                Diagnostic::error(format!("`{key}` is empty"))
                    .at(value.span())
                    .help(format!("list at least one value: {example}")),
            );
            return None;
        }
        let mut out: Vec<(String, Span)> = Vec::new();
        for item in items.iter() {
            if !matches!(item.get_ref(), DeValue::String(_)) {
                self.push(
                    Diagnostic::error(format!(
                        "`{key}` holds only strings, found {}",
                        item.get_ref().type_str()
                    ))
                    .at(item.span())
                    .help(format!("quote the value, as in {example}")),
                );
                continue;
            }
            let Some(s) = self.string(item, key) else {
                continue;
            };
            // IAM names ignore case, so `user:Alice` repeats `user:alice`; ids do not.
            let repeat = out
                .iter()
                .find(|(o, _)| *o == s || (key == "who" && o.eq_ignore_ascii_case(&s)));
            if let Some((_, first_span)) = repeat {
                self.push(
                    Diagnostic::error(format!("`{s}` is repeated in `{key}`"))
                        .at(item.span())
                        .related(first_span.clone(), "first listed here")
                        .help("remove the repeated entry"),
                );
                continue;
            }
            out.push((s, item.span()));
        }
        // Good items are returned even when others were bad, so each is still checked for
        // its own rules; callers that derive meaning from the whole list compare lengths.
        Some(out)
    }

    fn choice(&mut self, value: &Value<'_>, key: &str, options: &[&str]) -> Option<usize> {
        if !matches!(value.get_ref(), DeValue::String(_)) {
            let example = format!(
                "{key} = \"{}\" (one of {})",
                options[0],
                quoted_list(options)
            );
            self.type_error(value, key, "a string", &example);
            return None;
        }
        let s = self.string(value, key)?;
        if let Some(i) = options.iter().position(|o| *o == s) {
            return Some(i);
        }
        let list = quoted_list(options);
        let help = match suggest(&s, options) {
            Some(best) => format!("did you mean \"{best}\"? `{key}` is one of {list}"),
            None => format!("`{key}` is one of {list}"),
        };
        self.push(
            Diagnostic::error(format!("unknown {key} \"{s}\""))
                .at(value.span())
                .help(help),
        );
        None
    }

    fn unknown_key(&mut self, key: &str, span: Span, known: &[&str], place: &str) {
        let help = match suggest(key, known) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("known keys {place}: {}", known.join(", ")),
        };
        self.push(
            Diagnostic::error(format!("unknown key `{key}` {place}"))
                .at(span)
                .help(help),
        );
    }

    // ---- values ----

    fn account(&mut self, value: &Value<'_>) -> Option<String> {
        let s = self.string(value, "account")?;
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Some(s);
        }
        self.push(
            Diagnostic::error(format!("`{s}` is not an AWS account id"))
                .at(value.span())
                .label("expected 12 digits")
                .help("an account id is 12 digits, as a string: account = \"111122223333\""),
        );
        None
    }

    fn region(&mut self, value: &Value<'_>) -> Option<String> {
        let s = self.string(value, "region")?;
        match region_problem(&s) {
            None => Some(s),
            Some(problem) => {
                self.push(
                    Diagnostic::error(format!("`{s}` is not a region ssm-compile supports"))
                        .at(value.span())
                        .label(problem)
                        .help("write a region code such as \"us-east-2\", \"eu-west-1\", \"cn-north-1\" or \"us-gov-west-1\""),
                );
                None
            }
        }
    }

    fn output(&mut self, value: &Value<'_>) -> Option<String> {
        let s = self.string(value, "output")?;
        if s.trim().is_empty() {
            self.push(
                Diagnostic::error("`output` is empty")
                    .at(value.span())
                    .help("name a directory relative to access.toml, e.g. output = \"policies\""),
            );
            return None;
        }
        Some(s)
    }

    fn formats(&mut self, value: &Value<'_>) -> Option<Vec<Format>> {
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
                lower => suggest(lower, &names),
            };
            let list = quoted_list(&names);
            let help = match best {
                Some(b) => format!("did you mean \"{b}\"? formats are {list}"),
                None => format!("formats are {list}"),
            };
            self.push(
                Diagnostic::error(format!("unknown format \"{s}\""))
                    .at(span)
                    .help(help),
            );
        }
        out.sort();
        ok.then_some(out)
    }

    fn grant_name(&mut self, name: &str, span: Span) {
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
                Diagnostic::error(problem)
                    .at(span)
                    .help("name grants with 1 to 128 of A-Z a-z 0-9 + = , . @ _ - (e.g. [grant.web-oncall]); the name is the policy name and the file name"),
            );
        }
    }

    fn who(&mut self, value: &Value<'_>) -> Option<Vec<(Principal, Span)>> {
        let items = self.string_list(value, "who", "who = [\"user:alice\", \"group:oncall\"]")?;
        let mut out = Vec::new();
        for (s, span) in items {
            let (kind, name) = match s.split_once(':') {
                Some(("user", n)) => (PrincipalKind::User, n),
                Some(("group", n)) => (PrincipalKind::Group, n),
                Some(("role", n)) => (PrincipalKind::Role, n),
                Some((k, _)) => {
                    let hint = suggest(k, &["user", "group", "role"])
                        .map(|b| format!(" (did you mean `{b}`?)"))
                        .unwrap_or_default();
                    self.push(
                        Diagnostic::error(format!("unknown principal type `{k}` in `{s}`{hint}"))
                            .at(span)
                            .help("write principals as \"user:NAME\", \"group:NAME\" or \"role:NAME\""),
                    );
                    continue;
                }
                None => {
                    self.push(
                        Diagnostic::error(format!(
                            "`{s}` does not say whether it is a user, a group or a role"
                        ))
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
                    Diagnostic::error(format!("`{s}` is not a valid IAM {} name", kind.as_str()))
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

    /// Returns (has session-manager or cli, has ec2).
    fn consoles(&mut self, value: &Value<'_>) -> Option<(bool, bool)> {
        let items = self.string_list(
            value,
            "consoles",
            "consoles = [\"session-manager\", \"cli\", \"ec2\"]",
        )?;
        let known = ["session-manager", "cli", "ec2"];
        // A partly bad list would pick the wrong variant and cause misleading errors later.
        let mut ok = items.len() == value.get_ref().as_array().map_or(0, |a| a.len());
        let (mut sm, mut ec2) = (false, false);
        for (s, span) in items {
            match s.as_str() {
                "session-manager" | "cli" => sm = true,
                "ec2" => ec2 = true,
                other => {
                    ok = false;
                    let help = match suggest(other, &known) {
                        Some(b) => {
                            format!("did you mean \"{b}\"? consoles are {}", quoted_list(&known))
                        }
                        None => format!("consoles are {}", quoted_list(&known)),
                    };
                    self.push(
                        Diagnostic::error(format!("unknown console \"{other}\""))
                            .at(span)
                            .help(help),
                    );
                }
            }
        }
        ok.then_some((sm, ec2))
    }

    fn instances(&mut self, value: &Value<'_>) -> Option<Target> {
        let items =
            self.string_list(value, "instances", "instances = [\"i-0123456789abcdef0\"]")?;
        if let Some((_, star)) = items.iter().find(|(s, _)| s == "*") {
            if items.len() > 1 {
                self.push(
                    Diagnostic::error("`*` must stand alone in `instances`")
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
                    Diagnostic::error(format!("`{s}` is not an instance id"))
                        .at(span.clone())
                        .label(problem)
                        .help("write EC2 instances as i- and 8 or 17 lowercase hex digits, managed nodes as mi- and 17; use [\"*\"] for every instance or `tags` to select by tag"),
                );
            }
        }
        ok.then(|| Target::Instances(items.into_iter().map(|(s, _)| s).collect()))
    }

    fn tags(&mut self, value: &Value<'_>) -> Option<Target> {
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
                Diagnostic::error("`tags` is empty")
                    .at(value.span())
                    .help("name at least one tag: tags = { Team = \"web\" }"),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (key, v) in table.iter() {
            let k: &str = key.get_ref().as_ref();
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
                ok = false;
                let help = if k == "tag-key" {
                    "replace it with the key of a tag your instances carry, e.g. tags = { Team = \"web\" }"
                } else {
                    "tag keys have 1 to 128 letters, digits, spaces and _ . : / = + - @, and do not start with aws:"
                };
                self.push(
                    Diagnostic::error(format!("invalid tag key `{k}`"))
                        .at(key.span())
                        .label(problem)
                        .help(help),
                );
            }
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
            for (s, span) in &values {
                if s == "tag-value" {
                    ok = false;
                    self.push(
                        Diagnostic::error(format!("invalid tag value for `{k}`"))
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
                        Diagnostic::error(format!("invalid tag value for `{k}`"))
                            .at(span.clone())
                            .label(problem)
                            .help("IAM policies hold only characters U+0020 to U+00FF; `*` and `?` are wildcards"),
                    );
                }
            }
            out.push((k.to_owned(), values.into_iter().map(|(s, _)| s).collect()));
        }
        ok.then_some(Target::Tags(out))
    }

    fn documents(&mut self, value: &Value<'_>) -> Option<Vec<String>> {
        let items = self.string_list(
            value,
            "documents",
            "documents = [\"SSM-SessionManagerRunShell\"]",
        )?;
        let mut ok = true;
        for (s, span) in &items {
            if let Some(problem) = document_problem(s) {
                ok = false;
                self.push(
                    Diagnostic::error(format!("`{s}` is not a session document name"))
                        .at(span.clone())
                        .label(problem)
                        .help("write the document's name (3 to 128 of A-Z a-z 0-9 _ - .), e.g. \"SSM-SessionManagerRunShell\" or \"AWS-StartSSHSession\""),
                );
            }
        }
        ok.then(|| items.into_iter().map(|(s, _)| s).collect())
    }

    fn kms_key(&mut self, key: &str, span: Span, partition: Partition, region: &str) {
        let fields: Vec<&str> = key.splitn(6, ':').collect();
        let err = |problem: String| {
            Diagnostic::error(format!("`kms_key` is not a KMS key ARN: {problem}"))
                .at(span.clone())
                .help("write the key's ARN: arn:aws:kms:REGION:ACCOUNT:key/KEY-ID (aws kms describe-key --key-id ... --query KeyMetadata.Arn)")
        };
        if fields.len() != 6 || fields[0] != "arn" || fields[2] != "kms" {
            self.push(err(
                "expected arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID".to_owned()
            ));
            return;
        }
        let (p, r, a, resource) = (fields[1], fields[3], fields[4], fields[5]);
        if resource.starts_with("alias/") {
            self.push(
                Diagnostic::error("`kms_key` is an alias ARN; IAM cannot grant a key through its alias")
                    .at(span)
                    .label("a policy on an alias ARN does not allow using the key")
                    .help("use the key ARN the alias points to: aws kms describe-key --key-id alias/NAME --query KeyMetadata.Arn"),
            );
            return;
        }
        let Some(id) = resource.strip_prefix("key/") else {
            self.push(err(format!("the resource `{resource}` is not key/KEY-ID")));
            return;
        };
        if !Partition::ALL.iter().any(|x| x.as_str() == p) {
            self.push(err(format!("unknown partition `{p}`")));
            return;
        }
        if let Some(problem) = region_problem(r) {
            self.push(err(format!("region `{r}`: {problem}")));
            return;
        }
        if !(a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())) {
            self.push(err(format!("account `{a}` is not 12 digits")));
            return;
        }
        if !is_key_id(id) {
            self.push(err(format!(
                "`{id}` is not a key id (a lowercase UUID, or mrk- and 32 hex digits)"
            )));
            return;
        }
        if p != partition.as_str() {
            self.push(
                Diagnostic::error(format!(
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
                Diagnostic::warning(format!(
                    "`kms_key` is in region `{r}`, but the grant's sessions are in region `{region}`"
                ))
                .at(span)
                .help("Session Manager encrypts with a key of the sessions' region; check that this is the key your session preferences name"),
            );
        }
    }
}

// ---- pure checks, shared with tests ----

pub fn is_placeholder(s: &str) -> bool {
    PLACEHOLDERS.contains(&s) || s.contains("EXAMPLE")
}

fn is_policy_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// Characters an IAM policy document can hold (besides tab, LF and CR).
fn is_policy_char(c: char) -> bool {
    ('\u{20}'..='\u{ff}').contains(&c)
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() && is_policy_char(c) || " _.:/=+-@".contains(c)
}

fn is_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_key_id(id: &str) -> bool {
    if let Some(mrk) = id.strip_prefix("mrk-") {
        return mrk.len() == 32 && is_hex(mrk);
    }
    let parts: Vec<&str> = id.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && parts.iter().all(|p| is_hex(p))
}

fn region_problem(s: &str) -> Option<String> {
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

fn instance_problem(s: &str) -> Option<String> {
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

fn document_problem(s: &str) -> Option<String> {
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
pub fn is_aws_owned_document(name: &str) -> bool {
    name.starts_with("AWS") || name.starts_with("Amazon")
}

fn quoted_list(options: &[&str]) -> String {
    let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
    quoted.join(", ")
}

/// The closest known word, when it is close enough to be a likely typo.
fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&word, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validating section by section must give exactly what validating the whole file gives.
    fn same_as_whole(text: &str) {
        let whole = match parse::parse(text) {
            Ok(tree) => Some(validate(&tree)),
            Err(_) => None,
        };
        // `None` is fine: the caller then falls back to the whole file.
        let mut grants = Vec::new();
        if let Some((settings, diagnostics)) = validate_sections(text, &mut |g| grants.push(g)) {
            grants.sort_by(|a, b| a.name.cmp(&b.name));
            let sections = (
                settings.map(|settings| Config { settings, grants }),
                diagnostics,
            );
            assert_eq!(Some(sections), whole, "{text}");
        }
    }

    #[test]
    fn sections_match_whole_file() {
        let grant = |name: &str, extra: &str| {
            format!(
                "[grant.{name}]\nrole = \"admin\"\nwho = [\"user:a\"]\nconsoles = [\"ec2\"]\n{extra}\n"
            )
        };
        let head = "account = \"111122223333\"\nregion = \"us-east-2\"\n\n";
        let cases = [
            format!(
                "{head}{}{}",
                grant("a", "tags = { A = \"b\" }"),
                grant("b", "tags = { A = \"c\" }")
            ),
            // A sub-table written after another grant belongs to its own grant.
            format!(
                "{head}{}{}[grant.a.tags]\nA = \"x\"\n",
                grant("a", ""),
                grant("b", "tags = { A = \"c\" }")
            ),
            // A header-like line inside a multi-line string is not a header.
            format!(
                "{head}{}",
                grant("a", "tags = { A = \"\"\"\n[grant.z]\n\"\"\" }")
            ),
            format!(
                "{head}{}{}",
                grant("a", "tags = { A = \"b\" }"),
                grant("a", "tags = { A = \"b\" }")
            ),
            format!(
                "{head}{}{}",
                grant("a", "tags = { A = \"b\" }"),
                grant("A", "tags = { A = \"b\" }")
            ),
            format!(
                "{head}{}{}",
                grant("a", "instances = [\"i-1\"]"),
                grant("b", "kms_key = 3\ntags = {}")
            ),
            format!(
                "region = \"us-east-2\"\n{}{}",
                grant("a", "tags = { A = \"b\" }\naccount = \"111122223333\""),
                grant("b", "tags = { A = \"b\" }")
            ),
            format!("{head}[grant]\n{}", grant("a", "tags = { A = \"b\" }")),
            format!(
                "{head}{}[other]\nx = 1\n",
                grant("a", "tags = { A = \"b\" }")
            ),
            format!("{head}{}", grant("a", "tags = { A = ")),
        ];
        for case in &cases {
            same_as_whole(case);
        }
        assert!(
            validate_sections(&cases[0], &mut |_| {}).is_some(),
            "a plain file is checked by sections"
        );
    }

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
    fn suggestions() {
        assert_eq!(suggest("kms-key", GRANT_KEYS), Some("kms_key"));
        assert_eq!(suggest("instance", GRANT_KEYS), Some("instances"));
        assert_eq!(suggest("zzz", GRANT_KEYS), None);
        assert_eq!(
            suggest("end_user", &["end-user", "admin"]),
            Some("end-user")
        );
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
