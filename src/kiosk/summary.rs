//! The profile in plain words for the visitor (end screen and ticket).

use crate::shared::i18n::{tr, tr_with};
use passerelle_core::profile::Profile;
use passerelle_core::questionnaire::Questionnaire;

/// What the visitor reads about themselves: short sentences, at most four items a list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    pub at_ease_title: String,
    pub at_ease: Vec<String>,
    pub help_title: String,
    pub help: Vec<String>,
    pub mode: String,
    /// "Questionnaire interrompu après : …" for a visit ended early; empty otherwise.
    pub partial: String,
}

pub const MAX_ITEMS: usize = 4;

pub fn summary(profile: &Profile, q: &Questionnaire, capability_question: &str, lang: &str) -> Summary {
    let rows = q.question(capability_question).map(|g| g.rows.clone()).unwrap_or_default();
    let label = |id: &String| rows.iter().find(|r| &r.id == id).map(|r| r.label.get(lang).to_string());
    let list = |ids: &[String]| -> Vec<String> {
        let mut v: Vec<String> = ids.iter().take(MAX_ITEMS).filter_map(label).collect();
        match ids.len().saturating_sub(MAX_ITEMS) {
            0 => {}
            1 => v.push(tr(lang, "end.and-more.one")),
            n => v.push(tr_with(lang, "end.and-more", &[("n", &n.to_string())])),
        }
        v
    };
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
    }
}

/// "Questionnaire interrompu après : <section>" for a partial profile (ticket, exports); empty
/// for a complete one.
pub fn partial_line(profile: &Profile, q: &Questionnaire, lang: &str) -> String {
    if !profile.partial {
        return String::new();
    }
    match passerelle_core::profile::interrupted_after_title(profile, q, lang) {
        Some(section) => tr_with(lang, "partial.after", &[("section", &section)]),
        None => tr(lang, "partial.start"),
    }
}

/// The visit reference as printed: `ABCD-EFGH`.
pub fn pretty_reference(id: &str) -> String {
    if id.len() == 8 { format!("{}-{}", &id[..4], &id[4..]) } else { id.to_string() }
}
