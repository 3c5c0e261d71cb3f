//! `ssm-compile can`: whether one principal may make a request, and the grant that decides.

use std::io::Write;

use super::who_can::{QueryFormat, Question, prepare};
use super::{Exit, Options, report};
use ssm_compile::access::Answer;
use ssm_compile::diagnostic::message::{Problem, Questions};
use ssm_compile::query::{self, CanError, Index, render};

/// `--expect`: the decision a CI check wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Expect {
    Allow,
    Deny,
}

pub fn can(
    opts: &Options,
    principal: &str,
    question: &Question,
    format: QueryFormat,
    expect: Option<Expect>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    let (loaded, asks) = match prepare(opts, question, err) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    let index = Index::new(&loaded.compiled);
    let finding = match query::can(&index, principal, &asks) {
        Ok(f) => f,
        Err(CanError::NotNamed {
            principal,
            suggestion,
        }) => {
            let d = Questions::UnknownPrincipal {
                principal: &principal.to_string(),
                suggestion: suggestion.as_deref(),
            }
            .diagnostic();
            report(err, &[d], &loaded.source);
            return Exit::Error;
        }
        Err(CanError::Undecidable(e)) => {
            report(
                err,
                &[Questions::Undecidable {
                    reason: &e.to_string(),
                }
                .diagnostic()],
                &loaded.source,
            );
            return Exit::Error;
        }
    };
    let text = match format {
        QueryFormat::Text => render::can_text(principal, &asks, &finding),
        QueryFormat::Json => render::can_json(principal, &asks, &finding),
    };
    let _ = out.write_all(text.as_bytes());
    let allowed = finding.answer == Answer::Yes;
    match expect {
        Some(Expect::Allow) if !allowed => mismatch(err, "allow", "deny"),
        Some(Expect::Deny) if allowed => mismatch(err, "deny", "allow"),
        _ => Exit::Success,
    }
}

fn mismatch(err: &mut dyn Write, expected: &str, got: &str) -> Exit {
    let _ = writeln!(err, "expected {expected}, the configuration says {got}");
    Exit::Changes
}
