//! The pre-fill of La Coop's individual CRA form and its URL.
//!
//! The form's values (`CraIndividuelValidation.ts` at [`crate::LACOOP_COMMIT`]) that Passerelle
//! can honestly fill: the anonymous beneficiary's `trancheAge`, `genre` and `communeResidence`
//! (as the visitor stated them), and `thematiques`, `autonomie`, `materiel` (only those the
//! mediator ticked). La Coop's page sets `mediateurId`, `date`, `structure`, `duree` and `tags`
//! itself; the rest (place type, orientation, notes…) is the mediator's.

use serde_json::{Map, Value, json};

use crate::coop_enums::{Autonomie, Genre, Materiel, Thematique, TrancheAge};
use crate::cra_choices::Choice;
use crate::{PrefillError, state_codec, vocab_map};

/// Every field the link can carry (dotted paths in La Coop's form values); nothing else can be
/// written by [`Prefill::to_json`].
pub const SENT_FIELDS: &[&str] = &["beneficiaire.trancheAge", "beneficiaire.genre", "beneficiaire.communeResidence", "thematiques", "autonomie", "materiel"];

/// The keys of `beneficiaire.communeResidence`: La Coop's BAN address object
/// (`apps/web/src/external-apis/ban/AdresseBanValidation.ts`; `label` is the only optional one).
pub const COMMUNE_RESIDENCE_KEYS: &[&str] = &["id", "label", "commune", "codePostal", "codeInsee", "nom", "contexte", "latitude", "longitude"];

/// A commune of residence La Coop can take: its name, postal code and INSEE code (what La Coop
/// stores for a beneficiary's commune). A name alone is not enough for La Coop's object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commune {
    commune: String,
    code_postal: String,
    code_insee: String,
}

impl Commune {
    /// A checked commune: a non-empty name, a 5-digit postal code, a 5-character INSEE code
    /// (digits, or 2A/2B then 3 digits for Corsica). Spaces inside codes are removed, as La Coop
    /// does (`commune-residence.ts`).
    pub fn new(commune: &str, code_postal: &str, code_insee: &str) -> Result<Self, PrefillError> {
        let name = commune.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(PrefillError::EmptyCommune);
        }
        let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let cp = squeeze(code_postal);
        if cp.len() != 5 || !cp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PrefillError::BadCodePostal(code_postal.trim().to_string()));
        }
        let insee = squeeze(code_insee).to_ascii_uppercase();
        let b = insee.as_bytes();
        let department_ok = b.len() == 5 && (b[..2].iter().all(u8::is_ascii_digit) || b[..2] == *b"2A" || b[..2] == *b"2B");
        if !department_ok || !b[2..].iter().all(u8::is_ascii_digit) {
            return Err(PrefillError::BadCodeInsee(code_insee.trim().to_string()));
        }
        Ok(Commune { commune: name, code_postal: cp, code_insee: insee })
    }

    pub fn commune(&self) -> &str {
        &self.commune
    }

    pub fn code_postal(&self) -> &str {
        &self.code_postal
    }

    pub fn code_insee(&self) -> &str {
        &self.code_insee
    }

    /// La Coop's BAN object for this commune, built as La Coop builds it for a commune known by
    /// name and codes (`banDefaultValueToAdresseBanData.ts`, used when it pre-fills a CRA from a
    /// stored beneficiary): `id` is the INSEE code, no coordinates (0), empty `nom`/`contexte`.
    /// La Coop's server keeps only `commune`, `codePostal` and `codeInsee`.
    pub fn to_coop(&self) -> Value {
        json!({
            "id": self.code_insee,
            "label": format!("{} · {}", self.commune, self.code_postal),
            "commune": self.commune,
            "codePostal": self.code_postal,
            "codeInsee": self.code_insee,
            "nom": "",
            "contexte": "",
            "latitude": 0,
            "longitude": 0,
        })
    }
}

/// What the visitor stated at the kiosk. None: not stated, left to the mediator (a skipped
/// question is not "Non communiqué"; "Autre, ou je préfère ne pas dire" is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stated {
    pub tranche_age: Option<TrancheAge>,
    pub genre: Option<Genre>,
    /// Only when Passerelle knows the commune's postal and INSEE codes.
    pub commune: Option<Commune>,
}

impl Stated {
    /// From the profile's ids (`Profile::tranche_age`, `Profile::genre`). An id outside
    /// Passerelle's vocabulary is an error, not a silent gap.
    pub fn from_passerelle(tranche_age: Option<&str>, genre: Option<&str>, commune: Option<Commune>) -> Result<Self, PrefillError> {
        let unknown = |field: &'static str, value: &str| PrefillError::UnknownValue { field, value: value.to_string() };
        Ok(Stated {
            tranche_age: tranche_age.map(|t| vocab_map::tranche_age(t).ok_or_else(|| unknown("tranche_age", t))).transpose()?,
            genre: genre.map(|g| vocab_map::genre(g).ok_or_else(|| unknown("genre", g))).transpose()?,
            commune,
        })
    }
}

/// The suggestions the mediator ticked after the session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ticked {
    thematiques: Vec<Thematique>,
    autonomie: Option<Autonomie>,
    materiel: Vec<Materiel>,
}

impl Ticked {
    /// The ticked choices (a choice ticked twice counts once).
    pub fn from_choices<I: IntoIterator<Item = Choice>>(choices: I) -> Result<Self, PrefillError> {
        let mut t = Ticked::default();
        for c in choices {
            t.tick(c)?;
        }
        Ok(t)
    }

    /// The ticked choices by their [`Choice::key`] (a page's checkboxes).
    pub fn from_keys<S: AsRef<str>>(keys: &[S]) -> Result<Self, PrefillError> {
        let choices = keys
            .iter()
            .map(|k| Choice::from_key(k.as_ref()).ok_or_else(|| PrefillError::UnknownValue { field: "choix", value: k.as_ref().to_string() }))
            .collect::<Result<Vec<_>, _>>()?;
        Ticked::from_choices(choices)
    }

    /// Ticks one more choice. La Coop has one autonomy level: a second, different one is refused.
    pub fn tick(&mut self, choice: Choice) -> Result<(), PrefillError> {
        match choice {
            Choice::Thematique(t) if !self.thematiques.contains(&t) => self.thematiques.push(t),
            Choice::Autonomie(a) if self.autonomie.is_some_and(|x| x != a) => return Err(PrefillError::TwoAutonomies),
            Choice::Autonomie(a) => self.autonomie = Some(a),
            Choice::Materiel(m) if !self.materiel.contains(&m) => self.materiel.push(m),
            _ => {}
        }
        Ok(())
    }

    /// The themes as sent: the ticked ones, with `AideAuxDemarchesAdministratives` added before
    /// the first administrative procedure theme when it was not ticked (La Coop's
    /// `canHaveAdministrationThematiques` refuses them without it).
    pub fn thematiques(&self) -> Vec<Thematique> {
        let mut out = self.thematiques.clone();
        if !out.contains(&Thematique::AideAuxDemarchesAdministratives)
            && let Some(i) = out.iter().position(|t| t.is_administrative())
        {
            out.insert(i, Thematique::AideAuxDemarchesAdministratives);
        }
        out
    }

    pub fn autonomie(&self) -> Option<Autonomie> {
        self.autonomie
    }

    pub fn materiel(&self) -> &[Materiel] {
        &self.materiel
    }
}

/// Everything the link to La Coop carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefill {
    pub stated: Stated,
    pub ticked: Ticked,
}

impl Prefill {
    /// The form's default values, as La Coop's page reads them from `v` (superjson's `json`
    /// part). Fields with nothing to say are left out, so La Coop shows them empty.
    pub fn to_json(&self) -> Value {
        let mut beneficiaire = Map::new();
        if let Some(t) = self.stated.tranche_age {
            beneficiaire.insert("trancheAge".into(), t.as_str().into());
        }
        if let Some(g) = self.stated.genre {
            beneficiaire.insert("genre".into(), g.as_str().into());
        }
        if let Some(c) = &self.stated.commune {
            beneficiaire.insert("communeResidence".into(), c.to_coop());
        }
        let mut root = Map::new();
        if !beneficiaire.is_empty() {
            root.insert("beneficiaire".into(), Value::Object(beneficiaire));
        }
        let thematiques = self.ticked.thematiques();
        if !thematiques.is_empty() {
            root.insert("thematiques".into(), thematiques.iter().map(|t| t.as_str()).collect());
        }
        if let Some(a) = self.ticked.autonomie {
            root.insert("autonomie".into(), a.as_str().into());
        }
        if !self.ticked.materiel.is_empty() {
            root.insert("materiel".into(), self.ticked.materiel.iter().map(|m| m.as_str()).collect());
        }
        Value::Object(root)
    }

    /// The link: see [`coop_url`].
    pub fn url(&self, base_url: &str) -> Result<String, PrefillError> {
        coop_url(base_url, self)
    }
}

/// La Coop's individual CRA form at `base_url` (e.g. [`crate::DEFAULT_BASE_URL`]) pre-filled with
/// `prefill` in its `v` parameter. With nothing to pre-fill, the plain form's address.
/// The base URL must be `https://…` (or `http://localhost…`, `http://127.0.0.1…` for a local
/// La Coop) with no fragment and no `v` parameter of its own; other parameters are kept.
pub fn coop_url(base_url: &str, prefill: &Prefill) -> Result<String, PrefillError> {
    let base = base_url.trim();
    let bad = || PrefillError::BadBaseUrl(base.to_string());
    let rest = base
        .strip_prefix("https://")
        .or_else(|| {
            ["http://localhost", "http://127.0.0.1"].iter().find_map(|p| base.strip_prefix(p).filter(|r| r.is_empty() || r.starts_with([':', '/', '?'])))
        })
        .ok_or_else(bad)?;
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    if (base.starts_with("https://") && host.is_empty()) || base.chars().any(|c| c.is_whitespace() || c.is_control() || "#\"<>`\\".contains(c)) {
        return Err(bad());
    }
    let query = base.split_once('?').map(|(_, q)| q);
    if query.is_some_and(|q| q.split('&').any(|kv| kv == "v" || kv.starts_with("v="))) {
        return Err(PrefillError::BaseUrlHasV);
    }
    let state = prefill.to_json();
    if state.as_object().is_some_and(Map::is_empty) {
        return Ok(base.to_string());
    }
    let sep = match query {
        None => "?",
        Some(q) if q.is_empty() || q.ends_with('&') => "",
        Some(_) => "&",
    };
    Ok(format!("{base}{sep}v={}", state_codec::encode_serializable_state(&state)))
}

#[cfg(test)]
#[path = "cra_prefill_tests.rs"]
mod tests;
