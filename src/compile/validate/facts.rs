//! The checks against the pinned AWS tables: a region must exist (`aws::regions`), an AWS-owned
//! session document must be one AWS publishes (`aws::documents`), unless `allow_unknown` lets a
//! value newer than the tables through with a warning.

use super::{Span, Validator};
use crate::aws::names::is_aws_owned_document;
use crate::aws::{documents as aws_documents, regions};
use crate::diagnostic::message::{Problem, Values};

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
            self.push(Values::UnknownRegionAllowed { value: s, within }.at(span));
            return true;
        }
        let found = Values::UnknownRegion {
            value: s,
            within,
            suggestion: regions::suggest(s),
            pattern: pattern.is_some(),
        };
        self.push(found.at(span));
        false
    }

    /// An AWS-owned name (AWS..., Amazon...) must be in the pinned table: customers cannot create
    /// such names, so any other is a document that does not exist, or one newer than the table.
    pub(super) fn aws_document(&mut self, s: &str, span: Span) -> bool {
        if !is_aws_owned_document(s) || aws_documents::find(s).is_some() {
            return true;
        }
        if self.allow_unknown.documents {
            self.push(Values::UnknownDocumentAllowed { value: s }.at(span));
            return true;
        }
        let suggestion = aws_documents::suggest(s);
        self.push(
            Values::UnknownDocument {
                value: s,
                suggestion,
            }
            .at(span),
        );
        false
    }
}
