//! Passerelle: the kiosk's edges around the pure core (`passerelle_core`).
//!
//! - [`kiosk`]: configuration + questionnaire + rules, and storing a finished visit;
//! - [`store`]: SQLite; [`seal`]: age encryption of contact details; [`clock`]: the real clock;
//! - [`pictograms`]: embedded SVGs; [`cli`]: the command line; [`ui`]: the Slint screens.

pub mod cli;
pub mod clock;
pub mod kiosk;
pub mod pictograms;
pub mod seal;
pub mod store;
pub mod ui;

pub use passerelle_core as core;
