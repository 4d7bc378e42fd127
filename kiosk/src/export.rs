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

use crate::Kiosk;
use crate::store::{ExportBounds, ExportRecord, Store, StoreError};
use passerelle_core::profile::Profile;
use passerelle_core::questionnaire::{Kind, Question};

use serde_json::Value;

use std::io;
use std::path::{Path, PathBuf};
use thiserror::Error;

use passerelle_package::columns::{Column, VisitRecord, Xlsx, columns};
use passerelle_package::export_meta::{datapackage, dictionary, readme};
pub use passerelle_package::format::{BOM, FORMAT, KIOSK_ID_PATTERN, PARTIAL_AT_START, PARTIAL_COLUMN, PROFILE_PREFIX, SKIPPED, XLSX};
use passerelle_package::write::{WriteError, Writer, Written, csv_writer};

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

pub use passerelle_shared::folder::{ExportFs, FolderSink, ReadBackError, RealFs};

impl From<WriteError> for ExportError {
    fn from(e: WriteError) -> ExportError {
        match e {
            WriteError::Io { file, source } => ExportError::Write { file, source },
            WriteError::Key(k) => ExportError::Key(k),
        }
    }
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
    let key = passerelle_shared::keys::kiosk_key(&kiosk.defs.config.data_dir, &kiosk.defs.config.kiosk_id).map_err(ExportError::Key)?;
    let (new_visits, new_abandons) = store.unexported()?;
    if !all && new_visits == 0 && new_abandons == 0 {
        return Err(ExportError::NothingNew);
    }
    let date = today.date();
    let base = format!("passerelle-{}-{}", kiosk.defs.config.kiosk_id, date.format("%Y-%m-%d"));
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
pub fn read_back(fs: &dyn ExportFs, folder: &Path, files: &[Written]) -> Result<(), ExportError> {
    passerelle_shared::folder::read_back(fs, folder, files).map_err(|e| match e {
        ReadBackError::Io { file, source } => ExportError::Write { file, source },
        ReadBackError::Differs { file } => ExportError::Verify { file },
    })
}

fn write_all(
    kiosk: &Kiosk,
    store: &Store,
    fs: &dyn ExportFs,
    folder: &Path,
    bounds: ExportBounds,
    key: &passerelle_package::signing::SigningKey,
) -> Result<Vec<Written>, ExportError> {
    let mut sink = FolderSink { fs, dir: folder.to_path_buf() };
    let mut w = Writer::new(&mut sink);
    let defs = &kiosk.defs;
    let cols = columns(defs);
    let multiples: Vec<&Question> = defs.questionnaire.questions().iter().filter(|q| q.kind == Kind::Multiple).collect();
    // visits.csv and choix_multiples.csv in one pass over the store.
    let mut multi_rows: Vec<[String; 4]> = Vec::new();
    let mut store_err: Option<StoreError> = None;
    // visites.xlsx, filled in the same pass (a spreadsheet that opens right in French Excel). It
    // is a convenience: when it cannot be made the export goes on without it.
    let header: Vec<String> = cols.iter().map(Column::name).collect();
    let numeric: Vec<bool> = cols.iter().map(|c| c.xlsx() == Xlsx::Number).collect();
    // The spreadsheet shows labels (French), not ids: headers and answers.
    let labels: Vec<String> = cols.iter().map(Column::xlsx_header).collect();
    let mut book = Ok(passerelle_shared::xlsx::Book::new()).and_then(|mut b| b.sheet("visites", &labels, numeric).map(|_| b));
    w.file("visits.csv", &mut |out| {
        let mut c = csv_writer(out)?;
        c.write_record(&header)?;
        // A write error inside the row loop is kept aside as the I/O error it is.
        let mut write_err: Option<io::Error> = None;
        let r = store.for_each_export_visit(bounds, |v| {
            let p: Profile = serde_json::from_value(v.profile.clone()).unwrap_or_default();
            let record = VisitRecord {
                id: &v.id,
                kiosk_id: &v.kiosk_id,
                context: &v.context,
                local_date: &v.local_date,
                local_hour: v.local_hour,
                lang: &v.lang,
                questionnaire_id: &v.questionnaire_id,
                questionnaire_version: &v.questionnaire_version,
                rules_id: &v.rules_id,
                rules_version: &v.rules_version,
                answers: &v.answers,
                profile: &p,
            };
            let row: Vec<String> = cols.iter().map(|col| col.cell(defs, &record)).collect();
            if let Err(e) = c.write_record(&row) {
                write_err = Some(e);
                return Err(StoreError::Sql(rusqlite::Error::InvalidQuery));
            }
            if let Ok(b) = &mut book
                && let Err(e) = b.row(&cols.iter().zip(&row).map(|(col, cell)| col.xlsx_label(cell)).collect::<Vec<_>>())
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
    .map_err(|e| store_err.take().map(ExportError::Store).unwrap_or(e.into()))?;
    w.file("choix_multiples.csv", &mut |out| {
        let mut c = csv_writer(out)?;
        c.write_record(["kiosk_id", "visit_id", "question_id", "choice_id"])?;
        for r in &multi_rows {
            c.write_record(r)?;
        }
        c.flush()
    })?;
    let abandons = store.export_abandons(bounds)?;
    w.file("abandons.csv", &mut |out| {
        let mut c = csv_writer(out)?;
        c.write_record(["kiosk_id", "abandon_id", "local_date", "local_hour", "step", "questionnaire_version"])?;
        for a in &abandons {
            c.write_record([
                a.kiosk_id.clone(),
                a.seq.to_string(),
                a.local_date.clone(),
                a.local_hour.to_string(),
                a.step.clone(),
                a.questionnaire_version.clone(),
            ])?;
        }
        c.flush()
    })?;
    let dict = dictionary(defs);
    w.file("dictionnaire.csv", &mut |out| {
        let mut c = csv_writer(out)?;
        c.write_record(["element", "question_id", "id", "label_fr", "label_en"])?;
        for r in &dict {
            c.write_record(r)?;
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
        Ok(bytes) => {
            w.file(XLSX, &mut |out| out.write_all(&bytes))?;
        }
        Err(e) => log::warn!("visites.xlsx left out of the export: {e}"),
    }
    let contacts = store.export_contacts(bounds)?;
    for (id, sealed) in &contacts {
        w.file(&format!("contacts/{id}.age"), &mut |out| out.write_all(sealed))?;
    }
    let package = datapackage(defs, &cols, w.files(), &folder.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default());
    w.file("datapackage.json", &mut |out| {
        serde_json::to_writer_pretty(&mut *out, &package).map_err(io::Error::other)?;
        out.write_all(b"\n")
    })?;
    let readme = readme(defs, contacts.len());
    w.file("LISEZMOI.txt", &mut |out| out.write_all(readme.as_bytes()))?;
    // The signature covers every file through SHA256SUMS (minisign -Vm SHA256SUMS -P KEY).
    let files = w.seal(key, &format!("passerelle borne={} format={FORMAT}", kiosk.defs.config.kiosk_id))?;
    fs.sync_dir(&folder.join("contacts")).map_err(|source| ExportError::Write { file: "contacts".into(), source })?;
    fs.sync_dir(folder).map_err(|source| ExportError::Write { file: ".".into(), source })?;
    // The folder's own entry lives in its parent (the stick's root): sync it too, or a stick
    // pulled now could lose the whole folder.
    if let Some(parent) = folder.parent() {
        fs.sync_dir(parent).map_err(|source| ExportError::Write { file: "..".into(), source })?;
    }
    Ok(files)
}
