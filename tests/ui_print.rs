//! "Imprimer mon ticket" on the end screen: the ticket is printed on a worker thread, the screen
//! says how it went, and a failing printer gets a calm message and loses nothing.
//! (Own process: it needs the testing backend's event loop.)

use i_slint_backend_testing::ElementHandle;
use passerelle::kiosk::Kiosk;
use passerelle::kiosk::printer::{FakePrinter, PrintError, Printer};
use passerelle::kiosk::store::Store;
use passerelle::ui::{self, AppWindow, EndAdapter};
use passerelle_core::engine::FakeClock;
use slint::ComponentHandle;
use std::sync::Arc;
use std::time::Duration;

/// Run the event loop until `done` holds (checked from a helper thread), then stop it.
fn run_until(done: impl Fn() -> bool + Send + 'static) {
    std::thread::spawn(move || {
        for _ in 0..200 {
            if done() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Events are handled in order: the worker's report came before this.
        std::thread::sleep(Duration::from_millis(100));
        let _ = slint::invoke_from_event_loop(|| {
            let _ = slint::quit_event_loop();
        });
    });
    slint::run_event_loop_until_quit().unwrap();
}

fn tap(app: &AppWindow, label: &str) {
    ElementHandle::find_by_accessible_label(app, label).next().unwrap_or_else(|| panic!("no {label}")).invoke_accessible_default_action();
}

#[test]
fn printing_runs_off_the_ui_thread_and_reports_back() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().unwrap();
    let kiosk = Kiosk::load(None, Some(dir.path())).unwrap();
    let store = Store::open(dir.path()).unwrap();
    let clock = FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(9, 0, 0).unwrap());
    let printer = Arc::new(FakePrinter::default());
    let speech = Arc::new(passerelle::kiosk::speech::FakeSpeech::default());
    let devices = ui::Devices { printer: Some(printer.clone() as Arc<dyn Printer>), speech };
    let (app, c) = ui::build_with_devices(kiosk, store, clock, devices).unwrap();
    app.show().unwrap();
    let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
    c.borrow_mut().model_mut().play_script(&script).unwrap();
    c.borrow_mut().refresh(&app);
    let payload = c.borrow().model().last_saved().unwrap().payload.clone();

    tap(&app, "Imprimer mon ticket");
    assert_eq!(app.global::<EndAdapter>().get_print_status(), "Impression en cours…");
    let p = printer.clone();
    run_until(move || !p.printed.lock().unwrap().is_empty());
    assert_eq!(app.global::<EndAdapter>().get_print_status(), "Votre ticket est imprimé. Prenez-le.");
    let printed = printer.printed.lock().unwrap()[0].clone();
    let mut prepared = rqrr::PreparedImage::prepare(printed);
    let codes: Vec<String> = prepared.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|x| x.1)).collect();
    assert_eq!(codes, vec![payload]);

    // The printer fails (out of paper): a calm message, the visit is still there.
    *printer.fail.lock().unwrap() = Some(PrintError::Stuck);
    tap(&app, "Imprimer mon ticket");
    // Wait for the second attempt (not a fixed delay: a loaded machine renders the ticket slowly).
    let p = printer.clone();
    run_until(move || p.attempts.load(std::sync::atomic::Ordering::SeqCst) >= 2);
    assert!(app.global::<EndAdapter>().get_print_status().starts_with("Le ticket n’a pas pu être imprimé."));
    let id = c.borrow().model().last_saved().unwrap().id.clone();
    assert!(c.borrow().model().store().visit(&id).unwrap().is_some(), "a printer failure never loses the visit");
    assert!(ElementHandle::find_by_accessible_label(&app, "Terminer").next().is_some());
}
