//! The kiosk screens driven through the real Slint components with the testing backend:
//! find controls by their accessible label, invoke them, check what changed (store included).

use crate::support::{find, labels, skip, tap};
use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementRoot};
use passerelle::ui::{self};
use passerelle_core::answers::Answer;
use passerelle_core::questionnaire::Kind;
use passerelle_core::script::Script;
use slint::ComponentHandle;
use std::time::Duration;

use crate::ui_kit::Kit;

/// Every log line of this process, as journald would receive it.
static LOGS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, r: &log::Record) {
        LOGS.lock().unwrap_or_else(|e| e.into_inner()).push(r.args().to_string());
    }
    fn flush(&self) {}
}

fn kit() -> Kit {
    if log::set_logger(&Capture).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
    // The questionnaire's own order (these tests follow it; tests/it/queue_ui.rs covers the others).
    crate::ui_kit::kit().deck_order().admin_key().build()
}

fn current(k: &Kit) -> Option<String> {
    k.c.borrow().model().engine().current().map(|q| q.id.clone())
}

fn label_fr(k: &Kit, qid: &str, choice: &str) -> String {
    let c = std::cell::Ref::map(k.c.borrow(), |c| c.model());
    let q = c.engine().questionnaire().question(qid).unwrap().clone();
    q.choice(choice).unwrap().label.fr().to_string()
}

/// Type a text on the on-screen keyboard, key by key: a character that is not on this page
/// (digits, accents) is on the other one, behind the page key.
fn type_text(k: &Kit, text: &str) {
    for ch in text.chars() {
        let key = if ch == ' ' { "Espace".to_string() } else { ch.to_lowercase().to_string() };
        if find(&k.app, &key).is_none() {
            tap(&k.app, if find(&k.app, "Lettres").is_some() { "Lettres" } else { "Chiffres et accents" });
        }
        if ch.is_uppercase() {
            tap(&k.app, "Majuscule");
            tap(&k.app, &ch.to_string());
        } else {
            tap(&k.app, &key);
        }
    }
}

#[test]
fn a_complete_visit_through_the_screens_is_stored_with_its_profile() {
    let k = kit();
    let script = Script::parse(passerelle_core::DEMO_VISIT).unwrap();
    tap(&k.app, "Français — Commencer");
    assert!(find(&k.app, "J’ai compris").is_some(), "the notice comes first");
    tap(&k.app, "J’ai compris");
    let mut guard = 0;
    while let Some(qid) = current(&k) {
        guard += 1;
        assert!(guard < 100, "the visit never ends");
        let q = k.c.borrow().model().engine().questionnaire().question(&qid).unwrap().clone();
        match (q.kind, script.answers.get(&qid)) {
            (Kind::Single | Kind::List | Kind::Quiz, Some(v)) => tap(&k.app, &label_fr(&k, &qid, v.as_str().unwrap())),
            (Kind::Multiple, Some(v)) => {
                for c in v.as_array().unwrap() {
                    tap(&k.app, &label_fr(&k, &qid, c.as_str().unwrap()));
                }
                if qid == "usages_principaux" {
                    tap(&k.app, &label_fr(&k, &qid, "autre"));
                }
                tap(&k.app, "Suivant");
            }
            (Kind::Text, _) => {
                type_text(&k, "Le bridge");
                tap(&k.app, "Suivant");
            }
            (Kind::Grid, Some(v)) => {
                let row = k.c.borrow().model().engine().current_row().unwrap();
                let choice = v[&q.rows[row].id].as_str().unwrap();
                tap(&k.app, &label_fr(&k, &qid, choice));
            }
            (Kind::Contact, _) => {
                tap(&k.app, "Oui, je veux être rappelé");
                tap(&k.app, "Nom *");
                type_text(&k, "Durand");
                tap(&k.app, "Téléphone (mobile de préférence)");
                for d in "0612345678".chars() {
                    tap(&k.app, &d.to_string());
                }
                tap(&k.app, "Valider");
            }
            (_, None) => skip(&k.app, "fr"),
            (kind, v) => panic!("unexpected {kind:?} {v:?}"),
        }
    }
    // End screen: the QR code is there, the visit is stored.
    assert!(find(&k.app, "Code QR de votre profil, à montrer au conseiller").is_some());
    let c = std::cell::Ref::map(k.c.borrow(), |c| c.model());
    let saved = c.last_saved().expect("saved").clone();
    let stored = c.store().visit(&saved.id).unwrap().expect("in the store");
    // Logs go to journald, which stamps every line to the second: no reference, nothing typed,
    // and no line per visit that would date it more finely than the store's hour.
    for line in LOGS.lock().unwrap().iter() {
        assert!(!line.contains(&saved.id) && !line.contains("Durand") && !line.contains("0612345678") && !line.contains("bridge"), "{line}");
        assert!(!line.starts_with("visit ") && !line.starts_with("ticket "), "a line per visit: {line}");
    }
    for (qid, v) in script.answers.iter().filter(|(q, _)| *q != "usages_principaux") {
        assert_eq!(&stored.answers[qid], v, "{qid}");
    }
    assert_eq!(stored.answers["usages_principaux"], serde_json::json!(["demarches_administratives", "messageries_instantanees", "autre"]));
    assert_eq!(stored.answers["usages_principaux_autre"], "Le bridge");
    assert_eq!(stored.answers["consentement_contact"], true);
    let k2 = c.kiosk();
    let mut answers = passerelle_core::answers::Answers::new();
    for q in k2.defs.questionnaire.questions() {
        if let Some(v) = stored.answers.get(&q.id).filter(|v| !v.is_boolean()) {
            answers.insert(q.id.clone(), q.read_answer(v).unwrap());
        }
    }
    let expected = passerelle_core::profile::compute(&k2.defs.rules, &k2.defs.questionnaire, &answers, "fr");
    assert_eq!(stored.profile, serde_json::to_value(&expected).unwrap());
    assert_eq!(stored.profile["autonomie"], "partiellement_autonome");
    let sealed = c.store().sealed_contact(&saved.id).unwrap().unwrap();
    let contact = passerelle::kiosk::seal::open(&k.identity, &sealed).unwrap();
    assert_eq!((contact.last_name.as_str(), contact.phone.as_str()), ("Durand", "0612345678"));
    drop(c);
    tap(&k.app, "Terminer");
    assert!(find(&k.app, "Français — Commencer").is_some(), "back to the attract screen");
    assert!(k.c.borrow().model().engine().answers().is_empty());
}

fn start(k: &Kit) {
    tap(&k.app, "Français — Commencer");
    tap(&k.app, "J’ai compris");
}

#[test]
fn back_shows_the_previous_answer_and_skip_is_recorded() {
    let k = kit();
    start(&k);
    tap(&k.app, "70 ans ou plus");
    assert_eq!(current(&k).as_deref(), Some("genre"));
    skip(&k.app, "fr");
    assert_eq!(current(&k).as_deref(), Some("quartier"));
    tap(&k.app, "Retour");
    tap(&k.app, "Retour");
    assert_eq!(current(&k).as_deref(), Some("age"));
    assert_eq!(find(&k.app, "70 ans ou plus").unwrap().accessible_checked(), Some(true), "the earlier answer is shown");
    assert_eq!(find(&k.app, "60 à 69 ans").unwrap().accessible_checked(), Some(false));
    assert_eq!(k.c.borrow().model().engine().answers()["genre"], Answer::Skipped);
    assert!(find(&k.app, "Partie 1 sur 8").is_some(), "progress is shown");
}

/// The skills grid: "Partie 6 sur 8" in the top bar all along, "Compétence n sur 14" above the
/// row, the row a statement (text, not a button), "Je ne sais pas ce que c’est" among the
/// answers, and "Passer cette compétence" skips this row only, as it says.
#[test]
fn the_skills_grid_says_where_it_is_and_skips_one_row_at_a_time() {
    let k = kit();
    start(&k);
    while current(&k).as_deref() != Some("capacites") {
        tap(&k.app, "Je préfère ne pas répondre");
    }
    let q = k.c.borrow().model().engine().questionnaire().question("capacites").unwrap().clone();
    let bar = find(&k.app, "Partie 6 sur 8").expect("the part in the top bar");
    assert_eq!(bar.accessible_role(), Some(AccessibleRole::ProgressIndicator), "the indicator says the same words");
    let statement = find(&k.app, q.rows[0].label.fr()).expect("the row on screen");
    assert_eq!(statement.accessible_role(), Some(AccessibleRole::Text), "the row is a statement, not a button");
    assert!(find(&k.app, "Compétence 1 sur 14").is_some(), "{:?}", labels(&k.app));
    assert!(find(&k.app, "Je ne sais pas ce que c’est").is_some_and(|e| e.accessible_role() == Some(AccessibleRole::Button)));
    assert!(find(&k.app, "Je préfère ne pas répondre").is_none(), "the grid's skip button says what it skips");
    tap(&k.app, "Passer cette compétence");
    assert_eq!(k.c.borrow().model().engine().current_row(), Some(1), "one row skipped, the next row comes");
    assert!(find(&k.app, "Compétence 2 sur 14").is_some() && find(&k.app, q.rows[1].label.fr()).is_some());
    tap(&k.app, "Je ne sais pas ce que c’est");
    let grid = k.c.borrow().model().engine().answers()["capacites"].clone();
    let Answer::Grid(g) = grid else { panic!("{grid:?}") };
    assert_eq!(g.get(&q.rows[0].id), None, "the skipped row has no answer");
    assert_eq!(g.get(&q.rows[1].id).map(String::as_str), Some("ne_connait_pas"));
    for n in 3..=14 {
        assert!(find(&k.app, &format!("Compétence {n} sur 14")).is_some(), "row {n}");
        assert!(find(&k.app, "Partie 6 sur 8").is_some(), "row {n}: the part does not move");
        tap(&k.app, "Passer cette compétence");
    }
    assert_eq!(current(&k).as_deref(), Some("quiz_navigateur"), "after the last row, the next question");
    assert!(find(&k.app, "Partie 7 sur 8").is_some() && find(&k.app, "Passer cette compétence").is_none());
}

#[test]
fn a_multiple_choice_refuses_more_than_its_maximum() {
    let k = kit();
    start(&k);
    for _ in 0..4 {
        skip(&k.app, "fr");
    }
    assert_eq!(current(&k).as_deref(), Some("usages_principaux"));
    let next = find(&k.app, "Suivant").unwrap();
    assert_eq!(next.accessible_enabled(), Some(false), "nothing chosen yet");
    for l in ["Les jeux", "Les achats en ligne", "Les réseaux sociaux", "Chercher un emploi"] {
        tap(&k.app, l);
    }
    assert_eq!(find(&k.app, "Chercher un emploi").unwrap().accessible_checked(), Some(false), "the 4th is refused");
    assert_eq!(find(&k.app, "Les jeux").unwrap().accessible_checked(), Some(true));
    assert_eq!(find(&k.app, "Suivant").unwrap().accessible_enabled(), Some(true));
    tap(&k.app, "Les jeux");
    tap(&k.app, "Chercher un emploi");
    assert_eq!(find(&k.app, "Chercher un emploi").unwrap().accessible_checked(), Some(true), "after removing one");
    tap(&k.app, "Suivant");
    assert_eq!(
        k.c.borrow().model().engine().answers()["usages_principaux"],
        Answer::Choices(vec!["reseaux_sociaux".into(), "recherche_emploi".into(), "achats_en_ligne".into()])
    );
}

#[test]
fn the_on_screen_keyboard_types_accents_capitals_and_deletes() {
    let k = kit();
    start(&k);
    for _ in 0..4 {
        skip(&k.app, "fr");
    }
    tap(&k.app, "Autre chose");
    tap(&k.app, "Suivant");
    assert_eq!(current(&k).as_deref(), Some("usages_principaux_autre"));
    type_text(&k, "Ma télé");
    tap(&k.app, "Effacer");
    type_text(&k, "éœ");
    let field = ElementHandle::find_by_accessible_label(&k.app, "Quoi d’autre\u{a0}?")
        .find(|e| e.accessible_role() == Some(AccessibleRole::TextInput))
        .expect("the text box");
    assert_eq!(field.accessible_value().unwrap(), "Ma téléœ");
    tap(&k.app, "Suivant");
    assert_eq!(k.c.borrow().model().engine().answers()["usages_principaux_autre"], Answer::Text("Ma téléœ".into()));
}

#[test]
fn the_contact_form_has_a_phone_pad_an_email_keyboard_and_says_what_is_missing() {
    let k = kit();
    start(&k);
    while current(&k).as_deref() != Some("consentement_contact") {
        skip(&k.app, "fr");
    }
    assert!(find(&k.app, "Non merci").is_some(), "'Non merci' is offered");
    let (yes, no) = (find(&k.app, "Oui, je veux être rappelé").unwrap(), find(&k.app, "Non merci").unwrap());
    assert_eq!(yes.size(), no.size(), "'Non merci' is as large as 'Oui'");
    tap(&k.app, "Oui, je veux être rappelé");
    tap(&k.app, "Valider");
    assert!(k.c.borrow().model().engine().current().is_some(), "not accepted empty");
    tap(&k.app, "Téléphone (mobile de préférence)");
    assert!(find(&k.app, "a").is_none() && find(&k.app, "5").is_some(), "a phone pad for the phone");
    tap(&k.app, "E-mail (si vous en avez un)");
    assert!(find(&k.app, "@").is_some(), "an @ key for the e-mail");
    tap(&k.app, "Nom *");
    type_text(&k, "Ba");
    tap(&k.app, "Valider");
    assert!(k.c.borrow().model().engine().current().is_some(), "refused without a way to reach");
    let msg = k.app.global::<ui::QuestionAdapter>().get_form_error();
    assert_eq!(msg, "Donnez un téléphone, une adresse ou un e-mail.");
    tap(&k.app, "Retour");
    tap(&k.app, "Non merci");
    assert!(k.c.borrow().model().last_saved().is_some(), "declining finishes the visit");
    let id = k.c.borrow().model().last_saved().unwrap().id.clone();
    assert!(k.c.borrow().model().store().sealed_contact(&id).unwrap().is_none(), "no contact kept after 'Non merci'");
}

#[test]
fn inactivity_warns_then_wipes_the_visit_and_returns_to_attract() {
    let k = kit();
    let _timer = ui::start_ticking(&k.app, &k.c);
    start(&k);
    tap(&k.app, "70 ans ou plus");
    let step = |secs: u64| {
        k.clock.advance(Duration::from_secs(secs));
        i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(secs));
    };
    step(59);
    assert!(find(&k.app, "Je suis encore là").is_none());
    step(2);
    assert!(find(&k.app, "Je suis encore là").is_some(), "the warning shows after 60 s");
    tap(&k.app, "Je suis encore là");
    assert!(find(&k.app, "Je suis encore là").is_none());
    assert_eq!(current(&k).as_deref(), Some("genre"), "the visit goes on");
    step(61);
    assert!(find(&k.app, "Je suis encore là").is_some());
    step(30);
    assert!(find(&k.app, "Français — Commencer").is_some(), "back to attract");
    assert!(find(&k.app, "70 ans ou plus").is_none());
    let c = std::cell::Ref::map(k.c.borrow(), |c| c.model());
    assert!(c.engine().answers().is_empty(), "the visit is wiped");
    let s = c.store().stats().unwrap();
    assert_eq!((s.finished, s.abandoned), (0, 1));
    assert_eq!(s.abandoned_at["genre"], 1, "only the step is recorded");
}

#[test]
fn the_language_can_change_during_the_visit() {
    let k = kit();
    tap(&k.app, "English — Start");
    tap(&k.app, "I understand");
    assert!(find(&k.app, "70 or older").is_some());
    assert!(find(&k.app, "Back").is_some());
    tap(&k.app, "18 to 24");
    // The language button opens a picker of every offered language, in its own name and
    // script; the answers are kept (issue 27, item 2).
    tap(&k.app, "Language");
    for name in ["Français", "English", "العربية", "Português", "Español", "Română"] {
        assert!(find(&k.app, name).is_some(), "{name} offered: {:?}", crate::support::labels(&k.app));
    }
    tap(&k.app, "العربية");
    assert!(find(&k.app, "رجوع").is_some(), "Arabic: {:?}", crate::support::labels(&k.app));
    tap(&k.app, "اللغة");
    tap(&k.app, "Français");
    assert!(find(&k.app, "Retour").is_some());
    tap(&k.app, "Retour");
    assert!(find(&k.app, "70 ans ou plus").is_some());
    assert_eq!(k.c.borrow().model().engine().answers().get("age"), Some(&passerelle_core::answers::Answer::Choice("dix_huit_vingt_quatre".into())));
}

/// Every control on every screen has a role and a label.
#[test]
fn every_control_has_a_role_and_a_label() {
    let k = kit();
    let check = |screen: &str| {
        let all = k
            .app
            .root_element()
            .query_descendants()
            .match_predicate(|e| matches!(e.accessible_role(), Some(AccessibleRole::Button | AccessibleRole::TextInput | AccessibleRole::Checkbox)));
        let found = all.find_all();
        assert!(!found.is_empty(), "{screen}: no control");
        for e in found {
            let l = e.accessible_label().unwrap_or_default();
            assert!(!l.trim().is_empty(), "{screen}: a control without a label");
        }
    };
    check("attract");
    start(&k);
    let mut seen = std::collections::BTreeSet::new();
    while let Some(qid) = current(&k) {
        let kind = k.c.borrow().model().engine().current().unwrap().kind;
        check(&qid);
        seen.insert(kind.as_str());
        if kind == Kind::Contact {
            tap(&k.app, "Oui, je veux être rappelé");
            check("contact form");
            tap(&k.app, "Retour");
            tap(&k.app, "Non merci");
        } else if kind == Kind::Multiple && qid == "usages_principaux" {
            tap(&k.app, "Autre chose");
            tap(&k.app, "Suivant");
        } else {
            skip(&k.app, "fr");
        }
    }
    check("end");
    assert!(seen.len() >= 7, "{seen:?}");
}

#[test]
fn a_visit_that_cannot_be_saved_gets_a_calm_message_and_nothing_half_written() {
    let k = kit();
    k.c.borrow().model().store().connection().execute_batch("PRAGMA query_only = ON;").unwrap();
    tap(&k.app, "English — Start");
    tap(&k.app, "I understand");
    while current(&k).is_some() {
        skip(&k.app, "en");
        if find(&k.app, "No thank you").is_some() {
            tap(&k.app, "No thank you");
        }
    }
    assert!(find(&k.app, "Your answers could not be saved.").is_some(), "told in the visitor's language: {:?}", labels(&k.app));
    assert!(k.c.borrow().model().engine().answers().is_empty(), "the visit is wiped from memory");
    tap(&k.app, "Leave without saving");
    assert!(find(&k.app, "Français — Commencer").is_some());
    k.c.borrow().model().store().connection().execute_batch("PRAGMA query_only = OFF;").unwrap();
    assert_eq!(k.c.borrow().model().store().stats().unwrap().finished, 0);
}
