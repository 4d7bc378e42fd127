//! The department's view: many kiosks' exports merged into one checked data package (every visit
//! once, tampered or broken exports refused with the reason, older questionnaire versions merged
//! through the ids), and the report (HTML + CSV, no count under 5).

use chrono::NaiveDate;
use passerelle::kiosk::Kiosk;
use passerelle::kiosk::export::{self, RealFs};
use passerelle::kiosk::store::Store;
use passerelle_core::engine::FakeClock;
use passerelle_core::random::random_visit;
use rand::SeedableRng;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

struct Kit {
    kiosk: Kiosk,
    store: Store,
    clock: Arc<FakeClock>,
    usb: PathBuf,
}

/// A kiosk of its own structure, exporting to `usb`.
fn kit(root: &Path, id: &str, structure: &str, commune: &str) -> Kit {
    let (_, recipient) = passerelle::kiosk::seal::keygen();
    let src = passerelle_core::DEFAULT_CONFIG
        .replace("recipient = \"\"", &format!("recipient = \"{recipient}\""))
        .replace("kiosk_id = \"vlg-nelly-roussel-1\"", &format!("kiosk_id = \"{id}\""))
        .replace("structure = \"Centre social Nelly Roussel\"", &format!("structure = \"{structure}\""))
        .replace("commune = \"Villeneuve-la-Garenne\"", &format!("commune = \"{commune}\""));
    let mut c = passerelle_core::config::Config::parse(&src, "kiosk.toml", None).unwrap();
    assert_eq!(c.kiosk_id, id, "the default configuration changed: update this test");
    c.data_dir = root.join(id).join("data");
    let kiosk = Kiosk::from_config(c, "test".into()).unwrap();
    let store = kiosk.open_store().unwrap();
    let clock = FakeClock::new(NaiveDate::from_ymd_opt(2026, 10, 5).unwrap().and_hms_opt(9, 0, 0).unwrap());
    let usb = root.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    Kit { kiosk, store, clock, usb }
}

impl Kit {
    fn visits(&mut self, n: usize, seed: u64) {
        let mut e = self.kiosk.engine(self.clock.clone());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..n {
            let v = random_visit(&mut e, &mut rng).unwrap();
            self.kiosk.finish_visit(&mut self.store, self.clock.as_ref(), &v).unwrap();
            e.saved().unwrap();
            e.finish().unwrap();
        }
    }
    fn abandon(&mut self, step: &str) {
        self.kiosk.record_abandon(&mut self.store, self.clock.as_ref(), step).unwrap();
    }
    fn export(&mut self, all: bool) -> PathBuf {
        use passerelle_core::engine::Clock;
        export::export(&self.kiosk, &mut self.store, &RealFs, &self.usb, all, self.clock.local_now()).unwrap().folder
    }
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    c.env("PASSERELLE_LOG", "warn");
    c
}

fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(|s| s.trim_start_matches('\u{feff}').to_string()).collect();
    r.records().map(|x| h.iter().cloned().zip(x.unwrap().iter().map(String::from)).collect()).collect()
}

fn frictionless_valid(dir: &Path) {
    let Some(f) = crate::support::frictionless() else { return };
    let out = Command::new(f).args(["validate", "--json", "datapackage.json"]).current_dir(dir).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(report["valid"], true, "{}", String::from_utf8_lossy(&out.stdout).chars().take(3000).collect::<String>());
}

fn sums_ok(dir: &Path) {
    let out = Command::new("sha256sum").args(["-c", "--quiet", "SHA256SUMS"]).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

fn old_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exports/passerelle-gennevilliers-mairie-1-2025-06-30")
}

#[test]
fn overlapping_exports_of_several_kiosks_merge_into_one_valid_package_with_every_visit_once() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = kit(tmp.path(), "vlg-nelly-roussel-1", "Centre social Nelly Roussel", "Villeneuve-la-Garenne");
    a.visits(30, 1);
    a.abandon("age");
    let a1 = a.export(false);
    a.visits(20, 2);
    let a2 = a.export(false);
    let a_all = a.export(true); // the same 50 visits again
    let mut b = kit(tmp.path(), "nanterre-mairie-1", "Mairie de Nanterre", "Nanterre");
    b.visits(25, 3);
    b.abandon("capacites/visioconference");
    b.abandon("freins");
    let b1 = b.export(false);
    // The officer copied B's stick twice, in another folder.
    let copies = tmp.path().join("copie");
    crate::support::copy_dir(&b1, &copies.join(b1.file_name().unwrap()));

    let out = tmp.path().join("fusion");
    let run = bin().args(["merge"]).arg(&a.usb).arg(&copies).arg("--out").arg(&out).arg("--json").output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let o: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(o["visits"], 75);
    assert_eq!(o["duplicate_visits"], 50, "the --all export repeats 50 visits");
    assert_eq!(o["abandons"], 3);
    assert_eq!(o["exports"], 4);
    assert_eq!(o["kiosks"], 2);
    assert_eq!(o["copies"].as_array().unwrap().len(), 1, "{o}");
    assert!(o["refused"].as_array().unwrap().is_empty(), "{o}");

    let merged = rows(&out.join("visits.csv"));
    let ids: Vec<&String> = merged.iter().map(|r| &r["visit_id"]).collect();
    assert_eq!(ids.len(), ids.iter().collect::<HashSet<_>>().len(), "every visit once");
    let mut expected = HashSet::new();
    for f in [&a1, &a2, &a_all, &b1] {
        for r in rows(&f.join("visits.csv")) {
            expected.insert((r["visit_id"].clone(), r["structure"].clone(), r["kiosk_id"].clone()));
        }
    }
    let got: HashSet<_> = merged.iter().map(|r| (r["visit_id"].clone(), r["structure"].clone(), r["kiosk_id"].clone())).collect();
    assert_eq!(got, expected, "each visit keeps its kiosk and structure");
    // Multiple choices: exactly those of the visits, once.
    let mut want: HashSet<Vec<String>> = HashSet::new();
    for f in [&a1, &a2, &b1] {
        for r in rows(&f.join("choix_multiples.csv")) {
            want.insert(vec![r["visit_id"].clone(), r["question_id"].clone(), r["choice_id"].clone()]);
        }
    }
    let got_multi = rows(&out.join("choix_multiples.csv"));
    assert_eq!(got_multi.len(), want.len());
    assert_eq!(got_multi.iter().map(|r| vec![r["visit_id"].clone(), r["question_id"].clone(), r["choice_id"].clone()]).collect::<HashSet<_>>(), want);
    // Which exports are in it.
    let exports = rows(&out.join("exports.csv"));
    assert_eq!(exports.len(), 4);
    assert_eq!(exports.iter().filter(|r| r["structure"] == "Mairie de Nanterre").count(), 1);
    // Encrypted contact details carried over unopened, still readable by the admin's key, at
    // contacts/<kiosk>/<visit>.age (format 2: a reference is unique for its kiosk only).
    let contacts: Vec<PathBuf> = std::fs::read_dir(out.join("contacts"))
        .map(|d| d.flatten().flat_map(|k| std::fs::read_dir(k.path()).unwrap().flatten().map(|e| e.path())).collect())
        .unwrap_or_default();
    assert!(!contacts.is_empty(), "random visits include consents");
    for c in &contacts {
        let (name, kiosk) = (c.file_name().unwrap(), c.parent().unwrap().file_name().unwrap().to_string_lossy().to_string());
        let source = [&a1, &a2, &b1]
            .iter()
            .filter(|f| f.file_name().unwrap().to_string_lossy().contains(&kiosk))
            .map(|f| f.join("contacts").join(name))
            .find(|p| p.exists())
            .expect("a contact file of that kiosk's export");
        assert_eq!(std::fs::read(c).unwrap(), std::fs::read(source).unwrap());
    }
    sums_ok(&out);
    frictionless_valid(&out);

    // A merge of merges is the same dataset: the merged package is of the same format.
    let again = tmp.path().join("fusion2");
    let run = bin().args(["merge"]).arg(&out).arg(&b1).arg("--out").arg(&again).arg("--json").output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let o2: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!((o2["visits"].clone(), o2["duplicate_visits"].clone(), o2["exports"].clone()), (75.into(), 25.into(), 4.into()));
    assert_eq!(std::fs::read(again.join("visits.csv")).unwrap().len(), std::fs::read(out.join("visits.csv")).unwrap().len());

    // Never over an existing folder.
    let run = bin().args(["merge"]).arg(&a.usb).arg("--out").arg(&out).output().unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("existe déjà"));
    sums_ok(&out);
}

fn edit(path: &Path, from: &str, to: &str) {
    let s = std::fs::read_to_string(path).unwrap();
    assert!(s.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, s.replacen(from, to, 1)).unwrap();
}

#[test]
fn tampered_broken_foreign_and_future_exports_are_refused_with_the_reason_and_the_rest_is_merged() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = kit(tmp.path(), "vlg-nelly-roussel-1", "Centre social Nelly Roussel", "Villeneuve-la-Garenne");
    a.visits(12, 5);
    let good = a.export(false);
    let lot = tmp.path().join("lot");
    let case = |name: &str| {
        let d = lot.join(name);
        crate::support::copy_dir(&good, &d);
        d
    };
    std::fs::create_dir_all(&lot).unwrap();
    // The first real age answer (its first occurrence in the file is in the age column).
    let first_age = rows(&good.join("visits.csv")).iter().map(|r| r["age"].clone()).find(|a| !a.is_empty() && a != "non_repondu").unwrap();
    let other_age = if first_age == "soixante_dix_plus" { "douze_dix_huit" } else { "soixante_dix_plus" };
    // 1. A cell changed after the export: the checksum says so.
    let altered = case("modifie");
    edit(&altered.join("visits.csv"), &format!(",{first_age},"), &format!(",{other_age},"));
    // 2. A value outside the questionnaire, carefully re-signed: the schema says so, with the line.
    let invalid = case("valeur-inconnue");
    edit(&invalid.join("visits.csv"), &format!(",{first_age},"), ",cent_ans,");
    crate::support::resign(&invalid);
    // 3. A visit row removed but its multiple choices left: the foreign key says so.
    let orphan = case("orpheline");
    let text = std::fs::read_to_string(orphan.join("visits.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let victim = rows(&good.join("choix_multiples.csv"))[0]["visit_id"].clone();
    lines.retain(|l| !l.starts_with(&victim));
    std::fs::write(orphan.join("visits.csv"), lines.join("\n") + "\n").unwrap();
    crate::support::resign(&orphan);
    // 4. No checksums at all.
    let unsigned = case("sans-empreintes");
    std::fs::remove_file(unsigned.join("SHA256SUMS")).unwrap();
    // 5. An export of a future Passerelle.
    let future = case("futur");
    edit(&future.join("datapackage.json"), "\"format\": 2", "\"format\": 99");
    crate::support::resign(&future);
    // 6. A file missing.
    let missing = case("incomplet");
    std::fs::remove_file(missing.join("abandons.csv")).unwrap();
    // 7. Something else entirely.
    let foreign = tmp.path().join("photos");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("IMG_0001.jpg"), b"not an export").unwrap();

    let out = tmp.path().join("fusion");
    let run = bin().arg("merge").arg(&good).arg(&lot).arg(&foreign).arg("--out").arg(&out).output().unwrap();
    assert_eq!(run.status.code(), Some(3), "refusals give exit status 3: {}", String::from_utf8_lossy(&run.stderr));
    let text = String::from_utf8_lossy(&run.stdout).to_string();
    let refused = |name: &str, why: &str| {
        let line = text.lines().find(|l| l.starts_with("REFUSÉ") && l.contains(name)).unwrap_or_else(|| panic!("{name} not refused:\n{text}"));
        assert!(line.contains(why), "{name}: {line}");
    };
    refused("modifie", "visits.csv a été modifié");
    refused("valeur-inconnue", "colonne age : valeur non permise (« cent_ans »)");
    refused("valeur-inconnue", "ligne ");
    refused("orpheline", &format!("la visite {victim} n'est pas dans visits.csv"));
    refused("sans-empreintes", "pas de fichier SHA256SUMS");
    refused("futur", "mettez Passerelle à jour");
    refused("incomplet", "abandons.csv manque");
    refused("photos", "aucun export Passerelle");
    // The good export is merged, and only it.
    assert_eq!(rows(&out.join("visits.csv")).len(), 12);
    assert!(std::fs::read_to_string(out.join("LISEZMOI.txt")).unwrap().contains("12 visites"));
    sums_ok(&out);

    // Nothing usable: an error, and no folder.
    let none = tmp.path().join("rien");
    let run = bin().arg("merge").arg(&altered).arg("--out").arg(&none).output().unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("aucun export utilisable"));
    assert!(!none.exists());
    assert!(std::fs::read_dir(tmp.path()).unwrap().flatten().all(|e| !e.file_name().to_string_lossy().contains("partial")), "no temporary folder left");
}

#[test]
fn an_export_of_an_older_questionnaire_merges_through_the_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let old = old_fixture();
    let mut a = kit(tmp.path(), "vlg-nelly-roussel-1", "Centre social Nelly Roussel", "Villeneuve-la-Garenne");
    a.visits(10, 9);
    let new = a.export(false);
    let out = tmp.path().join("fusion");
    let run = bin().arg("merge").arg(&old).arg(&new).arg("--out").arg(&out).output().unwrap();
    assert!(run.status.success(), "{}\n{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    let pkg: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("datapackage.json")).unwrap()).unwrap();
    let current = passerelle_core::DEFAULT_QUESTIONNAIRE.lines().find_map(|l| l.strip_prefix("version = \"")).unwrap().trim_end_matches('"');
    assert_eq!(pkg["passerelle"]["questionnaire_versions"], serde_json::json!([current, "0.9.0"]));
    let fields = pkg["resources"][0]["schema"]["fields"].as_array().unwrap();
    let field = |n: &str| fields.iter().find(|f| f["name"] == n).unwrap_or_else(|| panic!("no field {n}")).clone();
    // The retired choice of the old version is still allowed; the new question is there.
    assert!(field("outil_principal")["constraints"]["enum"].as_array().unwrap().contains(&"console_de_jeux".into()));
    assert!(field("outil_principal")["constraints"]["enum"].as_array().unwrap().contains(&"smartphone".into()));
    let _ = field("mode_acces");
    // The columns keep the newest export's order (the new question in its place).
    let new_header = rows(&new.join("visits.csv"))[0].keys().cloned().collect::<HashSet<_>>();
    let merged = rows(&out.join("visits.csv"));
    // A question of the old version that is no longer asked (`quiz_image_1`, the warning sign,
    // replaced by `quiz_navigateur` in 1.2.0, kept as retired) keeps its column: its answers are
    // not lost.
    assert!(new_header.contains("quiz_image_1"));
    assert_eq!(merged[0].keys().cloned().collect::<HashSet<_>>(), new_header);
    assert!(merged.iter().filter(|r| r["kiosk_id"] == "gennevilliers-mairie-1").any(|r| !r["quiz_image_1"].is_empty()), "the old answers are kept");
    let old_rows: Vec<_> = merged.iter().filter(|r| r["kiosk_id"] == "gennevilliers-mairie-1").collect();
    assert_eq!(old_rows.len(), 12);
    assert!(old_rows.iter().all(|r| r["mode_acces"].is_empty() && r["questionnaire_version"] == "0.9.0"), "a question not asked then is empty");
    assert!(old_rows.iter().any(|r| r["outil_principal"] == "console_de_jeux"));
    // The dictionary knows both versions' ids.
    let dict = rows(&out.join("dictionnaire.csv"));
    assert!(dict.iter().any(|r| r["id"] == "console_de_jeux" && r["label_fr"] == "Une console de jeux"));
    assert!(dict.iter().any(|r| r["question_id"] == "mode_acces"));
    // The grid's "Je ne sais pas ce que c’est" (questionnaire 1.3.0), in French.
    assert!(dict.iter().any(|r| r["question_id"] == "capacites" && r["id"] == "ne_connait_pas" && r["label_fr"] == "Je ne sais pas ce que c’est"));
    frictionless_valid(&out);
    sums_ok(&out);
}

#[test]
fn the_report_shows_every_figure_without_any_count_under_five() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = kit(tmp.path(), "vlg-nelly-roussel-1", "Centre social Nelly Roussel", "Villeneuve-la-Garenne");
    a.visits(40, 11);
    for _ in 0..6 {
        a.abandon("age");
    }
    a.abandon("capacites/visioconference");
    a.export(false);
    let mut b = kit(tmp.path(), "nanterre-mairie-1", "Mairie de Nanterre", "Nanterre");
    b.visits(3, 12); // too few to be shown on its own
    b.export(false);
    let out = tmp.path().join("fusion");
    let run = bin().arg("merge").arg(&a.usb).arg(old_fixture()).arg("--out").arg(&out).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));

    let html_path = tmp.path().join("rapport.html");
    let run = bin().arg("report").arg(&out).arg("--out").arg(&html_path).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let html = std::fs::read_to_string(&html_path).unwrap();
    // Self-contained: no script, no link, no fetched resource (the SVG namespace is a name only).
    for bad in ["<script", "<link", "src=", "url(", "https://"] {
        assert!(!html.contains(bad), "{bad} in the report");
    }
    assert_eq!(html.matches("http://").count(), html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count());
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"fr\">"));
    for title in [
        "Visites par borne",
        "Visites par mois",
        "Niveau d'autonomie",
        "part par capacité",
        "Principaux freins",
        "Outil le plus utilisé",
        "Accès à internet",
        "Motivations",
        "Abandons par étape",
        "Accompagnement suggéré",
        "Services suggérés",
        "Thématiques suggérées",
        "Besoins et offre",
    ] {
        assert!(html.replace("&#39;", "'").contains(title), "{title} missing");
    }
    assert!(html.matches("<svg").count() >= 13, "a chart per figure (the kiosks in columns of its table)");
    assert!(html.contains("juin 2025") && html.contains("octobre 2026"));
    assert!(!html.contains("Mairie de Nanterre"), "a structure of 3 visits is not named");
    assert!(html.contains("Autres bornes"));

    // The CSV: the same figures; no count from 1 to 4 anywhere.
    let csv = rows(&html_path.with_extension("csv"));
    assert!(!csv.is_empty());
    for r in &csv {
        for k in ["effectif", "base"] {
            if let Ok(n) = r[k].parse::<u64>() {
                assert!(n == 0 || n >= 5, "{r:?}");
            } else {
                // "s": statistical secrecy of the reach tables (a small count, or one that the
                // totals would give away).
                // "—": a question not asked there.
                assert!(r[k] == "< 5" || r[k] == "s" || r[k] == "—" || r[k].is_empty(), "{r:?}");
            }
        }
        if r["effectif"] == "< 5" || r["effectif"] == "s" {
            assert!(r["part"].is_empty(), "no share of a hidden count: {r:?}");
        }
    }
    assert!(csv.iter().all(|r| r["perimetre"] != "Mairie de Nanterre"));
    // Figures are right: overall autonomy counts add up to the visits; capability shares match
    // the merged visits.
    let visits = rows(&out.join("visits.csv"));
    let level = |r: &&std::collections::HashMap<String, String>| r["perimetre"] == "Ensemble" && r["indicateur"] == "autonomie" && r["categorie"] != "ensemble";
    let total: u64 = csv.iter().filter(level).map(|r| r["effectif"].parse::<u64>().unwrap_or(0)).sum();
    let hidden = csv.iter().filter(level).filter(|r| r["effectif"] == "< 5" || r["effectif"] == "s").count() as u64;
    assert!(total <= visits.len() as u64 && (hidden > 0 || total == visits.len() as u64), "{total} + {hidden} hidden vs {}", visits.len());
    let row = "allumer_ordinateur";
    let col = format!("capacites.{row}");
    // "Je ne sais pas ce que c’est" (`ne_connait_pas`) counts as not known.
    let unknown = visits.iter().filter(|r| r[&col] == "ne_sait_pas_faire" || r[&col] == "ne_connait_pas").count() as f64;
    let answered = visits.iter().filter(|r| ["ne_sait_pas_faire", "ne_connait_pas", "sait_faire"].contains(&r[&col].as_str())).count() as f64;
    let line = csv.iter().find(|r| r["perimetre"] == "Ensemble" && r["indicateur"] == "capacites" && r["categorie"] == row).unwrap();
    assert!((line["part"].parse::<f64>().unwrap() - unknown / answered).abs() < 1e-3, "{line:?}");
    // Abandons: 7 of A and 2 of the old fixture, by structure. The 2 is hidden, so the total
    // (which would give it away beside the 7) is hidden too, or else exact.
    let ab = csv.iter().find(|r| r["perimetre"] == "Ensemble" && r["indicateur"] == "abandons" && r["categorie"] == "ensemble").unwrap();
    assert!(ab["effectif"] == "9" || ab["effectif"] == "s", "{ab:?}");
    let grid_step =
        csv.iter().find(|r| r["perimetre"] == "Ensemble" && r["indicateur"] == "abandons" && r["categorie"] == "capacites/visioconference").unwrap();
    assert!(grid_step["libelle"].contains(" — ") && grid_step["libelle"].ends_with("Faire un appel vidéo"), "{grid_step:?}");
    let age = csv.iter().find(|r| r["perimetre"] == "Centre social Nelly Roussel" && r["indicateur"] == "abandons" && r["categorie"] == "age").unwrap();
    assert!(age["effectif"] == "6" || age["effectif"] == "s", "{age:?}");

    // A single kiosk's export makes a report too; a tampered one does not.
    let single = tmp.path().join("seul.html");
    let run = bin().arg("report").arg(old_fixture()).arg("--out").arg(&single).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(std::fs::read_to_string(&single).unwrap().contains("Mairie de Gennevilliers"));
    let bad = tmp.path().join("abime");
    crate::support::copy_dir(&out, &bad);
    edit(&bad.join("abandons.csv"), "age", "freins");
    let run = bin().arg("report").arg(&bad).arg("--out").arg(tmp.path().join("x.html")).output().unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("abandons.csv a été modifié"));
    assert!(!tmp.path().join("x.html").exists());
}

/// The public key of a kit's kiosk (made at its first export).
fn public_key(k: &Kit) -> String {
    passerelle::shared::keys::kiosk_key(&k.kiosk.defs.config.data_dir, &k.kiosk.defs.config.kiosk_id).unwrap().public()
}

fn merge_out(args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let run = bin().arg("merge").args(args).output().unwrap();
    (run.status.code(), String::from_utf8_lossy(&run.stdout).into_owned(), String::from_utf8_lossy(&run.stderr).into_owned())
}

fn refused_line<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines().find(|l| l.starts_with("REFUSÉ") && l.contains(name)).unwrap_or_else(|| panic!("{name} not refused:\n{text}"))
}

#[test]
fn with_trusted_keys_forged_unsigned_unknown_and_mismatched_exports_are_refused_and_merges_keep_the_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = kit(tmp.path(), "vlg-nelly-roussel-1", "Centre social Nelly Roussel", "Villeneuve-la-Garenne");
    a.visits(12, 21);
    let good = a.export(false);
    let mut b = kit(tmp.path(), "nanterre-mairie-1", "Mairie de Nanterre", "Nanterre");
    b.visits(6, 22);
    let good_b = b.export(false);
    let a_key = passerelle::shared::keys::kiosk_key(&a.kiosk.defs.config.data_dir, &a.kiosk.defs.config.kiosk_id).unwrap();
    let trusted = tmp.path().join("cles.txt");
    std::fs::write(&trusted, format!("# bornes du département\nvlg-nelly-roussel-1 {}\nnanterre-mairie-1 {}  # mairie\n", public_key(&a), public_key(&b)))
        .unwrap();
    let lot = tmp.path().join("lot");
    let case = |name: &str| {
        let d = lot.join(name);
        crate::support::copy_dir(&good, &d);
        d
    };
    // 1. A cell edited, then SHA256SUMS and datapackage.json hashes carefully recomputed: every
    //    check of the content passes, only the signature tells.
    let first_age = rows(&good.join("visits.csv")).iter().map(|r| r["age"].clone()).find(|a| !a.is_empty() && a != "non_repondu").unwrap();
    let other_age = if first_age == "soixante_dix_plus" { "douze_dix_huit" } else { "soixante_dix_plus" };
    let forged = case("falsifie");
    edit(&forged.join("visits.csv"), &format!(",{first_age},"), &format!(",{other_age},"));
    crate::support::resign(&forged);
    // 2. No signature.
    let unsigned = case("non-signe");
    std::fs::remove_file(unsigned.join("SHA256SUMS.minisig")).unwrap();
    // 3. Signed by a key nobody trusts (a consistent forgery with a key of one's own).
    let unknown = case("cle-inconnue");
    edit(&unknown.join("visits.csv"), &format!(",{first_age},"), &format!(",{other_age},"));
    crate::support::resign(&unknown);
    crate::support::sign(&unknown, &passerelle::package::signing::SigningKey::generate().unwrap());
    // 4. Kiosk A's key (a stolen kiosk) vouching for rows that name kiosk B.
    let borrowed = case("autre-borne");
    let victim = rows(&good.join("choix_multiples.csv"))[0]["visit_id"].clone();
    let text = std::fs::read_to_string(borrowed.join("visits.csv")).unwrap();
    std::fs::write(borrowed.join("visits.csv"), text.replacen(&format!("{victim},vlg-nelly-roussel-1,"), &format!("{victim},nanterre-mairie-1,"), 1)).unwrap();
    let text = std::fs::read_to_string(borrowed.join("choix_multiples.csv")).unwrap();
    std::fs::write(borrowed.join("choix_multiples.csv"), text.replace(&format!("vlg-nelly-roussel-1,{victim},"), &format!("nanterre-mairie-1,{victim},")))
        .unwrap();
    crate::support::resign(&borrowed);
    crate::support::sign(&borrowed, &a_key);

    // Without trusted keys the forgery goes through, and the result says so plainly.
    let loose = tmp.path().join("sans-cles");
    let (code, text, err) = merge_out(&[forged.as_os_str(), good_b.as_os_str(), "--out".as_ref(), loose.as_os_str()]);
    assert_eq!(code, Some(0), "{text}{err}");
    assert!(text.contains("PROVENANCE NON VÉRIFIÉE"), "{text}");
    assert!(std::fs::read_to_string(loose.join("LISEZMOI.txt")).unwrap().contains("PROVENANCE NON VÉRIFIÉE"));
    let pkg: serde_json::Value = serde_json::from_slice(&std::fs::read(loose.join("datapackage.json")).unwrap()).unwrap();
    assert_eq!(pkg["passerelle"]["provenance"], "non_verifiee");
    assert!(rows(&loose.join("exports.csv")).iter().all(|r| r["provenance"] == "non_verifiee" && r["signataire"].is_empty()));
    let html = tmp.path().join("r.html");
    let run = bin().arg("report").arg(&loose).arg("--out").arg(&html).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(std::fs::read_to_string(&html).unwrap().contains("Provenance non vérifiée"));

    // With them: each is refused with its reason (exit 3), the genuine exports are merged.
    let dept = tmp.path().join("departement.key");
    let run = bin().args(["keygen", "--signing", "--out"]).arg(&dept).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let dept_public = String::from_utf8_lossy(&run.stdout).lines().nth(1).unwrap().to_string();
    let out = tmp.path().join("fusion");
    let (code, text, err) = merge_out(&[
        good.as_os_str(),
        good_b.as_os_str(),
        lot.as_os_str(),
        "--trusted-keys".as_ref(),
        trusted.as_os_str(),
        "--signing-key".as_ref(),
        dept.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(code, Some(3), "{text}{err}");
    assert!(refused_line(&text, "falsifie").contains("le paquet a été modifié après avoir été signé"), "{text}");
    assert!(refused_line(&text, "non-signe").contains("export non signé"), "{text}");
    assert!(refused_line(&text, "cle-inconnue").contains("clé inconnue"), "{text}");
    assert!(
        refused_line(&text, "autre-borne")
            .contains("des lignes nomment la borne nanterre-mairie-1, mais l'export est signé par la clé de la borne vlg-nelly-roussel-1"),
        "{text}"
    );
    assert!(text.contains("Provenance vérifiée"), "{text}");
    assert_eq!(rows(&out.join("visits.csv")).len(), 18);
    let exports = rows(&out.join("exports.csv"));
    assert!(exports.iter().all(|r| r["provenance"] == "verifiee"), "{exports:?}");
    assert!(exports.iter().any(|r| r["signataire"] == "vlg-nelly-roussel-1" && r["cle_publique"] == public_key(&a)));
    sums_ok(&out);
    frictionless_valid(&out);
    if crate::support::tool("minisign") {
        let v = Command::new("minisign").args(["-Vm", "SHA256SUMS", "-P", &dept_public]).current_dir(&out).output().unwrap();
        assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    }

    // A merge of merges keeps the chain: the department key vouches for the merge.
    let with_dept = tmp.path().join("cles-dept.txt");
    std::fs::write(&with_dept, format!("{}fusion departement-92 {dept_public}\n", std::fs::read_to_string(&trusted).unwrap())).unwrap();
    let again = tmp.path().join("fusion2");
    let (code, text, err) = merge_out(&[out.as_os_str(), "--trusted-keys".as_ref(), with_dept.as_os_str(), "--out".as_ref(), again.as_os_str()]);
    assert_eq!(code, Some(0), "{text}{err}");
    assert_eq!(rows(&again.join("visits.csv")).len(), 18);
    assert!(rows(&again.join("exports.csv")).iter().all(|r| r["provenance"] == "verifiee"));
    // ...but only that key, and only for a merge made with trusted keys.
    let (code, text, _) = merge_out(&[out.as_os_str(), "--trusted-keys".as_ref(), trusted.as_os_str(), "--out".as_ref(), tmp.path().join("x1").as_os_str()]);
    assert_eq!(code, Some(1), "nothing usable: {text}");
    let signed_loose = tmp.path().join("sans-cles-signee");
    let (code, ..) = merge_out(&[forged.as_os_str(), "--signing-key".as_ref(), dept.as_os_str(), "--out".as_ref(), signed_loose.as_os_str()]);
    assert_eq!(code, Some(0));
    let run =
        bin().arg("merge").arg(&signed_loose).arg(&good_b).arg("--trusted-keys").arg(&with_dept).arg("--out").arg(tmp.path().join("x2")).output().unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(refused_line(&text, "sans-cles-signee").contains("fusion faite sans clés de confiance"), "{text}");
    // The report checks the signature too.
    let run = bin().arg("report").arg(&out).arg("--out").arg(&html).arg("--trusted-keys").arg(&with_dept).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(std::fs::read_to_string(&html).unwrap().contains("Provenance vérifiée : signé par la clé de confiance « departement-92 »"));
    let run = bin().arg("report").arg(&forged).arg("--out").arg(tmp.path().join("y.html")).arg("--trusted-keys").arg(&trusted).output().unwrap();
    assert!(!run.status.success() && String::from_utf8_lossy(&run.stderr).contains("modifié après avoir été signé"));
    // So does sql, before writing anything.
    let load = tmp.path().join("charger-faux");
    let run = bin().arg("sql").arg(&forged).arg("--trusted-keys").arg(&trusted).arg("--out").arg(&load).output().unwrap();
    assert!(!run.status.success() && !load.exists() && String::from_utf8_lossy(&run.stderr).contains("modifié après avoir été signé"));
    let load = tmp.path().join("charger");
    let run = bin().arg("sql").arg(&good).arg("--trusted-keys").arg(&trusted).arg("--out").arg(&load).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stdout).contains("Provenance vérifiée"));
    // A trusted keys file that is wrong says where.
    let bad_keys = tmp.path().join("mauvaises-cles.txt");
    for (text, why) in [
        (
            format!("# ok\nvlg-nelly-roussel-1 {}\nnanterre-mairie-1 {}\n", public_key(&a), public_key(&a)),
            "ligne 3 : cette clé figure déjà, pour vlg-nelly-roussel-1",
        ),
        ("vlg-nelly-roussel-1 pas-une-cle\n".to_string(), "ligne 1 : ce n'est pas une clé publique minisign"),
        (format!("Borne_1 {}\n", public_key(&a)), "ligne 1 : nom invalide"),
    ] {
        std::fs::write(&bad_keys, text).unwrap();
        let run = bin().arg("merge").arg(&good).arg("--trusted-keys").arg(&bad_keys).arg("--out").arg(tmp.path().join("x3")).output().unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success() && err.contains(why), "{why}: {err}");
    }
}

#[test]
fn two_kiosks_with_the_same_visit_reference_both_survive_a_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = kit(tmp.path(), "vlg-nelly-roussel-1", "Centre social Nelly Roussel", "Villeneuve-la-Garenne");
    a.visits(8, 31);
    let ea = a.export(false);
    let mut b = kit(tmp.path(), "nanterre-mairie-1", "Mairie de Nanterre", "Nanterre");
    b.visits(8, 32);
    let eb = b.export(false);
    // B's kiosk happened to draw a reference A drew too: B's export is made so (and signed by B,
    // as B's kiosk would have).
    let with_contact = |e: &Path| {
        let mut ids: Vec<String> =
            std::fs::read_dir(e.join("contacts")).unwrap().flatten().map(|f| f.path().file_stem().unwrap().to_string_lossy().into()).collect();
        ids.sort();
        ids.into_iter().next().expect("random visits include consents")
    };
    let (shared, old) = (with_contact(&ea), with_contact(&eb));
    for f in ["visits.csv", "choix_multiples.csv", "LISEZMOI.txt"] {
        let text = std::fs::read_to_string(eb.join(f)).unwrap();
        std::fs::write(eb.join(f), text.replace(&old, &shared)).unwrap();
    }
    std::fs::rename(eb.join(format!("contacts/{old}.age")), eb.join(format!("contacts/{shared}.age"))).unwrap();
    let sums = std::fs::read_to_string(eb.join("SHA256SUMS")).unwrap();
    std::fs::write(eb.join("SHA256SUMS"), sums.replace(&old, &shared)).unwrap();
    let dp = std::fs::read_to_string(eb.join("datapackage.json")).unwrap();
    std::fs::write(eb.join("datapackage.json"), dp.replace(&old, &shared).replace(&old.to_lowercase(), &shared.to_lowercase())).unwrap();
    crate::support::resign(&eb);
    crate::support::sign(&eb, &passerelle::shared::keys::kiosk_key(&b.kiosk.defs.config.data_dir, "nanterre-mairie-1").unwrap());

    let trusted = tmp.path().join("cles.txt");
    std::fs::write(&trusted, format!("vlg-nelly-roussel-1 {}\nnanterre-mairie-1 {}\n", public_key(&a), public_key(&b))).unwrap();
    let out = tmp.path().join("fusion");
    let (code, text, err) = merge_out(&[ea.as_os_str(), eb.as_os_str(), "--trusted-keys".as_ref(), trusted.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert_eq!(code, Some(0), "no conflict: {text}{err}");
    let visits = rows(&out.join("visits.csv"));
    assert_eq!(visits.len(), 16);
    let both: Vec<&String> = visits.iter().filter(|r| r["visit_id"] == shared).map(|r| &r["kiosk_id"]).collect();
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(both.contains(&&"vlg-nelly-roussel-1".to_string()) && both.contains(&&"nanterre-mairie-1".to_string()));
    // Each keeps its own multiple choices and its own encrypted contact file.
    for (k, e) in [("vlg-nelly-roussel-1", &ea), ("nanterre-mairie-1", &eb)] {
        let want: HashSet<(String, String)> = rows(&e.join("choix_multiples.csv"))
            .into_iter()
            .filter(|r| r["visit_id"] == shared)
            .map(|r| (r["question_id"].clone(), r["choice_id"].clone()))
            .collect();
        let got: HashSet<(String, String)> = rows(&out.join("choix_multiples.csv"))
            .into_iter()
            .filter(|r| r["visit_id"] == shared && r["kiosk_id"] == k)
            .map(|r| (r["question_id"].clone(), r["choice_id"].clone()))
            .collect();
        assert_eq!(got, want, "{k}");
        assert_eq!(std::fs::read(out.join(format!("contacts/{k}/{shared}.age"))).unwrap(), std::fs::read(e.join(format!("contacts/{shared}.age"))).unwrap());
    }
    sums_ok(&out);
    frictionless_valid(&out);
    // And again through a merge of the merge with a format 1 export: still both.
    let again = tmp.path().join("fusion2");
    let (code, text, err) = merge_out(&[out.as_os_str(), old_fixture().as_os_str(), "--out".as_ref(), again.as_os_str()]);
    assert_eq!(code, Some(0), "{text}{err}");
    assert_eq!(rows(&again.join("visits.csv")).iter().filter(|r| r["visit_id"] == shared).count(), 2);
    assert_eq!(rows(&again.join("visits.csv")).len(), 16 + 12);
    frictionless_valid(&again);
}
