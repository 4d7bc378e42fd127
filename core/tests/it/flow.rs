//! A visit that fits the queue: the essential questions first, the short path, "On m'appelle"
//! (finish now) in the engine and in scripted visits.

use crate::support::*;
use passerelle_core::answers::Answer;
use passerelle_core::config::Config;
use passerelle_core::engine::{Engine, Outcome, Screen};
use passerelle_core::profile;
use passerelle_core::questionnaire::{Flow, Kind, Order, Questionnaire, VisitPath};
use passerelle_core::script::{self, Script, ScriptError};
use serde_json::json;

fn engine_flow(flow: Flow, consent: bool) -> Engine {
    engine_with_flow(consent, clock(), flow)
}

fn step(e: &Engine) -> String {
    e.step_name().unwrap_or_default()
}

/// Walk a whole visit answering each question with its `pick`-th choice (or skipping it), and
/// return the screens seen (notice included).
fn walk(e: &mut Engine, pick: usize) -> Vec<String> {
    e.start().unwrap();
    let mut seen = vec![step(e)];
    let mut outcome = e.acknowledge().unwrap();
    while !matches!(outcome, Outcome::Finished(_)) {
        seen.push(step(e));
        let q = e.current().unwrap().clone();
        outcome = match q.kind {
            Kind::Single | Kind::List | Kind::Quiz | Kind::Grid => {
                // On a grid, only the choices offered on the current row (`only_rows`).
                let offered: Vec<String> = q.choices_for_row(e.current_row()).iter().map(|c| c.id.clone()).collect();
                e.choose(&offered[pick % offered.len()]).unwrap()
            }
            _ => e.skip().unwrap(),
        };
        assert!(seen.len() < 100, "the visit never ends");
    }
    seen
}

#[test]
fn essentials_first_asks_the_essential_questions_first_and_keeps_the_ids() {
    let q = questionnaire();
    let essential: Vec<&str> = q.questions().iter().filter(|x| x.essential && x.kind != Kind::Contact).map(|x| x.id.as_str()).collect();
    assert!(essential.len() >= 5, "{essential:?}");
    for pick in 0..4 {
        let mut e = engine_flow(Flow { order: Order::EssentialsFirst, path: VisitPath::Complet }, true);
        let seen = walk(&mut e, pick);
        let questions: Vec<&str> = seen.iter().skip(1).map(|s| s.split('/').next().unwrap()).collect();
        // The essential questions asked come before every other question, in the deck's order.
        let first_other = questions.iter().position(|id| !q.question(id).unwrap().essential).unwrap();
        assert!(questions[first_other..].iter().all(|id| !essential.contains(id)), "pick {pick}: {questions:?}");
        // The respondent's age band, gender and neighbourhood first (one tap each: the report
        // rests on them), then the device.
        assert_eq!(questions[..4], ["age", "genre", "quartier", "outil_principal"], "{questions:?}");
        if questions.contains(&"consentement_contact") {
            assert_eq!(*questions.last().unwrap(), "consentement_contact", "the contact step stays last");
        }
        // The same questions as in the deck's order: only the order changes.
        let mut deck = engine_flow(Flow::default(), true);
        let mut a: Vec<String> = walk(&mut deck, pick);
        let mut b = seen.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "pick {pick}");
        assert_eq!(deck.answers().keys().collect::<Vec<_>>(), e.answers().keys().collect::<Vec<_>>());
    }
}

#[test]
fn a_question_moves_up_only_with_the_questions_its_relevance_looks_at() {
    // `recherche_equipement` depends on `outil_principal` (both essential): asked right after it.
    // `systeme` depends on `outil_principal` but is not essential: it stays in the rest.
    let q = questionnaire();
    let seq = q.sequence(Flow { order: Order::EssentialsFirst, path: VisitPath::Complet });
    let ids: Vec<&str> = seq.iter().map(|&i| q.questions()[i].id.as_str()).collect();
    let pos = |id: &str| ids.iter().position(|x| *x == id).unwrap();
    assert_eq!(ids[..5], ["notice_confidentialite", "age", "genre", "quartier", "outil_principal"]);
    assert!(pos("outil_principal") < pos("recherche_equipement") && pos("recherche_equipement") < pos("profil_usage"), "{ids:?}");
    assert!(pos("profil_usage") < pos("systeme"), "{ids:?}");
    assert_eq!(ids.len(), q.questions().iter().filter(|x| !x.retired).count(), "every question not retired is still asked");
    // Every relevance rule looks only at questions asked before it, in this order too.
    for (p, &i) in seq.iter().enumerate() {
        if let Some(c) = &q.questions()[i].relevant_if {
            for (r, _, _) in c.references() {
                let essential_pulled = q.questions()[i].essential && pos(r) > p;
                assert!(!essential_pulled && pos(r) < p, "{} looks at {r}, asked later", q.questions()[i].id);
            }
        }
    }
}

#[test]
fn the_short_path_is_at_most_14_screens_and_asks_only_essentials() {
    let q = questionnaire();
    for order in [Order::Deck, Order::EssentialsFirst] {
        let flow = Flow { order, path: VisitPath::Court };
        assert_eq!(q.screen_count(flow, true), 14, "the notice, 8 questions (one asked only without a device), 4 rows, the contact step");
        for pick in 0..4 {
            for consent in [true, false] {
                let mut e = engine_flow(flow, consent);
                let seen = walk(&mut e, pick);
                assert!(seen.len() <= 14, "{} screens: {seen:?}", seen.len());
                // The respondent's three questions right after the notice, in both orders.
                assert_eq!(seen[1..4], ["age", "genre", "quartier"], "{seen:?}");
                assert!(seen.len() <= q.screen_count(flow, consent), "the estimate counts at most: {seen:?}");
                for s in &seen[1..] {
                    assert!(q.question(s.split('/').next().unwrap()).unwrap().essential, "{s} is not essential");
                }
                // Only the essential rows of the grid.
                assert_eq!(seen.iter().filter(|s| s.starts_with("capacites/")).count(), q.question("capacites").unwrap().essential_rows.len());
                // Same rules: the domains without an answer are not assessed, never guessed.
                let p = profile::compute(&rules(), &q, e.answers(), "fr");
                assert!(p.domaines.iter().any(|d| d.niveau.is_none() && d.assessed == 0), "{:?}", p.domaines);
                assert!(p.capacites_repondues as usize <= 4);
                // The 4 rows answered: the short scale places the visitor (no diagnostic by default).
                assert_eq!(p.capacites_repondues, 4);
                assert!(p.autonomie.is_some() && !p.thematiques.contains(&"diagnostic_numerique".to_string()), "pick {pick}: {p:?}");
            }
        }
    }
    let full = q.screen_count(Flow::default(), true);
    assert!(full > 30, "{full}");
}

#[test]
fn grid_rows_on_the_short_path_go_back_and_forth_among_the_essential_rows() {
    let mut e = engine_flow(Flow { order: Order::Deck, path: VisitPath::Court }, false);
    e.start().unwrap();
    e.acknowledge().unwrap();
    while e.current().is_some_and(|q| q.kind != Kind::Grid) {
        e.skip().unwrap();
    }
    assert_eq!(step(&e), "capacites/connexion_internet");
    assert_eq!(e.row_position(), Some((1, 4)));
    e.choose("sait_faire").unwrap();
    assert_eq!(step(&e), "capacites/envoyer_piece_jointe");
    assert_eq!(e.row_position(), Some((2, 4)));
    e.back().unwrap();
    assert_eq!(step(&e), "capacites/connexion_internet");
    e.back().unwrap();
    assert_eq!(step(&e), "freins");
    e.skip().unwrap();
    assert_eq!(step(&e), "capacites/connexion_internet");
    // The short path begins with the age band, the gender and the neighbourhood.
    let mut e = engine_flow(Flow { order: Order::Deck, path: VisitPath::Court }, false);
    e.start().unwrap();
    e.acknowledge().unwrap();
    assert_eq!(step(&e), "age");
    e.choose("soixante_dix_plus").unwrap();
    assert_eq!(step(&e), "genre");
    e.skip().unwrap();
    assert_eq!(step(&e), "quartier");
    e.choose("la_caravelle").unwrap();
    assert_eq!(step(&e), "outil_principal");
}

#[test]
fn finish_now_keeps_the_answers_given_and_leaves_the_rest_not_asked() {
    let mut e = engine(true);
    e.start().unwrap();
    e.acknowledge().unwrap();
    e.choose("soixante_dix_plus").unwrap(); // age
    e.skip().unwrap(); // genre
    assert_eq!(step(&e), "quartier");
    assert!(e.finish_now().is_ok());
    assert_eq!(e.screen(), Screen::Completed);
    let mut e = engine(true);
    e.start().unwrap();
    assert!(e.finish_now().is_err(), "not on the notice");
    e.acknowledge().unwrap();
    for _ in 0..5 {
        let q = e.current().unwrap().clone();
        match q.kind {
            Kind::Multiple => {
                e.choose(&q.choices[0].id).unwrap();
                e.next().unwrap();
            }
            _ => {
                e.choose(&q.choices[0].id).unwrap();
            }
        };
    }
    let Outcome::Finished(v) = e.finish_now().unwrap() else { panic!("not finished") };
    assert_eq!(v.answers.len(), 5, "{:?}", v.answers);
    assert!(v.answers.values().all(|a| !matches!(a, Answer::Skipped)), "nothing is recorded as skipped");
    let i = v.interrupted.clone().expect("interrupted");
    assert_eq!(i.after_section.as_deref(), Some("usages"), "{v:?}");
    let mut p = profile::compute(&rules(), &questionnaire(), &v.answers, "fr");
    profile::mark_partial(&mut p, i.after_section.as_deref());
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(j["partial"], json!(true));
    assert_eq!(j["interrompu_apres"], json!("usages"));
    assert_eq!(profile::interrupted_after_title(&p, &questionnaire(), "fr").as_deref(), Some("Vos besoins"));
    assert!(p.autonomie.is_none() && p.niveau.is_none(), "nothing guessed: {p:?}");
    // A complete profile says nothing of it.
    let full = serde_json::to_value(profile::compute(&rules(), &questionnaire(), &v.answers, "fr")).unwrap();
    assert!(full.get("partial").is_none() && full.get("interrompu_apres").is_none());
}

#[test]
fn ticked_but_unconfirmed_choices_are_kept_when_finishing_now() {
    let mut e = engine(true);
    e.start().unwrap();
    e.acknowledge().unwrap();
    while e.current().is_some_and(|q| q.kind != Kind::Multiple) {
        e.skip().unwrap();
    }
    let q = e.current().unwrap().clone();
    e.choose(&q.choices[1].id).unwrap();
    let Outcome::Finished(v) = e.finish_now().unwrap() else { panic!() };
    assert_eq!(v.answers[&q.id], Answer::Choices(vec![q.choices[1].id.clone()]));
}

#[test]
fn replay_finish_after_ends_the_visit_on_the_next_screen() {
    let s = |v: serde_json::Value| Script::parse(&v.to_string()).unwrap();
    let script = s(json!({"lang": "fr", "finish_after": "profil_usage",
        "answers": {"age": "soixante_dix_plus", "genre": "feminin", "profil_usage": ["vie_quotidienne"]}}));
    let mut e = engine(true);
    let v = script::play(&mut e, &script).unwrap();
    assert_eq!(v.interrupted.as_ref().and_then(|i| i.after_section.as_deref()), Some("usages"));
    assert_eq!(v.answers["profil_usage"], Answer::Choices(vec!["vie_quotidienne".into()]));
    assert!(v.answers.contains_key("quartier"), "quartier was skipped before: recorded as skipped");
    assert!(!v.answers.contains_key("usages_principaux"), "the next question is not asked");
    // "notice": on the first question.
    let v = script::play(&mut engine(true), &s(json!({"finish_after": "notice"}))).unwrap();
    assert!(v.answers.is_empty() && v.interrupted.as_ref().is_some_and(|i| i.after_section.is_none()));
    // An answer after the interruption is not asked; an unknown id; a question never asked.
    let bad = [
        (json!({"finish_after": "age", "answers": {"genre": "feminin"}}), "genre"),
        (json!({"finish_after": "nope"}), "nope"),
        (json!({"finish_after": "usages_principaux_autre"}), "not asked"),
        (json!({"finish_after": "consentement_contact"}), "last question"),
    ];
    for (script, needle) in bad {
        let e = script::play(&mut engine(true), &s(script.clone())).unwrap_err();
        assert!(e.to_string().contains(needle), "{script}: {e}");
        assert!(!matches!(e, ScriptError::Json(_)));
    }
}

#[test]
fn order_and_path_in_kiosk_toml() {
    let src = passerelle_core::DEFAULT_CONFIG;
    let c = Config::parse(src, "kiosk.toml", None).unwrap();
    assert_eq!(c.flow, Flow { order: Order::EssentialsFirst, path: VisitPath::Complet });
    // Without the keys: essentials first in a queue, the deck's order elsewhere.
    let bare: String = src.lines().filter(|l| !l.starts_with("order =") && !l.starts_with("path =")).collect::<Vec<_>>().join("\n");
    assert_eq!(Config::parse(&bare, "k", None).unwrap().flow.order, Order::EssentialsFirst);
    let elsewhere = bare.replace("context = \"file_attente\"", "context = \"accueil_individuel\"");
    assert_eq!(Config::parse(&elsewhere, "k", None).unwrap().flow, Flow::default());
    let court = src.replace("path = \"complet\"", "path = \"court\"").replace("order = \"essentials_first\"", "order = \"deck\"");
    assert_eq!(Config::parse(&court, "k", None).unwrap().flow, Flow { order: Order::Deck, path: VisitPath::Court });
    for (from, to, key) in [("order = \"essentials_first\"", "order = \"random\"", "order"), ("path = \"complet\"", "path = \"short\"", "path")] {
        let line = src.lines().position(|l| l.starts_with(&format!("{key} ="))).unwrap() + 1;
        let e = Config::parse(&src.replace(from, to), "kiosk.toml", None).unwrap_err().to_string();
        assert!(e.contains(&format!("line {line}, key `{key}`")) && e.contains("unknown value"), "{e}");
    }
}

#[test]
fn essential_rows_are_checked() {
    let q = passerelle_core::DEFAULT_QUESTIONNAIRE;
    let c = config();
    let load = |src: &str| Questionnaire::load(src, "q.toml", &c.neighbourhoods, &has_picto).map(|_| ()).map_err(|e| e.to_string());
    assert!(load(q).is_ok());
    let unknown = q.replace("\"reperer_arnaque\"]", "\"voler\"]");
    assert!(load(&unknown).unwrap_err().contains("unknown row `voler`"));
    let not_grid = q.replacen("kind = \"single\"\n", "kind = \"single\"\nessential_rows = [\"a\"]\n", 1);
    assert!(load(&not_grid).unwrap_err().contains("only an essential grid"));
    let notice = q.replacen("kind = \"notice\"\n", "kind = \"notice\"\nessential = true\n", 1);
    assert!(load(&notice).unwrap_err().contains("notice"));
    // `questionnaire --json` says which questions are essential.
    let json = questionnaire().to_json("fr");
    let flagged: Vec<&str> = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap())
        .filter(|x| x["essential"] == json!(true))
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert!(flagged.contains(&"outil_principal") && flagged.contains(&"age") && !flagged.contains(&"usages_principaux"), "{flagged:?}");
}

#[test]
fn random_visits_include_some_partial_ones() {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(19);
    let mut partial = 0;
    for _ in 0..200 {
        let mut e = engine(true);
        let v = passerelle_core::random::random_visit(&mut e, &mut rng).unwrap();
        if v.interrupted.is_some() {
            partial += 1;
            let p = profile::compute(&rules(), &questionnaire(), &v.answers, &v.lang);
            assert!(p.capacites_repondues <= 14);
        }
    }
    assert!((5..=60).contains(&partial), "{partial} partial visits in 200");
}

/// A retired question (kept for stored answers) is on no path, in no order.
#[test]
fn a_retired_question_is_never_asked() {
    let q = questionnaire();
    let retired: Vec<usize> = (0..q.questions().len()).filter(|&i| q.questions()[i].retired).collect();
    assert!(!retired.is_empty(), "the shipped questionnaire keeps quiz_image_1 as retired");
    for order in [Order::Deck, Order::EssentialsFirst] {
        for path in [VisitPath::Complet, VisitPath::Court] {
            let seq = q.sequence(Flow { order, path });
            assert!(retired.iter().all(|i| !seq.contains(i)), "{order:?} {path:?}");
        }
    }
}

/// Walk a whole visit (answering with the `pick`-th choice offered, or skipping every other
/// question when `skip_some`), and return the progress on each question screen.
fn progress_walk(e: &mut Engine, pick: usize, skip_some: bool) -> Vec<(String, passerelle_core::engine::Progress)> {
    e.start().unwrap();
    let mut outcome = e.acknowledge().unwrap();
    let mut seen = Vec::new();
    while !matches!(outcome, Outcome::Finished(_)) {
        seen.push((step(e), e.progress().expect("progress on every question screen")));
        let q = e.current().unwrap().clone();
        let skip = skip_some && seen.len().is_multiple_of(2);
        outcome = match q.kind {
            Kind::Single | Kind::List | Kind::Quiz | Kind::Grid if !skip => {
                let offered: Vec<String> = q.choices_for_row(e.current_row()).iter().map(|c| c.id.clone()).collect();
                e.choose(&offered[pick % offered.len()]).unwrap()
            }
            _ => e.skip().unwrap(),
        };
        assert!(seen.len() < 100, "the visit never ends");
    }
    seen
}

#[test]
fn progress_in_parts_never_changes_its_total_and_never_goes_down() {
    // Every flow, with and without the contact step, whatever the answers.
    let flows = [
        (Order::Deck, VisitPath::Complet, 14),
        (Order::EssentialsFirst, VisitPath::Complet, 14),
        (Order::Deck, VisitPath::Court, 4),
        (Order::EssentialsFirst, VisitPath::Court, 4),
    ];
    for (order, path, grid_rows) in flows {
        for consent in [true, false] {
            let flow = Flow { order, path };
            let parts = engine_flow(flow, consent).parts();
            for pick in 0..5 {
                for skip_some in [false, true] {
                    let case = format!("{flow:?} consent {consent} pick {pick} skip {skip_some}");
                    let mut e = engine_flow(flow, consent);
                    let seen = progress_walk(&mut e, pick, skip_some);
                    assert!(parts >= 2, "{case}: {parts} parts");
                    assert!(seen.iter().all(|(_, p)| p.parts == parts), "{case}: the total changed: {seen:?}");
                    assert_eq!(seen[0].1.part, 1, "{case}");
                    for w in seen.windows(2) {
                        assert!(w[1].1.part >= w[0].1.part, "{case}: the part went down: {w:?}");
                        // No section of the shipped questionnaire is ever wholly irrelevant: one step at a time.
                        assert!(w[1].1.part <= w[0].1.part + 1, "{case}: a part was jumped: {w:?}");
                    }
                    assert!(seen.iter().all(|(_, p)| p.part <= parts), "{case}");
                    // The grid: "Compétence n sur 14" (or 4 on the short path), one row after the other.
                    let rows: Vec<(usize, usize)> = seen.iter().filter(|(s, _)| s.starts_with("capacites/")).map(|(_, p)| p.row.unwrap()).collect();
                    assert_eq!(rows, (1..=grid_rows).map(|n| (n, grid_rows)).collect::<Vec<_>>(), "{case}");
                    assert!(seen.iter().filter(|(s, _)| !s.starts_with("capacites/")).all(|(_, p)| p.row.is_none()), "{case}");
                    // One part per run of a section: a part keeps its number while its section lasts.
                    let q = questionnaire();
                    for w in seen.windows(2) {
                        let section = |s: &str| q.section_of(s.split('/').next().unwrap()).unwrap().id.clone();
                        if section(&w[0].0) == section(&w[1].0) {
                            assert_eq!(w[0].1.part, w[1].1.part, "{case}: {w:?}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn parts_are_the_sections_the_flow_asks() {
    // The deck's order: one part per section with a question (the notice is not a part).
    assert_eq!(engine_flow(Flow::default(), true).parts(), 8);
    assert_eq!(engine_flow(Flow::default(), false).parts(), 7, "no contact step, no part for it");
    // The short path: about you (age, gender, neighbourhood), the equipment, the capabilities,
    // the contact step.
    assert_eq!(engine_flow(Flow { order: Order::Deck, path: VisitPath::Court }, true).parts(), 4);
    // Essentials first: about you whole, then the equipment's essential questions make a part,
    // its others another.
    assert_eq!(engine_flow(Flow { order: Order::EssentialsFirst, path: VisitPath::Complet }, true).parts(), 9);
    // Going back keeps the part of the question shown again.
    let mut e = engine_flow(Flow::default(), true);
    e.start().unwrap();
    e.acknowledge().unwrap();
    while e.current().is_some_and(|q| q.kind != Kind::Grid) {
        e.skip().unwrap();
    }
    let grid = e.progress().unwrap();
    assert_eq!(grid.row, Some((1, 14)));
    e.back().unwrap();
    let before = e.progress().unwrap();
    assert_eq!((before.part + 1, before.parts), (grid.part, grid.parts));
}
