//! Passerelle's pure core.
//!
//! Everything a visit *is*, without a screen, a disk or a clock of its own:
//! the questionnaire definition ([`questionnaire`]) and a visit's way through it ([`flow`]), the conditions shared by relevance and
//! profile rules ([`condition`]), the answers ([`answers`]), the visit state machine
//! ([`engine`]), the profile in the national vocabularies ([`profile`], [`vocab`]), the kiosk
//! configuration ([`config`]), the QR handoff payload ([`handoff`]), random visits for tests
//! and soak runs ([`random`]); the kiosk's own texts ([`i18n`]), the profile in the visitor's
//! words ([`summary`]) and the places suggested, in words ([`place_book`]).
//!
//! Invariant: this crate performs no I/O (files are read by the caller and handed over as text),
//! owns no clock (time comes through [`engine::Clock`]) and knows nothing of Slint.

pub mod admin;
pub mod answers;
pub mod condition;
pub mod config;
pub mod definitions;
pub mod engine;
pub mod flow;
pub mod handoff;
pub mod i18n;
pub mod place_book;
pub mod places;
pub mod profile;
pub mod profile_field;
pub mod questionnaire;
pub mod random;
pub mod reasons;
pub mod script;
pub mod summary;
pub mod text;
pub mod translation;
pub mod version;
pub mod vocab;

/// The questionnaire shipped with Passerelle (the deck's "questionnaire de positionnement").
pub const DEFAULT_QUESTIONNAIRE: &str = include_str!("../../assets/questionnaire/questionnaire.toml");
// DEFAULT_TRANSLATIONS and UI_LANGUAGES, from assets/questionnaire/lang/ (build.rs).
include!(concat!(env!("OUT_DIR"), "/translations.rs"));
/// The profile rules shipped with Passerelle.
pub const DEFAULT_RULES: &str = include_str!("../../assets/questionnaire/profile-rules.toml");
/// The demo visit the binary ships: every kind of question answered (screenshots, a test
/// ticket, the speech script, benchmarks and tests).
pub const DEMO_VISIT: &str = include_str!("../../assets/demo-visit.json");
/// The default kiosk configuration (the repository's top-level `kiosk.toml`).
pub const DEFAULT_CONFIG: &str = include_str!("../../kiosk.toml");
