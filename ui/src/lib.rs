//! The Slint windows, generated from `ui/*.slint` by `build.rs`: the components (`AppWindow`,
//! `MediatorWindow`), their adapters and structs. A crate of its own so that the ten megabytes of
//! generated Rust compile while the workspace's other crates do, not after them; the glue that
//! fills the adapters is `src/ui/` in the `passerelle` crate.

slint::include_modules!();
