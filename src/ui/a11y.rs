//! Accessibility on the kiosk: "Écouter" and automatic reading, the accessibility menu (larger
//! text, high contrast, calmer layout, volume), and full operation from a keypad: a visible focus
//! moved with arrows or Tab, Enter to choose, Escape to go back, a key to repeat, volume keys.
//! Everything goes back to normal for the next visitor.

use super::{A11yAdapter, AppAdapter, AppWindow, Controller, FocusAdapter, Override, Shared, Theme};
use crate::shared::i18n::{tr, tr_with};
use crate::kiosk::speech::{DEFAULT_VOLUME, VOLUMES};
use crate::kiosk::speech_text::{self, Spoken};
use passerelle_core::engine::Screen as EScreen;
use passerelle_core::questionnaire::Kind;
use slint::ComponentHandle;
use slint::platform::Key;

pub const TEXT_SCALES: [f32; 3] = [1.0, 1.25, 1.5];

#[derive(Debug, Clone, PartialEq)]
pub struct A11yState {
    pub panel_open: bool,
    pub text_step: usize,
    pub high_contrast: bool,
    pub calm: bool,
    pub auto_read: bool,
    default_auto_read: bool,
    pub volume: usize,
    /// The visitor used speech during this visit (the inactivity warning is then spoken too).
    pub used_speech: bool,
    /// The visitor uses keys (a keypad): every new screen is then read aloud.
    pub used_keys: bool,
}

impl A11yState {
    pub fn new(auto_read: bool) -> A11yState {
        A11yState {
            panel_open: false,
            text_step: 0,
            high_contrast: false,
            calm: false,
            auto_read,
            default_auto_read: auto_read,
            volume: DEFAULT_VOLUME,
            used_speech: false,
            used_keys: false,
        }
    }
}

/// The Slint text of a configured key name.
pub fn key_text(name: &str) -> String {
    let k = match name {
        "Up" => Key::UpArrow,
        "Down" => Key::DownArrow,
        "Left" => Key::LeftArrow,
        "Right" => Key::RightArrow,
        "Tab" => Key::Tab,
        "Return" => Key::Return,
        "Escape" => Key::Escape,
        "Backspace" => Key::Backspace,
        "Space" => Key::Space,
        "PageUp" => Key::PageUp,
        "PageDown" => Key::PageDown,
        "Home" => Key::Home,
        "End" => Key::End,
        "F1" => Key::F1,
        "F2" => Key::F2,
        "F3" => Key::F3,
        "F4" => Key::F4,
        "F5" => Key::F5,
        "F6" => Key::F6,
        "F7" => Key::F7,
        "F8" => Key::F8,
        "F9" => Key::F9,
        "F10" => Key::F10,
        "F11" => Key::F11,
        "F12" => Key::F12,
        other => return other.to_string(),
    };
    char::from(k).to_string()
}

enum Action {
    Next,
    Previous,
    Activate,
    Back,
    Repeat,
    VolumeUp,
    VolumeDown,
}

impl Controller {
    pub fn a11y(&self) -> &A11yState {
        &self.a11y
    }

    /// The keypad focus: an index into [`Controller::targets`].
    pub fn focus_index(&self) -> Option<usize> {
        self.focus
    }

    pub fn reset_a11y(&mut self) {
        self.speech.stop();
        self.a11y = A11yState::new(self.a11y.default_auto_read);
        self.focus = None;
    }

    fn volume_value(&self) -> u32 {
        VOLUMES[self.a11y.volume.min(VOLUMES.len() - 1)]
    }

    fn say(&mut self, text: &str) {
        let lang = self.lang();
        let v = self.volume_value();
        self.speech.say(text, &lang, v);
    }

    /// "Écouter": read the screen aloud.
    pub fn listen(&mut self) {
        self.engine.still_here();
        self.a11y.used_speech = true;
        let (_, text) = self.spoken();
        self.say(&text);
    }

    pub fn open_a11y_panel(&mut self) {
        self.engine.still_here();
        self.a11y.panel_open = true;
        self.focus = None;
    }

    pub fn close_a11y_panel(&mut self) {
        self.engine.still_here();
        self.a11y.panel_open = false;
        self.focus = None;
    }

    pub fn set_text_step(&mut self, step: usize) {
        self.engine.still_here();
        self.a11y.text_step = step.min(TEXT_SCALES.len() - 1);
    }

    pub fn toggle_contrast(&mut self) {
        self.engine.still_here();
        self.a11y.high_contrast = !self.a11y.high_contrast;
    }

    pub fn toggle_calm(&mut self) {
        self.engine.still_here();
        self.a11y.calm = !self.a11y.calm;
    }

    pub fn toggle_auto_read(&mut self) {
        self.engine.still_here();
        self.a11y.auto_read = !self.a11y.auto_read;
        if self.a11y.auto_read {
            self.a11y.used_speech = true;
            let t = tr(&self.lang(), "a11y.auto-read");
            self.say(&t);
        } else {
            self.speech.stop();
        }
    }

    pub fn change_volume(&mut self, delta: i32) {
        self.engine.still_here();
        let v = (self.a11y.volume as i32 + delta).clamp(0, VOLUMES.len() as i32 - 1) as usize;
        self.a11y.volume = v;
        let t = format!("{} {} / {}", tr(&self.lang(), "a11y.volume"), v + 1, VOLUMES.len());
        self.say(&t);
    }

    /// The current screen for speech: a key that changes with the screen, and its text.
    pub fn spoken(&self) -> (String, String) {
        let lang = self.lang();
        let k = &self.kiosk;
        if self.a11y.panel_open {
            return (format!("a11y/{lang}"), speech_text::text(k, &Spoken::A11y, &lang));
        }
        if self.engine.warning() {
            let secs = self.idle_left.unwrap_or(self.engine.options().idle_reset).as_secs();
            return (format!("idle/{lang}"), speech_text::text(k, &Spoken::Idle { seconds: secs }, &lang));
        }
        if let Some(Override::SaveFailed { lang, .. }) = &self.over {
            return (format!("save-failed/{lang}"), speech_text::text(k, &Spoken::SaveFailed, lang));
        }
        if self.disk_out_of_service() {
            return (format!("oos/{lang}"), format!("{}. {}", tr(&lang, "oos.title"), tr(&lang, "oos.body")));
        }
        match self.engine.screen() {
            EScreen::Attract => ("attract".into(), speech_text::text(k, &Spoken::Attract, &lang)),
            EScreen::Notice => (format!("notice/{lang}"), speech_text::text(k, &Spoken::Notice, &lang)),
            EScreen::Question { index, row } => {
                let q = &k.questionnaire.questions()[index];
                let selected = self.engine.selected();
                let text = speech_text::text(
                    k,
                    &Spoken::Question { q, row: self.engine.current_row(), progress: self.engine.progress(), selected: &selected, form_open: self.form_open },
                    &lang,
                );
                (format!("q/{}/{row}/{}/{lang}", q.id, self.form_open), text)
            }
            EScreen::Completed | EScreen::End => match &self.saved {
                Some(saved) => {
                    let summary = crate::kiosk::summary::summary(&saved.profile, &k.questionnaire, &k.rules.capability_question, &lang);
                    let can_print = self.printer.is_some();
                    let places = self.place_lines(&lang);
                    (
                        format!("end/{}/{lang}", saved.id),
                        speech_text::text(k, &Spoken::End { summary: &summary, reference: &saved.id, can_print, places: &places }, &lang),
                    )
                }
                None => ("end".into(), String::new()),
            },
        }
    }

    /// Speak a new screen when reading aloud is on; otherwise a new screen silences the old one.
    fn speak_if_changed(&mut self) {
        if self.admin.open || self.admin.pin_open {
            return;
        }
        let (key, text) = self.spoken();
        if key == self.spoken_key {
            return;
        }
        let was = std::mem::replace(&mut self.spoken_key, key.clone());
        self.focus = None;
        let idle = key.starts_with("idle/");
        if self.a11y.auto_read || self.a11y.used_keys || (idle && self.a11y.used_speech) {
            self.say(&text);
        } else if !was.is_empty() {
            self.speech.stop();
        }
    }

    /// The controls the keypad moves through on this screen, in reading order.
    pub fn targets(&self) -> Vec<String> {
        let mut t: Vec<String> = Vec::new();
        let help = |t: &mut Vec<String>, lang: bool| {
            if self.speech.available() {
                t.push("listen".into());
            }
            t.push("a11y".into());
            if lang && self.kiosk.config.languages.len() > 1 {
                t.push("lang".into());
            }
        };
        if self.admin.open || self.admin.pin_open {
            return t;
        }
        if self.a11y.panel_open {
            t.extend(["a11y:text0", "a11y:text1", "a11y:text2", "a11y:contrast", "a11y:calm"].map(String::from));
            if self.speech.available() {
                t.extend(["a11y:auto", "a11y:vol-", "a11y:vol+"].map(String::from));
            }
            t.push("a11y:close".into());
            return t;
        }
        if self.engine.warning() {
            return vec!["idle:still-here".into()];
        }
        if self.over.is_some() {
            return vec!["end:finish".into()];
        }
        if self.disk_out_of_service() {
            return t;
        }
        match self.engine.screen() {
            EScreen::Attract => {
                t.extend(self.kiosk.config.languages.iter().map(|l| format!("start:{l}")));
                help(&mut t, false);
            }
            EScreen::Notice => {
                t.extend(["nav:next", "nav:back"].map(String::from));
                help(&mut t, true);
            }
            EScreen::Question { .. } => {
                let q = self.engine.current().map(|q| q.kind);
                match q {
                    Some(Kind::Single | Kind::Multiple | Kind::List | Kind::Quiz | Kind::Grid) => {
                        if let Some(q) = self.engine.current() {
                            t.extend(q.choices.iter().map(|c| format!("choice:{}", c.id)));
                        }
                    }
                    Some(Kind::Contact) if !self.form_open => t.extend(["consent:yes", "consent:no"].map(String::from)),
                    _ => {}
                }
                let shows_next = matches!(q, Some(Kind::Multiple | Kind::Text)) || (q == Some(Kind::Contact) && self.form_open);
                if shows_next {
                    t.push("nav:next".into());
                }
                if q != Some(Kind::Contact) {
                    t.push("nav:skip".into());
                }
                t.push("nav:back".into());
                help(&mut t, true);
            }
            EScreen::Completed | EScreen::End => {
                if !self.suggestions.is_empty() {
                    t.extend(["end:profile", "end:places"].map(String::from));
                }
                if self.printer.is_some() && self.saved.is_some() {
                    t.push("end:print".into());
                }
                t.push("end:finish".into());
                help(&mut t, false);
            }
        }
        t
    }

    /// What the focused control is, in words.
    fn target_label(&self, target: &str) -> String {
        let lang = self.lang();
        if let Some(id) = target.strip_prefix("choice:") {
            if let Some(q) = self.engine.current()
                && let Some(i) = q.choices.iter().position(|c| c.id == id)
            {
                let key = if self.engine.selected().iter().any(|s| s == id) { "speech.answer-selected" } else { "speech.answer" };
                return tr_with(&lang, key, &[("n", &(i + 1).to_string()), ("label", q.choices[i].label.get(&lang))]);
            }
            return id.to_string();
        }
        if let Some(code) = target.strip_prefix("start:") {
            return format!("{} — {}", tr(code, "lang.name"), tr(code, "start.action"));
        }
        let key = match target {
            "listen" => "a11y.listen",
            "a11y" => "a11y.menu",
            "lang" => return self.kiosk.config.languages.iter().find(|l| **l != lang).map(|l| tr(l, "lang.name")).unwrap_or_default(),
            "nav:back" => "nav.back",
            "nav:skip" => "nav.skip",
            "nav:next" => {
                if self.form_open {
                    "form.validate"
                } else if self.engine.screen() == EScreen::Notice {
                    "notice.ok"
                } else {
                    "nav.next"
                }
            }
            "consent:yes" => "consent.yes",
            "consent:no" => "consent.no",
            "end:print" => "print.button",
            "end:finish" => "end.finish",
            "end:profile" => "end.tab-profile",
            "end:places" => "end.tab-places",
            "idle:still-here" => "idle.still-here",
            "a11y:text0" | "a11y:text1" | "a11y:text2" => {
                return format!("{} {}", tr(&lang, "a11y.text-size"), &target[9..].parse::<usize>().map(|n| n + 1).unwrap_or(1));
            }
            "a11y:contrast" => "a11y.contrast",
            "a11y:calm" => "a11y.calm",
            "a11y:auto" => "a11y.auto-read",
            "a11y:vol-" => "a11y.volume-down",
            "a11y:vol+" => "a11y.volume-up",
            "a11y:close" => "a11y.close",
            _ => return target.to_string(),
        };
        tr(&lang, key)
    }

    fn activate(&mut self, target: &str, app: &slint::Weak<AppWindow>) {
        if let Some(id) = target.strip_prefix("choice:") {
            self.choose(id);
            return;
        }
        if let Some(code) = target.strip_prefix("start:") {
            self.start(code);
            return;
        }
        match target {
            "listen" => self.listen(),
            "a11y" => self.open_a11y_panel(),
            "lang" => self.switch_language(),
            "nav:back" => self.back(),
            "nav:skip" => self.skip(),
            "nav:next" => {
                if self.engine.screen() == EScreen::Notice {
                    self.accept_notice()
                } else {
                    self.next()
                }
            }
            "consent:yes" => self.open_form(),
            "consent:no" => self.skip(),
            "end:print" => self.print(app.clone()),
            "end:finish" => self.finish(),
            "end:profile" => self.show_end_places(false),
            "end:places" => self.show_end_places(true),
            "idle:still-here" => self.still_here(),
            "a11y:text0" => self.set_text_step(0),
            "a11y:text1" => self.set_text_step(1),
            "a11y:text2" => self.set_text_step(2),
            "a11y:contrast" => self.toggle_contrast(),
            "a11y:calm" => self.toggle_calm(),
            "a11y:auto" => self.toggle_auto_read(),
            "a11y:vol-" => self.change_volume(-1),
            "a11y:vol+" => self.change_volume(1),
            "a11y:close" => self.close_a11y_panel(),
            _ => {}
        }
    }

    /// A key of the keypad or keyboard. Returns false for keys the kiosk does not use.
    pub fn key_pressed(&mut self, text: &str, app: &slint::Weak<AppWindow>) -> bool {
        if self.admin.open || self.admin.pin_open {
            return false;
        }
        let keys = &self.kiosk.config.keys;
        let is = |list: &[String]| list.iter().any(|k| key_text(k) == text);
        let action = if is(&keys.next) {
            Some(Action::Next)
        } else if is(&keys.previous) {
            Some(Action::Previous)
        } else if is(&keys.activate) {
            Some(Action::Activate)
        } else if is(&keys.back) {
            Some(Action::Back)
        } else if is(&keys.repeat) {
            Some(Action::Repeat)
        } else if is(&keys.volume_up) {
            Some(Action::VolumeUp)
        } else if is(&keys.volume_down) {
            Some(Action::VolumeDown)
        } else {
            None
        };
        self.engine.still_here();
        self.a11y.used_keys = true;
        self.a11y.used_speech = true;
        let targets = self.targets();
        match action {
            Some(Action::Next | Action::Previous) if !targets.is_empty() => {
                let n = targets.len();
                let next = matches!(action, Some(Action::Next));
                self.focus = Some(match self.focus {
                    None if next => 0,
                    None => n - 1,
                    Some(i) if next => (i + 1) % n,
                    Some(i) => (i + n - 1) % n,
                });
                let label = self.target_label(&targets[self.focus.unwrap_or(0) % n]);
                self.say(&label);
                true
            }
            Some(Action::Activate) => {
                match self.focus.and_then(|i| targets.get(i)).cloned() {
                    Some(t) => self.activate(&t, app),
                    None => {
                        // Nothing focused yet: say where the visitor is.
                        self.focus = (!targets.is_empty()).then_some(0);
                        self.listen();
                    }
                }
                true
            }
            Some(Action::Back) => {
                if self.a11y.panel_open {
                    self.close_a11y_panel();
                } else if self.engine.warning() {
                    self.still_here();
                } else if matches!(self.engine.screen(), EScreen::Notice | EScreen::Question { .. }) {
                    self.back();
                }
                true
            }
            Some(Action::Repeat) => {
                self.listen();
                true
            }
            Some(Action::VolumeUp) => {
                self.change_volume(1);
                true
            }
            Some(Action::VolumeDown) => {
                self.change_volume(-1);
                true
            }
            _ => {
                // A digit chooses the answer of that number, as the speech numbers them.
                if let Some(d) = text.chars().next().filter(|c| c.is_ascii_digit() && text.chars().count() == 1)
                    && let Some(q) = self.engine.current()
                    && matches!(q.kind, Kind::Single | Kind::Multiple | Kind::List | Kind::Quiz | Kind::Grid)
                    && let Some(c) = q.choices.get((d as usize).wrapping_sub('1' as usize))
                {
                    let id = c.id.clone();
                    self.choose(&id);
                    return true;
                }
                false
            }
        }
    }

    pub(super) fn refresh_a11y(&mut self, app: &AppWindow) {
        self.speak_if_changed();
        let theme = app.global::<Theme>();
        theme.set_text_scale(TEXT_SCALES[self.a11y.text_step]);
        theme.set_high_contrast(self.a11y.high_contrast);
        theme.set_calm(self.a11y.calm);
        let a = app.global::<A11yAdapter>();
        a.set_panel_open(self.a11y.panel_open);
        a.set_text_step(self.a11y.text_step as i32);
        a.set_high_contrast(self.a11y.high_contrast);
        a.set_calm(self.a11y.calm);
        a.set_auto_read(self.a11y.auto_read);
        a.set_volume_step(self.a11y.volume as i32);
        a.set_volume_steps(VOLUMES.len() as i32);
        a.set_speech_available(self.speech.available());
        let targets = self.targets();
        let focused = self.focus.and_then(|i| targets.get(i)).cloned().unwrap_or_default();
        app.global::<FocusAdapter>().set_target(focused.into());
    }
}

pub fn connect(app: &AppWindow, c: &Shared) {
    let a = app.global::<A11yAdapter>();
    let wire = |f: fn(&mut Controller)| {
        let w = app.as_weak();
        let c = c.clone();
        move || {
            let Some(app) = w.upgrade() else { return };
            f(&mut c.borrow_mut());
            c.borrow_mut().refresh(&app);
        }
    };
    a.on_listen(wire(Controller::listen));
    a.on_open_panel(wire(Controller::open_a11y_panel));
    a.on_close_panel(wire(Controller::close_a11y_panel));
    a.on_toggle_contrast(wire(Controller::toggle_contrast));
    a.on_toggle_calm(wire(Controller::toggle_calm));
    a.on_toggle_auto_read(wire(Controller::toggle_auto_read));
    {
        let w = app.as_weak();
        let c = c.clone();
        a.on_set_text_step(move |s| {
            let Some(app) = w.upgrade() else { return };
            c.borrow_mut().set_text_step(s.max(0) as usize);
            c.borrow_mut().refresh(&app);
        });
    }
    {
        let w = app.as_weak();
        let c = c.clone();
        a.on_volume(move |d| {
            let Some(app) = w.upgrade() else { return };
            c.borrow_mut().change_volume(d);
            c.borrow_mut().refresh(&app);
        });
    }
    {
        let w = app.as_weak();
        let c = c.clone();
        app.global::<AppAdapter>().on_key(move |t| {
            let Some(app) = w.upgrade() else { return false };
            let used = c.borrow_mut().key_pressed(&t, &app.as_weak());
            c.borrow_mut().refresh(&app);
            used
        });
    }
}
