//! Build script: builds the browser desk's WebAssembly module (`desk/`) for `lib.rs` to embed.
//! It has no build dependencies, so Cargo runs it at the very start of a build, beside the Slint
//! stack, rather than at the end of the critical path.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `cargo build -p passerelle-desk --target wasm32-unknown-unknown --profile desk-wasm`, in a
/// target directory of its own (so that it never waits for this build's lock), then the module's
/// path for `include_bytes!`. A missing target is added with rustup first.
fn main() {
    // This crate sits in the workspace's root directory.
    let here = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = here.parent().expect("desk-module/ is in the workspace").to_path_buf();
    for watched in [
        "desk",
        "core",
        "package",
        "lacoop",
        "mediator/src",
        "mediator/Cargo.toml",
        "assets/questionnaire",
        "assets/places",
        "i18n",
        "vendor/getrandom",
        "Cargo.lock",
        ".cargo/config.toml",
        "rust-toolchain.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    // The workspace's target directory (the one holding CACHEDIR.TAG), else beside OUT_DIR.
    let target = out_dir.ancestors().find(|a| a.join("CACHEDIR.TAG").is_file()).map(Path::to_path_buf).unwrap_or_else(|| out_dir.clone());
    let desk_target = target.join("desk-wasm");
    ensure_wasm_target();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--quiet", "--locked", "-p", "passerelle-desk", "--target", "wasm32-unknown-unknown", "--profile", "desk-wasm", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&desk_target)
        .current_dir(&root);
    // This build's flags are for this platform, not for WebAssembly (.cargo/config.toml gives the
    // module's); a clippy or other wrapper checks this crate, not the module.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().unwrap_or_else(|e| panic!("cannot run cargo to build the browser desk's module: {e}"));
    assert!(
        status.success(),
        "building the browser desk's WebAssembly module failed (see above); without the target: `rustup target add wasm32-unknown-unknown` (rust-toolchain.toml asks rustup for it)"
    );
    let wasm = desk_target.join("wasm32-unknown-unknown/desk-wasm/passerelle_desk.wasm");
    let copy = out_dir.join("passerelle_desk.wasm");
    std::fs::copy(&wasm, &copy).unwrap_or_else(|e| panic!("cannot copy {}: {e}", wasm.display()));
    println!("cargo:rustc-env=PASSERELLE_DESK_WASM={}", copy.display());
}

/// rust-toolchain.toml lists the WebAssembly target, but rustup installs a toolchain file's
/// targets only with the toolchain itself: on a machine whose stable toolchain is already there
/// (CI's, most developers'), the target is missing. Add it here so that `cargo run --release` and
/// `cargo test` stay the whole set-up; the error says what to do where rustup cannot.
fn ensure_wasm_target() {
    const TARGET: &str = "wasm32-unknown-unknown";
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let libdir = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let has_core = |dir: &Path| std::fs::read_dir(dir).is_ok_and(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("libcore-")));
    if libdir.as_deref().is_some_and(has_core) {
        return;
    }
    println!("cargo:warning=adding the {TARGET} target with rustup (the browser desk's module needs it)");
    let added = Command::new("rustup").args(["target", "add", TARGET]).status().is_ok_and(|s| s.success());
    assert!(added, "the browser desk's module needs the {TARGET} target and rustup could not add it: run `rustup target add {TARGET}`");
}
