//! The kiosk's slow work, run off the screen's thread: printing a visitor's ticket or the admin's
//! test ticket, the USB export, the places import. The visit model asks for a [`Job`]; the UI runs
//! it on a worker (its one `spawn_task` helper) and hands the [`JobDone`] back to the model.
//! The purge and the retention pass are quick store calls, run in place ([`purge`]).

use crate::Kiosk;
use crate::printer::Printer;
use crate::store::Store;
use crate::ticket::TicketData;
use crate::visit_state::VisitId;
use passerelle_core::i18n::{tr, tr_with};
use std::sync::Arc;

/// Work to run on a worker thread.
pub enum Job {
    /// "Imprimer mon ticket": the visitor's ticket.
    Ticket { printer: Arc<dyn Printer>, data: Box<TicketData>, visit: VisitId },
    /// The admin's test ticket.
    TestTicket { printer: Arc<dyn Printer>, data: Box<TicketData> },
    /// The admin's export to the first USB stick found.
    Export { kiosk: Box<Kiosk>, now: chrono::NaiveDateTime },
    /// The admin's places import from a USB stick.
    ImportPlaces { kiosk: Box<Kiosk> },
}

/// What a [`Job`] reports back.
#[derive(Debug, Clone, PartialEq)]
pub enum JobDone {
    /// The visitor's ticket was printed (true) or not.
    Ticket { visit: VisitId, ok: bool },
    /// An admin task ended.
    Admin(AdminOutcome),
}

/// What an admin task did, typed; the admin screen makes a sentence of it ([`AdminOutcome::message`]).
#[derive(Debug, Clone, PartialEq)]
pub enum AdminOutcome {
    TestPrinted,
    TestNotPrinted {
        error: String,
    },
    Exported {
        visits: i64,
        folder: std::path::PathBuf,
    },
    /// `code`: the export error's stable code (for the support line), `error` its text.
    ExportFailed {
        code: &'static str,
        error: String,
    },
    NoPlacesFile,
    PlacesImported {
        kept: usize,
        refused: usize,
        other_departements: usize,
    },
    PlacesFailed {
        error: String,
    },
    Purged {
        visits: usize,
        abandons: usize,
        contacts: usize,
    },
    PurgeFailed {
        error: String,
    },
}

impl AdminOutcome {
    /// The admin screen's sentence, in `lang` (the admin screen speaks French).
    pub fn message(&self, lang: &str) -> String {
        let n = |x: &dyn ToString| x.to_string();
        match self {
            AdminOutcome::TestPrinted => tr(lang, "admin.print-done"),
            AdminOutcome::TestNotPrinted { error } => tr_with(lang, "admin.print-failed", &[("error", error)]),
            AdminOutcome::Exported { visits, folder } => tr_with(lang, "admin.export-done", &[("n", &n(visits)), ("folder", &folder.display().to_string())]),
            AdminOutcome::ExportFailed { code, error } => tr_with(lang, "admin.export-failed", &[("code", code), ("error", error)]),
            AdminOutcome::NoPlacesFile => tr(lang, "admin.places-none"),
            AdminOutcome::PlacesImported { kept, refused, other_departements } => {
                tr_with(lang, "admin.places-imported", &[("kept", &n(kept)), ("refused", &n(refused)), ("other", &n(other_departements))])
            }
            AdminOutcome::PlacesFailed { error } => tr_with(lang, "admin.places-failed", &[("error", error)]),
            AdminOutcome::Purged { visits, abandons, contacts } => {
                tr_with(lang, "admin.purged", &[("v", &n(visits)), ("a", &n(abandons)), ("c", &n(contacts))])
            }
            AdminOutcome::PurgeFailed { error } => error.clone(),
        }
    }
}

/// Where workers post what their jobs did: the model drains it on the screen's thread
/// ([`crate::visit_model::VisitModel::collect_jobs`]), so typed reports never travel as text
/// through the UI.
pub type Mailbox = std::sync::mpsc::Sender<JobDone>;

impl Job {
    /// Do the work (blocking).
    pub fn run(self) -> JobDone {
        match self {
            Job::Ticket { printer, data, visit } => {
                let result = print_ticket(printer.as_ref(), &data);
                match &result {
                    // No reference and no line per success: journald stamps every line to the
                    // second, which would date each visit far more finely than the store does.
                    Ok(()) => {}
                    Err(e) => log::warn!("a ticket was not printed: {e}"),
                }
                JobDone::Ticket { visit, ok: result.is_ok() }
            }
            Job::TestTicket { printer, data } => JobDone::Admin(match print_ticket(printer.as_ref(), &data) {
                Ok(()) => AdminOutcome::TestPrinted,
                Err(error) => AdminOutcome::TestNotPrinted { error },
            }),
            Job::Export { kiosk, now } => JobDone::Admin(export_to_stick(&kiosk, now)),
            Job::ImportPlaces { kiosk } => JobDone::Admin(import_places_from_stick(&kiosk)),
        }
    }
}

/// Draw a ticket and print it.
pub fn print_ticket(printer: &dyn Printer, data: &TicketData) -> Result<(), String> {
    crate::ticket::render(data, printer.width_mm()).map_err(|e| e.to_string()).and_then(|img| printer.print(&img).map_err(|e| e.to_string()))
}

/// The admin's test ticket: every accented letter, the euro sign, a test code.
pub fn test_ticket(kiosk: &Kiosk, date: chrono::NaiveDate) -> TicketData {
    TicketData {
        structure: kiosk.defs.config.structure.clone(),
        commune: kiosk.defs.config.commune.clone(),
        date,
        lang: "fr".into(),
        summary: passerelle_core::summary::Summary {
            at_ease_title: "Ticket de test · Test ticket".into(),
            at_ease: vec!["é è à ç ô œ € — Aa Bb 0123456789".into()],
            ..Default::default()
        },
        summary_fr: None,
        payload: "PA1:TEST".into(),
        reference: "TEST0000".into(),
        places: Vec::new(),
    }
}

/// Export what was not exported yet to the first USB stick found.
pub fn export_to_stick(kiosk: &Kiosk, now: chrono::NaiveDateTime) -> AdminOutcome {
    let result = (|| -> Result<AdminOutcome, crate::export::ExportError> {
        let media = crate::admin_tools::find_media(&kiosk.defs.config.export_paths);
        let dest = media.first().ok_or(crate::export::ExportError::NoMedia)?.path.clone();
        let mut store = Store::open(&kiosk.defs.config.data_dir)?;
        let r = crate::export::export(kiosk, &mut store, &crate::export::RealFs, &dest, false, now)?;
        Ok(AdminOutcome::Exported { visits: r.record.visits, folder: r.folder })
    })();
    result.unwrap_or_else(|e| {
        log::warn!("export failed ({}): {e}", e.code());
        AdminOutcome::ExportFailed { code: e.code(), error: e.to_string() }
    })
}

/// "Importer des lieux depuis la clé USB": the newest national places CSV at the root of a stick
/// replaces the kiosk's places (the places in use stay if it is unusable).
pub fn import_places_from_stick(kiosk: &Kiosk) -> AdminOutcome {
    let file = crate::admin_tools::find_media(&kiosk.defs.config.export_paths).iter().find_map(|m| passerelle_shared::place_files::find_places_file(&m.path));
    match file {
        None => AdminOutcome::NoPlacesFile,
        Some(f) => match passerelle_shared::place_files::import(&f, &kiosk.defs.config.data_dir, kiosk.defs.config.departement.as_deref()) {
            Ok(r) => AdminOutcome::PlacesImported { kept: r.kept, refused: r.problems.len(), other_departements: r.other_departements },
            Err(e) => {
                log::warn!("places import failed: {e}");
                AdminOutcome::PlacesFailed { error: e.to_string() }
            }
        },
    }
}

/// Delete the data already exported.
pub fn purge(store: &mut Store) -> AdminOutcome {
    match store.purge_exported() {
        Ok(r) => {
            log::info!("purge: {} visits, {} abandoned, {} contacts deleted", r.visits, r.abandons, r.contacts);
            AdminOutcome::Purged { visits: r.visits, abandons: r.abandons, contacts: r.contacts }
        }
        Err(e) => AdminOutcome::PurgeFailed { error: e.to_string() },
    }
}

/// The retention pass (start-up, then once a day).
pub fn retention(kiosk: &Kiosk, store: &mut Store, today: chrono::NaiveDate) {
    match store.apply_retention(today, kiosk.defs.config.retention) {
        Ok(r) => log::info!(
            "retention: {} visits, {} abandoned, {} contacts, {} damaged database copies deleted",
            r.visits,
            r.abandons,
            r.contacts,
            r.damaged_copies
        ),
        Err(e) => log::error!("retention failed: {e}"),
    }
}

/// The model's side of the mailbox.
impl crate::visit_model::VisitModel {
    /// A worker's report.
    pub fn job_done(&mut self, done: JobDone) {
        match done {
            JobDone::Ticket { visit, ok } => self.print_finished(visit, ok),
            JobDone::Admin(outcome) => self.admin_task_finished(&outcome),
        }
    }

    /// Where a worker posts its job's report (see [`crate::jobs::Mailbox`]).
    pub fn mailbox(&self) -> crate::jobs::Mailbox {
        self.mailbox.0.clone()
    }

    /// Take in every report the workers posted. Returns whether there was one.
    pub fn collect_jobs(&mut self) -> bool {
        let done: Vec<JobDone> = self.mailbox.1.try_iter().collect();
        let any = !done.is_empty();
        for d in done {
            self.job_done(d);
        }
        any
    }
}
