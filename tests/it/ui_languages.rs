//! Visitors in other languages, through the real Slint screens. A visitor who reads only Arabic
//! completes the questionnaire alone: everything is found by its Arabic label, the layout is
//! mirrored, "autre" and the contact name are typed on the Arabic keyboard (the phone on the digit
//! pad), and what is stored is ids only, with the language. Romanian, Spanish and Portuguese
//! visitors find their own accented letters on the keyboard.

use crate::support::{find, skip, tap, tap_answer};
use chrono::NaiveDate;
use passerelle::core::i18n::tr;
use passerelle::kiosk::Kiosk;
use passerelle::kiosk::store::Store;
use passerelle::ui::{self, AppWindow, Shared, Theme};
use passerelle_core::config::Config;
use passerelle_core::engine::FakeClock;
use passerelle_core::questionnaire::Kind;
use passerelle_core::script::Script;
use slint::ComponentHandle;

fn x_of(app: &AppWindow, label: &str) -> f32 {
    find(app, label).unwrap_or_else(|| panic!("no {label:?}")).absolute_position().x
}

fn type_keys(app: &AppWindow, text: &str) {
    for ch in text.chars() {
        let label = if ch == ' ' { tr("ar", "key.space") } else { ch.to_string() };
        tap(app, &label);
    }
}

#[test]
fn a_visitor_who_reads_arabic_completes_the_visit_alone() {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let (identity, recipient) = passerelle::kiosk::seal::keygen();
    let src = passerelle_core::DEFAULT_CONFIG.replace("recipient = \"\"", &format!("recipient = \"{recipient}\""));
    let mut config = Config::parse(&src, "kiosk.toml", None).unwrap();
    config.data_dir = dir.path().to_path_buf();
    let kiosk = Kiosk::from_config(config, "test".into()).unwrap();
    let store = Store::open(dir.path()).unwrap();
    let clock = FakeClock::new(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
    let (app, c) = ui::build(kiosk, store, clock).unwrap();
    app.window().set_size(slint::PhysicalSize::new(1280, 800));
    app.show().unwrap();
    let script = Script::parse(passerelle_core::DEMO_VISIT).unwrap();
    let current = |c: &Shared| c.borrow().model().engine().current().map(|q| q.id.clone());
    let label = |c: &Shared, qid: &str, choice: &str| {
        let q = c.borrow().model().engine().questionnaire().question(qid).unwrap().clone();
        q.choice(choice).unwrap().label.get("ar").to_string()
    };

    // The attract screen names the language in its own script.
    tap(&app, &format!("{} — {}", tr("ar", "lang.name"), tr("ar", "start.action")));
    assert!(app.global::<Theme>().get_rtl(), "Arabic is laid out right to left");
    tap(&app, &tr("ar", "notice.ok"));
    // Mirrored: Back on the right, Next on the left.
    let (back, skip) = (tr("ar", "nav.back"), tr("ar", "nav.skip"));
    assert!(x_of(&app, &back) > x_of(&app, &skip), "Back is at the right in Arabic");
    let mut guard = 0;
    let mut typed_other = false;
    let more = tr("ar", "scroll.more");
    while let Some(qid) = current(&c) {
        guard += 1;
        assert!(guard < 100, "the visit never ends");
        let q = c.borrow().model().engine().questionnaire().question(&qid).unwrap().clone();
        match (q.kind, script.answers.get(&qid)) {
            (Kind::Single | Kind::Quiz, Some(v)) => tap_answer(&app, &label(&c, &qid, v.as_str().unwrap()), &more),
            // Neighbourhoods are place names: they keep their French name.
            (Kind::List, Some(v)) => tap_answer(&app, q.choice(v.as_str().unwrap()).unwrap().label.get("ar"), &more),
            (Kind::Multiple, Some(v)) => {
                for ch in v.as_array().unwrap() {
                    tap_answer(&app, &label(&c, &qid, ch.as_str().unwrap()), &more);
                }
                if qid == "usages_principaux" {
                    tap_answer(&app, &label(&c, &qid, "autre"), &more);
                }
                if qid == "usages_principaux" && v.as_array().unwrap().len() < 3 {
                    let next = tr("ar", "nav.next");
                    assert!(x_of(&app, &next) < x_of(&app, &skip), "Next is at the left in Arabic");
                }
                tap(&app, &tr("ar", "nav.next"));
            }
            (Kind::Text, _) => {
                type_keys(&app, "شطرنج");
                typed_other = true;
                tap(&app, &tr("ar", "nav.next"));
            }
            (Kind::Grid, Some(v)) => {
                let row = c.borrow().model().engine().current_row().unwrap();
                tap(&app, &label(&c, &qid, v[&q.rows[row].id].as_str().unwrap()));
            }
            (Kind::Contact, _) => {
                tap(&app, &tr("ar", "consent.yes"));
                let field = |id: &str| {
                    let f = q.fields.iter().find(|f| f.id == id).unwrap();
                    format!("{}{}", f.label.get("ar"), if f.required { " *" } else { "" })
                };
                tap(&app, &field("last_name"));
                type_keys(&app, "بن علي");
                tap(&app, &field("phone"));
                for d in "0612345678".chars() {
                    tap(&app, &d.to_string());
                }
                tap(&app, &tr("ar", "form.validate"));
            }
            (_, None) => tap(&app, &skip),
            (kind, v) => panic!("unexpected {kind:?} {v:?}"),
        }
    }
    assert!(typed_other, "the free text was typed on the Arabic keyboard");
    assert!(find(&app, &tr("ar", "end.qr-label")).is_some(), "the end screen, in Arabic");
    // The profile in plain words, in Arabic, with the mediator's places.
    assert!(find(&app, &tr("ar", "end.tab-places")).is_some());
    let cc = std::cell::Ref::map(c.borrow(), |c| c.model());
    let saved = cc.last_saved().expect("saved").clone();
    let stored = cc.store().visit(&saved.id).unwrap().expect("stored");
    assert_eq!(stored.lang, "ar");
    assert_eq!(stored.answers["usages_principaux_autre"], "شطرنج");
    assert_eq!(stored.answers["age"], script.answers["age"], "ids, not Arabic labels");
    assert!(stored.profile["prise_en_charge_specifique"].as_array().unwrap().contains(&"Langues étrangères (autres)".into()));
    let sealed = cc.store().sealed_contact(&saved.id).unwrap().unwrap();
    let contact = passerelle::kiosk::seal::open(&identity, &sealed).unwrap();
    assert_eq!((contact.last_name.as_str(), contact.phone.as_str()), ("بن علي", "0612345678"));
    drop(cc);
    tap(&app, &tr("ar", "end.finish"));
    assert!(!app.global::<Theme>().get_rtl(), "the next visitor starts left to right again");
}

#[test]
fn each_latin_language_has_its_own_accented_letters_on_the_keyboard() {
    i_slint_backend_testing::init_no_event_loop();
    for (lang, word, absent) in [("ro", "școală", "é"), ("es", "niño", "ș"), ("pt", "coração", "ñ")] {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::parse(passerelle_core::DEFAULT_CONFIG, "kiosk.toml", None).unwrap();
        config.data_dir = dir.path().to_path_buf();
        let kiosk = Kiosk::from_config(config, "test".into()).unwrap();
        let store = Store::open(dir.path()).unwrap();
        let clock = FakeClock::new(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
        let (app, c) = ui::build(kiosk, store, clock).unwrap();
        app.show().unwrap();
        tap(&app, &format!("{} — {}", tr(lang, "lang.name"), tr(lang, "start.action")));
        tap(&app, &tr(lang, "notice.ok"));
        // Skip to the question with "autre", choose it, and type a word of the language.
        while c.borrow().model().engine().current().is_some_and(|q| q.id != "usages_principaux") {
            skip(&app, lang);
        }
        let other = c.borrow().model().engine().current().unwrap().choice("autre").unwrap().label.get(lang).to_string();
        tap(&app, &other);
        tap(&app, &tr(lang, "nav.next"));
        type_keys_in(&app, lang, word);
        assert_eq!(c.borrow().model().engine().text(), word, "{lang}");
        // The accents' page: the language's own letters.
        if find(&app, &tr(lang, "key.page-more")).is_some() {
            tap(&app, &tr(lang, "key.page-more"));
        }
        let accent = word.chars().find(|c| !c.is_ascii()).unwrap().to_string();
        assert!(find(&app, &accent).is_some(), "{lang}: {accent} on the accents' page");
        assert!(find(&app, absent).is_none(), "{lang}: the keyboard shows its own letters, not {absent}");
    }
}

fn type_keys_in(app: &AppWindow, lang: &str, text: &str) {
    crate::support::type_keys(app, lang, text);
}
