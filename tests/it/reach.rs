//! Closing the loop, scripted end to end (docs/scale.md): three kiosks replay visits, a mediator
//! records pickups of some of them with `mediateur record`, every package is exported and merged
//! (with trusted keys), and the report shows the exact handoff rate per kiosk and overall, the
//! fragility rate per neighbourhood, and no count from 1 to 4 shown (the secrecy audit by linear
//! programming is department/tests/secrecy_audit.rs). Then the simulated month of issue 26
//! (tests/it/month.rs) read as the officer would.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_passerelle")).args(args).env("PASSERELLE_LOG", "warn").output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

/// A CSV file as rows of named cells.
fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records().map(|rec| h.iter().cloned().zip(rec.unwrap().iter().map(String::from)).collect()).collect()
}

#[test]
fn three_kiosks_a_mediator_a_merge_and_the_report_shows_who_was_reached() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    let usb = r.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let med_cfg = r.join("mediateur.toml");
    std::fs::write(&med_cfg, "structure = \"Médiathèque Aragon\"\nstructure_id = \"mediatheque-aragon\"\ndepartement = \"92\"\ndata_dir = \"med\"\n").unwrap();
    let med = med_cfg.to_str().unwrap();
    let today = chrono::Local::now().date_naive();
    let later = (today + chrono::Days::new(3)).format("%Y-%m-%d").to_string();
    // (kiosk, visits, picked up): 10/20, 5/15, 0/12.
    let plan = [("kiosque-a", 20usize, 10usize, 11u64), ("kiosque-b", 15, 5, 12), ("kiosque-c", 12, 0, 13)];
    let mut keys = String::new();
    for (kiosk, visits, picked, seed) in plan {
        let cfg = r.join(format!("{kiosk}.toml"));
        let text =
            passerelle_core::DEFAULT_CONFIG.replace("vlg-nelly-roussel-1", kiosk).replace("data_dir = \"passerelle-data\"", &format!("data_dir = \"{kiosk}\""));
        std::fs::write(&cfg, text).unwrap();
        let cfg = cfg.to_str().unwrap();
        let out = ok(&["--config", cfg, "replay", "--random", &visits.to_string(), "--seed", &seed.to_string()]);
        let payloads: Vec<String> =
            out.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["payload"].as_str().unwrap().to_string()).collect();
        assert_eq!(payloads.len(), visits);
        for (i, p) in payloads.iter().take(picked).enumerate() {
            let outcome = if i % 2 == 0 { "accompagne_ici" } else { "rendez_vous_pris" };
            ok(&["--config", med, "mediateur", "record", p, "--outcome", outcome, "--on", &later]);
            // The same code scanned again the next day: still one pickup.
            ok(&["--config", med, "mediateur", "record", p]);
        }
        ok(&["--config", cfg, "export", "--to", usb.to_str().unwrap()]);
        let (_, _, line) = run(&["--config", cfg, "signing-key"]);
        keys += line.lines().last().unwrap();
        keys += "\n";
    }
    ok(&["--config", med, "mediateur", "export", "--to", usb.to_str().unwrap()]);
    let (_, _, line) = run(&["--config", med, "mediateur", "signing-key"]);
    keys += line.lines().last().unwrap();
    std::fs::write(r.join("cles.txt"), keys).unwrap();

    let merged = r.join("fusion");
    let out = ok(&["merge", usb.to_str().unwrap(), "--out", merged.to_str().unwrap(), "--trusted-keys", r.join("cles.txt").to_str().unwrap()]);
    assert!(out.contains("prises en charge : 15 (1 paquet de médiateur)"), "{out}");
    let pickups = read_csv(&merged.join("prises_en_charge.csv"));
    assert_eq!(pickups.len(), 15);
    let report = r.join("rapport.html");
    ok(&["report", merged.to_str().unwrap(), "--out", report.to_str().unwrap()]);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("Taux de prise en charge, par borne") && html.contains("taux de fragilité") || html.contains("Taux de fragilité"));
    assert!(html.contains("Délai médian entre la visite et la prise en charge : 3 jour(s)."), "median days");
    // The kiosks by their structure's name, never their id, in the titles and the charts.
    assert!(!html.contains("Borne kiosque-a") && html.contains("Centre social Nelly Roussel (borne 1)"), "structure names");
    let rows = read_csv(&r.join("rapport.csv"));
    let get = |ind: &str, cat: &str| rows.iter().find(|x| x["indicateur"] == ind && x["categorie"] == cat).unwrap_or_else(|| panic!("{ind} {cat}")).clone();
    // The exact handoff rate, per kiosk and overall.
    // Each figure shown is exact; with 47 visits the secrecy pass may hide a kiosk's count ("s")
    // that other tables would otherwise narrow down (the simulated month shows them at scale).
    for (kiosk, visits, picked, _) in plan {
        let row = get("taux_de_prise_en_charge_borne", kiosk);
        for (cell, truth) in [("effectif", picked), ("base", visits)] {
            assert!(row[cell] == truth.to_string() || row[cell] == "s", "{kiosk} {cell}: {row:?}");
        }
        if row["base"] != "s" && row["effectif"] != "s" {
            assert_eq!(row["part"], format!("{:.4}", picked as f64 / visits as f64), "{kiosk}");
        }
    }
    let all = get("taux_de_prise_en_charge_borne", "ensemble");
    assert_eq!((all["effectif"].as_str(), all["base"].as_str(), all["part"].as_str()), ("15", "47", format!("{:.4}", 15.0 / 47.0).as_str()));
    // Outcomes: 8 "accompagné ici", 7 "rendez-vous pris".
    assert!(rows.iter().any(|x| x["indicateur"] == "suites" && x["categorie"] == "accompagne_ici" && x["effectif"] == "8"));

    // Fragility per neighbourhood, computed here from the merged visits.
    let visits = read_csv(&merged.join("visits.csv"));
    let mut truth: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for v in &visits {
        let q = if v["quartier"].is_empty() { "non_renseigne".to_string() } else { v["quartier"].clone() };
        // Every kiosk here stands in Villeneuve-la-Garenne: the same neighbourhoods, one commune.
        let f = matches!(v["profil.autonomie"].as_str(), "entierement_accompagne" | "partiellement_autonome")
            || v["profil.materiel"] == "aucun"
            || v["acces_internet"] == "non";
        let e = truth.entry(q).or_default();
        e.1 += 1;
        e.0 += u64::from(f);
    }
    let num = |s: &str| s.parse::<u64>().ok();
    let mut any_exact = false;
    for (q, (k, n)) in &truth {
        let cat = if q == "non_renseigne" { "-".to_string() } else { format!("Villeneuve-la-Garenne/{q}") };
        let Some(row) = rows.iter().find(|x| x["indicateur"] == "fragilite_quartier" && x["categorie"] == cat) else { continue };
        if let Some(ks) = num(&row["effectif"]) {
            assert_eq!(ks, *k, "{q}");
            assert_eq!(row["part"], format!("{:.4}", *k as f64 / *n as f64));
            any_exact = true;
        }
        if let Some(ns) = num(&row["base"]) {
            assert_eq!(ns, *n, "{q}");
        }
    }
    assert!(any_exact, "some neighbourhood's fragility rate is shown");
    // No count from 1 to 4 anywhere in the report's CSV.
    for x in &rows {
        for c in ["effectif", "base"] {
            if let Ok(v) = x[c].parse::<u64>() {
                assert!(!(1..5).contains(&v), "{x:?}");
            }
        }
    }
    // The same figures as a workbook: the long format as its last sheet, numbers as numbers;
    // each kiosk export has visites.xlsx with labels, not ids.
    if let Some(book) = crate::support::xlsx_sheets(&r.join("rapport.xlsx")) {
        let sheet = book["Données"].as_array().unwrap();
        assert_eq!(sheet.len(), rows.len() + 1, "a header and every row of the CSV");
        let a = sheet.iter().find(|x| x[1] == "taux_de_prise_en_charge_borne" && x[2] == "kiosque-a").unwrap();
        // The same cells as the CSV: a number where the CSV shows one, « s » where it hides it.
        let csv_a = get("taux_de_prise_en_charge_borne", "kiosque-a");
        for (i, c) in [(4, "effectif"), (5, "base")] {
            match csv_a[c].parse::<f64>() {
                Ok(v) => assert_eq!(a[i].as_f64(), Some(v), "{a:?}"),
                Err(_) => assert_eq!(a[i], "s", "{a:?}"),
            }
        }
        for export in std::fs::read_dir(&usb).unwrap().map(|e| e.unwrap().path()).filter(|p| p.join("visits.csv").exists()) {
            let book = crate::support::xlsx_sheets(&export.join("visites.xlsx")).unwrap();
            let csv_rows = read_csv(&export.join("visits.csv"));
            let sheet = book["visites"].as_array().unwrap();
            assert_eq!(sheet.len(), csv_rows.len() + 1);
            assert_eq!(sheet[0][0], "Référence");
            assert_eq!(sheet[1][0].as_str(), Some(csv_rows[0]["visit_id"].as_str()));
            // Labels: « Oui » where visits.csv says `oui`, the autonomy level in words.
            let col = sheet[0].as_array().unwrap().iter().position(|h| h == "Profil : autonomie").unwrap();
            let values: Vec<&str> = sheet.iter().skip(1).filter_map(|r| r[col].as_str()).collect();
            assert!(values.iter().all(|v| !v.contains('_')), "{values:?}");
            assert!(book["dictionnaire"].as_array().unwrap().len() > 50);
        }
    }
    // The HTML keeps a table of figures for every chart and stays one file (no link to fetch).
    assert_eq!(html.matches("<svg").count(), html.matches("<svg").count().min(html.matches("<table").count()));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
}
