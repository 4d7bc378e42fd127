//! Admin mode in the visit model: the inputs that reach [`crate::admin_state::Admin`] (the
//! hidden entry, the PIN pad, the admin screen's actions) with what they need of the rest of the
//! model (the store, the clock, the kiosk, the places, the disk), and the admin screen's
//! snapshot (counts, facts). Export, places import and the test ticket are [`Job`]s run on a
//! worker; the purge runs in place.

use crate::admin_state::AdminTask;
use crate::jobs::{self, Job};
use crate::screen_views::{AdminScreenView, AdminView, BarView, StatRowView};
use crate::visit_model::VisitModel;
use passerelle_core::engine::Screen as EScreen;
use passerelle_core::i18n::{tr, tr_with};

/// Exit status of the process when an admin quits the kiosk (the service does not restart it).
pub const QUIT_STATUS: u8 = 10;

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
        self.admin.is_open()
    }

    pub fn quit_requested(&self) -> bool {
        self.admin.quit_requested()
    }

    /// The 5-second press on the attract screen's corner.
    pub fn admin_long_press(&mut self) {
        if self.engine.screen() == EScreen::Attract {
            self.admin.open_pin_pad(self.clock.monotonic(), &self.store);
        }
    }

    /// A key of the PIN pad: a digit, "⌫" or "OK".
    pub fn admin_pin_key(&mut self, key: &str) {
        if self.admin.pin_key(key, self.clock.monotonic(), &self.store) {
            self.admin_snapshot();
        }
    }

    pub fn admin_pin_cancel(&mut self) {
        self.admin.pin_cancel();
    }

    pub fn admin_close(&mut self) {
        self.admin.close();
    }

    /// True when a snapshot taken again changed what the admin screen shows.
    pub(crate) fn admin_tick(&mut self) -> bool {
        self.admin.tick(self.clock.monotonic()) && self.admin_snapshot()
    }

    /// An action of the admin screen may start (open, no task running); it is a touch.
    fn admin_act(&mut self) -> bool {
        self.admin.act(self.clock.monotonic())
    }

    /// Start an admin task on a worker.
    fn admin_job(&mut self, task: AdminTask, job: Job) {
        self.admin.start(task);
        self.jobs.push(job);
    }

    pub fn admin_export(&mut self) {
        if self.admin_act() {
            let job = Job::Export { kiosk: Box::new(self.kiosk.clone()), now: self.clock.local_now() };
            self.admin_job(AdminTask::Export, job);
        }
    }

    /// "Importer des lieux depuis la clé USB" (see [`jobs::import_places_from_stick`]).
    pub fn admin_import_places(&mut self) {
        if self.admin_act() {
            self.admin_job(AdminTask::ImportPlaces, Job::ImportPlaces { kiosk: Box::new(self.kiosk.clone()) });
        }
    }

    pub fn admin_print_test(&mut self) {
        if !self.admin_act() {
            return;
        }
        let Some(printer) = self.printer.clone() else {
            self.admin.tell(jobs::AdminOutcome::TestNotPrinted { error: crate::printer::PrintError::NotConfigured.to_string() });
            return;
        };
        let data = jobs::test_ticket(&self.kiosk, self.clock.local_now().date());
        self.admin_job(AdminTask::TestTicket, Job::TestTicket { printer, data: Box::new(data) });
    }

    pub fn admin_task_finished(&mut self, outcome: &jobs::AdminOutcome) {
        if self.admin.task_finished(outcome.clone(), self.clock.monotonic()) {
            self.places = passerelle_shared::place_files::load(&self.kiosk.defs.config.data_dir, self.kiosk.defs.config.departement.as_deref());
        }
        // An export or an import may have given space back (or taken the last of it).
        self.check_disk();
        self.admin_snapshot();
    }

    /// The purge asks once, then deletes what was already exported.
    pub fn admin_purge(&mut self) {
        if self.admin_act() && self.admin.purge_confirmed() {
            let outcome = jobs::purge(&mut self.store);
            self.admin.tell(outcome);
            self.check_disk();
            self.admin_snapshot();
        }
    }

    /// "Quitter": the UI then ends its event loop.
    pub fn admin_quit(&mut self) {
        self.admin.quit();
    }

    pub fn admin_activity(&mut self) {
        self.admin.touch(self.clock.monotonic());
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
        self.admin.view(self.clock.monotonic())
    }

    /// Takes what the admin screen shows (see [`crate::admin_state::Admin::set_screen`]): when
    /// it opens, after each action, every few seconds, when the disk fills or frees up.
    /// True when the snapshot changed.
    pub(crate) fn admin_snapshot(&mut self) -> bool {
        if !self.admin.is_open() {
            return false;
        }
        let screen = self.admin_screen_view();
        self.admin.set_screen(screen, self.clock.monotonic())
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
        if self.service.disk_full() {
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
