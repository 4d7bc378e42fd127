//! What the kiosk, the mediator's tools and the département's tools share on a real machine:
//! files at the trust boundary, the clock, QR images, spreadsheets, pictograms, signing keys on
//! disk and the places files. The pure parts live in `passerelle-core` and `passerelle-package`.

pub mod clock;
pub mod definitions_files;
pub mod files;
pub mod folder;
pub mod keys;
pub mod pictograms;
pub mod place_files;
pub mod qr;
pub mod xlsx;
