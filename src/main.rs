use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ssm_compile::commands::{self, Options, WatchOptions};

/// Compile access.toml into AWS Session Manager IAM policies.
#[derive(Parser)]
#[command(
    name = "ssm-compile",
    version,
    about,
    args_conflicts_with_subcommands = false
)]
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

    #[command(flatten)]
    watch: WatchArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Compile and write the policies (the default command).
    Build(WatchArgs),
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
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stderr.is_terminal()
        }
    };
    let opts = Options {
        config: cli.config,
        out: cli.out,
        color,
    };
    let exit = match cli.command.unwrap_or_default() {
        Command::Build(w) if w.watch || cli.watch.watch => {
            let poll = w.poll.or(cli.watch.poll);
            commands::watch(&opts, &WatchOptions { poll }, &mut stderr.lock())
        }
        Command::Build(_) => commands::build(&opts, &mut stderr.lock()),
    };
    ExitCode::from(exit as u8)
}

impl Default for Command {
    fn default() -> Self {
        Command::Build(WatchArgs::default())
    }
}
