//! The mediator's side: a scanned payload turned into the profile in the words of the mediator's
//! own tools (La Coop's CRA fields), for `passerelle decode` and the `mediateur` window.

pub mod mediator_config;
pub mod pickup_export;
pub mod pickup_store;
pub mod pickups;

use crate::kiosk::Kiosk;
use passerelle_core::answers::Answer;
use passerelle_core::handoff::{self, Handoff, HandoffError};
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

pub fn decode(kiosk: &Kiosk, input: &str) -> Result<Decoded, HandoffError> {
    let h = handoff::decode(input, &kiosk.questionnaire)?;
    let same_rules = h.rules_fingerprint == handoff::rules_fingerprint(&kiosk.rules);
    let (profile, verified) = match (&h.answers, same_rules) {
        (Some(answers), true) => {
            let p = profile::compute(&kiosk.rules, &kiosk.questionnaire, answers, &h.lang);
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
    Ok(Decoded { handoff: h, profile, verified })
}

/// The decoded visit as JSON (`passerelle decode --json`).
pub fn to_json(kiosk: &Kiosk, d: &Decoded) -> serde_json::Value {
    let h = &d.handoff;
    json!({
        "kiosk_id": h.kiosk_id,
        "reference": h.reference,
        "date": h.date.map(|d| d.format("%Y-%m-%d").to_string()),
        "lang": h.lang,
        "questionnaire_version": h.questionnaire_version,
        "rules_version": h.rules_version,
        "answers_decoded": h.answers.is_some(),
        "profile_verified": d.verified,
        "profile": d.profile,
        "answers": h.answers.as_ref().map(|a| kiosk.questionnaire.answers_to_json(a, false)),
    })
}

fn join(v: &[String], sep: &str) -> String {
    if v.is_empty() { "—".to_string() } else { v.join(sep) }
}

/// The profile in plain text, in French (`lang = "fr"`) or English, ready to copy into a CRA.
pub fn to_text(kiosk: &Kiosk, d: &Decoded, lang: &str, places: &[crate::kiosk::place_book::PlaceLine]) -> String {
    let fr = lang == "fr";
    let t = |f: &str, e: &str| if fr { f.to_string() } else { e.to_string() };
    let h = &d.handoff;
    let p = &d.profile;
    let q = &kiosk.questionnaire;
    let answers = h.answers.as_ref();
    let choice_label = |qid: &str| -> Option<String> {
        let question = q.question(qid)?;
        match answers?.get(qid)? {
            Answer::Choice(c) => question.choice(c).map(|c| c.label.get(lang).to_string()).or_else(|| Some(c.clone())),
            Answer::Skipped => Some(t("pas de réponse", "no answer")),
            _ => None,
        }
    };
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("{} {}", t("Profil Passerelle — référence", "Passerelle profile — reference"), crate::kiosk::summary::pretty_reference(&h.reference)));
    let lang_name = crate::shared::i18n::tr(&h.lang, "lang.name");
    line(format!(
        "{} {} · {} {} · {} {}",
        t("Borne", "Kiosk"),
        h.kiosk_id,
        t("visite du", "visit of"),
        h.date.map_or_else(|| t("date inconnue", "unknown date"), |d| d.format("%d/%m/%Y").to_string()),
        t("répondu en", "answered in"),
        lang_name
    ));
    let check = if d.verified { t("profil vérifié", "profile verified") } else { t("profil tel que transmis", "profile as sent") };
    line(format!("{} {} · {} {} ({check})", t("Questionnaire", "Questionnaire"), h.questionnaire_version, t("règles", "rules"), h.rules_version));
    if answers.is_none() {
        line(t(
            "⚠ Ce code vient d'un autre questionnaire : les réponses détaillées ne sont pas affichées.",
            "⚠ This code comes from another questionnaire: detailed answers are not shown.",
        ));
    }
    line(String::new());
    let autonomy = match &p.autonomie {
        Some(a) => format!("{} {} ({a})", stars(a), label(a, lang)),
        None => t("non évaluée (trop peu de réponses) : faire un diagnostic", "not assessed (too few answers): run a diagnostic"),
    };
    line(format!("{} : {autonomy}", t("AUTONOMIE", "AUTONOMY")));
    let mut mode = join(&p.modalites, &t(" puis ", " then "));
    if let Some(ty) = &p.type_accompagnement {
        mode += &format!(" — Coop : {ty}");
    }
    if let Some(n) = &p.niveau {
        mode += &format!(", {} {}", t("niveau", "level"), label(n, lang));
    }
    line(format!("{} : {mode}", t("ACCOMPAGNEMENT CONSEILLÉ", "SUGGESTED SUPPORT")));
    let them: Vec<String> = p.thematiques.iter().map(|x| format!("{} ({x})", label(x, lang))).collect();
    line(format!("{} : {}", t("THÉMATIQUES (Coop)", "TOPICS (Coop)"), join(&them, " ; ")));
    line(format!("{} : {}", t("SERVICES (lieux)", "SERVICES (places)"), join(&p.services, " ; ")));
    let flags: Vec<String> = p.flags.iter().map(|f| kiosk.rules.flags.get(f).map(|l| l.get(lang).to_string()).unwrap_or_else(|| f.clone())).collect();
    line(format!("{} : {}", t("POINTS D'ATTENTION", "WATCH POINTS"), join(&flags, " ; ")));
    if let Some(a) = answers {
        let freins: Vec<String> = match a.get("freins") {
            Some(Answer::Choices(v)) => v.iter().filter_map(|c| q.question("freins")?.choice(c).map(|c| c.label.get(lang).to_string())).collect(),
            _ => Vec::new(),
        };
        line(format!("{} : {}", t("FREINS", "BARRIERS"), join(&freins, " ; ")));
    }
    line(format!("{} : {}", t("PRISE EN CHARGE SPÉCIFIQUE", "SPECIFIC SUPPORT"), join(&p.prise_en_charge_specifique, " ; ")));
    let mut equip =
        vec![format!("{} : {}", t("matériel", "device"), p.materiel.as_deref().map(|m| format!("{} ({m})", label(m, lang))).unwrap_or_else(|| "—".into()))];
    for (qid, name) in [
        ("acces_internet", t("Internet", "Internet")),
        ("mode_acces", t("accès", "access")),
        ("adresse_mail", t("e-mail", "e-mail")),
        ("systeme", t("système", "system")),
        ("frequence", t("usage", "use")),
    ] {
        if let Some(l) = choice_label(qid) {
            equip.push(format!("{name} : {l}"));
        }
    }
    line(format!("{} : {}", t("ÉQUIPEMENT", "EQUIPMENT"), equip.join(" · ")));
    let mut public = Vec::new();
    if let Some(a) = &p.tranche_age {
        public.push(label(a, lang));
    }
    if let Some(g) = &p.genre {
        public.push(label(g, lang));
    }
    if let Some(l) = choice_label("quartier") {
        public.push(format!("{} : {l}", t("quartier", "area")));
    }
    line(format!("{} : {}", t("PUBLIC", "PERSON"), join(&public, " · ")));
    if let (Some(a), Some(grid)) = (answers, q.question(&kiosk.rules.capability_question)) {
        let g = match a.get(&grid.id) {
            Some(Answer::Grid(g)) => g.clone(),
            _ => Default::default(),
        };
        line(format!(
            "{} ({} / {} {}) :",
            t("CAPACITÉS", "CAPABILITIES"),
            p.capacites_acquises,
            p.capacites_repondues,
            t("acquises / répondues", "known / answered")
        ));
        for r in &grid.rows {
            let mark = match g.get(&r.id).map(String::as_str) {
                Some(c) if c == kiosk.rules.known => "✔",
                Some(_) => "✘",
                None => "·",
            };
            line(format!("  {mark} {}", r.label.get(lang)));
        }
    }
    let doms: Vec<String> = p
        .domaines
        .iter()
        .map(|dl| {
            let name = kiosk.rules.domains.iter().find(|x| x.pix == dl.pix).map(|x| x.label.get(lang).to_string()).unwrap_or_default();
            let lvl = dl.niveau.as_deref().map(|n| label(n, lang)).unwrap_or_else(|| t("non évalué", "not assessed"));
            format!("{} {name} : {lvl} ({}/{})", dl.pix, dl.known, dl.assessed)
        })
        .collect();
    line(format!("{} : {}", t("DOMAINES PIX", "PIX DOMAINS"), join(&doms, " ; ")));
    if let Some(a) = answers
        && a.get("consentement_contact").is_some_and(|c| matches!(c, Answer::Contact(_)))
    {
        line(t(
            "COORDONNÉES : le visiteur accepte d'être recontacté (coordonnées chiffrées sur la borne, pour l'administrateur).",
            "CONTACT: the visitor agreed to be contacted (details encrypted on the kiosk, for the admin).",
        ));
    }
    if !places.is_empty() {
        line(format!("{} :", t("LIEUX SUGGÉRÉS", "SUGGESTED PLACES")));
        line(crate::kiosk::place_book::to_text(places, lang));
    }
    out.trim_end().to_string()
}
