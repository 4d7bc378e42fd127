//! The profile of a visit, in the national vocabularies ("langage commun"), computed by rules
//! that are data (`assets/questionnaire/profile-rules.toml`, explained in `docs/profile.md`).

use crate::answers::{Answer, Answers};
use crate::condition::{Because, Condition, ConditionDef, Derived, Facts};
use crate::questionnaire::{DefinitionError, Kind, Questionnaire};
use crate::text::Text;
use crate::vocab;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// What the rules file says

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesDef {
    id: String,
    version: String,
    questionnaire: String,
    max_thematiques: usize,
    capabilities: CapabilitiesDef,
    levels: LevelsDef,
    domains: Vec<DomainDef>,
    #[serde(default)]
    mappings: BTreeMap<String, MappingDef>,
    barriers: Option<BarriersDef>,
    quiz: Option<QuizDef>,
    autonomy: Vec<AutonomyDef>,
    #[serde(default)]
    flags: BTreeMap<String, FlagDef>,
    #[serde(default)]
    rules: Vec<RuleDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CapabilitiesDef {
    question: String,
    known: String,
    unknown: String,
    /// Choices that mean "I don't know what it is": counted as not known (a visitor who does not
    /// know what a thing is cannot do it), e.g. `ne_connait_pas` (questionnaire 1.3.0).
    #[serde(default)]
    unfamiliar: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelsDef {
    debutant_below: f64,
    intermediaire_below: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainDef {
    id: String,
    pix: u8,
    label: Text,
    items: Vec<ItemDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemDef {
    row: Option<String>,
    quiz: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingDef {
    question: String,
    map: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BarriersDef {
    question: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuizDef {
    /// The quiz choice that means "I don't know": neither right nor wrong.
    unsure: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AutonomyDef {
    level: String,
    why: Text,
    when: ConditionDef,
    /// The capability rows this level's counts and shares look at (default: every row).
    #[serde(default)]
    rows: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagDef {
    label: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    why: Text,
    when: ConditionDef,
    #[serde(default)]
    thematiques: Vec<String>,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    modalites: Vec<String>,
    #[serde(default)]
    support: Vec<String>,
    #[serde(default)]
    flags: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Checked rules

#[derive(Debug, Clone)]
pub enum Item {
    Row(String),
    Quiz(String),
}

#[derive(Debug, Clone)]
pub struct Domain {
    pub id: String,
    pub pix: u8,
    pub label: Text,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// Why the rule suggests what it does, French first (shown to the mediator).
    pub why: Text,
    pub when: Condition,
    pub thematiques: Vec<String>,
    pub services: Vec<String>,
    pub modalites: Vec<String>,
    pub support: Vec<String>,
    pub flags: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Rules {
    pub id: String,
    pub version: String,
    pub max_thematiques: usize,
    pub capability_question: String,
    pub known: String,
    pub unknown: String,
    /// Further choices counted as `unknown` ("je ne sais pas ce que c'est").
    pub unfamiliar: Vec<String>,
    debutant_below: f64,
    intermediaire_below: f64,
    pub domains: Vec<Domain>,
    mappings: BTreeMap<String, (String, BTreeMap<String, String>)>,
    barriers: Option<String>,
    /// The quiz choice that means "I don't know" (neither right nor wrong).
    quiz_unsure: Option<String>,
    autonomy: Vec<AutonomyLevel>,
    pub flags: BTreeMap<String, Text>,
    pub rules: Vec<Rule>,
}

/// An autonomy level's rule: the level, its reason, its condition and the rows it counts.
#[derive(Debug, Clone)]
struct AutonomyLevel {
    level: String,
    why: Text,
    when: Condition,
    /// None: every capability row.
    rows: Option<Vec<String>>,
}

/// The mapped Coop CRA fields, each with its allowed values.
const MAPPINGS: &[(&str, &[&str])] = &[("tranche_age", vocab::COOP_TRANCHE_AGE), ("genre", vocab::COOP_GENRE), ("materiel", vocab::COOP_MATERIEL)];

impl Rules {
    /// Whether a grid choice means "cannot do it": `unknown`, or one of `unfamiliar`.
    pub fn is_unknown(&self, choice: &str) -> bool {
        choice == self.unknown || self.unfamiliar.iter().any(|c| c == choice)
    }

    /// Parse and check the rules against the questionnaire they speak about.
    pub fn load(src: &str, file: &str, q: &Questionnaire) -> Result<Rules, DefinitionError> {
        let def: RulesDef = toml::from_str(src).map_err(|source| DefinitionError::Syntax { file: file.to_string(), source })?;
        let err = |id: &str, problem: String| DefinitionError::Invalid { file: file.to_string(), id: id.to_string(), problem };
        if def.questionnaire != q.id {
            return Err(err(&def.id, format!("rules are for questionnaire `{}`, not `{}`", def.questionnaire, q.id)));
        }
        let cap = q.question(&def.capabilities.question).ok_or_else(|| err("capabilities", format!("unknown question `{}`", def.capabilities.question)))?;
        if cap.kind != Kind::Grid {
            return Err(err("capabilities", format!("`{}` is not a grid", cap.id)));
        }
        for c in [&def.capabilities.known, &def.capabilities.unknown].into_iter().chain(&def.capabilities.unfamiliar) {
            if cap.choice(c).is_none() {
                return Err(err("capabilities", format!("unknown choice `{c}` of `{}`", cap.id)));
            }
        }
        let l = &def.levels;
        if !(0.0 < l.debutant_below && l.debutant_below < l.intermediaire_below && l.intermediaire_below <= 1.0) {
            return Err(err("levels", "need 0 < debutant_below < intermediaire_below <= 1".into()));
        }
        let mut domains = Vec::new();
        for d in def.domains {
            if !(1..=5).contains(&d.pix) {
                return Err(err(&d.id, "pix domain must be 1 to 5".into()));
            }
            let mut items = Vec::new();
            for it in d.items {
                items.push(match (it.row, it.quiz) {
                    (Some(r), None) => {
                        if cap.row(&r).is_none() {
                            return Err(err(&d.id, format!("unknown capability row `{r}`")));
                        }
                        Item::Row(r)
                    }
                    (None, Some(z)) => {
                        if q.question(&z).is_none_or(|x| x.kind != Kind::Quiz) {
                            return Err(err(&d.id, format!("`{z}` is not a quiz question")));
                        }
                        Item::Quiz(z)
                    }
                    _ => {
                        return Err(err(&d.id, "an item is either { row = … } or { quiz = … }".into()));
                    }
                });
            }
            domains.push(Domain { id: d.id, pix: d.pix, label: d.label, items });
        }
        let mut mappings = BTreeMap::new();
        for (name, m) in def.mappings {
            let allowed = MAPPINGS.iter().find(|(n, _)| *n == name).map(|(_, v)| *v).ok_or_else(|| {
                err(&format!("mappings.{name}"), format!("unknown mapping (known: {})", MAPPINGS.iter().map(|x| x.0).collect::<Vec<_>>().join(", ")))
            })?;
            let question = q.question(&m.question).ok_or_else(|| err(&format!("mappings.{name}"), format!("unknown question `{}`", m.question)))?;
            for (from, to) in &m.map {
                if question.choice(from).is_none() {
                    return Err(err(&format!("mappings.{name}"), format!("unknown choice `{from}` of `{}`", m.question)));
                }
                if !allowed.contains(&to.as_str()) {
                    return Err(err(&format!("mappings.{name}"), format!("`{to}` is not a Coop value")));
                }
            }
            mappings.insert(name, (m.question, m.map));
        }
        if let Some(b) = &def.barriers
            && q.question(&b.question).is_none_or(|x| x.kind != Kind::Multiple)
        {
            return Err(err("barriers", format!("`{}` is not a multiple-choice question", b.question)));
        }
        let cond = |id: &str, c: &ConditionDef| -> Result<Condition, DefinitionError> {
            let c = Condition::from_def(c, true).map_err(|p| err(id, p))?;
            q.check_condition_refs(&c).map_err(|p| err(id, p))?;
            Ok(c)
        };
        let check_why = |id: &str, why: &Text| -> Result<(), DefinitionError> {
            if !why.missing(&["fr".to_string()]).is_empty() {
                return Err(err(id, "`why` needs a French text (the mediator reads it)".into()));
            }
            Ok(())
        };
        if let Some(quiz) = &def.quiz
            && !q.questions().iter().filter(|x| x.kind == Kind::Quiz).any(|x| x.choice(&quiz.unsure).is_some())
        {
            return Err(err("quiz", format!("`{}` is not a choice of any quiz question", quiz.unsure)));
        }
        let mut autonomy = Vec::new();
        for (i, a) in def.autonomy.iter().enumerate() {
            let id = format!("autonomy[{i}]");
            if !vocab::COOP_AUTONOMIE.contains(&a.level.as_str()) {
                return Err(err(&id, format!("`{}` is not a Coop autonomy level", a.level)));
            }
            let c = cond(&id, &a.when)?;
            if matches!(&c, Condition::Autonomy(_) | Condition::NotAssessed) {
                return Err(err(&id, "autonomy rules cannot test the autonomy level".into()));
            }
            check_why(&id, &a.why)?;
            if let Some(r) = a.rows.iter().find(|r| cap.row(r).is_none()) {
                return Err(err(&id, format!("`rows` names unknown capability row `{r}`")));
            }
            let rows = (!a.rows.is_empty()).then(|| a.rows.clone());
            autonomy.push(AutonomyLevel { level: a.level.clone(), why: a.why.clone(), when: c, rows });
        }
        let flags: BTreeMap<String, Text> = def.flags.into_iter().map(|(k, v)| (k, v.label)).collect();
        for f in flags.keys() {
            if !vocab::FLAGS.contains(&f.as_str()) {
                return Err(err(&format!("flags.{f}"), format!("unknown flag (known: {})", vocab::FLAGS.join(", "))));
            }
        }
        if def.max_thematiques == 0 || def.max_thematiques > 7 {
            return Err(err("max_thematiques", "must be 1 to 7".into()));
        }
        crate::version::check_version(&def.version).map_err(|p| err(&def.id, p))?;
        let mut rules = Vec::new();
        for (i, r) in def.rules.into_iter().enumerate() {
            let id = format!("rules[{i}]");
            let when = cond(&id, &r.when)?;
            check_why(&id, &r.why)?;
            let check = |vals: &[String], allowed: &[&str], what: &str| -> Result<(), DefinitionError> {
                for v in vals {
                    if !allowed.contains(&v.as_str()) {
                        return Err(err(&id, format!("`{v}` is not a {what}")));
                    }
                }
                Ok(())
            };
            check(&r.thematiques, vocab::COOP_THEMATIQUES, "Coop thematique")?;
            check(&r.services, vocab::STD_SERVICES, "service of the places standard")?;
            check(&r.modalites, vocab::STD_MODALITES, "modalite of the places standard")?;
            check(&r.support, vocab::STD_PRISE_EN_CHARGE, "prise_en_charge_specifique of the places standard")?;
            for f in &r.flags {
                if !flags.contains_key(f) {
                    return Err(err(&id, format!("unknown flag `{f}` (declare it under [flags])")));
                }
            }
            rules.push(Rule { why: r.why, when, thematiques: r.thematiques, services: r.services, modalites: r.modalites, support: r.support, flags: r.flags });
        }
        Ok(Rules {
            id: def.id,
            version: def.version,
            max_thematiques: def.max_thematiques,
            capability_question: def.capabilities.question,
            known: def.capabilities.known,
            unknown: def.capabilities.unknown,
            unfamiliar: def.capabilities.unfamiliar,
            debutant_below: l.debutant_below,
            intermediaire_below: l.intermediaire_below,
            domains,
            mappings,
            barriers: def.barriers.map(|b| b.question),
            quiz_unsure: def.quiz.map(|x| x.unsure),
            autonomy,
            flags,
            rules,
        })
    }

    /// The multiple-choice question whose choices are the barriers, if any.
    pub fn barriers_question(&self) -> Option<&str> {
        self.barriers.as_deref()
    }

    fn level(&self, share: f64) -> &'static str {
        if share < self.debutant_below {
            "debutant"
        } else if share < self.intermediaire_below {
            "intermediaire"
        } else {
            "avance"
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The profile

/// A Pix/CRCN domain's level: items known (or quiz answers right) among those answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainLevel {
    pub id: String,
    pub pix: u8,
    /// `debutant`, `intermediaire`, `avance`; None when nothing of it was answered.
    pub niveau: Option<String>,
    pub known: u8,
    pub assessed: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Profile {
    pub rules_id: String,
    pub rules_version: String,
    /// Coop autonomy level; None: not assessed (too few answers).
    pub autonomie: Option<String>,
    /// Coop niveau for a collective workshop, from the capability share.
    pub niveau: Option<String>,
    pub capacites_repondues: u8,
    pub capacites_acquises: u8,
    pub domaines: Vec<DomainLevel>,
    /// Coop thematiques, most relevant first.
    pub thematiques: Vec<String>,
    /// Places standard `services`.
    pub services: Vec<String>,
    /// Places standard `modalites_accompagnement`, the recommended one first.
    pub modalites: Vec<String>,
    /// Coop type d'accompagnement of the recommended modalité (`individuel`/`collectif`).
    pub type_accompagnement: Option<String>,
    pub tranche_age: Option<String>,
    pub genre: Option<String>,
    pub materiel: Option<String>,
    pub flags: Vec<String>,
    /// Barriers (choice ids of the barriers question).
    pub freins: Vec<String>,
    /// Places standard `prise_en_charge_specifique`.
    pub prise_en_charge_specifique: Vec<String>,
    /// Capability rows known / not known (row ids).
    pub sait_faire: Vec<String>,
    pub ne_sait_pas_faire: Vec<String>,
    /// The visitor ended the questionnaire early ("On m'appelle"): see [`mark_partial`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// Partial: the section (id) of the last question answered, in the order of the visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrompu_apres: Option<String>,
}

/// One suggestion of the profile and the reason for it, for the mediator: a suggestion, never
/// data of the session itself. The reason is what the first rule that suggested it found in
/// the answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The profile field: `autonomie`, `modalites`, `thematiques`, `services`,
    /// `prise_en_charge_specifique` or `flags`.
    pub field: String,
    pub value: String,
    /// What the mediator reads: the answers that made it, in the visitor's words (the labels of
    /// the choices, in every language of the questionnaire: the visitor's, French for the
    /// mediator), with the counts computed from them (capability rows known, the quiz); the
    /// rule's own reason only when no answer is said in words (an autonomy level, the language).
    pub why: Text,
    /// What made it: the visitor's answers (question, row, the choices that matched) and the
    /// computed facts, in the rule's order.
    pub because: Vec<Because>,
    /// The reason of the rule (or autonomy level) that made it, as written in the rules file.
    pub rule: Text,
}

/// A suggestion's reason: what the rule found in the answers, in words (see [`Suggestion`]).
struct Reason {
    why: Text,
    because: Vec<Because>,
    rule: Text,
}

impl Reason {
    fn new(words: &crate::reasons::Words, rule: &Text, because: Vec<Because>) -> Reason {
        Reason { why: words.text(&because).unwrap_or_else(|| rule.clone()), because, rule: rule.clone() }
    }
}

fn push_unique(v: &mut Vec<String>, items: &[String], field: &str, reason: &Reason, out: &mut Vec<Suggestion>) {
    for i in items {
        if !v.contains(i) {
            v.push(i.clone());
            out.push(Suggestion {
                field: field.to_string(),
                value: i.clone(),
                why: reason.why.clone(),
                because: reason.because.clone(),
                rule: reason.rule.clone(),
            });
        }
    }
}

/// Compute the profile of a visit.
pub fn compute(rules: &Rules, q: &Questionnaire, answers: &Answers, lang: &str) -> Profile {
    explain(rules, q, answers, lang).0
}

/// Compute the profile of a visit and, for each suggestion in it, its reason: the answers that
/// made it, in the visitor's words ([`Suggestion::why`]).
pub fn explain(rules: &Rules, q: &Questionnaire, answers: &Answers, lang: &str) -> (Profile, Vec<Suggestion>) {
    let mut why = Vec::new();
    let mut p = Profile { rules_id: rules.id.clone(), rules_version: rules.version.clone(), ..Profile::default() };
    let grid = match answers.get(&rules.capability_question) {
        Some(Answer::Grid(g)) => g.clone(),
        _ => BTreeMap::new(),
    };
    // Rows in questionnaire order.
    if let Some(cap) = q.question(&rules.capability_question) {
        for r in &cap.rows {
            match grid.get(&r.id) {
                Some(c) if *c == rules.known => p.sait_faire.push(r.id.clone()),
                Some(c) if rules.is_unknown(c) => p.ne_sait_pas_faire.push(r.id.clone()),
                _ => {}
            }
        }
    }
    // Rows answered and known, among `rows` (every row when None).
    let counts = |rows: Option<&[String]>| -> (u32, u32) {
        let among = |r: &String| rows.is_none_or(|v| v.contains(r));
        let known = p.sait_faire.iter().filter(|r| among(r)).count() as u32;
        (known + p.ne_sait_pas_faire.iter().filter(|r| among(r)).count() as u32, known)
    };
    let (capabilities_answered, capabilities_known) = counts(None);
    let mut d = Derived { capabilities_answered, capabilities_known, ..Derived::default() };
    let quiz_result = |id: &str| -> Option<bool> {
        let question = q.question(id)?;
        match answers.get(id) {
            // "I don't know" is an honest answer: neither right nor wrong.
            Some(Answer::Choice(c)) if rules.quiz_unsure.as_deref() == Some(c.as_str()) => None,
            Some(Answer::Choice(c)) => Some(question.correct.as_deref() == Some(c.as_str())),
            _ => None,
        }
    };
    for question in q.questions().iter().filter(|x| x.kind == Kind::Quiz) {
        match quiz_result(&question.id) {
            Some(true) => d.quiz_correct += 1,
            Some(false) => d.quiz_wrong += 1,
            None => {}
        }
    }
    p.capacites_repondues = d.capabilities_answered as u8;
    p.capacites_acquises = d.capabilities_known as u8;
    p.niveau = d.score().map(|s| rules.level(s).to_string());
    for dom in &rules.domains {
        let (mut known, mut assessed) = (0u8, 0u8);
        for it in &dom.items {
            let r = match it {
                // Only "known" and "unknown" (or "unfamiliar") assess a row ("pas concerné" does not).
                Item::Row(r) => grid.get(r).filter(|c| **c == rules.known || rules.is_unknown(c)).map(|c| *c == rules.known),
                Item::Quiz(z) => quiz_result(z),
            };
            if let Some(ok) = r {
                assessed += 1;
                known += u8::from(ok);
            }
        }
        let niveau = (assessed > 0).then(|| rules.level(f64::from(known) / f64::from(assessed)).to_string());
        p.domaines.push(DomainLevel { id: dom.id.clone(), pix: dom.pix, niveau, known, assessed });
    }
    let words = crate::reasons::Words { q, capability_question: &rules.capability_question, known: &rules.known };
    // Autonomy: first rule that holds, each counting its own rows.
    for a in &rules.autonomy {
        let (capabilities_answered, capabilities_known) = counts(a.rows.as_deref());
        let scoped = Derived { capabilities_answered, capabilities_known, ..d.clone() };
        let facts = Facts { answers, lang, derived: Some(&scoped) };
        if a.when.eval(&facts) {
            p.autonomie = Some(a.level.clone());
            let reason = Reason::new(&words, &a.why, a.when.because(&facts));
            push_unique(&mut Vec::new(), std::slice::from_ref(&a.level), "autonomie", &reason, &mut why);
            break;
        }
    }
    d.autonomy = p.autonomie.clone();
    d.autonomy_computed = true;
    let facts = Facts { answers, lang, derived: Some(&d) };
    for r in &rules.rules {
        if r.when.eval(&facts) {
            let reason = Reason::new(&words, &r.why, r.when.because(&facts));
            push_unique(&mut p.modalites, &r.modalites, "modalites", &reason, &mut why);
            push_unique(&mut p.thematiques, &r.thematiques, "thematiques", &reason, &mut why);
            push_unique(&mut p.services, &r.services, "services", &reason, &mut why);
            push_unique(&mut p.prise_en_charge_specifique, &r.support, "prise_en_charge_specifique", &reason, &mut why);
            push_unique(&mut p.flags, &r.flags, "flags", &reason, &mut why);
        }
    }
    p.thematiques.truncate(rules.max_thematiques);
    why.retain(|s| s.field != "thematiques" || p.thematiques.contains(&s.value));
    p.type_accompagnement = p.modalites.first().and_then(|m| vocab::coop_type_accompagnement(m)).map(str::to_string);
    let mapped = |name: &str| -> Option<String> {
        let (qid, map) = rules.mappings.get(name)?;
        match answers.get(qid) {
            Some(Answer::Choice(c)) => map.get(c).cloned(),
            _ => None,
        }
    };
    p.tranche_age = mapped("tranche_age");
    p.genre = mapped("genre");
    p.materiel = mapped("materiel");
    if let Some(bq) = &rules.barriers
        && let (Some(Answer::Choices(v)), Some(question)) = (answers.get(bq), q.question(bq))
    {
        p.freins = v.iter().filter(|c| question.choice(c).is_some_and(|c| !c.exclusive)).cloned().collect();
    }
    // Suggestions in the order a mediator reads them: autonomy, mode, topics, services, support, flags.
    let order = ["autonomie", "modalites", "thematiques", "services", "prise_en_charge_specifique", "flags"];
    why.sort_by_key(|s| order.iter().position(|f| *f == s.field));
    (p, why)
}

/// Mark a profile computed from an interrupted visit. The profile itself is computed by the
/// same rules from the answers given: a question not reached is "not asked", never a "no", so a
/// domain without answers stays "not assessed" and the autonomy level is not guessed.
pub fn mark_partial(p: &mut Profile, after_section: Option<&str>) {
    p.partial = true;
    p.interrompu_apres = after_section.map(str::to_string);
}

/// The section after which a partial profile's visit was interrupted, by its title in `lang`
/// (its id when the questionnaire no longer has it); None when not partial or interrupted on
/// the first question.
pub fn interrupted_after_title(p: &Profile, q: &Questionnaire, lang: &str) -> Option<String> {
    let id = p.interrompu_apres.as_ref().filter(|_| p.partial)?;
    Some(q.sections.iter().find(|s| &s.id == id).map_or_else(|| id.clone(), |s| s.title.get(lang).to_string()))
}
