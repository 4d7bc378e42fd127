//! Accessibility on the screen: the theme and the accessibility menu from the model's
//! [`A11yView`], the keypad's focus, and keys named as `kiosk.toml` names them. What they do is
//! decided by the model (`src/kiosk/a11y_model.rs`, `src/kiosk/keypad.rs`).

use super::{A11yAdapter, AppAdapter, AppWindow, Controller, FocusAdapter, Shared, Theme};
use crate::kiosk::keypad::Target;
use crate::kiosk::visit_model::A11yView;
use slint::ComponentHandle;
use slint::platform::Key;

/// The keys `kiosk.toml` names, as Slint writes them.
const NAMED_KEYS: [(Key, &str); 25] = [
    (Key::UpArrow, "Up"),
    (Key::DownArrow, "Down"),
    (Key::LeftArrow, "Left"),
    (Key::RightArrow, "Right"),
    (Key::Tab, "Tab"),
    (Key::Return, "Return"),
    (Key::Escape, "Escape"),
    (Key::Backspace, "Backspace"),
    (Key::Space, "Space"),
    (Key::PageUp, "PageUp"),
    (Key::PageDown, "PageDown"),
    (Key::Home, "Home"),
    (Key::End, "End"),
    (Key::F1, "F1"),
    (Key::F2, "F2"),
    (Key::F3, "F3"),
    (Key::F4, "F4"),
    (Key::F5, "F5"),
    (Key::F6, "F6"),
    (Key::F7, "F7"),
    (Key::F8, "F8"),
    (Key::F9, "F9"),
    (Key::F10, "F10"),
    (Key::F11, "F11"),
    (Key::F12, "F12"),
];

/// The name of a key from its Slint text ("Down", "F1"), or the text itself ("+", "3").
pub fn key_name(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(ch), None) => NAMED_KEYS.iter().find(|(k, _)| char::from(*k) == ch).map_or_else(|| text.to_string(), |(_, name)| name.to_string()),
        _ => text.to_string(),
    }
}

/// The theme, the accessibility menu and the keypad's focus.
pub(super) fn show(app: &AppWindow, v: &A11yView, focus: Option<&Target>) {
    let theme = app.global::<Theme>();
    theme.set_text_scale(v.text_scale);
    theme.set_high_contrast(v.high_contrast);
    theme.set_calm(v.calm);
    let a = app.global::<A11yAdapter>();
    a.set_panel_open(v.panel_open);
    a.set_text_step(v.text_step as i32);
    a.set_high_contrast(v.high_contrast);
    a.set_calm(v.calm);
    a.set_auto_read(v.auto_read);
    a.set_volume_step(v.volume_step as i32);
    a.set_volume_steps(v.volume_steps as i32);
    a.set_speech_available(v.speech_available);
    app.global::<FocusAdapter>().set_target(focus.map(|t| t.to_string()).unwrap_or_default().into());
}

pub fn connect(app: &AppWindow, c: &Shared) {
    on!(app, c, A11yAdapter.on_listen, |ctl| ctl.listen());
    on!(app, c, A11yAdapter.on_open_panel, |ctl| ctl.open_a11y_panel());
    on!(app, c, A11yAdapter.on_close_panel, |ctl| ctl.close_a11y_panel());
    on!(app, c, A11yAdapter.on_toggle_contrast, |ctl| ctl.toggle_contrast());
    on!(app, c, A11yAdapter.on_toggle_calm, |ctl| ctl.toggle_calm());
    on!(app, c, A11yAdapter.on_toggle_auto_read, |ctl| ctl.toggle_auto_read());
    on!(app, c, A11yAdapter.on_set_text_step, |ctl, s: i32| ctl.set_text_step(s.max(0) as usize));
    on!(app, c, A11yAdapter.on_volume, |ctl, d: i32| ctl.change_volume(d));
    let w = app.as_weak();
    let c = c.clone();
    app.global::<AppAdapter>().on_key(move |t| {
        let Some(app) = w.upgrade() else { return false };
        let used = c.borrow_mut().key_pressed(&t, &app.as_weak());
        c.borrow_mut().refresh(&app);
        used
    });
}
