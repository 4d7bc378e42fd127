//! The visit engine: a pure state machine, driven by the UI (or a script) and a clock.
//!
//! attract → notice → questions (choose / next / back / skip; irrelevant questions are not
//! asked and their answers dropped) → optional consent (the contact question) → completed
//! (the caller stores the visit, then calls [`Engine::saved`]) → end → attract.
//!
//! Inactivity: after `idle_warning` without input the engine asks "are you still there?"
//! ([`Screen`] stays, [`Engine::warning`] is set); after `idle_reset` more it wipes the visit and
//! returns to attract, reporting only the step where the visit was abandoned.

use crate::answers::{Answer, AnswerError, Answers, Contact};
use crate::questionnaire::{Flow, Kind, Question, Questionnaire};
use chrono::NaiveDateTime;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use thiserror::Error;

/// Time, injected: the kiosk passes the system clock, tests a [`FakeClock`].
pub trait Clock: Send + Sync {
    /// Monotonic time since an arbitrary origin (inactivity).
    fn monotonic(&self) -> Duration;
    /// Local wall-clock time (only the date and the hour are ever stored).
    fn local_now(&self) -> NaiveDateTime;
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct FakeClock {
    inner: Mutex<(Duration, NaiveDateTime)>,
}

impl FakeClock {
    pub fn new(local: NaiveDateTime) -> Arc<FakeClock> {
        Arc::new(FakeClock { inner: Mutex::new((Duration::ZERO, local)) })
    }
    pub fn advance(&self, d: Duration) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.0 += d;
        g.1 += chrono::Duration::from_std(d).unwrap_or_default();
    }
    pub fn set_local(&self, t: NaiveDateTime) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).1 = t;
    }
}

impl Clock for FakeClock {
    fn monotonic(&self) -> Duration {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).0
    }
    fn local_now(&self) -> NaiveDateTime {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Attract,
    Notice,
    /// Question `index` of the questionnaire; `row` for a grid (0 otherwise).
    Question {
        index: usize,
        row: usize,
    },
    /// All questions done: waiting for the caller to store the visit.
    Completed,
    /// The visit is stored: profile and QR code on screen.
    End,
}

#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub idle_warning: Duration,
    pub idle_reset: Duration,
    /// False when contact details cannot be protected: the contact step is not offered.
    pub consent_offered: bool,
    /// The order of the questions and which ones are asked (`order`, `path` in kiosk.toml).
    pub flow: Flow,
    /// The optional questions this kiosk asks (the others marked `optional` are not asked).
    pub optional_questions: Vec<String>,
}

/// What an input did.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// The screen changed or stayed; nothing for the caller to do.
    Moved,
    /// The last question is done: store this visit, then call [`Engine::saved`].
    Finished(CompletedVisit),
    /// The visitor left from the notice (back) or stopped the visit ("Arrêter"): record an
    /// abandonment at this step.
    Abandoned { step: String },
}

/// What the clock did.
#[derive(Debug, PartialEq)]
pub enum IdleEvent {
    None,
    /// "Are you still there?" with the seconds left before the reset.
    Warning {
        remaining: Duration,
    },
    /// The visit was wiped. `abandoned_at` is the step reached, or None if the visit was already
    /// stored (end screen) or never started.
    Reset {
        abandoned_at: Option<String>,
    },
}

/// A finished visit, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletedVisit {
    pub lang: String,
    pub answers: Answers,
    /// Set when the visitor ended the questionnaire early ("On m'appelle"): the questions not
    /// reached are not asked (absent from `answers`), never counted as skipped.
    pub interrupted: Option<Interruption>,
}

/// Where a visit was ended early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interruption {
    /// The section of the last question answered (or skipped), in the order of the visit;
    /// None when the visitor stopped on the first question.
    pub after_section: Option<String>,
}

#[derive(Debug, Error, PartialEq)]
pub enum EngineError {
    #[error("not possible on this screen")]
    WrongScreen,
    #[error("language `{0}` is not offered")]
    UnknownLanguage(String),
    #[error("at most {0} choices")]
    MaxReached(usize),
    #[error("choose at least one answer, or skip")]
    NothingChosen,
    #[error(transparent)]
    Answer(#[from] AnswerError),
}

#[derive(Debug, Clone, PartialEq)]
enum Draft {
    None,
    Choices(Vec<String>),
    Text(String),
    Contact(Contact),
}

pub struct Engine {
    q: Arc<Questionnaire>,
    opts: EngineOptions,
    clock: Arc<dyn Clock>,
    languages: Vec<String>,
    screen: Screen,
    lang: String,
    answers: Answers,
    draft: Draft,
    last_input: Duration,
    warning: bool,
    /// The questions this kiosk's flow may ask, in its order (indices into the questionnaire).
    sequence: Vec<usize>,
    /// How long the end screen stays without a touch ([`Engine::set_end_screen`]).
    end_screen: Duration,
    /// The part of each question this visit may ask (index into the questionnaire's questions),
    /// and how many parts: fixed when the engine is made (see [`Engine::progress`]).
    part_of: Vec<Option<usize>>,
    parts: usize,
}

/// Where the visitor is, in words that never lie: the part ("Partie 3 sur 5", a total fixed
/// for the whole visit) and, in a grid, the row ("Compétence 3 sur 14").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The current part, from 1.
    pub part: usize,
    /// How many parts this kiosk's flow has: the same from the first question to the last.
    pub parts: usize,
    /// In a grid: the row on screen among the rows asked (from 1), and how many are asked.
    pub row: Option<(usize, usize)>,
}

impl Engine {
    /// `languages`: the languages the kiosk offers (the first is the default).
    pub fn new(q: Arc<Questionnaire>, opts: EngineOptions, clock: Arc<dyn Clock>, languages: Vec<String>) -> Engine {
        let lang = languages.first().cloned().unwrap_or_else(|| "fr".into());
        let last_input = clock.monotonic();
        let sequence = q.sequence(opts.flow);
        let end_screen = opts.idle_warning + opts.idle_reset;
        let (part_of, parts) = parts_of(&q, &opts, &sequence);
        Engine {
            q,
            opts,
            clock,
            languages,
            screen: Screen::Attract,
            lang,
            answers: BTreeMap::new(),
            draft: Draft::None,
            last_input,
            warning: false,
            sequence,
            end_screen,
            part_of,
            parts,
        }
    }

    /// The end screen (a stored visit: its code on screen) stays `d` without a touch, with no
    /// "are you still there?" warning: a visitor may be queueing with it. Default: the warning
    /// plus the reset time, as for any other screen.
    pub fn set_end_screen(&mut self, d: Duration) {
        self.end_screen = d;
    }

    /// Time since the last input.
    pub fn idle_for(&self) -> Duration {
        self.clock.monotonic().saturating_sub(self.last_input)
    }

    pub fn questionnaire(&self) -> &Arc<Questionnaire> {
        &self.q
    }
    pub fn screen(&self) -> Screen {
        self.screen
    }
    pub fn lang(&self) -> &str {
        &self.lang
    }
    pub fn answers(&self) -> &Answers {
        &self.answers
    }
    pub fn warning(&self) -> bool {
        self.warning
    }
    pub fn options(&self) -> &EngineOptions {
        &self.opts
    }

    /// The question on screen, if any.
    pub fn current(&self) -> Option<&Question> {
        match self.screen {
            Screen::Question { index, .. } => Some(&self.q.questions()[index]),
            _ => None,
        }
    }

    /// The grid row on screen, if the current question is a grid.
    pub fn current_row(&self) -> Option<usize> {
        match (self.screen, self.current()) {
            (Screen::Question { row, .. }, Some(q)) if q.kind == Kind::Grid => Some(row),
            _ => None,
        }
    }

    fn touch(&mut self) {
        self.last_input = self.clock.monotonic();
        self.warning = false;
    }

    /// Any input that is not an answer (scrolling, typing a key, "Je suis encore là").
    pub fn still_here(&mut self) {
        self.touch();
    }

    /// Change the language (attract screen, or any time from the accessibility menu).
    pub fn set_lang(&mut self, lang: &str) -> Result<(), EngineError> {
        if !self.languages.iter().any(|l| l == lang) {
            return Err(EngineError::UnknownLanguage(lang.to_string()));
        }
        self.touch();
        self.lang = lang.to_string();
        Ok(())
    }

    /// Attract → notice.
    pub fn start(&mut self) -> Result<(), EngineError> {
        if self.screen != Screen::Attract {
            return Err(EngineError::WrongScreen);
        }
        self.touch();
        self.answers.clear();
        self.draft = Draft::None;
        self.screen = Screen::Notice;
        Ok(())
    }

    /// Notice → first question ("J'ai compris").
    pub fn acknowledge(&mut self) -> Result<Outcome, EngineError> {
        if self.screen != Screen::Notice {
            return Err(EngineError::WrongScreen);
        }
        self.touch();
        Ok(self.advance_from(None))
    }

    /// Touch a choice. Single, list, quiz and grid rows record it and move on; a multiple choice
    /// toggles it (exclusive choices clear the others) and waits for [`Engine::next`].
    pub fn choose(&mut self, choice: &str) -> Result<Outcome, EngineError> {
        let Screen::Question { index, row } = self.screen else {
            return Err(EngineError::WrongScreen);
        };
        self.touch();
        let q = &self.q.questions()[index];
        if q.choice(choice).is_none() {
            return Err(AnswerError::UnknownChoice { question: q.id.clone(), choice: choice.to_string() }.into());
        }
        match q.kind {
            Kind::Single | Kind::List | Kind::Quiz => {
                let qid = q.id.clone();
                self.answers.insert(qid, Answer::Choice(choice.to_string()));
                Ok(self.advance_from(Some(index)))
            }
            Kind::Grid => {
                let row_id = q.rows[row].id.clone();
                if q.choice(choice).is_some_and(|c| !q.offers(c, Some(&row_id))) {
                    return Err(AnswerError::UnknownChoice { question: format!("{}.{row_id}", q.id), choice: choice.to_string() }.into());
                }
                let qid = q.id.clone();
                let entry = self.answers.entry(qid).or_insert_with(|| Answer::Grid(BTreeMap::new()));
                if !matches!(entry, Answer::Grid(_)) {
                    *entry = Answer::Grid(BTreeMap::new());
                }
                if let Answer::Grid(g) = entry {
                    g.insert(row_id, choice.to_string());
                }
                Ok(self.advance_row(index, row))
            }
            Kind::Multiple => {
                let exclusive = q.choice(choice).is_some_and(|c| c.exclusive);
                let max = q.max_choices;
                let mut sel = match &self.draft {
                    Draft::Choices(v) => v.clone(),
                    _ => Vec::new(),
                };
                if let Some(pos) = sel.iter().position(|c| c == choice) {
                    sel.remove(pos);
                } else {
                    if exclusive {
                        sel.clear();
                    } else {
                        sel.retain(|c| !q.choice(c).is_some_and(|c| c.exclusive));
                    }
                    if let Some(m) = max
                        && sel.len() >= m
                    {
                        return Err(EngineError::MaxReached(m));
                    }
                    sel.push(choice.to_string());
                }
                self.draft = Draft::Choices(q.order_choices(sel));
                Ok(Outcome::Moved)
            }
            _ => Err(EngineError::WrongScreen),
        }
    }

    /// The choices ticked so far on a multiple-choice screen (or the recorded answer elsewhere).
    pub fn selected(&self) -> Vec<String> {
        if let Draft::Choices(v) = &self.draft {
            return v.clone();
        }
        let Some(q) = self.current() else {
            return Vec::new();
        };
        match (self.answers.get(&q.id), self.current_row()) {
            (Some(Answer::Choice(c)), None) => vec![c.clone()],
            (Some(Answer::Grid(g)), Some(r)) => g.get(&q.rows[r].id).cloned().into_iter().collect(),
            _ => Vec::new(),
        }
    }

    /// How many more choices may be ticked (multiple choice with a maximum).
    pub fn remaining_choices(&self) -> Option<usize> {
        let q = self.current()?;
        let max = q.max_choices?;
        Some(max.saturating_sub(self.selected().len()))
    }

    /// The text typed so far on a text screen.
    pub fn text(&self) -> String {
        match &self.draft {
            Draft::Text(t) => t.clone(),
            _ => String::new(),
        }
    }

    pub fn set_text(&mut self, text: &str) -> Result<(), EngineError> {
        let q = self.current().ok_or(EngineError::WrongScreen)?;
        if q.kind != Kind::Text {
            return Err(EngineError::WrongScreen);
        }
        let max = q.max_length;
        self.touch();
        self.draft = Draft::Text(text.chars().take(max).collect());
        Ok(())
    }

    /// The contact form as typed so far.
    pub fn contact(&self) -> Contact {
        match &self.draft {
            Draft::Contact(c) => c.clone(),
            _ => Contact::default(),
        }
    }

    pub fn set_contact_field(&mut self, field: &str, value: &str) -> Result<(), EngineError> {
        let q = self.current().ok_or(EngineError::WrongScreen)?;
        if q.kind != Kind::Contact || !q.fields.iter().any(|f| f.id == field) {
            return Err(EngineError::WrongScreen);
        }
        self.touch();
        let mut c = self.contact();
        if let Some(v) = c.field_mut(field) {
            *v = value.chars().take(crate::questionnaire::CONTACT_FIELD_MAX).collect();
        }
        self.draft = Draft::Contact(c);
        Ok(())
    }

    /// "Suivant": confirm a multiple choice, a text or the contact form (the notice too).
    #[allow(clippy::should_implement_trait)] // the visitor's "Suivant" button, not an iterator
    pub fn next(&mut self) -> Result<Outcome, EngineError> {
        if self.screen == Screen::Notice {
            return self.acknowledge();
        }
        let Screen::Question { index, .. } = self.screen else {
            return Err(EngineError::WrongScreen);
        };
        self.touch();
        let q = &self.q.questions()[index];
        let answer = match (q.kind, &self.draft) {
            (Kind::Multiple, Draft::Choices(v)) if !v.is_empty() => Answer::Choices(v.clone()),
            (Kind::Text, Draft::Text(t)) if !t.trim().is_empty() => Answer::Text(t.trim().to_string()),
            (Kind::Contact, Draft::Contact(c)) if !c.is_empty() => Answer::Contact(trimmed(c)),
            (Kind::Multiple | Kind::Text | Kind::Contact, _) => {
                return Err(EngineError::NothingChosen);
            }
            _ => return Err(EngineError::WrongScreen),
        };
        q.check(&answer)?;
        let qid = q.id.clone();
        self.answers.insert(qid, answer);
        Ok(self.advance_from(Some(index)))
    }

    /// "Je préfère ne pas répondre" (for a grid: this row only; on consent: "Non merci").
    pub fn skip(&mut self) -> Result<Outcome, EngineError> {
        let Screen::Question { index, row } = self.screen else {
            return Err(EngineError::WrongScreen);
        };
        self.touch();
        let q = &self.q.questions()[index];
        if q.kind == Kind::Grid {
            let (qid, rid) = (q.id.clone(), q.rows[row].id.clone());
            match self.answers.entry(qid).or_insert_with(|| Answer::Grid(BTreeMap::new())) {
                Answer::Grid(g) => {
                    g.remove(&rid);
                }
                other => *other = Answer::Grid(BTreeMap::new()),
            }
            return Ok(self.advance_row(index, row));
        }
        let qid = q.id.clone();
        self.answers.insert(qid, Answer::Skipped);
        Ok(self.advance_from(Some(index)))
    }

    /// "Retour": the previous step, with its answer shown again.
    pub fn back(&mut self) -> Result<Outcome, EngineError> {
        self.touch();
        match self.screen {
            Screen::Notice => {
                self.wipe();
                Ok(Outcome::Abandoned { step: "notice".into() })
            }
            Screen::Question { index, row } => {
                let q = &self.q.questions()[index];
                if q.kind == Kind::Grid
                    && let Some(&prev) = self.rows(index).iter().rev().find(|&&r| r < row)
                {
                    self.screen = Screen::Question { index, row: prev };
                    self.draft = Draft::None;
                    return Ok(Outcome::Moved);
                }
                match self.prev_relevant(index) {
                    Some(p) => self.enter(p, true),
                    None => {
                        self.screen = Screen::Notice;
                        self.draft = Draft::None;
                    }
                }
                Ok(Outcome::Moved)
            }
            _ => Err(EngineError::WrongScreen),
        }
    }

    /// The caller stored the visit: show the end screen.
    pub fn saved(&mut self) -> Result<(), EngineError> {
        if self.screen != Screen::Completed {
            return Err(EngineError::WrongScreen);
        }
        self.touch();
        self.screen = Screen::End;
        Ok(())
    }

    /// "Terminer" on the end screen: wipe everything, back to attract.
    pub fn finish(&mut self) -> Result<(), EngineError> {
        if self.screen != Screen::End {
            return Err(EngineError::WrongScreen);
        }
        self.wipe();
        Ok(())
    }

    /// "On m'appelle" / "Terminer maintenant", confirmed: the visit ends here with the answers
    /// given so far (a multiple choice ticked on screen but not confirmed counts as given);
    /// the questions not reached are not asked. The caller stores it like any finished visit.
    pub fn finish_now(&mut self) -> Result<Outcome, EngineError> {
        let Screen::Question { index, .. } = self.screen else {
            return Err(EngineError::WrongScreen);
        };
        self.touch();
        let q = &self.q.questions()[index];
        if let (Kind::Multiple, Draft::Choices(v)) = (q.kind, &self.draft)
            && !v.is_empty()
        {
            let answer = Answer::Choices(v.clone());
            if q.check(&answer).is_ok() {
                let qid = q.id.clone();
                self.answers.insert(qid, answer);
            }
        }
        self.prune();
        let last = self.sequence.iter().rev().find(|&&i| self.answers.contains_key(&self.q.questions()[i].id));
        let after_section = last.map(|&i| self.q.sections[self.q.questions()[i].section].id.clone());
        self.screen = Screen::Completed;
        self.draft = Draft::None;
        Ok(Outcome::Finished(CompletedVisit { lang: self.lang.clone(), answers: self.answers.clone(), interrupted: Some(Interruption { after_section }) }))
    }

    /// The rows of grid `index` this visit asks (all of them, or the essential ones on the
    /// short path).
    pub fn rows(&self, index: usize) -> Vec<usize> {
        self.q.rows_on_path(index, self.opts.flow.path)
    }

    /// The grid row on screen among the rows asked: (position from 1, how many).
    pub fn row_position(&self) -> Option<(usize, usize)> {
        let Screen::Question { index, row } = self.screen else {
            return None;
        };
        self.current_row()?;
        let rows = self.rows(index);
        Some((rows.iter().position(|&r| r == row).map_or(1, |p| p + 1), rows.len()))
    }

    /// The questions this visit may ask, in its order.
    pub fn sequence(&self) -> &[usize] {
        &self.sequence
    }

    /// Give up a visit that could not be stored (the caller shows an apology first).
    pub fn abort(&mut self) -> Option<String> {
        let step = self.step_name();
        self.wipe();
        step
    }

    /// "Arrêter", confirmed: the visitor leaves before the end. Everything of the visit is
    /// wiped (answers, the answer being typed, contact details) and, as after inactivity, only
    /// the step reached is reported, to record the visit as abandoned there.
    pub fn stop(&mut self) -> Result<Outcome, EngineError> {
        if !matches!(self.screen, Screen::Notice | Screen::Question { .. }) {
            return Err(EngineError::WrongScreen);
        }
        let step = self.step_name().unwrap_or_default();
        self.wipe();
        Ok(Outcome::Abandoned { step })
    }

    /// "Réessayer" after a failed save: the visit given up by [`Engine::abort`] is completed
    /// again (its language and answers), for the caller to store it and call [`Engine::saved`].
    /// Only between visits (the welcome screen).
    pub fn complete_again(&mut self, visit: &CompletedVisit) -> Result<(), EngineError> {
        if self.screen != Screen::Attract {
            return Err(EngineError::WrongScreen);
        }
        self.set_lang(&visit.lang)?;
        self.touch();
        self.answers = visit.answers.clone();
        self.draft = Draft::None;
        self.screen = Screen::Completed;
        Ok(())
    }

    /// Let time pass: warning, then reset.
    pub fn tick(&mut self) -> IdleEvent {
        if self.screen == Screen::Attract {
            return IdleEvent::None;
        }
        let idle = self.clock.monotonic().saturating_sub(self.last_input);
        if self.screen == Screen::End {
            if idle >= self.end_screen {
                self.wipe();
                return IdleEvent::Reset { abandoned_at: None };
            }
            return IdleEvent::None;
        }
        if idle >= self.opts.idle_warning + self.opts.idle_reset {
            let abandoned_at = if matches!(self.screen, Screen::End | Screen::Completed) { None } else { self.step_name() };
            self.wipe();
            return IdleEvent::Reset { abandoned_at };
        }
        if idle >= self.opts.idle_warning {
            self.warning = true;
            return IdleEvent::Warning { remaining: self.opts.idle_warning + self.opts.idle_reset - idle };
        }
        IdleEvent::None
    }

    /// The step's name as recorded for an abandoned visit: "notice", a question id, or
    /// "question_id/row_id" inside a grid.
    pub fn step_name(&self) -> Option<String> {
        match self.screen {
            Screen::Notice => Some("notice".into()),
            Screen::Question { index, row } => {
                let q = &self.q.questions()[index];
                Some(if q.kind == Kind::Grid { format!("{}/{}", q.id, q.rows[row].id) } else { q.id.clone() })
            }
            Screen::Completed => Some("completed".into()),
            _ => None,
        }
    }

    /// Progress on a question screen: the part and, in a grid, the row. The number of parts is
    /// fixed when the engine is made, whatever the answers: a part whose questions the answers
    /// make irrelevant is passed over (the number jumps, the total stays), and going forward the
    /// part number never goes down.
    pub fn progress(&self) -> Option<Progress> {
        let Screen::Question { index, .. } = self.screen else {
            return None;
        };
        let part = self.part_of.get(index).copied().flatten().map_or(1, |p| p + 1);
        Some(Progress { part, parts: self.parts.max(1), row: self.row_position() })
    }

    /// How many parts this visit has (see [`Engine::progress`]).
    pub fn parts(&self) -> usize {
        self.parts
    }

    fn relevant(&self, i: usize) -> bool {
        let q = &self.q.questions()[i];
        if q.optional && !self.opts.optional_questions.contains(&q.id) {
            return false;
        }
        self.sequence.contains(&i) && self.q.is_relevant(i, &self.answers, &self.lang, self.opts.consent_offered)
    }

    fn wipe(&mut self) {
        self.answers.clear();
        self.draft = Draft::None;
        self.screen = Screen::Attract;
        self.warning = false;
        if let Some(first) = self.languages.first() {
            self.lang = first.clone();
        }
        self.last_input = self.clock.monotonic();
    }

    /// Drop answers to questions that are no longer asked.
    fn prune(&mut self) {
        let drop: Vec<String> = (0..self.q.questions().len()).filter(|&i| !self.relevant(i)).map(|i| self.q.questions()[i].id.clone()).collect();
        for id in drop {
            self.answers.remove(&id);
        }
    }

    /// Position of question `i` in this visit's sequence.
    fn position(&self, i: usize) -> Option<usize> {
        self.sequence.iter().position(|&x| x == i)
    }

    fn next_relevant(&self, after: Option<usize>) -> Option<usize> {
        let start = after.and_then(|i| self.position(i)).map_or(0, |p| p + 1);
        self.sequence[start.min(self.sequence.len())..].iter().copied().find(|&i| self.q.questions()[i].kind != Kind::Notice && self.relevant(i))
    }

    fn prev_relevant(&self, before: usize) -> Option<usize> {
        let end = self.position(before).unwrap_or(0);
        self.sequence[..end].iter().rev().copied().find(|&i| self.q.questions()[i].kind != Kind::Notice && self.relevant(i))
    }

    fn advance_row(&mut self, index: usize, row: usize) -> Outcome {
        if let Some(&next) = self.rows(index).iter().find(|&&r| r > row) {
            self.screen = Screen::Question { index, row: next };
            self.draft = Draft::None;
            Outcome::Moved
        } else {
            self.advance_from(Some(index))
        }
    }

    fn advance_from(&mut self, from: Option<usize>) -> Outcome {
        self.prune();
        match self.next_relevant(from) {
            Some(i) => {
                self.enter(i, false);
                Outcome::Moved
            }
            None => {
                self.screen = Screen::Completed;
                self.draft = Draft::None;
                Outcome::Finished(CompletedVisit { lang: self.lang.clone(), answers: self.answers.clone(), interrupted: None })
            }
        }
    }

    /// Show question `i` with its recorded answer as the draft (coming back to it).
    fn enter(&mut self, i: usize, from_after: bool) {
        let q = &self.q.questions()[i];
        let rows = self.rows(i);
        let row = if from_after { rows.last() } else { rows.first() }.copied().unwrap_or(0);
        self.draft = match (q.kind, self.answers.get(&q.id)) {
            (Kind::Multiple, Some(Answer::Choices(v))) => Draft::Choices(v.clone()),
            (Kind::Multiple, _) => Draft::Choices(Vec::new()),
            (Kind::Text, Some(Answer::Text(t))) => Draft::Text(t.clone()),
            (Kind::Contact, Some(Answer::Contact(c))) => Draft::Contact(c.clone()),
            _ => Draft::None,
        };
        self.screen = Screen::Question { index: i, row };
    }
}

/// The parts of a visit: runs of consecutive questions of one section in the flow's sequence,
/// among the questions this kiosk can ask at all (no notice, no optional question it does not
/// ask, no contact step when consent is not offered). Relevance is not looked at: the total
/// does not depend on the answers. With `essentials_first` a section may make two parts.
fn parts_of(q: &Questionnaire, opts: &EngineOptions, sequence: &[usize]) -> (Vec<Option<usize>>, usize) {
    let mut part_of = vec![None; q.questions().len()];
    let mut parts = 0;
    let mut last_section = None;
    for &i in sequence {
        let x = &q.questions()[i];
        let asked_here = !x.optional || opts.optional_questions.contains(&x.id);
        let askable = x.kind != Kind::Notice && asked_here && (opts.consent_offered || x.kind != Kind::Contact);
        if !askable {
            continue;
        }
        if last_section != Some(x.section) {
            parts += 1;
            last_section = Some(x.section);
        }
        part_of[i] = Some(parts - 1);
    }
    (part_of, parts)
}

fn trimmed(c: &Contact) -> Contact {
    let mut out = c.clone();
    for f in Contact::FIELDS {
        if let Some(v) = out.field_mut(f) {
            *v = v.trim().to_string();
        }
    }
    out
}
