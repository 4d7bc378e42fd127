//! Interval propagation over the ledger's equations (the reasoning of a reader with a pencil):
//! from scratch, or from a fixpoint after one more figure is published.

use super::{Eq, INF};
use std::collections::VecDeque;

/// The equations and `small ≤ big` pairs, with what touches each cell: the worklist of
/// [`Net::propagate`] revisits only the constraints of the cells whose bounds changed.
pub(super) struct Net<'a> {
    pub eqs: &'a [Eq],
    pub bounded: &'a [(usize, usize)],
    /// Per cell: its constraints (an equation `k`, or a pair `eqs.len() + j`).
    touches: Vec<Vec<usize>>,
}

/// Bounds changed by a propagation, to undo it: (cell, old lo, old hi), in order.
pub(super) type Undo = Vec<(usize, i64, i64)>;

impl<'a> Net<'a> {
    pub fn new(cells: usize, eqs: &'a [Eq], bounded: &'a [(usize, usize)]) -> Net<'a> {
        let mut touches = vec![Vec::new(); cells];
        for (k, e) in eqs.iter().enumerate() {
            touches[e.total].push(k);
            for &p in &e.parts {
                touches[p].push(k);
            }
        }
        for (j, &(c, p)) in bounded.iter().enumerate() {
            touches[c].push(eqs.len() + j);
            touches[p].push(eqs.len() + j);
        }
        Net { eqs, bounded, touches }
    }

    /// The fixpoint of every constraint from the given starting intervals.
    pub fn fixpoint(&self, lo: &mut [i64], hi: &mut [i64]) {
        let all: Vec<usize> = (0..self.eqs.len() + self.bounded.len()).collect();
        self.run(lo, hi, all, None);
    }

    /// After the intervals of `cells` were narrowed (from a fixpoint): the new fixpoint, and
    /// every change in `undo`.
    pub fn propagate(&self, lo: &mut [i64], hi: &mut [i64], cells: &[usize], undo: &mut Undo) {
        let mut start: Vec<usize> = cells.iter().flat_map(|&c| self.touches[c].iter().copied()).collect();
        start.sort_unstable();
        start.dedup();
        self.run(lo, hi, start, Some(undo));
    }

    /// Restores what [`Net::propagate`] changed.
    pub fn undo(lo: &mut [i64], hi: &mut [i64], undo: &mut Undo) {
        while let Some((c, l, h)) = undo.pop() {
            (lo[c], hi[c]) = (l, h);
        }
    }

    fn run(&self, lo: &mut [i64], hi: &mut [i64], start: Vec<usize>, mut undo: Option<&mut Undo>) {
        let n = self.eqs.len() + self.bounded.len();
        let mut queued = vec![false; n];
        for &k in &start {
            queued[k] = true;
        }
        let mut queue: VecDeque<usize> = start.into();
        // Bounds only narrow, towards the true values: the loop ends; the cap is a safeguard
        // against a slow creep (the sweeps of a whole-system pass would stop there too).
        let mut budget = 200usize.saturating_mul(n.max(1));
        let mut changed: Vec<usize> = Vec::new();
        while let Some(k) = queue.pop_front() {
            queued[k] = false;
            budget = match budget.checked_sub(1) {
                Some(b) => b,
                None => break,
            };
            changed.clear();
            if k < self.eqs.len() {
                narrow_eq(&self.eqs[k], lo, hi, &mut changed, &mut undo);
            } else {
                let (c, p) = self.bounded[k - self.eqs.len()];
                if hi[p] < hi[c] {
                    note(&mut undo, c, lo, hi);
                    hi[c] = hi[p];
                    changed.push(c);
                }
                if lo[c] > lo[p] {
                    note(&mut undo, p, lo, hi);
                    lo[p] = lo[c];
                    changed.push(p);
                }
            }
            for &c in &changed {
                for &j in &self.touches[c] {
                    if !queued[j] {
                        queued[j] = true;
                        queue.push_back(j);
                    }
                }
            }
        }
    }
}

fn note(undo: &mut Option<&mut Undo>, c: usize, lo: &[i64], hi: &[i64]) {
    if let Some(u) = undo {
        u.push((c, lo[c], hi[c]));
    }
}

/// One equation `total = Σ parts`: the total within the sum of the parts' intervals, each part
/// within the total minus the others.
fn narrow_eq(e: &Eq, lo: &mut [i64], hi: &mut [i64], changed: &mut Vec<usize>, undo: &mut Option<&mut Undo>) {
    let (mut slo, mut shi, mut infs) = (0i64, 0i64, 0usize);
    for &p in &e.parts {
        slo += lo[p];
        if hi[p] >= INF {
            infs += 1;
        } else {
            shi += hi[p];
        }
    }
    let t = e.total;
    let thi = if infs > 0 { INF } else { shi };
    if slo > lo[t] || thi < hi[t] {
        note(undo, t, lo, hi);
        lo[t] = lo[t].max(slo);
        hi[t] = hi[t].min(thi);
        changed.push(t);
    }
    for &p in &e.parts {
        // p ≥ lo[t] − Σ hi(others); p ≤ hi[t] − Σ lo(others).
        let others_inf = infs - usize::from(hi[p] >= INF);
        let l = if others_inf == 0 { lo[t] - (shi - if hi[p] >= INF { 0 } else { hi[p] }) } else { i64::MIN };
        let h = if hi[t] < INF { hi[t] - (slo - lo[p]) } else { INF };
        if l > lo[p] || h < hi[p] {
            note(undo, p, lo, hi);
            lo[p] = lo[p].max(l);
            hi[p] = hi[p].min(h);
            changed.push(p);
        }
    }
}
