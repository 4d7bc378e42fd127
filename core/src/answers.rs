//! A visit's answers, and their JSON form (the scripted-visit and storage format):
//! `QUESTION_ID: CHOICE_ID | [CHOICE_ID…] | {ROW_ID: CHOICE_ID} | "text" | {contact…} | null`
//! where `null` records a skipped question. Reading an answer back needs its question:
//! [`crate::questionnaire::Question::read_answer`]; this module knows no questionnaire.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use thiserror::Error;

/// Contact details left by a visitor who consented to be recontacted.
/// They never go into the QR code, the visit's answers or the logs: the store keeps them in a
/// table of their own.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub email: String,
}

impl std::fmt::Debug for Contact {
    // Never print personal data by accident (logs, panics, test failures).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Contact { <redacted> }")
    }
}

impl Contact {
    pub const FIELDS: [&'static str; 5] = ["last_name", "first_name", "phone", "address", "email"];

    pub fn field(&self, id: &str) -> Option<&str> {
        Some(match id {
            "last_name" => &self.last_name,
            "first_name" => &self.first_name,
            "phone" => &self.phone,
            "address" => &self.address,
            "email" => &self.email,
            _ => return None,
        })
    }

    pub fn field_mut(&mut self, id: &str) -> Option<&mut String> {
        Some(match id {
            "last_name" => &mut self.last_name,
            "first_name" => &mut self.first_name,
            "phone" => &mut self.phone,
            "address" => &mut self.address,
            "email" => &mut self.email,
            _ => return None,
        })
    }

    pub fn is_empty(&self) -> bool {
        Self::FIELDS.iter().all(|f| self.field(f).is_none_or(|v| v.trim().is_empty()))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// "Je préfère ne pas répondre" (or "Non merci" on the consent step).
    Skipped,
    /// single, list, quiz
    Choice(String),
    /// multiple, in the questionnaire's order
    Choices(Vec<String>),
    /// grid: row → choice; a row that is absent was skipped
    Grid(BTreeMap<String, String>),
    /// text ("autre")
    Text(String),
    /// contact (consent given)
    Contact(Contact),
}

impl Answer {
    pub fn is_skipped(&self) -> bool {
        matches!(self, Answer::Skipped)
    }
}

/// Answers of a visit by question id. Only questions the visitor actually went through are here.
pub type Answers = BTreeMap<String, Answer>;

#[derive(Debug, Error, PartialEq)]
pub enum AnswerError {
    #[error("unknown question `{0}`")]
    UnknownQuestion(String),
    #[error("question `{question}`: unknown choice `{choice}`")]
    UnknownChoice { question: String, choice: String },
    #[error("question `{question}`: unknown row `{row}`")]
    UnknownRow { question: String, row: String },
    #[error("question `{question}`: at most {max} choices, got {got}")]
    TooManyChoices { question: String, max: usize, got: usize },
    #[error("question `{question}`: `{choice}` cannot be combined with other choices")]
    ExclusiveChoice { question: String, choice: String },
    #[error("question `{question}`: the same choice is given twice")]
    DuplicateChoice { question: String },
    #[error("question `{question}` ({kind}): expected {expected}")]
    WrongShape { question: String, kind: &'static str, expected: &'static str },
    #[error("question `{question}`: {problem}")]
    Invalid { question: String, problem: String },
    /// Contact details refused: the contact form says why, in the visitor's words.
    #[error("question `{question}`: {problem}")]
    Contact { question: String, problem: ContactProblem },
}

/// Why contact details are refused. The kiosk's form turns it into the visitor's words (the
/// `form.*` texts); its `Display` is the developer's (scripts, logs).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ContactProblem {
    #[error("field `{0}` is not asked")]
    NotAsked(&'static str),
    #[error("field `{0}` is too long")]
    TooLong(&'static str),
    #[error("field `{0}` has control characters")]
    ControlCharacters(&'static str),
    /// A required field (by id) is empty.
    #[error("missing_{0}")]
    Missing(String),
    /// None of the fields to reach the visitor (`at_least_one_of`) is filled.
    #[error("missing_reach")]
    MissingReach,
    #[error("bad_phone")]
    BadPhone,
    #[error("bad_email")]
    BadEmail,
}

impl Answer {
    /// The JSON form used by scripted visits and the store. Contact details are not written:
    /// `with_contact = false` gives `true` for a consent with details (the store's visit row).
    pub fn to_json(&self, with_contact: bool) -> Value {
        match self {
            Answer::Skipped => Value::Null,
            Answer::Choice(c) | Answer::Text(c) => Value::String(c.clone()),
            Answer::Choices(v) => Value::Array(v.iter().cloned().map(Value::String).collect()),
            Answer::Grid(g) => Value::Object(g.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect()),
            Answer::Contact(c) => {
                if with_contact {
                    serde_json::to_value(c).unwrap_or(Value::Null)
                } else {
                    Value::Bool(true)
                }
            }
        }
    }
}
