//! Admin mode through the real screens: the hidden 5-second press, the PIN pad, the lockout
//! with a growing delay (mock time), the admin screen's counts, and its inactivity timeout.

use i_slint_backend_testing::ElementHandle;
use passerelle::ui::{AdminAdapter, AppWindow};
use slint::ComponentHandle;
use slint::platform::{PointerEventButton, WindowEvent};
use slint::{LogicalPosition, Model};
use std::time::Duration;

use crate::ui_kit::Kit;

fn kit(pin: Option<&str>) -> Kit {
    let k = crate::ui_kit::kit().size(1280.0, 800.0);
    match pin {
        Some(p) => k.pin(p).build(),
        None => k.build(),
    }
}

fn find(app: &AppWindow, label: &str) -> Option<ElementHandle> {
    ElementHandle::find_by_accessible_label(app, label).next()
}

fn tap(app: &AppWindow, label: &str) {
    find(app, label).unwrap_or_else(|| panic!("no {label}")).invoke_accessible_default_action();
}

/// Press the top-right corner for `secs` seconds (mock time), then release.
fn press_corner(app: &AppWindow, secs: u64) {
    let position = LogicalPosition::new(1270.0, 10.0);
    app.window().dispatch_event(WindowEvent::PointerPressed { position, button: PointerEventButton::Left });
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(secs));
    app.window().dispatch_event(WindowEvent::PointerReleased { position, button: PointerEventButton::Left });
}

fn type_pin(k: &Kit, pin: &str) {
    for d in pin.chars() {
        tap(&k.app, &d.to_string());
    }
    tap(&k.app, "Valider");
}

#[test]
fn a_short_press_does_nothing_a_5_second_press_opens_the_pin_pad() {
    let k = kit(Some("2468"));
    press_corner(&k.app, 2);
    assert!(!k.app.global::<AdminAdapter>().get_pin_open());
    press_corner(&k.app, 5);
    assert!(k.app.global::<AdminAdapter>().get_pin_open(), "the PIN pad opens");
    type_pin(&k, "2468");
    assert!(k.c.borrow().model().admin_open());
    assert!(find(&k.app, "Exporter sur la clé USB").is_some());
    assert!(find(&k.app, "Français — Commencer").is_none(), "the visitor's screen is gone");
    tap(&k.app, "Fermer");
    assert!(find(&k.app, "Français — Commencer").is_some());
}

#[test]
fn without_a_pin_the_pad_says_how_to_set_one() {
    let k = kit(None);
    press_corner(&k.app, 6);
    assert!(k.app.global::<AdminAdapter>().get_pin_message().contains("passerelle admin set-pin"));
    type_pin(&k, "0000");
    assert!(!k.c.borrow().model().admin_open());
}

#[test]
fn five_wrong_pins_lock_the_entry_with_a_growing_delay() {
    let k = kit(Some("2468"));
    press_corner(&k.app, 6);
    for left in (1..5).rev() {
        type_pin(&k, "1111");
        assert_eq!(k.app.global::<AdminAdapter>().get_pin_message(), format!("Code incorrect. Encore {left} essai(s)."));
    }
    type_pin(&k, "1111");
    assert!(k.app.global::<AdminAdapter>().get_pin_message().contains("1 min"));
    assert_eq!(find(&k.app, "2").unwrap().accessible_enabled(), Some(false), "the pad is locked");
    // Even the right PIN is refused while locked.
    k.c.borrow_mut().model_mut().admin_pin_key("2");
    k.c.borrow_mut().model_mut().admin_pin_key("4");
    k.c.borrow_mut().model_mut().admin_pin_key("6");
    k.c.borrow_mut().model_mut().admin_pin_key("8");
    k.c.borrow_mut().model_mut().admin_pin_key("OK");
    assert!(!k.c.borrow().model().admin_open());
    k.clock.advance(Duration::from_secs(61));
    k.c.borrow_mut().refresh(&k.app);
    type_pin(&k, "1111");
    assert!(k.app.global::<AdminAdapter>().get_pin_message().contains("2 min"), "the delay doubles");
    k.clock.advance(Duration::from_secs(121));
    k.c.borrow_mut().refresh(&k.app);
    type_pin(&k, "2468");
    assert!(k.c.borrow().model().admin_open());
    assert_eq!(passerelle::kiosk::admin_tools::failures(k.c.borrow().model().store()), 0, "failures reset after success");
}

#[test]
fn the_admin_screen_counts_and_closes_itself_after_inactivity() {
    let k = kit(Some("2468"));
    {
        let mut c = std::cell::RefMut::map(k.c.borrow_mut(), |c| c.model_mut());
        for _ in 0..3 {
            let s = passerelle_core::script::Script::parse(r#"{"answers":{"profil_usage":["aidant_fait_a_ma_place"]}}"#).unwrap();
            c.play_script(&s).unwrap();
            c.finish();
        }
    }
    k.c.borrow_mut().refresh(&k.app);
    press_corner(&k.app, 6);
    type_pin(&k, "2468");
    let stats = k.app.global::<AdminAdapter>().get_stats();
    let finished = stats.row_data(0).unwrap();
    assert_eq!((finished.today.as_str(), finished.week.as_str(), finished.total.as_str()), ("3", "3", "3"));
    let autonomy = k.app.global::<AdminAdapter>().get_autonomy();
    let guided = autonomy.iter().find(|b| b.label.ends_with("Avec guidage")).unwrap();
    assert_eq!(guided.value, 3);
    let facts: Vec<String> = k.app.global::<AdminAdapter>().get_facts().iter().map(|s| s.to_string()).collect();
    assert!(facts.iter().any(|f| f.starts_with("Version\u{a0}: Passerelle")), "{facts:?}");
    assert!(facts.iter().any(|f| f.contains("désactivée")), "says why there is no consent step: {facts:?}");
    assert!(facts.iter().any(|f| f.contains("Aucune clé USB") || f.starts_with("Clé USB")), "{facts:?}");
    // Purge asks for confirmation, and only deletes exported data (none yet).
    tap(&k.app, "Supprimer les données déjà exportées");
    assert!(k.app.global::<AdminAdapter>().get_confirm_purge());
    tap(&k.app, "Touchez encore pour confirmer la suppression");
    assert_eq!(k.c.borrow().model().store().stats().unwrap().finished, 3, "unexported visits stay");
    k.clock.advance(Duration::from_secs(121));
    k.c.borrow_mut().model_mut().tick();
    k.c.borrow_mut().refresh(&k.app);
    assert!(!k.c.borrow().model().admin_open(), "the admin session ends by itself");
    assert!(find(&k.app, "Français — Commencer").is_some());
}
