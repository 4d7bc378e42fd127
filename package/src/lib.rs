//! Passerelle's data package: what a kiosk's export, a mediator's pickup package and a merge are
//! made of, written and read in one place.
//!
//! - [`format`]: the format's constants, tables and their keys;
//! - [`columns`]: the columns of `visits.csv`, one row per column; [`export_meta`]: a kiosk
//!   export's dictionary, `datapackage.json` and notice;
//! - [`pickup_table`]: the pickups' table (a mediator's package, and merges);
//! - [`read`]: the one reader, every file read once and checked whole ([`schema`]: a column's
//!   Table Schema field; [`shapes`]: the shapes of strings, no control character);
//! - [`write`]: the one hashing writer (every file hashed on the way, `SHA256SUMS`, its
//!   signature), into any [`write::Sink`] (a folder on a stick, a zip, memory);
//! - [`signing`]: Ed25519 keys and signatures in minisign's formats, trusted keys files;
//! - [`spreadsheet`]: CSV cells that open safely in a spreadsheet.
//!
//! The crate is pure like the core: no filesystem, no clock. Files come and go through traits,
//! so that it also compiles to `wasm32-unknown-unknown` for the mediator's desk in a browser.

pub mod columns;
pub mod export_meta;
pub mod format;
pub mod pickup_table;
pub mod read;
pub mod schema;
pub mod shapes;
pub mod signing;
pub mod spreadsheet;
pub mod write;

pub use signing::hex;
