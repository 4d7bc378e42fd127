//! Admin mode on the kiosk: the hidden entry, the PIN pad with its lockout, the admin screen
//! and its actions. Export and the test ticket run on worker threads.

use super::{AdminAdapter, AppWindow, BarItem, Controller, Shared, StatRow};
use crate::shared::i18n::{tr, tr_with};
use passerelle_core::admin::Verdict;
use passerelle_core::engine::Screen as EScreen;
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::time::Duration;

/// The admin session ends after this long without a touch.
pub const ADMIN_IDLE: Duration = Duration::from_secs(120);
/// Exit status of the process when an admin quits the kiosk (the service does not restart it).
pub const QUIT_STATUS: u8 = 10;

#[derive(Debug, Default, Clone)]
pub struct AdminState {
    pub pin_open: bool,
    pin: String,
    message: String,
    pub open: bool,
    last_input: Duration,
    status: String,
    busy: bool,
    confirm_purge: bool,
    /// A places import is running: reload the places when it reports.
    reload_places: bool,
    pub quit: bool,
}

fn human_bytes(n: u64) -> String {
    const G: f64 = 1024.0 * 1024.0 * 1024.0;
    if n as f64 >= G { format!("{:.1} Go", n as f64 / G) } else { format!("{} Mo", n / (1024 * 1024)) }
}

impl Controller {
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
        self.admin.message = if !crate::kiosk::admin_tools::pin_configured(&self.store) { tr("fr", "admin.no-pin") } else { self.lock_message().unwrap_or_default() };
        self.admin_touch();
    }

    fn lock_message(&self) -> Option<String> {
        self.guard.locked(self.clock.monotonic()).map(|d| tr_with("fr", "admin.pin-locked", &[("n", &d.as_secs().div_ceil(60).to_string())]))
    }

    pub fn admin_pin_key(&mut self, key: &str) {
        self.admin_touch();
        match key {
            "⌫" => {
                self.admin.pin.pop();
            }
            "OK" => self.admin_check_pin(),
            d if d.len() == 1 && d.chars().all(|c| c.is_ascii_digit()) && self.admin.pin.len() < 8 => self.admin.pin.push_str(d),
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
        if !crate::kiosk::admin_tools::pin_configured(&self.store) {
            self.admin.message = tr("fr", "admin.no-pin");
            return;
        }
        let pin = std::mem::take(&mut self.admin.pin);
        let correct = crate::kiosk::admin_tools::verify_pin(&self.store, &pin).unwrap_or(false);
        let verdict = self.guard.record(correct, now);
        crate::kiosk::admin_tools::set_failures(&self.store, self.guard.failures);
        match verdict {
            Verdict::Accepted => {
                log::info!("admin session opened");
                self.admin.pin_open = false;
                self.admin.open = true;
                self.admin.message.clear();
                self.admin.status.clear();
                self.admin.confirm_purge = false;
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
        self.admin = AdminState::default();
    }

    pub(super) fn admin_tick(&mut self) {
        let idle = self.clock.monotonic().saturating_sub(self.admin.last_input);
        if (self.admin.open || self.admin.pin_open) && !self.admin.busy && idle >= ADMIN_IDLE {
            log::info!("admin session ended after inactivity");
            self.admin = AdminState::default();
        }
    }

    /// Retention, at start-up and then once a day.
    pub fn daily_retention(&mut self) {
        let today = self.clock.local_now().date();
        if self.retention_day == Some(today) {
            return;
        }
        self.retention_day = Some(today);
        match self.store.apply_retention(today, self.kiosk.config.retention) {
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

    pub fn admin_export(&mut self, app: slint::Weak<AppWindow>) {
        if !self.admin.open || self.admin.busy {
            return;
        }
        self.admin_touch();
        self.admin.busy = true;
        self.admin.confirm_purge = false;
        self.admin.status = tr("fr", "admin.exporting");
        let kiosk = self.kiosk.clone();
        let now = self.clock.local_now();
        std::thread::spawn(move || {
            let result = (|| -> Result<String, crate::kiosk::export::ExportError> {
                let media = crate::kiosk::admin_tools::find_media(&kiosk.config.export_paths);
                let dest = media.first().ok_or(crate::kiosk::export::ExportError::NoMedia)?.path.clone();
                let mut store = crate::kiosk::store::Store::open(&kiosk.config.data_dir)?;
                let r = crate::kiosk::export::export(&kiosk, &mut store, &crate::kiosk::export::RealFs, &dest, false, now)?;
                Ok(tr_with("fr", "admin.export-done", &[("n", &r.record.visits.to_string()), ("folder", &r.folder.display().to_string())]))
            })();
            let message = match result {
                Ok(m) => m,
                Err(e) => {
                    log::warn!("export failed ({}): {e}", e.code());
                    tr_with("fr", "admin.export-failed", &[("code", e.code()), ("error", &e.to_string())])
                }
            };
            let _ = app.upgrade_in_event_loop(move |app| app.global::<AdminAdapter>().invoke_task_finished(message.into()));
        });
    }

    /// "Importer des lieux depuis la clé USB": the newest national places CSV at the root of the
    /// stick replaces the kiosk's places (on a worker; the places in use stay if it is unusable).
    pub fn admin_import_places(&mut self, app: slint::Weak<AppWindow>) {
        if !self.admin.open || self.admin.busy {
            return;
        }
        self.admin_touch();
        self.admin.busy = true;
        self.admin.confirm_purge = false;
        self.admin.reload_places = true;
        self.admin.status = tr("fr", "admin.importing-places");
        let kiosk = self.kiosk.clone();
        std::thread::spawn(move || {
            let file = crate::kiosk::admin_tools::find_media(&kiosk.config.export_paths).iter().find_map(|m| crate::kiosk::place_book::find_places_file(&m.path));
            let message = match file {
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
            };
            let _ = app.upgrade_in_event_loop(move |app| app.global::<AdminAdapter>().invoke_task_finished(message.into()));
        });
    }

    pub fn admin_print_test(&mut self, app: slint::Weak<AppWindow>) {
        if !self.admin.open || self.admin.busy {
            return;
        }
        self.admin_touch();
        let Some(printer) = self.printer.clone() else {
            self.admin.status = tr_with("fr", "admin.print-failed", &[("error", &crate::kiosk::printer::PrintError::NotConfigured.to_string())]);
            return;
        };
        self.admin.busy = true;
        self.admin.status = tr("fr", "admin.printing");
        let data = crate::kiosk::ticket::TicketData {
            structure: self.kiosk.config.structure.clone(),
            commune: self.kiosk.config.commune.clone(),
            date: self.clock.local_now().date(),
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
        };
        std::thread::spawn(move || {
            let r = crate::kiosk::ticket::render(&data, printer.width_mm()).map_err(|e| e.to_string()).and_then(|img| printer.print(&img).map_err(|e| e.to_string()));
            let message = match r {
                Ok(()) => tr("fr", "admin.print-done"),
                Err(e) => tr_with("fr", "admin.print-failed", &[("error", &e)]),
            };
            let _ = app.upgrade_in_event_loop(move |app| app.global::<AdminAdapter>().invoke_task_finished(message.into()));
        });
    }

    pub fn admin_task_finished(&mut self, message: &str) {
        self.admin.busy = false;
        if std::mem::take(&mut self.admin.reload_places) {
            self.places = crate::kiosk::place_book::load(&self.kiosk.config.data_dir, self.kiosk.config.departement.as_deref());
        }
        self.admin.status = message.to_string();
        self.admin_touch();
        self.check_disk();
    }

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
        self.admin.status = match self.store.purge_exported() {
            Ok(r) => {
                log::info!("purge: {} visits, {} abandoned, {} contacts deleted", r.visits, r.abandons, r.contacts);
                tr_with("fr", "admin.purged", &[("v", &r.visits.to_string()), ("a", &r.abandons.to_string()), ("c", &r.contacts.to_string())])
            }
            Err(e) => e.to_string(),
        };
        self.check_disk();
    }

    pub fn admin_quit(&mut self) {
        if self.admin.open {
            log::info!("kiosk stopped by an admin");
            self.admin.quit = true;
            let _ = slint::quit_event_loop();
        }
    }

    pub fn admin_activity(&mut self) {
        self.admin_touch();
    }

    fn printer_fact(&self) -> String {
        use passerelle_core::config::PrinterConfig;
        let p = match &self.kiosk.config.printer {
            PrinterConfig::None => tr("fr", "admin.printer-none"),
            PrinterConfig::Escpos { device, .. } if !device.exists() => {
                tr_with("fr", "admin.printer-missing", &[("p", &self.printer.as_ref().map(|p| p.describe()).unwrap_or_default())])
            }
            _ => self.printer.as_ref().map(|p| p.describe()).unwrap_or_default(),
        };
        tr_with("fr", "admin.printer", &[("p", &p)])
    }

    pub(super) fn refresh_admin(&mut self, app: &AppWindow, _lang: &str) {
        let a = app.global::<AdminAdapter>();
        a.set_pin_open(self.admin.pin_open);
        a.set_pin_dots("●".repeat(self.admin.pin.len()).into());
        a.set_pin_message(self.admin.message.clone().into());
        a.set_pin_locked(self.guard.locked(self.clock.monotonic()).is_some());
        a.set_status(self.admin.status.clone().into());
        a.set_busy(self.admin.busy);
        a.set_confirm_purge(self.admin.confirm_purge);
        if !self.admin.open {
            return;
        }
        let today = self.clock.local_now().date();
        let s = self.store.stats().unwrap_or_default();
        let (ft, at) = self.store.counts_since(today).unwrap_or_default();
        let (fw, aw) = self.store.counts_since(today - chrono::Duration::days(6)).unwrap_or_default();
        a.set_stats(ModelRc::new(VecModel::from(vec![
            StatRow {
                label: tr("fr", "admin.finished").into(),
                today: ft.to_string().into(),
                week: fw.to_string().into(),
                total: s.finished.to_string().into(),
            },
            StatRow {
                label: tr("fr", "admin.abandoned").into(),
                today: at.to_string().into(),
                week: aw.to_string().into(),
                total: s.abandoned.to_string().into(),
            },
        ])));
        let days: Vec<(String, i64)> = (0..14)
            .rev()
            .map(|i| {
                let d = today - chrono::Duration::days(i);
                let key = d.format("%Y-%m-%d").to_string();
                let n = s.per_day.iter().find(|x| x.date == key).map_or(0, |x| x.finished);
                (d.format("%d/%m").to_string(), n)
            })
            .collect();
        a.set_per_day(bars(&days));
        let mut levels: Vec<(String, i64)> = passerelle_core::vocab::COOP_AUTONOMIE
            .iter()
            .map(|l| (format!("{} {}", passerelle_core::vocab::stars(l), short_autonomy(l)), s.autonomy.get(*l).copied().unwrap_or(0)))
            .collect();
        levels.push((tr("fr", "admin.not-assessed"), s.autonomy.get("non_evalue").copied().unwrap_or(0)));
        a.set_autonomy(bars(&levels));
        let mut facts = vec![
            tr_with("fr", "admin.version", &[("v", env!("CARGO_PKG_VERSION"))]),
            tr_with("fr", "admin.kiosk", &[("id", &self.kiosk.config.kiosk_id), ("structure", &self.kiosk.config.structure)]),
            tr_with(
                "fr",
                "admin.free",
                &[(
                    "n",
                    &crate::kiosk::admin_tools::free_bytes(self.store.path().parent().unwrap_or(&self.kiosk.config.data_dir)).map(human_bytes).unwrap_or_else(|| "?".into()),
                )],
            ),
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
        facts.push(match crate::kiosk::admin_tools::find_media(&self.kiosk.config.export_paths).first() {
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
            .offered_languages()
            .into_iter()
            .map(|(l, reviewed)| if reviewed { tr(l, "lang.name") } else { format!("{} ({})", tr(l, "lang.name"), tr("fr", "admin.not-reviewed")) })
            .collect();
        facts.push(tr_with("fr", "admin.languages", &[("list", &langs.join(", "))]));
        a.set_facts(ModelRc::new(VecModel::from(facts.into_iter().map(SharedString::from).collect::<Vec<_>>())));
    }
}

fn short_autonomy(level: &str) -> &'static str {
    match level {
        "entierement_accompagne" => "Avec guidage",
        "partiellement_autonome" => "Guidage si besoin",
        _ => "Autonome",
    }
}

fn bars(items: &[(String, i64)]) -> ModelRc<BarItem> {
    let max = items.iter().map(|x| x.1).max().unwrap_or(0).max(1) as f32;
    ModelRc::new(VecModel::from(
        items.iter().map(|(l, v)| BarItem { label: l.clone().into(), value: *v as i32, fraction: *v as f32 / max }).collect::<Vec<_>>(),
    ))
}

pub fn connect(app: &AppWindow, c: &Shared) {
    let a = app.global::<AdminAdapter>();
    let wire = |f: fn(&mut Controller, slint::Weak<AppWindow>)| {
        let w = app.as_weak();
        let c = c.clone();
        move || {
            let Some(app) = w.upgrade() else { return };
            f(&mut c.borrow_mut(), app.as_weak());
            c.borrow_mut().refresh(&app);
        }
    };
    a.on_long_press(wire(|c, _| c.admin_long_press()));
    a.on_pin_cancel(wire(|c, _| c.admin_pin_cancel()));
    a.on_export(wire(|c, w| c.admin_export(w)));
    a.on_print_test(wire(|c, w| c.admin_print_test(w)));
    a.on_import_places(wire(|c, w| c.admin_import_places(w)));
    a.on_purge(wire(|c, _| c.admin_purge()));
    a.on_quit(wire(|c, _| c.admin_quit()));
    a.on_close(wire(|c, _| c.admin_close()));
    a.on_activity(wire(|c, _| c.admin_activity()));
    {
        let w = app.as_weak();
        let c = c.clone();
        a.on_pin_key(move |k| {
            let Some(app) = w.upgrade() else { return };
            c.borrow_mut().admin_pin_key(&k);
            c.borrow_mut().refresh(&app);
        });
    }
    {
        let w = app.as_weak();
        let c = c.clone();
        a.on_task_finished(move |m| {
            let Some(app) = w.upgrade() else { return };
            c.borrow_mut().admin_task_finished(&m);
            c.borrow_mut().refresh(&app);
        });
    }
}
