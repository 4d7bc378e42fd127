//! More languages for a questionnaire: one file per language (`assets/questionnaire/lang/<lang>.toml`)
//! holding every text of the questionnaire under a stable key, so that adding a language is adding
//! files. A language is offered only when all its texts are there (see [`load`]).
//!
//! Keys: `title`, `section.<section>`, `<question>.label`, `<question>.help`,
//! `<question>.image_alt`, `<question>.choice.<choice>`, `<question>.row.<row>`,
//! `<question>.field.<field>`. Placeholders such as `{structure}` must be the French text's.

use crate::questionnaire::{DefinitionError, ListItem, Questionnaire, QuestionnaireDef};
use crate::text::Text;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One language's file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationDef {
    pub language: String,
    pub questionnaire: String,
    #[serde(default)]
    pub reviewed_by_native_speaker: bool,
    pub texts: BTreeMap<String, String>,
}

/// What was found for one language.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LanguageStatus {
    pub lang: String,
    /// The file it came from (empty for the languages written in the questionnaire itself).
    pub file: String,
    /// Keys whose text is missing or empty.
    pub missing: Vec<String>,
    /// Other problems: unknown keys, placeholders that differ from the French, a file that cannot
    /// be read or belongs to another questionnaire.
    pub problems: Vec<String>,
    pub reviewed_by_native_speaker: bool,
}

impl LanguageStatus {
    pub fn complete(&self) -> bool {
        self.missing.is_empty() && self.problems.is_empty()
    }
}

/// Every text of a questionnaire file with its key.
pub fn texts_mut(def: &mut QuestionnaireDef) -> Vec<(String, &mut Text)> {
    let mut out = vec![("title".to_string(), &mut def.title)];
    for s in &mut def.sections {
        out.push((format!("section.{}", s.id), &mut s.title));
        for q in &mut s.questions {
            let id = q.id.clone();
            out.push((format!("{id}.label"), &mut q.label));
            if let Some(h) = &mut q.help {
                out.push((format!("{id}.help"), h));
            }
            if let Some(a) = &mut q.image_alt {
                out.push((format!("{id}.image_alt"), a));
            }
            for c in &mut q.choices {
                out.push((format!("{id}.choice.{}", c.id), &mut c.label));
            }
            for r in &mut q.rows {
                out.push((format!("{id}.row.{}", r.id), &mut r.label));
            }
            for f in &mut q.fields {
                out.push((format!("{id}.field.{}", f.id), &mut f.label));
            }
        }
    }
    out
}

fn placeholders(s: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        out.insert(rest[start..start + len + 1].to_string());
        rest = &rest[start + len + 1..];
    }
    out
}

/// Adds one language's texts to the questionnaire file; returns its status.
pub fn apply(def: &mut QuestionnaireDef, src: &str, file: &str) -> LanguageStatus {
    let mut status =
        LanguageStatus { lang: String::new(), file: file.to_string(), missing: Vec::new(), problems: Vec::new(), reviewed_by_native_speaker: false };
    let t: TranslationDef = match toml::from_str(src) {
        Ok(t) => t,
        Err(e) => {
            status.lang = file.rsplit('/').next().unwrap_or(file).trim_end_matches(".toml").to_string();
            status.problems.push(format!("{file}: {e}"));
            return status;
        }
    };
    status.lang = t.language.clone();
    status.reviewed_by_native_speaker = t.reviewed_by_native_speaker;
    let stem = file.rsplit('/').next().unwrap_or(file).trim_end_matches(".toml");
    if stem != t.language {
        status.problems.push(format!("{file}: the file of language `{}` must be named {}.toml", t.language, t.language));
        return status;
    }
    if t.questionnaire != def.id {
        status.problems.push(format!("{file}: for questionnaire `{}`, not `{}`", t.questionnaire, def.id));
        return status;
    }
    if t.language == "fr" || t.language.len() < 2 || !t.language.chars().all(|c| c.is_ascii_lowercase()) {
        status.problems.push(format!("{file}: `{}` is not a language code this file can add", t.language));
        return status;
    }
    let mut used = BTreeSet::new();
    for (key, text) in texts_mut(def) {
        match t.texts.get(&key).map(|s| s.trim_end_matches('\n')) {
            Some(s) if !s.trim().is_empty() => {
                if placeholders(s) != placeholders(text.fr()) {
                    status.problems.push(format!(
                        "{key}: the placeholders differ from the French ({})",
                        placeholders(text.fr()).into_iter().collect::<Vec<_>>().join(" ")
                    ));
                }
                text.0.insert(t.language.clone(), s.to_string());
                used.insert(key);
            }
            _ => status.missing.push(key),
        }
    }
    for key in t.texts.keys().filter(|k| !used.contains(*k)) {
        if !status.missing.contains(key) {
            status.problems.push(format!("{key}: unknown key (no such text in the questionnaire)"));
        }
    }
    status
}

/// The status of a language written in the questionnaire file itself (fr, en).
pub fn inline_status(def: &mut QuestionnaireDef, lang: &str) -> LanguageStatus {
    let missing = texts_mut(def).into_iter().filter(|(_, t)| t.0.get(lang).is_none_or(|s| s.trim().is_empty())).map(|(k, _)| k).collect();
    LanguageStatus { lang: lang.to_string(), file: String::new(), missing, problems: Vec::new(), reviewed_by_native_speaker: true }
}

/// Parses a questionnaire and its translation files (name, text). The questionnaire's own
/// languages must be complete (an error otherwise, as before); a translation that is incomplete or
/// has problems is reported in its status and its language is not added.
pub fn load(
    src: &str,
    file: &str,
    translations: &[(String, String)],
    list_items: &[ListItem],
    has_picto: &dyn Fn(&str) -> bool,
) -> Result<(Questionnaire, Vec<LanguageStatus>), DefinitionError> {
    let mut def: QuestionnaireDef = toml::from_str(src).map_err(|source| DefinitionError::Syntax { file: file.to_string(), source })?;
    let mut statuses: Vec<LanguageStatus> = def.languages.clone().iter().map(|l| inline_status(&mut def, l)).collect();
    for (name, text) in translations {
        // Applied to a copy first: only a complete language changes the questionnaire.
        let mut probe = def.clone();
        let status = apply(&mut probe, text, name);
        if status.complete() && !def.languages.contains(&status.lang) {
            def = probe;
            def.languages.push(status.lang.clone());
        }
        statuses.retain(|s| s.lang != status.lang);
        statuses.push(status);
    }
    let q = Questionnaire::from_def(def, file, list_items, has_picto)?;
    Ok((q, statuses))
}
