//! The report's one pass over a package: every visit, abandon and pickup counted into atoms,
//! per kiosk, as keys of [`crate::secrecy`] (`borne = k`, `quartier = Colombes/la_caravelle`,
//! `fragile = 1`…). Any figure of the report is then a sum of atoms ([`Store::value`]).

use crate::report::{Dictionary, INDICATORS, KNOWN, Kiosk, NOT_ASKED, NOT_ASSESSED, UNFAMILIAR, UNKNOWN};
use crate::secrecy::Key;
use passerelle_package::pickup_table::PickupRow;
use passerelle_package::schema::Field;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A visit is **fragile** when its autonomy is not `autonome` (fully or partly accompanied), or
/// it has no device (`materiel = aucun`), or no internet at home (`acces_internet = non`).
pub fn fragile(autonomie: &str, materiel: &str, internet: &str) -> bool {
    matches!(autonomie, "entierement_accompagne" | "partiellement_autonome") || materiel == "aucun" || internet == "non"
}

/// Counts of atoms, per set of dimensions (each with `pop` and `borne`).
#[derive(Debug, Default)]
pub struct Store {
    sets: HashMap<Vec<String>, HashMap<Vec<String>, u64>>,
    /// While counting: the dimensions and the values each joined in one string, so that a key
    /// already seen costs no allocation (a million visits make about 40 million additions);
    /// [`Store::settle`] moves them into `sets`.
    counting: FxHashMap<String, FxHashMap<String, u64>>,
    dims_buf: String,
    values_buf: String,
}

/// Joins the dimensions or values of a key while counting (a character no value holds).
const SEP: char = '\u{1f}';

impl Store {
    /// One more of the key made of the conditions `a` and `b` (no allocation for a key already
    /// counted with up to 8 conditions: the counting pass's hot path).
    pub fn add_pairs<'a>(&mut self, a: &[(&'a str, &'a str)], b: &[(&'a str, &'a str)]) {
        let n = a.len() + b.len();
        let mut stack = [("", ""); 8];
        let mut heap;
        let pairs: &mut [(&str, &str)] = if n <= stack.len() {
            for (slot, p) in stack.iter_mut().zip(a.iter().chain(b)) {
                *slot = *p;
            }
            &mut stack[..n]
        } else {
            heap = a.iter().chain(b).copied().collect::<Vec<_>>();
            &mut heap
        };
        pairs.sort_unstable_by(|x, y| x.0.cmp(y.0));
        self.count_sorted(pairs);
    }

    fn count_sorted(&mut self, conds: &[(&str, &str)]) {
        self.dims_buf.clear();
        self.values_buf.clear();
        for (i, (d, v)) in conds.iter().enumerate() {
            if i > 0 {
                self.dims_buf.push(SEP);
                self.values_buf.push(SEP);
            }
            self.dims_buf.push_str(d);
            self.values_buf.push_str(v);
        }
        if !self.counting.contains_key(self.dims_buf.as_str()) {
            self.counting.insert(self.dims_buf.clone(), FxHashMap::default());
        }
        let set = self.counting.get_mut(self.dims_buf.as_str()).expect("inserted above");
        if let Some(n) = set.get_mut(self.values_buf.as_str()) {
            *n += 1;
        } else {
            set.insert(self.values_buf.clone(), 1);
        }
    }

    /// Ends the counting: every key counted is readable by [`Store::value`] and
    /// [`Store::domain`].
    pub fn settle(&mut self) {
        // No key is without dimensions (every one has `pop` and `borne`); a value may be empty.
        let split = |s: &str| s.split(SEP).map(str::to_string).collect::<Vec<_>>();
        for (dims, atoms) in std::mem::take(&mut self.counting) {
            let set = self.sets.entry(split(&dims)).or_default();
            for (values, n) in atoms {
                *set.entry(split(&values)).or_default() += n;
            }
        }
    }

    /// The count of a key: the sum of the atoms it covers (a group value covers its members, a
    /// missing dimension every value).
    pub fn value(&self, key: &Key) -> u64 {
        debug_assert!(self.counting.is_empty(), "Store::settle before reading");
        let want: Vec<&str> = key.0.iter().map(|(d, _)| d.as_str()).collect();
        let best = self.sets.iter().filter(|(dims, _)| want.iter().all(|w| dims.iter().any(|d| d == w))).min_by_key(|(dims, _)| (dims.len(), (*dims).clone()));
        let Some((dims, atoms)) = best else { return 0 };
        let pos: Vec<(usize, Vec<&str>)> =
            key.0.iter().map(|(d, v)| (dims.iter().position(|x| x == d).expect("a dimension of the set"), v.split('|').collect())).collect();
        atoms.iter().filter(|(vals, _)| pos.iter().all(|(i, allowed)| allowed.contains(&vals[*i].as_str()))).map(|(_, n)| n).sum()
    }

    /// The values seen for a dimension.
    pub fn domain(&self, dim: &str) -> BTreeSet<String> {
        debug_assert!(self.counting.is_empty(), "Store::settle before reading");
        let mut out = BTreeSet::new();
        for (dims, atoms) in &self.sets {
            if let Some(i) = dims.iter().position(|d| d == dim) {
                out.extend(atoms.keys().map(|v| v[i].clone()));
            }
        }
        out
    }
}

/// One row of exports.csv (or the export's own `datapackage.json`).
#[derive(Debug, Clone, Default)]
pub struct ExportRow {
    pub kiosk: String,
    pub structure: String,
    pub commune: String,
    pub path: String,
    pub order: String,
}

#[derive(Default)]
struct Cols {
    kiosk: Option<usize>,
    structure: Option<usize>,
    visit: Option<usize>,
    date: Option<usize>,
    commune: Option<usize>,
    quartier: Option<usize>,
    quartier_commune: Option<usize>,
    autonomie: Option<usize>,
    materiel: Option<usize>,
    internet: Option<usize>,
    age: Option<usize>,
    genre: Option<usize>,
    handicap: Option<usize>,
    equipement: Option<usize>,
    flags: Option<usize>,
    partial: Option<usize>,
    indicators: Vec<Option<usize>>,
    /// Per indicator: its "asked" and "among the answers" dimensions (`freins?`, `freins+`).
    multi_dims: Vec<(String, String)>,
    /// Capability columns and their dimension (`cap:capacites.row`).
    capabilities: Vec<(usize, String)>,
}

fn cell(rec: &csv::ByteRecord, c: Option<usize>) -> &str {
    c.and_then(|c| std::str::from_utf8(&rec[c]).ok()).unwrap_or("")
}

/// A value safe in a key (`|` separates a group's members).
fn atom(v: &str) -> std::borrow::Cow<'_, str> {
    if v.is_empty() {
        NOT_ASKED.into()
    } else if v.contains('|') {
        v.replace('|', "/").into()
    } else {
        v.into()
    }
}

/// Everything the pass gathers.
#[derive(Default)]
pub struct Acc {
    cols: Option<Cols>,
    pub store: Store,
    pub dictionary: Dictionary,
    pub export_rows: Vec<ExportRow>,
    /// kiosk → (structure, commune), from the visits.
    seen: BTreeMap<String, (String, String)>,
    pub visits: u64,
    pub first_date: String,
    pub last_date: String,
    pub missing: Vec<&'static str>,
    /// Capability columns `question.row`, in the export's order.
    pub capabilities: Vec<String>,
    /// The communes of the kiosks and of the visitors' neighbourhoods.
    pub communes: BTreeSet<String>,
    /// The pickups of the package (none for a kiosk's export), by (kiosk, visit).
    pickups: HashMap<(String, String), (Vec<PickupRow>, bool)>,
    pub has_pickups: bool,
    /// kiosk → days from the visit to its first pickup → visits.
    pub delays: BTreeMap<String, BTreeMap<i64, u64>>,
    /// Pickups dated before their visit (a wrong clock): not in the delays.
    pub early: u64,
    /// The pickups whose visit is not in the data.
    pub orphans: u64,
    /// (commune, neighbourhood id) of each neighbourhood atom.
    pub neighbourhoods: BTreeMap<String, (String, String)>,
}

impl Acc {
    pub fn pickups(&mut self, rows: Vec<PickupRow>) {
        self.has_pickups = true;
        for p in rows {
            self.pickups.entry((p.kiosk_id.clone(), p.visit_id.clone())).or_default().0.push(p);
        }
    }

    pub fn row(&mut self, table: &str, fields: &[Field], rec: &csv::ByteRecord) {
        let col = |n: &str| fields.iter().position(|f| f.name == n);
        let text = |c: Option<usize>| c.map(|c| String::from_utf8_lossy(&rec[c]).into_owned()).unwrap_or_default();
        match table {
            "visits" => self.visit(fields, rec),
            "dictionnaire" => self.dictionary.add(fields, rec),
            "exports" => self.export_rows.push(ExportRow {
                kiosk: text(col("kiosk_id")),
                structure: text(col("structure")),
                commune: text(col("commune")),
                path: text(col("path").or(col("parcours"))),
                order: text(col("order").or(col("ordre"))),
            }),
            "abandons" => {
                let kiosk = text(col("kiosk_id"));
                let step = text(col("step"));
                let common = [("pop", "visite"), ("issue", "abandon"), ("borne", kiosk.as_str())];
                self.store.add_pairs(&[], &common);
                self.store.add_pairs(&[("etape", &atom(&step))], &common);
            }
            _ => {}
        }
    }

    fn visit(&mut self, fields: &[Field], rec: &csv::ByteRecord) {
        if self.cols.is_none() {
            let col = |n: &str| fields.iter().position(|f| f.name == n);
            let indicators: Vec<Option<usize>> = INDICATORS.iter().map(|i| col(i.column)).collect();
            self.missing = INDICATORS.iter().zip(&indicators).filter(|(_, c)| c.is_none()).map(|(i, _)| i.id).collect();
            let capabilities: Vec<(usize, String)> = fields
                .iter()
                .enumerate()
                .filter(|(_, f)| f.name.contains('.') && !f.name.starts_with(passerelle_package::format::PROFILE_PREFIX))
                .map(|(i, f)| (i, f.name.clone()))
                .collect();
            self.capabilities = capabilities.iter().map(|c| c.1.clone()).collect();
            let capabilities = capabilities.into_iter().map(|(i, n)| (i, cap(&n))).collect();
            self.cols = Some(Cols {
                kiosk: col("kiosk_id"),
                structure: col("structure"),
                visit: col("visit_id"),
                date: col("local_date"),
                commune: col("commune"),
                quartier: col("quartier"),
                quartier_commune: col("quartier_commune"),
                autonomie: col("profil.autonomie"),
                materiel: col("profil.materiel"),
                internet: col("acces_internet"),
                age: col("profil.tranche_age"),
                genre: col("profil.genre"),
                handicap: col("handicap"),
                equipement: col("recherche_equipement"),
                flags: col("profil.flags"),
                partial: col(passerelle_package::format::PARTIAL_COLUMN),
                indicators,
                multi_dims: INDICATORS.iter().map(|i| (format!("{}?", i.id), plus(i.id))).collect(),
                capabilities,
            });
        }
        let c = self.cols.as_ref().expect("columns found");
        let kiosk = cell(rec, c.kiosk).to_string();
        let date = cell(rec, c.date).to_string();
        let commune = cell(rec, c.commune).to_string();
        if !self.seen.contains_key(&kiosk) {
            self.seen.insert(kiosk.clone(), (cell(rec, c.structure).to_string(), commune.clone()));
            self.communes.insert(commune.clone());
        }
        self.visits += 1;
        if !date.is_empty() && (self.first_date.is_empty() || date < self.first_date) {
            self.first_date = date.clone();
        }
        if date > self.last_date {
            self.last_date = date.clone();
        }
        let autonomie = match cell(rec, c.autonomie) {
            "" => NOT_ASSESSED.to_string(),
            a => atom(a).into_owned(),
        };
        // Handoff: the first pickup of the visit; a pickup dated before its visit is counted
        // apart (a kiosk's or a mediator's clock was wrong), never as 0 days.
        let picked = match self.pickups.get_mut(&(kiosk.clone(), cell(rec, c.visit).to_string())) {
            Some((rows, matched)) => {
                *matched = true;
                let first = rows.iter().map(|p| p.local_date.clone()).min().unwrap_or_default();
                if let (Ok(v), Ok(d)) = (chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d"), chrono::NaiveDate::parse_from_str(&first, "%Y-%m-%d")) {
                    let days = (d - v).num_days();
                    if days < 0 {
                        self.early += 1;
                    } else {
                        *self.delays.entry(kiosk.clone()).or_default().entry(days).or_default() += 1;
                    }
                }
                for p in rows.iter() {
                    let outcome = if p.outcome.is_empty() { "non_renseignee" } else { p.outcome.as_str() };
                    self.store.add_pairs(&[("pop", "prise"), ("apparie", "1"), ("borne", &kiosk)], &[("receveur", &p.structure_id), ("suite", outcome)]);
                }
                true
            }
            None => false,
        };
        let f = fragile(&autonomie, cell(rec, c.materiel), cell(rec, c.internet));
        let quartier = match cell(rec, c.quartier) {
            "" => NOT_ASKED.to_string(),
            q => {
                let qc = match cell(rec, c.quartier_commune) {
                    "" => commune.clone(),
                    x => x.to_string(),
                };
                self.communes.insert(qc.clone());
                let a = format!("{}/{}", atom(&qc), atom(q));
                self.neighbourhoods.entry(a.clone()).or_insert((qc, q.to_string()));
                a
            }
        };
        let flag = |b: bool| if b { "1" } else { "0" };
        let month = atom(date.get(..7).unwrap_or(""));
        let (age, genre, equipement) = (atom(cell(rec, c.age)), atom(cell(rec, c.genre)), atom(cell(rec, c.equipement)));
        let common = [("pop", "visite"), ("issue", "terminee"), ("borne", kiosk.as_str())];
        let (q, a) = (quartier.as_str(), autonomie.as_str());
        let store = &mut self.store;
        let mut add = |extra: &[(&str, &str)]| store.add_pairs(extra, &common);
        add(&[]);
        add(&[("quartier", q), ("fragile", flag(f))]);
        add(&[("quartier", q), ("pris", flag(picked))]);
        add(&[("autonomie", a), ("pris", flag(picked))]);
        add(&[("autonomie", a), ("fragile", flag(f))]);
        add(&[("mois", &month), ("fragile", flag(f))]);
        add(&[("age", &age), ("autonomie", a)]);
        add(&[("genre", &genre), ("autonomie", a)]);
        add(&[("fait", flag(cell(rec, c.flags).split('|').any(|x| x == "fait_a_sa_place")))]);
        add(&[("interrompu", flag(c.partial.is_some_and(|p| !rec[p].is_empty())))]);
        add(&[("recherche_equipement", &equipement)]);
        add(&[("handicap?", flag(!cell(rec, c.handicap).is_empty()))]);
        for h in cell(rec, c.handicap).split('|').filter(|s| !s.is_empty()) {
            add(&[("handicap+", &atom(h))]);
        }
        for ((ind, col), (asked, among)) in INDICATORS.iter().zip(&c.indicators).zip(&c.multi_dims) {
            let Some(col) = col else { continue };
            let v = std::str::from_utf8(&rec[*col]).unwrap_or("");
            if ind.id == "autonomie" {
                continue;
            }
            if ind.multi {
                add(&[(asked.as_str(), flag(!v.is_empty()))]);
                for x in v.split('|').filter(|s| !s.is_empty()) {
                    add(&[(among.as_str(), &atom(x))]);
                }
            } else if ind.id == "mois" {
                add(&[("mois", &month)]);
            } else {
                add(&[(ind.id, &atom(v))]);
            }
        }
        add(&[("autonomie", a)]);
        for (col, name) in &c.capabilities {
            let v = &rec[*col];
            let level = if v == KNOWN.as_bytes() {
                "sait"
            } else if v == UNKNOWN.as_bytes() || v == UNFAMILIAR.as_bytes() {
                "ne_sait"
            } else {
                "sans"
            };
            add(&[(name.as_str(), level)]);
        }
    }

    /// After the pass: the pickups whose visit is not in the data; then the counts are settled
    /// for reading.
    pub fn finish(&mut self) {
        for (rows, matched) in self.pickups.values() {
            if !matched {
                for p in rows {
                    self.orphans += 1;
                    let outcome = if p.outcome.is_empty() { "non_renseignee" } else { p.outcome.as_str() };
                    self.store.add_pairs(&[("pop", "prise"), ("apparie", "0"), ("borne", &p.kiosk_id)], &[("receveur", &p.structure_id), ("suite", outcome)]);
                }
            }
        }
        self.store.settle();
    }

    /// The kiosks with visits or abandons, largest first, named by their structure.
    pub fn kiosk_list(&self) -> Vec<Kiosk> {
        let mut ids: BTreeSet<String> = self.store.domain("borne");
        ids.extend(self.seen.keys().cloned());
        let base = Key::new(&[("pop", "visite"), ("issue", "terminee")]);
        let mut out: Vec<Kiosk> = ids
            .into_iter()
            .filter(|k| !k.is_empty() && self.store.value(&Key::new(&[("pop", "visite"), ("borne", k)])) > 0)
            .map(|id| {
                let row = self.export_rows.iter().find(|r| r.kiosk == id);
                let (structure, commune) = self
                    .seen
                    .get(&id)
                    .cloned()
                    .or_else(|| row.map(|r| (r.structure.clone(), r.commune.clone())))
                    .unwrap_or_else(|| ("Structure inconnue".into(), String::new()));
                let known = |v: Option<&String>| v.filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| "inconnu".into());
                Kiosk { path: known(row.map(|r| &r.path)), order: known(row.map(|r| &r.order)), id, structure, commune, label: String::new() }
            })
            .collect();
        out.sort_by_key(|k| (std::cmp::Reverse(self.store.value(&base.with("borne", &k.id))), k.id.clone()));
        // A structure's name, numbered when it has several kiosks.
        let mut count: HashMap<String, usize> = HashMap::new();
        for k in &out {
            *count.entry(k.structure.clone()).or_default() += 1;
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for k in &mut out {
            let n = seen.entry(k.structure.clone()).or_default();
            *n += 1;
            k.label = if count[&k.structure] > 1 { format!("{} (borne {n})", k.structure) } else { k.structure.clone() };
        }
        out
    }
}

/// The "among the answers" dimension of a multiple question.
pub fn plus(q: &str) -> String {
    format!("{q}+")
}

/// The dimension of a capability row.
pub fn cap(column: &str) -> String {
    format!("cap:{column}")
}

// Words and numbers of the report's tables.

pub(crate) fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The median of a histogram of days.
pub fn median(days: &BTreeMap<i64, u64>) -> Option<f64> {
    let n: u64 = days.values().sum();
    if n == 0 {
        return None;
    }
    let at = |k: u64| {
        let mut seen = 0;
        for (d, c) in days {
            seen += c;
            if seen > k {
                return *d as f64;
            }
        }
        0.0
    };
    Some(if n % 2 == 1 { at(n / 2) } else { (at(n / 2 - 1) + at(n / 2)) / 2.0 })
}

pub fn month_label(v: &str) -> String {
    const MONTHS: [&str; 12] = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
    match (v.get(..4), v.get(5..7).and_then(|m| m.parse::<usize>().ok())) {
        (Some(y), Some(m)) if (1..=12).contains(&m) => format!("{} {y}", MONTHS[m - 1]),
        _ => v.to_string(),
    }
}
