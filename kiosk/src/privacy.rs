//! The visitor's rights on the kiosk (docs/privacy.md): erasing one visit by its reference,
//! `passerelle erase REF`, as an admin does when a visitor asks (GDPR art. 17).
//!
//! The visit, its sealed contact details and nothing else are deleted in one transaction, with
//! SQLite's `secure_delete` on (the freed pages are overwritten with zeros), then the WAL is
//! checkpointed and truncated, so that the bytes are gone from the database file and its journal
//! as well. An abandonment holds no answer and no reference: there is nothing to erase there.

use crate::store::{Store, StoreError};
use rusqlite::OptionalExtension;

/// What `erase` removed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Erased {
    /// The reference, as stored.
    pub id: String,
    /// Sealed contact details were stored with it (and are erased too).
    pub contact: bool,
    /// The export folder the visit already left in, if it did: the department holds a copy
    /// there, which the admin must have erased too.
    pub exported_in: Option<String>,
}

/// A reference as a visitor reads it from a ticket or a screen (`ABCD-EFGH`, `abcd efgh`) in the
/// stored form (`ABCDEFGH`).
pub fn normalise_reference(reference: &str) -> String {
    reference.chars().filter(|c| !matches!(c, '-' | ' ' | '\u{202f}' | '\u{a0}')).collect::<String>().to_uppercase()
}

/// Erases one visit. `Ok(None)` when no visit has that reference (nothing is changed).
pub fn erase_visit(store: &Store, reference: &str) -> Result<Option<Erased>, StoreError> {
    let id = normalise_reference(reference);
    // The store runs with `secure_delete` on: the deleted cells are overwritten with zeros.
    let conn = store.connection();
    let tx = conn.unchecked_transaction()?;
    let Some(batch) = tx.query_row("SELECT export_batch FROM visits WHERE id = ?1", [&id], |r| r.get::<_, Option<i64>>(0)).optional()? else {
        return Ok(None);
    };
    let exported_in = match batch {
        Some(b) => tx.query_row("SELECT folder FROM exports WHERE batch = ?1", [b], |r| r.get::<_, String>(0)).optional()?,
        None => None,
    };
    let contact = tx.execute("DELETE FROM contacts WHERE visit_id = ?1", [&id])? > 0;
    tx.execute("DELETE FROM visits WHERE id = ?1", [&id])?;
    tx.commit()?;
    // The deleted pages may still sit in the WAL: copy it back into the file and empty it.
    store.checkpoint_truncate()?;
    Ok(Some(Erased { id, contact, exported_in }))
}
