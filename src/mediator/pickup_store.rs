//! The mediator's store of pickups: SQLite in its own data directory, with the kiosk's durability
//! rules (owner-only file, WAL, `synchronous=FULL`, `secure_delete`, versioned migrations). One
//! pickup per (kiosk, visit reference): scanning a code twice records it once.

use crate::mediator::pickups::Pickup;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};

pub const DB_FILE: &str = "mediateur.db";

/// Never edit a shipped migration: add one.
const MIGRATIONS: &[&str] = &["CREATE TABLE pickups (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kiosk_id TEXT NOT NULL,
        visit_id TEXT NOT NULL,
        structure_id TEXT NOT NULL,
        local_date TEXT NOT NULL,
        outcome TEXT,
        export_batch INTEGER,
        UNIQUE (kiosk_id, visit_id)
    );
    CREATE TABLE exports (
        batch INTEGER PRIMARY KEY AUTOINCREMENT,
        local_date TEXT NOT NULL,
        folder TEXT NOT NULL,
        pickups INTEGER NOT NULL
    );"];

/// What recording a scan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new pickup.
    New,
    /// This visit was already picked up (on that day): nothing new, or only its outcome was
    /// added (`outcome_added`).
    Already { local_date: String, outcome_added: bool },
}

pub struct PickupStore {
    conn: Connection,
    path: PathBuf,
}

impl PickupStore {
    pub fn open(data_dir: &Path) -> anyhow::Result<PickupStore> {
        crate::shared::files::create_private_dir(data_dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", data_dir.display()))?;
        let path = data_dir.join(DB_FILE);
        if !path.exists() {
            crate::shared::files::create_owner_only(&path).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
        }
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch("PRAGMA secure_delete=ON;")?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            log::warn!("pickup store: journal mode {mode}, not WAL");
        }
        conn.execute_batch("PRAGMA synchronous=FULL;")?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version as usize > MIGRATIONS.len() {
            anyhow::bail!("{} comes from a newer Passerelle (schema {version}): update Passerelle", path.display());
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(m)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
            tx.commit()?;
        }
        Ok(PickupStore { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records a pickup once per (kiosk, visit). A second scan adds an outcome to a pickup that
    /// had none and was not exported yet; otherwise it changes nothing.
    pub fn record(&mut self, p: &Pickup) -> anyhow::Result<Recorded> {
        let tx = self.conn.transaction()?;
        let existing: Option<(String, Option<String>, Option<i64>)> = tx
            .query_row("SELECT local_date, outcome, export_batch FROM pickups WHERE kiosk_id = ?1 AND visit_id = ?2", params![p.kiosk_id, p.visit_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let result = match existing {
            None => {
                tx.execute(
                    "INSERT INTO pickups (kiosk_id, visit_id, structure_id, local_date, outcome) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![p.kiosk_id, p.visit_id, p.structure_id, p.local_date, p.outcome],
                )?;
                Recorded::New
            }
            Some((local_date, None, None)) if p.outcome.is_some() => {
                tx.execute("UPDATE pickups SET outcome = ?3 WHERE kiosk_id = ?1 AND visit_id = ?2", params![p.kiosk_id, p.visit_id, p.outcome])?;
                Recorded::Already { local_date, outcome_added: true }
            }
            Some((local_date, _, _)) => Recorded::Already { local_date, outcome_added: false },
        };
        tx.commit()?;
        Ok(result)
    }

    /// Every pickup, in the order they were recorded.
    pub fn pickups(&self) -> anyhow::Result<Vec<Pickup>> {
        self.select("SELECT kiosk_id, visit_id, structure_id, local_date, outcome FROM pickups ORDER BY seq", [])
    }

    fn select<P: rusqlite::Params>(&self, sql: &str, p: P) -> anyhow::Result<Vec<Pickup>> {
        let mut st = self.conn.prepare(sql)?;
        let rows =
            st.query_map(p, |r| Ok(Pickup { kiosk_id: r.get(0)?, visit_id: r.get(1)?, structure_id: r.get(2)?, local_date: r.get(3)?, outcome: r.get(4)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The pickups an export takes: those not exported yet (or all), up to the last seq now.
    pub fn for_export(&self, all: bool) -> anyhow::Result<(i64, Vec<Pickup>)> {
        let last: i64 = self.conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM pickups", [], |r| r.get(0))?;
        let rows = if all {
            self.select("SELECT kiosk_id, visit_id, structure_id, local_date, outcome FROM pickups WHERE seq <= ?1 ORDER BY seq", [last])?
        } else {
            self.select(
                "SELECT kiosk_id, visit_id, structure_id, local_date, outcome FROM pickups WHERE seq <= ?1 AND export_batch IS NULL ORDER BY seq",
                [last],
            )?
        };
        Ok((last, rows))
    }

    /// Marks the pickups up to `last` as exported, once the package was written and read back.
    pub fn mark_exported(&mut self, last: i64, folder: &str, day: &str, count: usize) -> anyhow::Result<i64> {
        let tx = self.conn.transaction()?;
        tx.execute("INSERT INTO exports (local_date, folder, pickups) VALUES (?1, ?2, ?3)", params![day, folder, count as i64])?;
        let batch = tx.last_insert_rowid();
        tx.execute("UPDATE pickups SET export_batch = ?1 WHERE seq <= ?2 AND export_batch IS NULL", params![batch, last])?;
        tx.commit()?;
        Ok(batch)
    }
}
