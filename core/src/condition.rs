//! Conditions: one small language for the questionnaire's relevance rules (`relevant_if`) and
//! the profile rules (`when`).
//!
//! Written in TOML as inline tables, e.g.
//! `{ question = "acces_internet", any_of = ["oui"] }`, `{ all = [ … ] }`, `{ not = { … } }`,
//! `{ score_below = 0.35 }`. [`ConditionDef`] is the deserialized form; [`Condition::from_def`]
//! checks it (exactly one kind of test per table) into the typed [`Condition`].

use crate::answers::{Answer, Answers};
use serde::{Deserialize, Serialize};

/// A condition as written in a data file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ConditionDef {
    pub question: Option<String>,
    pub row: Option<String>,
    pub any_of: Option<Vec<String>>,
    pub none_of: Option<Vec<String>>,
    pub answered: Option<bool>,
    pub all: Option<Vec<ConditionDef>>,
    pub any: Option<Vec<ConditionDef>>,
    pub not: Option<Box<ConditionDef>>,
    pub lang: Option<Vec<String>>,
    pub score_below: Option<f64>,
    pub score_at_least: Option<f64>,
    pub capabilities_answered_at_least: Option<u32>,
    pub quiz_correct_at_least: Option<u32>,
    pub quiz_wrong_at_least: Option<u32>,
    pub autonomy: Option<Vec<String>>,
    pub not_assessed: Option<bool>,
}

/// What an answer test looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerTest {
    /// Answered with at least one of these choices.
    AnyOf(Vec<String>),
    /// Not answered with any of these choices (true when skipped, unless `answered` is set).
    NoneOf(Vec<String>),
    /// Only whether the question was answered (true) or skipped/not asked (false).
    Answered,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Answer {
        question: String,
        row: Option<String>,
        test: AnswerTest,
        /// When true, the question must also have been answered.
        require_answered: bool,
    },
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Lang(Vec<String>),
    ScoreBelow(f64),
    ScoreAtLeast(f64),
    CapabilitiesAnsweredAtLeast(u32),
    QuizCorrectAtLeast(u32),
    QuizWrongAtLeast(u32),
    Autonomy(Vec<String>),
    NotAssessed,
}

/// Facts derived from the answers that only profile rules may test.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    /// Capability rows answered and known.
    pub capabilities_answered: u32,
    pub capabilities_known: u32,
    pub quiz_correct: u32,
    pub quiz_wrong: u32,
    /// The autonomy level found, once computed (None: not yet computed or not assessed).
    pub autonomy: Option<String>,
    pub autonomy_computed: bool,
}

impl Derived {
    pub fn score(&self) -> Option<f64> {
        (self.capabilities_answered > 0).then(|| f64::from(self.capabilities_known) / f64::from(self.capabilities_answered))
    }
}

/// What made a condition hold (see [`Condition::because`]): an answer of the visitor, or a fact
/// computed from the answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Because {
    /// The visitor's answer to `question` (on grid row `row`): the choices of it the test looked for.
    Answer {
        question: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        row: Option<String>,
        choices: Vec<String>,
    },
    /// The capability rows counted: known among answered.
    Capabilities { known: u32, answered: u32 },
    /// The quiz: right and wrong answers ("je ne sais pas" is neither).
    Quiz { correct: u32, wrong: u32 },
    /// The language of the visit.
    Language { lang: String },
    /// The autonomy level found (None: not assessed).
    Autonomy { level: Option<String> },
}

/// What a condition is evaluated against.
pub struct Facts<'a> {
    pub answers: &'a Answers,
    pub lang: &'a str,
    pub derived: Option<&'a Derived>,
}

impl Condition {
    /// Check a written condition. `profile` allows the atoms that only make sense in profile
    /// rules (scores, quiz counts, autonomy).
    pub fn from_def(def: &ConditionDef, profile: bool) -> Result<Condition, String> {
        let mut kinds: Vec<&str> = Vec::new();
        if def.question.is_some() {
            kinds.push("question");
        }
        for (name, present) in [
            ("all", def.all.is_some()),
            ("any", def.any.is_some()),
            ("not", def.not.is_some()),
            ("lang", def.lang.is_some()),
            ("score_below", def.score_below.is_some()),
            ("score_at_least", def.score_at_least.is_some()),
            ("capabilities_answered_at_least", def.capabilities_answered_at_least.is_some()),
            ("quiz_correct_at_least", def.quiz_correct_at_least.is_some()),
            ("quiz_wrong_at_least", def.quiz_wrong_at_least.is_some()),
            ("autonomy", def.autonomy.is_some()),
            ("not_assessed", def.not_assessed.is_some()),
        ] {
            if present {
                kinds.push(name);
            }
        }
        if kinds.len() != 1 {
            return Err(format!("a condition needs exactly one test, found {}", if kinds.is_empty() { "none".to_string() } else { kinds.join(", ") }));
        }
        if def.question.is_none() && (def.row.is_some() || def.any_of.is_some() || def.none_of.is_some() || def.answered.is_some()) {
            return Err("`row`, `any_of`, `none_of` and `answered` go with `question`".into());
        }
        let profile_only = |name: &str| -> Result<(), String> { if profile { Ok(()) } else { Err(format!("`{name}` can only be used in profile rules")) } };
        let list = |v: &[ConditionDef]| -> Result<Vec<Condition>, String> {
            if v.is_empty() {
                return Err("`all`/`any` needs at least one condition".into());
            }
            v.iter().map(|d| Condition::from_def(d, profile)).collect()
        };
        Ok(match kinds[0] {
            "question" => {
                let question = def.question.clone().unwrap_or_default();
                let test = match (&def.any_of, &def.none_of) {
                    (Some(_), Some(_)) => return Err("use either `any_of` or `none_of`".into()),
                    (Some(v), None) if v.is_empty() => return Err("`any_of` is empty".into()),
                    (None, Some(v)) if v.is_empty() => return Err("`none_of` is empty".into()),
                    (Some(v), None) => AnswerTest::AnyOf(v.clone()),
                    (None, Some(v)) => AnswerTest::NoneOf(v.clone()),
                    (None, None) => {
                        if def.answered.is_none() {
                            return Err(format!("condition on `{question}` needs `any_of`, `none_of` or `answered`"));
                        }
                        AnswerTest::Answered
                    }
                };
                let answered = def.answered.unwrap_or(false);
                match (&test, def.answered) {
                    (AnswerTest::Answered, Some(false)) => {
                        Condition::Not(Box::new(Condition::Answer { question, row: def.row.clone(), test, require_answered: false }))
                    }
                    _ => Condition::Answer { question, row: def.row.clone(), test, require_answered: answered },
                }
            }
            "all" => Condition::All(list(def.all.as_deref().unwrap_or_default())?),
            "any" => Condition::Any(list(def.any.as_deref().unwrap_or_default())?),
            "not" => Condition::Not(Box::new(Condition::from_def(def.not.as_deref().unwrap(), profile)?)),
            "lang" => Condition::Lang(def.lang.clone().unwrap_or_default()),
            "score_below" => {
                profile_only("score_below")?;
                Condition::ScoreBelow(check_share(def.score_below.unwrap_or_default())?)
            }
            "score_at_least" => {
                profile_only("score_at_least")?;
                Condition::ScoreAtLeast(check_share(def.score_at_least.unwrap_or_default())?)
            }
            "capabilities_answered_at_least" => {
                profile_only("capabilities_answered_at_least")?;
                Condition::CapabilitiesAnsweredAtLeast(def.capabilities_answered_at_least.unwrap_or_default())
            }
            "quiz_correct_at_least" => {
                profile_only("quiz_correct_at_least")?;
                Condition::QuizCorrectAtLeast(def.quiz_correct_at_least.unwrap_or_default())
            }
            "quiz_wrong_at_least" => {
                profile_only("quiz_wrong_at_least")?;
                Condition::QuizWrongAtLeast(def.quiz_wrong_at_least.unwrap_or_default())
            }
            "autonomy" => {
                profile_only("autonomy")?;
                let levels = def.autonomy.clone().unwrap_or_default();
                for l in &levels {
                    if !crate::vocab::COOP_AUTONOMIE.contains(&l.as_str()) {
                        return Err(format!("unknown autonomy level `{l}`"));
                    }
                }
                Condition::Autonomy(levels)
            }
            "not_assessed" => {
                profile_only("not_assessed")?;
                if def.not_assessed != Some(true) {
                    return Err("write `not_assessed = true`".into());
                }
                Condition::NotAssessed
            }
            _ => unreachable!("kinds only holds the names above"),
        })
    }

    /// Every (question, row, choices) this condition refers to, for validation.
    pub fn references(&self) -> Vec<(&str, Option<&str>, Vec<&str>)> {
        let mut out = Vec::new();
        self.collect_refs(&mut out);
        out
    }

    fn collect_refs<'a>(&'a self, out: &mut Vec<(&'a str, Option<&'a str>, Vec<&'a str>)>) {
        match self {
            Condition::Answer { question, row, test, .. } => {
                let choices = match test {
                    AnswerTest::AnyOf(v) | AnswerTest::NoneOf(v) => v.iter().map(String::as_str).collect(),
                    AnswerTest::Answered => Vec::new(),
                };
                out.push((question.as_str(), row.as_deref(), choices));
            }
            Condition::All(v) | Condition::Any(v) => v.iter().for_each(|c| c.collect_refs(out)),
            Condition::Not(c) => c.collect_refs(out),
            _ => {}
        }
    }

    /// Why this condition holds (ask only when it does): the visitor's answers that satisfy its
    /// tests (of each answer, the choices the test looks for) and the computed facts it uses, in
    /// the condition's order, each once. Of `any`, every alternative that holds. A test that holds
    /// because something was *not* answered (`none_of`, `not` on an answer) names no answer: it
    /// is a guard, not a reason.
    pub fn because(&self, f: &Facts) -> Vec<Because> {
        let mut out = Vec::new();
        self.collect_because(f, &mut out);
        let mut seen: Vec<Because> = Vec::new();
        out.retain(|b| {
            let new = !seen.contains(b);
            if new {
                seen.push(b.clone());
            }
            new
        });
        out
    }

    fn collect_because(&self, f: &Facts, out: &mut Vec<Because>) {
        let capabilities = || f.derived.map(|d| Because::Capabilities { known: d.capabilities_known, answered: d.capabilities_answered });
        let quiz = || f.derived.map(|d| Because::Quiz { correct: d.quiz_correct, wrong: d.quiz_wrong });
        match self {
            Condition::Answer { question, row, test, .. } => {
                let Some(chosen) = chosen_ids(f.answers.get(question), row.as_deref()) else { return };
                let choices: Vec<String> = match test {
                    AnswerTest::AnyOf(ids) => chosen.into_iter().filter(|c| ids.contains(c)).cloned().collect(),
                    AnswerTest::Answered => chosen.into_iter().cloned().collect(),
                    AnswerTest::NoneOf(_) => Vec::new(),
                };
                if !choices.is_empty() {
                    out.push(Because::Answer { question: question.clone(), row: row.clone(), choices });
                }
            }
            Condition::All(v) => v.iter().for_each(|c| c.collect_because(f, out)),
            Condition::Any(v) => v.iter().filter(|c| c.eval(f)).for_each(|c| c.collect_because(f, out)),
            // "No wrong quiz answer", "fewer than 5 rows answered": the counts say it.
            Condition::Not(c) => match **c {
                Condition::QuizCorrectAtLeast(_) | Condition::QuizWrongAtLeast(_) => out.extend(quiz()),
                Condition::ScoreBelow(_) | Condition::ScoreAtLeast(_) | Condition::CapabilitiesAnsweredAtLeast(_) => out.extend(capabilities()),
                _ => {}
            },
            Condition::Lang(_) => out.push(Because::Language { lang: f.lang.to_string() }),
            Condition::ScoreBelow(_) | Condition::ScoreAtLeast(_) | Condition::CapabilitiesAnsweredAtLeast(_) => out.extend(capabilities()),
            Condition::QuizCorrectAtLeast(_) | Condition::QuizWrongAtLeast(_) => out.extend(quiz()),
            Condition::Autonomy(_) | Condition::NotAssessed => out.push(Because::Autonomy { level: f.derived.and_then(|d| d.autonomy.clone()) }),
        }
    }

    pub fn eval(&self, f: &Facts) -> bool {
        match self {
            Condition::Answer { question, row, test, require_answered } => {
                let chosen = chosen_ids(f.answers.get(question), row.as_deref());
                let answered = chosen.is_some();
                let ok = match test {
                    AnswerTest::AnyOf(ids) => chosen.as_ref().is_some_and(|c| c.iter().any(|x| ids.contains(x))),
                    AnswerTest::NoneOf(ids) => !chosen.as_ref().is_some_and(|c| c.iter().any(|x| ids.contains(x))),
                    AnswerTest::Answered => answered,
                };
                ok && (!require_answered || answered)
            }
            Condition::All(v) => v.iter().all(|c| c.eval(f)),
            Condition::Any(v) => v.iter().any(|c| c.eval(f)),
            Condition::Not(c) => !c.eval(f),
            Condition::Lang(langs) => langs.iter().any(|l| l == f.lang),
            Condition::ScoreBelow(x) => f.derived.and_then(Derived::score).is_some_and(|s| s < *x),
            Condition::ScoreAtLeast(x) => f.derived.and_then(Derived::score).is_some_and(|s| s >= *x),
            Condition::CapabilitiesAnsweredAtLeast(n) => f.derived.is_some_and(|d| d.capabilities_answered >= *n),
            Condition::QuizCorrectAtLeast(n) => f.derived.is_some_and(|d| d.quiz_correct >= *n),
            Condition::QuizWrongAtLeast(n) => f.derived.is_some_and(|d| d.quiz_wrong >= *n),
            Condition::Autonomy(levels) => f.derived.and_then(|d| d.autonomy.as_ref()).is_some_and(|a| levels.contains(a)),
            Condition::NotAssessed => f.derived.is_some_and(|d| d.autonomy_computed && d.autonomy.is_none()),
        }
    }
}

fn check_share(x: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&x) { Ok(x) } else { Err(format!("a score is a share between 0 and 1, not {x}")) }
}

/// The choice ids an answer holds (for a grid, the one of `row`); None when not answered.
fn chosen_ids<'a>(answer: Option<&'a Answer>, row: Option<&str>) -> Option<Vec<&'a String>> {
    match (answer?, row) {
        (Answer::Choice(c), None) => Some(vec![c]),
        (Answer::Choices(v), None) => Some(v.iter().collect()),
        (Answer::Grid(g), Some(r)) => g.get(r).map(|c| vec![c]),
        (Answer::Text(_) | Answer::Contact(_), None) => Some(Vec::new()),
        _ => None,
    }
}
