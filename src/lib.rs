//! Passerelle: the edges around the pure core (`passerelle_core`), one folder per user.
//!
//! - [`kiosk`]: the kiosk appliance a visitor uses: configuration, questionnaire and rules, storing
//!   a finished visit, and its devices and stores (SQLite, sealing, printer, ticket, speech, USB
//!   export, admin tools, `doctor`, erasure);
//! - [`mediator`]: the digital mediator's side: decoding a scanned QR code;
//! - [`department`]: the département's tools: merging many kiosks' exports, the report, SQL;
//! - [`shared`]: what several of them use (QR codes, the kiosk's texts, the clock, pictograms,
//!   CSV cells safe in spreadsheets, files at the trust boundary);
//! - [`ui`]: the Slint windows (the kiosk, the mediator's), the only module that knows Slint;
//! - [`cli`]: the command line.

pub mod cli;
pub mod department;
pub mod kiosk;
pub mod mediator;
pub mod shared;
pub mod ui;

pub use passerelle_core as core;

/// Languages the kiosk's screens are available in.
pub fn config_languages() -> &'static [&'static str] {
    passerelle_core::config::UI_LANGUAGES
}
