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
mod interval;
mod net;

use net::Net;

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
    /// The rounds the last [`Ledger::protect`] took to hide cells by interval reasoning.
    rounds: usize,
}

/// `total = Σ parts`.
#[derive(Debug, Clone)]
struct Eq {
    total: usize,
    parts: Vec<usize>,
}

impl Eq {
    /// Every cell of the equation: its parts, then its total.
    fn cells(&self) -> impl Iterator<Item = usize> + '_ {
        self.parts.iter().copied().chain(std::iter::once(self.total))
    }
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
        self.bounds_in(&Net::new(self.cells.len(), eqs, bounded))
    }

    fn bounds_in(&self, net: &Net) -> (Vec<i64>, Vec<i64>) {
        let (mut lo, mut hi) = self.published_bounds();
        net.fixpoint(&mut lo, &mut hi);
        (lo, hi)
    }

    /// Whether a small count (a « < 5 », or a count from 1 to 4 not shown) is narrowed.
    fn small_narrowed(&self, i: usize, lo: i64, hi: i64) -> bool {
        let c = &self.cells[i];
        self.narrowed(i, lo, hi) && (c.state == State::Small || (c.value > 0 && c.value < self.min))
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
        let net = Net::new(self.cells.len(), &eqs, &bounded);
        let mut locked = vec![false; self.cells.len()];
        let mut rate_locked = vec![false; self.rates.len()];
        // Each round locks one more cell or rate: the loop ends.
        for _ in 0..=self.cells.len() + self.rates.len() {
            self.rounds += self.interval_pass(&net, &of_cell, &locked, &rate_locked);
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
    use interval::ONE_AT_A_TIME as ONE_AT_A_TIME_FOR_TESTS;

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
    fn many_kiosks_each_with_a_small_count_are_protected_in_batches() {
        // 100 kiosks, each with one visit of category `a` (« < 5 »), which the column total (100)
        // gives away: 100 counts from 1 to 4 that sum to 100 are all 1. Done one cell at a time,
        // this took thousands of rounds for 200 kiosks; in batches it is a few dozen.
        let mut l = Ledger::new(5);
        let base = k(&[("pop", "v")]);
        let (kiosks, cats) = (100u64, [("a", 1u64), ("b", 30), ("c", 40), ("d", 50)]);
        l.count(base.clone(), cats.iter().map(|c| c.1).sum::<u64>() * kiosks);
        for (c, v) in cats {
            l.count(base.with("cat", c), v * kiosks);
        }
        let mut small = Vec::new();
        for i in 0..kiosks {
            let kb = base.with("borne", &format!("k{i:02}"));
            l.count(kb.clone(), cats.iter().map(|c| c.1).sum());
            for (c, v) in cats {
                let j = l.count(kb.with("cat", c), v);
                if c == "a" {
                    small.push(j);
                }
            }
        }
        l.protect();
        assert!(l.rounds > ONE_AT_A_TIME_FOR_TESTS, "the batches were used: {} rounds", l.rounds);
        assert!(l.rounds < ONE_AT_A_TIME_FOR_TESTS + 100, "{} rounds", l.rounds);
        // Safe, as linear programming over every published figure sees it.
        let (eqs, bounded) = l.equations();
        assert!(l.exact_leak(&eqs, &bounded).is_none());
        let all = Key(vec![]);
        let col = l.find(&all.with("cat", "a").with("pop", "v")).unwrap();
        assert_ne!(l.cell(col).state, State::Shown, "the column total that gives every « < 5 » away is not shown");
        // And not a blank table: most kiosks' large counts stay shown.
        let shown = l.cells.iter().filter(|c| c.key.get("borne").is_some() && c.value >= 30 && c.state == State::Shown).count();
        assert!(shown >= (3 * kiosks as usize * 3) / 4, "{shown} of {} large kiosk counts shown", 3 * kiosks);
        assert!(small.iter().all(|&j| l.cell(j).state != State::Shown));
        // The equation that narrows them is opened, rather than every « < 5 » turned into « s »
        // (what hiding the nearest smallest cell around each did: 5 of 100 kept).
        let kept = small.iter().filter(|&&j| l.cell(j).state == State::Small).count();
        assert!(kept >= 90, "{kept} of {kiosks} « < 5 » kept");
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
