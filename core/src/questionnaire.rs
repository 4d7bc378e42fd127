//! The questionnaire definition: data loaded from TOML, checked, then used read-only.
//!
//! Two stages: [`QuestionnaireDef`] is what the file says (serde, unknown keys rejected);
//! [`Questionnaire::load`] validates it (ids, translations, pictograms, maxima, relevance rules)
//! and merges the kiosk's neighbourhoods into the `list` question.

use crate::answers::Answers;
use crate::answers::{Answer, AnswerError, Contact, ContactProblem};
use crate::condition::{Condition, ConditionDef, Facts};
pub use crate::flow::{Flow, Order, VisitPath};
use crate::text::Text;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Notice,
    Single,
    Multiple,
    Grid,
    Quiz,
    List,
    Text,
    Contact,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Notice => "notice",
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::Grid => "grid",
            Kind::Quiz => "quiz",
            Kind::List => "list",
            Kind::Text => "text",
            Kind::Contact => "contact",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the file says

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireDef {
    pub id: String,
    pub version: String,
    pub title: Text,
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    pub sections: Vec<SectionDef>,
}

fn default_languages() -> Vec<String> {
    vec!["fr".into(), "en".into()]
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub id: String,
    pub title: Text,
    pub questions: Vec<QuestionDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionDef {
    pub id: String,
    pub kind: Kind,
    pub picto: String,
    pub label: Text,
    pub help: Option<Text>,
    #[serde(default)]
    pub choices: Vec<ChoiceDef>,
    #[serde(default)]
    pub rows: Vec<ChoiceDef>,
    pub max_choices: Option<usize>,
    pub max_length: Option<usize>,
    pub relevant_if: Option<ConditionDef>,
    pub image: Option<String>,
    pub image_alt: Option<Text>,
    pub correct: Option<String>,
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    #[serde(default)]
    pub at_least_one_of: Vec<String>,
    /// One of the questions that matter most to a mediator: asked first with
    /// `order = "essentials_first"`, the only ones asked with `path = "court"`.
    #[serde(default)]
    pub essential: bool,
    /// An essential grid: the rows the short path asks (all rows when empty).
    #[serde(default)]
    pub essential_rows: Vec<String>,
    /// Asked only when the kiosk turns it on (`optional_questions` in kiosk.toml).
    #[serde(default)]
    pub optional: bool,
    /// No longer asked, kept so that answers stored before keep their meaning and their column
    /// in exports (a new meaning gets a new id).
    #[serde(default)]
    pub retired: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceDef {
    pub id: String,
    pub picto: String,
    pub label: Text,
    #[serde(default)]
    pub exclusive: bool,
    /// Grid only: the rows on which this choice is offered (empty: every row), e.g. "Pas
    /// concerné" on a row that does not concern everybody.
    #[serde(default)]
    pub only_rows: Vec<String>,
    /// The questionnaire version that added this choice (a choice added to a question that had
    /// answers before): a QR code made before it still decodes (see [`Questionnaire::as_of`]).
    #[serde(default)]
    pub since: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub id: String,
    pub picto: String,
    pub label: Text,
    #[serde(default)]
    pub required: bool,
}

// ---------------------------------------------------------------------------------------------
// The checked model

#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub id: String,
    pub picto: String,
    pub label: Text,
    pub exclusive: bool,
    /// Grid only: the rows on which this choice is offered (empty: every row).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub only_rows: Vec<String>,
    /// The questionnaire version that added this choice, if it came after its question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub id: String,
    pub picto: String,
    pub label: Text,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub section: usize,
    pub kind: Kind,
    pub picto: String,
    pub label: Text,
    pub help: Option<Text>,
    pub choices: Vec<Choice>,
    pub rows: Vec<Choice>,
    pub max_choices: Option<usize>,
    pub max_length: usize,
    pub relevant_if: Option<Condition>,
    pub image: Option<String>,
    pub image_alt: Option<Text>,
    pub correct: Option<String>,
    pub fields: Vec<Field>,
    pub at_least_one_of: Vec<String>,
    /// Asked first (`order = "essentials_first"`), and on the short path (`path = "court"`).
    pub essential: bool,
    /// Row indices the short path asks of an essential grid (all rows when `essential_rows` is
    /// not given).
    pub essential_rows: Vec<usize>,
    /// Asked only when the kiosk turns it on (`optional_questions` in kiosk.toml).
    pub optional: bool,
    /// Never asked: kept for the answers stored before it was retired (see the file's format).
    pub retired: bool,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: Text,
}

#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub id: String,
    pub version: String,
    pub title: Text,
    pub languages: Vec<String>,
    pub sections: Vec<Section>,
    questions: Vec<Question>,
    index: HashMap<String, usize>,
}

/// A neighbourhood from kiosk.toml, offered by the `list` question.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    pub id: String,
    pub label: Text,
    /// The commune the neighbourhood is in (kiosk.toml: its own `commune`, else the kiosk's).
    pub commune: String,
}

#[derive(Debug, Error)]
pub enum DefinitionError {
    #[error("{file}: {source}")]
    Syntax { file: String, source: toml::de::Error },
    #[error("{file}: `{id}`: {problem}")]
    Invalid { file: String, id: String, problem: String },
}

pub const DEFAULT_TEXT_MAX: usize = 80;
pub const CONTACT_FIELD_MAX: usize = 120;

impl Questionnaire {
    /// All answers as one JSON object (question id → answer), in questionnaire order.
    pub fn answers_to_json(&self, answers: &Answers, with_contact: bool) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for question in self.questions() {
            if let Some(a) = answers.get(&question.id) {
                m.insert(question.id.clone(), a.to_json(with_contact));
            }
        }
        serde_json::Value::Object(m)
    }

    /// Parse and validate a questionnaire. `file` names it in errors; `list_items` are the
    /// kiosk's neighbourhoods; `has_picto` tells whether a pictogram name exists.
    pub fn load(src: &str, file: &str, list_items: &[ListItem], has_picto: &dyn Fn(&str) -> bool) -> Result<Questionnaire, DefinitionError> {
        let def: QuestionnaireDef = toml::from_str(src).map_err(|source| DefinitionError::Syntax { file: file.to_string(), source })?;
        Self::from_def(def, file, list_items, has_picto)
    }

    pub fn from_def(def: QuestionnaireDef, file: &str, list_items: &[ListItem], has_picto: &dyn Fn(&str) -> bool) -> Result<Questionnaire, DefinitionError> {
        let err = |id: &str, problem: String| DefinitionError::Invalid { file: file.to_string(), id: id.to_string(), problem };
        let langs = def.languages.clone();
        if langs.is_empty() || !langs.iter().any(|l| l == "fr") {
            return Err(err(&def.id, "`languages` must include \"fr\"".into()));
        }
        check_id(&def.id).map_err(|p| err(&def.id, p))?;
        crate::version::check_version(&def.version).map_err(|p| err(&def.id, p))?;
        let check_text = |id: &str, what: &str, t: &Text| -> Result<(), DefinitionError> {
            let missing = t.missing(&langs);
            if missing.is_empty() { Ok(()) } else { Err(err(id, format!("{what}: missing translation ({})", missing.join(", ")))) }
        };
        check_text(&def.id, "title", &def.title)?;
        let mut sections = Vec::new();
        let mut questions: Vec<Question> = Vec::new();
        let mut index = HashMap::new();
        let mut section_ids = BTreeSet::new();
        let mut conditions: Vec<(String, ConditionDef)> = Vec::new();
        for (si, s) in def.sections.into_iter().enumerate() {
            check_id(&s.id).map_err(|p| err(&s.id, p))?;
            if !section_ids.insert(s.id.clone()) {
                return Err(err(&s.id, "duplicate section id".into()));
            }
            check_text(&s.id, "title", &s.title)?;
            if s.questions.is_empty() {
                return Err(err(&s.id, "a section needs at least one question".into()));
            }
            for qd in s.questions {
                let id = qd.id.clone();
                check_id(&id).map_err(|p| err(&id, p))?;
                if index.contains_key(&id) {
                    return Err(err(&id, "duplicate question id".into()));
                }
                check_text(&id, "label", &qd.label)?;
                if let Some(h) = &qd.help {
                    check_text(&id, "help", h)?;
                }
                if !has_picto(&qd.picto) {
                    return Err(err(&id, format!("unknown pictogram `{}`", qd.picto)));
                }
                let mk_choices = |defs: &[ChoiceDef], what: &str| -> Result<Vec<Choice>, DefinitionError> {
                    let mut seen = BTreeSet::new();
                    let mut out = Vec::new();
                    for c in defs {
                        let cid = format!("{id}.{}", c.id);
                        check_id(&c.id).map_err(|p| err(&cid, p))?;
                        if !seen.insert(c.id.clone()) {
                            return Err(err(&cid, format!("duplicate {what} id")));
                        }
                        check_text(&cid, "label", &c.label)?;
                        if !has_picto(&c.picto) {
                            return Err(err(&cid, format!("unknown pictogram `{}`", c.picto)));
                        }
                        if let Some(v) = &c.since {
                            let (Some(since), Some(now)) = (crate::version::parse_version(v), crate::version::parse_version(&def.version)) else {
                                return Err(err(&cid, format!("`since = \"{v}\"` must be MAJOR.MINOR.PATCH")));
                            };
                            if since > now {
                                return Err(err(&cid, format!("`since = \"{v}\"` is later than the questionnaire's version {}", def.version)));
                            }
                        }
                        out.push(Choice {
                            id: c.id.clone(),
                            picto: c.picto.clone(),
                            label: c.label.clone(),
                            exclusive: c.exclusive,
                            only_rows: c.only_rows.clone(),
                            since: c.since.clone(),
                        });
                    }
                    Ok(out)
                };
                let mut choices = mk_choices(&qd.choices, "choice")?;
                let rows = mk_choices(&qd.rows, "row")?;
                let needs_choices = matches!(qd.kind, Kind::Single | Kind::Multiple | Kind::Grid | Kind::Quiz);
                if needs_choices && choices.len() < 2 {
                    return Err(err(&id, format!("a `{}` question needs at least 2 choices", qd.kind.as_str())));
                }
                if matches!(qd.kind, Kind::Notice | Kind::Text | Kind::Contact) && !choices.is_empty() {
                    return Err(err(&id, format!("a `{}` question has no choices", qd.kind.as_str())));
                }
                if qd.kind == Kind::Grid && rows.is_empty() {
                    return Err(err(&id, "a grid needs rows".into()));
                }
                if qd.kind != Kind::Grid && !rows.is_empty() {
                    return Err(err(&id, "only a grid has rows".into()));
                }
                for c in &choices {
                    if !c.only_rows.is_empty() && qd.kind != Kind::Grid {
                        return Err(err(&format!("{id}.{}", c.id), "only a grid's choices can have `only_rows`".into()));
                    }
                    if let Some(r) = c.only_rows.iter().find(|r| !rows.iter().any(|x| &x.id == *r)) {
                        return Err(err(&format!("{id}.{}", c.id), format!("unknown row `{r}` in `only_rows`")));
                    }
                }
                if qd.kind == Kind::List {
                    // The kiosk's neighbourhoods come first, then the file's fixed choices.
                    let mut merged = Vec::new();
                    for item in list_items {
                        let cid = format!("{id}.{}", item.id);
                        check_id(&item.id).map_err(|p| err(&cid, format!("{p} (neighbourhood in kiosk.toml)")))?;
                        if choices.iter().chain(merged.iter()).any(|c: &Choice| c.id == item.id) {
                            return Err(err(&cid, "duplicate neighbourhood id".into()));
                        }
                        // Place names: French is required, other languages fall back to it.
                        if item.label.missing(&["fr".to_string()]).len() == 1 {
                            return Err(err(&cid, "neighbourhood label: missing French text".into()));
                        }
                        merged.push(Choice {
                            id: item.id.clone(),
                            picto: qd.picto.clone(),
                            label: item.label.clone(),
                            exclusive: false,
                            only_rows: Vec::new(),
                            since: None,
                        });
                    }
                    merged.append(&mut choices);
                    choices = merged;
                    if choices.is_empty() {
                        return Err(err(&id, "a list question needs neighbourhoods in kiosk.toml or choices".into()));
                    }
                }
                match (qd.kind, qd.max_choices) {
                    (Kind::Multiple, Some(m)) if m == 0 || m > choices.len() => {
                        return Err(err(&id, format!("bad maximum: max_choices = {m} with {} choices", choices.len())));
                    }
                    (Kind::Multiple, _) => {}
                    (_, Some(_)) => {
                        return Err(err(&id, "only a multiple-choice question has max_choices".into()));
                    }
                    _ => {}
                }
                if qd.kind != Kind::Multiple && choices.iter().any(|c| c.exclusive) {
                    return Err(err(&id, "only a multiple-choice question has exclusive choices".into()));
                }
                if qd.kind == Kind::Quiz {
                    let img = qd.image.as_deref().ok_or_else(|| err(&id, "a quiz needs an `image`".into()))?;
                    if !has_picto(img) {
                        return Err(err(&id, format!("unknown image `{img}`")));
                    }
                    let alt = qd.image_alt.as_ref().ok_or_else(|| err(&id, "a quiz image needs `image_alt`".into()))?;
                    check_text(&id, "image_alt", alt)?;
                    let correct = qd.correct.as_deref().ok_or_else(|| err(&id, "a quiz needs `correct`".into()))?;
                    if !choices.iter().any(|c| c.id == correct) {
                        return Err(err(&id, format!("`correct` names unknown choice `{correct}`")));
                    }
                } else if qd.image.is_some() || qd.correct.is_some() || qd.image_alt.is_some() {
                    return Err(err(&id, "only a quiz has `image`, `image_alt` and `correct`".into()));
                }
                let mut fields = Vec::new();
                if qd.kind == Kind::Contact {
                    if qd.fields.is_empty() {
                        return Err(err(&id, "a contact question needs fields".into()));
                    }
                    for f in &qd.fields {
                        let fid = format!("{id}.{}", f.id);
                        if !Contact::FIELDS.contains(&f.id.as_str()) {
                            return Err(err(&fid, format!("unknown contact field (known: {})", Contact::FIELDS.join(", "))));
                        }
                        if fields.iter().any(|x: &Field| x.id == f.id) {
                            return Err(err(&fid, "duplicate field".into()));
                        }
                        check_text(&fid, "label", &f.label)?;
                        if !has_picto(&f.picto) {
                            return Err(err(&fid, format!("unknown pictogram `{}`", f.picto)));
                        }
                        fields.push(Field { id: f.id.clone(), picto: f.picto.clone(), label: f.label.clone(), required: f.required });
                    }
                    for f in &qd.at_least_one_of {
                        if !fields.iter().any(|x| &x.id == f) {
                            return Err(err(&id, format!("`at_least_one_of` names unknown field `{f}`")));
                        }
                    }
                } else if !qd.fields.is_empty() || !qd.at_least_one_of.is_empty() {
                    return Err(err(&id, "only a contact question has fields".into()));
                }
                if qd.max_length.is_some() && qd.kind != Kind::Text {
                    return Err(err(&id, "only a text question has max_length".into()));
                }
                let max_length = qd.max_length.unwrap_or(DEFAULT_TEXT_MAX);
                if max_length == 0 {
                    return Err(err(&id, "max_length must be at least 1".into()));
                }
                if let Some(c) = &qd.relevant_if {
                    conditions.push((id.clone(), c.clone()));
                }
                let essential_rows = crate::flow::essential_rows(&qd, &rows).map_err(|p| err(&id, p))?;
                index.insert(id.clone(), questions.len());
                questions.push(Question {
                    id,
                    section: si,
                    kind: qd.kind,
                    picto: qd.picto,
                    label: qd.label,
                    help: qd.help,
                    choices,
                    rows,
                    max_choices: qd.max_choices,
                    max_length,
                    relevant_if: None,
                    image: qd.image,
                    image_alt: qd.image_alt,
                    correct: qd.correct,
                    fields,
                    at_least_one_of: qd.at_least_one_of,
                    essential: qd.essential,
                    essential_rows,
                    optional: qd.optional,
                    retired: qd.retired,
                });
            }
            sections.push(Section { id: s.id, title: s.title });
        }
        if questions.iter().filter(|q| q.kind == Kind::Contact).count() > 1 {
            return Err(err(&def.id, "at most one contact question".into()));
        }
        let mut q = Questionnaire { id: def.id, version: def.version, title: def.title, languages: langs, sections, questions, index };
        // Relevance rules: checked once every question is known, and may only look backwards.
        for (id, cdef) in conditions {
            let cond = Condition::from_def(&cdef, false).map_err(|p| err(&id, format!("relevant_if: {p}")))?;
            let pos = q.index[&id];
            q.check_condition_refs(&cond).map_err(|p| err(&id, format!("relevant_if: {p}")))?;
            for (qid, _, _) in cond.references() {
                if q.index[qid] >= pos {
                    return Err(err(&id, format!("relevant_if: `{qid}` is not asked before this question")));
                }
            }
            q.questions[pos].relevant_if = Some(cond);
        }
        if q.questions.iter().any(|x| x.kind == Kind::Notice && x.relevant_if.is_some()) {
            return Err(err(&q.id, "a notice is always shown".into()));
        }
        Ok(q)
    }

    /// Check that a condition names known questions, rows and choices.
    pub fn check_condition_refs(&self, cond: &Condition) -> Result<(), String> {
        for (qid, row, choices) in cond.references() {
            let question = self.question(qid).ok_or_else(|| format!("unknown question `{qid}`"))?;
            match (question.kind, row) {
                (Kind::Grid, Some(r)) if question.rows.iter().any(|x| x.id == r) => {}
                (Kind::Grid, Some(r)) => return Err(format!("unknown row `{r}` of `{qid}`")),
                (Kind::Grid, None) => {
                    return Err(format!("a condition on grid `{qid}` needs a `row`"));
                }
                (_, Some(_)) => return Err(format!("`{qid}` is not a grid: no `row`")),
                _ => {}
            }
            for c in choices {
                if !question.choices.iter().any(|x| x.id == c) {
                    return Err(format!("unknown choice `{c}` of `{qid}`"));
                }
            }
        }
        Ok(())
    }

    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.index.get(id).map(|&i| &self.questions[i])
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Whether question `i` is asked, given the answers so far. `consent_offered` is false when
    /// the kiosk cannot protect contact details (no recipient key): the contact step is skipped.
    pub fn is_relevant(&self, i: usize, answers: &Answers, lang: &str, consent_offered: bool) -> bool {
        let q = &self.questions[i];
        if q.kind == Kind::Contact && !consent_offered {
            return false;
        }
        q.relevant_if.as_ref().is_none_or(|c| c.eval(&Facts { answers, lang, derived: None }))
    }

    /// The questionnaire as JSON, labels in `lang`: the `questionnaire --json` contract.
    pub fn to_json(&self, lang: &str) -> serde_json::Value {
        use serde_json::json;
        let sections: Vec<_> = self
            .sections
            .iter()
            .enumerate()
            .map(|(si, s)| {
                let questions: Vec<_> = self
                    .questions
                    .iter()
                    .filter(|q| q.section == si)
                    .map(|q| {
                        let mut o = json!({
                            "id": q.id,
                            "kind": q.kind.as_str(),
                            "label": q.label.get(lang),
                            "choices": q.choices.iter().map(|c| json!({"id": c.id, "label": c.label.get(lang)})).collect::<Vec<_>>(),
                        });
                        if let Some(m) = q.max_choices {
                            o["max_choices"] = json!(m);
                        }
                        if q.kind == Kind::Grid {
                            o["rows"] = json!(q.rows.iter().map(|r| json!({"id": r.id, "label": r.label.get(lang)})).collect::<Vec<_>>());
                        }
                        if q.kind == Kind::Contact {
                            o["fields"] =
                                json!(q.fields.iter().map(|f| json!({"id": f.id, "label": f.label.get(lang), "required": f.required})).collect::<Vec<_>>());
                        }
                        if let Some(c) = &q.correct {
                            o["correct"] = json!(c);
                        }
                        if q.essential {
                            o["essential"] = json!(true);
                        }
                        o
                    })
                    .collect();
                json!({"id": s.id, "title": s.title.get(lang), "questions": questions})
            })
            .collect();
        json!({"id": self.id, "version": self.version, "title": self.title.get(lang), "sections": sections})
    }
}

impl Question {
    /// Read and check an answer to this question from its JSON form (scripts, the store):
    /// `CHOICE_ID | [CHOICE_ID…] | {ROW_ID: CHOICE_ID} | "text" | {contact…} | null`.
    pub fn read_answer(&self, v: &serde_json::Value) -> Result<Answer, AnswerError> {
        use serde_json::Value;
        use std::collections::BTreeMap;
        let q = self;
        let shape = |expected| AnswerError::WrongShape { question: q.id.clone(), kind: q.kind.as_str(), expected };
        if v.is_null() {
            return Ok(Answer::Skipped);
        }
        let answer = match q.kind {
            Kind::Notice => return Err(shape("nothing (a notice has no answer)")),
            Kind::Single | Kind::List | Kind::Quiz => Answer::Choice(v.as_str().ok_or_else(|| shape("a choice id"))?.to_string()),
            Kind::Multiple => {
                let arr = v.as_array().ok_or_else(|| shape("a list of choice ids"))?;
                let ids = arr.iter().map(|x| x.as_str().map(str::to_string).ok_or_else(|| shape("a list of choice ids"))).collect::<Result<Vec<_>, _>>()?;
                Answer::Choices(q.order_choices(ids))
            }
            Kind::Grid => {
                let obj = v.as_object().ok_or_else(|| shape("an object {row: choice}"))?;
                let mut g = BTreeMap::new();
                for (row, c) in obj {
                    if c.is_null() {
                        continue;
                    }
                    g.insert(row.clone(), c.as_str().ok_or_else(|| shape("an object {row: choice}"))?.to_string());
                }
                Answer::Grid(g)
            }
            Kind::Text => Answer::Text(v.as_str().ok_or_else(|| shape("a text"))?.to_string()),
            Kind::Contact => match v {
                Value::Bool(false) => Answer::Skipped,
                Value::Object(_) => {
                    Answer::Contact(serde_json::from_value(v.clone()).map_err(|e| AnswerError::Invalid { question: q.id.clone(), problem: e.to_string() })?)
                }
                _ => {
                    return Err(shape("contact details {last_name, first_name, phone, address, email}"));
                }
            },
        };
        q.check(&answer)?;
        Ok(answer)
    }

    pub fn choice(&self, id: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.id == id)
    }

    pub fn row(&self, id: &str) -> Option<&Choice> {
        self.rows.iter().find(|c| c.id == id)
    }

    /// Whether a choice is offered on a grid row (`only_rows`); every choice is offered
    /// elsewhere.
    pub fn offers(&self, choice: &Choice, row: Option<&str>) -> bool {
        choice.only_rows.is_empty() || row.is_some_and(|r| choice.only_rows.iter().any(|x| x == r))
    }

    /// The choices offered on screen: all of them, or on a grid those offered on that row.
    pub fn choices_for_row(&self, row: Option<usize>) -> Vec<&Choice> {
        let row = if self.kind == Kind::Grid { row.and_then(|r| self.rows.get(r)).map(|r| r.id.as_str()) } else { None };
        self.choices.iter().filter(|c| self.kind != Kind::Grid || self.offers(c, row)).collect()
    }

    /// Choice ids in the questionnaire's order (unknown ids kept at the end for the check).
    pub fn order_choices(&self, mut ids: Vec<String>) -> Vec<String> {
        ids.sort_by_key(|id| self.choices.iter().position(|c| &c.id == id).unwrap_or(usize::MAX));
        ids
    }

    /// Check an answer against this question: known ids, maximum, exclusive choices, shape.
    pub fn check(&self, a: &Answer) -> Result<(), AnswerError> {
        let qid = || self.id.clone();
        let known = |c: &str| -> Result<(), AnswerError> {
            if self.choice(c).is_some() { Ok(()) } else { Err(AnswerError::UnknownChoice { question: qid(), choice: c.to_string() }) }
        };
        let shape = |expected| AnswerError::WrongShape { question: qid(), kind: self.kind.as_str(), expected };
        match (self.kind, a) {
            (Kind::Notice, _) => Err(shape("nothing (a notice has no answer)")),
            (_, Answer::Skipped) => Ok(()),
            (Kind::Single | Kind::List | Kind::Quiz, Answer::Choice(c)) => known(c),
            (Kind::Multiple, Answer::Choices(v)) => {
                for c in v {
                    known(c)?;
                }
                if v.is_empty() {
                    return Err(shape("at least one choice (or a skip)"));
                }
                let distinct: BTreeSet<_> = v.iter().collect();
                if distinct.len() != v.len() {
                    return Err(AnswerError::DuplicateChoice { question: qid() });
                }
                if let Some(max) = self.max_choices
                    && v.len() > max
                {
                    return Err(AnswerError::TooManyChoices { question: qid(), max, got: v.len() });
                }
                if v.len() > 1
                    && let Some(x) = v.iter().find(|c| self.choice(c).is_some_and(|c| c.exclusive))
                {
                    return Err(AnswerError::ExclusiveChoice { question: qid(), choice: x.clone() });
                }
                Ok(())
            }
            (Kind::Grid, Answer::Grid(g)) => {
                for (r, c) in g {
                    if self.row(r).is_none() {
                        return Err(AnswerError::UnknownRow { question: qid(), row: r.clone() });
                    }
                    known(c)?;
                    if self.choice(c).is_some_and(|x| !self.offers(x, Some(r))) {
                        return Err(AnswerError::UnknownChoice { question: format!("{}.{r}", self.id), choice: c.clone() });
                    }
                }
                Ok(())
            }
            (Kind::Text, Answer::Text(t)) => {
                let t = t.trim();
                if t.is_empty() {
                    Err(AnswerError::Invalid { question: qid(), problem: "empty text (skip instead)".into() })
                } else if t.chars().count() > self.max_length {
                    Err(AnswerError::Invalid { question: qid(), problem: format!("text longer than {} characters", self.max_length) })
                } else if t.chars().any(char::is_control) {
                    Err(AnswerError::Invalid { question: qid(), problem: "control characters in text".into() })
                } else {
                    Ok(())
                }
            }
            (Kind::Contact, Answer::Contact(c)) => self.check_contact(c).map_err(|problem| AnswerError::Contact { question: qid(), problem }),
            (Kind::Single | Kind::List | Kind::Quiz, _) => Err(shape("a choice id")),
            (Kind::Multiple, _) => Err(shape("a list of choice ids")),
            (Kind::Grid, _) => Err(shape("an object {row: choice}")),
            (Kind::Text, _) => Err(shape("a text")),
            (Kind::Contact, _) => Err(shape("contact details")),
        }
    }

    /// What is wrong with contact details, typed: the kiosk's form says it in the visitor's
    /// language.
    pub fn check_contact(&self, c: &Contact) -> Result<(), ContactProblem> {
        for f in Contact::FIELDS {
            let v = c.field(f).unwrap_or_default();
            if !v.is_empty() && !self.fields.iter().any(|x| x.id == f) {
                return Err(ContactProblem::NotAsked(f));
            }
            if v.chars().count() > CONTACT_FIELD_MAX {
                return Err(ContactProblem::TooLong(f));
            }
            if v.chars().any(char::is_control) {
                return Err(ContactProblem::ControlCharacters(f));
            }
        }
        for f in &self.fields {
            if f.required && c.field(&f.id).unwrap_or_default().trim().is_empty() {
                return Err(ContactProblem::Missing(f.id.clone()));
            }
        }
        if !self.at_least_one_of.is_empty() && self.at_least_one_of.iter().all(|f| c.field(f).unwrap_or_default().trim().is_empty()) {
            return Err(ContactProblem::MissingReach);
        }
        let phone = c.phone.trim();
        if !phone.is_empty() {
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            if digits < 10 || phone.chars().any(|ch| !(ch.is_ascii_digit() || " .+-()".contains(ch))) {
                return Err(ContactProblem::BadPhone);
            }
        }
        let email = c.email.trim();
        if !email.is_empty() {
            let ok = email.split_once('@').is_some_and(|(u, d)| !u.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
                && !email.contains(char::is_whitespace);
            if !ok {
                return Err(ContactProblem::BadEmail);
            }
        }
        Ok(())
    }
}

impl Questionnaire {
    /// The questionnaire as it was at `version` for what its answers can hold: without the
    /// choices added later (`since`). None when `version` is not a version. The handoff uses it
    /// to read a code made by a kiosk with an older questionnaire.
    pub fn as_of(&self, version: &str) -> Option<Questionnaire> {
        let v = crate::version::parse_version(version)?;
        let mut out = self.clone();
        for q in &mut out.questions {
            q.choices.retain(|c| c.since.as_deref().and_then(crate::version::parse_version).is_none_or(|since| since <= v));
        }
        Some(out)
    }

    /// The section id of question `id`.
    pub fn section_of(&self, id: &str) -> Option<&Section> {
        self.question(id).map(|q| &self.sections[q.section])
    }
}

/// Ids are the data dictionary: lowercase ASCII letters, digits and `_`, starting with a letter.
pub fn check_id(id: &str) -> Result<(), String> {
    let ok = id.len() <= 48
        && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok { Ok(()) } else { Err("bad id: use lowercase letters, digits, `_` or `-`, starting with a letter (48 at most)".into()) }
}
