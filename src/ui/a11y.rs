//! Accessibility on the screen: the theme and the accessibility menu from the model's
//! [`A11yView`] and the keypad's focus, as flags (`FocusFlags`). What they do is decided by the
//! model (`kiosk/src/a11y_model.rs`, `kiosk/src/keypad.rs`, `kiosk/src/screen_controls.rs`).

use super::{A11yAdapter, AppAdapter, AppWindow, FocusAdapter, KeypadFocus, Shared, Theme};
use crate::kiosk::keypad::Target;
use crate::kiosk::visit_model::{A11yView, FocusFlags};
use slint::ComponentHandle;

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
    a.set_volume_text(v.volume_text.as_str().into());
    a.set_speech_available(v.speech_available);
    a.set_languages_open(v.languages_open);
    // The keypad's focus: one flag per control (the tiles carry theirs in their items).
    let f = FocusFlags::of(focus);
    macro_rules! flags {
        ($($n:ident),*) => { KeypadFocus { $($n: f.$n,)* text_size: f.text_size.map_or(-1, |n| n as i32) } };
    }
    #[rustfmt::skip]
    let on = flags!(listen, menu, language, close_languages, next, back, skip, call, call_yes, call_no, consent_yes, consent_no, print, finish, profile,
        places, still_here, stop, stop_yes, stop_no, retry, contrast, calm, auto_read, volume_down, volume_up, close_menu);
    app.global::<FocusAdapter>().set_on(on);
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
    on!(app, c, AppAdapter.on_open_languages, |ctl| ctl.open_languages());
    on!(app, c, AppAdapter.on_close_languages, |ctl| ctl.close_languages());
    on!(app, c, AppAdapter.on_choose_language, |ctl, code: slint::SharedString| ctl.choose_language(&code));
    let w = app.as_weak();
    let c = c.clone();
    app.global::<AppAdapter>().on_key(move |t| {
        let Some(app) = w.upgrade() else { return false };
        let used = c.borrow_mut().key_pressed(&t, &app.as_weak());
        c.borrow_mut().refresh(&app);
        used
    });
}
