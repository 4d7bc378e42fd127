//! Pickup packages (`passerelle mediateur export`) in the département's tools: checked like a
//! kiosk's export (every file against `SHA256SUMS`, every cell against the expected shape, the
//! signature against trusted keys), merged beside the visits (`prises_en_charge.csv` of a merge,
//! once per visit and structure), and read by the report. A pickup whose visit is not (yet) in
//! the merge is kept.

use crate::department::package::{self, csv_reader, safe_name, shown, valid_visit_ref};
use crate::kiosk::export::{FORMAT, hex};
use crate::mediator::pickup_export::{COLUMNS, KIND, TABLE};
use crate::mediator::pickups::OUTCOMES;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One pickup as read from a package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PickupRow {
    pub kiosk_id: String,
    pub visit_id: String,
    pub structure_id: String,
    pub local_date: String,
    pub outcome: String,
}

/// A checked pickup package.
#[derive(Debug, Clone)]
pub struct PickupPackage {
    pub dir: PathBuf,
    pub name: String,
    pub fingerprint: String,
    pub structure_id: String,
    pub rows: Vec<PickupRow>,
    pub signer: Option<String>,
}

/// Whether `dir` says it is a pickup package (its `datapackage.json`'s `passerelle.kind`). Only
/// routes the folder: [`open`] checks everything.
pub fn is_pickup_package(dir: &Path) -> bool {
    crate::shared::files::read_regular(dir, "datapackage.json", package::MAX_META_BYTES)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .is_some_and(|m| m["passerelle"]["kind"] == KIND)
}

/// SHA256SUMS: (file, hash) lines, and the fingerprint.
fn sums(dir: &Path) -> Result<(Vec<(String, String)>, String), String> {
    let bytes = crate::shared::files::read_regular(dir, "SHA256SUMS", package::MAX_META_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|_| "SHA256SUMS illisible (pas de l'UTF-8)".to_string())?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let (h, name) = line.split_once("  ").ok_or(format!("SHA256SUMS, ligne {} : illisible", i + 1))?;
        if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) || !safe_name(name) {
            return Err(format!("SHA256SUMS, ligne {} : illisible", i + 1));
        }
        out.push((name.to_string(), h.to_ascii_lowercase()));
    }
    Ok((out, hex(&Sha256::digest(text.as_bytes()))))
}

/// Reads a file listed in SHA256SUMS and checks its hash.
fn checked(dir: &Path, file: &str, expected: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    package::open_file(dir, file)?.read_to_end(&mut bytes).map_err(|e| format!("{file} illisible : {e}"))?;
    if hex(&Sha256::digest(&bytes)) != expected {
        return Err(package::altered(file));
    }
    Ok(bytes)
}

/// Checks the rows of a `prises_en_charge.csv` (its bytes already checked against SHA256SUMS).
pub fn rows(bytes: &[u8], structure: Option<&str>) -> Result<Vec<PickupRow>, String> {
    let file = TABLE.1;
    let mut rdr = csv_reader(bytes);
    let header: Vec<String> =
        rdr.headers().map_err(|e| format!("{file} illisible : {e}"))?.iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect();
    if header != COLUMNS {
        return Err(format!("{file} : colonnes inattendues (attendu {})", COLUMNS.join(",")));
    }
    let mut out = Vec::new();
    let mut keys = HashSet::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("{file}, ligne {line} : illisible ({e})"))?;
        let bad = |col: &str, v: &str| format!("{file}, ligne {line}, colonne {col} : valeur non permise (« {} »)", shown(v));
        let r = PickupRow { kiosk_id: rec[0].into(), visit_id: rec[1].into(), structure_id: rec[2].into(), local_date: rec[3].into(), outcome: rec[4].into() };
        if !passerelle_core::config::valid_kiosk_id(&r.kiosk_id) {
            return Err(bad("kiosk_id", &r.kiosk_id));
        }
        if !valid_visit_ref(r.visit_id.as_bytes()) {
            return Err(bad("visit_id", &r.visit_id));
        }
        if !passerelle_core::config::valid_kiosk_id(&r.structure_id) || structure.is_some_and(|s| s != r.structure_id) {
            return Err(bad("structure_id", &r.structure_id));
        }
        if r.local_date.len() != 10 || chrono::NaiveDate::parse_from_str(&r.local_date, "%Y-%m-%d").is_err() {
            return Err(bad("local_date", &r.local_date));
        }
        if !r.outcome.is_empty() && !OUTCOMES.iter().any(|o| o.0 == r.outcome) {
            return Err(bad("outcome", &r.outcome));
        }
        if !keys.insert((r.kiosk_id.clone(), r.visit_id.clone(), r.structure_id.clone())) {
            return Err(format!("{file}, ligne {line} : prise en charge en double"));
        }
        out.push(r);
    }
    Ok(out)
}

/// Opens and checks a pickup package; the error is the reason to refuse it (French).
pub fn open(dir: &Path) -> Result<PickupPackage, String> {
    let (sums, fingerprint) = sums(dir)?;
    let listed = |f: &str| sums.iter().find(|(n, _)| n == f).map(|(_, h)| h.clone()).ok_or(format!("{f} n'est pas dans SHA256SUMS"));
    let meta: Value =
        serde_json::from_slice(&checked(dir, "datapackage.json", &listed("datapackage.json")?)?).map_err(|e| format!("datapackage.json illisible : {e}"))?;
    let p = &meta["passerelle"];
    let format = p["format"].as_u64().ok_or("datapackage.json ne vient pas de Passerelle")?;
    if format > u64::from(FORMAT) {
        return Err(format!("format {format}, plus récent que ce Passerelle (format {FORMAT}) : mettez Passerelle à jour"));
    }
    let structure_id = p["structure_id"].as_str().unwrap_or_default().to_string();
    if !passerelle_core::config::valid_kiosk_id(&structure_id) {
        return Err(format!("datapackage.json, champ passerelle.structure_id : identifiant invalide (« {} »)", shown(&structure_id)));
    }
    let table = checked(dir, TABLE.1, &listed(TABLE.1)?)?;
    let rows = rows(&table, Some(&structure_id))?;
    for (file, h) in &sums {
        if file != "datapackage.json" && file != TABLE.1 {
            checked(dir, file, h)?;
        }
    }
    let name = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    if name.chars().any(char::is_control) {
        return Err("le nom du dossier contient un caractère de contrôle".into());
    }
    Ok(PickupPackage { dir: dir.to_path_buf(), name, fingerprint, structure_id, rows, signer: None })
}

/// A pickup package must be signed by its structure's key (a `STRUCTURE_ID KEY` line).
pub fn provenance(p: &PickupPackage, keys: &crate::shared::signing::TrustedKeys) -> Result<String, String> {
    let signer = keys.signer(&p.dir, &p.fingerprint)?;
    if signer.role != crate::shared::signing::Role::Kiosk || signer.name != p.structure_id {
        return Err(format!("prises en charge de la structure {}, mais signées par la clé {}", p.structure_id, signer.name));
    }
    Ok(signer.name.clone())
}

/// The pickups an earlier merge holds (its package already checked: the file's hash too).
pub fn of_merge(pkg: &package::Package) -> Result<Vec<PickupRow>, String> {
    let Some((_, h)) = pkg.sums.iter().find(|(n, _)| n == TABLE.1) else { return Ok(Vec::new()) };
    rows(&checked(&pkg.dir, TABLE.1, h)?, None)
}

/// The pickups of any package in `dir` (a merge's `prises_en_charge.csv`, checked against its
/// SHA256SUMS; a pickup package's own), before the rest of the package is checked by its reader.
/// The second value: the package has a pickups table at all.
pub fn of_dir(dir: &Path) -> Result<(Vec<PickupRow>, bool), String> {
    let (sums, _) = sums(dir)?;
    match sums.iter().find(|(n, _)| n == TABLE.1) {
        Some((_, h)) => Ok((rows(&checked(dir, TABLE.1, h)?, None)?, true)),
        None => Ok((Vec::new(), false)),
    }
}

/// Every pickup once per (kiosk, visit, structure): the earliest day kept (with its outcome).
pub fn dedupe(mut all: Vec<PickupRow>) -> Vec<PickupRow> {
    all.sort_by(|a, b| (&a.kiosk_id, &a.visit_id, &a.structure_id, &a.local_date).cmp(&(&b.kiosk_id, &b.visit_id, &b.structure_id, &b.local_date)));
    all.dedup_by(|b, a| a.kiosk_id == b.kiosk_id && a.visit_id == b.visit_id && a.structure_id == b.structure_id);
    all
}

/// The Table Schema resource of the merged `prises_en_charge.csv`.
pub fn resource() -> Value {
    crate::mediator::pickup_export::resource()
}
