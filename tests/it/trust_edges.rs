//! Issue 23, point 5: the smaller holes, each as it was reproduced.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn run_in(args: &[&str], stdin: Option<&[u8]>, umask: Option<u32>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    cmd.env("PASSERELLE_LOG", "warn").args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(mask) = umask {
        use std::os::unix::process::CommandExt;
        // SAFETY: umask only changes the child's file mode mask, before it runs.
        unsafe {
            cmd.pre_exec(move || {
                libc::umask(mask as libc::mode_t);
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        let _ = input.write_all(s);
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_in(args, None, None)
}

/// A few visits exported from the default kiosk into `dir/usb`: the export folder.
fn exported(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    assert_eq!(run(&["--data-dir", data.to_str().unwrap(), "replay", "--random", "4", "--seed", "2"]).0, 0);
    let usb = dir.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let (code, out, err) = run(&["--data-dir", data.to_str().unwrap(), "export", "--to", usb.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    PathBuf::from(out.split(" (").next().unwrap())
}

/// A QR code whose kiosk id is not a kiosk id (`_` is in the QR charset, not in kiosk ids) is
/// refused by `decode` and by `mediateur record`, which records nothing.
#[test]
fn a_code_whose_kiosk_id_is_not_one_is_refused_and_not_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let defs = passerelle_core::definitions::Definitions::shipped().unwrap();
    let data = tmp.path().join("data");
    let (code, out, _) = run(&["--data-dir", data.to_str().unwrap(), "replay", "--random", "1", "--seed", "3"]);
    assert_eq!(code, 0);
    let payload: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let mut h = passerelle_core::handoff::decode(payload["payload"].as_str().unwrap(), &defs.questionnaire).unwrap();
    h.kiosk_id = "kiosk_a".into();
    let forged = passerelle_core::handoff::encode(&h, &defs.questionnaire).unwrap();
    let (code, _, err) = run(&["decode", &forged]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("valeur inconnue"), "French, for the mediator: {err}");
    let med = tmp.path().join("mediateur.toml");
    std::fs::write(&med, format!("structure = \"Centre\"\nstructure_id = \"centre-x\"\ndata_dir = \"{}\"\n", tmp.path().join("med").display())).unwrap();
    let (code, _, _) = run(&["--config", med.to_str().unwrap(), "mediateur", "record", &forged]);
    assert_eq!(code, 2);
    assert!(
        !tmp.path().join("med/mediateur.db").exists() || {
            let c = rusqlite::Connection::open(tmp.path().join("med/mediateur.db")).unwrap();
            c.query_row("SELECT count(*) FROM pickups", [], |r| r.get::<_, i64>(0)).unwrap() == 0
        }
    );
}

/// `decode -` with bytes that are not text exits 2, as documented, with a French reason.
#[test]
fn decode_of_standard_input_that_is_not_text_exits_2() {
    let (code, _, err) = run_in(&["decode", "-"], Some(b"PA1:\xff\xfe\x00"), None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("pas du texte UTF-8"), "{err}");
}

/// `places import`: control characters in a name or an address are refused per row and never
/// printed raw; a file that is not a regular file, or too large, is refused whole.
#[test]
fn places_import_refuses_control_characters_links_and_huge_files() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut lines: Vec<String> = passerelle_core::place_book::SHIPPED.lines().map(String::from).collect();
    let header: Vec<String> =
        csv::ReaderBuilder::new().from_reader(lines[0].trim_start_matches('\u{feff}').as_bytes()).headers().unwrap().iter().map(String::from).collect();
    let nom = header.iter().position(|h| h == "nom").unwrap();
    let mut rec: Vec<String> =
        csv::ReaderBuilder::new().has_headers(false).from_reader(lines[1].as_bytes()).records().next().unwrap().unwrap().iter().map(String::from).collect();
    rec[nom] = "Mairie\u{1b}]0;pwned\u{7}\u{1b}[2J".into();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    w.write_record(&rec).unwrap();
    lines[1] = String::from_utf8(w.into_inner().unwrap()).unwrap().trim_end().to_string();
    let file = tmp.path().join("lieux.csv");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let (code, out, err) = run(&["--data-dir", data.to_str().unwrap(), "places", "import", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("line 2, field nom: control character"), "{err}");
    assert!(!err.contains('\u{1b}') && !out.contains('\u{1b}') && !err.contains('\u{7}'), "nothing raw reaches the terminal");
    let imported = std::fs::read_to_string(data.join("places.csv")).unwrap();
    assert!(!imported.contains('\u{1b}'));
    // A FIFO (would block) and a link are not read; nor is a file of 65 MB.
    let fifo = tmp.path().join("tube.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let link = tmp.path().join("lien.csv");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    let huge = tmp.path().join("enorme.csv");
    std::fs::File::create(&huge).unwrap().set_len(65 << 20).unwrap();
    for (f, why) in [(&fifo, "pas un fichier ordinaire"), (&link, "lien symbolique"), (&huge, "trop gros")] {
        let (code, _, err) = run(&["--data-dir", data.to_str().unwrap(), "places", "import", f.to_str().unwrap()]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(why), "{}: {err}", f.display());
    }
}

/// A table line of a gigabyte is refused as soon as it passes the line limit, with bounded
/// memory (the check does not hold the line).
#[test]
fn a_line_longer_than_any_row_is_refused_early() {
    let tmp = tempfile::tempdir().unwrap();
    let export = exported(tmp.path());
    let long = tmp.path().join("long").join(export.file_name().unwrap());
    crate::support::copy_dir(&export, &long);
    let mut f = std::fs::OpenOptions::new().append(true).open(long.join("abandons.csv")).unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..64 {
        f.write_all(&chunk).unwrap();
    }
    drop(f);
    crate::support::resign(&long);
    let (code, _, err) = run(&["sql", long.to_str().unwrap(), "--out", tmp.path().join("charger").to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("abandons.csv") && err.contains("ligne trop longue"), "{err}");
}

/// Merged packages and reports are owner-only whatever the umask (pseudonymous health data);
/// `report` never writes through a link planted at one of its outputs; `merge --out` a link is
/// refused and leaves nothing behind.
#[test]
fn outputs_are_owner_only_whatever_the_umask_and_never_written_through_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let export = exported(tmp.path());
    let merged = tmp.path().join("fusion");
    let (code, _, err) = run_in(&["merge", export.to_str().unwrap(), "--out", merged.to_str().unwrap()], None, Some(0o022));
    assert_eq!(code, 0, "{err}");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&merged), 0o700);
    for e in std::fs::read_dir(&merged).unwrap().flatten() {
        let want = if e.path().is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&e.path()), want, "{}", e.path().display());
    }
    // report: a link planted where its CSV goes is replaced, its target untouched.
    let victim = tmp.path().join("victime.txt");
    std::fs::write(&victim, "intact").unwrap();
    let out = tmp.path().join("rapports/r.html");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&victim, out.with_extension("csv")).unwrap();
    let (code, _, err) = run_in(&["report", merged.to_str().unwrap(), "--out", out.to_str().unwrap()], None, Some(0o022));
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "intact");
    assert!(std::fs::symlink_metadata(out.with_extension("csv")).unwrap().file_type().is_file());
    for f in [out.clone(), out.with_extension("csv"), out.with_extension("xlsx")] {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    assert!(std::fs::read_dir(out.parent().unwrap()).unwrap().flatten().all(|e| !e.file_name().to_string_lossy().contains("partie")), "no temporary left");
    // merge --out through a link: refused, nothing left beside it.
    let elsewhere = tmp.path().join("ailleurs");
    std::fs::create_dir(&elsewhere).unwrap();
    let link = tmp.path().join("lien");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let (code, _, err) = run(&["merge", export.to_str().unwrap(), "--out", link.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("lien symbolique"), "{err}");
    let left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial") || n.contains("lecture"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}
