//! The mediator's pickups: `mediateur record` (once per visit, and says so; nothing else of the
//! profile), `mediateur export` (a signed, incremental data package read back), the window's
//! "Enregistrer la prise en charge".

use crate::support::frictionless;
use i_slint_backend_testing::ElementHandle;
use passerelle::kiosk::Kiosk;
use passerelle::ui::{MediatorAdapter, MediatorWindow};
use slint::ComponentHandle;
use std::path::Path;
use std::process::Command;
use std::rc::Rc;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_passerelle")).args(args).env("PASSERELLE_LOG", "warn").output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Replays the demo visit on a kiosk storing in `dir`: its (reference, payload).
fn visit(dir: &Path) -> (String, String) {
    let (code, out, err) = run(&["--data-dir", dir.to_str().unwrap(), "replay", "assets/demo-visit.json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    (v["id"].as_str().unwrap().to_string(), v["payload"].as_str().unwrap().to_string())
}

fn mediator_config(dir: &Path) -> std::path::PathBuf {
    let cfg = dir.join("mediateur.toml");
    std::fs::write(&cfg, "structure = \"Médiathèque Aragon\"\nstructure_id = \"mediatheque-aragon\"\ndepartement = \"92\"\ndata_dir = \"donnees\"\n").unwrap();
    cfg
}

#[test]
fn record_counts_a_visit_once_and_export_makes_a_signed_incremental_package() {
    let kiosk_dir = tempfile::tempdir().unwrap();
    let med = tempfile::tempdir().unwrap();
    let cfg = mediator_config(med.path());
    let cfg = cfg.to_str().unwrap();
    let (reference, payload) = visit(kiosk_dir.path());
    let (reference2, payload2) = visit(kiosk_dir.path());

    let (code, out, err) = run(&["--config", cfg, "mediateur", "record", &payload, "--json"]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["recorded"], true);
    assert_eq!(j["pickup"]["visit_id"], reference.as_str());
    assert_eq!(j["pickup"]["structure_id"], "mediatheque-aragon");
    // The same code again (scanned by an AZERTY wedge): one pickup, and it says so.
    let mangled = passerelle_core::handoff::azerty_mangle(&payload);
    let (code, out, _) = run(&["--config", cfg, "mediateur", "record", &mangled]);
    assert_eq!(code, 0);
    assert!(out.contains("Déjà enregistrée") && out.contains("une seule fois"), "{out}");
    // An outcome given later is added once.
    let (code, out, _) = run(&["--config", cfg, "mediateur", "record", &payload, "--outcome", "rendez_vous_pris"]);
    assert_eq!(code, 0);
    assert!(out.contains("suite ajoutée"), "{out}");
    // Bad input: a clear message, exit 2, nothing recorded.
    let (code, _, err) = run(&["--config", cfg, "mediateur", "record", &payload2, "--outcome", "gueri"]);
    assert_eq!(code, 2);
    assert!(err.contains("suite inconnue « gueri »") && err.contains("accompagne_ici"), "{err}");
    let (code, _, err) = run(&["--config", cfg, "mediateur", "record", "https://example.org"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("n'est pas un code Passerelle"), "the mediator reads it in French: {err}");
    let (code, _, err) = run(&["--config", cfg, "mediateur", "record", &payload2, "--outcome", "accompagne_ici", "--on", "2026-12-03"]);
    assert_eq!(code, 0, "{err}");

    // The store holds two pickups and nothing of the profile.
    let store = passerelle::mediator::pickup_store::PickupStore::open(&med.path().join("donnees")).unwrap();
    let rows = store.pickups().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].outcome.as_deref(), Some("rendez_vous_pris"));
    assert_eq!((rows[1].visit_id.as_str(), rows[1].local_date.as_str()), (reference2.as_str(), "2026-12-03"));
    let cols: Vec<String> = {
        let c = rusqlite::Connection::open(store.path()).unwrap();
        let mut st = c.prepare("SELECT name FROM pragma_table_info('pickups')").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(cols, ["seq", "kiosk_id", "visit_id", "structure_id", "local_date", "outcome", "export_batch"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(store.path()).unwrap().permissions().mode() & 0o077, 0, "owner-only");
    }
    drop(store);

    // Export: a data package that validates, with its checksums and signature.
    let usb = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&["--config", cfg, "mediateur", "export", "--to", usb.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 pickups"), "{out}");
    let folder = std::fs::read_dir(usb.path()).unwrap().next().unwrap().unwrap().path();
    assert!(folder.file_name().unwrap().to_str().unwrap().starts_with("passerelle-prises-mediatheque-aragon-"));
    let csv = std::fs::read_to_string(folder.join("prises_en_charge.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}kiosk_id,visit_id,structure_id,local_date,outcome\n"), "{csv}");
    assert_eq!(csv.lines().count(), 3);
    let sums = Command::new("sha256sum").arg("-c").arg("SHA256SUMS").current_dir(&folder).output().unwrap();
    assert!(sums.status.success(), "{}", String::from_utf8_lossy(&sums.stdout));
    if let Some(f) = frictionless() {
        let o = Command::new(f).args(["validate", "datapackage.json"]).current_dir(&folder).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    }
    if crate::support::tool("minisign") {
        let (code, key, _) = run(&["--config", cfg, "mediateur", "signing-key"]);
        assert_eq!(code, 0);
        let public = key.lines().last().unwrap();
        let o = Command::new("minisign").args(["-Vm", "SHA256SUMS", "-P", public]).current_dir(&folder).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // Incremental: nothing new, then only the new pickup; --all takes everything.
    let (code, _, err) = run(&["--config", cfg, "mediateur", "export", "--to", usb.path().to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("rien de nouveau"), "{err}");
    let (_, payload3) = visit(kiosk_dir.path());
    assert_eq!(run(&["--config", cfg, "mediateur", "record", &payload3]).0, 0);
    let (code, out, _) = run(&["--config", cfg, "mediateur", "export", "--to", usb.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("(1 pickups)"), "{out}");
    let (code, out, _) = run(&["--config", cfg, "mediateur", "export", "--to", usb.path().to_str().unwrap(), "--all"]);
    assert_eq!(code, 0);
    assert!(out.contains("(3 pickups)"), "{out}");
}

#[test]
fn record_runs_on_the_default_configuration_with_a_data_dir() {
    let kiosk_dir = tempfile::tempdir().unwrap();
    let med = tempfile::tempdir().unwrap();
    let (_, payload) = visit(kiosk_dir.path());
    let (code, out, err) = run(&["--data-dir", med.path().to_str().unwrap(), "mediateur", "record", &payload]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Prise en charge enregistrée"), "{out}");
    assert!(med.path().join("mediateur.db").exists());
}

#[test]
fn the_window_records_the_pickup_of_the_code_on_screen_once() {
    i_slint_backend_testing::init_no_event_loop();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let (reference, payload) = visit(kiosk_dir.path());
    let med = tempfile::tempdir().unwrap();
    let cfg = passerelle::mediator::mediator_config::MediatorConfig::load(Some(&mediator_config(med.path())), None).unwrap();
    let kiosk = Rc::new(Kiosk::load(None, Some(Path::new("/nonexistent-not-used"))).unwrap().defs);
    let w = MediatorWindow::new().unwrap();
    passerelle::ui::mediator_window::connect(&w, kiosk.clone());
    let desk = Rc::new(std::cell::RefCell::new(passerelle::mediator::pickup_desk::Desk::new(cfg)));
    passerelle::ui::mediator_window::connect_pickups(&w, kiosk, desk);
    w.show().unwrap();
    let a = w.global::<MediatorAdapter>();
    let button = || ElementHandle::find_by_accessible_label(&w, "Enregistrer la prise en charge").next().expect("the record button");
    assert!(ElementHandle::find_by_accessible_label(&w, "Suite donnée").next().is_some(), "the outcome list");
    a.invoke_scanned(payload.clone().into());
    button().invoke_accessible_default_action();
    assert!(!a.get_error(), "{}", a.get_status());
    assert!(a.get_status().contains("Prise en charge enregistrée"), "{}", a.get_status());
    button().invoke_accessible_default_action();
    assert!(a.get_status().contains("Déjà enregistrée"), "{}", a.get_status());
    let rows = passerelle::mediator::pickup_store::PickupStore::open(&med.path().join("donnees")).unwrap().pickups().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].visit_id, reference);
    // "Effacer" forgets the code: nothing to record.
    ElementHandle::find_by_accessible_label(&w, "Effacer").next().unwrap().invoke_accessible_default_action();
    assert_eq!(a.get_code(), "");
}

/// `mediateur pickups` lists what was recorded and where it went; `--remove REF` takes back a
/// code recorded by mistake (by the ticket's reference), says when an export already holds it,
/// and refuses an unknown reference with exit 2, removing nothing.
#[test]
fn the_mediator_lists_pickups_and_removes_one_recorded_by_mistake() {
    let kiosk_dir = tempfile::tempdir().unwrap();
    let med = tempfile::tempdir().unwrap();
    let cfg = mediator_config(med.path());
    let cfg = cfg.to_str().unwrap();
    let (code, out, _) = run(&["--config", cfg, "mediateur", "pickups"]);
    assert_eq!((code, out.trim()), (0, "Aucune prise en charge enregistrée."));
    let (ref1, payload1) = visit(kiosk_dir.path());
    let (ref2, payload2) = visit(kiosk_dir.path());
    assert_eq!(run(&["--config", cfg, "mediateur", "record", &payload1, "--outcome", "rendez_vous_pris"]).0, 0);
    let usb = tempfile::tempdir().unwrap();
    assert_eq!(run(&["--config", cfg, "mediateur", "export", "--to", usb.path().to_str().unwrap()]).0, 0);
    assert_eq!(run(&["--config", cfg, "mediateur", "record", &payload2]).0, 0);
    let pretty = |r: &str| passerelle_core::summary::pretty_reference(r);

    let (code, out, err) = run(&["--config", cfg, "mediateur", "pickups", "--json"]);
    assert_eq!(code, 0, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["reference"], pretty(&ref1).as_str());
    assert_eq!(list[0]["outcome"], "rendez_vous_pris");
    assert!(list[0]["exported_in"].as_str().unwrap().starts_with("passerelle-prises-mediatheque-aragon-"));
    assert_eq!(list[1]["exported_in"], serde_json::Value::Null);
    let (_, text, _) = run(&["--config", cfg, "mediateur", "pickups"]);
    assert!(text.contains(&pretty(&ref2)) && text.contains("pas encore exportée") && text.contains("rendez-vous pris"), "{text}");

    // An unknown reference: exit 2, a French sentence, nothing removed.
    let (code, _, err) = run(&["--config", cfg, "mediateur", "pickups", "--remove", "ZZZZ-ZZZZ"]);
    assert_eq!(code, 2);
    assert!(err.contains("Aucune prise en charge enregistrée pour la référence ZZZZ-ZZZZ"), "{err}");
    // The one not exported yet, by the ticket's spelling (lower case too): gone, and not exported.
    let (code, out, err) = run(&["--config", cfg, "mediateur", "pickups", "--remove", &pretty(&ref2).to_lowercase()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Prise en charge retirée") && !err.contains("Attention"), "{out}{err}");
    let (code, _, err) = run(&["--config", cfg, "mediateur", "export", "--to", usb.path().to_str().unwrap()]);
    assert_ne!(code, 0, "nothing new to export once it is removed");
    assert!(err.contains("rien de nouveau"), "{err}");
    // The exported one: removed here, with a warning that its export keeps it.
    let (code, _, err) = run(&["--config", cfg, "mediateur", "pickups", "--remove", &ref1]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Attention : elle était déjà dans l'export passerelle-prises-mediatheque-aragon-"), "{err}");
    let (_, out, _) = run(&["--config", cfg, "mediateur", "pickups", "--json"]);
    assert_eq!(out.trim(), "[]");
}
