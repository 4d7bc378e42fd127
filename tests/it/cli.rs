//! The command-line contract, run as a user would: the real binary, real files.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    c.env("PASSERELLE_LOG", "warn");
    c
}

fn run(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn questionnaire_json_contract() {
    let (ok, out, err) = run(&["questionnaire", "--json"], None);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["id"], "positionnement-92");
    assert!(j["version"].is_string());
    let q = &j["sections"][1]["questions"][0];
    assert_eq!((q["id"].as_str(), q["kind"].as_str()), (Some("age"), Some("single")));
    assert_eq!(q["label"], "Quel âge avez-vous\u{a0}?");
    assert!(q["choices"][0]["id"].is_string() && q["choices"][0]["label"].is_string());
    let (ok, out, _) = run(&["questionnaire", "--json", "--lang", "en"], None);
    assert!(ok && out.contains("How old are you?"));
}

#[test]
fn replay_a_scripted_visit_from_a_file_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let file = dir.path().join("visit.json");
    std::fs::write(
        &file,
        r#"{"lang":"fr","answers":{"age":"quarante_cinquante_neuf","acces_internet":"non","capacites":{"allumer_ordinateur":"sait_faire"}}}"#,
    )
    .unwrap();
    let (ok, out, err) = run(&["--data-dir", d, "replay", file.to_str().unwrap()], None);
    assert!(ok, "{err}");
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["id"].as_str().unwrap().len(), 8);
    assert!(line["profile"]["flags"].as_array().unwrap().contains(&"sans_internet".into()));
    assert!(line["payload"].as_str().unwrap().starts_with("PA1:"));
    // Two visits on standard input, one after the other.
    let (ok, out, err) = run(&["--data-dir", d, "replay", "-"], Some("{\"answers\":{}}\n{\"lang\":\"en\",\"answers\":{}}\n"));
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 2);
    let (ok, out, _) = run(&["--data-dir", d, "stats", "--json"], None);
    assert!(ok);
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(s["finished"], 3);
}

#[test]
fn replay_errors_are_clear_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    for (input, expected) in [
        (r#"{"answers":{"age":"centenaire"}}"#, "unknown choice `centenaire`"),
        (r#"{"answers":{"ages":"x"}}"#, "unknown question `ages`"),
        (r#"{"answers":{"usages_principaux":["jeux","achats_en_ligne","reseaux_sociaux","autre"]}}"#, "at most 3"),
        (r#"{"answers":{"acces_internet":"non","mode_acces":"box"}}"#, "not asked"),
        (r#"{"answers": "#, "not valid JSON"),
        ("", "no scripted visit"),
    ] {
        let (ok, out, err) = run(&["--data-dir", d, "replay", "-"], Some(input));
        assert!(!ok && out.is_empty(), "{input}");
        assert!(err.contains(expected), "{input}: {err}");
        assert!(!err.contains("panicked"));
    }
    let (_, out, _) = run(&["--data-dir", d, "stats", "--json"], None);
    assert!(out.contains("\"finished\":0"));
}

#[test]
fn a_bad_config_names_the_line_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(&cfg, passerelle_core::DEFAULT_CONFIG.replace("warning_s = 60", "warning_s = \"soixante\"")).unwrap();
    let (ok, _, err) = run(&["--config", cfg.to_str().unwrap(), "stats"], None);
    assert!(!ok);
    let line = passerelle_core::DEFAULT_CONFIG.lines().position(|l| l.starts_with("warning_s")).unwrap() + 1;
    assert!(err.contains(&format!("line {line}")) && err.contains("kiosk.toml"), "{err}");
    let (ok, _, err) = run(&["--config", "/nonexistent/kiosk.toml", "stats"], None);
    assert!(!ok && err.contains("cannot read /nonexistent/kiosk.toml"), "{err}");
}

/// The issue's "done when": killing `replay --random` at any moment never loses a visit whose
/// line was printed and never corrupts the database.
#[test]
fn killing_replay_at_any_moment_loses_no_printed_visit() {
    let dir = tempfile::tempdir().unwrap();
    let mut printed: Vec<String> = Vec::new();
    // Kill points: after reading k lines (0 = as soon as it starts).
    for (round, k) in [0usize, 1, 7, 31, 64, 150, 333, 500].into_iter().enumerate() {
        let mut child = bin()
            .args(["--data-dir", dir.path().to_str().unwrap(), "replay", "--random", "1000000", "--seed", &round.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for _ in 0..k {
            let line = lines.next().expect("a line").unwrap();
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            printed.push(v["id"].as_str().unwrap().to_string());
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let store = passerelle::kiosk::store::Store::open(dir.path()).unwrap();
        store.integrity_check().unwrap();
        let ids: std::collections::HashSet<String> = store.visits().unwrap().into_iter().map(|v| v.id).collect();
        for id in &printed {
            assert!(ids.contains(id), "round {round}: printed visit {id} lost");
        }
        // Every stored visit is whole: its profile and payload are there.
        let n: i64 =
            store.connection().query_row("SELECT count(*) FROM visits WHERE payload NOT LIKE 'PA1:%' OR length(record) = 0", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
    }
}

#[test]
fn admin_pin_keygen_export_and_decrypt_from_the_command_line() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("admin-key.txt");
    let (ok, recipient, err) = run(&["keygen", "--out", key.to_str().unwrap()], None);
    assert!(ok, "{err}");
    let recipient = recipient.trim();
    assert!(recipient.starts_with("age1"));
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "owner-only identity");
    let (ok, _, err) = run(&["keygen", "--out", key.to_str().unwrap()], None);
    assert!(!ok && err.contains("must not exist"), "never overwrites a key");
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(
        &cfg,
        passerelle_core::DEFAULT_CONFIG
            .replace("recipient = \"\"", &format!("recipient = \"{recipient}\""))
            .replace("data_dir = \"passerelle-data\"", "data_dir = \"data\""),
    )
    .unwrap();
    let c = cfg.to_str().unwrap();
    // The PIN comes from standard input, never from the arguments.
    let (ok, _, err) = run(&["--config", c, "admin", "set-pin"], Some("12\n"));
    assert!(!ok && err.contains("4 to 8 digits"), "{err}");
    let (ok, _, err) = run(&["--config", c, "admin", "set-pin"], Some("482916\n"));
    assert!(ok, "{err}");
    let db = std::fs::read(dir.path().join("data/passerelle.db")).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains("482916"), "only a hash of the PIN is stored");
    let (ok, _, err) = run(&["--config", c, "replay", "-"], Some(r#"{"answers":{"consentement_contact":{"last_name":"Vandenbroucke","phone":"0102030405"}}}"#));
    assert!(ok, "{err}");
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let (ok, out, err) = run(&["--config", c, "export", "--to", usb.to_str().unwrap()], None);
    assert!(ok, "{err}");
    let folder = out.split(" (").next().unwrap().to_string();
    assert!(out.contains("1 visits") && out.contains("1 contacts"), "{out}");
    let (ok, _, err) = run(&["--config", c, "export", "--to", usb.to_str().unwrap()], None);
    assert!(!ok && err.contains("nothing new"), "{err}");
    let (ok, csv, err) = run(&["decrypt", "--identity", key.to_str().unwrap(), &folder], None);
    assert!(ok, "{err}");
    assert!(csv.contains("Vandenbroucke") && csv.contains("0102030405"));
    let (ok, _, err) = run(&["--config", c, "export"], None);
    assert!(!ok && err.contains("no USB stick"), "{err}");
}

#[test]
fn signing_key_prints_the_kiosk_public_key_in_minisign_format_and_keygen_signing_makes_a_department_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.to_str().unwrap();
    let (ok, first, err) = run(&["--data-dir", data_s, "signing-key"], None);
    assert!(ok, "{err}");
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), 2, "{first}");
    assert!(lines[0].starts_with("untrusted comment: minisign public key "), "{first}");
    assert!(lines[1].starts_with("RW") && lines[1].len() == 56, "{first}");
    assert!(err.contains(&format!("vlg-nelly-roussel-1 {}", lines[1])), "the trusted keys line: {err}");
    let (_, again, _) = run(&["--data-dir", data_s, "signing-key"], None);
    assert_eq!(first, again, "one key per kiosk, kept");
    // A replaced key file is refused rather than followed: a symbolic link is not read.
    let key = data.join("signing.key");
    std::fs::rename(&key, data.join("real.key")).unwrap();
    std::os::unix::fs::symlink(data.join("real.key"), &key).unwrap();
    let (ok, _, err) = run(&["--data-dir", data_s, "signing-key"], None);
    assert!(!ok, "a symbolic link is refused: {err}");

    // The department's key: owner-only, never over an existing file; its public key printed.
    let dept = dir.path().join("fusion.key");
    let dept_s = dept.to_str().unwrap();
    let (ok, out, err) = run(&["keygen", "--signing", "--out", dept_s], None);
    assert!(ok, "{err}");
    assert!(out.lines().nth(1).is_some_and(|l| l.starts_with("RW")), "{out}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&dept).unwrap().permissions().mode() & 0o777, 0o600);
    let (ok, _, _) = run(&["keygen", "--signing", "--out", dept_s], None);
    assert!(!ok, "an existing key is never overwritten");
}
