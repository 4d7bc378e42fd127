//! The trust boundary, attacked as a crafted file or a visitor's text would: spreadsheet
//! formulas in every CSV Passerelle writes, hostile files in a package (links, FIFOs, devices,
//! huge files), owner-only outputs, bounded inputs, and the visitor's right to erasure.

use passerelle::package::spreadsheet::dangerous;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn run(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .env("PASSERELLE_LOG", "debug")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        // The child may stop reading early (a bounded read): a broken pipe is its answer.
        let _ = input.write_all(s);
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A kiosk configuration with an admin key, storing under `dir/data`; returns (config, identity).
fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let key = dir.join("admin-key.txt");
    let (code, recipient, err) = run(&["keygen", "--out", key.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    let cfg = dir.join("kiosk.toml");
    std::fs::write(
        &cfg,
        passerelle_core::DEFAULT_CONFIG
            .replace("recipient = \"\"", &format!("recipient = \"{}\"", recipient.trim()))
            .replace("data_dir = \"passerelle-data\"", "data_dir = \"data\""),
    )
    .unwrap();
    (cfg, key)
}

const FORMULA: &str = "=HYPERLINK(\"http://example.invalid/x\";\"cliquez\")";
/// A formula behind a `;`: French Excel splits a double-clicked CSV there.
const AFTER_SEMICOLON: &str = "x;=1+1;y; @SUM(1);\"+2";

/// How many cells LibreOffice reads as formulas in these CSV files, opened with `,` and with `;`
/// as the separator (as a French spreadsheet does on a double-click), or None without LibreOffice.
fn libreoffice_formulas(dir: &Path, files: &[PathBuf]) -> Option<usize> {
    let soffice =
        ["soffice", "libreoffice"].into_iter().find(|t| Command::new("sh").arg("-c").arg(format!("command -v {t}")).output().is_ok_and(|o| o.status.success()));
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    if soffice.is_none() || !Command::new(&python).args(["-c", "import openpyxl"]).status().is_ok_and(|s| s.success()) {
        assert!(std::env::var_os("PASSERELLE_CI").is_none(), "CI must provide LibreOffice (libreoffice-calc) and openpyxl");
        eprintln!("notice: LibreOffice or openpyxl missing, the spreadsheet import check is skipped");
        return None;
    }
    let staged = dir.join("tableurs");
    std::fs::create_dir_all(&staged).unwrap();
    let names: Vec<PathBuf> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let to = staged.join(format!("f{i}.csv"));
            std::fs::copy(f, &to).unwrap();
            to
        })
        .collect();
    let mut total = 0;
    for (sep, filter) in [("virgule", "CSV:44,34,76,1"), ("point-virgule", "CSV:59,34,76,1")] {
        let out = dir.join(sep);
        let o = Command::new(soffice.unwrap())
            .args([
                "--headless",
                "--norestore",
                &format!("-env:UserInstallation=file://{}", dir.join("lo-profile").display()),
                &format!("--infilter={filter}"),
                "--convert-to",
                "xlsx",
                "--outdir",
            ])
            .arg(&out)
            .args(&names)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let code = "import openpyxl, sys, glob\nn = 0\nfor f in glob.glob(sys.argv[1] + '/*.xlsx'):\n    for ws in openpyxl.load_workbook(f).worksheets:\n        for row in ws.iter_rows():\n            for c in row:\n                if c.data_type == 'f':\n                    print(f, c.coordinate, repr(c.value), file=sys.stderr)\n                    n += 1\nprint(n)";
        let o = Command::new(&python).arg("-c").arg(code).arg(&out).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), names.len(), "every file converted");
        let n: usize = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
        if n > 0 {
            eprintln!("{sep}: {}", String::from_utf8_lossy(&o.stderr));
        }
        total += n;
    }
    Some(total)
}

/// Every cell of a CSV file (the BOM skipped).
fn cells(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    rdr.records().flat_map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>()).collect()
}

fn assert_safe(path: &Path) {
    for c in cells(path) {
        assert!(!dangerous(&c), "{}: a spreadsheet would evaluate {c:?}", path.display());
    }
}

#[test]
fn every_csv_opens_safely_in_a_spreadsheet() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, key) = setup(dir.path());
    let c = cfg.to_str().unwrap();
    let visit = serde_json::json!({"lang": "fr", "answers": {
        "usages_principaux": ["autre"],
        "usages_principaux_autre": FORMULA,
        "consentement_contact": {"last_name": "=cmd|' /C calc'!A0", "first_name": "@SUM(1+1)", "phone": "+33612345678", "address": AFTER_SEMICOLON},
    }});
    let (code, out, err) = run(&["--config", c, "replay", "-"], Some(visit.to_string().as_bytes()));
    assert_eq!(code, 0, "{err}");
    let id: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let id = id["id"].as_str().unwrap().to_string();
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let (code, out, err) = run(&["--config", c, "export", "--to", usb.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    let folder = PathBuf::from(out.split(" (").next().unwrap());
    for f in ["visits.csv", "choix_multiples.csv", "abandons.csv", "dictionnaire.csv"] {
        assert_safe(&folder.join(f));
    }
    // The visitor's text is kept whole, behind an apostrophe that the schema explains.
    assert!(cells(&folder.join("visits.csv")).contains(&format!("'{FORMULA}")));
    let dp: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(folder.join("datapackage.json")).unwrap()).unwrap();
    let field = dp["resources"][0]["schema"]["fields"].as_array().unwrap().iter().find(|f| f["name"] == "usages_principaux_autre").unwrap().clone();
    assert!(field["description"].as_str().unwrap().contains("apostrophe"), "{field}");
    if let Some(fl) = crate::support::frictionless() {
        let o = Command::new(fl).arg("validate").arg(folder.join("datapackage.json")).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    }
    // Decrypted contacts: every field is text, a phone number too; a new owner-only file.
    let plain = dir.path().join("contacts.csv");
    let (code, _, err) = run(&["decrypt", "--identity", key.to_str().unwrap(), folder.to_str().unwrap(), "--out", plain.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777, 0o600);
    let contact = cells(&plain);
    assert!(contact.contains(&"'+33612345678".to_string()) && contact.contains(&"'=cmd|' /C calc'!A0".to_string()), "{contact:?}");
    assert!(contact.iter().all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])), "{contact:?}");
    assert!(contact.contains(&id));
    // The department's report and merge of it.
    let report = dir.path().join("rapport.html");
    let (code, _, err) = run(&["report", folder.to_str().unwrap(), "--out", report.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert_safe(&report.with_extension("csv"));
    let merged = dir.path().join("fusion");
    let (code, _, err) = run(&["merge", folder.to_str().unwrap(), "--out", merged.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    for f in ["visits.csv", "choix_multiples.csv", "abandons.csv", "dictionnaire.csv", "exports.csv"] {
        assert_safe(&merged.join(f));
    }
    // A merge keeps contacts per kiosk (contacts/<kiosk>/<visit>.age): decrypt finds them there.
    let plain = dir.path().join("contacts-fusion.csv");
    let (code, _, err) = run(&["decrypt", "--identity", key.to_str().unwrap(), merged.to_str().unwrap(), "--out", plain.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    let kiosk_id = passerelle_core::config::Config::parse(passerelle_core::DEFAULT_CONFIG, "k", None).unwrap().kiosk_id;
    let rows = std::fs::read_to_string(&plain).unwrap();
    assert!(rows.lines().any(|l| l.starts_with(&id) && l.ends_with(&kiosk_id) && l.contains("'+33612345678")), "{rows}");
    // A second visit whose text hides formulas behind `;`, then every CSV Passerelle wrote,
    // opened by LibreOffice with `,` and with `;`: not one formula.
    let visit = serde_json::json!({"answers": {"usages_principaux": ["autre"], "usages_principaux_autre": AFTER_SEMICOLON}});
    assert_eq!(run(&["--config", c, "replay", "-"], Some(visit.to_string().as_bytes())).0, 0);
    let (code, out, err) = run(&["--config", c, "export", "--to", usb.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    let second = PathBuf::from(out.split(" (").next().unwrap());
    let merged2 = dir.path().join("fusion2");
    assert_eq!(run(&["merge", folder.to_str().unwrap(), second.to_str().unwrap(), "--out", merged2.to_str().unwrap()], None).0, 0);
    let report2 = dir.path().join("rapport2.html");
    assert_eq!(run(&["report", merged2.to_str().unwrap(), "--out", report2.to_str().unwrap()], None).0, 0);
    let load = dir.path().join("charger");
    assert_eq!(run(&["sql", merged2.to_str().unwrap(), "--out", load.to_str().unwrap()], None).0, 0);
    let mut files: Vec<PathBuf> = Vec::new();
    for d in [&folder, &second, &merged2, &load] {
        files.extend(std::fs::read_dir(d).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "csv")));
    }
    files.extend([plain, dir.path().join("contacts.csv"), report2.with_extension("csv")]);
    assert!(
        std::fs::read_to_string(merged2.join("visits.csv")).unwrap().contains("x;'=1+1;y;' @SUM(1);'\"\"+2"),
        "the text is kept, each part behind an apostrophe"
    );
    if let Some(n) = libreoffice_formulas(dir.path(), &files) {
        assert_eq!(n, 0, "formula cells in {} files", files.len());
    }
}

#[test]
fn decrypt_never_overwrites_a_file_nor_writes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, key) = setup(dir.path());
    let c = cfg.to_str().unwrap();
    let (code, _, err) = run(&["--config", c, "replay", "-"], Some(br#"{"answers":{"consentement_contact":{"last_name":"Martin","phone":"0102030405"}}}"#));
    assert_eq!(code, 0, "{err}");
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let (_, out, _) = run(&["--config", c, "export", "--to", usb.to_str().unwrap()], None);
    let folder = out.split(" (").next().unwrap().to_string();
    let existing = dir.path().join("notes.txt");
    std::fs::write(&existing, "mes notes").unwrap();
    let (code, _, err) = run(&["decrypt", "--identity", key.to_str().unwrap(), &folder, "--out", existing.to_str().unwrap()], None);
    assert_ne!(code, 0);
    assert!(err.contains("ne doit pas exister"), "{err}");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "mes notes");
    let target = dir.path().join("shared/contacts.csv");
    std::fs::create_dir(dir.path().join("shared")).unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("link.csv")).unwrap();
    let (code, _, _) = run(&["decrypt", "--identity", key.to_str().unwrap(), &folder, "--out", dir.path().join("link.csv").to_str().unwrap()], None);
    assert_ne!(code, 0);
    assert!(!target.exists(), "nothing was written through the link");
}

/// A clean export of a few visits, and its folder.
fn exported(dir: &Path) -> PathBuf {
    let (cfg, _) = setup(dir);
    let c = cfg.to_str().unwrap();
    let (code, _, err) = run(&["--config", c, "replay", "--random", "5", "--seed", "3"], None);
    assert_eq!(code, 0, "{err}");
    let usb = dir.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let (code, out, err) = run(&["--config", c, "export", "--to", usb.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    PathBuf::from(out.split(" (").next().unwrap())
}

#[test]
#[allow(clippy::type_complexity)]
fn packages_are_read_from_regular_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let good = exported(dir.path());
    let attacks: &[(&str, &dyn Fn(&Path), &str)] = &[
        (
            "a table replaced by a link to a file of the analyst",
            &|d: &Path| {
                std::fs::remove_file(d.join("abandons.csv")).unwrap();
                std::os::unix::fs::symlink("/etc/passwd", d.join("abandons.csv")).unwrap();
            },
            "lien symbolique",
        ),
        (
            "a table replaced by a FIFO that would block for ever",
            &|d: &Path| {
                std::fs::remove_file(d.join("abandons.csv")).unwrap();
                let c = std::ffi::CString::new(d.join("abandons.csv").to_str().unwrap()).unwrap();
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            },
            "pas un fichier ordinaire",
        ),
        (
            "SHA256SUMS as a link to an endless device",
            &|d: &Path| {
                std::fs::remove_file(d.join("SHA256SUMS")).unwrap();
                std::os::unix::fs::symlink("/dev/zero", d.join("SHA256SUMS")).unwrap();
            },
            "lien symbolique",
        ),
        (
            "a datapackage.json too large to be one",
            &|d: &Path| {
                let f = std::fs::OpenOptions::new().append(true).open(d.join("datapackage.json")).unwrap();
                f.set_len(65 << 20).unwrap();
            },
            "trop gros",
        ),
    ];
    for (i, (what, attack, reason)) in attacks.iter().enumerate() {
        let copy = dir.path().join(format!("attack-{i}/{}", good.file_name().unwrap().to_str().unwrap()));
        std::fs::create_dir_all(&copy).unwrap();
        for e in std::fs::read_dir(&good).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
            }
        }
        std::fs::create_dir_all(copy.join("contacts")).unwrap();
        attack(&copy);
        let refused = passerelle::package::read::open(&passerelle::department::inputs::FolderSource { dir: copy.clone() }).unwrap_err();
        assert!(refused.contains(reason), "{what}: {refused}");
        let (code, _, err) = run(&["report", copy.to_str().unwrap(), "--out", dir.path().join(format!("r{i}.html")).to_str().unwrap()], None);
        assert_ne!(code, 0, "{what}");
        assert!(err.contains(reason), "{what}: {err}");
        let load = dir.path().join(format!("load-{i}"));
        let (code, _, _) = run(&["sql", copy.to_str().unwrap(), "--out", load.to_str().unwrap()], None);
        assert!(code != 0 && !load.exists(), "{what}: no load folder from a hostile package");
    }
}

#[test]
fn decode_reads_at_most_64_kib_from_standard_input() {
    let huge = vec![b'A'; 1 << 20];
    let (code, _, err) = run(&["decode", "-"], Some(&huge));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("64 KiB"), "{err}");
}

#[test]
fn a_visitor_can_have_a_visit_erased_by_its_reference() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, _) = setup(dir.path());
    let c = cfg.to_str().unwrap();
    let visit = br#"{"answers":{"age":"soixante_soixante_neuf","consentement_contact":{"last_name":"Zanzibaroff","phone":"0607080910"}}}"#;
    let (code, out, err) = run(&["--config", c, "replay", "-"], Some(visit));
    assert_eq!(code, 0, "{err}");
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let id = line["id"].as_str().unwrap().to_string();
    let (code, _, _) = run(&["--config", c, "replay", "--random", "3", "--seed", "9"], None);
    assert_eq!(code, 0);
    let db = dir.path().join("data/passerelle.db");
    let sealed: Vec<u8> = rusqlite::Connection::open(&db).unwrap().query_row("SELECT sealed FROM contacts WHERE visit_id = ?1", [&id], |r| r.get(0)).unwrap();
    let stats = || -> serde_json::Value { serde_json::from_str(&run(&["--config", c, "stats", "--json"], None).1).unwrap() };
    let before = stats();
    assert_eq!(before["finished"].as_i64(), Some(4));
    // As the visitor reads it from the ticket: ABCD-EFGH, any case.
    let pretty = format!("{}-{}", &id[..4], &id[4..]).to_lowercase();
    let (code, out, err) = run(&["--config", c, "erase", &pretty, "--json"], None);
    assert_eq!(code, 0, "{err}");
    let erased: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((erased["id"].as_str(), erased["contact"].as_bool()), (Some(id.as_str()), Some(true)));
    assert!(erased["exported_in"].is_null());
    assert!(!err.contains(&id), "no reference in the logs: {err}");
    let after = stats();
    assert_eq!(after["finished"].as_i64(), Some(3));
    assert_eq!(after["with_contact"].as_i64().unwrap(), before["with_contact"].as_i64().unwrap() - 1);
    // Gone from the file and its journal, not only from the tables.
    let needle = &sealed[sealed.len() / 2..sealed.len() / 2 + 24];
    for f in ["passerelle.db", "passerelle.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join("data").join(f)) {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "the sealed contact is still in {f}");
        }
    }
    let (code, _, err) = run(&["--config", c, "erase", &id], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing was erased"), "{err}");
}

#[test]
fn minors_are_not_offered_the_contact_step() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, _) = setup(dir.path());
    let c = cfg.to_str().unwrap();
    let contact = r#""consentement_contact":{"last_name":"Petit","phone":"0102030405"}"#;
    for age in ["moins_de_douze", "douze_dix_huit"] {
        let (code, _, err) = run(&["--config", c, "replay", "-"], Some(format!(r#"{{"answers":{{"age":"{age}",{contact}}}}}"#).as_bytes()));
        assert_ne!(code, 0, "{age}: the contact step must not be asked");
        assert!(err.contains("consentement_contact"), "{err}");
    }
    let (code, _, err) = run(&["--config", c, "replay", "-"], Some(format!(r#"{{"answers":{{"age":"dix_huit_vingt_quatre",{contact}}}}}"#).as_bytes()));
    assert_eq!(code, 0, "{err}");
    let (_, stats, _) = run(&["--config", c, "stats", "--json"], None);
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["with_contact"].as_i64(), Some(1));
}

/// The kiosk needs no network: the service may not open an IP socket.
#[test]
fn the_service_has_no_network() {
    let unit = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/passerelle.service")).unwrap();
    let value = |k: &str| unit.lines().find_map(|l| l.strip_prefix(&format!("{k}="))).map(str::trim).map(String::from);
    assert_eq!(value("IPAddressDeny").as_deref(), Some("any"));
    let families = value("RestrictAddressFamilies").expect("RestrictAddressFamilies");
    assert!(families.split_whitespace().all(|f| f == "AF_UNIX" || f == "AF_NETLINK"), "{families}");
}

/// Records which folders an export syncs (the rest is the real filesystem).
struct Recording(std::sync::Mutex<Vec<PathBuf>>);

impl passerelle::kiosk::export::ExportFs for Recording {
    fn create_dir_all(&self, p: &Path) -> std::io::Result<()> {
        passerelle::kiosk::export::RealFs.create_dir_all(p)
    }
    fn exists(&self, p: &Path) -> bool {
        p.exists()
    }
    fn write(&self, p: &Path, fill: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
        passerelle::kiosk::export::RealFs.write(p, fill)
    }
    fn sync_dir(&self, p: &Path) -> std::io::Result<()> {
        self.0.lock().unwrap().push(p.to_path_buf());
        passerelle::kiosk::export::RealFs.sync_dir(p)
    }
    fn open(&self, p: &Path) -> std::io::Result<Box<dyn std::io::Read>> {
        passerelle::kiosk::export::RealFs.open(p)
    }
    fn remove_dir_all(&self, p: &Path) -> std::io::Result<()> {
        passerelle::kiosk::export::RealFs.remove_dir_all(p)
    }
}

/// The new folder's entry lives in the stick's root: it is synced too, or a stick pulled right
/// after "export done" could lose the whole folder while the rows are marked exported.
#[test]
fn an_export_syncs_its_folder_and_the_folder_that_holds_it() {
    use passerelle_core::engine::FakeClock;
    use rand::SeedableRng;
    let dir = tempfile::tempdir().unwrap();
    let kiosk = crate::support::kiosk(&dir.path().join("data"));
    let mut store = kiosk.open_store().unwrap();
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap().and_hms_opt(9, 0, 0).unwrap();
    let clock = FakeClock::new(now);
    let mut e = kiosk.engine(clock.clone());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    for _ in 0..3 {
        let v = passerelle_core::random::random_visit(&mut e, &mut rng).unwrap();
        kiosk.finish_visit(&mut store, clock.as_ref(), &v).unwrap();
        e.saved().unwrap();
        e.finish().unwrap();
    }
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let fs = Recording(Default::default());
    let r = passerelle::kiosk::export::export(&kiosk, &mut store, &fs, &usb, false, now).unwrap();
    let synced = fs.0.lock().unwrap().clone();
    assert!(synced.contains(&r.folder), "{synced:?}");
    assert!(synced.contains(&usb), "the stick's root is synced: {synced:?}");
}
