//! The kiosk's context: configuration, questionnaire and rules loaded and checked, and the one
//! place where a completed visit becomes a stored visit (profile, reference, QR payload, sealed
//! contact details, one transaction). The UI and `replay` both go through [`Kiosk::finish_visit`].

pub mod a11y_model;
pub mod a11y_state;
pub mod admin_model;
pub mod admin_state;
pub mod admin_tools;
pub mod disk_space;
pub mod doctor;
pub mod export;
pub mod jobs;
pub mod keypad;
pub mod printer;
pub mod privacy;
pub mod screen_build;
pub mod screen_controls;
pub mod screen_tour;
pub mod screen_views;
pub mod seal;
pub mod service_state;
pub mod speech;
pub mod speech_text;
pub mod store;
pub mod ticket;
pub mod visit_model;
pub mod visit_state;

use crate::store::{NewVisit, Store, StoreError};
use passerelle_core::answers::Answer;
use passerelle_core::config::{Config, ConfigError};
use passerelle_core::definitions::Definitions;
use passerelle_core::engine::{Clock, CompletedVisit, Engine, EngineOptions};
use passerelle_core::handoff::{self, Handoff};
use passerelle_core::profile::{self, Profile};
use passerelle_core::questionnaire::DefinitionError;
use passerelle_shared::definitions_files::{self, LoadError};
use rand::RngExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

pub use passerelle_shared::definitions_files::SYSTEM_CONFIG;

#[derive(Debug, Error)]
pub enum KioskError {
    #[error(transparent)]
    Load(#[from] LoadError),
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
            KioskError::Load(LoadError::Read { .. }) => "CFG-READ",
            KioskError::Load(LoadError::Config(e)) => e.code(),
            KioskError::Load(LoadError::Definition(_)) => "DEF-INVALID",
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

/// A kiosk: its definitions (configuration, questionnaire, rules, languages), checked, and what
/// only a kiosk does with them (its engine, its store, storing a finished visit).
/// A text of one direction inside a sentence of the other: isolated (FSI … PDI, Unicode's
/// bidi isolates), so that it stays in one piece and its neighbours' punctuation on their side.
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

#[derive(Clone)]
pub struct Kiosk {
    pub defs: Definitions,
    /// A visit reference to use while it is free (screenshots: the same reference every time,
    /// so that they are reproducible); `None` on a kiosk: references are random.
    pub fixed_reference: Option<String>,
}

impl Kiosk {
    /// Load the configuration (`--config`, else /etc/passerelle/kiosk.toml if present, else the
    /// embedded default), then the questionnaire and rules it names (or the shipped ones).
    pub fn load(config_path: Option<&Path>, data_dir: Option<&Path>) -> Result<Kiosk, KioskError> {
        Self::from_definitions(definitions_files::load(config_path, data_dir)?)
    }

    pub fn from_config(config: Config, config_source: String) -> Result<Kiosk, KioskError> {
        Self::from_definitions(definitions_files::from_config(config, config_source)?)
    }

    /// A kiosk of checked definitions: the admin's recipient key must be a key.
    pub fn from_definitions(defs: Definitions) -> Result<Kiosk, KioskError> {
        if let Some(r) = &defs.config.recipient {
            seal::parse_recipient(r)?;
        }
        Ok(Kiosk { defs, fixed_reference: None })
    }

    /// The values a visitor's text may name ([`Definitions::text_vars`]), as the screen shows
    /// them: in a right-to-left sentence a Latin name is isolated and kept whole ("Nelly
    /// Roussel." neither breaks inside nor takes the full stop to the other end of the line).
    /// Speech reads them plain ([`speech_text::text`]).
    pub fn text_vars(&self, lang: &str) -> Vec<(&'static str, String)> {
        let rtl = passerelle_core::i18n::is_rtl(lang);
        let mut vars = self.defs.text_vars(lang);
        for (k, v) in vars.iter_mut() {
            if rtl && matches!(*k, "structure" | "commune") {
                // Up to 32 characters, spaces and hyphens do not break ("Villeneuve-la-Garenne").
                *v = if v.chars().count() <= 32 { isolate(&v.replace(' ', "\u{a0}").replace('-', "\u{2011}")) } else { isolate(v) };
            }
        }
        vars
    }

    /// Contact details are asked only when they can be sealed for the admin.
    pub fn consent_offered(&self) -> bool {
        self.defs.config.recipient.is_some()
    }

    pub fn engine(&self, clock: Arc<dyn Clock>) -> Engine {
        let mut e = Engine::new(
            self.defs.questionnaire.clone(),
            EngineOptions {
                idle_warning: self.defs.config.idle_warning,
                idle_reset: self.defs.config.idle_reset,
                consent_offered: self.consent_offered(),
                flow: self.defs.config.flow,
                optional_questions: self.defs.config.optional_questions.clone(),
            },
            clock,
            self.defs.config.languages.clone(),
        );
        e.set_end_screen(self.defs.config.end_screen);
        e
    }

    pub fn open_store(&self) -> Result<Store, KioskError> {
        Ok(Store::open(&self.defs.config.data_dir)?)
    }

    /// The kiosk's own opening: a damaged database is moved aside and a new one started, so
    /// that visitors can go on; the admin screen and `doctor` report it.
    pub fn open_store_recovering(&self, now: chrono::NaiveDateTime) -> Result<(Store, Option<PathBuf>), KioskError> {
        Ok(Store::open_or_recover(&self.defs.config.data_dir, &now.format("%Y%m%d-%H%M%S").to_string())?)
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
        let q = &self.defs.questionnaire;
        let mut profile = profile::compute(&self.defs.rules, q, &visit.answers, &visit.lang);
        if let Some(i) = &visit.interrupted {
            profile::mark_partial(&mut profile, i.after_section.as_deref());
        }
        let now = clock.local_now();
        let mut rng = rand::rng();
        let fixed = match &self.fixed_reference {
            Some(id) if !store.id_exists(id)? => Some(id.clone()),
            _ => None,
        };
        let id = match fixed {
            Some(id) => id,
            None => loop {
                let id = handoff::reference_from_bits(rng.random::<u64>() & ((1 << 40) - 1));
                if !store.id_exists(&id)? {
                    break id;
                }
            },
        };
        let h = Handoff {
            kiosk_id: self.defs.config.kiosk_id.clone(),
            reference: id.clone(),
            date: Some(now.date()),
            lang: visit.lang.clone(),
            questionnaire_fingerprint: handoff::questionnaire_fingerprint(q),
            questionnaire_version: q.version.clone(),
            rules_fingerprint: handoff::rules_fingerprint(&self.defs.rules),
            rules_version: self.defs.rules.version.clone(),
            profile: profile.clone(),
            signals: handoff::Signals { partial: visit.interrupted.is_some(), ..signals },
            answers: Some(visit.answers.clone()),
        };
        let payload = handoff::encode(&h, q)?;
        let sealed_contact = match (visit.answers.values().find_map(|a| if let Answer::Contact(c) = a { Some(c) } else { None }), &self.defs.config.recipient) {
            (Some(c), Some(r)) => Some(seal::seal(r, c)?),
            (Some(_), None) => {
                log::warn!("contact details given without a recipient key: not stored");
                None
            }
            _ => None,
        };
        let nv = NewVisit {
            id: id.clone(),
            kiosk_id: self.defs.config.kiosk_id.clone(),
            local_date: now.date(),
            local_hour: chrono::Timelike::hour(&now) as u8,
            lang: visit.lang.clone(),
            context: self.defs.config.context.clone(),
            questionnaire_id: q.id.clone(),
            questionnaire_version: q.version.clone(),
            rules_id: self.defs.rules.id.clone(),
            rules_version: self.defs.rules.version.clone(),
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
        store.record_abandon(&self.defs.config.kiosk_id, now.date(), chrono::Timelike::hour(&now) as u8, step, &self.defs.questionnaire.version)?;
        Ok(())
    }
}

/// How a kiosk starts: ready with its store, or out of service with a code for the staff.
pub enum Start {
    Ready(Kiosk, Store),
    /// `retry`: the kiosk to start again, with the data folder to watch, when the store could not
    /// open for want of space (the out-of-service screen then waits for space to return).
    OutOfService {
        code: &'static str,
        retry: Option<(Kiosk, SpaceWatch)>,
    },
}

/// Open the store of a loaded kiosk (a damaged database moved aside); say why it cannot start.
pub fn start(kiosk: Result<Kiosk, KioskError>) -> Start {
    let again = kiosk.as_ref().ok().cloned();
    match kiosk.and_then(|k| k.open_store_at_start().map(|s| (k, s))) {
        Ok((k, store)) => {
            log::info!("kiosk {} started ({} questions, rules {})", k.defs.config.kiosk_id, k.defs.questionnaire.questions().len(), k.defs.rules.version);
            Start::Ready(k, store)
        }
        Err(e) => {
            log::error!("out of service ({}): {e}", e.code());
            eprintln!("passerelle: {e}");
            let full = matches!(e, KioskError::Store(store::StoreError::DiskFull));
            let retry = again.filter(|_| full).map(|k| {
                let watch = SpaceWatch { dir: k.defs.config.data_dir.clone(), seconds: 0 };
                (k, watch)
            });
            Start::OutOfService { code: e.code(), retry }
        }
    }
}

/// The out-of-service screen's watch on a full data disk: [`SpaceWatch::second`] says, every
/// [`service_state::SPACE_CHECK`], whether space has returned.
pub struct SpaceWatch {
    dir: PathBuf,
    seconds: u64,
}

impl SpaceWatch {
    /// One second more; true once there is space again.
    pub fn second(&mut self) -> bool {
        self.seconds += 1;
        self.seconds.is_multiple_of(service_state::SPACE_CHECK.as_secs()) && !disk_space::check_space(&self.dir).full
    }
}
