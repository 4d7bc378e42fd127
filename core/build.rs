//! Build script: embeds the shipped questionnaire's translations (assets/questionnaire/lang/*.toml),
//! so that adding a language is adding files. The file's stem is the language code.

use std::fmt::Write;
use std::path::Path;

fn main() {
    // Read at run time (not `env!`, which bakes in the checkout the build script was compiled
    // for), and fail loudly: a kiosk built without its translations would not start.
    let root = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let dir = root.join("../assets/questionnaire/lang");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    assert!(!files.is_empty(), "{}: no translation found", dir.display());
    files.sort();
    let mut out =
        String::from("/// The shipped questionnaire's texts in further languages: (file name, text).\npub const DEFAULT_TRANSLATIONS: &[(&str, &str)] = &[\n");
    let mut codes = Vec::new();
    for p in &files {
        let stem = p.file_stem().unwrap().to_string_lossy().to_string();
        let path = p.canonicalize().unwrap_or_else(|_| p.clone());
        writeln!(out, "    (\"lang/{stem}.toml\", include_str!({:?})),", path.display().to_string()).unwrap();
        codes.push(stem);
    }
    out.push_str("];\n\n/// Languages the kiosk can offer: French, English (written in the questionnaire itself), then\n/// those of assets/questionnaire/lang/.\npub const UI_LANGUAGES: &[&str] = &[\"fr\", \"en\"");
    for c in codes.iter().filter(|c| *c != "fr" && *c != "en") {
        write!(out, ", {c:?}").unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("translations.rs");
    std::fs::write(dest, out).unwrap();

    let root = root.join("..");
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
}
