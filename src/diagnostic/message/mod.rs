//! The message catalogue: every problem ssm-compile reports, with the data its words need, and
//! the one place those words are written (casey/just's `CompileErrorKind`).
//!
//! A detection site says what it found, `Values::BadAccount { value }.at(span)`, and the
//! problem's group file (one per code group of `kind.rs`) turns it into a [`Diagnostic`]: its
//! [`Kind`], message, label, help and related places. The renderers see only `Diagnostic`.

pub mod deploy;
pub mod grant;
pub mod keys;
pub mod lints;
pub mod outputs;
pub mod questions;
pub mod reading;
pub mod shape;
pub mod values;
pub mod world;

use std::ops::Range;

pub use grant::Rules;
pub use keys::Keys;
pub use lints::Lints;
pub use outputs::Outputs;
pub use questions::Questions;
pub use reading::Reading;
pub use shape::Shape;
pub use values::Values;
pub use world::World;

use super::{Diagnostic, Kind};

/// A byte range into the configuration, as in [`Diagnostic::span`].
pub type Span = Range<usize>;

/// A problem as found: implemented by each group's enum, whose variants carry the names,
/// values and counts the text needs. Only these methods hold English.
pub trait Problem: Sized {
    /// The catalogue entry (code and severity).
    fn kind(&self) -> Kind;
    /// The one-line message.
    fn message(&self) -> String;
    /// Short text under the caret.
    fn label(&self) -> Option<String> {
        None
    }
    fn help(&self) -> Option<String> {
        None
    }
    /// Other places that explain the problem, each with its text.
    fn related(&self) -> Vec<(Span, String)> {
        Vec::new()
    }

    /// The diagnostic, not yet located (I/O problems have no place in the file).
    fn diagnostic(self) -> Diagnostic {
        let mut d = Diagnostic::new(self.kind(), self.message());
        if let Some(label) = self.label() {
            d = d.label(label);
        }
        if let Some(help) = self.help() {
            d = d.help(help);
        }
        for (span, text) in self.related() {
            d = d.related(span, text);
        }
        d
    }

    /// The diagnostic at `span` of the configuration.
    fn at(self, span: Span) -> Diagnostic {
        self.diagnostic().at(span)
    }
}

#[cfg(test)]
mod tests;
