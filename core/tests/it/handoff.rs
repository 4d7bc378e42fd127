//! The QR payload: round trips, size, AZERTY repair, and hostile input that never panics.

use crate::support::*;
use chrono::NaiveDate;
use passerelle_core::handoff::{self, Handoff, HandoffError};
use passerelle_core::profile;
use passerelle_core::random::random_visit;
use proptest::prelude::*;
use rand::SeedableRng;

fn handoff_for(seed: u64) -> Handoff {
    let q = questionnaire();
    let rules = rules();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut e = engine(true);
    let v = random_visit(&mut e, &mut rng).unwrap();
    Handoff {
        kiosk_id: "vlg-nelly-roussel-1".into(),
        reference: handoff::reference_from_bits(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) & ((1 << 40) - 1)),
        date: NaiveDate::from_ymd_opt(2026, 11, 28),
        lang: v.lang.clone(),
        questionnaire_fingerprint: handoff::questionnaire_fingerprint(&q),
        questionnaire_version: q.version.clone(),
        rules_fingerprint: handoff::rules_fingerprint(&rules),
        rules_version: rules.version.clone(),
        profile: profile::compute(&rules, &q, &v.answers, &v.lang),
        signals: handoff::Signals { partial: seed.is_multiple_of(2), read_aloud: seed.is_multiple_of(3) },
        answers: Some(v.answers),
    }
}

/// What a decoder can give back: answers without free text or contact details.
fn redacted(h: &Handoff) -> passerelle_core::answers::Answers {
    use passerelle_core::answers::{Answer, Contact};
    h.answers
        .clone()
        .unwrap()
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Answer::Text(_) => Answer::Text("…".into()),
                Answer::Contact(_) => Answer::Contact(Contact::default()),
                x => x,
            };
            (k, v)
        })
        .collect()
}

fn check_round_trip(h: &Handoff) {
    let q = questionnaire();
    let code = handoff::encode(h, &q).unwrap();
    assert!(code.starts_with("PA1:"));
    assert!(code.chars().all(|c| "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(c)), "QR alphanumeric only");
    let d = handoff::decode(&code, &q).unwrap();
    assert_eq!(d.kiosk_id, h.kiosk_id);
    assert_eq!(d.reference, h.reference);
    assert_eq!(d.date, h.date);
    assert_eq!(d.lang, h.lang);
    assert_eq!(d.signals, h.signals);
    assert_eq!(d.rules_version, h.rules_version);
    assert_eq!(d.answers.as_ref().unwrap(), &redacted(h));
    // Vocabulary fields of the profile travel as they are.
    let (a, b) = (&d.profile, &h.profile);
    assert_eq!((&a.autonomie, &a.niveau, &a.thematiques, &a.services, &a.modalites), (&b.autonomie, &b.niveau, &b.thematiques, &b.services, &b.modalites));
    assert_eq!(
        (&a.flags, &a.prise_en_charge_specifique, &a.tranche_age, &a.genre, &a.materiel),
        (&b.flags, &b.prise_en_charge_specifique, &b.tranche_age, &b.genre, &b.materiel)
    );
    assert_eq!(a.type_accompagnement, b.type_accompagnement);
    // Recomputing the profile from the decoded answers gives the stored profile back.
    let re = profile::compute(&rules(), &q, d.answers.as_ref().unwrap(), &d.lang);
    assert_eq!(&re, b);
}

#[test]
fn thousand_random_visits_round_trip_and_stay_small() {
    let q = questionnaire();
    let mut longest = 0;
    for seed in 0..1000 {
        let h = handoff_for(seed);
        check_round_trip(&h);
        longest = longest.max(handoff::encode(&h, &q).unwrap().len());
    }
    // QR version 10 at error correction Q holds 261 alphanumeric characters (M: 331).
    assert!(longest <= 261, "longest payload {longest} characters");
}

#[test]
fn no_contact_detail_or_free_text_in_the_code() {
    let q = questionnaire();
    for seed in 0..300 {
        let h = handoff_for(seed);
        let code = handoff::encode(&h, &q).unwrap();
        let bytes = base45::decode(&code[4..]).unwrap();
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        if let Some(passerelle_core::answers::Answer::Contact(c)) = h.answers.as_ref().unwrap().get("consentement_contact") {
            for v in [&c.last_name, &c.phone, &c.email] {
                assert!(v.is_empty() || !text.contains(&v.to_lowercase()), "contact detail leaked");
            }
            assert!(!code.contains("0612"));
        }
    }
}

#[test]
fn azerty_wedge_scanner_input_is_repaired() {
    let q = questionnaire();
    assert_eq!(handoff::azerty_mangle("0013"), "àà&\"");
    assert_eq!(handoff::azerty_mangle("PA1:"), "PQ&M");
    for seed in 0..200 {
        let h = handoff_for(seed);
        let code = handoff::encode(&h, &q).unwrap();
        let mangled = handoff::azerty_mangle(&code);
        let d = handoff::decode(&format!("{mangled}\r\n"), &q).unwrap();
        assert_eq!(d.answers.as_ref().unwrap(), &redacted(&h));
        let lower = handoff::decode(&code.to_lowercase(), &q).unwrap();
        assert_eq!(lower.reference, h.reference);
    }
}

#[test]
fn clear_errors_for_foreign_damaged_truncated_and_future_codes() {
    let q = questionnaire();
    let code = handoff::encode(&handoff_for(3), &q).unwrap();
    assert_eq!(handoff::decode("https://example.org", &q), Err(HandoffError::NotPasserelle));
    assert_eq!(handoff::decode("", &q), Err(HandoffError::NotPasserelle));
    assert_eq!(handoff::decode("PA2:ABCDEF", &q), Err(HandoffError::FutureVersion("2".into())));
    assert_eq!(handoff::decode("PA1:É", &q), Err(HandoffError::BadEncoding));
    let truncated = &code[..code.len() - 9];
    assert!(matches!(handoff::decode(truncated, &q), Err(HandoffError::Checksum | HandoffError::BadEncoding | HandoffError::Truncated)));
    // Change one character in the middle: the checksum catches it.
    let mut altered: Vec<char> = code.chars().collect();
    let i = altered.len() / 2;
    altered[i] = if altered[i] == '0' { '1' } else { '0' };
    let altered: String = altered.into_iter().collect();
    assert!(matches!(handoff::decode(&altered, &q), Err(HandoffError::Checksum | HandoffError::BadEncoding)));
    for e in [HandoffError::NotPasserelle, HandoffError::Checksum, HandoffError::FutureVersion("2".into())] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn a_kiosk_clock_set_wrong_still_encodes() {
    let q = questionnaire();
    for date in [NaiveDate::from_ymd_opt(1970, 1, 1), NaiveDate::from_ymd_opt(2300, 5, 5), None] {
        let mut h = handoff_for(5);
        h.date = date;
        let d = handoff::decode(&handoff::encode(&h, &q).unwrap(), &q).unwrap();
        assert_eq!(d.date, None, "an impossible date travels as unknown");
    }
    let mut h = handoff_for(5);
    h.date = NaiveDate::from_ymd_opt(2020, 1, 1);
    assert_eq!(handoff::decode(&handoff::encode(&h, &q).unwrap(), &q).unwrap().date, h.date);
}

#[test]
fn another_questionnaire_still_shows_the_profile() {
    let q = questionnaire();
    let h = handoff_for(11);
    let code = handoff::encode(&h, &q).unwrap();
    let other_src = passerelle_core::DEFAULT_QUESTIONNAIRE.replacen("{ id = \"jeux\"", "{ id = \"jeux_video\"", 1);
    let other = passerelle_core::questionnaire::Questionnaire::load(&other_src, "q", &config().neighbourhoods, &has_picto).unwrap();
    let d = handoff::decode(&code, &other).unwrap();
    assert!(d.answers.is_none(), "answers need the same questionnaire");
    assert_eq!(d.profile.autonomie, h.profile.autonomie);
    assert_eq!(d.profile.thematiques, h.profile.thematiques);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn round_trip_for_random_visits(seed in any::<u64>()) {
        check_round_trip(&handoff_for(seed));
    }

    #[test]
    fn decoder_never_panics_on_garbage(s in "\\PC{0,300}") {
        let _ = handoff::decode(&s, &questionnaire());
    }

    #[test]
    fn decoder_never_panics_on_valid_base45_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = handoff::decode(&format!("PA1:{}", base45::encode(&bytes)), &questionnaire());
    }

    #[test]
    fn decoder_never_panics_on_corrupted_codes(seed in 0u64..50, pos in any::<prop::sample::Index>(), c in "[0-9A-Z $%*+./:-]") {
        let q = questionnaire();
        let code = handoff::encode(&handoff_for(seed), &q).unwrap();
        let mut chars: Vec<char> = code.chars().collect();
        let i = pos.index(chars.len());
        chars[i] = c.chars().next().unwrap();
        let _ = handoff::decode(&chars.into_iter().collect::<String>(), &q);
    }
}

/// A format-1 payload made by an earlier kiosk (stored in tests/fixtures/store-v1.sql) still
/// decodes after the signals byte was added in format 2, with every signal off.
#[test]
fn format_1_payloads_still_decode() {
    let q = questionnaire();
    let v1 = "PA1:NS2TR5ET1JRMEFIQXI:740JI0CGBSUN42:FMX$7000I$HV50V30HG7RP06YMWIC*P4DCH9V4RZ12H5D41KTM000+65K$740";
    let d = handoff::decode(v1, &q).unwrap();
    assert_eq!(d.kiosk_id, "vlg-nelly-roussel-1");
    assert_eq!(d.reference, "K05CY92H");
    assert_eq!(d.date, NaiveDate::from_ymd_opt(2026, 11, 28));
    assert_eq!(d.signals, handoff::Signals::default());
    assert_eq!(d.questionnaire_version, "1.0.0");
    assert_eq!(d.profile.autonomie.as_deref(), Some("partiellement_autonome"));
    assert_eq!(d.profile.tranche_age.as_deref(), Some("soixante_dix_plus"));
}

/// A payload whose format number is newer than this decoder's is refused with a clear message,
/// not misread.
#[test]
fn a_newer_format_is_refused() {
    let q = questionnaire();
    let code = handoff::encode(&handoff_for(5), &q).unwrap();
    let mut bytes = base45::decode(&code["PA1:".len()..]).unwrap();
    bytes.truncate(bytes.len() - 4);
    bytes[0] = (bytes[0] & 0x0F) | (3 << 4);
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_be_bytes());
    let newer = format!("PA1:{}", base45::encode(&bytes));
    assert_eq!(handoff::decode(&newer, &q), Err(HandoffError::FutureVersion("3".into())));
}

/// The questionnaire as shipped before 1.3.0 added "Je ne sais pas ce que c'est" to the grid.
fn questionnaire_1_2_0() -> passerelle_core::questionnaire::Questionnaire {
    let src: String = passerelle_core::DEFAULT_QUESTIONNAIRE
        .lines()
        .filter(|l| !l.contains("id = \"ne_connait_pas\""))
        .collect::<Vec<_>>()
        .join("\n")
        .replacen(&format!("version = \"{}\"", questionnaire().version), "version = \"1.2.0\"", 1);
    passerelle_core::questionnaire::Questionnaire::load(&src, "q-1.2.0", &config().neighbourhoods, &has_picto).unwrap()
}

fn grid_visit(grid: &[(&str, &str)]) -> passerelle_core::answers::Answers {
    use passerelle_core::answers::Answer;
    let mut a = passerelle_core::answers::Answers::new();
    a.insert("age".into(), Answer::Choice("soixante_dix_plus".into()));
    a.insert("capacites".into(), Answer::Grid(grid.iter().map(|(r, c)| (r.to_string(), c.to_string())).collect()));
    a.insert("quiz_image_2".into(), Answer::Choice("video".into()));
    a
}

fn code_with(q: &passerelle_core::questionnaire::Questionnaire, answers: passerelle_core::answers::Answers) -> String {
    let mut h = handoff_for(3);
    h.questionnaire_fingerprint = handoff::questionnaire_fingerprint(q);
    h.questionnaire_version = q.version.clone();
    h.answers = Some(answers);
    handoff::encode(&h, q).unwrap()
}

/// A code made by a kiosk still on questionnaire 1.2.0 decodes to the same answers with 1.3.0
/// (its grid had one choice fewer), and a 1.3.0 code with the new answer round-trips.
#[test]
fn codes_from_before_the_new_grid_choice_keep_their_answers() {
    let (old, new) = (questionnaire_1_2_0(), questionnaire());
    assert_ne!(handoff::questionnaire_fingerprint(&old), handoff::questionnaire_fingerprint(&new), "the layout did change");
    let before = grid_visit(&[("allumer_ordinateur", "sait_faire"), ("connexion_internet", "ne_sait_pas_faire"), ("encadrer_ecrans_enfant", "pas_concerne")]);
    let d = handoff::decode(&code_with(&old, before.clone()), &new).unwrap();
    assert_eq!(d.questionnaire_version, "1.2.0");
    assert_eq!(d.answers, Some(before), "an old code's answers, read with the new questionnaire");
    let after =
        grid_visit(&[("allumer_ordinateur", "ne_connait_pas"), ("connexion_internet", "ne_sait_pas_faire"), ("encadrer_ecrans_enfant", "pas_concerne")]);
    let code = code_with(&new, after.clone());
    assert_eq!(handoff::decode(&code, &new).unwrap().answers, Some(after));
    // A mediator still on 1.2.0 does not misread a new code: the profile only.
    assert_eq!(handoff::decode(&code, &old).unwrap().answers, None);
    // A code that claims 1.2.0 but has another layout is not read with the 1.2.0 layout.
    let mut h = handoff_for(3);
    h.questionnaire_version = "1.2.0".into();
    h.questionnaire_fingerprint ^= 1;
    assert_eq!(handoff::decode(&handoff::encode(&h, &new).unwrap(), &new).unwrap().answers, None);
}

/// The questionnaire as shipped in 1.3.0: the age, the gender and the neighbourhood were not
/// essential.
fn questionnaire_1_3_0() -> passerelle_core::questionnaire::Questionnaire {
    let mut out = Vec::new();
    let mut dropping = false;
    for l in passerelle_core::DEFAULT_QUESTIONNAIRE.lines() {
        if l.starts_with("# Essential since 1.4.0") {
            dropping = true;
        }
        if !dropping {
            out.push(l);
        }
        if dropping && l == "essential = true" {
            dropping = false;
        }
    }
    let src = out.join("\n").replacen(&format!("version = \"{}\"", questionnaire().version), "version = \"1.3.0\"", 1);
    passerelle_core::questionnaire::Questionnaire::load(&src, "q-1.3.0", &config().neighbourhoods, &has_picto).unwrap()
}

/// Questionnaire 1.4.0 asks the age, the gender and the neighbourhood early (they became
/// `essential`): the layout of the answers is 1.3.0's, so a code of either version reads with the
/// other.
#[test]
fn codes_of_questionnaires_1_3_0_and_1_4_0_read_each_other() {
    let (old, new) = (questionnaire_1_3_0(), (*questionnaire()).clone());
    assert_eq!(new.version, "1.4.0");
    for id in ["age", "genre", "quartier"] {
        assert!(!old.question(id).unwrap().essential && new.question(id).unwrap().essential, "{id}");
    }
    let mut visit = grid_visit(&[("connexion_internet", "sait_faire"), ("reperer_arnaque", "ne_connait_pas")]);
    visit.insert("quartier".into(), passerelle_core::answers::Answer::Choice("la_caravelle".into()));
    for (made, read) in [(&old, &new), (&new, &old)] {
        let d = handoff::decode(&code_with(made, visit.clone()), read).unwrap();
        assert_eq!(d.questionnaire_version, made.version);
        assert_eq!(d.answers.as_ref(), Some(&visit), "{} read by {}", made.version, read.version);
    }
}
