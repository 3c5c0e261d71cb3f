//! `ssm-compile who-can`: every principal whose grants allow a request.

use std::io::Write;

use super::{Exit, Loaded, Options, load, report};
use ssm_compile::compile::config::Format;
use ssm_compile::diagnostic::message::{Problem, Questions};
use ssm_compile::query::{self, Ask, Index, Place, render};

/// A question as the command line gives it.
#[derive(Clone, Debug)]
pub enum Question {
    Plain {
        action: String,
        resource: String,
        context: Vec<(String, String)>,
    },
    StartSession {
        instance: String,
        tags: Vec<(String, String)>,
        document: Option<String>,
        account: Option<String>,
        region: Option<String>,
        context: Vec<(String, String)>,
    },
}

/// `--format` of `who-can` and `can`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryFormat {
    #[default]
    Text,
    Json,
}

/// Loads the configuration (its policies only: the questions read no template) and turns the
/// question into its requests.
pub(super) fn prepare(
    opts: &Options,
    question: &Question,
    err: &mut dyn Write,
) -> Result<(Loaded, Vec<Ask>), Exit> {
    let opts = Options {
        formats: Some(vec![Format::Json]),
        ..opts.clone()
    };
    let loaded = load(&opts, err)?;
    let asks = match question {
        Question::Plain {
            action,
            resource,
            context,
        } => vec![query::plain(action, resource, context)],
        Question::StartSession {
            instance,
            tags,
            document,
            account,
            region,
            context,
        } => {
            let place = Place::resolve(&loaded.source.text, account.as_deref(), region.as_deref());
            let place = match place {
                Ok(place) => place,
                Err(key) => {
                    let d = Questions::Incomplete { key }.diagnostic();
                    report(err, &[d], &loaded.source);
                    return Err(Exit::Error);
                }
            };
            let mut asks = query::start_session(&place, instance, tags, document.as_deref());
            for (k, v) in context {
                asks[0].request.context.insert(k.clone(), v.clone());
            }
            asks
        }
    };
    Ok((loaded, asks))
}

pub fn who_can(
    opts: &Options,
    question: &Question,
    format: QueryFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    let (loaded, asks) = match prepare(opts, question, err) {
        Ok(found) => found,
        Err(exit) => return exit,
    };
    let index = Index::new(&loaded.compiled);
    let findings = match query::who_can(&index, &asks) {
        Ok(f) => f,
        Err(e) => {
            let reason = e.to_string();
            let d = Questions::Undecidable { reason: &reason }.diagnostic();
            report(err, &[d], &loaded.source);
            return Exit::Error;
        }
    };
    let text = match format {
        QueryFormat::Text => render::who_can_text(&asks, &findings),
        QueryFormat::Json => render::who_can_json(&asks, &findings),
    };
    let _ = out.write_all(text.as_bytes());
    Exit::Success
}
