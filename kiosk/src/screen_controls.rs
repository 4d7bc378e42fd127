//! The one description of the screen on: which screen it is ([`ScreenId`]) and its controls in
//! reading order ([`Control`]: its target, its label, shown or not, enabled or not, and how
//! speech names it). The keypad moves through the reachable ones ([`VisitModel::targets`]),
//! speech names them ([`VisitModel::spoken`], through [`Offered`]) and the screens draw the
//! keypad's focus from flags ([`FocusFlags`], `ChoiceView::focused`, `LanguageView::focused`):
//! none of them decides on its own which controls a screen has.

use crate::a11y_model::TEXT_SCALES;
use crate::keypad::Target;
use crate::speech_text::Offered;
use crate::visit_model::VisitModel;
use passerelle_core::engine::Screen as EScreen;
use passerelle_core::i18n::{tr, tr_with};
use passerelle_core::questionnaire::Kind;

/// Which screen is on. A dialog or a menu over a screen counts as a screen of its own: it takes
/// the keypad and speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenId {
    Attract,
    Notice,
    Question,
    /// "On m'appelle" touched: its confirmation.
    CallConfirm,
    /// "Arrêter" touched: "Effacer mes réponses ?".
    StopConfirm,
    End,
    /// The inactivity warning.
    Idle,
    SaveFailed,
    OutOfService,
    /// The accessibility menu.
    Accessibility,
    /// The language picker.
    Languages,
    /// The PIN pad or the admin screen (the keypad leaves them alone).
    Admin,
}

/// The key of the speech sentence that names an answer in the list of answers (the answers of a
/// question, the languages of the picker).
pub const ANSWER: &str = "speech.answer";

/// A control of the screen on.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    pub target: Target,
    /// What it is, in words: said when the keypad reaches it.
    pub label: String,
    pub visible: bool,
    pub enabled: bool,
    /// How speech names it: the key of the sentence that tells the visitor to touch it
    /// ([`ANSWER`] for an answer read in its list); `None`: by its label, among the other buttons.
    pub hint: Option<&'static str>,
}

impl Control {
    /// On the keypad's path and named by speech: shown and enabled.
    pub fn reachable(&self) -> bool {
        self.visible && self.enabled
    }
}

/// The screen on and its controls, in reading order (hidden and disabled ones included).
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenControls {
    pub screen: ScreenId,
    pub controls: Vec<Control>,
}

impl ScreenControls {
    pub fn reachable(&self) -> impl Iterator<Item = &Control> {
        self.controls.iter().filter(|c| c.reachable())
    }

    /// What speech may say of the controls: the sentences of the reachable ones, and the labels
    /// of those no sentence names.
    pub fn offered(&self) -> Offered {
        let mut hints = Vec::new();
        for h in self.reachable().filter_map(|c| c.hint) {
            if !hints.contains(&h) {
                hints.push(h);
            }
        }
        Offered { hints: Some(hints), others: self.reachable().filter(|c| c.hint.is_none()).map(|c| c.label.clone()).collect() }
    }
}

/// The keypad's focus as one flag per control the screens draw on their own (tiles carry their
/// own flag: `ChoiceView::focused`, `LanguageView::focused`). The screens compare no text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FocusFlags {
    pub listen: bool,
    pub menu: bool,
    pub language: bool,
    pub close_languages: bool,
    pub next: bool,
    pub back: bool,
    pub skip: bool,
    pub call: bool,
    pub call_yes: bool,
    pub call_no: bool,
    pub consent_yes: bool,
    pub consent_no: bool,
    pub print: bool,
    pub finish: bool,
    pub profile: bool,
    pub places: bool,
    pub still_here: bool,
    pub stop: bool,
    pub stop_yes: bool,
    pub stop_no: bool,
    pub retry: bool,
    /// The accessibility menu's text size step focused.
    pub text_size: Option<usize>,
    pub contrast: bool,
    pub calm: bool,
    pub auto_read: bool,
    pub volume_down: bool,
    pub volume_up: bool,
    pub close_menu: bool,
}

impl FocusFlags {
    pub fn of(focus: Option<&Target>) -> FocusFlags {
        let mut f = FocusFlags::default();
        let Some(t) = focus else { return f };
        let flag = match t {
            // The tiles: their own flags.
            Target::Start(_) | Target::PickLanguage(_) | Target::Choice(_) => return f,
            Target::TextSize(n) => {
                f.text_size = Some(*n);
                return f;
            }
            Target::Listen => &mut f.listen,
            Target::Menu => &mut f.menu,
            Target::Language => &mut f.language,
            Target::CloseLanguages => &mut f.close_languages,
            Target::Next => &mut f.next,
            Target::Back => &mut f.back,
            Target::Skip => &mut f.skip,
            Target::Call => &mut f.call,
            Target::CallYes => &mut f.call_yes,
            Target::CallNo => &mut f.call_no,
            Target::ConsentYes => &mut f.consent_yes,
            Target::ConsentNo => &mut f.consent_no,
            Target::Print => &mut f.print,
            Target::Finish => &mut f.finish,
            Target::Profile => &mut f.profile,
            Target::Places => &mut f.places,
            Target::StillHere => &mut f.still_here,
            Target::Stop => &mut f.stop,
            Target::StopYes => &mut f.stop_yes,
            Target::StopNo => &mut f.stop_no,
            Target::Retry => &mut f.retry,
            Target::Contrast => &mut f.contrast,
            Target::Calm => &mut f.calm,
            Target::AutoRead => &mut f.auto_read,
            Target::VolumeDown => &mut f.volume_down,
            Target::VolumeUp => &mut f.volume_up,
            Target::CloseMenu => &mut f.close_menu,
        };
        *flag = true;
        f
    }
}

/// The controls as they are listed.
struct List<'a> {
    m: &'a VisitModel,
    controls: Vec<Control>,
}

impl List<'_> {
    fn add(&mut self, target: Target, visible: bool, hint: Option<&'static str>) {
        self.add_full(target, visible, true, hint);
    }

    fn add_full(&mut self, target: Target, visible: bool, enabled: bool, hint: Option<&'static str>) {
        let label = self.m.control_label(&target);
        self.controls.push(Control { target, label, visible, enabled, hint });
    }

    /// The top bar's help buttons: "Écouter", "Accessibilité", and the language button.
    fn help(&mut self, language: bool, hint: Option<&'static str>) {
        self.add(Target::Listen, self.m.speech.available(), hint);
        self.add(Target::Menu, true, hint);
        if language {
            self.add(Target::Language, self.m.kiosk.defs.config.languages.len() > 1, None);
        }
    }
}

impl VisitModel {
    /// The screen on and its controls in reading order: the one list the keypad, speech and the
    /// focus on screen read.
    pub fn screen_controls(&self) -> ScreenControls {
        let mut l = List { m: self, controls: Vec::new() };
        let langs = &self.kiosk.defs.config.languages;
        let screen = if self.admin.active() {
            ScreenId::Admin
        } else if self.a11y.languages_open() {
            for code in langs {
                l.add(Target::PickLanguage(code.clone()), true, Some(ANSWER));
            }
            l.add(Target::CloseLanguages, true, None);
            ScreenId::Languages
        } else if self.a11y.panel_open() {
            for n in 0..TEXT_SCALES.len() {
                l.add(Target::TextSize(n), true, Some("a11y.text-size"));
            }
            l.add(Target::Contrast, true, Some("a11y.contrast"));
            l.add(Target::Calm, true, Some("a11y.calm"));
            let speech = self.speech.available();
            l.add(Target::AutoRead, speech, Some("a11y.auto-read"));
            l.add(Target::VolumeDown, speech, Some("a11y.volume"));
            l.add(Target::VolumeUp, speech, Some("a11y.volume"));
            l.add(Target::CloseMenu, true, Some("speech.a11y"));
            ScreenId::Accessibility
        } else if self.engine.warning() {
            l.add(Target::StillHere, true, Some("speech.idle"));
            ScreenId::Idle
        } else if self.visit.over.is_some() {
            l.add(Target::Retry, true, Some("speech.save-retry"));
            l.add(Target::Finish, true, None);
            ScreenId::SaveFailed
        } else if self.visit.overlay.stop_confirm() {
            // The two confirmations, one style: a dialog over the screen, its safe answer first.
            l.add(Target::StopNo, true, Some("speech.stop-confirm"));
            l.add(Target::StopYes, true, Some("speech.stop-confirm"));
            ScreenId::StopConfirm
        } else if self.disk_out_of_service() {
            ScreenId::OutOfService
        } else {
            match self.engine.screen() {
                EScreen::Attract => {
                    for code in langs {
                        l.add(Target::Start(code.clone()), true, Some("speech.start"));
                    }
                    l.help(false, Some("speech.help-buttons"));
                    ScreenId::Attract
                }
                EScreen::Notice => {
                    l.add(Target::Next, true, Some("speech.notice-ok"));
                    l.add(Target::Back, true, None);
                    l.help(true, None);
                    l.add(Target::Stop, self.can_stop(), None);
                    ScreenId::Notice
                }
                EScreen::Question { .. } if self.visit.overlay.call_confirm() => {
                    l.add(Target::CallYes, true, Some("speech.call-confirm"));
                    l.add(Target::CallNo, true, Some("speech.call-confirm"));
                    ScreenId::CallConfirm
                }
                EScreen::Question { .. } => {
                    self.question_controls(&mut l);
                    ScreenId::Question
                }
                EScreen::Completed | EScreen::End => {
                    let tabs = !self.visit.suggestions.is_empty() && !self.visit.end_private;
                    l.add(Target::Profile, tabs, None);
                    l.add(Target::Places, tabs, None);
                    // Disabled while a ticket prints.
                    l.add_full(Target::Print, self.can_print(), !self.visit.print.printing, Some("speech.end-print"));
                    l.add(Target::Finish, true, Some("speech.end-finish"));
                    // The end screen's top bar has the language button too (the summary and the
                    // instructions in another language).
                    l.help(true, None);
                    ScreenId::End
                }
            }
        };
        ScreenControls { screen, controls: l.controls }
    }

    fn question_controls(&self, l: &mut List) {
        let q = self.engine.current();
        let kind = q.map(|q| q.kind);
        match kind {
            Some(Kind::Single | Kind::Multiple | Kind::List | Kind::Quiz | Kind::Grid) => {
                for c in q.into_iter().flat_map(|q| q.choices_for_row(self.engine.current_row())) {
                    l.add(Target::Choice(c.id.clone()), true, Some(ANSWER));
                }
            }
            Some(Kind::Contact) => {
                l.add(Target::ConsentYes, !self.visit.overlay.form_open(), Some("speech.consent"));
                l.add(Target::ConsentNo, !self.visit.overlay.form_open(), Some("speech.consent"));
            }
            _ => {}
        }
        let next = self.next_button();
        // Said with how to answer: "…puis « Suivant »", "…puis « Valider »".
        let next_hint = match kind {
            Some(Kind::Contact) => "speech.form",
            Some(Kind::Text) => "speech.text",
            _ => "speech.choose-many",
        };
        l.add_full(Target::Next, next.show, next.enabled, Some(next_hint));
        let contact = kind == Some(Kind::Contact);
        // "Retour" and "Passer" are said together; the contact step has no "Passer".
        let nav = (!contact).then_some(if kind == Some(Kind::Grid) { "speech.nav-row" } else { "speech.nav" });
        l.add(Target::Skip, q.is_some() && !contact, nav);
        l.add(Target::Call, self.can_call(), Some("speech.call"));
        l.add(Target::Back, true, nav);
        l.help(true, None);
        l.add(Target::Stop, self.can_stop(), None);
    }

    /// What a control is, in words (said when the keypad reaches it).
    fn control_label(&self, target: &Target) -> String {
        let lang = self.screen_lang();
        let key = match target {
            Target::Choice(id) => {
                if let Some(q) = self.engine.current()
                    && let offered = q.choices_for_row(self.engine.current_row())
                    && let Some(i) = offered.iter().position(|c| c.id == *id)
                {
                    let key = if self.engine.selected().iter().any(|s| s == id) { "speech.answer-selected" } else { "speech.answer" };
                    return tr_with(&lang, key, &[("n", &(i + 1).to_string()), ("label", offered[i].label.get(&lang))]);
                }
                return id.clone();
            }
            Target::Start(code) => return format!("{} — {}", tr(code, "lang.name"), tr(code, "start.action")),
            Target::Language => "nav.language",
            Target::PickLanguage(code) => return tr(code, "lang.name"),
            Target::CloseLanguages => "languages.close",
            Target::TextSize(n) => return format!("{} {}", tr(&lang, "a11y.text-size"), n + 1),
            Target::Listen => "a11y.listen",
            Target::Menu => "a11y.menu",
            Target::Back => "nav.back",
            Target::Skip if self.engine.current_row().is_some() => "nav.skip-row",
            Target::Skip => "nav.skip",
            Target::Call => "call.button",
            Target::CallYes => "call.yes",
            Target::CallNo => "call.no",
            Target::Next if self.visit.overlay.form_open() => "form.validate",
            Target::Next if self.engine.screen() == EScreen::Notice => "notice.ok",
            Target::Next => "nav.next",
            Target::ConsentYes => "consent.yes",
            Target::ConsentNo => "consent.no",
            Target::Print => "print.button",
            Target::Finish if self.visit.over.is_some() => "save.quit",
            Target::Finish => "end.finish",
            Target::Profile => "end.tab-profile",
            Target::Places => "end.tab-places",
            Target::StillHere => "idle.still-here",
            Target::Stop => "stop.button",
            Target::StopYes => "stop.yes",
            Target::StopNo => "stop.no",
            Target::Retry => "save.retry",
            Target::Contrast => "a11y.contrast",
            Target::Calm => "a11y.calm",
            Target::AutoRead => "a11y.auto-read",
            Target::VolumeDown => "a11y.volume-down",
            Target::VolumeUp => "a11y.volume-up",
            Target::CloseMenu => "a11y.close",
        };
        tr(&lang, key)
    }
}
