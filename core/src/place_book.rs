//! Orientation: where a visitor can go next. The places in use (the shipped Hauts-de-Seine
//! file, or a newer national export imported by an admin: read from disk by
//! `passerelle_shared::place_files`), suggestions for a profile, and the words for the end
//! screen, the ticket and the mediator.

use crate::config::Config;
use crate::i18n::{tr, tr_with};
use crate::places::{self, Need, Opening, Place, Reason, Suggestion};
use crate::profile::Profile;
use chrono::{Datelike, NaiveDateTime, Timelike};
use serde::Serialize;

/// The places shipped with Passerelle (Hauts-de-Seine, national map 2022, converted to v1.0.2).
pub const SHIPPED: &str = include_str!("../../assets/places/places-92.csv");

/// The places in use, and where they come from (in French, for the admin screen).
#[derive(Debug, Clone)]
pub struct PlaceBook {
    pub places: Vec<Place>,
    pub source: String,
}

/// Where the kiosk stands: its configured location, else the middle of its commune's places.
pub fn origin(config: &Config, book: &PlaceBook) -> Option<(f64, f64)> {
    config.location.or_else(|| near_commune(book, &config.commune))
}

/// The middle of the places of a commune (accents, case and hyphens ignored).
pub fn near_commune(book: &PlaceBook, commune: &str) -> Option<(f64, f64)> {
    let norm = |s: &str| -> String {
        s.to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .map(|c| match c {
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'à' | 'â' => 'a',
                'î' | 'ï' => 'i',
                'ô' => 'o',
                'ù' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                x => x,
            })
            .collect()
    };
    let want = norm(commune);
    let pts: Vec<(f64, f64)> = book.places.iter().filter(|p| norm(&p.commune) == want).filter_map(|p| Some((p.latitude?, p.longitude?))).collect();
    (!pts.is_empty()).then(|| (pts.iter().map(|p| p.0).sum::<f64>() / pts.len() as f64, pts.iter().map(|p| p.1).sum::<f64>() / pts.len() as f64))
}

/// What a profile needs, in the places standard's words ([`Need::of`], in the core).
pub fn need(profile: &Profile) -> Need {
    Need::of(profile)
}

/// Up to three places for a profile.
pub fn suggest(config: &Config, book: &PlaceBook, profile: &Profile, now: NaiveDateTime) -> Vec<Suggestion> {
    places::suggest(&book.places, &need(profile), origin(config, book), now, 3)
}

/// An hour as the language says it: "15 h 30", "9 h" in French, "15:30" in English.
fn hour(t: NaiveDateTime, lang: &str) -> String {
    let (h, m) = (t.hour().to_string(), format!("{:02}", t.minute()));
    tr_with(lang, if t.minute() == 0 { "time.hour" } else { "time.hour-minute" }, &[("h", &h), ("m", &m)])
}

/// "ouvert maintenant jusqu'à 12 h", "ouvre aujourd'hui à 14 h", "Prochaine ouverture : lundi,
/// 15 h 30 – 18 h" (not "ouvert lundi 15h30–18h", which reads as "only on Mondays")…
pub fn opening_text(o: &Opening, now: NaiveDateTime, lang: &str) -> String {
    let hour = |t: &NaiveDateTime| hour(*t, lang);
    match o {
        Opening::OpenNow { until } => tr_with(lang, "places.open-now", &[("until", &hour(until))]),
        Opening::Opens { from, until } => {
            let days = (from.date() - now.date()).num_days();
            let range = tr_with(lang, "time.range", &[("from", &hour(from)), ("until", &hour(until))]);
            match days {
                0 => tr_with(lang, "places.opens-today", &[("from", &hour(from))]),
                1 => tr_with(lang, "places.opens-tomorrow", &[("hours", &range)]),
                2..=6 => tr_with(lang, "places.opens-day", &[("day", &tr(lang, &format!("day.{}", from.weekday().num_days_from_monday()))), ("hours", &range)]),
                _ => tr_with(lang, "places.opens-date", &[("date", &from.format("%d/%m").to_string()), ("hours", &range)]),
            }
        }
        Opening::Unknown => tr(lang, "places.hours-unknown"),
    }
}

fn service_short(s: &str, lang: &str) -> String {
    let key = match s {
        "Aide aux démarches administratives" => "demarches",
        "Maîtrise des outils numériques du quotidien" => "outils",
        "Insertion professionnelle via le numérique" => "emploi",
        "Utilisation sécurisée du numérique" => "securite",
        "Parentalité et éducation avec le numérique" => "parentalite",
        "Loisirs et créations numériques" => "loisirs",
        "Compréhension du monde numérique" => "culture",
        "Accès internet et matériel informatique" => "acces",
        "Acquisition de matériel informatique à prix solidaire" => "materiel",
        other => return other.to_lowercase(),
    };
    tr(lang, &format!("places.service.{key}"))
}

/// Why a place is suggested, in a few words: "aide aux démarches, gratuit, à 1,2 km".
pub fn why_text(s: &Suggestion, lang: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for r in &s.reasons {
        match r {
            Reason::Service(x) => parts.push(service_short(x, lang)),
            Reason::Support(x) => parts.push(x.to_lowercase()),
            Reason::Free => parts.push(tr(lang, "places.free")),
            Reason::Near(m) => {
                let km = format!("{:.1}", *m as f64 / 1000.0);
                // A decimal comma except in English and Arabic (which the kiosk writes with Western digits).
                let km = if matches!(lang, "en" | "ar") { km } else { km.replace('.', ",") };
                parts.push(crate::i18n::tr_with(lang, "places.distance", &[("km", &km)]));
            }
            Reason::Programme(x) => parts.push(x.clone()),
            Reason::Public(x) => parts.push(x.to_lowercase()),
            Reason::General => parts.push(tr(lang, "places.general")),
            Reason::Modalite(_) => {}
        }
    }
    if s.place.itinerant {
        parts.push(tr(lang, "places.itinerant"));
    }
    parts.dedup();
    parts.join(if crate::i18n::is_rtl(lang) { "، " } else { ", " })
}

/// A name or an address written all in capitals in the national data ("COMMUNE DE BOURG LA
/// REINE") as a visitor reads it best: "Commune de Bourg la Reine". Mixed-case text is kept as
/// written; acronyms (CCAS, CAF…) and words with digits stay as they are.
pub fn display_case(text: &str) -> String {
    if text.chars().any(char::is_lowercase) {
        return text.to_string();
    }
    const SMALL: &[&str] = &["de", "du", "des", "la", "le", "les", "et", "en", "au", "aux", "à", "par", "pour", "sur", "sous"];
    const ACRONYMS: &[&str] = &["CCAS", "CIAS", "CAF", "CPAM", "MJC", "MDS", "PMI", "EPN", "CSC", "SOS", "PIMMS", "CNFS", "URSSAF", "MSA", "RSA"];
    // "saint-exupery" → "Saint-Exupery": a capital at the start of each hyphenated part.
    let capital = |w: &str| -> String {
        w.split('-')
            .map(|part| {
                let mut c = part.chars();
                c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("-")
    };
    text.split(' ')
        .enumerate()
        .map(|(i, word)| {
            if ACRONYMS.contains(&word) || word.chars().any(|c| c.is_ascii_digit()) {
                return word.to_string();
            }
            let lower = word.to_lowercase();
            // Elision: "L'EST" → "l'Est", "D'APPEL" → "d'Appel"; "P'TIT" stays one word: "P'tit".
            if let Some((head, rest)) = lower.split_once(['\'', '’']).filter(|(h, _)| matches!(*h, "d" | "l")) {
                let head = if i == 0 { capital(head) } else { head.to_string() };
                return format!("{head}'{}", capital(rest));
            }
            if i > 0 && SMALL.contains(&lower.as_str()) { lower } else { capital(&lower) }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A suggestion as shown and printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceLine {
    pub name: String,
    pub address: String,
    pub opening: String,
    pub phone: String,
    pub why: String,
}

pub fn lines(suggestions: &[Suggestion], now: NaiveDateTime, lang: &str) -> Vec<PlaceLine> {
    suggestions
        .iter()
        .map(|s| PlaceLine {
            name: display_case(&s.place.nom),
            address: format!("{}, {} {}", display_case(&s.place.adresse), s.place.code_postal, s.place.commune),
            // "Sur rendez-vous : …" goes with the hours (end screen, ticket, mediator).
            opening: [opening_text(&s.opening, now, lang), appointment_text(&s.place, lang)]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
            phone: pretty_phone(&s.place.telephone),
            why: why_text(s, lang),
        })
        .collect()
}

/// "Sur rendez-vous : https://…" (or the phone) for a place that works by appointment.
pub fn appointment_text(p: &Place, lang: &str) -> String {
    if !p.by_appointment() {
        return String::new();
    }
    let how = if !p.prise_rdv.is_empty() { p.prise_rdv.clone() } else { pretty_phone(&p.telephone) };
    if how.is_empty() { tr(lang, "places.appointment-only") } else { tr_with(lang, "places.appointment", &[("how", &how)]) }
}

/// "+33147991635" → "01 47 99 16 35".
pub fn pretty_phone(p: &str) -> String {
    let digits = p.strip_prefix("+33").map(|r| format!("0{r}")).unwrap_or_else(|| p.to_string());
    if digits.len() == 10 && digits.chars().all(|c| c.is_ascii_digit()) {
        digits.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).to_string()).collect::<Vec<_>>().join(" ")
    } else {
        p.to_string()
    }
}

/// Suggestions as JSON (`passerelle places suggest --json`, `passerelle decode --json`): the
/// place in the standard's words, why and when, with the visitor-facing texts in `lang`.
pub fn to_json(suggestions: &[Suggestion], now: NaiveDateTime, lang: &str) -> serde_json::Value {
    serde_json::Value::Array(
        suggestions
            .iter()
            .map(|s| {
                let p = &s.place;
                serde_json::json!({
                    "id": p.id,
                    "nom": p.nom,
                    "adresse": p.adresse,
                    "code_postal": p.code_postal,
                    "commune": p.commune,
                    "telephone": p.telephone,
                    "horaires": p.horaires,
                    "distance_m": s.distance_m,
                    "score": s.score,
                    "opening": s.opening,
                    "opening_text": opening_text(&s.opening, now, lang),
                    "reasons": s.reasons,
                    "why": why_text(s, lang),
                    "modalites_acces": p.modalites_acces,
                    "prise_rdv": p.prise_rdv,
                    "sur_rendez_vous": p.by_appointment(),
                    "itinerant": p.itinerant,
                    "dispositif_programmes_nationaux": p.dispositif_programmes_nationaux,
                    "publics_specifiquement_adresses": p.publics_specifiquement_adresses,
                    "appointment_text": appointment_text(p, lang),
                })
            })
            .collect(),
    )
}

/// Suggestions as text lines, one place per block (`passerelle places suggest`, the mediator).
pub fn to_text(lines: &[PlaceLine], lang: &str) -> String {
    let mut out = String::new();
    for (i, p) in lines.iter().enumerate() {
        out += &format!("{}. {}\n   {}\n   {}\n   {}\n", i + 1, p.name, p.why, p.opening, p.address);
        if !p.phone.is_empty() {
            out += &format!("   {}\n", tr_with(lang, "places.phone", &[("phone", &p.phone)]));
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod display_case_tests {
    use super::display_case;

    #[test]
    fn capitals_become_title_case_and_mixed_case_is_kept() {
        for (raw, shown) in [
            ("COMMUNE DE BOURG LA REINE", "Commune de Bourg la Reine"),
            ("CAFE SOLIDAIRE DES AIDANTS LE P'TIT PRINCE", "Cafe Solidaire des Aidants le P'tit Prince"),
            ("COUR D'APPEL DE VERSAILLES", "Cour d'Appel de Versailles"),
            ("13 ALLEE SAINT-EXUPERY", "13 Allee Saint-Exupery"),
            ("CCAS DE NANTERRE", "CCAS de Nanterre"),
            ("105 AVENUE DU GENERAL LECLERC", "105 Avenue du General Leclerc"),
            ("L'EST", "L'Est"),
            ("Maison France Service de Levallois-Perret", "Maison France Service de Levallois-Perret"),
            ("AA92", "AA92"),
        ] {
            assert_eq!(display_case(raw), shown, "{raw}");
        }
    }
}
