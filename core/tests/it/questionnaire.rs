//! The shipped questionnaire is the deck's, complete, and bad definitions are refused clearly.

use crate::support::*;
use passerelle_core::questionnaire::{Kind, Questionnaire};

/// Every question and choice of the deck's "Questionnaire de positionnement" (Axe 5), by id.
const DECK: &[(&str, &[&str])] = &[
    ("age", &[]),
    ("genre", &[]),
    ("quartier", &["autre_commune"]),
    ("profil_usage", &["scolarite", "retraite_autonomie", "vie_professionnelle", "vie_quotidienne", "engagement", "parentalite", "aidant_fait_a_ma_place"]),
    (
        "usages_principaux",
        &[
            "reseaux_sociaux",
            "jeux",
            "demarches_administratives",
            "recherche_emploi",
            "achats_en_ligne",
            "communication_ecole",
            "messageries_instantanees",
            "mail_pieces_jointes",
            "usage_professionnel",
            "debat_public",
            "activite_associative",
            "autre",
        ],
    ),
    ("usages_principaux_autre", &[]),
    ("handicap", &["moteur", "cognitif", "visuel", "auditif", "psychique"]),
    ("outil_principal", &["tablette", "ordinateur", "smartphone"]),
    ("recherche_equipement", &["oui", "non", "ne_sait_pas"]),
    ("acces_internet", &["oui", "non", "ne_sait_pas"]),
    ("mode_acces", &["box", "reseau_mobile", "partage_connexion", "ne_sait_pas"]),
    ("adresse_mail", &["oui", "non", "ne_sait_pas"]),
    ("systeme", &["apple", "windows", "linux", "android", "ne_sait_pas"]),
    ("freins", &["trop_cher", "peur", "ne_comprends_pas", "personne_pour_aider", "contre", "pas_interesse", "aucun_frein"]),
    (
        "frequence",
        &[
            "tous_les_jours",
            "tous_les_deux_jours",
            "tous_les_trois_jours",
            "une_fois_par_semaine",
            "occasionnellement",
            "rarement",
            "jamais",
            "pas_encore_d_outil",
        ],
    ),
    (
        "rapport_numerique",
        &[
            "indispensable",
            "utilisateur_avance",
            "pas_interesse",
            "lacunes_envie_apprendre",
            "lacunes_sans_motivation",
            "mauvaises_experiences",
            "peur",
            "on_fait_a_ma_place",
            "pas_d_outil",
            "contre",
        ],
    ),
    (
        "motivations",
        &[
            "gagner_du_temps",
            "pouvoir_d_achat",
            "lien_social",
            "administrations",
            "ecole_des_enfants",
            "usages_professionnels",
            "eviter_mauvaises_experiences",
            "debat_public",
            "activite_associative",
            "encadrer_enfants",
        ],
    ),
    ("quiz_navigateur", &["prendre_photo", "aller_sur_internet", "trouver_chemin", "ne_sait_pas"]),
    ("quiz_image_2", &["musique", "image", "video", "ne_sait_pas"]),
];

#[test]
fn the_deck_is_complete() {
    let q = questionnaire();
    for (qid, choices) in DECK {
        let question = q.question(qid).unwrap_or_else(|| panic!("missing question {qid}"));
        for c in *choices {
            assert!(question.choice(c).is_some(), "{qid}: missing choice {c}");
        }
    }
    assert_eq!(q.question("notice_confidentialite").unwrap().kind, Kind::Notice);
    assert_eq!(q.question("age").unwrap().choices.len(), 7);
    let grid = q.question("capacites").unwrap();
    assert_eq!(grid.kind, Kind::Grid);
    assert_eq!(grid.rows.len(), 14, "the 14 capabilities");
    assert_eq!(q.question("usages_principaux").unwrap().max_choices, Some(3));
    assert_eq!(q.question("freins").unwrap().max_choices, Some(2));
    let contact = q.question("consentement_contact").unwrap();
    assert_eq!(contact.kind, Kind::Contact);
    let fields: Vec<_> = contact.fields.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(fields, ["last_name", "first_name", "phone", "address", "email"]);
    // Every kind the issue lists is used.
    for k in [Kind::Notice, Kind::Single, Kind::Multiple, Kind::Grid, Kind::Quiz, Kind::List, Kind::Text, Kind::Contact] {
        assert!(q.questions().iter().any(|x| x.kind == k), "kind {k:?} unused");
    }
}

#[test]
fn neighbourhoods_come_from_the_config() {
    let q = questionnaire();
    let list = q.question("quartier").unwrap();
    let ids: Vec<_> = list.choices.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"centre_ville"));
    assert_eq!(ids.last(), Some(&"autre_commune"));
    assert_eq!(ids.len(), config().neighbourhoods.len() + 1);
}

#[test]
fn every_text_is_in_french_and_english_with_a_pictogram() {
    let q = questionnaire();
    for question in q.questions() {
        assert!(!question.label.get("fr").is_empty() && !question.label.get("en").is_empty(), "{}", question.id);
        assert!(has_picto(&question.picto));
        for c in question.choices.iter().chain(&question.rows) {
            assert!(c.label.missing(&["fr".into(), "en".into()]).is_empty(), "{}.{}", question.id, c.id);
            assert!(has_picto(&c.picto), "{}.{}", question.id, c.id);
        }
    }
}

#[test]
fn json_contract() {
    let q = questionnaire();
    let j = q.to_json("fr");
    assert_eq!(j["id"], "positionnement-92");
    let sections = j["sections"].as_array().unwrap();
    let all: Vec<&serde_json::Value> = sections.iter().flat_map(|s| s["questions"].as_array().unwrap()).collect();
    assert_eq!(all.len(), q.questions().len());
    let usages = all.iter().find(|x| x["id"] == "usages_principaux").unwrap();
    assert_eq!(usages["kind"], "multiple");
    assert_eq!(usages["max_choices"], 3);
    assert_eq!(usages["label"], "Que faites-vous le plus avec le numérique\u{a0}?");
    assert_eq!(usages["choices"][0]["id"], "reseaux_sociaux");
    let grid = all.iter().find(|x| x["id"] == "capacites").unwrap();
    assert_eq!(grid["rows"].as_array().unwrap().len(), 14);
    assert!(all.iter().all(|x| { ["notice", "single", "multiple", "grid", "quiz", "list", "text", "contact",].contains(&x["kind"].as_str().unwrap()) }));
}

fn load(src: &str) -> Result<Questionnaire, String> {
    Questionnaire::load(src, "custom.toml", &config().neighbourhoods, &has_picto).map_err(|e| e.to_string())
}

#[test]
fn bad_definitions_are_refused_with_file_and_id() {
    let base = passerelle_core::DEFAULT_QUESTIONNAIRE;
    let cases: &[(&str, &str, &str)] = &[
        ("id = \"genre\"", "id = \"age\"", "`age`: duplicate question id"),
        ("{ id = \"jeux\",", "{ id = \"reseaux_sociaux\",", "`usages_principaux.reseaux_sociaux`: duplicate choice id"),
        (
            "{ id = \"jeux\", picto = \"device-gamepad-2\", label = { fr = \"Les jeux\", en = \"Games\" } }",
            "{ id = \"jeux\", picto = \"device-gamepad-2\", label = { fr = \"Les jeux\" } }",
            "`usages_principaux.jeux`: label: missing translation (en)",
        ),
        ("picto = \"device-gamepad-2\"", "picto = \"manette\"", "`usages_principaux.jeux`: unknown pictogram `manette`"),
        ("max_choices = 3", "max_choices = 30", "`usages_principaux`: bad maximum"),
        ("max_choices = 2", "max_choices = 0", "`freins`: bad maximum"),
        (
            "relevant_if = { question = \"acces_internet\", any_of = [\"oui\"] }",
            "relevant_if = { question = \"internet\", any_of = [\"oui\"] }",
            "`mode_acces`: relevant_if: unknown question `internet`",
        ),
        (
            "relevant_if = { question = \"acces_internet\", any_of = [\"oui\"] }",
            "relevant_if = { question = \"acces_internet\", any_of = [\"si\"] }",
            "`mode_acces`: relevant_if: unknown choice `si`",
        ),
        (
            "relevant_if = { question = \"acces_internet\", any_of = [\"oui\"] }",
            "relevant_if = { question = \"motivations\", any_of = [\"lien_social\"] }",
            "is not asked before this question",
        ),
        ("relevant_if = { question = \"acces_internet\", any_of = [\"oui\"] }", "relevant_if = { score_below = 0.5 }", "can only be used in profile rules"),
        ("kind = \"grid\"", "kind = \"matrix\"", "custom.toml"),
        ("correct = \"video\"", "correct = \"film\"", "`quiz_image_2`: `correct` names unknown choice `film`"),
        ("version = \"1.4.0\"", "version = \"1\"", "MAJOR.MINOR.PATCH"),
        ("only_rows = [\"encadrer_ecrans_enfant\"]", "only_rows = [\"enfants\"]", "unknown row `enfants` in `only_rows`"),
        ("since = \"1.3.0\"", "since = \"1.5.0\"", "`capacites.ne_connait_pas`: `since = \"1.5.0\"` is later than the questionnaire's version 1.4.0"),
        ("since = \"1.3.0\"", "since = \"bientôt\"", "must be MAJOR.MINOR.PATCH"),
        ("id = \"age\"", "id = \"Âge\"", "bad id"),
        ("title = { fr = \"Vous\", en = \"About you\" }", "title = { fr = \"Vous\", en = \"About you\" }\nsurprise = 1", "unknown field `surprise`"),
    ];
    for (from, to, expected) in cases {
        assert!(base.contains(from), "fixture text not found: {from}");
        let e = load(&base.replacen(from, to, 1)).expect_err(expected);
        assert!(e.contains("custom.toml"), "no file name in: {e}");
        assert!(e.contains(expected), "expected `{expected}` in: {e}");
    }
}

#[test]
fn a_department_can_reword_without_recompiling() {
    let src = passerelle_core::DEFAULT_QUESTIONNAIRE.replacen("Quel âge avez-vous\u{a0}?", "Votre âge\u{a0}?", 1);
    let q = load(&src).unwrap();
    assert_eq!(q.question("age").unwrap().label.fr(), "Votre âge\u{a0}?");
}
