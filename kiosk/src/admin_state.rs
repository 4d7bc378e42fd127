//! Admin mode's own state and rules: the PIN pad with its guard (the lockout survives every
//! session), the session (PIN pad, then the admin screen) that ends after [`ADMIN_IDLE`] without
//! a touch, its tasks and their status line, the purge's confirmation, the snapshot the admin
//! screen shows. What else it needs comes in as arguments: the monotonic clock's reading, where
//! the PIN is kept ([`PinStore`]), the snapshot taken by the visit model (`admin_model.rs`).
//! Its messages are typed ([`PinNote`], [`AdminStatus`]) and made into French sentences only
//! by [`Admin::view`].

use crate::jobs::AdminOutcome;
use crate::screen_views::{AdminScreenView, AdminView};
use crate::store::Store;
use passerelle_core::admin::{PinGuard, Verdict};
use passerelle_core::i18n::{tr, tr_with};
use std::time::Duration;

/// The admin session ends after this long without a touch.
pub const ADMIN_IDLE: Duration = Duration::from_secs(120);
/// How often an open admin screen takes its facts again (a stick plugged in, a visit finished).
pub const ADMIN_SNAPSHOT_EVERY: Duration = Duration::from_secs(5);
/// The longest PIN.
const PIN_MAX: usize = 8;

/// Where the admin PIN's hash and its failures are kept: the store, or a fake in tests.
pub trait PinStore {
    fn pin_configured(&self) -> bool;
    /// Whether `pin` is the admin PIN (false when none is set or it cannot be read).
    fn pin_matches(&self, pin: &str) -> bool;
    /// Consecutive wrong PINs, kept across restarts.
    fn record_failures(&self, n: u32);
}

impl PinStore for Store {
    fn pin_configured(&self) -> bool {
        crate::admin_tools::pin_configured(self)
    }
    fn pin_matches(&self, pin: &str) -> bool {
        crate::admin_tools::verify_pin(self, pin).unwrap_or(false)
    }
    fn record_failures(&self, n: u32) {
        crate::admin_tools::set_failures(self, n)
    }
}

/// The PIN pad's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinNote {
    /// No PIN is set on this kiosk.
    NoPin,
    /// The entry is locked for about this many minutes.
    Locked { minutes: u64 },
    /// A wrong PIN; this many attempts left before the lock.
    Wrong { left: u32 },
}

impl PinNote {
    fn locked(d: Duration) -> PinNote {
        PinNote::Locked { minutes: d.as_secs().div_ceil(60) }
    }

    /// The sentence, in `lang` (the admin screens speak French).
    pub fn text(&self, lang: &str) -> String {
        match self {
            PinNote::NoPin => tr(lang, "admin.no-pin"),
            PinNote::Locked { minutes } => tr_with(lang, "admin.pin-locked", &[("n", &minutes.to_string())]),
            PinNote::Wrong { left } => tr_with(lang, "admin.pin-wrong", &[("n", &left.to_string())]),
        }
    }
}

/// An admin task run on a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminTask {
    Export,
    ImportPlaces,
    TestTicket,
}

/// The admin screen's status line.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminStatus {
    /// A task is running.
    Working(AdminTask),
    /// The purge asks to be touched again.
    PurgeAsk,
    /// What the last task did.
    Done(AdminOutcome),
}

impl AdminStatus {
    /// The sentence, in `lang`.
    pub fn text(&self, lang: &str) -> String {
        match self {
            AdminStatus::Working(AdminTask::Export) => tr(lang, "admin.exporting"),
            AdminStatus::Working(AdminTask::ImportPlaces) => tr(lang, "admin.importing-places"),
            AdminStatus::Working(AdminTask::TestTicket) => tr(lang, "admin.printing"),
            AdminStatus::PurgeAsk => tr(lang, "admin.purge-ask"),
            AdminStatus::Done(outcome) => outcome.message(lang),
        }
    }
}

/// Where admin mode is: closed, the PIN pad, or the admin screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdminMode {
    #[default]
    Closed,
    PinPad,
    Open,
}

/// One admin session, from the PIN pad to its end; the next one is a new `Session`.
#[derive(Debug, Default)]
struct Session {
    mode: AdminMode,
    pin: String,
    note: Option<PinNote>,
    /// The last touch (monotonic).
    last_input: Duration,
    status: Option<AdminStatus>,
    busy: bool,
    confirm_purge: bool,
    /// A places import is running: reload the places when it reports.
    reload_places: bool,
    quit: bool,
    /// What the admin screen shows, taken when it opens and after each action (the store's
    /// counts, free space, the stick, the printer): drawing the screen never queries anything.
    screen: Option<AdminScreenView>,
    /// When `screen` was taken (monotonic): it is taken again every [`ADMIN_SNAPSHOT_EVERY`]
    /// so that a stick plugged in meanwhile shows up.
    screen_at: Duration,
}

/// Admin mode: the PIN's guard, which outlives sessions, and the session.
#[derive(Debug)]
pub struct Admin {
    guard: PinGuard,
    session: Session,
}

impl Admin {
    /// Admin mode closed, with the PIN's guard as restored from the store.
    pub fn new(guard: PinGuard) -> Admin {
        Admin { guard, session: Session::default() }
    }

    pub fn mode(&self) -> AdminMode {
        self.session.mode
    }
    /// The admin screen is open.
    pub fn is_open(&self) -> bool {
        self.session.mode == AdminMode::Open
    }
    /// The PIN pad or the admin screen is on: the visitor's keypad and speech rest.
    pub fn active(&self) -> bool {
        self.session.mode != AdminMode::Closed
    }
    pub fn quit_requested(&self) -> bool {
        self.session.quit
    }

    pub fn touch(&mut self, now: Duration) {
        self.session.last_input = now;
    }

    /// An action of the admin screen may start: the screen is open and no task runs. It is a
    /// touch.
    pub fn act(&mut self, now: Duration) -> bool {
        if !self.is_open() || self.session.busy {
            return false;
        }
        self.touch(now);
        true
    }

    /// The hidden entry: the PIN pad, saying if no PIN is set or the entry is locked.
    pub fn open_pin_pad(&mut self, now: Duration, pins: &dyn PinStore) {
        if self.is_open() {
            return;
        }
        let s = &mut self.session;
        s.mode = AdminMode::PinPad;
        s.pin.clear();
        s.note = if !pins.pin_configured() { Some(PinNote::NoPin) } else { self.guard.locked(now).map(PinNote::locked) };
        self.touch(now);
    }

    /// A key of the PIN pad: a digit, "⌫" or "OK". True when the PIN opened the admin screen
    /// (its snapshot is then due).
    pub fn pin_key(&mut self, key: &str, now: Duration, pins: &dyn PinStore) -> bool {
        self.touch(now);
        let pin = &mut self.session.pin;
        match key {
            "⌫" => {
                pin.pop();
            }
            "OK" => return self.check_pin(now, pins),
            d if d.len() == 1 && d.chars().all(|c| c.is_ascii_digit()) && pin.len() < PIN_MAX => pin.push_str(d),
            _ => {}
        }
        false
    }

    fn check_pin(&mut self, now: Duration, pins: &dyn PinStore) -> bool {
        if let Some(d) = self.guard.locked(now) {
            self.session.note = Some(PinNote::locked(d));
            self.session.pin.clear();
            return false;
        }
        if !pins.pin_configured() {
            self.session.note = Some(PinNote::NoPin);
            return false;
        }
        let pin = std::mem::take(&mut self.session.pin);
        let verdict = self.guard.record(pins.pin_matches(&pin), now);
        pins.record_failures(self.guard.failures);
        let s = &mut self.session;
        match verdict {
            Verdict::Accepted => {
                log::info!("admin session opened");
                s.mode = AdminMode::Open;
                s.note = None;
                s.status = None;
                s.confirm_purge = false;
                return true;
            }
            Verdict::Refused { left } => {
                log::warn!("admin PIN refused ({} consecutive failure(s))", self.guard.failures);
                s.note = Some(PinNote::Wrong { left });
            }
            Verdict::Locked { for_ } => {
                log::warn!("admin PIN refused ({} consecutive failures): entry locked for {} s", self.guard.failures, for_.as_secs());
                s.note = Some(PinNote::locked(for_));
            }
        }
        false
    }

    pub fn pin_cancel(&mut self) {
        let s = &mut self.session;
        if s.mode == AdminMode::PinPad {
            s.mode = AdminMode::Closed;
        }
        s.pin.clear();
        s.note = None;
    }

    /// The session ends: a new one, closed (the PIN's guard stays).
    pub fn close(&mut self) {
        if self.is_open() {
            log::info!("admin session closed");
        }
        self.session = Session::default();
    }

    /// The clock: the session ends after [`ADMIN_IDLE`] without a touch (not while a task runs).
    /// True when the open screen's snapshot is due again.
    pub fn tick(&mut self, now: Duration) -> bool {
        if self.active() && !self.session.busy && now.saturating_sub(self.session.last_input) >= ADMIN_IDLE {
            log::info!("admin session ended after inactivity");
            self.session = Session::default();
        }
        self.is_open() && now.saturating_sub(self.session.screen_at) >= ADMIN_SNAPSHOT_EVERY
    }

    /// A task handed to a worker: busy until it reports ([`Admin::task_finished`]). The test
    /// ticket leaves a confirmed purge as it was.
    pub fn start(&mut self, task: AdminTask) {
        let s = &mut self.session;
        s.busy = true;
        if task != AdminTask::TestTicket {
            s.confirm_purge = false;
        }
        s.reload_places |= task == AdminTask::ImportPlaces;
        s.status = Some(AdminStatus::Working(task));
    }

    /// What a task did, on the status line.
    pub fn tell(&mut self, outcome: AdminOutcome) {
        self.session.status = Some(AdminStatus::Done(outcome));
    }

    /// A task's report: no longer busy, its outcome on the status line. True when the places
    /// must be loaded again (a places import ended).
    pub fn task_finished(&mut self, outcome: AdminOutcome, now: Duration) -> bool {
        self.session.busy = false;
        self.tell(outcome);
        self.touch(now);
        std::mem::take(&mut self.session.reload_places)
    }

    /// The purge asks once: true on the second touch, when it goes ahead.
    pub fn purge_confirmed(&mut self) -> bool {
        let s = &mut self.session;
        if !s.confirm_purge {
            s.confirm_purge = true;
            s.status = Some(AdminStatus::PurgeAsk);
            return false;
        }
        s.confirm_purge = false;
        true
    }

    /// "Quitter" (only from the admin screen).
    pub fn quit(&mut self) {
        if self.is_open() {
            log::info!("kiosk stopped by an admin");
            self.session.quit = true;
        }
    }

    /// The admin screen's snapshot, taken at `now` (kept only while the screen is open).
    /// True when it differs from the snapshot it replaces (the screen must be drawn again).
    pub fn set_screen(&mut self, screen: AdminScreenView, now: Duration) -> bool {
        if !self.is_open() {
            return false;
        }
        self.session.screen_at = now;
        let changed = self.session.screen.as_ref() != Some(&screen);
        self.session.screen = Some(screen);
        changed
    }

    /// The PIN pad and the admin screen as shown, in French.
    pub fn view(&self, now: Duration) -> AdminView {
        let s = &self.session;
        AdminView {
            pin_open: s.mode == AdminMode::PinPad,
            pin_dots: "●".repeat(s.pin.len()),
            pin_message: s.note.map(|n| n.text("fr")).unwrap_or_default(),
            pin_locked: self.guard.locked(now).is_some(),
            status: s.status.as_ref().map(|x| x.text("fr")).unwrap_or_default(),
            busy: s.busy,
            confirm_purge: s.confirm_purge,
            screen: if self.is_open() { s.screen.clone() } else { None },
        }
    }
}

#[cfg(test)]
#[path = "admin_state_tests.rs"]
mod tests;
