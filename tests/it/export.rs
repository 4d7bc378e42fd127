//! USB export: a valid Frictionless data package, every visit exactly once across repeated
//! exports, no personal data in clear, nothing marked when the stick is pulled, retention.

use crate::support::frictionless;
use chrono::NaiveDate;
use passerelle::kiosk::Kiosk;
use passerelle::kiosk::export::{self, ExportError, ExportFs, RealFs};
use passerelle::kiosk::store::Store;
use passerelle_core::engine::{Clock, FakeClock};
use passerelle_core::random::random_visit;
use rand::SeedableRng;
use std::collections::HashSet;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

struct Kit {
    kiosk: Kiosk,
    store: Store,
    clock: Arc<FakeClock>,
    identity: String,
    dir: tempfile::TempDir,
}

fn kit() -> Kit {
    let dir = tempfile::tempdir().unwrap();
    let (identity, recipient) = passerelle::kiosk::seal::keygen();
    let src = passerelle_core::DEFAULT_CONFIG.replace("recipient = \"\"", &format!("recipient = \"{recipient}\""));
    let mut c = passerelle_core::config::Config::parse(&src, "kiosk.toml", None).unwrap();
    c.data_dir = dir.path().join("data");
    let kiosk = Kiosk::from_config(c, "test".into()).unwrap();
    let store = kiosk.open_store().unwrap();
    let clock = FakeClock::new(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(9, 0, 0).unwrap());
    Kit { kiosk, store, clock, identity, dir }
}

impl Kit {
    fn visits(&mut self, n: usize, seed: u64) -> Vec<String> {
        let mut e = self.kiosk.engine(self.clock.clone());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let v = random_visit(&mut e, &mut rng).unwrap();
                let s = self.kiosk.finish_visit(&mut self.store, self.clock.as_ref(), &v).unwrap();
                e.saved().unwrap();
                e.finish().unwrap();
                s.id
            })
            .collect()
    }
    fn usb(&self) -> PathBuf {
        let p = self.dir.path().join("usb");
        std::fs::create_dir_all(&p).unwrap();
        p
    }
    fn export(&mut self, fs: &dyn ExportFs, all: bool) -> Result<export::ExportReport, ExportError> {
        let usb = self.usb();
        export::export(&self.kiosk, &mut self.store, fs, &usb, all, self.clock.local_now())
    }
}

fn ids_in(folder: &Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(folder.join("visits.csv")).unwrap();
    r.records().map(|x| x.unwrap()[0].trim_start_matches('\u{feff}').to_string()).collect()
}

#[test]
fn thousands_of_visits_export_as_a_valid_data_package() {
    let mut k = kit();
    k.visits(3000, 1);
    k.kiosk.record_abandon(&mut k.store, k.clock.as_ref(), "capacites/visioconference").unwrap();
    let r = k.export(&RealFs, false).unwrap();
    assert_eq!((r.record.visits, r.record.abandons), (3000, 1));
    assert!(r.folder.file_name().unwrap().to_string_lossy().starts_with("passerelle-vlg-nelly-roussel-1-2026-11-28"));
    let sums = Command::new("sha256sum").args(["-c", "--quiet", "SHA256SUMS"]).current_dir(&r.folder).output().unwrap();
    assert!(sums.status.success(), "{}", String::from_utf8_lossy(&sums.stdout));
    let visits = std::fs::read(r.folder.join("visits.csv")).unwrap();
    assert!(visits.starts_with(b"\xef\xbb\xbfvisit_id,"), "UTF-8 with BOM for Excel");
    if let Some(f) = frictionless() {
        let out = Command::new(f).args(["validate", "--json", "datapackage.json"]).current_dir(&r.folder).output().unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert_eq!(report["valid"], true, "{}", String::from_utf8_lossy(&out.stdout).chars().take(3000).collect::<String>());
        let rows: Vec<_> = report["tasks"].as_array().unwrap().iter().filter(|t| t["name"] == "visits").map(|t| t["stats"]["rows"].clone()).collect();
        assert_eq!(rows, vec![serde_json::json!(3000)]);
    }
    // The data package describes every file of the folder but those for people (visites.xlsx
    // copies visits.csv and the dictionary for a double click; SHA256SUMS covers it).
    let pkg: serde_json::Value = serde_json::from_slice(&std::fs::read(r.folder.join("datapackage.json")).unwrap()).unwrap();
    let described: HashSet<String> = pkg["resources"].as_array().unwrap().iter().map(|x| x["path"].as_str().unwrap().to_string()).collect();
    for entry in walk(&r.folder) {
        let rel = entry.strip_prefix(&r.folder).unwrap().to_string_lossy().to_string();
        if !["datapackage.json", "SHA256SUMS", "SHA256SUMS.minisig", "LISEZMOI.txt", "visites.xlsx"].contains(&rel.as_str()) {
            assert!(described.contains(&rel), "{rel} not described");
        }
    }
}

#[test]
fn exports_are_signed_with_the_kiosk_key_and_minisign_verifies_them() {
    let mut k = kit();
    k.visits(5, 7);
    let r = k.export(&RealFs, false).unwrap();
    // The key was made at the first export, owner-only, in the data directory, and stays the same.
    let key_file = k.kiosk.defs.config.data_dir.join(passerelle::package::signing::KEY_FILE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let public = passerelle::shared::keys::kiosk_key(&k.kiosk.defs.config.data_dir, &k.kiosk.defs.config.kiosk_id).unwrap().public();
    assert!(public.starts_with("RW") && public.len() == 56, "{public}");
    assert!(r.folder.join("SHA256SUMS.minisig").is_file());
    // The secret key never leaves the kiosk.
    let secret = std::fs::read_to_string(&key_file).unwrap();
    let secret_line = secret.lines().nth(1).unwrap();
    for f in walk(&r.folder) {
        assert!(!String::from_utf8_lossy(&std::fs::read(&f).unwrap()).contains(secret_line), "{} holds the secret key", f.display());
    }
    if !crate::support::tool("minisign") {
        return;
    }
    let verify = |dir: &Path| Command::new("minisign").args(["-Vm", "SHA256SUMS", "-P", &public]).current_dir(dir).output().unwrap();
    let out = verify(&r.folder);
    assert!(out.status.success(), "minisign: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("passerelle borne=vlg-nelly-roussel-1"), "the trusted comment names the kiosk");
    // A re-hashed SHA256SUMS no longer verifies.
    let sums = std::fs::read_to_string(r.folder.join("SHA256SUMS")).unwrap();
    std::fs::write(r.folder.join("SHA256SUMS"), sums.replacen('0', "1", 1)).unwrap();
    assert!(!verify(&r.folder).status.success());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() { v.extend(walk(&e.path())) } else { v.push(e.path()) }
    }
    v
}

#[test]
fn repeated_exports_carry_every_visit_exactly_once() {
    let mut k = kit();
    let mut all: Vec<String> = k.visits(40, 2);
    let first = k.export(&RealFs, false).unwrap();
    assert!(matches!(k.export(&RealFs, false), Err(ExportError::NothingNew)));
    all.extend(k.visits(25, 3));
    let second = k.export(&RealFs, false).unwrap();
    assert_ne!(first.folder, second.folder, "a second export the same day gets its own folder");
    let mut seen = ids_in(&first.folder);
    seen.extend(ids_in(&second.folder));
    assert_eq!(seen.len(), 65);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 65, "no visit twice");
    assert_eq!(seen.iter().collect::<HashSet<_>>(), all.iter().collect::<HashSet<_>>());
    let everything = k.export(&RealFs, true).unwrap();
    assert_eq!(ids_in(&everything.folder).len(), 65, "--all takes everything again");
    assert_eq!(k.store.last_export().unwrap().unwrap().batch, everything.record.batch);
}

#[test]
fn contact_details_never_appear_in_clear_and_decrypt_back() {
    let mut k = kit();
    k.visits(10, 4);
    let mut e = k.kiosk.engine(k.clock.clone());
    let s = passerelle_core::script::Script::parse(r#"{"answers":{"consentement_contact":{"last_name":"Qwertzuiop","first_name":"Asdfghjkl","phone":"07 11 22 33 44","address":"12 rue Imaginaire","email":"qwertz@example.org"}}}"#).unwrap();
    let v = passerelle_core::script::play(&mut e, &s).unwrap();
    let saved = k.kiosk.finish_visit(&mut k.store, k.clock.as_ref(), &v).unwrap();
    let r = k.export(&RealFs, false).unwrap();
    let secrets = ["Qwertzuiop", "Asdfghjkl", "07 11 22 33 44", "Imaginaire", "qwertz@"];
    for f in walk(&r.folder).into_iter().chain(walk(&k.dir.path().join("data"))) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).to_string();
        for s in secrets {
            assert!(!text.contains(s), "{s} in clear in {}", f.display());
        }
        assert!(!f.to_string_lossy().contains("Qwertz"), "no name in file names");
    }
    let (csv, n) = passerelle::kiosk::seal::decrypt_contacts(&k.identity, &r.folder, None).unwrap();
    assert!(n >= 1);
    assert!(
        csv.contains(&format!("{},Qwertzuiop,Asdfghjkl,07 11 22 33 44,12 rue Imaginaire,qwertz@example.org,{}", saved.id, k.kiosk.defs.config.kiosk_id)),
        "{csv}"
    );
    // The standard age tool reads them too, when installed.
    if Command::new("age").arg("--version").output().is_ok() {
        let key = k.dir.path().join("key.txt");
        std::fs::write(&key, &k.identity).unwrap();
        let out = Command::new("age").args(["-d", "-i"]).arg(&key).arg(r.folder.join(format!("contacts/{}.age", saved.id))).output().unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains("Qwertzuiop"));
    }
    // Once exported, contact details leave the kiosk.
    assert!(k.store.sealed_contact(&saved.id).unwrap().is_none());
    let (other, _) = passerelle::kiosk::seal::keygen();
    assert!(passerelle::kiosk::seal::decrypt_contacts(&other, &r.folder, None).is_err(), "another key reads nothing");
}

/// A filesystem whose writes fail after `budget` bytes: the stick is pulled out.
struct PulledStick {
    budget: AtomicU64,
}

struct Budgeted<'a> {
    inner: &'a mut dyn Write,
    budget: &'a AtomicU64,
}

impl Write for Budgeted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.budget.load(Ordering::SeqCst);
        if left == 0 {
            return Err(io::Error::new(io::ErrorKind::NotFound, "No such device"));
        }
        let n = (buf.len() as u64).min(left) as usize;
        self.budget.fetch_sub(n as u64, Ordering::SeqCst);
        self.inner.write_all(&buf[..n])?;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl ExportFs for PulledStick {
    fn create_dir_all(&self, p: &Path) -> io::Result<()> {
        RealFs.create_dir_all(p)
    }
    fn exists(&self, p: &Path) -> bool {
        RealFs.exists(p)
    }
    fn write(&self, p: &Path, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        RealFs.write(p, &mut |w| fill(&mut Budgeted { inner: w, budget: &self.budget }))
    }
    fn sync_dir(&self, p: &Path) -> io::Result<()> {
        RealFs.sync_dir(p)
    }
    fn open(&self, p: &Path) -> io::Result<Box<dyn Read>> {
        RealFs.open(p)
    }
    fn remove_dir_all(&self, _: &Path) -> io::Result<()> {
        Err(io::Error::new(io::ErrorKind::NotFound, "No such device"))
    }
}

/// A stick that silently corrupts what it stores.
struct BadStick;

impl ExportFs for BadStick {
    fn create_dir_all(&self, p: &Path) -> io::Result<()> {
        RealFs.create_dir_all(p)
    }
    fn exists(&self, p: &Path) -> bool {
        RealFs.exists(p)
    }
    fn write(&self, p: &Path, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        RealFs.write(p, fill)?;
        if p.ends_with("visits.csv") {
            let mut b = std::fs::read(p)?;
            let i = b.len() / 2;
            b[i] ^= 0x20;
            std::fs::write(p, b)?;
        }
        Ok(())
    }
    fn sync_dir(&self, p: &Path) -> io::Result<()> {
        RealFs.sync_dir(p)
    }
    fn open(&self, p: &Path) -> io::Result<Box<dyn Read>> {
        RealFs.open(p)
    }
    fn remove_dir_all(&self, p: &Path) -> io::Result<()> {
        RealFs.remove_dir_all(p)
    }
}

#[test]
fn a_pulled_or_faulty_stick_marks_nothing_and_a_retry_works() {
    let mut k = kit();
    k.visits(300, 5);
    for budget in [0u64, 10, 5_000, 60_000] {
        let e = k.export(&PulledStick { budget: AtomicU64::new(budget) }, false).unwrap_err();
        assert!(matches!(e, ExportError::Write { .. }), "{e}");
        assert!(e.to_string().contains("Nothing was marked"));
        assert_eq!(k.store.unexported().unwrap().0, 300, "nothing marked exported");
        assert!(k.store.last_export().unwrap().is_none());
    }
    let e = k.export(&BadStick, false).unwrap_err();
    assert!(matches!(e, ExportError::Verify { .. }), "{e}");
    assert_eq!(k.store.unexported().unwrap().0, 300);
    let ok = k.export(&RealFs, false).unwrap();
    assert_eq!(ids_in(&ok.folder).len(), 300);
    assert_eq!(k.store.unexported().unwrap().0, 0);
}

#[test]
fn retention_deletes_old_contacts_and_old_exported_visits_only() {
    let mut k = kit();
    k.clock.set_local(NaiveDate::from_ymd_opt(2025, 1, 10).unwrap().and_hms_opt(9, 0, 0).unwrap());
    k.visits(30, 6);
    k.export(&RealFs, false).unwrap();
    k.visits(20, 7); // old, never exported
    k.clock.set_local(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap().and_hms_opt(9, 0, 0).unwrap());
    k.visits(10, 8);
    let contacts_before: i64 = k.store.connection().query_row("SELECT count(*) FROM contacts", [], |r| r.get(0)).unwrap();
    let r = k.store.apply_retention(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(), k.kiosk.defs.config.retention).unwrap();
    assert_eq!(r.visits, 30, "exported visits older than 365 days go");
    let left: i64 = k.store.connection().query_row("SELECT count(*) FROM visits", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 30, "unexported old visits stay, recent ones stay");
    let contacts_after: i64 = k
        .store
        .connection()
        .query_row("SELECT count(*) FROM contacts c JOIN visits v ON v.id = c.visit_id WHERE v.local_date < '2026-08-30'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(contacts_after, 0, "contacts older than 90 days go, exported or not");
    assert!(r.contacts > 0 && r.contacts as i64 <= contacts_before);
}

#[test]
fn usb_sticks_are_found_in_mounts() {
    let dir = tempfile::tempdir().unwrap();
    let mounts = format!(
        "/dev/sda1 / ext4 rw,relatime 0 0\n/dev/sdb1 /media/kiosk/CLE\\040USB vfat rw,nosuid 0 0\n/dev/sdc1 /media/kiosk/RO vfat ro 0 0\n/dev/sdd1 {} vfat rw 0 0\n",
        dir.path().display()
    );
    // Mount points that do not exist here are not writable: only the configured extra place is.
    let found = passerelle::kiosk::admin_tools::find_media_in(&mounts, &[dir.path().to_path_buf()]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, dir.path());
    assert!(found[0].free.unwrap_or(0) > 0);
    assert!(passerelle::kiosk::admin_tools::find_media_in("", &[]).is_empty());
}

/// A real FAT32 image (dosfstools), mounted through FUSE (fusefat), checked with fsck.vfat and
/// by reading every file back against SHA256SUMS. Skipped where FUSE or the tools are missing.
#[test]
fn export_to_a_real_fat_stick() {
    let tools = ["mkfs.vfat", "fusefat", "mdir", "fsck.vfat", "fusermount"]
        .iter()
        .all(|t| Command::new("sh").arg("-c").arg(format!("command -v {t}")).output().is_ok_and(|o| o.status.success()));
    if !tools || !Path::new("/dev/fuse").exists() {
        eprintln!("notice: no FUSE or FAT tools here, the real FAT test is skipped");
        return;
    }
    let mut k = kit();
    k.visits(200, 9);
    let img = k.dir.path().join("usb.img");
    let mnt = k.dir.path().join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    assert!(Command::new("truncate").args(["-s", "64M"]).arg(&img).status().unwrap().success());
    assert!(Command::new("mkfs.vfat").args(["-F", "32", "-n", "CLEUSB"]).arg(&img).output().unwrap().status.success());
    if !Command::new("fusefat")
        .args(["-o", "rw+"])
        .arg(&img)
        .arg(&mnt)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        eprintln!("notice: fusefat cannot mount here, skipped");
        return;
    }
    let r = export::export(&k.kiosk, &mut k.store, &RealFs, &mnt, false, k.clock.local_now());
    unmount(&mnt, &img);
    let r = r.unwrap();
    let folder = r.folder.file_name().unwrap().to_string_lossy().to_string();
    let fsck = Command::new("fsck.vfat").arg("-n").arg(&img).output().unwrap();
    assert!(fsck.status.success(), "{}", String::from_utf8_lossy(&fsck.stdout));
    // Mount it again (read-only) and check every file against SHA256SUMS.
    let mounted = (0..25).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(200));
        Command::new("fusefat").args(["-o", "ro"]).arg(&img).arg(&mnt).stderr(std::process::Stdio::null()).status().is_ok_and(|s| s.success())
    });
    assert!(mounted, "cannot mount the image again");
    let sums = Command::new("sha256sum").args(["-c", "--quiet", "SHA256SUMS"]).current_dir(mnt.join(&folder)).output();
    let ids = std::panic::catch_unwind(|| ids_in(&mnt.join(&folder)).len());
    unmount(&mnt, &img);
    let sums = sums.unwrap();
    assert!(sums.status.success(), "{}", String::from_utf8_lossy(&sums.stdout));
    assert_eq!(ids.unwrap(), 200);
    // mtools sees a FAT image with data on it (fusefat writes long names its own way).
    let dir = Command::new("mdir").env("MTOOLS_SKIP_CHECK", "1").arg("-i").arg(&img).arg("::/").output().unwrap();
    assert!(dir.status.success());
}

/// Unmount a FUSE mount and wait for its daemon to finish writing the image.
fn unmount(mnt: &Path, img: &Path) {
    let _ = Command::new("fusermount").arg("-u").arg(mnt).status();
    for _ in 0..50 {
        let running = Command::new("pgrep").arg("-f").arg(img).output().is_ok_and(|o| o.status.success());
        if !running {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A question retired in a newer questionnaire (`quiz_image_1`, no longer asked since 1.2.0)
/// keeps its column: the answers of visits stored before the upgrade are exported, not dropped.
#[test]
fn answers_to_a_retired_question_are_still_exported() {
    use passerelle_core::answers::Answer;
    let mut k = kit();
    let mut e = k.kiosk.engine(k.clock.clone());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut v = random_visit(&mut e, &mut rng).unwrap();
    assert!(!v.answers.contains_key("quiz_image_1"), "a retired question is never asked");
    // As stored by a kiosk before the upgrade.
    v.answers.insert("quiz_image_1".into(), Answer::Choice("danger".into()));
    k.kiosk.finish_visit(&mut k.store, k.clock.as_ref(), &v).unwrap();
    let r = k.export(&RealFs, false).unwrap();
    let mut csv = csv::Reader::from_path(r.folder.join("visits.csv")).unwrap();
    let col = csv.headers().unwrap().iter().position(|h| h == "quiz_image_1").expect("the retired question keeps its column");
    let row = csv.records().next().unwrap().unwrap();
    assert_eq!(&row[col], "danger");
    if let Some(f) = frictionless() {
        let out = Command::new(f).args(["validate", "--json", "datapackage.json"]).current_dir(&r.folder).output().unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert_eq!(report["valid"], true, "{}", String::from_utf8_lossy(&out.stdout).chars().take(3000).collect::<String>());
    }
}
