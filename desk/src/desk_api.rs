//! The functions the page calls, in plain Rust: JSON in, JSON out, so that the raw ABI
//! (`desk_abi.rs`) stays a thin layer and these are tested natively like any Rust code.
//!
//! Reading a code is `passerelle_mediator`'s, exactly as `passerelle decode` does it
//! ([`passerelle_mediator::to_json_with_places`], [`passerelle_mediator::view_with_places`]); La
//! Coop's link is `passerelle_lacoop`'s. Nothing here re-implements them.

use crate::desk_bundle::{Bundle, StructureInfo};
use chrono::{NaiveDate, NaiveDateTime};
use passerelle_core::definitions::Definitions;
use passerelle_core::place_book::PlaceBook;
use passerelle_lacoop::{Prefill, Stated, Ticked};
use passerelle_mediator::{Decoded, error_in_french};
use serde_json::{Value, json};

/// La Coop's individual activity report form (production), the default of the page's link.
pub const COOP_DEFAULT: &str = passerelle_lacoop::DEFAULT_BASE_URL;

/// The page's language for the mediator (the visitor's words stay in the visitor's language
/// labels as the command line shows them with `--lang fr`).
pub const LANG: &str = "fr";

/// The module's state once the page gave it its bundle.
pub struct Desk {
    pub defs: Definitions,
    pub book: PlaceBook,
    pub structure: StructureInfo,
    pub coop_base_url: String,
    pub made_on: String,
    pub passerelle_version: String,
}

/// A field of the profile as the page lists it: Passerelle's id(s) and their labels.
fn profile_rows(defs: &Definitions, d: &Decoded) -> Vec<Value> {
    use passerelle_core::vocab::label;
    let p = &d.profile;
    let one =
        |field: &str, v: &Option<String>| json!({"field": field, "value": v, "label": v.as_deref().map(|x| label(x, LANG)).unwrap_or_else(|| "—".into())});
    let many = |field: &str, v: &[String], name: &dyn Fn(&str) -> String| json!({"field": field, "value": v, "label": if v.is_empty() { "—".to_string() } else { v.iter().map(|x| name(x)).collect::<Vec<_>>().join(" ; ") }});
    let plain = |x: &str| label(x, LANG);
    let flag = |x: &str| defs.rules.flags.get(x).map(|l| l.get(LANG).to_string()).unwrap_or_else(|| x.to_string());
    vec![
        one("autonomie", &p.autonomie),
        one("niveau", &p.niveau),
        many("thematiques", &p.thematiques, &plain),
        many("modalites", &p.modalites, &plain),
        one("type_accompagnement", &p.type_accompagnement),
        many("services", &p.services, &|x| x.to_string()),
        many("prise_en_charge_specifique", &p.prise_en_charge_specifique, &|x| x.to_string()),
        many("flags", &p.flags, &flag),
        one("tranche_age", &p.tranche_age),
        one("genre", &p.genre),
        one("materiel", &p.materiel),
        json!({"field": "capacites", "value": [p.capacites_acquises, p.capacites_repondues], "label": format!("{} acquises sur {} répondues", p.capacites_acquises, p.capacites_repondues)}),
    ]
}

/// La Coop: what the visitor stated (pre-filled), the suggestions the mediator may tick, and the
/// predictions left out, with why.
fn coop(d: &Decoded) -> Result<(Stated, Value), String> {
    let p = &d.profile;
    let stated = Stated::from_passerelle(p.tranche_age.as_deref(), p.genre.as_deref(), None).map_err(|e| e.to_string())?;
    let s = passerelle_lacoop::suggestions(&p.thematiques, p.autonomie.as_deref(), p.materiel.as_deref());
    let mut stated_rows = Vec::new();
    if let Some(t) = stated.tranche_age {
        stated_rows.push(json!({"field": "beneficiaire.trancheAge", "value": t.as_str(), "label": t.label()}));
    }
    if let Some(g) = stated.genre {
        stated_rows.push(json!({"field": "beneficiaire.genre", "value": g.as_str(), "label": g.label()}));
    }
    let choices: Vec<Value> =
        s.choices.iter().map(|c| json!({"key": c.key(), "field": c.field(), "field_label": c.field_label(), "value": c.value(), "label": c.label()})).collect();
    let not_offered: Vec<Value> = s.not_offered.iter().map(|n| json!({"field": n.field, "passerelle": n.passerelle, "why": n.why})).collect();
    Ok((stated, json!({"stated": stated_rows, "choices": choices, "not_offered": not_offered})))
}

impl Desk {
    pub fn new(bundle: &Bundle) -> Result<Desk, String> {
        passerelle_lacoop::coop_url(&bundle.coop_base_url, &Prefill::default())
            .map_err(|e| format!("Adresse de La Coop refusée (« {} ») : {e}", bundle.coop_base_url))?;
        Ok(Desk {
            defs: bundle.definitions()?,
            book: bundle.place_book(),
            structure: bundle.structure.clone(),
            coop_base_url: bundle.coop_base_url.clone(),
            made_on: bundle.made_on.clone(),
            passerelle_version: bundle.passerelle_version.clone(),
        })
    }

    /// What the page shows before any scan.
    pub fn info(&self) -> Value {
        json!({
            "ok": true,
            "structure": {"id": self.structure.id, "name": self.structure.name, "departement": self.structure.departement},
            "outcomes": passerelle_mediator::pickups::OUTCOMES.iter().map(|(id, fr, _)| json!({"id": id, "label": fr})).collect::<Vec<_>>(),
            "places": {"count": self.book.places.len(), "source": self.book.source},
            "questionnaire_version": self.defs.questionnaire.version.to_string(),
            "rules_version": self.defs.rules.version.to_string(),
            "made_on": self.made_on,
            "passerelle_version": self.passerelle_version,
            "coop_base_url": self.coop_base_url,
        })
    }

    /// A scanned, pasted or typed code read as `passerelle decode` reads it, at `now` (the
    /// browser's local time, for the places' next opening): the same JSON (`decoded`), the same
    /// text in sections (`view`, `text`), the profile's labels and La Coop's part. A bad code:
    /// the command line's French message, `ok: false`.
    pub fn decode(&self, input: &str, now: NaiveDateTime) -> Value {
        let d = match passerelle_mediator::decode(&self.defs, input) {
            Ok(d) => d,
            Err(e) => {
                // The reference printed under the code, typed: not enough for a profile, but the
                // page can find its pickup.
                let r: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_uppercase();
                if r.len() == 8 && passerelle_core::handoff::reference_to_bits(&r).is_some() {
                    return json!({
                        "ok": false,
                        "reference": r,
                        "reference_shown": passerelle_core::summary::pretty_reference(&r),
                        "message": "Une référence seule ne suffit pas pour lire le profil : scannez le code QR ou collez le code (PA1:…).",
                    });
                }
                return json!({"ok": false, "message": error_in_french(&e)});
            }
        };
        let decoded = passerelle_mediator::to_json_with_places(&self.defs, &d, LANG, &self.book, now);
        let view = passerelle_mediator::view_with_places(&self.defs, &d, LANG, &self.book, now);
        let coop = match coop(&d) {
            Ok((_, c)) => c,
            Err(e) => json!({"error": e, "stated": [], "choices": [], "not_offered": []}),
        };
        let h = &d.handoff;
        let titles: serde_json::Map<String, Value> = ["autonomie", "modalites", "thematiques", "services", "prise_en_charge_specifique", "flags"]
            .iter()
            .map(|f| (f.to_string(), json!(passerelle_mediator::suggestion_field_title(f, LANG))))
            .collect();
        let places = passerelle_core::place_book::suggest(&self.defs.config, &self.book, &d.profile, now);
        json!({
            "ok": true,
            "payload": passerelle_core::handoff::repair(input.trim()).unwrap_or_else(|_| input.trim().to_string()),
            "reference_shown": passerelle_core::summary::pretty_reference(&h.reference),
            "lang_name": passerelle_core::i18n::tr(&h.lang, "lang.name"),
            "date_shown": h.date.map(|d| d.format("%d/%m/%Y").to_string()),
            "decoded": decoded,
            "view": {"header": view.header, "visitor": view.visitor, "suggestions": view.suggestions, "details": view.details, "cra": view.cra},
            "text": view.text(),
            // The details without the places, which the page lists on their own.
            "details_shown": passerelle_mediator::view(&self.defs, &d, LANG, &[]).details,
            "profile_rows": profile_rows(&self.defs, &d),
            "suggestion_titles": titles,
            "places_shown": passerelle_core::place_book::lines(&places, now, LANG),
            "places_ids": places.iter().map(|p| p.place.id.clone()).collect::<Vec<_>>(),
            "coop": coop,
        })
    }

    /// La Coop's link for the code on screen with the suggestions the mediator ticked (their
    /// keys, `thematiques:SecuriteNumerique`…): only what the visitor stated and what was ticked.
    pub fn coop_url(&self, input: &str, ticked: &[String]) -> Value {
        let d = match passerelle_mediator::decode(&self.defs, input) {
            Ok(d) => d,
            Err(e) => return json!({"ok": false, "message": error_in_french(&e)}),
        };
        let result = coop(&d).and_then(|(stated, _)| {
            let ticked = Ticked::from_keys(ticked).map_err(|e| e.to_string())?;
            Prefill { stated, ticked }.url(&self.coop_base_url).map_err(|e| e.to_string())
        });
        match result {
            Ok(url) => json!({"ok": true, "url": url}),
            Err(e) => json!({"ok": false, "message": format!("Lien vers La Coop impossible : {e}")}),
        }
    }
}

/// `YYYY-MM-DDTHH:MM[:SS]` (the page's local time).
pub fn parse_now(s: &str) -> Result<NaiveDateTime, String> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .map_err(|_| format!("heure illisible : « {s} »"))
}

/// `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("date illisible : « {s} »"))
}
