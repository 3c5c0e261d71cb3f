//! The watch decisions, fed simulated events and clock readings.
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
/// A valid read of the version `n` of the file.
fn valid(n: u64) -> Read {
    Read::Valid(Stamp {
        len: n,
        modified: None,
        id: (1, 1),
    })
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
            w: Watch::new(vec![PathBuf::from(CONFIG)], timing),
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
fn a_writer_that_keeps_the_file_open_is_waited_for_however_long_it_takes() {
    let mut s = Sim::new();
    s.events(0, &[ev(EventKind::Create(CreateKind::File), &[CONFIG])]);
    s.events(10, &[ev(modify(), &[CONFIG])]);
    s.events(1500, &[ev(modify(), &[CONFIG])]);
    assert!(s.reads_until(0, 60_000).is_empty());
    // The shell is told once, after the grace, so it can say what it waits for.
    let mut s = Sim::new();
    s.events(0, &[ev(modify(), &[CONFIG])]);
    assert_eq!(s.w.deadline(), Some(s.at(2000)));
    assert!(!s.w.writer_overdue(s.at(1999)));
    assert!(s.w.writer_overdue(s.at(2000)));
    assert!(!s.w.writer_overdue(s.at(2001)));
    assert_eq!(s.w.deadline(), None);
    s.events(70_000, &[ev(close(), &[CONFIG])]);
    assert_eq!(s.reads_until(70_000, 71_000), vec![70_050]);
}

#[test]
fn a_creation_without_data_is_read_after_the_quiet_time() {
    // mkfifo, ln -s: no close-for-write ever follows.
    let mut s = Sim::new();
    s.events(0, &[ev(EventKind::Create(CreateKind::Any), &[CONFIG])]);
    assert_eq!(s.reads_until(0, 1000), vec![50]);
}

#[test]
fn events_for_a_linked_configs_target_count() {
    let mut s = Sim::new();
    s.w.set_paths(vec![
        PathBuf::from(CONFIG),
        PathBuf::from("/real/access.toml"),
    ]);
    s.events(
        0,
        &[
            ev(modify(), &["/real/access.toml"]),
            ev(close(), &["/real/access.toml"]),
        ],
    );
    assert_eq!(s.reads_until(0, 1000), vec![50]);
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
fn a_valid_read_is_built_when_the_file_is_still_the_same_after_the_settle_time() {
    let mut s = Sim::new();
    assert_eq!(s.w.on_read(valid(1), s.at(0)), Verdict::Retry);
    assert_eq!(s.reads_until(0, 1000), vec![250]);
    assert_eq!(s.w.on_read(valid(1), s.at(250)), Verdict::Build);
    assert_eq!(s.w.deadline(), None);
}

#[test]
fn a_valid_first_step_of_a_two_step_save_is_never_built() {
    let mut s = Sim::new();
    // The first step is written and closed: a valid file with fewer grants.
    assert_eq!(s.w.on_read(valid(1), s.at(0)), Verdict::Retry);
    // 200 ms later the second step: the event drops the first read.
    s.events(200, &[ev(modify(), &[CONFIG]), ev(close(), &[CONFIG])]);
    assert_eq!(s.reads_until(0, 1000), vec![250]);
    assert_eq!(s.w.on_read(valid(2), s.at(250)), Verdict::Retry);
    assert_eq!(s.reads_until(251, 1000), vec![500]);
    assert_eq!(s.w.on_read(valid(2), s.at(500)), Verdict::Build);
    // Without an event, a changed stamp is doubted again too (polling, a lost event).
    assert_eq!(s.w.on_read(valid(3), s.at(600)), Verdict::Retry);
    assert_eq!(s.w.on_read(valid(4), s.at(850)), Verdict::Retry);
    assert_eq!(s.w.on_read(valid(4), s.at(1100)), Verdict::Build);
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
    assert_eq!(s.w.on_read(valid(1), s.at(150)), Verdict::Retry);
    assert_eq!(s.w.on_read(valid(1), s.at(400)), Verdict::Build);
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
    assert_eq!(s.w.on_read(valid(1), s.at(5050)), Verdict::Retry);
    assert_eq!(s.w.on_read(valid(1), s.at(5300)), Verdict::Build);
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
    assert_eq!(s.w.on_read(valid(1), s.at(170)), Verdict::Retry);
    assert_eq!(s.w.on_read(valid(1), s.at(420)), Verdict::Build);
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
