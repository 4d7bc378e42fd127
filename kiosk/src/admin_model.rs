//! Admin mode in the visit model: the hidden entry, the PIN pad with its lockout, the admin
//! screen (counts, facts) and its actions. Export, places import and the test ticket are
//! [`Job`]s run on a worker; the purge and the retention pass run in place.

use crate::jobs::{self, Job};
use crate::screen_views::{AdminScreenView, AdminView, BarView, StatRowView};
use crate::visit_model::VisitModel;
use passerelle_core::admin::Verdict;
use passerelle_core::engine::Screen as EScreen;
use passerelle_core::i18n::{tr, tr_with};
use std::time::Duration;

/// The admin session ends after this long without a touch.
pub const ADMIN_IDLE: Duration = Duration::from_secs(120);
/// Exit status of the process when an admin quits the kiosk (the service does not restart it).
pub const QUIT_STATUS: u8 = 10;
/// The longest PIN.
const PIN_MAX: usize = 8;

fn human_bytes(n: u64) -> String {
    const G: f64 = 1024.0 * 1024.0 * 1024.0;
    if n as f64 >= G { format!("{:.1} Go", n as f64 / G) } else { format!("{} Mo", n / (1024 * 1024)) }
}

fn short_autonomy(level: &str) -> &'static str {
    match level {
        "entierement_accompagne" => "Avec guidage",
        "partiellement_autonome" => "Guidage si besoin",
        _ => "Autonome",
    }
}

/// Bars scaled to the largest.
pub fn bars(items: &[(String, i64)]) -> Vec<BarView> {
    let max = items.iter().map(|x| x.1).max().unwrap_or(0).max(1) as f32;
    items.iter().map(|(l, v)| BarView { label: l.clone(), value: *v, fraction: *v as f32 / max }).collect()
}

impl VisitModel {
    pub fn admin_open(&self) -> bool {
        self.admin.open
    }

    pub fn quit_requested(&self) -> bool {
        self.admin.quit
    }

    fn admin_touch(&mut self) {
        self.admin.last_input = self.clock.monotonic();
    }

    /// The 5-second press on the attract screen's corner.
    pub fn admin_long_press(&mut self) {
        if self.engine.screen() != EScreen::Attract || self.admin.open {
            return;
        }
        self.admin.pin_open = true;
        self.admin.pin.clear();
        self.admin.message = if !crate::admin_tools::pin_configured(&self.store) { tr("fr", "admin.no-pin") } else { self.lock_message().unwrap_or_default() };
        self.admin_touch();
    }

    fn lock_message(&self) -> Option<String> {
        self.guard.locked(self.clock.monotonic()).map(|d| tr_with("fr", "admin.pin-locked", &[("n", &d.as_secs().div_ceil(60).to_string())]))
    }

    /// A key of the PIN pad: a digit, "⌫" or "OK".
    pub fn admin_pin_key(&mut self, key: &str) {
        self.admin_touch();
        match key {
            "⌫" => {
                self.admin.pin.pop();
            }
            "OK" => self.admin_check_pin(),
            d if d.len() == 1 && d.chars().all(|c| c.is_ascii_digit()) && self.admin.pin.len() < PIN_MAX => self.admin.pin.push_str(d),
            _ => {}
        }
    }

    fn admin_check_pin(&mut self) {
        let now = self.clock.monotonic();
        if let Some(m) = self.lock_message() {
            self.admin.message = m;
            self.admin.pin.clear();
            return;
        }
        if !crate::admin_tools::pin_configured(&self.store) {
            self.admin.message = tr("fr", "admin.no-pin");
            return;
        }
        let pin = std::mem::take(&mut self.admin.pin);
        let correct = crate::admin_tools::verify_pin(&self.store, &pin).unwrap_or(false);
        let verdict = self.guard.record(correct, now);
        crate::admin_tools::set_failures(&self.store, self.guard.failures);
        match verdict {
            Verdict::Accepted => {
                log::info!("admin session opened");
                self.admin.pin_open = false;
                self.admin.open = true;
                self.admin.message.clear();
                self.admin.status.clear();
                self.admin.confirm_purge = false;
                self.admin_snapshot();
            }
            Verdict::Refused { left } => {
                log::warn!("admin PIN refused ({} consecutive failure(s))", self.guard.failures);
                self.admin.message = tr_with("fr", "admin.pin-wrong", &[("n", &left.to_string())]);
            }
            Verdict::Locked { for_ } => {
                log::warn!("admin PIN refused ({} consecutive failures): entry locked for {} s", self.guard.failures, for_.as_secs());
                self.admin.message = tr_with("fr", "admin.pin-locked", &[("n", &for_.as_secs().div_ceil(60).to_string())]);
            }
        }
    }

    pub fn admin_pin_cancel(&mut self) {
        self.admin.pin_open = false;
        self.admin.pin.clear();
        self.admin.message.clear();
    }

    pub fn admin_close(&mut self) {
        if self.admin.open {
            log::info!("admin session closed");
        }
        self.admin = Default::default();
    }

    pub(crate) fn admin_tick(&mut self) {
        let idle = self.clock.monotonic().saturating_sub(self.admin.last_input);
        if (self.admin.open || self.admin.pin_open) && !self.admin.busy && idle >= ADMIN_IDLE {
            log::info!("admin session ended after inactivity");
            self.admin = Default::default();
        }
        if self.admin.open && self.clock.monotonic().saturating_sub(self.admin.screen_at) >= crate::model_state::ADMIN_SNAPSHOT_EVERY {
            self.admin_snapshot();
        }
    }

    /// Retention, at start-up and then once a day.
    pub fn daily_retention(&mut self) {
        let today = self.clock.local_now().date();
        if self.retention_day == Some(today) {
            return;
        }
        self.retention_day = Some(today);
        jobs::retention(&self.kiosk, &mut self.store, today);
    }

    /// Start an admin task on a worker, unless one is running.
    fn admin_job(&mut self, status: &str, job: Job) {
        self.admin.busy = true;
        self.admin.confirm_purge = false;
        self.admin.status = tr("fr", status);
        self.jobs.push(job);
    }

    pub fn admin_export(&mut self) {
        if !self.admin.open || self.admin.busy {
            return;
        }
        self.admin_touch();
        let job = Job::Export { kiosk: Box::new(self.kiosk.clone()), now: self.clock.local_now() };
        self.admin_job("admin.exporting", job);
    }

    /// "Importer des lieux depuis la clé USB" (see [`jobs::import_places_from_stick`]).
    pub fn admin_import_places(&mut self) {
        if !self.admin.open || self.admin.busy {
            return;
        }
        self.admin_touch();
        self.admin.reload_places = true;
        self.admin_job("admin.importing-places", Job::ImportPlaces { kiosk: Box::new(self.kiosk.clone()) });
    }

    pub fn admin_print_test(&mut self) {
        if !self.admin.open || self.admin.busy {
            return;
        }
        self.admin_touch();
        let Some(printer) = self.printer.clone() else {
            self.admin.status = tr_with("fr", "admin.print-failed", &[("error", &crate::printer::PrintError::NotConfigured.to_string())]);
            return;
        };
        let data = jobs::test_ticket(&self.kiosk, self.clock.local_now().date());
        // The test ticket leaves a confirmed purge as it was.
        let confirm = self.admin.confirm_purge;
        self.admin_job("admin.printing", Job::TestTicket { printer, data: Box::new(data) });
        self.admin.confirm_purge = confirm;
    }

    pub fn admin_task_finished(&mut self, outcome: &jobs::AdminOutcome) {
        self.admin.busy = false;
        if std::mem::take(&mut self.admin.reload_places) {
            self.places = passerelle_shared::place_files::load(&self.kiosk.defs.config.data_dir, self.kiosk.defs.config.departement.as_deref());
        }
        self.admin.status = outcome.message("fr");
        self.admin_touch();
        // An export or an import may have given space back (or taken the last of it).
        self.check_disk();
        self.admin_snapshot();
    }

    /// The purge asks once, then deletes what was already exported.
    pub fn admin_purge(&mut self) {
        if !self.admin.open || self.admin.busy {
            return;
        }
        self.admin_touch();
        if !self.admin.confirm_purge {
            self.admin.confirm_purge = true;
            self.admin.status = tr("fr", "admin.purge-ask");
            return;
        }
        self.admin.confirm_purge = false;
        self.admin.status = jobs::purge(&mut self.store).message("fr");
        self.check_disk();
        self.admin_snapshot();
    }

    /// "Quitter": the UI then ends its event loop.
    pub fn admin_quit(&mut self) {
        if self.admin.open {
            log::info!("kiosk stopped by an admin");
            self.admin.quit = true;
        }
    }

    pub fn admin_activity(&mut self) {
        self.admin_touch();
    }

    fn printer_fact(&self) -> String {
        use passerelle_core::config::PrinterConfig;
        let described = || self.printer.as_ref().map(|p| p.describe()).unwrap_or_default();
        let p = match &self.kiosk.defs.config.printer {
            PrinterConfig::None => tr("fr", "admin.printer-none"),
            PrinterConfig::Escpos { device, .. } if !device.exists() => tr_with("fr", "admin.printer-missing", &[("p", &described())]),
            _ => described(),
        };
        tr_with("fr", "admin.printer", &[("p", &p)])
    }

    pub(crate) fn admin_view(&self) -> AdminView {
        let a = &self.admin;
        AdminView {
            pin_open: a.pin_open,
            pin_dots: "●".repeat(a.pin.len()),
            pin_message: a.message.clone(),
            pin_locked: self.guard.locked(self.clock.monotonic()).is_some(),
            status: a.status.clone(),
            busy: a.busy,
            confirm_purge: a.confirm_purge,
            screen: if a.open { a.screen.clone() } else { None },
        }
    }

    /// Takes what the admin screen shows (see `AdminState::screen`): when it opens, after each
    /// action, when the disk fills or frees up.
    pub(crate) fn admin_snapshot(&mut self) {
        if self.admin.open {
            self.admin.screen = Some(self.admin_screen_view());
            self.admin.screen_at = self.clock.monotonic();
        }
    }

    fn admin_screen_view(&self) -> AdminScreenView {
        let today = self.clock.local_now().date();
        let s = self.store.stats().unwrap_or_default();
        let (ft, at) = self.store.counts_since(today).unwrap_or_default();
        let (fw, aw) = self.store.counts_since(today - chrono::Duration::days(6)).unwrap_or_default();
        let row = |key: &str, today: i64, week: i64, total: i64| StatRowView {
            label: tr("fr", key),
            today: today.to_string(),
            week: week.to_string(),
            total: total.to_string(),
        };
        let stats = vec![row("admin.finished", ft, fw, s.finished), row("admin.abandoned", at, aw, s.abandoned)];
        let days: Vec<(String, i64)> = (0..14)
            .rev()
            .map(|i| {
                let d = today - chrono::Duration::days(i);
                let key = d.format("%Y-%m-%d").to_string();
                let n = s.per_day.iter().find(|x| x.date == key).map_or(0, |x| x.finished);
                (d.format("%d/%m").to_string(), n)
            })
            .collect();
        let mut levels: Vec<(String, i64)> = passerelle_core::vocab::COOP_AUTONOMIE
            .iter()
            .map(|l| (format!("{} {}", passerelle_core::vocab::stars(l), short_autonomy(l)), s.autonomy.get(*l).copied().unwrap_or(0)))
            .collect();
        levels.push((tr("fr", "admin.not-assessed"), s.autonomy.get("non_evalue").copied().unwrap_or(0)));
        let config = &self.kiosk.defs.config;
        let free = crate::admin_tools::free_bytes(self.store.path().parent().unwrap_or(&config.data_dir)).map(human_bytes).unwrap_or_else(|| "?".into());
        let mut facts = vec![
            tr_with("fr", "admin.version", &[("v", env!("CARGO_PKG_VERSION"))]),
            tr_with("fr", "admin.kiosk", &[("id", &config.kiosk_id), ("structure", &config.structure)]),
            tr_with("fr", "admin.free", &[("n", &free)]),
        ];
        if self.disk_full {
            facts.push(tr("fr", "admin.disk-full"));
        }
        facts.push(match self.store.last_export().ok().flatten() {
            Some(e) => tr_with(
                "fr",
                "admin.last-export",
                &[("date", &format!("{} {}h", e.local_date, e.local_hour)), ("n", &e.visits.to_string()), ("folder", &e.folder)],
            ),
            None => tr("fr", "admin.no-export"),
        });
        let (uv, ua) = self.store.unexported().unwrap_or_default();
        facts.push(tr_with("fr", "admin.to-export", &[("v", &uv.to_string()), ("a", &ua.to_string())]));
        facts.push(match crate::admin_tools::find_media(&config.export_paths).first() {
            Some(m) => tr_with("fr", "admin.usb", &[("path", &m.path.display().to_string()), ("free", &m.free.map(human_bytes).unwrap_or_else(|| "?".into()))]),
            None => tr("fr", "admin.no-usb"),
        });
        facts.push(self.printer_fact());
        facts.push(tr_with("fr", "admin.places", &[("n", &self.places.places.len().to_string()), ("source", &self.places.source)]));
        if let Ok(Some(m)) = self.store.meta_get("damaged_database") {
            facts.push(tr_with("fr", "admin.damaged-db", &[("path", &m)]));
        }
        facts.push(tr("fr", if self.kiosk.consent_offered() { "admin.consent-on" } else { "admin.consent-off" }));
        let langs: Vec<String> = self
            .kiosk
            .defs
            .offered_languages()
            .into_iter()
            .map(|(l, reviewed)| if reviewed { tr(l, "lang.name-fr") } else { format!("{} ({})", tr(l, "lang.name-fr"), tr("fr", "admin.not-reviewed")) })
            .collect();
        facts.push(tr_with("fr", "admin.languages", &[("list", &langs.join(", "))]));
        AdminScreenView { stats, per_day: bars(&days), autonomy: bars(&levels), facts }
    }
}
