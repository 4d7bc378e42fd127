//! Build script: compiles the Slint UI and embeds the pictograms (assets/pictograms/*.svg).

use std::fmt::Write;
use std::path::Path;

fn main() {
    // Read at run time: `env!` would bake in the path of the checkout the build script was first
    // compiled for, and a moved checkout (or a shared target folder) would read another tree.
    let root = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let dir = root.join("assets/pictograms");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .collect();
    names.sort_by_key(|p| p.file_stem().map(|s| s.to_os_string()));
    let mut out = String::from("/// Embedded pictograms: (name, SVG bytes), sorted by name.\npub static PICTOGRAMS: &[(&str, &[u8])] = &[\n");
    for p in &names {
        let stem = p.file_stem().unwrap().to_string_lossy();
        writeln!(out, "    ({stem:?}, include_bytes!({:?})),", p.display().to_string()).unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("pictograms.rs");
    std::fs::write(dest, out).unwrap();

    // The kiosk's own texts: every i18n/<code>.po, French and English first (adding a language
    // is adding files).
    let i18n = root.join("i18n");
    println!("cargo:rerun-if-changed={}", i18n.display());
    let mut pos: Vec<_> = std::fs::read_dir(&i18n)
        .unwrap_or_else(|e| panic!("{}: {e}", i18n.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "po"))
        .collect();
    let rank = |p: &std::path::PathBuf| {
        let stem = p.file_stem().unwrap().to_string_lossy().to_string();
        (
            match stem.as_str() {
                "fr" => 0,
                "en" => 1,
                _ => 2,
            },
            stem,
        )
    };
    pos.sort_by_key(rank);
    let mut out =
        String::from("/// The embedded catalogues: (language code, .po text), French and English first.\npub const CATALOGUES: &[(&str, &str)] = &[\n");
    for p in &pos {
        writeln!(out, "    ({:?}, include_str!({:?})),", p.file_stem().unwrap().to_string_lossy(), p.display().to_string()).unwrap();
    }
    out.push_str("];\n");
    std::fs::write(Path::new(&std::env::var("OUT_DIR").unwrap()).join("catalogues.rs"), out).unwrap();

    // Debug builds (and so `cargo test`) keep element debug info for the testing backend's
    // ElementHandle queries; release builds leave it out.
    let debug = std::env::var("PROFILE").is_ok_and(|p| p == "debug");
    let config = slint_build::CompilerConfiguration::new().with_style("fluent".into()).with_debug_info(debug);
    slint_build::compile_with_config("ui/app.slint", config).expect("Slint UI failed to compile");
}
