//! The mediator's desk in any browser (issue 25): one self-contained HTML page carrying this
//! crate compiled to `wasm32-unknown-unknown`, so that a mediator with only a browser reads a
//! kiosk's code, opens La Coop's report pre-filled, records pickups and exports them signed.
//!
//! The module is the same Rust code as `passerelle decode` and `mediateur record`/`export`: the
//! pure core, the mediator's crate without its native part, the package writer and La Coop's link.
//! It exports a small raw ABI ([`desk_abi`]: UTF-8 JSON in linear memory; no wasm-bindgen) over
//! plain functions ([`desk_api`], [`desk_pickups`], [`frame_scan`]) that the tests call natively.
//! [`desk_page`] writes the page (natively, for `passerelle mediateur page`).
//!
//! Invariant: no filesystem, no clock, no network; the page gives the time and the randomness.

pub mod desk_abi;
pub mod desk_api;
pub mod desk_bundle;
#[cfg(not(target_arch = "wasm32"))]
pub mod desk_page;
pub mod desk_pickups;
pub mod frame_scan;
pub mod zip_sink;

pub use desk_abi::call;
pub use desk_bundle::{BUNDLE_FORMAT, Bundle, StructureInfo};
