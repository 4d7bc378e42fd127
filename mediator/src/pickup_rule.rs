//! The one rule of pickups, for `mediateur record`, the desktop window and the browser desk:
//! one pickup per (kiosk, visit reference). The same code again counts once and says so; another
//! outcome replaces the recorded one and says so; a scan without an outcome keeps the recorded
//! one. The first day is kept. Pure: the stores (SQLite, the browser's IndexedDB) apply it.

use crate::pickups::{Pickup, outcome_label};
use serde_json::json;

/// The pickup already recorded for the same (kiosk, visit), as a store holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Existing<'a> {
    pub local_date: &'a str,
    pub outcome: Option<&'a str>,
}

/// What happened to the outcome of a pickup recorded earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutcomeChange {
    /// Nothing new: the same outcome, or none given.
    Unchanged,
    /// The pickup had no outcome: it has this one now.
    Added,
    /// The pickup had another outcome (`from`): it has this one now.
    Changed { from: String },
}

/// What recording a scan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new pickup.
    New,
    /// This visit was already picked up on `local_date` (kept): counted once. `now`: the pickup
    /// as it stands afterwards (the first day, the outcome given or else the one recorded).
    Already { local_date: String, outcome: OutcomeChange, now: Pickup },
}

impl Recorded {
    /// The rule: what recording `new` does when the store holds `existing` for its visit.
    pub fn decide(existing: Option<Existing<'_>>, new: &Pickup) -> Recorded {
        let Some(e) = existing else { return Recorded::New };
        let outcome = match (e.outcome, new.outcome.as_deref()) {
            (_, None) => OutcomeChange::Unchanged,
            (Some(old), Some(o)) if old == o => OutcomeChange::Unchanged,
            (None, Some(_)) => OutcomeChange::Added,
            (Some(old), Some(_)) => OutcomeChange::Changed { from: old.to_string() },
        };
        let now = Pickup { local_date: e.local_date.to_string(), outcome: new.outcome.clone().or_else(|| e.outcome.map(str::to_string)), ..new.clone() };
        Recorded::Already { local_date: e.local_date.to_string(), outcome, now }
    }

    /// The pickup the store must write, or None when nothing changes. A store that exports
    /// incrementally marks a changed pickup for the next export.
    pub fn stored(&self, new: &Pickup) -> Option<Pickup> {
        match self {
            Recorded::New => Some(new.clone()),
            Recorded::Already { outcome: OutcomeChange::Unchanged, .. } => None,
            Recorded::Already { now, .. } => Some(now.clone()),
        }
    }

    /// The pickup as it stands after recording.
    pub fn pickup(&self, new: &Pickup) -> Pickup {
        match self {
            Recorded::New => new.clone(),
            Recorded::Already { now, .. } => now.clone(),
        }
    }

    /// What recording did, in French, for the mediator (window, page, terminal).
    pub fn message(&self, p: &Pickup) -> String {
        let reference = passerelle_core::summary::pretty_reference(&p.visit_id);
        let label = |o: Option<&str>| o.and_then(outcome_label).unwrap_or_default();
        match self {
            Recorded::New => format!(
                "Prise en charge enregistrée : référence {reference}, borne {}{}.",
                p.kiosk_id,
                p.outcome.as_deref().and_then(outcome_label).map(|l| format!(", {l}")).unwrap_or_default()
            ),
            Recorded::Already { local_date, outcome: OutcomeChange::Unchanged, .. } => {
                format!("Déjà enregistrée le {} (référence {reference}) : comptée une seule fois.", french_day(local_date))
            }
            Recorded::Already { local_date, outcome: OutcomeChange::Added, .. } => {
                format!("Déjà enregistrée le {} (référence {reference}) : suite ajoutée ({}).", french_day(local_date), label(p.outcome.as_deref()))
            }
            Recorded::Already { local_date, outcome: OutcomeChange::Changed { from }, .. } => format!(
                "Déjà enregistrée le {} (référence {reference}) : suite modifiée ({} → {}), comptée une seule fois.",
                french_day(local_date),
                label(Some(from)),
                label(p.outcome.as_deref())
            ),
        }
    }

    /// `mediateur record --json` and the browser desk: what happened, and the pickup as it
    /// stands.
    pub fn to_json(&self, new: &Pickup, warning: Option<&str>) -> serde_json::Value {
        let (first_day, added, previous) = match self {
            Recorded::New => (new.local_date.clone(), false, None),
            Recorded::Already { local_date, outcome, .. } => (
                local_date.clone(),
                *outcome == OutcomeChange::Added,
                match outcome {
                    OutcomeChange::Changed { from } => Some(from.clone()),
                    _ => None,
                },
            ),
        };
        let already = !matches!(self, Recorded::New);
        json!({
            "recorded": !already,
            "already_recorded": already,
            "outcome_added": added,
            "outcome_changed": previous.is_some(),
            "previous_outcome": previous,
            "first_recorded_on": first_day,
            "pickup": self.pickup(new),
            "warning": warning,
            "message": self.message(new),
        })
    }
}

/// `2026-12-03` → `03/12/2026` (anything else as it is).
pub fn french_day(d: &str) -> String {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_else(|_| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pickup(outcome: Option<&str>, day: &str) -> Pickup {
        Pickup {
            kiosk_id: "mairie-1".into(),
            visit_id: "K7M2QX4P".into(),
            structure_id: "mediatheque".into(),
            local_date: day.into(),
            outcome: outcome.map(str::to_string),
        }
    }

    #[test]
    fn a_first_scan_is_new_and_stored_as_it_is() {
        let p = pickup(Some("accompagne_ici"), "2026-12-03");
        let r = Recorded::decide(None, &p);
        assert_eq!(r, Recorded::New);
        assert_eq!(r.stored(&p), Some(p.clone()));
        assert_eq!(r.message(&p), "Prise en charge enregistrée : référence K7M2-QX4P, borne mairie-1, accompagné ici.");
    }

    #[test]
    fn the_same_code_again_counts_once_and_says_so() {
        for (old, new) in [(None, None), (Some("autre"), None), (Some("autre"), Some("autre"))] {
            let p = pickup(new, "2026-12-05");
            let r = Recorded::decide(Some(Existing { local_date: "2026-12-03", outcome: old }), &p);
            assert!(matches!(&r, Recorded::Already { local_date, outcome: OutcomeChange::Unchanged, .. } if local_date == "2026-12-03"), "{r:?}");
            assert_eq!(r.stored(&p), None, "nothing to write");
            assert_eq!(r.pickup(&p).outcome.as_deref(), old, "the recorded outcome stays");
            assert!(r.message(&p).contains("Déjà enregistrée le 03/12/2026") && r.message(&p).contains("une seule fois"), "{}", r.message(&p));
            let j = r.to_json(&p, None);
            assert_eq!((j["recorded"].as_bool(), j["already_recorded"].as_bool()), (Some(false), Some(true)));
            assert_eq!(j["pickup"]["local_date"], "2026-12-03");
        }
    }

    #[test]
    fn an_outcome_is_added_or_changed_and_it_says_so_keeping_the_first_day() {
        let p = pickup(Some("rendez_vous_pris"), "2026-12-05");
        let added = Recorded::decide(Some(Existing { local_date: "2026-12-03", outcome: None }), &p);
        assert!(matches!(&added, Recorded::Already { outcome: OutcomeChange::Added, .. }), "{added:?}");
        assert!(added.message(&p).contains("suite ajoutée (rendez-vous pris)"), "{}", added.message(&p));
        assert_eq!(added.stored(&p).unwrap().local_date, "2026-12-03");
        assert_eq!(added.stored(&p).unwrap().outcome.as_deref(), Some("rendez_vous_pris"));

        let changed = Recorded::decide(Some(Existing { local_date: "2026-12-03", outcome: Some("accompagne_ici") }), &p);
        assert!(matches!(&changed, Recorded::Already { outcome: OutcomeChange::Changed { from }, .. } if from == "accompagne_ici"), "{changed:?}");
        assert!(changed.message(&p).contains("suite modifiée (accompagné ici → rendez-vous pris)"), "{}", changed.message(&p));
        assert_eq!(changed.stored(&p).unwrap().outcome.as_deref(), Some("rendez_vous_pris"));
        let j = changed.to_json(&p, None);
        assert_eq!(j["outcome_changed"], true);
        assert_eq!(j["previous_outcome"], "accompagne_ici");
        assert_eq!(j["pickup"]["outcome"], "rendez_vous_pris");
    }
}
