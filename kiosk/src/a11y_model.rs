//! Accessibility in the visit model: the inputs that reach the visitor's [`A11y`]
//! (`a11y_state.rs`: "Écouter" and automatic reading, the accessibility menu, the language
//! picker) with what they need of the rest of the model (the screen's spoken text, the language,
//! the engine's inactivity, the keypad focus), and the help texts of every screen
//! (`chrome_view`). The keypad is in `keypad.rs`.

use crate::a11y_state::A11y;
pub use crate::a11y_state::TEXT_SCALES;
use crate::isolate;
use crate::keypad::Target;
use crate::screen_controls::ScreenId;
use crate::speech_text::{self, Spoken};
use crate::visit_model::{A11yView, ChromeView, LanguageView, VisitModel};
use passerelle_core::engine::Screen as EScreen;
use passerelle_core::i18n::{is_rtl, tr, tr_with};

/// The languages the welcome screen speaks before a language is chosen: the first two offered,
/// and every other one written in another script (Arabic), so that its readers see their script.
pub fn welcome_languages(langs: &[String]) -> Vec<String> {
    langs.iter().enumerate().filter(|(i, l)| *i < 2 || is_rtl(l)).map(|(_, l)| l.clone()).collect()
}

/// `key` in each of `langs`, each isolated, joined with " · ".
fn joined(langs: &[String], key: &str) -> String {
    langs.iter().map(|l| isolate(&tr(l, key))).collect::<Vec<_>>().join(" · ")
}

impl VisitModel {
    pub fn a11y(&self) -> &A11y {
        &self.a11y
    }

    /// The accessibility settings back to normal for the next visitor, and no keypad focus.
    pub fn reset_a11y(&mut self) {
        self.a11y.reset(self.speech.as_ref());
        self.focus = None;
    }

    pub(crate) fn say(&mut self, text: &str) {
        self.a11y.say(self.speech.as_ref(), text, &self.lang());
    }

    /// "Écouter": read the screen aloud.
    pub fn listen(&mut self) {
        self.engine.still_here();
        let (key, text) = self.spoken();
        self.a11y.listen(self.speech.as_ref(), &key, &text, &self.lang());
    }

    /// The language button: the picker of every offered language, each in its own name and
    /// script. Nothing of the visit changes until one is chosen.
    pub fn open_languages(&mut self) {
        self.engine.still_here();
        if self.kiosk.defs.config.languages.len() > 1 {
            self.a11y.set_languages_open(true);
            self.focus = None;
        }
    }

    pub fn close_languages(&mut self) {
        self.engine.still_here();
        self.a11y.set_languages_open(false);
        self.focus = None;
    }

    /// A language of the picker: the visit goes on in it, on the same screen, every answer kept.
    pub fn choose_language(&mut self, code: &str) {
        if !self.a11y.take_languages_open() {
            return;
        }
        self.focus = None;
        let _ = self.engine.set_lang(code);
    }

    pub fn open_a11y_panel(&mut self) {
        self.engine.still_here();
        self.a11y.set_panel_open(true);
        self.focus = None;
    }

    pub fn close_a11y_panel(&mut self) {
        self.engine.still_here();
        self.a11y.set_panel_open(false);
        self.focus = None;
    }

    pub fn set_text_step(&mut self, step: usize) {
        self.engine.still_here();
        self.a11y.set_text_step(step);
    }

    pub fn toggle_contrast(&mut self) {
        self.engine.still_here();
        self.a11y.toggle_contrast();
    }

    pub fn toggle_calm(&mut self) {
        self.engine.still_here();
        self.a11y.toggle_calm();
    }

    pub fn toggle_auto_read(&mut self) {
        self.engine.still_here();
        self.a11y.toggle_auto_read(self.speech.as_ref(), &self.lang());
    }

    pub fn change_volume(&mut self, delta: i32) {
        self.engine.still_here();
        self.a11y.change_volume(delta, self.speech.as_ref(), &self.lang());
    }

    /// The current screen for speech: a key that changes with the screen, and its text. The
    /// screen and what speech tells the visitor to touch come from [`VisitModel::screen_controls`].
    pub fn spoken(&self) -> (String, String) {
        let lang = self.lang();
        let k = &self.kiosk;
        let controls = self.screen_controls();
        let offered = controls.offered();
        let say = |spoken: &Spoken, lang: &str| speech_text::text(k, spoken, lang, &offered);
        match controls.screen {
            ScreenId::Admin => ("admin".into(), String::new()),
            ScreenId::Languages => (format!("languages/{lang}"), say(&Spoken::Languages, &lang)),
            ScreenId::Accessibility => (format!("a11y/{lang}"), say(&Spoken::A11y, &lang)),
            ScreenId::Idle => {
                let secs = self.visit.idle_left.unwrap_or(self.engine.options().idle_reset).as_secs();
                (format!("idle/{lang}"), say(&Spoken::Idle { seconds: secs }, &lang))
            }
            ScreenId::SaveFailed => {
                let lang = self.screen_lang();
                (format!("save-failed/{lang}"), say(&Spoken::SaveFailed, &lang))
            }
            ScreenId::OutOfService => (format!("oos/{lang}"), format!("{}. {}", tr(&lang, "oos.title"), tr(&lang, "oos.body"))),
            ScreenId::StopConfirm => (format!("stop/{lang}"), say(&Spoken::StopConfirm, &lang)),
            ScreenId::Attract => ("attract".into(), say(&Spoken::Attract, &lang)),
            ScreenId::Notice => (format!("notice/{lang}"), say(&Spoken::Notice, &lang)),
            ScreenId::CallConfirm | ScreenId::Question => {
                let EScreen::Question { index, row } = self.engine.screen() else { return ("question".into(), String::new()) };
                if controls.screen == ScreenId::CallConfirm {
                    return (format!("call/{index}/{row}/{lang}"), say(&Spoken::CallConfirm, &lang));
                }
                let q = &k.defs.questionnaire.questions()[index];
                let selected = self.engine.selected();
                let text = say(
                    &Spoken::Question {
                        q,
                        row: self.engine.current_row(),
                        progress: self.engine.progress(),
                        selected: &selected,
                        form_open: self.visit.overlay.form_open(),
                    },
                    &lang,
                );
                (format!("q/{}/{row}/{}/{lang}", q.id, self.visit.overlay.form_open()), text)
            }
            ScreenId::End => match &self.visit.saved {
                Some(saved) => {
                    let summary = passerelle_core::summary::summary(&saved.profile, &k.defs.questionnaire, &k.defs.rules.capability_question, &lang);
                    let places = self.place_lines(&lang);
                    let end = Spoken::End {
                        summary: &summary,
                        reference: &saved.id,
                        printer: self.printer.is_some(),
                        places: &places,
                        private: self.visit.end_private,
                        called: saved.profile.partial,
                    };
                    (format!("end/{}/{}/{lang}", saved.id, self.can_print()), say(&end, &lang))
                }
                None => ("end".into(), String::new()),
            },
        }
    }

    /// Speak a new screen when reading aloud is on; otherwise a new screen silences the old one.
    /// A new screen also drops the keypad focus; on the same screen, a focused control that left
    /// the keypad's path hands the focus to the one after it. The UI calls this before every
    /// [`VisitModel::view`].
    pub fn speak_if_changed(&mut self) {
        if self.admin.active() {
            return;
        }
        self.settle_focus();
        let (key, text) = self.spoken();
        if self.a11y.screen_on(self.speech.as_ref(), &key, &text, &self.lang()) {
            self.focus = None;
        }
    }

    pub(crate) fn a11y_view(&self) -> A11yView {
        self.a11y.view(&self.screen_lang(), self.speech.available())
    }

    /// What every screen shows whatever the step: the structure, the languages, the welcome.
    /// `focus`: the keypad's, for the language tiles' flags.
    pub(crate) fn chrome_view(&self, lang: &str, focus: Option<&Target>) -> ChromeView {
        let langs = &self.kiosk.defs.config.languages;
        let welcome = welcome_languages(langs);
        let minutes = self.minutes_estimate().to_string();
        ChromeView {
            structure: self.kiosk.defs.config.structure.clone(),
            languages: langs
                .iter()
                .map(|l| LanguageView {
                    code: l.clone(),
                    name: tr(l, "lang.name"),
                    action: tr(l, "start.action"),
                    focused: focus.is_some_and(|t| matches!(t, Target::Start(c) | Target::PickLanguage(c) if c == l)),
                })
                .collect(),
            language_button: if langs.len() > 1 { tr(lang, "nav.language") } else { String::new() },
            welcome: joined(&welcome, "start.welcome"),
            lines: welcome.iter().map(|l| format!("{} {}", tr(l, "start.tagline"), tr_with(l, "start.anonymous", &[("n", &minutes)]))).collect(),
            hint: joined(&welcome, "start.hint"),
            welcome_listen: joined(&welcome, "a11y.listen"),
            welcome_menu: joined(&welcome, "a11y.menu"),
            out_of_service: out_of_service_texts(&welcome),
        }
    }
}

/// The out-of-service screen's title and line in each of `langs`.
pub fn out_of_service_texts(langs: &[String]) -> Vec<(String, String)> {
    langs.iter().map(|l| (tr(l, "oos.title"), tr(l, "oos.body"))).collect()
}
