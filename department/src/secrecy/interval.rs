//! The interval pass of the secrecy pass (see the parent module): hide until interval reasoning
//! narrows no small count, show again what protects nothing, band the rates.

use super::net::Net;
use super::{BAND, Eq, INF, Ledger, RateShown, State};

/// The rounds of the hiding loop that change one cell each (as many as a report of a few
/// kiosks needs), before it changes many per round.
pub(super) const ONE_AT_A_TIME: usize = 300;

impl Ledger {
    /// Interval reasoning only: hide until no small count is narrowed, show again what protects
    /// nothing (but a locked cell), then the rates (a locked rate stays hidden).
    /// Returns the rounds of the hiding loop.
    pub(super) fn interval_pass(&mut self, net: &Net, of_cell: &[Vec<usize>], locked: &[bool], rate_locked: &[bool]) -> usize {
        let rounds = self.hide_until_safe(net, of_cell, locked);
        self.show_again(net, locked);
        self.band_rates(net, rate_locked);
        rounds
    }

    /// Hides cells until no small count is narrowed, then settles the hidden counts that other
    /// figures pin down. The first rounds change one cell each (the first narrowed small count
    /// gets the nearest smallest shown cell hidden), which gives the fewest blanks. A ledger
    /// still unsafe after [`ONE_AT_A_TIME`] rounds (a report of a hundred kiosks, each with its
    /// own « < 5 ») goes on in batches: each round, every narrowed small count gets each equation
    /// that narrows it opened (see [`Ledger::picks_for`]); what that hides for nothing is shown
    /// again afterwards.
    fn hide_until_safe(&mut self, net: &Net, of_cell: &[Vec<usize>], locked: &[bool]) -> usize {
        let eqs = net.eqs;
        let n = self.cells.len();
        // Cells shown again because hiding them protected nothing: never hidden again.
        let mut pinned = vec![false; n];
        for round in 0..=2 * n {
            // One change per round first: the fewest blanks. A ledger that needs more rounds
            // than that (a report of many kiosks) goes on with many changes per round.
            let batch = round >= ONE_AT_A_TIME;
            let (lo, hi) = self.bounds_in(net);
            let mut bad: Vec<usize> = (0..n).filter(|&i| self.small_narrowed(i, lo[i], hi[i])).collect();
            if bad.is_empty() {
                // A hidden count that is not small itself and that the other figures pin down
                // protects nothing: narrowed by a « < 5 » beside it, that one becomes « s »
                // (both then protect each other); else it is shown again (and never hidden
                // again).
                let mut others: Vec<usize> = (0..n).filter(|&i| !locked[i] && self.narrowed(i, lo[i], hi[i])).collect();
                if others.is_empty() {
                    return round + 1;
                }
                if !batch {
                    others.truncate(1);
                }
                for i in others {
                    let small = of_cell[i].iter().flat_map(|&k| eqs[k].cells()).find(|&c| c != i && self.cells[c].state == State::Small);
                    match small {
                        Some(c) => self.cells[c].state = State::Hidden,
                        None => {
                            self.cells[i].state = State::Shown;
                            pinned[i] = true;
                        }
                    }
                }
                continue;
            }
            // In a batch: the published figures' own intervals, and the equations that lost a
            // cell this round (they count as opened).
            let (base, mut opened) = if batch { (self.published_bounds(), vec![false; eqs.len()]) } else { ((Vec::new(), Vec::new()), Vec::new()) };
            let mut progress = false;
            if !batch {
                bad.truncate(1);
            }
            for b in bad {
                // One at a time: the nearest smallest cell (each round sees what the last one
                // changed); in a batch, every equation that narrows it.
                let mut picks = if batch { self.picks_for(b, eqs, of_cell, (&lo, &hi), (&base.0, &base.1), (&pinned, &opened)) } else { Vec::new() };
                if picks.is_empty() {
                    picks.extend(self.pick_around(b, eqs, of_cell, &pinned));
                }
                // Still none: a cell shown again earlier, hidden after all.
                if picks.is_empty() {
                    let again = of_cell[b].iter().flat_map(|&k| eqs[k].cells()).filter(|&c| c != b && pinned[c]).min_by_key(|&c| self.cells[c].value);
                    if let Some(c) = again {
                        pinned[c] = false;
                        picks.push(c);
                    }
                }
                // Nothing left to hide around it: the cell itself (a « < 5 » becomes « s »).
                if picks.is_empty() && self.cells[b].state == State::Small {
                    picks.push(b);
                }
                for c in picks {
                    if self.cells[c].state == State::Hidden {
                        continue;
                    }
                    self.cells[c].state = State::Hidden;
                    progress = true;
                    if batch {
                        for &k in &of_cell[c] {
                            opened[k] = true;
                        }
                    }
                }
            }
            if !progress {
                return round + 1;
            }
        }
        2 * n + 1
    }

    /// A hidden count that is not small and that no small count needs hidden is shown again
    /// (fewer blanks for the reader), largest and headlines first. Showing a count only narrows
    /// what a reader knows: the bounds are carried forward from that one cell, and undone when
    /// a small count is narrowed.
    fn show_again(&mut self, net: &Net, locked: &[bool]) {
        let min = self.min;
        let n = self.cells.len();
        let (mut lo, mut hi) = self.bounds_in(net);
        if (0..n).any(|i| self.small_narrowed(i, lo[i], hi[i])) {
            return;
        }
        let mut hidden: Vec<usize> =
            (0..n).filter(|&i| !locked[i] && self.cells[i].state == State::Hidden && (self.cells[i].value == 0 || self.cells[i].value >= min)).collect();
        hidden.sort_by_key(|&i| (std::cmp::Reverse(self.cells[i].keep), std::cmp::Reverse(self.cells[i].value)));
        let mut undo = Vec::new();
        for i in hidden {
            self.cells[i].state = State::Shown;
            undo.clear();
            undo.push((i, lo[i], hi[i]));
            (lo[i], hi[i]) = (self.cells[i].value as i64, self.cells[i].value as i64);
            net.propagate(&mut lo, &mut hi, &[i], &mut undo);
            if undo.iter().any(|&(c, _, _)| self.small_narrowed(c, lo[c], hi[c])) {
                Net::undo(&mut lo, &mut hi, &mut undo);
                self.cells[i].state = State::Hidden;
            }
        }
    }

    /// Rates: exact when both counts are shown; else a band when it narrows nothing (a locked
    /// rate stays hidden). A band only narrows what a reader knows, as in [`Ledger::show_again`].
    fn band_rates(&mut self, net: &Net, rate_locked: &[bool]) {
        let n = self.cells.len();
        for r in &mut self.rates {
            r.shown = RateShown::Hidden;
        }
        let (mut lo, mut hi) = self.bounds_in(net);
        // Something already narrowed (a locked cell): no band can be checked against it.
        let clean = !(0..n).any(|i| self.narrowed(i, lo[i], hi[i]));
        let mut of_part: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (k, r) in self.rates.iter().enumerate() {
            of_part[r.part].push(k);
        }
        let mut undo = Vec::new();
        for (k, &kept_hidden) in rate_locked.iter().enumerate() {
            let r = self.rates[k].clone();
            let (part, whole) = (&self.cells[r.part], &self.cells[r.whole]);
            if whole.state != State::Shown || whole.value == 0 {
                continue;
            }
            if part.state == State::Shown {
                self.rates[k].shown = RateShown::Exact(part.value as f64 / whole.value as f64);
                continue;
            }
            let share = part.value as f64 / whole.value as f64;
            let w = whole.value as i64;
            let (band, l, h) = if share >= 1.0 - BAND {
                (RateShown::High, ((1.0 - BAND) * w as f64).ceil() as i64, INF)
            } else if share <= BAND {
                (RateShown::Low, 0, (BAND * w as f64).floor() as i64)
            } else {
                continue;
            };
            if kept_hidden || !clean {
                continue;
            }
            self.rates[k].shown = band;
            let p = r.part;
            undo.clear();
            undo.push((p, lo[p], hi[p]));
            (lo[p], hi[p]) = (lo[p].max(l), hi[p].min(h));
            net.propagate(&mut lo, &mut hi, &[p], &mut undo);
            let broken = self.band_narrowed(&self.rates[k], &lo, &hi)
                || undo.iter().any(|&(c, _, _)| self.narrowed(c, lo[c], hi[c]) || of_part[c].iter().any(|&j| self.band_narrowed(&self.rates[j], &lo, &hi)));
            if broken {
                Net::undo(&mut lo, &mut hi, &mut undo);
                self.rates[k].shown = RateShown::Hidden;
            }
        }
    }

    /// The cell to hide to protect `bad`: among the cells one equation away, then two, then
    /// three, a « < 5 » beside a hidden cell becomes « s » first (cheaper than hiding a larger
    /// count), else the smallest shown cell (parts before totals and headlines, non-zero before
    /// zero); never a pinned one.
    pub(super) fn pick_around(&self, bad: usize, eqs: &[Eq], of_cell: &[Vec<usize>], pinned: &[bool]) -> Option<usize> {
        let mut pick: Option<(bool, bool, u64, usize)> = None;
        let mut ring: Vec<usize> = vec![bad];
        let mut seen: std::collections::HashSet<usize> = ring.iter().copied().collect();
        for _depth in 0..3 {
            let mut next = Vec::new();
            let mut small = None;
            for &h in &ring {
                for &k in &of_cell[h] {
                    let e = &eqs[k];
                    for c in e.cells() {
                        if !seen.insert(c) {
                            continue;
                        }
                        next.push(c);
                        let cell = &self.cells[c];
                        if cell.state == State::Small && self.cells[bad].state != State::Small {
                            small.get_or_insert(c);
                        }
                        if cell.state != State::Shown || pinned[c] {
                            continue;
                        }
                        let cand = (cell.keep || c == e.total, cell.value == 0, cell.value, c);
                        if pick.is_none_or(|p| cand < p) {
                            pick = Some(cand);
                        }
                    }
                }
            }
            if let Some(c) = small {
                return Some(c);
            }
            if let Some((_, _, _, c)) = pick {
                return Some(c);
            }
            ring = next;
        }
        None
    }

    /// The cells to hide for a narrowed small count `b`: every equation that gives `b` (or, one
    /// and two equations further, an unknown of such an equation) a bound tighter than its own
    /// published interval is opened by hiding one of its shown cells (the smallest part first;
    /// a total or a headline last; never a pinned one). An equation with no shown cell left is
    /// followed through its unknowns: what pins them down is opened instead, when nothing nearer
    /// was.
    pub(super) fn picks_for(
        &self,
        b: usize,
        eqs: &[Eq],
        of_cell: &[Vec<usize>],
        (lo, hi): (&[i64], &[i64]),
        (base_lo, base_hi): (&[i64], &[i64]),
        (pinned, opened): (&[bool], &[bool]),
    ) -> Vec<usize> {
        let mut picks = Vec::new();
        let mut seen_eq: std::collections::HashSet<usize> = std::collections::HashSet::new();
        let mut seen: std::collections::HashSet<usize> = [b].into();
        let mut ring = vec![b];
        for _depth in 0..3 {
            let mut next = Vec::new();
            for &x in &ring {
                for &k in &of_cell[x] {
                    if opened[k] || seen_eq.contains(&k) {
                        continue;
                    }
                    let e = &eqs[k];
                    let (l, h) = implied(e, x, lo, hi);
                    let tight_lo = lo[x] > base_lo[x] && l >= lo[x];
                    let tight_hi = hi[x] < base_hi[x] && h <= hi[x];
                    if !(tight_lo || tight_hi) {
                        continue;
                    }
                    seen_eq.insert(k);
                    let cells = || e.cells().filter(|&c| c != x);
                    let best = cells()
                        .filter(|&c| self.cells[c].state == State::Shown && !pinned[c])
                        .min_by_key(|&c| (self.cells[c].keep || c == e.total, self.cells[c].value == 0, self.cells[c].value, c));
                    match best {
                        Some(c) => picks.push(c),
                        None => next.extend(cells().filter(|&c| self.cells[c].state != State::Shown && seen.insert(c))),
                    }
                }
            }
            // The nearest equations first: what lies further is opened in a later round, if
            // still needed.
            if !picks.is_empty() || next.is_empty() {
                break;
            }
            ring = next;
        }
        picks.sort_unstable();
        picks.dedup();
        picks
    }
}

/// The interval one equation alone gives cell `x` from the others' intervals.
fn implied(e: &Eq, x: usize, lo: &[i64], hi: &[i64]) -> (i64, i64) {
    let finite = |v: i64| v < INF;
    if x == e.total {
        let l = e.parts.iter().map(|&p| lo[p]).sum();
        let h = if e.parts.iter().all(|&p| finite(hi[p])) { e.parts.iter().map(|&p| hi[p]).sum() } else { INF };
        return (l, h);
    }
    let others = || e.parts.iter().copied().filter(|&p| p != x);
    let l = if others().all(|p| finite(hi[p])) { lo[e.total] - others().map(|p| hi[p]).sum::<i64>() } else { i64::MIN };
    let h = if finite(hi[e.total]) { hi[e.total] - others().map(|p| lo[p]).sum::<i64>() } else { INF };
    (l, h)
}
