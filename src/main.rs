//! The ssm-compile binary: the command line (`cli`), the command shells (`commands`), and the
//! output streams, which strip colour where it is off (anstream). The core is the library.

#![warn(clippy::too_many_lines)]

mod cli;
mod commands;

use std::process::ExitCode;

fn main() -> ExitCode {
    let invocation = cli::parse();
    let (out, err) = (
        &mut anstream::stdout().lock(),
        &mut anstream::stderr().lock(),
    );
    let exit = commands::run(invocation, out, err);
    ExitCode::from(exit as u8)
}
