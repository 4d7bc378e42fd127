//! La Coop links decoded by an independent implementation: Python's `zlib` and `base64`, as the
//! issue asks. Every value found must be one of La Coop's enums (tests/fixtures/coop-enums.json).
//! Without python3 the test is skipped with a notice, except in CI (`PASSERELLE_CI=1`).

use std::process::Command;

use passerelle_lacoop::{Choice, Commune, DEFAULT_BASE_URL, Materiel, Prefill, Stated, Thematique, Ticked};
use serde_json::{Value, json};

const DECODE: &str = r#"
import sys, zlib, base64, json
from urllib.parse import urlsplit, parse_qs
for url in sys.argv[1:]:
    v = parse_qs(urlsplit(url).query, strict_parsing=True)["v"][0]
    text = zlib.decompress(base64.urlsafe_b64decode(v + "=" * (-len(v) % 4))).decode("utf-8")
    print(json.dumps(json.loads(text)))
"#;

fn python3() -> bool {
    let present = Command::new("python3").args(["-c", "import zlib, base64, json"]).output().is_ok_and(|o| o.status.success());
    if !present {
        assert!(std::env::var_os("PASSERELLE_CI").is_none(), "python3 is required in CI");
        eprintln!("notice: python3 not found, the Python decoding check is skipped");
    }
    present
}

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/coop-enums.json")).unwrap()
}

fn prefills() -> Vec<Prefill> {
    let commune = Commune::new("Villeneuve-la-Garenne", "92390", "92078").unwrap();
    vec![
        // What the issue shows: a visitor of 70 and over, a woman, security and autonomy.
        Prefill {
            stated: Stated::from_passerelle(Some("soixante_dix_plus"), Some("feminin"), Some(commune.clone())).unwrap(),
            ticked: Ticked::from_keys(&["thematiques:SecuriteNumerique", "autonomie:PartiellementAutonome", "materiel:Telephone"]).unwrap(),
        },
        // Every theme and every device at once, "prefer not to say", a Corsican commune.
        Prefill {
            stated: Stated::from_passerelle(Some("non_communique"), Some("non_communique"), Some(Commune::new("Ajaccio", "20000", "2A004").unwrap())).unwrap(),
            ticked: Ticked::from_choices(Thematique::ALL.iter().map(|t| Choice::Thematique(*t)).chain(Materiel::ALL.iter().map(|m| Choice::Materiel(*m))))
                .unwrap(),
        },
        // An administrative theme ticked alone, no commune known.
        Prefill {
            stated: Stated::from_passerelle(Some("dix_huit_vingt_quatre"), None, None).unwrap(),
            ticked: Ticked::from_keys(&["thematiques:Logement", "autonomie:EntierementAccompagne"]).unwrap(),
        },
    ]
}

/// Checks every value of a decoded form state against La Coop's enums and objects.
fn check_values(state: &Value, fixture: &Value) {
    let in_enum = |name: &str, v: &Value| {
        let values = fixture["enums"][name]["values"].as_array().unwrap();
        assert!(values.contains(v), "{name}: {v} is not a La Coop value");
    };
    for (key, value) in state.as_object().unwrap() {
        match (key.as_str(), value) {
            ("beneficiaire", Value::Object(b)) => {
                for (k, v) in b {
                    match k.as_str() {
                        "trancheAge" | "genre" => in_enum(k, v),
                        "communeResidence" => {
                            let c = fixture["communeResidence"].clone();
                            let allowed: Vec<&Value> = c["required"].as_array().unwrap().iter().chain(c["optional"].as_array().unwrap()).collect();
                            let o = v.as_object().unwrap();
                            assert!(o.keys().all(|k| allowed.contains(&&json!(k))), "{o:?}");
                            for r in c["required"].as_array().unwrap() {
                                assert!(o.contains_key(r.as_str().unwrap()), "communeResidence needs {r}");
                            }
                            for n in ["latitude", "longitude"] {
                                assert!(o[n].is_number(), "{n}");
                            }
                            assert!(o.iter().filter(|(k, _)| !["latitude", "longitude"].contains(&k.as_str())).all(|(_, v)| v.is_string()));
                        }
                        other => panic!("beneficiaire.{other} is not sent"),
                    }
                }
            }
            ("thematiques" | "materiel", Value::Array(a)) => a.iter().for_each(|v| in_enum(key, v)),
            ("autonomie", v) => in_enum(key, v),
            (other, _) => panic!("{other} is not sent"),
        }
    }
    // La Coop's server rule: an administrative theme needs AideAuxDemarchesAdministratives.
    if let Some(a) = state["thematiques"].as_array() {
        let admin = fixture["enums"]["thematiques"]["administratives"].as_array().unwrap();
        if a.iter().any(|t| admin.contains(t)) {
            assert!(a.contains(&json!("AideAuxDemarchesAdministratives")));
        }
    }
}

#[test]
fn python_decodes_la_coop_links_to_la_coop_values() {
    if !python3() {
        return;
    }
    let prefills = prefills();
    let urls: Vec<String> = prefills.iter().map(|p| p.url(DEFAULT_BASE_URL).unwrap()).collect();
    let out = Command::new("python3").arg("-c").arg(DECODE).args(&urls).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), prefills.len());
    let fixture = fixture();
    for (decoded, p) in lines.iter().zip(&prefills) {
        // superjson's shape, exactly: {"json": …} and nothing else (no "meta").
        assert_eq!(decoded, &json!({ "json": p.to_json() }));
        check_values(&decoded["json"], &fixture);
    }
    assert_eq!(lines[0]["json"]["beneficiaire"]["trancheAge"], "SoixanteDixPlus");
    assert_eq!(lines[2]["json"]["thematiques"], json!(["AideAuxDemarchesAdministratives", "Logement"]));
}
