//! The functions the page calls, called as the page calls them (`passerelle_desk::call`, JSON in
//! and out) and compared with the command line's own code: the mediator's crate for a code, the
//! pickup rule, the package writer, La Coop's crate for the link.

use chrono::NaiveDate;
use passerelle_core::definitions::Definitions;
use passerelle_core::engine::{Engine, EngineOptions, FakeClock};
use passerelle_core::handoff::{self, Handoff, Signals};
use passerelle_desk::{Bundle, StructureInfo, call};
use rand::SeedableRng;
use serde_json::{Value, json};
use std::io::Read;
use std::time::Duration;

const NOW: &str = "2026-12-03T10:30:00";

fn bundle() -> Bundle {
    Bundle::shipped(StructureInfo { id: "mediatheque-aragon".into(), name: "Médiathèque Aragon".into(), departement: Some("92".into()) }, "2026-12-03")
}

fn op(name: &str, arg: Value) -> Value {
    serde_json::from_str(&call(name, &arg.to_string())).unwrap()
}

/// Every test starts the module as the page does (the state is per thread, as in a page).
fn init() -> Definitions {
    let info = op("init", serde_json::to_value(bundle()).unwrap());
    assert_eq!(info["ok"], true, "{info}");
    assert_eq!(info["structure"]["id"], "mediatheque-aragon");
    assert_eq!(info["outcomes"].as_array().unwrap().len(), passerelle_mediator::pickups::OUTCOMES.len());
    bundle().definitions().unwrap()
}

/// `n` random visits as kiosks encode them, some ended early, some read aloud.
fn payloads(defs: &Definitions, n: u64) -> Vec<String> {
    let q = defs.questionnaire.clone();
    (0..n)
        .map(|seed| {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let clock = FakeClock::new(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
            let options = EngineOptions {
                idle_warning: Duration::from_secs(60),
                idle_reset: Duration::from_secs(30),
                consent_offered: true,
                flow: Default::default(),
                optional_questions: vec!["demarche_urgente".into()],
            };
            let mut e = Engine::new(q.clone(), options, clock, vec!["fr".into(), "en".into(), "ar".into()]);
            let v = passerelle_core::random::random_visit(&mut e, &mut rng).unwrap();
            let mut profile = passerelle_core::profile::compute(&defs.rules, &q, &v.answers, &v.lang);
            if seed % 4 == 0 {
                profile.partial = true;
            }
            let h = Handoff {
                kiosk_id: "vlg-nelly-roussel-1".into(),
                reference: handoff::reference_from_bits(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) & ((1 << 40) - 1)),
                date: NaiveDate::from_ymd_opt(2026, 11, 28),
                lang: v.lang.clone(),
                questionnaire_fingerprint: handoff::questionnaire_fingerprint(&q),
                questionnaire_version: q.version.clone(),
                rules_fingerprint: handoff::rules_fingerprint(&defs.rules),
                rules_version: defs.rules.version.clone(),
                profile,
                signals: Signals { partial: seed % 4 == 0, read_aloud: seed % 3 == 0 },
                answers: Some(v.answers),
            };
            handoff::encode(&h, &q).unwrap()
        })
        .collect()
}

#[test]
fn a_code_reads_as_decode_reads_it() {
    let defs = init();
    let book = bundle().place_book();
    let now = chrono::NaiveDateTime::parse_from_str(NOW, "%Y-%m-%dT%H:%M:%S").unwrap();
    for (i, p) in payloads(&defs, 40).iter().enumerate() {
        // Some as an AZERTY scanner types them.
        let input = if i % 5 == 0 { handoff::azerty_mangle(p) } else { p.clone() };
        let r = op("decode", json!({"payload": input, "now": NOW}));
        assert_eq!(r["ok"], true, "{r}");
        assert_eq!(r["payload"], p.as_str(), "the repaired code");
        let d = passerelle_mediator::decode(&defs, p).unwrap();
        assert_eq!(r["decoded"], passerelle_mediator::to_json_with_places(&defs, &d, "fr", &book, now));
        assert_eq!(r["text"], passerelle_mediator::view_with_places(&defs, &d, "fr", &book, now).text());
        assert_eq!(r["details_shown"], passerelle_mediator::view(&defs, &d, "fr", &[]).details);
        let rows = r["profile_rows"].as_array().unwrap();
        assert_eq!(rows.len(), 12);
        assert_eq!(
            rows[0],
            json!({"field": "autonomie", "value": d.profile.autonomie, "label": d.profile.autonomie.as_deref().map(|a| passerelle_core::vocab::label(a, "fr")).unwrap_or("—".into())})
        );
        let s = passerelle_lacoop::suggestions(&d.profile.thematiques, d.profile.autonomie.as_deref(), d.profile.materiel.as_deref());
        let keys: Vec<String> = s.choices.iter().map(|c| c.key()).collect();
        assert_eq!(r["coop"]["choices"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap().to_string()).collect::<Vec<_>>(), keys);
        assert_eq!(r["places_ids"].as_array().unwrap().len(), r["decoded"]["places"].as_array().unwrap().len());
    }
}

#[test]
fn bad_codes_get_the_command_line_message_and_a_typed_reference_is_recognised() {
    let defs = init();
    let p = &payloads(&defs, 1)[0];
    for bad in ["https://example.org", &p[..p.len() - 7], "PA9:XYZ", ""] {
        let r = op("decode", json!({"payload": bad, "now": NOW}));
        let e = passerelle_mediator::decode(&defs, bad).unwrap_err();
        assert_eq!(r, json!({"ok": false, "message": passerelle_mediator::error_in_french(&e)}), "{bad}");
    }
    let reference = passerelle_mediator::decode(&defs, p).unwrap().handoff.reference;
    let typed = format!("{}-{}", &reference[..4], reference[4..].to_lowercase());
    let r = op("decode", json!({"payload": typed, "now": NOW}));
    assert_eq!((r["ok"].as_bool(), r["reference"].as_str()), (Some(false), Some(reference.as_str())));
    assert!(r["message"].as_str().unwrap().contains("Une référence seule ne suffit pas"));
    let r = op("decode", json!({"payload": p, "now": "demain"}));
    assert_eq!(r["ok"], false);
}

#[test]
fn la_coop_link_holds_what_was_stated_and_what_was_ticked() {
    let defs = init();
    let ps = payloads(&defs, 12);
    let (p, d) = ps
        .iter()
        .map(|p| (p, passerelle_mediator::decode(&defs, p).unwrap()))
        .find(|(_, d)| d.profile.tranche_age.is_some() && d.profile.autonomie.is_some() && !d.profile.thematiques.is_empty())
        .expect("a visit with an age, an autonomy level and themes");
    let r = op("decode", json!({"payload": p, "now": NOW}));
    let choices: Vec<String> = r["coop"]["choices"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap().to_string()).collect();
    let plain = op("coop_url", json!({"payload": p, "ticked": []}));
    let state = passerelle_lacoop::state_from_url(plain["url"].as_str().unwrap()).unwrap();
    assert_eq!(state.as_object().unwrap().keys().collect::<Vec<_>>(), ["beneficiaire"], "nothing predicted before it is ticked");
    let ticked: Vec<&String> = choices.iter().filter(|k| !k.starts_with("materiel:")).take(3).collect();
    let r = op("coop_url", json!({"payload": p, "ticked": ticked}));
    let url = r["url"].as_str().unwrap();
    assert!(url.starts_with(passerelle_lacoop::DEFAULT_BASE_URL));
    let state = passerelle_lacoop::state_from_url(url).unwrap();
    for k in &ticked {
        let (field, value) = k.split_once(':').unwrap();
        assert!(state[field] == *value || state[field].as_array().is_some_and(|a| a.contains(&json!(value))), "{k} in {state}");
    }
    assert!(!url.contains(&d.handoff.reference) && !url.contains(&d.handoff.kiosk_id));
    let r = op("coop_url", json!({"payload": p, "ticked": ["nom:Dupont"]}));
    assert_eq!(r["ok"], false);
    assert!(r["message"].as_str().unwrap().starts_with("Lien vers La Coop impossible"), "{r}");
}

#[test]
fn recording_follows_the_one_rule_of_pickups() {
    let defs = init();
    let p = &payloads(&defs, 1)[0];
    let first = op("record", json!({"payload": p, "outcome": "accompagne_ici", "day": "2026-12-03", "existing": null}));
    assert_eq!((first["ok"].as_bool(), first["recorded"].as_bool()), (Some(true), Some(true)), "{first}");
    let stored = first["write"].clone();
    assert_eq!(stored["structure_id"], "mediatheque-aragon");
    assert_eq!(stored["outcome"], "accompagne_ici");
    let again = op("record", json!({"payload": p, "outcome": "accompagne_ici", "day": "2026-12-05", "existing": stored}));
    assert_eq!(again["write"], Value::Null, "nothing to write");
    assert!(again["message"].as_str().unwrap().contains("comptée une seule fois"));
    let changed = op("record", json!({"payload": p, "outcome": "rendez_vous_pris", "day": "2026-12-05", "existing": stored}));
    assert_eq!(changed["write"]["outcome"], "rendez_vous_pris");
    assert_eq!(changed["write"]["local_date"], "2026-12-03", "the first day is kept");
    assert!(changed["message"].as_str().unwrap().contains("suite modifiée (accompagné ici → rendez-vous pris)"));
    assert_eq!(changed["row"]["reference_shown"], passerelle_core::summary::pretty_reference(stored["visit_id"].as_str().unwrap()));
    let bad = op("record", json!({"payload": p, "outcome": "gueri", "day": "2026-12-05", "existing": null}));
    assert_eq!(bad["ok"], false);
    assert!(bad["message"].as_str().unwrap().contains("Suite inconnue"));
    let bad = op("record", json!({"payload": "PA1:NOPE", "outcome": null, "day": "2026-12-05", "existing": null}));
    assert_eq!(bad["ok"], false);
}

fn unzip(b64: &str) -> Vec<(String, Vec<u8>)> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

#[test]
fn the_export_is_the_signed_package_of_mediateur_export_in_one_zip() {
    let defs = init();
    let key = op("new_key", json!({}));
    assert_eq!(key["ok"], true);
    let secret = key["secret"].as_str().unwrap();
    let line = key["line"].as_str().unwrap();
    assert_eq!(line, format!("structure mediatheque-aragon {}", key["public"].as_str().unwrap()));
    assert_eq!(op("key_info", json!({"secret": secret}))["line"], line);
    assert_eq!(op("key_info", json!({"secret": "not a key"}))["ok"], false);
    let pickups: Vec<Value> = payloads(&defs, 3)
        .iter()
        .enumerate()
        .map(|(i, p)| op("record", json!({"payload": p, "outcome": if i == 0 { Value::Null } else { json!("autre") }, "day": "2026-12-0".to_string() + &(i + 1).to_string(), "existing": null}))["write"].clone())
        .collect();
    let r = op(
        "export",
        json!({"pickups": pickups, "secret": secret, "today": "2026-12-03", "time": "16:20:05", "taken": ["passerelle-prises-mediatheque-aragon-2026-12-03"]}),
    );
    assert_eq!(r["ok"], true, "{r}");
    let name = "passerelle-prises-mediatheque-aragon-2026-12-03-2";
    assert_eq!((r["name"].as_str(), r["file_name"].as_str(), r["count"].as_u64()), (Some(name), Some(format!("{name}.zip").as_str()), Some(3)));
    let files = unzip(r["zip_base64"].as_str().unwrap());
    // The same bytes as the package writer puts in a folder (the signature's noise aside).
    let rows: Vec<passerelle_mediator::pickups::Pickup> = pickups
        .iter()
        .map(|p| passerelle_mediator::pickups::Pickup {
            kiosk_id: p["kiosk_id"].as_str().unwrap().into(),
            visit_id: p["visit_id"].as_str().unwrap().into(),
            structure_id: p["structure_id"].as_str().unwrap().into(),
            local_date: p["local_date"].as_str().unwrap().into(),
            outcome: p["outcome"].as_str().map(String::from),
        })
        .collect();
    let mut sink = passerelle_package::write::MemorySink::default();
    let k = passerelle_package::signing::SigningKey::from_secret_text(secret).unwrap();
    let s =
        passerelle_mediator::pickup_package::Structure { name: "Médiathèque Aragon".into(), id: "mediatheque-aragon".into(), departement: Some("92".into()) };
    passerelle_mediator::pickup_package::write(&mut sink, &k, name, &s, &rows).unwrap();
    assert_eq!(files[0].0, format!("{name}/"));
    for ((zname, zbytes), (fname, fbytes)) in files[1..].iter().zip(&sink.files) {
        assert_eq!(zname, &format!("{name}/{fname}"));
        if fname != "SHA256SUMS.minisig" {
            assert_eq!(zbytes, fbytes, "{fname}");
        }
    }
    let get = |n: &str| files.iter().find(|(x, _)| x.ends_with(n)).unwrap().1.clone();
    let keys = passerelle_package::signing::TrustedKeys::parse(&format!("mediatheque-aragon {}\n", key["public"].as_str().unwrap()), "cles").unwrap();
    assert_eq!(keys.verify(&get("/SHA256SUMS"), &get("SHA256SUMS.minisig")).unwrap().name, "mediatheque-aragon");

    // Nothing to export, a damaged pickup, a bad key: a French message, no zip.
    let none = op("export", json!({"pickups": [], "secret": secret, "today": "2026-12-03", "time": "16:20:05", "taken": []}));
    assert!(none["message"].as_str().unwrap().starts_with("Rien de nouveau"));
    let mut damaged = pickups[0].clone();
    damaged["visit_id"] = json!("=HYPERLINK(1)");
    let r = op("export", json!({"pickups": [damaged], "secret": secret, "today": "2026-12-03", "time": "16:20:05", "taken": []}));
    assert!(r["message"].as_str().unwrap().contains("abîmée"), "{r}");
    let r = op("export", json!({"pickups": pickups, "secret": "x", "today": "2026-12-03", "time": "16:20:05", "taken": []}));
    assert!(r["message"].as_str().unwrap().contains("illisible"), "{r}");
}

#[test]
fn a_page_that_cannot_start_says_why() {
    let mut b = bundle();
    b.coop_base_url = "ftp://example.org".into();
    let r = op("init", serde_json::to_value(&b).unwrap());
    assert!(r["message"].as_str().unwrap().starts_with("Adresse de La Coop refusée"), "{r}");
    let mut b = bundle();
    b.format = 99;
    let r = op("init", serde_json::to_value(&b).unwrap());
    assert!(r["message"].as_str().unwrap().contains("autre version de Passerelle"), "{r}");
    let mut b = bundle();
    b.config.text = "kiosk_id = ".into();
    assert_eq!(op("init", serde_json::to_value(&b).unwrap())["ok"], false);
    // Before init, every other call says so.
    let r: Value = std::thread::spawn(|| serde_json::from_str(&call("decode", r#"{"payload": "x", "now": "2026-12-03T10:00:00"}"#)).unwrap()).join().unwrap();
    assert!(r["message"].as_str().unwrap().contains("pas encore chargé"), "{r}");
}
