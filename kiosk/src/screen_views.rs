//! What the kiosk's screens show, as plain data: the [`crate::visit_model::VisitModel`]'s
//! `view()` builds these; `src/ui/` maps them to the Slint adapters. No Slint here.

use crate::keypad::Target;
pub use crate::screen_controls::{Control, FocusFlags, ScreenControls, ScreenId};
pub use crate::visit_state::Overlay;
use passerelle_core::place_book::PlaceLine;
use passerelle_core::questionnaire::Kind;

/// Everything on screen, as plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub lang: String,
    pub rtl: bool,
    pub chrome: ChromeView,
    /// The inactivity warning's countdown, when it shows.
    pub idle: Option<String>,
    /// "Arrêter" is offered in the top bar: on the notice and the question screens.
    pub stop_offered: bool,
    /// The dialog over the page: the contact form, "On m'appelle"'s confirmation, "Arrêter"'s
    /// ("Effacer mes réponses ?"). The screens read their flags from it (`form_open()`,
    /// `call_confirm()`, `stop_confirm()`).
    pub overlay: Overlay,
    pub screen: ScreenView,
    pub admin: AdminView,
    pub a11y: A11yView,
    /// The screen on and its controls in reading order: what the keypad moves through and
    /// speech names.
    pub controls: ScreenControls,
    /// The keypad's focus: one of the reachable controls.
    pub focus: Option<Target>,
}

/// What does not depend on the screen: the structure, the languages, the welcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ChromeView {
    pub structure: String,
    pub languages: Vec<LanguageView>,
    /// The language button's text ("Langue"), empty when a single language is offered; the
    /// button opens the picker of every offered language (`A11yView::languages_open`).
    pub language_button: String,
    /// The welcome screen speaks the first two languages and every other script offered
    /// (Arabic): its welcome, its lines, its hint and its help buttons' texts.
    pub welcome: String,
    pub lines: Vec<String>,
    pub hint: String,
    pub welcome_listen: String,
    pub welcome_menu: String,
    /// The out-of-service screen's title and line, in the same languages.
    pub out_of_service: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LanguageView {
    pub code: String,
    pub name: String,
    pub action: String,
    /// The keypad is on its welcome tile, or on it in the language picker.
    pub focused: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScreenView {
    Attract,
    /// `None` only for a questionnaire without a notice.
    Notice(Option<NoticeView>),
    Question(Box<QuestionView>),
    End {
        thanks: String,
        visit: Option<Box<EndView>>,
    },
    SaveFailed {
        code: String,
    },
    /// Out of service between visits (a full data disk): the staff code.
    OutOfService {
        code: String,
    },
    Admin,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NoticeView {
    pub section: String,
    pub title: String,
    pub body: String,
    pub icon: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceView {
    pub id: String,
    pub label: String,
    pub icon: String,
    pub selected: bool,
    /// Always in view, below the others: a quiz's "Je ne sais pas" ([`QUIZ_DONT_KNOW`]).
    pub pinned: bool,
    /// The keypad is on it.
    pub focused: bool,
}

/// The id of a quiz's "Je ne sais pas" answer: it stays in view in every language and mode, so
/// that a visitor who does not know never has to guess.
pub const QUIZ_DONT_KNOW: &str = "ne_sait_pas";

/// The "Suivant" / "Valider" button of a question: one rule for the screen and the keypad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextRule {
    pub show: bool,
    pub enabled: bool,
}

/// The show-Next rule: a multiple choice (enabled once something is chosen), a free text
/// (enabled once something is typed), the open contact form; never a single choice, a list, a
/// grid or a quiz, which move on when chosen.
pub fn next_rule(kind: Kind, anything_chosen: bool, anything_typed: bool, form_open: bool) -> NextRule {
    match kind {
        Kind::Multiple => NextRule { show: true, enabled: anything_chosen },
        Kind::Text => NextRule { show: true, enabled: anything_typed },
        Kind::Contact => NextRule { show: form_open, enabled: true },
        _ => NextRule { show: false, enabled: false },
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RowView {
    pub label: String,
    pub icon: String,
    pub position: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyboardLayout {
    Letters,
    Phone,
    Email,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldView {
    pub id: String,
    pub label: String,
    pub value: String,
    pub icon: String,
    pub required: bool,
}

/// The contact form (contact questions only).
#[derive(Debug, Clone, PartialEq)]
pub struct FormView {
    pub fields: Vec<FieldView>,
    pub focused: usize,
    pub error: String,
    pub keyboard: KeyboardLayout,
}

/// Where the visitor is: the part of the visit, and how much of the current part is done (in a
/// grid, the rows; elsewhere the part is on screen whole).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressView {
    /// "Partie 3 sur 8", on screen and as the indicator's accessible label.
    pub text: String,
    /// The current part, from 1, and how many there are (one segment each on screen).
    pub part: usize,
    pub parts: usize,
    /// How much of the current part's segment is filled (0 to 1).
    pub part_fill: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuestionView {
    pub kind: Kind,
    pub section: String,
    /// "Partie 3 sur 8": a total that never changes during a visit (see [`ProgressView`]).
    pub progress: Option<ProgressView>,
    pub title: String,
    pub help: String,
    pub icon: String,
    pub choices: Vec<ChoiceView>,
    /// Multiple choice: what is still allowed.
    pub status: String,
    /// The accented letters of the visitor's language, on their own row of the keyboard.
    pub accents: Vec<String>,
    pub next: NextRule,
    /// Grid: the row on screen.
    pub row: Option<RowView>,
    /// Quiz: the picture's name and its description.
    pub picture: Option<(String, String)>,
    pub text_value: String,
    pub text_max: usize,
    /// The contact form's fields, on the consent step (open when the view's overlay says so).
    pub form: Option<FormView>,
    /// "On m'appelle" is offered (every question screen, not while typing contact details).
    pub can_call: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EndView {
    /// The visit ended with "On m'appelle": the visitor walks to the counter and the code must
    /// leave with them (the reference is the largest text; the ticket prints by itself).
    pub called: bool,
    /// The reference alone ("ABCD-EFGH"), for the called screen's large line.
    pub code: String,
    pub at_ease_title: String,
    pub at_ease: Vec<String>,
    pub help_title: String,
    pub help: Vec<String>,
    pub mode: String,
    /// A minute without a touch: the summary and the places are hidden, only the code, the
    /// reference and the instructions stay.
    pub private: bool,
    /// What to do with the code, in plain words.
    pub instructions: String,
    pub places_shown: bool,
    pub places: Vec<PlaceLine>,
    /// What the QR code holds.
    pub qr_payload: String,
    pub can_print: bool,
    pub printing: bool,
    pub print_status: String,
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct A11yView {
    pub panel_open: bool,
    pub text_step: usize,
    pub text_scale: f32,
    pub high_contrast: bool,
    pub calm: bool,
    pub auto_read: bool,
    pub volume_step: usize,
    pub volume_steps: usize,
    /// "Volume : 2 sur 4" (written by the language: "2 من 4" in Arabic, never "4 / 2").
    pub volume_text: String,
    pub speech_available: bool,
    /// The language picker is open (the language button).
    pub languages_open: bool,
}

/// The PIN pad and the admin screen, as plain data.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdminView {
    pub pin_open: bool,
    pub pin_dots: String,
    pub pin_message: String,
    pub pin_locked: bool,
    pub status: String,
    pub busy: bool,
    pub confirm_purge: bool,
    /// The admin screen's figures, when it is open.
    pub screen: Option<AdminScreenView>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdminScreenView {
    pub stats: Vec<StatRowView>,
    pub per_day: Vec<BarView>,
    pub autonomy: Vec<BarView>,
    pub facts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatRowView {
    pub label: String,
    pub today: String,
    pub week: String,
    pub total: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BarView {
    pub label: String,
    pub value: i64,
    /// Of the largest bar.
    pub fraction: f32,
}
