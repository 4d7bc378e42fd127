//! Orientation, end to end: the shipped places validate against the national schema, a visitor
//! of Villeneuve-la-Garenne who needs help with paperwork gets real nearby places on the end
//! screen, the ticket and the mediator's view, and an admin can import a newer national file
//! (a broken one keeps the places in use).

use crate::support::frictionless;
use chrono::{NaiveDate, NaiveDateTime};
use i_slint_backend_testing::{ElementHandle, ElementRoot};
use passerelle::core::place_book;
use passerelle::kiosk::Kiosk;
use passerelle::kiosk::store::Store;
use passerelle::ui::{self, EndAdapter};
use passerelle_core::engine::FakeClock;
use passerelle_core::places::{self, Opening};
use passerelle_core::script::Script;
use slint::{ComponentHandle, Model};
use std::path::Path;
use std::process::Command;

const DEMARCHES: &str = "Aide aux démarches administratives";

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    c.env("PASSERELLE_LOG", "warn");
    c
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = bin().args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// `frictionless validate` of a places CSV against the national schema.
fn validate(csv: &Path) {
    let Some(f) = frictionless() else { return };
    // frictionless only reads relative paths: both files go to a scratch folder.
    let scratch = tempfile::tempdir().unwrap();
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/places/schema.json"), scratch.path().join("schema.json")).unwrap();
    std::fs::copy(csv, scratch.path().join("places.csv")).unwrap();
    let out = Command::new(f).args(["validate", "--json", "--schema", "schema.json", "places.csv"]).current_dir(scratch.path()).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(report["valid"], true, "{}", String::from_utf8_lossy(&out.stdout).chars().take(3000).collect::<String>());
}

#[test]
fn the_shipped_places_validate_against_the_national_schema() {
    let set = places::parse(place_book::SHIPPED, Some("92")).unwrap();
    assert_eq!((set.places.len(), set.problems.len(), set.other_departements), (26, 0, 0), "{:?}", set.problems);
    assert!(set.places.iter().all(|p| p.departement() == "92"));
    assert!(set.places.iter().filter(|p| p.commune == "Villeneuve-la-Garenne").count() >= 3);
    validate(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/places/places-92.csv"));
    // The source and the licence of the data are recorded next to it.
    let source = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/places/SOURCE.md")).unwrap();
    assert!(source.contains("Licence Ouverte"));
}

#[test]
fn next_opening_in_words() {
    let wed = at(2026, 12, 2, 10, 0);
    let cases = [
        (Opening::OpenNow { until: at(2026, 12, 2, 12, 0) }, "fr", "ouvert maintenant jusqu’à 12\u{a0}h"),
        (Opening::Opens { from: at(2026, 12, 2, 14, 0), until: at(2026, 12, 2, 17, 30) }, "fr", "ouvre aujourd’hui à 14\u{a0}h"),
        (
            Opening::Opens { from: at(2026, 12, 3, 9, 0), until: at(2026, 12, 3, 12, 0) },
            "fr",
            "Prochaine ouverture\u{a0}: demain, 9\u{a0}h\u{a0}–\u{a0}12\u{a0}h",
        ),
        (Opening::Opens { from: at(2026, 12, 3, 9, 30), until: at(2026, 12, 3, 12, 0) }, "en", "Next opening: tomorrow, 9:30–12:00"),
        (
            Opening::Opens { from: at(2026, 12, 7, 14, 0), until: at(2026, 12, 7, 18, 0) },
            "fr",
            "Prochaine ouverture\u{a0}: lundi, 14\u{a0}h\u{a0}–\u{a0}18\u{a0}h",
        ),
        (
            Opening::Opens { from: at(2026, 12, 15, 9, 0), until: at(2026, 12, 15, 12, 0) },
            "fr",
            "Prochaine ouverture\u{a0}: le 15/12, 9\u{a0}h\u{a0}–\u{a0}12\u{a0}h",
        ),
        (Opening::Unknown, "fr", "horaires à vérifier"),
    ];
    for (o, lang, want) in cases {
        assert_eq!(place_book::opening_text(&o, wed, lang), want);
    }
    assert_eq!(place_book::pretty_phone("+33147991635"), "01 47 99 16 35");
}

/// A visitor of the default kiosk (Centre social Nelly Roussel, Villeneuve-la-Garenne) who cannot
/// do their paperwork online.
const PAPERWORK: &str = r#"{"lang":"fr","answers":{"age":"soixante_dix_plus","quartier":"la_caravelle","usages_principaux":["demarches_administratives"],"capacites":{"demarches_en_ligne":"ne_sait_pas_faire","envoyer_piece_jointe":"ne_sait_pas_faire"}}}"#;

#[test]
fn a_visitor_of_villeneuve_needing_paperwork_help_leaves_with_real_places_and_hours() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = Kiosk::load(None, Some(dir.path())).unwrap();
    assert_eq!(kiosk.defs.config.commune, "Villeneuve-la-Garenne");
    let mut store = kiosk.open_store().unwrap();
    let wed = at(2026, 12, 2, 10, 0);
    let clock = FakeClock::new(wed);
    let mut engine = kiosk.engine(clock.clone());
    let visit = passerelle_core::script::play(&mut engine, &Script::parse(PAPERWORK).unwrap()).unwrap();
    let saved = kiosk.finish_visit(&mut store, clock.as_ref(), &visit).unwrap();
    assert!(saved.profile.services.iter().any(|s| s == DEMARCHES), "{:?}", saved.profile.services);

    // The ticket names three real places of Villeneuve-la-Garenne that help with paperwork.
    let stored = store.visit(&saved.id).unwrap().unwrap();
    let ticket = passerelle::kiosk::ticket::TicketData::from_stored(&kiosk, &stored, wed).unwrap();
    assert_eq!(ticket.places.len(), 3);
    let shipped = places::parse(place_book::SHIPPED, None).unwrap().places;
    for line in &ticket.places {
        let place = shipped.iter().find(|p| place_book::display_case(&p.nom) == line.name).unwrap_or_else(|| panic!("{} is not a shipped place", line.name));
        assert!(place.services.iter().any(|s| s == DEMARCHES), "{} does not help with paperwork", place.nom);
        assert_eq!(place.commune, "Villeneuve-la-Garenne");
        assert!(line.address.ends_with("92390 Villeneuve-la-Garenne"), "{}", line.address);
        assert!(line.why.contains("aide aux démarches") && line.why.contains("gratuit"), "{}", line.why);
        assert!(line.opening.starts_with("ouvert") || line.opening.starts_with("ouvre") || line.opening.starts_with("Prochaine ouverture"), "{}", line.opening);
    }
    // Wednesday 10:00: "Espace Nelly Roussel" (Mo-Fr 09:00-18:00) is open now.
    let nelly = ticket.places.iter().find(|l| l.name == "Espace Nelly Roussel").expect("Espace Nelly Roussel suggested");
    assert_eq!(nelly.opening, "ouvert maintenant jusqu’à 18\u{a0}h");
    // The printed ticket is longer with its places than without.
    let with = passerelle::kiosk::ticket::render(&ticket, 80).unwrap();
    let without = passerelle::kiosk::ticket::render(&passerelle::kiosk::ticket::TicketData { places: Vec::new(), ..ticket.clone() }, 80).unwrap();
    assert!(with.height() > without.height() + 200);

    // The same suggestions from the command line, and in the mediator's view of the QR code.
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = run(&["--data-dir", d, "places", "suggest", "--visit", &saved.id, "--at", "2026-12-02T10:00", "--json"]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    // The JSON keeps the national data's spelling; the ticket shows capitals in title case.
    let names: Vec<String> = j.as_array().unwrap().iter().map(|p| place_book::display_case(p["nom"].as_str().unwrap())).collect();
    assert_eq!(names, ticket.places.iter().map(|l| l.name.clone()).collect::<Vec<_>>());
    assert!(j[0]["reasons"].as_array().unwrap().contains(&serde_json::json!({"kind": "service", "value": DEMARCHES})));
    let (code, out, err) = run(&["--data-dir", d, "decode", &saved.payload]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("LIEUX SUGGÉRÉS") && out.contains("Espace Nelly Roussel"), "{out}");
}

#[test]
fn suggest_by_services_near_a_commune() {
    let (code, out, err) = run(&["places", "suggest", "--services", DEMARCHES, "--near", "Nanterre", "--at", "2026-12-02T10:00", "--json"]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &j[0];
    assert_eq!(first["commune"], "Nanterre", "{out}");
    assert!(first["distance_m"].as_u64().unwrap() < 3000);
    let (code, _, err) = run(&["places", "suggest", "--services", "Astrologie"]);
    assert_ne!(code, 0);
    assert!(err.contains("not a service of the national standard"), "{err}");
    let (code, _, err) = run(&["places", "suggest", "--services", DEMARCHES, "--near", "Atlantis"]);
    assert_ne!(code, 0);
    assert!(err.contains("no place is known in Atlantis"), "{err}");
}

/// A national export: the shipped places, two of them edited to be recognisable, a place of
/// Paris, and rows that break the schema.
fn national_export() -> String {
    let mut lines: Vec<String> = place_book::SHIPPED.lines().map(String::from).collect();
    let header = lines[0].clone();
    let cols: Vec<&str> = header.split(',').collect();
    let row = |i: usize| -> csv::StringRecord {
        let text = format!("{header}\n{}\n", lines[i]);
        let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        r.records().next().unwrap().unwrap()
    };
    let write = |r: &csv::StringRecord| -> String {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        w.write_record(r).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap().trim_end().to_string()
    };
    let col = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    let mut renamed = row(1).iter().map(String::from).collect::<Vec<_>>();
    renamed[col("nom")] = "Maison France Services 2026".into();
    let mut paris = row(2).iter().map(String::from).collect::<Vec<_>>();
    paris[col("id")] = "paris-1".into();
    paris[col("code_postal")] = "75011".into();
    paris[col("code_insee")] = "75111".into();
    let mut bad_service = row(3).iter().map(String::from).collect::<Vec<_>>();
    bad_service[col("id")] = "bad-service".into();
    bad_service[col("services")] = "Astrologie".into();
    let mut bad_date = row(4).iter().map(String::from).collect::<Vec<_>>();
    bad_date[col("id")] = "bad-date".into();
    bad_date[col("date_maj")] = "hier".into();
    lines[1] = write(&csv::StringRecord::from(renamed));
    lines.push(write(&csv::StringRecord::from(paris)));
    lines.push(write(&csv::StringRecord::from(bad_service)));
    lines.push(write(&csv::StringRecord::from(bad_date)));
    lines.join("\n") + "\n"
}

#[test]
fn import_reports_broken_rows_and_a_broken_file_keeps_the_places_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let file = dir.path().join("lieux-mediation-numerique.csv");
    std::fs::write(&file, national_export()).unwrap();
    let (code, out, err) = run(&["--data-dir", d, "places", "import", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("26 places of département 92 imported"), "{out}");
    assert!(out.contains("2 rows skipped, 1 of other départements left out"), "{out}");
    assert!(err.contains("line 29, field services") && err.contains("line 30, field date_maj"), "{err}");
    let imported = dir.path().join(passerelle::shared::place_files::IMPORTED);
    validate(&imported);
    let list = |d: &str| -> serde_json::Value { serde_json::from_str(&run(&["--data-dir", d, "places", "list", "--json"]).1).unwrap() };
    let before = list(d);
    assert!(before["source"].as_str().unwrap().starts_with("importés"));
    assert!(before["places"].as_array().unwrap().iter().any(|p| p["nom"] == "Maison France Services 2026"));
    let bytes = std::fs::read(&imported).unwrap();

    // Not the standard at all; only Paris; an empty file: refused, and nothing changes.
    for (name, text) in [
        ("autre.csv", "nom;adresse\nMairie;1 place\n".to_string()),
        ("paris.csv", national_export().lines().take(1).chain(national_export().lines().filter(|l| l.starts_with("paris-1"))).collect::<Vec<_>>().join("\n")),
        ("vide.csv", String::new()),
    ] {
        let bad = dir.path().join(name);
        std::fs::write(&bad, text).unwrap();
        let (code, _, err) = run(&["--data-dir", d, "places", "import", bad.to_str().unwrap()]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains("the places in use are unchanged"), "{name}: {err}");
        assert_eq!(std::fs::read(&imported).unwrap(), bytes, "{name}");
        assert_eq!(list(d), before, "{name}");
    }
    let (code, _, err) = run(&["--data-dir", d, "places", "import", "/nonexistent.csv"]);
    assert_ne!(code, 0);
    assert!(err.contains("cannot read"), "{err}");
    assert!(!dir.path().join(format!("{}.new", passerelle::shared::place_files::IMPORTED)).exists(), "no half-written file left");
}

#[test]
fn the_end_screen_shows_the_places_on_request() {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().unwrap();
    let kiosk = Kiosk::load(None, Some(dir.path())).unwrap();
    let store = Store::open(dir.path()).unwrap();
    let clock = FakeClock::new(at(2026, 12, 2, 10, 0));
    let (app, c) = ui::build(kiosk, store, clock).unwrap();
    app.window().set_size(slint::LogicalSize::new(1280.0, 800.0));
    app.show().unwrap();
    c.borrow_mut().model_mut().play_script(&Script::parse(PAPERWORK).unwrap()).unwrap();
    c.borrow_mut().refresh(&app);
    let e = app.global::<EndAdapter>();
    let names: Vec<String> = e.get_places().iter().map(|p| p.name.to_string()).collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&"Espace Nelly Roussel".to_string()), "{names:?}");
    let find = |label: &str| ElementHandle::find_by_accessible_label(&app, label).next();
    // The profile shows first; the places are one touch away, and back.
    assert!(!e.get_places_shown());
    assert!(find("Je suis à l’aise pour\u{a0}:").is_some() || find("Un conseiller peut m’aider à\u{a0}:").is_some());
    find("Où aller\u{a0}?").expect("the places tab").invoke_accessible_default_action();
    assert!(e.get_places_shown());
    let card = app
        .root_element()
        .query_descendants()
        .match_predicate(|e| e.accessible_label().is_some_and(|l| l.starts_with("Espace Nelly Roussel. ")))
        .find_first()
        .expect("a card for Espace Nelly Roussel");
    let label = card.accessible_label().unwrap().to_string();
    assert!(label.contains("ouvert maintenant jusqu’à 18\u{a0}h") && label.contains("Villeneuve-la-Garenne"), "{label}");
    find("Mon profil").unwrap().invoke_accessible_default_action();
    assert!(!e.get_places_shown());
    // In English, the same places in English words.
    c.borrow_mut().model_mut().open_languages();
    c.borrow_mut().model_mut().choose_language("en");
    c.borrow_mut().refresh(&app);
    assert!(
        e.get_places().iter().any(|p| p.opening.starts_with("open now until")),
        "{:?}",
        e.get_places().iter().map(|p| p.opening.to_string()).collect::<Vec<_>>()
    );
    assert!(find("Where to go?").is_some());
}

#[test]
fn the_national_file_is_found_on_a_stick() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(passerelle::shared::place_files::find_places_file(dir.path()), None);
    std::fs::write(dir.path().join("notes.csv"), "a,b\n1,2\n").unwrap();
    std::fs::write(dir.path().join("photo.jpg"), national_export()).unwrap();
    assert_eq!(passerelle::shared::place_files::find_places_file(dir.path()), None, "only a CSV with the standard's header");
    std::fs::write(dir.path().join("lieux-de-mediation-numerique.csv"), national_export()).unwrap();
    assert_eq!(passerelle::shared::place_files::find_places_file(dir.path()).unwrap().file_name().unwrap(), "lieux-de-mediation-numerique.csv");
}

/// `places suggest` never sends anyone to a place that receives no public, says "sur rendez-vous"
/// with the booking link, and never answers with nothing while a place receives the public.
#[test]
fn suggest_skips_closed_doors_shows_appointments_and_never_returns_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let mut lines: Vec<String> = place_book::SHIPPED.lines().map(String::from).collect();
    let header = lines[0].clone();
    let cols: Vec<&str> = header.split(',').collect();
    let col = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    let edit = |line: &str, f: &dyn Fn(&mut Vec<String>)| -> String {
        let text = format!("{header}\n{line}\n");
        let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let mut rec: Vec<String> = r.records().next().unwrap().unwrap().iter().map(String::from).collect();
        f(&mut rec);
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        w.write_record(&rec).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap().trim_end().to_string()
    };
    // Every place receives no public, but two: one by appointment, one itinerant walk-in.
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        let l = line.clone();
        *line = edit(&l, &|r| {
            r[col("nom")] = format!("Fermé {i}");
            r[col("modalites_acces")] = "Ce lieu n'accueille pas de public".into();
        });
    }
    let l = lines[1].clone();
    lines[1] = edit(&l, &|r| {
        r[col("nom")] = "Sur RDV".into();
        r[col("modalites_acces")] = "Prendre un RDV en ligne".into();
        r[col("prise_rdv")] = "https://rdv.example.fr/lieu".into();
    });
    let l = lines[2].clone();
    lines[2] = edit(&l, &|r| {
        r[col("nom")] = "Bus numérique".into();
        r[col("modalites_acces")] = "Se présenter".into();
        r[col("itinerance")] = "Itinérant".into();
    });
    let file = dir.path().join("lieux.csv");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let (code, _, err) = run(&["--data-dir", d, "places", "import", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    for services in [DEMARCHES, "Acquisition de matériel informatique à prix solidaire"] {
        let (code, out, err) = run(&["--data-dir", d, "places", "suggest", "--services", services, "--count", "5", "--at", "2026-12-02T10:00"]);
        assert_eq!(code, 0, "{err}");
        assert!(!out.contains("Fermé"), "a place without public was suggested:\n{out}");
        assert!(out.contains("Sur RDV") && out.contains("Sur rendez-vous\u{a0}: https://rdv.example.fr/lieu"), "{out}");
        assert!(out.contains("Bus numérique") && out.contains("lieu itinérant"), "{out}");
    }
}
