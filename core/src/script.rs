//! Scripted visits: the JSON the `replay` command reads, driven through the real [`Engine`].
//!
//! `{"lang":"fr","answers":{QUESTION_ID: CHOICE_ID | [CHOICE_ID…] | {ROW_ID: CHOICE_ID} |
//! "text" | {"last_name":…,"first_name":…,"phone":…,"address":…,"email":…} | null}}`
//! A question left out, or `null`, is skipped ("je préfère ne pas répondre"); so is a grid row
//! left out. An answer to a question that is not asked (its relevance rule is false) is an error.
//!
//! `"finish_after": QUESTION_ID` (or `"notice"`): once that question is answered, the visitor
//! presses "Terminer maintenant" on the next screen; the visit ends there, partial
//! ([`Engine::finish_now`]). Answers to questions after it are an error (they are not asked).

use crate::answers::{Answer, AnswerError};
use crate::engine::{CompletedVisit, Engine, EngineError, Outcome, Screen};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use thiserror::Error;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    #[serde(default = "default_lang")]
    pub lang: String,
    #[serde(default)]
    pub answers: Map<String, Value>,
    /// End the visit early, on the screen after this question ("notice": on the first question).
    #[serde(default)]
    pub finish_after: Option<String>,
}

fn default_lang() -> String {
    "fr".into()
}

#[derive(Debug, Error)]
pub enum ScriptError {
    #[error("invalid scripted visit: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unknown question `{0}`")]
    UnknownQuestion(String),
    #[error("answer to `{0}` was not used: the question is not asked with these answers")]
    NotAsked(String),
    #[error(transparent)]
    Answer(#[from] AnswerError),
    #[error("{question}: {source}")]
    Engine { question: String, source: EngineError },
    #[error("the engine must be on the attract screen")]
    NotReady,
    #[error("finish_after: {0}")]
    FinishAfter(String),
}

impl Script {
    pub fn parse(text: &str) -> Result<Script, ScriptError> {
        Ok(serde_json::from_str(text)?)
    }
}

/// Play `script` through `engine` (on the attract screen). On success the engine waits on the
/// "completed" screen for the caller to store the visit.
fn at(question: &str) -> impl Fn(EngineError) -> ScriptError + '_ {
    move |source| ScriptError::Engine { question: question.to_string(), source }
}

pub fn play(engine: &mut Engine, script: &Script) -> Result<CompletedVisit, ScriptError> {
    if engine.screen() != Screen::Attract {
        return Err(ScriptError::NotReady);
    }
    let q = engine.questionnaire().clone();
    for (id, v) in &script.answers {
        let question = q.question(id).ok_or_else(|| ScriptError::UnknownQuestion(id.clone()))?;
        // Check the shape and ids up front, for a clear error.
        question.read_answer(v)?;
    }
    if let Some(f) = &script.finish_after
        && f != "notice"
        && q.question(f).is_none()
    {
        return Err(ScriptError::UnknownQuestion(f.clone()));
    }
    // The question after which "Terminer maintenant" is pressed has been answered.
    let mut stop_armed = script.finish_after.as_deref() == Some("notice");
    engine.set_lang(&script.lang).map_err(at("lang"))?;
    engine.start().map_err(at("start"))?;
    let mut outcome = engine.acknowledge().map_err(at("notice"))?;
    let mut used = BTreeSet::new();
    loop {
        if let Outcome::Finished(v) = outcome {
            if let Some(f) = &script.finish_after
                && v.interrupted.is_none()
            {
                let why = if stop_armed { "it is the last question asked: there is no next screen" } else { "this question is not asked with these answers" };
                return Err(ScriptError::FinishAfter(format!("`{f}`: {why}")));
            }
            for id in script.answers.keys() {
                if !used.contains(id) && !script.answers[id].is_null() {
                    return Err(ScriptError::NotAsked(id.clone()));
                }
            }
            return Ok(v);
        }
        let question = engine.current().ok_or(ScriptError::NotReady)?.clone();
        let id = question.id.clone();
        if stop_armed && Some(&id) != script.finish_after.as_ref() {
            outcome = engine.finish_now().map_err(at(&id))?;
            stop_armed = false;
            continue;
        }
        if Some(&id) == script.finish_after.as_ref() {
            stop_armed = true;
        }
        let e = at(&id);
        let given = script.answers.get(&id).filter(|v| !v.is_null());
        if given.is_some() {
            used.insert(id.clone());
        }
        let answer = match given {
            Some(v) => question.read_answer(v)?,
            None => Answer::Skipped,
        };
        outcome = match answer {
            Answer::Skipped => engine.skip().map_err(e)?,
            Answer::Grid(g) => {
                let row = engine.current_row().unwrap_or(0);
                match g.get(&question.rows[row].id) {
                    Some(c) => engine.choose(c).map_err(e)?,
                    None => engine.skip().map_err(e)?,
                }
            }
            Answer::Choice(c) => engine.choose(&c).map_err(e)?,
            Answer::Choices(v) => {
                for c in &v {
                    engine.choose(c).map_err(at(&id))?;
                }
                engine.next().map_err(e)?
            }
            Answer::Text(t) => {
                engine.set_text(&t).map_err(at(&id))?;
                engine.next().map_err(e)?
            }
            Answer::Contact(c) => {
                for f in &question.fields {
                    engine.set_contact_field(&f.id, c.field(&f.id).unwrap_or_default()).map_err(at(&id))?;
                }
                engine.next().map_err(e)?
            }
        };
    }
}
