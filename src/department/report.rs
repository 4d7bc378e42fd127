//! `passerelle report`: the department's picture of many kiosks. One self-contained HTML file in
//! French (no network, charts as inline SVG with their figures in a table, printable) and the same
//! figures as CSV next to it, from a merged package or from one kiosk's export.
//!
//! The package is checked first (hashes and schema, as for a merge), then `visits.csv` is read
//! once, row by row: memory depends on the number of categories, not of visits. Counting is done
//! per structure; the whole is their sum.
//!
//! Small numbers are never shown: a count from 1 to `min - 1` (4 with the default 5) is written
//! "< 5" with no percentage and no bar, and structures with fewer than `min` visits are grouped.

use crate::department::merge::plural;
use crate::department::package::{self, csv_reader};
use anyhow::{Context, Result, bail};
use passerelle_core::vocab;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::path::Path;

/// The smallest count shown.
pub const MIN_COUNT: u64 = 5;

/// What the report counts, in its order. `multi`: several values separated by `|`.
pub struct Indicator {
    pub id: &'static str,
    pub title: &'static str,
    pub column: &'static str,
    pub multi: bool,
    /// The question whose choices name the values (dictionary), if any.
    pub question: &'static str,
    pub order: Order,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Order {
    /// Most frequent first.
    Count,
    /// By the value itself (months).
    Value,
    /// As the dictionary lists the values.
    Dictionary,
}

const fn ind(id: &'static str, title: &'static str, column: &'static str, multi: bool, question: &'static str, order: Order) -> Indicator {
    Indicator { id, title, column, multi, question, order }
}

pub const INDICATORS: &[Indicator] = &[
    ind("structure", "Visites par structure", "structure", false, "", Order::Count),
    ind("commune", "Visites par commune", "commune", false, "", Order::Count),
    ind("mois", "Visites par mois", "local_date", false, "", Order::Value),
    ind("autonomie", "Niveau d'autonomie (La Coop)", "profil.autonomie", false, "", Order::Dictionary),
    ind("freins", "Principaux freins", "profil.freins", true, "freins", Order::Count),
    ind("outil_principal", "Outil le plus utilisé", "outil_principal", false, "outil_principal", Order::Dictionary),
    ind("acces_internet", "Accès à internet à la maison", "acces_internet", false, "acces_internet", Order::Dictionary),
    ind("mode_acces", "Mode d'accès à internet", "mode_acces", true, "mode_acces", Order::Count),
    ind("motivations", "Motivations", "motivations", true, "motivations", Order::Count),
    ind("accompagnement", "Accompagnement suggéré", "profil.type_accompagnement", false, "", Order::Count),
    ind("services", "Services suggérés (standard des lieux de médiation numérique)", "profil.services", true, "", Order::Count),
    ind("thematiques", "Thématiques suggérées (La Coop)", "profil.thematiques", true, "", Order::Count),
    ind("points_attention", "Points d'attention", "profil.flags", true, "", Order::Count),
];

/// The grid of capabilities: columns `<question>.<row>` with these answers.
const KNOWN: &str = "sait_faire";
/// The autonomy category of visits where no level could be found.
const NOT_ASSESSED: &str = "non_evalue";
const UNKNOWN: &str = "ne_sait_pas_faire";
/// "Je ne sais pas ce que c'est" (questionnaire 1.3.0): not known either.
const UNFAMILIAR: &str = "ne_connait_pas";

/// Counts of one perimeter (a structure, or all).
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub visits: u64,
    pub abandons: u64,
    /// Visits ended early ("On m'appelle"): among `visits`, their profile is partial.
    pub partial: u64,
    /// indicator id → value → visits; and the visits for which the question was asked.
    pub counts: HashMap<&'static str, HashMap<String, u64>>,
    pub asked: HashMap<&'static str, u64>,
    /// capability column → (knows, does not know).
    pub capabilities: HashMap<String, (u64, u64)>,
    /// abandon step → count.
    pub steps: HashMap<String, u64>,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.visits += other.visits;
        self.abandons += other.abandons;
        self.partial += other.partial;
        for (k, m) in &other.counts {
            let mine = self.counts.entry(k).or_default();
            for (v, n) in m {
                *mine.entry(v.clone()).or_default() += n;
            }
        }
        for (k, n) in &other.asked {
            *self.asked.entry(k).or_default() += n;
        }
        for (k, (a, b)) in &other.capabilities {
            let e = self.capabilities.entry(k.clone()).or_default();
            e.0 += a;
            e.1 += b;
        }
        for (k, n) in &other.steps {
            *self.steps.entry(k.clone()).or_default() += n;
        }
    }
}

/// Labels of the data dictionary, and its order.
#[derive(Debug, Default)]
pub struct Dictionary {
    labels: HashMap<(String, String), String>,
    order: HashMap<(String, String), usize>,
    questions: Vec<String>,
}

impl Dictionary {
    fn label(&self, question: &str, id: &str) -> String {
        if let Some(l) = self.labels.get(&(question.to_string(), id.to_string())).or_else(|| self.labels.get(&(String::new(), id.to_string()))) {
            return l.clone();
        }
        let v = vocab::label(id, "fr");
        if v != id {
            return v;
        }
        id.to_string()
    }
    fn rank(&self, question: &str, id: &str) -> usize {
        self.order.get(&(question.to_string(), id.to_string())).or_else(|| self.order.get(&(String::new(), id.to_string()))).copied().unwrap_or(usize::MAX)
    }
}

/// Everything the report shows.
pub struct Data {
    pub source: String,
    /// Where the data comes from, in plain words: checked against trusted keys, or not.
    pub provenance: String,
    pub exports: usize,
    pub kiosks: usize,
    pub first_date: String,
    pub last_date: String,
    pub generated: String,
    pub min: u64,
    pub total: Tally,
    /// Structures with at least `min` visits, largest first; then the others together.
    pub structures: Vec<(String, Tally)>,
    pub others: Option<(usize, Tally)>,
    pub dictionary: Dictionary,
    /// Capability columns, in the export's order.
    pub capability_columns: Vec<String>,
    /// Indicator columns missing from the data (older questionnaire, or another one).
    pub missing: Vec<&'static str>,
    /// Handoff rate, fragility, needs and supply, people (secondary suppression applied).
    pub reach: Vec<crate::department::reach::Table>,
    pub reach_facts: Vec<String>,
}

/// Places per service in the départements of the communes where the visits took place (the
/// places data shipped with Passerelle).
fn supply(acc: &crate::department::reach::ReachAcc) -> std::collections::BTreeMap<String, u64> {
    let book = crate::kiosk::place_book::load(Path::new("/nonexistent/passerelle"), None);
    let communes: Vec<String> = acc.communes().map(|c| c.to_lowercase()).collect();
    let deps: std::collections::HashSet<String> =
        book.places.iter().filter(|p| communes.contains(&p.commune.to_lowercase())).map(|p| p.departement()).collect();
    let mut out = std::collections::BTreeMap::new();
    for p in book.places.iter().filter(|p| deps.contains(&p.departement())) {
        for s in &p.services {
            *out.entry(s.clone()).or_default() += 1;
        }
    }
    out
}

/// The rows' counts, gathered while the package is checked (one pass over the data).
#[derive(Default)]
struct Acc {
    /// Column positions in visits.csv, found at its first row.
    cols: Option<Cols>,
    per: HashMap<Vec<u8>, Tally>,
    first_date: String,
    last_date: String,
    kiosk_structure: HashMap<String, String>,
    /// kiosk → step → abandons (their structure is known once exports.csv is read).
    abandons: HashMap<String, HashMap<String, u64>>,
    /// Handoff, fragility and the other answers of `reach`.
    reach: crate::department::reach::ReachAcc,
}

struct Cols {
    structure: usize,
    kiosk: usize,
    date: Option<usize>,
    indicators: Vec<(usize, Option<usize>)>,
    capabilities: Vec<(usize, String)>,
    missing: Vec<&'static str>,
    /// `profil.interrompu_apres` (exports before it have none: no visit was partial).
    partial: Option<usize>,
}

impl Acc {
    fn row(&mut self, table: &str, fields: &[package::Field], rec: &csv::ByteRecord) {
        match table {
            "visits" => {
                self.reach.visit(fields, rec);
                self.visit(fields, rec)
            }
            "abandons" => {
                let col = |n: &str| fields.iter().position(|f| f.name == n);
                if let (Some(k), Some(s)) = (col("kiosk_id"), col("step")) {
                    let kiosk = String::from_utf8_lossy(&rec[k]).into_owned();
                    *self.abandons.entry(kiosk).or_default().entry(String::from_utf8_lossy(&rec[s]).into_owned()).or_default() += 1;
                }
            }
            _ => {}
        }
    }

    fn visit(&mut self, fields: &[package::Field], rec: &csv::ByteRecord) {
        let cols = self.cols.get_or_insert_with(|| {
            let col = |n: &str| fields.iter().position(|f| f.name == n);
            let indicators: Vec<(usize, Option<usize>)> = INDICATORS.iter().enumerate().map(|(i, ind)| (i, col(ind.column))).collect();
            Cols {
                structure: col("structure").unwrap_or(0),
                kiosk: col("kiosk_id").unwrap_or(0),
                date: col("local_date"),
                partial: col(crate::kiosk::export::PARTIAL_COLUMN),
                missing: INDICATORS.iter().zip(&indicators).filter(|(_, (_, c))| c.is_none()).map(|(i, _)| i.id).collect(),
                indicators,
                capabilities: fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.name.contains('.') && !f.name.starts_with(crate::kiosk::export::PROFILE_PREFIX))
                    .map(|(i, f)| (i, f.name.clone()))
                    .collect(),
            }
        });
        if let Some(d) = cols.date.map(|c| &rec[c])
            && let Ok(d) = std::str::from_utf8(d)
        {
            if self.first_date.is_empty() || d < self.first_date.as_str() {
                self.first_date = d.to_string();
            }
            if d > self.last_date.as_str() {
                self.last_date = d.to_string();
            }
        }
        if !self.kiosk_structure.contains_key(String::from_utf8_lossy(&rec[cols.kiosk]).as_ref()) {
            self.kiosk_structure.insert(String::from_utf8_lossy(&rec[cols.kiosk]).into(), String::from_utf8_lossy(&rec[cols.structure]).into());
        }
        let t = match self.per.get_mut(&rec[cols.structure]) {
            Some(t) => t,
            None => self.per.entry(rec[cols.structure].to_vec()).or_default(),
        };
        t.visits += 1;
        if cols.partial.is_some_and(|c| !rec[c].is_empty()) {
            t.partial += 1;
        }
        for (i, c) in &cols.indicators {
            let Some(c) = c else { continue };
            let ind = &INDICATORS[*i];
            let mut cell = &rec[*c];
            if cell.is_empty() {
                // Every visit has an autonomy level, or none could be found.
                if ind.id != "autonomie" {
                    continue;
                }
                cell = NOT_ASSESSED.as_bytes();
            }
            *t.asked.entry(ind.id).or_default() += 1;
            let counts = t.counts.entry(ind.id).or_default();
            let mut bump = |v: &[u8]| {
                let v = std::str::from_utf8(v).unwrap_or_default();
                match counts.get_mut(v) {
                    Some(n) => *n += 1,
                    None => {
                        counts.insert(v.to_string(), 1);
                    }
                }
            };
            if ind.id == "mois" {
                bump(&cell[..cell.len().min(7)]);
            } else if ind.multi {
                cell.split(|b| *b == b'|').for_each(&mut bump);
            } else {
                bump(cell);
            }
        }
        for (c, name) in &cols.capabilities {
            let cell = &rec[*c];
            let known = cell == KNOWN.as_bytes();
            if known || cell == UNKNOWN.as_bytes() || cell == UNFAMILIAR.as_bytes() {
                let e = match t.capabilities.get_mut(name) {
                    Some(e) => e,
                    None => t.capabilities.entry(name.clone()).or_default(),
                };
                if known {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            }
        }
    }
}

/// Checks a package (an export or a merge) and reads it into the report's figures, in one pass.
pub fn collect(dir: &Path, min: u64, generated: &str) -> Result<Data> {
    collect_trusted(dir, min, generated, None)
}

/// [`collect`], checking the package's signature against trusted keys when given (a package
/// that fails gives an error and no report).
pub fn collect_trusted(dir: &Path, min: u64, generated: &str, keys: Option<&crate::shared::signing::TrustedKeys>) -> Result<Data> {
    let mut acc = Acc::default();
    let (pickups, has_pickups) = crate::department::pickup_merge::of_dir(dir).map_err(|e| anyhow::anyhow!("{} : {e}", dir.display()))?;
    acc.reach = crate::department::reach::ReachAcc::new(pickups, has_pickups);
    let pkg = package::open_visiting(dir, &mut |table, fields, rec| acc.row(table, fields, rec)).map_err(|e| anyhow::anyhow!("{} : {e}", dir.display()))?;
    let provenance = match keys {
        Some(k) => {
            let signer = package::provenance(&pkg, k).map_err(|e| anyhow::anyhow!("{} : {e}", dir.display()))?;
            format!("Provenance vérifiée : signé par la clé de confiance « {} » ({}).", signer.name, k.file)
        }
        None => "Provenance non vérifiée : ce rapport n'a pas contrôlé de signature (passerelle report --trusted-keys FICHIER).".to_string(),
    };
    let mut dictionary = Dictionary::default();
    let mut rdr = csv_reader(crate::shared::files::open_regular(dir, "dictionnaire.csv", 64 << 20).map_err(anyhow::Error::msg)?);
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec?;
        let (element, q, id, fr) = (&rec[0], &rec[1], &rec[2], &rec[3]);
        let key = if element == "question" { (String::new(), q.to_string()) } else { (q.to_string(), id.to_string()) };
        if element == "question" {
            dictionary.questions.push(q.to_string());
        }
        dictionary.labels.entry(key.clone()).or_insert_with(|| fr.to_string());
        dictionary.order.entry(key).or_insert(i);
    }
    // Which structure each kiosk belongs to (abandons carry only the kiosk).
    let mut kiosk_structure = std::mem::take(&mut acc.kiosk_structure);
    let mut exports = 1;
    if pkg.merged {
        let mut rdr = csv_reader(crate::shared::files::open_regular(dir, "exports.csv", 64 << 20).map_err(anyhow::Error::msg)?);
        exports = 0;
        for rec in rdr.records() {
            let rec = rec?;
            exports += 1;
            kiosk_structure.insert(rec[1].to_string(), rec[2].to_string());
        }
    } else {
        let p = &pkg.meta["passerelle"];
        kiosk_structure.insert(p["kiosk_id"].as_str().unwrap_or_default().into(), p["structure"].as_str().unwrap_or_default().into());
    }
    let mut per = std::mem::take(&mut acc.per);
    for (kiosk, steps) in std::mem::take(&mut acc.abandons) {
        let structure = kiosk_structure.get(&kiosk).cloned().unwrap_or_else(|| "Structure inconnue".into());
        let t = per.entry(structure.into_bytes()).or_default();
        for (step, n) in steps {
            t.abandons += n;
            *t.steps.entry(step).or_default() += n;
        }
    }
    let (capability_columns, missing) = match acc.cols.take() {
        Some(c) => (c.capabilities.into_iter().map(|(_, n)| n).collect(), c.missing),
        None => (Vec::new(), Vec::new()),
    };

    let mut total = Tally::default();
    let mut structures = Vec::new();
    let mut others: Option<(usize, Tally)> = None;
    let mut all: Vec<(String, Tally)> = per.into_iter().map(|(k, v)| (String::from_utf8_lossy(&k).into_owned(), v)).collect();
    all.sort_by(|a, b| b.1.visits.cmp(&a.1.visits).then(a.0.cmp(&b.0)));
    for (name, t) in all {
        total.add(&t);
        if t.visits >= min {
            structures.push((name, t));
        } else {
            let o = others.get_or_insert_with(Default::default);
            o.0 += 1;
            o.1.add(&t);
        }
    }
    let label = |q: &str, id: &str| dictionary.label(q, id);
    let (reach, reach_facts) = crate::department::reach::tables(&acc.reach, min, &label, &supply(&acc.reach));
    Ok(Data {
        reach,
        reach_facts,
        source: dir.display().to_string(),
        provenance,
        exports,
        kiosks: kiosk_structure.len(),
        first_date: acc.first_date,
        last_date: acc.last_date,
        generated: generated.to_string(),
        min,
        total,
        structures,
        others,
        dictionary,
        capability_columns,
        missing,
    })
}

// ---------------------------------------------------------------------------------------------
// Figures

/// One line of a figure: a category, its count (None when too small to show) and its share.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub id: String,
    pub label: String,
    pub count: Option<u64>,
    pub base: u64,
    pub share: Option<f64>,
}

/// A figure: a title, the base it counts on, and its lines.
#[derive(Debug, Clone)]
pub struct Figure {
    pub id: String,
    pub title: String,
    pub note: String,
    pub lines: Vec<Line>,
    /// Bars are shares (capabilities) rather than counts.
    pub shares: bool,
}

fn line(id: &str, label: String, n: u64, base: u64, min: u64) -> Line {
    let shown = n == 0 || n >= min;
    Line { id: id.to_string(), label, count: shown.then_some(n), base, share: (shown && base >= min && base > 0).then(|| n as f64 / base as f64) }
}

/// Shows a count as the report does ("< 5" when too small).
pub fn shown(l: &Line, min: u64) -> String {
    l.count.map(|n| n.to_string()).unwrap_or_else(|| format!("< {min}"))
}

/// The figures of one perimeter.
pub fn figures(d: &Data, t: &Tally, whole: bool) -> Vec<Figure> {
    let mut out = Vec::new();
    for ind in INDICATORS {
        if !whole && matches!(ind.id, "structure") {
            continue;
        }
        if d.missing.contains(&ind.id) {
            continue;
        }
        let base = if ind.id == "structure" || ind.id == "commune" || ind.id == "mois" { t.visits } else { t.asked.get(ind.id).copied().unwrap_or(0) };
        let Some(counts) = t.counts.get(ind.id) else { continue };
        let mut items: Vec<(&String, &u64)> = counts.iter().collect();
        match ind.order {
            Order::Count => items.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0))),
            Order::Value => items.sort(),
            Order::Dictionary => items.sort_by_key(|(v, _)| (d.dictionary.rank(ind.question, v), (*v).clone())),
        }
        let label = |v: &str| match ind.id {
            "structure" | "commune" | "mois" => month_label(ind.id, v),
            _ if v == NOT_ASSESSED => "Non évalué (trop peu de réponses)".to_string(),
            _ => d.dictionary.label(ind.question, v),
        };
        let mut lines: Vec<Line> = items.iter().map(|(v, n)| line(v, label(v), **n, base, d.min)).collect();
        if ind.id == "structure" {
            // Structures too small to show are not named.
            let small: u64 = lines.iter().filter(|l| l.count.is_none()).count() as u64;
            lines.retain(|l| l.count.is_some());
            if small > 0 {
                let n: u64 = counts.iter().filter(|(_, n)| **n < d.min).map(|(_, n)| n).sum();
                lines.push(line("", format!("Autres structures ({small}, moins de {} visites chacune)", d.min), n, base, d.min));
            }
        }
        let note = if ind.multi {
            format!("Plusieurs réponses possibles ; part des {} visites où la question a été posée.", base)
        } else {
            format!("Base : {base} visites.")
        };
        out.push(Figure { id: ind.id.to_string(), title: ind.title.to_string(), note, lines, shares: false });
    }
    // Capabilities: share of "je ne sais pas faire" among those who answered.
    let mut caps = Vec::new();
    for c in &d.capability_columns {
        let (known, unknown) = t.capabilities.get(c).copied().unwrap_or_default();
        let (q, row) = c.split_once('.').unwrap_or(("", c));
        caps.push(line(row, d.dictionary.label(q, row), unknown, known + unknown, d.min));
    }
    if !caps.is_empty() {
        out.push(Figure {
            id: "capacites".into(),
            title: "« Je ne sais pas faire » : part par capacité".into(),
            note: "Part des personnes qui ont répondu « je ne sais pas faire » ou « je ne sais pas ce que c'est », parmi celles qui ont répondu pour cette capacité.".into(),
            lines: caps,
            shares: true,
        });
    }
    // Abandons by step, in the questionnaire's order.
    let started = t.visits + t.abandons;
    let mut steps: Vec<(&String, &u64)> = t.steps.iter().collect();
    // A step is a question id, or `question/row` inside the capability grid.
    let question = |s: &str| s.split('/').next().unwrap_or(s).to_string();
    let pos = |s: &str| d.dictionary.questions.iter().position(|q| *q == question(s)).unwrap_or(usize::MAX);
    steps.sort_by_key(|(s, _)| (pos(s), d.dictionary.rank(&question(s), s.split('/').nth(1).unwrap_or("")), (*s).clone()));
    let step_label = |s: &str| match s.split_once('/') {
        Some((q, row)) => format!("{} — {}", d.dictionary.label("", q), d.dictionary.label(q, row)),
        None => d.dictionary.label("", s),
    };
    let mut lines = vec![line("", "Visites abandonnées (toutes étapes)".into(), t.abandons, started, d.min)];
    lines.extend(steps.iter().map(|(s, n)| line(s, step_label(s), **n, started, d.min)));
    out.push(Figure {
        id: "abandons".into(),
        title: "Abandons par étape".into(),
        note: format!("Part des {started} visites commencées (terminées ou abandonnées) ; l'étape est la dernière question affichée."),
        lines,
        shares: false,
    });
    // Visits ended early are counted apart: they are stored, with a partial profile.
    out.push(Figure {
        id: "interrompues".into(),
        title: "Visites terminées plus tôt (« On m'appelle »)".into(),
        note: "Part des visites terminées : appelée au guichet, la personne a gardé ses réponses ; son profil est partiel (établi sur les seules réponses données).".into(),
        lines: vec![line("", "Visites interrompues, profil partiel".into(), t.partial, t.visits, d.min)],
        shares: false,
    });
    out
}

fn month_label(id: &str, v: &str) -> String {
    if id != "mois" {
        return v.to_string();
    }
    const MONTHS: [&str; 12] = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
    match (v.get(..4), v.get(5..7).and_then(|m| m.parse::<usize>().ok())) {
        (Some(y), Some(m)) if (1..=12).contains(&m) => format!("{} {y}", MONTHS[m - 1]),
        _ => v.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// HTML

pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0).replace('.', ",")
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

/// A horizontal bar chart as inline SVG, with a text alternative.
fn svg(f: &Figure, min: u64, uid: &str) -> String {
    const W: f64 = 720.0;
    const LABEL: f64 = 300.0;
    const ROW: f64 = 24.0;
    let bar_w = W - LABEL - 110.0;
    let max = if f.shares { 1.0 } else { f.lines.iter().filter_map(|l| l.count).max().unwrap_or(1).max(1) as f64 };
    let h = ROW * f.lines.len() as f64 + 8.0;
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {W} {h}" width="{W}" height="{h}" role="img" aria-labelledby="{uid}-t" xmlns="http://www.w3.org/2000/svg"><title id="{uid}-t">{}</title>"#,
        esc(&f.title)
    );
    for (i, l) in f.lines.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let value = if f.shares { l.share } else { l.count.map(|n| n as f64) };
        let text = match (f.shares, l.count, l.share) {
            (_, None, _) => format!("< {min}"),
            (true, Some(_), Some(p)) => pct(p),
            (true, Some(_), None) => format!("base < {min}"),
            (false, Some(n), Some(p)) => format!("{n} ({})", pct(p)),
            (false, Some(n), None) => n.to_string(),
        };
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end" class="l"><title>{}</title>{}</text>"#,
            LABEL - 8.0,
            y + 16.0,
            esc(&l.label),
            esc(&short(&l.label, 42))
        );
        let w = value.map(|v| (v / max * bar_w).max(if v > 0.0 { 1.0 } else { 0.0 })).unwrap_or(0.0);
        let _ = write!(s, r#"<rect x="{LABEL}" y="{}" width="{w:.1}" height="{}" class="b"/>"#, y + 3.0, ROW - 8.0);
        let _ = write!(s, r#"<text x="{:.1}" y="{}" class="v">{}</text>"#, LABEL + w + 6.0, y + 16.0, esc(&text));
    }
    s.push_str("</svg>");
    s
}

fn table(f: &Figure, min: u64) -> String {
    let mut s = String::from(
        r#"<table class="data"><thead><tr><th scope="col">Catégorie</th><th scope="col">Effectif</th><th scope="col">Part</th></tr></thead><tbody>"#,
    );
    for l in &f.lines {
        let count = if f.shares {
            match l.count {
                Some(n) if l.base >= min => format!("{n} / {}", l.base),
                _ => format!("< {min}"),
            }
        } else {
            shown(l, min)
        };
        let share = l.share.map(pct).unwrap_or_else(|| "—".into());
        let _ = write!(s, r#"<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>"#, esc(&l.label), esc(&count), share);
    }
    s.push_str("</tbody></table>");
    s
}

fn section(d: &Data, t: &Tally, whole: bool, prefix: &str) -> String {
    let mut s = String::new();
    let started = t.visits + t.abandons;
    let abandon = if started >= d.min && (t.abandons == 0 || t.abandons >= d.min) { pct(t.abandons as f64 / started as f64) } else { "—".into() };
    let count = |n: u64| if n == 0 || n >= d.min { n.to_string() } else { format!("< {}", d.min) };
    let _ = write!(
        s,
        r#"<div class="cards"><div class="card"><b>{}</b>visites terminées</div><div class="card"><b>{}</b>visites abandonnées</div><div class="card"><b>{}</b>taux d'abandon</div></div>"#,
        count(t.visits),
        count(t.abandons),
        abandon
    );
    for (i, f) in figures(d, t, whole).iter().enumerate() {
        let uid = format!("{prefix}-{i}");
        let _ = write!(
            s,
            r#"<figure id="{uid}"><figcaption><h3>{}</h3><p class="note">{}</p></figcaption>{}<details open><summary>Les chiffres</summary>{}</details></figure>"#,
            esc(&f.title),
            esc(&f.note),
            svg(f, d.min, &uid),
            table(f, d.min)
        );
    }
    s
}

const STYLE: &str = r#"
body{font-family:"Atkinson Hyperlegible","DejaVu Sans",Arial,sans-serif;color:#111;margin:2em auto;max-width:980px;padding:0 1em;line-height:1.45}
h1{font-size:1.8em;margin-bottom:.2em}h2{border-bottom:3px solid #1d4e89;padding-bottom:.2em;margin-top:2em}h3{font-size:1.1em;margin:.2em 0}
.meta{color:#333}.note{color:#444;margin:.1em 0 .5em;font-size:.92em}
figure{margin:1.4em 0;break-inside:avoid;page-break-inside:avoid}
.chart{max-width:100%;height:auto}.chart .l{font-size:13px;fill:#111}.chart .v{font-size:13px;fill:#111}.chart .b{fill:#1d4e89}
table.data{border-collapse:collapse;margin:.5em 0;font-size:.92em}table.data th,table.data td{border:1px solid #999;padding:.2em .6em;text-align:left}
table.data td{text-align:right}details summary{cursor:pointer;color:#1d4e89}
.cards{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0}.card{border:2px solid #1d4e89;border-radius:8px;padding:.6em 1em;min-width:10em}.card b{display:block;font-size:1.6em}
nav ul{columns:2}.rule{background:#f3f3f3;border-left:4px solid #1d4e89;padding:.6em 1em}
@media print{body{margin:0;max-width:none}details>summary{display:none}h2{break-before:page}h2.first{break-before:auto}a{color:inherit;text-decoration:none}}
"#;

/// The whole HTML file.
pub fn html(d: &Data) -> String {
    let mut s = String::new();
    let period = if d.first_date.is_empty() { "aucune visite".to_string() } else { format!("du {} au {}", fr_date(&d.first_date), fr_date(&d.last_date)) };
    let _ = write!(
        s,
        r##"<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Positionnement numérique — rapport</title><style>{STYLE}</style></head><body>
<header><h1>Positionnement numérique : rapport</h1>
<p class="meta">{} {}, {}, {}, {}. Données : {}. Rapport du {}.</p>
<p class="rule">Protection des personnes : aucun effectif de moins de {} n'est affiché (« &lt; {} ») ; les structures de moins de {} visites sont regroupées.</p>
<p class="rule">{}</p></header>
<nav><h2 class="first">Sommaire</h2><ul><li><a href="#ensemble">Ensemble</a></li>"##,
        d.total.visits,
        if d.total.visits < 2 { "visite terminée" } else { "visites terminées" },
        plural(d.exports, "export"),
        plural(d.kiosks, "borne"),
        period,
        esc(&d.source),
        esc(&d.generated),
        d.min,
        d.min,
        d.min,
        esc(&d.provenance)
    );
    for (i, (name, t)) in d.structures.iter().enumerate() {
        let _ = write!(s, r##"<li><a href="#s{i}">{} ({} visites)</a></li>"##, esc(name), t.visits);
    }
    if let Some((n, _)) = &d.others {
        let _ = write!(s, r##"<li><a href="#autres">Autres structures ({n})</a></li>"##);
    }
    s.push_str(r##"<li><a href="#atteints">Qui a été atteint ? Où est la fragilité ?</a></li></ul></nav>"##);
    let _ = write!(s, r#"<section id="ensemble"><h2>Ensemble</h2>{}</section>"#, section(d, &d.total, true, "e"));
    let _ = write!(
        s,
        r#"<section id="atteints"><h2>Qui a été atteint ? Où est la fragilité ?</h2>{}</section>"#,
        crate::department::reach::html(&d.reach, &d.reach_facts, d.min, esc)
    );
    for (i, (name, t)) in d.structures.iter().enumerate() {
        let _ = write!(s, r#"<section id="s{i}"><h2>{}</h2>{}</section>"#, esc(name), section(d, t, false, &format!("s{i}")));
    }
    if let Some((n, t)) = &d.others {
        let _ = write!(
            s,
            r#"<section id="autres"><h2>Autres structures</h2><p class="note">{n} structures de moins de {} visites chacune, ensemble.</p>{}</section>"#,
            d.min,
            section(d, t, false, "a")
        );
    }
    if !d.missing.is_empty() {
        let _ = write!(s, r#"<p class="note">Absent de ces données (autre version du questionnaire) : {}.</p>"#, esc(&d.missing.join(", ")));
    }
    s.push_str("<footer><p class=\"note\">Produit par Passerelle (GPL-3.0-or-later). Les mêmes chiffres sont dans le fichier CSV à côté de ce rapport.</p></footer></body></html>\n");
    s
}

fn fr_date(iso: &str) -> String {
    match (iso.get(..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

/// The same figures as CSV rows (perimeter, indicator, category id, label, count, base, share).
pub fn csv_rows(d: &Data) -> Vec<[String; 7]> {
    let mut rows = Vec::new();
    let mut add = |perimeter: &str, t: &Tally, whole: bool| {
        for f in figures(d, t, whole) {
            for l in &f.lines {
                rows.push([
                    perimeter.to_string(),
                    f.id.clone(),
                    l.id.clone(),
                    l.label.clone(),
                    if f.shares && l.base < d.min { format!("< {}", d.min) } else { shown(l, d.min) },
                    if l.base == 0 || l.base >= d.min { l.base.to_string() } else { format!("< {}", d.min) },
                    l.share.map(|p| format!("{:.4}", p)).unwrap_or_default(),
                ]);
            }
        }
    };
    add("Ensemble", &d.total, true);
    for (name, t) in &d.structures {
        add(name, t, false);
    }
    if let Some((_, t)) = &d.others {
        add("Autres structures", t, false);
    }
    rows.extend(crate::department::reach::csv_rows(&d.reach));
    rows
}

/// `passerelle report DIR --out FILE.html`: checks the package, writes the HTML and the CSV next to
/// it (same name, `.csv`). Both are written to temporary files and renamed.
pub fn write(dir: &Path, out: &Path, min: u64, generated: &str) -> Result<(std::path::PathBuf, Data)> {
    write_trusted(dir, out, min, generated, None)
}

/// [`write`], checking the package's signature against trusted keys when given.
pub fn write_trusted(
    dir: &Path,
    out: &Path,
    min: u64,
    generated: &str,
    keys: Option<&crate::shared::signing::TrustedKeys>,
) -> Result<(std::path::PathBuf, Data)> {
    if min < MIN_COUNT {
        bail!("the smallest count shown cannot be under {MIN_COUNT}");
    }
    let data = collect_trusted(dir, min, generated, keys)?;
    let csv_path = out.with_extension("csv");
    let html = html(&data);
    let mut buf = crate::kiosk::export::BOM.to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        w.write_record(["perimetre", "indicateur", "categorie", "libelle", "effectif", "base", "part"])?;
        for r in csv_rows(&data) {
            w.write_record(r.iter().map(|c| crate::shared::spreadsheet::protect(c.as_ref()).into_owned()))?;
        }
        w.flush()?;
    }
    // The same figures as a spreadsheet (a comma CSV opens as one column in French Excel).
    let header = ["perimetre", "indicateur", "categorie", "libelle", "effectif", "base", "part"];
    let mut book = crate::shared::xlsx::Book::new();
    book.sheet("rapport", &header, vec![false, false, false, false, true, true, true]).map_err(anyhow::Error::msg)?;
    for r in csv_rows(&data) {
        book.row(&r).map_err(anyhow::Error::msg)?;
    }
    let xlsx = book.bytes().map_err(anyhow::Error::msg)?;
    atomic_write(out, html.as_bytes())?;
    atomic_write(&csv_path, &buf)?;
    atomic_write(&out.with_extension("xlsx"), &xlsx)?;
    Ok((csv_path, data))
}

fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("{}.partial", path.extension().and_then(|e| e.to_str()).unwrap_or("tmp")));
    let mut f = File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
