//! Places of the national standard: reading against the schema, next opening (holidays and
//! "off" rules), and ranking for a visitor's needs.

use chrono::{NaiveDate, NaiveDateTime};
use passerelle_core::places::{self, Need, Opening, Place, Reason};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
}

#[test]
fn next_opening_on_fixed_dates() {
    let oh = "Mo-Fr 09:00-12:00,14:00-17:00; PH off";
    // Wednesday 2 December 2026.
    assert_eq!(places::next_opening(oh, at(2026, 12, 2, 10, 0)), Opening::OpenNow { until: at(2026, 12, 2, 12, 0) });
    assert_eq!(places::next_opening(oh, at(2026, 12, 2, 12, 30)), Opening::Opens { from: at(2026, 12, 2, 14, 0), until: at(2026, 12, 2, 17, 0) });
    assert_eq!(places::next_opening(oh, at(2026, 12, 2, 18, 0)), Opening::Opens { from: at(2026, 12, 3, 9, 0), until: at(2026, 12, 3, 12, 0) });
    // Christmas (Friday 25 December 2026) is a public holiday: next opening is Monday 28.
    assert_eq!(places::next_opening(oh, at(2026, 12, 24, 18, 0)), Opening::Opens { from: at(2026, 12, 28, 9, 0), until: at(2026, 12, 28, 12, 0) });
    // Bastille Day 2027 is a Wednesday.
    assert_eq!(places::next_opening(oh, at(2027, 7, 14, 8, 0)), Opening::Opens { from: at(2027, 7, 15, 9, 0), until: at(2027, 7, 15, 12, 0) });
    // Hours that say nothing of holidays: closed on them all the same.
    assert_eq!(
        places::next_opening("Mo-Fr 09:00-17:00", at(2026, 12, 24, 18, 0)),
        Opening::Opens { from: at(2026, 12, 28, 9, 0), until: at(2026, 12, 28, 17, 0) }
    );
    // ... unless they say it is open on holidays.
    assert_eq!(
        places::next_opening("Mo-Fr 09:00-17:00; PH 10:00-12:00", at(2026, 12, 24, 18, 0)),
        Opening::Opens { from: at(2026, 12, 25, 10, 0), until: at(2026, 12, 25, 12, 0) }
    );
    // Empty ranges of the national data ("Sa 11:00-11:00") are not openings.
    assert_eq!(
        places::next_opening("Mo-Fr 15:30-18:00; Sa 11:00-11:00,17:00-17:00", at(2026, 11, 28, 10, 0)),
        Opening::Opens { from: at(2026, 11, 30, 15, 30), until: at(2026, 11, 30, 18, 0) }
    );
    // An "off" rule.
    assert_eq!(
        places::next_opening("Mo-Sa 10:00-18:00; We off", at(2026, 12, 2, 11, 0)),
        Opening::Opens { from: at(2026, 12, 3, 10, 0), until: at(2026, 12, 3, 18, 0) }
    );
    // Unknown or unreadable hours.
    assert_eq!(places::next_opening("", at(2026, 12, 2, 11, 0)), Opening::Unknown);
    assert_eq!(places::next_opening("sur rendez-vous", at(2026, 12, 2, 11, 0)), Opening::Unknown);
}

fn place(id: &str, services: &[&str], support: &[&str], free: bool, lat: f64, hours: &str) -> Place {
    Place {
        id: id.into(),
        nom: id.into(),
        commune: "Villeneuve-la-Garenne".into(),
        code_postal: "92390".into(),
        code_insee: "92078".into(),
        adresse: "1 rue X".into(),
        latitude: Some(lat),
        longitude: Some(2.325),
        telephone: String::new(),
        horaires: hours.into(),
        services: services.iter().map(|s| s.to_string()).collect(),
        prise_en_charge_specifique: support.iter().map(|s| s.to_string()).collect(),
        frais_a_charge: if free { vec!["Gratuit".into()] } else { vec!["Payant".into()] },
        modalites_accompagnement: vec!["Accompagnement individuel".into()],
        modalites_acces: vec!["Se présenter".into()],
        prise_rdv: String::new(),
        dispositif_programmes_nationaux: Vec::new(),
        publics_specifiquement_adresses: Vec::new(),
        itinerant: false,
        date_maj: "2026-01-01".into(),
    }
}

fn with(mut p: Place, f: impl FnOnce(&mut Place)) -> Place {
    f(&mut p);
    p
}

const DEMARCHES: &str = "Aide aux démarches administratives";
const OUTILS: &str = "Maîtrise des outils numériques du quotidien";

#[test]
fn ranking_table() {
    let kiosk = (48.9367, 2.325);
    let now = at(2026, 12, 2, 10, 0);
    let open = "Mo-Fr 09:00-17:00";
    let need = Need {
        services: vec![DEMARCHES.into(), OUTILS.into()],
        support: vec!["Surdité".into()],
        modalite: Some("Accompagnement individuel".into()),
        programmes: vec!["Aidants Connect".into()],
        publics: vec!["Seniors".into()],
    };
    let cases: &[(&str, Vec<Place>, Vec<&str>)] = &[
        (
            "more services asked and offered come first",
            vec![place("one", &[DEMARCHES], &[], true, 48.9367, open), place("two", &[DEMARCHES, OUTILS], &[], true, 48.9367, open)],
            vec!["two", "one"],
        ),
        (
            "a place offering none of the services is left out",
            vec![place("none", &["Loisirs et créations numériques"], &[], true, 48.9367, open), place("ok", &[OUTILS], &[], true, 48.9367, open)],
            vec!["ok"],
        ),
        (
            "specific support counts",
            vec![place("plain", &[DEMARCHES], &[], true, 48.9367, open), place("deaf", &[DEMARCHES], &["Surdité"], true, 48.9367, open)],
            vec!["deaf", "plain"],
        ),
        (
            "free first",
            vec![place("paid", &[DEMARCHES], &[], false, 48.9367, open), place("free", &[DEMARCHES], &[], true, 48.9367, open)],
            vec!["free", "paid"],
        ),
        ("nearer first", vec![place("far", &[DEMARCHES], &[], true, 48.99, open), place("near", &[DEMARCHES], &[], true, 48.937, open)], vec!["near", "far"]),
        (
            "open soon before closed for long",
            vec![place("later", &[DEMARCHES], &[], true, 48.9367, "Sa 09:00-12:00"), place("now", &[DEMARCHES], &[], true, 48.9367, open)],
            vec!["now", "later"],
        ),
        (
            "a place that receives no public is never suggested, however well it fits",
            vec![
                with(place("closed", &[DEMARCHES, OUTILS], &["Surdité"], true, 48.9367, open), |p| p.modalites_acces = vec![places::NO_PUBLIC.into()]),
                place("open", &[OUTILS], &[], false, 48.99, open),
            ],
            vec!["open"],
        ),
        (
            "a fitting national programme counts (Aidants Connect when someone does it for them)",
            vec![
                place("plain", &[DEMARCHES], &[], true, 48.9367, open),
                with(place("aidants", &[DEMARCHES], &[], true, 48.9367, open), |p| p.dispositif_programmes_nationaux = vec!["Aidants Connect".into()]),
            ],
            vec!["aidants", "plain"],
        ),
        (
            "a place for the visitor's public counts",
            vec![
                place("plain", &[DEMARCHES], &[], true, 48.9367, open),
                with(place("seniors", &[DEMARCHES], &[], true, 48.9367, open), |p| p.publics_specifiquement_adresses = vec!["Seniors".into()]),
            ],
            vec!["seniors", "plain"],
        ),
        (
            "no place offers what is asked: the nearest general places, never nothing",
            vec![
                place("far", &["Loisirs et créations numériques"], &[], true, 48.99, open),
                place("near", &["Loisirs et créations numériques"], &[], true, 48.937, open),
                with(place("closed", &["Loisirs et créations numériques"], &[], true, 48.9367, open), |p| p.modalites_acces = vec![places::NO_PUBLIC.into()]),
            ],
            vec!["near", "far"],
        ),
    ];
    for (name, ps, expected) in cases {
        let got: Vec<String> = places::suggest(ps, &need, Some(kiosk), now, 3).into_iter().map(|s| s.place.id).collect();
        assert_eq!(got, *expected, "{name}");
    }
    let s = places::suggest(&[place("deaf", &[DEMARCHES], &["Surdité"], true, 48.9467, open)], &need, Some(kiosk), now, 3);
    assert!(
        s[0].reasons.contains(&Reason::Service(DEMARCHES.into()))
            && s[0].reasons.contains(&Reason::Support("Surdité".into()))
            && s[0].reasons.contains(&Reason::Free)
    );
    assert!(matches!(s[0].distance_m, Some(d) if (1000..1200).contains(&d)), "about 1.1 km");
    assert!(places::suggest(&[place("x", &[OUTILS], &[], true, 48.9, open)], &Need::default(), None, now, 3).len() == 1, "no need: every place");
    // Equipment only, and no place offers equipment: a general place, said as such.
    let equipment = Need { services: vec!["Accès internet et matériel informatique".into()], ..Need::default() };
    let s = places::suggest(&[place("x", &[OUTILS], &[], true, 48.9, open)], &equipment, Some(kiosk), now, 3);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].reasons[0], Reason::General);
    // Only places that receive no public: nothing can be suggested (and nothing is).
    let closed = with(place("c", &[OUTILS], &[], true, 48.9, open), |p| p.modalites_acces = vec![places::NO_PUBLIC.into()]);
    assert!(places::suggest(&[closed], &equipment, Some(kiosk), now, 3).is_empty());
}

const HEADER: &str = "id,pivot,nom,commune,code_postal,code_insee,adresse,complement_adresse,latitude,longitude,typologie,telephone,courriels,site_web,horaires,presentation_resume,presentation_detail,source,itinerance,structure_parente,date_maj,services,publics_specifiquement_adresses,prise_en_charge_specifique,frais_a_charge,dispositif_programmes_nationaux,formations_labels,autres_formations_labels,modalites_acces,modalites_accompagnement,fiche_acces_libre,prise_rdv";

#[test]
fn broken_rows_are_reported_by_line_and_field_and_skipped() {
    let row = |id: &str, cp: &str, insee: &str, services: &str, date: &str| {
        format!("{id},12345678901234,Lieu {id},Nanterre,{cp},{insee},1 rue A,,48.89,2.2,,,,,Mo-Fr 09:00-12:00,,,,,,{date},{services},,,Gratuit,,,,,,,")
    };
    let csv = [
        HEADER.to_string(),
        row("a", "92000", "92050", DEMARCHES, "2024-01-02"),
        row("b", "9200", "92050", DEMARCHES, "2024-01-02"),
        row("c", "92000", "92050", "Astrologie", "2024-01-02"),
        row("d", "92000", "92050", DEMARCHES, "02/01/2024"),
        row("e", "75001", "75101", DEMARCHES, "2024-01-02"),
        row("a", "92000", "92050", DEMARCHES, "2024-01-02"),
    ]
    .join("\n");
    let set = places::parse(&csv, Some("92")).unwrap();
    assert_eq!(set.places.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["a"]);
    assert_eq!(set.other_departements, 1);
    let probs: Vec<(usize, &str)> = set.problems.iter().map(|p| (p.line, p.field.as_str())).collect();
    assert_eq!(probs, [(3, "code_postal"), (4, "services"), (5, "date_maj"), (7, "id")]);
    assert!(places::parse("nom,commune\nx,y", None).is_err(), "not the standard at all");
    // Access modes, booking, programmes, publics and itinerance are read.
    let row = format!(
        "{HEADER}\nz,12345678901234,Lieu z,Nanterre,92000,92050,1 rue A,,48.89,2.2,,+33147991635,,,Mo-Fr 09:00-12:00,,,,Itinérant,,2024-01-02,{DEMARCHES},Seniors|Jeunes,,Gratuit,Aidants Connect|France Services,,,Téléphoner|Prendre un RDV en ligne,,,https://rdv.example.fr/z"
    );
    let z = &places::parse(&row, None).unwrap().places[0];
    assert!(z.itinerant && z.by_appointment() && z.receives_public());
    assert_eq!(z.prise_rdv, "https://rdv.example.fr/z");
    assert_eq!(z.dispositif_programmes_nationaux, ["Aidants Connect", "France Services"]);
    assert_eq!(z.publics_specifiquement_adresses, ["Seniors", "Jeunes"]);
}

const EQUIPMENT: &str = "Accès internet et matériel informatique";

/// Issue 26: a visitor whose procedures someone does for them, with no device, got only an
/// equipment place once one existed, and no France Services or Aidants Connect place. The "done
/// for them" need keeps its door whatever other service matches.
#[test]
#[allow(clippy::type_complexity)]
fn the_done_for_them_need_keeps_its_door_whatever_else_matches() {
    let kiosk = (48.9367, 2.325);
    let now = at(2026, 12, 2, 10, 0);
    let open = "Mo-Fr 09:00-17:00";
    let done_for_them = crate::support::profile_of(&serde_json::json!({"answers": {"profil_usage": ["aidant_fait_a_ma_place"], "outil_principal": "aucun"}}));
    let need = Need::of(&done_for_them);
    assert_eq!(need.services, [EQUIPMENT]);
    assert_eq!(need.programmes, places::DONE_FOR_THEM);
    let alone = crate::support::profile_of(&serde_json::json!({"answers": {"outil_principal": "aucun"}}));
    assert!(Need::of(&alone).programmes.is_empty(), "no programme without the flag");
    let programme =
        |id: &str, lat: f64, prog: &str| with(place(id, &[DEMARCHES], &[], true, lat, open), |p| p.dispositif_programmes_nationaux = vec![prog.into()]);
    let equipment = |id: &str, lat: f64| place(id, &[EQUIPMENT], &[], true, lat, open);
    // Kilometres north of the kiosk: 0.01° of latitude is about 1.1 km.
    let cases: &[(&str, Vec<Place>, Vec<&str>, Vec<&str>)] = &[
        (
            "the issue's case: one equipment place 2.5 km away, France Services nearer: both",
            vec![
                equipment("equipement", 48.959),
                programme("france_services", 48.946, "France Services"),
                place("loisirs", &["Loisirs et créations numériques"], &[], true, 48.937, open),
            ],
            vec!["equipement", "france_services"],
            vec!["equipement"],
        ),
        (
            "three equipment places rank higher: the best programme place takes the last of three",
            vec![
                equipment("e1", 48.938),
                equipment("e2", 48.939),
                equipment("e3", 48.940),
                programme("aidants_connect", 48.99, "Aidants Connect"),
                programme("france_services", 48.96, "France Services"),
            ],
            vec!["e1", "e2", "france_services"],
            vec!["e1", "e2", "e3"],
        ),
        (
            "no equipment place: the programme place, not general ones (without the flag: the nearest general places)",
            vec![programme("aidants_connect", 48.95, "Aidants Connect"), place("loisirs", &["Loisirs et créations numériques"], &[], true, 48.937, open)],
            vec!["aidants_connect"],
            vec!["loisirs", "aidants_connect"],
        ),
        (
            "a programme place that receives no public is never the door",
            vec![equipment("e1", 48.938), with(programme("ferme", 48.937, "France Services"), |p| p.modalites_acces = vec![places::NO_PUBLIC.into()])],
            vec!["e1"],
            vec!["e1"],
        ),
    ];
    for (name, ps, with_flag, without) in cases {
        let got: Vec<String> = places::suggest(ps, &need, Some(kiosk), now, 3).into_iter().map(|s| s.place.id).collect();
        assert_eq!(got, *with_flag, "{name}");
        let got: Vec<String> = places::suggest(ps, &Need::of(&alone), Some(kiosk), now, 3).into_iter().map(|s| s.place.id).collect();
        assert_eq!(got, *without, "{name}, without the flag");
    }
    // The door says why: the programme.
    let s = places::suggest(&cases[1].1, &need, Some(kiosk), now, 3);
    assert!(s[2].reasons.contains(&Reason::Programme("France Services".into())), "{:?}", s[2].reasons);
    // Asked for one place only, the door is that place.
    let one: Vec<String> = places::suggest(&cases[1].1, &need, Some(kiosk), now, 1).into_iter().map(|s| s.place.id).collect();
    assert_eq!(one, ["france_services"]);
}
