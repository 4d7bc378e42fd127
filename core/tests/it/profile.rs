//! Table tests of the profile rules: each case of fixtures/profile_cases.json is a scripted visit
//! played through the engine, and the fields it names must come out as expected.

use crate::support::*;
use passerelle_core::answers::Answer;
use passerelle_core::condition::Because;
use passerelle_core::profile::{self, Rules};
use serde_json::{Value, json};

#[test]
fn profile_cases() {
    let cases: Vec<Value> = serde_json::from_str(include_str!("../fixtures/profile_cases.json")).unwrap();
    assert!(cases.len() >= 20);
    for case in &cases {
        check(case["name"].as_str().unwrap(), case);
        every_suggestion_says_why(case["name"].as_str().unwrap(), case);
    }
}

/// Every value the profile suggests comes with its reason, in French, and nothing else is
/// explained. A reason names only answers the visitor gave, each in the visitor's words (the
/// labels of the choices, in French and in the visitor's language), and says the rule's own
/// reason only when no answer made the suggestion.
fn every_suggestion_says_why(name: &str, case: &Value) {
    let v = play(&case["script"], fixture_flow(case));
    let q = questionnaire();
    let (p, why) = profile::explain(&rules(), &q, &v.answers, &v.lang);
    assert_eq!(p, profile::compute(&rules(), &questionnaire(), &v.answers, &v.lang));
    let mut expected: Vec<(&str, &String)> = Vec::new();
    expected.extend(p.autonomie.iter().map(|x| ("autonomie", x)));
    expected.extend(p.modalites.iter().map(|x| ("modalites", x)));
    expected.extend(p.thematiques.iter().map(|x| ("thematiques", x)));
    expected.extend(p.services.iter().map(|x| ("services", x)));
    expected.extend(p.prise_en_charge_specifique.iter().map(|x| ("prise_en_charge_specifique", x)));
    expected.extend(p.flags.iter().map(|x| ("flags", x)));
    let got: Vec<(&str, &String)> = why.iter().map(|s| (s.field.as_str(), &s.value)).collect();
    assert_eq!(got, expected, "{name}: suggestions and their reasons");
    for s in &why {
        let fr = s.why.get("fr");
        assert!(!fr.is_empty() && fr != s.why.get("en"), "{name}: {} has no French reason", s.value);
        let mut said_in_words = false;
        for b in &s.because {
            let Because::Answer { question, row, choices } = b else { continue };
            said_in_words = true;
            let question = q.question(question).unwrap();
            let given: Vec<&String> = match (v.answers.get(&question.id), row) {
                (Some(Answer::Choice(c)), None) => vec![c],
                (Some(Answer::Choices(c)), None) => c.iter().collect(),
                (Some(Answer::Grid(g)), Some(r)) => g.get(r).into_iter().collect(),
                other => panic!("{name}: {} names {other:?}", s.value),
            };
            for c in choices {
                assert!(given.contains(&c), "{name}: {} names {}={c}, not given ({given:?})", s.value, question.id);
                for lang in ["fr", v.lang.as_str()] {
                    let label = question.choice(c).unwrap().label.get(lang);
                    assert!(s.why.get(lang).contains(label), "{name}: the {lang} reason of {} lacks “{label}”: {}", s.value, s.why.get(lang));
                }
            }
        }
        if !said_in_words
            && !s.because.iter().any(|b| matches!(b, Because::Capabilities { .. } | Because::Quiz { correct: 1.., .. } | Because::Quiz { wrong: 1.., .. }))
        {
            assert_eq!(s.why, s.rule, "{name}: {} without an answer in words says the rule's reason", s.value);
        } else {
            assert_ne!(s.why, s.rule, "{name}: {} says the answers, not the whole rule", s.value);
        }
    }
}

#[test]
fn an_unsure_quiz_answer_is_not_assessed_in_the_domains() {
    let unsure = profile_of(&json!({"answers": {"quiz_navigateur": "ne_sait_pas", "quiz_image_2": "ne_sait_pas"}}));
    let wrong = profile_of(&json!({"answers": {"quiz_navigateur": "trouver_chemin", "quiz_image_2": "image"}}));
    let info = |p: &profile::Profile| p.domaines.iter().find(|d| d.id == "information_donnees").map(|d| (d.known, d.assessed)).unwrap();
    assert_eq!(info(&unsure), (0, 0));
    assert_eq!(info(&wrong), (0, 2));
}

#[test]
fn domain_levels_count_known_rows_and_quiz() {
    let rows = [
        "allumer_ordinateur",
        "maintenance_equipement",
        "connexion_internet",
        "installer_application",
        "recuperer_mot_de_passe",
        "envoyer_piece_jointe",
        "demarches_en_ligne",
        "visioconference",
        "achat_paiement",
        "reperer_arnaque",
        "reperer_fausse_information",
        "signaler_haine",
        "encadrer_ecrans_enfant",
        "formation_en_ligne",
    ];
    let mut grid = serde_json::Map::new();
    for r in rows {
        grid.insert(r.into(), json!(if r == "reperer_arnaque" { "ne_sait_pas_faire" } else { "sait_faire" }));
    }
    let p = profile_of(&json!({"answers": {"capacites": grid, "quiz_navigateur": "aller_sur_internet"}}));
    let sec = p.domaines.iter().find(|d| d.id == "protection_securite").unwrap();
    assert_eq!((sec.pix, sec.known, sec.assessed, sec.niveau.as_deref()), (4, 2, 3, Some("intermediaire")));
    let env = p.domaines.iter().find(|d| d.id == "environnement_numerique").unwrap();
    assert_eq!((env.known, env.assessed, env.niveau.as_deref()), (4, 4, Some("avance")));
    // Quiz 2 skipped: information and data is assessed on its two rows and the browser quiz.
    let info = p.domaines.iter().find(|d| d.id == "information_donnees").unwrap();
    assert_eq!((info.known, info.assessed), (3, 3));
    // No question asks about creating content: domain 3 is not estimated at all.
    assert!(p.domaines.iter().all(|d| d.pix != 3 && d.id != "creation_contenu"));
    assert_eq!(p.domaines.len(), 4);
}

#[test]
fn empty_visit_has_no_domain_level() {
    let p = profile_of(&json!({"answers": {}}));
    assert!(p.domaines.iter().all(|d| d.niveau.is_none() && d.assessed == 0));
}

#[test]
fn rules_version_is_recorded() {
    let p = profile_of(&json!({"answers": {}}));
    assert_eq!(p.rules_id, "profil-passerelle");
    assert_eq!(p.rules_version, rules().version);
}

/// Rules files with mistakes are refused with the file and the rule named.
#[test]
fn bad_rules_are_refused_clearly() {
    let q = questionnaire();
    let cases = [
        ("thematiques = [\"diagnostic_numerique\"]", "thematiques = [\"astrologie\"]", "`astrologie` is not a Coop thematique"),
        ("services = [\"Accès internet et matériel informatique\"]", "services = [\"Accès internet\"]", "not a service"),
        (
            "{ question = \"motivations\", any_of = [\"administrations\"] }",
            "{ question = \"motivations\", any_of = [\"voyager\"] }",
            "unknown choice `voyager` of `motivations`",
        ),
        ("{ question = \"acces_internet\", any_of = [\"non\"] }", "{ question = \"internet\", any_of = [\"non\"] }", "unknown question `internet`"),
        ("level = \"autonome\"", "level = \"expert\"", "not a Coop autonomy level"),
        ("flags = [\"peu_motive\"]", "flags = [\"grumpy\"]", "unknown flag `grumpy`"),
        (
            "[{ capabilities_answered_at_least = 5 }, { score_below = 0.35 }]",
            "[{ capabilities_answered_at_least = 5 }, { score_below = 35 }]",
            "share between 0 and 1",
        ),
        ("version = \"1.3.0\"", "version = \"v1\"", "MAJOR.MINOR.PATCH"),
        (
            "rows = [\"connexion_internet\", \"envoyer_piece_jointe\"",
            "rows = [\"connexion\", \"envoyer_piece_jointe\"",
            "`autonomy[3]`: `rows` names unknown capability row `connexion`",
        ),
        ("unsure = \"ne_sait_pas\"", "unsure = \"bof\"", "`bof` is not a choice of any quiz question"),
        ("why = { fr = \"N'a pas accès à Internet.\", en = \"No Internet access.\" }", "why = { en = \"No Internet access.\" }", "`why` needs a French text"),
    ];
    for (from, to, expected) in cases {
        assert!(passerelle_core::DEFAULT_RULES.contains(from), "fixture text not found: {from}");
        let src = passerelle_core::DEFAULT_RULES.replacen(from, to, 1);
        let e = match Rules::load(&src, "custom-rules.toml", &q) {
            Ok(_) => panic!("accepted: {to}"),
            Err(e) => e.to_string(),
        };
        assert!(e.contains("custom-rules.toml") && e.contains(expected), "{e}");
    }
}

#[test]
fn a_department_can_change_a_rule_without_recompiling() {
    let q = questionnaire();
    // Make every "no e-mail" visitor get the "bureautique" thematique instead of "email".
    let src = passerelle_core::DEFAULT_RULES.replacen(
        "flags = [\"sans_email\"]\nthematiques = [\"email\"]",
        "flags = [\"sans_email\"]\nthematiques = [\"bureautique\"]",
        1,
    );
    assert_ne!(src, passerelle_core::DEFAULT_RULES);
    let rules = Rules::load(&src, "r.toml", &q).unwrap();
    let mut answers = passerelle_core::answers::Answers::new();
    answers.insert("adresse_mail".into(), passerelle_core::answers::Answer::Choice("non".into()));
    let p = profile::compute(&rules, &q, &answers, "fr");
    assert!(p.thematiques.contains(&"bureautique".to_string()));
    assert!(!p.thematiques.contains(&"email".to_string()));
}

/// "Je ne sais pas ce que c'est" (questionnaire 1.3.0) on a row is at least as strong as "je ne
/// sais pas faire": the row is not known, and every suggestion of "je ne sais pas faire" is made.
/// One line per row of the grid, alone and among other answers.
#[test]
fn not_knowing_what_it_is_counts_as_not_knowing_how() {
    let q = questionnaire();
    let grid = q.question("capacites").unwrap();
    assert!(grid.choice("ne_connait_pas").is_some());
    for row in &grid.rows {
        for others in ["", "sait_faire"] {
            let visit = |choice: &str| {
                let mut g = serde_json::Map::new();
                if !others.is_empty() {
                    for r in grid.rows.iter().filter(|r| r.id != row.id && r.id != "encadrer_ecrans_enfant") {
                        g.insert(r.id.clone(), json!(others));
                    }
                }
                g.insert(row.id.clone(), json!(choice));
                profile_of(&json!({"answers": {"capacites": g}}))
            };
            let (unfamiliar, cannot) = (visit("ne_connait_pas"), visit("ne_sait_pas_faire"));
            let case = format!("{} among {others:?}", row.id);
            assert!(unfamiliar.ne_sait_pas_faire.contains(&row.id) && !unfamiliar.sait_faire.contains(&row.id), "{case}");
            assert_eq!((unfamiliar.capacites_repondues, unfamiliar.capacites_acquises), (cannot.capacites_repondues, cannot.capacites_acquises), "{case}");
            for (field, a, b) in [
                ("thematiques", &unfamiliar.thematiques, &cannot.thematiques),
                ("services", &unfamiliar.services, &cannot.services),
                ("flags", &unfamiliar.flags, &cannot.flags),
                ("modalites", &unfamiliar.modalites, &cannot.modalites),
            ] {
                assert!(b.iter().all(|x| a.contains(x)), "{case}: {field} {a:?} lacks some of {b:?}");
            }
            assert_eq!(unfamiliar.niveau, cannot.niveau, "{case}");
            assert_eq!(unfamiliar.domaines, cannot.domaines, "{case}");
        }
    }
}

#[test]
fn the_unfamiliar_choices_must_be_choices_of_the_grid() {
    let src = passerelle_core::DEFAULT_RULES.replace("unfamiliar = [\"ne_connait_pas\"]", "unfamiliar = [\"connait_pas\"]");
    let Err(err) = Rules::load(&src, "rules.toml", &questionnaire()) else { panic!("an unknown choice must be refused") };
    assert!(err.to_string().contains("`connait_pas`"), "{err}");
}
