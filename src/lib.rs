//! Passerelle's binary crate: the Slint windows and the command line, over the workspace's
//! crates (re-exported here under the names the windows, the command line and the tests use).
//!
//! - [`core`] (`passerelle-core`): the pure core: questionnaire, engine, profile, handoff, texts;
//! - [`package`] (`passerelle-package`): the data package format, pure;
//! - [`shared`] (`passerelle-shared`): files, clock, QR images, spreadsheets, keys on disk;
//! - [`kiosk`] (`passerelle-kiosk`): the kiosk appliance without its screens (never Slint);
//! - [`mediator`] (`passerelle-mediator`): the digital mediator's side;
//! - [`department`] (`passerelle-department`): merging, the report, SQL;
//! - [`ui`]: the Slint windows (the kiosk, the mediator's), the only module that knows Slint;
//! - [`cli`]: the command line.

pub mod cli;
pub mod ui;

pub use passerelle_core as core;
pub use passerelle_department as department;
pub use passerelle_kiosk as kiosk;
pub use passerelle_mediator as mediator;
pub use passerelle_package as package;
pub use passerelle_shared as shared;

/// Languages the kiosk's screens are available in.
pub fn config_languages() -> &'static [&'static str] {
    crate::core::config::UI_LANGUAGES
}
