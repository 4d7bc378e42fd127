//! Full operation from a keypad: a visible focus moved with arrows or Tab through the screen's
//! [`Target`]s, Enter to activate, Escape to go back, a key to repeat, volume keys, digits to
//! choose an answer by its number. The targets and their order are the screen's reachable
//! controls (`screen_controls.rs`).

use crate::screen_controls::{Control, ScreenControls};
use crate::visit_model::VisitModel;
use passerelle_core::engine::Screen as EScreen;
use passerelle_core::questionnaire::Kind;
use std::fmt;

/// A control the keypad focus can be on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A language tile of the welcome screen.
    Start(String),
    Listen,
    /// The accessibility menu's button.
    Menu,
    /// The language button, the picker's languages (by code) and its "Annuler".
    Language,
    PickLanguage(String),
    CloseLanguages,
    Next,
    Back,
    Skip,
    /// "On m'appelle", and its confirmation's two answers.
    Call,
    CallYes,
    CallNo,
    Choice(String),
    ConsentYes,
    ConsentNo,
    Print,
    Finish,
    /// The end screen's tabs.
    Profile,
    Places,
    StillHere,
    /// "Arrêter" in the top bar, and its confirmation's two answers.
    Stop,
    StopYes,
    StopNo,
    /// "Réessayer" on the save-failed screen.
    Retry,
    /// The accessibility menu's controls.
    TextSize(usize),
    Contrast,
    Calm,
    AutoRead,
    VolumeDown,
    VolumeUp,
    CloseMenu,
}

/// The one text form of a target, for tests and logs (the screens read flags: `FocusFlags`).
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Start(code) => write!(f, "start:{code}"),
            Target::Choice(id) => write!(f, "choice:{id}"),
            Target::TextSize(n) => write!(f, "a11y:text{n}"),
            Target::PickLanguage(code) => write!(f, "pick:{code}"),
            other => f.write_str(match other {
                Target::Listen => "listen",
                Target::Menu => "a11y",
                Target::Language => "lang",
                Target::CloseLanguages => "pick:close",
                Target::Next => "nav:next",
                Target::Back => "nav:back",
                Target::Skip => "nav:skip",
                Target::Call => "nav:call",
                Target::CallYes => "call:yes",
                Target::CallNo => "call:no",
                Target::ConsentYes => "consent:yes",
                Target::ConsentNo => "consent:no",
                Target::Print => "end:print",
                Target::Finish => "end:finish",
                Target::Profile => "end:profile",
                Target::Places => "end:places",
                Target::StillHere => "idle:still-here",
                Target::Stop => "stop",
                Target::StopYes => "stop:yes",
                Target::StopNo => "stop:no",
                Target::Retry => "save:retry",
                Target::Contrast => "a11y:contrast",
                Target::Calm => "a11y:calm",
                Target::AutoRead => "a11y:auto",
                Target::VolumeDown => "a11y:vol-",
                Target::VolumeUp => "a11y:vol+",
                Target::CloseMenu => "a11y:close",
                Target::Start(_) | Target::Choice(_) | Target::TextSize(_) | Target::PickLanguage(_) => unreachable!(),
            }),
        }
    }
}

/// A target and its text form (tests compare with it).
impl PartialEq<str> for Target {
    // Through `Display`, the one text form, rather than a second table.
    #[allow(clippy::cmp_owned)]
    fn eq(&self, other: &str) -> bool {
        self.to_string() == other
    }
}

/// What a key does, from the configured key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Next,
    Previous,
    Activate,
    Back,
    Repeat,
    VolumeUp,
    VolumeDown,
}

/// The keys `kiosk.toml` names, by the character the screen's toolkit sends for them (Slint's
/// key codes: the private-use characters of `slint::platform::Key`, the same as AppKit's).
const NAMED_KEYS: [(char, &str); 25] = [
    ('\u{F700}', "Up"),
    ('\u{F701}', "Down"),
    ('\u{F702}', "Left"),
    ('\u{F703}', "Right"),
    ('\u{0009}', "Tab"),
    ('\u{000A}', "Return"),
    ('\u{001B}', "Escape"),
    ('\u{0008}', "Backspace"),
    ('\u{0020}', "Space"),
    ('\u{F72C}', "PageUp"),
    ('\u{F72D}', "PageDown"),
    ('\u{F729}', "Home"),
    ('\u{F72B}', "End"),
    ('\u{F704}', "F1"),
    ('\u{F705}', "F2"),
    ('\u{F706}', "F3"),
    ('\u{F707}', "F4"),
    ('\u{F708}', "F5"),
    ('\u{F709}', "F6"),
    ('\u{F70A}', "F7"),
    ('\u{F70B}', "F8"),
    ('\u{F70C}', "F9"),
    ('\u{F70D}', "F10"),
    ('\u{F70E}', "F11"),
    ('\u{F70F}', "F12"),
];

/// The name of a key from the text the screen sends ("Down", "F1"), or the text itself ("+", "3").
pub fn key_name(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(ch), None) => NAMED_KEYS.iter().find(|(k, _)| *k == ch).map_or_else(|| text.to_string(), |(_, name)| name.to_string()),
        _ => text.to_string(),
    }
}

/// A configured key as the UI names it: a single character that is a named key is that name.
fn canonical(key: &str) -> &str {
    match key {
        " " => "Space",
        "\t" => "Tab",
        "\n" | "\r" => "Return",
        "\u{1b}" => "Escape",
        "\u{8}" => "Backspace",
        other => other,
    }
}

/// The focus after a move through `n` targets: the first (or last) from nowhere, wrapping around.
pub fn move_focus(focus: Option<usize>, n: usize, forward: bool) -> Option<usize> {
    if n == 0 {
        return None;
    }
    Some(match focus {
        None if forward => 0,
        None => n - 1,
        Some(i) if forward => (i + 1) % n,
        Some(i) => (i + n - 1) % n,
    })
}

impl VisitModel {
    /// The keypad focus: an index into [`VisitModel::targets`].
    pub fn focus_index(&self) -> Option<usize> {
        self.focus_in(&self.screen_controls())
    }

    /// Where the focused control is among `controls`' reachable ones. A focused control that
    /// left the path (hidden or disabled since) hands the focus to the reachable control that
    /// followed it in reading order, if any.
    pub(crate) fn focus_in(&self, controls: &ScreenControls) -> Option<usize> {
        let focused = self.focused_control(controls)?;
        controls.reachable().position(|c| std::ptr::eq(c, focused))
    }

    /// The control drawn with the focus: the focused one, or the reachable one that followed it
    /// in reading order if it left the path.
    pub(crate) fn focused_control<'a>(&self, controls: &'a ScreenControls) -> Option<&'a Control> {
        let focus = self.focus.as_ref()?;
        let at = controls.controls.iter().position(|c| c.target == *focus)?;
        controls.controls[at..].iter().find(|c| c.reachable())
    }

    /// The focus as it is drawn: a control that left the path hands it on (see
    /// [`VisitModel::focus_in`]), so that a control coming back later does not take it back.
    pub(crate) fn settle_focus(&mut self) {
        let controls = self.screen_controls();
        self.focus = self.focused_control(&controls).map(|c| c.target.clone());
    }

    /// The controls the keypad moves through on this screen, in reading order: the reachable
    /// controls of [`VisitModel::screen_controls`] (shown and enabled).
    pub fn targets(&self) -> Vec<Target> {
        self.screen_controls().reachable().map(|c| c.target.clone()).collect()
    }

    /// Enter on a target: what touching it does.
    pub fn activate(&mut self, target: &Target) {
        match target {
            Target::Choice(id) => self.choose(id),
            Target::Start(code) => self.start(code),
            Target::Listen => self.listen(),
            Target::Menu => self.open_a11y_panel(),
            Target::Language => self.open_languages(),
            Target::PickLanguage(code) => self.choose_language(code),
            Target::CloseLanguages => self.close_languages(),
            Target::Back => self.back(),
            Target::Skip | Target::ConsentNo => self.skip(),
            Target::Call => self.call_me(),
            Target::CallYes => self.call_answer(true),
            Target::CallNo => self.call_answer(false),
            Target::Next if self.engine.screen() == EScreen::Notice => self.accept_notice(),
            Target::Next => self.next(),
            Target::ConsentYes => self.open_form(),
            Target::Print => self.print(),
            Target::Finish => self.finish(),
            Target::Profile => self.show_end_places(false),
            Target::Places => self.show_end_places(true),
            Target::StillHere => self.still_here(),
            Target::Stop => self.stop(),
            Target::StopYes => self.stop_answer(true),
            Target::StopNo => self.stop_answer(false),
            Target::Retry => self.retry_save(),
            Target::TextSize(n) => self.set_text_step(*n),
            Target::Contrast => self.toggle_contrast(),
            Target::Calm => self.toggle_calm(),
            Target::AutoRead => self.toggle_auto_read(),
            Target::VolumeDown => self.change_volume(-1),
            Target::VolumeUp => self.change_volume(1),
            Target::CloseMenu => self.close_a11y_panel(),
        }
    }

    /// A key of the keypad or keyboard, by its name in `kiosk.toml` ("Down", "Return", "F1")
    /// or its text ("+", "3"). Returns false for keys the kiosk does not use.
    pub fn keypad(&mut self, key: &str) -> bool {
        if self.admin.active() {
            return false;
        }
        let keys = &self.kiosk.defs.config.keys;
        let is = |list: &[String]| list.iter().any(|k| canonical(k) == key);
        let action = [
            (&keys.next, Action::Next),
            (&keys.previous, Action::Previous),
            (&keys.activate, Action::Activate),
            (&keys.back, Action::Back),
            (&keys.repeat, Action::Repeat),
            (&keys.volume_up, Action::VolumeUp),
            (&keys.volume_down, Action::VolumeDown),
        ]
        .into_iter()
        .find(|(list, _)| is(list))
        .map(|(_, a)| a);
        self.engine.still_here();
        self.a11y.used_keys();
        let screen = self.screen_controls();
        let at = self.focus_in(&screen);
        let controls: Vec<_> = screen.reachable().cloned().collect();
        match action {
            Some(a @ (Action::Next | Action::Previous)) if !controls.is_empty() => {
                let c = &controls[move_focus(at, controls.len(), a == Action::Next).unwrap_or(0)];
                self.focus = Some(c.target.clone());
                self.say(&c.label);
            }
            Some(Action::Activate) => match at.and_then(|i| controls.get(i)) {
                Some(c) => self.activate(&c.target),
                None => {
                    // Nothing focused yet: say where the visitor is.
                    self.focus = controls.first().map(|c| c.target.clone());
                    self.listen();
                }
            },
            Some(Action::Back) => {
                if self.a11y.languages_open() {
                    self.close_languages();
                } else if self.a11y.panel_open() {
                    self.close_a11y_panel();
                } else if self.engine.warning() {
                    self.still_here();
                } else if matches!(self.engine.screen(), EScreen::Notice | EScreen::Question { .. }) {
                    self.back();
                }
            }
            Some(Action::Repeat) => self.listen(),
            Some(Action::VolumeUp) => self.change_volume(1),
            Some(Action::VolumeDown) => self.change_volume(-1),
            _ => {
                // A digit chooses the answer of that number, as the speech numbers them.
                if let Some(d) = key.chars().next().filter(|c| c.is_ascii_digit() && key.chars().count() == 1)
                    && !self.visit.overlay.confirming()
                    && let Some(q) = self.engine.current()
                    && matches!(q.kind, Kind::Single | Kind::Multiple | Kind::List | Kind::Quiz | Kind::Grid)
                    && let Some(c) = q.choices_for_row(self.engine.current_row()).get((d as usize).wrapping_sub('1' as usize)).copied()
                {
                    let id = c.id.clone();
                    self.choose(&id);
                    return true;
                }
                return false;
            }
        }
        true
    }
}
