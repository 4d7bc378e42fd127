//! What the visitor sees when things go wrong: a full disk at the end of a visit, and a kiosk
//! that cannot start (bad configuration) — calm words and a short code for the staff.

use i_slint_backend_testing::ElementHandle;
use passerelle::kiosk::Kiosk;
use passerelle::ui;
use slint::ComponentHandle;

#[test]
fn a_full_disk_says_see_the_staff_and_the_next_visit_works_when_space_returns() {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let kiosk = Kiosk::load(None, Some(dir.path())).unwrap();
    let store = kiosk.open_store().unwrap();
    let clock = passerelle_core::engine::FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
    let (app, c) = ui::build(kiosk, store, clock).unwrap();
    app.show().unwrap();
    // Some visits first, then the disk is full: the database may not grow any more.
    for _ in 0..5 {
        let s = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
        c.borrow_mut().play_script(&s).unwrap();
        c.borrow_mut().finish();
    }
    let pages: i64 = c.borrow().store().connection().query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    c.borrow().store().connection().pragma_update(None, "max_page_count", pages).unwrap();
    let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
    // Visitors go on until a visit no longer fits.
    let mut saved_before = 5;
    for _ in 0..100 {
        c.borrow_mut().play_script(&script).unwrap();
        if c.borrow().last_saved().is_none() {
            break;
        }
        saved_before += 1;
        c.borrow_mut().finish();
    }
    c.borrow_mut().refresh(&app);
    let labels: Vec<String> = ElementHandle::find_by_accessible_label(&app, "Vos réponses n'ont pas pu être enregistrées.")
        .map(|e| e.accessible_label().unwrap().to_string())
        .collect();
    assert_eq!(labels.len(), 1, "the visitor is told, calmly");
    assert!(ElementHandle::find_by_accessible_label(&app, "Code pour le personnel : DISK-FULL").next().is_some());
    assert_eq!(c.borrow().store().stats().unwrap().finished, saved_before, "nothing half-written, earlier visits intact");
    c.borrow().store().integrity_check().unwrap();
    ElementHandle::find_by_accessible_label(&app, "Terminer").next().unwrap().invoke_accessible_default_action();
    assert!(ElementHandle::find_by_accessible_label(&app, "Français — Commencer").next().is_some());
    c.borrow().store().connection().pragma_update(None, "max_page_count", 1_000_000_000i64).unwrap();
    c.borrow_mut().play_script(&script).unwrap();
    c.borrow_mut().refresh(&app);
    assert!(c.borrow().last_saved().is_some(), "the kiosk recovers when space returns");
    assert_eq!(c.borrow().store().stats().unwrap().finished, saved_before + 1);
}

#[test]
fn a_kiosk_that_cannot_start_shows_out_of_service_with_a_code() {
    i_slint_backend_testing::init_no_event_loop();
    let app = ui::out_of_service("CFG-VALUE").unwrap();
    app.show().unwrap();
    assert!(ElementHandle::find_by_accessible_label(&app, "Borne hors service · Out of service").next().is_some());
    assert!(ElementHandle::find_by_accessible_label(&app, "Code pour le personnel : CFG-VALUE").next().is_some());
}
