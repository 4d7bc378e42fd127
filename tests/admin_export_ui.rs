//! "Exporter sur la clé USB" from the admin screen: the export runs on a worker thread and the
//! screen reports the result. (Own process: it needs the testing backend's event loop.)

use i_slint_backend_testing::ElementHandle;
use passerelle::kiosk::Kiosk;
use passerelle::kiosk::store::Store;
use passerelle::ui::{self, AdminAdapter};
use passerelle_core::engine::FakeClock;
use slint::ComponentHandle;
use std::time::Duration;

#[test]
fn export_from_the_admin_screen_to_a_configured_stick() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let dir = tempfile::tempdir().unwrap();
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let src = passerelle_core::DEFAULT_CONFIG.replace("export_paths = []", &format!("export_paths = [\"{}\"]", usb.display()));
    let mut config = passerelle_core::config::Config::parse(&src, "kiosk.toml", None).unwrap();
    config.data_dir = dir.path().join("data");
    let kiosk = Kiosk::from_config(config, "test".into()).unwrap();
    let store = kiosk.open_store().unwrap();
    passerelle::kiosk::admin_tools::set_pin(&store, "13579").unwrap();
    let clock = FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
    let (app, c) = ui::build(kiosk, store, clock).unwrap();
    app.show().unwrap();
    {
        let mut c = c.borrow_mut();
        for _ in 0..5 {
            c.model_mut().play_script(&passerelle_core::script::Script::parse(r#"{"answers":{"age":"soixante_dix_plus"}}"#).unwrap()).unwrap();
            c.model_mut().finish();
        }
        c.model_mut().admin_long_press();
        for k in ["1", "3", "5", "7", "9", "OK"] {
            c.model_mut().admin_pin_key(k);
        }
        assert!(c.model().admin_open());
        c.refresh(&app);
    }
    ElementHandle::find_by_accessible_label(&app, "Exporter sur la clé USB").next().unwrap().invoke_accessible_default_action();
    assert!(app.global::<AdminAdapter>().get_busy(), "the export runs in the background");
    let usb2 = usb.clone();
    std::thread::spawn(move || {
        for _ in 0..300 {
            let done = std::fs::read_dir(&usb2).is_ok_and(|mut d| d.next().is_some_and(|e| e.is_ok_and(|e| e.path().join("SHA256SUMS").exists())));
            if done {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        let _ = slint::invoke_from_event_loop(|| {
            let _ = slint::quit_event_loop();
        });
    });
    slint::run_event_loop_until_quit().unwrap();
    let status = app.global::<AdminAdapter>().get_status().to_string();
    assert!(status.starts_with("Export terminé\u{a0}: 5 visite(s)"), "{status}");
    assert!(!app.global::<AdminAdapter>().get_busy());
    assert_eq!(c.borrow().model().store().unexported().unwrap().0, 0);
    let _ = Store::open(dir.path().join("data").as_path()).unwrap();
}
