#![allow(dead_code)]
//! Shared test helpers: the shipped questionnaire, rules and config, an engine on a fake clock,
//! and `check`, which walks a scripted-visit fixture and compares its profile.

use chrono::NaiveDate;
use passerelle_core::config::Config;
use passerelle_core::engine::{CompletedVisit, Engine, EngineOptions, FakeClock};
use passerelle_core::profile::{self, Profile, Rules};
use passerelle_core::questionnaire::{Flow, Order, Questionnaire, VisitPath};
use passerelle_core::script::{self, Script};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub fn has_picto(name: &str) -> bool {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/pictograms").join(format!("{name}.svg")).is_file()
}

pub fn config() -> Config {
    Config::parse(passerelle_core::DEFAULT_CONFIG, "kiosk.toml", None).expect("default config")
}

pub fn questionnaire() -> Arc<Questionnaire> {
    let c = config();
    Arc::new(Questionnaire::load(passerelle_core::DEFAULT_QUESTIONNAIRE, "questionnaire.toml", &c.neighbourhoods, &has_picto).expect("default questionnaire"))
}

pub fn rules() -> Rules {
    Rules::load(passerelle_core::DEFAULT_RULES, "profile-rules.toml", &questionnaire()).expect("default rules")
}

pub fn clock() -> Arc<FakeClock> {
    FakeClock::new(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 15, 0).unwrap())
}

pub fn engine_with(consent: bool, clock: Arc<FakeClock>) -> Engine {
    engine_with_flow(consent, clock, Default::default())
}

/// An engine asking the questions in `flow`'s order and path (kiosk.toml's `order`, `path`).
pub fn engine_with_flow(consent: bool, clock: Arc<FakeClock>, flow: passerelle_core::questionnaire::Flow) -> Engine {
    Engine::new(
        questionnaire(),
        EngineOptions {
            idle_warning: Duration::from_secs(60),
            idle_reset: Duration::from_secs(30),
            consent_offered: consent,
            flow,
            optional_questions: Vec::new(),
        },
        clock,
        vec!["fr".into(), "en".into()],
    )
}

pub fn engine(consent: bool) -> Engine {
    engine_with(consent, clock())
}

/// Play a scripted visit (in the deck's order, every question) and compute its profile.
pub fn profile_of(script_json: &Value) -> Profile {
    let v = play(script_json, Flow::default());
    profile::compute(&rules(), &questionnaire(), &v.answers, &v.lang)
}

/// Play a scripted visit through the engine on `flow` (a script that answers a question the
/// flow does not ask is refused).
pub fn play(script_json: &Value, flow: Flow) -> CompletedVisit {
    let script = Script::parse(&script_json.to_string()).expect("script");
    let mut e = engine_with_flow(true, clock(), flow);
    script::play(&mut e, &script).unwrap_or_else(|err| panic!("scripted visit plays on {flow:?}: {err}"))
}

/// A fixture's flow: `"flow": {"order": "deck" | "essentials_first", "path": "complet" | "court"}`
/// (the deck's order, every question, when absent).
pub fn fixture_flow(fixture: &Value) -> Flow {
    let f = &fixture["flow"];
    Flow {
        order: match f["order"].as_str() {
            None | Some("deck") => Order::Deck,
            Some("essentials_first") => Order::EssentialsFirst,
            Some(o) => panic!("unknown order {o}"),
        },
        path: match f["path"].as_str() {
            None | Some("complet") => VisitPath::Complet,
            Some("court") => VisitPath::Court,
            Some(p) => panic!("unknown path {p}"),
        },
    }
}

/// The one data-driven check: a fixture `{"script": {...}, "flow": {...}, "expect": {FIELD: VALUE,
/// ...}, "reasons": {"FIELD/VALUE": "…"}}` where each expected field of the profile must equal
/// VALUE, `FIELD_includes` / `FIELD_excludes` list values that must / must not be in a list
/// field, and each suggestion named in `reasons` (`reasons_en`) must have exactly that French
/// (English) reason.
pub fn check(name: &str, fixture: &Value) {
    let v = play(&fixture["script"], fixture_flow(fixture));
    let (profile, suggestions) = profile::explain(&rules(), &questionnaire(), &v.answers, &v.lang);
    for (key, lang) in [("reasons", "fr"), ("reasons_en", "en")] {
        for (which, expected) in fixture[key].as_object().into_iter().flatten() {
            let (field, value) = which.split_once('/').unwrap_or_else(|| panic!("{name}: {which} is not FIELD/VALUE"));
            let s = suggestions.iter().find(|s| s.field == field && s.value == value).unwrap_or_else(|| panic!("{name}: no suggestion {which}"));
            assert_eq!(s.why.get(lang), expected.as_str().unwrap(), "{name}: the {lang} reason of {which}");
        }
    }
    let p = serde_json::to_value(profile).unwrap();
    let expect = fixture["expect"].as_object().unwrap_or_else(|| panic!("{name}: no expect"));
    for (k, v) in expect {
        if let Some(field) = k.strip_suffix("_includes") {
            for x in v.as_array().unwrap() {
                assert!(p[field].as_array().unwrap().contains(x), "{name}: {field} should include {x}, got {}", p[field]);
            }
        } else if let Some(field) = k.strip_suffix("_excludes") {
            for x in v.as_array().unwrap() {
                assert!(!p[field].as_array().unwrap().contains(x), "{name}: {field} should not include {x}, got {}", p[field]);
            }
        } else {
            assert_eq!(&p[k], v, "{name}: field {k}");
        }
    }
}
