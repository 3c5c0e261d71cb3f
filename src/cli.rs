//! The command line: clap's view of the arguments (`Cli`), resolved once into what to run
//! (`Invocation`), so the commands never see clap.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use ssm_compile::Format;

use crate::commands::{
    Expect, FailOn, MatrixFormat, Messages, Options, QueryFormat, Question, ReportFormat, Verbosity,
};
use ssm_compile::diagnostic::MessageFormat;

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
        value_name = "FORMATS"
    )]
    emit: Option<Vec<Emit>>,

    /// How diagnostics are printed: human text on stderr, or json (one object a line), github
    /// (workflow commands) or sarif (one SARIF 2.1.0 log) on stdout, the report then on stderr
    #[arg(long, global = true, value_enum, default_value_t = MessageArg::Human, value_name = "FORMAT")]
    message_format: MessageArg,

    /// Make every warning an error: exit 2 and write nothing
    #[arg(long, global = true)]
    deny_warnings: bool,

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

/// The values of `--message-format` (`MessageFormat`), for the command line.
#[derive(Clone, Copy, ValueEnum)]
enum MessageArg {
    Human,
    Json,
    Github,
    Sarif,
}

impl From<MessageArg> for MessageFormat {
    fn from(m: MessageArg) -> MessageFormat {
        match m {
            MessageArg::Human => MessageFormat::Human,
            MessageArg::Json => MessageFormat::Json,
            MessageArg::Github => MessageFormat::Github,
            MessageArg::Sarif => MessageFormat::Sarif,
        }
    }
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
    /// Print the long explanation of a diagnostic code or lint (`E0302`, `W0417`, a lint's code
    /// or name).
    Explain {
        /// The code, as printed in `error[E0302]`.
        code: String,
    },
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
    /// Every principal whose grants allow a request, with the grants that allow it.
    WhoCan(QueryArgs),
    /// Whether one principal may make a request, and the grant that decides.
    Can {
        /// The principal, as written in `who` (user:NAME, group:NAME, role:NAME).
        principal: String,
        #[command(flatten)]
        query: QueryArgs,
        /// Exit with 1 when the decision is not this one.
        #[arg(long, value_enum, value_name = "DECISION")]
        expect: Option<Expect>,
    },
    /// Every principal against what it can reach: instances, tags, documents, consoles, rights.
    Access(AccessArgs),
}

/// The question of `who-can` and `can`: `ACTION RESOURCE`, or `start-session --instance ID`.
#[derive(Args, Clone)]
struct QueryArgs {
    /// An IAM action (ssm:StartSession), or `start-session` for a session on an instance.
    action: String,
    /// The resource ARN of the request (not with start-session).
    resource: Option<String>,
    /// A request context key and its value (repeatable).
    #[arg(long = "context", value_name = "KEY=VALUE", value_parser = key_value)]
    context: Vec<(String, String)>,
    /// start-session: the instance (i-...) or managed node (mi-...).
    #[arg(long, value_name = "ID")]
    instance: Option<String>,
    /// start-session: a tag of the instance (repeatable); tags not given are unknown.
    #[arg(long = "tag", value_name = "KEY=VALUE", value_parser = key_value)]
    tags: Vec<(String, String)>,
    /// start-session: the session document [default: SSM-SessionManagerRunShell].
    #[arg(long, value_name = "NAME")]
    document: Option<String>,
    /// start-session: the instance's account [default: the file's `account`].
    #[arg(long, value_name = "ID")]
    account: Option<String>,
    /// start-session: the instance's region [default: the file's `region`].
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// The answer's format.
    #[arg(long, value_enum, default_value_t = QueryFormat::Text)]
    format: QueryFormat,
}

fn key_value(text: &str) -> Result<(String, String), String> {
    ssm_compile::query::key_value(text)
}

#[derive(Args, Clone)]
struct AccessArgs {
    /// The matrix's format.
    #[arg(long, value_enum, default_value_t = MatrixFormat::Markdown)]
    format: MatrixFormat,
    /// The JSON of `aws iam get-account-authorization-details`: the users behind each group.
    #[arg(long, value_name = "FILE")]
    members: Option<PathBuf>,
    /// The JSON of `aws ec2 describe-instances`: the instances each tag selector reaches.
    #[arg(long, value_name = "FILE")]
    instances: Option<PathBuf>,
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
    Explain {
        code: String,
    },
    Init {
        force: bool,
    },
    Completions {
        shell: clap_complete::Shell,
    },
    Man,
    WhoCan {
        question: Question,
        format: QueryFormat,
    },
    Can {
        principal: String,
        question: Question,
        format: QueryFormat,
        expect: Option<Expect>,
    },
    Access {
        format: MatrixFormat,
        members: Option<PathBuf>,
        instances: Option<PathBuf>,
    },
}

pub struct Invocation {
    pub options: Options,
    pub run: Run,
}

/// How many diagnostics `--watch` prints for one save; the rest are counted.
const WATCH_DIAGNOSTICS: usize = 20;

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
        Command::Explain { code } => Run::Explain { code },
        Command::Init { force } => Run::Init { force },
        Command::Completions { shell } => Run::Completions { shell },
        Command::Man => Run::Man,
        Command::WhoCan(q) => Run::WhoCan {
            format: q.format,
            question: question(q),
        },
        Command::Can {
            principal,
            query,
            expect,
        } => {
            if let Err(e) = ssm_compile::query::check_principal(&principal) {
                usage(&e)
            }
            Run::Can {
                principal,
                format: query.format,
                question: question(query),
                expect,
            }
        }
        Command::Access(a) => Run::Access {
            format: a.format,
            members: a.members,
            instances: a.instances,
        },
    };
    let watching = matches!(run, Run::Watch { .. });
    // --watch prints human text, and at most a screenful of it per save.
    let format = if watching {
        MessageFormat::Human
    } else {
        cli.message_format.into()
    };
    let messages = Messages::new(
        format,
        cli.deny_warnings,
        watching.then_some(WATCH_DIAGNOSTICS),
    );
    let options = Options {
        config: cli.config,
        out: cli.out,
        formats: cli
            .emit
            .map(|formats| formats.into_iter().map(Format::from).collect()),
        messages,
        verbosity: cli.verbosity.level(),
    };
    Invocation { options, run }
}

fn usage(message: &str) -> ! {
    Cli::command()
        .error(clap::error::ErrorKind::ArgumentConflict, message)
        .exit()
}

/// The two forms of a question, checked: `start-session` takes `--instance` and no resource;
/// an action takes a resource and none of the start-session options.
fn question(q: QueryArgs) -> Question {
    if q.action == "start-session" {
        let Some(instance) = q.instance else {
            usage("start-session needs --instance ID (i-... or mi-...)")
        };
        if let Some(resource) = q.resource {
            usage(&format!(
                "start-session takes no resource (`{resource}`): the instance is --instance"
            ))
        }
        return Question::StartSession {
            instance,
            tags: q.tags,
            document: q.document,
            account: q.account,
            region: q.region,
            context: q.context,
        };
    }
    let Some(resource) = q.resource else {
        usage(&format!(
            "`{}` needs a RESOURCE (an ARN); or ask `start-session --instance ID`",
            q.action
        ))
    };
    let friendly = [
        ("--instance", q.instance.is_some()),
        ("--tag", !q.tags.is_empty()),
        ("--document", q.document.is_some()),
        ("--account", q.account.is_some()),
        ("--region", q.region.is_some()),
    ];
    if let Some((flag, _)) = friendly.iter().find(|(_, set)| *set) {
        usage(&format!(
            "{flag} goes with `start-session`; with an action and an ARN, give the request context with --context KEY=VALUE"
        ))
    }
    Question::Plain {
        action: q.action,
        resource,
        context: q.context,
    }
}
