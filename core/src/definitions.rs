//! What every Passerelle tool reads a visit with: a kiosk's configuration, its questionnaire (with
//! its translations and the languages it can offer), its profile rules. Built from texts, so that
//! the kiosk, the mediator's tools, the département's tools and the browser desk share one
//! definition; reading the files is the callers' (`passerelle_shared::definitions_files`).

use crate::config::{Config, ConfigError};
use crate::profile::Rules;
use crate::questionnaire::{DefinitionError, Questionnaire};
use crate::translation::{self, LanguageStatus};
use std::sync::Arc;

/// A definition's text and the name its errors give it.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: String,
    pub name: String,
}

/// The questionnaire and rules to build from: the shipped ones where `None`.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The questionnaire, and its translations (file name, text).
    pub questionnaire: Option<(Source, Vec<(String, String)>)>,
    pub rules: Option<Source>,
}

#[derive(Debug, thiserror::Error)]
pub enum DefinitionsError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Definition(#[from] DefinitionError),
}

/// A kiosk's configuration, questionnaire, rules and languages, checked together.
#[derive(Debug, Clone)]
pub struct Definitions {
    pub config: Config,
    /// Where the configuration came from (a path, or "embedded default").
    pub config_source: String,
    pub questionnaire: Arc<Questionnaire>,
    pub rules: Arc<Rules>,
    /// Every language found (questionnaire texts and the kiosk's own texts), complete or not.
    pub languages: Vec<LanguageStatus>,
}

impl Definitions {
    /// Checks the questionnaire, its translations and the rules against the configuration: a
    /// language is offered only when all its texts exist; an optional question the configuration
    /// turns on must exist. `has_picto` says whether a pictogram name is shipped.
    pub fn build(mut config: Config, config_source: String, sources: Sources, has_picto: &dyn Fn(&str) -> bool) -> Result<Definitions, DefinitionsError> {
        let (q, translations) = sources.questionnaire.unwrap_or_else(|| {
            (
                Source { text: crate::DEFAULT_QUESTIONNAIRE.to_string(), name: "questionnaire.toml (embedded)".into() },
                crate::DEFAULT_TRANSLATIONS.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect(),
            )
        });
        let (questionnaire, mut languages) = translation::load(&q.text, &q.name, &translations, &config.neighbourhoods, has_picto)?;
        let questionnaire = Arc::new(questionnaire);
        // A language the configuration asks for but no file provides.
        for l in &config.languages {
            if !languages.iter().any(|s| s.lang == *l) {
                languages.push(LanguageStatus {
                    lang: l.clone(),
                    file: String::new(),
                    missing: Vec::new(),
                    problems: vec![format!("no questionnaire texts in this language (lang/{l}.toml)")],
                    reviewed_by_native_speaker: false,
                });
            }
        }
        // The kiosk's own texts must be complete too; both must be reviewed to count as reviewed.
        for status in &mut languages {
            status.missing.extend(crate::i18n::missing(&status.lang).into_iter().map(|k| format!("app: {k}")));
            status.reviewed_by_native_speaker &= crate::i18n::reviewed(&status.lang);
        }
        // A language is offered only when complete.
        config.languages.retain(|l| {
            let ok = l == "fr" || languages.iter().any(|s| s.lang == *l && s.complete());
            if !ok {
                log::warn!("language {l} not offered: its texts are incomplete (passerelle questionnaire --check-translations)");
            }
            ok
        });
        if config.languages.is_empty() {
            config.languages.push("fr".into());
        }
        let rules = sources.rules.unwrap_or_else(|| Source { text: crate::DEFAULT_RULES.to_string(), name: "profile-rules.toml (embedded)".into() });
        let rules = Arc::new(Rules::load(&rules.text, &rules.name, &questionnaire)?);
        for id in &config.optional_questions {
            if !questionnaire.question(id).is_some_and(|q| q.optional) {
                let known: Vec<&str> = questionnaire.questions().iter().filter(|q| q.optional).map(|q| q.id.as_str()).collect();
                return Err(ConfigError::Invalid {
                    file: config_source.clone(),
                    line: config.optional_questions_line,
                    key: "optional_questions".into(),
                    problem: format!("`{id}` is not an optional question of the questionnaire (optional: {})", known.join(", ")),
                }
                .into());
            }
        }
        Ok(Definitions { config, config_source, questionnaire, rules, languages })
    }

    /// The shipped configuration, questionnaire and rules (every pictogram taken as shipped).
    pub fn shipped() -> Result<Definitions, DefinitionsError> {
        let config = Config::parse(crate::DEFAULT_CONFIG, "kiosk.toml (embedded default)", None)?;
        Definitions::build(config, "embedded default".into(), Sources::default(), &|_| true)
    }

    /// The values a visitor's text may name, in `lang`: `{structure}` and `{commune}` (kiosk.toml)
    /// and how long answers and contact details are kept (`{visits_time}`, `{contacts_time}`,
    /// from `[retention]`), so that the notice says what the law requires with this kiosk's facts.
    pub fn text_vars(&self, lang: &str) -> Vec<(&'static str, String)> {
        let r = &self.config.retention;
        vec![
            ("structure", self.config.structure.clone()),
            ("commune", self.config.commune.clone()),
            ("visits_time", crate::i18n::duration(lang, r.visits_days)),
            ("contacts_time", crate::i18n::duration(lang, r.contacts_days)),
        ]
    }

    /// The languages offered, with whether a native speaker reviewed them.
    pub fn offered_languages(&self) -> Vec<(&str, bool)> {
        self.config.languages.iter().map(|l| (l.as_str(), self.languages.iter().find(|s| s.lang == *l).is_some_and(|s| s.reviewed_by_native_speaker))).collect()
    }
}
