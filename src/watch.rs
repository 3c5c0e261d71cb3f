//! Watch mode's decisions, without I/O: which file-system events matter, when to read the
//! configuration, and what to do with what was read. The shell (`commands::watch`) feeds it
//! debounced events, clock readings and read results, and carries out its answers.
//!
//! Why the configuration is not read on the first event: editors save in several steps
//! (truncate then write; write a temporary file, rename it over the original; delete then
//! create), and a read in the middle sees an empty, half-written or missing file. So:
//! - a burst of events ends only after [`Timing::quiet`] without another one for the config;
//! - while a writer still holds the file open (a data change not yet followed by a
//!   close-for-write, which inotify reports), the read waits, at most [`Timing::open_grace`];
//! - a read that is missing, empty or invalid is not believed at once: it is read again after
//!   [`Timing::settle`], and reported only if the bytes did not change and no event came.
//!   A valid read is built at once, so valid saves pay no extra latency.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostic::Diagnostic;
use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};

/// The waits of the decision logic.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// No event for the config for this long ends a burst.
    pub quiet: Duration,
    /// A missing, empty or invalid read must stay the same this long to be reported.
    pub settle: Duration,
    /// The longest wait for a writer that keeps the file open.
    pub open_grace: Duration,
    /// Whether the watcher reports close-for-write (inotify does; polling does not).
    pub reports_close: bool,
}

impl Timing {
    pub const DEFAULT: Timing = Timing {
        quiet: Duration::from_millis(50),
        settle: Duration::from_millis(400),
        open_grace: Duration::from_secs(2),
        reports_close: true,
    };
}

/// What a read of the configuration found (the shell compiles it to tell valid from invalid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    Missing,
    /// Bytes that compile. They are built at once and never compared, so not kept: a
    /// 100,000-grant configuration is tens of MB.
    Valid,
    /// Bytes that do not compile (empty ones included).
    Invalid(Vec<u8>),
}

/// What the shell should do with a read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Write the plan and print what changed.
    Build,
    /// Print the errors; the outputs stay as they are.
    ReportErrors,
    /// Say the config is gone and that it waits for it.
    ReportMissing,
    /// Maybe a save in progress: read again at [`Watch::deadline`].
    Retry,
    /// Already reported; nothing to say.
    Nothing,
}

/// A read that was not believed yet.
#[derive(Debug)]
struct Doubt {
    read: Read,
    /// When to read again; `None` once that read was asked for.
    recheck: Option<Instant>,
}

/// The watch's state.
#[derive(Debug)]
pub struct Watch {
    config: PathBuf,
    timing: Timing,
    /// When a read is owed: the quiet time after the last event for the config.
    ready: Option<Instant>,
    /// A writer opened the config for writing and has not closed it yet.
    open_since: Option<Instant>,
    doubt: Option<Doubt>,
    /// The last reported read that was not built (missing or invalid), so it is said once.
    reported: Option<Read>,
    /// Whether the config was ever read (to tell "deleted" from "not there yet").
    seen: bool,
}

impl Watch {
    /// `config` is the configuration's path as the watcher reports it (the watched directory
    /// joined with the file name).
    pub fn new(config: PathBuf, timing: Timing) -> Watch {
        Watch {
            config,
            timing,
            ready: None,
            open_since: None,
            doubt: None,
            reported: None,
            seen: false,
        }
    }

    /// Takes in a batch of events. Events for other paths (the policies written, editors'
    /// temporary and backup files) are ignored, so the files the watch writes never trigger it.
    /// A rescan signal (events were lost) makes the next read happen whatever the paths.
    pub fn on_events<'a>(
        &mut self,
        events: impl IntoIterator<Item = &'a notify::Event>,
        now: Instant,
    ) {
        for event in events {
            if event.need_rescan() {
                self.ready = Some(now + self.timing.quiet);
                self.open_since = None;
                continue;
            }
            let Some(pos) = event.paths.iter().position(|p| p == &self.config) else {
                continue;
            };
            // Reads (ours included) change nothing: reacting to them would loop forever.
            if matches!(event.kind, EventKind::Access(a) if a != AccessKind::Close(AccessMode::Write))
            {
                continue;
            }
            // Anything else on the config's name may change it; a save deserves its own answer.
            self.ready = Some(now + self.timing.quiet);
            self.doubt = None;
            self.reported = None;
            if !self.timing.reports_close {
                continue;
            }
            let renamed_away = pos + 1 < event.paths.len();
            match event.kind {
                EventKind::Create(_) | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any)
                    if !renamed_away =>
                {
                    self.open_since.get_or_insert(now);
                }
                EventKind::Access(AccessKind::Close(AccessMode::Write))
                | EventKind::Remove(_)
                | EventKind::Modify(ModifyKind::Name(_)) => self.open_since = None,
                _ => {}
            }
        }
    }

    /// When the shell must call [`Watch::poll`] next, if it is waiting for anything.
    pub fn deadline(&self) -> Option<Instant> {
        let dirty = self.ready.map(|ready| match self.open_since {
            Some(open) => ready.max(open + self.timing.open_grace),
            None => ready,
        });
        let doubt = self.doubt.as_ref().and_then(|d| d.recheck);
        match (dirty, doubt) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether the configuration should be read now.
    pub fn poll(&mut self, now: Instant) -> bool {
        match self.deadline() {
            Some(due) if due <= now => {
                self.ready = None;
                self.open_since = None;
                if let Some(doubt) = &mut self.doubt {
                    doubt.recheck = None;
                }
                true
            }
            _ => false,
        }
    }

    /// Whether the configuration existed at some read.
    pub fn seen(&self) -> bool {
        self.seen
    }

    /// Marks the start: the first read is owed now.
    pub fn start(&mut self, now: Instant) {
        self.ready = Some(now);
    }

    /// Decides what to do with a read made after [`Watch::poll`] said so.
    pub fn on_read(&mut self, read: Read, now: Instant) -> Verdict {
        self.seen |= read != Read::Missing;
        if read == Read::Valid {
            self.doubt = None;
            self.reported = None;
            return Verdict::Build;
        }
        let confirmed = matches!(&self.doubt, Some(d) if d.read == read);
        if !confirmed {
            // The first sight of a missing, empty or invalid file: maybe mid-save.
            self.doubt = Some(Doubt {
                read,
                recheck: Some(now + self.timing.settle),
            });
            return Verdict::Retry;
        }
        self.doubt = None;
        if self.reported.as_ref() == Some(&read) {
            return Verdict::Nothing;
        }
        let verdict = match read {
            Read::Missing => Verdict::ReportMissing,
            _ => Verdict::ReportErrors,
        };
        self.reported = Some(read);
        verdict
    }
}

/// The path under which the watcher reports `config`: watching its directory, not the file,
/// keeps the watch alive when an editor replaces the file (rename, delete and re-create).
pub fn watched_paths(config: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    let dir = match config.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = dir.canonicalize()?;
    let name = config
        .file_name()
        .ok_or_else(|| std::io::Error::other("the configuration path names no file"))?;
    let path = dir.join(name);
    Ok((dir, path))
}

/// The diagnostic for a watcher that could not start or broke, naming the limit to raise.
pub fn watch_error(e: &notify::Error, dir: &Path) -> Diagnostic {
    let dir = dir.to_string_lossy();
    let poll = "or watch by polling instead: ssm-compile --watch --poll 500ms";
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => Diagnostic::error(format!(
            "could not watch {dir}: the system's limit of inotify watches is reached"
        ))
        .help(format!(
            "raise the limit, e.g. `sudo sysctl fs.inotify.max_user_watches=524288` (make it \
             last in /etc/sysctl.d/), {poll}"
        )),
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(EMFILE) => Diagnostic::error(
            format!("could not watch {dir}: too many inotify instances or open files ({io})"),
        )
        .help(format!(
            "raise the limit, e.g. `sudo sysctl fs.inotify.max_user_instances=1024` (or the \
             open-file limit, `ulimit -n`), {poll}"
        )),
        _ => Diagnostic::error(format!("could not watch {dir}: {e}")).help(poll),
    }
}

/// `EMFILE`: inotify_init1 fails with it when `fs.inotify.max_user_instances` is reached.
const EMFILE: i32 = 24;

/// Parses a poll interval: `500ms`, `2s`, `1m`, or a bare number of milliseconds.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not an interval: write it like 500ms, 2s or 1m"))?;
    let d = match unit.trim() {
        "" | "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        _ => return Err(format!("`{text}` has an unknown unit: use ms, s or m")),
    };
    if d < Duration::from_millis(10) {
        return Err(format!("`{text}` is too short: poll at least every 10ms"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::Event;
    use notify::event::{CreateKind, DataChange, Flag, MetadataKind, RemoveKind, RenameMode};

    const CONFIG: &str = "/w/access.toml";

    fn ev(kind: EventKind, paths: &[&str]) -> Event {
        let mut e = Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from(p));
        }
        e
    }
    fn modify() -> EventKind {
        EventKind::Modify(ModifyKind::Data(DataChange::Any))
    }
    fn close() -> EventKind {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
    }
    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    struct Sim {
        w: Watch,
        t0: Instant,
    }
    impl Sim {
        /// Fixed waits, so the expected times below do not follow changes to the defaults.
        fn new() -> Sim {
            Sim::with(Timing {
                quiet: ms(50),
                settle: ms(250),
                open_grace: ms(2000),
                reports_close: true,
            })
        }
        fn with(timing: Timing) -> Sim {
            Sim {
                w: Watch::new(PathBuf::from(CONFIG), timing),
                t0: Instant::now(),
            }
        }
        fn at(&self, t: u64) -> Instant {
            self.t0 + ms(t)
        }
        fn events(&mut self, t: u64, events: &[Event]) {
            let now = self.at(t);
            self.w.on_events(events, now);
        }
        /// Times (ms) at which `poll` said "read", checking every millisecond until `until`.
        fn reads_until(&mut self, from: u64, until: u64) -> Vec<u64> {
            (from..=until)
                .filter(|&t| self.w.poll(self.at(t)))
                .collect()
        }
    }

    #[test]
    fn a_burst_of_events_from_one_save_is_one_read_after_the_quiet_time() {
        let mut s = Sim::new();
        s.events(0, &[ev(modify(), &[CONFIG])]);
        s.events(20, &[ev(modify(), &[CONFIG]), ev(close(), &[CONFIG])]);
        s.events(
            30,
            &[ev(
                EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
                &[CONFIG],
            )],
        );
        assert_eq!(s.reads_until(0, 1000), vec![80]);
    }

    #[test]
    fn events_for_other_files_never_cause_a_read() {
        let mut s = Sim::new();
        s.events(
            0,
            &[
                ev(modify(), &["/w/web.json"]),
                ev(
                    EventKind::Create(CreateKind::File),
                    &["/w/.ssm-compile-abc.tmp"],
                ),
                ev(modify(), &["/w/policies"]),
                ev(EventKind::Remove(RemoveKind::File), &["/w/access.toml~"]),
                ev(modify(), &["/elsewhere/access.toml"]),
                // Our own reads of the config.
                ev(
                    EventKind::Access(AccessKind::Open(AccessMode::Read)),
                    &[CONFIG],
                ),
                ev(
                    EventKind::Access(AccessKind::Close(AccessMode::Read)),
                    &[CONFIG],
                ),
                ev(EventKind::Access(AccessKind::Read), &[CONFIG]),
            ],
        );
        assert_eq!(s.w.deadline(), None);
        assert!(s.reads_until(0, 1000).is_empty());
    }

    #[test]
    fn a_rename_over_the_config_counts_and_is_not_a_write_in_progress() {
        let mut s = Sim::new();
        // vim / JetBrains: write a temporary file, then rename it over the config.
        s.events(
            0,
            &[ev(
                EventKind::Create(CreateKind::File),
                &["/w/.access.toml.swp"],
            )],
        );
        s.events(
            5,
            &[ev(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/w/access.toml___jb_tmp___", CONFIG],
            )],
        );
        assert_eq!(s.reads_until(0, 1000), vec![55]);
    }

    #[test]
    fn moving_the_config_away_counts_as_a_change() {
        let mut s = Sim::new();
        s.events(
            0,
            &[ev(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &[CONFIG, "/w/access.toml~"],
            )],
        );
        assert_eq!(s.reads_until(0, 1000), vec![50]);
    }

    #[test]
    fn a_file_still_open_for_writing_is_not_read_until_closed() {
        let mut s = Sim::new();
        s.events(0, &[ev(modify(), &[CONFIG])]); // truncated, writer still writing
        assert!(s.reads_until(0, 300).is_empty());
        s.events(301, &[ev(modify(), &[CONFIG]), ev(close(), &[CONFIG])]);
        assert_eq!(s.reads_until(301, 2000), vec![351]);
    }

    #[test]
    fn a_writer_that_never_closes_is_waited_for_at_most_the_grace() {
        let mut s = Sim::new();
        s.events(0, &[ev(EventKind::Create(CreateKind::File), &[CONFIG])]);
        assert_eq!(s.reads_until(0, 3000), vec![2000]);
    }

    #[test]
    fn without_close_events_polling_reads_after_the_quiet_time() {
        let mut s = Sim::new();
        s.w.timing.reports_close = false;
        s.events(0, &[ev(modify(), &[CONFIG])]);
        assert_eq!(s.reads_until(0, 3000), vec![50]);
    }

    #[test]
    fn lost_events_make_a_full_read_whatever_the_paths() {
        let mut s = Sim::new();
        s.events(0, &[Event::new(EventKind::Other).set_flag(Flag::Rescan)]);
        assert_eq!(s.reads_until(0, 1000), vec![50]);
    }

    #[test]
    fn a_valid_read_builds_at_once() {
        let mut s = Sim::new();
        assert_eq!(s.w.on_read(Read::Valid, s.at(0)), Verdict::Build);
        assert_eq!(s.w.deadline(), None);
    }

    #[test]
    fn an_empty_or_half_written_read_is_retried_then_built_when_complete() {
        let mut s = Sim::new();
        let half = Read::Invalid(b"[grant.a]\nrole = \"ad".to_vec());
        assert_eq!(s.w.on_read(half, s.at(0)), Verdict::Retry);
        assert_eq!(s.w.deadline(), Some(s.at(250)));
        // The rest of the write arrives before the settle time: a fresh read, never an error.
        s.events(100, &[ev(modify(), &[CONFIG]), ev(close(), &[CONFIG])]);
        assert_eq!(s.reads_until(100, 1000), vec![150]);
        let whole = Read::Valid;
        assert_eq!(s.w.on_read(whole, s.at(150)), Verdict::Build);
        assert_eq!(s.w.deadline(), None);
    }

    #[test]
    fn a_read_that_changed_without_an_event_is_doubted_again() {
        let mut s = Sim::new();
        assert_eq!(s.w.on_read(Read::Invalid(vec![]), s.at(0)), Verdict::Retry);
        assert_eq!(s.reads_until(0, 1000), vec![250]);
        let half = Read::Invalid(b"acc".to_vec());
        assert_eq!(s.w.on_read(half.clone(), s.at(250)), Verdict::Retry);
        assert_eq!(s.reads_until(251, 1000), vec![500]);
        assert_eq!(s.w.on_read(half, s.at(500)), Verdict::ReportErrors);
    }

    #[test]
    fn a_stable_invalid_save_is_reported_once() {
        let mut s = Sim::new();
        let bad = Read::Invalid(b"bad".to_vec());
        assert_eq!(s.w.on_read(bad.clone(), s.at(0)), Verdict::Retry);
        assert!(s.w.poll(s.at(250)));
        assert_eq!(s.w.on_read(bad.clone(), s.at(250)), Verdict::ReportErrors);
        assert_eq!(s.w.deadline(), None);
        // A rescan re-reads the same bytes: nothing new to say.
        s.events(300, &[Event::new(EventKind::Other).set_flag(Flag::Rescan)]);
        assert_eq!(s.reads_until(300, 400), vec![350]);
        assert_eq!(s.w.on_read(bad.clone(), s.at(350)), Verdict::Retry);
        assert_eq!(s.w.on_read(bad.clone(), s.at(600)), Verdict::Nothing);
        // The user saves the same bytes again: they are told again.
        s.events(700, &[ev(modify(), &[CONFIG]), ev(close(), &[CONFIG])]);
        assert_eq!(s.reads_until(700, 800), vec![750]);
        assert_eq!(s.w.on_read(bad.clone(), s.at(750)), Verdict::Retry);
        assert_eq!(s.w.on_read(bad, s.at(1000)), Verdict::ReportErrors);
    }

    #[test]
    fn a_deleted_config_is_reported_once_after_settling_and_its_return_builds() {
        let mut s = Sim::new();
        s.events(0, &[ev(EventKind::Remove(RemoveKind::File), &[CONFIG])]);
        assert_eq!(s.reads_until(0, 100), vec![50]);
        assert_eq!(s.w.on_read(Read::Missing, s.at(50)), Verdict::Retry);
        assert_eq!(s.reads_until(51, 1000), vec![300]);
        assert_eq!(
            s.w.on_read(Read::Missing, s.at(300)),
            Verdict::ReportMissing
        );
        assert_eq!(s.w.deadline(), None);
        s.events(
            5000,
            &[
                ev(EventKind::Create(CreateKind::File), &[CONFIG]),
                ev(close(), &[CONFIG]),
            ],
        );
        assert_eq!(s.reads_until(5000, 6000), vec![5050]);
        assert_eq!(s.w.on_read(Read::Valid, s.at(5050)), Verdict::Build);
    }

    #[test]
    fn delete_then_create_within_the_settle_time_is_never_reported_missing() {
        let mut s = Sim::new();
        s.events(0, &[ev(EventKind::Remove(RemoveKind::File), &[CONFIG])]);
        assert!(s.w.poll(s.at(50)));
        assert_eq!(s.w.on_read(Read::Missing, s.at(50)), Verdict::Retry);
        s.events(
            120,
            &[
                ev(EventKind::Create(CreateKind::File), &[CONFIG]),
                ev(close(), &[CONFIG]),
            ],
        );
        assert_eq!(s.reads_until(51, 1000), vec![170]);
        assert_eq!(s.w.on_read(Read::Valid, s.at(170)), Verdict::Build);
    }

    #[test]
    fn start_reads_at_once() {
        let mut s = Sim::new();
        s.w.start(s.at(100));
        assert!(s.w.poll(s.at(100)));
    }

    #[test]
    fn intervals_parse_with_units_and_reject_nonsense() {
        assert_eq!(parse_interval("500ms"), Ok(ms(500)));
        assert_eq!(parse_interval("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_interval("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_interval("750"), Ok(ms(750)));
        assert!(parse_interval("fast").is_err());
        assert!(parse_interval("5h").is_err());
        assert!(parse_interval("1ms").is_err());
        assert!(parse_interval("").is_err());
    }

    #[test]
    fn the_config_is_matched_under_its_canonical_directory() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("access.toml");
        let (watched, path) = watched_paths(&config).unwrap();
        assert_eq!(watched, dir.path().canonicalize().unwrap());
        assert_eq!(path, watched.join("access.toml"));
    }

    #[test]
    fn watch_limit_errors_name_the_sysctl_to_raise() {
        let dir = Path::new("/w");
        let text = |e: notify::Error| format!("{:?}", watch_error(&e, dir));
        let watches = text(notify::Error::new(notify::ErrorKind::MaxFilesWatch));
        assert!(watches.contains("fs.inotify.max_user_watches"), "{watches}");
        assert!(watches.contains("--poll"), "{watches}");
        let instances = text(notify::Error::io(std::io::Error::from_raw_os_error(EMFILE)));
        assert!(
            instances.contains("fs.inotify.max_user_instances"),
            "{instances}"
        );
        let other = text(notify::Error::generic("boom"));
        assert!(
            other.contains("boom") && !other.contains("sysctl"),
            "{other}"
        );
    }
}
