//! The durable store: one transaction per visit, owner-only files, migrations, stats,
//! sealed contact details that never appear in clear.

use chrono::NaiveDate;
use passerelle::kiosk::Kiosk;
use passerelle::kiosk::store::{NewVisit, Store, StoreError};
use passerelle::shared::clock::SystemClock;
use passerelle_core::config::Config;
use passerelle_core::engine::{Clock, FakeClock};
use passerelle_core::script::{Script, play};
use std::sync::Arc;

fn kiosk_with(data_dir: &std::path::Path, recipient: Option<&str>) -> Kiosk {
    let mut src = passerelle_core::DEFAULT_CONFIG.to_string();
    if let Some(r) = recipient {
        src = src.replace("recipient = \"\"", &format!("recipient = \"{r}\""));
    }
    let mut c = Config::parse(&src, "kiosk.toml", None).unwrap();
    c.data_dir = data_dir.to_path_buf();
    Kiosk::from_config(c, "test".into()).unwrap()
}

fn sample(id: &str) -> NewVisit {
    NewVisit {
        id: id.into(),
        kiosk_id: "k".into(),
        local_date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        local_hour: 10,
        lang: "fr".into(),
        context: "file_attente".into(),
        questionnaire_id: "q".into(),
        questionnaire_version: "1.0.0".into(),
        rules_id: "r".into(),
        rules_version: "1.0.0".into(),
        answers: "{}".into(),
        profile: "{}".into(),
        autonomie: None,
        payload: "PA1:".into(),
        sealed_contact: Some(vec![1, 2, 3]),
    }
}

#[test]
fn files_are_owner_only_and_wal_is_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut s = Store::open(&data).unwrap();
    s.save_visit(&sample("AAAAAAAA")).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("passerelle.db")), 0o600);
    let jm: String = s.connection().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(jm, "wal");
    let sync: i64 = s.connection().query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
    assert_eq!(mode(&data.join("passerelle.db-wal")), 0o600);
}

#[test]
fn a_failed_visit_leaves_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path()).unwrap();
    s.save_visit(&sample("AAAAAAAA")).unwrap();
    // Same id again: the visit row fails, and the contact row of that transaction must not stay.
    let mut dup = sample("AAAAAAAA");
    dup.sealed_contact = Some(vec![9]);
    assert!(s.save_visit(&dup).is_err());
    // A visit refused by a CHECK constraint leaves no row at all.
    let mut bad = sample("BBBBBBBB");
    bad.answers = "not json".into();
    assert!(s.save_visit(&bad).is_err());
    assert!(s.visit("BBBBBBBB").unwrap().is_none());
    let contacts: i64 = s.connection().query_row("SELECT count(*) FROM contacts", [], |r| r.get(0)).unwrap();
    assert_eq!(contacts, 1);
    assert_eq!(s.sealed_contact("AAAAAAAA").unwrap(), Some(vec![1, 2, 3]));
    s.integrity_check().unwrap();
}

#[test]
fn reopening_keeps_data_and_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open(dir.path()).unwrap();
        s.save_visit(&sample("AAAAAAAA")).unwrap();
    }
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.visits().unwrap().len(), 1);
    s.connection().pragma_update(None, "user_version", 99).unwrap();
    drop(s);
    assert!(matches!(Store::open(dir.path()), Err(StoreError::TooNew { found: 99, .. })));
}

#[test]
fn a_file_that_is_not_a_database_is_reported_and_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("passerelle.db");
    let garbage = b"this is not a database, it is a shopping list".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    let e = Store::open(dir.path()).err().expect("refused");
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage, "left untouched");
}

/// A v1 database written by this release must stay readable by every later one.
#[test]
fn old_stored_data_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("passerelle.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(include_str!("../fixtures/store-v1.sql")).unwrap();
    drop(conn);
    let s = Store::open(dir.path()).unwrap();
    let v = s.visit("K7M3QX2A").unwrap().expect("old visit");
    assert_eq!(v.profile["autonomie"], "partiellement_autonome");
    assert_eq!(v.answers["age"], "soixante_dix_plus");
    assert_eq!(s.stats().unwrap().abandoned, 1);
}

#[test]
fn finished_visits_are_stored_with_profile_and_only_date_and_hour() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = kiosk_with(dir.path(), None);
    let mut store = kiosk.open_store().unwrap();
    let clock = FakeClock::new(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(14, 37, 12).unwrap());
    let mut e = kiosk.engine(clock.clone());
    let s = Script::parse(r#"{"lang":"en","answers":{"age":"soixante_dix_plus","outil_principal":"aucun","recherche_equipement":"oui","usages_principaux":["jeux","autre"],"usages_principaux_autre":"bridge"}}"#).unwrap();
    let v = play(&mut e, &s).unwrap();
    let saved = kiosk.finish_visit(&mut store, clock.as_ref(), &v).unwrap();
    let stored = store.visit(&saved.id).unwrap().unwrap();
    assert_eq!(stored.local_date, "2026-03-02");
    assert_eq!(stored.local_hour, 14);
    assert_eq!(stored.lang, "en");
    assert_eq!(stored.context, "file_attente");
    assert_eq!(stored.answers["age"], "soixante_dix_plus");
    assert_eq!(stored.answers["usages_principaux"], serde_json::json!(["jeux", "autre"]));
    assert_eq!(stored.answers["genre"], serde_json::Value::Null, "skipped is recorded as null");
    assert_eq!(stored.profile, serde_json::to_value(&saved.profile).unwrap());
    assert_eq!(stored.payload, saved.payload);
    assert_eq!(saved.id.len(), 8);
    let row: String = store.connection().query_row("SELECT group_concat(local_date || local_hour) FROM visits", [], |r| r.get(0)).unwrap();
    assert!(!row.contains("37"), "no minutes stored");
}

#[test]
fn contact_details_are_sealed_and_never_stored_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let (identity, recipient) = passerelle::kiosk::seal::keygen();
    let kiosk = kiosk_with(dir.path(), Some(&recipient));
    assert!(kiosk.consent_offered());
    let mut store = kiosk.open_store().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let mut e = kiosk.engine(clock.clone());
    let s = Script::parse(
        r#"{"answers":{"consentement_contact":{"last_name":"Zyxwvuts","first_name":"Quentinette","phone":"06 98 76 54 32","email":"zyxwvuts@example.org"}}}"#,
    )
    .unwrap();
    let v = play(&mut e, &s).unwrap();
    let saved = kiosk.finish_visit(&mut store, clock.as_ref(), &v).unwrap();
    let stored = store.visit(&saved.id).unwrap().unwrap();
    assert!(stored.has_contact);
    assert_eq!(stored.answers["consentement_contact"], true);
    drop(store);
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["Zyxwvuts", "Quentinette", "98 76 54", "zyxwvuts@"] {
            assert!(!text.contains(secret), "{secret} in clear in the data directory");
        }
    }
    assert!(!saved.payload.to_lowercase().contains("zyxw"));
    let store = kiosk.open_store().unwrap();
    let sealed = store.sealed_contact(&saved.id).unwrap().unwrap();
    let c = passerelle::kiosk::seal::open(&identity, &sealed).unwrap();
    assert_eq!(c.last_name, "Zyxwvuts");
    assert_eq!(c.phone, "06 98 76 54 32");
    let (other, _) = passerelle::kiosk::seal::keygen();
    assert!(passerelle::kiosk::seal::open(&other, &sealed).is_err(), "another key cannot read it");
}

#[test]
fn stats_count_finished_abandoned_autonomy_and_days() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = kiosk_with(dir.path(), None);
    let mut store = kiosk.open_store().unwrap();
    let clock = FakeClock::new(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(9, 0, 0).unwrap());
    let mut e = kiosk.engine(clock.clone());
    for _ in 0..3 {
        let v = play(&mut e, &Script::parse(r#"{"answers":{"profil_usage":["aidant_fait_a_ma_place"]}}"#).unwrap()).unwrap();
        kiosk.finish_visit(&mut store, clock.as_ref(), &v).unwrap();
        e.saved().unwrap();
        e.finish().unwrap();
    }
    clock.set_local(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(9, 0, 0).unwrap());
    kiosk.record_abandon(&mut store, clock.as_ref(), "age").unwrap();
    let s = store.stats().unwrap();
    assert_eq!((s.finished, s.abandoned), (3, 1));
    assert_eq!(s.autonomy["entierement_accompagne"], 3);
    assert_eq!(s.per_day.len(), 2);
    assert_eq!((s.per_day[0].date.as_str(), s.per_day[0].abandoned), ("2026-03-01", 1));
    assert_eq!(s.abandoned_at["age"], 1);
}

/// Whether any of the database's files (the database, its -wal) holds `needle`.
fn in_database_files(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    ["passerelle.db", "passerelle.db-wal"]
        .into_iter()
        .filter(|f| std::fs::read(dir.join(f)).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle)))
        .map(String::from)
        .collect()
}

const CONTACT: &str = r#"{"answers":{"consentement_contact":{"last_name":"Zyxwvuts","first_name":"Quentinette","phone":"06 98 76 54 32"}}}"#;

/// Issue 14 part 4: `secure_delete` and a truncating WAL checkpoint after an export, a purge and
/// a retention pass, so that deleted contact details and visits are gone from the files.
#[test]
fn exported_purged_or_expired_data_is_gone_from_the_database_and_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let (_, recipient) = passerelle::kiosk::seal::keygen();
    let kiosk = kiosk_with(dir.path(), Some(&recipient));
    let mut store = kiosk.open_store().unwrap();
    let clock = FakeClock::new(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
    let mut e = kiosk.engine(clock.clone());
    let mut visit = |store: &mut Store| {
        let v = play(&mut e, &Script::parse(CONTACT).unwrap()).unwrap();
        let saved = kiosk.finish_visit(store, clock.as_ref(), &v).unwrap();
        e.saved().unwrap();
        e.finish().unwrap();
        let sealed = store.sealed_contact(&saved.id).unwrap().unwrap();
        // The end of the age ciphertext: random bytes found nowhere else.
        (sealed[sealed.len() - 48..].to_vec(), saved.payload)
    };
    let exported: Vec<_> = (0..3).map(|_| visit(&mut store)).collect();
    assert!(!in_database_files(dir.path(), &exported[0].0).is_empty(), "the probe finds sealed bytes where they are");
    let usb = tempfile::tempdir().unwrap();
    passerelle::kiosk::export::export(&kiosk, &mut store, &passerelle::kiosk::export::RealFs, usb.path(), false, clock.local_now()).unwrap();
    for (sealed, _) in &exported {
        assert_eq!(in_database_files(dir.path(), sealed), Vec::<String>::new(), "exported contact details left in the files");
    }
    // The purge of exported visits.
    assert!(!in_database_files(dir.path(), exported[0].1.as_bytes()).is_empty());
    let r = store.purge_exported().unwrap();
    assert_eq!(r.visits, 3);
    for (_, payload) in &exported {
        assert_eq!(in_database_files(dir.path(), payload.as_bytes()), Vec::<String>::new(), "a purged visit left in the files");
    }
    // Retention: contact details older than contacts_days, exported or not.
    clock.set_local(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(10, 0, 0).unwrap());
    let (old, _) = visit(&mut store);
    let r = store.apply_retention(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(), kiosk.defs.config.retention).unwrap();
    assert_eq!(r.contacts, 1);
    assert_eq!(in_database_files(dir.path(), &old), Vec::<String>::new(), "expired contact details left in the files");
    let sd: i64 = store.connection().query_row("PRAGMA secure_delete", [], |r| r.get(0)).unwrap();
    assert_eq!(sd, 1);
    store.integrity_check().unwrap();
}

/// Issue 14 part 4: copies of a damaged database (kept for recovery) fall under retention.
#[test]
fn damaged_database_copies_are_deleted_after_the_retention_period() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let old = dir.path().join("passerelle.db.damaged-20251101-093000");
    let old_wal = dir.path().join("passerelle.db.damaged-20251101-093000-wal");
    let old_second = dir.path().join("passerelle.db.damaged-20251101-093000-2");
    let recent = dir.path().join("passerelle.db.damaged-20261120-100000");
    for f in [&old, &old_wal, &old_second, &recent] {
        std::fs::write(f, b"damaged pages").unwrap();
    }
    store.meta_set("damaged_database", &old.display().to_string()).unwrap();
    let retention = passerelle_core::config::Retention { visits_days: 365, contacts_days: 90 };
    let r = store.apply_retention(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(), retention).unwrap();
    assert_eq!(r.damaged_copies, 2);
    assert!(!old.exists() && !old_wal.exists() && !old_second.exists(), "older than visits_days: deleted");
    assert!(recent.exists(), "a recent copy stays for recovery");
    assert_eq!(store.meta_get("damaged_database").unwrap(), None, "the admin screen no longer points at it");
    assert!(dir.path().join("passerelle.db").exists());
}
