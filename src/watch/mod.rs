//! Watch mode's decisions, without I/O: which file-system events matter, when to read the
//! configuration, and what to do with what was read. The shell (`commands::watch`) feeds it
//! debounced events, clock readings and read results, and carries out its answers.
//!
//! Why the configuration is not read on the first event: editors save in several steps
//! (truncate then write; write a temporary file, rename it over the original; delete then
//! create), and a read in the middle sees an empty, half-written or missing file. So:
//! - a burst of events ends only after [`Timing::quiet`] without another one for the config;
//! - while a writer still holds the file open (a data change not yet followed by a
//!   close-for-write, which inotify reports), there is no read at all, however long the writer
//!   takes; after [`Timing::open_grace`] the shell says what it waits for;
//! - no read is believed at once: a valid one is built only if the file is still the same
//!   (size, modification time, inode: a [`Stamp`]) and no event came [`Timing::settle`] later,
//!   so a save made in two steps with a pause between is built once, whole; a missing, empty or
//!   invalid read is reported only if its bytes stayed the same as long.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::{Problem, World};
use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};

/// The waits of the decision logic.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// No event for the config for this long ends a burst.
    pub quiet: Duration,
    /// A read must stay the same this long to be built or reported.
    pub settle: Duration,
    /// How long a writer may keep the file open before the shell says it is waiting for it.
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

/// What identifies one version of the file without reading it again: a configuration of
/// 100,000 grants is tens of MB, so a valid read is compared by this, not by its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub len: u64,
    pub modified: Option<std::time::SystemTime>,
    /// Device and inode: a rename over the file makes a new one.
    pub id: (u64, u64),
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let id = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let id = (0, 0);
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            id,
        }
    }
}

/// What a read of the configuration found (the shell compiles it to tell valid from invalid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    Missing,
    /// Bytes that compile, known by the file's stamp at the read.
    Valid(Stamp),
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
    /// Maybe a save in progress: read again at [`Watch::deadline`] (a valid read: check that
    /// the file's stamp is still the same, and keep what was compiled).
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
    /// The paths under which the watcher reports the config: the name, and the target's
    /// path when the name is a symbolic link.
    config: Vec<PathBuf>,
    timing: Timing,
    /// When a read is owed: the quiet time after the last event for the config.
    ready: Option<Instant>,
    /// A writer opened the config for writing and has not closed it yet.
    open_since: Option<Instant>,
    /// Whether the shell was told about the writer of `open_since`.
    told_open: bool,
    doubt: Option<Doubt>,
    /// The last reported read that was not built (missing or invalid), so it is said once.
    reported: Option<Read>,
    /// Whether the config was ever read (to tell "deleted" from "not there yet").
    seen: bool,
}

impl Watch {
    /// `config`: the configuration's paths as the watcher reports them (each watched directory
    /// joined with the file name).
    pub fn new(config: Vec<PathBuf>, timing: Timing) -> Watch {
        Watch {
            config,
            timing,
            ready: None,
            open_since: None,
            told_open: false,
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
                self.told_open = false;
                continue;
            }
            let Some(pos) = event.paths.iter().position(|p| self.config.contains(p)) else {
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
                // Data written: a close-for-write must follow. A creation alone promises none
                // (mkfifo, a link, a hard link make no close event).
                EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) if !renamed_away => {
                    self.open_since.get_or_insert(now);
                }
                EventKind::Access(AccessKind::Close(AccessMode::Write))
                | EventKind::Remove(_)
                | EventKind::Modify(ModifyKind::Name(_)) => {
                    self.open_since = None;
                    self.told_open = false;
                }
                _ => {}
            }
        }
    }

    /// When the shell must call [`Watch::poll`] next, if it is waiting for anything.
    pub fn deadline(&self) -> Option<Instant> {
        // While a writer holds the file, nothing is read: only the notice is due.
        let dirty = match self.open_since {
            Some(open) if !self.told_open => Some(open + self.timing.open_grace),
            Some(_) => None,
            None => self.ready,
        };
        let doubt = self.doubt.as_ref().and_then(|d| d.recheck);
        match (dirty, doubt) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether the configuration should be read now.
    pub fn poll(&mut self, now: Instant) -> bool {
        if self.open_since.is_some() {
            return false;
        }
        match self.deadline() {
            Some(due) if due <= now => {
                self.ready = None;
                if let Some(doubt) = &mut self.doubt {
                    doubt.recheck = None;
                }
                true
            }
            _ => false,
        }
    }

    /// Whether the shell should say now that it waits for a writer that keeps the file open
    /// (once per writer, after [`Timing::open_grace`]).
    pub fn writer_overdue(&mut self, now: Instant) -> bool {
        match self.open_since {
            Some(open) if !self.told_open && open + self.timing.open_grace <= now => {
                self.told_open = true;
                true
            }
            _ => false,
        }
    }

    /// Replaces the paths of the config (the watch restarted on a recreated directory or a
    /// re-pointed link).
    pub fn set_paths(&mut self, config: Vec<PathBuf>) {
        self.config = config;
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
        let confirmed = matches!(&self.doubt, Some(d) if d.read == read);
        if !confirmed {
            // The first sight of this version: maybe mid-save, whatever it holds.
            self.doubt = Some(Doubt {
                read,
                recheck: Some(now + self.timing.settle),
            });
            return Verdict::Retry;
        }
        self.doubt = None;
        if matches!(read, Read::Valid(_)) {
            self.reported = None;
            return Verdict::Build;
        }
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

/// The diagnostic for a watcher that could not start or broke, naming the limit to raise.
pub fn watch_error(e: &notify::Error, dir: &Path) -> Diagnostic {
    let dir = dir.to_string_lossy();
    let found = match &e.kind {
        notify::ErrorKind::MaxFilesWatch => World::WatchLimit { dir: &dir },
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(EMFILE) => World::WatchInstances {
            dir: &dir,
            error: io.to_string(),
        },
        _ => World::WatchFailed {
            dir: &dir,
            error: e.to_string(),
        },
    };
    found.diagnostic()
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
mod tests;
