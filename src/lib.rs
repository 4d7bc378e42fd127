//! Passerelle: the kiosk's edges around the pure core (`passerelle_core`).
//!
//! - [`kiosk`]: configuration + questionnaire + rules, and storing a finished visit;
//! - [`store`]: SQLite; [`seal`]: age encryption of contact details; [`clock`]: the real clock;
//! - [`pictograms`]: embedded SVGs; [`cli`]: the command line; [`ui`]: the Slint screens.

pub mod admin;
pub mod cli;
pub mod clock;
pub mod doctor;
pub mod export;
pub mod i18n;
pub mod kiosk;
pub mod mediator;
pub mod merge;
pub mod orientation;
pub mod pictograms;
pub mod printer;
pub mod qr;
pub mod report;
pub mod seal;
pub mod signing;
pub mod speech;
pub mod spreadsheet;
pub mod speech_text;
pub mod sql;
pub mod store;
pub mod summary;
pub mod ticket;
pub mod ui;

pub use passerelle_core as core;

/// Languages the kiosk's screens are available in.
pub fn config_languages() -> &'static [&'static str] {
    passerelle_core::config::UI_LANGUAGES
}
