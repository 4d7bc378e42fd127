//! USB export: a folder `passerelle-<kiosk id>-<date>/` that opens in a spreadsheet and
//! validates as a Frictionless data package (the format of schema.data.gouv.fr).
//!
//! Files: `visits.csv` (one row a visit: one column per question or grid row with the choice
//! ids, then the profile), `choix_multiples.csv` (one row per choice of a multiple-choice
//! answer), `abandons.csv`, `dictionnaire.csv` (every id with its French and English label),
//! `contacts/<visit>.age` (contact details, still encrypted for the admin's key),
//! `datapackage.json` (a Table Schema per table, with hashes), `LISEZMOI.txt` and `SHA256SUMS`.
//! CSV files are UTF-8 with a byte order mark (so Excel reads the accents), comma-separated,
//! dates in ISO 8601. In answer cells, an empty cell means "not asked" and `non_repondu` means
//! "asked, and the visitor preferred not to answer"; multiple values are separated by `|` as in
//! the national standard of digital inclusion places.
//!
//! Nothing is marked exported until every file is written, synced to the stick, read back and
//! checked against its hash: a stick pulled half-way leaves a clear error and a retry that works.

use crate::kiosk::Kiosk;
use crate::kiosk::store::{ExportBounds, ExportRecord, Store, StoreError, StoredVisit};
use passerelle_core::profile::Profile;
use passerelle_core::questionnaire::{Kind, Question};
use passerelle_core::vocab;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The skip code in answer cells.
pub const SKIPPED: &str = "non_repondu";
pub(crate) const BOM: &[u8] = b"\xef\xbb\xbf";
/// Version of this export format (in datapackage.json). Format 2 keys visits on
/// `(kiosk_id, visit_id)` (references are unique per kiosk only) and signs `SHA256SUMS`; format 1
/// exports are still read (docs/export.md).
pub const FORMAT: u32 = 2;
/// The visits as a spreadsheet, next to visits.csv.
pub const XLSX: &str = "visites.xlsx";

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("no USB stick found: plug one in and try again")]
    NoMedia,
    #[error("nothing new to export since the last export")]
    NothingNew,
    #[error("not enough room on {0} (about {1} MB needed)")]
    MediaFull(String, u64),
    #[error("writing {file} failed ({source}): was the stick pulled out? Nothing was marked as exported; plug it back in and export again")]
    Write { file: String, source: io::Error },
    #[error("{file} reads back differently from what was written: the stick may be faulty. Nothing was marked as exported")]
    Verify { file: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the kiosk's signing key: {0}")]
    Key(String),
}

impl ExportError {
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::NoMedia => "USB-NONE",
            ExportError::NothingNew => "EXPORT-EMPTY",
            ExportError::MediaFull(..) => "USB-FULL",
            ExportError::Write { .. } => "USB-WRITE",
            ExportError::Verify { .. } => "USB-VERIFY",
            ExportError::Store(_) => "DB-ERROR",
            ExportError::Key(_) => "KEY-ERROR",
        }
    }
}

/// The filesystem an export writes to (a trait so that tests can pull the stick).
pub trait ExportFs {
    fn create_dir_all(&self, p: &Path) -> io::Result<()>;
    fn exists(&self, p: &Path) -> bool;
    /// Create `p`, let `fill` write it, then flush and sync it to the device.
    fn write(&self, p: &Path, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()>;
    fn sync_dir(&self, p: &Path) -> io::Result<()>;
    fn open(&self, p: &Path) -> io::Result<Box<dyn Read>>;
    fn remove_dir_all(&self, p: &Path) -> io::Result<()>;
}

/// The real filesystem.
pub struct RealFs;

impl ExportFs for RealFs {
    fn create_dir_all(&self, p: &Path) -> io::Result<()> {
        std::fs::create_dir_all(p)
    }
    fn exists(&self, p: &Path) -> bool {
        p.exists()
    }
    fn write(&self, p: &Path, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        let f = std::fs::File::create(p)?;
        let mut w = io::BufWriter::with_capacity(1 << 16, f);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        drop_cache(&f);
        Ok(())
    }
    fn sync_dir(&self, p: &Path) -> io::Result<()> {
        std::fs::File::open(p)?.sync_all()
    }
    fn open(&self, p: &Path) -> io::Result<Box<dyn Read>> {
        let f = std::fs::File::open(p)?;
        // The read-back must read the stick, not what the kernel still holds of the write: a
        // stick that lies about its writes must be caught here, while the rows stay unexported.
        drop_cache(&f);
        Ok(Box::new(io::BufReader::new(f)))
    }
    fn remove_dir_all(&self, p: &Path) -> io::Result<()> {
        std::fs::remove_dir_all(p)
    }
}

/// Asks the kernel to drop a (synced) file's cached pages, so that the next read comes from the
/// device. Advisory: where it is not supported the read-back still checks what the kernel has.
fn drop_cache(f: &std::fs::File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a plain system call on a file descriptor we own for the call's duration.
        let _ = unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = f;
}

/// A writer that hashes and counts what goes through it.
struct Hashing<'a> {
    inner: &'a mut dyn Write,
    hash: Sha256,
    bytes: u64,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A file written: its path in the folder, hash and size.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
}

/// Writes the files of a package, hashing them on the way (the mediator's export uses it too).
pub(crate) struct Writer<'a> {
    pub fs: &'a dyn ExportFs,
    pub dir: PathBuf,
    pub files: Vec<Written>,
}

impl Writer<'_> {
    pub(crate) fn file(&mut self, name: &str, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> Result<(), ExportError> {
        let mut result = (String::new(), 0u64);
        self.fs
            .write(&self.dir.join(name), &mut |w| {
                let mut h = Hashing { inner: w, hash: Sha256::new(), bytes: 0 };
                fill(&mut h)?;
                h.flush()?;
                result = (hex(&h.hash.finalize()), h.bytes);
                Ok(())
            })
            .map_err(|source| ExportError::Write { file: name.to_string(), source })?;
        self.files.push(Written { name: name.to_string(), sha256: result.0, bytes: result.1 });
        Ok(())
    }
}

pub(crate) use crate::shared::signing::hex;

/// The columns of visits.csv.
enum Col<'q> {
    Meta(&'static str),
    Question(&'q Question),
    Row(&'q Question, usize),
    Profile(&'static str),
}

const META: &[&str] = &[
    "visit_id",
    "kiosk_id",
    "structure",
    "commune",
    "context",
    "local_date",
    "local_hour",
    "lang",
    "questionnaire_id",
    "questionnaire_version",
    "rules_id",
    "rules_version",
];
const PROFILE: &[&str] = &[
    "autonomie",
    "niveau",
    "type_accompagnement",
    "modalite_principale",
    "modalites",
    "thematiques",
    "services",
    "prise_en_charge_specifique",
    "flags",
    "freins",
    "tranche_age",
    "genre",
    "materiel",
    "capacites_repondues",
    "capacites_acquises",
    "pix_1",
    "pix_2",
    "pix_3",
    "pix_4",
    "pix_5",
    "interrompu_apres",
];

/// The column of a visit ended early ("On m'appelle"): the section after which it stopped,
/// `debut` on the first question; empty for a complete visit.
pub const PARTIAL_COLUMN: &str = "profil.interrompu_apres";
/// Its value for a visit ended on the first question.
pub const PARTIAL_AT_START: &str = "debut";

fn columns(kiosk: &Kiosk) -> Vec<Col<'_>> {
    let mut cols: Vec<Col> = META.iter().map(|m| Col::Meta(m)).collect();
    for q in kiosk.questionnaire.questions() {
        match q.kind {
            Kind::Notice => {}
            Kind::Grid => cols.extend((0..q.rows.len()).map(|r| Col::Row(q, r))),
            _ => cols.push(Col::Question(q)),
        }
    }
    cols.extend(PROFILE.iter().map(|p| Col::Profile(p)));
    cols
}

/// The shape of a kiosk id (`passerelle_core::config::valid_kiosk_id`), as a Table Schema pattern.
pub const KIOSK_ID_PATTERN: &str = "^[a-z0-9-]{1,32}$";

/// Profile columns are prefixed so that they never collide with a question id.
pub const PROFILE_PREFIX: &str = "profil.";

fn col_name(c: &Col) -> String {
    match c {
        Col::Meta(m) => m.to_string(),
        Col::Profile(m) => format!("{PROFILE_PREFIX}{m}"),
        Col::Question(q) => q.id.clone(),
        Col::Row(q, r) => format!("{}.{}", q.id, q.rows[*r].id),
    }
}

fn enum_field(name: &str, title: &str, values: Vec<String>) -> Value {
    json!({"name": name, "title": title, "type": "string", "constraints": {"enum": values}})
}

/// `^(a|b|c)(\|(a|b|c))*$` for `|`-separated values of a vocabulary.
fn list_pattern(values: &[String]) -> String {
    let alt = values.iter().map(|v| regex_escape(v)).collect::<Vec<_>>().join("|");
    format!("^({alt})(\\|({alt}))*$")
}

fn regex_escape(s: &str) -> String {
    s.chars().map(|c| if "\\.+*?()|[]{}^$".contains(c) { format!("\\{c}") } else { c.to_string() }).collect()
}

fn list_field(name: &str, title: &str, values: Vec<String>) -> Value {
    json!({"name": name, "title": title, "type": "string", "description": "Valeurs séparées par « | ».", "constraints": {"pattern": list_pattern(&values)}})
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn field(kiosk: &Kiosk, c: &Col) -> Value {
    let q = &kiosk.questionnaire;
    let name = col_name(c);
    let with_skip = |q: &Question| {
        let mut v: Vec<String> = q.choices.iter().map(|c| c.id.clone()).collect();
        v.push(SKIPPED.into());
        v
    };
    match c {
        Col::Meta("visit_id") => {
            json!({"name": name, "title": "Référence de la visite (unique pour sa borne)", "type": "string", "constraints": {"required": true, "pattern": "^[0-9A-HJKMNP-TV-Z]{8}$"}})
        }
        Col::Meta("kiosk_id") => {
            json!({"name": name, "title": "Borne", "type": "string", "constraints": {"required": true, "pattern": KIOSK_ID_PATTERN}})
        }
        Col::Meta("context") => enum_field(&name, "Contexte de la borne (profil du questionnant)", strings(vocab::CONTEXTS)),
        Col::Meta("local_date") => {
            json!({"name": name, "title": "Date locale de la visite", "type": "date", "constraints": {"required": true}})
        }
        Col::Meta("local_hour") => {
            json!({"name": name, "title": "Heure locale (0-23)", "type": "integer", "constraints": {"required": true, "minimum": 0, "maximum": 23}})
        }
        Col::Meta("lang") => enum_field(&name, "Langue de la visite", kiosk.config.languages.clone()),
        Col::Meta(m) => {
            json!({"name": name, "title": m, "type": "string", "constraints": {"required": true}})
        }
        Col::Question(question) => {
            let title = question.label.fr();
            match question.kind {
                Kind::Multiple => {
                    let mut v: Vec<String> = question.choices.iter().map(|c| c.id.clone()).collect();
                    v.push(SKIPPED.into());
                    list_field(&name, title, v)
                }
                Kind::Text => {
                    // Typed by the visitor: one more character for the protective apostrophe.
                    json!({"name": name, "title": title, "type": "string", "description": crate::shared::spreadsheet::NOTE_FR, "constraints": {"maxLength": question.max_length + 1}})
                }
                Kind::Contact => enum_field(&name, "Accepte d'être recontacté (coordonnées chiffrées dans contacts/)", strings(&["oui", "non"])),
                _ => enum_field(&name, title, with_skip(question)),
            }
        }
        Col::Row(question, r) => enum_field(&name, question.rows[*r].label.fr(), with_skip(question)),
        Col::Profile(p) => match *p {
            "autonomie" => enum_field(&name, "Autonomie (La Coop)", strings(vocab::COOP_AUTONOMIE)),
            "niveau" => enum_field(&name, "Niveau d'atelier (La Coop)", strings(vocab::COOP_NIVEAU)),
            "type_accompagnement" => enum_field(&name, "Type d'accompagnement (La Coop)", strings(&["individuel", "collectif"])),
            "modalite_principale" => enum_field(&name, "Modalité d'accompagnement conseillée", strings(vocab::STD_MODALITES)),
            "modalites" => list_field(&name, "Modalités d'accompagnement, la conseillée d'abord", strings(vocab::STD_MODALITES)),
            "thematiques" => list_field(&name, "Thématiques suggérées (La Coop)", strings(vocab::COOP_THEMATIQUES)),
            "services" => list_field(&name, "Services suggérés (standard des lieux)", strings(vocab::STD_SERVICES)),
            "prise_en_charge_specifique" => list_field(&name, "Prise en charge spécifique (standard des lieux)", strings(vocab::STD_PRISE_EN_CHARGE)),
            "flags" => list_field(&name, "Points d'attention", strings(vocab::FLAGS)),
            "freins" => {
                let v = q.question(&barrier_question(kiosk)).map(|x| x.choices.iter().map(|c| c.id.clone()).collect()).unwrap_or_default();
                list_field(&name, "Freins", v)
            }
            "tranche_age" => enum_field(&name, "Tranche d'âge (La Coop)", strings(vocab::COOP_TRANCHE_AGE)),
            "genre" => enum_field(&name, "Genre (La Coop)", strings(vocab::COOP_GENRE)),
            "materiel" => enum_field(&name, "Matériel (La Coop)", strings(vocab::COOP_MATERIEL)),
            "interrompu_apres" => {
                let mut v: Vec<String> = q.sections.iter().map(|s| s.id.clone()).collect();
                v.push(PARTIAL_AT_START.into());
                let mut f = enum_field(&name, "Questionnaire interrompu après (« On m'appelle ») : section ; vide si complet", v);
                f["description"] =
                    json!("Visite terminée plus tôt : profil partiel, établi sur les seules réponses données ; « debut » : dès la première question.");
                f
            }
            "capacites_repondues" | "capacites_acquises" => {
                json!({"name": name, "title": p.replace('_', " "), "type": "integer", "constraints": {"minimum": 0}})
            }
            pix => enum_field(
                &name,
                &format!("Niveau du domaine Pix {} (auto-évaluation du visiteur, pas une certification)", &pix[4..]),
                strings(vocab::COOP_NIVEAU),
            ),
        },
    }
}

fn barrier_question(kiosk: &Kiosk) -> String {
    // The rules name it; fall back to the shipped id.
    kiosk.rules.barriers_question().unwrap_or("freins").to_string()
}

/// The cell of a visit for a column.
fn cell(kiosk: &Kiosk, v: &StoredVisit, p: &Profile, c: &Col) -> String {
    let answer = |qid: &str| v.answers.get(qid);
    match c {
        Col::Meta(m) => match *m {
            "visit_id" => v.id.clone(),
            "kiosk_id" => v.kiosk_id.clone(),
            "structure" => kiosk.config.structure.clone(),
            "commune" => kiosk.config.commune.clone(),
            "context" => v.context.clone(),
            "local_date" => v.local_date.clone(),
            "local_hour" => v.local_hour.to_string(),
            "lang" => v.lang.clone(),
            "questionnaire_id" => v.questionnaire_id.clone(),
            "questionnaire_version" => v.questionnaire_version.clone(),
            "rules_id" => v.rules_id.clone(),
            _ => v.rules_version.clone(),
        },
        Col::Question(q) => match (q.kind, answer(&q.id)) {
            (_, None) => String::new(),
            (Kind::Contact, Some(Value::Bool(true))) => "oui".into(),
            (Kind::Contact, Some(_)) => "non".into(),
            (_, Some(Value::Null)) => SKIPPED.into(),
            (_, Some(Value::String(s))) => s.clone(),
            (_, Some(Value::Array(a))) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("|"),
            (_, Some(_)) => String::new(),
        },
        Col::Row(q, r) => match answer(&q.id) {
            None => String::new(),
            Some(Value::Object(o)) => o.get(&q.rows[*r].id).and_then(Value::as_str).unwrap_or(SKIPPED).to_string(),
            Some(_) => SKIPPED.into(),
        },
        Col::Profile(name) => {
            let opt = |o: &Option<String>| o.clone().unwrap_or_default();
            match *name {
                "autonomie" => opt(&p.autonomie),
                "niveau" => opt(&p.niveau),
                "type_accompagnement" => opt(&p.type_accompagnement),
                "modalite_principale" => p.modalites.first().cloned().unwrap_or_default(),
                "modalites" => p.modalites.join("|"),
                "thematiques" => p.thematiques.join("|"),
                "services" => p.services.join("|"),
                "prise_en_charge_specifique" => p.prise_en_charge_specifique.join("|"),
                "flags" => p.flags.join("|"),
                "freins" => p.freins.join("|"),
                "tranche_age" => opt(&p.tranche_age),
                "genre" => opt(&p.genre),
                "materiel" => opt(&p.materiel),
                "interrompu_apres" if p.partial => p.interrompu_apres.clone().unwrap_or_else(|| PARTIAL_AT_START.into()),
                "interrompu_apres" => String::new(),
                "capacites_repondues" => p.capacites_repondues.to_string(),
                "capacites_acquises" => p.capacites_acquises.to_string(),
                pix => {
                    let n: u8 = pix[4..].parse().unwrap_or(0);
                    p.domaines.iter().find(|d| d.pix == n).and_then(|d| d.niveau.clone()).unwrap_or_default()
                }
            }
        }
    }
}

pub(crate) fn csv_writer(w: &mut dyn Write) -> io::Result<SafeCsv<'_>> {
    w.write_all(BOM)?;
    Ok(SafeCsv(csv::WriterBuilder::new().from_writer(w)))
}

/// A CSV writer whose every cell opens safely in a spreadsheet ([`crate::spreadsheet`]): the
/// export's only CSV writer, so that no cell can escape the protection.
pub(crate) struct SafeCsv<'a>(csv::Writer<&'a mut dyn Write>);

impl SafeCsv<'_> {
    pub(crate) fn write_record<I, T>(&mut self, cells: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.0.write_record(cells.into_iter().map(|c| crate::shared::spreadsheet::protect(c.as_ref()).into_owned()))
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

pub(crate) fn csv_io(e: csv::Error) -> io::Error {
    io::Error::other(e.to_string())
}

pub(crate) fn tabular(name: &str, path: &str, title: &str, schema: Value) -> Value {
    json!({
        "name": name, "path": path, "title": title, "profile": "tabular-data-resource",
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "dialect": {"delimiter": ",", "header": true}, "schema": schema,
    })
}

/// What an export did.
#[derive(Debug, Clone)]
pub struct ExportReport {
    pub folder: PathBuf,
    pub record: ExportRecord,
}

/// Export to `dest` (a directory on the stick): the rows not exported yet, or all with `all`.
pub fn export(kiosk: &Kiosk, store: &mut Store, fs: &dyn ExportFs, dest: &Path, all: bool, today: chrono::NaiveDateTime) -> Result<ExportReport, ExportError> {
    let bounds = store.export_bounds(all)?;
    // The key first: no folder is started when the kiosk cannot sign it.
    let key = crate::shared::signing::kiosk_key(&kiosk.config.data_dir, &kiosk.config.kiosk_id).map_err(ExportError::Key)?;
    let (new_visits, new_abandons) = store.unexported()?;
    if !all && new_visits == 0 && new_abandons == 0 {
        return Err(ExportError::NothingNew);
    }
    let date = today.date();
    let base = format!("passerelle-{}-{}", kiosk.config.kiosk_id, date.format("%Y-%m-%d"));
    let mut folder = dest.join(&base);
    let mut n = 2;
    while fs.exists(&folder) {
        folder = dest.join(format!("{base}-{n}"));
        n += 1;
    }
    let folder_name = folder.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
    fs.create_dir_all(&folder.join("contacts")).map_err(|source| ExportError::Write { file: folder_name.clone(), source })?;
    let result = write_all(kiosk, store, fs, &folder, bounds, &key);
    let files = match result {
        Ok(f) => f,
        Err(e) => {
            // Leave no half-written folder behind when the stick is still there.
            let _ = fs.remove_dir_all(&folder);
            return Err(e);
        }
    };
    read_back(fs, &folder, &files)?;
    let record = store.mark_exported(bounds, &folder_name, date, chrono::Timelike::hour(&today) as u8)?;
    log::info!("export {}: {} visits, {} abandoned, {} contacts", record.batch, record.visits, record.abandons, record.contacts);
    Ok(ExportReport { folder, record })
}

/// Reads every file back from the stick and checks it against the hash it was written with.
pub(crate) fn read_back(fs: &dyn ExportFs, folder: &Path, files: &[Written]) -> Result<(), ExportError> {
    for f in files {
        let ok = fs.open(&folder.join(&f.name)).and_then(|mut r| {
            let mut h = Sha256::new();
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = r.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
            }
            Ok(hex(&h.finalize()))
        });
        match ok {
            Ok(h) if h == f.sha256 => {}
            Ok(_) => {
                return Err(ExportError::Verify { file: f.name.clone() });
            }
            Err(source) => {
                return Err(ExportError::Write { file: f.name.clone(), source });
            }
        }
    }
    Ok(())
}

fn write_all(
    kiosk: &Kiosk,
    store: &Store,
    fs: &dyn ExportFs,
    folder: &Path,
    bounds: ExportBounds,
    key: &crate::shared::signing::SigningKey,
) -> Result<Vec<Written>, ExportError> {
    let mut w = Writer { fs, dir: folder.to_path_buf(), files: Vec::new() };
    let cols = columns(kiosk);
    let multiples: Vec<&Question> = kiosk.questionnaire.questions().iter().filter(|q| q.kind == Kind::Multiple).collect();
    // visits.csv and choix_multiples.csv in one pass over the store.
    let mut multi_rows: Vec<[String; 4]> = Vec::new();
    let mut store_err: Option<StoreError> = None;
    // visites.xlsx, filled in the same pass (a spreadsheet that opens right in French Excel). It
    // is a convenience: when it cannot be made the export goes on without it.
    let header: Vec<String> = cols.iter().map(col_name).collect();
    let numeric: Vec<bool> = header.iter().map(|h| matches!(h.as_str(), "local_hour" | "profil.capacites_repondues" | "profil.capacites_acquises")).collect();
    let mut book = Ok(crate::shared::xlsx::Book::new()).and_then(|mut b| b.sheet("visites", &header, numeric).map(|_| b));
    w.file("visits.csv", &mut |out| {
        let mut c = csv_writer(out)?;
        c.write_record(cols.iter().map(col_name)).map_err(csv_io)?;
        // A write error inside the row loop is kept aside as the I/O error it is.
        let mut write_err: Option<io::Error> = None;
        let r = store.for_each_export_visit(bounds, |v| {
            let p: Profile = serde_json::from_value(v.profile.clone()).unwrap_or_default();
            let row: Vec<String> = cols.iter().map(|col| cell(kiosk, &v, &p, col)).collect();
            if let Err(e) = c.write_record(&row) {
                write_err = Some(csv_io(e));
                return Err(StoreError::Sql(rusqlite::Error::InvalidQuery));
            }
            if let Ok(b) = &mut book
                && let Err(e) = b.row(&row)
            {
                book = Err(e);
            }
            for q in &multiples {
                if let Some(Value::Array(a)) = v.answers.get(&q.id) {
                    for ch in a.iter().filter_map(Value::as_str) {
                        multi_rows.push([v.kiosk_id.clone(), v.id.clone(), q.id.clone(), ch.to_string()]);
                    }
                }
            }
            Ok(())
        });
        if let Some(e) = write_err {
            return Err(e);
        }
        if let Err(e) = r {
            let msg = e.to_string();
            store_err = Some(e);
            return Err(io::Error::other(msg));
        }
        c.flush()
    })
    .map_err(|e| store_err.take().map(ExportError::Store).unwrap_or(e))?;
    w.file("choix_multiples.csv", &mut |out| {
        let mut c = csv_writer(out)?;
        c.write_record(["kiosk_id", "visit_id", "question_id", "choice_id"]).map_err(csv_io)?;
        for r in &multi_rows {
            c.write_record(r).map_err(csv_io)?;
        }
        c.flush()
    })?;
    let abandons = store.export_abandons(bounds)?;
    w.file("abandons.csv", &mut |out| {
        let mut c = csv_writer(out)?;
        c.write_record(["kiosk_id", "abandon_id", "local_date", "local_hour", "step", "questionnaire_version"]).map_err(csv_io)?;
        for a in &abandons {
            c.write_record([
                a.kiosk_id.clone(),
                a.seq.to_string(),
                a.local_date.clone(),
                a.local_hour.to_string(),
                a.step.clone(),
                a.questionnaire_version.clone(),
            ])
            .map_err(csv_io)?;
        }
        c.flush()
    })?;
    let dict = dictionary(kiosk);
    w.file("dictionnaire.csv", &mut |out| {
        let mut c = csv_writer(out)?;
        c.write_record(["element", "question_id", "id", "label_fr", "label_en"]).map_err(csv_io)?;
        for r in &dict {
            c.write_record(r).map_err(csv_io)?;
        }
        c.flush()
    })?;
    let xlsx = book.and_then(|mut b| {
        b.sheet("dictionnaire", &["element", "question_id", "id", "label_fr", "label_en"], vec![false; 5])?;
        for r in &dict {
            b.row(r)?;
        }
        b.bytes()
    });
    match xlsx {
        Ok(bytes) => w.file(XLSX, &mut |out| out.write_all(&bytes))?,
        Err(e) => log::warn!("visites.xlsx left out of the export: {e}"),
    }
    let contacts = store.export_contacts(bounds)?;
    for (id, sealed) in &contacts {
        w.file(&format!("contacts/{id}.age"), &mut |out| out.write_all(sealed))?;
    }
    let package = datapackage(kiosk, &cols, &w.files, &multiples, &folder.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default());
    w.file("datapackage.json", &mut |out| {
        serde_json::to_writer_pretty(&mut *out, &package).map_err(io::Error::other)?;
        out.write_all(b"\n")
    })?;
    let readme = readme(kiosk, contacts.len());
    w.file("LISEZMOI.txt", &mut |out| out.write_all(readme.as_bytes()))?;
    let sums: String = w.files.iter().map(|f| format!("{}  {}\n", f.sha256, f.name)).collect();
    w.file("SHA256SUMS", &mut |out| out.write_all(sums.as_bytes()))?;
    // The signature covers every file through SHA256SUMS (minisign -Vm SHA256SUMS -P KEY).
    let sig = key.sign(sums.as_bytes(), &format!("passerelle borne={} format={FORMAT}", kiosk.config.kiosk_id)).map_err(ExportError::Key)?;
    w.file(crate::shared::signing::SIG_FILE, &mut |out| out.write_all(sig.as_bytes()))?;
    fs.sync_dir(&folder.join("contacts")).map_err(|source| ExportError::Write { file: "contacts".into(), source })?;
    fs.sync_dir(folder).map_err(|source| ExportError::Write { file: ".".into(), source })?;
    // The folder's own entry lives in its parent (the stick's root): sync it too, or a stick
    // pulled now could lose the whole folder.
    if let Some(parent) = folder.parent() {
        fs.sync_dir(parent).map_err(|source| ExportError::Write { file: "..".into(), source })?;
    }
    Ok(w.files)
}

/// Every id of the data dictionary with its labels.
fn dictionary(kiosk: &Kiosk) -> Vec<[String; 5]> {
    let mut rows = Vec::new();
    for q in kiosk.questionnaire.questions() {
        rows.push(["question".into(), q.id.clone(), q.id.clone(), q.label.get("fr").into(), q.label.get("en").into()]);
        for c in &q.choices {
            rows.push(["choice".into(), q.id.clone(), c.id.clone(), c.label.get("fr").into(), c.label.get("en").into()]);
        }
        for r in &q.rows {
            rows.push(["row".into(), q.id.clone(), r.id.clone(), r.label.get("fr").into(), r.label.get("en").into()]);
        }
        if !q.choices.is_empty() && q.kind != Kind::Contact {
            rows.push(["choice".into(), q.id.clone(), SKIPPED.into(), "Je préfère ne pas répondre".into(), "I prefer not to answer".into()]);
        }
    }
    for v in vocab::COOP_AUTONOMIE.iter().chain(vocab::COOP_THEMATIQUES).chain(vocab::COOP_NIVEAU) {
        rows.push(["profile".into(), String::new(), v.to_string(), vocab::label(v, "fr"), vocab::label(v, "en")]);
    }
    for (f, label) in &kiosk.rules.flags {
        rows.push(["flag".into(), String::new(), f.clone(), label.get("fr").into(), label.get("en").into()]);
    }
    rows
}

fn datapackage(kiosk: &Kiosk, cols: &[Col], files: &[Written], multiples: &[&Question], folder: &str) -> Value {
    let hash = |name: &str| files.iter().find(|f| f.name == name).map(|f| (format!("sha256:{}", f.sha256), f.bytes));
    let with_hash = |mut r: Value| {
        if let Some((h, b)) = hash(r["path"].as_str().unwrap_or_default()) {
            r["hash"] = json!(h);
            r["bytes"] = json!(b);
        }
        r
    };
    let mut resources = vec![
        with_hash(tabular(
            "visits",
            "visits.csv",
            "Visites terminées : réponses et profil",
            json!({"fields": cols.iter().map(|c| field(kiosk, c)).collect::<Vec<_>>(), "primaryKey": ["kiosk_id", "visit_id"], "missingValues": [""]}),
        )),
        with_hash(tabular(
            "choix_multiples",
            "choix_multiples.csv",
            "Réponses des questions à choix multiples, une ligne par choix",
            json!({
                "fields": [
                    {"name": "kiosk_id", "type": "string", "constraints": {"required": true, "pattern": KIOSK_ID_PATTERN}},
                    {"name": "visit_id", "type": "string", "constraints": {"required": true}},
                    {"name": "question_id", "type": "string", "constraints": {"required": true, "enum": multiples.iter().map(|q| q.id.clone()).collect::<Vec<_>>()}},
                    {"name": "choice_id", "type": "string", "constraints": {"required": true}},
                ],
                "primaryKey": ["kiosk_id", "visit_id", "question_id", "choice_id"],
                "foreignKeys": [{"fields": ["kiosk_id", "visit_id"], "reference": {"resource": "visits", "fields": ["kiosk_id", "visit_id"]}}],
            }),
        )),
        with_hash(tabular(
            "abandons",
            "abandons.csv",
            "Visites abandonnées : seulement l'étape atteinte",
            json!({
                "fields": [
                    {"name": "kiosk_id", "type": "string", "constraints": {"required": true, "pattern": KIOSK_ID_PATTERN}},
                    {"name": "abandon_id", "type": "integer", "constraints": {"required": true}},
                    {"name": "local_date", "type": "date", "constraints": {"required": true}},
                    {"name": "local_hour", "type": "integer", "constraints": {"required": true, "minimum": 0, "maximum": 23}},
                    {"name": "step", "type": "string", "constraints": {"required": true}},
                    {"name": "questionnaire_version", "type": "string"},
                ],
                "primaryKey": ["kiosk_id", "abandon_id"],
            }),
        )),
        with_hash(tabular(
            "dictionnaire",
            "dictionnaire.csv",
            "Dictionnaire des données : chaque identifiant et son libellé",
            json!({
                "fields": [
                    {"name": "element", "type": "string", "constraints": {"required": true, "enum": ["question", "choice", "row", "profile", "flag"]}},
                    {"name": "question_id", "type": "string"},
                    {"name": "id", "type": "string", "constraints": {"required": true}},
                    {"name": "label_fr", "type": "string"},
                    {"name": "label_en", "type": "string"},
                ],
            }),
        )),
    ];
    // visites.xlsx is not a resource (Frictionless would read it as a table of its own): it is
    // a copy of visits.csv and dictionnaire.csv for people, covered by SHA256SUMS.
    for f in files.iter().filter(|f| f.name.starts_with("contacts/")) {
        resources.push(json!({
            "name": format!("contact-{}", f.name.trim_start_matches("contacts/").trim_end_matches(".age").to_lowercase()),
            "path": f.name,
            "title": "Coordonnées chiffrées (age, clé de l'administrateur)",
            "profile": "data-resource",
            "format": "age",
            "mediatype": "application/octet-stream",
            "hash": format!("sha256:{}", f.sha256),
            "bytes": f.bytes,
        }));
    }
    json!({
        "profile": "data-package",
        "name": folder.to_lowercase(),
        "title": format!("Passerelle — {} ({})", kiosk.config.structure, kiosk.config.commune),
        "description": "Réponses au questionnaire de positionnement numérique et profils (La Coop de la médiation numérique, standard des lieux de médiation numérique).",
        "version": format!("{FORMAT}.0.0"),
        "passerelle": {
            "format": FORMAT,
            "kiosk_id": kiosk.config.kiosk_id,
            "structure": kiosk.config.structure,
            "commune": kiosk.config.commune,
            "questionnaire_id": kiosk.questionnaire.id,
            "questionnaire_version": kiosk.questionnaire.version,
            "rules_version": kiosk.rules.version,
            "skip_code": SKIPPED,
        },
        "resources": resources,
    })
}

fn readme(kiosk: &Kiosk, contacts: usize) -> String {
    format!(
        "Export Passerelle — {structure} ({commune}), borne {kiosk}\n\n\
         visits.csv            une ligne par visite terminée : réponses (identifiants) et profil\n\
         choix_multiples.csv   une ligne par choix des questions à choix multiples\n\
         abandons.csv          visites abandonnées : seulement l'étape atteinte\n\
         dictionnaire.csv      chaque identifiant avec son libellé en français et en anglais\n\
         visites.xlsx          les visites et le dictionnaire en tableur : s'ouvre d'un double-clic dans Excel ou LibreOffice\n\
         datapackage.json      description des tables (Table Schema, schema.data.gouv.fr)\n\
         contacts/             {contacts} fichier(s) de coordonnées, chiffrés pour la clé de l'administrateur\n\
         SHA256SUMS            empreintes : `sha256sum -c SHA256SUMS`\n\
         SHA256SUMS.minisig    signature de la borne : `minisign -Vm SHA256SUMS -P CLE_PUBLIQUE` (passerelle signing-key)\n\n\
         Données pseudonymes, pas anonymes : la référence d'une visite la relie à son ticket et, avec la clé\n\
         de l'administrateur, aux coordonnées chiffrées. Santé (handicap) : donnée sensible, à protéger.\n\n\
         Dans les réponses : case vide = question non posée ; « {SKIPPED} » = la personne a préféré ne pas répondre ;\n\
         plusieurs valeurs sont séparées par « | ». Fichiers CSV en UTF-8 (avec BOM), séparateur virgule, dates AAAA-MM-JJ.\n\
         Une apostrophe en tête d'une case (') protège les tableurs des formules : elle ne fait pas partie de la valeur.\n\n\
         Lire les coordonnées : passerelle decrypt --identity CLE.txt DOSSIER (ou l'outil age : age -d -i CLE.txt contacts/X.age).\n\
         Vérifier : frictionless validate datapackage.json\n",
        structure = kiosk.config.structure,
        commune = kiosk.config.commune,
        kiosk = kiosk.config.kiosk_id,
    )
}
