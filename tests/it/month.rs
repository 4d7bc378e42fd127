//! The simulated month of issue 26, as a fixture: three kiosks with different settings (the
//! flagship on the complete path with the essentials first, a médiathèque on the short path, a
//! mairie in the deck's order), about 1,300 visits over a month, two mediator structures that
//! record about 300 pickups (one kiosk only 3), every package signed, then merged with trusted
//! keys. Each kiosk offers a neighbourhood "La Caravelle" of its own commune.

use passerelle::kiosk::Kiosk;
use passerelle_core::config::Config;
use passerelle_core::engine::{Clock, FakeClock};
use rand::SeedableRng;
use std::path::{Path, PathBuf};

/// (kiosk id, structure, commune, path, order, visits, pickups).
pub const KIOSKS: [(&str, &str, &str, &str, &str, usize, usize); 3] = [
    ("vlg-nelly-roussel-1", "Centre social Nelly Roussel", "Villeneuve-la-Garenne", "complet", "essentials_first", 520, 121),
    ("colombes-mediatheque-1", "Médiathèque de Colombes", "Colombes", "court", "deck", 350, 3),
    ("bagneux-mairie-1", "Mairie de Bagneux", "Bagneux", "complet", "deck", 460, 184),
];

pub struct Month {
    pub root: tempfile::TempDir,
    pub merged: PathBuf,
    /// Visits picked up, per kiosk, as recorded.
    pub picked: Vec<usize>,
    pub visits: Vec<usize>,
}

fn config(root: &Path, k: &(&str, &str, &str, &str, &str, usize, usize)) -> Config {
    let text = passerelle_core::DEFAULT_CONFIG
        .replace("kiosk_id = \"vlg-nelly-roussel-1\"", &format!("kiosk_id = \"{}\"", k.0))
        .replace("structure = \"Centre social Nelly Roussel\"", &format!("structure = \"{}\"", k.1))
        .replace("commune = \"Villeneuve-la-Garenne\"", &format!("commune = \"{}\"", k.2))
        .replace("path = \"complet\"", &format!("path = \"{}\"", k.3))
        .replace("order = \"essentials_first\"", &format!("order = \"{}\"", k.4));
    let mut c = Config::parse(&text, "kiosk.toml", None).unwrap();
    c.data_dir = root.join(k.0);
    c
}

/// Builds the month (about 20 s: 1,330 visits stored with their fsync).
pub fn build() -> Month {
    let root = tempfile::tempdir().unwrap();
    let r = root.path().to_path_buf();
    let usb = r.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(26);
    let mut keys = String::new();
    // Two mediator structures.
    let meds: Vec<passerelle::mediator::mediator_config::MediatorConfig> =
        [("Médiathèque Aragon", "mediatheque-aragon"), ("Espace numérique du Luth", "luth-numerique")]
            .iter()
            .map(|(name, id)| {
                let text = format!("structure = \"{name}\"\nstructure_id = \"{id}\"\ndepartement = \"92\"\ndata_dir = \"{}\"\n", r.join(id).display());
                passerelle::mediator::mediator_config::MediatorConfig::parse(&text, "mediateur.toml", Some(r.as_path())).unwrap()
            })
            .collect();
    let mut stores: Vec<_> = meds.iter().map(|m| passerelle::mediator::pickup_store::PickupStore::open(&m.data_dir).unwrap()).collect();
    let questionnaire = meds[0].definitions().unwrap().questionnaire;
    let (mut picked, mut visits) = (Vec::new(), Vec::new());
    for k in &KIOSKS {
        let kiosk = Kiosk::from_config(config(&r, k), "test".into()).unwrap();
        let mut store = kiosk.open_store().unwrap();
        let clock = FakeClock::new(start.and_hms_opt(9, 0, 0).unwrap());
        let mut engine = kiosk.engine(clock.clone());
        let mut payloads = Vec::new();
        for i in 0..k.5 {
            // Spread over the 30 days of the month.
            let day = start + chrono::Days::new((i * 30 / k.5) as u64);
            clock.set_local(day.and_hms_opt(10, 0, 0).unwrap());
            let v = passerelle_core::random::random_visit(&mut engine, &mut rng).unwrap();
            let saved = kiosk.finish_visit(&mut store, clock.as_ref(), &v).unwrap();
            engine.saved().unwrap();
            engine.finish().unwrap();
            payloads.push((day, saved.payload));
        }
        // Pickups: the first structure receives most, the second some of the same visitors too.
        let mut n = 0;
        for (i, (day, p)) in payloads.iter().enumerate().filter(|(i, _)| i % (k.5 / k.6.max(1)).max(1) == 0).take(k.6) {
            // Two pickups are dated before their visit (a mediator's clock was wrong).
            let later = if i < 2 && k.6 > 100 { *day - chrono::Days::new(1) } else { *day + chrono::Days::new((i * 7 % 9) as u64) };
            let outcome = ["accompagne_ici", "rendez_vous_pris", "oriente_ailleurs"][i % 3];
            passerelle::mediator::pickup_desk::record(&meds[0], &questionnaire, &mut stores[0], p, later, Some(outcome)).unwrap();
            if i % 5 == 0 {
                passerelle::mediator::pickup_desk::record(&meds[1], &questionnaire, &mut stores[1], p, later + chrono::Days::new(2), None).unwrap();
            }
            n += 1;
        }
        picked.push(n);
        visits.push(k.5);
        passerelle::kiosk::export::export(&kiosk, &mut store, &passerelle::kiosk::export::RealFs, &usb, false, clock.local_now()).unwrap();
        keys += &format!("borne {} {}\n", k.0, passerelle::shared::keys::kiosk_key(&kiosk.defs.config.data_dir, k.0).unwrap().public());
    }
    for (m, s) in meds.iter().zip(&mut stores) {
        passerelle::mediator::pickup_export::export(m, s, &passerelle::kiosk::export::RealFs, &usb, false, start + chrono::Days::new(40)).unwrap();
        keys += &format!("structure {} {}\n", m.structure_id, passerelle::shared::keys::kiosk_key(&m.data_dir, &m.structure_id).unwrap().public());
    }
    std::fs::write(r.join("cles.txt"), keys).unwrap();
    let merged = r.join("fusion");
    let trust = passerelle::department::merge::Trust { keys: Some(passerelle::shared::keys::read_trusted(&r.join("cles.txt")).unwrap()), signing: None };
    let outcome = passerelle::department::merge::merge_with(&[usb], &merged, &trust).unwrap();
    assert!(outcome.clean(), "the merge refused a package or found a conflict");
    Month { root, merged, picked, visits }
}
