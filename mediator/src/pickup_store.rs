//! The mediator's store of pickups: SQLite in its own data directory, with the kiosk's durability
//! rules (owner-only file, WAL, `synchronous=FULL`, `secure_delete`, versioned migrations). One
//! pickup per (kiosk, visit reference): scanning a code twice records it once.

use crate::pickups::Pickup;
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

pub use crate::pickup_rule::Recorded;

/// A pickup as the mediator's list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub pickup: Pickup,
    /// The folder and day of the export that took it, when one did.
    pub exported_in: Option<(String, String)>,
}

/// Why a pickup was not removed.
#[derive(Debug, thiserror::Error)]
pub enum RemoveError {
    #[error("Aucune prise en charge enregistrée pour la référence {0}.")]
    NotFound(String),
    #[error("La référence {reference} existe pour plusieurs bornes ({}) : précisez la borne avec --kiosk.", kiosks.join(", "))]
    Ambiguous { reference: String, kiosks: Vec<String> },
    #[error("base des prises en charge illisible : {0}")]
    Store(#[from] rusqlite::Error),
}

pub struct PickupStore {
    conn: Connection,
    path: PathBuf,
}

impl PickupStore {
    pub fn open(data_dir: &Path) -> anyhow::Result<PickupStore> {
        passerelle_shared::files::create_private_dir(data_dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", data_dir.display()))?;
        let path = data_dir.join(DB_FILE);
        if !path.exists() {
            passerelle_shared::files::create_owner_only(&path).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
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

    /// Records a pickup once per (kiosk, visit), by the one rule of pickups
    /// ([`crate::pickup_rule`]): the same code again changes nothing, another outcome replaces
    /// the recorded one (and the pickup goes into the next export again).
    pub fn record(&mut self, p: &Pickup) -> anyhow::Result<Recorded> {
        let tx = self.conn.transaction()?;
        let existing: Option<(String, Option<String>)> = tx
            .query_row("SELECT local_date, outcome FROM pickups WHERE kiosk_id = ?1 AND visit_id = ?2", params![p.kiosk_id, p.visit_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let result = Recorded::decide(existing.as_ref().map(|(d, o)| crate::pickup_rule::Existing { local_date: d, outcome: o.as_deref() }), p);
        match (&result, result.stored(p)) {
            (Recorded::New, _) => {
                tx.execute(
                    "INSERT INTO pickups (kiosk_id, visit_id, structure_id, local_date, outcome) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![p.kiosk_id, p.visit_id, p.structure_id, p.local_date, p.outcome],
                )?;
            }
            (_, Some(now)) => {
                tx.execute(
                    "UPDATE pickups SET outcome = ?3, export_batch = NULL WHERE kiosk_id = ?1 AND visit_id = ?2",
                    params![p.kiosk_id, p.visit_id, now.outcome],
                )?;
            }
            (_, None) => {}
        }
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

    /// Every pickup with where it went: the folder of the export that took it, if any.
    pub fn listed(&self) -> rusqlite::Result<Vec<Listed>> {
        let mut st = self.conn.prepare(
            "SELECT p.kiosk_id, p.visit_id, p.structure_id, p.local_date, p.outcome, e.folder, e.local_date
             FROM pickups p LEFT JOIN exports e ON e.batch = p.export_batch ORDER BY p.seq",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Listed {
                pickup: Pickup { kiosk_id: r.get(0)?, visit_id: r.get(1)?, structure_id: r.get(2)?, local_date: r.get(3)?, outcome: r.get(4)? },
                exported_in: r.get::<_, Option<String>>(5)?.zip(r.get::<_, Option<String>>(6)?),
            })
        })?;
        rows.collect()
    }

    /// Removes the pickup of one visit (a code recorded by mistake). `reference` is the visit's
    /// reference as the ticket shows it (`ABCD-EFGH`) or as stored; `kiosk` is needed only when
    /// two kiosks have a visit of that reference. Nothing is removed unless exactly one matches.
    pub fn remove(&mut self, reference: &str, kiosk: Option<&str>) -> Result<Listed, RemoveError> {
        let wanted: String = reference.chars().filter(|c| *c != '-' && !c.is_whitespace()).collect::<String>().to_uppercase();
        let matches: Vec<Listed> = self.listed()?.into_iter().filter(|l| l.pickup.visit_id == wanted && kiosk.is_none_or(|k| l.pickup.kiosk_id == k)).collect();
        match matches.as_slice() {
            [] => Err(RemoveError::NotFound(reference.to_string())),
            [one] => {
                self.conn.execute("DELETE FROM pickups WHERE kiosk_id = ?1 AND visit_id = ?2", params![one.pickup.kiosk_id, one.pickup.visit_id])?;
                Ok(one.clone())
            }
            many => Err(RemoveError::Ambiguous { reference: reference.to_string(), kiosks: many.iter().map(|l| l.pickup.kiosk_id.clone()).collect() }),
        }
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
