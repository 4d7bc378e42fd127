//! The mediator's desk in a real browser (issue 25 §4): the page `passerelle mediateur page`
//! writes, opened from `file://` in headless Chromium through WebDriver
//! (`tests/fixtures/desk_browser.py`, selenium from the project's `.venv`). It must show what
//! `passerelle decode --json` shows (200 random visits, field by field), read a code through the
//! camera (Chromium's fake capture device fed a `.y4m` made by ffmpeg), record, re-record, remove
//! and export pickups as a zip that `merge --trusted-keys` accepts, pre-fill La Coop's link with
//! La Coop's values only, and never send a request. Skipped with a notice where Chromium,
//! chromedriver or selenium is missing, except in CI (`PASSERELLE_CI=1`).

use crate::support::tool;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_passerelle")).args(args).env("PASSERELLE_LOG", "warn").output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

pub(crate) fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "passerelle {args:?}: {err}");
    out
}

/// The project's Python with selenium, when Chromium and its driver are here too.
pub(crate) fn browser() -> Option<PathBuf> {
    let py = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let selenium = Command::new(&py).args(["-c", "import selenium"]).output().is_ok_and(|o| o.status.success());
    if !selenium {
        assert!(std::env::var_os("PASSERELLE_CI").is_none(), "CI must install selenium (.venv)");
        eprintln!("notice: selenium not installed in .venv, the browser desk's checks are skipped");
        return None;
    }
    (tool("chromium") && tool("chromedriver")).then_some(py)
}

/// Runs the WebDriver script: its JSON answer.
pub(crate) fn desk(py: &Path, args: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/desk_browser.py");
    let o = Command::new(py).arg(script).args(args).output().unwrap();
    assert!(o.status.success(), "desk_browser.py {args:?}: {}\n{}", String::from_utf8_lossy(&o.stderr), String::from_utf8_lossy(&o.stdout));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// No request left the page: only the page itself and in-page data.
pub(crate) fn assert_offline(requests: &Value) {
    let reqs = requests.as_array().unwrap();
    assert!(!reqs.is_empty(), "the performance log sees at least the page itself");
    let outside: Vec<&Value> = reqs.iter().filter(|u| !["file:", "data:", "blob:"].iter().any(|s| u.as_str().unwrap().starts_with(s))).collect();
    assert!(outside.is_empty(), "the page made requests: {outside:?}");
}

/// A mediator's configuration in `dir` and the page written for it.
pub(crate) fn page(dir: &Path) -> (PathBuf, PathBuf) {
    let cfg = dir.join("mediateur.toml");
    std::fs::write(&cfg, "structure = \"Médiathèque Aragon\"\nstructure_id = \"mediatheque-aragon\"\ndepartement = \"92\"\ndata_dir = \"donnees\"\n").unwrap();
    let html = dir.join("passerelle-mediateur.html");
    let out = ok(&["--config", cfg.to_str().unwrap(), "mediateur", "page", "--out", html.to_str().unwrap()]);
    assert!(out.contains("Médiathèque Aragon"), "{out}");
    (cfg, html)
}

/// `n` random visits stored by a kiosk in `dir`: their (reference, payload).
pub(crate) fn visits(dir: &Path, n: usize, seed: u64) -> Vec<(String, String)> {
    let out = ok(&["--data-dir", dir.to_str().unwrap(), "replay", "--random", &n.to_string(), "--seed", &seed.to_string()]);
    out.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v["payload"].as_str().unwrap().to_string())
        })
        .collect()
}

const NOW: &str = "2026-12-03T10:30:00";

/// The section of `passerelle decode`'s text from `from` to `to` (exclusive).
fn section<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let a = text.find(from).unwrap_or_else(|| panic!("no {from:?} in {text}"));
    let b = text[a..].find(to).map_or(text.len(), |b| a + b);
    text[a..b].trim_end()
}

/// What the page shows against `passerelle decode --json` and its text, field by field.
fn compare(shown: &Value, payload: &str) {
    let d: Value = serde_json::from_str(&ok(&["decode", payload, "--json", "--at", NOW])).unwrap();
    let text = ok(&["decode", payload, "--at", NOW]);
    let r = &d["reference"];
    assert_eq!(shown["shown"], true, "{r}: {}", shown["status"]);
    for k in ["reference", "kiosk_id", "date", "lang", "profile_verified", "partial", "answers_decoded", "facts", "suggestions"] {
        assert_eq!(shown[k], d[k], "{r}: {k}");
    }
    assert_eq!(shown["reference_shown"], passerelle::core::summary::pretty_reference(r.as_str().unwrap()), "{r}");
    match d["urgent"].as_object() {
        Some(u) => {
            assert_eq!(shown["urgent"]["id"], u["id"], "{r}");
            assert!(shown["urgent"]["text"].as_str().unwrap().contains(u["label"].as_str().unwrap()), "{r}");
        }
        None => assert_eq!(shown["urgent"], Value::Null, "{r}"),
    }
    let visitor: serde_json::Map<String, Value> = d["visitor"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), json!({"question": v["question"], "answered": v["answered"], "answers": v["answers"]})))
        .collect();
    assert_eq!(shown["visitor"], Value::Object(visitor), "{r}: visitor");
    for row in shown["profile_rows"].as_array().unwrap() {
        let f = row["field"].as_str().unwrap();
        let expected = match f {
            "capacites" => json!([d["profile"]["capacites_acquises"], d["profile"]["capacites_repondues"]]),
            _ => d["profile"][f].clone(),
        };
        assert_eq!(row["value"], expected, "{r}: profile.{f}");
        assert!(!row["label"].as_str().unwrap().is_empty(), "{r}: profile.{f} has a label");
    }
    assert_eq!(shown["profile_rows"].as_array().unwrap().len(), 12, "every field of the profile");
    assert_eq!(shown["places"], json!(d["places"].as_array().unwrap().iter().map(|p| p["id"].clone()).collect::<Vec<_>>()), "{r}: places");
    // The details as `decode` prints them, the places apart (the page lists them on their own).
    let details = section(&text, "ÉQUIPEMENT", "PRÉPARER LE CRA");
    let details = details.split("\nLIEUX SUGGÉRÉS :").next().unwrap();
    assert_eq!(shown["details"].as_str().unwrap().trim_end(), details.trim_end(), "{r}: details");
}

#[test]
fn the_page_shows_what_decode_shows_for_200_random_visits_and_sends_nothing() {
    let Some(py) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = page(dir.path());
    let size = std::fs::metadata(&html).unwrap().len();
    assert!(size <= 2 * 1024 * 1024, "the page is {size} bytes (issue 25 §5: at most 2 MB)");
    let kiosk = dir.path().join("borne");
    let visits = visits(&kiosk, 200, 25);
    // Every tenth code typed key by key by an AZERTY scanner, the others pasted.
    let mut lines: Vec<String> = visits
        .iter()
        .enumerate()
        .map(|(i, (_, p))| if i % 10 == 0 { format!("typed:{}", passerelle::core::handoff::azerty_mangle(p)) } else { p.clone() })
        .collect();
    // Bad codes: the command line's French message, nothing shown.
    let truncated = visits[0].1[..visits[0].1.len() - 9].to_string();
    lines.extend(["https://example.org/".to_string(), truncated.clone()]);
    let file = dir.path().join("payloads.txt");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = desk(&py, &["profiles", html.to_str().unwrap(), file.to_str().unwrap(), NOW]);
    let results = out["results"].as_array().unwrap();
    assert_eq!(results.len(), 202);
    for (i, ((_, payload), shown)) in visits.iter().zip(results).enumerate() {
        compare(shown, payload);
        assert_eq!(shown["focused"], "scan", "visit {i}: the scan field keeps the focus");
    }
    let defs = passerelle::core::definitions::Definitions::shipped().unwrap();
    for (bad, shown) in ["https://example.org/", truncated.as_str()].iter().zip(&results[200..]) {
        let e = passerelle::mediator::decode(&defs, bad).unwrap_err();
        assert_eq!(shown["status"], passerelle::mediator::error_in_french(&e), "{bad}");
        assert_eq!((shown["status_error"].as_bool(), shown["shown"].as_bool()), (Some(true), Some(false)), "{bad}");
    }
    assert!(visits.iter().any(|(_, p)| passerelle::mediator::decode(&defs, p).unwrap().profile.partial), "some visits ended early");
    assert_offline(&out["requests"]);
    assert_eq!(out["console"], json!([]), "no error in the browser's console");
}

/// The QR code of `payload` as `passerelle qr` draws it, made into a `.y4m` video by ffmpeg with
/// the filter `vf` (a plain frame, or a photo-like one).
fn video(dir: &Path, payload: &str, name: &str, vf: &str) -> PathBuf {
    let png = dir.join(format!("{name}.png"));
    ok(&["qr", payload, "--out", png.to_str().unwrap(), "--scale", "6"]);
    let y4m = dir.join(format!("{name}.y4m"));
    let o = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-loop", "1", "-i"])
        .arg(&png)
        .args(["-vf", vf, "-frames:v", "15", "-pix_fmt", "yuv420p", "-r", "5"])
        .arg(&y4m)
        .output()
        .unwrap();
    assert!(o.status.success(), "ffmpeg: {}", String::from_utf8_lossy(&o.stderr));
    y4m
}

#[test]
fn a_code_shown_to_the_camera_is_read_even_from_a_photo() {
    let Some(py) = browser() else { return };
    if !tool("ffmpeg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = page(dir.path());
    let visits = visits(&dir.path().join("borne"), 2, 3);
    let cases = [
        ("ecran", &visits[0].1, "scale=400:-1,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=white"),
        // A photo of the kiosk's screen on a phone shown to a webcam: small, slightly turned, grey
        // and noisy, off centre.
        (
            "photo",
            &visits[1].1,
            "scale=260:-1,rotate=0.14:c=white:ow=rotw(0.14):oh=roth(0.14),pad=640:480:330:150:color=0x808080,eq=contrast=0.75:brightness=0.04,noise=alls=18:allf=t",
        ),
    ];
    for (name, payload, vf) in cases {
        let y4m = video(dir.path(), payload, name, vf);
        let out = desk(&py, &["camera", html.to_str().unwrap(), y4m.to_str().unwrap(), NOW]);
        compare(&out["result"], payload);
        assert_eq!(out["result"]["camera_hidden"], true, "{name}: the camera stops once a code is read");
        assert_offline(&out["requests"]);
    }
}
