//! The department's scale: 200 kiosks' exports totalling 1,000,000 visits, merged, then reported.
//! Run: cargo bench --bench merge   (needs ≈ 4 GB of free disk in the temporary folder; set
//! PASSERELLE_BENCH_KIOSKS / PASSERELLE_BENCH_VISITS to change the size; PASSERELLE_BENCH_DIR=D
//! keeps the exports and the merged folder in D, and a second run with the same D times only the
//! report: handy when working on the report).
//! Targets (docs/performance.md): merge < 60 s and report < 60 s, with bounded memory (the
//! commands run as child processes; their own peak resident memory is sampled from /proc).
//!
//! The exports are made from one real export of random visits: each kiosk gets those rows with its
//! own visit references, kiosk, structure and commune, and a re-signed, valid export folder.

use chrono::NaiveDate;
use passerelle::kiosk::Kiosk;
use passerelle_core::engine::{Clock, FakeClock};
use passerelle_core::random::random_visit;
use rand::SeedableRng;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const COMMUNES: &[&str] = &[
    "Antony",
    "Asnières-sur-Seine",
    "Bagneux",
    "Bois-Colombes",
    "Boulogne-Billancourt",
    "Bourg-la-Reine",
    "Châtenay-Malabry",
    "Châtillon",
    "Clamart",
    "Clichy",
    "Colombes",
    "Courbevoie",
    "Fontenay-aux-Roses",
    "Gennevilliers",
    "Issy-les-Moulineaux",
    "Levallois-Perret",
    "Malakoff",
    "Meudon",
    "Montrouge",
    "Nanterre",
    "Puteaux",
    "Rueil-Malmaison",
    "Sceaux",
    "Sèvres",
    "Suresnes",
    "Vanves",
    "Villeneuve-la-Garenne",
];

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A visit reference of the kiosks' alphabet (Crockford base 32), unique for each n.
fn reference(n: u64) -> String {
    const A: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    (0..8).rev().map(|i| A[((n >> (5 * i)) & 31) as usize] as char).collect()
}

fn seed_export(dir: &Path, visits: usize) -> PathBuf {
    let mut c = passerelle_core::config::Config::parse(passerelle_core::DEFAULT_CONFIG, "kiosk.toml", None).unwrap();
    c.data_dir = dir.join("data");
    let kiosk = Kiosk::from_config(c, "bench".into()).unwrap();
    let mut store = kiosk.open_store().unwrap();
    let clock = FakeClock::new(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(9, 0, 0).unwrap());
    let mut e = kiosk.engine(clock.clone());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    for i in 0..visits {
        let v = random_visit(&mut e, &mut rng).unwrap();
        kiosk.finish_visit(&mut store, clock.as_ref(), &v).unwrap();
        e.saved().unwrap();
        e.finish().unwrap();
        if i % 10 == 0 {
            kiosk.record_abandon(&mut store, clock.as_ref(), ["age", "freins", "capacites/visioconference", "motivations"][i % 4]).unwrap();
        }
        if i % 40 == 0 {
            clock.advance(std::time::Duration::from_secs(86_400));
        }
    }
    let usb = dir.join("seed");
    std::fs::create_dir_all(&usb).unwrap();
    passerelle::kiosk::export::export(&kiosk, &mut store, &passerelle::kiosk::export::RealFs, &usb, true, clock.local_now()).unwrap().folder
}

/// One kiosk's export made from the seed's rows.
fn kiosk_export(seed: &Path, parent: &Path, k: usize, first: u64) {
    let kiosk = format!("borne-{k:03}");
    let name = format!("passerelle-{kiosk}-2026-11-28");
    let dir = parent.join(&name);
    std::fs::create_dir_all(&dir).unwrap();
    let structure = format!("Structure {:02}", k % 60);
    let commune = COMMUNES[k % COMMUNES.len()];
    let mut ids: HashMap<Vec<u8>, String> = HashMap::new();
    let mut sums = Vec::new();
    let write = |file: &str, f: &mut dyn FnMut(&mut csv::Writer<&mut Vec<u8>>)| -> (String, usize) {
        let mut buf = b"\xef\xbb\xbf".to_vec();
        {
            let mut w = csv::Writer::from_writer(&mut buf);
            f(&mut w);
            w.flush().unwrap();
        }
        std::fs::write(dir.join(file), &buf).unwrap();
        (hex(&Sha256::digest(&buf)), buf.len())
    };
    let mut r = csv::Reader::from_path(seed.join("visits.csv")).unwrap();
    let h = r.byte_headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n.as_bytes()).unwrap();
    let (cid, ck, cs, cc) = (col("visit_id"), col("kiosk_id"), col("structure"), col("commune"));
    let records: Vec<csv::ByteRecord> = r.byte_records().map(|x| x.unwrap()).collect();
    let visits = write("visits.csv", &mut |w| {
        w.write_byte_record(&h).unwrap();
        for (i, rec) in records.iter().enumerate() {
            let id = reference(first + i as u64);
            ids.insert(rec[cid].to_vec(), id.clone());
            let mut out = csv::ByteRecord::new();
            for (j, f) in rec.iter().enumerate() {
                out.push_field(match j {
                    _ if j == cid => id.as_bytes(),
                    _ if j == ck => kiosk.as_bytes(),
                    _ if j == cs => structure.as_bytes(),
                    _ if j == cc => commune.as_bytes(),
                    _ => f,
                });
            }
            w.write_byte_record(&out).unwrap();
        }
    });
    sums.push(("visits.csv", visits));
    let mut r = csv::Reader::from_path(seed.join("choix_multiples.csv")).unwrap();
    let h = r.byte_headers().unwrap().clone();
    let multi = write("choix_multiples.csv", &mut |w| {
        w.write_byte_record(&h).unwrap();
        for rec in r.byte_records() {
            let rec = rec.unwrap();
            // Format 2: kiosk_id, visit_id, question_id, choice_id.
            let mut out = csv::ByteRecord::new();
            out.push_field(kiosk.as_bytes());
            out.push_field(ids[&rec[1].to_vec()].as_bytes());
            out.push_field(&rec[2]);
            out.push_field(&rec[3]);
            w.write_byte_record(&out).unwrap();
        }
    });
    sums.push(("choix_multiples.csv", multi));
    let mut r = csv::Reader::from_path(seed.join("abandons.csv")).unwrap();
    let h = r.byte_headers().unwrap().clone();
    let ab = write("abandons.csv", &mut |w| {
        w.write_byte_record(&h).unwrap();
        for rec in r.byte_records() {
            let rec = rec.unwrap();
            let mut out = csv::ByteRecord::new();
            out.push_field(kiosk.as_bytes());
            for f in rec.iter().skip(1) {
                out.push_field(f);
            }
            w.write_byte_record(&out).unwrap();
        }
    });
    sums.push(("abandons.csv", ab));
    let dict = std::fs::read(seed.join("dictionnaire.csv")).unwrap();
    std::fs::write(dir.join("dictionnaire.csv"), &dict).unwrap();
    sums.push(("dictionnaire.csv", (hex(&Sha256::digest(&dict)), dict.len())));
    let mut pkg: Value = serde_json::from_slice(&std::fs::read(seed.join("datapackage.json")).unwrap()).unwrap();
    pkg["name"] = name.clone().into();
    pkg["passerelle"]["kiosk_id"] = kiosk.clone().into();
    pkg["passerelle"]["structure"] = structure.clone().into();
    pkg["passerelle"]["commune"] = commune.into();
    let resources: Vec<Value> =
        pkg["resources"].as_array().unwrap().iter().filter(|r| !r["path"].as_str().unwrap().starts_with("contacts/")).cloned().collect();
    pkg["resources"] = resources.into();
    for r in pkg["resources"].as_array_mut().unwrap() {
        let (_, (hash, bytes)) = sums.iter().find(|(f, _)| r["path"] == *f).unwrap();
        r["hash"] = format!("sha256:{hash}").into();
        r["bytes"] = (*bytes).into();
    }
    let dp = serde_json::to_vec_pretty(&pkg).unwrap();
    std::fs::write(dir.join("datapackage.json"), &dp).unwrap();
    sums.push(("datapackage.json", (hex(&Sha256::digest(&dp)), dp.len())));
    let mut f = std::fs::File::create(dir.join("SHA256SUMS")).unwrap();
    for (name, (hash, _)) in &sums {
        writeln!(f, "{hash}  {name}").unwrap();
    }
}

/// Runs a command; returns (wall seconds, peak resident memory in MB) of that child alone. The
/// peak is the child's own `VmHWM`, sampled every 10 ms (rusage's maxrss would also count the
/// benchmark's own memory, inherited at spawn).
fn measure(cmd: &mut Command) -> (f64, f64) {
    let t = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(kb) = s.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{cmd:?} failed: {status}");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    (t.elapsed().as_secs_f64(), peak_kb as f64 / 1024.0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("merge_1m: bench");
        return;
    }
    let kiosks = env("PASSERELLE_BENCH_KIOSKS", 200);
    let per = env("PASSERELLE_BENCH_VISITS", 1_000_000) / kiosks;
    let tmp = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("PASSERELLE_BENCH_DIR").map(PathBuf::from);
    let root = kept.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let bin = env!("CARGO_BIN_EXE_passerelle");
    let out = root.join(format!("fusion-{kiosks}-{per}"));
    if kept.is_none() || !out.join("visits.csv").exists() {
        let t = Instant::now();
        let exports = root.join(format!("exports-{kiosks}-{per}"));
        let _ = std::fs::remove_dir_all(&exports);
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_dir_all(root.join("data"));
        let seed = seed_export(&root, per);
        for k in 0..kiosks {
            kiosk_export(&seed, &exports, k, (k * per) as u64 + 1);
        }
        let bytes: u64 = walk(&exports).iter().map(|p| p.metadata().unwrap().len()).sum();
        println!("prepared {kiosks} exports of {per} visits ({:.0} MB) in {:.0} s", bytes as f64 / 1e6, t.elapsed().as_secs_f64());
        let (secs, mb) =
            measure(Command::new(bin).env("PASSERELLE_LOG", "warn").arg("merge").arg(&exports).arg("--out").arg(&out).stdout(std::process::Stdio::null()));
        use std::io::BufRead;
        let merged = std::io::BufReader::new(std::fs::File::open(out.join("visits.csv")).unwrap()).lines().count() - 1;
        assert_eq!(merged, kiosks * per);
        println!("merge_{}_visits: {secs:.1} s, peak memory {mb:.0} MB", kiosks * per);
    }
    let html = root.join("rapport.html");
    let (secs, mb) =
        measure(Command::new(bin).env("PASSERELLE_LOG", "warn").arg("report").arg(&out).arg("--out").arg(&html).stdout(std::process::Stdio::null()));
    println!("report_{}_visits: {secs:.1} s, peak memory {mb:.0} MB, {} KB of HTML", kiosks * per, html.metadata().unwrap().len() / 1024);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() { v.extend(walk(&e.path())) } else { v.push(e.path()) }
    }
    v
}
