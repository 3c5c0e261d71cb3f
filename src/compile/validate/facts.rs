//! The checks against the pinned AWS tables: a region must exist (`aws::regions`), an AWS-owned
//! session document must be one AWS publishes (`aws::documents`), unless `allow_unknown` lets a
//! value newer than the tables through with a warning.

use super::{Span, Validator};
use crate::aws::names::is_aws_owned_document;
use crate::aws::{documents as aws_documents, regions};
use crate::diagnostic::{Diagnostic, Kind};

impl Validator<'_> {
    /// A region of the right shape must be in the pinned table (an ARN naming a region that does
    /// not exist grants nothing), unless `allow_unknown` lets it through with a warning.
    /// `within` names where the region is written, for a region inside an ARN.
    pub(super) fn known_region(&mut self, s: &str, span: Span, within: &str) -> bool {
        if regions::region(s).is_some() {
            return true;
        }
        let pattern = regions::partition_by_pattern(s);
        if self.allow_unknown.regions && pattern.is_some() {
            self.push(
                Diagnostic::new(Kind::UnknownRegionAllowed, format!(
                    "region `{s}`{within} is not in ssm-compile's region table (botocore {}, {})",
                    regions::BOTOCORE_VERSION,
                    regions::SOURCE_DATE
                ))
                .at(span)
                .label("let through by allow_unknown = [\"regions\"]")
                .help("if AWS has no such region, every ARN naming it grants nothing: check it (aws account list-regions)"),
            );
            return true;
        }
        let help = match (regions::suggest(s), pattern) {
            (Some(best), _) => format!("did you mean \"{best}\"?"),
            (None, Some(_)) => "for a region newer than ssm-compile's table, add allow_unknown = [\"regions\"] at the top of the file".to_owned(),
            (None, None) => "write a region code such as \"us-east-2\", \"eu-west-1\", \"cn-north-1\" or \"us-gov-west-1\"".to_owned(),
        };
        self.push(
            Diagnostic::new(
                Kind::UnknownRegion,
                format!("`{s}`{within} is not an AWS region"),
            )
            .at(span)
            .label(format!(
                "not a region in {} ({})",
                regions::SOURCE,
                regions::SOURCE_DATE
            ))
            .help(help),
        );
        false
    }

    /// An AWS-owned name (AWS..., Amazon...) must be in the pinned table: customers cannot create
    /// such names, so any other is a document that does not exist, or one newer than the table.
    pub(super) fn aws_document(&mut self, s: &str, span: Span) -> bool {
        if !is_aws_owned_document(s) || aws_documents::find(s).is_some() {
            return true;
        }
        if self.allow_unknown.documents {
            self.push(
                Diagnostic::new(Kind::UnknownDocumentAllowed, format!(
                    "`{s}` is not in ssm-compile's table of AWS session documents (checked {})",
                    aws_documents::CHECKED
                ))
                .at(span)
                .label("let through by allow_unknown = [\"documents\"]")
                .help("if AWS publishes no such Session document, the grant starts no session with it: check the exact, case-sensitive name (aws ssm describe-document --name NAME)"),
            );
            return true;
        }
        let help = match aws_documents::suggest(s) {
            Some(best) => format!("did you mean \"{best}\"? document names are case-sensitive"),
            None => format!(
                "AWS's session documents are {}; for one newer than this table, add allow_unknown = [\"documents\"] at the top of the file",
                aws_documents::aws_owned()
                    .map(|d| d.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.push(
            Diagnostic::new(
                Kind::UnknownDocument,
                format!("`{s}` is not an AWS session document"),
            )
            .at(span)
            .label(
                "AWS publishes no session document of this name; the grant would start no session",
            )
            .help(help),
        );
        false
    }
}
