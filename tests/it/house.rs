//! The house's limits, held by a test instead of by prose (issue 24): file sizes, the codemap,
//! and which crate may depend on which.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The project's own source files (Rust, Slint, build scripts), outside `target/` and the
/// vendored crates.
fn own_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if !["target", "vendor", "tests", "benches", ".git", "node_modules", "fuzz", "docs", "assets", ".venv"].contains(&name.as_str())
                    && !name.starts_with('.')
                {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "rs" || x == "slint") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(root(), &mut files);
    files.sort();
    files
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap().to_string_lossy().into_owned()
}

fn lines(p: &Path) -> usize {
    std::fs::read_to_string(p).unwrap().lines().count()
}

/// No source file grows past 800 lines, and the Slint glue of `src/ui/` stays under 800 lines in
/// all: a file that needs more is two concerns.
#[test]
fn no_source_file_is_over_800_lines_and_the_slint_glue_stays_small() {
    let too_long: Vec<String> = own_sources().iter().filter(|p| lines(p) > 800).map(|p| format!("{} ({} lines)", rel(p), lines(p))).collect();
    assert!(too_long.is_empty(), "over 800 lines: {too_long:?}");
    let ui: usize = own_sources().iter().filter(|p| rel(p).starts_with("src/ui/")).map(|p| lines(p)).sum();
    assert!(ui < 800, "src/ui/ holds {ui} lines of Slint glue (budget: under 800)");
}

/// ARCHITECTURE.md's codemap names every source file of the tree (Rust, Slint, build scripts) and
/// every vendored crate, and every file it names exists: the map cannot drift from the house.
#[test]
fn codemap_lists_every_source_file() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let map = &text[text.find("## Codemap").unwrap()..text.find("## Invariants").unwrap()];
    let named: HashSet<&str> = map.split('`').skip(1).step_by(2).collect();
    let mut files: Vec<String> = own_sources().iter().map(|p| rel(p)).collect();
    for e in std::fs::read_dir(root().join("vendor")).unwrap().flatten() {
        if e.path().is_dir() {
            files.push(format!("vendor/{}/", e.file_name().to_string_lossy()));
        }
    }
    let missing: Vec<&String> = files.iter().filter(|p| !named.contains(p.as_str())).collect();
    assert!(missing.is_empty(), "not in ARCHITECTURE.md's codemap: {missing:?}");
    for n in named.iter().filter(|n| n.ends_with(".rs") || n.ends_with(".slint") || n.ends_with('/')) {
        assert!(root().join(n).exists(), "ARCHITECTURE.md names {n}, which does not exist");
    }
    // Names say what files are: no two source files share one (module roots aside).
    let mut seen = BTreeMap::new();
    for p in own_sources() {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if ["lib.rs", "main.rs", "mod.rs", "build.rs"].contains(&name.as_str()) {
            continue;
        }
        if let Some(other) = seen.insert(name.clone(), p.clone()) {
            panic!("two files named {name}: {} and {}", other.display(), p.display());
        }
    }
}

/// Every package a workspace crate depends on for its build (normal dependencies, transitively,
/// on this machine's platform), as Cargo itself resolved them (`cargo tree`).
fn dependency_closure(krate: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none", "-f", "{p}", "-p", krate, "--manifest-path"])
        .arg(root().join("Cargo.toml"))
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree -p {krate}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().skip(1).filter_map(|l| l.split_whitespace().next()).map(String::from).collect()
}

/// The layers, held by Cargo: the pure crates never reach a disk, a database or a screen; the
/// kiosk never knows Slint; the mediator's and the département's tools never need a kiosk.
#[test]
#[allow(clippy::type_complexity)]
fn each_crate_depends_only_on_what_its_layer_allows() {
    let slint = |d: &String| d == "slint" || d.starts_with("i-slint");
    let forbidden: &[(&str, &dyn Fn(&String) -> bool, &str)] = &[
        ("passerelle-core", &|d| d.starts_with("passerelle-") || slint(d) || d == "rusqlite", "the pure core: no other crate of ours, no SQLite, no Slint"),
        (
            "passerelle-package",
            &|d| (d.starts_with("passerelle-") && d != "passerelle-core") || slint(d) || d == "rusqlite",
            "the package format is pure (it compiles to WebAssembly)",
        ),
        (
            "passerelle-lacoop",
            &|d| d.starts_with("passerelle-") || slint(d) || d == "rusqlite",
            "La Coop's link is pure and standalone (it compiles to WebAssembly)",
        ),
        (
            "passerelle-shared",
            &|d| ["passerelle-kiosk", "passerelle-mediator", "passerelle-department"].contains(&d.as_str()) || slint(d),
            "shared by every tool",
        ),
        ("passerelle-kiosk", &|d| slint(d) || d == "passerelle-mediator" || d == "passerelle-department", "the kiosk without its screens never knows Slint"),
        (
            "passerelle-mediator",
            &|d| slint(d) || d == "passerelle-kiosk" || d == "passerelle-department",
            "the mediator's tools read codes with Definitions, not a kiosk",
        ),
        (
            "passerelle-department",
            &|d| slint(d) || d == "passerelle-kiosk" || d == "passerelle-mediator",
            "the département's tools need no kiosk and no mediator",
        ),
        (
            "passerelle-desk",
            &|d| slint(d) || d == "rusqlite" || ["passerelle-shared", "passerelle-kiosk", "passerelle-department"].contains(&d.as_str()),
            "the browser desk is pure (it compiles to WebAssembly): the mediator's crate without its native part",
        ),
        (
            "passerelle-ui",
            &|d| d.starts_with("passerelle-"),
            "the generated windows compile beside our crates, never after them (a clean build's critical path)",
        ),
        ("passerelle-desk-module", &|_| true, "the desk module's build script starts with the build: nothing to wait for"),
    ];
    for (krate, bad, why) in forbidden {
        let deps = dependency_closure(krate);
        let found: Vec<&String> = deps.iter().filter(|d| bad(d)).collect();
        assert!(found.is_empty(), "{krate} depends on {found:?} ({why})");
    }
    assert!(dependency_closure("passerelle").contains("slint"), "the binary holds the screens: the test reads real trees");
    assert!(dependency_closure("passerelle-ui").contains("slint"), "the generated windows: the test reads real trees");
}
