//! The kiosk's slow work, run off the screen's thread: printing a visitor's ticket or the admin's
//! test ticket, the USB export, the places import. The visit model asks for a [`Job`]; the UI runs
//! it on a worker (its one `spawn_task` helper) and hands the [`JobDone`] back to the model.
//! The purge and the retention pass are quick store calls, run in place ([`purge`]).

use crate::kiosk::Kiosk;
use crate::kiosk::printer::Printer;
use crate::kiosk::store::Store;
use crate::kiosk::ticket::TicketData;
use crate::shared::i18n::{tr, tr_with};
use std::sync::Arc;

/// Work to run on a worker thread.
pub enum Job {
    /// "Imprimer mon ticket": the visitor's ticket.
    Ticket { printer: Arc<dyn Printer>, data: Box<TicketData> },
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
    Ticket(bool),
    /// An admin task ended: the message for the admin screen.
    Admin(String),
}

impl Job {
    /// Do the work (blocking).
    pub fn run(self) -> JobDone {
        match self {
            Job::Ticket { printer, data } => {
                let result = print_ticket(printer.as_ref(), &data);
                match &result {
                    // No reference and no line per success: journald stamps every line to the
                    // second, which would date each visit far more finely than the store does.
                    Ok(()) => {}
                    Err(e) => log::warn!("a ticket was not printed: {e}"),
                }
                JobDone::Ticket(result.is_ok())
            }
            Job::TestTicket { printer, data } => JobDone::Admin(match print_ticket(printer.as_ref(), &data) {
                Ok(()) => tr("fr", "admin.print-done"),
                Err(e) => tr_with("fr", "admin.print-failed", &[("error", &e)]),
            }),
            Job::Export { kiosk, now } => JobDone::Admin(export_to_stick(&kiosk, now)),
            Job::ImportPlaces { kiosk } => JobDone::Admin(import_places_from_stick(&kiosk)),
        }
    }
}

/// Draw a ticket and print it.
pub fn print_ticket(printer: &dyn Printer, data: &TicketData) -> Result<(), String> {
    crate::kiosk::ticket::render(data, printer.width_mm()).map_err(|e| e.to_string()).and_then(|img| printer.print(&img).map_err(|e| e.to_string()))
}

/// The admin's test ticket: every accented letter, the euro sign, a test code.
pub fn test_ticket(kiosk: &Kiosk, date: chrono::NaiveDate) -> TicketData {
    TicketData {
        structure: kiosk.config.structure.clone(),
        commune: kiosk.config.commune.clone(),
        date,
        lang: "fr".into(),
        summary: crate::kiosk::summary::Summary {
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

/// Export what was not exported yet to the first USB stick found; the admin's message.
pub fn export_to_stick(kiosk: &Kiosk, now: chrono::NaiveDateTime) -> String {
    let result = (|| -> Result<String, crate::kiosk::export::ExportError> {
        let media = crate::kiosk::admin_tools::find_media(&kiosk.config.export_paths);
        let dest = media.first().ok_or(crate::kiosk::export::ExportError::NoMedia)?.path.clone();
        let mut store = Store::open(&kiosk.config.data_dir)?;
        let r = crate::kiosk::export::export(kiosk, &mut store, &crate::kiosk::export::RealFs, &dest, false, now)?;
        Ok(tr_with("fr", "admin.export-done", &[("n", &r.record.visits.to_string()), ("folder", &r.folder.display().to_string())]))
    })();
    match result {
        Ok(m) => m,
        Err(e) => {
            log::warn!("export failed ({}): {e}", e.code());
            tr_with("fr", "admin.export-failed", &[("code", e.code()), ("error", &e.to_string())])
        }
    }
}

/// "Importer des lieux depuis la clé USB": the newest national places CSV at the root of a stick
/// replaces the kiosk's places (the places in use stay if it is unusable); the admin's message.
pub fn import_places_from_stick(kiosk: &Kiosk) -> String {
    let file = crate::kiosk::admin_tools::find_media(&kiosk.config.export_paths).iter().find_map(|m| crate::kiosk::place_book::find_places_file(&m.path));
    match file {
        None => tr("fr", "admin.places-none"),
        Some(f) => match crate::kiosk::place_book::import(&f, &kiosk.config.data_dir, kiosk.config.departement.as_deref()) {
            Ok(r) => tr_with(
                "fr",
                "admin.places-imported",
                &[("kept", &r.kept.to_string()), ("refused", &r.problems.len().to_string()), ("other", &r.other_departements.to_string())],
            ),
            Err(e) => {
                log::warn!("places import failed: {e}");
                tr_with("fr", "admin.places-failed", &[("error", &e.to_string())])
            }
        },
    }
}

/// Delete the data already exported; the admin's message.
pub fn purge(store: &mut Store) -> String {
    match store.purge_exported() {
        Ok(r) => {
            log::info!("purge: {} visits, {} abandoned, {} contacts deleted", r.visits, r.abandons, r.contacts);
            tr_with("fr", "admin.purged", &[("v", &r.visits.to_string()), ("a", &r.abandons.to_string()), ("c", &r.contacts.to_string())])
        }
        Err(e) => e.to_string(),
    }
}

/// The retention pass (start-up, then once a day).
pub fn retention(kiosk: &Kiosk, store: &mut Store, today: chrono::NaiveDate) {
    match store.apply_retention(today, kiosk.config.retention) {
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
