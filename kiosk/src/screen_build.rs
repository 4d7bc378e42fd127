//! [`VisitModel::view`]: what every screen shows, as plain data (`screen_views.rs`), built from
//! the model; the screen's controls and the keypad's focus among them come from
//! [`VisitModel::screen_controls`].

use crate::keypad::Target;
use crate::visit_model::*;
use passerelle_core::answers::ContactProblem;
use passerelle_core::engine::Screen as EScreen;
use passerelle_core::i18n::{tr, tr_with};
use passerelle_core::questionnaire::Kind;

/// The contact form's line for refused details, in the visitor's words in `lang`.
pub fn contact_problem_text(lang: &str, problem: &ContactProblem) -> String {
    let key = match problem {
        ContactProblem::Missing(field) if field == "last_name" => "form.missing_last_name",
        ContactProblem::MissingReach => "form.missing_reach",
        ContactProblem::BadPhone => "form.bad_phone",
        ContactProblem::BadEmail => "form.bad_email",
        // What the form's own fields cannot cause, and the fields without a sentence of their own.
        ContactProblem::Missing(_) | ContactProblem::NotAsked(_) | ContactProblem::TooLong(_) | ContactProblem::ControlCharacters(_) => "form.invalid",
    };
    tr(lang, key)
}

impl VisitModel {
    /// Everything on screen. Call [`VisitModel::speak_if_changed`] first (the UI's refresh does):
    /// a new screen moves the keypad focus back to nothing.
    pub fn view(&self) -> View {
        let lang = self.screen_lang();
        let controls = self.screen_controls();
        let focus = self.focused_control(&controls).map(|c| c.target.clone());
        let idle = (self.engine.warning() && self.visit.over.is_none()).then(|| {
            let remaining = self.visit.idle_left.unwrap_or(self.engine.options().idle_reset);
            tr_with(&lang, "idle.countdown", &[("n", &remaining.as_secs().to_string())])
        });
        let screen = if self.admin.is_open() {
            ScreenView::Admin
        } else if let Some(o) = &self.visit.over {
            ScreenView::SaveFailed { code: tr_with(&lang, "oos.code", &[("code", &o.code)]) }
        } else if self.disk_out_of_service() {
            ScreenView::OutOfService { code: tr_with(&lang, "oos.code", &[("code", "DISK-FULL")]) }
        } else {
            match self.engine.screen() {
                EScreen::Attract => ScreenView::Attract,
                EScreen::Notice => ScreenView::Notice(self.notice_view(&lang)),
                EScreen::Question { .. } => match self.question_view(&lang, focus.as_ref()) {
                    Some(q) => ScreenView::Question(Box::new(q)),
                    None => ScreenView::Attract,
                },
                EScreen::Completed | EScreen::End => {
                    let called = self.visit.saved.as_ref().is_some_and(|s| s.profile.partial);
                    ScreenView::End { thanks: tr(&lang, if called { "end.called.title" } else { "end.thanks" }), visit: self.end_view(&lang).map(Box::new) }
                }
            }
        };
        View {
            rtl: passerelle_core::i18n::is_rtl(&lang),
            chrome: self.chrome_view(&lang, focus.as_ref()),
            idle,
            stop_offered: self.can_stop(),
            overlay: self.visit.overlay,
            screen,
            admin: self.admin_view(),
            a11y: self.a11y_view(),
            controls,
            focus,
            lang,
        }
    }

    fn notice_view(&self, lang: &str) -> Option<NoticeView> {
        let q = &self.kiosk.defs.questionnaire;
        let notice = q.questions().iter().find(|x| x.kind == Kind::Notice)?;
        let owned = self.kiosk.text_vars(lang);
        let vars: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Some(NoticeView {
            section: q.sections[notice.section].title.get(lang).to_string(),
            title: notice.label.fill(&vars).get(lang).to_string(),
            body: notice.help.as_ref().map(|h| h.fill(&vars).get(lang).to_string()).unwrap_or_default(),
            icon: notice.picto.clone(),
        })
    }

    fn question_view(&self, lang: &str, focus: Option<&Target>) -> Option<QuestionView> {
        let q = self.engine.current()?;
        let owned = self.kiosk.text_vars(lang);
        let vars: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let selected = self.engine.selected();
        let status = match (q.kind, q.max_choices, self.engine.remaining_choices()) {
            (Kind::Multiple, Some(_), Some(0)) => tr(lang, "multiple.full"),
            (Kind::Multiple, Some(_), Some(1)) => tr(lang, "multiple.remaining.one"),
            (Kind::Multiple, Some(_), Some(n)) => tr_with(lang, "multiple.remaining", &[("n", &n.to_string())]),
            (Kind::Multiple, None, _) => tr(lang, "multiple.any"),
            _ => String::new(),
        };
        let (row_n, row_total) = self.engine.row_position().unwrap_or((1, q.rows.len()));
        let row = self.engine.current_row().map(|r| RowView {
            label: q.rows[r].label.get(lang).to_string(),
            icon: q.rows[r].picto.clone(),
            position: tr_with(lang, "grid.position", &[("n", &row_n.to_string()), ("total", &row_total.to_string())]),
        });
        let form = (q.kind == Kind::Contact).then(|| {
            let contact = self.engine.contact();
            let focused = self.visit.focused_field.min(q.fields.len().saturating_sub(1));
            FormView {
                fields: q
                    .fields
                    .iter()
                    .map(|f| FieldView {
                        id: f.id.clone(),
                        label: f.label.get(lang).to_string(),
                        value: contact.field(&f.id).unwrap_or_default().to_string(),
                        icon: f.picto.clone(),
                        required: f.required,
                    })
                    .collect(),
                focused,
                error: self.visit.form_error.as_ref().map(|p| contact_problem_text(lang, p)).unwrap_or_default(),
                keyboard: match q.fields.get(focused).map(|f| f.id.as_str()) {
                    Some("phone") => KeyboardLayout::Phone,
                    Some("email") => KeyboardLayout::Email,
                    _ => KeyboardLayout::Letters,
                },
            }
        });
        Some(QuestionView {
            kind: q.kind,
            section: self.kiosk.defs.questionnaire.sections[q.section].title.get(lang).to_string(),
            progress: self.engine.progress().map(|p| ProgressView {
                text: tr_with(lang, "progress.part", &[("n", &p.part.to_string()), ("total", &p.parts.to_string())]),
                part: p.part,
                parts: p.parts,
                part_fill: p.row.map_or(1.0, |(n, total)| n as f32 / total.max(1) as f32),
            }),
            title: q.label.get(lang).to_string(),
            // A multiple choice with a maximum says it in its status line ("Vous pouvez encore
            // choisir 2 réponses."), which takes its help's place on screen (speech says both).
            help: if q.kind == Kind::Multiple && q.max_choices.is_some() {
                String::new()
            } else {
                q.help.as_ref().map(|h| h.fill(&vars).get(lang).to_string()).unwrap_or_default()
            },
            icon: q.picto.clone(),
            choices: q
                .choices_for_row(self.engine.current_row())
                .into_iter()
                .map(|c| ChoiceView {
                    id: c.id.clone(),
                    label: c.label.get(lang).to_string(),
                    icon: c.picto.clone(),
                    selected: selected.contains(&c.id),
                    pinned: q.kind == Kind::Quiz && c.id == QUIZ_DONT_KNOW,
                    focused: focus.is_some_and(|t| matches!(t, Target::Choice(id) if *id == c.id)),
                })
                .collect(),
            status,
            accents: tr(lang, "key.accents").split_whitespace().map(String::from).collect(),
            next: self.next_button(),
            row,
            picture: q.image.as_ref().map(|img| (img.clone(), q.image_alt.as_ref().map(|t| t.get(lang)).unwrap_or_default().to_string())),
            text_value: self.engine.text(),
            text_max: q.max_length,
            form,
            can_call: self.can_call(),
        })
    }

    fn end_view(&self, lang: &str) -> Option<EndView> {
        let saved = self.visit.saved.as_ref()?;
        let s = passerelle_core::summary::summary(&saved.profile, &self.kiosk.defs.questionnaire, &self.kiosk.defs.rules.capability_question, lang);
        Some(EndView {
            called: saved.profile.partial,
            code: passerelle_core::summary::pretty_reference(&saved.id),
            at_ease_title: s.at_ease_title,
            at_ease: s.at_ease,
            help_title: s.help_title,
            help: s.help,
            mode: s.mode,
            private: self.visit.end_private,
            instructions: self.end_instructions(lang),
            places_shown: self.visit.end_places && !self.visit.suggestions.is_empty(),
            places: self.place_lines(lang),
            qr_payload: saved.payload.clone(),
            can_print: self.can_print(),
            printing: self.visit.print.printing,
            print_status: if self.visit.print.status.is_empty() { String::new() } else { tr(lang, self.visit.print.status) },
            reference: tr_with(lang, "end.reference", &[("ref", &passerelle_core::summary::pretty_reference(&saved.id))]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_contact_problem_has_the_forms_sentence_in_every_language() {
        let fields = ["last_name", "first_name", "phone", "address", "email"];
        for lang in ["fr", "en", "ar", "es", "pt", "ro"] {
            let text = |p: ContactProblem| contact_problem_text(lang, &p);
            assert_eq!(text(ContactProblem::Missing("last_name".into())), tr(lang, "form.missing_last_name"));
            assert_eq!(text(ContactProblem::MissingReach), tr(lang, "form.missing_reach"));
            assert_eq!(text(ContactProblem::BadPhone), tr(lang, "form.bad_phone"));
            assert_eq!(text(ContactProblem::BadEmail), tr(lang, "form.bad_email"));
            for f in fields.into_iter().skip(1) {
                assert_eq!(text(ContactProblem::Missing(f.into())), tr(lang, "form.invalid"), "{lang}: {f}");
            }
            for p in [ContactProblem::NotAsked("email"), ContactProblem::TooLong("phone"), ContactProblem::ControlCharacters("address")] {
                assert_eq!(text(p), tr(lang, "form.invalid"));
            }
            // Each sentence is the language's own, never a key.
            assert!(!text(ContactProblem::BadPhone).starts_with("form."), "{lang}");
        }
        assert_eq!(contact_problem_text("fr", &ContactProblem::BadEmail), tr("fr", "form.bad_email"));
        assert_ne!(tr("fr", "form.bad_email"), tr("fr", "form.invalid"));
    }
}
