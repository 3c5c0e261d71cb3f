//! The command line: clap's view of the arguments (`Cli`), resolved once into what to run
//! (`Invocation`), so the commands never see clap.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use ssm_compile::Format;

use crate::commands::{FailOn, Options, ReportFormat, Verbosity};

/// Compile access.toml into AWS Session Manager IAM policies.
#[derive(Parser)]
#[command(name = "ssm-compile", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// The configuration file.
    #[arg(
        short,
        long,
        global = true,
        default_value = "access.toml",
        value_name = "FILE"
    )]
    config: PathBuf,

    /// The output directory [default: the file's `output` key, else `policies`, next to the file]
    #[arg(short, long, global = true, value_name = "DIR")]
    out: Option<PathBuf>,

    #[command(flatten)]
    color: colorchoice_clap::Color,

    /// The outputs to generate, instead of the file's `formats` (comma-separated)
    #[arg(
        long,
        global = true,
        value_enum,
        value_delimiter = ',',
        num_args = 1..,
        value_name = "FORMATS"
    )]
    emit: Option<Vec<Emit>>,

    #[command(flatten)]
    watch: WatchArgs,

    #[command(flatten)]
    verbosity: VerbosityArgs,
}

/// `-q` and `-v`, as cargo has them.
#[derive(Args)]
struct VerbosityArgs {
    /// Print only errors and the closing summary (no warnings, no per-file lines)
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,

    /// Print more: which configuration is compiled into which directory, in which formats
    #[arg(short, long, global = true)]
    verbose: bool,
}

impl VerbosityArgs {
    fn level(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        }
    }
}

/// clap's description of the whole command line, for completions and the man page.
pub fn command() -> clap::Command {
    Cli::command()
}

/// The values of `formats` (`Format`), for the command line.
#[derive(Clone, Copy, ValueEnum)]
enum Emit {
    Json,
    #[value(name = "cloudformation")]
    CloudFormation,
    Terraform,
}

impl From<Emit> for Format {
    fn from(e: Emit) -> Format {
        match e {
            Emit::Json => Format::Json,
            Emit::CloudFormation => Format::CloudFormation,
            Emit::Terraform => Format::Terraform,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Compile and write the policies (the default command).
    Build(WatchArgs),
    /// Show what `build` would change: a diff of each policy file and what it does to access.
    Diff {
        /// Exit with 1 when there are changes.
        #[arg(long)]
        exit_code: bool,
        /// The report's format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Exit with 1 exactly when access widens for some principal (`widening`), else 0.
        #[arg(long, value_enum, value_name = "WHEN")]
        fail_on: Option<FailOn>,
        /// With --format markdown: keep the report within N bytes by leaving out diffs (last
        /// first); the per-principal verdict is never cut.
        #[arg(long, value_name = "N")]
        max_bytes: Option<usize>,
    },
    /// Exit with 1 and list the stale files when the policies are out of date.
    Check,
    /// Write a commented starter configuration (to -c FILE, default access.toml).
    Init {
        /// Replace the file if it exists (by default init refuses to overwrite it).
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script (e.g. `ssm-compile completions bash > /etc/bash_completion.d/ssm-compile`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout (e.g. `ssm-compile man | man -l -`).
    Man,
}

/// Watch mode, for `ssm-compile --watch` and `ssm-compile build --watch`.
#[derive(Args, Clone, Default)]
struct WatchArgs {
    /// Keep running: rebuild on every save of the configuration, until Ctrl-C.
    #[arg(long)]
    watch: bool,

    /// With --watch: look for changes every INTERVAL (e.g. 500ms, 2s) instead of using
    /// file-system events, for file systems that send none (network mounts, some containers).
    #[arg(long, value_name = "INTERVAL", requires = "watch", value_parser = ssm_compile::watch::parse_interval)]
    poll: Option<Duration>,
}

/// What to run, with every flag resolved.
pub enum Run {
    Build,
    Watch {
        poll: Option<Duration>,
    },
    Diff {
        format: ReportFormat,
        exit_code: bool,
        fail_on: Option<FailOn>,
        max_bytes: Option<usize>,
    },
    Check,
    Init {
        force: bool,
    },
    Completions {
        shell: clap_complete::Shell,
    },
    Man,
}

pub struct Invocation {
    pub options: Options,
    pub run: Run,
}

/// Parses the command line (exiting on a usage error, as clap does) and sets the colour choice
/// of the output streams.
pub fn parse() -> Invocation {
    let cli = Cli::parse();
    cli.color.write_global();
    let command = cli
        .command
        .unwrap_or_else(|| Command::Build(WatchArgs::default()));
    let run = match command {
        Command::Build(w) if w.watch || cli.watch.watch => Run::Watch {
            poll: w.poll.or(cli.watch.poll),
        },
        Command::Build(_) => Run::Build,
        _ if cli.watch.watch => Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--watch goes with build only: `ssm-compile --watch` or `ssm-compile build --watch`",
            )
            .exit(),
        Command::Diff {
            exit_code,
            format,
            fail_on,
            max_bytes,
        } => Run::Diff {
            format,
            exit_code,
            fail_on,
            max_bytes,
        },
        Command::Check => Run::Check,
        Command::Init { force } => Run::Init { force },
        Command::Completions { shell } => Run::Completions { shell },
        Command::Man => Run::Man,
    };
    let options = Options {
        config: cli.config,
        out: cli.out,
        formats: cli
            .emit
            .map(|formats| formats.into_iter().map(Format::from).collect()),
        verbosity: cli.verbosity.level(),
    };
    Invocation { options, run }
}
