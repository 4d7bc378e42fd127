//! "Importer des lieux depuis la clé USB" from the admin screen: the import runs on a worker
//! thread, the screen reports it, and the next visitor's end screen uses the new places.
//! (Own process: it needs the testing backend's event loop.)

use i_slint_backend_testing::ElementHandle;
use passerelle::kiosk::Kiosk;
use passerelle::ui::{self, AdminAdapter, EndAdapter};
use passerelle_core::engine::FakeClock;
use slint::{ComponentHandle, Model};
use std::time::Duration;

#[test]
fn import_places_from_a_stick_through_the_admin_screen() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().unwrap();
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    // A newer national file: the shipped places, one renamed, and a row that breaks the schema.
    let mut csv = passerelle::core::place_book::SHIPPED.replace("Espace Nelly Roussel", "Espace Nelly Roussel (nouvelle adresse)");
    let broken = csv.lines().nth(1).unwrap().replacen("cnfs-92-", "broken-", 1).replace("2022-", "22-");
    csv.push_str(&broken);
    csv.push('\n');
    std::fs::write(usb.join("lieux-mediation-numerique-2026.csv"), csv).unwrap();

    let src = passerelle_core::DEFAULT_CONFIG.replace("export_paths = []", &format!("export_paths = [\"{}\"]", usb.display()));
    let mut config = passerelle_core::config::Config::parse(&src, "kiosk.toml", None).unwrap();
    config.data_dir = dir.path().join("data");
    let kiosk = Kiosk::from_config(config, "test".into()).unwrap();
    let store = kiosk.open_store().unwrap();
    passerelle::kiosk::admin_tools::set_pin(&store, "13579").unwrap();
    let clock = FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap().and_hms_opt(10, 0, 0).unwrap());
    let (app, c) = ui::build(kiosk, store, clock).unwrap();
    app.show().unwrap();
    {
        let mut c = c.borrow_mut();
        c.model_mut().admin_long_press();
        for k in ["1", "3", "5", "7", "9", "OK"] {
            c.model_mut().admin_pin_key(k);
        }
        assert!(c.model().admin_open());
        c.refresh(&app);
    }
    let facts = |app: &ui::AppWindow| app.global::<AdminAdapter>().get_facts().iter().map(|f| f.to_string()).collect::<Vec<_>>();
    assert!(facts(&app).iter().any(|f| f.starts_with("Lieux\u{a0}: 26 (fournis avec Passerelle")), "{:?}", facts(&app));
    ElementHandle::find_by_accessible_label(&app, "Importer des lieux depuis la clé USB").next().unwrap().invoke_accessible_default_action();
    assert!(app.global::<AdminAdapter>().get_busy(), "the import runs in the background");
    let weak = app.as_weak();
    std::thread::spawn(move || {
        for _ in 0..500 {
            let w = weak.clone();
            let (tx, rx) = std::sync::mpsc::channel();
            let _ = slint::invoke_from_event_loop(move || {
                let _ = tx.send(w.upgrade().is_some_and(|a| !a.global::<AdminAdapter>().get_busy()));
            });
            if rx.recv_timeout(Duration::from_secs(5)).unwrap_or(false) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = slint::invoke_from_event_loop(|| {
            let _ = slint::quit_event_loop();
        });
    });
    slint::run_event_loop_until_quit().unwrap();
    let status = app.global::<AdminAdapter>().get_status().to_string();
    assert_eq!(status, "Lieux importés\u{a0}: 26 gardés, 1 ligne(s) refusée(s), 0 d’autres départements.");
    assert!(facts(&app).iter().any(|f| f.starts_with("Lieux\u{a0}: 26 (importés le ")), "{:?}", facts(&app));

    // The next visitor gets the new places.
    {
        let mut c = c.borrow_mut();
        c.model_mut().admin_close();
        let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
        c.model_mut().play_script(&script).unwrap();
        c.refresh(&app);
    }
    let names: Vec<String> = app.global::<EndAdapter>().get_places().iter().map(|p| p.name.to_string()).collect();
    assert!(names.contains(&"Espace Nelly Roussel (nouvelle adresse)".to_string()), "{names:?}");
}
