//! `passerelle merge`: many kiosks' exports (or earlier merges) into one data package of the same
//! format, every visit once by (kiosk, reference). Each export is first checked whole
//! ([`crate::department::package`]). Older questionnaire versions merge through the ids: columns
//! are matched by name, a column an export lacks stays empty, enums are the union of every
//! version's. Tables are streamed (memory grows with the number of visits, about 40 bytes each),
//! written to a temporary folder and renamed at the end: an interrupted merge leaves no half package.

use crate::department::package::*;
use crate::kiosk::export::{BOM, FORMAT, SKIPPED, hex};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// The merged schema

/// Version strings compared number by number ("1.10.0" > "1.9.2").
fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// The alternatives of a `^(a|b)(\|(a|b))*$` list pattern (still escaped).
fn list_alternatives(p: &str) -> Option<Vec<String>> {
    let inner = p.strip_prefix("^(")?;
    let end = inner.find(")(\\|(")?;
    let alt = &inner[..end];
    if p != format!("^({alt})(\\|({alt}))*$") {
        return None;
    }
    let (mut out, mut cur, mut chars) = (Vec::new(), String::new(), alt.chars());
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                cur.extend(chars.next());
            }
            '|' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    Some(out)
}

/// Widens field `a` so that it also accepts what `b` accepts (same column in another version).
fn widen(a: &mut Value, b: &Value) -> Result<(), String> {
    let name = a["name"].as_str().unwrap_or_default().to_string();
    if a["type"] != b["type"] {
        return Err(format!("la colonne {name} n'a pas le même type ({} / {})", a["type"], b["type"]));
    }
    let (ca, cb) = (a["constraints"].clone(), &b["constraints"]);
    let mut c = ca.as_object().cloned().unwrap_or_default();
    if let (Some(x), Some(y)) = (ca["enum"].as_array(), cb["enum"].as_array()) {
        let mut all = x.clone();
        all.extend(y.iter().filter(|v| !x.contains(v)).cloned());
        c.insert("enum".into(), Value::Array(all));
    } else if ca["enum"].is_array() != cb["enum"].is_array() {
        c.remove("enum");
    }
    match (ca["pattern"].as_str(), cb["pattern"].as_str()) {
        (Some(x), Some(y)) if x != y => {
            let (Some(mut xa), Some(ya)) = (list_alternatives(x), list_alternatives(y)) else {
                return Err(format!("la colonne {name} n'a pas le même motif"));
            };
            xa.extend(ya.into_iter().filter(|v| !xa.contains(v)).collect::<Vec<_>>());
            let alt = xa.join("|");
            c.insert("pattern".into(), Value::String(format!("^({alt})(\\|({alt}))*$")));
        }
        (Some(_), None) => {
            c.remove("pattern");
        }
        _ => {}
    }
    if let (Some(x), Some(y)) = (ca["maxLength"].as_u64(), cb["maxLength"].as_u64()) {
        c.insert("maxLength".into(), json!(x.max(y)));
    }
    if cb["required"] != true {
        c.remove("required");
    }
    a["constraints"] = Value::Object(c);
    Ok(())
}

/// The merged tables' fields, built from the newest questionnaire version down.
#[derive(Debug, Default, Clone)]
struct Schema {
    tables: HashMap<String, Vec<Value>>,
}

impl Schema {
    fn names(&self, table: &str) -> Vec<String> {
        self.tables.get(table).into_iter().flatten().map(|f| f["name"].as_str().unwrap_or_default().to_string()).collect()
    }

    /// Adds a package's tables; on an incompatibility nothing changes and the reason is returned.
    fn add(&mut self, pkg: &Package) -> Result<(), String> {
        let mut next = self.clone();
        for (table, _) in TABLES {
            let mut fields: Vec<Value> = pkg.fields(table).iter().map(|f| f.desc.clone()).collect();
            // Format 1 multiple choices have no kiosk column: the merge fills it from the visit.
            if table == "choix_multiples" && !fields.iter().any(|f| f["name"] == "kiosk_id") {
                fields.insert(
                    0,
                    json!({"name": "kiosk_id", "type": "string", "constraints": {"required": true, "pattern": crate::kiosk::export::KIOSK_ID_PATTERN}}),
                );
            }
            let Some(merged) = next.tables.get_mut(table) else {
                next.tables.insert(table.to_string(), fields);
                continue;
            };
            for f in &fields {
                match merged.iter_mut().find(|m| m["name"] == f["name"]) {
                    Some(m) => widen(m, f).map_err(|e| format!("{table} : {e}"))?,
                    None if table == "visits" => {
                        // A column of another version: before the profile's columns, not required.
                        let mut f = f.clone();
                        if let Some(c) = f["constraints"].as_object_mut() {
                            c.remove("required");
                        }
                        let at = merged
                            .iter()
                            .position(|m| m["name"].as_str().is_some_and(|n| n.starts_with(crate::kiosk::export::PROFILE_PREFIX)))
                            .unwrap_or(merged.len());
                        merged.insert(at, f);
                    }
                    None => return Err(format!("la table {table} n'a pas les colonnes attendues")),
                }
            }
            // A column this package lacks is empty for its rows: no longer required.
            for m in merged.iter_mut() {
                if !fields.iter().any(|f| f["name"] == m["name"])
                    && let Some(c) = m["constraints"].as_object_mut()
                {
                    c.remove("required");
                }
            }
        }
        *self = next;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// A file of the merged package, hashed as it is written.
struct OutFile {
    name: String,
    w: BufWriter<File>,
    hash: Sha256,
    bytes: u64,
}

impl OutFile {
    fn create(dir: &Path, name: &str) -> io::Result<OutFile> {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        Ok(OutFile { name: name.to_string(), w: BufWriter::with_capacity(1 << 18, File::create(path)?), hash: Sha256::new(), bytes: 0 })
    }

    fn finish(mut self) -> io::Result<Written> {
        self.w.flush()?;
        self.w.get_ref().sync_all()?;
        Ok(Written { name: self.name, sha256: hex(&self.hash.finalize()), bytes: self.bytes })
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.w.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

#[derive(Debug, Clone)]
struct Written {
    name: String,
    sha256: String,
    bytes: u64,
}

fn csv_out(dir: &Path, name: &str, header: &[String]) -> io::Result<csv::Writer<OutFile>> {
    let mut f = OutFile::create(dir, name)?;
    f.write_all(BOM)?;
    let mut w = csv::WriterBuilder::new().from_writer(f);
    w.write_record(header)?;
    Ok(w)
}

fn close(w: csv::Writer<OutFile>) -> io::Result<Written> {
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))?.finish()
}

// ---------------------------------------------------------------------------------------------
// The merge

/// An export merged.
#[derive(Debug, Clone, Serialize)]
pub struct Merged {
    pub path: String,
    pub name: String,
    pub questionnaire_version: String,
    /// Visits in the export, and those it added (the others were already there).
    pub visits: u64,
    pub new_visits: u64,
    pub abandons: u64,
    /// The trusted key that signed it (its name in the trusted keys file), when checked.
    pub signer: Option<String>,
}

/// Two different rows with the same key: the first is kept, the other reported.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub table: String,
    pub key: String,
    pub kept_from: String,
    pub left_out_from: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MergeOutcome {
    pub out: PathBuf,
    pub merged: Vec<Merged>,
    pub refused: Vec<Refused>,
    /// Folders that were byte-for-byte copies of an export already merged.
    pub copies: Vec<Refused>,
    pub conflicts: Vec<Conflict>,
    pub visits: u64,
    pub duplicate_visits: u64,
    pub abandons: u64,
    pub contacts: u64,
    /// Kiosk exports the merged package holds (an earlier merge counts for the exports it holds).
    pub exports: usize,
    pub kiosks: usize,
    /// `verifiee` when every export was checked against trusted keys (`--trusted-keys`),
    /// `non_verifiee` otherwise.
    pub provenance: String,
    /// The merged package is signed (`--signing-key`): its SHA256SUMS.minisig.
    pub signed: bool,
    /// Mediators' pickup packages merged, and the pickups the merged package holds (once per
    /// visit and structure; kept even when their visit is not in the merge).
    pub pickup_packages: usize,
    pub pickups: u64,
}

impl MergeOutcome {
    /// Everything given was merged, without conflict.
    pub fn clean(&self) -> bool {
        self.refused.is_empty() && self.conflicts.is_empty()
    }
}

fn row_hash(rec: &csv::ByteRecord) -> u64 {
    let mut h = DefaultHasher::new();
    for f in rec.iter() {
        f.hash(&mut h);
    }
    h.finish()
}

/// The columns of exports.csv (format 2 adds the last three; format 1 merges are read by name).
const EXPORTS_FIELDS: [&str; 11] =
    ["export", "kiosk_id", "structure", "commune", "questionnaire_version", "visits", "abandons", "empreinte", "signataire", "cle_publique", "provenance"];

fn exports_schema() -> Value {
    json!({
        "fields": [
            {"name": "export", "title": "Dossier d'export", "type": "string", "constraints": {"required": true}},
            {"name": "kiosk_id", "title": "Borne", "type": "string", "constraints": {"pattern": crate::kiosk::export::KIOSK_ID_PATTERN}},
            {"name": "structure", "title": "Structure", "type": "string"},
            {"name": "commune", "title": "Commune", "type": "string"},
            {"name": "questionnaire_version", "title": "Version du questionnaire", "type": "string"},
            {"name": "visits", "title": "Visites dans l'export", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "abandons", "title": "Abandons dans l'export", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "empreinte", "title": "SHA-256 du SHA256SUMS de l'export", "type": "string", "constraints": {"required": true, "unique": true, "pattern": "^[0-9a-f]{64}$"}},
            {"name": "signataire", "title": "Clé de confiance qui a signé l'export (son nom), si la provenance a été vérifiée", "type": "string"},
            {"name": "cle_publique", "title": "Clé publique minisign du signataire", "type": "string"},
            {"name": "provenance", "title": "Provenance vérifiée (signature d'une clé de confiance) ou non", "type": "string", "constraints": {"required": true, "enum": [VERIFIED, UNVERIFIED]}},
        ],
        "primaryKey": ["empreinte"],
    })
}

/// What makes a merge trustworthy: the keys to check each export against, the key to sign the
/// result with.
#[derive(Debug, Default)]
pub struct Trust {
    pub keys: Option<crate::shared::signing::TrustedKeys>,
    pub signing: Option<crate::shared::signing::SigningKey>,
}

/// Merges checked packages into `out` (which must not exist, or be an empty folder), without
/// checking where they come from.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<MergeOutcome> {
    merge_with(inputs, out, &Trust::default())
}

/// Merges checked packages into `out`; with trusted keys, a package whose signature does not hold
/// is refused like a tampered one.
pub fn merge_with(inputs: &[PathBuf], out: &Path, trust: &Trust) -> Result<MergeOutcome> {
    if out.exists() && fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(true) {
        bail!("{} existe déjà et n'est pas vide : choisissez un autre dossier (rien n'est écrasé)", out.display());
    }
    let (dirs, mut refused) = find_exports(inputs, out);
    // Mediators' pickup packages go their own way (checked, then merged beside the visits).
    let (pickup_dirs, dirs): (Vec<PathBuf>, Vec<PathBuf>) = dirs.into_iter().partition(|d| crate::department::pickup_merge::is_pickup_package(d));
    let (mut pickups, pickup_packages) = open_pickups(&pickup_dirs, trust, &mut refused);
    let opened = open_all(&dirs);
    let mut pkgs = Vec::new();
    let mut copies = Vec::new();
    let mut fingerprints: HashMap<String, String> = HashMap::new();
    for (d, r) in dirs.iter().zip(opened) {
        let r = match (r, &trust.keys) {
            (Ok(mut p), Some(keys)) => match provenance(&p, keys) {
                Ok(k) => {
                    p.signer = Some((k.name.clone(), k.text.clone()));
                    Ok(p)
                }
                Err(e) => Err(e),
            },
            (r, _) => r,
        };
        match r {
            Err(reason) => refused.push(Refused { path: d.display().to_string(), reason }),
            Ok(p) => match fingerprints.entry(p.fingerprint.clone()) {
                Entry::Occupied(o) => copies.push(Refused { path: d.display().to_string(), reason: format!("copie identique de {}", o.get()) }),
                Entry::Vacant(v) => {
                    v.insert(d.display().to_string());
                    pkgs.push(p);
                }
            },
        }
    }
    // One questionnaire: the one of the newest version given.
    pkgs.sort_by(|a, b| version_key(&b.questionnaire_version).cmp(&version_key(&a.questionnaire_version)).then(a.name.cmp(&b.name)));
    let mut schema = Schema::default();
    let mut accepted = Vec::new();
    for p in pkgs {
        let qid = accepted.first().map(|f: &Package| f.questionnaire_id.clone());
        let fits = match qid {
            Some(q) if q != p.questionnaire_id => Err(format!("autre questionnaire ({}, pas {q})", p.questionnaire_id)),
            _ => schema.add(&p),
        };
        match fits {
            Ok(()) => accepted.push(p),
            Err(reason) => refused.push(Refused { path: p.dir.display().to_string(), reason }),
        }
    }
    if accepted.is_empty() {
        bail!("aucun export utilisable : rien n'a été écrit{}", refused.iter().map(|r| format!("\n  {} : {}", r.path, r.reason)).collect::<String>());
    }
    // Dictionaries: the newest version's labels first.
    let mut dict: Vec<csv::ByteRecord> = Vec::new();
    let mut dict_keys = HashSet::new();
    for p in &accepted {
        let mut rdr = csv_reader(open_file(&p.dir, "dictionnaire.csv").map_err(io::Error::other)?);
        for rec in rdr.byte_records() {
            let rec = rec?;
            if dict_keys.insert((rec[0].to_vec(), rec[1].to_vec(), rec[2].to_vec())) {
                dict.push(rec);
            }
        }
    }
    for p in accepted.iter().filter(|p| p.merged) {
        pickups.extend(crate::department::pickup_merge::of_merge(p).map_err(anyhow::Error::msg)?);
    }
    let pickups = crate::department::pickup_merge::dedupe(pickups);
    // Visits then the rest, export by export in the order of their names (kiosk, then date).
    accepted.sort_by(|a, b| a.name.cmp(&b.name).then(a.fingerprint.cmp(&b.fingerprint)));

    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = parent.join(format!(".{}.partial-{}", out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(), std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let result = write_merged(&accepted, &schema, dict, &tmp, out, trust, &pickups);
    let mut outcome = match result {
        Ok(o) => o,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    if out.exists() {
        fs::remove_dir(out).with_context(|| format!("cannot replace the empty folder {}", out.display()))?;
    }
    fs::rename(&tmp, out).with_context(|| format!("cannot rename {} to {}", tmp.display(), out.display()))?;
    if let Ok(d) = File::open(parent) {
        let _ = d.sync_all();
    }
    outcome.refused = refused;
    outcome.copies = copies;
    outcome.pickup_packages = pickup_packages;
    Ok(outcome)
}

/// Opens and checks pickup packages (and their signatures with trusted keys): their rows, and
/// how many were taken.
fn open_pickups(dirs: &[PathBuf], trust: &Trust, refused: &mut Vec<Refused>) -> (Vec<crate::department::pickup_merge::PickupRow>, usize) {
    let (mut rows, mut n, mut seen) = (Vec::new(), 0, HashSet::new());
    for d in dirs {
        let r = crate::department::pickup_merge::open(d).and_then(|p| match &trust.keys {
            Some(keys) => crate::department::pickup_merge::provenance(&p, keys).map(|_| p),
            None => Ok(p),
        });
        match r {
            Ok(p) if !seen.insert(p.fingerprint.clone()) => {}
            Ok(p) => {
                rows.extend(p.rows);
                n += 1;
            }
            Err(reason) => refused.push(Refused { path: d.display().to_string(), reason }),
        }
    }
    (rows, n)
}

/// Writes a record with every cell protected from spreadsheet formulas.
fn write_protected<W: Write>(w: &mut csv::Writer<W>, rec: &csv::ByteRecord) -> csv::Result<()> {
    w.write_record(rec.iter().map(crate::shared::spreadsheet::protect_bytes))
}

fn write_merged(
    accepted: &[Package],
    schema: &Schema,
    dict: Vec<csv::ByteRecord>,
    tmp: &Path,
    out: &Path,
    trust: &Trust,
    pickups: &[crate::department::pickup_merge::PickupRow],
) -> Result<MergeOutcome> {
    let verified = trust.keys.is_some();
    let visit_names = schema.names("visits");
    let multiple_names = schema.names("choix_multiples");
    let mut visits = csv_out(tmp, "visits.csv", &visit_names)?;
    let mut multiples = csv_out(tmp, "choix_multiples.csv", &multiple_names)?;
    let mut abandons = csv_out(tmp, "abandons.csv", &schema.names("abandons"))?;
    let mut exports = csv_out(tmp, "exports.csv", &EXPORTS_FIELDS.map(String::from))?;
    // Which export each visit (kiosk, reference) comes from, and its row's hash (to tell a copy
    // from a conflict).
    let mut owner: HashMap<(u32, u128), (u32, u64)> = HashMap::new();
    let mut abandon_keys: HashMap<(u32, u64), (u32, u64)> = HashMap::new();
    let mut kiosk_ids: HashMap<Vec<u8>, u32> = HashMap::new();
    fn intern(map: &mut HashMap<Vec<u8>, u32>, k: &[u8]) -> u32 {
        if let Some(i) = map.get(k) {
            return *i;
        }
        let next = map.len() as u32;
        *map.entry(k.to_vec()).or_insert(next)
    }
    let mut export_rows: HashSet<Vec<u8>> = HashSet::new();
    let mut kiosks: HashSet<Vec<u8>> = HashSet::new();
    let mut contacts_done = HashSet::new();
    let mut written = Vec::new();
    let mut outcome = MergeOutcome {
        out: out.to_path_buf(),
        merged: Vec::new(),
        refused: Vec::new(),
        copies: Vec::new(),
        conflicts: Vec::new(),
        visits: 0,
        duplicate_visits: 0,
        abandons: 0,
        contacts: 0,
        exports: 0,
        kiosks: 0,
        provenance: if verified { VERIFIED } else { UNVERIFIED }.into(),
        signed: trust.signing.is_some(),
        pickup_packages: 0,
        pickups: pickups.len() as u64,
    };
    let (mut rec, mut row) = (csv::ByteRecord::new(), csv::ByteRecord::new());
    for (idx, p) in accepted.iter().enumerate() {
        let idx = idx as u32;
        let mut new_visits = 0;
        // Format 1 has no kiosk column in choix_multiples nor in contact file names: its
        // references are unique in the package, so they tell the kiosk.
        let mut kiosk_of: HashMap<u128, u32> = HashMap::new();
        // visits.csv, mapped onto the merged columns.
        let mut rdr = csv_reader(open_file(&p.dir, "visits.csv").map_err(io::Error::other)?);
        let header = rdr.byte_headers()?.clone();
        let map: Vec<Option<usize>> = visit_names.iter().map(|n| header.iter().position(|h| h == n.as_bytes())).collect();
        let id_col = header.iter().position(|h| h == b"visit_id").context("visit_id")?;
        let k_col = header.iter().position(|h| h == b"kiosk_id").context("kiosk_id")?;
        while rdr.read_byte_record(&mut rec)? {
            row.clear();
            for m in &map {
                row.push_field(&crate::shared::spreadsheet::protect_bytes(m.map(|i| &rec[i]).unwrap_or(b"")));
            }
            let h = row_hash(&row);
            let (kiosk, id) = (intern(&mut kiosk_ids, &rec[k_col]), id_key(&rec[id_col]));
            if p.format < 2 {
                kiosk_of.insert(id, kiosk);
            }
            match owner.entry((kiosk, id)) {
                Entry::Vacant(v) => {
                    v.insert((idx, h));
                    visits.write_byte_record(&row)?;
                    new_visits += 1;
                }
                Entry::Occupied(o) if o.get().1 == h => outcome.duplicate_visits += 1,
                Entry::Occupied(o) => outcome.conflicts.push(Conflict {
                    table: "visits".into(),
                    key: format!("{} {}", String::from_utf8_lossy(&rec[k_col]), String::from_utf8_lossy(&rec[id_col])),
                    kept_from: accepted[o.get().0 as usize].name.clone(),
                    left_out_from: p.name.clone(),
                }),
            }
        }
        // choix_multiples.csv: the rows of the visits this export brought.
        let mut rdr = csv_reader(open_file(&p.dir, "choix_multiples.csv").map_err(io::Error::other)?);
        let header = rdr.byte_headers()?.clone();
        let map: Vec<Option<usize>> = multiple_names.iter().map(|n| header.iter().position(|h| h == n.as_bytes())).collect();
        let id_col = header.iter().position(|h| h == b"visit_id").context("visit_id")?;
        let k_col = header.iter().position(|h| h == b"kiosk_id");
        let names: Vec<(u32, &[u8])> = kiosk_ids.iter().map(|(k, v)| (*v, k.as_slice())).collect();
        let name_of = |k: u32| names.iter().find(|(i, _)| *i == k).map(|(_, n)| *n).unwrap_or(b"");
        while rdr.read_byte_record(&mut rec)? {
            let id = id_key(&rec[id_col]);
            let kiosk = match k_col {
                Some(c) => kiosk_ids.get(&rec[c]).copied(),
                None => kiosk_of.get(&id).copied(),
            };
            let Some(kiosk) = kiosk else { continue };
            if owner.get(&(kiosk, id)).is_some_and(|o| o.0 == idx) {
                row.clear();
                for (n, m) in multiple_names.iter().zip(&map) {
                    match m {
                        Some(i) => row.push_field(&rec[*i]),
                        None if n == "kiosk_id" => row.push_field(name_of(kiosk)),
                        None => row.push_field(b""),
                    }
                }
                write_protected(&mut multiples, &row)?;
            }
        }
        // abandons.csv, once each by (kiosk, number).
        let mut rdr = csv_reader(open_file(&p.dir, "abandons.csv").map_err(io::Error::other)?);
        let header = rdr.byte_headers()?.clone();
        let col = |n: &[u8]| header.iter().position(|h| h == n);
        let (k_col, n_col) = (col(b"kiosk_id").context("kiosk_id")?, col(b"abandon_id").context("abandon_id")?);
        while rdr.read_byte_record(&mut rec)? {
            let kiosk = intern(&mut kiosk_ids, &rec[k_col]);
            let number: u64 = std::str::from_utf8(&rec[n_col]).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
            let h = row_hash(&rec);
            match abandon_keys.entry((kiosk, number)) {
                Entry::Vacant(v) => {
                    v.insert((idx, h));
                    write_protected(&mut abandons, &rec)?;
                    outcome.abandons += 1;
                }
                Entry::Occupied(o) if o.get().1 == h => {}
                Entry::Occupied(o) => outcome.conflicts.push(Conflict {
                    table: "abandons".into(),
                    key: format!("{} n°{number}", String::from_utf8_lossy(&rec[k_col])),
                    kept_from: accepted[o.get().0 as usize].name.clone(),
                    left_out_from: p.name.clone(),
                }),
            }
        }
        // exports.csv: this export, or the exports an earlier merge holds (read by column name:
        // format 1 merges have no signer columns). Without trusted keys nothing is verified.
        if p.merged {
            let mut rdr = csv_reader(open_file(&p.dir, "exports.csv").map_err(io::Error::other)?);
            let header = rdr.byte_headers()?.clone();
            let map: Vec<Option<usize>> = EXPORTS_FIELDS.iter().map(|n| header.iter().position(|h| h == n.as_bytes())).collect();
            let print_col = map[7].context("empreinte")?;
            while rdr.read_byte_record(&mut rec)? {
                if export_rows.insert(rec[print_col].to_vec()) {
                    row.clear();
                    for (n, m) in EXPORTS_FIELDS.iter().zip(&map) {
                        let cell = m.map(|i| &rec[i]).unwrap_or(b"");
                        if *n == "provenance" {
                            row.push_field(if verified && cell == VERIFIED.as_bytes() { VERIFIED } else { UNVERIFIED }.as_bytes());
                        } else {
                            row.push_field(cell);
                        }
                    }
                    write_protected(&mut exports, &row)?;
                    if let Some(k) = map[1] {
                        kiosks.insert(rec[k].to_vec());
                    }
                }
            }
        } else if export_rows.insert(p.fingerprint.as_bytes().to_vec()) {
            kiosks.insert(p.kiosk("kiosk_id").into_bytes());
            let (signer, key) = p.signer.clone().unwrap_or_default();
            exports.write_record(
                [
                    p.name.clone(),
                    p.kiosk("kiosk_id"),
                    p.kiosk("structure"),
                    p.kiosk("commune"),
                    p.questionnaire_version.clone(),
                    p.visits.to_string(),
                    p.abandons.to_string(),
                    p.fingerprint.clone(),
                    signer,
                    key,
                    if p.signer.is_some() { VERIFIED } else { UNVERIFIED }.to_string(),
                ]
                .iter()
                .map(|c| crate::shared::spreadsheet::protect(c).into_owned()),
            )?;
        }
        // Contact details, still encrypted, for the visits this export brought: at
        // contacts/<kiosk>/<visit>.age, so that two kiosks' same reference never collide.
        for (file, _) in &p.sums {
            let Some((kiosk, visit)) = contact_file(file) else { continue };
            let kiosk = match kiosk {
                Some(k) => kiosk_ids.get(k.as_bytes()).copied(),
                None if !p.merged => kiosk_ids.get(p.kiosk("kiosk_id").as_bytes()).copied(),
                None => kiosk_of.get(&id_key(visit.as_bytes())).copied(),
            };
            let Some(kiosk) = kiosk else { continue };
            let Some(kiosk_name) = kiosk_ids.iter().find(|(_, v)| **v == kiosk).map(|(k, _)| String::from_utf8_lossy(k).into_owned()) else { continue };
            let target = format!("contacts/{kiosk_name}/{visit}.age");
            if owner.get(&(kiosk, id_key(visit.as_bytes()))).is_some_and(|o| o.0 == idx) && contacts_done.insert(target.clone()) {
                let mut f = OutFile::create(tmp, &target)?;
                io::copy(&mut open_file(&p.dir, file).map_err(io::Error::other)?, &mut f)?;
                written.push(f.finish()?);
                outcome.contacts += 1;
            }
        }
        outcome.visits += new_visits;
        outcome.merged.push(Merged {
            path: p.dir.display().to_string(),
            name: p.name.clone(),
            questionnaire_version: p.questionnaire_version.clone(),
            visits: p.visits,
            new_visits,
            abandons: p.abandons,
            signer: p.signer.as_ref().map(|s| s.0.clone()),
        });
    }
    let mut dictionary = csv_out(tmp, "dictionnaire.csv", &schema.names("dictionnaire"))?;
    for r in &dict {
        write_protected(&mut dictionary, r)?;
    }
    let mut files = vec![close(visits)?, close(multiples)?, close(abandons)?, close(dictionary)?, close(exports)?];
    if !pickups.is_empty() || accepted.iter().any(|p| p.sums.iter().any(|(n, _)| n == crate::mediator::pickup_export::TABLE.1)) {
        let mut w = csv_out(tmp, crate::mediator::pickup_export::TABLE.1, &crate::mediator::pickup_export::COLUMNS.map(String::from))?;
        for p in pickups {
            w.write_record(
                [&p.kiosk_id, &p.visit_id, &p.structure_id, &p.local_date, &p.outcome].map(|c| crate::shared::spreadsheet::protect(c).into_owned()),
            )?;
        }
        files.push(close(w)?);
    }
    files.extend(written);
    outcome.kiosks = kiosks.len();
    outcome.exports = export_rows.len();
    let package = datapackage(accepted, schema, &files, &outcome, out);
    let mut f = OutFile::create(tmp, "datapackage.json")?;
    serde_json::to_writer_pretty(&mut f, &package)?;
    f.write_all(b"\n")?;
    files.push(f.finish()?);
    let mut f = OutFile::create(tmp, "LISEZMOI.txt")?;
    f.write_all(readme(&outcome, trust).as_bytes())?;
    files.push(f.finish()?);
    let sums: String = files.iter().map(|w| format!("{}  {}\n", w.sha256, w.name)).collect();
    let mut f = OutFile::create(tmp, "SHA256SUMS")?;
    f.write_all(sums.as_bytes())?;
    f.finish()?;
    if let Some(key) = &trust.signing {
        let sig = key.sign(sums.as_bytes(), &format!("passerelle fusion provenance={}", outcome.provenance)).map_err(anyhow::Error::msg)?;
        let mut f = OutFile::create(tmp, crate::shared::signing::SIG_FILE)?;
        f.write_all(sig.as_bytes())?;
        f.finish()?;
    }
    for d in std::iter::once(tmp.join("contacts")).chain(fs::read_dir(tmp.join("contacts")).into_iter().flatten().flatten().map(|e| e.path())) {
        if d.is_dir() {
            File::open(&d)?.sync_all()?;
        }
    }
    File::open(tmp)?.sync_all()?;
    Ok(outcome)
}

fn datapackage(accepted: &[Package], schema: &Schema, files: &[Written], outcome: &MergeOutcome, out: &Path) -> Value {
    let newest =
        accepted.iter().max_by(|a, b| version_key(&a.questionnaire_version).cmp(&version_key(&b.questionnaire_version))).expect("one package at least");
    let file = |name: &str| files.iter().find(|w| w.name == name);
    let mut resources = Vec::new();
    for (name, path) in TABLES.iter().chain([&EXPORTS]) {
        let mut r = resource(&newest.meta, name).cloned().unwrap_or_else(|| {
            json!({
                "name": name, "path": path, "title": "Exports fusionnés : une ligne par export de borne",
                "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": true},
            })
        });
        if *name == EXPORTS.0 {
            r["schema"] = exports_schema();
        } else {
            let mut fields = schema.tables.get(*name).cloned().unwrap_or_default();
            // Format 2: a reference is unique for its kiosk only.
            for f in fields.iter_mut().filter(|f| f["name"] == "visit_id") {
                if let Some(c) = f["constraints"].as_object_mut() {
                    c.remove("unique");
                }
            }
            r["schema"]["fields"] = Value::Array(fields);
        }
        match *name {
            "visits" => r["schema"]["primaryKey"] = json!(["kiosk_id", "visit_id"]),
            "choix_multiples" => {
                r["schema"]["primaryKey"] = json!(["kiosk_id", "visit_id", "question_id", "choice_id"]);
                r["schema"]["foreignKeys"] =
                    json!([{"fields": ["kiosk_id", "visit_id"], "reference": {"resource": "visits", "fields": ["kiosk_id", "visit_id"]}}]);
            }
            _ => {}
        }
        if let Some(w) = file(path) {
            r["hash"] = json!(format!("sha256:{}", w.sha256));
            r["bytes"] = json!(w.bytes);
        }
        resources.push(r);
    }
    if let Some(w) = file(crate::mediator::pickup_export::TABLE.1) {
        let mut r = crate::department::pickup_merge::resource();
        r["hash"] = json!(format!("sha256:{}", w.sha256));
        r["bytes"] = json!(w.bytes);
        resources.push(r);
    }
    for w in files.iter().filter(|w| w.name.starts_with("contacts/")) {
        resources.push(json!({
            "name": format!("contact-{}", w.name.trim_start_matches("contacts/").trim_end_matches(".age").replace('/', "-").to_lowercase()),
            "path": w.name,
            "title": "Coordonnées chiffrées (age, clé de l'administrateur)",
            "profile": "data-resource",
            "format": "age",
            "mediatype": "application/octet-stream",
            "hash": format!("sha256:{}", w.sha256),
            "bytes": w.bytes,
        }));
    }
    let mut versions: Vec<&str> = accepted.iter().map(|p| p.questionnaire_version.as_str()).collect();
    versions.sort_by_key(|v| std::cmp::Reverse(version_key(v)));
    versions.dedup();
    let name = out.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_else(|| "passerelle-fusion".into());
    let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '-' }).collect();
    json!({
        "profile": "data-package",
        "name": name,
        "title": format!("Passerelle — fusion de {} ({})", plural(outcome.exports, "export"), plural(outcome.kiosks, "borne")),
        "description": "Réponses au questionnaire de positionnement numérique et profils de plusieurs bornes Passerelle, chaque visite une seule fois (La Coop de la médiation numérique, standard des lieux de médiation numérique).",
        "version": format!("{FORMAT}.0.0"),
        "passerelle": {
            "format": FORMAT,
            "merged": true,
            "questionnaire_id": newest.questionnaire_id,
            "questionnaire_version": newest.questionnaire_version,
            "questionnaire_versions": versions,
            "skip_code": SKIPPED,
            "exports": outcome.exports,
            "kiosks": outcome.kiosks,
            "provenance": outcome.provenance,
            "pickups": outcome.pickups,
        },
        "resources": resources,
    })
}

/// The provenance of a merge in plain words (LISEZMOI.txt and the terminal).
fn provenance_text(o: &MergeOutcome, trust: &Trust) -> String {
    let mut s = match &trust.keys {
        Some(k) => format!(
            "Provenance vérifiée : chaque export est signé par une clé de confiance ({}) et ses lignes nomment la borne signataire (exports.csv : signataire).",
            k.file
        ),
        None => "PROVENANCE NON VÉRIFIÉE : fusion faite sans clés de confiance (--trusted-keys) ; un export modifié puis ré-empreinté n'a pas pu être détecté."
            .into(),
    };
    s += if o.signed {
        "\nFusion signée : minisign -Vm SHA256SUMS -P CLE_PUBLIQUE_DE_FUSION."
    } else {
        "\nFusion non signée (--signing-key) : une fusion ultérieure avec --trusted-keys la refusera."
    };
    s
}

fn readme(o: &MergeOutcome, trust: &Trust) -> String {
    let mut s = format!(
        "Fusion Passerelle : {}, {}, {}, {}, {} de coordonnées chiffrées.\n{}\n\n\
         Même format qu'un export de borne (voir datapackage.json), plus exports.csv : une ligne par export de borne,\n\
         et prises_en_charge.csv (s'il y en a) : les visiteurs reçus par un médiateur avec leur code ({} ici).\n\
         Chaque visite n'y est qu'une fois (par sa borne et sa référence) ; visites en double ignorées : {}.\n\
         Vérifier : sha256sum -c SHA256SUMS ; frictionless validate datapackage.json\n\
         Rapport : passerelle report DOSSIER --out rapport.html\n\n\
         Dossiers fusionnés :\n",
        plural(o.exports, "export"),
        plural(o.kiosks, "borne"),
        plural(o.visits as usize, "visite"),
        plural(o.abandons as usize, "abandon"),
        plural(o.contacts as usize, "fichier"),
        provenance_text(o, trust),
        o.pickups,
        o.duplicate_visits
    );
    for m in &o.merged {
        s += &format!("  {} (questionnaire {}) : {}, nouvelles ici : {}\n", m.name, m.questionnaire_version, plural(m.visits as usize, "visite"), m.new_visits);
    }
    if !o.conflicts.is_empty() {
        s += &format!("\nConflits ({}) : même référence, contenu différent ; la première ligne est gardée.\n", o.conflicts.len());
        for c in o.conflicts.iter().take(100) {
            s += &format!("  {} {} : gardée de {}, écartée de {}\n", c.table, c.key, c.kept_from, c.left_out_from);
        }
    }
    s
}

/// The merge's report for the terminal (French, like the folder's LISEZMOI.txt).
pub fn summary(o: &MergeOutcome, trust: &Trust) -> String {
    let mut s = provenance_text(o, trust) + "\n";
    s += &format!(
        "{} : {} ({}), {}, doublons ignorés : {}, {}, coordonnées chiffrées : {}",
        o.out.display(),
        plural(o.exports, "export"),
        plural(o.kiosks, "borne"),
        plural(o.visits as usize, "visite"),
        o.duplicate_visits,
        plural(o.abandons as usize, "abandon"),
        o.contacts
    );
    if o.pickup_packages > 0 || o.pickups > 0 {
        s += &format!(", prises en charge : {} ({})", o.pickups, plural(o.pickup_packages, "paquet de médiateur"));
    }
    for c in &o.copies {
        s += &format!("\nignoré : {} ({})", c.path, c.reason);
    }
    for r in &o.refused {
        s += &format!("\nREFUSÉ : {} : {}", r.path, r.reason);
    }
    for c in o.conflicts.iter().take(20) {
        s += &format!("\nCONFLIT : {} {} : gardé de {}, écarté de {}", c.table, c.key, c.kept_from, c.left_out_from);
    }
    if o.conflicts.len() > 20 {
        s += &format!("\n… et {} autres conflits (voir LISEZMOI.txt)", o.conflicts.len() - 20);
    }
    s
}

/// "1 visite", "2 visites".
pub fn plural(n: usize, word: &str) -> String {
    if n < 2 { format!("{n} {word}") } else { format!("{n} {word}s") }
}
