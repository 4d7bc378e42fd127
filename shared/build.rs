//! Build script: embeds the pictograms (assets/pictograms/*.svg).

use std::fmt::Write;
use std::path::Path;

fn main() {
    // Read at run time: `env!` would bake in the path of the checkout the build script was first
    // compiled for, and a moved checkout (or a shared target folder) would read another tree.
    let root = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR")).join("..");
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
}
