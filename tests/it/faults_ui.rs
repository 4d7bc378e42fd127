//! What the visitor sees when things go wrong: a full disk at the end of a visit, and a kiosk
//! that cannot start (bad configuration) — calm words and a short code for the staff.

use i_slint_backend_testing::ElementHandle;
use passerelle::kiosk::Kiosk;
use passerelle::ui;
use slint::ComponentHandle;

/// The kiosk on its default configuration in a temporary data folder, on a fake clock, shown.
fn kit() -> (tempfile::TempDir, ui::AppWindow, ui::Shared) {
    let k = crate::ui_kit::kit().build();
    (k.dir, k.app, k.c)
}

#[test]
fn a_full_disk_says_see_the_staff_and_the_next_visit_works_when_space_returns() {
    let (_dir, app, c) = kit();
    // Some visits first, then the disk is full: the database may not grow any more.
    for _ in 0..5 {
        let s = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
        c.borrow_mut().model_mut().play_script(&s).unwrap();
        c.borrow_mut().model_mut().finish();
    }
    let pages: i64 = c.borrow().model().store().connection().query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    c.borrow().model().store().connection().pragma_update(None, "max_page_count", pages).unwrap();
    let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
    // Visitors go on until a visit no longer fits.
    let mut saved_before = 5;
    for _ in 0..100 {
        c.borrow_mut().model_mut().play_script(&script).unwrap();
        if c.borrow().model().last_saved().is_none() {
            break;
        }
        saved_before += 1;
        c.borrow_mut().model_mut().finish();
    }
    c.borrow_mut().refresh(&app);
    let labels: Vec<String> = ElementHandle::find_by_accessible_label(&app, "Vos réponses n’ont pas pu être enregistrées.")
        .map(|e| e.accessible_label().unwrap().to_string())
        .collect();
    assert_eq!(labels.len(), 1, "the visitor is told, calmly");
    assert!(ElementHandle::find_by_accessible_label(&app, "Code pour le personnel\u{a0}: DISK-FULL").next().is_some());
    assert_eq!(c.borrow().model().store().stats().unwrap().finished, saved_before, "nothing half-written, earlier visits intact");
    c.borrow().model().store().integrity_check().unwrap();
    // A neutral way out: nothing was saved, no tick.
    ElementHandle::find_by_accessible_label(&app, "Quitter sans enregistrer").next().unwrap().invoke_accessible_default_action();
    assert!(ElementHandle::find_by_accessible_label(&app, "Français — Commencer").next().is_some());
    c.borrow().model().store().connection().pragma_update(None, "max_page_count", 1_000_000_000i64).unwrap();
    c.borrow_mut().model_mut().play_script(&script).unwrap();
    c.borrow_mut().refresh(&app);
    assert!(c.borrow().model().last_saved().is_some(), "the kiosk recovers when space returns");
    assert_eq!(c.borrow().model().store().stats().unwrap().finished, saved_before + 1);
}

/// Issue 17 item 12: "Réessayer" on the save-failed screen tries the same save again: the same
/// screen while the store still refuses it, the end screen and its code once it accepts it.
#[test]
fn the_save_failed_screen_retries_the_save() {
    let (_dir, app, c) = kit();
    // A store that refuses writes: the visit cannot be saved.
    c.borrow().model().store().connection().execute_batch("PRAGMA query_only = ON;").unwrap();
    let mut script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
    script.lang = "en".into();
    c.borrow_mut().model_mut().play_script(&script).unwrap();
    c.borrow_mut().refresh(&app);
    assert!(crate::support::find(&app, "Your answers could not be saved.").is_some(), "{:?}", crate::support::labels(&app));
    assert_eq!(c.borrow().model().targets().iter().map(|t| t.to_string()).collect::<Vec<_>>(), ["save:retry", "end:finish"]);
    crate::support::tap(&app, "Try again");
    assert!(crate::support::find(&app, "Your answers could not be saved.").is_some(), "still refused: the same screen");
    assert!(c.borrow().model().last_saved().is_none());
    // The store accepts writes again: one more try, and the end screen with its code.
    c.borrow().model().store().connection().execute_batch("PRAGMA query_only = OFF;").unwrap();
    crate::support::tap(&app, "Try again");
    assert!(crate::support::find(&app, "Your answers could not be saved.").is_none());
    assert!(crate::support::find(&app, "QR code of your profile, to show the adviser").is_some(), "{:?}", crate::support::labels(&app));
    let saved = c.borrow().model().last_saved().cloned().unwrap();
    assert_eq!(saved.lang, "en", "the visit as it was, in its language");
    assert_eq!(c.borrow().model().store().stats().unwrap().finished, 1, "stored once");
    let stored = c.borrow().model().store().visit(&saved.id).unwrap().unwrap();
    assert_eq!(stored.answers["age"], "soixante_soixante_neuf", "with its answers");
    crate::support::tap(&app, "Finish");
    assert!(crate::support::find(&app, "Français — Commencer").is_some());
}

#[test]
fn a_kiosk_that_cannot_start_shows_out_of_service_with_a_code() {
    i_slint_backend_testing::init_no_event_loop();
    let app = ui::out_of_service("CFG-VALUE").unwrap();
    app.show().unwrap();
    // In French, English and Arabic (no configuration to say which languages are offered).
    for title in ["Borne hors service", "Kiosk out of service", "الجهاز خارج الخدمة"] {
        assert!(ElementHandle::find_by_accessible_label(&app, title).next().is_some(), "{title}");
    }
    assert!(ElementHandle::find_by_accessible_label(&app, "Code pour le personnel\u{a0}: CFG-VALUE").next().is_some());
}

/// Issue 14: the kiosk starts on a really full disk (an 8 MiB ext4 loop image filled by
/// `replay`): "out of service" with the code DISK-FULL instead of a crash, no visit can start,
/// an admin can still get in, and the kiosk resumes by itself once space is freed.
#[test]
fn on_a_really_full_disk_the_kiosk_is_out_of_service_and_resumes_by_itself() {
    use slint::platform::{PointerEventButton, WindowEvent};
    i_slint_backend_testing::init_no_event_loop();
    let Some(disk) = crate::support::LoopDisk::new(8) else {
        return;
    };
    let other = disk.mnt.join("old-logs");
    std::fs::write(&other, vec![0x55u8; 1536 * 1024]).unwrap();
    let data = disk.mnt.join("data");
    let filled = std::process::Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .arg("--data-dir")
        .arg(&data)
        .args(["replay", "--random", "100000", "--seed", "7"])
        .env("PASSERELLE_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(filled.status.code(), Some(1), "filled until the disk is full: {:?}", filled.status);
    let usb = tempfile::tempdir().unwrap();
    let src = passerelle_core::DEFAULT_CONFIG.replace("export_paths = []", &format!("export_paths = [\"{}\"]", usb.path().display()));
    let mut config = passerelle_core::config::Config::parse(&src, "kiosk.toml", None).unwrap();
    config.data_dir = data.clone();
    let kiosk = Kiosk::from_config(config, "test".into()).unwrap();
    let (store, _) = kiosk.open_store_recovering(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap()).unwrap();
    passerelle::kiosk::admin_tools::set_pin(&store, "2468").unwrap();
    let before = store.stats().unwrap().finished;
    let clock = passerelle_core::engine::FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
    let (app, c) = ui::build(kiosk, store, clock.clone()).unwrap();
    app.window().set_size(slint::LogicalSize::new(1280.0, 800.0));
    app.show().unwrap();
    assert!(crate::support::find(&app, "Borne hors service").is_some(), "{:?}", crate::support::labels(&app));
    assert!(crate::support::find(&app, "الجهاز خارج الخدمة").is_some(), "in the welcome's languages: {:?}", crate::support::labels(&app));
    assert!(crate::support::find(&app, "Code pour le personnel\u{a0}: DISK-FULL").is_some());
    assert!(crate::support::find(&app, "Français — Commencer").is_none(), "no visit can start");
    c.borrow_mut().model_mut().start("fr");
    assert_eq!(c.borrow().model().engine().screen(), passerelle_core::engine::Screen::Attract);
    // Still full after a while.
    clock.advance(passerelle::kiosk::service_state::SPACE_CHECK);
    ui::tick_and_refresh(&app, &c);
    assert!(crate::support::find(&app, "Code pour le personnel\u{a0}: DISK-FULL").is_some());
    // The admin gets in by the same 5-second press, and sees why.
    let corner = slint::LogicalPosition::new(1270.0, 10.0);
    app.window().dispatch_event(WindowEvent::PointerPressed { position: corner, button: PointerEventButton::Left });
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_secs(6));
    app.window().dispatch_event(WindowEvent::PointerReleased { position: corner, button: PointerEventButton::Left });
    for d in "2468".chars() {
        crate::support::tap(&app, &d.to_string());
    }
    crate::support::tap(&app, "Valider");
    assert!(c.borrow().model().admin_open(), "the admin is in on a full disk");
    assert!(crate::support::labels(&app).iter().any(|l| l.contains("Disque plein") && l.contains("DISK-FULL")), "{:?}", crate::support::labels(&app));
    // The export to the stick works on the full disk (a worker thread; its own connection).
    assert!(c.borrow().model().store().unexported().unwrap().0 > 0);
    crate::support::tap(&app, "Exporter sur la clé USB");
    let exported = (0..600).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        c.borrow().model().store().unexported().unwrap().0 == 0
    });
    assert!(exported, "the export was written and recorded on a full disk");
    assert!(std::fs::read_dir(usb.path()).unwrap().flatten().any(|e| e.path().join("SHA256SUMS").exists()));
    crate::support::tap(&app, "Fermer");
    assert!(crate::support::find(&app, "Code pour le personnel\u{a0}: DISK-FULL").is_some());
    // Space returns: at the next check the welcome screen is back, and a visit is stored. ext4
    // counts freed blocks once its journal commits (up to 5 s, longer on a loaded machine): sync,
    // and allow a few checks.
    std::fs::remove_file(&other).unwrap();
    let _ = std::process::Command::new("sync").status();
    let back = (0..100).any(|_| {
        clock.advance(passerelle::kiosk::service_state::SPACE_CHECK);
        ui::tick_and_refresh(&app, &c);
        crate::support::find(&app, "Français — Commencer").is_some() || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            false
        }
    });
    assert!(back, "{:?}", crate::support::labels(&app));
    let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
    c.borrow_mut().model_mut().play_script(&script).unwrap();
    assert!(c.borrow().model().last_saved().is_some());
    assert_eq!(c.borrow().model().store().stats().unwrap().finished, before + 1);
    c.borrow().model().store().integrity_check().unwrap();
    drop(app);
    drop(c);
}
