//! Helpers shared by the integration tests: controls found by their accessible label (as a
//! visitor's assistive technology would), and the outside tools that CI installs.
#![allow(dead_code)]

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementRoot};
use passerelle::ui::AppWindow;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The first control with this accessible label.
pub fn find(app: &AppWindow, label: &str) -> Option<ElementHandle> {
    ElementHandle::find_by_accessible_label(app, label).next()
}

/// Every accessible label on screen (for error messages).
pub fn labels(app: &AppWindow) -> Vec<String> {
    app.root_element()
        .query_descendants()
        .match_predicate(|e| e.accessible_role().is_some_and(|r| r != AccessibleRole::None))
        .find_all()
        .iter()
        .filter_map(|e| e.accessible_label().map(|s| s.to_string()))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Activate the answer labelled `label`, pressing "show more" (`more`: its label in the
/// visitor's language) as a visitor would while it is below the visible answers.
pub fn tap_answer(app: &AppWindow, label: &str, more: &str) {
    for _ in 0..20 {
        if find(app, label).is_some() {
            break;
        }
        tap(app, more);
    }
    tap(app, label);
}

/// Activate the control labelled `label`, or fail with the labels that are there.
pub fn tap(app: &AppWindow, label: &str) {
    let e = find(app, label).unwrap_or_else(|| panic!("no control labelled {label:?} on screen; labels: {:?}", labels(app)));
    e.invoke_accessible_default_action();
}

/// The `frictionless` command (the project's `.venv` first); under CI it must be there.
pub fn frictionless() -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/frictionless");
    if local.exists() {
        return Some(local);
    }
    if Command::new("frictionless").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return Some("frictionless".into());
    }
    assert!(std::env::var_os("PASSERELLE_CI").is_none(), "CI must install frictionless (.venv)");
    eprintln!("notice: frictionless not installed, validation skipped");
    None
}

/// A kiosk on the default configuration, with an admin key (so the consent step is offered),
/// storing in `dir`.
pub fn kiosk(dir: &Path) -> passerelle::kiosk::Kiosk {
    let (_, recipient) = passerelle::kiosk::seal::keygen();
    let src = passerelle_core::DEFAULT_CONFIG.replace("recipient = \"\"", &format!("recipient = \"{recipient}\""));
    let mut c = passerelle_core::config::Config::parse(&src, "kiosk.toml", None).unwrap();
    c.data_dir = dir.to_path_buf();
    passerelle::kiosk::Kiosk::from_config(c, "test".into()).unwrap()
}

/// The QR codes an independent Rust decoder finds in an image.
pub fn rqrr_decode(img: image::GrayImage) -> Vec<String> {
    let mut p = rqrr::PreparedImage::prepare(img);
    p.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, s)| s)).collect()
}

/// CI installs the external tools and sets PASSERELLE_CI=1: there, their absence is a failure;
/// elsewhere the checks that need them are skipped with a notice.
pub fn tool(name: &str) -> bool {
    let present = Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().is_ok_and(|o| o.status.success());
    if !present {
        assert!(std::env::var_os("PASSERELLE_CI").is_none(), "{name} is required in CI");
        eprintln!("notice: {name} not installed, its checks are skipped");
    }
    present
}

/// What zbarimg (an independent decoder) reads in a PNG.
pub fn zbar(path: &Path) -> String {
    let out = Command::new("zbarimg").args(["-q", "--raw", "-Sdisable", "-Sqrcode.enable"]).arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

/// Copies a folder and everything in it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Re-hashes an edited export (SHA256SUMS and the data package's hashes), as someone who edits
/// an export by hand with care would: only the schema check, or the signature, can catch it then.
pub fn resign(dir: &Path) {
    use sha2::{Digest, Sha256};
    let hex = |b: &[u8]| Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut pkg: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("datapackage.json")).unwrap()).unwrap();
    for r in pkg["resources"].as_array_mut().unwrap() {
        let data = std::fs::read(dir.join(r["path"].as_str().unwrap())).unwrap();
        r["hash"] = format!("sha256:{}", hex(&data)).into();
        r["bytes"] = data.len().into();
    }
    std::fs::write(dir.join("datapackage.json"), serde_json::to_vec_pretty(&pkg).unwrap()).unwrap();
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let new: String = sums
        .lines()
        .map(|l| {
            let name = l.split_once("  ").unwrap().1;
            format!("{}  {name}\n", hex(&std::fs::read(dir.join(name)).unwrap()))
        })
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), new).unwrap();
}

/// Signs a package's SHA256SUMS again with `key` (someone who holds that key).
pub fn sign(dir: &Path, key: &passerelle::package::signing::SigningKey) {
    // The signed comment a holder of the key would write: the one the package's kind carries.
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("datapackage.json")).unwrap()).unwrap();
    let p = &meta["passerelle"];
    let comment = if p["kind"] == "prises_en_charge" {
        format!("passerelle structure={} prises_en_charge format=2", p["structure_id"].as_str().unwrap())
    } else if p["merged"] == true {
        "passerelle fusion provenance=verifiee".to_string()
    } else {
        format!("passerelle borne={} format=2", p["kiosk_id"].as_str().unwrap_or_default())
    };
    sign_with_comment(dir, key, &comment);
}

/// [`sign`] with a given signed comment.
pub fn sign_with_comment(dir: &Path, key: &passerelle::package::signing::SigningKey, comment: &str) {
    let sums = std::fs::read(dir.join("SHA256SUMS")).unwrap();
    std::fs::write(dir.join(passerelle::package::signing::SIG_FILE), key.sign(&sums, comment).unwrap()).unwrap();
}

/// A real ext4 filesystem of `mib` MiB in a file, loop-mounted; unmounted and removed when
/// dropped, even when the test fails. Needs root and mkfs.ext4: elsewhere the test is skipped
/// with a notice (under CI, PASSERELLE_CI=1, their absence is a failure).
pub struct LoopDisk {
    pub mnt: PathBuf,
    dir: Option<tempfile::TempDir>,
}

impl LoopDisk {
    pub fn new(mib: u64) -> Option<LoopDisk> {
        if !tool("mkfs.ext4") || !tool("mount") || !tool("umount") {
            return None;
        }
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            assert!(std::env::var_os("PASSERELLE_CI").is_none(), "the loop-mount tests need root in CI");
            eprintln!("notice: not root, the loop-mounted full-disk checks are skipped");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let img = dir.path().join("disk.img");
        let mnt = dir.path().join("mnt");
        std::fs::create_dir(&mnt).unwrap();
        std::fs::File::create(&img).unwrap().set_len(mib * 1024 * 1024).unwrap();
        let ok = |c: &mut Command| c.output().is_ok_and(|o| o.status.success());
        assert!(ok(Command::new("mkfs.ext4").args(["-q", "-F"]).arg(&img)), "mkfs.ext4 failed");
        if !ok(Command::new("mount").args(["-o", "loop"]).arg(&img).arg(&mnt)) {
            assert!(std::env::var_os("PASSERELLE_CI").is_none(), "loop mounts must work in CI");
            eprintln!("notice: cannot loop-mount here, the full-disk checks are skipped");
            return None;
        }
        Some(LoopDisk { mnt, dir: Some(dir) })
    }
}

impl Drop for LoopDisk {
    fn drop(&mut self) {
        let done = Command::new("umount").arg(&self.mnt).status().is_ok_and(|s| s.success());
        if !done {
            // Still busy (a child process of a failed test): detach it now, freed when idle.
            let _ = Command::new("umount").arg("-l").arg(&self.mnt).status();
        }
        drop(self.dir.take());
    }
}

/// The sheets of an `.xlsx` file as read by openpyxl (an independent reader, in the project's
/// `.venv`): `{sheet: [[cell, …], …]}`. None when openpyxl is not there (required in CI).
pub fn xlsx_sheets(path: &Path) -> Option<serde_json::Value> {
    let py = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let script = "import json,sys,openpyxl\nwb=openpyxl.load_workbook(sys.argv[1])\nprint(json.dumps({ws.title:[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}, default=str))";
    match Command::new(&py).arg("-c").arg(script).arg(path).output() {
        Ok(o) if o.status.success() => Some(serde_json::from_slice(&o.stdout).unwrap()),
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named") || !py.exists() => {
            assert!(std::env::var_os("PASSERELLE_CI").is_none(), "CI must install openpyxl (.venv)");
            eprintln!("notice: openpyxl not installed, the .xlsx check is skipped");
            None
        }
        Ok(o) => panic!("openpyxl cannot read {}: {}", path.display(), String::from_utf8_lossy(&o.stderr)),
        Err(_) => {
            assert!(std::env::var_os("PASSERELLE_CI").is_none(), "CI must have the .venv");
            None
        }
    }
}

/// Skip the question on screen: "Je préfère ne pas répondre", or on the skills grid "Passer
/// cette compétence" (which skips that row only), in `lang`.
pub fn skip(app: &AppWindow, lang: &str) {
    let row = passerelle::core::i18n::tr(lang, "nav.skip-row");
    if find(app, &row).is_some() { tap(app, &row) } else { tap(app, &passerelle::core::i18n::tr(lang, "nav.skip")) }
}

/// Type `text` on the on-screen keyboard key by key, as a visitor would: a character that is
/// not on this page of the keyboard (digits, accents) is looked for behind the page key, a
/// capital after the shift key.
pub fn type_keys(app: &AppWindow, lang: &str, text: &str) {
    use passerelle::core::i18n::tr;
    let pages = [tr(lang, "key.page-more"), tr(lang, "key.page-letters")];
    for ch in text.chars() {
        let key = if ch == ' ' { tr(lang, "key.space") } else { ch.to_lowercase().to_string() };
        if find(app, &key).is_none() {
            let page = pages.iter().find(|p| find(app, p).is_some()).unwrap_or_else(|| panic!("no page key: {:?}", labels(app)));
            tap(app, page);
        }
        assert!(find(app, &key).is_some(), "{key:?} on neither page of the keyboard: {:?}", labels(app));
        if ch.is_uppercase() {
            tap(app, &tr(lang, "key.shift"));
            tap(app, &ch.to_string());
        } else {
            tap(app, &key);
        }
    }
}
