//! The mediator's side: a scanned payload turned into the profile in the words of the mediator's
//! own tools (La Coop's CRA fields), for `passerelle decode`, the `mediateur` window and the
//! browser desk (`desk/`, the same code compiled to WebAssembly).
//!
//! Without its default feature `native` the crate is pure (no files, no SQLite, no clock): the
//! view, the pickup rule ([`pickup_rule`]) and the pickup package written into any `Sink`
//! ([`pickup_package`]). With it: the configuration file, the SQLite store, the folder export.

#[cfg(feature = "native")]
pub mod mediator_config;
#[cfg(feature = "native")]
pub mod pickup_desk;
#[cfg(feature = "native")]
pub mod pickup_export;
pub mod pickup_package;
pub mod pickup_rule;
#[cfg(feature = "native")]
pub mod pickup_store;
pub mod pickups;

use passerelle_core::answers::Answer;
use passerelle_core::definitions::Definitions;
use passerelle_core::handoff::{self, Handoff, HandoffError};
use passerelle_core::place_book::{self, PlaceBook};
use passerelle_core::profile::{self, Profile};
use passerelle_core::vocab::{label, stars};
use serde_json::json;

/// A decoded payload, with the full profile when this Passerelle has the same questionnaire and
/// rules as the kiosk (the profile is then recomputed from the answers and checked).
#[derive(Debug, Clone)]
pub struct Decoded {
    pub handoff: Handoff,
    pub profile: Profile,
    /// The recomputed profile matches the one the kiosk encoded.
    pub verified: bool,
}

pub fn decode(defs: &Definitions, input: &str) -> Result<Decoded, HandoffError> {
    let h = handoff::decode(input, &defs.questionnaire)?;
    let same_rules = h.rules_fingerprint == handoff::rules_fingerprint(&defs.rules);
    let (profile, verified) = match (&h.answers, same_rules) {
        (Some(answers), true) => {
            let p = profile::compute(&defs.rules, &defs.questionnaire, answers, &h.lang);
            let e = &h.profile;
            let same = p.autonomie == e.autonomie
                && p.thematiques == e.thematiques
                && p.services == e.services
                && p.modalites == e.modalites
                && p.flags == e.flags
                && p.prise_en_charge_specifique == e.prise_en_charge_specifique
                && p.niveau == e.niveau;
            if same { (p, true) } else { (h.profile.clone(), false) }
        }
        _ => (h.profile.clone(), false),
    };
    let profile = with_partial(profile, &h);
    Ok(Decoded { handoff: h, profile, verified })
}

/// A visit ended early ("On m'appelle") says so in its profile. The QR code carries only the
/// fact (the section where it stopped stays on the kiosk, in its exports).
fn with_partial(mut p: Profile, h: &Handoff) -> Profile {
    p.partial = h.signals.partial;
    p
}

/// The questions whose answers are the visitor's own words, in the order a mediator reads them.
pub const VISITOR_QUESTIONS: &[&str] = &["motivations", "usages_principaux", "profil_usage", "rapport_numerique", "freins", "handicap"];

/// One question as the visitor answered it.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitorAnswer {
    pub id: String,
    pub question: String,
    /// None: skipped ("pas de réponse").
    pub answers: Option<Vec<(String, String)>>,
}

/// The visitor's own words: each question of [`VISITOR_QUESTIONS`] that was asked, with every
/// choice as answered (each disability answer on its own: cognitive and psychological
/// difficulties are different answers).
pub fn visitor(defs: &Definitions, d: &Decoded, lang: &str) -> Vec<VisitorAnswer> {
    let Some(answers) = d.handoff.answers.as_ref() else { return Vec::new() };
    let q = &defs.questionnaire;
    let mut out = Vec::new();
    for id in VISITOR_QUESTIONS {
        let Some(question) = q.question(id) else { continue };
        let label = |c: &String| (c.clone(), question.choice(c).map(|x| x.label.get(lang).to_string()).unwrap_or_else(|| c.clone()));
        let a = match answers.get(*id) {
            None => continue,
            Some(Answer::Skipped) => None,
            Some(Answer::Choice(c)) => Some(vec![label(c)]),
            Some(Answer::Choices(v)) => Some(v.iter().map(label).collect()),
            Some(_) => continue,
        };
        out.push(VisitorAnswer { id: id.to_string(), question: question.label.get(lang).to_string(), answers: a });
    }
    out
}

/// A suggestion as the mediator reads it: field, value, its label and the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestionLine {
    pub field: String,
    pub value: String,
    pub label: String,
    pub why: String,
}

/// The profile's suggestions, each with the reason of the rule that made it. When this
/// Passerelle cannot recompute the profile (other rules or questionnaire), the values the kiosk
/// sent are listed with that said instead of a reason.
pub fn suggestions(defs: &Definitions, d: &Decoded, lang: &str) -> Vec<SuggestionLine> {
    let explained = match (&d.handoff.answers, d.verified) {
        (Some(a), true) => Some(profile::explain(&defs.rules, &defs.questionnaire, a, &d.handoff.lang).1),
        _ => None,
    };
    let label_of = |field: &str, value: &str| -> String {
        match field {
            "autonomie" => format!("{} {}", stars(value), label(value, lang)),
            "thematiques" => label(value, lang),
            "flags" => defs.rules.flags.get(value).map(|l| l.get(lang).to_string()).unwrap_or_else(|| value.to_string()),
            _ => value.to_string(),
        }
    };
    let lines: Vec<(String, String, String)> = match explained {
        Some(v) => v.into_iter().map(|s| (s.field, s.value, s.why.get(lang).to_string())).collect(),
        None => {
            let p = &d.profile;
            let unknown = text(lang, "mediator.reason-unavailable");
            let mut v = Vec::new();
            for (field, values) in [
                ("autonomie", p.autonomie.iter().cloned().collect::<Vec<_>>()),
                ("modalites", p.modalites.clone()),
                ("thematiques", p.thematiques.clone()),
                ("services", p.services.clone()),
                ("prise_en_charge_specifique", p.prise_en_charge_specifique.clone()),
                ("flags", p.flags.clone()),
            ] {
                v.extend(values.into_iter().map(|x| (field.to_string(), x, unknown.to_string())));
            }
            v
        }
    };
    lines.into_iter().map(|(field, value, why)| SuggestionLine { label: label_of(&field, &value), field, value, why }).collect()
}

/// The heading of a suggestion field (`autonomie`, `modalites`…) in the mediator's view.
pub fn suggestion_field_title(field: &str, lang: &str) -> String {
    let key = match field {
        "autonomie" | "modalites" | "thematiques" | "services" | "prise_en_charge_specifique" => field,
        _ => "flags",
    };
    text(lang, &format!("mediator.field.{key}"))
}

/// A mediator's text: French, or English for any other language (the staff's two languages;
/// the keys are the `mediator.*` section of `i18n/fr.po` and `i18n/en.po`).
pub fn text(lang: &str, key: &str) -> String {
    passerelle_core::i18n::tr(if lang == "fr" { "fr" } else { "en" }, key)
}

/// Facts about the visit itself (never diagnoses): read-aloud, language, an early end.
pub fn facts(d: &Decoded, lang: &str) -> Vec<String> {
    let h = &d.handoff;
    let mut v = Vec::new();
    if h.signals.partial {
        v.push(text(lang, "mediator.fact-partial"));
    }
    if h.signals.read_aloud {
        v.push(text(lang, "mediator.fact-read-aloud"));
    }
    if h.lang != "fr" {
        let name = passerelle_core::i18n::tr(&h.lang, "lang.name");
        v.push(text(lang, "mediator.fact-language").replace("{name}", &name));
    }
    v
}

/// The optional "Avez-vous une démarche urgente ?" answered yes (id and label): shown first.
pub fn urgent(defs: &Definitions, d: &Decoded, lang: &str) -> Option<(String, String)> {
    let question = defs.questionnaire.question("demarche_urgente")?;
    match d.handoff.answers.as_ref()?.get("demarche_urgente")? {
        Answer::Choice(c) if c != "non" => Some((c.clone(), question.choice(c).map(|x| x.label.get(lang).to_string()).unwrap_or_else(|| c.clone()))),
        _ => None,
    }
}

/// One field of La Coop's CRA that the visit can honestly pre-fill.
#[derive(Debug, Clone, PartialEq)]
pub struct CraField {
    /// La Coop's field name (`beneficiaire.trancheAge`, …).
    pub field: &'static str,
    /// La Coop's value (e.g. `QuaranteCinquanteNeuf`), None when the visit does not say.
    pub value: Option<String>,
    pub label: String,
}

/// A Passerelle vocabulary value (snake_case) in La Coop's enum spelling (`non_communique` →
/// `NonCommunique`).
pub fn coop_enum(v: &str) -> String {
    v.split('_').map(|w| w.chars().next().map(|c| c.to_uppercase().collect::<String>() + &w[c.len_utf8()..]).unwrap_or_default()).collect()
}

/// The beneficiary part of a CRA that the visit can pre-fill (age bracket, gender, commune where
/// known); everything else of the CRA is the session's and left to the mediator.
pub fn cra(defs: &Definitions, d: &Decoded, lang: &str) -> Vec<CraField> {
    let nc = |v: &Option<String>| v.clone().unwrap_or_else(|| "non_communique".into());
    let age = nc(&d.profile.tranche_age);
    let genre = nc(&d.profile.genre);
    let commune = match d.handoff.answers.as_ref().and_then(|a| a.get("quartier")) {
        Some(Answer::Choice(c)) => defs.config.neighbourhood_commune(c).map(str::to_string),
        _ => None,
    };
    vec![
        CraField { field: "beneficiaire.trancheAge", value: Some(coop_enum(&age)), label: label(&age, lang) },
        CraField { field: "beneficiaire.genre", value: Some(coop_enum(&genre)), label: label(&genre, lang) },
        CraField { field: "beneficiaire.communeResidence", label: commune.clone().unwrap_or_else(|| text(lang, "mediator.commune-unknown")), value: commune },
    ]
}

/// What the CRA leaves to the mediator (the session's own data).
pub const CRA_LEFT_TO_MEDIATOR: &[&str] =
    &["beneficiaire.statutSocial", "date", "duree", "typeLieu", "materiel", "thematiques", "autonomie", "orientation", "precisionsDemarche", "notes"];

/// The decoded visit as JSON (`passerelle decode --json`): the visitor's words, then the
/// suggestions with their reasons, then the details.
pub fn to_json(defs: &Definitions, d: &Decoded, lang: &str) -> serde_json::Value {
    let h = &d.handoff;
    let mut visitor_obj = serde_json::Map::new();
    for a in visitor(defs, d, lang) {
        visitor_obj.insert(
            a.id.clone(),
            json!({
                "question": a.question,
                "answered": a.answers.is_some(),
                "answers": a.answers.unwrap_or_default().into_iter().map(|(id, label)| json!({"id": id, "label": label})).collect::<Vec<_>>(),
            }),
        );
    }
    json!({
        "kiosk_id": h.kiosk_id,
        "reference": h.reference,
        "date": h.date.map(|d| d.format("%Y-%m-%d").to_string()),
        "lang": h.lang,
        "questionnaire_version": h.questionnaire_version,
        "rules_version": h.rules_version,
        "answers_decoded": h.answers.is_some(),
        "partial": h.signals.partial,
        "profile_verified": d.verified,
        "signals": {"partial": h.signals.partial, "read_aloud": h.signals.read_aloud, "lang_not_french": h.lang != "fr"},
        "facts": facts(d, lang),
        "urgent": urgent(defs, d, lang).map(|(id, label)| json!({"id": id, "label": label})),
        "visitor": visitor_obj,
        "suggestions": suggestions(defs, d, lang).into_iter().map(|s| json!({"field": s.field, "value": s.value, "label": s.label, "why": s.why})).collect::<Vec<_>>(),
        "cra": {
            "source": "La Coop de la médiation numérique (inclusion-numerique/coop-mediation-numerique), beneficiaire fields",
            "prefill": cra(defs, d, lang).into_iter().map(|c| json!({"field": c.field, "value": c.value, "label": c.label})).collect::<Vec<_>>(),
            "left_to_mediator": CRA_LEFT_TO_MEDIATOR,
        },
        "profile": d.profile,
        "answers": h.answers.as_ref().map(|a| defs.questionnaire.answers_to_json(a, false)),
    })
}

/// `passerelle decode --json` whole, as the browser desk shows it too: [`to_json`] with the
/// places this Passerelle suggests for the profile at `now` (`places`).
pub fn to_json_with_places(defs: &Definitions, d: &Decoded, lang: &str, book: &PlaceBook, now: chrono::NaiveDateTime) -> serde_json::Value {
    let places = place_book::suggest(&defs.config, book, &d.profile, now);
    let mut v = to_json(defs, d, lang);
    v["places"] = place_book::to_json(&places, now, lang);
    v
}

/// `passerelle decode` whole: [`view`] with the places suggested at `now`.
pub fn view_with_places(defs: &Definitions, d: &Decoded, lang: &str, book: &PlaceBook, now: chrono::NaiveDateTime) -> MediatorView {
    let places = place_book::lines(&place_book::suggest(&defs.config, book, &d.profile, now), now, lang);
    view(defs, d, lang, &places)
}

fn join(v: &[String], sep: &str) -> String {
    if v.is_empty() { "—".to_string() } else { v.join(sep) }
}

/// The mediator's view in sections (the window shows them one under the other; `to_text`
/// joins them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediatorView {
    pub header: String,
    /// Facts and the visitor's own words (first: what the visitor wants).
    pub visitor: String,
    /// Suggestions, each with its reason, clearly marked as suggestions.
    pub suggestions: String,
    /// Equipment, self-assessed capabilities and Pix domains, places.
    pub details: String,
    /// "Préparer le CRA": La Coop's beneficiary fields the visit can pre-fill.
    pub cra: String,
}

/// The profile in plain text, in French (`lang = "fr"`) or English, ready to copy into a CRA.
pub fn to_text(defs: &Definitions, d: &Decoded, lang: &str, places: &[passerelle_core::place_book::PlaceLine]) -> String {
    view(defs, d, lang, places).text()
}

impl MediatorView {
    /// The sections one after the other, as `passerelle decode` prints them.
    pub fn text(&self) -> String {
        [&self.header, &self.visitor, &self.suggestions, &self.details, &self.cra]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.trim_end())
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

pub fn view(defs: &Definitions, d: &Decoded, lang: &str, places: &[passerelle_core::place_book::PlaceLine]) -> MediatorView {
    let t = |key: &str| text(lang, key);
    let h = &d.handoff;
    let p = &d.profile;
    let q = &defs.questionnaire;
    let answers = h.answers.as_ref();
    let choice_label = |qid: &str| -> Option<String> {
        let question = q.question(qid)?;
        match answers?.get(qid)? {
            Answer::Choice(c) => question.choice(c).map(|c| c.label.get(lang).to_string()).or_else(|| Some(c.clone())),
            Answer::Skipped => Some(t("mediator.no-answer")),
            _ => None,
        }
    };
    let mut view = MediatorView::default();
    // Header.
    let mut out = String::new();
    let line = |out: &mut String, s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(&mut out, format!("{} {}", t("mediator.title"), passerelle_core::summary::pretty_reference(&h.reference)));
    let lang_name = passerelle_core::i18n::tr(&h.lang, "lang.name");
    line(
        &mut out,
        format!(
            "{} {} · {} {} · {} {}",
            t("mediator.kiosk"),
            h.kiosk_id,
            t("mediator.visit-of"),
            h.date.map_or_else(|| t("mediator.unknown-date"), |d| d.format("%d/%m/%Y").to_string()),
            t("mediator.answered-in"),
            lang_name
        ),
    );
    let check = if d.verified { t("mediator.verified") } else { t("mediator.as-sent") };
    line(&mut out, format!("{} {} · {} {} ({check})", t("mediator.questionnaire"), h.questionnaire_version, t("mediator.rules"), h.rules_version));
    if h.signals.partial {
        line(&mut out, t("mediator.partial"));
    }
    if answers.is_none() {
        line(&mut out, t("mediator.other-questionnaire"));
    }
    view.header = std::mem::take(&mut out);
    // The visitor's words first, an urgent procedure before anything.
    if let Some((_, l)) = urgent(defs, d, lang) {
        line(&mut out, format!("⚠ {} : {l}", t("mediator.urgent")));
    }
    let facts = facts(d, lang);
    if !facts.is_empty() {
        line(&mut out, t("mediator.facts"));
        for f in facts {
            line(&mut out, format!("  • {f}"));
        }
    }
    let words = visitor(defs, d, lang);
    if !words.is_empty() {
        line(&mut out, t("mediator.words"));
        for w in words {
            let a = match &w.answers {
                None => t("mediator.no-answer"),
                Some(v) => join(&v.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>(), " ; "),
            };
            line(&mut out, format!("  • {} {a}", w.question));
        }
    }
    view.visitor = std::mem::take(&mut out);
    // Suggestions, each with its reason.
    line(&mut out, t("mediator.suggestions"));
    if p.autonomie.is_none() {
        line(&mut out, format!("  {} : {}", t("mediator.field.autonomie"), t("mediator.autonomy-not-assessed")));
    }
    let mut last_field = String::new();
    for s in suggestions(defs, d, lang) {
        if s.field != last_field {
            line(&mut out, format!("  {} :", suggestion_field_title(&s.field, lang)));
            last_field = s.field.clone();
        }
        // The value itself too when it is a code (to copy into the CRA), e.g. "(parentalite)".
        let code = if s.value != s.label && s.value.chars().all(|c| c.is_ascii_lowercase() || c == '_') { format!(" ({})", s.value) } else { String::new() };
        line(&mut out, format!("    – {}{code} — {} {}", s.label, t("mediator.why"), s.why));
    }
    if let Some(n) = &p.niveau {
        line(&mut out, format!("  {} : {}", t("mediator.workshop-level"), label(n, lang)));
    }
    view.suggestions = std::mem::take(&mut out);
    // Details.
    let mut equip =
        vec![format!("{} : {}", t("mediator.device"), p.materiel.as_deref().map(|m| format!("{} ({m})", label(m, lang))).unwrap_or_else(|| "—".into()))];
    for (qid, name) in [
        ("acces_internet", t("mediator.internet")),
        ("mode_acces", t("mediator.access")),
        ("adresse_mail", t("mediator.email")),
        ("systeme", t("mediator.system")),
        ("frequence", t("mediator.use")),
    ] {
        if let Some(l) = choice_label(qid) {
            equip.push(format!("{name} : {l}"));
        }
    }
    line(&mut out, format!("{} : {}", t("mediator.equipment"), equip.join(" · ")));
    if let (Some(a), Some(grid)) = (answers, q.question(&defs.rules.capability_question)) {
        let g = match a.get(&grid.id) {
            Some(Answer::Grid(g)) => g.clone(),
            _ => Default::default(),
        };
        line(&mut out, format!("{} ({} / {} {}) :", t("mediator.capabilities"), p.capacites_acquises, p.capacites_repondues, t("mediator.known-answered")));
        for r in &grid.rows {
            let mark = match g.get(&r.id).map(String::as_str) {
                Some(c) if c == defs.rules.known => "✔".to_string(),
                Some(c) if c == defs.rules.unknown => "✘".to_string(),
                // "Je ne sais pas ce que c'est": not known either, and said so.
                Some(c) if defs.rules.is_unknown(c) => {
                    format!("✘ ({})", grid.choice(c).map(|x| x.label.get(lang).to_string()).unwrap_or_else(|| c.to_string()))
                }
                Some(c) => format!("– ({})", grid.choice(c).map(|x| x.label.get(lang).to_string()).unwrap_or_else(|| c.to_string())),
                None => "·".to_string(),
            };
            line(&mut out, format!("  {mark} {}", r.label.get(lang)));
        }
    }
    let doms: Vec<String> = p
        .domaines
        .iter()
        .map(|dl| {
            let name = defs.rules.domains.iter().find(|x| x.pix == dl.pix).map(|x| x.label.get(lang).to_string()).unwrap_or_else(|| format!("Pix {}", dl.pix));
            let lvl = dl.niveau.as_deref().map(|n| label(n, lang)).unwrap_or_else(|| t("mediator.not-assessed"));
            format!("{} {name} : {lvl} ({}/{})", dl.pix, dl.known, dl.assessed)
        })
        .collect();
    line(&mut out, format!("{} : {}", t("mediator.pix-domains"), join(&doms, " ; ")));
    if let Some(a) = answers
        && a.get("consentement_contact").is_some_and(|c| matches!(c, Answer::Contact(_)))
    {
        line(&mut out, t("mediator.contact"));
    }
    if !places.is_empty() {
        line(&mut out, format!("{} :", t("mediator.places")));
        line(&mut out, passerelle_core::place_book::to_text(places, lang));
    }
    view.details = std::mem::take(&mut out);
    // Préparer le CRA.
    line(&mut out, t("mediator.cra"));
    for c in cra(defs, d, lang) {
        line(&mut out, format!("  {} = {} ({})", c.field, c.value.as_deref().unwrap_or("—"), c.label));
    }
    line(&mut out, format!("  {} : {}", t("mediator.cra-left"), CRA_LEFT_TO_MEDIATOR.join(", ")));
    view.cra = out;
    view
}

/// The decoder's errors in the mediator's words.
pub fn error_in_french(e: &HandoffError) -> String {
    match e {
        HandoffError::NotPasserelle => "Ce code n'est pas un code Passerelle. Scannez le code QR affiché par la borne ou imprimé sur le ticket.".into(),
        HandoffError::FutureVersion(v) => {
            format!("Ce code vient d'une version plus récente de Passerelle (format {v}). Mettez Passerelle à jour pour le lire.")
        }
        HandoffError::BadEncoding | HandoffError::Checksum => "Ce code est abîmé ou mal lu. Scannez-le à nouveau.".into(),
        HandoffError::Truncated => "Ce code est incomplet. Scannez-le à nouveau.".into(),
        HandoffError::Invalid(_) => {
            "Ce code contient une valeur inconnue. Scannez-le à nouveau ; si cela recommence, le code vient d'une borne configurée autrement.".into()
        }
        HandoffError::Encode(m) => m.clone(),
    }
}

/// What the mediator's window shows: its status line, the profile as text to copy, and the
/// header then each section under its own heading (the section's first line, shown once).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub status: String,
    pub text: String,
    pub titles: Vec<String>,
    pub sections: Vec<String>,
}

impl Reading {
    /// The window before a scan (and after "Effacer").
    pub fn waiting() -> Reading {
        Reading::of(String::new(), &MediatorView::default(), "Scannez le code QR du visiteur (ou collez-le), puis Entrée.".into())
    }

    fn of(text: String, v: &MediatorView, status: String) -> Reading {
        let (mut titles, mut sections) = (vec![String::new()], vec![v.header.trim_end().to_string()]);
        for section in [&v.visitor, &v.suggestions, &v.details, &v.cra] {
            let section = section.trim_end();
            let (title, body) = section.split_once('\n').unwrap_or((section, ""));
            titles.push(title.trim().trim_end_matches(':').trim_end().to_string());
            sections.push(body.to_string());
        }
        Reading { status, text, titles, sections }
    }
}

/// A scanned or pasted code read for the window, in French, with the places suggested at `now`.
pub fn read(defs: &Definitions, book: &passerelle_core::place_book::PlaceBook, code: &str, now: chrono::NaiveDateTime) -> Result<Reading, HandoffError> {
    let d = decode(defs, code)?;
    let places = passerelle_core::place_book::lines(&passerelle_core::place_book::suggest(&defs.config, book, &d.profile, now), now, "fr");
    let status = format!("Profil lu : référence {}.", passerelle_core::summary::pretty_reference(&d.handoff.reference));
    Ok(Reading::of(to_text(defs, &d, "fr", &places), &view(defs, &d, "fr", &places), status))
}

/// A code not yet whole (a paste or a scan under way): the window waits without an error.
pub fn incomplete(e: &HandoffError) -> bool {
    matches!(e, HandoffError::NotPasserelle | HandoffError::Truncated | HandoffError::Checksum | HandoffError::BadEncoding)
}
