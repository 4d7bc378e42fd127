//! The department's view: many kiosks' exports merged into one checked data package (every visit
//! once, tampered or broken exports refused with the reason, older questionnaire versions merged
//! through the ids), and the report (HTML + CSV, no count under 5).

mod common;

use chrono::NaiveDate;
use passerelle::kiosk::export::{self, RealFs};
use passerelle::kiosk::Kiosk;
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
    let Some(f) = common::frictionless() else { return };
    let out = Command::new(f).args(["validate", "--json", "datapackage.json"]).current_dir(dir).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(report["valid"], true, "{}", String::from_utf8_lossy(&out.stdout).chars().take(3000).collect::<String>());
}

fn sums_ok(dir: &Path) {
    let out = Command::new("sha256sum").args(["-c", "--quiet", "SHA256SUMS"]).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
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
    copy_dir(&b1, &copies.join(b1.file_name().unwrap()));

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
    // Encrypted contact details carried over unopened, still readable by the admin's key.
    let contacts: Vec<PathBuf> = std::fs::read_dir(out.join("contacts")).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    assert!(!contacts.is_empty(), "random visits include consents");
    for c in &contacts {
        let name = c.file_name().unwrap();
        let source = [&a1, &a2, &b1].iter().map(|f| f.join("contacts").join(name)).find(|p| p.exists()).expect("a contact file of an export");
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

/// Rewrites a file of an export and re-signs it (SHA256SUMS and datapackage hashes), as someone
/// who edits an export by hand with care would: only the schema check can catch it then.
fn resign(dir: &Path) {
    use sha2::{Digest, Sha256};
    let hex = |b: &[u8]| Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut pkg: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("datapackage.json")).unwrap()).unwrap();
    for r in pkg["resources"].as_array_mut().unwrap() {
        let data = std::fs::read(dir.join(r["path"].as_str().unwrap())).unwrap();
        r["hash"] = format!("sha256:{}", hex(&data)).into();
        r["bytes"] = data.len().into();
    }
    std::fs::write(dir.join("datapackage.json"), serde_json::to_vec_pretty(&pkg).unwrap()).unwrap();
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let new: String = sums
        .lines()
        .map(|l| {
            let name = l.split_once("  ").unwrap().1;
            format!("{}  {name}\n", hex(&std::fs::read(dir.join(name)).unwrap()))
        })
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), new).unwrap();
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
        copy_dir(&good, &d);
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
    resign(&invalid);
    // 3. A visit row removed but its multiple choices left: the foreign key says so.
    let orphan = case("orpheline");
    let text = std::fs::read_to_string(orphan.join("visits.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let victim = rows(&good.join("choix_multiples.csv"))[0]["visit_id"].clone();
    lines.retain(|l| !l.starts_with(&victim));
    std::fs::write(orphan.join("visits.csv"), lines.join("\n") + "\n").unwrap();
    resign(&orphan);
    // 4. No checksums at all.
    let unsigned = case("sans-empreintes");
    std::fs::remove_file(unsigned.join("SHA256SUMS")).unwrap();
    // 5. An export of a future Passerelle.
    let future = case("futur");
    edit(&future.join("datapackage.json"), "\"format\": 1", "\"format\": 99");
    resign(&future);
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
    assert_eq!(pkg["passerelle"]["questionnaire_versions"], serde_json::json!(["1.1.0", "0.9.0"]));
    let fields = pkg["resources"][0]["schema"]["fields"].as_array().unwrap();
    let field = |n: &str| fields.iter().find(|f| f["name"] == n).unwrap_or_else(|| panic!("no field {n}")).clone();
    // The retired choice of the old version is still allowed; the new question is there.
    assert!(field("outil_principal")["constraints"]["enum"].as_array().unwrap().contains(&"console_de_jeux".into()));
    assert!(field("outil_principal")["constraints"]["enum"].as_array().unwrap().contains(&"smartphone".into()));
    let _ = field("mode_acces");
    // The columns keep the newest export's order (the new question in its place).
    let new_header = rows(&new.join("visits.csv"))[0].keys().cloned().collect::<HashSet<_>>();
    let merged = rows(&out.join("visits.csv"));
    assert_eq!(merged[0].keys().cloned().collect::<HashSet<_>>(), new_header);
    let old_rows: Vec<_> = merged.iter().filter(|r| r["kiosk_id"] == "gennevilliers-mairie-1").collect();
    assert_eq!(old_rows.len(), 12);
    assert!(old_rows.iter().all(|r| r["mode_acces"].is_empty() && r["questionnaire_version"] == "0.9.0"), "a question not asked then is empty");
    assert!(old_rows.iter().any(|r| r["outil_principal"] == "console_de_jeux"));
    // The dictionary knows both versions' ids.
    let dict = rows(&out.join("dictionnaire.csv"));
    assert!(dict.iter().any(|r| r["id"] == "console_de_jeux" && r["label_fr"] == "Une console de jeux"));
    assert!(dict.iter().any(|r| r["question_id"] == "mode_acces"));
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
        "Visites par structure",
        "Visites par commune",
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
    ] {
        assert!(html.replace("&#39;", "'").contains(title), "{title} missing");
    }
    assert!(html.matches("<svg").count() >= 13 * 2, "charts overall and per structure");
    assert!(html.contains("juin 2025") && html.contains("octobre 2026"));
    assert!(!html.contains("Mairie de Nanterre"), "a structure of 3 visits is not named");
    assert!(html.contains("Autres structures"));

    // The CSV: the same figures; no count from 1 to 4 anywhere.
    let csv = rows(&html_path.with_extension("csv"));
    assert!(!csv.is_empty());
    for r in &csv {
        for k in ["effectif", "base"] {
            if let Ok(n) = r[k].parse::<u64>() {
                assert!(n == 0 || n >= 5, "{r:?}");
            } else {
                assert_eq!(r[k], "< 5", "{r:?}");
            }
        }
        if r["effectif"] == "< 5" {
            assert!(r["part"].is_empty(), "no share of a hidden count: {r:?}");
        }
    }
    assert!(csv.iter().all(|r| r["perimetre"] != "Mairie de Nanterre"));
    // Figures are right: overall autonomy counts add up to the visits; capability shares match
    // the merged visits.
    let visits = rows(&out.join("visits.csv"));
    let total: u64 =
        csv.iter().filter(|r| r["perimetre"] == "Ensemble" && r["indicateur"] == "autonomie").map(|r| r["effectif"].parse::<u64>().unwrap_or(0)).sum();
    let hidden = csv.iter().filter(|r| r["perimetre"] == "Ensemble" && r["indicateur"] == "autonomie" && r["effectif"] == "< 5").count() as u64;
    assert!(total <= visits.len() as u64 && total + hidden * 4 >= visits.len() as u64, "{total} + {hidden} hidden vs {}", visits.len());
    let row = "allumer_ordinateur";
    let col = format!("capacites.{row}");
    let unknown = visits.iter().filter(|r| r[&col] == "ne_sait_pas_faire").count() as f64;
    let answered = visits.iter().filter(|r| r[&col] == "ne_sait_pas_faire" || r[&col] == "sait_faire").count() as f64;
    let line = csv.iter().find(|r| r["perimetre"] == "Ensemble" && r["indicateur"] == "capacites" && r["categorie"] == row).unwrap();
    assert!((line["part"].parse::<f64>().unwrap() - unknown / answered).abs() < 1e-3, "{line:?}");
    // Abandons: 7 of A and 2 of the old fixture, by structure.
    let ab = csv.iter().find(|r| r["perimetre"] == "Ensemble" && r["indicateur"] == "abandons" && r["categorie"].is_empty()).unwrap();
    assert_eq!(ab["effectif"], "9");
    let grid_step =
        csv.iter().find(|r| r["perimetre"] == "Ensemble" && r["indicateur"] == "abandons" && r["categorie"] == "capacites/visioconference").unwrap();
    assert!(grid_step["libelle"].contains(" — ") && grid_step["libelle"].ends_with("Faire un appel vidéo"), "{grid_step:?}");
    let age = csv.iter().find(|r| r["perimetre"] == "Centre social Nelly Roussel" && r["indicateur"] == "abandons" && r["categorie"] == "age").unwrap();
    assert_eq!(age["effectif"], "6");

    // A single kiosk's export makes a report too; a tampered one does not.
    let single = tmp.path().join("seul.html");
    let run = bin().arg("report").arg(old_fixture()).arg("--out").arg(&single).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(std::fs::read_to_string(&single).unwrap().contains("Mairie de Gennevilliers"));
    let bad = tmp.path().join("abime");
    copy_dir(&out, &bad);
    edit(&bad.join("abandons.csv"), "age", "freins");
    let run = bin().arg("report").arg(&bad).arg("--out").arg(tmp.path().join("x.html")).output().unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("abandons.csv a été modifié"));
    assert!(!tmp.path().join("x.html").exists());
}
