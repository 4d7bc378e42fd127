//! Issue 23, points 2 and 3, attacked as a holder of a stolen key or an editor of a stick would:
//! every tool uses the very bytes it checked (read once), `decrypt` decrypts only what the
//! package lists, and each key vouches only for what its role allows.

use passerelle::department::merge::{Trust, merge_with};
use passerelle::package::signing::{SigningKey, TrustedKeys};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_passerelle")).env("PASSERELLE_LOG", "warn").args(args).stdin(Stdio::null()).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A kiosk (id `kiosk_id`) with an admin key, `n` random visits and one with contact details,
/// exported: (export folder, the admin's identity file, the kiosk's trusted keys line, config).
fn exported(dir: &Path, kiosk_id: &str, n: usize) -> (PathBuf, PathBuf, String, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let key = dir.join("admin-key.txt");
    let (code, recipient, err) = run(&["keygen", "--out", key.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let cfg = dir.join("kiosk.toml");
    std::fs::write(
        &cfg,
        passerelle_core::DEFAULT_CONFIG
            .replace("recipient = \"\"", &format!("recipient = \"{}\"", recipient.trim()))
            .replace("data_dir = \"passerelle-data\"", "data_dir = \"data\"")
            .replace("kiosk_id = \"vlg-nelly-roussel-1\"", &format!("kiosk_id = \"{kiosk_id}\"")),
    )
    .unwrap();
    let c = cfg.to_str().unwrap();
    assert_eq!(run(&["--config", c, "replay", "--random", &n.to_string(), "--seed", "5"]).0, 0);
    let mut child = Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .args(["--config", c, "replay", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"answers":{"age":"soixante_soixante_neuf","consentement_contact":{"last_name":"Vrainom","phone":"0607080910"}}}"#)
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let usb = dir.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let (code, out, err) = run(&["--config", c, "export", "--to", usb.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (_, _, line) = run(&["--config", c, "signing-key"]);
    (PathBuf::from(out.split(" (").next().unwrap()), key, line.lines().last().unwrap().to_string(), cfg)
}

fn kiosk_key(cfg: &Path) -> SigningKey {
    passerelle::shared::keys::read(&cfg.parent().unwrap().join("data").join(passerelle::package::signing::KEY_FILE)).unwrap()
}

/// Point 2: a `visits.csv` swapped between the check and the merge (rows naming another kiosk,
/// re-hashed) changes nothing: the merge uses the bytes it checked.
#[test]
fn a_file_swapped_after_its_check_never_reaches_the_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let (export, _, line, _) = exported(&tmp.path().join("a"), "kiosk-a", 4);
    let keys = TrustedKeys::parse(&line, "cles").unwrap();
    let original = std::fs::read_to_string(export.join("visits.csv")).unwrap();
    let swap = export.clone();
    passerelle::department::inputs::hooks::set_after_staging(Some(Box::new(move |origin: &Path| {
        if origin == swap {
            let text = std::fs::read_to_string(swap.join("visits.csv")).unwrap();
            std::fs::write(swap.join("visits.csv"), text.replace(",kiosk-a,", ",kiosk-b,")).unwrap();
            passerelle_support_resign(&swap);
        }
    })));
    let out = tmp.path().join("fusion");
    let outcome = merge_with(std::slice::from_ref(&export), &out, &Trust { keys: Some(keys), signing: None });
    passerelle::department::inputs::hooks::set_after_staging(None);
    let outcome = outcome.unwrap();
    assert!(std::fs::read_to_string(export.join("visits.csv")).unwrap().contains(",kiosk-b,"), "the stick was changed after the check");
    let merged = std::fs::read_to_string(out.join("visits.csv")).unwrap();
    assert!(!merged.contains("kiosk-b"), "the swapped rows reached the merge");
    assert_eq!(merged.lines().count(), original.lines().count());
    assert_eq!(outcome.provenance, "verifiee");
}

fn passerelle_support_resign(dir: &Path) {
    crate::support::resign(dir);
}

/// Point 2: `decrypt` decrypts only the contact files the package lists, under their hash, for
/// visits it holds; with trusted keys, only from a package whose signature holds.
#[test]
fn decrypt_reads_only_what_the_package_lists_and_checks_its_signature() {
    let tmp = tempfile::tempdir().unwrap();
    let (export, identity, line, cfg) = exported(&tmp.path().join("a"), "kiosk-a", 2);
    let keys = tmp.path().join("cles.txt");
    std::fs::write(&keys, &line).unwrap();
    let recipient = std::fs::read_to_string(&identity).unwrap().lines().find_map(|l| l.strip_prefix("# public key: ").map(String::from)).unwrap();
    let forged_contact =
        |name: &str| passerelle::kiosk::seal::seal(&recipient, &passerelle_core::answers::Contact { last_name: name.into(), ..Default::default() }).unwrap();
    let (code, csv, err) = run(&["decrypt", "--identity", identity.to_str().unwrap(), export.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(csv.contains("Vrainom") && err.contains("Provenance non vérifiée"), "{csv}{err}");
    // A contact sealed by anyone (the key is public), dropped on the stick: not listed, not read.
    std::fs::write(export.join("contacts/ZZZZZZZZ.age"), forged_contact("Intrus")).unwrap();
    let (code, csv, _) = run(&["decrypt", "--identity", identity.to_str().unwrap(), export.to_str().unwrap(), "--trusted-keys", keys.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(csv.contains("Vrainom") && !csv.contains("Intrus"), "{csv}");
    // A real visit's contact replaced, the sums recomputed: refused with trusted keys.
    std::fs::remove_file(export.join("contacts/ZZZZZZZZ.age")).unwrap();
    let real = std::fs::read_dir(export.join("contacts")).unwrap().flatten().next().unwrap().path();
    std::fs::write(&real, forged_contact("Usurpateur")).unwrap();
    crate::support::resign(&export);
    let (code, csv, err) = run(&["decrypt", "--identity", identity.to_str().unwrap(), export.to_str().unwrap(), "--trusted-keys", keys.to_str().unwrap()]);
    assert!(code != 0 && csv.is_empty(), "{csv}");
    assert!(err.contains("modifié après avoir été signé"), "{err}");
    // Re-signed by the kiosk's own (stolen) key it is that kiosk's claim: decrypted, but only
    // for a visit the package holds.
    crate::support::sign(&export, &kiosk_key(&cfg));
    let (code, csv, _) = run(&["decrypt", "--identity", identity.to_str().unwrap(), export.to_str().unwrap(), "--trusted-keys", keys.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(csv.contains("Usurpateur"));
}

/// Point 3: a kiosk's key never vouches for pickups, a signed comment must name its key, and a
/// kiosk's export never brings pickups.
#[test]
fn each_key_vouches_only_for_what_its_role_allows() {
    let tmp = tempfile::tempdir().unwrap();
    let (export_a, _, line_a, cfg_a) = exported(&tmp.path().join("a"), "kiosk-a", 3);
    let (export_b, _, line_b, _) = exported(&tmp.path().join("b"), "kiosk-b", 3);
    assert!(line_a.starts_with("borne kiosk-a "), "{line_a}");
    let keys = tmp.path().join("cles.txt");
    std::fs::write(&keys, format!("{line_a}\n{line_b}\n")).unwrap();
    let key_a = kiosk_key(&cfg_a);
    // A pickup package for "structure" kiosk-a, claiming every visit of kiosk-b, signed by the
    // stolen key of kiosk-a.
    let visits_b = std::fs::read_to_string(export_b.join("visits.csv")).unwrap();
    let refs: Vec<String> = visits_b.lines().skip(1).map(|l| l.split(',').next().unwrap().to_string()).collect();
    let forged = tmp.path().join("lot").join("passerelle-prises-kiosk-a-2026-12-01");
    std::fs::create_dir_all(&forged).unwrap();
    let mut rows = String::from("\u{feff}kiosk_id,visit_id,structure_id,local_date,outcome\n");
    for r in &refs {
        rows += &format!("kiosk-b,{r},kiosk-a,2026-12-01,accompagne_ici\n");
    }
    std::fs::write(forged.join("prises_en_charge.csv"), rows).unwrap();
    let meta = serde_json::json!({"profile": "data-package", "name": "x", "passerelle": {"format": 2, "kind": "prises_en_charge", "structure_id": "kiosk-a", "structure": "x"},
        "resources": [passerelle::package::pickup_table::resource()]});
    std::fs::write(forged.join("datapackage.json"), serde_json::to_vec(&meta).unwrap()).unwrap();
    std::fs::write(forged.join("SHA256SUMS"), format!("{z}  prises_en_charge.csv\n{z}  datapackage.json\n", z = "0".repeat(64))).unwrap();
    crate::support::resign(&forged);
    crate::support::sign(&forged, &key_a);
    let out = tmp.path().join("fusion");
    let (code, text, err) = run(&[
        "merge",
        export_a.to_str().unwrap(),
        export_b.to_str().unwrap(),
        forged.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--trusted-keys",
        keys.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "{text}{err}");
    let refused = text.lines().find(|l| l.contains("passerelle-prises-kiosk-a")).unwrap_or_default();
    assert!(refused.contains("il faut une clé « structure »"), "{text}");
    assert!(!std::fs::read_to_string(out.join("datapackage.json")).unwrap().contains("\"pickups\": 3"), "no pickup counted");
    // A signed comment that names another kiosk than its key.
    let lying = tmp.path().join("menteur").join(export_a.file_name().unwrap());
    crate::support::copy_dir(&export_a, &lying);
    crate::support::sign_with_comment(&lying, &key_a, "passerelle borne=kiosk-b format=2");
    let (code, text, _) = run(&[
        "merge",
        lying.to_str().unwrap(),
        export_b.to_str().unwrap(),
        "--out",
        tmp.path().join("f2").to_str().unwrap(),
        "--trusted-keys",
        keys.to_str().unwrap(),
    ]);
    assert_eq!(code, 3);
    assert!(text.contains("le commentaire signé (« passerelle borne=kiosk-b format=2 ») ne correspond pas à la clé borne kiosk-a"), "{text}");
    // A kiosk's export with an added pickups table, re-signed by its own key: refused whole,
    // by merge and by report alike.
    let padded = tmp.path().join("garni").join(export_a.file_name().unwrap());
    crate::support::copy_dir(&export_a, &padded);
    std::fs::write(padded.join("prises_en_charge.csv"), "\u{feff}kiosk_id,visit_id,structure_id,local_date,outcome\n").unwrap();
    let sums = std::fs::read_to_string(padded.join("SHA256SUMS")).unwrap();
    std::fs::write(padded.join("SHA256SUMS"), format!("{sums}{}  prises_en_charge.csv\n", "0".repeat(64))).unwrap();
    crate::support::resign(&padded);
    crate::support::sign(&padded, &key_a);
    let (code, _, err) = run(&["report", padded.to_str().unwrap(), "--out", tmp.path().join("r.html").to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("une borne ne transmet pas de prises en charge"), "{err}");
}

/// Point 3: a kiosk that names itself differently from one export to the next is reported.
#[test]
fn a_kiosk_whose_labels_change_between_exports_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, _, line, cfg) = exported(&tmp.path().join("a"), "kiosk-a", 2);
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, text.replace("structure = \"Centre social Nelly Roussel\"", "structure = \"Mairie annexe\"")).unwrap();
    let c = cfg.to_str().unwrap();
    assert_eq!(run(&["--config", c, "replay", "--random", "2", "--seed", "7"]).0, 0);
    let usb = tmp.path().join("usb2");
    std::fs::create_dir_all(&usb).unwrap();
    let (code, out, err) = run(&["--config", c, "export", "--to", usb.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let second = PathBuf::from(out.split(" (").next().unwrap());
    let keys = tmp.path().join("cles.txt");
    std::fs::write(&keys, &line).unwrap();
    let (code, text, err) = run(&[
        "merge",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--out",
        tmp.path().join("f").to_str().unwrap(),
        "--trusted-keys",
        keys.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}{err}");
    assert!(
        text.contains(
            "ATTENTION : la borne kiosk-a porte plusieurs libellés selon ses exports : Centre social Nelly Roussel (Villeneuve-la-Garenne) ; Mairie annexe (Villeneuve-la-Garenne)"
        ),
        "{text}"
    );
}

/// Point 5: trusted keys files as people write them: a byte order mark is fine, a line that
/// could be read two ways is refused with its number.
#[test]
fn trusted_keys_files_accept_a_bom_and_refuse_ambiguous_lines() {
    let key = SigningKey::generate().unwrap().public();
    let other = SigningKey::generate().unwrap().public();
    let keys = TrustedKeys::parse(&format!("\u{feff}borne kiosk-a {key}\nstructure centre-x {other}\n"), "cles").unwrap();
    assert_eq!(keys.keys.len(), 2);
    assert_eq!(keys.keys[1].line(), format!("structure centre-x {other}"));
    for (text, why) in [
        (format!("# ok\nfusion {key}\n"), "cles, ligne 2 : ligne ambiguë"),
        (format!("structure {key}\n"), "cles, ligne 1 : ligne ambiguë"),
        (format!("borne fusion {key}\n"), "cles, ligne 1 : nom invalide"),
        (format!("kiosk-a {key}\nborne kiosk-a {other}\n"), "cles, ligne 2 : borne kiosk-a a déjà une clé"),
        (format!("kiosk-a {key}\u{1b}[2J\n"), "cles, ligne 1 : caractère de contrôle"),
    ] {
        let e = TrustedKeys::parse(&text, "cles").unwrap_err();
        assert!(e.contains(why), "{text:?}: {e}");
    }
}
