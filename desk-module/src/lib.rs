//! The browser desk's WebAssembly module, built from `desk/` by this crate's `build.rs` (profile
//! `desk-wasm`, in `target/desk-wasm/`), embedded as bytes by the page that
//! `passerelle mediateur page` writes.

/// The module, as built (`passerelle_desk.wasm`).
pub const MODULE: &[u8] = include_bytes!(env!("PASSERELLE_DESK_WASM"));
