#![allow(dead_code)]
//! Shared test helpers: the shipped questionnaire, rules and config, an engine on a fake clock,
//! and `check`, which walks a scripted-visit fixture and compares its profile.

use chrono::NaiveDate;
use passerelle_core::config::Config;
use passerelle_core::engine::{Engine, EngineOptions, FakeClock};
use passerelle_core::profile::{self, Profile, Rules};
use passerelle_core::questionnaire::Questionnaire;
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

/// Play a scripted visit and compute its profile.
pub fn profile_of(script_json: &Value) -> Profile {
    let script = Script::parse(&script_json.to_string()).expect("script");
    let mut e = engine(true);
    let v = script::play(&mut e, &script).expect("scripted visit plays");
    profile::compute(&rules(), &questionnaire(), &v.answers, &v.lang)
}

/// The one data-driven check: a fixture `{"script": {...}, "expect": {FIELD: VALUE, ...}}` where
/// each expected field of the profile must equal VALUE, and `FIELD_includes` / `FIELD_excludes`
/// list values that must / must not be in a list field.
pub fn check(name: &str, fixture: &Value) {
    let p = serde_json::to_value(profile_of(&fixture["script"])).unwrap();
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
