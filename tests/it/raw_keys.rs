//! Never a raw key (issue 27, item 4): no text a visitor, a mediator or a ticket shows is an i18n
//! key ("places.general") or keeps a `{placeholder}`. Checked over every screen of the screen tour
//! in every shipped language (what the screen shows and what speech says), over random visits
//! (complete ones and ones ended early, on the first question too): their end screen, speech,
//! ticket, the mediator's text, `places suggest`. The keys are read from `i18n/fr.po` as text,
//! independently of the catalogue parser under test (a missing blank line once hid two keys
//! from it). What only Slint draws is walked in `tests/screens.rs`.

use passerelle::core::place_book;
use passerelle::kiosk::speech::FakeSpeech;
use passerelle::kiosk::store::Store;
use passerelle::kiosk::visit_model::*;
use passerelle_core::engine::{Clock, FakeClock};
use rand::SeedableRng;
use std::sync::Arc;

/// Every key of the kiosk's texts, from the French catalogue's source.
pub fn keys() -> Vec<String> {
    let po = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/fr.po")).unwrap();
    let keys: Vec<String> = po.lines().filter_map(|l| l.strip_prefix("msgid \"")?.strip_suffix('"').map(String::from)).filter(|k| !k.is_empty()).collect();
    assert!(keys.len() > 200, "keys read from i18n/fr.po: {}", keys.len());
    keys
}

/// What is wrong with a text a person sees: it is a key, holds a key, or keeps a placeholder.
pub fn raw(text: &str, keys: &[String]) -> Option<String> {
    let t = text.trim();
    if keys.iter().any(|k| k == t) {
        return Some(format!("the key {t:?}"));
    }
    // A dotted key inside a longer text ("… partial.start").
    for word in t.split(|c: char| c.is_whitespace() || "«»“”\"()[],:;!?".contains(c)) {
        let word = word.trim_end_matches('.');
        if word.contains('.') && keys.iter().any(|k| k == word) {
            return Some(format!("the key {word:?} in {t:?}"));
        }
    }
    let re = regex::Regex::new(r"\{[a-z_]+\}").unwrap();
    re.find(t).map(|m| format!("the placeholder {} in {t:?}", m.as_str()))
}

/// Every text of a view that a visitor sees or a screen reader says.
pub fn view_texts(v: &View) -> Vec<String> {
    let mut out = Vec::new();
    let c = &v.chrome;
    out.extend([c.structure.clone(), c.language_button.clone(), c.welcome.clone(), c.hint.clone(), c.welcome_listen.clone(), c.welcome_menu.clone()]);
    out.extend(c.lines.iter().cloned());
    out.extend(c.languages.iter().flat_map(|l| [l.name.clone(), l.action.clone()]));
    out.extend(c.out_of_service.iter().flat_map(|(t, l)| [t.clone(), l.clone()]));
    out.extend(v.idle.iter().cloned());
    out.push(v.a11y.volume_text.clone());
    match &v.screen {
        ScreenView::Notice(Some(n)) => out.extend([n.section.clone(), n.title.clone(), n.body.clone()]),
        ScreenView::Question(q) => {
            out.extend([q.section.clone(), q.title.clone(), q.help.clone(), q.status.clone()]);
            out.extend(q.progress.iter().map(|p| p.text.clone()));
            out.extend(q.choices.iter().map(|c| c.label.clone()));
            out.extend(q.row.iter().flat_map(|r| [r.label.clone(), r.position.clone()]));
            out.extend(q.picture.iter().map(|(_, alt)| alt.clone()));
            if let Some(f) = &q.form {
                out.extend(f.fields.iter().map(|f| f.label.clone()));
                out.push(f.error.clone());
            }
        }
        ScreenView::End { thanks, visit } => {
            out.push(thanks.clone());
            if let Some(e) = visit {
                out.extend([
                    e.at_ease_title.clone(),
                    e.help_title.clone(),
                    e.mode.clone(),
                    e.instructions.clone(),
                    e.print_status.clone(),
                    e.reference.clone(),
                ]);
                out.extend(e.at_ease.iter().chain(&e.help).cloned());
                out.extend(e.places.iter().flat_map(|p| [p.name.clone(), p.why.clone(), p.opening.clone(), p.address.clone()]));
            }
        }
        ScreenView::SaveFailed { code } | ScreenView::OutOfService { code } => out.push(code.clone()),
        ScreenView::Attract | ScreenView::Admin | ScreenView::Notice(None) => {}
    }
    if let Some(s) = &v.admin.screen {
        out.extend(s.facts.iter().cloned());
        out.extend(s.stats.iter().map(|r| r.label.clone()));
    }
    out.extend([v.admin.pin_message.clone(), v.admin.status.clone()]);
    out.retain(|s| !s.is_empty());
    out
}

fn model(dir: &std::path::Path, clock: Arc<FakeClock>, printer: bool) -> VisitModel {
    let kiosk = crate::support::kiosk(dir);
    let store = Store::open(dir).unwrap();
    let printer: Option<Arc<dyn passerelle::kiosk::printer::Printer>> =
        printer.then(|| Arc::new(passerelle::kiosk::printer::FakePrinter::default()) as Arc<dyn passerelle::kiosk::printer::Printer>);
    VisitModel::new(kiosk, store, clock, Devices { printer, speech: Arc::new(FakeSpeech::default()) })
}

fn clock() -> Arc<FakeClock> {
    FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap())
}

/// Every screen of the screen tour, in every shipped language, with and without a printer, the
/// language picker and the accessibility menu open over a question, and the end screen of a
/// visit ended with "On m’appelle au guichet".
#[test]
fn no_screen_shows_or_says_a_raw_key_in_any_language() {
    let keys = keys();
    let mut report = Vec::new();
    let langs = ["fr", "en", "ar", "pt", "es", "ro"];
    let mut check = |what: &str, m: &mut VisitModel| {
        m.speak_if_changed();
        let v = m.view();
        for t in view_texts(&v).iter().chain([m.spoken().1].iter()) {
            if let Some(p) = raw(t, &keys) {
                report.push(format!("{what}: {p}"));
            }
        }
    };
    for lang in langs {
        for printer in [false, true] {
            for screen in passerelle::kiosk::screen_tour::SCREENS {
                let dir = tempfile::tempdir().unwrap();
                let clock = clock();
                let mut m = model(dir.path(), clock.clone(), printer);
                match *screen {
                    // Drawn without a model (a configuration that cannot be read): tests/screens.rs.
                    "out-of-service" => continue,
                    // A store that refuses writes: the visit cannot be saved.
                    "save-failed" => m.store().connection().execute_batch("PRAGMA query_only = ON;").unwrap(),
                    _ => {}
                }
                passerelle::kiosk::screen_tour::drive(&mut m, &clock, screen, lang).unwrap();
                check(&format!("{screen} {lang} printer={printer}"), &mut m);
                if *screen == "single" {
                    m.open_languages();
                    check(&format!("language picker {lang}"), &mut m);
                    m.close_languages();
                    m.open_a11y_panel();
                    check(&format!("accessibility menu {lang}"), &mut m);
                    m.close_a11y_panel();
                    m.call_me();
                    check(&format!("call confirmation {lang}"), &mut m);
                    m.call_answer(true);
                    check(&format!("called end screen {lang} printer={printer}"), &mut m);
                }
            }
        }
    }
    assert!(report.is_empty(), "{} raw texts:\n{}", report.len(), report.join("\n"));
}

/// Random visits (about one in eight ended early), and a visit ended on its first question:
/// their end screen and speech, ticket, the mediator's text in French and English, and the
/// places suggested, in the visit's language.
#[test]
fn no_ticket_mediator_text_or_places_line_is_a_raw_key() {
    let keys = keys();
    let mut report = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let mut m = model(dir.path(), clock.clone(), true);
    let kiosk = m.kiosk().clone();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(27);
    let mut engine = kiosk.engine(clock.clone());
    let mut visits = Vec::new();
    for _ in 0..60 {
        visits.push(passerelle_core::random::random_visit(&mut engine, &mut rng).unwrap());
        engine.saved().unwrap();
        engine.finish().unwrap();
    }
    // Ended on the first question, in every language.
    for lang in ["fr", "en", "ar", "pt", "es", "ro"] {
        engine.set_lang(lang).unwrap();
        engine.start().unwrap();
        engine.acknowledge().unwrap();
        if let passerelle_core::engine::Outcome::Finished(v) = engine.finish_now().unwrap() {
            visits.push(v);
        }
        engine.saved().unwrap();
        engine.finish().unwrap();
    }
    let mut store = Store::open(dir.path()).unwrap();
    let mut partial = 0;
    for visit in &visits {
        let saved = kiosk.finish_visit(&mut store, clock.as_ref(), visit).unwrap();
        partial += usize::from(saved.profile.partial);
        let lang = saved.lang.clone();
        let stored = store.visit(&saved.id).unwrap().expect("stored");
        let ticket = passerelle::kiosk::ticket::TicketData::from_stored(&kiosk, &stored, clock.local_now()).unwrap();
        let mut texts = passerelle::kiosk::ticket::texts(&ticket);
        let d = passerelle::mediator::decode(&kiosk.defs, &saved.payload).unwrap();
        for l in ["fr", "en"] {
            texts.push(passerelle::mediator::to_text(&kiosk.defs, &d, l, &ticket.places));
        }
        texts.push(place_book::to_text(&ticket.places, &lang));
        for t in texts.iter().flat_map(|t| t.lines()) {
            if let Some(p) = raw(t, &keys) {
                report.push(format!("visit {} ({lang}, partial {}): {p}", saved.id, saved.profile.partial));
            }
        }
    }
    assert!(partial >= 6, "visits ended early: {partial}");
    // The end screen and its speech through the model, for some of them.
    for script_lang in ["fr", "ar", "ro"] {
        let mut script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
        script.lang = script_lang.to_string();
        m.play_script(&script).unwrap();
        m.show_end_places(true);
        m.speak_if_changed();
        for t in view_texts(&m.view()).iter().chain([m.spoken().1].iter()) {
            if let Some(p) = raw(t, &keys) {
                report.push(format!("end screen {script_lang}: {p}"));
            }
        }
        m.finish();
    }
    assert!(report.is_empty(), "{} raw texts:\n{}", report.len(), report.join("\n"));
}

/// The check itself finds what it must.
#[test]
fn the_raw_key_check_finds_keys_and_placeholders() {
    let keys = keys();
    assert!(raw("places.general", &keys).is_some());
    assert!(raw("  partial.start ", &keys).is_some());
    assert!(raw("à 2 km · places.general", &keys).is_some());
    assert!(raw("Référence : {ref}", &keys).is_some());
    assert!(raw("Questionnaire interrompu dès la première question", &keys).is_none());
    assert!(raw("www.example.fr", &keys).is_none());
}
