//! What the kiosk keeps of the visitor on screen, apart from the engine's answers: the dialog
//! over the page ([`Overlay`]), the contact form's cursor and error, the stored visit and its end
//! screen, tickets, a failed save. One [`Visit`], made by [`Visit::new`] when a visitor starts,
//! leaves, is timed out or finishes: nothing of a visit survives into the next one by
//! construction. The accessibility settings keep their own policy (`a11y_model.rs`).

use crate::SavedVisit;
use passerelle_core::answers::ContactProblem;
use passerelle_core::engine::CompletedVisit;
use passerelle_core::places::Suggestion;
use std::time::Duration;

/// The dialog over the page, at most one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overlay {
    /// Nothing over the page.
    #[default]
    None,
    /// The contact form is open ("Oui" on the consent step): its fields and keyboard.
    ContactForm,
    /// "On m'appelle" was touched: its confirmation is on screen.
    Call,
    /// "Arrêter" was touched: "Effacer mes réponses ?" is on screen, over the contact form when
    /// `over_form` ("Non, continuer" goes back to it).
    Stop { over_form: bool },
}

impl Overlay {
    /// The contact form is on the page (perhaps under the stop confirmation).
    pub fn form_open(self) -> bool {
        matches!(self, Overlay::ContactForm | Overlay::Stop { over_form: true })
    }

    /// "Effacer mes réponses ?" is on screen.
    pub fn stop_confirm(self) -> bool {
        matches!(self, Overlay::Stop { .. })
    }

    /// "On m'appelle"'s confirmation is on screen.
    pub fn call_confirm(self) -> bool {
        self == Overlay::Call
    }

    /// One of the two confirmations is on screen (the page's answers are out of reach).
    pub fn confirming(self) -> bool {
        self.call_confirm() || self.stop_confirm()
    }

    /// "Arrêter" touched over this: its confirmation, keeping the contact form under it.
    pub fn stop(self) -> Overlay {
        Overlay::Stop { over_form: self.form_open() }
    }

    /// A confirmation answered (or left by moving on): what was under it.
    pub fn dismissed(self) -> Overlay {
        if self.form_open() { Overlay::ContactForm } else { Overlay::None }
    }
}

/// A screen shown instead of the engine's: the visit could not be stored. The language is kept
/// (the engine has already wiped the visit), and the visit itself, for "Réessayer" only: it is
/// dropped with this screen ("Terminer", or a successful retry).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SaveFailed {
    pub code: String,
    pub lang: String,
    pub visit: CompletedVisit,
    pub signals: passerelle_core::handoff::Signals,
}

/// Tickets of the visit on screen.
#[derive(Debug, Default, Clone)]
pub(crate) struct PrintState {
    pub printing: bool,
    pub printed: u32,
    /// i18n key of the status line ("" for none).
    pub status: &'static str,
}

/// Which visit a ticket was printed for: a visitor who leaves while their ticket prints leaves
/// its report to no one (the next visitor's tickets are their own). Unique in the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VisitId(u64);

impl VisitId {
    fn next() -> VisitId {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        VisitId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// Everything the kiosk keeps of one visitor besides the engine's answers. A new visitor is a
/// new `Visit` ([`Visit::new`]); no field is ever reset one by one.
#[derive(Debug, Default)]
pub(crate) struct Visit {
    pub id: VisitId,
    pub overlay: Overlay,
    /// The contact form's field with the cursor.
    pub focused_field: usize,
    /// Why the contact form's details were refused (said by the view, in the visitor's words).
    pub form_error: Option<ContactProblem>,
    /// The visit as stored, for its end screen and ticket.
    pub saved: Option<SavedVisit>,
    pub over: Option<SaveFailed>,
    /// Time left before the reset, from the last inactivity warning.
    pub idle_left: Option<Duration>,
    pub print: PrintState,
    /// The suggested places, and when they were chosen (their opening hours).
    pub suggestions: Vec<Suggestion>,
    pub suggested_at: chrono::NaiveDateTime,
    /// The end screen shows the places (true) or the profile (false).
    pub end_places: bool,
    /// The end screen went [`crate::visit_model::END_PRIVATE_AFTER`] without a touch: only the
    /// code, the reference and the instructions stay (the next person in the queue sees no
    /// answers). Stays so until the visit ends.
    pub end_private: bool,
}

impl Visit {
    /// A visit with nothing in it: no dialog, no form, nothing stored, printed or suggested.
    pub fn new() -> Visit {
        Visit { id: VisitId::next(), ..Visit::default() }
    }
}

#[cfg(test)]
#[path = "visit_state_tests.rs"]
mod tests;
