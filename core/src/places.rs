//! Digital inclusion places in the national "Standard de données des lieux de médiation
//! numérique" (v1.0.2): reading a CSV against the national Table Schema (rows that break it are
//! reported by line and field, and skipped), and ranking places for a visitor's profile:
//! services offered, specific support, accompaniment mode, distance, next opening (OSM
//! `opening_hours`, with French public holidays), free of charge first.

use chrono::{NaiveDate, NaiveDateTime};
use opening_hours::localization::Country;
use opening_hours::{Context, OpeningHours, RuleKind};
use serde::Serialize;
use std::collections::HashMap;
use thiserror::Error;

/// The national schema (LaMednum/standard-mediation-num v1.0.2, Licence Ouverte 2.0).
pub const SCHEMA: &str = include_str!("../../assets/places/schema.json");

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub id: String,
    pub nom: String,
    pub commune: String,
    pub code_postal: String,
    pub code_insee: String,
    pub adresse: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub telephone: String,
    pub horaires: String,
    pub services: Vec<String>,
    pub prise_en_charge_specifique: Vec<String>,
    pub frais_a_charge: Vec<String>,
    pub modalites_accompagnement: Vec<String>,
    /// How to get in: `Se présenter`, `Téléphoner`, `Prendre un RDV en ligne`…, or `Ce lieu
    /// n'accueille pas de public`.
    pub modalites_acces: Vec<String>,
    /// The booking link (or how to book), when there is one.
    pub prise_rdv: String,
    pub dispositif_programmes_nationaux: Vec<String>,
    pub publics_specifiquement_adresses: Vec<String>,
    /// `itinerance` says `Itinérant`.
    pub itinerant: bool,
    pub date_maj: String,
}

/// The national standard's value of `modalites_acces` for a place that receives nobody.
pub const NO_PUBLIC: &str = "Ce lieu n'accueille pas de public";

impl Place {
    /// False when the place says it receives no public: it is never suggested.
    pub fn receives_public(&self) -> bool {
        !self.modalites_acces.iter().any(|m| m == NO_PUBLIC)
    }

    /// The place works by appointment: its access modes do not include walking in, or it gives a
    /// booking link without saying that one can walk in.
    pub fn by_appointment(&self) -> bool {
        let walk_in = self.modalites_acces.iter().any(|m| m == "Se présenter");
        !walk_in && (!self.modalites_acces.is_empty() || !self.prise_rdv.is_empty())
    }
}

impl Place {
    /// The département of the place (from its INSEE code, else its postal code).
    pub fn departement(&self) -> String {
        let code = if self.code_insee.len() == 5 { &self.code_insee } else { &self.code_postal };
        if code.starts_with("97") { code.chars().take(3).collect() } else { code.chars().take(2).collect() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowProblem {
    /// Line in the file (the header is line 1).
    pub line: usize,
    pub field: String,
    pub problem: String,
}

#[derive(Debug, Default)]
pub struct PlaceSet {
    pub places: Vec<Place>,
    pub problems: Vec<RowProblem>,
    /// Valid rows of other départements, left out.
    pub other_departements: usize,
}

#[derive(Debug, Error)]
pub enum PlacesError {
    #[error("this file is not a CSV of the national standard: {0}")]
    NotStandard(String),
    #[error("the national schema cannot be read: {0}")]
    Schema(String),
}

struct FieldRule {
    name: String,
    required: bool,
    pattern: Option<regex::Regex>,
    kind: String,
}

fn rules() -> Result<Vec<FieldRule>, PlacesError> {
    let s: serde_json::Value = serde_json::from_str(SCHEMA).map_err(|e| PlacesError::Schema(e.to_string()))?;
    let fields = s["fields"].as_array().ok_or_else(|| PlacesError::Schema("no fields".into()))?;
    fields
        .iter()
        .map(|f| {
            let c = &f["constraints"];
            let pattern = match c["pattern"].as_str() {
                // Table Schema patterns match the whole value.
                Some(p) => Some(regex::Regex::new(&format!("^(?:{p})$")).map_err(|e| PlacesError::Schema(e.to_string()))?),
                None => None,
            };
            Ok(FieldRule {
                name: f["name"].as_str().unwrap_or_default().to_string(),
                required: c["required"].as_bool().unwrap_or(false),
                pattern,
                kind: f["type"].as_str().unwrap_or("string").to_string(),
            })
        })
        .collect()
}

fn list(v: &str) -> Vec<String> {
    v.split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Read a places CSV against the national schema. Rows that break it are skipped and reported;
/// rows of other départements than `departement` (when given) are left out.
pub fn parse(csv_text: &str, departement: Option<&str>) -> Result<PlaceSet, PlacesError> {
    let rules = rules()?;
    let text = csv_text.trim_start_matches('\u{feff}');
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = rd.headers().map_err(|e| PlacesError::NotStandard(e.to_string()))?.iter().map(str::to_string).collect();
    let col: HashMap<&str, usize> = header.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
    let missing: Vec<&str> = rules.iter().filter(|r| r.required && !col.contains_key(r.name.as_str())).map(|r| r.name.as_str()).collect();
    if !missing.is_empty() {
        return Err(PlacesError::NotStandard(format!("missing columns: {}", missing.join(", "))));
    }
    let mut set = PlaceSet::default();
    let mut ids = std::collections::HashSet::new();
    for (i, rec) in rd.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                set.problems.push(RowProblem { line, field: String::new(), problem: e.to_string() });
                continue;
            }
        };
        let get = |name: &str| col.get(name).and_then(|&c| rec.get(c)).unwrap_or("").trim().to_string();
        let mut bad = Vec::new();
        // A control character (ESC, BEL, NUL, a line separator…) in any field: the row is refused,
        // and the value is never shown as it is (it would drive the terminal that prints it).
        for (c, v) in rec.iter().enumerate() {
            if v.chars().any(|ch| ch.is_control() || matches!(ch, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')) {
                bad.push(RowProblem { line, field: header.get(c).cloned().unwrap_or_default(), problem: "control character".into() });
            }
        }
        if !bad.is_empty() {
            set.problems.extend(bad);
            continue;
        }
        for r in &rules {
            let v = get(&r.name);
            if v.is_empty() {
                if r.required {
                    bad.push(RowProblem { line, field: r.name.clone(), problem: "required, empty".into() });
                }
                continue;
            }
            if let Some(p) = &r.pattern
                && !p.is_match(&v)
            {
                bad.push(RowProblem { line, field: r.name.clone(), problem: format!("`{}` does not match the standard", v.escape_debug()) });
                continue;
            }
            let ok = match r.kind.as_str() {
                "number" => v.parse::<f64>().is_ok(),
                "date" => v.len() == 10 && NaiveDate::parse_from_str(&v, "%Y-%m-%d").is_ok(),
                _ => true,
            };
            if !ok {
                bad.push(RowProblem { line, field: r.name.clone(), problem: format!("`{}` is not a {}", v.escape_debug(), r.kind) });
            }
        }
        let id = get("id");
        if bad.is_empty() && !ids.insert(id.clone()) {
            bad.push(RowProblem { line, field: "id".into(), problem: format!("`{}` appears twice", id.escape_debug()) });
        }
        if !bad.is_empty() {
            set.problems.extend(bad);
            continue;
        }
        let place = Place {
            id,
            nom: get("nom"),
            commune: get("commune"),
            code_postal: get("code_postal"),
            code_insee: get("code_insee"),
            adresse: get("adresse"),
            latitude: get("latitude").parse().ok(),
            longitude: get("longitude").parse().ok(),
            telephone: get("telephone"),
            horaires: get("horaires"),
            services: list(&get("services")),
            prise_en_charge_specifique: list(&get("prise_en_charge_specifique")),
            frais_a_charge: list(&get("frais_a_charge")),
            modalites_accompagnement: list(&get("modalites_accompagnement")),
            modalites_acces: list(&get("modalites_acces")),
            prise_rdv: get("prise_rdv"),
            dispositif_programmes_nationaux: list(&get("dispositif_programmes_nationaux")),
            publics_specifiquement_adresses: list(&get("publics_specifiquement_adresses")),
            itinerant: list(&get("itinerance")).iter().any(|x| x == "Itinérant"),
            date_maj: get("date_maj"),
        };
        if departement.is_some_and(|d| place.departement() != d) {
            set.other_departements += 1;
            continue;
        }
        set.places.push(place);
    }
    Ok(set)
}

/// When a place is next open.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Opening {
    /// Open now, until `until`.
    OpenNow { until: NaiveDateTime },
    /// Opens at `from`, until `until`.
    Opens { from: NaiveDateTime, until: NaiveDateTime },
    /// No hours, hours that cannot be read, or nothing in the next 3 weeks.
    Unknown,
}

/// `horaires` without its empty time ranges ("11:00-11:00", which the opening_hours grammar
/// reads as a whole day and night); a rule left with no time range is dropped.
fn without_empty_ranges(horaires: &str) -> String {
    static RANGE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| regex::Regex::new(r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})").unwrap());
    let rules: Vec<String> = horaires
        .split(';')
        .filter_map(|rule| {
            let ranges: Vec<regex::Captures> = RANGE.captures_iter(rule).collect();
            if ranges.iter().all(|c| c[1] != c[2]) {
                return Some(rule.trim().to_string());
            }
            let head = rule[..ranges[0].get(0).map_or(0, |m| m.start())].trim();
            let kept: Vec<&str> = ranges.iter().filter(|c| c[1] != c[2]).map(|c| c.get(0).map_or("", |m| m.as_str())).collect();
            (!kept.is_empty()).then(|| format!("{head} {}", kept.join(",")).trim().to_string())
        })
        .filter(|r| !r.is_empty())
        .collect();
    rules.join("; ")
}

/// The next opening of `horaires` (OSM opening_hours) from `now`, with French public holidays.
/// Unless the hours say something of public holidays (a `PH` rule), a place is taken as closed
/// on them: nobody is sent to a closed door on Christmas. Empty ranges ("11:00-11:00", seen in
/// the national data) are ignored.
pub fn next_opening(horaires: &str, now: NaiveDateTime) -> Opening {
    let horaires = horaires.trim();
    if horaires.is_empty() {
        return Opening::Unknown;
    }
    let horaires = &without_empty_ranges(horaires);
    if horaires.is_empty() {
        return Opening::Unknown;
    }
    let with_holidays = if horaires.contains("PH") { horaires.to_string() } else { format!("{horaires}; PH off") };
    let Ok(oh) = with_holidays.parse::<OpeningHours>().or_else(|_| horaires.parse::<OpeningHours>()) else { return Opening::Unknown };
    let oh = oh.with_context(Context::default().with_holidays(Country::FR.holidays()));
    let horizon = now + chrono::Duration::days(21);
    for r in oh.iter_range(now, horizon) {
        if r.kind == RuleKind::Open && r.range.end > r.range.start {
            return if r.range.start <= now { Opening::OpenNow { until: r.range.end } } else { Opening::Opens { from: r.range.start, until: r.range.end } };
        }
    }
    Opening::Unknown
}

/// What a visitor needs, from the profile ([`Need::of`]).
#[derive(Debug, Clone, Default)]
pub struct Need {
    pub services: Vec<String>,
    pub support: Vec<String>,
    /// The recommended accompaniment mode (places standard value).
    pub modalite: Option<String>,
    /// National programmes that fit (`dispositif_programmes_nationaux`), e.g. Aidants Connect and
    /// France Services when someone does the procedures for the visitor.
    pub programmes: Vec<String>,
    /// Publics the visitor belongs to (`publics_specifiquement_adresses`: Seniors, Jeunes…).
    pub publics: Vec<String>,
}

impl Need {
    /// What a profile needs, in the places standard's words: its services, specific support and
    /// recommended mode; Aidants Connect and France Services when someone does the procedures
    /// for the visitor (flag `fait_a_sa_place`); the visitor's public (`Seniors` from 60, `Jeunes`
    /// under 25, `Familles et/ou enfants` when parenting or school is suggested).
    pub fn of(profile: &crate::profile::Profile) -> Need {
        let programmes = if profile.flags.iter().any(|f| f == "fait_a_sa_place") { DONE_FOR_THEM.iter().map(|s| s.to_string()).collect() } else { Vec::new() };
        let mut publics = Vec::new();
        match profile.tranche_age.as_deref() {
            Some("soixante_soixante_neuf" | "soixante_dix_plus") => publics.push("Seniors".to_string()),
            Some("moins_de_douze" | "douze_dix_huit" | "dix_huit_vingt_quatre") => publics.push("Jeunes".to_string()),
            _ => {}
        }
        if profile.thematiques.iter().any(|t| t == "parentalite" || t == "scolarite_et_numerique") {
            publics.push("Familles et/ou enfants".to_string());
        }
        Need {
            services: profile.services.clone(),
            support: profile.prise_en_charge_specifique.clone(),
            modalite: profile.modalites.first().cloned(),
            programmes,
            publics,
        }
    }
}

/// The national programmes for a visitor whose procedures someone does for them
/// (`dispositif_programmes_nationaux`): their door is kept whatever else matches ([`suggest`]).
pub const DONE_FOR_THEM: &[&str] = &["Aidants Connect", "France Services"];

/// Why a place is suggested.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Reason {
    Service(String),
    Support(String),
    Modalite(String),
    /// A national programme that fits the visitor (Aidants Connect, France Services…).
    Programme(String),
    /// The place addresses the visitor's public (Seniors, Jeunes…).
    Public(String),
    Free,
    Near(u32),
    /// No place offers what the visitor needs: the nearest general place.
    General,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub place: Place,
    pub score: i64,
    /// Metres from the kiosk.
    pub distance_m: Option<u32>,
    pub opening: Opening,
    pub reasons: Vec<Reason>,
}

/// Great-circle distance in metres.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

/// Rank places for a need: every service asked and offered counts most, then specific support,
/// a fitting national programme, the visitor's public, the recommended mode, being free, being
/// near (every kilometre costs), and opening soon. Places that receive no public are never
/// suggested. Places that offer none of the services asked, and none of the programmes, are left
/// out; when that leaves nothing (e.g. only equipment or security was asked and no place offers
/// it), the nearest places are suggested as general ones ([`Reason::General`]), so that a visitor
/// always gets a door as long as one place receives the public.
///
/// A programme asked keeps its door: when someone does the procedures for the visitor (Aidants
/// Connect, France Services), the best place of such a programme is among the suggestions
/// whatever other service matches (it takes the last place when the others rank higher).
pub fn suggest(places: &[Place], need: &Need, origin: Option<(f64, f64)>, now: NaiveDateTime, n: usize) -> Vec<Suggestion> {
    let open: Vec<&Place> = places.iter().filter(|p| p.receives_public()).collect();
    let mut out = rank(&open, need, origin, now, true);
    if out.is_empty() {
        out = rank(&open, need, origin, now, false);
        for s in &mut out {
            s.reasons.insert(0, Reason::General);
        }
    }
    let of_programme = |s: &Suggestion| s.reasons.iter().any(|r| matches!(r, Reason::Programme(_)));
    let door = out.iter().position(of_programme).filter(|&i| n > 0 && i >= n);
    if let Some(i) = door {
        let place = out.remove(i);
        out.truncate(n - 1);
        out.push(place);
    }
    out.truncate(n);
    out
}

fn rank(places: &[&Place], need: &Need, origin: Option<(f64, f64)>, now: NaiveDateTime, strict: bool) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = places
        .iter()
        .filter_map(|p| {
            let services: Vec<&String> = need.services.iter().filter(|s| p.services.contains(s)).collect();
            let programme = need.programmes.iter().any(|x| p.dispositif_programmes_nationaux.contains(x));
            if strict && !need.services.is_empty() && services.is_empty() && !programme {
                return None;
            }
            let mut score = 1000 * services.len() as i64;
            let mut reasons: Vec<Reason> = services.iter().map(|s| Reason::Service((*s).clone())).collect();
            for s in need.support.iter().filter(|s| p.prise_en_charge_specifique.contains(s)) {
                score += 600;
                reasons.push(Reason::Support(s.clone()));
            }
            for x in need.programmes.iter().filter(|x| p.dispositif_programmes_nationaux.contains(x)) {
                score += 500;
                reasons.push(Reason::Programme(x.clone()));
            }
            for x in need.publics.iter().filter(|x| p.publics_specifiquement_adresses.contains(x)) {
                score += 300;
                reasons.push(Reason::Public(x.clone()));
            }
            if let Some(m) = need.modalite.as_ref().filter(|m| p.modalites_accompagnement.contains(m)) {
                score += 300;
                reasons.push(Reason::Modalite(m.clone()));
            }
            if p.frais_a_charge.iter().any(|f| f == "Gratuit") {
                score += 250;
                reasons.push(Reason::Free);
            }
            let distance_m = match (origin, p.latitude, p.longitude) {
                (Some(o), Some(la), Some(lo)) => Some(distance_m(o, (la, lo)) as u32),
                _ => None,
            };
            match distance_m {
                Some(d) => {
                    score -= i64::from(d) / 10; // 100 points a kilometre
                    reasons.push(Reason::Near(d));
                }
                None => score -= 400,
            }
            let opening = next_opening(&p.horaires, now);
            score += match &opening {
                Opening::OpenNow { .. } => 200,
                Opening::Opens { from, .. } if *from - now <= chrono::Duration::hours(24) => 150,
                Opening::Opens { from, .. } if *from - now <= chrono::Duration::days(3) => 80,
                Opening::Opens { .. } => 20,
                Opening::Unknown => -100,
            };
            Some(Suggestion { place: (*p).clone(), score, distance_m, opening, reasons })
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.distance_m.cmp(&b.distance_m)).then(a.place.nom.cmp(&b.place.nom)));
    out
}
