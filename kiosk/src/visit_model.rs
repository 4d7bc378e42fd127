//! The kiosk's screens as plain Rust, without Slint: the visit [`Engine`], the contact form, the
//! saved visit and its end screen, printing, and (in sibling files) accessibility and speech
//! (`a11y_model.rs`), the keypad (`keypad.rs`) and admin mode (`admin_model.rs`).
//!
//! Inputs are methods; [`VisitModel::view`] gives what every screen shows as plain data (texts
//! already translated, pictogram names). The UI (`src/ui/`) only maps views to its adapters and
//! callbacks to these methods, and runs the [`Job`]s the model asks for on a worker thread.

use crate::a11y_state::A11y;
use crate::admin_state::{Admin, AdminMode};
use crate::jobs::{Job, JobDone};
use crate::printer::Printer;
pub use crate::screen_views::*;
use crate::service_state::{Service, ServiceShown};
use crate::speech::Speech;
use crate::store::Store;
use crate::visit_state::{PrintState, SaveFailed, Visit, VisitId};
use crate::{Kiosk, SavedVisit};
use passerelle_core::answers::AnswerError;
use passerelle_core::engine::{Clock, CompletedVisit, Engine, EngineError, IdleEvent, Outcome, Screen as EScreen};
use passerelle_core::i18n::tr;
use passerelle_core::place_book::{PlaceBook, PlaceLine};
use passerelle_core::questionnaire::Kind;
use std::sync::Arc;
use std::time::Duration;

/// A visitor may print their ticket twice (a second try after a paper jam), not more.
pub const MAX_PRINTS: u32 = 2;

/// The kiosk's devices, injectable for tests.
pub struct Devices {
    pub printer: Option<Arc<dyn Printer>>,
    pub speech: Arc<dyn Speech>,
}

impl Devices {
    pub fn from_config(c: &passerelle_core::config::Config) -> Devices {
        Devices { printer: crate::printer::from_config(&c.printer), speech: Arc::new(crate::speech::CommandSpeech::new(c.speech.clone())) }
    }
}

/// Everything a visit and the kiosk's screens are made of.
pub struct VisitModel {
    pub(crate) kiosk: Kiosk,
    pub(crate) engine: Engine,
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    /// The visitor on screen: a new one is a new [`Visit`].
    pub(crate) visit: Visit,
    pub(crate) printer: Option<Arc<dyn Printer>>,
    pub(crate) admin: Admin,
    /// The places in use.
    pub(crate) places: PlaceBook,
    pub(crate) speech: Arc<dyn Speech>,
    pub(crate) a11y: A11y,
    /// Keypad focus: the control it is on (never a place in the list, which changes as the
    /// screen does: "Suivant" comes in once something is typed). [`VisitModel::focus_index`]
    /// finds it in the screen's controls.
    pub(crate) focus: Option<crate::keypad::Target>,
    /// Work asked for and not yet handed to a worker.
    pub(crate) jobs: Vec<Job>,
    /// Reports of the jobs run on workers, sent from their threads.
    pub(crate) mailbox: (crate::jobs::Mailbox, std::sync::mpsc::Receiver<JobDone>),
    /// The data disk (out of service when full) and the daily retention pass.
    pub(crate) service: Service,
}

/// What a tick can change on screen: the tick says so when one of these changed.
#[derive(PartialEq)]
struct TickState {
    screen: EScreen,
    warning: bool,
    idle_left: Option<Duration>,
    end_private: bool,
    save_failed: bool,
    admin: AdminMode,
    service: ServiceShown,
}

/// After this long without a touch the end screen hides the profile summary and the places.
pub const END_PRIVATE_AFTER: Duration = Duration::from_secs(60);

// ---- the model -----------------------------------------------------------------------------------

impl VisitModel {
    pub fn new(kiosk: Kiosk, store: Store, clock: Arc<dyn Clock>, devices: Devices) -> VisitModel {
        let Devices { printer, speech } = devices;
        let auto_read = kiosk.defs.config.speech.auto_read;
        let places = passerelle_shared::place_files::load(&kiosk.defs.config.data_dir, kiosk.defs.config.departement.as_deref());
        let engine = kiosk.engine(clock.clone());
        let guard = passerelle_core::admin::PinGuard::restored(crate::admin_tools::failures(&store), clock.monotonic());
        let service = Service::new(store.space().full, clock.monotonic());
        VisitModel {
            kiosk,
            engine,
            store,
            clock,
            visit: Visit::new(),
            printer,
            admin: Admin::new(guard),
            places,
            a11y: A11y::new(auto_read),
            speech,
            focus: None,
            jobs: Vec::new(),
            mailbox: std::sync::mpsc::channel(),
            service,
        }
    }

    /// The kiosk is out of service because its data disk is full (between visits).
    pub fn disk_out_of_service(&self) -> bool {
        self.service.disk_full() && self.visit.over.is_none() && self.engine.screen() == EScreen::Attract
    }

    /// Look at the data disk again (see [`Service::check`]); the admin screen follows a change.
    pub fn check_disk(&mut self) {
        if self.service.check(self.clock.monotonic(), &mut self.store) {
            self.admin_snapshot();
        }
    }

    /// Retention, at start-up and then once a day.
    pub fn daily_retention(&mut self) {
        let today = self.clock.local_now().date();
        if self.service.retention_due(today) {
            crate::jobs::retention(&self.kiosk, &mut self.store, today);
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }
    pub fn store(&self) -> &Store {
        &self.store
    }
    pub fn kiosk(&self) -> &Kiosk {
        &self.kiosk
    }
    pub fn last_saved(&self) -> Option<&SavedVisit> {
        self.visit.saved.as_ref()
    }
    /// The visit on screen, as its tickets' reports name it.
    pub fn visit_id(&self) -> VisitId {
        self.visit.id
    }

    /// The dialog over the page, if any.
    pub fn overlay(&self) -> Overlay {
        self.visit.overlay
    }

    /// The work asked for since the last call, to run on a worker; report with [`VisitModel::job_done`].
    pub fn take_jobs(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.jobs)
    }

    pub(crate) fn lang(&self) -> String {
        self.engine.lang().to_string()
    }

    // ---- inputs --------------------------------------------------------------------------------

    pub fn start(&mut self, lang: &str) {
        if self.service.disk_full() {
            return;
        }
        if self.engine.set_lang(lang).is_ok() && self.engine.start().is_ok() {
            // A new visitor: nothing of the last visit's dialogs, form, end screen or tickets.
            self.forget_visit();
        }
    }

    pub fn accept_notice(&mut self) {
        let r = self.engine.acknowledge();
        self.after(r);
    }

    pub fn choose(&mut self, id: &str) {
        let r = self.engine.choose(id);
        self.after(r);
    }

    pub fn next(&mut self) {
        let r = self.engine.next();
        self.after(r);
    }

    pub fn skip(&mut self) {
        self.visit.overlay = Overlay::None;
        let r = self.engine.skip();
        self.after(r);
    }

    pub fn back(&mut self) {
        match self.visit.overlay {
            Overlay::Stop { .. } => return self.stop_answer(false),
            Overlay::Call => return self.call_answer(false),
            Overlay::ContactForm => {
                self.visit.overlay = Overlay::None;
                self.visit.form_error = None;
                self.engine.still_here();
                return;
            }
            Overlay::None => {}
        }
        let r = self.engine.back();
        self.after(r);
    }

    /// "On m'appelle" / "Terminer maintenant": asks for a one-line confirmation first.
    pub fn call_me(&mut self) {
        if self.can_call() {
            self.visit.overlay = Overlay::Call;
            self.engine.still_here();
        }
    }

    /// The confirmation's answer: `finish` ends the visit now with the answers given (stored,
    /// then the end screen and its QR code); otherwise the visitor carries on where they were.
    pub fn call_answer(&mut self, finish: bool) {
        if !self.visit.overlay.call_confirm() {
            return;
        }
        self.visit.overlay = self.visit.overlay.dismissed();
        if finish {
            let r = self.engine.finish_now();
            self.after(r);
        } else {
            self.engine.still_here();
        }
    }

    /// "Arrêter" is offered: on the notice and every question screen (the contact form too).
    pub fn can_stop(&self) -> bool {
        matches!(self.engine.screen(), EScreen::Notice | EScreen::Question { .. }) && self.visit.over.is_none() && !self.admin.is_open()
    }

    /// "Arrêter": asks "Effacer mes réponses ?" first (one tap to confirm).
    pub fn stop(&mut self) {
        if self.can_stop() {
            self.visit.overlay = self.visit.overlay.stop();
            self.focus = None;
            self.engine.still_here();
        }
    }

    /// The confirmation's answer: `erase` wipes the visit (answers, contact details, the form,
    /// the accessibility settings) and records it as abandoned at its step, as inactivity does;
    /// the welcome screen follows. Otherwise the visitor carries on, every answer kept.
    pub fn stop_answer(&mut self, erase: bool) {
        if !self.visit.overlay.stop_confirm() {
            return;
        }
        self.visit.overlay = self.visit.overlay.dismissed();
        if erase {
            let r = self.engine.stop();
            self.after(r);
        } else {
            self.engine.still_here();
        }
    }

    /// "On m'appelle" is offered: on a question screen, not while contact details are typed.
    pub fn can_call(&self) -> bool {
        matches!(self.engine.screen(), EScreen::Question { .. }) && matches!(self.visit.overlay, Overlay::None | Overlay::Call) && self.visit.over.is_none()
    }

    pub fn open_form(&mut self) {
        self.visit.overlay = Overlay::ContactForm;
        self.visit.focused_field = 0;
        self.visit.form_error = None;
        self.engine.still_here();
    }

    pub fn focus_field(&mut self, i: usize) {
        let n = self.engine.current().map_or(0, |q| q.fields.len());
        self.visit.focused_field = i.min(n.saturating_sub(1));
        self.engine.still_here();
    }

    /// A key of the on-screen keyboard: a text, or "\u{8}" to delete one character; "\u{e}" and
    /// "\u{f}" say that the keyboard turned to its digits page or back to its letters (said
    /// aloud when the visitor uses speech or keys).
    pub fn key(&mut self, t: &str) {
        if let Some(page) = match t {
            "\u{e}" => Some("key.page-more"),
            "\u{f}" => Some("key.page-letters"),
            _ => None,
        } {
            self.engine.still_here();
            if self.a11y.speaks_details() {
                let text = tr(&self.screen_lang(), page);
                self.say(&text);
            }
            return;
        }
        let Some(q) = self.engine.current().cloned() else {
            return;
        };
        let edit = |old: String| -> String {
            let mut s = old;
            if t == "\u{8}" {
                s.pop();
            } else {
                s.push_str(t);
            }
            s
        };
        match q.kind {
            Kind::Text => {
                let v = edit(self.engine.text());
                let _ = self.engine.set_text(&v);
            }
            Kind::Contact if self.visit.overlay.form_open() => {
                if let Some(f) = q.fields.get(self.visit.focused_field) {
                    let old = self.engine.contact().field(&f.id).unwrap_or_default().to_string();
                    let _ = self.engine.set_contact_field(&f.id, &edit(old));
                    self.visit.form_error = None;
                }
            }
            _ => {}
        }
    }

    /// Play a scripted visit through the engine and store it (screenshots, demos).
    pub fn play_script(&mut self, script: &passerelle_core::script::Script) -> Result<(), passerelle_core::script::ScriptError> {
        let v = passerelle_core::script::play(&mut self.engine, script)?;
        self.save(&v);
        Ok(())
    }

    pub fn still_here(&mut self) {
        self.engine.still_here();
    }

    /// The suggested places, in words, in `lang`.
    pub fn place_lines(&self, lang: &str) -> Vec<PlaceLine> {
        passerelle_core::place_book::lines(&self.visit.suggestions, self.visit.suggested_at, lang)
    }

    /// The end screen's two views: the profile, or where to go next.
    pub fn show_end_places(&mut self, places: bool) {
        self.engine.still_here();
        self.visit.end_places = places && !self.visit.suggestions.is_empty() && !self.visit.end_private;
    }

    pub fn finish(&mut self) {
        self.reset_a11y();
        let failed = self.visit.over.is_some();
        self.forget_visit();
        if !failed {
            let _ = self.engine.finish();
        }
    }

    /// "Réessayer" on the save-failed screen: the same save again (space may have returned).
    /// On success the end screen follows; on failure the same screen, with the new code.
    pub fn retry_save(&mut self) {
        let Some(failed) = self.visit.over.take() else {
            return;
        };
        if let Err(e) = self.engine.complete_again(&failed.visit) {
            log::error!("a failed save cannot be tried again: {e}");
            self.visit.over = Some(failed);
            return;
        }
        self.save_with(&failed.visit, failed.signals);
    }

    /// "Imprimer mon ticket": asks for a [`Job::Ticket`] (at most [`MAX_PRINTS`] per visit, one
    /// at a time); [`VisitModel::print_finished`] hears how it went.
    pub fn print(&mut self) {
        let (Some(printer), Some(saved)) = (self.printer.clone(), self.visit.saved.clone()) else {
            return;
        };
        if self.visit.print.printing || self.visit.print.printed >= MAX_PRINTS {
            return;
        }
        self.engine.still_here();
        self.visit.print.printing = true;
        self.visit.print.status = "print.printing";
        let summary =
            |lang: &str| passerelle_core::summary::summary(&saved.profile, &self.kiosk.defs.questionnaire, &self.kiosk.defs.rules.capability_question, lang);
        let data = crate::ticket::TicketData {
            structure: self.kiosk.defs.config.structure.clone(),
            commune: self.kiosk.defs.config.commune.clone(),
            date: self.clock.local_now().date(),
            lang: saved.lang.clone(),
            summary: summary(&saved.lang),
            summary_fr: (saved.lang != "fr")
                .then(|| passerelle_core::summary::mediator_copy(&saved.profile, &self.kiosk.defs.questionnaire, &self.kiosk.defs.rules, &saved.payload)),
            payload: saved.payload.clone(),
            reference: saved.id.clone(),
            places: self.place_lines(&saved.lang),
        };
        self.jobs.push(Job::Ticket { printer, data: Box::new(data), visit: self.visit.id });
    }

    /// A ticket's report. One printed for a visitor who has left is no one's: dropped.
    pub fn print_finished(&mut self, visit: VisitId, ok: bool) {
        if visit != self.visit.id {
            return;
        }
        self.visit.print.printing = false;
        if ok {
            self.visit.print.printed += 1;
            self.visit.print.status = "print.done";
        } else {
            self.visit.print.status = "print.failed";
        }
    }

    /// What a tick can change on screen.
    fn tick_state(&self) -> TickState {
        TickState {
            screen: self.engine.screen(),
            warning: self.engine.warning(),
            idle_left: self.visit.idle_left,
            end_private: self.visit.end_private,
            save_failed: self.visit.over.is_some(),
            admin: self.admin.mode(),
            service: self.service.shown(),
        }
    }

    /// The 1-second tick: inactivity warning, then reset. True when it changed what is on screen.
    pub fn tick(&mut self) -> bool {
        let before = self.tick_state();
        if self.service.check_due(self.clock.monotonic()) {
            self.check_disk();
        }
        // A snapshot of the open admin screen taken again (a stick plugged in, a visit stored by
        // another process) is drawn now, not at the next touch.
        let admin_changed = self.admin_tick();
        self.daily_retention();
        let event = self.engine.tick();
        if self.engine.screen() == EScreen::End && self.engine.idle_for() >= END_PRIVATE_AFTER && !self.visit.end_private {
            self.visit.end_private = true;
            self.visit.end_places = false;
        }
        self.visit.idle_left = match event {
            IdleEvent::Warning { remaining } => Some(remaining),
            _ => None,
        };
        if let IdleEvent::Reset { abandoned_at } = event {
            self.reset_a11y();
            self.forget_visit();
            if let Some(step) = abandoned_at {
                self.record_abandon(&step);
            }
        }
        admin_changed || self.tick_state() != before
    }

    /// The visitor is gone (finished, stopped, timed out) or a new one starts: a new [`Visit`].
    pub(crate) fn forget_visit(&mut self) {
        self.visit = Visit::new();
    }

    fn record_abandon(&mut self, step: &str) {
        match self.kiosk.record_abandon(&mut self.store, self.clock.as_ref(), step) {
            Ok(()) => {}
            Err(e) => log::error!("cannot record an abandoned visit ({}): {e}", e.code()),
        }
    }

    fn after(&mut self, r: Result<Outcome, EngineError>) {
        // An input answers (or leaves) a confirmation: the contact form under it stays.
        self.visit.overlay = self.visit.overlay.dismissed();
        match r {
            Ok(Outcome::Moved) => {
                self.visit.form_error = None;
                if !matches!(self.engine.current().map(|q| q.kind), Some(Kind::Contact)) {
                    self.visit.overlay = Overlay::None;
                }
            }
            Ok(Outcome::Finished(v)) => {
                self.visit.overlay = Overlay::None;
                self.save(&v);
            }
            Ok(Outcome::Abandoned { step }) => {
                // Nothing of the visit stays: a new visit, the focus and the accessibility
                // settings back to normal.
                self.forget_visit();
                self.reset_a11y();
                self.record_abandon(&step);
            }
            Err(EngineError::Answer(AnswerError::Contact { problem, .. })) if self.visit.overlay.form_open() => {
                self.visit.form_error = Some(problem);
            }
            Err(e) => log::debug!("input refused: {e}"),
        }
    }

    fn save(&mut self, v: &CompletedVisit) {
        let signals = passerelle_core::handoff::Signals { read_aloud: self.a11y.read_aloud_most(), ..Default::default() };
        self.save_with(v, signals);
    }

    fn save_with(&mut self, v: &CompletedVisit, signals: passerelle_core::handoff::Signals) {
        match self.kiosk.finish_visit_with_signals(&mut self.store, self.clock.as_ref(), v, signals) {
            Ok(saved) => {
                let now = self.clock.local_now();
                self.visit.suggestions = passerelle_core::place_book::suggest(&self.kiosk.defs.config, &self.places, &saved.profile, now);
                self.visit.suggested_at = now;
                self.visit.end_places = false;
                self.visit.end_private = false;
                // Called to the counter ("On m'appelle"): the ticket prints by itself.
                let called = saved.profile.partial;
                self.visit.saved = Some(saved);
                self.visit.print = PrintState::default();
                let _ = self.engine.saved();
                if called {
                    self.print();
                }
            }
            Err(e) => {
                log::error!("a finished visit could not be stored ({}): {e}", e.code());
                // The store looked at the disk before saving.
                self.service.saw_disk(self.store.space().full);
                let lang = self.lang();
                self.engine.abort();
                self.visit.over = Some(SaveFailed { code: e.code().to_string(), lang, visit: v.clone(), signals });
            }
        }
    }

    // ---- output --------------------------------------------------------------------------------

    /// The language on screen (a failed save keeps the visitor's).
    pub fn screen_lang(&self) -> String {
        match &self.visit.over {
            Some(o) => o.lang.clone(),
            None => self.lang(),
        }
    }

    /// The show-Next rule for the question on screen.
    pub fn next_button(&self) -> NextRule {
        match self.engine.current() {
            Some(q) => next_rule(q.kind, !self.engine.selected().is_empty(), !self.engine.text().trim().is_empty(), self.visit.overlay.form_open()),
            None => NextRule { show: false, enabled: false },
        }
    }

    /// Whether "Imprimer mon ticket" is offered: a printer, a stored visit, fewer than
    /// [`MAX_PRINTS`] tickets. The end view, the keypad and speech all ask this one question.
    pub(crate) fn can_print(&self) -> bool {
        self.printer.is_some() && self.visit.saved.is_some() && self.visit.print.printed < MAX_PRINTS
    }

    /// What to do with the code: show it (or the ticket, with a printer) at the counter, or
    /// take a photo of it. Called to the counter, the visitor walks away: the code must leave
    /// with them (the ticket prints by itself, or a photo, or a note).
    pub(crate) fn end_instructions(&self, lang: &str) -> String {
        let called = self.visit.saved.as_ref().is_some_and(|s| s.profile.partial);
        let key = match (called, self.printer.is_some()) {
            (true, true) => "end.called.ticket",
            (true, false) => "end.called.photo",
            (false, true) => "end.instructions-ticket",
            (false, false) => "end.instructions",
        };
        tr(lang, key)
    }
}

/// Seconds a visitor spends on a screen, on average, for the welcome screen's estimate.
pub const SECONDS_PER_SCREEN: usize = 8;

impl VisitModel {
    /// "Cela prend N minutes environ": the screens of this kiosk's path (at most), rounded up
    /// to the minute; 2 at least.
    pub fn minutes_estimate(&self) -> usize {
        let screens = self.kiosk.defs.questionnaire.screen_count(self.kiosk.defs.config.flow, self.kiosk.consent_offered());
        (screens * SECONDS_PER_SCREEN).div_ceil(60).max(2)
    }
}
