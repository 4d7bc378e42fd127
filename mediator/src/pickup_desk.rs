//! Recording a scanned code as a pickup, for the `mediateur record` command and the mediator's
//! window (the [`Desk`]): the format is in `pickups.rs`, the storage in `pickup_store.rs`.

use crate::pickups::{OUTCOMES, Pickup, from_payload};

/// What recording a scan did, in the mediator's words.
#[derive(Debug, Clone)]
pub struct RecordOutcome {
    /// The pickup as scanned.
    pub pickup: Pickup,
    pub recorded: crate::pickup_store::Recorded,
    /// French, for the window and the terminal.
    pub message: String,
    /// A code from a kiosk absent from the trusted keys.
    pub warning: Option<String>,
}

impl RecordOutcome {
    pub fn to_json(&self) -> serde_json::Value {
        self.recorded.to_json(&self.pickup, self.warning.as_deref())
    }
}

/// Decodes a scan and records its pickup for the configured structure (once per visit).
pub fn record(
    cfg: &crate::mediator_config::MediatorConfig,
    questionnaire: &passerelle_core::questionnaire::Questionnaire,
    store: &mut crate::pickup_store::PickupStore,
    payload: &str,
    day: chrono::NaiveDate,
    outcome: Option<&str>,
) -> anyhow::Result<RecordOutcome> {
    let pickup = from_payload(questionnaire, payload, &cfg.structure_id, day, outcome)?;
    let recorded = store.record(&pickup)?;
    let message = recorded.message(&pickup);
    let warning = match &cfg.trusted_keys {
        Some(path) => {
            let keys = passerelle_shared::keys::read_trusted(path).map_err(anyhow::Error::msg)?;
            (!keys.keys.iter().any(|k| k.name == pickup.kiosk_id))
                .then(|| format!("la borne {} n'est pas dans {} : la prise en charge est enregistrée quand même", pickup.kiosk_id, path.display()))
        }
        None => None,
    };
    Ok(RecordOutcome { pickup, recorded, message, warning })
}

/// The mediator window's pickups: the configuration and the store (opened at the first pickup,
/// so that reading codes never needs a writable data directory).
pub struct Desk {
    pub config: crate::mediator_config::MediatorConfig,
    store: Option<crate::pickup_store::PickupStore>,
}

impl Desk {
    pub fn new(config: crate::mediator_config::MediatorConfig) -> Desk {
        Desk { config, store: None }
    }

    /// "Enregistrer la prise en charge" for the code on screen; `outcome`: 0 for none, else
    /// 1 + its index in [`OUTCOMES`]. Returns (it worked, the message to show).
    pub fn record(
        &mut self,
        questionnaire: &passerelle_core::questionnaire::Questionnaire,
        code: &str,
        outcome: i32,
        day: chrono::NaiveDate,
    ) -> (bool, String) {
        if code.trim().is_empty() {
            return (false, "Scannez d'abord le code du visiteur.".into());
        }
        let outcome = usize::try_from(outcome).ok().and_then(|i| i.checked_sub(1)).and_then(|i| OUTCOMES.get(i)).map(|o| o.0);
        let store = match &mut self.store {
            Some(s) => s,
            None => match crate::pickup_store::PickupStore::open(&self.config.data_dir) {
                Ok(s) => self.store.insert(s),
                Err(e) => return (false, format!("Impossible d'ouvrir le registre des prises en charge ({}) : {e}", self.config.data_dir.display())),
            },
        };
        match record(&self.config, questionnaire, store, code, day, outcome) {
            Ok(r) => (true, r.warning.map_or(r.message.clone(), |w| format!("{} Attention : {w}.", r.message))),
            Err(e) => (false, format!("Prise en charge non enregistrée : {e}")),
        }
    }
}
