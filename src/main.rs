use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use ssm_compile::Format;
use ssm_compile::commands::{self, Options, ReportFormat, WatchOptions};

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

    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    color: Color,

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
}

/// The values of `formats` (src/config.rs `Format`), for the command line.
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
    },
    /// Exit with 1 and list the stale files when the policies are out of date.
    Check,
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
    poll: Option<std::time::Duration>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stderr = std::io::stderr();
    let stdout = std::io::stdout();
    let colors = |terminal: bool| match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal,
    };
    let color = colors(stderr.is_terminal());
    let out_color = colors(stdout.is_terminal());
    let opts = Options {
        config: cli.config,
        out: cli.out,
        color,
        formats: cli
            .emit
            .map(|formats| formats.into_iter().map(Format::from).collect()),
    };
    let command = cli
        .command
        .unwrap_or_else(|| Command::Build(WatchArgs::default()));
    if cli.watch.watch && !matches!(command, Command::Build(_)) {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--watch goes with build only: `ssm-compile --watch` or `ssm-compile build --watch`",
            )
            .exit();
    }
    let exit = match command {
        Command::Build(w) if w.watch || cli.watch.watch => {
            let poll = w.poll.or(cli.watch.poll);
            commands::watch(&opts, &WatchOptions { poll }, &mut stderr.lock())
        }
        Command::Build(_) => commands::build(&opts, &mut stderr.lock()),
        Command::Diff { exit_code, format } => {
            let out = &mut stdout.lock();
            commands::diff(&opts, format, exit_code, out_color, out, &mut stderr.lock())
        }
        Command::Check => commands::check(&opts, out_color, &mut stdout.lock(), &mut stderr.lock()),
    };
    ExitCode::from(exit as u8)
}
