//! Statistical secrecy over **every published figure of the report** at once (issue 26, item 1).
//!
//! Every count the report publishes is a [`Cell`] of one [`Ledger`], named by a [`Key`]: the set
//! of people (or pickups) it counts, as conditions `dimension = value` (`borne = k1`,
//! `autonomie = autonome`…). A value may be a group (`k2|k3`: "autres bornes"), and a dimension
//! whose name ends in `+` means "among the answers" (several answers per visit). The same key in
//! two tables is the same cell: a figure shown in one table is known in every other.
//!
//! The equations a reader can write are derived from the keys, not from the tables' layout: a
//! cell is the sum of its children over any partitioning dimension (all its atoms, or the groups
//! and atoms that cover them), a group is the sum of its members, an "among the answers" count is
//! at most the visits asked. The atoms that no table shows are still cells (unpublished), so that
//! a complement (the visits not picked up, the rest of "autres quartiers") is protected too.
//!
//! Protection: counts from 1 to `min - 1` are shown as the band « < 5 »; then every bound a reader
//! gets by interval reasoning over all the equations is computed, and while some cell is narrowed
//! too much (a « < 5 » known better than "1 to 4", a hidden cell with fewer than `min` possible
//! values, an unpublished count from 1 to 4 with fewer than `min` possible values) the smallest
//! shown cell of an equation that narrows it is hidden too (« s »). Rates whose part is hidden may
//! then be shown as a band (« ≥ 90 % », « ≤ 10 % ») when that narrows nothing below `min`
//! possible values. Interval reasoning misses what takes several equations at once (two
//! overlapping groups and their total give the count they share), so the pass ends with the
//! attacker's own tool: linear programming over the same equations, for the minimum and maximum
//! of every sensitive figure; what it still narrows is protected and the pass runs again. An
//! independent audit (department/tests/secrecy_audit.rs), with equations it derives itself from
//! the microdata, checks the result.

use std::collections::{BTreeMap, BTreeSet, HashMap};

mod exact;

/// What a hidden count shows.
pub const SECRET: &str = "s";
/// Conditions `(dimension, value)`, sorted by dimension. A value with `|` is a group of atoms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(pub Vec<(String, String)>);

impl Key {
    pub fn new(conds: &[(&str, &str)]) -> Key {
        let mut v: Vec<(String, String)> = conds.iter().map(|(d, x)| (d.to_string(), x.to_string())).collect();
        v.sort();
        Key(v)
    }
    /// This key with one more condition (or the condition replaced).
    pub fn with(&self, dim: &str, value: &str) -> Key {
        let mut v: Vec<(String, String)> = self.0.iter().filter(|(d, _)| d != dim).cloned().collect();
        v.push((dim.to_string(), value.to_string()));
        v.sort();
        Key(v)
    }
    pub fn get(&self, dim: &str) -> Option<&str> {
        self.0.iter().find(|(d, _)| d == dim).map(|(_, v)| v.as_str())
    }
    /// The key as text (`borne=k1;pop=visite`), for the data sheet and the audit.
    pub fn text(&self) -> String {
        self.0.iter().map(|(d, v)| format!("{d}={v}")).collect::<Vec<_>>().join(";")
    }
}

/// A group value of several atoms.
pub fn group<S: AsRef<str>>(atoms: &[S]) -> String {
    let mut v: Vec<&str> = atoms.iter().map(|a| a.as_ref()).collect();
    v.sort();
    v.dedup();
    v.join("|")
}

/// A dimension that partitions the people it is applied to (not "among the answers", not the
/// population).
pub fn partitions(dim: &str) -> bool {
    dim != "pop" && !dim.ends_with('+')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Shown as it is.
    Shown,
    /// From 1 to `min - 1`: shown as « < 5 ».
    Small,
    /// Hidden (« s »): it would give a small count away.
    Hidden,
    /// Not published by any table (an atom behind a group, a complement).
    Unpublished,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub key: Key,
    pub value: u64,
    pub state: State,
    /// A headline figure: hidden only when nothing else can be.
    pub keep: bool,
}

/// How a rate is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateShown {
    Exact(f64),
    /// At least 90 %.
    High,
    /// At most 10 %.
    Low,
    Hidden,
}

#[derive(Debug, Clone)]
pub struct Rate {
    pub part: usize,
    pub whole: usize,
    pub shown: RateShown,
}

/// The band a rate may be shown as: the share of the whole.
pub const BAND: f64 = 0.10;

/// Every published count and rate of a report.
#[derive(Debug, Default)]
pub struct Ledger {
    pub cells: Vec<Cell>,
    pub rates: Vec<Rate>,
    index: HashMap<Key, usize>,
    /// `(small, big)`: small ≤ big, known to a reader (visits picked up ≤ pickups).
    at_most: Vec<(usize, usize)>,
    pub min: u64,
}

/// `total = Σ parts`.
#[derive(Debug, Clone)]
struct Eq {
    total: usize,
    parts: Vec<usize>,
}

const INF: i64 = i64::MAX / 4;

/// A figure linear programming narrows too much.
enum Leak {
    Cell(usize),
    Rate(usize),
}

impl Ledger {
    pub fn new(min: u64) -> Ledger {
        Ledger { min, ..Default::default() }
    }

    fn add(&mut self, key: Key, value: u64, published: bool) -> usize {
        if let Some(&i) = self.index.get(&key) {
            debug_assert_eq!(self.cells[i].value, value, "{key:?}");
            if published && self.cells[i].state == State::Unpublished {
                self.cells[i].state = State::Shown;
            }
            return i;
        }
        let i = self.cells.len();
        self.cells.push(Cell { key: key.clone(), value, state: if published { State::Shown } else { State::Unpublished }, keep: false });
        self.index.insert(key, i);
        i
    }

    /// A published count.
    pub fn count(&mut self, key: Key, value: u64) -> usize {
        self.add(key, value, true)
    }

    /// A count no table shows, known to be there (an atom behind a group, a complement).
    pub fn atom(&mut self, key: Key, value: u64) -> usize {
        self.add(key, value, false)
    }

    /// A published count that should stay shown (a headline).
    pub fn headline(&mut self, key: Key, value: u64) -> usize {
        let i = self.count(key, value);
        self.cells[i].keep = true;
        i
    }

    /// A rate of two published counts; its complement (`dim = 0` beside `dim = 1`) must be
    /// registered by the caller as an atom.
    pub fn rate(&mut self, part: usize, whole: usize) -> usize {
        self.rates.push(Rate { part, whole, shown: RateShown::Hidden });
        self.rates.len() - 1
    }

    /// A reader knows that `small ≤ big` (both registered).
    pub fn at_most(&mut self, small: usize, big: usize) {
        self.at_most.push((small, big));
    }

    pub fn find(&self, key: &Key) -> Option<usize> {
        self.index.get(key).copied()
    }

    pub fn cell(&self, i: usize) -> &Cell {
        &self.cells[i]
    }

    /// The count as the report shows it.
    pub fn text(&self, i: usize) -> String {
        let c = &self.cells[i];
        match c.state {
            State::Shown => c.value.to_string(),
            State::Small => format!("< {}", self.min),
            State::Hidden | State::Unpublished => SECRET.to_string(),
        }
    }

    /// The count when shown as it is.
    pub fn shown(&self, i: usize) -> Option<u64> {
        (self.cells[i].state == State::Shown).then_some(self.cells[i].value)
    }

    /// The equations a reader can write from the keys (see the module's documentation).
    fn equations(&self) -> (Vec<Eq>, Vec<(usize, usize)>) {
        // Children of (parent key, dimension): (value, cell).
        let mut children: BTreeMap<(Key, String), Vec<(String, usize)>> = BTreeMap::new();
        let mut domain: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut bounded = Vec::new();
        for (i, c) in self.cells.iter().enumerate() {
            for (d, v) in &c.key.0 {
                if !partitions(d) {
                    // "Among the answers": at most the visits asked (`d?` = 1 instead).
                    if d.ends_with('+') {
                        let asked = format!("{}?", d.trim_end_matches('+'));
                        let parent = Key(c.key.0.iter().filter(|(x, _)| x != d).cloned().collect()).with(&asked, "1");
                        if let Some(p) = self.find(&parent) {
                            bounded.push((i, p));
                        }
                    }
                    continue;
                }
                if !v.contains('|') {
                    domain.entry(d.clone()).or_default().insert(v.clone());
                }
                let parent = Key(c.key.0.iter().filter(|(x, _)| x != d).cloned().collect());
                children.entry((parent, d.clone())).or_default().push((v.clone(), i));
            }
        }
        let mut eqs = Vec::new();
        for ((parent, d), kids) in &children {
            let atoms: HashMap<&str, usize> = kids.iter().filter(|(v, _)| !v.contains('|')).map(|(v, i)| (v.as_str(), *i)).collect();
            let Some(dom) = domain.get(d) else { continue };
            // A group is the sum of its members.
            for (v, g) in kids.iter().filter(|(v, _)| v.contains('|')) {
                let members: Option<Vec<usize>> = v.split('|').map(|a| atoms.get(a).copied()).collect();
                if let Some(m) = members {
                    eqs.push(Eq { total: *g, parts: m });
                }
            }
            let Some(p) = self.find(parent) else { continue };
            // The parent is the sum of every atom…
            let all: Option<Vec<usize>> = dom.iter().map(|a| atoms.get(a.as_str()).copied()).collect();
            if let Some(all) = all {
                eqs.push(Eq { total: p, parts: all });
            }
            // …and of its groups with the atoms outside them, when they cover the domain.
            let groups: Vec<(&String, usize)> = kids.iter().filter(|(v, _)| v.contains('|')).map(|(v, i)| (v, *i)).collect();
            if !groups.is_empty() {
                let mut seen: BTreeSet<&str> = BTreeSet::new();
                let mut parts = Vec::new();
                let mut disjoint = true;
                for (v, i) in &groups {
                    for a in v.split('|') {
                        disjoint &= seen.insert(a);
                    }
                    parts.push(*i);
                }
                let rest: Option<Vec<usize>> = dom.iter().filter(|a| !seen.contains(a.as_str())).map(|a| atoms.get(a.as_str()).copied()).collect();
                if let (true, Some(rest)) = (disjoint, rest) {
                    parts.extend(rest);
                    eqs.push(Eq { total: p, parts });
                }
            }
        }
        bounded.extend(self.at_most.iter().copied());
        (eqs, bounded)
    }

    /// The interval of every cell that the published figures give by themselves: a shown count,
    /// a « < 5 », a rate's band.
    fn published_bounds(&self) -> (Vec<i64>, Vec<i64>) {
        let n = self.cells.len();
        let mut lo = vec![0i64; n];
        let mut hi = vec![INF; n];
        let small = self.min as i64 - 1;
        for (i, c) in self.cells.iter().enumerate() {
            match c.state {
                State::Shown => (lo[i], hi[i]) = (c.value as i64, c.value as i64),
                State::Small => (lo[i], hi[i]) = (1, small),
                _ => {}
            }
        }
        for r in &self.rates {
            let whole = self.cells[r.whole].value as i64;
            match r.shown {
                RateShown::High => lo[r.part] = lo[r.part].max(((1.0 - BAND) * whole as f64).ceil() as i64),
                RateShown::Low => hi[r.part] = hi[r.part].min((BAND * whole as f64).floor() as i64),
                _ => {}
            }
        }
        (lo, hi)
    }

    /// The interval of every cell a reader gets from the published figures and the equations.
    fn bounds(&self, eqs: &[Eq], bounded: &[(usize, usize)]) -> (Vec<i64>, Vec<i64>) {
        let (mut lo, mut hi) = self.published_bounds();
        for _ in 0..200 {
            let mut changed = false;
            for e in eqs {
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
                if slo > lo[t] {
                    lo[t] = slo;
                    changed = true;
                }
                if thi < hi[t] {
                    hi[t] = thi;
                    changed = true;
                }
                for &p in &e.parts {
                    // p ≥ lo[t] − Σ hi(others); p ≤ hi[t] − Σ lo(others).
                    let others_inf = infs - usize::from(hi[p] >= INF);
                    if others_inf == 0 {
                        let others_hi = shi - if hi[p] >= INF { 0 } else { hi[p] };
                        let l = lo[t] - others_hi;
                        if l > lo[p] {
                            lo[p] = l;
                            changed = true;
                        }
                    }
                    if hi[t] < INF {
                        let h = hi[t] - (slo - lo[p]);
                        if h < hi[p] {
                            hi[p] = h;
                            changed = true;
                        }
                    }
                }
            }
            for &(c, p) in bounded {
                if hi[p] < hi[c] {
                    hi[c] = hi[p];
                    changed = true;
                }
                if lo[c] > lo[p] {
                    lo[p] = lo[c];
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        (lo, hi)
    }

    /// Whether cell `i` is narrowed too much by the interval `[lo, hi]`.
    fn narrowed(&self, i: usize, lo: i64, hi: i64) -> bool {
        let c = &self.cells[i];
        let small = self.min as i64 - 1;
        match c.state {
            State::Shown => false,
            State::Small => lo > 1 || hi < small,
            State::Hidden => hi - lo < small,
            // No better known than a « < 5 » would say.
            State::Unpublished => c.value > 0 && (c.value as i64) <= small && hi - lo < small && (lo > 1 || hi < small),
        }
    }

    /// Whether a banded rate is narrowed below its band.
    fn band_narrowed(&self, r: &Rate, lo: &[i64], hi: &[i64]) -> bool {
        let whole = self.cells[r.whole].value as i64;
        match r.shown {
            RateShown::High => hi[r.part] < whole || lo[r.part] > ((1.0 - BAND) * whole as f64).ceil() as i64,
            RateShown::Low => lo[r.part] > 0 || hi[r.part] < (BAND * whole as f64).floor() as i64,
            _ => false,
        }
    }

    /// The one protection pass: bands « < 5 », then cells hidden until no cell is narrowed too
    /// much by interval reasoning, then rates shown exactly or as bands; then the exact check
    /// (linear programming over the same equations, as an attacker would): a figure it still
    /// finds narrowed is protected (a cell hidden around it, a band withdrawn) and locked so, and
    /// the pass runs again, until linear programming finds nothing.
    pub fn protect(&mut self) {
        let min = self.min;
        for c in &mut self.cells {
            if c.state == State::Shown && c.value > 0 && c.value < min {
                c.state = State::Small;
            }
        }
        let (eqs, bounded) = self.equations();
        let mut of_cell: Vec<Vec<usize>> = vec![Vec::new(); self.cells.len()];
        for (k, e) in eqs.iter().enumerate() {
            of_cell[e.total].push(k);
            for &p in &e.parts {
                of_cell[p].push(k);
            }
        }
        let mut locked = vec![false; self.cells.len()];
        let mut rate_locked = vec![false; self.rates.len()];
        // Each round locks one more cell or rate: the loop ends.
        for _ in 0..=self.cells.len() + self.rates.len() {
            self.interval_pass(&eqs, &bounded, &of_cell, &locked, &rate_locked);
            match self.exact_leak(&eqs, &bounded) {
                None => return,
                Some(Leak::Rate(k)) => rate_locked[k] = true,
                Some(Leak::Cell(bad)) => {
                    let pick = self.exact_pick(bad, &eqs, &bounded, &of_cell);
                    let hide = pick.or((self.cells[bad].state == State::Small).then_some(bad));
                    let Some(c) = hide else {
                        log::warn!("statistical secrecy: nothing left to hide around a narrowed figure");
                        return;
                    };
                    self.cells[c].state = State::Hidden;
                    locked[c] = true;
                }
            }
        }
    }

    /// Interval reasoning only: hide until no small count is narrowed, show again what protects
    /// nothing (but a locked cell), then the rates (a locked rate stays hidden).
    fn interval_pass(&mut self, eqs: &[Eq], bounded: &[(usize, usize)], of_cell: &[Vec<usize>], locked: &[bool], rate_locked: &[bool]) {
        let min = self.min;
        // Cells shown again because hiding them protected nothing: never hidden again.
        let mut pinned = vec![false; self.cells.len()];
        for _ in 0..=2 * self.cells.len() {
            let (lo, hi) = self.bounds(eqs, bounded);
            // Small counts first; a hidden count that is not small itself and that the other
            // figures pin down protects nothing: once every small count is safe, it is shown
            // again (and never hidden again).
            let sensitive = |c: &Cell| c.value > 0 && c.value < min;
            let Some(bad) =
                (0..self.cells.len()).find(|&i| self.narrowed(i, lo[i], hi[i]) && (self.cells[i].state == State::Small || sensitive(&self.cells[i])))
            else {
                match (0..self.cells.len()).find(|&i| !locked[i] && self.narrowed(i, lo[i], hi[i])) {
                    Some(i) => {
                        // Narrowed by a « < 5 » beside it: that one becomes « s » (both then
                        // protect each other); else it protects nothing and is shown again.
                        let small = of_cell[i]
                            .iter()
                            .flat_map(|&k| eqs[k].parts.iter().chain(std::iter::once(&eqs[k].total)))
                            .find(|&&c| c != i && self.cells[c].state == State::Small);
                        match small {
                            Some(&c) => self.cells[c].state = State::Hidden,
                            None => {
                                self.cells[i].state = State::Shown;
                                pinned[i] = true;
                            }
                        }
                        continue;
                    }
                    None => break,
                }
            };
            let mut pick = self.pick_around(bad, eqs, of_cell, &pinned);
            // Still none: a cell shown again earlier, hidden after all.
            if pick.is_none() {
                let again = of_cell[bad]
                    .iter()
                    .flat_map(|&k| eqs[k].parts.iter().chain(std::iter::once(&eqs[k].total)))
                    .copied()
                    .filter(|&c| c != bad && pinned[c])
                    .min_by_key(|&c| self.cells[c].value);
                if let Some(c) = again {
                    pinned[c] = false;
                    pick = Some(c);
                }
            }
            match pick {
                Some(c) => self.cells[c].state = State::Hidden,
                // Nothing left to hide around it: hide the cell itself (a « < 5 » becomes « s »).
                None if self.cells[bad].state == State::Small => self.cells[bad].state = State::Hidden,
                None => break,
            }
        }
        // A hidden count that is not small and that no small count needs hidden is shown again
        // (fewer blanks for the reader).
        let sensitive_ok = |l: &Ledger| {
            let (lo, hi) = l.bounds(eqs, bounded);
            !(0..l.cells.len()).any(|i| l.narrowed(i, lo[i], hi[i]) && (l.cells[i].state == State::Small || (l.cells[i].value > 0 && l.cells[i].value < min)))
        };
        let mut hidden: Vec<usize> = (0..self.cells.len())
            .filter(|&i| !locked[i] && self.cells[i].state == State::Hidden && (self.cells[i].value == 0 || self.cells[i].value >= min))
            .collect();
        hidden.sort_by_key(|&i| (std::cmp::Reverse(self.cells[i].keep), std::cmp::Reverse(self.cells[i].value)));
        for i in hidden {
            self.cells[i].state = State::Shown;
            if !sensitive_ok(self) {
                self.cells[i].state = State::Hidden;
            }
        }
        // Rates: exact when both counts are shown; else a band when it narrows nothing.
        for r in &mut self.rates {
            r.shown = RateShown::Hidden;
        }
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
            let band = if share >= 1.0 - BAND {
                RateShown::High
            } else if share <= BAND {
                RateShown::Low
            } else {
                continue;
            };
            if kept_hidden {
                continue;
            }
            self.rates[k].shown = band;
            let (lo, hi) = self.bounds(eqs, bounded);
            let broken = (0..self.cells.len()).any(|i| self.narrowed(i, lo[i], hi[i])) || self.rates.iter().any(|r| self.band_narrowed(r, &lo, &hi));
            if broken {
                self.rates[k].shown = RateShown::Hidden;
            }
        }
    }

    /// The cell to hide to protect `bad`: among the cells one equation away, then two, then
    /// three, a « < 5 » beside a hidden cell becomes « s » first (cheaper than hiding a larger
    /// count), else the smallest shown cell (parts before totals and headlines, non-zero before
    /// zero); never a pinned one.
    fn pick_around(&self, bad: usize, eqs: &[Eq], of_cell: &[Vec<usize>], pinned: &[bool]) -> Option<usize> {
        let mut pick: Option<(bool, bool, u64, usize)> = None;
        let mut ring: Vec<usize> = vec![bad];
        let mut seen: std::collections::HashSet<usize> = ring.iter().copied().collect();
        for _depth in 0..3 {
            let mut next = Vec::new();
            let mut small = None;
            for &h in &ring {
                for &k in &of_cell[h] {
                    let e = &eqs[k];
                    for &c in e.parts.iter().chain(std::iter::once(&e.total)) {
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

    /// A rate as the report shows it.
    pub fn rate_text(&self, k: usize) -> String {
        match self.rates[k].shown {
            RateShown::Exact(x) => format!("{:.0} %", x * 100.0),
            RateShown::High => format!("≥ {:.0} %", (1.0 - BAND) * 100.0),
            RateShown::Low => format!("≤ {:.0} %", BAND * 100.0),
            RateShown::Hidden => SECRET.to_string(),
        }
    }
}

/// The footnote of every table: what « < 5 », « s » and the bands mean.
pub fn footnote(min: u64) -> String {
    format!(
        "« < {min} » : de 1 à {} personnes. « {SECRET} » : valeur masquée, elle permettrait de retrouver un effectif de moins de {min} à partir des autres cases et des totaux (secret statistique). « ≥ 90 % », « ≤ 10 % » : taux donné par tranche pour la même raison.",
        min - 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: &[(&str, &str)]) -> Key {
        Key::new(c)
    }

    #[test]
    fn a_small_group_under_a_shown_total_is_not_recomputed() {
        // 74 visits: 40, 30 and a group of 4 ("autres bornes"): 74 − 40 − 30 = 4 is the group.
        let mut l = Ledger::new(5);
        l.count(k(&[("pop", "v")]), 74);
        l.count(k(&[("pop", "v"), ("borne", "a")]), 40);
        l.count(k(&[("pop", "v"), ("borne", "b")]), 30);
        l.count(k(&[("pop", "v"), ("borne", "c")]), 4);
        l.protect();
        let shown = l.cells.iter().filter(|c| c.state == State::Shown).count();
        assert!(shown <= 2, "{:?}", l.cells);
    }

    #[test]
    fn a_rate_whose_complement_is_small_is_banded_when_the_whole_is_large() {
        let mut l = Ledger::new(5);
        let base = k(&[("pop", "v")]);
        let whole = l.count(base.clone(), 200);
        let part = l.count(base.with("pris", "1"), 198);
        l.atom(base.with("pris", "0"), 2);
        let r = l.rate(part, whole);
        l.protect();
        assert_eq!(l.rate_text(r), "≥ 90 %");
        assert_eq!(l.text(part), "s");
    }

    #[test]
    fn a_count_that_only_linear_programming_recovers_is_protected() {
        // Two overlapping groups and the total: b = (a|b) + (b|c) − total = 22 + 22 − 42 = 2,
        // which no equation gives alone (interval reasoning sees b anywhere in 0..=22).
        let mut l = Ledger::new(5);
        let base = k(&[("pop", "v")]);
        let total = l.count(base.clone(), 42);
        let ab = l.count(base.with("borne", "a|b"), 22);
        let bc = l.count(base.with("borne", "b|c"), 22);
        for (b, v) in [("a", 20), ("b", 2), ("c", 20)] {
            l.atom(base.with("borne", b), v);
        }
        l.protect();
        let hidden: Vec<usize> = [total, ab, bc].into_iter().filter(|&i| l.cell(i).state == State::Hidden).collect();
        assert_eq!(hidden.len(), 1, "one figure hidden, the smallest part first: {:?}", l.cells);
        assert_ne!(hidden[0], total, "a part is hidden before the total");
    }
}
