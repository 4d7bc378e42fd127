//! Unit tests of `admin_state.rs`: the PIN pad and its guard, the session and its end, tasks,
//! the purge's confirmation, the typed messages, with a PIN kept in memory.

use super::*;
use std::cell::{Cell, RefCell};

/// A PIN kept in memory, remembering the failures recorded.
#[derive(Default)]
struct FakePins {
    pin: Option<&'static str>,
    failures: Cell<u32>,
    checked: RefCell<Vec<String>>,
}

impl PinStore for FakePins {
    fn pin_configured(&self) -> bool {
        self.pin.is_some()
    }
    fn pin_matches(&self, pin: &str) -> bool {
        self.checked.borrow_mut().push(pin.to_string());
        self.pin == Some(pin)
    }
    fn record_failures(&self, n: u32) {
        self.failures.set(n);
    }
}

const S: Duration = Duration::from_secs(1);

fn pins() -> FakePins {
    FakePins { pin: Some("2468"), ..FakePins::default() }
}

fn type_pin(a: &mut Admin, pins: &FakePins, pin: &str, now: Duration) -> bool {
    for d in pin.chars() {
        assert!(!a.pin_key(&d.to_string(), now, pins));
    }
    a.pin_key("OK", now, pins)
}

fn open(a: &mut Admin, pins: &FakePins, now: Duration) {
    a.open_pin_pad(now, pins);
    assert!(type_pin(a, pins, "2468", now));
}

#[test]
fn the_right_pin_opens_the_admin_screen() {
    let (mut a, pins) = (Admin::new(PinGuard::default()), pins());
    assert_eq!(a.mode(), AdminMode::Closed);
    a.open_pin_pad(S, &pins);
    assert_eq!(a.mode(), AdminMode::PinPad);
    assert!(a.active() && !a.is_open());
    let v = a.view(S);
    assert!(v.pin_open && v.pin_message.is_empty() && v.screen.is_none());
    assert!(type_pin(&mut a, &pins, "2468", S));
    assert!(a.is_open() && a.active());
    assert_eq!(pins.failures.get(), 0);
    assert!(!a.view(S).pin_open);
}

#[test]
fn the_pin_pad_takes_up_to_eight_digits_and_deletes_one() {
    let (mut a, pins) = (Admin::new(PinGuard::default()), pins());
    a.open_pin_pad(S, &pins);
    for k in ["1", "2", "x", "12", "⌫", "3"] {
        a.pin_key(k, S, &pins);
    }
    assert_eq!(a.view(S).pin_dots, "●●", "1, 3: a letter and two digits at once are not keys");
    for _ in 0..10 {
        a.pin_key("9", S, &pins);
    }
    assert_eq!(a.view(S).pin_dots.chars().count(), PIN_MAX);
    a.pin_key("OK", S, &pins);
    assert_eq!(pins.checked.borrow().as_slice(), ["13999999"]);
    assert_eq!(a.view(S).pin_dots, "", "a PIN tried is gone");
}

#[test]
fn without_a_pin_the_pad_says_so_and_never_opens() {
    let (mut a, pins) = (Admin::new(PinGuard::default()), FakePins::default());
    a.open_pin_pad(S, &pins);
    assert_eq!(a.view(S).pin_message, tr("fr", "admin.no-pin"));
    assert!(!type_pin(&mut a, &pins, "0000", S));
    assert_eq!(a.view(S).pin_message, tr("fr", "admin.no-pin"));
    assert!(pins.checked.borrow().is_empty(), "nothing to check against");
}

#[test]
fn wrong_pins_count_down_then_lock_and_the_lock_outlives_the_session() {
    let (mut a, pins) = (Admin::new(PinGuard::default()), pins());
    a.open_pin_pad(S, &pins);
    for left in (1..passerelle_core::admin::FREE_ATTEMPTS).rev() {
        assert!(!type_pin(&mut a, &pins, "1111", S));
        assert_eq!(a.view(S).pin_message, PinNote::Wrong { left }.text("fr"));
        assert_eq!(a.view(S).pin_message, format!("Code incorrect. Encore {left} essai(s)."));
    }
    assert!(!type_pin(&mut a, &pins, "1111", S));
    assert_eq!(pins.failures.get(), passerelle_core::admin::FREE_ATTEMPTS);
    assert_eq!(a.view(S).pin_message, PinNote::Locked { minutes: 1 }.text("fr"));
    assert!(a.view(S).pin_locked);
    // Locked, even the right PIN is refused, and what was typed is dropped.
    assert!(!type_pin(&mut a, &pins, "2468", 2 * S));
    assert_eq!(a.view(2 * S).pin_dots, "");
    a.pin_cancel();
    a.close();
    a.open_pin_pad(3 * S, &pins);
    assert_eq!(a.view(3 * S).pin_message, PinNote::Locked { minutes: 1 }.text("fr"), "closing does not lift the lock");
    let later = S + passerelle_core::admin::FIRST_LOCK;
    assert!(type_pin(&mut a, &pins, "2468", later));
    assert_eq!(pins.failures.get(), 0);
}

#[test]
fn cancel_closes_the_pad_only() {
    let (mut a, pins) = (Admin::new(PinGuard::default()), pins());
    a.open_pin_pad(S, &pins);
    a.pin_key("1", S, &pins);
    a.pin_cancel();
    assert_eq!(a.mode(), AdminMode::Closed);
    assert_eq!(a.view(S).pin_dots, "");
    open(&mut a, &pins, S);
    a.pin_cancel();
    assert!(a.is_open(), "the admin screen has no PIN pad to cancel");
    a.open_pin_pad(S, &pins);
    assert!(a.is_open(), "the hidden entry does nothing once open");
}

#[test]
fn a_session_ends_after_two_minutes_without_a_touch_unless_a_task_runs() {
    let (mut a, pins) = (Admin::new(PinGuard::default()), pins());
    a.open_pin_pad(Duration::ZERO, &pins);
    a.tick(ADMIN_IDLE - S);
    assert!(a.active());
    a.tick(ADMIN_IDLE);
    assert_eq!(a.mode(), AdminMode::Closed, "the PIN pad too");
    let t0 = 1000 * S;
    open(&mut a, &pins, t0);
    assert!(a.act(t0 + ADMIN_IDLE - S), "an action is a touch");
    a.start(AdminTask::Export);
    a.tick(t0 + 3 * ADMIN_IDLE);
    assert!(a.is_open(), "not while the export runs");
    a.task_finished(AdminOutcome::NoPlacesFile, t0 + 3 * ADMIN_IDLE);
    a.tick(t0 + 4 * ADMIN_IDLE - S);
    assert!(a.is_open());
    a.tick(t0 + 4 * ADMIN_IDLE);
    assert!(!a.active());
    assert_eq!(a.view(t0).status, "", "a new session says nothing");
}

#[test]
fn the_snapshot_is_due_every_few_seconds_while_the_screen_is_open() {
    let (mut a, pins) = (Admin::new(PinGuard::default()), pins());
    assert!(!a.tick(S), "closed");
    a.set_screen(AdminScreenView::default(), S);
    assert_eq!(a.view(S).screen, None, "no snapshot kept while closed");
    open(&mut a, &pins, S);
    let facts = AdminScreenView { facts: vec!["Version 1".into()], ..Default::default() };
    a.set_screen(facts.clone(), S);
    assert!(!a.tick(S + ADMIN_SNAPSHOT_EVERY - S));
    assert!(a.tick(S + ADMIN_SNAPSHOT_EVERY));
    assert_eq!(a.view(S).screen, Some(facts));
    a.close();
    assert_eq!(a.view(S).screen, None);
}

#[test]
fn one_task_at_a_time_each_with_its_status() {
    let (mut a, pins) = (Admin::new(PinGuard::default()), pins());
    assert!(!a.act(S), "closed");
    open(&mut a, &pins, S);
    assert!(a.act(S));
    a.start(AdminTask::ImportPlaces);
    let v = a.view(S);
    assert!(v.busy);
    assert_eq!(v.status, tr("fr", "admin.importing-places"));
    assert!(!a.act(S), "busy");
    assert!(a.task_finished(AdminOutcome::NoPlacesFile, S), "an import reloads the places");
    assert_eq!(a.view(S).status, tr("fr", "admin.places-none"));
    assert!(a.act(S));
    a.start(AdminTask::Export);
    assert_eq!(a.view(S).status, tr("fr", "admin.exporting"));
    assert!(!a.task_finished(AdminOutcome::NoPlacesFile, S), "only once");
    a.start(AdminTask::TestTicket);
    assert_eq!(a.view(S).status, tr("fr", "admin.printing"));
}

#[test]
fn the_purge_asks_once_and_only_the_test_ticket_keeps_its_confirmation() {
    let (mut a, pins) = (Admin::new(PinGuard::default()), pins());
    open(&mut a, &pins, S);
    assert!(!a.purge_confirmed());
    assert!(a.view(S).confirm_purge);
    assert_eq!(a.view(S).status, tr("fr", "admin.purge-ask"));
    a.start(AdminTask::TestTicket);
    a.task_finished(AdminOutcome::TestPrinted, S);
    assert!(a.view(S).confirm_purge, "the test ticket leaves it");
    assert!(a.purge_confirmed());
    assert!(!a.view(S).confirm_purge);
    assert!(!a.purge_confirmed());
    a.start(AdminTask::Export);
    assert!(!a.view(S).confirm_purge, "an export drops it");
    a.tell(AdminOutcome::Purged { visits: 1, abandons: 2, contacts: 3 });
    assert_eq!(a.view(S).status, AdminOutcome::Purged { visits: 1, abandons: 2, contacts: 3 }.message("fr"));
}

#[test]
fn quit_only_from_the_admin_screen() {
    let (mut a, pins) = (Admin::new(PinGuard::default()), pins());
    a.open_pin_pad(S, &pins);
    a.quit();
    assert!(!a.quit_requested());
    assert!(type_pin(&mut a, &pins, "2468", S));
    a.quit();
    assert!(a.quit_requested());
}
