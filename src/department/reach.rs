//! The report's answers to "who was reached?" and "where is digital fragility?": the handoff rate
//! (« taux de prise en charge »: finished visits picked up by a mediator) overall, per kiosk and
//! per autonomy level, with the days to the pickup and its outcomes; the fragility rate
//! (docs/scale.md) per neighbourhood, per commune and month by month; needs against supply; age
//! and gender by autonomy, disability, equipment need, "fait à sa place". Every table goes
//! through [`crate::department::suppression`]: no count from 1 to `min - 1` is shown or can be
//! recomputed from its row, its column and their totals.
//!
//! Visits are read once, row by row, with the report's pass; the pickups (at most one per visit
//! and structure) are held in memory to be matched with their visits.

use crate::department::suppression::{rates, suppress};
use std::collections::{BTreeMap, HashMap};

/// A visit is **fragile** when its autonomy is not `autonome` (fully or partly accompanied), or
/// it has no device (`materiel = aucun`), or no internet at home (`acces_internet = non`).
pub fn fragile(autonomie: &str, materiel: &str, internet: &str) -> bool {
    matches!(autonomie, "entierement_accompagne" | "partiellement_autonome") || materiel == "aucun" || internet == "non"
}

/// What a hidden cell shows.
pub const SECRET: &str = "s";

#[derive(Debug, Default)]
struct Pickup {
    first: String,
    outcomes: Vec<String>,
    matched: bool,
}

/// One table of the report, cells already formatted ([`SECRET`] when hidden).
#[derive(Debug, Clone)]
pub struct Table {
    pub id: String,
    pub title: String,
    pub note: String,
    pub columns: Vec<String>,
    /// (id, label, cells).
    pub rows: Vec<(String, String, Vec<String>)>,
    /// A bar per row: its share (None when hidden), for rate tables.
    pub bars: Vec<Option<f64>>,
}

#[derive(Default)]
struct Cols {
    kiosk: Option<usize>,
    visit: Option<usize>,
    date: Option<usize>,
    commune: Option<usize>,
    quartier: Option<usize>,
    autonomie: Option<usize>,
    materiel: Option<usize>,
    internet: Option<usize>,
    services: Option<usize>,
    age: Option<usize>,
    genre: Option<usize>,
    handicap: Option<usize>,
    equipement: Option<usize>,
    flags: Option<usize>,
}

/// (part, whole) counters.
type Pair = (u64, u64);

/// The accumulator, fed with every visit row.
#[derive(Default)]
pub struct ReachAcc {
    pickups: HashMap<(String, String), Pickup>,
    pub has_pickups: bool,
    cols: Option<Cols>,
    kiosks: BTreeMap<String, Pair>,
    autonomy: BTreeMap<String, Pair>,
    total: Pair,
    days: BTreeMap<i64, u64>,
    quartier: BTreeMap<String, Pair>,
    commune: BTreeMap<String, Pair>,
    month: BTreeMap<String, Pair>,
    services: BTreeMap<String, u64>,
    age: BTreeMap<(String, String), u64>,
    genre: BTreeMap<(String, String), u64>,
    handicap: BTreeMap<String, u64>,
    handicap_asked: u64,
    equipement: BTreeMap<String, u64>,
    fait: Pair,
}

fn cell<'a>(rec: &'a csv::ByteRecord, c: Option<usize>) -> &'a str {
    c.and_then(|c| std::str::from_utf8(&rec[c]).ok()).unwrap_or("")
}

fn bump(m: &mut BTreeMap<String, Pair>, k: &str, part: bool) {
    let e = m.entry(k.to_string()).or_default();
    e.1 += 1;
    if part {
        e.0 += 1;
    }
}

impl ReachAcc {
    /// With the pickups of the package (none for a kiosk's export).
    pub fn new(pickups: Vec<crate::department::pickup_merge::PickupRow>, has_pickups: bool) -> ReachAcc {
        let mut map: HashMap<(String, String), Pickup> = HashMap::new();
        for p in pickups {
            let e = map.entry((p.kiosk_id, p.visit_id)).or_default();
            if e.first.is_empty() || p.local_date < e.first {
                e.first = p.local_date;
            }
            e.outcomes.push(if p.outcome.is_empty() { "non_renseignee".into() } else { p.outcome });
        }
        ReachAcc { pickups: map, has_pickups, ..Default::default() }
    }

    pub fn visit(&mut self, fields: &[crate::department::package::Field], rec: &csv::ByteRecord) {
        let c = self.cols.get_or_insert_with(|| {
            let col = |n: &str| fields.iter().position(|f| f.name == n);
            Cols {
                kiosk: col("kiosk_id"),
                visit: col("visit_id"),
                date: col("local_date"),
                commune: col("commune"),
                quartier: col("quartier"),
                autonomie: col("profil.autonomie"),
                materiel: col("profil.materiel"),
                internet: col("acces_internet"),
                services: col("profil.services"),
                age: col("profil.tranche_age"),
                genre: col("profil.genre"),
                handicap: col("handicap"),
                equipement: col("recherche_equipement"),
                flags: col("profil.flags"),
            }
        });
        let (kiosk, visit, date) = (cell(rec, c.kiosk), cell(rec, c.visit), cell(rec, c.date));
        let autonomie = match cell(rec, c.autonomie) {
            "" => "non_evalue",
            a => a,
        };
        // Handoff.
        let picked = match self.pickups.get_mut(&(kiosk.to_string(), visit.to_string())) {
            Some(p) => {
                p.matched = true;
                if let (Ok(v), Ok(d)) = (chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d"), chrono::NaiveDate::parse_from_str(&p.first, "%Y-%m-%d")) {
                    *self.days.entry((d - v).num_days().max(0)).or_default() += 1;
                }
                true
            }
            None => false,
        };
        bump(&mut self.kiosks, kiosk, picked);
        bump(&mut self.autonomy, autonomie, picked);
        self.total.1 += 1;
        self.total.0 += u64::from(picked);
        // Fragility.
        let f = fragile(autonomie, cell(rec, c.materiel), cell(rec, c.internet));
        let quartier = match cell(rec, c.quartier) {
            "" => "non_renseigne",
            q => q,
        };
        bump(&mut self.quartier, quartier, f);
        bump(&mut self.commune, cell(rec, c.commune), f);
        bump(&mut self.month, &date[..date.len().min(7)], f);
        // Needs, people.
        for s in cell(rec, c.services).split('|').filter(|s| !s.is_empty()) {
            *self.services.entry(s.to_string()).or_default() += 1;
        }
        let or_nc = |v: &str| if v.is_empty() { "non_communique".to_string() } else { v.to_string() };
        *self.age.entry((or_nc(cell(rec, c.age)), autonomie.to_string())).or_default() += 1;
        *self.genre.entry((or_nc(cell(rec, c.genre)), autonomie.to_string())).or_default() += 1;
        let h = cell(rec, c.handicap);
        if !h.is_empty() {
            self.handicap_asked += 1;
            for v in h.split('|') {
                *self.handicap.entry(v.to_string()).or_default() += 1;
            }
        }
        let e = cell(rec, c.equipement);
        if !e.is_empty() {
            *self.equipement.entry(e.to_string()).or_default() += 1;
        }
        self.fait.1 += 1;
        if cell(rec, c.flags).split('|').any(|x| x == "fait_a_sa_place") {
            self.fait.0 += 1;
        }
    }
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

/// A rate table: rows of (part, whole), then the total row.
fn rate_table(id: &str, title: &str, note: &str, heads: [&str; 3], rows: Vec<(String, String, Pair)>, min: u64) -> Table {
    let pairs: Vec<Pair> = rows.iter().map(|r| r.2).collect();
    let (flags, tflags) = rates(&pairs, min);
    let total = pairs.iter().fold((0, 0), |a, p| (a.0 + p.0, a.1 + p.1));
    let mut out =
        Table { id: id.into(), title: title.into(), note: note.into(), columns: heads.iter().map(|s| s.to_string()).collect(), rows: vec![], bars: vec![] };
    for ((rid, label, (k, n)), (ks, ns)) in
        rows.into_iter().map(|r| (r.0, r.1, r.2)).zip(flags).chain(std::iter::once((("".into(), "Ensemble".into(), total), tflags)))
    {
        let share = (ks && ns && n > 0).then(|| k as f64 / n as f64);
        out.rows.push((
            rid,
            label,
            vec![
                if ns { n.to_string() } else { SECRET.into() },
                if ks { k.to_string() } else { SECRET.into() },
                share.map(pct).unwrap_or_else(|| SECRET.into()),
            ],
        ));
        out.bars.push(share);
    }
    out
}

/// A table of counts by (row, column), with its totals.
fn cross_table(
    id: &str,
    title: &str,
    note: &str,
    rows: &[(String, String)],
    cols: &[(String, String)],
    counts: &BTreeMap<(String, String), u64>,
    min: u64,
) -> Table {
    let mut m: Vec<Vec<u64>> =
        rows.iter().map(|(r, _)| cols.iter().map(|(c, _)| counts.get(&(r.clone(), c.clone())).copied().unwrap_or(0)).collect()).collect();
    for r in &mut m {
        r.push(r.iter().sum());
    }
    let totals: Vec<u64> = (0..=cols.len()).map(|j| m.iter().map(|r| r[j]).sum()).collect();
    m.push(totals);
    let shown = suppress(&m, min);
    let mut columns: Vec<String> = cols.iter().map(|c| c.1.clone()).collect();
    columns.push("Ensemble".into());
    let labels = rows.iter().map(|r| (r.0.clone(), r.1.clone())).chain(std::iter::once((String::new(), "Ensemble".to_string())));
    let rows = labels
        .zip(m.iter().zip(&shown))
        .map(|((id, label), (vals, s))| (id, label, vals.iter().zip(s).map(|(v, s)| if *s { v.to_string() } else { SECRET.into() }).collect()))
        .collect();
    Table { id: id.into(), title: title.into(), note: note.into(), columns, rows, bars: vec![] }
}

/// A one-column table of counts with its total.
fn count_table(id: &str, title: &str, note: &str, head: &str, rows: Vec<(String, String, u64)>, total: u64, min: u64) -> Table {
    let keys: Vec<(String, String)> = rows.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
    let counts: BTreeMap<(String, String), u64> = rows.iter().map(|r| ((r.0.clone(), "n".to_string()), r.2)).collect();
    let mut t = cross_table(id, title, note, &keys, &[("n".into(), head.into())], &counts, min);
    // One column: its "Ensemble" column repeats it.
    for r in &mut t.rows {
        r.2.truncate(1);
    }
    t.columns.truncate(1);
    if let Some(last) = t.rows.last_mut() {
        // The base (visits where it was asked) may differ from the sum (several answers).
        if total != counts.values().sum::<u64>() {
            last.2[0] = if total == 0 || total >= min { total.to_string() } else { SECRET.into() };
        }
    }
    t
}

/// The median of a histogram of days.
fn median(days: &BTreeMap<i64, u64>) -> Option<f64> {
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

/// Labels: the report's dictionary (question, id) → French label.
pub type Label<'a> = &'a dyn Fn(&str, &str) -> String;

/// Every table, from the accumulated counts.
pub fn tables(acc: &ReachAcc, min: u64, label: Label, supply: &BTreeMap<String, u64>) -> (Vec<Table>, Vec<String>) {
    let mut out = Vec::new();
    let mut facts = Vec::new();
    let auto_label = |a: &str| if a == "non_evalue" { "Non évalué".to_string() } else { passerelle_core::vocab::label(a, "fr") };
    let autonomy_order = ["entierement_accompagne", "partiellement_autonome", "autonome", "non_evalue"];
    let sorted_autonomy = |m: &BTreeMap<String, Pair>| -> Vec<(String, String, Pair)> {
        let mut v: Vec<_> = m.iter().map(|(k, p)| (k.clone(), auto_label(k), *p)).collect();
        v.sort_by_key(|r| autonomy_order.iter().position(|a| *a == r.0).unwrap_or(9));
        v
    };
    if acc.has_pickups || !acc.pickups.is_empty() {
        let heads = ["Visites terminées", "Prises en charge", "Taux de prise en charge"];
        let note = "Part des visites terminées dont le code a été enregistré par un médiateur (passerelle mediateur record).";
        out.push(rate_table(
            "taux_de_prise_en_charge_borne",
            "Taux de prise en charge, par borne",
            note,
            heads,
            acc.kiosks.iter().map(|(k, p)| (k.clone(), format!("Borne {k}"), *p)).collect(),
            min,
        ));
        out.push(rate_table(
            "taux_de_prise_en_charge_autonomie",
            "Taux de prise en charge, par niveau d'autonomie : les moins autonomes sont-ils atteints ?",
            note,
            heads,
            sorted_autonomy(&acc.autonomy),
            min,
        ));
        let picked = acc.total.0;
        match median(&acc.days) {
            Some(m) if picked >= min => {
                facts.push(format!("Délai médian entre la visite et la prise en charge : {} jour(s).", m.to_string().replace('.', ",")))
            }
            _ => facts.push(format!("Délai médian entre la visite et la prise en charge : non affiché (moins de {min} prises en charge).")),
        }
        let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
        let orphans = acc.pickups.values().filter(|p| !p.matched).count() as u64;
        for p in acc.pickups.values().filter(|p| p.matched) {
            for o in &p.outcomes {
                *outcomes.entry(o.clone()).or_default() += 1;
            }
        }
        let total: u64 = outcomes.values().sum();
        let rows: Vec<(String, String, u64)> = crate::mediator::pickups::OUTCOMES
            .iter()
            .map(|(id, fr, _)| (id.to_string(), fr.to_string(), outcomes.get(*id).copied().unwrap_or(0)))
            .chain(std::iter::once(("non_renseignee".to_string(), "Suite non renseignée".to_string(), outcomes.get("non_renseignee").copied().unwrap_or(0))))
            .collect();
        out.push(count_table(
            "suites",
            "Suite donnée aux prises en charge",
            "Une ligne par prise en charge (une visite reçue dans deux structures compte deux fois).",
            "Prises en charge",
            rows,
            total,
            min,
        ));
        let orphan_text = if orphans == 0 || orphans >= min { orphans.to_string() } else { format!("moins de {min}") };
        facts.push(format!("Prises en charge dont la visite n'est pas (encore) dans ces données : {orphan_text} (gardées, non comptées dans les taux)."));
    }
    let heads = ["Visites terminées", "Visites « fragiles »", "Taux de fragilité"];
    let note =
        "Fragile : autonomie « entièrement accompagné » ou « partiellement autonome », ou aucun appareil, ou pas d'internet à la maison (docs/scale.md).";
    out.push(rate_table(
        "fragilite_quartier",
        "Taux de fragilité numérique, par quartier",
        note,
        heads,
        acc.quartier.iter().map(|(q, p)| (q.clone(), if q == "non_renseigne" { "Quartier non renseigné".into() } else { label("quartier", q) }, *p)).collect(),
        min,
    ));
    out.push(rate_table(
        "fragilite_commune",
        "Taux de fragilité numérique, par commune",
        note,
        heads,
        acc.commune.iter().map(|(c, p)| (c.clone(), c.clone(), *p)).collect(),
        min,
    ));
    out.push(rate_table(
        "fragilite_mois",
        "Taux de fragilité numérique, mois par mois",
        note,
        heads,
        acc.month.iter().map(|(m, p)| (m.clone(), m.clone(), *p)).collect(),
        min,
    ));
    // Needs against supply.
    let needs: Vec<(String, String, u64)> = acc.services.iter().map(|(s, n)| (s.clone(), s.clone(), *n)).collect();
    let mut t = count_table(
        "besoins",
        "Besoins et offre : services suggérés, et lieux qui les proposent",
        "Visiteurs à qui le service est suggéré (plusieurs par visiteur) ; lieux du département qui le proposent (données des lieux de Passerelle).",
        "Visiteurs",
        needs,
        acc.total.1,
        min,
    );
    t.columns.push("Lieux qui le proposent".into());
    for r in &mut t.rows {
        r.2.push(if r.0.is_empty() { String::new() } else { supply.get(&r.0).copied().unwrap_or(0).to_string() });
    }
    out.push(t);
    let autos: Vec<(String, String)> = autonomy_order.iter().map(|a| (a.to_string(), auto_label(a))).collect();
    let keys = |m: &BTreeMap<(String, String), u64>, q: &str, order: &[&str]| -> Vec<(String, String)> {
        let mut v: Vec<String> = m.keys().map(|k| k.0.clone()).collect();
        v.dedup();
        v.sort_by_key(|k| (order.iter().position(|o| o == k).unwrap_or(usize::MAX), k.clone()));
        v.into_iter().map(|k| (k.clone(), if k == "non_communique" { "Non communiqué".into() } else { label(q, &k) })).collect()
    };
    out.push(cross_table(
        "age_autonomie",
        "Tranche d'âge × autonomie",
        "Visites terminées.",
        &keys(&acc.age, "", passerelle_core::vocab::COOP_TRANCHE_AGE),
        &autos,
        &acc.age,
        min,
    ));
    out.push(cross_table(
        "genre_autonomie",
        "Genre × autonomie",
        "Visites terminées.",
        &keys(&acc.genre, "", passerelle_core::vocab::COOP_GENRE),
        &autos,
        &acc.genre,
        min,
    ));
    let h: Vec<(String, String, u64)> = acc.handicap.iter().map(|(k, n)| (k.clone(), label("handicap", k), *n)).collect();
    out.push(count_table(
        "handicap",
        "Gêne ou handicap déclaré",
        "Plusieurs réponses possibles ; base : visites où la question a été posée (ligne Ensemble).",
        "Visites",
        h,
        acc.handicap_asked,
        min,
    ));
    let e: Vec<(String, String, u64)> = acc.equipement.iter().map(|(k, n)| (k.clone(), label("recherche_equipement", k), *n)).collect();
    let base: u64 = acc.equipement.values().sum();
    out.push(count_table(
        "recherche_equipement",
        "Recherche d'un appareil (recherche_equipement)",
        "Visites où la question a été posée.",
        "Visites",
        e,
        base,
        min,
    ));
    // One row: the complement (visits where nobody does it for them) is computable, so both
    // must be 0 or at least `min`.
    let (k, n) = acc.fait;
    let ok = |v: u64| v == 0 || v >= min;
    let show = ok(k) && ok(n - k);
    let share = (show && n > 0).then(|| k as f64 / n as f64);
    out.push(Table {
        id: "fait_a_sa_place".into(),
        title: "« Quelqu'un fait à sa place »".into(),
        note: "Visites où le profil relève que quelqu'un fait les démarches à la place de la personne : le public à amener vers l'autonomie.".into(),
        columns: vec!["Visites terminées".into(), "Fait à sa place".into(), "Part".into()],
        rows: vec![(
            String::new(),
            "Ensemble".into(),
            vec![
                if ok(n) { n.to_string() } else { SECRET.into() },
                if show { k.to_string() } else { SECRET.into() },
                share.map(pct).unwrap_or_else(|| SECRET.into()),
            ],
        )],
        bars: vec![share],
    });
    (out, facts)
}

impl ReachAcc {
    /// The communes of the visits.
    pub fn communes(&self) -> impl Iterator<Item = &String> {
        self.commune.keys()
    }
}

/// The tables as HTML: each with its figures; rate tables with bars. `min`: the smallest count
/// shown; `esc`: the report's HTML escaping.
pub fn html(tables: &[Table], facts: &[String], min: u64, esc: fn(&str) -> String) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<p class="rule">« {SECRET} » : secret statistique, un effectif de 1 à {} ou qui permettrait de le retrouver à partir des totaux.</p>"#,
        min - 1
    );
    for f in facts {
        let _ = write!(s, r#"<p>{}</p>"#, esc(f));
    }
    for t in tables {
        let _ = write!(s, r#"<figure id="{}"><figcaption><h3>{}</h3><p class="note">{}</p></figcaption>"#, esc(&t.id), esc(&t.title), esc(&t.note));
        if t.bars.iter().any(Option::is_some) {
            let h = 24 * t.rows.len() + 8;
            let _ = write!(
                s,
                r#"<svg class="chart" viewBox="0 0 720 {h}" width="720" height="{h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
                esc(&t.title)
            );
            for (i, ((_, label, _), bar)) in t.rows.iter().zip(&t.bars).enumerate() {
                let y = 4 + 24 * i;
                let w = bar.map_or(0.0, |b| b * 310.0);
                let text = bar.map(pct).unwrap_or_else(|| SECRET.into());
                let _ = write!(
                    s,
                    r#"<text x="292" y="{}" text-anchor="end" class="l">{}</text><rect x="300" y="{}" width="{w:.1}" height="16" class="b"/><text x="{:.1}" y="{}" class="v">{}</text>"#,
                    y + 16,
                    esc(label),
                    y + 3,
                    306.0 + w,
                    y + 16,
                    esc(&text)
                );
            }
            s.push_str("</svg>");
        }
        s.push_str(r#"<details open><summary>Les chiffres</summary><table class="data"><thead><tr><th scope="col"></th>"#);
        for c in &t.columns {
            let _ = write!(s, r#"<th scope="col">{}</th>"#, esc(c));
        }
        s.push_str("</tr></thead><tbody>");
        for (_, label, cells) in &t.rows {
            let _ = write!(s, r#"<tr><th scope="row">{}</th>"#, esc(label));
            for c in cells {
                let _ = write!(s, "<td>{}</td>", esc(c));
            }
            s.push_str("</tr>");
        }
        s.push_str("</tbody></table></details></figure>");
    }
    s
}

/// The tables as rows of the report's CSV (perimeter, indicator, category, label, count, base,
/// share): rate tables give the part, the whole and the share; other tables one row per cell.
pub fn csv_rows(tables: &[Table]) -> Vec<[String; 7]> {
    let mut out = Vec::new();
    for t in tables {
        for ((id, label, cells), bar) in t.rows.iter().zip(t.bars.iter().map(Some).chain(std::iter::repeat(None))) {
            let category = if id.is_empty() { "ensemble".to_string() } else { id.clone() };
            if let Some(bar) = bar {
                out.push([
                    "Ensemble".into(),
                    t.id.clone(),
                    category,
                    label.clone(),
                    cells[1].clone(),
                    cells[0].clone(),
                    bar.map(|b| format!("{b:.4}")).unwrap_or_default(),
                ]);
            } else {
                for (c, v) in t.columns.iter().zip(cells) {
                    out.push(["Ensemble".into(), t.id.clone(), category.clone(), format!("{label} — {c}"), v.clone(), String::new(), String::new()]);
                }
            }
        }
    }
    out
}
