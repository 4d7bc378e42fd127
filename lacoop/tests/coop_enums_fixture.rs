//! The enums and tables of this crate against La Coop's source (tests/fixtures/coop-enums.json,
//! extracted from La Coop's repository at the commit it names) and against Passerelle's own
//! vocabularies (passerelle-core).

use passerelle_core::profile::Profile;
use passerelle_core::vocab;
use passerelle_lacoop::vocab_map::{self, LEFT_OUT};
use passerelle_lacoop::{Autonomie, Choice, Genre, LACOOP_COMMIT, Materiel, Thematique, TrancheAge};
use serde_json::Value;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/coop-enums.json")).unwrap()
}

/// La Coop's values of one enum of the fixture.
fn coop_values(name: &str) -> Vec<String> {
    fixture()["enums"][name]["values"].as_array().unwrap_or_else(|| panic!("no enum {name}")).iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

/// One of our enums, as (field, source, [(value, label)]).
type Mirror = (&'static str, &'static str, Vec<(&'static str, &'static str)>);

fn mirrors() -> Vec<(&'static str, Mirror)> {
    macro_rules! mirror {
        ($t:ty) => {
            (<$t>::FIELD, <$t>::SOURCE, <$t>::ALL.iter().map(|v| (v.as_str(), v.label())).collect())
        };
    }
    vec![
        ("trancheAge", mirror!(TrancheAge)),
        ("genre", mirror!(Genre)),
        ("thematiques", mirror!(Thematique)),
        ("autonomie", mirror!(Autonomie)),
        ("materiel", mirror!(Materiel)),
    ]
}

#[test]
fn the_fixture_is_of_the_commit_the_crate_cites() {
    assert_eq!(fixture()["commit"], LACOOP_COMMIT);
}

#[test]
fn our_enums_are_la_coop_enums_value_for_value_and_label_for_label() {
    let f = fixture();
    for (name, (field, source, values)) in mirrors() {
        let e = &f["enums"][name];
        assert_eq!(e["field"], field, "{name}");
        assert_eq!(e["file"], source, "{name}");
        let ours: Vec<&str> = values.iter().map(|(v, _)| *v).collect();
        assert_eq!(ours, coop_values(name), "{name}: values");
        for (v, label) in values {
            assert_eq!(e["labels"][v], label, "{name}.{v}: label");
        }
    }
}

#[test]
fn administrative_themes_are_la_coop_ones() {
    let ours: Vec<&str> = Thematique::ALL.iter().filter(|t| t.is_administrative()).map(|t| t.as_str()).collect();
    let theirs: Vec<String> =
        fixture()["enums"]["thematiques"]["administratives"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(ours, theirs);
}

#[test]
fn every_table_target_is_in_la_coop_enums() {
    let tables: Vec<(&str, Vec<&str>)> = vec![
        ("trancheAge", vocab_map::TRANCHE_AGE.iter().map(|(_, v)| v.as_str()).collect()),
        ("genre", vocab_map::GENRE.iter().map(|(_, v)| v.as_str()).collect()),
        ("thematiques", vocab_map::THEMATIQUES.iter().map(|(_, v)| v.as_str()).collect()),
        ("autonomie", vocab_map::AUTONOMIE.iter().map(|(_, v)| v.as_str()).collect()),
        ("materiel", vocab_map::MATERIEL.iter().map(|(_, v)| v.as_str()).collect()),
    ];
    for (name, targets) in tables {
        let coop = coop_values(name);
        for t in targets {
            assert!(coop.iter().any(|c| c == t), "{name}: {t} is not a La Coop value");
        }
    }
}

#[test]
fn every_passerelle_id_is_mapped_or_listed_as_left_out() {
    let tables: Vec<(&str, &[&str], Vec<&str>)> = vec![
        ("tranche_age", vocab::COOP_TRANCHE_AGE, vocab_map::TRANCHE_AGE.iter().map(|(k, _)| *k).collect()),
        ("genre", vocab::COOP_GENRE, vocab_map::GENRE.iter().map(|(k, _)| *k).collect()),
        ("thematiques", vocab::COOP_THEMATIQUES, vocab_map::THEMATIQUES.iter().map(|(k, _)| *k).collect()),
        ("autonomie", vocab::COOP_AUTONOMIE, vocab_map::AUTONOMIE.iter().map(|(k, _)| *k).collect()),
        ("materiel", vocab::COOP_MATERIEL, vocab_map::MATERIEL.iter().map(|(k, _)| *k).collect()),
    ];
    for (field, passerelle, keys) in &tables {
        for id in *passerelle {
            let mapped = keys.contains(id);
            let left = vocab_map::left_out(field, id).is_some();
            assert!(mapped != left, "{field}.{id}: mapped {mapped}, left out {left} (exactly one must hold)");
        }
        for k in keys {
            assert!(passerelle.contains(k), "{field}: the table maps {k}, which Passerelle's vocabulary does not have");
        }
    }
    for l in LEFT_OUT {
        let (_, passerelle, _) = tables.iter().find(|(f, _, _)| *f == l.field).expect("a left-out id of a mapped field");
        assert!(passerelle.contains(&l.passerelle), "{}.{} is not a Passerelle id", l.field, l.passerelle);
        assert!(!l.why.is_empty());
    }
}

#[test]
fn every_field_of_the_profile_is_either_sent_or_listed_as_not_sent() {
    let profile = Profile { partial: true, interrompu_apres: Some("x".into()), ..Profile::default() };
    let json = serde_json::to_value(&profile).unwrap();
    let fields: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    let not_sent: Vec<&str> = vocab_map::FIELDS_NOT_SENT.iter().map(|(f, _)| *f).collect();
    for f in &fields {
        assert!(vocab_map::FIELDS_SENT.contains(f) != not_sent.contains(f), "profile field {f}: say whether it goes to La Coop");
    }
    for f in vocab_map::FIELDS_SENT.iter().chain(&not_sent) {
        assert!(fields.contains(f), "{f} is not a profile field");
    }
}

#[test]
fn every_choice_the_mediator_can_tick_is_a_la_coop_value() {
    for c in Choice::all() {
        assert!(coop_values(c.field()).iter().any(|v| v == c.value()), "{}", c.key());
        assert!(!c.label().is_empty() && !c.field_label().is_empty());
    }
}
