//! The mediator's side: a scanned payload turned into the profile in the words of the mediator's
//! own tools (La Coop's CRA fields), for `passerelle decode` and the `mediateur` window.

pub mod mediator_config;
pub mod pickup_desk;
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
pub fn visitor(kiosk: &Kiosk, d: &Decoded, lang: &str) -> Vec<VisitorAnswer> {
    let Some(answers) = d.handoff.answers.as_ref() else { return Vec::new() };
    let q = &kiosk.questionnaire;
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
pub fn suggestions(kiosk: &Kiosk, d: &Decoded, lang: &str) -> Vec<SuggestionLine> {
    let fr = lang == "fr";
    let explained = match (&d.handoff.answers, d.verified) {
        (Some(a), true) => Some(profile::explain(&kiosk.rules, &kiosk.questionnaire, a, &d.handoff.lang).1),
        _ => None,
    };
    let label_of = |field: &str, value: &str| -> String {
        match field {
            "autonomie" => format!("{} {}", stars(value), label(value, lang)),
            "thematiques" => label(value, lang),
            "flags" => kiosk.rules.flags.get(value).map(|l| l.get(lang).to_string()).unwrap_or_else(|| value.to_string()),
            _ => value.to_string(),
        }
    };
    let lines: Vec<(String, String, String)> = match explained {
        Some(v) => v.into_iter().map(|s| (s.field, s.value, s.why.get(lang).to_string())).collect(),
        None => {
            let p = &d.profile;
            let unknown =
                if fr { "raison non disponible (règles différentes de celles de la borne)" } else { "reason not available (other rules than the kiosk's)" };
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

/// Facts about the visit itself (never diagnoses): read-aloud, language, an early end.
pub fn facts(d: &Decoded, lang: &str) -> Vec<String> {
    let fr = lang == "fr";
    let h = &d.handoff;
    let mut v = Vec::new();
    if h.signals.partial {
        v.push(if fr {
            "A arrêté le questionnaire avant la fin (« On m'appelle ») : les questions non atteintes ne sont pas des réponses.".to_string()
        } else {
            "Ended the questionnaire early (\"I am being called\"): questions not reached are not answers.".to_string()
        });
    }
    if h.signals.read_aloud {
        v.push(if fr { "A utilisé la lecture à voix haute sur la plupart des écrans." } else { "Used the read-aloud on most screens." }.to_string());
    }
    if h.lang != "fr" {
        let name = crate::shared::i18n::tr(&h.lang, "lang.name");
        v.push(if fr {
            format!("A répondu dans une autre langue que le français : {name}.")
        } else {
            format!("Answered in another language than French: {name}.")
        });
    }
    v
}

/// The optional "Avez-vous une démarche urgente ?" answered yes (id and label): shown first.
pub fn urgent(kiosk: &Kiosk, d: &Decoded, lang: &str) -> Option<(String, String)> {
    let question = kiosk.questionnaire.question("demarche_urgente")?;
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
pub fn cra(kiosk: &Kiosk, d: &Decoded, lang: &str) -> Vec<CraField> {
    let fr = lang == "fr";
    let nc = |v: &Option<String>| v.clone().unwrap_or_else(|| "non_communique".into());
    let age = nc(&d.profile.tranche_age);
    let genre = nc(&d.profile.genre);
    let commune = match d.handoff.answers.as_ref().and_then(|a| a.get("quartier")) {
        Some(Answer::Choice(c)) if kiosk.config.neighbourhoods.iter().any(|n| &n.id == c) => Some(kiosk.config.commune.clone()),
        _ => None,
    };
    vec![
        CraField { field: "beneficiaire.trancheAge", value: Some(coop_enum(&age)), label: label(&age, lang) },
        CraField { field: "beneficiaire.genre", value: Some(coop_enum(&genre)), label: label(&genre, lang) },
        CraField {
            field: "beneficiaire.communeResidence",
            label: commune.clone().unwrap_or_else(|| if fr { "inconnue : à demander".into() } else { "unknown: ask".into() }),
            value: commune,
        },
    ]
}

/// What the CRA leaves to the mediator (the session's own data).
pub const CRA_LEFT_TO_MEDIATOR: &[&str] =
    &["beneficiaire.statutSocial", "date", "duree", "typeLieu", "materiel", "thematiques", "autonomie", "orientation", "precisionsDemarche", "notes"];

/// The decoded visit as JSON (`passerelle decode --json`): the visitor's words, then the
/// suggestions with their reasons, then the details.
pub fn to_json(kiosk: &Kiosk, d: &Decoded, lang: &str) -> serde_json::Value {
    let h = &d.handoff;
    let mut visitor_obj = serde_json::Map::new();
    for a in visitor(kiosk, d, lang) {
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
        "urgent": urgent(kiosk, d, lang).map(|(id, label)| json!({"id": id, "label": label})),
        "visitor": visitor_obj,
        "suggestions": suggestions(kiosk, d, lang).into_iter().map(|s| json!({"field": s.field, "value": s.value, "label": s.label, "why": s.why})).collect::<Vec<_>>(),
        "cra": {
            "source": "La Coop de la médiation numérique (inclusion-numerique/coop-mediation-numerique), beneficiaire fields",
            "prefill": cra(kiosk, d, lang).into_iter().map(|c| json!({"field": c.field, "value": c.value, "label": c.label})).collect::<Vec<_>>(),
            "left_to_mediator": CRA_LEFT_TO_MEDIATOR,
        },
        "profile": d.profile,
        "answers": h.answers.as_ref().map(|a| kiosk.questionnaire.answers_to_json(a, false)),
    })
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
pub fn to_text(kiosk: &Kiosk, d: &Decoded, lang: &str, places: &[crate::kiosk::place_book::PlaceLine]) -> String {
    let v = view(kiosk, d, lang, places);
    [v.header, v.visitor, v.suggestions, v.details, v.cra].iter().filter(|s| !s.is_empty()).map(|s| s.trim_end()).collect::<Vec<_>>().join("\n\n")
}

pub fn view(kiosk: &Kiosk, d: &Decoded, lang: &str, places: &[crate::kiosk::place_book::PlaceLine]) -> MediatorView {
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
    let mut view = MediatorView::default();
    // Header.
    let mut out = String::new();
    let line = |out: &mut String, s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(
        &mut out,
        format!("{} {}", t("Profil Passerelle — référence", "Passerelle profile — reference"), crate::kiosk::summary::pretty_reference(&h.reference)),
    );
    let lang_name = crate::shared::i18n::tr(&h.lang, "lang.name");
    line(
        &mut out,
        format!(
            "{} {} · {} {} · {} {}",
            t("Borne", "Kiosk"),
            h.kiosk_id,
            t("visite du", "visit of"),
            h.date.map_or_else(|| t("date inconnue", "unknown date"), |d| d.format("%d/%m/%Y").to_string()),
            t("répondu en", "answered in"),
            lang_name
        ),
    );
    let check = if d.verified { t("profil vérifié", "profile verified") } else { t("profil tel que transmis", "profile as sent") };
    line(&mut out, format!("{} {} · {} {} ({check})", t("Questionnaire", "Questionnaire"), h.questionnaire_version, t("règles", "rules"), h.rules_version));
    if h.signals.partial {
        line(
            &mut out,
            t(
                "⚠ QUESTIONNAIRE INTERROMPU (« On m'appelle ») : profil établi sur les seules réponses données ; les questions non posées ne comptent ni pour ni contre.",
                "⚠ QUESTIONNAIRE STOPPED EARLY (\"I'm being called\"): the profile rests on the answers given only; questions not asked count neither way.",
            ),
        );
    }
    if answers.is_none() {
        line(
            &mut out,
            t(
                "⚠ Ce code vient d'un autre questionnaire : les réponses détaillées ne sont pas affichées.",
                "⚠ This code comes from another questionnaire: detailed answers are not shown.",
            ),
        );
    }
    view.header = std::mem::take(&mut out);
    // The visitor's words first, an urgent procedure before anything.
    if let Some((_, l)) = urgent(kiosk, d, lang) {
        line(&mut out, format!("⚠ {} : {l}", t("DÉMARCHE URGENTE", "URGENT PROCEDURE")));
    }
    let facts = facts(d, lang);
    if !facts.is_empty() {
        line(&mut out, t("FAITS DE LA VISITE (constats, pas des diagnostics) :", "FACTS OF THE VISIT (observations, not diagnoses):"));
        for f in facts {
            line(&mut out, format!("  • {f}"));
        }
    }
    let words = visitor(kiosk, d, lang);
    if !words.is_empty() {
        line(&mut out, t("CE QUE DIT LE VISITEUR (ses réponses) :", "WHAT THE VISITOR SAYS (their answers):"));
        for w in words {
            let a = match &w.answers {
                None => t("pas de réponse", "no answer"),
                Some(v) => join(&v.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>(), " ; "),
            };
            line(&mut out, format!("  • {} {a}", w.question));
        }
    }
    view.visitor = std::mem::take(&mut out);
    // Suggestions, each with its reason.
    line(
        &mut out,
        t(
            "SUGGESTIONS DE PASSERELLE (à confirmer avec le visiteur — ce ne sont pas des données de la séance) :",
            "PASSERELLE'S SUGGESTIONS (to confirm with the visitor — not session data):",
        ),
    );
    if p.autonomie.is_none() {
        line(&mut out, format!("  {} : {}", t("Autonomie", "Autonomy"), t("non évaluée (trop peu de réponses)", "not assessed (too few answers)")));
    }
    let mut last_field = String::new();
    for s in suggestions(kiosk, d, lang) {
        if s.field != last_field {
            let name = match s.field.as_str() {
                "autonomie" => t("Autonomie", "Autonomy"),
                "modalites" => t("Accompagnement (le premier est conseillé)", "Support (the first is recommended)"),
                "thematiques" => t("Thématiques (Coop)", "Topics (Coop)"),
                "services" => t("Services (lieux)", "Services (places)"),
                "prise_en_charge_specifique" => t("Prise en charge spécifique", "Specific support"),
                _ => t("Points d'attention", "Watch points"),
            };
            line(&mut out, format!("  {name} :"));
            last_field = s.field.clone();
        }
        // The value itself too when it is a code (to copy into the CRA), e.g. "(parentalite)".
        let code = if s.value != s.label && s.value.chars().all(|c| c.is_ascii_lowercase() || c == '_') { format!(" ({})", s.value) } else { String::new() };
        line(&mut out, format!("    – {}{code} — {} {}", s.label, t("pourquoi :", "why:"), s.why));
    }
    if let Some(n) = &p.niveau {
        line(&mut out, format!("  {} : {}", t("Niveau pour un atelier (auto-évaluation)", "Workshop level (self-assessment)"), label(n, lang)));
    }
    view.suggestions = std::mem::take(&mut out);
    // Details.
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
    line(&mut out, format!("{} : {}", t("ÉQUIPEMENT", "EQUIPMENT"), equip.join(" · ")));
    if let (Some(a), Some(grid)) = (answers, q.question(&kiosk.rules.capability_question)) {
        let g = match a.get(&grid.id) {
            Some(Answer::Grid(g)) => g.clone(),
            _ => Default::default(),
        };
        line(
            &mut out,
            format!(
                "{} ({} / {} {}) :",
                t("CAPACITÉS (auto-évaluation)", "CAPABILITIES (self-assessment)"),
                p.capacites_acquises,
                p.capacites_repondues,
                t("acquises / répondues", "known / answered")
            ),
        );
        for r in &grid.rows {
            let mark = match g.get(&r.id).map(String::as_str) {
                Some(c) if c == kiosk.rules.known => "✔".to_string(),
                Some(c) if c == kiosk.rules.unknown => "✘".to_string(),
                // "Je ne sais pas ce que c'est": not known either, and said so.
                Some(c) if kiosk.rules.is_unknown(c) => {
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
            let name = kiosk.rules.domains.iter().find(|x| x.pix == dl.pix).map(|x| x.label.get(lang).to_string()).unwrap_or_else(|| format!("Pix {}", dl.pix));
            let lvl = dl.niveau.as_deref().map(|n| label(n, lang)).unwrap_or_else(|| t("non évalué", "not assessed"));
            format!("{} {name} : {lvl} ({}/{})", dl.pix, dl.known, dl.assessed)
        })
        .collect();
    line(
        &mut out,
        format!(
            "{} : {}",
            t("DOMAINES PIX (auto-évaluation, pas une certification)", "PIX DOMAINS (self-assessment, not a certification)"),
            join(&doms, " ; ")
        ),
    );
    if let Some(a) = answers
        && a.get("consentement_contact").is_some_and(|c| matches!(c, Answer::Contact(_)))
    {
        line(
            &mut out,
            t(
                "COORDONNÉES : le visiteur accepte d'être recontacté (coordonnées chiffrées sur la borne, pour l'administrateur).",
                "CONTACT: the visitor agreed to be contacted (details encrypted on the kiosk, for the admin).",
            ),
        );
    }
    if !places.is_empty() {
        line(&mut out, format!("{} :", t("LIEUX SUGGÉRÉS", "SUGGESTED PLACES")));
        line(&mut out, crate::kiosk::place_book::to_text(places, lang));
    }
    view.details = std::mem::take(&mut out);
    // Préparer le CRA.
    line(
        &mut out,
        t(
            "PRÉPARER LE CRA (La Coop de la médiation numérique, partie bénéficiaire) :",
            "PREPARE THE CRA (La Coop de la médiation numérique, beneficiary part):",
        ),
    );
    for c in cra(kiosk, d, lang) {
        line(&mut out, format!("  {} = {} ({})", c.field, c.value.as_deref().unwrap_or("—"), c.label));
    }
    line(
        &mut out,
        format!(
            "  {} : {}",
            t("À remplir par le médiateur (données de la séance)", "For the mediator to fill in (session data)"),
            CRA_LEFT_TO_MEDIATOR.join(", ")
        ),
    );
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
