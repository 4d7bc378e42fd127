//! Table tests of the profile rules: each case of fixtures/profile_cases.json is a scripted visit
//! played through the engine, and the fields it names must come out as expected.

use crate::support::*;
use passerelle_core::profile::{self, Rules};
use serde_json::{Value, json};

#[test]
fn profile_cases() {
    let cases: Vec<Value> = serde_json::from_str(include_str!("../fixtures/profile_cases.json")).unwrap();
    assert!(cases.len() >= 20);
    for case in &cases {
        check(case["name"].as_str().unwrap(), case);
    }
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
    let p = profile_of(&json!({"answers": {"capacites": grid, "quiz_image_1": "danger"}}));
    let sec = p.domaines.iter().find(|d| d.id == "protection_securite").unwrap();
    assert_eq!((sec.pix, sec.known, sec.assessed, sec.niveau.as_deref()), (4, 3, 4, Some("intermediaire")));
    let env = p.domaines.iter().find(|d| d.id == "environnement_numerique").unwrap();
    assert_eq!((env.known, env.assessed, env.niveau.as_deref()), (4, 4, Some("avance")));
    // Quiz 2 skipped: content creation is assessed on the attachment row only.
    let cre = p.domaines.iter().find(|d| d.id == "creation_contenu").unwrap();
    assert_eq!((cre.known, cre.assessed), (1, 1));
    assert_eq!(p.domaines.len(), 5);
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
        ("version = \"1.0.0\"", "version = \"v1\"", "MAJOR.MINOR.PATCH"),
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
