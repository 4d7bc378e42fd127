//! The report's tables, section by section in page order, every count in one [`Ledger`] and
//! protected in one pass ([`crate::secrecy`]). Small kiosks and neighbourhoods are grouped
//! ("autres bornes", "autres quartiers de …") before anything is hidden.

use crate::report::{Base, INDICATORS, Kiosk, MIN_COUNT, NOT_ASKED, NOT_ASSESSED, Order, Supply};
use crate::report_acc::{Acc, cap, median, month_label, plus, upper_first};
use crate::secrecy::{Key, Ledger, group, partitions};
use std::collections::{BTreeMap, BTreeSet};

/// One cell of a table.
#[derive(Debug, Clone)]
pub enum Shown {
    Count(usize),
    Rate(usize),
    Text(String),
    /// The question was never asked there (not a small count).
    NotAsked,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub label: String,
    /// A total or a subtotal (shown in bold).
    pub total: bool,
    pub cells: Vec<Shown>,
}

/// How the table reads: columns of perimeters (Ensemble, then kiosks), a rate per row (visits,
/// part, rate), or a cross table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Perimeters,
    Rates,
    Cross,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub id: String,
    pub title: String,
    pub note: String,
    /// The header of the labels' column.
    pub head: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    pub kind: Kind,
    /// The row giving each column's base (Perimeters), if any.
    pub base_row: Option<usize>,
    /// Draw a bar chart of the first column (counts over the base, or rates).
    pub chart: bool,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub intro: Vec<String>,
    pub tables: Vec<Table>,
}

/// A perimeter: a kiosk, or a group of kiosks (`k2|k3`).
#[derive(Debug, Clone)]
struct Perimeter {
    value: String,
    label: String,
}

struct Builder<'a> {
    acc: &'a Acc,
    l: Ledger,
    min: u64,
}

const PATHS: [(&str, &str); 3] = [("complet", "Parcours complet"), ("court", "Parcours court"), ("inconnu", "Parcours inconnu")];

impl Builder<'_> {
    fn value(&self, k: &Key) -> u64 {
        self.acc.store.value(k)
    }
    fn count(&mut self, k: Key) -> Shown {
        let v = self.value(&k);
        Shown::Count(self.l.count(k, v))
    }
    fn headline(&mut self, k: Key) -> usize {
        let v = self.value(&k);
        self.l.headline(k, v)
    }
    fn id(&mut self, k: Key) -> usize {
        let v = self.value(&k);
        self.l.count(k, v)
    }
    /// A rate `base ∪ {flag = 1}` over `base`.
    fn rate(&mut self, base: &Key, flag: &str) -> (Shown, Shown, Shown) {
        let whole = self.id(base.clone());
        let part = self.id(base.with(flag, "1"));
        let r = self.l.rate(part, whole);
        (Shown::Count(whole), Shown::Count(part), Shown::Rate(r))
    }

    /// Rows whose counts are too small to stand alone, grouped (`label(n)` names the group of n):
    /// a row goes into the group when its whole, its part or its complement is from 1 to
    /// `min - 1` (a complement may stay when the whole allows a band); the group takes the next
    /// smallest row while it is itself too small.
    fn grouped(&self, base: &Key, dim: &str, flag: Option<&str>, rows: Vec<(String, String)>, label: &dyn Fn(usize) -> String) -> Vec<(String, String)> {
        let small = |v: u64| v > 0 && v < self.min;
        let counts = |members: &[String]| {
            let k = base.with(dim, &group(members));
            let whole = self.value(&k);
            let part = flag.map(|f| self.value(&k.with(f, "1"))).unwrap_or(0);
            (whole, part)
        };
        let bad = |(whole, part): (u64, u64)| small(whole) || (flag.is_some() && (small(part) || (small(whole - part) && whole < 40)));
        let mut alone: Vec<(String, String, u64)> = Vec::new();
        let mut grouped: Vec<String> = Vec::new();
        for (v, lab) in rows {
            let c = counts(std::slice::from_ref(&v));
            if bad(c) { grouped.push(v) } else { alone.push((v, lab, c.0)) }
        }
        while !grouped.is_empty() && (grouped.len() == 1 || bad(counts(&grouped))) && !alone.is_empty() {
            let (i, _) = alone.iter().enumerate().min_by_key(|(_, r)| r.2).expect("a row");
            grouped.push(alone.remove(i).0);
        }
        let mut out: Vec<(String, String)> = alone.into_iter().map(|(v, l, _)| (v, l)).collect();
        // Everything in one group: that is the Ensemble row, not another.
        if !grouped.is_empty() && !out.is_empty() {
            let n = grouped.len();
            out.push((group(&grouped), label(n)));
        }
        out
    }

    /// Every atom the published cells stand on, so that a reader's equations are all there:
    /// each cell's parents and siblings over every partitioning dimension, and a group's members.
    fn close(&mut self) {
        let mut domains: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for d in ["fragile", "pris", "fait", "interrompu", "apparie"] {
            domains.insert(d.into(), ["0", "1"].iter().map(|s| s.to_string()).collect());
        }
        let mut todo: Vec<Key> = self.l.cells.iter().map(|c| c.key.clone()).collect();
        let mut done: BTreeSet<Key> = BTreeSet::new();
        while let Some(k) = todo.pop() {
            if !done.insert(k.clone()) || k.0.len() > 6 {
                continue;
            }
            for (d, v) in k.0.clone() {
                // "Among the answers": the visits asked, and those not asked, are there too.
                if let Some(q) = d.strip_suffix('+') {
                    let rest = Key(k.0.iter().filter(|(x, _)| *x != d).cloned().collect());
                    for n in [rest.with(&format!("{q}?"), "1"), rest.with(&format!("{q}?"), "0")] {
                        if self.l.find(&n).is_none() {
                            let val = self.value(&n);
                            self.l.atom(n.clone(), val);
                            todo.push(n);
                        }
                    }
                    continue;
                }
                if !partitions(&d) || d == "issue" {
                    continue;
                }
                let dom = domains.entry(d.clone()).or_insert_with(|| self.acc.store.domain(&d)).clone();
                let parent = Key(k.0.iter().filter(|(x, _)| *x != d).cloned().collect());
                let mut new = vec![parent];
                new.extend(dom.iter().map(|a| k.with(&d, a)));
                new.extend(v.split('|').filter(|_| v.contains('|')).map(|a| k.with(&d, a)));
                for n in new {
                    if self.l.find(&n).is_none() {
                        let val = self.value(&n);
                        self.l.atom(n.clone(), val);
                        todo.push(n);
                    }
                }
            }
        }
    }
}

fn base_of(kind: &str) -> Key {
    match kind {
        "prise" => Key::new(&[("pop", "prise"), ("apparie", "1")]),
        _ => Key::new(&[("pop", "visite"), ("issue", "terminee")]),
    }
}

/// A rate table's rows.
fn rate_rows(b: &mut Builder, base: &Key, dim: &str, flag: &str, rows: &[(String, String)], total: Option<&str>) -> Vec<Row> {
    let mut out = Vec::new();
    for (v, label) in rows {
        let (w, p, r) = b.rate(&base.with(dim, v), flag);
        out.push(Row { id: v.clone(), label: label.clone(), total: false, cells: vec![w, p, r] });
    }
    if let Some(t) = total {
        let (w, p, r) = b.rate(base, flag);
        out.push(Row { id: String::new(), label: t.into(), total: true, cells: vec![w, p, r] });
    }
    out
}

/// A cross table's rows: a row per `(value, label)` of `row_dim` under `base`, then "Ensemble";
/// in each, a count per value of `col_dim` in `cols`, then the row's total.
fn cross_rows(b: &mut Builder, base: &Key, row_dim: &str, rows: &[(String, String)], col_dim: &str, cols: &[String]) -> Vec<Row> {
    let mut out = Vec::new();
    for r in rows.iter().map(Some).chain(std::iter::once(None)) {
        let k = r.map(|(v, _)| base.with(row_dim, v)).unwrap_or_else(|| base.clone());
        let mut cells: Vec<Shown> = cols.iter().map(|c| b.count(k.with(col_dim, c))).collect();
        cells.push(b.count(k));
        let (id, label) = r.cloned().unwrap_or_else(|| (String::new(), "Ensemble".into()));
        out.push(Row { id, label, total: r.is_none(), cells });
    }
    out
}

fn table(id: &str, title: &str, note: &str, head: &str, columns: &[&str], rows: Vec<Row>, kind: Kind) -> Table {
    Table {
        id: id.into(),
        title: title.into(),
        note: note.into(),
        head: head.into(),
        columns: columns.iter().map(|s| s.to_string()).collect(),
        rows,
        kind,
        base_row: None,
        chart: kind == Kind::Rates,
    }
}

/// A table of perimeters (Ensemble, then each kiosk or group): a row per value of `dim` under
/// `base`, then the base row.
#[allow(clippy::too_many_arguments)]
fn perimeter_table(
    b: &mut Builder,
    peri: &[Perimeter],
    id: &str,
    title: &str,
    note: &str,
    base: &Key,
    values: &[(String, String)],
    dim: &str,
    base_row: (&str, Key),
) -> Table {
    let mut columns = vec!["Ensemble".to_string()];
    columns.extend(peri.iter().map(|p| p.label.clone()));
    let with = |k: &Key, p: Option<&Perimeter>| match p {
        Some(p) => k.with("borne", &p.value),
        None => k.clone(),
    };
    let all: Vec<Option<&Perimeter>> = std::iter::once(None).chain(peri.iter().map(Some)).collect();
    let mut rows = Vec::new();
    let asked: Vec<u64> = all.iter().map(|p| b.value(&with(&base_row.1, *p))).collect();
    for (v, label) in values {
        let cells = all.iter().zip(&asked).map(|(p, n)| if *n == 0 { Shown::NotAsked } else { b.count(with(&base.with(dim, v), *p)) }).collect();
        rows.push(Row { id: v.clone(), label: label.clone(), total: false, cells });
    }
    let cells = all.iter().zip(&asked).map(|(p, n)| if *n == 0 { Shown::NotAsked } else { b.count(with(&base_row.1, *p)) }).collect();
    rows.push(Row { id: String::new(), label: base_row.0.into(), total: true, cells });
    let base_row = Some(rows.len() - 1);
    Table { id: id.into(), title: title.into(), note: note.into(), head: "Réponse".into(), columns, rows, kind: Kind::Perimeters, base_row, chart: true }
}

/// Builds every table of the report into one ledger and protects it.
pub fn build(acc: &Acc, kiosks: &[Kiosk], supply: &Supply, min: u64) -> (Ledger, Vec<Section>, Vec<String>) {
    let min = min.max(MIN_COUNT);
    let f = base_of("visite");
    let mut b = Builder { acc, l: Ledger::new(min), min };
    let dict = &acc.dictionary;
    let mut sections = Vec::new();
    let mut warnings = Vec::new();
    let kiosk_rows: Vec<(String, String)> = kiosks.iter().map(|k| (k.id.clone(), k.label.clone())).collect();
    let others = |n: usize| if n == 1 { "Autre borne".to_string() } else { format!("Autres bornes ({n})") };
    let peri: Vec<Perimeter> = b.grouped(&f, "borne", None, kiosk_rows.clone(), &others).into_iter().map(|(value, label)| Perimeter { value, label }).collect();
    let auto_label = |a: &str| if a == NOT_ASSESSED { "Non évalué".to_string() } else { passerelle_core::vocab::label(a, "fr") };
    let autonomy: Vec<(String, String)> =
        ["entierement_accompagne", "partiellement_autonome", "autonome", NOT_ASSESSED].iter().map(|a| (a.to_string(), auto_label(a))).collect();
    // Neighbourhoods by commune: (commune, [(atom, label)]).
    let mut communes: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (a, (c, q)) in &acc.neighbourhoods {
        communes.entry(c.clone()).or_default().push((a.clone(), dict.label("quartier", q)));
    }
    let quartier_rows = |b: &Builder, flag: &str| -> Vec<(String, String, bool)> {
        let mut out = Vec::new();
        for (c, qs) in &communes {
            let all: Vec<String> = qs.iter().map(|q| q.0.clone()).collect();
            out.push((group(&all), format!("{c} (commune)"), true));
            let rows = b.grouped(&f, "quartier", Some(flag), qs.clone(), &|n| {
                if n == 1 { format!("Autre quartier de {c}") } else { format!("Autres quartiers de {c} ({n})") }
            });
            if rows.len() > 1 || all.len() == 1 {
                out.extend(rows.into_iter().map(|(v, l)| (v, l, false)));
            }
        }
        if b.value(&f.with("quartier", NOT_ASKED)) > 0 {
            out.push((NOT_ASKED.to_string(), "Quartier non renseigné".into(), true));
        }
        out
    };
    let neighbourhood_table = |b: &mut Builder, id: &str, title: &str, note: &str, flag: &str, heads: [&str; 3]| {
        let rows = quartier_rows(b, flag);
        let mut out = Vec::new();
        for (v, label, total) in &rows {
            let (w, p, r) = b.rate(&f.with("quartier", v), flag);
            out.push(Row { id: v.clone(), label: if *total { label.clone() } else { format!("    {label}") }, total: *total, cells: vec![w, p, r] });
        }
        let (w, p, r) = b.rate(&f, flag);
        out.push(Row { id: String::new(), label: "Ensemble".into(), total: true, cells: vec![w, p, r] });
        table(id, title, note, "Quartier", &heads, out, Kind::Rates)
    };

    // 1. Who was picked up.
    let handoff_heads = ["Visites terminées", "Prises en charge", "Taux de prise en charge"];
    if acc.has_pickups {
        let mut s = Section { id: "prise-en-charge".into(), title: "Qui a été pris en charge ?".into(), intro: vec![], tables: vec![] };
        b.headline(f.clone());
        b.headline(f.with("pris", "1"));
        let note = "Part des visites terminées dont le code a été enregistré par un médiateur.";
        let hp = b.grouped(&f, "borne", Some("pris"), kiosk_rows.clone(), &others);
        let handoff_peri: Vec<Perimeter> = hp.iter().map(|(v, l)| Perimeter { value: v.clone(), label: l.clone() }).collect();
        let rows = rate_rows(&mut b, &f, "borne", "pris", &hp, Some("Ensemble"));
        s.tables.push(table("taux_de_prise_en_charge_borne", "Taux de prise en charge, par borne", note, "Borne", &handoff_heads, rows, Kind::Rates));
        let rows = rate_rows(&mut b, &f, "autonomie", "pris", &autonomy, Some("Ensemble"));
        let mut t = table(
            "taux_de_prise_en_charge_autonomie",
            "Taux de prise en charge, par niveau d'autonomie : les moins autonomes sont-ils atteints ?",
            note,
            "Niveau d'autonomie",
            &handoff_heads,
            rows,
            Kind::Rates,
        );
        if kiosks.iter().any(|k| k.path != "complet") {
            t.note += " Le niveau d'autonomie du parcours court repose sur moins de questions : voir « Les parcours ».";
        }
        s.tables.push(t);
        s.tables.push(neighbourhood_table(&mut b, "taux_de_prise_en_charge_quartier", "Taux de prise en charge, par quartier", note, "pris", handoff_heads));
        // Delays and outcomes per kiosk.
        let p = base_of("prise");
        let mut rows = Vec::new();
        let mut all_days: BTreeMap<i64, u64> = BTreeMap::new();
        for d in acc.delays.values() {
            for (k, n) in d {
                *all_days.entry(*k).or_default() += n;
            }
        }
        for per in handoff_peri.iter().map(Some).chain(std::iter::once(None)) {
            let mut days: BTreeMap<i64, u64> = BTreeMap::new();
            let members: Vec<&str> = per.map(|p| p.value.split('|').collect()).unwrap_or_default();
            for (k, d) in &acc.delays {
                if per.is_none() || members.contains(&k.as_str()) {
                    for (x, n) in d {
                        *days.entry(*x).or_default() += n;
                    }
                }
            }
            let n: u64 = days.values().sum();
            let med = match median(&days) {
                Some(m) if n >= min => format!("{} jour(s)", m.to_string().replace('.', ",")),
                _ => format!("non affiché (moins de {min} prises en charge datées)"),
            };
            let key = per.map(|p| f.with("borne", &p.value)).unwrap_or_else(|| f.clone()).with("pris", "1");
            let c = b.count(key);
            rows.push(Row {
                id: per.map(|p| p.value.clone()).unwrap_or_default(),
                label: per.map(|p| p.label.clone()).unwrap_or("Ensemble".into()),
                total: per.is_none(),
                cells: vec![c, Shown::Text(med)],
            });
        }
        let mut t = table(
            "delai_borne",
            "Délai entre la visite et la prise en charge, par borne",
            "Délai médian entre le jour de la visite et le jour de sa première prise en charge.",
            "Borne",
            &["Visites prises en charge", "Délai médian"],
            rows,
            Kind::Cross,
        );
        t.chart = false;
        s.tables.push(t);
        if acc.early > 0 {
            let n = if acc.early >= min { acc.early.to_string() } else { format!("moins de {min}") };
            warnings.push(format!(
                "Attention : {n} prise(s) en charge datée(s) d'avant leur visite (horloge d'une borne ou d'un médiateur fausse) : comptées dans les taux, pas dans les délais."
            ));
        }
        let outcomes: Vec<(String, String)> = passerelle_package::pickup_table::OUTCOMES
            .iter()
            .map(|(id, fr, _)| (id.to_string(), upper_first(fr)))
            .chain(std::iter::once(("non_renseignee".to_string(), "Suite non renseignée".to_string())))
            .collect();
        let mut t = perimeter_table(
            &mut b,
            &handoff_peri,
            "suites",
            "Suite donnée aux prises en charge, par borne",
            "Une ligne par prise en charge (une visite reçue dans deux structures compte deux fois).",
            &p,
            &outcomes,
            "suite",
            ("Prises en charge", p.clone()),
        );
        t.head = "Suite donnée".into();
        s.tables.push(t);
        // Who receives whom.
        let receivers: Vec<String> = acc.store.domain("receveur").into_iter().collect();
        let mut columns: Vec<String> = receivers.clone();
        columns.push("Ensemble".into());
        let kiosks: Vec<(String, String)> = handoff_peri.iter().map(|x| (x.value.clone(), x.label.clone())).collect();
        let rows = cross_rows(&mut b, &p, "borne", &kiosks, "receveur", &receivers);
        let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
        let mut t = table(
            "flux",
            "Qui reçoit qui : prises en charge par borne et par structure qui reçoit",
            "Une ligne par borne, une colonne par structure de médiation qui a enregistré le code (son identifiant).",
            "Borne",
            &cols,
            rows,
            Kind::Cross,
        );
        t.chart = false;
        s.tables.push(t);
        let orphans = if acc.orphans == 0 || acc.orphans >= min { acc.orphans.to_string() } else { format!("moins de {min}") };
        s.intro.push(format!(
            "Délai médian entre la visite et la prise en charge : {}.",
            match median(&all_days) {
                Some(m) if all_days.values().sum::<u64>() >= min => format!("{} jour(s)", m.to_string().replace('.', ",")),
                _ => format!("non affiché (moins de {min} prises en charge)"),
            }
        ));
        s.intro.push(format!("Prises en charge dont la visite n'est pas (encore) dans ces données : {orphans} (gardées, non comptées dans les taux)."));
        sections.push(s);
    }

    // 2. Where fragility is.
    let frag_heads = ["Visites terminées", "Visites « fragiles »", "Taux de fragilité"];
    let note = "Fragile : autonomie « entièrement accompagné » ou « partiellement autonome », ou aucun appareil, ou pas d'internet à la maison.";
    let mut s = Section { id: "fragilite".into(), title: "Où est la fragilité numérique ?".into(), intro: vec![], tables: vec![] };
    b.headline(f.with("fragile", "1"));
    let mut t =
        neighbourhood_table(&mut b, "fragilite_quartier", "Taux de fragilité numérique, par commune et quartier d'habitation", note, "fragile", frag_heads);
    t.note += " Les quartiers sont ceux que chaque borne propose, avec leur commune.";
    s.tables.push(t);
    let months: Vec<(String, String)> = acc.store.domain("mois").into_iter().filter(|m| m != NOT_ASKED).map(|m| (m.clone(), month_label(&m))).collect();
    let rows = rate_rows(&mut b, &f, "mois", "fragile", &months, Some("Ensemble"));
    s.tables.push(table("fragilite_mois", "Taux de fragilité numérique, mois par mois", note, "Mois", &frag_heads, rows, Kind::Rates));
    // Paths: figures of the short path are not comparable with the complete one's.
    let paths: Vec<(String, String)> = PATHS
        .iter()
        .filter_map(|(p, label)| {
            let members: Vec<String> = kiosks.iter().filter(|k| k.path == *p).map(|k| k.id.clone()).collect();
            (!members.is_empty()).then(|| (group(&members), label.to_string()))
        })
        .collect();
    if paths.len() > 1 || kiosks.iter().any(|k| k.path != "complet") {
        let path_note = "Le parcours court pose moins de questions (l'autonomie y est établie sur une échelle courte de 4 capacités) : ses taux ne se comparent pas à ceux du parcours complet.";
        let rows = rate_rows(&mut b, &f, "borne", "fragile", &paths, Some("Ensemble"));
        s.tables.push(table("fragilite_parcours", "Taux de fragilité numérique, par parcours", path_note, "Parcours", &frag_heads, rows, Kind::Rates));
        s.intro.push(format!("{path_note} Les bornes et leur parcours sont dans « Les bornes »."));
    }
    sections.push(s);

    // 3. The people.
    let mut s = Section { id: "personnes".into(), title: "Qui sont les visiteurs ?".into(), intro: vec![], tables: vec![] };
    let mut cross = |b: &mut Builder, id: &str, title: &str, dim: &str, order: &[&str], q: &str| {
        let mut vals: Vec<String> = acc.store.domain(dim).into_iter().collect();
        vals.sort_by_key(|v| (order.iter().position(|o| o == v).unwrap_or(usize::MAX), v.clone()));
        let mut cols: Vec<String> = autonomy.iter().map(|a| a.1.clone()).collect();
        cols.push("Ensemble".into());
        let mut rows = Vec::new();
        for v in vals.iter().map(Some).chain(std::iter::once(None)) {
            let k = v.map(|v| f.with(dim, v)).unwrap_or_else(|| f.clone());
            let mut cells: Vec<Shown> = autonomy.iter().map(|(a, _)| b.count(k.with("autonomie", a))).collect();
            cells.push(b.count(k));
            let label = match v {
                Some(v) if v == NOT_ASKED => "Non communiqué".to_string(),
                Some(v) => dict.label(q, v),
                None => "Ensemble".into(),
            };
            rows.push(Row { id: v.cloned().unwrap_or_default(), label, total: v.is_none(), cells });
        }
        let c: Vec<&str> = cols.iter().map(String::as_str).collect();
        let mut t = table(id, title, "Visites terminées.", "", &c, rows, Kind::Cross);
        t.chart = false;
        s.tables.push(t);
    };
    cross(&mut b, "age_autonomie", "Tranche d'âge et niveau d'autonomie", "age", passerelle_core::vocab::COOP_TRANCHE_AGE, "");
    cross(&mut b, "genre_autonomie", "Genre et niveau d'autonomie", "genre", passerelle_core::vocab::COOP_GENRE, "");
    let vals: Vec<(String, String)> = acc.store.domain("handicap+").into_iter().map(|h| (h.clone(), dict.label("handicap", &h))).collect();
    let t = perimeter_table(
        &mut b,
        &[],
        "handicap",
        "Gêne ou handicap déclaré",
        "Plusieurs réponses possibles par personne ; base : les visites où la question a été posée.",
        &f,
        &vals,
        "handicap+",
        ("Visites où la question a été posée", f.with("handicap?", "1")),
    );
    s.tables.push(t);
    let dom: Vec<String> = acc.store.domain("recherche_equipement").into_iter().filter(|v| v != NOT_ASKED).collect();
    let vals: Vec<(String, String)> = dom.iter().map(|v| (v.clone(), dict.label("recherche_equipement", v))).collect();
    let t = perimeter_table(
        &mut b,
        &[],
        "recherche_equipement",
        "Recherche d'un appareil",
        "Une réponse par personne ; base : les visites où la question a été posée.",
        &f,
        &vals,
        "recherche_equipement",
        ("Visites où la question a été posée", f.with("recherche_equipement", &group(&dom))),
    );
    s.tables.push(t);
    let rows = rate_rows(&mut b, &f, "borne", "fait", &peri.iter().map(|p| (p.value.clone(), p.label.clone())).collect::<Vec<_>>(), Some("Ensemble"));
    s.tables.push(table(
        "fait_a_sa_place",
        "« Quelqu'un fait les démarches à sa place »",
        "Visites où le profil relève que quelqu'un fait les démarches à la place de la personne : le public à amener vers l'autonomie.",
        "Borne",
        &["Visites terminées", "Fait à sa place", "Part"],
        rows,
        Kind::Rates,
    ));
    sections.push(s);

    // 4. Needs and supply.
    let mut s = Section { id: "besoins".into(), title: "Besoins et offre".into(), intro: vec![], tables: vec![] };
    let date = supply.date.map(|d| format!("à jour au {}", d.format("%d/%m/%Y"))).unwrap_or_else(|| "date inconnue".into());
    s.intro.push(format!("Lieux : {} lieux de médiation numérique ({date}), données {}.", supply.places, supply.source));
    if let Some(w) = &supply.warning {
        s.intro.push(w.clone());
        warnings.push(w.clone());
    }
    let mut vals: Vec<(String, String)> = acc.store.domain("services+").into_iter().map(|v| (v.clone(), passerelle_core::vocab::label(&v, "fr"))).collect();
    vals.sort_by_key(|v| std::cmp::Reverse(b.value(&f.with("services+", &v.0))));
    let mut t = perimeter_table(
        &mut b,
        &[],
        "besoins",
        "Besoins et offre : services suggérés, et lieux qui les proposent",
        "Visiteurs à qui le service est suggéré (plusieurs services par visiteur), sur l'ensemble des visites terminées ; lieux des départements des visites qui le proposent.",
        &f,
        &vals,
        "services+",
        ("Visites terminées", f.clone()),
    );
    t.columns = vec!["Visiteurs".into(), "Lieux qui le proposent".into()];
    for r in &mut t.rows {
        let n = if r.total { String::new() } else { supply.per_service.get(&r.id).copied().unwrap_or(0).to_string() };
        r.cells.push(Shown::Text(n));
    }
    t.head = "Service".into();
    s.tables.push(t);
    sections.push(s);

    // 5. The kiosks.
    let mut s = Section { id: "bornes".into(), title: "Les bornes et leurs parcours".into(), intro: vec![], tables: vec![] };
    let path_label = |p: &str| PATHS.iter().find(|x| x.0 == p).map(|x| x.1.to_string()).unwrap_or_else(|| p.to_string());
    let order_label = |o: &str| match o {
        "essentials_first" => "L'essentiel d'abord".to_string(),
        "deck" => "Ordre du questionnaire".to_string(),
        _ => "Inconnu".to_string(),
    };
    // Kiosks too small to be named alone are named as their group, with their paths and orders.
    let mut rows: Vec<Row> = Vec::new();
    for p in &peri {
        let members: Vec<&Kiosk> = kiosks.iter().filter(|k| p.value.split('|').any(|m| m == k.id)).collect();
        let list = |f: &dyn Fn(&Kiosk) -> String| members.iter().map(|k| f(k)).collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>().join(", ");
        let commune = if p.value.contains('|') { String::new() } else { list(&|k| k.commune.clone()) };
        rows.push(Row {
            id: p.value.clone(),
            label: p.label.clone(),
            total: false,
            cells: vec![Shown::Text(commune), Shown::Text(list(&|k| path_label(&k.path))), Shown::Text(list(&|k| order_label(&k.order)))],
        });
    }
    let mut t = table(
        "bornes",
        "Les bornes : structure, commune, parcours et ordre des questions",
        "« Inconnu » : export d'une version qui ne l'indiquait pas.",
        "Structure",
        &["Commune", "Parcours", "Ordre des questions"],
        rows,
        Kind::Cross,
    );
    t.chart = false;
    s.tables.push(t);
    let started = Key::new(&[("pop", "visite")]);
    let mut rows = Vec::new();
    for per in peri.iter().map(Some).chain(std::iter::once(None)) {
        let with = |k: &Key| per.map(|p| k.with("borne", &p.value)).unwrap_or_else(|| k.clone());
        let cells = vec![b.count(with(&f)), b.count(with(&started.with("issue", "abandon"))), b.count(with(&started))];
        rows.push(Row {
            id: per.map(|p| p.value.clone()).unwrap_or_default(),
            label: per.map(|p| p.label.clone()).unwrap_or("Ensemble".into()),
            total: per.is_none(),
            cells,
        });
    }
    let mut t = table(
        "visites_borne",
        "Visites par borne",
        "Visites commencées : terminées ou abandonnées. Les bornes de moins de 5 visites sont regroupées.",
        "Borne",
        &["Visites terminées", "Visites abandonnées", "Visites commencées"],
        rows,
        Kind::Cross,
    );
    t.chart = false;
    s.tables.push(t);
    if !paths.is_empty() {
        let mut cols: Vec<String> = paths.iter().map(|p| p.1.clone()).collect();
        cols.push("Ensemble".into());
        let path_values: Vec<String> = paths.iter().map(|p| p.0.clone()).collect();
        let rows = cross_rows(&mut b, &f, "autonomie", &autonomy, "borne", &path_values);
        let c: Vec<&str> = cols.iter().map(String::as_str).collect();
        let mut t = table(
            "autonomie_parcours",
            "Niveau d'autonomie, par parcours",
            "Le parcours court établit l'autonomie sur 4 capacités (échelle courte) : comparez les parcours séparément.",
            "Niveau d'autonomie",
            &c,
            rows,
            Kind::Cross,
        );
        t.chart = false;
        s.tables.push(t);
    }
    sections.push(s);

    // 6. The answers.
    let mut s = Section { id: "reponses".into(), title: "Les réponses au questionnaire".into(), intro: vec![], tables: vec![] };
    if kiosks.iter().any(|k| k.path != "complet") {
        s.intro.push("Sur le parcours court, certaines questions ne sont pas posées : « — » dans la colonne de la borne.".into());
    }
    for ind in INDICATORS {
        if acc.missing.contains(&ind.id) {
            continue;
        }
        let dim = if ind.multi { plus(ind.id) } else { ind.id.to_string() };
        let mut vals: Vec<String> = acc.store.domain(&dim).into_iter().filter(|v| v != NOT_ASKED).collect();
        match ind.order {
            Order::Count => vals.sort_by_key(|v| (std::cmp::Reverse(b.value(&f.with(&dim, v))), v.clone())),
            Order::Value => vals.sort(),
            Order::Dictionary => vals.sort_by_key(|v| (dict.rank(ind.question, v), v.clone())),
        }
        let labelled: Vec<(String, String)> = vals
            .iter()
            .map(|v| {
                let l = match ind.id {
                    "mois" => month_label(v),
                    "autonomie" => auto_label(v),
                    _ => dict.label(ind.question, v),
                };
                (v.clone(), l)
            })
            .collect();
        let (base_label, base_key) = match (ind.base, ind.multi) {
            (Base::Finished, _) => ("Visites terminées".to_string(), f.clone()),
            (Base::Asked, true) => ("Visites où la question a été posée".to_string(), f.with(&format!("{}?", ind.id), "1")),
            (Base::Asked, false) => ("Visites où la question a été posée".to_string(), f.with(&dim, &group(&vals))),
        };
        let note = match (ind.multi, ind.base) {
            (true, Base::Asked) => "Plusieurs réponses possibles par personne ; base : les visites où la question a été posée.",
            (true, Base::Finished) => "Plusieurs par personne ; base : toutes les visites terminées.",
            (false, Base::Asked) => "Une réponse par personne ; base : les visites où la question a été posée.",
            (false, Base::Finished) => "Une par personne ; base : toutes les visites terminées.",
        };
        let t = perimeter_table(&mut b, &peri, ind.id, ind.title, note, &f, &labelled, &dim, (&base_label, base_key));
        s.tables.push(t);
    }
    // Capabilities: "je ne sais pas faire" among those who answered.
    let mut columns = vec!["Ensemble".to_string()];
    columns.extend(peri.iter().map(|p| p.label.clone()));
    let mut rows = Vec::new();
    for c in &acc.capabilities {
        let d = cap(c);
        let (q, row) = c.split_once('.').unwrap_or(("", c));
        let mut cells = Vec::new();
        for per in std::iter::once(None).chain(peri.iter().map(Some)) {
            let k = per.map(|p| f.with("borne", &p.value)).unwrap_or_else(|| f.clone());
            let whole_key = k.with(&d, "ne_sait|sait");
            if b.value(&whole_key) == 0 {
                cells.push(Shown::NotAsked);
                continue;
            }
            let whole = b.id(whole_key);
            let part = b.id(k.with(&d, "ne_sait"));
            cells.push(Shown::Rate(b.l.rate(part, whole)));
        }
        rows.push(Row { id: row.to_string(), label: dict.label(q, row), total: false, cells });
    }
    if !rows.is_empty() {
        s.tables.push(Table {
            id: "capacites".into(),
            title: "« Je ne sais pas faire » : part par capacité".into(),
            note: "Part des personnes qui ont répondu « je ne sais pas faire » ou « je ne sais pas ce que c'est », parmi celles qui ont répondu pour cette capacité.".into(),
            head: "Capacité".into(),
            columns,
            rows,
            kind: Kind::Perimeters,
            base_row: None,
            chart: true,
        });
    }
    // Abandons by step, in the questionnaire's order.
    let ab = started.with("issue", "abandon");
    let mut steps: Vec<String> = acc.store.domain("etape").into_iter().collect();
    let question = |s: &str| s.split('/').next().unwrap_or(s).to_string();
    let pos = |s: &str| dict.questions.iter().position(|q| *q == question(s)).unwrap_or(usize::MAX);
    steps.sort_by_key(|s| (pos(s), dict.rank(&question(s), s.split('/').nth(1).unwrap_or("")), s.clone()));
    let step_label = |s: &str| match s.split_once('/') {
        Some((q, row)) => format!("{} — {}", dict.label("", q), dict.label(q, row)),
        None => dict.label("", s),
    };
    let labelled: Vec<(String, String)> = steps.iter().map(|x| (x.clone(), step_label(x))).collect();
    let mut t = perimeter_table(
        &mut b,
        &peri,
        "abandons",
        "Abandons par étape",
        "Visites abandonnées, par dernière question affichée ; base : les visites commencées (terminées ou abandonnées).",
        &ab,
        &labelled,
        "etape",
        ("Visites abandonnées (toutes étapes)", ab.clone()),
    );
    t.head = "Étape".into();
    t.rows.push(Row {
        id: "commencees".into(),
        label: "Visites commencées".into(),
        total: true,
        cells: std::iter::once(None)
            .chain(peri.iter().map(Some))
            .map(|p| b.count(p.map(|p| started.with("borne", &p.value)).unwrap_or_else(|| started.clone())))
            .collect(),
    });
    t.base_row = Some(t.rows.len() - 1);
    s.tables.push(t);
    let vals = vec![("1".to_string(), "Visites interrompues, profil partiel".to_string())];
    let mut t = perimeter_table(
        &mut b,
        &peri,
        "interrompues",
        "Visites terminées plus tôt (« On m'appelle »)",
        "Appelée au guichet, la personne a gardé ses réponses ; son profil est établi sur les seules réponses données.",
        &f,
        &vals,
        "interrompu",
        ("Visites terminées", f.clone()),
    );
    t.head = "".into();
    s.tables.push(t);
    sections.push(s);

    b.close();
    // A visit picked up has one pickup at least: a reader knows visits picked up ≤ pickups.
    if acc.has_pickups {
        let p = base_of("prise");
        for i in 0..b.l.cells.len() {
            let k = b.l.cells[i].key.clone();
            let dims: Vec<&str> = k.0.iter().map(|(d, _)| d.as_str()).collect();
            if k.get("pris") == Some("1") && k.get("pop") == Some("visite") && dims.iter().all(|d| ["pop", "issue", "pris", "borne"].contains(d)) {
                let big = k.get("borne").map(|x| p.with("borne", x)).unwrap_or_else(|| p.clone());
                let v = b.value(&big);
                let j = b.l.atom(big, v);
                b.l.at_most(i, j);
            }
        }
    }
    b.l.protect();
    (b.l, sections, warnings)
}
