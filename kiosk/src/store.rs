//! The durable local store: SQLite (bundled) in the data directory, WAL with
//! `synchronous=FULL`, versioned migrations, owner-only file permissions.
//!
//! A finished visit is one transaction (visit row + sealed contact row): it is either fully
//! there or not at all, and it is committed before the visitor sees the end screen.
//! Only the local date and hour are stored, never a finer timestamp.
//!
//! A full disk ([`crate::disk_space`]): while the reserve is released the store takes no
//! new visit ([`StoreError::DiskFull`]); visits are taken again once space returns.
//! Deleted rows are overwritten (`secure_delete`) and the WAL is truncated after exports,
//! purges and retention, so deleted contact details do not linger in the files.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

use crate::disk_space::{Space, check_space};

mod bookkeeping;
use crate::disk_space::SHM_ROOM;
pub use bookkeeping::{Abandon, ExportBounds, ExportRecord, RetentionReport};

/// Copies of a damaged database are named `passerelle.db.damaged-YYYYMMDD-HHMMSS[-N]`.
const DAMAGED_PREFIX: &str = "passerelle.db.damaged-";

pub const DB_FILE: &str = "passerelle.db";
/// A step of the schema's history: SQL, or Rust for what SQL cannot do (compression).
enum Migration {
    Sql(&'static str),
    Rust(fn(&rusqlite::Transaction) -> rusqlite::Result<()>),
}

/// Migrations, applied in order; `PRAGMA user_version` records how many ran. Never edit one
/// that has shipped: add a new one.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(
        // 1: visits, sealed contacts, abandonments, key/value metadata.
        "CREATE TABLE visits (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        kiosk_id TEXT NOT NULL,
        local_date TEXT NOT NULL,
        local_hour INTEGER NOT NULL CHECK (local_hour BETWEEN 0 AND 23),
        lang TEXT NOT NULL,
        context TEXT NOT NULL,
        questionnaire_id TEXT NOT NULL,
        questionnaire_version TEXT NOT NULL,
        rules_id TEXT NOT NULL,
        rules_version TEXT NOT NULL,
        answers TEXT NOT NULL CHECK (json_valid(answers)),
        profile TEXT NOT NULL CHECK (json_valid(profile)),
        payload TEXT NOT NULL,
        export_batch INTEGER
    );
    CREATE INDEX visits_date ON visits(local_date);
    CREATE TABLE contacts (
        visit_id TEXT PRIMARY KEY REFERENCES visits(id) ON DELETE CASCADE,
        sealed BLOB NOT NULL,
        export_batch INTEGER
    );
    CREATE TABLE abandons (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kiosk_id TEXT NOT NULL,
        local_date TEXT NOT NULL,
        local_hour INTEGER NOT NULL CHECK (local_hour BETWEEN 0 AND 23),
        step TEXT NOT NULL,
        questionnaire_version TEXT NOT NULL,
        export_batch INTEGER
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    ),
    // 2: the log of USB exports.
    Migration::Sql(
        "CREATE TABLE exports (
        batch INTEGER PRIMARY KEY AUTOINCREMENT,
        local_date TEXT NOT NULL,
        local_hour INTEGER NOT NULL,
        folder TEXT NOT NULL,
        visits INTEGER NOT NULL,
        abandons INTEGER NOT NULL,
        contacts INTEGER NOT NULL,
        all_rows INTEGER NOT NULL
    );
    CREATE INDEX visits_export ON visits(export_batch);
    CREATE INDEX abandons_export ON abandons(export_batch);",
    ),
    // 3: answers and profile stored together, compressed (a visit takes about 1.4 KB instead of
    // 4 KB); the autonomy level gets a column of its own for the counts.
    Migration::Rust(migrate_compact_records),
];

/// A visit's answers and profile, as stored: deflate of `{"answers":…,"profile":…}`.
fn pack(answers: &str, profile: &str) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = write!(z, "{{\"answers\":{answers},\"profile\":{profile}}}");
    z.finish().unwrap_or_default()
}

fn unpack(record: &[u8]) -> Result<(serde_json::Value, serde_json::Value), String> {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::DeflateDecoder::new(record).read_to_string(&mut text).map_err(|e| e.to_string())?;
    let mut v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok((v["answers"].take(), v["profile"].take()))
}

fn migrate_compact_records(tx: &rusqlite::Transaction) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE visits_v3 (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            kiosk_id TEXT NOT NULL,
            local_date TEXT NOT NULL,
            local_hour INTEGER NOT NULL CHECK (local_hour BETWEEN 0 AND 23),
            lang TEXT NOT NULL,
            context TEXT NOT NULL,
            questionnaire_id TEXT NOT NULL,
            questionnaire_version TEXT NOT NULL,
            rules_id TEXT NOT NULL,
            rules_version TEXT NOT NULL,
            autonomie TEXT,
            record BLOB NOT NULL CHECK (length(record) > 0),
            payload TEXT NOT NULL,
            export_batch INTEGER
        );",
    )?;
    {
        let mut read = tx.prepare(
            "SELECT seq, id, kiosk_id, local_date, local_hour, lang, context, questionnaire_id, questionnaire_version,
                rules_id, rules_version, json_extract(profile, '$.autonomie'), answers, profile, payload, export_batch FROM visits ORDER BY seq",
        )?;
        let mut write = tx.prepare(
            "INSERT INTO visits_v3 (seq, id, kiosk_id, local_date, local_hour, lang, context, questionnaire_id, questionnaire_version,
                rules_id, rules_version, autonomie, record, payload, export_batch)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let record = pack(&r.get::<_, String>(12)?, &r.get::<_, String>(13)?);
            write.execute(params![
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, String>(10)?,
                r.get::<_, Option<String>>(11)?,
                record,
                r.get::<_, String>(14)?,
                r.get::<_, Option<i64>>(15)?
            ])?;
        }
    }
    tx.execute_batch(
        "DROP TABLE visits;
         ALTER TABLE visits_v3 RENAME TO visits;
         CREATE INDEX visits_date ON visits(local_date);
         CREATE INDEX visits_export ON visits(export_batch);",
    )?;
    Ok(())
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("the disk is full: the visit was not saved")]
    DiskFull,
    #[error("the database {path} is damaged ({detail}); it was not modified")]
    Corrupt { path: PathBuf, detail: String },
    #[error("the database was written by a newer Passerelle (schema {found}, this one knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error("database error: {0}")]
    Sql(rusqlite::Error),
    #[error("{0}")]
    Invalid(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                StoreError::Corrupt { path: PathBuf::new(), detail: e.to_string() }
            }
            _ => StoreError::Sql(e),
        }
    }
}

/// A finished visit, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewVisit {
    pub id: String,
    pub kiosk_id: String,
    pub local_date: NaiveDate,
    pub local_hour: u8,
    pub lang: String,
    pub context: String,
    pub questionnaire_id: String,
    pub questionnaire_version: String,
    pub rules_id: String,
    pub rules_version: String,
    /// JSON object (question id → answer), without contact details.
    pub answers: String,
    /// JSON of the profile.
    pub profile: String,
    /// The profile's autonomy level (a column of its own, for the counts).
    pub autonomie: Option<String>,
    pub payload: String,
    /// Contact details sealed for the admin's key, when the visitor consented.
    pub sealed_contact: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredVisit {
    pub seq: i64,
    pub id: String,
    pub kiosk_id: String,
    pub local_date: String,
    pub local_hour: u8,
    pub lang: String,
    pub context: String,
    pub questionnaire_id: String,
    pub questionnaire_version: String,
    pub rules_id: String,
    pub rules_version: String,
    pub answers: serde_json::Value,
    pub profile: serde_json::Value,
    pub payload: String,
    pub has_contact: bool,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Stats {
    pub finished: i64,
    pub abandoned: i64,
    pub with_contact: i64,
    /// Autonomy level (or "non_evalue") → visits.
    pub autonomy: std::collections::BTreeMap<String, i64>,
    /// Day → (finished, abandoned), ascending.
    pub per_day: Vec<DayCount>,
    /// Step → abandoned visits.
    pub abandoned_at: std::collections::BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DayCount {
    pub date: String,
    pub finished: i64,
    pub abandoned: i64,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    space: Space,
    /// Opened in exclusive locking mode (wal-index in memory) because the disk was full.
    exclusive: bool,
}

fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    passerelle_shared::files::create_private_dir(dir).map_err(|source| StoreError::DataDir { path: dir.to_path_buf(), source })
}

impl Store {
    /// Open the store; if the database is damaged, move it aside (never overwrite it: the
    /// department may recover it) and start a new one. Returns where the damaged file went.
    pub fn open_or_recover(data_dir: &Path, stamp: &str) -> Result<(Store, Option<PathBuf>), StoreError> {
        match Self::open(data_dir) {
            Ok(s) => match s.integrity_check() {
                Ok(()) => Ok((s, None)),
                Err(StoreError::Corrupt { detail, .. }) => {
                    drop(s);
                    let moved = Self::move_aside(data_dir, stamp)?;
                    log::error!("database damaged ({detail}): moved aside to {}", moved.display());
                    Ok((Self::open(data_dir)?, Some(moved)))
                }
                Err(e) => Err(e),
            },
            Err(StoreError::Corrupt { detail, .. }) => {
                let moved = Self::move_aside(data_dir, stamp)?;
                log::error!("database damaged ({detail}): moved aside to {}", moved.display());
                Ok((Self::open(data_dir)?, Some(moved)))
            }
            Err(e) => Err(e),
        }
    }

    fn move_aside(data_dir: &Path, stamp: &str) -> Result<PathBuf, StoreError> {
        let db = data_dir.join(DB_FILE);
        let mut target = data_dir.join(format!("{DB_FILE}.damaged-{stamp}"));
        let mut n = 2;
        while target.exists() {
            target = data_dir.join(format!("{DB_FILE}.damaged-{stamp}-{n}"));
            n += 1;
        }
        let err = |source| StoreError::DataDir { path: target.clone(), source };
        std::fs::rename(&db, &target).map_err(err)?;
        for ext in ["-wal", "-shm"] {
            let side = data_dir.join(format!("{DB_FILE}{ext}"));
            if side.exists() {
                let _ = std::fs::rename(&side, PathBuf::from(format!("{}{ext}", target.display())));
            }
        }
        Ok(target)
    }

    /// Open (or create) the store in `data_dir`. On a full disk the reserve is released first
    /// (see [`check_space`]), so that opening never faults.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        create_private_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        Self::open_file(&path)
    }

    pub fn open_file(path: &Path) -> Result<Store, StoreError> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let space = check_space(dir);
        // Without room for a wal-index, keep it in memory: exclusive locking mode, set before
        // the database is first read. (SQLite extends a new `-shm` by writing one byte per 4 KiB
        // page; on a filesystem of 1 KiB blocks the rest of the page stays a hole, and the first
        // store into the mapping raises SIGBUS when no block is left.) Another process then
        // waits for this one to close, and reports the database as locked.
        let exclusive = space.free.is_some_and(|f| f < SHM_ROOM);
        if space.full {
            log::warn!("the data disk is full ({} kB free): new visits are refused until space returns (passerelle doctor)", space.free.unwrap_or(0) / 1024);
        }
        if exclusive {
            log::warn!("the data disk is full: the database is opened for this process only");
        }
        if !path.exists() {
            // Create the file owner-only before SQLite opens it (WAL and SHM files inherit it).
            passerelle_shared::files::create_owner_only(path).map_err(|source| StoreError::DataDir { path: path.to_path_buf(), source })?;
        }
        let corrupt = |e: StoreError| match e {
            StoreError::Corrupt { detail, .. } => StoreError::Corrupt { path: path.to_path_buf(), detail },
            other => other,
        };
        let conn = Connection::open(path).map_err(StoreError::from).map_err(corrupt)?;
        let mut store = Store { conn, path: path.to_path_buf(), space, exclusive };
        store.setup().map_err(corrupt)?;
        Ok(store)
    }

    fn setup(&mut self) -> Result<(), StoreError> {
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        if self.exclusive {
            self.conn.execute_batch("PRAGMA locking_mode=EXCLUSIVE;")?;
        }
        // Deleted content is overwritten, not just unlinked (contact details, purged visits).
        self.conn.execute_batch("PRAGMA secure_delete=ON;")?;
        // The WAL is copied back every 100 pages (about 400 KB, instead of SQLite's 4 MB): it
        // keeps its largest size on disk, which a nearly full disk cannot spare.
        self.conn.execute_batch("PRAGMA wal_autocheckpoint=100;")?;
        let mode: String = self.conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if mode.to_lowercase() != "wal" {
            log::warn!("journal mode is {mode}, not WAL");
        }
        // Foreign keys are checked after the migrations (a migration may rebuild a table).
        self.conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;")?;
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew { found: version, known });
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            match m {
                Migration::Sql(sql) => tx.execute_batch(sql)?,
                Migration::Rust(f) => f(&tx)?,
            }
            let broken: Option<String> = tx.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).optional()?;
            if let Some(table) = broken {
                return Err(StoreError::Corrupt { path: PathBuf::new(), detail: format!("migration {} broke references in {table}", i + 1) });
            }
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
            log::info!("store migrated to schema {}", i + 1);
        }
        self.conn.execute_batch("PRAGMA foreign_keys=ON;")?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The data disk as last checked.
    pub fn space(&self) -> Space {
        self.space
    }

    /// Check the data disk again (see [`check_space`]); the kiosk calls this now and then.
    pub fn refresh_space(&mut self) -> Space {
        if let Some(dir) = self.path.parent() {
            self.space = check_space(dir);
        }
        self.space
    }

    /// Whether the database was opened for this process only (wal-index in memory), because
    /// the disk was full.
    pub fn exclusive(&self) -> bool {
        self.exclusive
    }

    /// Copy the WAL into the database and truncate it to zero bytes, so that deleted rows do
    /// not linger in old WAL frames. Busy readers only delay it (logged).
    pub fn checkpoint_truncate(&self) -> Result<(), StoreError> {
        let (busy, _, _): (i64, i64, i64) = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        if busy != 0 {
            log::warn!("WAL checkpoint not complete: another connection is reading; deleted rows stay in the WAL until the next one");
        }
        Ok(())
    }

    /// After deleting rows: a failed checkpoint does not undo the deletion, it is logged.
    fn checkpoint_after_delete(&self) {
        if let Err(e) = self.checkpoint_truncate() {
            log::warn!("WAL checkpoint after a deletion failed: {e}");
        }
    }

    /// Refuse a new record when the disk is full (checked now: a `statvfs`).
    fn ensure_room(&mut self) -> Result<(), StoreError> {
        if self.refresh_space().full { Err(StoreError::DiskFull) } else { Ok(()) }
    }

    /// `PRAGMA integrity_check`: Ok when the database is sound.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let r: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if r == "ok" { Ok(()) } else { Err(StoreError::Corrupt { path: self.path.clone(), detail: r }) }
    }

    pub fn id_exists(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.conn.query_row("SELECT 1 FROM visits WHERE id = ?1", [id], |_| Ok(())).optional()?.is_some())
    }

    /// Store a finished visit and its sealed contact details in one transaction.
    pub fn save_visit(&mut self, v: &NewVisit) -> Result<i64, StoreError> {
        for (what, text) in [("answers", &v.answers), ("profile", &v.profile)] {
            if serde_json::from_str::<serde_json::Value>(text).is_err() {
                return Err(StoreError::Invalid(format!("the visit's {what} are not valid JSON")));
            }
        }
        self.ensure_room()?;
        let record = pack(&v.answers, &v.profile);
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO visits (id, kiosk_id, local_date, local_hour, lang, context, questionnaire_id,
                questionnaire_version, rules_id, rules_version, autonomie, record, payload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                v.id,
                v.kiosk_id,
                v.local_date.format("%Y-%m-%d").to_string(),
                v.local_hour,
                v.lang,
                v.context,
                v.questionnaire_id,
                v.questionnaire_version,
                v.rules_id,
                v.rules_version,
                v.autonomie,
                record,
                v.payload
            ],
        )?;
        let seq = tx.last_insert_rowid();
        if let Some(sealed) = &v.sealed_contact {
            tx.execute("INSERT INTO contacts (visit_id, sealed) VALUES (?1, ?2)", params![v.id, sealed])?;
        }
        tx.commit()?;
        Ok(seq)
    }

    /// Record that a visit was abandoned at `step` (nothing else of it is kept).
    pub fn record_abandon(&mut self, kiosk_id: &str, date: NaiveDate, hour: u8, step: &str, questionnaire_version: &str) -> Result<(), StoreError> {
        self.ensure_room()?;
        self.conn.execute(
            "INSERT INTO abandons (kiosk_id, local_date, local_hour, step, questionnaire_version) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![kiosk_id, date.format("%Y-%m-%d").to_string(), hour, step, questionnaire_version],
        )?;
        Ok(())
    }

    fn row_to_visit(r: &rusqlite::Row) -> rusqlite::Result<StoredVisit> {
        let record: Vec<u8> = r.get(11)?;
        let (answers, profile) = unpack(&record)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(11, rusqlite::types::Type::Blob, format!("damaged visit record: {e}").into()))?;
        Ok(StoredVisit {
            seq: r.get(0)?,
            id: r.get(1)?,
            kiosk_id: r.get(2)?,
            local_date: r.get(3)?,
            local_hour: r.get(4)?,
            lang: r.get(5)?,
            context: r.get(6)?,
            questionnaire_id: r.get(7)?,
            questionnaire_version: r.get(8)?,
            rules_id: r.get(9)?,
            rules_version: r.get(10)?,
            answers,
            profile,
            payload: r.get(12)?,
            has_contact: r.get(13)?,
        })
    }

    const VISIT_COLUMNS: &'static str = "v.seq, v.id, v.kiosk_id, v.local_date, v.local_hour, v.lang, v.context, v.questionnaire_id,
        v.questionnaire_version, v.rules_id, v.rules_version, v.record, v.payload,
        EXISTS (SELECT 1 FROM contacts c WHERE c.visit_id = v.id)";

    pub fn visit(&self, id: &str) -> Result<Option<StoredVisit>, StoreError> {
        let sql = format!("SELECT {} FROM visits v WHERE v.id = ?1", Self::VISIT_COLUMNS);
        Ok(self.conn.query_row(&sql, [id], Self::row_to_visit).optional()?)
    }

    /// All visits in the order they were stored (not by date: a kiosk clock may be wrong).
    pub fn visits(&self) -> Result<Vec<StoredVisit>, StoreError> {
        let sql = format!("SELECT {} FROM visits v ORDER BY v.seq", Self::VISIT_COLUMNS);
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], Self::row_to_visit)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn sealed_contact(&self, visit_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.conn.query_row("SELECT sealed FROM contacts WHERE visit_id = ?1", [visit_id], |r| r.get(0)).optional()?)
    }

    pub fn stats(&self) -> Result<Stats, StoreError> {
        let c = &self.conn;
        let mut s = Stats {
            finished: c.query_row("SELECT count(*) FROM visits", [], |r| r.get(0))?,
            abandoned: c.query_row("SELECT count(*) FROM abandons", [], |r| r.get(0))?,
            with_contact: c.query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))?,
            ..Stats::default()
        };
        let mut st = c.prepare("SELECT coalesce(autonomie, 'non_evalue'), count(*) FROM visits GROUP BY 1")?;
        for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (k, n) = row?;
            s.autonomy.insert(k, n);
        }
        let mut st = c.prepare(
            "SELECT d, sum(f), sum(a) FROM (
                SELECT local_date AS d, 1 AS f, 0 AS a FROM visits
                UNION ALL SELECT local_date, 0, 1 FROM abandons
             ) GROUP BY d ORDER BY d",
        )?;
        for row in st.query_map([], |r| Ok(DayCount { date: r.get(0)?, finished: r.get(1)?, abandoned: r.get(2)? }))? {
            s.per_day.push(row?);
        }
        let mut st = c.prepare("SELECT step, count(*) FROM abandons GROUP BY step")?;
        for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (k, n) = row?;
            s.abandoned_at.insert(k, n);
        }
        Ok(s)
    }
}
