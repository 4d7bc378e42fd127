//! A visit's way through the questionnaire: its order (`order` in kiosk.toml), its path (`path`),
//! the sequence of questions they give, the grid rows asked and the screen count.

use crate::questionnaire::{Choice, Kind, QuestionDef, Questionnaire};

/// The order of the questions in a visit (`order` in kiosk.toml). Ids and exports never depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// The questionnaire's own order (the deck's).
    #[default]
    Deck,
    /// The essential questions first (a question whose relevance depends on a later one stays
    /// after it), then the others in the questionnaire's order; the contact step stays last.
    EssentialsFirst,
}

/// Which questions a visit asks (`path` in kiosk.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VisitPath {
    /// Every question.
    #[default]
    Complet,
    /// Only the essential questions (and the essential rows of a grid).
    Court,
}

/// How a visit goes through the questionnaire: its order and its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flow {
    pub order: Order,
    pub path: VisitPath,
}

impl Questionnaire {
    /// The questions a visit may ask, in the order it asks them (indices into [`Questionnaire::questions`]).
    /// Relevance rules still decide, during the visit, whether each one is asked.
    pub fn sequence(&self, flow: Flow) -> Vec<usize> {
        let on_path = |i: usize| {
            !self.questions()[i].retired && (flow.path == VisitPath::Complet || self.questions()[i].essential || self.questions()[i].kind == Kind::Notice)
        };
        let all: Vec<usize> = (0..self.questions().len()).filter(|&i| on_path(i)).collect();
        if flow.order == Order::Deck {
            return all;
        }
        let mut front: Vec<usize> = all.iter().copied().filter(|&i| self.questions()[i].kind == Kind::Notice).collect();
        for &i in &all {
            let q = &self.questions()[i];
            if !q.essential || q.kind == Kind::Contact || front.contains(&i) {
                continue;
            }
            // A question moves up only with every question its relevance rule looks at.
            let refs_ok = q.relevant_if.as_ref().is_none_or(|c| c.references().iter().all(|(id, _, _)| self.position(id).is_some_and(|p| front.contains(&p))));
            if refs_ok {
                front.push(i);
            }
        }
        let rest: Vec<usize> = all.iter().copied().filter(|i| !front.contains(i)).collect();
        front.extend(rest);
        front
    }

    /// The rows of grid `i` that a visit on `path` asks, in order.
    pub fn rows_on_path(&self, i: usize, path: VisitPath) -> Vec<usize> {
        let q = &self.questions()[i];
        match path {
            VisitPath::Court if q.essential => q.essential_rows.clone(),
            _ => (0..q.rows.len()).collect(),
        }
    }

    /// The screens of a visit on `flow` at most (the notice, each question, each grid row; a
    /// question asked only under a condition counted too), for the welcome screen's estimate.
    pub fn screen_count(&self, flow: Flow, consent_offered: bool) -> usize {
        self.sequence(flow)
            .into_iter()
            .filter(|&i| consent_offered || self.questions()[i].kind != Kind::Contact)
            .map(|i| if self.questions()[i].kind == Kind::Grid { self.rows_on_path(i, flow.path).len() } else { 1 })
            .sum()
    }
}

/// The rows of an essential grid that the short path asks, checked.
pub(crate) fn essential_rows(qd: &QuestionDef, rows: &[Choice]) -> Result<Vec<usize>, String> {
    if qd.essential && qd.kind == Kind::Notice {
        return Err("a notice is always shown: it cannot be `essential`".into());
    }
    if qd.essential_rows.is_empty() {
        return Ok((0..rows.len()).collect());
    }
    if qd.kind != Kind::Grid || !qd.essential {
        return Err("only an essential grid has `essential_rows`".into());
    }
    let mut out = Vec::new();
    for r in &qd.essential_rows {
        let i = rows.iter().position(|x| &x.id == r).ok_or_else(|| format!("`essential_rows` names unknown row `{r}`"))?;
        if out.contains(&i) {
            return Err(format!("`essential_rows` names row `{r}` twice"));
        }
        out.push(i);
    }
    out.sort_unstable();
    Ok(out)
}
