//! A **pickup**: a mediator took over a visitor who came with a kiosk's code. Only the kiosk id,
//! the visit reference, the mediator's structure id, the day, and an optional outcome from a short
//! list: nothing else from the profile.

use passerelle_core::handoff::HandoffError;
use serde::Serialize;

pub use passerelle_package::pickup_table::{OUTCOMES, outcome_label};

/// One pickup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pickup {
    pub kiosk_id: String,
    pub visit_id: String,
    pub structure_id: String,
    /// The day of the pickup (local, `YYYY-MM-DD`).
    pub local_date: String,
    pub outcome: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PickupError {
    /// The mediator reads the code's problem in French, as `decode` says it.
    #[error("{}", crate::error_in_french(.0))]
    Code(#[from] HandoffError),
    #[error("suite inconnue « {0} » (valeurs possibles : {list})", list = OUTCOMES.iter().map(|o| o.0).collect::<Vec<_>>().join(", "))]
    Outcome(String),
}

/// The pickup of a scanned code (`PA1:…`, repaired like `decode` does) on `day`.
pub fn from_payload(
    questionnaire: &passerelle_core::questionnaire::Questionnaire,
    payload: &str,
    structure_id: &str,
    day: chrono::NaiveDate,
    outcome: Option<&str>,
) -> Result<Pickup, PickupError> {
    if let Some(o) = outcome
        && outcome_label(o).is_none()
    {
        return Err(PickupError::Outcome(o.to_string()));
    }
    let h = passerelle_core::handoff::decode(payload.trim(), questionnaire)?;
    Ok(Pickup {
        kiosk_id: h.kiosk_id,
        visit_id: h.reference,
        structure_id: structure_id.to_string(),
        local_date: day.format("%Y-%m-%d").to_string(),
        outcome: outcome.map(str::to_string),
    })
}
