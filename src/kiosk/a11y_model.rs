//! Accessibility in the visit model: "Écouter" and automatic reading, the accessibility menu
//! (larger text, high contrast, calmer layout, volume). Everything goes back to normal for the
//! next visitor. The keypad is in `keypad.rs`.

use crate::kiosk::model_state::A11yState;
use crate::kiosk::speech::VOLUMES;
use crate::kiosk::speech_text::{self, Spoken};
use crate::kiosk::visit_model::{A11yView, VisitModel};
use crate::shared::i18n::tr;
use passerelle_core::engine::Screen as EScreen;

pub const TEXT_SCALES: [f32; 3] = [1.0, 1.25, 1.5];

/// Whether a speech key is a screen of the questionnaire (the notice or a question), the screens
/// the `read_aloud` signal counts.
fn visit_screen(key: &str) -> bool {
    key.starts_with("q/") || key.starts_with("notice/")
}

impl VisitModel {
    pub fn a11y(&self) -> &A11yState {
        &self.a11y
    }

    pub fn reset_a11y(&mut self) {
        self.speech.stop();
        self.a11y = A11yState::new(self.a11y.default_auto_read);
        self.focus = None;
    }

    fn volume_value(&self) -> u32 {
        VOLUMES[self.a11y.volume.min(VOLUMES.len() - 1)]
    }

    pub(crate) fn say(&mut self, text: &str) {
        let lang = self.lang();
        let v = self.volume_value();
        self.speech.say(text, &lang, v);
    }

    /// "Écouter": read the screen aloud.
    pub fn listen(&mut self) {
        self.engine.still_here();
        self.a11y.used_speech = true;
        let (key, text) = self.spoken();
        if visit_screen(&key) && !self.a11y.heard_current {
            self.a11y.heard_current = true;
            self.a11y.screens_heard += 1;
        }
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
        if let Some(o) = &self.over {
            return (format!("save-failed/{}", o.lang), speech_text::text(k, &Spoken::SaveFailed, &o.lang));
        }
        if self.disk_out_of_service() {
            return (format!("oos/{lang}"), format!("{}. {}", tr(&lang, "oos.title"), tr(&lang, "oos.body")));
        }
        if self.stop_confirm {
            return (format!("stop/{lang}"), speech_text::text(k, &Spoken::StopConfirm, &lang));
        }
        match self.engine.screen() {
            EScreen::Attract => ("attract".into(), speech_text::text(k, &Spoken::Attract, &lang)),
            EScreen::Notice => (format!("notice/{lang}"), speech_text::text(k, &Spoken::Notice, &lang)),
            EScreen::Question { index, row } if self.call_confirm => (format!("call/{index}/{row}/{lang}"), speech_text::text(k, &Spoken::CallConfirm, &lang)),
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
                        speech_text::text(
                            k,
                            &Spoken::End { summary: &summary, reference: &saved.id, can_print, places: &places, private: self.end_private },
                            &lang,
                        ),
                    )
                }
                None => ("end".into(), String::new()),
            },
        }
    }

    /// Speak a new screen when reading aloud is on; otherwise a new screen silences the old one.
    /// A new screen also drops the keypad focus. The UI calls this before every [`VisitModel::view`].
    pub fn speak_if_changed(&mut self) {
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
        let speak = self.a11y.auto_read || self.a11y.used_keys || (idle && self.a11y.used_speech);
        if visit_screen(&key) {
            self.a11y.screens_seen += 1;
            self.a11y.heard_current = speak;
            self.a11y.screens_heard += u32::from(speak);
        }
        if speak {
            self.say(&text);
        } else if !was.is_empty() {
            self.speech.stop();
        }
    }

    pub(crate) fn a11y_view(&self) -> A11yView {
        let a = &self.a11y;
        A11yView {
            panel_open: a.panel_open,
            text_step: a.text_step,
            text_scale: TEXT_SCALES[a.text_step],
            high_contrast: a.high_contrast,
            calm: a.calm,
            auto_read: a.auto_read,
            volume_step: a.volume,
            volume_steps: VOLUMES.len(),
            speech_available: self.speech.available(),
        }
    }
}
