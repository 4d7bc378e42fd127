//! The mediator's window through the testing backend: scan, read, copy, clear; bad scans get
//! a clear message; nothing is stored.

use i_slint_backend_testing::ElementHandle;
use passerelle::kiosk::Kiosk;
use passerelle::ui::{MediatorAdapter, MediatorWindow};
use slint::ComponentHandle;
use std::rc::Rc;

fn payload() -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "replay", "assets/demo-visit.json"])
        .env("PASSERELLE_LOG", "warn")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["payload"].as_str().unwrap().to_string()
}

#[test]
fn scan_read_and_clear() {
    i_slint_backend_testing::init_no_event_loop();
    let kiosk = Kiosk::load(None, Some(std::path::Path::new("/nonexistent-not-used"))).unwrap();
    let w = MediatorWindow::new().unwrap();
    passerelle::ui::mediator_window::connect(&w, Rc::new(kiosk.defs));
    w.show().unwrap();
    let a = w.global::<MediatorAdapter>();
    assert!(ElementHandle::find_by_accessible_label(&w, "Code scanné").next().is_some(), "the scan field");
    let p = payload();
    // A keyboard-wedge scanner on an AZERTY PC, then Enter.
    a.invoke_scanned(passerelle_core::handoff::azerty_mangle(&p).into());
    assert!(!a.get_error());
    let text = a.get_profile().to_string();
    assert!(text.contains("★★☆") && text.contains("Dans un atelier collectif"), "{text}");
    // The visitor's own words come before the suggestions, each suggestion says why.
    let (words, sugg) = (text.find("CE QUE DIT LE VISITEUR").unwrap(), text.find("SUGGESTIONS DE PASSERELLE").unwrap());
    assert!(words < sugg, "{text}");
    let section = |i: usize| slint::Model::row_data(&a.get_sections(), i).unwrap_or_default().to_string();
    assert!(section(1).contains("Garder le contact avec les autres"));
    assert!(section(2).contains("pourquoi\u{a0}:"), "{}", section(2));
    // Each section's heading once: as its title, not again at the top of its text.
    let title = |i: usize| slint::Model::row_data(&a.get_titles(), i).unwrap_or_default().to_string();
    assert!(title(2).starts_with("SUGGESTIONS DE PASSERELLE") && title(2).contains("à confirmer"), "{}", title(2));
    for i in 1..=4 {
        assert!(!title(i).is_empty() && !section(i).contains(&title(i)), "{i}: {:?} in {:?}", title(i), section(i));
    }
    assert!(section(4).contains("beneficiaire.trancheAge = SoixanteSoixanteNeuf"));
    assert!(a.get_status().contains("référence"));
    // Garbage: a clear message, the previous profile is not mixed with it.
    a.invoke_scanned("https://example.org/".into());
    assert!(a.get_error());
    assert!(a.get_status().contains("n'est pas un code Passerelle"));
    // A paste without Enter decodes as soon as it is complete; a partial one says nothing.
    a.invoke_edited(p[..20].into());
    assert!(a.get_error(), "the previous error stays until something complete arrives");
    a.invoke_edited(p.clone().into());
    assert!(!a.get_error());
    ElementHandle::find_by_accessible_label(&w, "Effacer").next().unwrap().invoke_accessible_default_action();
    assert_eq!(a.get_profile(), "");
    assert_eq!(slint::Model::row_data(&a.get_sections(), 1).unwrap_or_default(), "");
    assert!(!std::path::Path::new("/nonexistent-not-used").exists(), "the mediator stores nothing");
}
