//! `ssm-compile completions SHELL` and `ssm-compile man`: generated from clap's description of
//! the command line (`cli::command`), so they list exactly the commands and flags there are.

use std::io::{self, Write};

use super::Exit;
use ssm_compile::diagnostic::Source;
use ssm_compile::diagnostic::message::{Problem, World};

/// Prints the completion script for `shell` (clap_complete).
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let mut cmd = crate::cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ssm-compile", &mut script);
    written(out.write_all(&script).and_then(|()| out.flush()), err)
}

/// Prints the man page, roff, of the command and its subcommands (clap_mangen).
pub fn man(out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let cmd = crate::cli::command();
    let mut page = Vec::new();
    let rendered = clap_mangen::Man::new(cmd.clone())
        .render(&mut page)
        .and_then(|()| {
            // One page: a section per subcommand with its own flags follows the main sections.
            for sub in cmd
                .get_subcommands()
                .filter(|s| s.get_arguments().next().is_some())
            {
                let name = sub.get_name().to_uppercase();
                writeln!(page, ".SH \"SSM-COMPILE {name}\"")?;
                if let Some(about) = sub.get_about() {
                    writeln!(page, "{about}")?;
                }
                clap_mangen::Man::new(sub.clone()).render_options_section(&mut page)?;
            }
            Ok(())
        });
    written(rendered.and_then(|()| out.write_all(&page)), err)
}

/// A closed pipe (`| head`) is not an error; any other write error is.
fn written(result: io::Result<()>, err: &mut dyn Write) -> Exit {
    match result {
        Ok(()) => Exit::Success,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Exit::Success,
        Err(e) => {
            let error = e.to_string();
            let d = World::PrintFailed {
                what: "the output",
                error,
            }
            .diagnostic();
            super::report(err, &[d], &Source::new("", ""));
            Exit::Error
        }
    }
}
