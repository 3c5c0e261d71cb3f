//! `ssm-compile --watch`: build, then rebuild on every save of the configuration until
//! interrupted. The decisions are in `ssm_compile::watch`; this shell owns the watcher, the clock,
//! the reads and the printing.

use std::any::Any;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use notify_debouncer_full::{DebounceEventResult, FileIdCache, NoCache, RecommendedCache};

use super::build::{print_report, write};
use super::diff::shown;
use super::{Exit, Loaded, MAX_CONFIG_BYTES, Options, load_bytes, report, too_large};
use ssm_compile::diagnostic::message::world::FileType;
use ssm_compile::diagnostic::message::{Problem, World};
use ssm_compile::diagnostic::{Diagnostic, Source};
use ssm_compile::outdir;
use ssm_compile::review::render;
use ssm_compile::watch::{Read, Stamp, Timing, Verdict, Watch, watch_error};

use super::watched::{Watched, watched_paths};

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

/// How often the watched directories are checked for having been removed or replaced, which
/// no event on their contents reports.
const DIR_CHECK: Duration = Duration::from_millis(250);

/// After SIGINT/SIGTERM, the longest wait for the loop to finish what it does (a build, the
/// wait for another build's lock) before the process exits anyway: a signal always works.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// A compiled read waiting to be believed (see `crate::watch`): built if the file's stamp is
/// still the same when the watch reads again.
struct Pending {
    stamp: Stamp,
    loaded: Loaded,
    diagnostics: Vec<u8>,
}

/// What the loop keeps besides the decisions.
struct Session<'a> {
    opts: &'a Options,
    wopts: &'a WatchOptions,
    tx: mpsc::Sender<Msg>,
    watched: Watched,
    /// The identity (device, inode) of each watched directory when its watch started.
    ids: Vec<Option<(u64, u64)>>,
    watcher: Option<Box<dyn Any>>,
    gone: bool,
    pending: Option<Pending>,
    last_warnings: String,
    /// The current directory at the start, by path: relative paths are resolved against it.
    cwd: Option<PathBuf>,
}

/// Runs until SIGINT, SIGTERM or SIGHUP; exits 0 then. Exits 2 only when it cannot watch.
pub fn watch(opts: &Options, wopts: &WatchOptions, err: &mut dyn Write) -> Exit {
    let fail = |err: &mut dyn Write, d: Diagnostic| {
        report(err, &[d], &Source::new("", ""));
        Exit::Error
    };
    // A FIFO would block every read (and a device never ends): refused before anything.
    if let Ok(meta) = fs::metadata(&opts.config)
        && !meta.is_file()
    {
        return fail(err, not_regular(&opts.config, &meta.file_type()));
    }
    let watched = match watched_paths(&opts.config) {
        Ok(watched) => watched,
        Err(e) => {
            let d = outdir::io_error("watch the directory of", &opts.config, &e);
            return fail(err, d);
        }
    };
    let (tx, rx) = mpsc::channel();
    let stop = tx.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop.send(Msg::Stop);
        std::thread::sleep(STOP_GRACE);
        let _ = writeln!(io::stderr(), "[{}] stopped watching", clock());
        std::process::exit(0);
    }) {
        let error = e.to_string();
        return fail(err, World::CtrlC { error }.diagnostic());
    }
    let mut timing = Timing::DEFAULT;
    timing.reports_close = wopts.poll.is_none();
    let mut session = Session {
        opts,
        wopts,
        tx,
        ids: dir_ids(&watched),
        watched,
        watcher: None,
        gone: false,
        pending: None,
        last_warnings: String::new(),
        cwd: std::env::current_dir().ok(),
    };
    match session.start_watcher() {
        Ok(w) => session.watcher = Some(w),
        Err((e, dir)) => return fail(err, watch_error(&e, &dir)),
    }
    let how = match wopts.poll {
        Some(i) => format!("polling every {} ms", i.as_millis()),
        None => "on every save".to_string(),
    };
    let _ = writeln!(
        err,
        "[{}] watching {}: rebuilding {how} (Ctrl-C to stop)",
        clock(),
        shown(&opts.config)
    );
    let mut state = Watch::new(session.watched.paths.clone(), timing);
    state.start(Instant::now());
    session.run(&mut state, &rx, err);
    let _ = writeln!(err, "[{}] stopped watching", clock());
    Exit::Success
}

impl Session<'_> {
    fn run(&mut self, state: &mut Watch, rx: &mpsc::Receiver<Msg>, err: &mut dyn Write) {
        loop {
            self.check_dirs(state, err);
            while state.poll(Instant::now()) {
                self.step(state, err);
            }
            if state.writer_overdue(Instant::now()) {
                let _ = writeln!(
                    err,
                    "[{}] {} is still open for writing; building when it is closed",
                    clock(),
                    shown(&self.opts.config)
                );
            }
            let wait = state
                .deadline()
                .map_or(DIR_CHECK, |due| {
                    due.saturating_duration_since(Instant::now())
                })
                .min(DIR_CHECK);
            let msg = match rx.recv_timeout(wait) {
                Ok(msg) => msg,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => Msg::Stop,
            };
            match msg {
                Msg::Events(events) => state.on_events(&events, Instant::now()),
                Msg::Errors(errors) => {
                    let dir = &self.watched.dirs[0];
                    let diags: Vec<_> = errors.iter().map(|e| watch_error(e, dir)).collect();
                    let _ = writeln!(err, "[{}] the watcher reported a problem", clock());
                    report(err, &diags, &Source::new("", ""));
                    // Events may have been lost with the error: read again to be sure.
                    state.on_events([&rescan()], Instant::now());
                }
                Msg::Stop => break,
            }
        }
    }

    /// Notices a watched directory removed (the watch waits for it) or replaced, and a link
    /// re-pointed: the watcher restarts on what the config's path now names, and it is read.
    fn check_dirs(&mut self, state: &mut Watch, err: &mut dyn Write) {
        self.follow_cwd();
        let now = watched_paths(&self.opts.config).ok();
        let ids = now.as_ref().map(dir_ids);
        let present = ids
            .as_ref()
            .is_some_and(|ids| ids.iter().all(Option::is_some));
        if !present {
            if !self.gone {
                self.gone = true;
                self.watcher = None;
                let _ = writeln!(
                    err,
                    "[{}] the directory of {} was removed; waiting for it to come back",
                    clock(),
                    shown(&self.opts.config)
                );
            }
            return;
        }
        let (now, ids) = (now.unwrap(), ids.unwrap());
        if !self.gone && self.watcher.is_some() && now == self.watched && ids == self.ids {
            return;
        }
        let back = std::mem::take(&mut self.gone);
        (self.watched, self.ids) = (now, ids);
        match self.start_watcher() {
            Ok(w) => self.watcher = Some(w),
            Err((e, dir)) => {
                report(err, &[watch_error(&e, &dir)], &Source::new("", ""));
                self.gone = true; // tried again at the next check
                return;
            }
        }
        if back {
            let _ = writeln!(err, "[{}] the directory is back", clock());
        }
        state.set_paths(self.watched.paths.clone());
        state.on_events([&rescan()], Instant::now());
    }

    /// When the current directory was removed and made again (`rm -r` and `git clone` of the
    /// project the watch runs in), the process still sits in the removed one, where relative
    /// paths name nothing: move into the new directory of the same path.
    fn follow_cwd(&self) {
        let Some(cwd) = &self.cwd else { return };
        let id = |p: &Path| fs::metadata(p).ok().map(|m| Stamp::of(&m).id);
        if let Some(new) = id(cwd)
            && id(Path::new(".")) != Some(new)
        {
            let _ = std::env::set_current_dir(cwd);
        }
    }

    fn start_watcher(&self) -> Result<Box<dyn Any>, (notify::Error, PathBuf)> {
        let tx = self.tx.clone();
        let handler = move |result: DebounceEventResult| {
            let _ = tx.send(match result {
                Ok(events) => Msg::Events(events.into_iter().map(|e| e.event).collect()),
                Err(errors) => Msg::Errors(errors),
            });
        };
        let dirs = &self.watched.dirs;
        let started = match self.wopts.poll {
            None => start::<RecommendedWatcher, _>(
                dirs,
                handler,
                RecommendedCache::new(),
                notify::Config::default(),
            ),
            Some(interval) => {
                // Compare contents: a save within the file system's mtime granularity counts.
                let config = notify::Config::default()
                    .with_poll_interval(interval)
                    .with_compare_contents(true);
                start::<PollWatcher, _>(dirs, handler, NoCache, config)
            }
        };
        started.map_err(|e| (e, dirs[0].clone()))
    }

    /// One read of the configuration and what follows from it. A compiled read is held until
    /// it is believed; then it is built without reading or compiling again.
    fn step(&mut self, state: &mut Watch, err: &mut dyn Write) {
        let opts = self.opts;
        let started = Instant::now();
        if let Some(p) = self.pending.take() {
            let stamp = fs::metadata(&opts.config).ok().map(|m| Stamp::of(&m));
            if stamp.as_ref() == Some(&p.stamp) {
                if state.on_read(Read::Valid(p.stamp.clone()), Instant::now()) == Verdict::Build {
                    self.build(p, started, err);
                }
                return;
            }
        }
        let (bytes, stamp) = match read_config(&opts.config) {
            Ok(Some((bytes, stamp))) => (Some(bytes), Some(stamp)),
            Ok(None) => (None, None),
            Err(d) => {
                // Unreadable (too large, permissions, a FIFO...): the next save tries again.
                let _ = writeln!(err, "[{}] could not read the configuration", clock());
                report(err, &[d], &Source::new("", ""));
                return;
            }
        };
        // Diagnostics are held until the verdict: a half-written file's errors are never shown.
        let mut diagnostics = Vec::new();
        let read = match (bytes, stamp) {
            (Some(bytes), Some(stamp)) => match load_bytes(opts, bytes, &mut diagnostics) {
                Ok(loaded) => {
                    let read = Read::Valid(stamp.clone());
                    self.pending = Some(Pending {
                        stamp,
                        loaded,
                        diagnostics: std::mem::take(&mut diagnostics),
                    });
                    read
                }
                Err((_, bytes)) => Read::Invalid(bytes),
            },
            _ => Read::Missing,
        };
        let config = shown(&opts.config);
        match state.on_read(read, Instant::now()) {
            Verdict::Build => {
                if let Some(p) = self.pending.take() {
                    self.build(p, started, err);
                }
            }
            Verdict::ReportErrors => {
                let _ = writeln!(
                    err,
                    "[{}] {config} has errors; the policies are left as they were",
                    clock()
                );
                let _ = err.write_all(&diagnostics);
                self.last_warnings.clear();
            }
            Verdict::ReportMissing => {
                let what = if state.seen() {
                    "is gone; waiting for it to come back"
                } else {
                    "does not exist yet; waiting for it"
                };
                let _ = writeln!(err, "[{}] {config} {what}", clock());
            }
            Verdict::Retry | Verdict::Nothing => {}
        }
    }

    /// Writes a believed read and prints what changed.
    fn build(&mut self, p: Pending, started: Instant, err: &mut dyn Write) {
        let opts = self.opts;
        let warnings = String::from_utf8_lossy(&p.diagnostics).into_owned();
        if warnings != self.last_warnings {
            let _ = err.write_all(warnings.as_bytes());
            self.last_warnings = warnings;
        }
        // Reviewed before the build, which replaces the state it compares with.
        let verdict = super::diff::review(opts, &p.loaded, true, false)
            .ok()
            .and_then(|r| render::text::verdict_string(&r).ok())
            .unwrap_or_default();
        let Ok(done) = write(&p.loaded, err) else {
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
            "[{}] rebuilt from {} in {} ms",
            clock(),
            shown(&opts.config),
            started.elapsed().as_millis(),
        );
        print_report(err, &p.loaded, &done);
        let _ = err.write_all(verdict.as_bytes());
    }
}

fn rescan() -> notify::Event {
    notify::Event::new(notify::EventKind::Other).set_flag(notify::event::Flag::Rescan)
}

/// Starts a debounced watcher on `dirs` (not recursive: the policies below are not watched).
fn start<T: Watcher + 'static, C: FileIdCache + Send + 'static>(
    dirs: &[PathBuf],
    handler: impl FnMut(DebounceEventResult) + Send + 'static,
    cache: C,
    config: notify::Config,
) -> Result<Box<dyn Any>, notify::Error> {
    let mut debouncer = notify_debouncer_full::new_debouncer_opt::<_, T, C>(
        DEBOUNCE, None, handler, cache, config,
    )?;
    for dir in dirs {
        debouncer.watch(dir, RecursiveMode::NonRecursive)?;
    }
    Ok(Box::new(debouncer))
}

fn dir_ids(watched: &Watched) -> Vec<Option<(u64, u64)>> {
    watched
        .dirs
        .iter()
        .map(|d| fs::metadata(d).ok().map(|m| Stamp::of(&m).id))
        .collect()
}

/// Reads the configuration without ever blocking: opened non-blocking (a FIFO put in its
/// place must not hang the watch, nor keep it from stopping), and only a regular file of at
/// most `MAX_CONFIG_BYTES` is read. `None`: there is no file.
// The error is a diagnostic to print at once; its size costs nothing here.
#[allow(clippy::result_large_err)]
fn read_config(path: &Path) -> Result<Option<(Vec<u8>, Stamp)>, Diagnostic> {
    use std::io::Read as _;
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(outdir::io_error("read", path, &e)),
    };
    let fail = |e: io::Error| outdir::io_error("read", path, &e);
    let meta = file.metadata().map_err(fail)?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta.file_type()));
    }
    let mut bytes = Vec::new();
    (&file)
        .take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(too_large(&outdir::display(path)));
    }
    // The stamp after the read: a write during it changes the stamp, so the read is not
    // believed at the next look.
    let stamp = file.metadata().map(|m| Stamp::of(&m)).map_err(fail)?;
    Ok(Some((bytes, stamp)))
}

fn not_regular(path: &Path, t: &fs::FileType) -> Diagnostic {
    #[cfg(unix)]
    let what = {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            FileType::Fifo
        } else if t.is_dir() {
            FileType::Directory
        } else if t.is_char_device() || t.is_block_device() {
            FileType::Device
        } else {
            FileType::Other
        }
    };
    #[cfg(not(unix))]
    let what = if t.is_dir() {
        FileType::Directory
    } else {
        FileType::Other
    };
    let path = shown(path);
    World::NotRegular { path: &path, what }.diagnostic()
}

/// The time of day (UTC) for the log lines: HH:MM:SS.
fn clock() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let day = secs % 86_400;
    format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
}
