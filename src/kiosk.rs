//! The kiosk's context: configuration, questionnaire and rules loaded and checked, and the one
//! place where a completed visit becomes a stored visit (profile, reference, QR payload, sealed
//! contact details, one transaction). The UI and `replay` both go through [`Kiosk::finish_visit`].

pub mod a11y_model;
pub mod admin_model;
pub mod admin_tools;
pub mod disk_space;
pub mod doctor;
pub mod export;
pub mod jobs;
pub mod keypad;
pub mod model_state;
pub mod place_book;
pub mod printer;
pub mod privacy;
pub mod screen_tour;
pub mod screen_views;
pub mod seal;
pub mod speech;
pub mod speech_text;
pub mod store;
pub mod summary;
pub mod ticket;
pub mod visit_model;

use crate::kiosk::store::{NewVisit, Store, StoreError};
use crate::shared::pictograms;
use passerelle_core::answers::Answer;
use passerelle_core::config::{Config, ConfigError};
use passerelle_core::engine::{Clock, CompletedVisit, Engine, EngineOptions};
use passerelle_core::handoff::{self, Handoff};
use passerelle_core::profile::{self, Profile, Rules};
use passerelle_core::questionnaire::{DefinitionError, Questionnaire};
use passerelle_core::translation::{self, LanguageStatus};
use rand::RngExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

/// Where a deployed kiosk reads its configuration when `--config` is not given.
pub const SYSTEM_CONFIG: &str = "/etc/passerelle/kiosk.toml";

#[derive(Debug, Error)]
pub enum KioskError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot encode the QR payload: {0}")]
    Payload(#[from] handoff::HandoffError),
    #[error(transparent)]
    Seal(#[from] seal::SealError),
}

impl KioskError {
    /// A short code for the staff, shown on the "out of service" screen.
    pub fn code(&self) -> &'static str {
        match self {
            KioskError::Read { .. } => "CFG-READ",
            KioskError::Config(e) => e.code(),
            KioskError::Definition(_) => "DEF-INVALID",
            KioskError::Store(StoreError::DiskFull) => "DISK-FULL",
            KioskError::Store(StoreError::Corrupt { .. }) => "DB-CORRUPT",
            KioskError::Store(_) => "DB-ERROR",
            KioskError::Payload(_) => "QR-ENCODE",
            KioskError::Seal(_) => "SEAL",
        }
    }
}

/// A visit once stored.
#[derive(Debug, Clone)]
pub struct SavedVisit {
    pub id: String,
    pub profile: Profile,
    pub payload: String,
    pub lang: String,
}

#[derive(Clone)]
pub struct Kiosk {
    pub config: Config,
    /// Where the configuration came from (a path, or "embedded default").
    pub config_source: String,
    pub questionnaire: Arc<Questionnaire>,
    pub rules: Arc<Rules>,
    /// Every language found (questionnaire texts and the kiosk's own texts), complete or not.
    pub languages: Vec<LanguageStatus>,
}

/// The translation files next to a questionnaire file: `lang/*.toml`, in name order.
fn translation_files(questionnaire: &Path) -> Vec<(String, String)> {
    let dir = questionnaire.parent().unwrap_or(Path::new(".")).join("lang");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect()).unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| match std::fs::read_to_string(&p) {
            Ok(t) => Some((p.display().to_string(), t)),
            Err(e) => {
                log::warn!("{}: cannot be read: {e}", p.display());
                None
            }
        })
        .collect()
}

fn read(path: &Path) -> Result<String, KioskError> {
    std::fs::read_to_string(path).map_err(|source| KioskError::Read { path: path.to_path_buf(), source })
}

impl Kiosk {
    /// The values a visitor's text may name, in `lang`: `{structure}` and `{commune}` (kiosk.toml)
    /// and how long answers and contact details are kept (`{visits_time}`, `{contacts_time}`,
    /// from `[retention]`), so that the notice says what the law requires with this kiosk's facts.
    pub fn text_vars(&self, lang: &str) -> Vec<(&'static str, String)> {
        let r = &self.config.retention;
        vec![
            ("structure", self.config.structure.clone()),
            ("commune", self.config.commune.clone()),
            ("visits_time", crate::shared::i18n::duration(lang, r.visits_days)),
            ("contacts_time", crate::shared::i18n::duration(lang, r.contacts_days)),
        ]
    }

    /// Load the configuration (`--config`, else /etc/passerelle/kiosk.toml if present, else the
    /// embedded default), then the questionnaire and rules it names (or the shipped ones).
    pub fn load(config_path: Option<&Path>, data_dir: Option<&Path>) -> Result<Kiosk, KioskError> {
        let system = Path::new(SYSTEM_CONFIG);
        let path = config_path.map(Path::to_path_buf).or_else(|| system.exists().then(|| system.to_path_buf()));
        let (mut config, source) = match &path {
            Some(p) => {
                let text = read(p)?;
                let base = p.parent().filter(|b| !b.as_os_str().is_empty());
                (Config::parse(&text, &p.display().to_string(), base)?, p.display().to_string())
            }
            None => (Config::parse(passerelle_core::DEFAULT_CONFIG, "kiosk.toml (embedded default)", None)?, "embedded default".to_string()),
        };
        if let Some(d) = data_dir {
            config.data_dir = d.to_path_buf();
        }
        Self::from_config(config, source)
    }

    pub fn from_config(mut config: Config, config_source: String) -> Result<Kiosk, KioskError> {
        let (q_src, q_name, translations) = match &config.questionnaire {
            Some(p) => (read(p)?, p.display().to_string(), translation_files(p)),
            None => (
                passerelle_core::DEFAULT_QUESTIONNAIRE.to_string(),
                "questionnaire.toml (embedded)".to_string(),
                passerelle_core::DEFAULT_TRANSLATIONS.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect(),
            ),
        };
        let (questionnaire, mut languages) = translation::load(&q_src, &q_name, &translations, &config.neighbourhoods, &pictograms::exists)?;
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
            status.missing.extend(crate::shared::i18n::missing(&status.lang).into_iter().map(|k| format!("app: {k}")));
            status.reviewed_by_native_speaker &= crate::shared::i18n::reviewed(&status.lang);
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
        let (r_src, r_name) = match &config.rules {
            Some(p) => (read(p)?, p.display().to_string()),
            None => (passerelle_core::DEFAULT_RULES.to_string(), "profile-rules.toml (embedded)".to_string()),
        };
        let rules = Arc::new(Rules::load(&r_src, &r_name, &questionnaire)?);
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
        if let Some(r) = &config.recipient {
            seal::parse_recipient(r)?;
        }
        Ok(Kiosk { config, config_source, questionnaire, rules, languages })
    }

    /// The languages offered, with whether a native speaker reviewed them.
    pub fn offered_languages(&self) -> Vec<(&str, bool)> {
        self.config.languages.iter().map(|l| (l.as_str(), self.languages.iter().find(|s| s.lang == *l).is_some_and(|s| s.reviewed_by_native_speaker))).collect()
    }

    /// Contact details are asked only when they can be sealed for the admin.
    pub fn consent_offered(&self) -> bool {
        self.config.recipient.is_some()
    }

    pub fn engine(&self, clock: Arc<dyn Clock>) -> Engine {
        let mut e = Engine::new(
            self.questionnaire.clone(),
            EngineOptions {
                idle_warning: self.config.idle_warning,
                idle_reset: self.config.idle_reset,
                consent_offered: self.consent_offered(),
                flow: self.config.flow,
                optional_questions: self.config.optional_questions.clone(),
            },
            clock,
            self.config.languages.clone(),
        );
        e.set_end_screen(self.config.end_screen);
        e
    }

    pub fn open_store(&self) -> Result<Store, KioskError> {
        Ok(Store::open(&self.config.data_dir)?)
    }

    /// The kiosk's own opening: a damaged database is moved aside and a new one started, so
    /// that visitors can go on; the admin screen and `doctor` report it.
    pub fn open_store_recovering(&self, now: chrono::NaiveDateTime) -> Result<(Store, Option<PathBuf>), KioskError> {
        Ok(Store::open_or_recover(&self.config.data_dir, &now.format("%Y%m%d-%H%M%S").to_string())?)
    }

    /// The store at start-up: a damaged database is moved aside and the admin screen told where.
    pub fn open_store_at_start(&self) -> Result<Store, KioskError> {
        let (store, moved) = self.open_store_recovering(chrono::Local::now().naive_local())?;
        if let Some(m) = &moved {
            store.meta_set("damaged_database", &m.display().to_string()).ok();
        }
        Ok(store)
    }

    /// Profile, reference, payload and sealed contact of a completed visit, stored in one
    /// transaction. Returns only once the visit is durable.
    pub fn finish_visit(&self, store: &mut Store, clock: &dyn Clock, visit: &CompletedVisit) -> Result<SavedVisit, KioskError> {
        self.finish_visit_with_signals(store, clock, visit, handoff::Signals::default())
    }

    /// [`Kiosk::finish_visit`] with the visit's signals (facts about how it went) for the QR code.
    pub fn finish_visit_with_signals(
        &self,
        store: &mut Store,
        clock: &dyn Clock,
        visit: &CompletedVisit,
        signals: handoff::Signals,
    ) -> Result<SavedVisit, KioskError> {
        let q = &self.questionnaire;
        let mut profile = profile::compute(&self.rules, q, &visit.answers, &visit.lang);
        if let Some(i) = &visit.interrupted {
            profile::mark_partial(&mut profile, i.after_section.as_deref());
        }
        let now = clock.local_now();
        let mut rng = rand::rng();
        let id = loop {
            let id = handoff::reference_from_bits(rng.random::<u64>() & ((1 << 40) - 1));
            if !store.id_exists(&id)? {
                break id;
            }
        };
        let h = Handoff {
            kiosk_id: self.config.kiosk_id.clone(),
            reference: id.clone(),
            date: Some(now.date()),
            lang: visit.lang.clone(),
            questionnaire_fingerprint: handoff::questionnaire_fingerprint(q),
            questionnaire_version: q.version.clone(),
            rules_fingerprint: handoff::rules_fingerprint(&self.rules),
            rules_version: self.rules.version.clone(),
            profile: profile.clone(),
            signals: handoff::Signals { partial: visit.interrupted.is_some(), ..signals },
            answers: Some(visit.answers.clone()),
        };
        let payload = handoff::encode(&h, q)?;
        let sealed_contact = match (visit.answers.values().find_map(|a| if let Answer::Contact(c) = a { Some(c) } else { None }), &self.config.recipient) {
            (Some(c), Some(r)) => Some(seal::seal(r, c)?),
            (Some(_), None) => {
                log::warn!("contact details given without a recipient key: not stored");
                None
            }
            _ => None,
        };
        let nv = NewVisit {
            id: id.clone(),
            kiosk_id: self.config.kiosk_id.clone(),
            local_date: now.date(),
            local_hour: chrono::Timelike::hour(&now) as u8,
            lang: visit.lang.clone(),
            context: self.config.context.clone(),
            questionnaire_id: q.id.clone(),
            questionnaire_version: q.version.clone(),
            rules_id: self.rules.id.clone(),
            rules_version: self.rules.version.clone(),
            answers: q.answers_to_json(&visit.answers, false).to_string(),
            profile: serde_json::to_string(&profile).expect("a profile serializes"),
            autonomie: profile.autonomie.clone(),
            payload: payload.clone(),
            sealed_contact,
        };
        store.save_visit(&nv)?;
        Ok(SavedVisit { id, profile, payload, lang: visit.lang.clone() })
    }

    /// Record an abandoned visit (only the step reached, the date and the hour).
    pub fn record_abandon(&self, store: &mut Store, clock: &dyn Clock, step: &str) -> Result<(), KioskError> {
        let now = clock.local_now();
        store.record_abandon(&self.config.kiosk_id, now.date(), chrono::Timelike::hour(&now) as u8, step, &self.questionnaire.version)?;
        Ok(())
    }
}
