//! A suggestion's reason in the visitor's words: the answers that made it (the labels of the
//! questionnaire's choices, in any of its languages) and the facts computed from them (how many
//! capability rows are known, the quiz), e.g. « Acheter et payer sur Internet : « Je ne sais pas
//! faire » » rather than the whole rule's "wants to save money, or cannot buy and pay online".

use crate::condition::Because;
use crate::questionnaire::{Kind, Questionnaire};
use crate::text::Text;
use std::collections::BTreeMap;

/// Where the words come from: the questionnaire, and which grid choice means "je sais faire".
pub struct Words<'a> {
    pub q: &'a Questionnaire,
    /// The capability grid (its id) and its "known" choice, for the counts' wording.
    pub capability_question: &'a str,
    pub known: &'a str,
}

impl Words<'_> {
    /// `because` in words, in every language of the questionnaire (French and English always);
    /// None when nothing of it is said in words (only an autonomy level or the language): the
    /// caller then says the rule's own reason.
    pub fn text(&self, because: &[Because]) -> Option<Text> {
        let mut langs: Vec<String> = self.q.languages.clone();
        for l in ["fr", "en"] {
            if !langs.iter().any(|x| x == l) {
                langs.push(l.to_string());
            }
        }
        let mut out = BTreeMap::new();
        for lang in langs {
            let parts: Vec<String> = because.iter().filter_map(|b| self.one(b, &lang)).collect();
            if parts.is_empty() {
                return None;
            }
            out.insert(lang.clone(), parts.join(if lang == "fr" { " ; " } else { "; " }));
        }
        Some(Text(out))
    }

    /// One reason in `lang`, or None when it is not said in words.
    pub fn one(&self, b: &Because, lang: &str) -> Option<String> {
        match b {
            Because::Answer { question, row, choices } => {
                let question = self.q.question(question)?;
                let labels: Vec<String> =
                    choices.iter().map(|c| question.choice(c).map_or_else(|| c.clone(), |x| x.label.get(lang).to_string())).map(|l| quote(lang, &l)).collect();
                let labels = labels.join(", ");
                Some(match row.as_deref().and_then(|r| question.row(r)) {
                    Some(r) => format!("{}{}{labels}", r.label.get(lang), colon(lang)),
                    None => format!("{} {labels}", question.label.get(lang)),
                })
            }
            Because::Capabilities { known, answered } => {
                let label = self.q.question(self.capability_question).and_then(|g| g.choice(self.known)).map_or("", |c| c.label.get(lang));
                let label = quote(lang, label);
                Some(match lang {
                    "fr" => format!("{known} {label} sur {answered} {}", if *answered > 1 { "capacités répondues" } else { "capacité répondue" }),
                    "en" => format!("{known} {label} of {answered} {} answered", if *answered == 1 { "capability" } else { "capabilities" }),
                    _ => format!("{label}{}{known}/{answered}", colon(lang)),
                })
            }
            // No quiz answer to speak of (the short path has none): nothing to say.
            Because::Quiz { correct: 0, wrong: 0 } => None,
            Because::Quiz { correct, wrong } => {
                let title = self.q.questions().iter().find(|x| x.kind == Kind::Quiz).map(|x| self.q.sections[x.section].title.get(lang).to_string());
                let title = title.unwrap_or_else(|| "Quiz".into());
                let plural = |n: u32, one: &str, many: &str| if n > 1 { many.to_string() } else { one.to_string() };
                Some(match lang {
                    "fr" => format!("{title}\u{a0}: {correct} {}, {wrong} {}", plural(*correct, "juste", "justes"), plural(*wrong, "fausse", "fausses")),
                    "en" => format!("{title}: {correct} right, {wrong} wrong"),
                    _ => format!("{title}{}✔ {correct}, ✘ {wrong}", colon(lang)),
                })
            }
            Because::Language { .. } | Because::Autonomy { .. } => None,
        }
    }
}

/// A label quoted as the language quotes: « … » in French (with no-break spaces), “…” in
/// English, «…» elsewhere.
fn quote(lang: &str, s: &str) -> String {
    match lang {
        "fr" => format!("«\u{a0}{s}\u{a0}»"),
        "en" => format!("“{s}”"),
        _ => format!("«{s}»"),
    }
}

fn colon(lang: &str) -> &'static str {
    if lang == "fr" { "\u{a0}: " } else { ": " }
}
