//! What the kiosk, the mediator's side and the département's tools share.

pub mod clock;
pub mod files;
pub mod i18n;
pub mod pictograms;
pub mod qr;
pub mod signing;
pub mod spreadsheet;
pub mod xlsx;
