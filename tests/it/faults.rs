//! Faults a kiosk survives: full disk, damaged database, bad configuration, a clock set wrong,
//! power cuts at any moment, and memory that stays flat over a long run.

use chrono::NaiveDate;
use passerelle::kiosk::Kiosk;
use passerelle::kiosk::store::{Store, StoreError};
use passerelle_core::engine::{Clock, FakeClock};
use passerelle_core::random::random_visit;
use rand::{RngExt, SeedableRng};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

fn kiosk(dir: &std::path::Path) -> Kiosk {
    Kiosk::load(None, Some(dir)).unwrap()
}

fn visits(k: &Kiosk, store: &mut Store, clock: &Arc<FakeClock>, n: usize, seed: u64) -> Vec<Result<String, passerelle::kiosk::KioskError>> {
    let mut e = k.engine(clock.clone());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let v = random_visit(&mut e, &mut rng).unwrap();
            let r = k.finish_visit(store, clock.as_ref(), &v).map(|s| s.id);
            if r.is_ok() {
                e.saved().unwrap();
                e.finish().unwrap();
            } else {
                e.abort();
            }
            r
        })
        .collect()
}

fn clock() -> Arc<FakeClock> {
    FakeClock::new(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap())
}

#[test]
fn a_full_disk_loses_nothing_and_the_kiosk_recovers_when_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(dir.path());
    let mut store = k.open_store().unwrap();
    let c = clock();
    let before: Vec<String> = visits(&k, &mut store, &c, 50, 1).into_iter().map(Result::unwrap).collect();
    // The disk is full: SQLite may not grow the database any more.
    let pages: i64 = store.connection().query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    store.connection().pragma_update(None, "max_page_count", pages).unwrap();
    let failed = visits(&k, &mut store, &c, 40, 2);
    let errors: Vec<_> = failed.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(!errors.is_empty(), "the disk fills up");
    for e in &errors {
        assert_eq!(e.code(), "DISK-FULL", "{e}");
        assert!(matches!(e, passerelle::kiosk::KioskError::Store(StoreError::DiskFull)));
    }
    store.integrity_check().unwrap();
    let stored: Vec<String> = store.visits().unwrap().into_iter().map(|v| v.id).collect();
    for id in &before {
        assert!(stored.contains(id), "earlier visits are intact");
    }
    for v in store.visits().unwrap() {
        assert!(v.payload.starts_with("PA1:") && v.profile.get("rules_version").is_some(), "no half-written visit");
    }
    // Space returns.
    store.connection().pragma_update(None, "max_page_count", 1_000_000_000i64).unwrap();
    assert!(visits(&k, &mut store, &c, 5, 3).into_iter().all(|r| r.is_ok()), "saving works again");
}

#[test]
fn a_damaged_database_is_moved_aside_never_overwritten_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(dir.path());
    {
        let mut store = k.open_store().unwrap();
        visits(&k, &mut store, &clock(), 200, 4);
        store.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    // Damage pages in the middle of the file.
    let db = dir.path().join("passerelle.db");
    let mut bytes = std::fs::read(&db).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 8192] {
        *b = 0x5a;
    }
    std::fs::write(&db, &bytes).unwrap();
    let bin = env!("CARGO_BIN_EXE_passerelle");
    let doctor = Command::new(bin).args(["--data-dir", dir.path().to_str().unwrap(), "doctor"]).env("PASSERELLE_LOG", "off").output().unwrap();
    assert!(!doctor.status.success(), "doctor fails on a damaged database");
    assert!(String::from_utf8_lossy(&doctor.stdout).contains("FAIL  database"));
    let (store, moved) = k.open_store_recovering(clock().local_now()).unwrap();
    let moved = moved.expect("moved aside");
    assert_eq!(std::fs::read(&moved).unwrap(), bytes, "the damaged file is kept as it was");
    assert!(moved.file_name().unwrap().to_string_lossy().starts_with("passerelle.db.damaged-20261128-100000"));
    store.integrity_check().unwrap();
    assert_eq!(store.stats().unwrap().finished, 0, "a new database");
    // A file that is not a database at all.
    drop(store);
    std::fs::write(&db, b"garbage".repeat(1000)).unwrap();
    let (_, moved2) = k.open_store_recovering(clock().local_now()).unwrap();
    assert_ne!(moved2.unwrap(), moved, "a second damaged file does not replace the first");
}

#[test]
fn a_bad_or_missing_config_is_explained_by_doctor() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kiosk.toml");
    std::fs::write(&cfg, passerelle_core::DEFAULT_CONFIG.replace("context = \"file_attente\"", "context = \"guichet\"")).unwrap();
    let e = Kiosk::load(Some(&cfg), None).err().unwrap();
    assert_eq!(e.code(), "CFG-VALUE");
    let bin = env!("CARGO_BIN_EXE_passerelle");
    let out = Command::new(bin).args(["--config", cfg.to_str().unwrap(), "doctor"]).env("PASSERELLE_LOG", "off").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL  config") && text.contains("key `context`") && text.contains("CFG-VALUE"), "{text}");
    let missing = Kiosk::load(Some(&dir.path().join("nope.toml")), None).err().unwrap();
    assert_eq!(missing.code(), "CFG-READ");
    let ok = Command::new(bin).args(["--data-dir", dir.path().to_str().unwrap(), "doctor", "--json"]).env("PASSERELLE_LOG", "off").output().unwrap();
    let checks: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert!(checks.as_array().unwrap().iter().any(|c| c["what"] == "database" && c["level"] == "ok"));
}

#[test]
fn a_clock_set_wrong_breaks_neither_ordering_nor_exports() {
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk(dir.path());
    let mut store = k.open_store().unwrap();
    let c = clock();
    let mut ids = Vec::new();
    for (i, (y, m, d)) in [(2099, 1, 1), (1999, 12, 31), (2026, 11, 28), (1970, 1, 1), (2026, 11, 27)].into_iter().enumerate() {
        c.set_local(NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(9, 0, 0).unwrap());
        ids.extend(visits(&k, &mut store, &c, 3, 10 + i as u64).into_iter().map(Result::unwrap));
    }
    let order: Vec<String> = store.visits().unwrap().into_iter().map(|v| v.id).collect();
    assert_eq!(order, ids, "visits stay in the order they were made, whatever their dates");
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let r = passerelle::kiosk::export::export(&k, &mut store, &passerelle::kiosk::export::RealFs, &usb, false, c.local_now()).unwrap();
    assert_eq!(r.record.visits, 15);
    let mut rd = csv::Reader::from_path(r.folder.join("visits.csv")).unwrap();
    let exported: Vec<String> = rd.records().map(|x| x.unwrap()[0].trim_start_matches('\u{feff}').to_string()).collect();
    assert_eq!(exported, ids);
    let s = store.stats().unwrap();
    assert_eq!(s.per_day.first().unwrap().date, "1970-01-01");
    assert_eq!(s.per_day.last().unwrap().date, "2099-01-01");
}

/// Power cuts: SIGKILL at random moments of `replay --random`, many times; a visit whose line
/// was printed is there, and the database is sound.
#[test]
fn power_cuts_at_random_moments() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(99);
    let mut printed: Vec<String> = Vec::new();
    for round in 0..25 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_passerelle"))
            .args(["--data-dir", dir.path().to_str().unwrap(), "replay", "--random", "100000", "--seed", &round.to_string()])
            .env("PASSERELLE_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || BufReader::new(out).lines().map_while(Result::ok).collect::<Vec<String>>());
        std::thread::sleep(std::time::Duration::from_millis(rng.random_range(5..400)));
        child.kill().unwrap();
        child.wait().unwrap();
        for line in reader.join().unwrap() {
            // The last line may be cut by the kill: only whole lines count as printed.
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                printed.push(v["id"].as_str().unwrap().to_string());
            }
        }
        let store = Store::open(dir.path()).unwrap();
        store.integrity_check().unwrap();
        let ids: std::collections::HashSet<String> = store.visits().unwrap().into_iter().map(|v| v.id).collect();
        for id in &printed {
            assert!(ids.contains(id), "round {round}: printed visit {id} lost");
        }
    }
    assert!(printed.len() > 100, "the kills happened while visits were being stored ({})", printed.len());
}

fn rss_kb(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// A long run of visits keeps memory flat: the real binary's resident memory after 1000 and
/// after 6000 stored visits (engine, profile, payload, sealing, store).
#[test]
fn memory_stays_flat_over_thousands_of_visits() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "replay", "--random", "1000000", "--seed", "5"])
        .env("PASSERELLE_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut samples = Vec::new();
    for n in 1..=6000 {
        lines.next().unwrap().unwrap();
        if n == 1000 || n == 6000 {
            samples.push(rss_kb(pid));
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (warm, after) = (samples[0], samples[1]);
    assert!(warm > 0);
    assert!(after < warm + 4 * 1024, "memory grew from {warm} kB to {after} kB over 5000 visits");
}

/// The visit ids that `replay` printed (only whole JSON lines).
fn printed_ids(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

/// Issue 14, its own steps: an 8 MiB ext4 loop image filled by `replay --random 100000 --seed 1`,
/// then `stats` and `doctor`. Before, both died of SIGBUS (exit 135) mapping the `-shm`.
#[test]
fn the_issue_steps_no_command_is_killed_after_replay_filled_the_disk() {
    use std::os::unix::process::ExitStatusExt;
    let Some(disk) = crate::support::LoopDisk::new(8) else {
        return;
    };
    let data = disk.mnt.join("data");
    let bin = env!("CARGO_BIN_EXE_passerelle");
    let run = |args: &[&str]| Command::new(bin).arg("--data-dir").arg(&data).args(args).env("PASSERELLE_LOG", "off").output().unwrap();
    let filled = run(&["replay", "--random", "100000", "--seed", "1"]);
    assert_eq!(filled.status.code(), Some(1), "{:?}", filled.status);
    let printed = printed_ids(&filled.stdout).len();
    for _ in 0..2 {
        let stats = run(&["stats", "--json"]);
        assert_eq!(stats.status.signal(), None, "stats killed by a signal");
        assert!(stats.status.success(), "{}", String::from_utf8_lossy(&stats.stderr));
        let s: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
        assert_eq!(s["finished"].as_u64().unwrap() as usize, printed);
        let doctor = run(&["doctor"]);
        assert_eq!(doctor.status.signal(), None, "doctor killed by a signal");
        assert_eq!(doctor.status.code(), Some(1));
    }
}

/// Issue 14: a real full filesystem (an 8 MiB ext4 loop image) filled by `replay --random`.
/// Before, every later start (`stats`, `doctor`, the kiosk) died of SIGBUS mapping the `-shm`.
#[test]
fn a_really_full_disk_crashes_no_command_loses_nothing_and_visits_resume_when_space_returns() {
    let Some(disk) = crate::support::LoopDisk::new(8) else {
        return;
    };
    // Something else takes part of the disk (old logs, say): the admin deletes it at the end.
    let other = disk.mnt.join("old-logs");
    std::fs::write(&other, vec![0x55u8; 1536 * 1024]).unwrap();
    let data = disk.mnt.join("data");
    let bin = env!("CARGO_BIN_EXE_passerelle");
    let run = |args: &[&str]| Command::new(bin).arg("--data-dir").arg(&data).args(args).env("PASSERELLE_LOG", "off").output().unwrap();
    let filled = run(&["replay", "--random", "100000", "--seed", "1"]);
    assert_eq!(filled.status.code(), Some(1), "an error exit, not a signal: {:?}", filled.status);
    let stderr = String::from_utf8_lossy(&filled.stderr);
    assert!(stderr.contains("the disk is full: the visit was not saved"), "{stderr}");
    let printed = printed_ids(&filled.stdout);
    assert!(printed.len() > 100, "visits were stored until the disk was full ({})", printed.len());
    let reserve = data.join(passerelle::kiosk::disk_space::RESERVE_FILE);
    assert!(!reserve.exists(), "the reserve was released for what still has to work");

    // Every later start works and says what is wrong.
    let stats = run(&["stats", "--json"]);
    assert!(stats.status.success(), "stats on a full disk: {:?} {}", stats.status, String::from_utf8_lossy(&stats.stderr));
    let s: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(s["finished"].as_u64().unwrap() as usize, printed.len(), "every printed visit is stored");
    let doctor = run(&["doctor"]);
    assert_eq!(doctor.status.code(), Some(1), "doctor runs and fails: {:?}", doctor.status);
    let report = String::from_utf8_lossy(&doctor.stdout);
    let line = report.lines().find(|l| l.starts_with("FAIL  disk")).unwrap_or_else(|| panic!("{report}"));
    assert!(line.contains("is full") && line.contains(&disk.mnt.display().to_string()) && line.contains("ext4") && line.contains("MB free"), "{line}");
    assert!(line.contains("passerelle export"), "an action for the admin: {line}");
    assert!(report.lines().any(|l| l.starts_with("ok    database")), "{report}");

    // A visit is refused cleanly while the disk is full.
    let refused = run(&["replay", "--random", "3", "--seed", "2"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("the disk is full"));
    assert!(printed_ids(&refused.stdout).is_empty());

    // The admin can still export (to a stick: here a folder on another disk).
    let usb = tempfile::tempdir().unwrap();
    let export = run(&["export", "--to", usb.path().to_str().unwrap()]);
    assert!(export.status.success(), "export on a full disk: {}", String::from_utf8_lossy(&export.stderr));
    let store = Store::open(&data).unwrap();
    store.integrity_check().unwrap();
    let ids: std::collections::HashSet<String> = store.visits().unwrap().into_iter().map(|v| v.id).collect();
    assert!(printed.iter().all(|id| ids.contains(id)), "nothing lost");
    assert_eq!(store.unexported().unwrap().0, 0, "the export was recorded");
    drop(store);

    // Space returns: visits are taken again, and the reserve is back.
    std::fs::remove_file(&other).unwrap();
    let again = run(&["replay", "--random", "5", "--seed", "3"]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(printed_ids(&again.stdout).len(), 5);
    assert!(reserve.exists());
    let doctor = run(&["doctor"]);
    assert!(String::from_utf8_lossy(&doctor.stdout).lines().any(|l| l.starts_with("WARN  disk") || l.starts_with("ok    disk")));
}

/// Issue 14: a disk filled to the last block by something else, with no reserve left to
/// release (here: removed): the database is opened with its wal-index in memory (no `-shm`
/// to map), so `stats` and `doctor` still answer instead of dying of SIGBUS.
#[test]
fn a_disk_full_to_the_last_block_without_a_reserve_is_still_readable() {
    let Some(disk) = crate::support::LoopDisk::new(8) else {
        return;
    };
    let data = disk.mnt.join("data");
    let bin = env!("CARGO_BIN_EXE_passerelle");
    let run = |args: &[&str]| Command::new(bin).arg("--data-dir").arg(&data).args(args).env("PASSERELLE_LOG", "off").output().unwrap();
    let made = run(&["replay", "--random", "50", "--seed", "4"]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert!(!data.join("passerelle.db-shm").exists(), "a clean close leaves no wal-index");
    let _ = std::fs::remove_file(data.join(passerelle::kiosk::disk_space::RESERVE_FILE));
    // Another program fills the disk to the very last block.
    {
        use std::io::Write;
        let mut f = std::fs::File::create(disk.mnt.join("runaway.log")).unwrap();
        let block = vec![0x2au8; 4096];
        while f.write_all(&block).is_ok() {}
        let one = [0u8; 1];
        while f.write_all(&one).is_ok() {}
        let _ = f.sync_all();
    }
    let stats = run(&["stats", "--json"]);
    assert!(stats.status.success(), "stats on a disk full to the last block: {:?} {}", stats.status, String::from_utf8_lossy(&stats.stderr));
    let s: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(s["finished"], 50);
    let doctor = run(&["doctor"]);
    assert_eq!(doctor.status.code(), Some(1), "{:?}", doctor.status);
    let report = String::from_utf8_lossy(&doctor.stdout);
    assert!(report.lines().any(|l| l.starts_with("FAIL  disk") && l.contains("is full")), "{report}");
    assert!(report.lines().any(|l| l.starts_with("ok    database")), "{report}");
    let refused = run(&["replay", "--random", "1", "--seed", "5"]);
    assert_eq!(refused.status.code(), Some(1), "{:?}", refused.status);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("the disk is full"));
    let store = Store::open(&data).unwrap();
    assert!(store.exclusive());
    store.integrity_check().unwrap();
    // While one process holds it so (the kiosk), another waits, then says why: no crash.
    let doctor = run(&["doctor"]);
    assert_eq!(doctor.status.code(), Some(1), "{:?}", doctor.status);
    let report = String::from_utf8_lossy(&doctor.stdout);
    assert!(report.lines().any(|l| l.starts_with("FAIL  database") && l.contains("locked by another process")), "{report}");
    drop(store);
}
