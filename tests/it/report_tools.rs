//! Small defects of issue 26 (item 7): `replay` names a bad scripted visit's line and stores
//! none of the file; `speech-script` reads the questions as the kiosk asks them (its order, its
//! optional questions only when offered); plurals of "paquet de médiateur".

use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_passerelle")).args(args).env("PASSERELLE_LOG", "warn").output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn config(dir: &Path, replace: &[(&str, &str)]) -> String {
    let mut text = passerelle_core::DEFAULT_CONFIG.replace("data_dir = \"passerelle-data\"", &format!("data_dir = \"{}\"", dir.join("data").display()));
    for (a, b) in replace {
        assert!(text.contains(a), "{a}");
        text = text.replace(a, b);
    }
    let p = dir.join("kiosk.toml");
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn replay_names_the_bad_line_and_stores_no_visit_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &[]);
    let good = r#"{"lang": "fr", "answers": {"age": "soixante_soixante_neuf"}}"#;
    let bad = r#"{"lang": "fr", "answers": {"age": "cent_ans"}}"#;
    let file = dir.path().join("visites.json");
    std::fs::write(&file, format!("{good}\n{good}\n\n{bad}\n{good}\n")).unwrap();
    let (code, out, err) = run(&["--config", &cfg, "replay", file.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(out.is_empty(), "nothing printed as stored: {out}");
    assert!(err.contains("line 4") && err.contains("scripted visit 3") && err.contains("no visit was stored"), "{err}");
    let (_, stats, _) = run(&["--config", &cfg, "stats", "--json"]);
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["finished"], 0, "none of the file is stored");
    // Broken JSON: its line too.
    std::fs::write(&file, format!("{good}\n{{\"lang\": \n")).unwrap();
    let (code, _, err) = run(&["--config", &cfg, "replay", file.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("not valid JSON") && err.contains("no visit was stored"), "{err}");
    // A good file: every visit stored.
    std::fs::write(&file, format!("{good}\n{good}\n")).unwrap();
    let (code, out, err) = run(&["--config", &cfg, "replay", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2);
}

/// The screens' names of a speech script, in order.
fn screens(cfg: &str) -> Vec<String> {
    let (code, out, err) = run(&["--config", cfg, "speech-script", "--lang", "fr"]);
    assert_eq!(code, 0, "{err}");
    out.lines().filter_map(|l| l.strip_prefix("== ").and_then(|l| l.strip_suffix(" =="))).map(String::from).collect()
}

#[test]
fn speech_script_follows_the_kiosks_order_and_its_optional_questions() {
    let dir = tempfile::tempdir().unwrap();
    let k =
        passerelle::kiosk::Kiosk::from_config(passerelle_core::config::Config::parse(passerelle_core::DEFAULT_CONFIG, "kiosk.toml", None).unwrap(), "t".into())
            .unwrap();
    let q = &k.defs.questionnaire;
    let pos = |s: &[String], id: &str| s.iter().position(|x| x == id || x.starts_with(&format!("{id}/")));
    // Essentials first (the default configuration): the neighbourhood before the device.
    let essentials = screens(&config(dir.path(), &[]));
    assert!(!essentials.iter().any(|s| s == "demarche_urgente"), "not offered here");
    let deck = screens(&config(
        dir.path(),
        &[("order = \"essentials_first\"", "order = \"deck\""), ("optional_questions = []", "optional_questions = [\"demarche_urgente\"]")],
    ));
    assert!(deck.iter().any(|s| s == "demarche_urgente"), "offered here");
    // The deck's order: the questions as the questionnaire lists them.
    let listed: Vec<usize> = q.questions().iter().filter_map(|x| pos(&deck, &x.id)).collect();
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "{deck:?}");
    // Essentials first: the order of the kiosk's flow, not the deck's.
    let flow: Vec<usize> = q.sequence(k.defs.config.flow).iter().filter_map(|&i| pos(&essentials, &q.questions()[i].id)).collect();
    assert!(flow.windows(2).all(|w| w[0] < w[1]), "{essentials:?}");
    assert_ne!(
        essentials.iter().filter(|s| !s.contains('/')).collect::<Vec<_>>(),
        deck.iter().filter(|s| !s.contains('/') && *s != "demarche_urgente").collect::<Vec<_>>()
    );
    // The short path: only its rows of the grid.
    let short = screens(&config(dir.path(), &[("path = \"complet\"", "path = \"court\"")]));
    assert!(short.iter().filter(|s| s.starts_with("capacites/")).count() < essentials.iter().filter(|s| s.starts_with("capacites/")).count());
}

#[test]
fn plurals_of_compound_words() {
    use passerelle::department::merge::plural;
    assert_eq!(plural(3, "paquet de médiateur"), "3 paquets de médiateurs");
    assert_eq!(plural(1, "paquet de médiateur"), "1 paquet de médiateur");
    assert_eq!(plural(2, "borne"), "2 bornes");
}
