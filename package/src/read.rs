//! The one reader of packages: a kiosk's export or a merge, checked whole before anything of it
//! is used, for `merge`, `report` and `sql` alike.
//!
//! Every file is read **once**, through a [`Source`] (a folder, a zip, memory), hashed while it
//! is read and checked against `SHA256SUMS`; every string of `datapackage.json` and every cell
//! against its expected shape (ids, versions, kiosk ids, column names, keys, no control
//! character); every cell against the package's own Table Schema. The signature is checked on
//! the very bytes of `SHA256SUMS` that were read ([`provenance`]). A reader that needs the rows
//! gets them on the way ([`open_visiting`]), in the same single pass, and must drop what it made
//! of them when the package turns out refused.

use crate::format::{EXPORTS, FORMAT, TABLES, primary_key};
use crate::pickup_table::TABLE as PICKUP_TABLE;
use crate::schema::Field;
use crate::shapes::{contact_file, forbidden_in_bytes, forbidden_in_json, safe_name, shown, valid_column, valid_version, valid_visit_ref};
use crate::signing::{Role, SIG_FILE, TrustedKey, TrustedKeys, hex};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{self, BufReader, Read};

/// Where a package's files are read from.
pub trait Source: Sync {
    /// The package's name as its folder has it (`passerelle-<kiosk>-<date>`).
    fn name(&self) -> String;
    /// A reader of `file` (a name of `SHA256SUMS`, already checked to stay inside the package),
    /// refusing anything but a regular file of at most `max` bytes. The error is the reason in
    /// French; it ends with "manque" when the file is not there.
    fn open(&self, file: &str, max: u64) -> Result<Box<dyn Read + Send + '_>, String>;
}

/// A package held in memory (tests, a zip already read).
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    pub name: String,
    pub files: Vec<(String, Vec<u8>)>,
}

impl Source for MemorySource {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn open(&self, file: &str, max: u64) -> Result<Box<dyn Read + Send + '_>, String> {
        match self.files.iter().find(|(n, _)| n == file) {
            Some((_, b)) if b.len() as u64 > max => Err(format!("{file} : trop gros (plus de {max} octets)")),
            Some((_, b)) => Ok(Box::new(b.as_slice())),
            None => Err(format!("{file} manque")),
        }
    }
}

/// A merge's pickups table.
const PICKUPS: &str = PICKUP_TABLE.1;

/// The largest SHA256SUMS or datapackage.json read (a merge of 1,000,000 visits has a few MB).
pub const MAX_META_BYTES: u64 = 64 << 20;
/// The largest table read (1,000,000 visits of a merge take about 1.4 GB).
pub const MAX_TABLE_BYTES: u64 = 16 << 30;
/// The largest other file (encrypted contact details: a few hundred bytes).
pub const MAX_OTHER_BYTES: u64 = 1 << 20;
/// The largest signature file.
pub const MAX_SIG_BYTES: u64 = 4096;
/// The longest line of a table: a visit's row is a few KB. A longer line is refused before it is
/// held in memory, so that checking a package takes bounded memory whatever it holds.
pub const MAX_LINE_BYTES: usize = 256 << 10;

/// The size cap of a package's file, by its kind.
pub fn max_bytes(file: &str) -> u64 {
    if file == PICKUPS {
        // One row per pickup: a million pickups take about 60 MB.
        MAX_META_BYTES
    } else if (file.ends_with(".csv") || file.ends_with(".xlsx")) && !file.contains('/') {
        MAX_TABLE_BYTES
    } else if file.ends_with(".json") || file == "SHA256SUMS" {
        MAX_META_BYTES
    } else {
        MAX_OTHER_BYTES
    }
}

pub fn altered(file: &str) -> String {
    format!("{file} a été modifié après l'export (son empreinte SHA-256 ne correspond plus)")
}

/// An export (or an earlier merge) whose every file and cell has been checked.
#[derive(Debug, Clone)]
pub struct Package {
    /// The folder's name (`passerelle-<kiosk>-<date>`).
    pub name: String,
    /// datapackage.json.
    pub meta: Value,
    /// The files of SHA256SUMS and their hashes, in its order.
    pub sums: Vec<(String, String)>,
    /// The bytes of SHA256SUMS that were checked: the signature is checked on these.
    pub sums_bytes: Vec<u8>,
    /// SHA256SUMS.minisig as read (at most 4 KB), when there is one.
    pub signature: Option<Vec<u8>>,
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
    pub kiosks: BTreeSet<String>,
    /// The trusted key that signed it (name, public key), once checked by [`provenance`].
    pub signer: Option<(String, String)>,
    pub visits: u64,
    pub abandons: u64,
}

impl Package {
    pub fn fields(&self, table: &str) -> &[Field] {
        self.tables.get(table).map(Vec::as_slice).unwrap_or(&[])
    }

    /// A text of `datapackage.json`'s `passerelle` object (checked: no control character).
    pub fn kiosk(&self, key: &str) -> String {
        self.meta["passerelle"][key].as_str().unwrap_or_default().to_string()
    }

    /// The hash SHA256SUMS gives a file.
    pub fn listed(&self, file: &str) -> Option<&str> {
        self.sums.iter().find(|(n, _)| n == file).map(|(_, h)| h.as_str())
    }
}

/// A reader that hashes what goes through it.
pub struct HashingReader<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        HashingReader { inner, hash: Sha256::new() }
    }
    /// Reads what is left, then the hash of everything read.
    pub fn finish(mut self) -> io::Result<String> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(hex(&self.hash.finalize()))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// A reader that refuses a line longer than [`MAX_LINE_BYTES`] (cells never hold a newline: a
/// record is a line).
struct LineCap<R> {
    inner: R,
    run: usize,
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            self.run = if b == b'\n' { 0 } else { self.run + 1 };
            if self.run > MAX_LINE_BYTES {
                return Err(io::Error::other(format!("ligne trop longue (plus de {} Ko)", MAX_LINE_BYTES >> 10)));
            }
        }
        Ok(n)
    }
}

/// A CSV reader of a package's table: lines of bounded length.
pub fn csv_reader<R: Read>(r: R) -> csv::Reader<BufReader<impl Read>> {
    csv::ReaderBuilder::new().has_headers(true).from_reader(BufReader::with_capacity(1 << 18, LineCap { inner: r, run: 0 }))
}

pub fn resource<'a>(meta: &'a Value, name: &str) -> Option<&'a Value> {
    meta["resources"].as_array()?.iter().find(|r| r["name"] == name)
}

/// Reads a whole small file once, and checks it against the hash SHA256SUMS gives it.
pub fn read_checked(src: &dyn Source, file: &str, expected: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    src.open(file, max_bytes(file)).map_err(missing_listed)?.read_to_end(&mut bytes).map_err(|e| format!("{file} illisible : {e}"))?;
    if hex(&Sha256::digest(&bytes)) != expected {
        return Err(altered(file));
    }
    Ok(bytes)
}

fn missing_listed(e: String) -> String {
    if e.ends_with("manque") { format!("{e} (il est dans SHA256SUMS)") } else { e }
}

/// The lines of SHA256SUMS: (file, hash).
pub type Sums = Vec<(String, String)>;

/// SHA256SUMS, read once: its lines (file, hash) and its bytes.
pub fn read_sums(src: &dyn Source) -> Result<(Sums, Vec<u8>), String> {
    let mut bytes = Vec::new();
    src.open("SHA256SUMS", MAX_META_BYTES)
        .map_err(|e| if e.ends_with("manque") { "pas de fichier SHA256SUMS : ce n'est pas un export Passerelle complet".to_string() } else { e })?
        .read_to_end(&mut bytes)
        .map_err(|e| format!("SHA256SUMS illisible : {e}"))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| "SHA256SUMS illisible (pas de l'UTF-8)".to_string())?;
    let mut sums: Vec<(String, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((h, name)) = line.split_once("  ").or_else(|| line.split_once(" *")) else {
            return Err(format!("SHA256SUMS, ligne {} : illisible", i + 1));
        };
        if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) || !safe_name(name) {
            return Err(format!("SHA256SUMS, ligne {} : illisible", i + 1));
        }
        if sums.iter().any(|(n, _)| n == name) {
            return Err(format!("SHA256SUMS, ligne {} : {} figure deux fois", i + 1, shown(name)));
        }
        sums.push((name.to_string(), h.to_ascii_lowercase()));
    }
    Ok((sums, bytes))
}

/// The signature file as read, at most 4 KB; None when there is none.
pub fn read_signature(src: &dyn Source) -> Result<Option<Vec<u8>>, String> {
    match src.open(SIG_FILE, MAX_SIG_BYTES) {
        Ok(mut r) => {
            let mut b = Vec::new();
            r.read_to_end(&mut b).map_err(|e| format!("{SIG_FILE} illisible : {e}"))?;
            Ok(Some(b))
        }
        Err(e) if e.ends_with("manque") => Ok(None),
        Err(e) => Err(e),
    }
}

/// Opens and checks a package. The error is the reason to refuse it, in French, for the
/// department officer who reads the merge's report.
pub fn open(src: &dyn Source) -> Result<Package, String> {
    open_visiting(src, &mut |_, _, _| {}, &mut |_, _| {})
}

/// A table's row as it is checked: (table, its fields, the row).
pub type Visitor<'a> = dyn FnMut(&str, &[Field], &csv::ByteRecord) + 'a;
/// Another file of the package as it is checked (its bytes, read once): a merge's pickups table
/// (before the tables), contact details (after them).
pub type FileVisitor<'a> = dyn FnMut(&str, &[u8]) + 'a;

/// [`open`], handing every checked row of the tables to `visit` and every other checked file
/// to `file` on the way, so that a reader needs a single pass over the data. What was handed over
/// before an error must be dropped by the caller when this returns an error (a file found
/// altered at its end, for instance).
pub fn open_visiting(src: &dyn Source, visit: &mut Visitor, file: &mut FileVisitor) -> Result<Package, String> {
    let (sums, sums_bytes) = read_sums(src)?;
    let fingerprint = hex(&Sha256::digest(&sums_bytes));
    let signature = read_signature(src)?;
    let listed = |f: &str| sums.iter().find(|(n, _)| n == f).map(|(_, h)| h.clone());
    let dp_hash = listed("datapackage.json").ok_or("datapackage.json n'est pas dans SHA256SUMS")?;
    let dp = read_checked(src, "datapackage.json", &dp_hash)?;
    let meta: Value = serde_json::from_slice(&dp).map_err(|e| format!("datapackage.json illisible : {e}"))?;
    // Every string that could reach a terminal, a file name, a script or a report: no control
    // character anywhere, whatever the field.
    if let Some((at, v)) = forbidden_in_json(&meta) {
        return Err(format!("datapackage.json, champ {} : caractère de contrôle (« {} »)", shown(&at), shown(&v)));
    }
    let p = &meta["passerelle"];
    let format = p["format"].as_u64().ok_or("datapackage.json ne vient pas de Passerelle")?;
    if format > u64::from(FORMAT) {
        return Err(format!("format d'export {format}, plus récent que ce Passerelle (format {FORMAT}) : mettez Passerelle à jour"));
    }
    let text = |k: &str| p[k].as_str().map(str::to_string).ok_or(format!("datapackage.json : « {k} » manque"));
    let merged = resource(&meta, EXPORTS.0).is_some();
    let name = src.name();
    if name.chars().any(crate::shapes::forbidden_char) {
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
        // Keys are known per table here, not taken from the package.
        if let Some(pk) = r["schema"].get("primaryKey")
            && !known_key(name, format, pk)
        {
            return Err(format!("datapackage.json, table {name} : clé primaire inattendue ({})", shown(&pk.to_string())));
        }
        tables.insert(name.to_string(), fields);
    }
    for r in meta["resources"].as_array().into_iter().flatten() {
        let rname = r["name"].as_str().unwrap_or_default();
        if let Some(pk) = r["schema"].get("primaryKey")
            && !known_key(rname, format, pk)
        {
            return Err(format!("datapackage.json, table {} : clé primaire inattendue ({})", shown(rname), shown(&pk.to_string())));
        }
    }
    let mut pkg = Package {
        name,
        questionnaire_id,
        questionnaire_version,
        meta,
        sums: sums.clone(),
        sums_bytes,
        signature,
        fingerprint,
        tables,
        merged,
        format,
        kiosks: Default::default(),
        signer: None,
        visits: 0,
        abandons: 0,
    };
    // A merge's pickups first (the report matches visits with them as it reads the visits). A
    // kiosk's export never carries pickups: a kiosk does not vouch for mediators.
    if let Some(h) = listed(PICKUPS) {
        if !merged {
            return Err(format!("{PICKUPS} dans un export de borne : une borne ne transmet pas de prises en charge (paquet refusé)"));
        }
        file(PICKUPS, &read_checked(src, PICKUPS, &h)?);
    }
    let mut seen = Seen::default();
    for (name, path) in TABLES.iter().chain(merged.then_some(&EXPORTS)) {
        let expected = listed(path).ok_or(format!("{path} n'est pas dans SHA256SUMS"))?;
        let rows = check_table(src, &pkg, path, &expected, name, &mut seen, &mut *visit)?;
        match *name {
            "visits" => pkg.visits = rows,
            "abandons" => pkg.abandons = rows,
            _ => {}
        }
    }
    pkg.kiosks = seen.kiosks.into_keys().map(|k| String::from_utf8_lossy(&k).into_owned()).collect();
    for (f, expected) in &pkg.sums {
        if f == "datapackage.json" || f == PICKUPS || TABLES.iter().chain([&EXPORTS]).any(|(_, p)| p == f) {
            continue;
        }
        if f.starts_with("contacts/") {
            if contact_file(f).is_none() {
                return Err(format!("SHA256SUMS : nom de fichier de coordonnées inattendu (« {} »)", shown(f)));
            }
            let bytes = read_checked(src, f, expected)?;
            file(f, &bytes);
            continue;
        }
        // Anything else (the spreadsheet, the notice): hashed as it streams by.
        let r = src.open(f, max_bytes(f)).map_err(missing_listed)?;
        if HashingReader::new(r).finish().map_err(|e| format!("{f} illisible : {e}"))? != *expected {
            return Err(altered(f));
        }
    }
    for r in pkg.meta["resources"].as_array().into_iter().flatten() {
        let path = r["path"].as_str().unwrap_or_default();
        let Some(h) = pkg.listed(path) else {
            return Err(format!("datapackage.json décrit {}, absent de SHA256SUMS", shown(path)));
        };
        if r["hash"].as_str().is_some_and(|x| x != format!("sha256:{h}")) {
            return Err(format!("datapackage.json et SHA256SUMS ne concordent pas pour {}", shown(path)));
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

/// Whether a package's `primaryKey` for `table` is the one this format has.
fn known_key(table: &str, format: u64, pk: &Value) -> bool {
    let Some(names) = pk.as_array().map(|a| a.iter().map(|v| v.as_str()).collect::<Option<Vec<&str>>>()) else { return false };
    let Some(names) = names else { return false };
    let format1: Option<&[&str]> = match table {
        "visits" => Some(&["visit_id"]),
        "choix_multiples" => Some(&["visit_id", "question_id", "choice_id"]),
        _ => None,
    };
    primary_key(table).is_some_and(|k| k == names.as_slice()) || (format < 2 && format1.is_some_and(|k| k == names.as_slice()))
}

/// Hashes one table of the export while checking every row against its schema. Returns the
/// number of rows. A file altered after the export is reported as such even when it also breaks
/// the schema (the hash is the more telling reason).
fn check_table(src: &dyn Source, pkg: &Package, file: &str, expected: &str, table: &str, seen: &mut Seen, visit: &mut Visitor) -> Result<u64, String> {
    let f = src.open(file, max_bytes(file)).map_err(missing_listed)?;
    let mut reader = HashingReader::new(f);
    let (rows, problem) = match check_rows(&mut reader, file, pkg.fields(table), table, pkg.format, seen, visit) {
        Ok(n) => (n, None),
        Err(p) => (0, Some(p)),
    };
    if reader.finish().map_err(|e| format!("{file} illisible : {e}"))? != expected {
        return Err(altered(file));
    }
    problem.map_or(Ok(rows), Err)
}

/// A visit's key while checking: (the kiosk, interned; 0 for format 1), its reference.
pub type VisitKey = (u32, u128);

/// What the checks of one package remember across its tables: the kiosks its rows name
/// (interned) and its visits' keys.
#[derive(Default)]
struct Seen {
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
fn check_rows(r: &mut dyn Read, file: &str, fields: &[Field], table: &str, format: u64, seen: &mut Seen, visit: &mut Visitor) -> Result<u64, String> {
    let mut rdr = csv_reader(r);
    let header = rdr.byte_headers().map_err(|e| format!("{file} illisible : {e}"))?.clone();
    let names: Vec<&[u8]> = fields.iter().map(|f| f.name.as_bytes()).collect();
    let header: Vec<&[u8]> = header.iter().enumerate().map(|(i, h)| if i == 0 { h.strip_prefix(crate::format::BOM).unwrap_or(h) } else { h }).collect();
    if header != names {
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
            if forbidden_in_bytes(cell) {
                return Err(format!("{file}, ligne {line}, colonne {} : caractère de contrôle (« {} »)", f.name, shown(&String::from_utf8_lossy(cell))));
            }
            if let Some(why) = f.problem(cell) {
                return Err(format!("{file}, ligne {line}, colonne {} : {why} (« {} »)", f.name, shown(&String::from_utf8_lossy(cell))));
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
            return Err(format!("{file}, ligne {line} : la visite {} n'est pas dans visits.csv", shown(&String::from_utf8_lossy(&rec[i]))));
        }
        visit(table, fields, &rec);
    }
    Ok(n)
}

/// A visit reference as a map key (references are 8 characters; up to 16 fit).
pub fn id_key(id: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    let n = id.len().min(16);
    b[..n].copy_from_slice(&id[..n]);
    u128::from_le_bytes(b)
}

pub const VERIFIED: &str = "verifiee";
pub const UNVERIFIED: &str = "non_verifiee";

/// The signer of a checked package among trusted keys, checked on the bytes of `SHA256SUMS`
/// that were read, with its role and the name its signed comment gives.
pub fn signer<'k>(sums: &[u8], signature: Option<&[u8]>, keys: &'k TrustedKeys, role: Role, name: Option<&str>) -> Result<&'k TrustedKey, String> {
    let Some(sig) = signature else {
        return Err(format!("export non signé ({SIG_FILE} manque) : sa provenance ne peut pas être vérifiée"));
    };
    let (key, comment) = keys.verify_with_comment(sums, sig)?;
    if key.role != role {
        return Err(format!("signé par la clé {} {}, qui ne peut pas signer ce paquet (il faut une clé « {} »)", key.role.word(), key.name, role.word()));
    }
    if let Some(n) = name
        && key.name != n
    {
        return Err(format!("paquet de {n}, mais signé par la clé {} {}", key.role.word(), key.name));
    }
    if !role.comment_agrees(&key.name, &comment) {
        return Err(format!("le commentaire signé (« {} ») ne correspond pas à la clé {} {}", shown(&comment), key.role.word(), key.name));
    }
    Ok(key)
}

/// Why a checked package cannot be trusted with these keys, or its signer.
///
/// A kiosk's export must be signed by that kiosk's key (role `borne`), and every row must name
/// that kiosk. A merge must be signed by a `fusion` key and have been made with trusted keys
/// itself, so that the chain holds from each kiosk to the last merge.
pub fn provenance<'k>(p: &Package, keys: &'k TrustedKeys) -> Result<&'k TrustedKey, String> {
    if p.merged {
        let signer = signer(&p.sums_bytes, p.signature.as_deref(), keys, Role::Merge, None)?;
        if p.meta["passerelle"]["provenance"] != VERIFIED {
            return Err("fusion faite sans clés de confiance (provenance non vérifiée) : refaites-la avec --trusted-keys".into());
        }
        Ok(signer)
    } else {
        let kiosk = p.kiosk("kiosk_id");
        let signer = signer(&p.sums_bytes, p.signature.as_deref(), keys, Role::Kiosk, Some(&kiosk))?;
        if let Some(other) = p.kiosks.iter().find(|k| **k != signer.name) {
            return Err(format!("des lignes nomment la borne {other}, mais l'export est signé par la clé de la borne {}", signer.name));
        }
        Ok(signer)
    }
}
