//! Issue 24, item 2: every screen of the screen tour (`kiosk/src/screen_tour.rs`) through the
//! visit model, without Slint. The keypad and speech read one list of controls
//! (`VisitModel::screen_controls`): every control the keypad reaches is shown by the screen's
//! view and named by speech, and every button speech tells the visitor to touch is one the
//! keypad reaches. And the reverse, through the real Slint screens: every control drawn is in
//! the list, or one of the few that are known not to be keypad targets.

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementRoot};
use passerelle::kiosk::keypad::Target;
use passerelle::kiosk::printer::{FakePrinter, Printer};
use passerelle::kiosk::screen_tour::{self, SCREENS};
use passerelle::kiosk::speech::FakeSpeech;
use passerelle::kiosk::store::Store;
use passerelle::kiosk::visit_model::*;
use passerelle_core::i18n::tr;
use passerelle_core::questionnaire::Kind;
use std::sync::Arc;

/// Whether the screen's view shows `t` (what `src/ui/` draws from), read from the view's own
/// data, not from the controls list.
fn shown(v: &View, t: &Target) -> bool {
    let q = match &v.screen {
        ScreenView::Question(q) => Some(q),
        _ => None,
    };
    let end = match &v.screen {
        ScreenView::End { visit: Some(e), .. } => Some(e),
        _ => None,
    };
    let notice = matches!(v.screen, ScreenView::Notice(_));
    let language = |code: &str| v.chrome.languages.iter().any(|l| l.code == code);
    match t {
        Target::Start(code) => v.screen == ScreenView::Attract && language(code),
        Target::PickLanguage(code) => v.a11y.languages_open && language(code),
        Target::CloseLanguages => v.a11y.languages_open,
        Target::TextSize(_) | Target::Contrast | Target::Calm | Target::CloseMenu => v.a11y.panel_open,
        Target::AutoRead | Target::VolumeDown | Target::VolumeUp => v.a11y.panel_open && v.a11y.speech_available,
        Target::Listen => v.a11y.speech_available,
        Target::Menu => true,
        Target::Language => !v.chrome.language_button.is_empty(),
        Target::Next => notice || q.is_some_and(|q| q.next.show),
        Target::Back => notice || q.is_some(),
        Target::Skip => q.is_some_and(|q| q.kind != Kind::Contact),
        Target::Call => q.is_some_and(|q| q.can_call),
        Target::CallYes | Target::CallNo => q.is_some() && v.overlay.call_confirm(),
        Target::Choice(id) => q.is_some_and(|q| q.choices.iter().any(|c| c.id == *id)),
        Target::ConsentYes | Target::ConsentNo => q.is_some_and(|q| q.kind == Kind::Contact && !v.overlay.form_open()),
        Target::Print => end.is_some_and(|e| e.can_print),
        Target::Finish => end.is_some() || matches!(v.screen, ScreenView::SaveFailed { .. }),
        Target::Profile | Target::Places => end.is_some_and(|e| !e.private && !e.places.is_empty()),
        Target::StillHere => v.idle.is_some(),
        Target::Stop => v.stop_offered,
        Target::StopYes | Target::StopNo => v.overlay.stop_confirm(),
        Target::Retry => matches!(v.screen, ScreenView::SaveFailed { .. }),
    }
}

/// The names speech quotes (« … », “ … ”, „ … ”): the buttons it tells the visitor to touch.
fn quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['«', '“', '„']) {
        let open = rest[i..].chars().next().unwrap();
        let after = &rest[i + open.len_utf8()..];
        let close = if open == '«' { '»' } else { '”' };
        let Some(j) = after.find(close) else { break };
        out.push(after[..j].trim_matches([' ', '\u{a0}', '\u{202f}']).to_string());
        rest = &after[j + close.len_utf8()..];
    }
    out
}

/// The model driven to `screen` in `lang`, as `passerelle screenshot` drives it.
fn model_at(screen: &str, lang: &str, printer: bool, dir: &std::path::Path) -> VisitModel {
    let kiosk = screen_tour::fixed(crate::support::kiosk(dir));
    let store = Store::open(dir).unwrap();
    let clock = screen_tour::clock();
    let printer = printer.then(|| Arc::new(FakePrinter::default()) as Arc<dyn Printer>);
    let mut m = VisitModel::new(kiosk, store, clock.clone(), Devices { printer, speech: Arc::new(FakeSpeech::default()) });
    if screen == "save-failed" {
        // A store that refuses writes, as the screenshot of that screen has it.
        m.store().connection().execute_batch("PRAGMA query_only = ON;").unwrap();
    }
    screen_tour::drive(&mut m, &clock, screen, lang).unwrap_or_else(|e| panic!("{screen}: {e:#}"));
    m.speak_if_changed();
    m
}

/// States of a screen the tour's pictures do not show, driven from the first question: a
/// multiple choice and a text question before anything is chosen or typed ("Suivant" shown,
/// disabled).
const STATES: &[&str] = &["multiple-empty", "text-empty"];

fn drive_state(m: &mut VisitModel, state: &str) {
    let to = |m: &mut VisitModel, id: &str| {
        while m.engine().current().is_some_and(|q| q.id != id) {
            m.skip();
        }
    };
    to(m, "usages_principaux");
    if state == "text-empty" {
        m.choose("autre");
        m.next();
    }
    m.speak_if_changed();
    let q = m.engine().current().unwrap();
    assert!(m.engine().selected().is_empty() && m.engine().text().is_empty(), "{state}: {}", q.id);
    assert_eq!(q.kind, if state == "text-empty" { Kind::Text } else { Kind::Multiple }, "{state}");
}

#[test]
fn on_every_screen_of_the_tour_keypad_screen_and_speech_offer_the_same_controls() {
    let mut seen = std::collections::BTreeSet::new();
    for (lang, printer) in [("fr", false), ("fr", true), ("en", true), ("ar", false)] {
        // "out-of-service" is the window of a kiosk that could not start: no visit model.
        for &screen in SCREENS.iter().filter(|s| **s != "out-of-service").chain(STATES) {
            let dir = tempfile::tempdir().unwrap();
            let m = if STATES.contains(&screen) {
                let mut m = model_at("single", lang, printer, dir.path());
                drive_state(&mut m, screen);
                m
            } else {
                model_at(screen, lang, printer, dir.path())
            };
            let at = format!("{screen} ({lang}, printer: {printer})");
            check_agreement(&m, &at, &mut seen);
        }
    }
    // The tour reaches every kind of control (a tour without a screen would prove little).
    for kind in ["start", "choice", "pick", "a11y", "nav", "consent", "call", "stop", "end", "idle", "listen", "lang"] {
        assert!(seen.contains(kind), "the tour reaches no {kind} control: {seen:?}");
    }
}

/// The keypad's path, the screen's view and speech agree on `m`'s screen: every control the
/// keypad reaches is shown and named by speech, and every button speech quotes (tells the
/// visitor to touch) is one the keypad reaches.
fn check_agreement(m: &VisitModel, at: &str, seen: &mut std::collections::BTreeSet<String>) {
    let v = m.view();
    let (_, said) = m.spoken();
    let reachable: Vec<&Control> = v.controls.reachable().collect();
    let targets = m.targets();
    assert_eq!(targets, reachable.iter().map(|c| c.target.clone()).collect::<Vec<_>>(), "{at}: the keypad's path");
    if v.controls.screen == ScreenId::Admin {
        assert!(targets.is_empty() && said.is_empty(), "{at}: the keypad and speech leave the admin screens alone");
        return;
    }
    assert!(!targets.is_empty() && !said.is_empty(), "{at}: {targets:?} / {said}");
    let langs = &m.kiosk().defs.config.languages;
    for c in &v.controls.controls {
        assert_eq!(shown(&v, &c.target), c.visible, "{at}: {} is shown on screen iff the list says so", c.target);
    }
    for c in &reachable {
        seen.insert(c.target.to_string().split(':').next().unwrap().to_string());
        let by_hint = c.hint.is_some_and(|h| h != passerelle::kiosk::screen_controls::ANSWER && langs.iter().any(|l| said.contains(&tr(l, h))));
        let by_label = said.contains(c.label.trim_end_matches('.'));
        assert!(by_hint || by_label, "{at}: {} ({:?}) is on the keypad's path but speech does not name it: {said}", c.target, c.label);
    }
    // The welcome screen speaks every language; its buttons are named in the screen's
    // language (the visitor's sentences in the others name the same buttons).
    let own = if v.controls.screen == ScreenId::Attract {
        let start = said.find(&tr(&v.lang, "speech.welcome")).unwrap();
        let next = langs.iter().filter_map(|l| said[start + 1..].find(&tr(l, "speech.welcome")).map(|i| start + 1 + i)).min();
        &said[start..next.unwrap_or(said.len())]
    } else {
        said.as_str()
    };
    for name in quoted(own) {
        assert!(
            reachable.iter().any(|c| c.label.contains(&name)),
            "{at}: speech tells the visitor to touch «{name}», which the keypad cannot reach ({:?}): {said}",
            reachable.iter().map(|c| &c.label).collect::<Vec<_>>()
        );
    }
}

/// A hidden or disabled control is on no path: after two tickets "Imprimer mon ticket" is in the
/// end screen's list, hidden, and neither the keypad nor speech offers it; a multiple choice's
/// "Suivant" is disabled until an answer is chosen, and off the keypad's path until then.
#[test]
fn a_hidden_or_disabled_control_is_neither_on_the_keypad_nor_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = model_at("end", "fr", true, dir.path());
    for _ in 0..2 {
        m.print();
        assert_eq!(m.take_jobs().len(), 1);
        m.job_done(passerelle::kiosk::jobs::JobDone::Ticket { visit: m.visit_id(), ok: true });
    }
    let v = m.view();
    let print = v.controls.controls.iter().find(|c| c.target == Target::Print).expect("Print is in the end screen's list");
    assert!(!print.visible && !m.targets().contains(&Target::Print));
    let said = m.spoken().1;
    assert!(!said.contains(&tr("fr", "speech.end-print")) && !quoted(&said).iter().any(|q| print.label.contains(q.as_str())), "{said}");
    let dir = tempfile::tempdir().unwrap();
    let mut m = model_at("single", "fr", false, dir.path());
    while m.engine().current().is_some_and(|q| q.kind != Kind::Multiple) {
        m.skip();
    }
    let next = |m: &VisitModel| m.view().controls.controls.into_iter().find(|c| c.target == Target::Next).unwrap();
    assert!(next(&m).visible && !next(&m).enabled && !m.targets().contains(&Target::Next), "nothing chosen yet");
    let first = match m.view().screen {
        ScreenView::Question(q) => q.choices[0].id.clone(),
        _ => unreachable!(),
    };
    m.choose(&first);
    assert!(next(&m).enabled && m.targets().contains(&Target::Next), "an answer chosen");
}

/// The controls that are drawn and that the controls list leaves out on purpose: they are not
/// keypad targets, for a reason said here. Anything else drawn that can be touched must be in
/// the list (`unlisted_control_on_the_real_screen`).
fn not_a_keypad_target(e: &ElementHandle, lang: &str) -> Option<&'static str> {
    let label = e.accessible_label().unwrap_or_default().to_string();
    let type_name = e.type_name().unwrap_or_default().to_string();
    if type_name == "Key" {
        return Some("a key of the on-screen keyboard: touch only, a keypad user cannot type (docs/accessibility.md, \"Left:\")");
    }
    if type_name == "TypedBox" {
        return Some("the text question's box or a contact field: chosen by touch, typed on the on-screen keyboard only (docs/accessibility.md)");
    }
    if [tr(lang, "scroll.more"), tr(lang, "scroll.less")].contains(&label) {
        return Some("a pager's page buttons: they move the view; the keypad reaches every answer on any page and speech reads the whole text");
    }
    None
}

/// The accessible roles of a control a visitor can touch (a button, a tick box, a text box…).
const INTERACTIVE: &[AccessibleRole] = &[
    AccessibleRole::Button,
    AccessibleRole::Checkbox,
    AccessibleRole::Combobox,
    AccessibleRole::Slider,
    AccessibleRole::Spinbox,
    AccessibleRole::Tab,
    AccessibleRole::TextInput,
    AccessibleRole::Switch,
    AccessibleRole::ListItem,
    AccessibleRole::RadioButton,
];

/// The accessible labels `c` may have on the real screen (the list's label is the one speech
/// says when the keypad reaches it: an answer's there is "Réponse 2 : …").
fn drawn_labels(v: &View, c: &Control) -> Vec<String> {
    let mut names = vec![c.label.clone()];
    match &c.target {
        Target::Choice(id) => {
            if let ScreenView::Question(q) = &v.screen {
                names.extend(q.choices.iter().filter(|x| x.id == *id).map(|x| x.label.clone()));
            }
        }
        Target::TextSize(n) => names.push(format!("{} {}", tr(&v.lang, "a11y.text-size"), ["A", "A+", "A++"][*n])),
        Target::Listen if v.screen == ScreenView::Attract => names.push(v.chrome.welcome_listen.clone()),
        Target::Menu if v.screen == ScreenView::Attract => names.push(v.chrome.welcome_menu.clone()),
        _ => {}
    }
    names
}

/// Issue 24, item 3: the reverse of the tour's check, through the real Slint screens (the testing
/// backend): every control drawn that a visitor can touch (found by its accessible role, as a
/// screen reader finds it) is in the screen's controls list, shown there, enabled as it is drawn,
/// or is one of the few `not_a_keypad_target` names with its reason. Over a dialog (its card is
/// the one `groupbox` on screen, over a touch area that swallows every other touch), the controls
/// are the card's. On every screen of the tour but the admin's, which the keypad leaves alone.
#[test]
fn every_control_drawn_on_the_real_screens_is_in_the_list_or_known_not_to_be() {
    let (mut checked, mut allowed) = (0, std::collections::BTreeSet::new());
    for &screen in SCREENS.iter().filter(|s| !["out-of-service", "pin", "admin"].contains(*s)).chain(STATES) {
        let lang = "fr";
        let k = crate::ui_kit::kit().admin_key().printer(Arc::new(FakePrinter::default())).size(1280.0, 800.0).build();
        if screen == "save-failed" {
            k.c.borrow().model().store().connection().execute_batch("PRAGMA query_only = ON;").unwrap();
        }
        if STATES.contains(&screen) {
            screen_tour::drive(k.c.borrow_mut().model_mut(), &k.clock, "single", lang).unwrap();
            drive_state(k.c.borrow_mut().model_mut(), screen);
        } else {
            screen_tour::drive(k.c.borrow_mut().model_mut(), &k.clock, screen, lang).unwrap_or_else(|e| panic!("{screen}: {e:#}"));
        }
        k.c.borrow_mut().refresh(&k.app);
        let v = k.c.borrow().model().view();
        let root = k.app.root_element();
        let cards = root.query_descendants().match_accessible_role(AccessibleRole::Groupbox).find_all();
        let within = cards.last().cloned().unwrap_or(root);
        let drawn = within
            .query_descendants()
            .match_predicate(|e| e.accessible_role().is_some_and(|r| INTERACTIVE.contains(&r)))
            .find_all()
            .into_iter()
            .filter(|e| e.size().width > 0.0 && e.size().height > 0.0 && e.computed_opacity() > 0.0);
        for e in drawn {
            let label = e.accessible_label().unwrap_or_default().to_string();
            let at = format!("{screen}: \"{label}\" ({:?}, {:?})", e.accessible_role(), e.type_name());
            if let Some(why) = not_a_keypad_target(&e, lang) {
                allowed.insert(why);
                continue;
            }
            let listed: Vec<&Control> = v.controls.controls.iter().filter(|c| drawn_labels(&v, c).contains(&label)).collect();
            assert!(
                !listed.is_empty(),
                "{at} is drawn but in no list of the screen's controls: {:?}",
                v.controls.controls.iter().map(|c| (c.target.to_string(), drawn_labels(&v, c))).collect::<Vec<_>>()
            );
            assert!(listed.iter().any(|c| c.visible), "{at}: drawn, but listed as hidden");
            if let Some(enabled) = e.accessible_enabled() {
                assert!(listed.iter().any(|c| c.enabled == enabled), "{at}: drawn {}, listed otherwise", if enabled { "enabled" } else { "disabled" });
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} controls checked");
    assert_eq!(allowed.len(), 3, "every exception is still met on some screen (else remove it): {allowed:?}");
}
