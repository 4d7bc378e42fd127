//! Admin mode on the screen: the PIN pad and the admin screen from the model's [`AdminView`];
//! what they do is decided by the model (`src/kiosk/admin_model.rs`).

use super::{AdminAdapter, AppWindow, BarItem, Shared, StatRow, model, strings};
use crate::kiosk::screen_views::{AdminView, BarView};
use slint::{ComponentHandle, ModelRc, SharedString};

pub use crate::kiosk::{admin_model::QUIT_STATUS, admin_state::ADMIN_IDLE};

fn bars(b: &[BarView]) -> ModelRc<BarItem> {
    model(b.iter().map(|b| BarItem { label: b.label.as_str().into(), value: b.value as i32, fraction: b.fraction }))
}

pub(super) fn show(app: &AppWindow, v: &AdminView) {
    let a = app.global::<AdminAdapter>();
    a.set_pin_open(v.pin_open);
    a.set_pin_dots(v.pin_dots.as_str().into());
    a.set_pin_message(v.pin_message.as_str().into());
    a.set_pin_locked(v.pin_locked);
    a.set_status(v.status.as_str().into());
    a.set_busy(v.busy);
    a.set_confirm_purge(v.confirm_purge);
    let Some(s) = &v.screen else { return };
    a.set_stats(model(s.stats.iter().map(|r| StatRow {
        label: r.label.as_str().into(),
        today: r.today.as_str().into(),
        week: r.week.as_str().into(),
        total: r.total.as_str().into(),
    })));
    a.set_per_day(bars(&s.per_day));
    a.set_autonomy(bars(&s.autonomy));
    a.set_facts(strings(&s.facts));
}

pub fn connect(app: &AppWindow, c: &Shared) {
    on!(app, c, AdminAdapter.on_long_press, |ctl| ctl.admin_long_press());
    on!(app, c, AdminAdapter.on_pin_cancel, |ctl| ctl.admin_pin_cancel());
    on!(app, c, AdminAdapter.on_export, |ctl| ctl.admin_export());
    on!(app, c, AdminAdapter.on_print_test, |ctl| ctl.admin_print_test());
    on!(app, c, AdminAdapter.on_import_places, |ctl| ctl.admin_import_places());
    on!(app, c, AdminAdapter.on_purge, |ctl| ctl.admin_purge());
    on!(app, c, AdminAdapter.on_close, |ctl| ctl.admin_close());
    on!(app, c, AdminAdapter.on_activity, |ctl| ctl.admin_activity());
    on!(app, c, AdminAdapter.on_pin_key, |ctl, k: SharedString| ctl.admin_pin_key(&k));
    on!(app, c, AdminAdapter.on_quit, |ctl| {
        ctl.admin_quit();
        if ctl.quit_requested() {
            let _ = slint::quit_event_loop();
        }
    });
}
