//! "On m’appelle" through the real screens: a visitor answers eight questions, is called to the
//! counter, confirms in one tap, and gets a QR code whose profile is partial and holds those eight
//! answers; the same with the keypad; "Non, continuer" and "Retour" keep the visit going. The
//! welcome screen's time estimate follows the configured path.

use crate::support::{find, tap};
use chrono::NaiveDate;
use passerelle::kiosk::Kiosk;
use passerelle::ui::{self};
use passerelle_core::answers::Answer;
use passerelle_core::config::Config;
use passerelle_core::engine::FakeClock;
use passerelle_core::questionnaire::Kind;

use crate::ui_kit::Kit;

fn kit_with(edit: impl Fn(String) -> String + 'static) -> Kit {
    crate::ui_kit::kit().on(2026, 12, 5).config(edit).build()
}

fn kit() -> Kit {
    kit_with(|s| s)
}

fn current(k: &Kit) -> Option<(String, Option<usize>)> {
    let c = std::cell::Ref::map(k.c.borrow(), |c| c.model());
    c.engine().current().map(|q| (q.id.clone(), c.engine().current_row()))
}

/// Answer the question on screen by touching its first answer (then "Suivant" for a multiple choice).
fn answer_first(k: &Kit) {
    let q = k.c.borrow().model().engine().current().unwrap().clone();
    tap(&k.app, q.choices[0].label.fr());
    if q.kind == Kind::Multiple {
        tap(&k.app, "Suivant");
    }
}

#[test]
fn called_after_eight_answers_the_visitor_gets_a_partial_profile_with_those_answers() {
    let k = kit();
    tap(&k.app, "Français — Commencer");
    assert!(find(&k.app, "On m’appelle au guichet").is_none(), "not on the notice");
    tap(&k.app, "J’ai compris");
    // Essentials first (the default in a queue): the age band, the gender and the neighbourhood
    // open the visit (one tap each), then the device, Internet, e-mail, the barriers and the grid.
    assert_eq!(current(&k).unwrap().0, "age");
    let mut answered = Vec::new();
    for _ in 0..8 {
        answered.push(current(&k).unwrap().0);
        answer_first(&k);
    }
    let on_screen = current(&k).unwrap();
    // One tap, a one-line confirmation.
    tap(&k.app, "On m’appelle au guichet");
    assert!(find(&k.app, "On vous appelle au guichet\u{a0}?").is_some());
    // One style with "Arrêter": a dialog over the question, its two answers only for the keypad.
    assert_eq!(k.c.borrow().model().targets().iter().map(|t| t.to_string()).collect::<Vec<_>>(), ["call:yes", "call:no"]);
    tap(&k.app, "Oui, terminer maintenant");
    // Called to the counter: the code leaves with the visitor, the questionnaire is said to be
    // interrupted and who finishes it.
    for text in ["Le questionnaire s’arrête ici.", "Le conseiller finira le questionnaire avec vous.", "Prenez-le en photo ou notez-le."] {
        assert!(find(&k.app, text).is_some(), "{text:?} on the end screen: {:?}", crate::support::labels(&k.app));
    }
    let code = passerelle::core::summary::pretty_reference(&k.c.borrow().model().last_saved().unwrap().id);
    assert!(find(&k.app, &code).is_some(), "the code {code} in large on the end screen");
    assert!(
        find(&k.app, "Montrez ce code à l’accueil ou à un conseiller numérique. Vous pouvez aussi le prendre en photo.").is_none(),
        "the code does not stay on the kiosk"
    );
    // The end screen and its QR code; the visit is stored.
    assert!(find(&k.app, "Code QR de votre profil, à montrer au conseiller").is_some(), "the end screen shows the QR code");
    // The QR code as the screen shows it, read by an independent decoder.
    let qr = slint::ComponentHandle::global::<ui::EndAdapter>(&k.app).get_qr().to_rgba8().expect("a QR image");
    let rgba = image::RgbaImage::from_raw(qr.width(), qr.height(), qr.as_bytes().to_vec()).unwrap();
    let luma = image::DynamicImage::ImageRgba8(rgba).to_luma8();
    let big = image::imageops::resize(&luma, luma.width() * 4, luma.height() * 4, image::imageops::FilterType::Nearest);
    let mut prepared = rqrr::PreparedImage::prepare(big);
    let scanned: Vec<String> = prepared.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, s)| s)).collect();
    assert_eq!(scanned.len(), 1, "one QR code on the end screen");
    let c = std::cell::Ref::map(k.c.borrow(), |c| c.model());
    let saved = c.last_saved().expect("stored").clone();
    assert_eq!(scanned[0], saved.payload);
    let kiosk = c.kiosk().clone();
    let decoded = passerelle::mediator::decode(&kiosk.defs, &scanned[0]).unwrap();
    assert!(decoded.handoff.signals.partial, "the QR code says the visit is partial");
    let answers = decoded.handoff.answers.clone().expect("same questionnaire");
    let mut ids: Vec<&String> = answers.keys().collect();
    ids.sort();
    let mut expected: Vec<&String> = answered.iter().collect();
    expected.sort();
    expected.dedup();
    assert_eq!(ids, expected, "exactly the answers given, nothing else (the question on screen was {on_screen:?})");
    assert!(answers.values().all(|a| !matches!(a, Answer::Skipped)), "the rest is not asked, never skipped");
    assert!(decoded.verified, "the mediator's recomputed profile matches");
    let json = passerelle::mediator::to_json(&kiosk.defs, &decoded, "fr");
    assert_eq!(json["partial"], true, "{json}");
    let text = passerelle::mediator::to_text(&kiosk.defs, &decoded, "fr", &[]);
    assert!(text.contains("QUESTIONNAIRE INTERROMPU"), "{text}");
    // The stored profile says it, and after which section.
    let stored = c.store().visit(&saved.id).unwrap().unwrap();
    assert_eq!(stored.profile["partial"], true);
    assert_eq!(stored.profile["interrompu_apres"], "capacites", "{}", stored.profile);
    let summary = passerelle::core::summary::summary(&saved.profile, &kiosk.defs.questionnaire, &kiosk.defs.rules.capability_question, "fr");
    assert_eq!(summary.partial, "Questionnaire interrompu après\u{a0}: Ce que vous savez faire");
}

#[test]
fn carry_on_or_back_keeps_the_visit_where_it_was() {
    let k = kit();
    tap(&k.app, "Français — Commencer");
    tap(&k.app, "J’ai compris");
    answer_first(&k);
    let here = current(&k);
    tap(&k.app, "On m’appelle au guichet");
    tap(&k.app, "Non, continuer");
    assert_eq!(current(&k), here);
    assert!(find(&k.app, "On vous appelle au guichet\u{a0}?").is_none());
    tap(&k.app, "On m’appelle au guichet");
    tap(&k.app, "Retour");
    assert_eq!(current(&k), here, "Retour closes the confirmation, not the question");
    assert_eq!(k.c.borrow().model().engine().answers().len(), 1);
    assert!(k.c.borrow().model().last_saved().is_none(), "nothing stored");
}

#[test]
fn the_keypad_reaches_the_button_and_its_confirmation_and_both_are_spoken() {
    let k = kit();
    let mut c = std::cell::RefMut::map(k.c.borrow_mut(), |c| c.model_mut());
    c.start("fr");
    c.accept_notice();
    let targets = c.targets();
    let i = targets.iter().position(|t| t == "nav:call").unwrap_or_else(|| panic!("{targets:?}"));
    for _ in 0..=i {
        c.keypad("Down");
    }
    assert!(k.speech.said.lock().unwrap().last().is_some_and(|s| s.0 == "On m’appelle au guichet"), "the focused button is announced");
    c.keypad("Return");
    c.speak_if_changed();
    let before = c.engine().answers().clone();
    assert!(!c.keypad("1"), "no answer is chosen behind the confirmation");
    assert_eq!(c.engine().answers(), &before);
    assert_eq!(c.targets().iter().map(|t| t.to_string()).collect::<Vec<_>>()[..2], ["call:yes", "call:no"]);
    let (_, spoken) = c.spoken();
    assert!(spoken.contains("On vous appelle au guichet\u{a0}?") && spoken.contains("Oui, terminer maintenant"), "{spoken}");
    c.keypad("Down");
    c.keypad("Return");
    assert!(c.last_saved().is_some_and(|s| s.profile.partial), "confirmed with the keypad");
    // Every question screen says how to use it.
    drop(c);
    let q = k.c.borrow().model().kiosk().defs.questionnaire.clone();
    let text = passerelle::kiosk::speech_text::script(k.c.borrow().model().kiosk(), "fr", None);
    assert!(text.iter().filter(|(name, _)| q.question(name).is_some()).all(|(_, t)| t.contains("«\u{a0}On m’appelle au guichet\u{a0}»")));
}

#[test]
fn the_short_path_is_at_most_14_screens_and_the_welcome_screen_says_how_long() {
    let court = kit_with(|s| s.replace("path = \"complet\"", "path = \"court\""));
    let full = kit();
    let line = |k: &Kit| k.c.borrow().model().view().chrome.lines[0].clone();
    assert!(line(&court).contains("Cela prend 2\u{a0}minutes environ."), "{}", line(&court));
    assert!(line(&full).contains("Cela prend 5\u{a0}minutes environ."), "{}", line(&full));
    // A whole visit on the short path, touching the first answer everywhere.
    tap(&court.app, "Français — Commencer");
    tap(&court.app, "J’ai compris");
    let mut screens = 1;
    while current(&court).is_some() {
        screens += 1;
        let q = court.c.borrow().model().engine().current().unwrap().clone();
        if q.kind == Kind::Contact {
            tap(&court.app, "Non merci");
        } else {
            answer_first(&court);
        }
        assert!(screens < 40);
    }
    assert!(screens <= 14, "{screens} screens");
    let minutes = court.c.borrow().model().minutes_estimate();
    assert!(minutes * 60 >= screens * passerelle::kiosk::visit_model::SECONDS_PER_SCREEN, "the estimate covers the visit");
}

#[test]
fn partial_visits_export_with_their_column_validate_and_are_counted_apart_in_the_report() {
    use passerelle::kiosk::export::{self, RealFs};
    use passerelle_core::engine::Clock;
    use rand::SeedableRng;
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::parse(passerelle_core::DEFAULT_CONFIG, "kiosk.toml", None).unwrap();
    config.data_dir = dir.path().join("data");
    let kiosk = Kiosk::from_config(config, "test".into()).unwrap();
    let mut store = kiosk.open_store().unwrap();
    let clock = FakeClock::new(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap().and_hms_opt(9, 0, 0).unwrap());
    let mut e = kiosk.engine(clock.clone());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(19);
    let mut partial = 0;
    for _ in 0..120 {
        let v = passerelle_core::random::random_visit(&mut e, &mut rng).unwrap();
        partial += usize::from(v.interrupted.is_some());
        kiosk.finish_visit(&mut store, clock.as_ref(), &v).unwrap();
        e.saved().unwrap();
        e.finish().unwrap();
    }
    assert!(partial >= 5, "replay --random produces partial visits: {partial}");
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let r = export::export(&kiosk, &mut store, &RealFs, &usb, false, clock.local_now()).unwrap();
    let mut csv = csv::Reader::from_path(r.folder.join("visits.csv")).unwrap();
    let at = csv.headers().unwrap().iter().position(|h| h == export::PARTIAL_COLUMN).expect("the new column");
    let sections: Vec<String> = csv.records().map(|x| x.unwrap()[at].to_string()).filter(|s| !s.is_empty()).collect();
    assert_eq!(sections.len(), partial);
    let known: Vec<&str> = kiosk.defs.questionnaire.sections.iter().map(|s| s.id.as_str()).chain([export::PARTIAL_AT_START]).collect();
    assert!(sections.iter().all(|s| known.contains(&s.as_str())), "{sections:?}");
    if let Some(f) = crate::support::frictionless() {
        let out = std::process::Command::new(f).args(["validate", "--json", "datapackage.json"]).current_dir(&r.folder).output().unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert_eq!(report["valid"], true, "{}", String::from_utf8_lossy(&out.stdout).chars().take(3000).collect::<String>());
    }
    // The department's report counts them apart.
    let data = passerelle::department::report::collect(&r.folder, 5, "2026-12-05").unwrap();
    let table = data.sections.iter().flat_map(|s| &s.tables).find(|t| t.id == "interrompues").expect("a table of their own");
    let count = |row: usize| match &table.rows[row].cells[0] {
        passerelle::department::report_tables::Shown::Count(i) => data.ledger.shown(*i),
        _ => None,
    };
    assert_eq!(count(0), Some(partial as u64));
    assert_eq!(count(1), Some(120));
    assert!(passerelle::department::report::html(&data).contains("Visites terminées plus tôt"));
}

/// The same through the command line: `replay` with `finish_after`, then `decode`.
#[test]
fn replay_finish_after_then_decode_shows_a_partial_profile() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_passerelle")).env("PASSERELLE_LOG", "warn").args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let file = dir.path().join("visit.json");
    let answers = r#"{"outil_principal":"smartphone","acces_internet":"oui","adresse_mail":"oui","freins":["trop_cher"],"capacites":{"connexion_internet":"sait_faire"}}"#;
    std::fs::write(&file, format!(r#"{{"lang":"fr","finish_after":"capacites","answers":{answers}}}"#)).unwrap();
    let line: serde_json::Value = serde_json::from_str(run(&["--data-dir", d, "replay", file.to_str().unwrap()]).trim()).unwrap();
    assert_eq!(line["profile"]["partial"], true, "{line}");
    let payload = line["payload"].as_str().unwrap();
    let decoded: serde_json::Value = serde_json::from_str(&run(&["decode", "--json", payload])).unwrap();
    assert_eq!(decoded["partial"], true);
    assert_eq!(decoded["profile"]["partial"], true);
    let given: serde_json::Value = serde_json::from_str(answers).unwrap();
    let got = decoded["answers"].as_object().unwrap();
    for (id, v) in given.as_object().unwrap() {
        assert_eq!(&got[id], v, "{id}");
    }
    let text = run(&["decode", payload]);
    assert!(text.contains("QUESTIONNAIRE INTERROMPU"), "{text}");
}
