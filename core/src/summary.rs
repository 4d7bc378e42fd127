//! The profile in plain words for the visitor (end screen and ticket).

use crate::i18n::{tr, tr_with};
use crate::profile::Profile;
use crate::questionnaire::Questionnaire;

/// What the visitor reads about themselves: short sentences, one item a line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    pub at_ease_title: String,
    pub at_ease: Vec<String>,
    pub help_title: String,
    pub help: Vec<String>,
    pub mode: String,
    /// "Questionnaire interrompu après : …" for a visit ended early; empty otherwise.
    pub partial: String,
    /// The mediator's French copy only: the visitor's own words ("Veut : …", "Ce qui le gêne :
    /// …"), printed before the suggestions.
    pub words: Vec<String>,
}

/// Every item is listed (issue 17: no "and 1 other thing"): the end screen scrolls by whole
/// lines and the ticket grows.
pub fn summary(profile: &Profile, q: &Questionnaire, capability_question: &str, lang: &str) -> Summary {
    let rows = q.question(capability_question).map(|g| g.rows.clone()).unwrap_or_default();
    let label = |id: &String| rows.iter().find(|r| &r.id == id).map(|r| r.label.get(lang).to_string());
    let list = |ids: &[String]| -> Vec<String> { ids.iter().filter_map(label).collect() };
    let (help_title, help) = if profile.ne_sait_pas_faire.is_empty() {
        (tr(lang, "end.help-generic"), Vec::new())
    } else {
        (tr(lang, "end.help"), list(&profile.ne_sait_pas_faire))
    };
    Summary {
        at_ease_title: if profile.sait_faire.is_empty() { String::new() } else { tr(lang, "end.at-ease") },
        at_ease: list(&profile.sait_faire),
        help_title,
        help,
        mode: match profile.modalites.first().map(String::as_str) {
            Some("Dans un atelier collectif") => tr(lang, "end.mode.collectif"),
            Some("Accompagnement individuel") => tr(lang, "end.mode.individuel"),
            Some("En autonomie") => tr(lang, "end.mode.autonomie"),
            _ => String::new(),
        },
        partial: partial_line(profile, q, lang),
        words: Vec::new(),
    }
}

/// "Questionnaire interrompu après : <section>" for a partial profile (ticket, exports); empty
/// for a complete one.
pub fn partial_line(profile: &Profile, q: &Questionnaire, lang: &str) -> String {
    if !profile.partial {
        return String::new();
    }
    match crate::profile::interrupted_after_title(profile, q, lang) {
        Some(section) => tr_with(lang, "partial.after", &[("section", &section)]),
        None => tr(lang, "partial.start"),
    }
}

/// The French copy printed for the mediator on a ticket in another language: the visitor's own
/// words first (read back from the visit's QR payload), then the summary, the accompaniment
/// marked as a suggestion.
pub fn mediator_copy(profile: &Profile, q: &Questionnaire, rules: &crate::profile::Rules, payload: &str) -> Summary {
    let mut s = summary(profile, q, &rules.capability_question, "fr");
    if !s.mode.is_empty() {
        s.mode = format!("Suggestion (à confirmer) : {}", s.mode);
    }
    let answers = crate::handoff::decode(payload, q).ok().and_then(|h| h.answers).unwrap_or_default();
    for (qid, lead) in [("motivations", "Veut"), ("usages_principaux", "Utilise surtout"), ("freins", "Ce qui le gêne")] {
        let (Some(question), Some(crate::answers::Answer::Choices(v))) = (q.question(qid), answers.get(qid)) else { continue };
        let labels: Vec<String> = v.iter().filter_map(|c| question.choice(c)).filter(|c| !c.exclusive).map(|c| c.label.get("fr").to_string()).collect();
        if !labels.is_empty() {
            s.words.push(format!("{lead} : {}", labels.join(" ; ")));
        }
    }
    s
}

/// The visit reference as printed: `ABCD-EFGH`.
pub fn pretty_reference(id: &str) -> String {
    if id.len() == 8 { format!("{}-{}", &id[..4], &id[4..]) } else { id.to_string() }
}
