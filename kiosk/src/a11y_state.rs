//! A visitor's accessibility: the accessibility menu (larger text, high contrast, calmer
//! layout, automatic reading, volume) and the language picker open or not, what the visitor used
//! (speech, keys), the screens they saw and heard (the QR code's `read_aloud` signal), and the
//! screen last spoken. What else it needs comes in as arguments: the speech device, the language.
//! The visit model's inputs that reach it are in `a11y_model.rs`.

use crate::speech::{DEFAULT_VOLUME, Speech, VOLUMES};
use crate::visit_model::A11yView;
use passerelle_core::i18n::{tr, tr_with};

pub const TEXT_SCALES: [f32; 3] = [1.0, 1.25, 1.5];

/// Whether a speech key is a screen of the questionnaire (the notice or a question), the screens
/// the `read_aloud` signal counts.
fn visit_screen(key: &str) -> bool {
    key.starts_with("q/") || key.starts_with("notice/")
}

/// The accessibility of the visitor on screen; back to normal for the next one ([`A11y::reset`]).
#[derive(Debug, Clone, PartialEq)]
pub struct A11y {
    panel_open: bool,
    /// The language picker is open (the language button).
    languages_open: bool,
    text_step: usize,
    high_contrast: bool,
    calm: bool,
    auto_read: bool,
    /// The kiosk's setting, which each visitor starts with.
    default_auto_read: bool,
    volume: usize,
    /// The visitor used speech during this visit (the inactivity warning is then spoken too).
    used_speech: bool,
    /// The visitor uses keys (a keypad): every new screen is then read aloud.
    used_keys: bool,
    /// Screens of the visit (notice and questions) seen, and those read aloud (automatically or
    /// with "Écouter"): the `read_aloud` signal of the QR code.
    screens_seen: u32,
    screens_heard: u32,
    heard_current: bool,
    /// The screen last spoken (or silenced), to speak each new screen once. The device's, not
    /// the visitor's: it survives [`A11y::reset`].
    spoken_key: String,
}

impl A11y {
    /// A visitor's start: the kiosk's automatic reading, nothing else on.
    pub fn new(auto_read: bool) -> A11y {
        A11y {
            panel_open: false,
            languages_open: false,
            text_step: 0,
            high_contrast: false,
            calm: false,
            auto_read,
            default_auto_read: auto_read,
            volume: DEFAULT_VOLUME,
            used_speech: false,
            used_keys: false,
            screens_seen: 0,
            screens_heard: 0,
            heard_current: false,
            spoken_key: String::new(),
        }
    }

    /// Everything back to normal for the next visitor (speech stops); only what was last
    /// spoken stays, so that the screen on is not spoken twice.
    pub fn reset(&mut self, speech: &dyn Speech) {
        speech.stop();
        let spoken_key = std::mem::take(&mut self.spoken_key);
        *self = A11y { spoken_key, ..A11y::new(self.default_auto_read) };
    }

    pub fn panel_open(&self) -> bool {
        self.panel_open
    }
    pub fn languages_open(&self) -> bool {
        self.languages_open
    }
    pub fn text_step(&self) -> usize {
        self.text_step
    }
    pub fn high_contrast(&self) -> bool {
        self.high_contrast
    }
    pub fn calm(&self) -> bool {
        self.calm
    }
    pub fn auto_read(&self) -> bool {
        self.auto_read
    }
    /// The volume's step in [`VOLUMES`].
    pub fn volume(&self) -> usize {
        self.volume
    }

    /// The visitor used the read-aloud on most (more than half) of the screens they saw.
    pub fn read_aloud_most(&self) -> bool {
        self.screens_seen > 0 && self.screens_heard * 2 > self.screens_seen
    }

    /// Small changes (the keyboard's page) are said aloud: the visitor reads by ear or by keys.
    pub fn speaks_details(&self) -> bool {
        self.auto_read || self.used_speech || self.used_keys
    }

    /// A key of a keypad was pressed: from now on every new screen is read aloud.
    pub fn used_keys(&mut self) {
        self.used_keys = true;
        self.used_speech = true;
    }

    /// Say `text` at the visitor's volume.
    pub fn say(&self, speech: &dyn Speech, text: &str, lang: &str) {
        speech.say(text, lang, VOLUMES[self.volume.min(VOLUMES.len() - 1)]);
    }

    /// "Écouter" on the screen `key`: its `text` is said, and the screen counts as heard.
    pub fn listen(&mut self, speech: &dyn Speech, key: &str, text: &str, lang: &str) {
        self.used_speech = true;
        if visit_screen(key) && !self.heard_current {
            self.heard_current = true;
            self.screens_heard += 1;
        }
        self.say(speech, text, lang);
    }

    /// The screen `key` is on: if it is a new one, it is said when the visitor reads by ear
    /// (automatic reading, keys, or the inactivity warning after "Écouter"), else what was being
    /// said stops; a screen of the visit counts as seen (and heard). True for a new screen.
    pub fn screen_on(&mut self, speech: &dyn Speech, key: &str, text: &str, lang: &str) -> bool {
        if key == self.spoken_key {
            return false;
        }
        let was = std::mem::replace(&mut self.spoken_key, key.to_string());
        let idle = key.starts_with("idle/");
        let speak = self.auto_read || self.used_keys || (idle && self.used_speech);
        if visit_screen(key) {
            self.screens_seen += 1;
            self.heard_current = speak;
            self.screens_heard += u32::from(speak);
        }
        if speak {
            self.say(speech, text, lang);
        } else if !was.is_empty() {
            speech.stop();
        }
        true
    }

    pub fn set_panel_open(&mut self, open: bool) {
        self.panel_open = open;
    }

    pub fn set_languages_open(&mut self, open: bool) {
        self.languages_open = open;
    }

    /// Close the language picker: whether it was open.
    pub fn take_languages_open(&mut self) -> bool {
        std::mem::take(&mut self.languages_open)
    }

    pub fn set_text_step(&mut self, step: usize) {
        self.text_step = step.min(TEXT_SCALES.len() - 1);
    }

    pub fn toggle_contrast(&mut self) {
        self.high_contrast = !self.high_contrast;
    }

    pub fn toggle_calm(&mut self) {
        self.calm = !self.calm;
    }

    /// Automatic reading on (said, in `lang`) or off (speech stops).
    pub fn toggle_auto_read(&mut self, speech: &dyn Speech, lang: &str) {
        self.auto_read = !self.auto_read;
        if self.auto_read {
            self.used_speech = true;
            self.say(speech, &tr(lang, "a11y.auto-read"), lang);
        } else {
            speech.stop();
        }
    }

    /// A step louder (`delta` > 0) or softer, within [`VOLUMES`]; the new level is said.
    pub fn change_volume(&mut self, delta: i32, speech: &dyn Speech, lang: &str) {
        self.volume = (self.volume as i32 + delta).clamp(0, VOLUMES.len() as i32 - 1) as usize;
        self.say(speech, &self.volume_text(lang), lang);
    }

    /// "Volume : 2 sur 4", in `lang`.
    pub fn volume_text(&self, lang: &str) -> String {
        tr_with(lang, "a11y.volume-level", &[("n", &(self.volume + 1).to_string()), ("total", &VOLUMES.len().to_string())])
    }

    /// The accessibility menu and theme as the screens show them, in `lang`.
    pub fn view(&self, lang: &str, speech_available: bool) -> A11yView {
        A11yView {
            panel_open: self.panel_open,
            text_step: self.text_step,
            text_scale: TEXT_SCALES[self.text_step],
            high_contrast: self.high_contrast,
            calm: self.calm,
            auto_read: self.auto_read,
            volume_step: self.volume,
            volume_steps: VOLUMES.len(),
            volume_text: self.volume_text(lang),
            speech_available,
            languages_open: self.languages_open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speech::FakeSpeech;

    fn said(s: &FakeSpeech) -> Vec<(String, String, u32)> {
        s.said.lock().unwrap().clone()
    }
    fn stops(s: &FakeSpeech) -> usize {
        *s.stops.lock().unwrap()
    }

    #[test]
    fn a_new_screen_is_spoken_once_when_reading_aloud() {
        let speech = FakeSpeech::default();
        let mut a = A11y::new(true);
        assert!(a.screen_on(&speech, "q/age/0/fr", "Quel âge avez-vous ?", "fr"));
        assert!(!a.screen_on(&speech, "q/age/0/fr", "Quel âge avez-vous ?", "fr"), "the same screen again");
        assert_eq!(said(&speech), vec![("Quel âge avez-vous ?".to_string(), "fr".to_string(), VOLUMES[DEFAULT_VOLUME])]);
        assert!(a.read_aloud_most());
    }

    #[test]
    fn without_reading_aloud_a_new_screen_silences_the_old_one() {
        let speech = FakeSpeech::default();
        let mut a = A11y::new(false);
        assert!(a.screen_on(&speech, "attract", "Bonjour", "fr"));
        assert_eq!(stops(&speech), 0, "nothing was spoken before the first screen");
        assert!(a.screen_on(&speech, "notice/fr", "Avant de commencer", "fr"));
        assert_eq!(stops(&speech), 1);
        assert!(said(&speech).is_empty());
        assert!(!a.read_aloud_most(), "seen, not heard");
    }

    #[test]
    fn the_inactivity_warning_is_spoken_to_a_visitor_who_listened() {
        let speech = FakeSpeech::default();
        let mut a = A11y::new(false);
        a.screen_on(&speech, "q/age/0/fr", "Quel âge ?", "fr");
        a.screen_on(&speech, "idle/fr", "Êtes-vous toujours là ?", "fr");
        assert!(said(&speech).is_empty(), "not to a visitor who never listened");
        a.listen(&speech, "q/age/0/fr", "Quel âge ?", "fr");
        a.screen_on(&speech, "q/age/0/fr", "Quel âge ?", "fr");
        a.screen_on(&speech, "idle/fr", "Êtes-vous toujours là ?", "fr");
        assert_eq!(said(&speech).last().unwrap().0, "Êtes-vous toujours là ?");
    }

    #[test]
    fn read_aloud_counts_screens_of_the_visit_heard_over_half_of_those_seen() {
        let speech = FakeSpeech::default();
        let mut a = A11y::new(false);
        for i in 0..4 {
            a.screen_on(&speech, &format!("q/q{i}/0/fr"), "…", "fr");
        }
        // Screens outside the visit count for nothing.
        a.screen_on(&speech, "a11y/fr", "…", "fr");
        a.listen(&speech, "a11y/fr", "…", "fr");
        assert!(!a.read_aloud_most());
        a.screen_on(&speech, "q/q4/0/fr", "…", "fr");
        a.listen(&speech, "q/q4/0/fr", "…", "fr");
        a.listen(&speech, "q/q4/0/fr", "…", "fr");
        assert!(!a.read_aloud_most(), "a screen heard twice counts once: 1 of 5");
        a.screen_on(&speech, "q/q5/0/fr", "…", "fr");
        a.listen(&speech, "q/q5/0/fr", "…", "fr");
        a.screen_on(&speech, "q/q6/0/fr", "…", "fr");
        a.listen(&speech, "q/q6/0/fr", "…", "fr");
        assert!(!a.read_aloud_most(), "3 of 7");
        a.screen_on(&speech, "q/q7/0/fr", "…", "fr");
        a.listen(&speech, "q/q7/0/fr", "…", "fr");
        a.screen_on(&speech, "q/q8/0/fr", "…", "fr");
        a.listen(&speech, "q/q8/0/fr", "…", "fr");
        assert!(a.read_aloud_most(), "5 of 9");
    }

    #[test]
    fn keys_make_every_new_screen_spoken() {
        let speech = FakeSpeech::default();
        let mut a = A11y::new(false);
        assert!(!a.speaks_details());
        a.used_keys();
        assert!(a.speaks_details());
        a.screen_on(&speech, "attract", "Bonjour", "fr");
        assert_eq!(said(&speech).len(), 1);
    }

    #[test]
    fn the_volume_stays_within_its_steps_and_is_said() {
        let speech = FakeSpeech::default();
        let mut a = A11y::new(false);
        a.change_volume(10, &speech, "fr");
        assert_eq!(a.volume(), VOLUMES.len() - 1);
        assert_eq!(said(&speech).last().unwrap(), &(a.volume_text("fr"), "fr".to_string(), VOLUMES[VOLUMES.len() - 1]));
        a.change_volume(-10, &speech, "fr");
        assert_eq!(a.volume(), 0);
        assert_eq!(said(&speech).last().unwrap().2, VOLUMES[0], "said at the new volume");
        assert_eq!(a.view("fr", true).volume_step, 0);
    }

    #[test]
    fn automatic_reading_is_said_when_turned_on_and_silenced_when_off() {
        let speech = FakeSpeech::default();
        let mut a = A11y::new(false);
        a.toggle_auto_read(&speech, "en");
        assert!(a.auto_read() && a.speaks_details());
        assert_eq!(said(&speech), vec![(tr("en", "a11y.auto-read"), "en".to_string(), VOLUMES[DEFAULT_VOLUME])]);
        a.toggle_auto_read(&speech, "en");
        assert!(!a.auto_read());
        assert_eq!(stops(&speech), 1);
    }

    #[test]
    fn the_text_size_is_one_of_the_scales() {
        let mut a = A11y::new(false);
        a.set_text_step(99);
        assert_eq!(a.text_step(), TEXT_SCALES.len() - 1);
        assert_eq!(a.view("fr", false).text_scale, TEXT_SCALES[TEXT_SCALES.len() - 1]);
    }

    #[test]
    fn the_next_visitor_starts_with_the_kiosk_settings_and_the_screen_is_not_spoken_again() {
        let speech = FakeSpeech::default();
        let mut a = A11y::new(true);
        a.screen_on(&speech, "q/age/0/fr", "Quel âge ?", "fr");
        a.toggle_auto_read(&speech, "fr");
        a.toggle_contrast();
        a.toggle_calm();
        a.set_text_step(2);
        a.change_volume(1, &speech, "fr");
        a.set_panel_open(true);
        a.set_languages_open(true);
        a.used_keys();
        a.reset(&speech);
        let mut fresh = A11y::new(true);
        fresh.spoken_key = "q/age/0/fr".into();
        assert_eq!(a, fresh);
        assert_eq!(stops(&speech), 2, "turning automatic reading off, then the reset, stop speech");
        assert!(!a.screen_on(&speech, "q/age/0/fr", "Quel âge ?", "fr"));
    }

    #[test]
    fn the_language_picker_closes_once() {
        let mut a = A11y::new(false);
        a.set_languages_open(true);
        assert!(a.languages_open());
        assert!(a.take_languages_open());
        assert!(!a.take_languages_open() && !a.languages_open());
    }

    #[test]
    fn the_view_is_the_state() {
        let mut a = A11y::new(false);
        a.toggle_contrast();
        a.set_panel_open(true);
        let v = a.view("fr", true);
        assert!(v.high_contrast && v.panel_open && !v.calm && !v.auto_read && !v.languages_open && v.speech_available);
        assert_eq!((v.volume_step, v.volume_steps), (DEFAULT_VOLUME, VOLUMES.len()));
        assert_eq!(v.volume_text, tr_with("fr", "a11y.volume-level", &[("n", "2"), ("total", "4")]));
    }
}
