//! The pickups' table: a mediator's pickup package (`passerelle mediateur export`, the browser
//! desk's zip) and the merges that carry them.

use crate::format::KIOSK_ID_PATTERN;
use crate::write::tabular;
use serde_json::{Value, json};

/// The outcomes a mediator may record: (id, French label, English label). Ids are stored and
/// exported: never change their meaning; a new meaning is a new id.
pub const OUTCOMES: &[(&str, &str, &str)] = &[
    ("accompagne_ici", "accompagné ici", "supported here"),
    ("rendez_vous_pris", "rendez-vous pris", "appointment made"),
    ("oriente_ailleurs", "orienté vers un autre lieu", "sent to another place"),
    ("demarche_faite", "démarche faite pour la personne", "done for the person"),
    ("autre", "autre", "other"),
];

/// The French label of an outcome id.
pub fn outcome_label(id: &str) -> Option<&'static str> {
    OUTCOMES.iter().find(|(i, _, _)| *i == id).map(|(_, fr, _)| *fr)
}

/// `passerelle.kind` of a pickup package.
pub const KIND: &str = "prises_en_charge";
/// The table: (resource name, file).
pub const TABLE: (&str, &str) = ("prises_en_charge", "prises_en_charge.csv");
pub const COLUMNS: [&str; 5] = ["kiosk_id", "visit_id", "structure_id", "local_date", "outcome"];

/// The Table Schema of the pickups (a merge writes the same).
pub fn schema() -> Value {
    json!({
        "fields": [
            {"name": "kiosk_id", "title": "Borne de la visite", "type": "string", "constraints": {"required": true, "pattern": KIOSK_ID_PATTERN}},
            {"name": "visit_id", "title": "Référence de la visite", "type": "string", "constraints": {"required": true, "pattern": "^[0-9A-HJKMNP-TV-Z]{8}$"}},
            {"name": "structure_id", "title": "Structure qui a pris en charge", "type": "string", "constraints": {"required": true, "pattern": KIOSK_ID_PATTERN}},
            {"name": "local_date", "title": "Jour de la prise en charge", "type": "date", "constraints": {"required": true}},
            {"name": "outcome", "title": "Suite donnée", "type": "string", "constraints": {"enum": OUTCOMES.iter().map(|o| o.0).collect::<Vec<_>>()}},
        ],
        "primaryKey": ["kiosk_id", "visit_id", "structure_id"],
        "missingValues": [""],
    })
}

pub fn resource() -> Value {
    tabular(TABLE.0, TABLE.1, "Prises en charge : une ligne par visiteur reçu avec son code", schema())
}

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
    pub name: String,
    pub fingerprint: String,
    pub structure_id: String,
    pub rows: Vec<PickupRow>,
    pub sums_bytes: Vec<u8>,
    pub signature: Option<Vec<u8>>,
    /// The structure key that signed it, once checked by [`provenance`].
    pub signer: Option<String>,
}

/// Checks the rows of a `prises_en_charge.csv` (its bytes already checked against SHA256SUMS).
pub fn rows(bytes: &[u8], structure: Option<&str>) -> Result<Vec<PickupRow>, String> {
    use crate::shapes::{forbidden_in_bytes, shown, valid_visit_ref};
    let file = TABLE.1;
    let mut rdr = crate::read::csv_reader(bytes);
    let header: Vec<String> =
        rdr.headers().map_err(|e| format!("{file} illisible : {e}"))?.iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect();
    if header != COLUMNS {
        return Err(format!("{file} : colonnes inattendues (attendu {})", COLUMNS.join(",")));
    }
    let mut out = Vec::new();
    let mut keys = std::collections::HashSet::new();
    let mut rec = csv::StringRecord::new();
    let mut line = 1;
    loop {
        line += 1;
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(format!("{file}, ligne {line} : illisible ({e})")),
        }
        let bad = |col: &str, v: &str| format!("{file}, ligne {line}, colonne {col} : valeur non permise (« {} »)", shown(v));
        if rec.len() != COLUMNS.len() {
            return Err(format!("{file}, ligne {line} : {} colonnes au lieu de {}", rec.len(), COLUMNS.len()));
        }
        if let Some((i, cell)) = rec.iter().enumerate().find(|(_, c)| forbidden_in_bytes(c.as_bytes())) {
            return Err(format!("{file}, ligne {line}, colonne {} : caractère de contrôle (« {} »)", COLUMNS[i], shown(cell)));
        }
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
        if r.local_date.len() != 10 || !valid_date(&r.local_date) {
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

/// `AAAA-MM-JJ`, a real day.
fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit()) {
        return false;
    }
    let (y, m, d): (u32, u32, u32) = (s[..4].parse().unwrap_or(0), s[5..7].parse().unwrap_or(0), s[8..].parse().unwrap_or(0));
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    y >= 1 && d >= 1 && d <= days
}

/// Whether a package's `datapackage.json` says it is a pickup package. Only routes it: [`open`]
/// checks everything.
pub fn is_pickup_package(meta: &Value) -> bool {
    meta["passerelle"]["kind"] == KIND
}

/// Opens and checks a pickup package, every file read once; the error is the reason to refuse
/// it (French).
pub fn open(src: &dyn crate::read::Source) -> Result<PickupPackage, String> {
    use crate::read::{read_checked, read_signature, read_sums};
    use crate::shapes::{forbidden_char, forbidden_in_json, shown};
    let (sums, sums_bytes) = read_sums(src)?;
    let signature = read_signature(src)?;
    let fingerprint = crate::hex(&<sha2::Sha256 as sha2::Digest>::digest(&sums_bytes));
    let listed = |f: &str| sums.iter().find(|(n, _)| n == f).map(|(_, h)| h.clone()).ok_or(format!("{f} n'est pas dans SHA256SUMS"));
    let meta: Value = serde_json::from_slice(&read_checked(src, "datapackage.json", &listed("datapackage.json")?)?)
        .map_err(|e| format!("datapackage.json illisible : {e}"))?;
    if let Some((at, v)) = forbidden_in_json(&meta) {
        return Err(format!("datapackage.json, champ {} : caractère de contrôle (« {} »)", shown(&at), shown(&v)));
    }
    let p = &meta["passerelle"];
    let format = p["format"].as_u64().ok_or("datapackage.json ne vient pas de Passerelle")?;
    if format > u64::from(crate::format::FORMAT) {
        return Err(format!("format {format}, plus récent que ce Passerelle (format {}) : mettez Passerelle à jour", crate::format::FORMAT));
    }
    let structure_id = p["structure_id"].as_str().unwrap_or_default().to_string();
    if !passerelle_core::config::valid_kiosk_id(&structure_id) {
        return Err(format!("datapackage.json, champ passerelle.structure_id : identifiant invalide (« {} »)", shown(&structure_id)));
    }
    let table = read_checked(src, TABLE.1, &listed(TABLE.1)?)?;
    let rows = rows(&table, Some(&structure_id))?;
    for (file, h) in &sums {
        if file != "datapackage.json" && file != TABLE.1 {
            read_checked(src, file, h)?;
        }
    }
    let name = src.name();
    if name.chars().any(forbidden_char) {
        return Err("le nom du dossier contient un caractère de contrôle".into());
    }
    Ok(PickupPackage { name, fingerprint, structure_id, rows, sums_bytes, signature, signer: None })
}

/// A pickup package must be signed by the key of its own structure (a `structure ID KEY` line):
/// a kiosk's key never vouches for pickups.
pub fn provenance(p: &PickupPackage, keys: &crate::signing::TrustedKeys) -> Result<String, String> {
    let signer = crate::read::signer(&p.sums_bytes, p.signature.as_deref(), keys, crate::signing::Role::Structure, Some(&p.structure_id))
        .map_err(|e| format!("prises en charge de la structure {} : {e}", p.structure_id))?;
    Ok(signer.name.clone())
}

/// Every pickup once per (kiosk, visit, structure): the earliest day kept (with its outcome).
pub fn dedupe(mut all: Vec<PickupRow>) -> Vec<PickupRow> {
    all.sort_by(|a, b| (&a.kiosk_id, &a.visit_id, &a.structure_id, &a.local_date).cmp(&(&b.kiosk_id, &b.visit_id, &b.structure_id, &b.local_date)));
    all.dedup_by(|b, a| a.kiosk_id == b.kiosk_id && a.visit_id == b.visit_id && a.structure_id == b.structure_id);
    all
}
