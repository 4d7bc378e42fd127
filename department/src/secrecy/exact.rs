//! The exact check of the secrecy pass: linear programming over the ledger's equations, as an
//! attacker would, and the cell to hide when it finds a figure narrowed (see the parent module).

use super::{Eq, INF, Leak, Ledger, RateShown, State};
use std::collections::{BTreeSet, HashMap};

/// One linear constraint over unknown cells: (terms, operator, right-hand side).
type LpRow = (Vec<(usize, f64)>, microlp::ComparisonOp, f64);

/// A feasible solution of one group of variables, and the solver's variable of each cell.
type Start = (microlp::Solution, HashMap<usize, microlp::Variable>);

impl Ledger {
    /// The first figure that linear programming over every equation narrows too much.
    pub(super) fn exact_leak(&self, eqs: &[Eq], bounded: &[(usize, usize)]) -> Option<Leak> {
        let sensitive: Vec<usize> = (0..self.cells.len())
            .filter(|&i| {
                let c = &self.cells[i];
                c.state == State::Small || (c.state != State::Shown && c.value > 0 && c.value < self.min)
            })
            .collect();
        let banded: Vec<usize> = (0..self.rates.len())
            .filter(|&k| matches!(self.rates[k].shown, RateShown::High | RateShown::Low) && self.cells[self.rates[k].part].state != State::Shown)
            .collect();
        let parts: Vec<usize> = banded.iter().map(|&k| self.rates[k].part).collect();
        // A « < 5 » or an unpublished small count is safe when 1 and 4 are both possible: two
        // probes from one solution instead of a minimum and a maximum from scratch.
        let small = self.min as i64 - 1;
        let probe = |i: usize| (self.cells[i].state != State::Hidden).then_some((1, small));
        let targets: Vec<(usize, Option<(i64, i64)>)> = sensitive.iter().map(|&i| (i, probe(i))).chain(parts.iter().map(|&p| (p, None))).collect();
        let (lo, hi) = self.bounds(eqs, bounded);
        let ranges = self.lp_ranges(eqs, bounded, (&lo, &hi), &targets);
        for (&i, range) in sensitive.iter().zip(&ranges) {
            if range.is_some_and(|(l, h)| self.narrowed(i, l, h)) {
                return Some(Leak::Cell(i));
            }
        }
        for (&k, range) in banded.iter().zip(&ranges[sensitive.len()..]) {
            let (r, Some((l, h))) = (&self.rates[k], range) else { continue };
            let (mut lo2, mut hi2) = (lo.clone(), hi.clone());
            (lo2[r.part], hi2[r.part]) = (*l, *h);
            if self.band_narrowed(r, &lo2, &hi2) {
                return Some(Leak::Rate(k));
            }
        }
        None
    }

    /// The cell to hide for a figure linear programming narrows: among the shown cells of the
    /// equations that reach it, the first (smallest parts first) whose hiding leaves it no longer
    /// narrowed; else the one that widens it most; else one around it as interval reasoning
    /// would pick.
    pub(super) fn exact_pick(&mut self, bad: usize, eqs: &[Eq], bounded: &[(usize, usize)], of_cell: &[Vec<usize>]) -> Option<usize> {
        // The unknowns joined to `bad` (through equations between unknowns), then the shown
        // cells of their equations.
        let unknown = |l: &Ledger, i: usize| l.cells[i].state != State::Shown;
        let mut joined: std::collections::HashSet<usize> = [bad].into();
        let mut todo = vec![bad];
        let mut candidates: BTreeSet<usize> = BTreeSet::new();
        while let Some(u) = todo.pop() {
            for &k in &of_cell[u] {
                for c in eqs[k].cells() {
                    if !unknown(self, c) {
                        candidates.insert(c);
                    } else if joined.insert(c) {
                        todo.push(c);
                    }
                }
            }
        }
        let mut candidates: Vec<usize> = candidates.into_iter().collect();
        let total = |c: usize| of_cell[c].iter().any(|&k| eqs[k].total == c);
        candidates.sort_by_key(|&c| (self.cells[c].keep || total(c), self.cells[c].value == 0, self.cells[c].value, c));
        // The published figures' own bounds: interval bounds would be a propagation per
        // candidate (the programme finds the same optimum without them, more slowly).
        let (lo, hi) = self.published_bounds();
        let before = self.lp_ranges(eqs, bounded, (&lo, &hi), &[(bad, None)])[0].map_or(0, |(l, h)| h - l);
        let mut best: Option<(i64, usize)> = None;
        for &c in candidates.iter().take(80) {
            self.cells[c].state = State::Hidden;
            let (lo, hi) = self.published_bounds();
            let range = self.lp_ranges(eqs, bounded, (&lo, &hi), &[(bad, None)])[0];
            self.cells[c].state = State::Shown;
            let Some((l, h)) = range else { continue };
            if !self.narrowed(bad, l, h) {
                return Some(c);
            }
            if h - l > before && best.is_none_or(|(w, _)| h - l > w) {
                best = Some((h - l, c));
            }
        }
        best.map(|(_, c)| c).or_else(|| self.pick_around(bad, eqs, of_cell, &vec![false; self.cells.len()]))
    }

    /// The minimum and maximum of each target cell by linear programming: the shown counts are
    /// constants, every other cell a variable within the bounds given (valid ones: tighter boxes solve faster), the equations (and
    /// `small ≤ big`) its constraints; each set of variables that equations join is solved
    /// apart. `None` where the programme has no answer.
    fn lp_ranges(
        &self,
        eqs: &[Eq],
        bounded: &[(usize, usize)],
        (lo, hi): (&[i64], &[i64]),
        targets: &[(usize, Option<(i64, i64)>)],
    ) -> Vec<Option<(i64, i64)>> {
        use microlp::{ComparisonOp, OptimizationDirection, Problem};
        let n = self.cells.len();
        let shown = |i: usize| (self.cells[i].state == State::Shown).then_some(self.cells[i].value as f64);
        let mut root: Vec<usize> = (0..n).collect();
        fn find(r: &mut [usize], mut x: usize) -> usize {
            while r[x] != x {
                r[x] = r[r[x]];
                x = r[x];
            }
            x
        }
        let mut rows: Vec<LpRow> = Vec::new();
        let terms = eqs.iter().map(|e| (std::iter::once((e.total, 1.0)).chain(e.parts.iter().map(|&p| (p, -1.0))).collect::<Vec<_>>(), ComparisonOp::Eq));
        let ineqs = bounded.iter().map(|&(small, big)| (vec![(small, 1.0), (big, -1.0)], ComparisonOp::Le));
        for (all, op) in terms.chain(ineqs) {
            let mut rhs = 0.0;
            let mut row = Vec::new();
            for (c, a) in all {
                match shown(c) {
                    Some(v) => rhs -= a * v,
                    None => row.push((c, a)),
                }
            }
            if row.is_empty() {
                continue;
            }
            for w in row.windows(2) {
                let (a, b) = (find(&mut root, w[0].0), find(&mut root, w[1].0));
                root[a] = b;
            }
            rows.push((row, op, rhs));
        }
        let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
        for i in (0..n).filter(|&i| shown(i).is_none()) {
            let r = find(&mut root, i);
            members.entry(r).or_default().push(i);
        }
        let mut of_group: HashMap<usize, Vec<usize>> = HashMap::new();
        for (k, (row, _, _)) in rows.iter().enumerate() {
            let r = find(&mut root, row[0].0);
            of_group.entry(r).or_default().push(k);
        }
        let none = Vec::new();
        let problem = |r: usize, t: Option<usize>, dir: OptimizationDirection| {
            let mut p = Problem::new(dir);
            let vars: HashMap<usize, microlp::Variable> = members[&r]
                .iter()
                .map(|&v| (v, p.add_var(if Some(v) == t { 1.0 } else { 0.0 }, (lo[v] as f64, if hi[v] >= INF { f64::INFINITY } else { hi[v] as f64 }))))
                .collect();
            for &k in of_group.get(&r).unwrap_or(&none) {
                let (row, op, rhs) = &rows[k];
                let row: Vec<(microlp::Variable, f64)> = row.iter().map(|(c, a)| (vars[c], *a)).collect();
                p.add_constraint(&row, *op, *rhs);
            }
            (p, vars)
        };
        // One feasible solution per group of variables, from which each probe starts.
        let mut base: HashMap<usize, Option<Start>> = HashMap::new();
        let mut range = |t: usize, probe: Option<(i64, i64)>| -> Option<(i64, i64)> {
            if let Some(v) = shown(t) {
                return Some((v as i64, v as i64));
            }
            let r = find(&mut root, t);
            // Both ends of the probe feasible: the range holds them (the feasible set is convex).
            if let Some((a, b)) = probe {
                let start = base.entry(r).or_insert_with(|| {
                    let (p, vars) = problem(r, None, OptimizationDirection::Minimize);
                    match p.solve() {
                        Ok(microlp::SolveOutcome::Solution(s)) => Some((s, vars)),
                        _ => None,
                    }
                });
                if let Some((s, vars)) = start {
                    let feasible = |x: i64| matches!(s.clone().fix_var(vars[&t], x as f64), Ok(microlp::SolveOutcome::Solution(_)));
                    if feasible(a) && feasible(b) {
                        return Some((a, b));
                    }
                }
            }
            let mut out = [0i64; 2];
            for (j, dir) in [OptimizationDirection::Minimize, OptimizationDirection::Maximize].into_iter().enumerate() {
                let (p, _) = problem(r, Some(t), dir);
                out[j] = match p.solve() {
                    Ok(microlp::SolveOutcome::Solution(s)) => {
                        let x = s.objective();
                        if j == 0 { (x - 1e-6).ceil() as i64 } else { (x + 1e-6).floor() as i64 }
                    }
                    // Unbounded above: no upper bound; infeasible cannot happen (the true
                    // values satisfy every constraint).
                    _ if j == 1 => INF,
                    _ => return None,
                };
            }
            Some((out[0], out[1]))
        };
        targets.iter().map(|&(t, probe)| range(t, probe)).collect()
    }
}
