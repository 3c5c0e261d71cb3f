//! `ssm-compile --watch`: build, then rebuild on every save of the configuration until
//! interrupted. The decisions are in `ssm_compile::watch`; this shell owns the watcher, the clock,
//! the reads and the printing.

use std::any::Any;
use std::io::{self, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use notify_debouncer_full::{DebounceEventResult, FileIdCache, NoCache, RecommendedCache};

use super::build::{print_report, write};
use super::{Exit, Options, load_bytes, read_limited, report, too_large};
use ssm_compile::diagnostic::{Diagnostic, Source};
use ssm_compile::outdir;
use ssm_compile::review::render;
use ssm_compile::watch::{Read, Timing, Verdict, Watch, watch_error, watched_paths};

/// The notify-debouncer-full timeout: an event is handed over this long after it happened.
/// Together with `Timing::quiet` a save settles about 100 ms after its last write: below what
/// a person notices, above the few milliseconds an editor's multi-step save takes.
const DEBOUNCE: Duration = Duration::from_millis(50);

#[derive(Clone, Debug, Default)]
pub struct WatchOptions {
    /// Poll the directory at this interval instead of using file-system events.
    pub poll: Option<Duration>,
}

enum Msg {
    Events(Vec<notify::Event>),
    Errors(Vec<notify::Error>),
    Stop,
}

/// Runs until SIGINT, SIGTERM or SIGHUP; exits 0 then. Exits 2 only when it cannot watch.
pub fn watch(opts: &Options, wopts: &WatchOptions, err: &mut dyn Write) -> Exit {
    let fail = |err: &mut dyn Write, d: Diagnostic| {
        report(err, &[d], &Source::new("", ""));
        Exit::Error
    };
    let (dir, config_path) = match watched_paths(&opts.config) {
        Ok(paths) => paths,
        Err(e) => {
            let d = outdir::io_error("watch the directory of", &opts.config, &e);
            return fail(err, d);
        }
    };
    let (tx, rx) = mpsc::channel();
    let stop = tx.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop.send(Msg::Stop);
    }) {
        return fail(
            err,
            Diagnostic::error(format!("could not handle Ctrl-C: {e}")),
        );
    }
    let handler = move |result: DebounceEventResult| {
        let _ = tx.send(match result {
            Ok(events) => Msg::Events(events.into_iter().map(|e| e.event).collect()),
            Err(errors) => Msg::Errors(errors),
        });
    };
    let mut timing = Timing::DEFAULT;
    let watcher = match wopts.poll {
        None => start::<RecommendedWatcher, _>(
            &dir,
            handler,
            RecommendedCache::new(),
            notify::Config::default(),
        ),
        Some(interval) => {
            timing.reports_close = false;
            // Compare contents: a save within the file system's mtime granularity still counts.
            let config = notify::Config::default()
                .with_poll_interval(interval)
                .with_compare_contents(true);
            start::<PollWatcher, _>(&dir, handler, NoCache, config)
        }
    };
    let _watcher = match watcher {
        Ok(w) => w,
        Err(e) => return fail(err, watch_error(&e, &dir)),
    };

    let how = match wopts.poll {
        Some(i) => format!("polling every {} ms", i.as_millis()),
        None => "on every save".to_string(),
    };
    let _ = writeln!(
        err,
        "[{}] watching {}: rebuilding {how} (Ctrl-C to stop)",
        clock(),
        outdir::display(&opts.config)
    );

    let mut state = Watch::new(config_path, timing);
    let mut last_warnings = String::new();
    state.start(Instant::now());
    loop {
        while state.poll(Instant::now()) {
            step(opts, &mut state, &mut last_warnings, err);
            // The watch dies with its directory: say so rather than wait forever.
            if !dir.is_dir() {
                let d = Diagnostic::error(format!(
                    "the directory {} was removed: watching cannot go on",
                    outdir::display(&dir)
                ))
                .help("recreate it and start ssm-compile --watch again");
                return fail(err, d);
            }
        }
        let msg = match state.deadline() {
            Some(due) => match rx.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(msg) => msg,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => Msg::Stop,
            },
            None => rx.recv().unwrap_or(Msg::Stop),
        };
        match msg {
            Msg::Events(events) => state.on_events(&events, Instant::now()),
            Msg::Errors(errors) => {
                let diags: Vec<_> = errors.iter().map(|e| watch_error(e, &dir)).collect();
                let _ = writeln!(err, "[{}] the watcher reported a problem", clock());
                report(err, &diags, &Source::new("", ""));
                // Events may have been lost with the error: read again to be sure.
                let rescan = notify::Event::new(notify::EventKind::Other)
                    .set_flag(notify::event::Flag::Rescan);
                state.on_events([&rescan], Instant::now());
            }
            Msg::Stop => break,
        }
    }
    let _ = writeln!(err, "[{}] stopped watching", clock());
    Exit::Success
}

/// Starts a debounced watcher on `dir` (not recursive: the policies below it are not watched).
fn start<T: Watcher + 'static, C: FileIdCache + Send + 'static>(
    dir: &Path,
    handler: impl FnMut(DebounceEventResult) + Send + 'static,
    cache: C,
    config: notify::Config,
) -> Result<Box<dyn Any>, notify::Error> {
    let mut debouncer = notify_debouncer_full::new_debouncer_opt::<_, T, C>(
        DEBOUNCE, None, handler, cache, config,
    )?;
    debouncer.watch(dir, RecursiveMode::NonRecursive)?;
    Ok(Box::new(debouncer))
}

/// One read of the configuration and what follows from it.
fn step(opts: &Options, state: &mut Watch, last_warnings: &mut String, err: &mut dyn Write) {
    let started = Instant::now();
    let bytes = match read_limited(&opts.config) {
        Ok(Some(bytes)) => Some(bytes),
        Ok(None) => {
            let path = outdir::display(&opts.config);
            let _ = writeln!(err, "[{}] could not read the configuration", clock());
            report(err, &[too_large(&path)], &Source::new(path, ""));
            return;
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => {
            // Unreadable (permissions, a directory...): say so; the next save tries again.
            let _ = writeln!(err, "[{}] could not read the configuration", clock());
            let d = outdir::io_error("read", &opts.config, &e);
            report(err, &[d], &Source::new("", ""));
            return;
        }
    };
    // Diagnostics are held until the verdict: a half-written file's errors are never shown.
    let mut diagnostics = Vec::new();
    let (read, loaded) = match bytes {
        None => (Read::Missing, None),
        // The bytes are compiled without a copy and come back only when they do not compile.
        Some(bytes) => match load_bytes(opts, bytes, &mut diagnostics) {
            Ok(loaded) => (Read::Valid, Some(loaded)),
            Err((_, bytes)) => (Read::Invalid(bytes), None),
        },
    };
    let config = outdir::display(&opts.config);
    match (state.on_read(read, Instant::now()), loaded) {
        (Verdict::Build, Some(loaded)) => {
            let warnings = String::from_utf8_lossy(&diagnostics).into_owned();
            if warnings != *last_warnings {
                let _ = err.write_all(warnings.as_bytes());
                *last_warnings = warnings;
            }
            let compiled_in = started.elapsed();
            // Reviewed before the build, which replaces the state it compares with.
            let verdict = super::diff::review(opts, &loaded, true, false)
                .map(|r| render::text::verdict(&r, true))
                .unwrap_or_default();
            let Ok(done) = write(&loaded, err) else {
                let _ = writeln!(
                    err,
                    "[{}] the build failed; waiting for the next save",
                    clock()
                );
                return;
            };
            if done.written.is_empty() && done.removed.is_empty() {
                // A changed `who` alone rewrites only the manifest: still news for access.
                let what = if verdict.is_empty() {
                    "no changes"
                } else {
                    "no policy file changes"
                };
                let _ = writeln!(err, "[{}] {what}", clock());
                let _ = err.write_all(verdict.as_bytes());
                return;
            }
            let _ = writeln!(
                err,
                "[{}] rebuilt from {config} in {} ms (compiled in {} ms)",
                clock(),
                started.elapsed().as_millis(),
                compiled_in.as_millis()
            );
            print_report(err, &loaded, &done);
            let _ = err.write_all(verdict.as_bytes());
        }
        (Verdict::ReportErrors, _) => {
            let _ = writeln!(
                err,
                "[{}] {config} has errors; the policies are left as they were",
                clock()
            );
            let _ = err.write_all(&diagnostics);
            last_warnings.clear();
        }
        (Verdict::ReportMissing, _) => {
            let what = if state.seen() {
                "is gone; waiting for it to come back"
            } else {
                "does not exist yet; waiting for it"
            };
            let _ = writeln!(err, "[{}] {config} {what}", clock());
        }
        _ => {}
    }
}

/// The time of day (UTC) for the log lines: HH:MM:SS.
fn clock() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let day = secs % 86_400;
    format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
}
