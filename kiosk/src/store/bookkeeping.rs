//! The store's bookkeeping: what an export takes and marks, the log of exports, the admin's purge
//! and retention. Deleted rows leave the files (`secure_delete`, the WAL truncated afterwards).

use super::*;

/// An abandoned visit as stored.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Abandon {
    pub seq: i64,
    pub kiosk_id: String,
    pub local_date: String,
    pub local_hour: u8,
    pub step: String,
    pub questionnaire_version: String,
}

/// One USB export, as logged.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExportRecord {
    pub batch: i64,
    pub local_date: String,
    pub local_hour: u8,
    pub folder: String,
    pub visits: i64,
    pub abandons: i64,
    pub contacts: i64,
}

/// What an export takes: rows up to these sequence numbers (rows stored meanwhile wait for the
/// next export).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportBounds {
    pub max_visit: i64,
    pub max_abandon: i64,
    pub all: bool,
}

/// Counts of what a retention pass deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RetentionReport {
    pub visits: usize,
    pub abandons: usize,
    pub contacts: usize,
    /// Copies of a damaged database (with their -wal and -shm files) deleted.
    pub damaged_copies: usize,
}

impl Store {
    pub fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn meta_set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])?;
        Ok(())
    }

    /// The rows an export would take now.
    pub fn export_bounds(&self, all: bool) -> Result<ExportBounds, StoreError> {
        let max_visit = self.conn.query_row("SELECT coalesce(max(seq), 0) FROM visits", [], |r| r.get(0))?;
        let max_abandon = self.conn.query_row("SELECT coalesce(max(seq), 0) FROM abandons", [], |r| r.get(0))?;
        Ok(ExportBounds { max_visit, max_abandon, all })
    }

    fn export_filter(all: bool) -> &'static str {
        if all { "" } else { " AND export_batch IS NULL" }
    }

    /// Visit the visits of an export in storage order, one at a time (exports can be large).
    pub fn for_each_export_visit(&self, b: ExportBounds, mut f: impl FnMut(StoredVisit) -> Result<(), StoreError>) -> Result<usize, StoreError> {
        let sql = format!(
            "SELECT {} FROM visits v WHERE v.seq <= ?1{} ORDER BY v.seq",
            Self::VISIT_COLUMNS,
            Self::export_filter(b.all).replace("export_batch", "v.export_batch")
        );
        let mut st = self.conn.prepare(&sql)?;
        let mut rows = st.query([b.max_visit])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            f(Self::row_to_visit(r)?)?;
            n += 1;
        }
        Ok(n)
    }

    pub fn export_abandons(&self, b: ExportBounds) -> Result<Vec<Abandon>, StoreError> {
        let sql = format!(
            "SELECT seq, kiosk_id, local_date, local_hour, step, questionnaire_version FROM abandons WHERE seq <= ?1{} ORDER BY seq",
            Self::export_filter(b.all)
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([b.max_abandon], |r| {
            Ok(Abandon { seq: r.get(0)?, kiosk_id: r.get(1)?, local_date: r.get(2)?, local_hour: r.get(3)?, step: r.get(4)?, questionnaire_version: r.get(5)? })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Sealed contact details of the visits of an export.
    pub fn export_contacts(&self, b: ExportBounds) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let sql = format!(
            "SELECT c.visit_id, c.sealed FROM contacts c JOIN visits v ON v.id = c.visit_id WHERE v.seq <= ?1{} ORDER BY v.seq",
            if b.all { "" } else { " AND c.export_batch IS NULL" }
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([b.max_visit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Mark what an export wrote, in one transaction, and log it. Contact details, once
    /// exported, are deleted from the kiosk.
    pub fn mark_exported(&mut self, b: ExportBounds, folder: &str, date: NaiveDate, hour: u8) -> Result<ExportRecord, StoreError> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let counts = |sql: &str, max: i64| -> rusqlite::Result<i64> { tx.query_row(sql, [max], |r| r.get(0)) };
        let f = if b.all { "" } else { " AND export_batch IS NULL" };
        let visits = counts(&format!("SELECT count(*) FROM visits WHERE seq <= ?1{f}"), b.max_visit)?;
        let abandons = counts(&format!("SELECT count(*) FROM abandons WHERE seq <= ?1{f}"), b.max_abandon)?;
        let contacts = counts(
            &format!(
                "SELECT count(*) FROM contacts c JOIN visits v ON v.id = c.visit_id WHERE v.seq <= ?1{}",
                if b.all { "" } else { " AND c.export_batch IS NULL" }
            ),
            b.max_visit,
        )?;
        tx.execute(
            "INSERT INTO exports (local_date, local_hour, folder, visits, abandons, contacts, all_rows) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![date.format("%Y-%m-%d").to_string(), hour, folder, visits, abandons, contacts, b.all],
        )?;
        let batch = tx.last_insert_rowid();
        tx.execute("UPDATE visits SET export_batch = ?1 WHERE seq <= ?2 AND export_batch IS NULL", params![batch, b.max_visit])?;
        tx.execute("UPDATE abandons SET export_batch = ?1 WHERE seq <= ?2 AND export_batch IS NULL", params![batch, b.max_abandon])?;
        tx.execute("DELETE FROM contacts WHERE visit_id IN (SELECT id FROM visits WHERE seq <= ?1)", params![b.max_visit])?;
        tx.commit()?;
        // The exported contact details are gone from the WAL too.
        self.checkpoint_after_delete();
        Ok(ExportRecord { batch, local_date: date.format("%Y-%m-%d").to_string(), local_hour: hour, folder: folder.to_string(), visits, abandons, contacts })
    }

    pub fn last_export(&self) -> Result<Option<ExportRecord>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT batch, local_date, local_hour, folder, visits, abandons, contacts FROM exports ORDER BY batch DESC LIMIT 1", [], |r| {
                Ok(ExportRecord {
                    batch: r.get(0)?,
                    local_date: r.get(1)?,
                    local_hour: r.get(2)?,
                    folder: r.get(3)?,
                    visits: r.get(4)?,
                    abandons: r.get(5)?,
                    contacts: r.get(6)?,
                })
            })
            .optional()?)
    }

    /// Rows not exported yet: (visits, abandons).
    pub fn unexported(&self) -> Result<(i64, i64), StoreError> {
        Ok((
            self.conn.query_row("SELECT count(*) FROM visits WHERE export_batch IS NULL", [], |r| r.get(0))?,
            self.conn.query_row("SELECT count(*) FROM abandons WHERE export_batch IS NULL", [], |r| r.get(0))?,
        ))
    }

    /// Delete what was already exported (the admin's "purge"). Unexported rows stay.
    pub fn purge_exported(&mut self) -> Result<RetentionReport, StoreError> {
        let tx = self.conn.transaction()?;
        let contacts = tx.execute("DELETE FROM contacts WHERE visit_id IN (SELECT id FROM visits WHERE export_batch IS NOT NULL)", [])?;
        let visits = tx.execute("DELETE FROM visits WHERE export_batch IS NOT NULL", [])?;
        let abandons = tx.execute("DELETE FROM abandons WHERE export_batch IS NOT NULL", [])?;
        tx.commit()?;
        self.checkpoint_after_delete();
        Ok(RetentionReport { visits, abandons, contacts, damaged_copies: 0 })
    }

    /// Retention: exported visits and abandonments older than `visits_days`, and contact details
    /// older than `contacts_days` (exported or not), are deleted. Dates are the visits' own
    /// local dates; a kiosk clock set wrong only delays or hastens deletion, never loses an
    /// unexported visit.
    pub fn apply_retention(&mut self, today: NaiveDate, r: passerelle_core::config::Retention) -> Result<RetentionReport, StoreError> {
        let cut = |days: u32| (today - chrono::Duration::days(i64::from(days))).format("%Y-%m-%d").to_string();
        let tx = self.conn.transaction()?;
        let contacts = tx.execute("DELETE FROM contacts WHERE visit_id IN (SELECT id FROM visits WHERE local_date < ?1)", [cut(r.contacts_days)])?;
        let visits = tx.execute("DELETE FROM visits WHERE export_batch IS NOT NULL AND local_date < ?1", [cut(r.visits_days)])?;
        let abandons = tx.execute("DELETE FROM abandons WHERE export_batch IS NOT NULL AND local_date < ?1", [cut(r.visits_days)])?;
        tx.commit()?;
        self.checkpoint_after_delete();
        let damaged_copies = self.delete_old_damaged_copies(today - chrono::Duration::days(i64::from(r.visits_days)));
        Ok(RetentionReport { visits, abandons, contacts, damaged_copies })
    }

    /// Copies of a damaged database moved aside before `cut` (by the date in their name) are
    /// deleted, with their -wal and -shm files. Returns how many copies went.
    fn delete_old_damaged_copies(&self, cut: NaiveDate) -> usize {
        let Some(dir) = self.path.parent() else {
            return 0;
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        let mut removed = 0;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let Some(stamp) = name.strip_prefix(DAMAGED_PREFIX) else {
                continue;
            };
            let Some(date) = stamp.get(..8).and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok()) else {
                continue;
            };
            if date >= cut {
                continue;
            }
            match std::fs::remove_file(e.path()) {
                Ok(()) => {
                    if !name.ends_with("-wal") && !name.ends_with("-shm") {
                        removed += 1;
                        log::info!("retention: the damaged database copy {name} was deleted");
                    }
                    if self
                        .meta_get("damaged_database")
                        .ok()
                        .flatten()
                        .is_some_and(|m| Path::new(&m).file_name().is_some_and(|f| f == e.file_name().as_os_str()))
                    {
                        let _ = self.conn.execute("DELETE FROM meta WHERE key = 'damaged_database'", []);
                    }
                }
                Err(err) => log::warn!("retention: cannot delete {name}: {err}"),
            }
        }
        removed
    }

    /// Finished and abandoned visits since a date (inclusive).
    pub fn counts_since(&self, date: NaiveDate) -> Result<(i64, i64), StoreError> {
        let d = date.format("%Y-%m-%d").to_string();
        Ok((
            self.conn.query_row("SELECT count(*) FROM visits WHERE local_date >= ?1", [&d], |r| r.get(0))?,
            self.conn.query_row("SELECT count(*) FROM abandons WHERE local_date >= ?1", [&d], |r| r.get(0))?,
        ))
    }
}
