use super::*;
use crate::{DEFAULT_BASE_URL, state_from_url};
use proptest::prelude::*;

fn villeneuve() -> Commune {
    Commune::new("Villeneuve-la-Garenne", "92390", "92078").unwrap()
}

fn full() -> Prefill {
    Prefill {
        stated: Stated::from_passerelle(Some("soixante_dix_plus"), Some("feminin"), Some(villeneuve())).unwrap(),
        ticked: Ticked::from_keys(&["thematiques:SecuriteNumerique", "thematiques:Email", "autonomie:PartiellementAutonome", "materiel:Telephone"]).unwrap(),
    }
}

/// Every dotted path to a value (arrays count as their field).
fn paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                paths(x, &if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") }, out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

#[test]
fn a_full_input_gives_la_coop_form_values() {
    assert_eq!(
        full().to_json(),
        json!({
            "beneficiaire": {
                "trancheAge": "SoixanteDixPlus",
                "genre": "Feminin",
                "communeResidence": {
                    "id": "92078", "label": "Villeneuve-la-Garenne · 92390", "commune": "Villeneuve-la-Garenne",
                    "codePostal": "92390", "codeInsee": "92078", "nom": "", "contexte": "", "latitude": 0, "longitude": 0,
                },
            },
            "thematiques": ["SecuriteNumerique", "Email"],
            "autonomie": "PartiellementAutonome",
            "materiel": ["Telephone"],
        })
    );
}

#[test]
fn the_url_decodes_to_the_form_values() {
    let url = full().url(DEFAULT_BASE_URL).unwrap();
    assert!(url.starts_with(&format!("{DEFAULT_BASE_URL}?v=")), "{url}");
    assert_eq!(state_from_url(&url).unwrap(), full().to_json());
}

#[test]
fn the_url_of_a_full_input_holds_only_the_listed_fields() {
    let state = state_from_url(&full().url(DEFAULT_BASE_URL).unwrap()).unwrap();
    let mut all = Vec::new();
    paths(&state, "", &mut all);
    let covers = |f: &str, p: &str| p == f || p.starts_with(&format!("{f}."));
    // Nothing else than the listed fields (no name, no reference, no free text can be there)…
    for p in &all {
        assert!(SENT_FIELDS.iter().any(|f| covers(f, p)), "{p} is not a field the link may carry");
    }
    // … and a full input fills each of them.
    for f in SENT_FIELDS {
        assert!(all.iter().any(|p| covers(f, p)), "{f} is missing");
    }
    let commune = state["beneficiaire"]["communeResidence"].as_object().unwrap();
    let mut keys: Vec<_> = commune.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = COMMUNE_RESIDENCE_KEYS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected);
}

#[test]
fn nothing_stated_or_ticked_is_left_out() {
    let p = Prefill { stated: Stated::from_passerelle(None, None, None).unwrap(), ticked: Ticked::default() };
    assert_eq!(p.to_json(), json!({}));
    assert_eq!(p.url(DEFAULT_BASE_URL).unwrap(), DEFAULT_BASE_URL);
    let only_genre = Prefill { stated: Stated::from_passerelle(None, Some("non_communique"), None).unwrap(), ..Default::default() };
    assert_eq!(only_genre.to_json(), json!({"beneficiaire": {"genre": "NonCommunique"}}));
    let only_ticked = Prefill { ticked: Ticked::from_keys(&["autonomie:Autonome"]).unwrap(), ..Default::default() };
    assert_eq!(only_ticked.to_json(), json!({"autonomie": "Autonome"}));
}

#[test]
fn unknown_ids_are_errors() {
    assert_eq!(
        Stated::from_passerelle(Some("soixante_dix_plus"), Some("autre_ne_pas_dire"), None),
        Err(PrefillError::UnknownValue { field: "genre", value: "autre_ne_pas_dire".into() })
    );
    assert_eq!(
        Stated::from_passerelle(Some("SoixanteDixPlus"), None, None).unwrap_err().to_string(),
        "Valeur inconnue pour « tranche_age » : « SoixanteDixPlus »."
    );
    assert_eq!(Ticked::from_keys(&["nom:Dupont"]), Err(PrefillError::UnknownValue { field: "choix", value: "nom:Dupont".into() }));
}

#[test]
fn an_administrative_theme_brings_aide_aux_demarches() {
    let t = Ticked::from_choices([Choice::Thematique(Thematique::Email), Choice::Thematique(Thematique::Logement)]).unwrap();
    assert_eq!(t.thematiques(), vec![Thematique::Email, Thematique::AideAuxDemarchesAdministratives, Thematique::Logement]);
    let both = Ticked::from_choices([Choice::Thematique(Thematique::Logement), Choice::Thematique(Thematique::AideAuxDemarchesAdministratives)]).unwrap();
    assert_eq!(both.thematiques(), vec![Thematique::Logement, Thematique::AideAuxDemarchesAdministratives]);
}

#[test]
fn one_autonomy_level_only() {
    let a = Choice::Autonomie(Autonomie::Autonome);
    let mut t = Ticked::from_choices([a, a]).unwrap();
    assert_eq!(t.autonomie(), Some(Autonomie::Autonome));
    assert_eq!(t.tick(Choice::Autonomie(Autonomie::EntierementAccompagne)), Err(PrefillError::TwoAutonomies));
    assert_eq!(t.autonomie(), Some(Autonomie::Autonome));
    let doubled = Ticked::from_choices([Choice::Materiel(Materiel::Tablette), Choice::Materiel(Materiel::Tablette)]).unwrap();
    assert_eq!(doubled.materiel(), &[Materiel::Tablette]);
}

#[test]
fn communes_are_checked_and_normalised() {
    let c = Commune::new("  Ajaccio ", "20 000", " 2a004").unwrap();
    assert_eq!((c.commune(), c.code_postal(), c.code_insee()), ("Ajaccio", "20000", "2A004"));
    assert_eq!(Commune::new("Fort-de-France", "97200", "97209").unwrap().code_insee(), "97209");
    assert_eq!(Commune::new(" ", "92390", "92078"), Err(PrefillError::EmptyCommune));
    assert_eq!(Commune::new("X\u{7}", "92390", "92078"), Err(PrefillError::EmptyCommune));
    assert_eq!(Commune::new("Villeneuve", "9239", "92078"), Err(PrefillError::BadCodePostal("9239".into())));
    assert_eq!(Commune::new("Villeneuve", "9239A", "92078"), Err(PrefillError::BadCodePostal("9239A".into())));
    for bad in ["9207", "2C004", "920781", "92O78", "2A00B"] {
        assert_eq!(Commune::new("Villeneuve", "92390", bad), Err(PrefillError::BadCodeInsee(bad.into())), "{bad}");
    }
    assert_eq!(PrefillError::BadCodeInsee("9207".into()).to_string(), "Code INSEE invalide « 9207 » : il faut 5 caractères, par exemple 92078 ou 2A004.");
}

#[test]
fn base_urls_are_checked() {
    let p = full();
    let v = state_codec::encode_serializable_state(&p.to_json());
    assert_eq!(p.url("https://coop.example/cra?retour=%2Fcoop").unwrap(), format!("https://coop.example/cra?retour=%2Fcoop&v={v}"));
    assert_eq!(p.url("https://coop.example/cra?").unwrap(), format!("https://coop.example/cra?v={v}"));
    assert_eq!(
        p.url(" http://localhost:3000/coop/mes-activites/cra/individuel ").unwrap(),
        format!("http://localhost:3000/coop/mes-activites/cra/individuel?v={v}")
    );
    for bad in [
        "",
        "coop.example/cra",
        "http://coop.example/cra",
        "https://",
        "https:///cra",
        "https://coop.example/cra#x",
        "https://coop example/",
        "http://localhost.evil/",
    ] {
        assert_eq!(p.url(bad), Err(PrefillError::BadBaseUrl(bad.trim().into())), "{bad}");
    }
    assert_eq!(p.url("https://coop.example/cra?v=abc"), Err(PrefillError::BaseUrlHasV));
    assert_eq!(p.url("https://coop.example/cra?a=1&v"), Err(PrefillError::BaseUrlHasV));
    assert!(p.url("https://coop.example/cra?vv=1").is_ok());
    assert_eq!(PrefillError::BadBaseUrl("x".into()).to_string(), "Adresse de La Coop invalide « x » : elle doit commencer par https://.");
}

fn any_choice() -> impl Strategy<Value = Choice> {
    prop_oneof![
        prop::sample::select(Thematique::ALL).prop_map(Choice::Thematique),
        prop::sample::select(Autonomie::ALL).prop_map(Choice::Autonomie),
        prop::sample::select(Materiel::ALL).prop_map(Choice::Materiel),
    ]
}

proptest! {
    #[test]
    fn any_prefill_round_trips_through_its_url(
        age in prop::option::of(prop::sample::select(TrancheAge::ALL)),
        genre in prop::option::of(prop::sample::select(Genre::ALL)),
        with_commune in any::<bool>(),
        choices in prop::collection::vec(any_choice(), 0..12),
    ) {
        let mut ticked = Ticked::default();
        for c in choices {
            let _ = ticked.tick(c); // a second autonomy level is refused, the rest is kept
        }
        let p = Prefill { stated: Stated { tranche_age: age, genre, commune: with_commune.then(villeneuve) }, ticked };
        let url = p.url(DEFAULT_BASE_URL).unwrap();
        let state = p.to_json();
        if state == json!({}) {
            prop_assert_eq!(url, DEFAULT_BASE_URL);
        } else {
            prop_assert_eq!(state_from_url(&url).unwrap(), state.clone());
        }
        // La Coop's rule: administrative themes only with AideAuxDemarchesAdministratives.
        let themes: Vec<&str> = state["thematiques"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        let admin = themes.iter().any(|t| Thematique::from_coop(t).is_some_and(Thematique::is_administrative));
        prop_assert!(!admin || themes.contains(&"AideAuxDemarchesAdministratives"));
    }
}
