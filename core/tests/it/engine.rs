//! The visit engine: navigation, skips, relevance, maxima, inactivity (fake clock).

use crate::support::*;
use passerelle_core::answers::{Answer, AnswerError, ContactProblem};
use passerelle_core::engine::{Engine, EngineError, EngineOptions, IdleEvent, Outcome, Screen};
use std::time::Duration;

fn at(e: &passerelle_core::engine::Engine) -> String {
    e.step_name().unwrap_or_else(|| format!("{:?}", e.screen()))
}

#[test]
fn attract_notice_questions_end() {
    let mut e = engine(false);
    assert_eq!(e.screen(), Screen::Attract);
    assert_eq!(e.choose("x"), Err(EngineError::WrongScreen));
    e.start().unwrap();
    assert_eq!(e.screen(), Screen::Notice);
    e.acknowledge().unwrap();
    assert_eq!(at(&e), "age");
    assert_eq!(e.progress().map(|p| p.part), Some(1));
    e.choose("soixante_dix_plus").unwrap();
    assert_eq!(at(&e), "genre");
    e.skip().unwrap();
    assert_eq!(at(&e), "quartier");
    assert_eq!(e.answers()["genre"], Answer::Skipped, "a skip is recorded as such");
    // Skip everything else.
    let mut outcome = Outcome::Moved;
    for _ in 0..100 {
        outcome = e.skip().unwrap();
        if matches!(outcome, Outcome::Finished(_)) {
            break;
        }
    }
    let Outcome::Finished(v) = outcome else { panic!("never finished") };
    assert_eq!(v.answers["age"], Answer::Choice("soixante_dix_plus".into()));
    assert!(!v.answers.contains_key("consentement_contact"), "no consent step without a recipient key");
    assert!(!v.answers.contains_key("notice_confidentialite"));
    assert_eq!(e.screen(), Screen::Completed);
    e.saved().unwrap();
    assert_eq!(e.screen(), Screen::End);
    e.finish().unwrap();
    assert_eq!(e.screen(), Screen::Attract);
    assert!(e.answers().is_empty(), "visit wiped");
}

#[test]
fn back_shows_the_previous_answer_and_can_change_it() {
    let mut e = engine(false);
    e.start().unwrap();
    e.acknowledge().unwrap();
    e.choose("vingt_cinq_trente_neuf").unwrap();
    e.choose("feminin").unwrap();
    assert_eq!(at(&e), "quartier");
    e.back().unwrap();
    assert_eq!(at(&e), "genre");
    assert_eq!(e.selected(), vec!["feminin".to_string()]);
    e.back().unwrap();
    assert_eq!(at(&e), "age");
    e.back().unwrap();
    assert_eq!(e.screen(), Screen::Notice);
    assert_eq!(e.back().unwrap(), Outcome::Abandoned { step: "notice".into() });
    assert_eq!(e.screen(), Screen::Attract);
}

/// "Arrêter": from the notice or any question (a grid row, a half-typed contact form), the visit
/// is wiped and reported abandoned at that step; nowhere else.
#[test]
fn stopping_wipes_the_visit_and_reports_the_step() {
    let mut e = engine(true);
    assert_eq!(e.stop(), Err(EngineError::WrongScreen), "nothing to stop on the welcome screen");
    e.set_lang("en").unwrap();
    e.start().unwrap();
    assert_eq!(e.stop().unwrap(), Outcome::Abandoned { step: "notice".into() });
    assert_eq!((e.screen(), e.lang()), (Screen::Attract, "fr"), "the next visitor starts in French");
    e.start().unwrap();
    e.acknowledge().unwrap();
    e.choose("soixante_dix_plus").unwrap();
    goto(&mut e, "capacites");
    e.choose("sait_faire").unwrap();
    let step = e.step_name().unwrap();
    assert!(step.starts_with("capacites/"), "{step}");
    assert_eq!(e.stop().unwrap(), Outcome::Abandoned { step });
    assert!(e.answers().is_empty());
    assert_eq!(e.back(), Err(EngineError::WrongScreen), "Retour shows nothing of the visit");
    e.start().unwrap();
    e.acknowledge().unwrap();
    assert!(e.selected().is_empty(), "the next visit starts empty");
    goto(&mut e, "consentement_contact");
    e.set_contact_field("last_name", "Martin").unwrap();
    assert_eq!(e.stop().unwrap(), Outcome::Abandoned { step: "consentement_contact".into() });
    e.start().unwrap();
    e.acknowledge().unwrap();
    goto(&mut e, "consentement_contact");
    assert_eq!(e.contact().field("last_name"), Some(""), "the contact details typed are gone");
    while !matches!(e.skip().unwrap(), Outcome::Finished(_)) {}
    assert_eq!(e.stop(), Err(EngineError::WrongScreen), "a completed visit is stored, not stopped");
}

/// A visit whose save failed can be completed again (the kiosk's "Réessayer").
#[test]
fn a_visit_given_up_after_a_failed_save_can_be_completed_again() {
    let mut e = engine(false);
    e.set_lang("en").unwrap();
    e.start().unwrap();
    e.acknowledge().unwrap();
    e.choose("soixante_dix_plus").unwrap();
    let v = loop {
        if let Outcome::Finished(v) = e.skip().unwrap() {
            break v;
        }
    };
    assert_eq!(e.abort(), Some("completed".into()));
    assert_eq!(e.screen(), Screen::Attract);
    e.complete_again(&v).unwrap();
    assert_eq!((e.screen(), e.lang(), e.answers()), (Screen::Completed, "en", &v.answers));
    e.saved().unwrap();
    assert_eq!(e.screen(), Screen::End);
    assert_eq!(e.complete_again(&v), Err(EngineError::WrongScreen), "only between visits");
}

fn goto(e: &mut passerelle_core::engine::Engine, id: &str) {
    for _ in 0..100 {
        if e.current().is_some_and(|q| q.id == id) {
            return;
        }
        e.skip().unwrap();
    }
    panic!("never reached {id}");
}

#[test]
fn multiple_choice_maximum_and_exclusive_choices() {
    let mut e = engine(false);
    e.start().unwrap();
    e.acknowledge().unwrap();
    goto(&mut e, "usages_principaux");
    assert_eq!(e.remaining_choices(), Some(3));
    assert_eq!(e.next(), Err(EngineError::NothingChosen));
    e.choose("jeux").unwrap();
    e.choose("reseaux_sociaux").unwrap();
    e.choose("achats_en_ligne").unwrap();
    assert_eq!(e.remaining_choices(), Some(0));
    assert_eq!(e.choose("autre"), Err(EngineError::MaxReached(3)));
    e.choose("jeux").unwrap(); // untick
    e.choose("autre").unwrap();
    assert_eq!(e.selected(), ["reseaux_sociaux", "achats_en_ligne", "autre"], "kept in questionnaire order");
    e.next().unwrap();
    assert_eq!(at(&e), "usages_principaux_autre", "'autre' asks what else");
    assert_eq!(e.next(), Err(EngineError::NothingChosen));
    e.set_text("  la cuisine ").unwrap();
    e.next().unwrap();
    assert_eq!(e.answers()["usages_principaux_autre"], Answer::Text("la cuisine".into()));
    goto(&mut e, "freins");
    e.choose("trop_cher").unwrap();
    e.choose("aucun_frein").unwrap();
    assert_eq!(e.selected(), ["aucun_frein"], "an exclusive choice clears the others");
    e.choose("peur").unwrap();
    assert_eq!(e.selected(), ["peur"], "another choice clears the exclusive one");
}

#[test]
fn irrelevant_questions_are_not_asked_and_their_answers_dropped() {
    let mut e = engine(false);
    e.start().unwrap();
    e.acknowledge().unwrap();
    goto(&mut e, "outil_principal");
    e.choose("aucun").unwrap();
    assert_eq!(at(&e), "recherche_equipement", "looking for a device: only with no device");
    e.choose("oui").unwrap();
    assert_eq!(at(&e), "acces_internet");
    e.choose("oui").unwrap();
    assert_eq!(at(&e), "mode_acces", "access mode: only with Internet");
    e.choose("box").unwrap();
    assert_eq!(at(&e), "adresse_mail");
    e.choose("oui").unwrap();
    assert_eq!(at(&e), "freins", "no system and no frequency question without a device");
    // Go back and change: now a smartphone, no Internet.
    for _ in 0..5 {
        e.back().unwrap();
    }
    assert_eq!(at(&e), "outil_principal");
    e.choose("smartphone").unwrap();
    assert!(!e.answers().contains_key("recherche_equipement"), "answer to an irrelevant question dropped");
    assert_eq!(at(&e), "acces_internet");
    e.choose("non").unwrap();
    assert!(!e.answers().contains_key("mode_acces"), "access mode dropped without Internet");
    assert_eq!(at(&e), "adresse_mail");
    e.choose("oui").unwrap();
    assert_eq!(at(&e), "systeme");
}

/// "Pas concerné" is offered on the children's screens row only: refused elsewhere, by the engine
/// and by the answer check (a stored or scanned answer).
#[test]
fn a_grid_choice_can_be_offered_on_one_row_only() {
    let mut e = engine(false);
    e.start().unwrap();
    e.acknowledge().unwrap();
    goto(&mut e, "capacites");
    let q = e.current().unwrap().clone();
    let ids = |row: usize| q.choices_for_row(Some(row)).iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(0), ["sait_faire", "ne_sait_pas_faire", "ne_connait_pas"]);
    let parent = q.rows.iter().position(|r| r.id == "encadrer_ecrans_enfant").unwrap();
    assert_eq!(ids(parent), ["sait_faire", "ne_sait_pas_faire", "ne_connait_pas", "pas_concerne"]);
    assert!(e.choose("pas_concerne").is_err(), "not on the first row");
    assert_eq!(e.current_row(), Some(0));
    while e.current_row() != Some(parent) {
        e.skip().unwrap();
    }
    e.choose("pas_concerne").unwrap();
    let Answer::Grid(g) = &e.answers()["capacites"] else { panic!() };
    assert_eq!(g["encadrer_ecrans_enfant"], "pas_concerne");
    let mut bad = std::collections::BTreeMap::new();
    bad.insert("allumer_ordinateur".to_string(), "pas_concerne".to_string());
    assert!(q.check(&Answer::Grid(bad)).is_err());
}

#[test]
fn grid_rows_one_per_screen_with_back_and_skip() {
    let mut e = engine(false);
    e.start().unwrap();
    e.acknowledge().unwrap();
    goto(&mut e, "capacites");
    assert_eq!(e.current_row(), Some(0));
    e.choose("sait_faire").unwrap();
    assert_eq!(e.current_row(), Some(1));
    e.skip().unwrap();
    assert_eq!(e.current_row(), Some(2));
    e.choose("ne_sait_pas_faire").unwrap();
    e.back().unwrap();
    assert_eq!(e.current_row(), Some(2));
    assert_eq!(e.selected(), ["ne_sait_pas_faire"]);
    e.back().unwrap();
    assert_eq!(e.current_row(), Some(1));
    assert!(e.selected().is_empty(), "row 2 was skipped");
    let Answer::Grid(g) = &e.answers()["capacites"] else { panic!() };
    assert_eq!(g.len(), 2);
    assert_eq!(g["allumer_ordinateur"], "sait_faire");
    // Walk to the end of the grid, then come back into it from the next question.
    for _ in 1..14 {
        e.skip().unwrap();
    }
    assert_eq!(at(&e), "quiz_navigateur");
    e.back().unwrap();
    assert_eq!(at(&e), "capacites/formation_en_ligne", "back lands on the grid's last row");
}

#[test]
fn consent_step_only_when_offered_and_validated() {
    let mut e = engine(true);
    e.start().unwrap();
    e.acknowledge().unwrap();
    goto(&mut e, "consentement_contact");
    assert_eq!(e.next(), Err(EngineError::NothingChosen));
    e.set_contact_field("first_name", "Marie").unwrap();
    let refused = |e: &mut Engine| match e.next() {
        Err(EngineError::Answer(err @ AnswerError::Contact { .. })) => err,
        other => panic!("not refused as contact details: {other:?}"),
    };
    let problem = |err: AnswerError| match err {
        AnswerError::Contact { problem, .. } => problem,
        _ => unreachable!(),
    };
    let err = refused(&mut e);
    assert_eq!(err.to_string(), "question `consentement_contact`: missing_last_name", "the developer's words stay");
    assert_eq!(problem(err), ContactProblem::Missing("last_name".into()), "last name and a way to reach are needed");
    e.set_contact_field("last_name", "Martin").unwrap();
    assert_eq!(problem(refused(&mut e)), ContactProblem::MissingReach, "a way to reach is needed");
    e.set_contact_field("email", "marie@").unwrap();
    assert_eq!(problem(refused(&mut e)), ContactProblem::BadEmail);
    e.set_contact_field("email", "").unwrap();
    e.set_contact_field("phone", "06 12").unwrap();
    assert_eq!(problem(refused(&mut e)), ContactProblem::BadPhone, "a short phone number is refused");
    e.set_contact_field("phone", "06 12 34 56 78").unwrap();
    let Outcome::Finished(v) = e.next().unwrap() else { panic!("not finished") };
    let Answer::Contact(c) = &v.answers["consentement_contact"] else { panic!() };
    assert_eq!((c.last_name.as_str(), c.phone.as_str()), ("Martin", "06 12 34 56 78"));
    assert_eq!(format!("{c:?}"), "Contact { <redacted> }", "contact details never printed");
}

#[test]
fn inactivity_warns_then_wipes_and_records_only_the_step() {
    let clock = clock();
    let mut e = engine_with(false, clock.clone());
    assert_eq!(e.tick(), IdleEvent::None);
    clock.advance(Duration::from_secs(3600));
    assert_eq!(e.tick(), IdleEvent::None, "the attract screen never times out");
    e.start().unwrap();
    e.acknowledge().unwrap();
    e.choose("soixante_dix_plus").unwrap();
    clock.advance(Duration::from_secs(59));
    assert_eq!(e.tick(), IdleEvent::None);
    clock.advance(Duration::from_secs(1));
    assert_eq!(e.tick(), IdleEvent::Warning { remaining: Duration::from_secs(30) });
    assert!(e.warning());
    e.still_here();
    assert!(!e.warning());
    clock.advance(Duration::from_secs(70));
    assert_eq!(e.tick(), IdleEvent::Warning { remaining: Duration::from_secs(20) });
    clock.advance(Duration::from_secs(20));
    assert_eq!(e.tick(), IdleEvent::Reset { abandoned_at: Some("genre".into()) });
    assert_eq!(e.screen(), Screen::Attract);
    assert!(e.answers().is_empty(), "nothing of the visit is kept");
}

#[test]
fn inactivity_on_the_end_screen_is_not_an_abandonment() {
    let clock = clock();
    let mut e = engine_with(false, clock.clone());
    e.start().unwrap();
    e.acknowledge().unwrap();
    while !matches!(e.skip().unwrap(), Outcome::Finished(_)) {}
    e.saved().unwrap();
    clock.advance(Duration::from_secs(90));
    assert_eq!(e.tick(), IdleEvent::Reset { abandoned_at: None });
    assert_eq!(e.screen(), Screen::Attract);
}

#[test]
fn language_is_chosen_and_reset_after_the_visit() {
    let mut e = engine(false);
    assert!(e.set_lang("de").is_err());
    e.set_lang("en").unwrap();
    e.start().unwrap();
    assert_eq!(e.lang(), "en");
    e.acknowledge().unwrap();
    while !matches!(e.skip().unwrap(), Outcome::Finished(_)) {}
    e.saved().unwrap();
    e.finish().unwrap();
    assert_eq!(e.lang(), "fr", "the next visitor starts in the default language");
}

#[test]
fn progress_keeps_its_total_when_an_answer_changes_the_questions() {
    let mut e = engine(false);
    e.start().unwrap();
    e.acknowledge().unwrap();
    let before = e.progress().unwrap();
    assert_eq!((before.part, before.row), (1, None));
    goto(&mut e, "outil_principal");
    let at_device = e.progress().unwrap();
    // No device: one question more (looking for one), two fewer (system, frequency)…
    e.choose("aucun").unwrap();
    let after = e.progress().unwrap();
    // …and the total of parts does not move.
    assert_eq!(after.parts, before.parts);
    assert_eq!(after.part, at_device.part, "the same part (the equipment)");
}

#[test]
fn scripted_visits_refuse_unasked_answers_and_unknown_ids() {
    use passerelle_core::script::{Script, play};
    let mut e = engine(false);
    let s = Script::parse(r#"{"answers":{"outil_principal":"smartphone","recherche_equipement":"oui"}}"#).unwrap();
    let err = play(&mut e, &s).unwrap_err().to_string();
    assert!(err.contains("recherche_equipement") && err.contains("not asked"), "{err}");
    let mut e = engine(false);
    let s = Script::parse(r#"{"answers":{"usages_principaux":["jeux","jeux2"]}}"#).unwrap();
    assert!(play(&mut e, &s).unwrap_err().to_string().contains("unknown choice `jeux2`"));
    let mut e = engine(false);
    let s = Script::parse(r#"{"answers":{"freins":["trop_cher","peur","contre"]}}"#).unwrap();
    assert!(play(&mut e, &s).unwrap_err().to_string().contains("at most 2"));
    assert!(Script::parse(r#"{"answers":{}, "extra": 1}"#).is_err());
}

#[test]
fn random_visits_are_valid_and_reproducible() {
    use passerelle_core::random::random_visit;
    use rand::SeedableRng;
    let q = questionnaire();
    let run = |seed| {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut e = engine(true);
        (0..200)
            .map(|_| {
                let v = random_visit(&mut e, &mut rng).unwrap();
                e.saved().unwrap();
                e.finish().unwrap();
                v
            })
            .collect::<Vec<_>>()
    };
    let a = run(7);
    assert_eq!(a, run(7), "same seed, same visits");
    let mut kinds = std::collections::BTreeSet::new();
    for v in &a {
        for (id, ans) in &v.answers {
            let question = q.question(id).unwrap();
            question.check(ans).unwrap();
            kinds.insert((question.kind.as_str(), ans.is_skipped()));
        }
    }
    for k in ["single", "multiple", "grid", "quiz", "list", "text", "contact"] {
        assert!(kinds.contains(&(k, false)), "{k} answered");
        assert!(kinds.contains(&(k, true)) || k == "grid" || k == "text", "{k} skipped");
    }
}

/// An optional question ("Avez-vous une démarche urgente ?") is asked only when the kiosk lists it.
#[test]
fn an_optional_question_is_asked_only_when_the_kiosk_turns_it_on() {
    let walk = |on: bool| -> Vec<String> {
        let opts = EngineOptions {
            idle_warning: Duration::from_secs(60),
            idle_reset: Duration::from_secs(30),
            consent_offered: false,
            optional_questions: if on { vec!["demarche_urgente".into()] } else { Vec::new() },
            flow: Default::default(),
        };
        let mut e = Engine::new(questionnaire(), opts, clock(), vec!["fr".into()]);
        e.start().unwrap();
        e.acknowledge().unwrap();
        let mut seen = Vec::new();
        while let Some(q) = e.current() {
            if seen.last() != Some(&q.id) {
                seen.push(q.id.clone());
            }
            e.skip().unwrap();
        }
        seen
    };
    assert!(questionnaire().question("demarche_urgente").is_some_and(|q| q.optional));
    assert!(!walk(false).contains(&"demarche_urgente".to_string()), "off by default");
    let on = walk(true);
    assert!(on.contains(&"demarche_urgente".to_string()));
    assert!(on.iter().position(|x| x == "demarche_urgente") < on.iter().position(|x| x == "profil_usage"), "asked with the needs, first");
}
