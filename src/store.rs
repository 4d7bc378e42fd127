//! The durable local store: SQLite (bundled) in the data directory, WAL with
//! `synchronous=FULL`, versioned migrations, owner-only file permissions.
//!
//! A finished visit is one transaction (visit row + sealed contact row): it is either fully
//! there or not at all, and it is committed before the visitor sees the end screen.
//! Only the local date and hour are stored, never a finer timestamp.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub const DB_FILE: &str = "passerelle.db";

/// Migrations, applied in order; `PRAGMA user_version` records how many ran. Never edit one
/// that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
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
];

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the disk is full: the visit was not saved")]
    DiskFull,
    #[error("the database {path} is damaged ({detail}); it was not modified")]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the database was written by a newer Passerelle (schema {found}, this one knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("database error: {0}")]
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                StoreError::Corrupt {
                    path: PathBuf::new(),
                    detail: e.to_string(),
                }
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
}

fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let err = |source| StoreError::DataDir {
        path: dir.to_path_buf(),
        source,
    };
    if !dir.exists() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(err)?;
        }
        #[cfg(not(unix))]
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    Ok(())
}

impl Store {
    /// Open (or create) the store in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        create_private_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        Self::open_file(&path)
    }

    pub fn open_file(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            // Create the file owner-only before SQLite opens it (WAL and SHM files inherit it).
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                o.mode(0o600);
            }
            o.open(path).map_err(|source| StoreError::DataDir {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let corrupt = |e: StoreError| match e {
            StoreError::Corrupt { detail, .. } => StoreError::Corrupt {
                path: path.to_path_buf(),
                detail,
            },
            other => other,
        };
        let conn = Connection::open(path)
            .map_err(StoreError::from)
            .map_err(corrupt)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.setup().map_err(corrupt)?;
        Ok(store)
    }

    fn setup(&mut self) -> Result<(), StoreError> {
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if mode.to_lowercase() != "wal" {
            log::warn!("journal mode is {mode}, not WAL");
        }
        self.conn
            .execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
            log::info!("store migrated to schema {}", i + 1);
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// `PRAGMA integrity_check`: Ok when the database is sound.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let r: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if r == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: r,
            })
        }
    }

    pub fn id_exists(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM visits WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Store a finished visit and its sealed contact details in one transaction.
    pub fn save_visit(&mut self, v: &NewVisit) -> Result<i64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO visits (id, kiosk_id, local_date, local_hour, lang, context, questionnaire_id,
                questionnaire_version, rules_id, rules_version, answers, profile, payload)
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
                v.answers,
                v.profile,
                v.payload
            ],
        )?;
        let seq = tx.last_insert_rowid();
        if let Some(sealed) = &v.sealed_contact {
            tx.execute(
                "INSERT INTO contacts (visit_id, sealed) VALUES (?1, ?2)",
                params![v.id, sealed],
            )?;
        }
        tx.commit()?;
        Ok(seq)
    }

    /// Record that a visit was abandoned at `step` (nothing else of it is kept).
    pub fn record_abandon(
        &mut self,
        kiosk_id: &str,
        date: NaiveDate,
        hour: u8,
        step: &str,
        questionnaire_version: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO abandons (kiosk_id, local_date, local_hour, step, questionnaire_version) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![kiosk_id, date.format("%Y-%m-%d").to_string(), hour, step, questionnaire_version],
        )?;
        Ok(())
    }

    fn row_to_visit(r: &rusqlite::Row) -> rusqlite::Result<StoredVisit> {
        let json = |i: usize| -> rusqlite::Result<serde_json::Value> {
            let s: String = r.get(i)?;
            serde_json::from_str(&s).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    i,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })
        };
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
            answers: json(11)?,
            profile: json(12)?,
            payload: r.get(13)?,
            has_contact: r.get(14)?,
        })
    }

    const VISIT_COLUMNS: &'static str = "v.seq, v.id, v.kiosk_id, v.local_date, v.local_hour, v.lang, v.context, v.questionnaire_id,
        v.questionnaire_version, v.rules_id, v.rules_version, v.answers, v.profile, v.payload,
        EXISTS (SELECT 1 FROM contacts c WHERE c.visit_id = v.id)";

    pub fn visit(&self, id: &str) -> Result<Option<StoredVisit>, StoreError> {
        let sql = format!(
            "SELECT {} FROM visits v WHERE v.id = ?1",
            Self::VISIT_COLUMNS
        );
        Ok(self
            .conn
            .query_row(&sql, [id], Self::row_to_visit)
            .optional()?)
    }

    /// All visits in the order they were stored (not by date: a kiosk clock may be wrong).
    pub fn visits(&self) -> Result<Vec<StoredVisit>, StoreError> {
        let sql = format!(
            "SELECT {} FROM visits v ORDER BY v.seq",
            Self::VISIT_COLUMNS
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], Self::row_to_visit)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn sealed_contact(&self, visit_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT sealed FROM contacts WHERE visit_id = ?1",
                [visit_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn stats(&self) -> Result<Stats, StoreError> {
        let c = &self.conn;
        let mut s = Stats {
            finished: c.query_row("SELECT count(*) FROM visits", [], |r| r.get(0))?,
            abandoned: c.query_row("SELECT count(*) FROM abandons", [], |r| r.get(0))?,
            with_contact: c.query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))?,
            ..Stats::default()
        };
        let mut st = c.prepare("SELECT coalesce(json_extract(profile, '$.autonomie'), 'non_evalue'), count(*) FROM visits GROUP BY 1")?;
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
        for row in st.query_map([], |r| {
            Ok(DayCount {
                date: r.get(0)?,
                finished: r.get(1)?,
                abandoned: r.get(2)?,
            })
        })? {
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
