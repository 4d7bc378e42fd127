//! What is said for each screen: the question, then each answer with its number, then how to
//! answer and how to go back. The same texts feed the "Écouter" button, the automatic reading
//! and `passerelle speech-script`. What it tells the visitor to touch is what the screen's
//! controls offer ([`Offered`], from `screen_controls.rs`): a sentence about a control is said
//! only when the control is there, and the controls no sentence names are named at the end.

use crate::Kiosk;
use passerelle_core::i18n::{tr, tr_with};
use passerelle_core::place_book::PlaceLine;
use passerelle_core::questionnaire::{Kind, Question};
use passerelle_core::summary::{Summary, pretty_reference};

/// What the screen's controls let speech say: the keys of the sentences of its reachable
/// controls (`None`: every sentence, for `passerelle speech-script`), and the labels of the
/// reachable controls that no sentence names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Offered {
    pub hints: Option<Vec<&'static str>>,
    pub others: Vec<String>,
}

impl Offered {
    /// Every sentence, no other button (`passerelle speech-script`, without a screen).
    pub fn all() -> Offered {
        Offered { hints: None, others: Vec::new() }
    }

    fn has(&self, key: &str) -> bool {
        self.hints.as_ref().is_none_or(|h| h.contains(&key))
    }
}

/// A screen, as far as speech is concerned.
pub enum Spoken<'a> {
    Attract,
    Notice,
    Question {
        q: &'a Question,
        row: Option<usize>,
        progress: Option<passerelle_core::engine::Progress>,
        selected: &'a [String],
        form_open: bool,
    },
    /// The confirmation of "On m'appelle".
    CallConfirm,
    /// The confirmation of "Arrêter": "Effacer mes réponses ?".
    StopConfirm,
    /// The language picker: every offered language by its own name.
    Languages,
    /// `printer`: a ticket printer is there (the instructions speak of the ticket);
    /// `private`: the summary is hidden (a minute without a touch), so it is not read either;
    /// `called`: "On m'appelle" ended the visit (the visitor walks to the counter: what to do
    /// with the code, then the code).
    End {
        summary: &'a Summary,
        reference: &'a str,
        printer: bool,
        places: &'a [PlaceLine],
        private: bool,
        called: bool,
    },
    Idle {
        seconds: u64,
    },
    A11y,
    SaveFailed,
}

/// The reference spelt out, one character at a time.
fn spelt(reference: &str) -> String {
    pretty_reference(reference).chars().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")
}

fn sentence(s: &str) -> String {
    let s = s.trim();
    if s.is_empty() || s.ends_with(['.', '?', '!', ':', '…']) { s.to_string() } else { format!("{s}.") }
}

/// The text spoken for a screen in `lang` (the welcome screen speaks every language offered),
/// telling the visitor to touch only what `offered` offers.
pub fn text(kiosk: &Kiosk, screen: &Spoken, lang: &str, offered: &Offered) -> String {
    let mut parts: Vec<String> = Vec::new();
    // A sentence about a control, when the control is offered.
    let said = |key: &str| if offered.has(key) { tr(lang, key) } else { String::new() };
    let owned = kiosk.text_vars(lang);
    let vars: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    match screen {
        Spoken::Attract => {
            for l in &kiosk.defs.config.languages {
                parts.push(tr(l, "speech.welcome"));
                for key in ["speech.start", "speech.help-buttons"].into_iter().filter(|k| offered.has(k)) {
                    parts.push(tr(l, key));
                }
            }
        }
        Spoken::Notice => {
            if let Some(n) = kiosk.defs.questionnaire.questions().iter().find(|q| q.kind == Kind::Notice) {
                parts.push(sentence(n.label.fill(&vars).get(lang)));
                if let Some(h) = &n.help {
                    parts.extend(h.fill(&vars).get(lang).lines().map(sentence));
                }
            }
            parts.push(said("speech.notice-ok"));
            parts.push(tr(lang, "speech.keys"));
        }
        Spoken::Question { q, row, progress, selected, form_open } => {
            if let Some(p) = progress {
                parts.push(tr_with(lang, "speech.progress", &[("n", &p.part.to_string()), ("total", &p.parts.to_string())]));
                if let Some((n, total)) = p.row {
                    parts.push(tr_with(lang, "speech.row-position", &[("n", &n.to_string()), ("total", &total.to_string())]));
                }
            }
            if q.kind == Kind::Contact && *form_open {
                parts.push(sentence(&tr(lang, "form.title")));
                parts.extend(q.fields.iter().map(|f| sentence(f.label.get(lang))));
                parts.push(said("speech.form"));
                return finish(parts, offered, lang);
            }
            parts.push(sentence(q.label.get(lang)));
            if let Some(h) = &q.help {
                parts.extend(h.fill(&vars).get(lang).lines().map(sentence));
            }
            if let (Some(r), Kind::Grid) = (row, q.kind) {
                parts.push(sentence(q.rows[*r].label.get(lang)));
            }
            if let Some(alt) = &q.image_alt {
                parts.push(tr_with(lang, "speech.picture", &[("alt", alt.get(lang))]));
            }
            for (i, c) in q.choices_for_row(*row).into_iter().enumerate() {
                let key = if selected.contains(&c.id) { "speech.answer-selected" } else { "speech.answer" };
                parts.push(tr_with(lang, key, &[("n", &(i + 1).to_string()), ("label", c.label.get(lang).trim_end_matches('.'))]));
            }
            // "…puis « Suivant »" only while "Suivant" can be touched (its control offers the
            // sentence); before that, the sentence that says it becomes available.
            let then_next = |key: &'static str, first: &str| tr(lang, if offered.has(key) { key } else { first });
            parts.push(match q.kind {
                Kind::Multiple => then_next("speech.choose-many", "speech.choose-many-first"),
                Kind::Text => then_next("speech.text", "speech.text-first"),
                Kind::Contact => said("speech.consent"),
                _ => tr(lang, "speech.choose-one"),
            });
            if q.kind != Kind::Contact {
                // On the grid, "passer" skips this row only, and says so.
                parts.push(said(if q.kind == Kind::Grid { "speech.nav-row" } else { "speech.nav" }));
            }
            parts.push(said("speech.call"));
        }
        Spoken::End { reference, printer, called: true, .. } => {
            parts.push(tr(lang, "end.called.title"));
            parts.push(tr(lang, "end.called.advisor"));
            parts.push(tr_with(lang, "speech.end-code", &[("ref", &spelt(reference))]));
            parts.push(tr(lang, if *printer { "end.called.ticket" } else { "end.called.photo" }));
            if *printer {
                parts.push(said("speech.end-print"));
            }
            parts.push(said("speech.end-finish"));
        }
        Spoken::End { summary, reference, printer, places, private, called: false } => {
            parts.push(sentence(&tr(lang, "end.thanks")));
            // What to do with the code comes first: it is what the visitor must not miss.
            parts.push(tr(lang, if *printer { "end.instructions-ticket" } else { "end.instructions" }));
            let hidden = Summary::default();
            let (summary, places): (&Summary, &[PlaceLine]) = if *private { (&hidden, &[]) } else { (summary, places) };
            for (title, items) in [(&summary.at_ease_title, &summary.at_ease), (&summary.help_title, &summary.help)] {
                if !title.is_empty() {
                    parts.push(sentence(title));
                }
                parts.extend(items.iter().map(|i| sentence(i)));
            }
            if !summary.mode.is_empty() {
                parts.push(sentence(&summary.mode));
            }
            if !places.is_empty() {
                parts.push(sentence(&tr(lang, "places.title")));
                for p in places.iter() {
                    parts.extend([&p.name, &p.why, &p.opening, &p.address].map(|x| sentence(x)));
                    if !p.phone.is_empty() {
                        parts.push(sentence(&tr_with(lang, "places.phone", &[("phone", &p.phone)])));
                    }
                }
            }
            parts.push(tr_with(lang, "speech.end-code", &[("ref", &spelt(reference))]));
            if *printer {
                parts.push(said("speech.end-print"));
            }
            parts.push(said("speech.end-finish"));
        }
        Spoken::Idle { seconds } => {
            parts.push(tr(lang, "idle.title"));
            parts.push(tr_with(lang, "idle.countdown", &[("n", &seconds.to_string())]));
            parts.push(said("speech.idle"));
        }
        Spoken::A11y => {
            parts.push(sentence(&tr(lang, "a11y.menu")));
            for k in ["a11y.text-size", "a11y.contrast", "a11y.calm", "a11y.auto-read", "a11y.volume"] {
                parts.push(sentence(&said(k)));
            }
            parts.push(said("speech.a11y"));
        }
        Spoken::CallConfirm => {
            parts.push(tr(lang, "call.title"));
            parts.push(tr(lang, "call.confirm"));
            parts.push(said("speech.call-confirm"));
        }
        Spoken::Languages => {
            parts.push(sentence(&tr(lang, "languages.title")));
            for (i, l) in kiosk.defs.config.languages.iter().enumerate() {
                parts.push(tr_with(lang, "speech.answer", &[("n", &(i + 1).to_string()), ("label", &tr(l, "lang.name"))]));
            }
            parts.push(said("speech.languages"));
        }
        Spoken::StopConfirm => {
            parts.push(tr(lang, "stop.title"));
            parts.push(tr(lang, "stop.confirm"));
            parts.push(said("speech.stop-confirm"));
        }
        Spoken::SaveFailed => {
            parts.push(tr(lang, "save.failed.title"));
            parts.push(tr(lang, "save.failed.body"));
            parts.push(said("speech.save-retry"));
        }
    }
    finish(parts, offered, lang)
}

/// The parts joined, after the other buttons by their labels.
fn finish(mut parts: Vec<String>, offered: &Offered, lang: &str) -> String {
    if !offered.others.is_empty() {
        let names: Vec<String> = offered.others.iter().map(|l| tr_with(lang, "speech.button-name", &[("label", l)])).collect();
        parts.push(tr_with(lang, "speech.buttons", &[("names", &names.join(&tr(lang, "speech.list-separator")))]));
    }
    parts.retain(|p| !p.is_empty());
    // Bidi isolates and no-break hyphens (a Latin name in Arabic) are for the screen only.
    parts.join(" ").replace(['\u{2068}', '\u{2069}'], "").replace('\u{2011}', "-")
}

/// Every screen's text, as `passerelle speech-script` prints it: (screen name, text).
pub fn script(kiosk: &Kiosk, lang: &str, example: Option<(&Summary, &str)>) -> Vec<(String, String)> {
    let all = Offered::all();
    let mut out = vec![("attract".to_string(), text(kiosk, &Spoken::Attract, lang, &all)), ("notice".to_string(), text(kiosk, &Spoken::Notice, lang, &all))];
    // The questions as this kiosk asks them: in its order, on its path, its optional questions
    // only when it offers them.
    let questionnaire = &kiosk.defs.questionnaire;
    let config = &kiosk.defs.config;
    for i in questionnaire.sequence(config.flow) {
        let q = &questionnaire.questions()[i];
        if q.optional && !config.optional_questions.contains(&q.id) {
            continue;
        }
        match q.kind {
            Kind::Notice => {}
            Kind::Grid => {
                for r in questionnaire.rows_on_path(i, config.flow.path) {
                    out.push((
                        format!("{}/{}", q.id, q.rows[r].id),
                        text(kiosk, &Spoken::Question { q, row: Some(r), progress: None, selected: &[], form_open: false }, lang, &all),
                    ));
                }
            }
            Kind::Contact => {
                out.push((q.id.clone(), text(kiosk, &Spoken::Question { q, row: None, progress: None, selected: &[], form_open: false }, lang, &all)));
                out.push((
                    format!("{}/form", q.id),
                    text(kiosk, &Spoken::Question { q, row: None, progress: None, selected: &[], form_open: true }, lang, &all),
                ));
            }
            _ => out.push((q.id.clone(), text(kiosk, &Spoken::Question { q, row: None, progress: None, selected: &[], form_open: false }, lang, &all))),
        }
    }
    if let Some((summary, reference)) = example {
        for called in [false, true] {
            let end = Spoken::End { summary, reference, printer: false, places: &[], private: false, called };
            out.push((if called { "end-called" } else { "end" }.into(), text(kiosk, &end, lang, &all)));
        }
    }
    out.push(("idle".into(), text(kiosk, &Spoken::Idle { seconds: kiosk.defs.config.idle_reset.as_secs() }, lang, &all)));
    out.push(("accessibility".into(), text(kiosk, &Spoken::A11y, lang, &all)));
    out.push(("save-failed".into(), text(kiosk, &Spoken::SaveFailed, lang, &all)));
    out.push(("call-confirm".into(), text(kiosk, &Spoken::CallConfirm, lang, &all)));
    out.push(("stop-confirm".into(), text(kiosk, &Spoken::StopConfirm, lang, &all)));
    out.push(("languages".into(), text(kiosk, &Spoken::Languages, lang, &all)));
    out
}
