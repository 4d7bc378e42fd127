//! The end screen keeps the code for a visitor who queues with it: instructions on screen and
//! aloud, the summary hidden after a minute without a touch, the screen wiped after
//! `idle.end_screen_s` (fake clock, the real Slint components).

use crate::support::find;
use passerelle::ui::{self, EndAdapter};
use passerelle_core::config::Config;
use passerelle_core::engine::FakeClock;
use passerelle_core::script::Script;
use slint::ComponentHandle;
use std::time::Duration;

const INSTRUCTIONS: &str = "Montrez ce code à l’accueil ou à un conseiller numérique. Vous pouvez aussi le prendre en photo.";
const QR: &str = "Code QR de votre profil, à montrer au conseiller";

fn build(end_screen_s: Option<u64>) -> (passerelle::ui::AppWindow, passerelle::ui::Shared, std::sync::Arc<FakeClock>, tempfile::TempDir) {
    let mut k = crate::ui_kit::kit().on(2026, 12, 2);
    if let Some(s) = end_screen_s {
        k = k.config(move |src| src.replace("end_screen_s = 300", &format!("end_screen_s = {s}")));
    }
    let k = k.build();
    (k.app, k.c, k.clock, k.dir)
}

/// `secs` pass without a touch: the kiosk's clock and Slint's timers both move on.
fn wait(clock: &FakeClock, secs: u64) {
    clock.advance(Duration::from_secs(secs));
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(secs));
}

#[test]
fn the_code_stays_for_end_screen_s_and_the_summary_hides_after_a_minute() {
    let (app, c, clock, _dir) = build(None);
    let _timer = ui::start_ticking(&app, &c);
    let step = |secs: u64| wait(&clock, secs);
    c.borrow_mut().model_mut().play_script(&Script::parse(passerelle_core::DEMO_VISIT).unwrap()).unwrap();
    c.borrow_mut().refresh(&app);
    let reference = passerelle::core::summary::pretty_reference(&c.borrow().model().last_saved().unwrap().id);
    let summary_title = "Je suis à l’aise pour\u{a0}:";
    assert!(find(&app, QR).is_some());
    assert!(find(&app, INSTRUCTIONS).is_some(), "the instructions are on screen");
    assert!(find(&app, &format!("Référence\u{a0}: {reference}")).is_some());
    assert!(find(&app, summary_title).is_some(), "the summary shows first");
    // Spoken too, before the reference.
    let (_, said) = c.borrow().model().spoken();
    assert!(said.contains(INSTRUCTIONS), "{said}");
    assert!(said.contains(summary_title.trim_end_matches(" :")), "{said}");

    // A touch at 50 s (the places tab) restarts the minute.
    step(50);
    find(&app, "Où aller\u{a0}?").unwrap().invoke_accessible_default_action();
    find(&app, "Mon profil").unwrap().invoke_accessible_default_action();
    step(50);
    assert!(find(&app, summary_title).is_some(), "50 s after a touch the summary is still there");
    step(11);
    assert!(find(&app, summary_title).is_none(), "a minute without a touch hides the summary");
    assert!(find(&app, "Où aller\u{a0}?").is_none(), "and the places");
    assert!(app.global::<EndAdapter>().get_private());
    assert!(find(&app, QR).is_some() && find(&app, INSTRUCTIONS).is_some());
    assert!(find(&app, &format!("Référence\u{a0}: {reference}")).is_some());
    assert!(find(&app, "Je suis encore là").is_none(), "no 'are you still there?' on the end screen");
    let (_, said) = c.borrow().model().spoken();
    assert!(said.contains(INSTRUCTIONS) && !said.contains(summary_title.trim_end_matches(" :")), "the hidden summary is not read: {said}");

    // The code stays until end_screen_s (300 s) without a touch: 61 s are gone already.
    step(300 - 61 - 1);
    assert!(find(&app, QR).is_some(), "still there 1 s before end_screen_s");
    step(2);
    assert!(find(&app, QR).is_none(), "wiped after end_screen_s");
    assert!(find(&app, "Français — Commencer").is_some());
    // A finished visit is not an abandoned one.
    let s = c.borrow().model().store().stats().unwrap();
    assert_eq!((s.finished, s.abandoned), (1, 0));

    // The next visitor's end screen shows the summary again.
    c.borrow_mut().model_mut().play_script(&Script::parse(passerelle_core::DEMO_VISIT).unwrap()).unwrap();
    c.borrow_mut().refresh(&app);
    assert!(find(&app, summary_title).is_some());
    assert!(!app.global::<EndAdapter>().get_private());
}

#[test]
fn end_screen_s_is_configurable_and_terminer_ends_at_once() {
    let (app, c, clock, _dir) = build(Some(120));
    let _timer = ui::start_ticking(&app, &c);
    let step = |secs: u64| wait(&clock, secs);
    c.borrow_mut().model_mut().play_script(&Script::parse(passerelle_core::DEMO_VISIT).unwrap()).unwrap();
    c.borrow_mut().refresh(&app);
    step(119);
    assert!(find(&app, QR).is_some());
    step(1);
    assert!(find(&app, QR).is_none(), "gone after the configured 120 s");
    c.borrow_mut().model_mut().play_script(&Script::parse(passerelle_core::DEMO_VISIT).unwrap()).unwrap();
    c.borrow_mut().refresh(&app);
    find(&app, "Terminer").unwrap().invoke_accessible_default_action();
    assert!(find(&app, "Français — Commencer").is_some());
}

#[test]
fn end_screen_s_out_of_range_is_refused_with_its_line() {
    let src = passerelle_core::DEFAULT_CONFIG.replace("end_screen_s = 300", "end_screen_s = 5");
    let e = Config::parse(&src, "kiosk.toml", None).unwrap_err().to_string();
    assert!(e.contains("idle.end_screen_s") && e.contains("line"), "{e}");
    // Without the key: 300 s.
    let src = passerelle_core::DEFAULT_CONFIG.replace("end_screen_s = 300", "");
    assert_eq!(Config::parse(&src, "kiosk.toml", None).unwrap().end_screen, Duration::from_secs(300));
}

#[test]
fn with_a_ticket_printer_the_instructions_say_to_take_the_ticket() {
    let printer = std::sync::Arc::new(passerelle::kiosk::printer::FakePrinter::default());
    let crate::ui_kit::Kit { app, c, dir: _dir, .. } = crate::ui_kit::kit().admin_key().on(2026, 12, 2).printer(printer).build();
    c.borrow_mut().model_mut().play_script(&Script::parse(passerelle_core::DEMO_VISIT).unwrap()).unwrap();
    c.borrow_mut().refresh(&app);
    let text = app.global::<EndAdapter>().get_instructions().to_string();
    assert!(text.starts_with("Prenez votre ticket."), "{text}");
    assert!(c.borrow().model().spoken().1.contains("Prenez votre ticket."));
}
