//! Reading and checking one data package (a kiosk's export or a merge), for `merge`, `report`
//! and `sql` alike.
//!
//! Nothing of a package is used before all of it is checked: every file against its
//! `SHA256SUMS` (read only as regular files of a bounded size), the package's own hashes, every
//! string against its expected shape (ids, versions, kiosk ids, column names, file names), and
//! every cell against the package's own Table Schema (types, enums, patterns, keys). A reader that
//! needs the rows (the report) gets them on the way, in the same single pass.

use crate::kiosk::export::{FORMAT, hex};
use anyhow::Result;
use regex::bytes::Regex;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The tables of every export, in the order of its data package: (resource name, file).
pub const TABLES: [(&str, &str); 4] =
    [("visits", "visits.csv"), ("choix_multiples", "choix_multiples.csv"), ("abandons", "abandons.csv"), ("dictionnaire", "dictionnaire.csv")];
/// The table a merge adds: one row per kiosk export it holds.
pub const EXPORTS: (&str, &str) = ("exports", "exports.csv");

// ---------------------------------------------------------------------------------------------
// Reading and checking one export

/// What a Table Schema field allows, compiled once.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    /// The field's descriptor as written in datapackage.json.
    pub desc: Value,
    required: bool,
    ty: Ty,
    allowed: Option<Vec<Vec<u8>>>,
    pattern: Option<Regex>,
    max_length: Option<usize>,
    minimum: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Ty {
    String,
    Integer,
    Date,
    Other,
}

impl Field {
    fn from_json(v: &Value) -> Result<Field, String> {
        let name = v["name"].as_str().ok_or("datapackage.json : un champ sans nom")?.to_string();
        let c = &v["constraints"];
        let ty = match v["type"].as_str().unwrap_or("string") {
            "string" => Ty::String,
            "integer" => Ty::Integer,
            "date" => Ty::Date,
            _ => Ty::Other,
        };
        let allowed = c["enum"].as_array().map(|a| a.iter().filter_map(Value::as_str).map(|s| s.as_bytes().to_vec()).collect());
        // Table Schema patterns match the whole value.
        let pattern = match c["pattern"].as_str() {
            Some(p) => Some(Regex::new(&format!("^(?:{p})$")).map_err(|_| format!("datapackage.json : motif illisible pour {name}"))?),
            None => None,
        };
        Ok(Field {
            required: c["required"].as_bool().unwrap_or(false),
            ty,
            allowed,
            pattern,
            max_length: c["maxLength"].as_u64().map(|n| n as usize),
            minimum: c["minimum"].as_i64(),
            desc: v.clone(),
            name,
        })
    }

    /// Why `cell` breaks this field's schema, if it does.
    fn problem(&self, cell: &[u8]) -> Option<&'static str> {
        if cell.is_empty() {
            return self.required.then_some("valeur obligatoire absente");
        }
        let text = std::str::from_utf8(cell).ok()?;
        match self.ty {
            Ty::Integer => match text.parse::<i64>() {
                Ok(n) if self.minimum.is_some_and(|m| n < m) => return Some("nombre trop petit"),
                Ok(_) => {}
                Err(_) => return Some("ce n'est pas un nombre entier"),
            },
            Ty::Date if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() || text.len() != 10 => return Some("ce n'est pas une date AAAA-MM-JJ"),
            _ => {}
        }
        if let Some(allowed) = &self.allowed
            && !allowed.iter().any(|a| a == cell)
        {
            return Some("valeur non permise");
        }
        if let Some(p) = &self.pattern
            && !p.is_match(cell)
        {
            return Some("valeur non permise");
        }
        if self.max_length.is_some_and(|m| text.chars().count() > m) {
            return Some("texte trop long");
        }
        None
    }
}

/// An export (or an earlier merge) whose every file and cell has been checked.
#[derive(Debug, Clone)]
pub struct Package {
    pub dir: PathBuf,
    /// The folder's name (`passerelle-<kiosk>-<date>`).
    pub name: String,
    /// datapackage.json.
    pub meta: Value,
    /// The files of SHA256SUMS and their hashes, in its order.
    pub sums: Vec<(String, String)>,
    /// SHA-256 of SHA256SUMS: the export's fingerprint (two copies of one export have the same).
    pub fingerprint: String,
    pub tables: HashMap<String, Vec<Field>>,
    pub questionnaire_id: String,
    pub questionnaire_version: String,
    /// An earlier merge (it has the `exports` table), not one kiosk's export.
    pub merged: bool,
    /// The export format (`passerelle.format`): 1 keys visits by reference alone, 2 by
    /// `(kiosk_id, visit_id)`.
    pub format: u64,
    /// Every kiosk id its rows name (visits, multiple choices, abandons).
    pub kiosks: std::collections::BTreeSet<String>,
    /// The trusted key that signed it (name, public key), once checked by [`provenance`].
    pub signer: Option<(String, String)>,
    pub visits: u64,
    pub abandons: u64,
}

impl Package {
    pub fn fields(&self, table: &str) -> &[Field] {
        self.tables.get(table).map(Vec::as_slice).unwrap_or(&[])
    }

    pub(crate) fn kiosk(&self, key: &str) -> String {
        self.meta["passerelle"][key].as_str().unwrap_or_default().to_string()
    }
}

/// A reader that hashes what goes through it.
pub(crate) struct HashingReader<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

pub(crate) fn altered(file: &str) -> String {
    format!("{file} a été modifié après l'export (son empreinte SHA-256 ne correspond plus)")
}

/// The largest SHA256SUMS or datapackage.json read (a merge of 1,000,000 visits has a few MB).
pub(crate) const MAX_META_BYTES: u64 = 64 << 20;
/// The largest table read (1,000,000 visits of a merge take about 1.4 GB).
pub(crate) const MAX_TABLE_BYTES: u64 = 16 << 30;
/// The largest other file (encrypted contact details: a few hundred bytes).
pub(crate) const MAX_OTHER_BYTES: u64 = 1 << 20;

/// Opens a file of a package: a regular file (no link, device or FIFO) of a bounded size.
pub(crate) fn open_file(dir: &Path, file: &str) -> Result<File, String> {
    let max = if (file.ends_with(".csv") || file.ends_with(".xlsx")) && !file.contains('/') {
        MAX_TABLE_BYTES
    } else if file.ends_with(".json") || file == "SHA256SUMS" {
        MAX_META_BYTES
    } else {
        MAX_OTHER_BYTES
    };
    crate::shared::files::open_regular(dir, file, max)
}

/// A name of SHA256SUMS that stays inside the folder, without control characters.
pub(crate) fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && name.split('/').all(|p| !p.is_empty() && p != ".." && p != ".")
        && !name.contains('\\')
        && !name.chars().any(char::is_control)
}

/// A version string `MAJOR.MINOR.PATCH`, digits only (`^\d+\.\d+\.\d+$`).
pub fn valid_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A column name: an id, or two joined by a dot (`capacites.allumer_ordinateur`,
/// `profil.autonomie`). Column names become SQL identifiers.
pub fn valid_column(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() <= 2 && parts.iter().all(|p| passerelle_core::questionnaire::check_id(p).is_ok())
}

/// A visit reference: 1 to 16 digits or capital letters (the kiosk writes 8, Crockford base 32).
pub fn valid_visit_ref(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= 16 && id.iter().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

/// A text from a package shown as it is, control characters escaped (for reasons).
pub(crate) fn shown(s: &str) -> String {
    s.chars().take(40).flat_map(char::escape_debug).collect()
}

/// The kiosk and visit of an encrypted contact file: `contacts/<visit>.age` in a kiosk's export
/// (and in format 1 merges), `contacts/<kiosk>/<visit>.age` in format 2 merges.
pub(crate) fn contact_file(name: &str) -> Option<(Option<&str>, &str)> {
    let rest = name.strip_prefix("contacts/")?.strip_suffix(".age")?;
    let (kiosk, visit) = match rest.split_once('/') {
        Some((k, v)) => (Some(k), v),
        None => (None, rest),
    };
    (kiosk.is_none_or(passerelle_core::config::valid_kiosk_id) && valid_visit_ref(visit.as_bytes())).then_some((kiosk, visit))
}

pub fn csv_reader<R: Read>(r: R) -> csv::Reader<BufReader<R>> {
    csv::ReaderBuilder::new().has_headers(true).from_reader(BufReader::with_capacity(1 << 18, r))
}

pub(crate) fn resource<'a>(meta: &'a Value, name: &str) -> Option<&'a Value> {
    meta["resources"].as_array()?.iter().find(|r| r["name"] == name)
}

/// Opens and checks an export folder. The error is the reason to refuse it, in French, for the
/// department officer who reads the merge's report.
pub fn open(dir: &Path) -> Result<Package, String> {
    open_visiting(dir, &mut |_, _, _| {})
}

/// A table's row as it is checked: (table, its fields, the row).
pub type Visitor<'a> = dyn FnMut(&str, &[Field], &csv::ByteRecord) + 'a;

/// [`open`], handing every checked row of the tables to `visit` on the way, so that a reader
/// (the report) needs a single pass over the data. Rows seen before an error must be discarded by
/// the caller when this returns an error (a file found altered at its end, for instance).
pub fn open_visiting(dir: &Path, visit: &mut Visitor) -> Result<Package, String> {
    let sums_bytes = crate::shared::files::read_regular(dir, "SHA256SUMS", MAX_META_BYTES)
        .map_err(|e| if e.ends_with("manque") { "pas de fichier SHA256SUMS : ce n'est pas un export Passerelle complet".to_string() } else { e })?;
    let sums_text = String::from_utf8(sums_bytes).map_err(|_| "SHA256SUMS illisible (pas de l'UTF-8)".to_string())?;
    let fingerprint = hex(&Sha256::digest(sums_text.as_bytes()));
    let mut sums = Vec::new();
    for (i, line) in sums_text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((h, name)) = line.split_once("  ").or_else(|| line.split_once(" *")) else {
            return Err(format!("SHA256SUMS, ligne {} : illisible", i + 1));
        };
        if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) || !safe_name(name) {
            return Err(format!("SHA256SUMS, ligne {} : illisible", i + 1));
        }
        sums.push((name.to_string(), h.to_ascii_lowercase()));
    }
    let listed = |f: &str| sums.iter().find(|(n, _)| n == f).map(|(_, h)| h.as_str());
    let dp_hash = listed("datapackage.json").ok_or("datapackage.json n'est pas dans SHA256SUMS")?;
    let dp = crate::shared::files::read_regular(dir, "datapackage.json", MAX_META_BYTES)?;
    if hex(&Sha256::digest(&dp)) != dp_hash {
        return Err(altered("datapackage.json"));
    }
    let meta: Value = serde_json::from_slice(&dp).map_err(|e| format!("datapackage.json illisible : {e}"))?;
    let p = &meta["passerelle"];
    let format = p["format"].as_u64().ok_or("datapackage.json ne vient pas de Passerelle")?;
    if format > u64::from(FORMAT) {
        return Err(format!("format d'export {format}, plus récent que ce Passerelle (format {FORMAT}) : mettez Passerelle à jour"));
    }
    let text = |k: &str| p[k].as_str().map(str::to_string).ok_or(format!("datapackage.json : « {k} » manque"));
    let merged = resource(&meta, EXPORTS.0).is_some();
    // Every string that can reach a file name, a script or a report has its expected shape.
    let name = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    if name.chars().any(char::is_control) {
        return Err(format!("le nom du dossier contient un caractère de contrôle (« {} »)", shown(&name)));
    }
    let refuse = |k: &str, v: &str, why: &str| format!("datapackage.json, champ passerelle.{k} : {why} (« {} »)", shown(v));
    let questionnaire_id = text("questionnaire_id")?;
    if passerelle_core::questionnaire::check_id(&questionnaire_id).is_err() {
        return Err(refuse("questionnaire_id", &questionnaire_id, "identifiant invalide"));
    }
    let questionnaire_version = text("questionnaire_version")?;
    for (k, v) in [("questionnaire_version", Some(questionnaire_version.as_str())), ("rules_version", p["rules_version"].as_str())] {
        if let Some(v) = v
            && !valid_version(v)
        {
            return Err(refuse(k, v, "version invalide (attendu MAJEURE.MINEURE.CORRECTIF)"));
        }
    }
    for v in p["questionnaire_versions"].as_array().into_iter().flatten() {
        if !v.as_str().is_some_and(valid_version) {
            return Err(refuse("questionnaire_versions", &v.to_string(), "version invalide (attendu MAJEURE.MINEURE.CORRECTIF)"));
        }
    }
    if !merged {
        let kiosk = text("kiosk_id")?;
        if !passerelle_core::config::valid_kiosk_id(&kiosk) {
            return Err(refuse("kiosk_id", &kiosk, "identifiant de borne invalide"));
        }
    }
    for k in ["structure", "commune"] {
        if let Some(v) = p[k].as_str()
            && v.chars().any(char::is_control)
        {
            return Err(refuse(k, v, "caractère de contrôle"));
        }
    }
    let mut tables = HashMap::new();
    for (name, path) in TABLES.iter().chain(merged.then_some(&EXPORTS)) {
        let r = resource(&meta, name).ok_or(format!("datapackage.json : la table {name} manque"))?;
        if r["path"] != *path {
            return Err(format!("datapackage.json : la table {name} n'est pas dans {path}"));
        }
        let fields = r["schema"]["fields"].as_array().ok_or(format!("datapackage.json : la table {name} n'a pas de schéma"))?;
        let fields = fields.iter().map(Field::from_json).collect::<Result<Vec<_>, _>>()?;
        if let Some(bad) = fields.iter().find(|f| !valid_column(&f.name)) {
            return Err(format!("datapackage.json, table {name} : nom de colonne invalide (« {} »)", shown(&bad.name)));
        }
        if format >= 2 && matches!(*name, "visits" | "choix_multiples") && !fields.iter().any(|f| f.name == "kiosk_id") {
            return Err(format!("datapackage.json, table {name} : la colonne kiosk_id manque (format {format})"));
        }
        tables.insert(name.to_string(), fields);
    }
    let mut pkg = Package {
        dir: dir.to_path_buf(),
        name,
        questionnaire_id,
        questionnaire_version,
        meta,
        sums: sums.clone(),
        fingerprint,
        tables,
        merged,
        format,
        kiosks: Default::default(),
        signer: None,
        visits: 0,
        abandons: 0,
    };
    let mut seen = Seen::default();
    for (name, path) in TABLES.iter().chain(merged.then_some(&EXPORTS)) {
        let expected = listed(path).ok_or(format!("{path} n'est pas dans SHA256SUMS"))?.to_string();
        let rows = check_file(&pkg, path, &expected, Some((name, &mut seen, &mut *visit)))?;
        match *name {
            "visits" => pkg.visits = rows,
            "abandons" => pkg.abandons = rows,
            _ => {}
        }
    }
    pkg.kiosks = seen.kiosks.into_keys().map(|k| String::from_utf8_lossy(&k).into_owned()).collect();
    for (file, expected) in &pkg.sums {
        if file == "datapackage.json" || TABLES.iter().chain([&EXPORTS]).any(|(_, p)| p == file) {
            continue;
        }
        if file.starts_with("contacts/") && contact_file(file).is_none() {
            return Err(format!("SHA256SUMS : nom de fichier de coordonnées inattendu (« {} »)", shown(file)));
        }
        check_file(&pkg, file, expected, None)?;
    }
    for r in pkg.meta["resources"].as_array().into_iter().flatten() {
        let path = r["path"].as_str().unwrap_or_default();
        let Some(h) = listed(path) else {
            return Err(format!("datapackage.json décrit {path}, absent de SHA256SUMS"));
        };
        if r["hash"].as_str().is_some_and(|x| x != format!("sha256:{h}")) {
            return Err(format!("datapackage.json et SHA256SUMS ne concordent pas pour {path}"));
        }
    }
    // Checked: the compiled patterns and their caches are not needed any more (a merge keeps
    // hundreds of packages open).
    for fields in pkg.tables.values_mut() {
        for f in fields {
            f.pattern = None;
            f.allowed = None;
        }
    }
    Ok(pkg)
}

/// Hashes one file of the export and, for a table, checks every row against its schema.
/// Returns the number of rows. A file altered after the export is reported as such even when it
/// also breaks the schema (the hash is the more telling reason).
pub(crate) fn check_file(pkg: &Package, file: &str, expected: &str, table: Option<(&str, &mut Seen, &mut Visitor)>) -> Result<u64, String> {
    let f = open_file(&pkg.dir, file).map_err(|e| if e.ends_with("manque") { format!("{e} (il est dans SHA256SUMS)") } else { e })?;
    let mut reader = HashingReader { inner: f, hash: Sha256::new() };
    let mut rows = 0;
    let mut problem = None;
    if let Some((name, seen, visit)) = table {
        match check_rows(&mut reader, file, pkg.fields(name), name, pkg.format, seen, visit) {
            Ok(n) => rows = n,
            Err(p) => problem = Some(p),
        }
    }
    io::copy(&mut reader, &mut io::sink()).map_err(|e| format!("{file} illisible : {e}"))?;
    if hex(&reader.hash.finalize()) != expected {
        return Err(altered(file));
    }
    problem.map_or(Ok(rows), Err)
}

/// A visit's key while checking: (the kiosk, interned; 0 for format 1), its reference.
pub(crate) type VisitKey = (u32, u128);

/// What the checks of one package remember across its tables: the kiosks its rows name
/// (interned) and its visits' keys.
#[derive(Default)]
pub(crate) struct Seen {
    kiosks: HashMap<Vec<u8>, u32>,
    ids: HashSet<VisitKey>,
}

impl Seen {
    fn kiosk(&mut self, id: &[u8]) -> u32 {
        if let Some(i) = self.kiosks.get(id) {
            return *i;
        }
        let next = self.kiosks.len() as u32;
        *self.kiosks.entry(id.to_vec()).or_insert(next)
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn check_rows(
    r: &mut dyn Read,
    file: &str,
    fields: &[Field],
    table: &str,
    format: u64,
    seen: &mut Seen,
    visit: &mut Visitor,
) -> Result<u64, String> {
    let mut rdr = csv_reader(r);
    let header = rdr.byte_headers().map_err(|e| format!("{file} illisible : {e}"))?.clone();
    let names: Vec<&[u8]> = fields.iter().map(|f| f.name.as_bytes()).collect();
    if header.iter().collect::<Vec<_>>() != names {
        return Err(format!("{file} : ses colonnes ne sont pas celles que décrit datapackage.json"));
    }
    let col = |n: &str| fields.iter().position(|f| f.name == n);
    // Keys: visits by reference; multiple choices must point to a visit of this export.
    // Format 2 keys visits by (kiosk, reference); format 1 by reference alone (kiosk 0).
    let kiosk_col = col("kiosk_id");
    let (own_key, foreign) = match table {
        "visits" => (col("visit_id").map(|i| vec![i]), None),
        "choix_multiples" => (col("visit_id").zip(col("question_id")).zip(col("choice_id")).map(|((a, b), c)| vec![a, b, c]), col("visit_id")),
        "abandons" => (col("kiosk_id").zip(col("abandon_id")).map(|(a, b)| vec![a, b]), None),
        _ => (None, None),
    };
    let mut keys: HashSet<Vec<u8>> = HashSet::new();
    // Multiple choices come grouped by visit: keys are checked within the group, and a visit's
    // group must not come back (memory: one entry per visit, not per choice).
    let (mut group, mut groups): (Option<VisitKey>, HashSet<VisitKey>) = (None, HashSet::new());
    let mut rec = csv::ByteRecord::new();
    let mut n = 0u64;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(format!("{file}, ligne {} : {e}", n + 2)),
        }
        n += 1;
        let line = rec.position().map(|p| p.line()).unwrap_or(n + 1);
        for (f, cell) in fields.iter().zip(rec.iter()) {
            if let Some(why) = f.problem(cell) {
                let shown: String = String::from_utf8_lossy(cell).chars().take(40).collect();
                return Err(format!("{file}, ligne {line}, colonne {} : {why} (« {shown} »)", f.name));
            }
        }
        // Kiosk ids and visit references name files and keys: their shape is checked whatever
        // the package's own schema says.
        let mut kiosk = 0;
        if let Some(k) = kiosk_col {
            if !std::str::from_utf8(&rec[k]).is_ok_and(passerelle_core::config::valid_kiosk_id) {
                return Err(format!(
                    "{file}, ligne {line}, colonne kiosk_id : identifiant de borne invalide (« {} »)",
                    shown(&String::from_utf8_lossy(&rec[k]))
                ));
            }
            let idx = seen.kiosk(&rec[k]);
            if format >= 2 {
                kiosk = idx;
            }
        }
        if let Some(cols) = &own_key {
            if table != "abandons" && !valid_visit_ref(&rec[cols[0]]) {
                return Err(format!(
                    "{file}, ligne {line}, colonne visit_id : référence de visite invalide (« {} »)",
                    shown(&String::from_utf8_lossy(&rec[cols[0]]))
                ));
            }
            let duplicate = match table {
                "visits" => !seen.ids.insert((kiosk, id_key(&rec[cols[0]]))),
                "choix_multiples" => {
                    let visit = (kiosk, id_key(&rec[cols[0]]));
                    if group != Some(visit) {
                        if !groups.insert(visit) {
                            return Err(format!("{file}, ligne {line} : les choix d'une visite ne se suivent pas, ou figurent deux fois"));
                        }
                        group = Some(visit);
                        keys.clear();
                    }
                    !keys.insert([&rec[cols[1]], b"\x1f".as_slice(), &rec[cols[2]]].concat())
                }
                _ => !keys.insert(cols.iter().map(|&i| &rec[i]).collect::<Vec<_>>().join(&b'\x1f')),
            };
            if duplicate {
                return Err(format!("{file}, ligne {line} : la même ligne (même clé) figure deux fois"));
            }
        }
        if let Some(i) = foreign
            && !seen.ids.contains(&(kiosk, id_key(&rec[i])))
        {
            return Err(format!("{file}, ligne {line} : la visite {} n'est pas dans visits.csv", String::from_utf8_lossy(&rec[i])));
        }
        visit(table, fields, &rec);
    }
    Ok(n)
}

/// The folders to merge: each argument is an export, or a folder of exports (one level down).
pub fn find_exports(args: &[PathBuf], skip: &Path) -> (Vec<PathBuf>, Vec<Refused>) {
    let is_export = |d: &Path| d.join("SHA256SUMS").is_file() || d.join("datapackage.json").is_file();
    let skip = skip.canonicalize().unwrap_or_else(|_| skip.to_path_buf());
    let (mut found, mut refused) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for arg in args {
        let mut dirs = Vec::new();
        if is_export(arg) {
            dirs.push(arg.clone());
        } else if let Ok(entries) = fs::read_dir(arg) {
            let mut sub: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir() && is_export(p)).collect();
            sub.sort();
            dirs.extend(sub);
        }
        if dirs.is_empty() {
            refused.push(Refused { path: arg.display().to_string(), reason: "aucun export Passerelle ici (ni SHA256SUMS ni datapackage.json)".into() });
        }
        for d in dirs {
            let canon = d.canonicalize().unwrap_or_else(|_| d.clone());
            if canon != skip && seen.insert(canon) {
                found.push(d);
            }
        }
    }
    (found, refused)
}

/// Opens and checks folders on all cores.
pub fn open_all(dirs: &[PathBuf]) -> Vec<Result<Package, String>> {
    let results: Vec<Mutex<Option<Result<Package, String>>>> = dirs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(dirs.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(d) = dirs.get(i) else { break };
                    let r = open(d);
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                }
            });
        }
    });
    results.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()).unwrap_or_else(|| Err("non lu".into()))).collect()
}

/// An export left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    pub path: String,
    pub reason: String,
}

/// A visit reference as a map key (references are 8 characters; up to 16 fit).
pub(crate) fn id_key(id: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    let n = id.len().min(16);
    b[..n].copy_from_slice(&id[..n]);
    u128::from_le_bytes(b)
}

pub const VERIFIED: &str = "verifiee";
pub const UNVERIFIED: &str = "non_verifiee";

/// Why a checked package cannot be trusted with these keys, or its signer.
///
/// A kiosk's export must be signed by that kiosk's key, and every row must name that kiosk. A
/// merge must be signed by a `fusion` key and have been made with trusted keys itself, so that the
/// chain holds from each kiosk to the last merge.
pub fn provenance<'k>(p: &Package, keys: &'k crate::shared::signing::TrustedKeys) -> Result<&'k crate::shared::signing::TrustedKey, String> {
    use crate::shared::signing::Role;
    let signer = keys.signer(&p.dir, &p.fingerprint)?;
    if p.merged {
        if signer.role != Role::Merge {
            return Err(format!("fusion signée par la clé de la borne {} : seule une clé « fusion » peut signer une fusion", signer.name));
        }
        if p.meta["passerelle"]["provenance"] != VERIFIED {
            return Err("fusion faite sans clés de confiance (provenance non vérifiée) : refaites-la avec --trusted-keys".into());
        }
    } else {
        if signer.role != Role::Kiosk {
            return Err(format!("export de borne signé par la clé de fusion {} et non par celle de sa borne", signer.name));
        }
        let kiosk = p.kiosk("kiosk_id");
        if kiosk != signer.name {
            return Err(format!("export de la borne {kiosk}, mais signé par la clé de la borne {}", signer.name));
        }
        if let Some(other) = p.kiosks.iter().find(|k| **k != signer.name) {
            return Err(format!("des lignes nomment la borne {other}, mais l'export est signé par la clé de la borne {}", signer.name));
        }
    }
    Ok(signer)
}
