//! Accessibility through the real screens: a whole visit with keys only, "Écouter" and
//! automatic reading (a fake speech engine records what is said), the accessibility menu, and
//! everything back to normal for the next visitor.

use chrono::NaiveDate;
use i_slint_backend_testing::ElementHandle;
use passerelle::kiosk::Kiosk;
use passerelle::kiosk::speech::FakeSpeech;
use passerelle::kiosk::store::Store;
use passerelle::ui::{self, AppWindow, Devices, Theme};
use passerelle_core::engine::FakeClock;
use passerelle_core::questionnaire::Kind;
use slint::ComponentHandle;
use slint::platform::{Key, WindowEvent};
use std::sync::Arc;
use std::time::Duration;

use crate::ui_kit::Kit;

fn kit() -> Kit {
    // The questionnaire's own order: these tests follow it.
    crate::ui_kit::kit().deck_order().build()
}

fn press(app: &AppWindow, text: &str) {
    app.window().dispatch_event(WindowEvent::KeyPressed { text: text.into() });
    app.window().dispatch_event(WindowEvent::KeyReleased { text: text.into() });
}

fn key(k: Key) -> String {
    char::from(k).to_string()
}

fn last_said(k: &Kit) -> String {
    k.speech.said.lock().unwrap().last().map(|x| x.0.clone()).unwrap_or_default()
}

/// The controls the screen draws the keypad's focus on (the flags the adapters hold), each in
/// the text form of its target.
fn flagged(app: &AppWindow) -> Vec<String> {
    use slint::Model;
    let f = app.global::<ui::FocusAdapter>().get_on();
    #[rustfmt::skip]
    let flags = [
        (f.listen, "listen"), (f.menu, "a11y"), (f.language, "lang"), (f.close_languages, "pick:close"), (f.next, "nav:next"),
        (f.back, "nav:back"), (f.skip, "nav:skip"), (f.call, "nav:call"), (f.call_yes, "call:yes"), (f.call_no, "call:no"),
        (f.consent_yes, "consent:yes"), (f.consent_no, "consent:no"), (f.print, "end:print"), (f.finish, "end:finish"),
        (f.profile, "end:profile"), (f.places, "end:places"), (f.still_here, "idle:still-here"), (f.stop, "stop"),
        (f.stop_yes, "stop:yes"), (f.stop_no, "stop:no"), (f.retry, "save:retry"), (f.contrast, "a11y:contrast"),
        (f.calm, "a11y:calm"), (f.auto_read, "a11y:auto"), (f.volume_down, "a11y:vol-"), (f.volume_up, "a11y:vol+"),
        (f.close_menu, "a11y:close"),
    ];
    let mut out: Vec<String> = flags.iter().filter(|(on, _)| *on).map(|(_, t)| t.to_string()).collect();
    if f.text_size >= 0 {
        out.push(format!("a11y:text{}", f.text_size));
    }
    let screen = app.global::<ui::AppAdapter>().get_screen();
    // The tiles of the page on screen (the items of another page are not drawn).
    if screen == ui::Screen::Question {
        let q = app.global::<ui::QuestionAdapter>();
        let pinned = q.get_has_pinned().then(|| q.get_pinned());
        out.extend(q.get_choices().iter().chain(pinned).filter(|c| c.focused).map(|c| format!("choice:{}", c.id)));
    }
    let picker = app.global::<ui::A11yAdapter>().get_languages_open();
    if screen == ui::Screen::Attract || picker {
        let kind = if picker { "pick" } else { "start" };
        out.extend(app.global::<ui::AppAdapter>().get_languages().iter().filter(|l| l.focused).map(|l| format!("{kind}:{}", l.code)));
    }
    out
}

/// Move the keypad focus to `target` with the Down key, then press Enter.
fn choose_with_keys(k: &Kit, target: &str) {
    let targets = k.c.borrow().model().targets();
    let i = targets.iter().position(|t| t == target).unwrap_or_else(|| panic!("{target} not in {targets:?}"));
    let n = targets.len();
    let moves = match k.c.borrow().model().focus_index() {
        None => i + 1,
        Some(f) => (i + n - f) % n,
    };
    for _ in 0..moves {
        press(&k.app, &key(Key::DownArrow));
    }
    assert_eq!(flagged(&k.app), [target], "the focus is shown on {target}, and only there");
    press(&k.app, &key(Key::Return));
}

#[test]
fn a_whole_visit_with_keys_only_and_every_screen_spoken() {
    let k = kit();
    // A blind visitor presses Enter: the kiosk speaks the welcome.
    press(&k.app, &key(Key::Return));
    assert!(last_said(&k).starts_with("Bienvenue."), "{}", last_said(&k));
    choose_with_keys(&k, "start:fr");
    assert!(last_said(&k).starts_with("Vos réponses sont protégées."), "a new screen is read once keys are used: {}", last_said(&k));
    choose_with_keys(&k, "nav:next");
    let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
    let mut guard = 0;
    loop {
        let current = k.c.borrow().model().engine().current().cloned();
        let Some(q) = current else { break };
        guard += 1;
        assert!(guard < 60);
        let said = last_said(&k);
        assert!(said.contains(q.label.get("fr")), "{}: the question is read: {said}", q.id);
        match (q.kind, script.answers.get(&q.id)) {
            (Kind::Grid, Some(v)) => {
                let row = k.c.borrow().model().engine().current_row().unwrap();
                let choice = v[&q.rows[row].id].as_str().unwrap();
                // Digits choose the answer of that number.
                let n = q.choices.iter().position(|c| c.id == choice).unwrap() + 1;
                press(&k.app, &n.to_string());
            }
            (Kind::Single | Kind::List | Kind::Quiz, Some(v)) => choose_with_keys(&k, &format!("choice:{}", v.as_str().unwrap())),
            (Kind::Multiple, Some(v)) => {
                for c in v.as_array().unwrap() {
                    choose_with_keys(&k, &format!("choice:{}", c.as_str().unwrap()));
                }
                choose_with_keys(&k, "nav:next");
            }
            (Kind::Contact, _) => choose_with_keys(&k, "consent:no"),
            _ => choose_with_keys(&k, "nav:skip"),
        }
    }
    let c = std::cell::Ref::map(k.c.borrow(), |c| c.model());
    let saved = c.last_saved().expect("the visit is stored").clone();
    let stored = c.store().visit(&saved.id).unwrap().unwrap();
    for (qid, v) in &script.answers {
        assert_eq!(&stored.answers[qid], v, "{qid}");
    }
    drop(c);
    assert!(last_said(&k).contains("Montrez ce code à l’accueil ou à un conseiller numérique"), "the end screen is read: {}", last_said(&k));
    choose_with_keys(&k, "end:finish");
    assert_eq!(k.c.borrow().model().engine().screen(), passerelle_core::engine::Screen::Attract);
}

#[test]
fn listen_reads_the_question_and_every_answer_and_a_new_screen_stops_it() {
    let k = kit();
    let tap =
        |label: &str| ElementHandle::find_by_accessible_label(&k.app, label).next().unwrap_or_else(|| panic!("{label}")).invoke_accessible_default_action();
    tap("Français — Commencer");
    tap("J’ai compris");
    assert!(k.speech.said.lock().unwrap().is_empty(), "nothing is read unless asked");
    tap("Écouter");
    let said = last_said(&k);
    assert!(said.contains("Quel âge avez-vous\u{a0}?") && said.contains("Réponse 7\u{a0}: 70 ans ou plus.") && said.contains("Retour"), "{said}");
    let stops = *k.speech.stops.lock().unwrap();
    tap("70 ans ou plus");
    assert!(*k.speech.stops.lock().unwrap() > stops, "the new screen interrupts the speech");
    // Automatic reading, from the accessibility menu.
    tap("Accessibilité");
    tap("Lire chaque écran à voix haute");
    let before = k.speech.said.lock().unwrap().len();
    let toggle = ElementHandle::find_by_accessible_label(&k.app, "Lire chaque écran à voix haute").next().unwrap();
    assert_eq!((toggle.accessible_checkable(), toggle.accessible_checked()), (Some(true), Some(true)), "a toggle that says its state");
    tap("C’est bon");
    tap("Une femme");
    assert!(k.speech.said.lock().unwrap().len() > before);
    assert!(last_said(&k).contains("Dans quel quartier habitez-vous\u{a0}?"), "{}", last_said(&k));
}

#[test]
fn the_accessibility_menu_changes_the_theme_and_the_next_visitor_starts_fresh() {
    let k = kit();
    let tap =
        |label: &str| ElementHandle::find_by_accessible_label(&k.app, label).next().unwrap_or_else(|| panic!("{label}")).invoke_accessible_default_action();
    // Before a language is chosen, the welcome screen names it in French, English and Arabic.
    let menu = k.c.borrow().model().view().chrome.welcome_menu;
    assert_eq!(menu.replace(['\u{2068}', '\u{2069}'], ""), "Accessibilité · Accessibility · تسهيلات الاستخدام");
    tap(&menu);
    tap("Taille du texte A++");
    tap("Contraste élevé");
    let theme = k.app.global::<Theme>();
    assert_eq!(theme.get_text_scale(), 1.5);
    assert!(theme.get_high_contrast());
    assert!(theme.get_background() == slint::Color::from_rgb_u8(0, 0, 0), "high contrast is black and white");
    tap("Moins de réponses par écran");
    assert!(theme.get_calm());
    press(&k.app, "+");
    press(&k.app, "+");
    assert_eq!(k.c.borrow().model().a11y().volume(), 3);
    assert_eq!(k.speech.said.lock().unwrap().last().unwrap().2, 200, "louder");
    tap("C’est bon");
    tap("Français — Commencer");
    tap("J’ai compris");
    // The visitor walks away: warning, then reset.
    k.clock.advance(Duration::from_secs(61));
    k.c.borrow_mut().model_mut().tick();
    k.c.borrow_mut().refresh(&k.app);
    assert!(last_said(&k).contains("Êtes-vous toujours là\u{a0}?"), "the warning is spoken to a visitor who used speech: {}", last_said(&k));
    k.clock.advance(Duration::from_secs(30));
    k.c.borrow_mut().model_mut().tick();
    k.c.borrow_mut().refresh(&k.app);
    assert_eq!(theme.get_text_scale(), 1.0);
    assert!(!theme.get_high_contrast() && !theme.get_calm());
    assert_eq!(k.c.borrow().model().a11y().volume(), passerelle::kiosk::speech::DEFAULT_VOLUME, "the volume is back to normal");
}

#[test]
fn back_and_repeat_keys() {
    let k = kit();
    press(&k.app, &key(Key::Return));
    press(&k.app, &key(Key::Return));
    assert_eq!(k.c.borrow().model().engine().screen(), passerelle_core::engine::Screen::Notice);
    press(&k.app, &key(Key::F1));
    assert!(last_said(&k).starts_with("Vos réponses sont protégées."));
    press(&k.app, &key(Key::Escape));
    assert_eq!(k.c.borrow().model().engine().screen(), passerelle_core::engine::Screen::Attract, "Escape goes back");
    assert!(!k.c.borrow_mut().key_pressed("q", &k.app.as_weak()), "unused keys are not taken");
}

/// Physical size (issue 17): with `[screen] diagonal_inches` set, every button and answer tile
/// is at least 2 cm high on the real panel, and the bottom bar's buttons 2 cm wide too: on a
/// 10.1" 1280x800 panel, where the pixel sizes alone give 1.4 cm.
#[test]
fn on_a_10_inch_panel_every_control_is_at_least_2_cm() {
    use i_slint_backend_testing::{AccessibleRole, ElementRoot};
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::load(None, Some(dir.path())).unwrap();
    kiosk.defs.config.flow = Default::default();
    kiosk.defs.config.screen_diagonal_in = 10.1;
    let store = Store::open(dir.path()).unwrap();
    let clock = FakeClock::new(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
    let (app, _c) = ui::build_with_devices(kiosk, store, clock, Devices { printer: None, speech: Arc::new(FakeSpeech::default()) }).unwrap();
    app.window().set_size(slint::LogicalSize::new(1280.0, 800.0));
    app.show().unwrap();
    let two_cm = 2.0 * (1280f32.powi(2) + 800f32.powi(2)).sqrt() / (10.1 * 2.54);
    let check = |screen: &str| {
        let buttons = app.root_element().query_descendants().match_accessible_role(AccessibleRole::Button).find_all();
        assert!(buttons.len() >= 3, "{screen}: buttons found");
        for b in buttons {
            let (s, label) = (b.size(), b.accessible_label().unwrap_or_default());
            if s.width == 0.0 || s.height == 0.0 {
                continue;
            }
            assert!(s.height + 0.5 >= two_cm, "{screen}: \"{label}\" is {:.1} cm high", s.height / two_cm * 2.0);
        }
    };
    check("welcome");
    let tap = |label: &str| ElementHandle::find_by_accessible_label(&app, label).next().unwrap_or_else(|| panic!("{label}")).invoke_accessible_default_action();
    tap("Français — Commencer");
    tap("J’ai compris");
    check("first question");
    for label in ["Retour", "Écouter", "Accessibilité"] {
        let w = ElementHandle::find_by_accessible_label(&app, label).next().unwrap().size().width;
        assert!(w + 0.5 >= two_cm, "\"{label}\" is {:.1} cm wide", w / two_cm * 2.0);
    }
}

/// The keypad names keys by the characters Slint sends (the kiosk's crate knows no Slint): every
/// key `kiosk.toml` may name is recognised from Slint's own key, and other text stays as it is.
#[test]
fn keys_are_named_from_slints_own_key_codes() {
    use passerelle::kiosk::keypad::key_name;
    let named = [
        (Key::UpArrow, "Up"),
        (Key::DownArrow, "Down"),
        (Key::LeftArrow, "Left"),
        (Key::RightArrow, "Right"),
        (Key::Tab, "Tab"),
        (Key::Return, "Return"),
        (Key::Escape, "Escape"),
        (Key::Backspace, "Backspace"),
        (Key::Space, "Space"),
        (Key::PageUp, "PageUp"),
        (Key::PageDown, "PageDown"),
        (Key::Home, "Home"),
        (Key::End, "End"),
        (Key::F1, "F1"),
        (Key::F5, "F5"),
        (Key::F10, "F10"),
        (Key::F12, "F12"),
    ];
    for (k, name) in named {
        assert_eq!(key_name(&key(k)), name, "{k:?}");
    }
    for plain in ["+", "3", "a", "é", "F1"] {
        assert_eq!(key_name(plain), plain);
    }
}
