//! The report's pages: the self-contained HTML with inline SVG charts (labels wrapped, never
//! cut), `rapport.csv` (the long format) and `rapport.xlsx` ([`crate::report_xlsx`]), written
//! owner-only and whole.

use crate::merge::plural;
use crate::report::*;
use crate::report_tables::{Kind, Section, Shown, Table};
use crate::secrecy::{Ledger, RateShown, State};
use anyhow::{Context, Result, bail};

use std::fmt::Write as _;
use std::path::Path;

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

/// A cell as shown.
pub fn text(l: &Ledger, c: &Shown) -> String {
    match c {
        Shown::Count(i) => l.text(*i),
        Shown::Rate(r) => l.rate_text(*r),
        Shown::Text(t) => t.clone(),
        Shown::NotAsked => "—".into(),
    }
}

/// Whether a table shows a band or a hidden value (its footnote is then printed under it).
pub fn has_secret(l: &Ledger, t: &Table) -> bool {
    t.rows.iter().flat_map(|r| &r.cells).any(|c| match c {
        Shown::Count(i) => l.cell(*i).state != State::Shown,
        Shown::Rate(r) => !matches!(l.rates[*r].shown, RateShown::Exact(_)),
        _ => false,
    })
}

/// A label cut into lines of at most `width` characters, at spaces (a longer word alone).
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for w in s.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// What the chart draws for a row: the bar's share (None: no bar) and its text.
fn bar(l: &Ledger, t: &Table, row: usize) -> (Option<f64>, String) {
    let r = &t.rows[row];
    match t.kind {
        Kind::Rates => match &r.cells[2] {
            Shown::Rate(k) => match l.rates[*k].shown {
                RateShown::Exact(x) => (Some(x), l.rate_text(*k)),
                RateShown::High => (Some(1.0 - crate::secrecy::BAND), l.rate_text(*k)),
                RateShown::Low => (Some(crate::secrecy::BAND), l.rate_text(*k)),
                RateShown::Hidden => (None, l.rate_text(*k)),
            },
            c => (None, text(l, c)),
        },
        _ => match (&r.cells[0], t.base_row.map(|b| &t.rows[b].cells[0])) {
            (Shown::Rate(k), _) => match l.rates[*k].shown {
                RateShown::Exact(x) => (Some(x), l.rate_text(*k)),
                _ => (None, l.rate_text(*k)),
            },
            (Shown::Count(i), Some(Shown::Count(b))) => match (l.shown(*i), l.shown(*b)) {
                (Some(n), Some(base)) if base > 0 => (Some(n as f64 / base as f64), format!("{n} ({:.0} %)", n as f64 * 100.0 / base as f64)),
                (Some(n), _) => (None, n.to_string()),
                _ => (None, l.text(*i)),
            },
            (c, _) => (None, text(l, c)),
        },
    }
}

/// The chart's geometry: the labels end at `LABEL`, bars start after it.
pub const CHART_W: f64 = 800.0;
const LABEL: f64 = 340.0;
const BAR: f64 = 300.0;
/// Characters per label line (13 px text: about 7.5 px per character at most, within `LABEL`).
const WRAP: usize = 40;

/// A horizontal bar chart as inline SVG, with a text alternative; labels wrapped, never cut.
fn svg(l: &Ledger, t: &Table, uid: &str) -> String {
    let rows: Vec<usize> = (0..t.rows.len()).filter(|&i| !t.rows[i].total || t.kind == Kind::Rates).collect();
    let lines: Vec<Vec<String>> = rows.iter().map(|&i| wrap(&t.rows[i].label, WRAP)).collect();
    let heights: Vec<f64> = lines.iter().map(|x| (16.0 * x.len() as f64 + 8.0).max(24.0)).collect();
    let h: f64 = heights.iter().sum::<f64>() + 8.0;
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {CHART_W} {h}" width="{CHART_W}" height="{h}" role="img" aria-labelledby="{uid}-t" xmlns="http://www.w3.org/2000/svg"><title id="{uid}-t">{}</title>"#,
        esc(&t.title)
    );
    let mut y = 4.0;
    for ((&i, ls), rh) in rows.iter().zip(&lines).zip(&heights) {
        let (share, value) = bar(l, t, i);
        let top = y + (rh - 16.0 * ls.len() as f64) / 2.0;
        let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="end" class="l{}">"#, LABEL - 10.0, top + 12.0, if t.rows[i].total { " t" } else { "" });
        for (j, line) in ls.iter().enumerate() {
            let _ = write!(s, r#"<tspan x="{}" dy="{}">{}</tspan>"#, LABEL - 10.0, if j == 0 { 0.0 } else { 16.0 }, esc(line));
        }
        s.push_str("</text>");
        let w = share.map(|x| (x.clamp(0.0, 1.0) * BAR).max(if x > 0.0 { 1.0 } else { 0.0 })).unwrap_or(0.0);
        let mid = y + rh / 2.0;
        let _ = write!(s, r#"<rect x="{LABEL}" y="{:.1}" width="{w:.1}" height="16" class="b"/>"#, mid - 8.0);
        let _ = write!(s, r#"<text x="{:.1}" y="{:.1}" class="v">{}</text>"#, LABEL + w + 6.0, mid + 5.0, esc(&value));
        y += rh;
    }
    s.push_str("</svg>");
    s
}

fn html_table(l: &Ledger, t: &Table) -> String {
    let mut s = String::from(r#"<div class="scroll"><table class="data"><thead><tr>"#);
    let _ = write!(s, r#"<th scope="col">{}</th>"#, esc(&t.head));
    for c in &t.columns {
        let _ = write!(s, r#"<th scope="col">{}</th>"#, esc(c));
    }
    s.push_str("</tr></thead><tbody>");
    for r in &t.rows {
        let _ = write!(s, r#"<tr{}><th scope="row">{}</th>"#, if r.total { r#" class="t""# } else { "" }, esc(r.label.trim()));
        for c in &r.cells {
            let _ = write!(s, "<td>{}</td>", esc(&text(l, c)));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    s
}

const STYLE: &str = r#"
body{font-family:"Atkinson Hyperlegible","DejaVu Sans",Arial,sans-serif;color:#111;margin:2em auto;max-width:1000px;padding:0 1em;line-height:1.45}
h1{font-size:1.8em;margin-bottom:.2em}h2{border-bottom:3px solid #1d4e89;padding-bottom:.2em;margin-top:2em}h3{font-size:1.1em;margin:.2em 0}
.meta{color:#333}.note{color:#444;margin:.1em 0 .5em;font-size:.92em}.warn{background:#fff3cd;border-left:4px solid #b8860b;padding:.6em 1em}
figure{margin:1.4em 0;break-inside:avoid;page-break-inside:avoid}
.chart{max-width:100%;height:auto}.chart .l{font-size:13px;fill:#111}.chart .t{font-weight:bold}.chart .v{font-size:13px;fill:#111}.chart .b{fill:#1d4e89}
.scroll{overflow-x:auto}table.data{border-collapse:collapse;margin:.5em 0;font-size:.92em}table.data th,table.data td{border:1px solid #999;padding:.2em .6em;text-align:left}
table.data td{text-align:right}table.data tr.t th,table.data tr.t td{font-weight:bold;background:#f3f3f3}details summary{cursor:pointer;color:#1d4e89}
.cards{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0}.card{border:2px solid #1d4e89;border-radius:8px;padding:.6em 1em;min-width:12em}.card b{display:block;font-size:1.6em}
.rule{background:#f3f3f3;border-left:4px solid #1d4e89;padding:.6em 1em}
@media print{body{margin:0;max-width:none}details>summary{display:none}h2{break-before:page}h2.first{break-before:auto}a{color:inherit;text-decoration:none}}
"#;

fn fr_date(iso: &str) -> String {
    match (iso.get(..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

/// The headline figures: finished visits, the handoff rate and the fragility rate.
fn cards(d: &Data) -> String {
    let l = &d.ledger;
    let f = crate::secrecy::Key::new(&[("issue", "terminee"), ("pop", "visite")]);
    let rate = |flag: &str| -> String {
        let (Some(w), Some(p)) = (l.find(&f), l.find(&f.with(flag, "1"))) else { return "—".into() };
        match l.rates.iter().position(|r| r.whole == w && r.part == p) {
            Some(k) => l.rate_text(k),
            None => "—".into(),
        }
    };
    let visits = l.find(&f).map(|i| l.text(i)).unwrap_or_else(|| d.visits.to_string());
    let mut s = format!(r#"<div class="cards"><div class="card"><b>{}</b>visites terminées</div>"#, esc(&visits));
    if l.find(&f.with("pris", "1")).is_some() {
        let _ = write!(s, r#"<div class="card"><b>{}</b>prises en charge par un médiateur</div>"#, esc(&rate("pris")));
    }
    let _ = write!(s, r#"<div class="card"><b>{}</b>de visiteurs en fragilité numérique</div></div>"#, esc(&rate("fragile")));
    s
}

fn section_html(d: &Data, sec: &Section) -> String {
    let mut s = format!(r#"<section id="{}"><h2>{}</h2>"#, esc(&sec.id), esc(&sec.title));
    for p in &sec.intro {
        let class = if p.starts_with("Attention") { "warn" } else { "note" };
        let _ = write!(s, r#"<p class="{class}">{}</p>"#, esc(p));
    }
    for (i, t) in sec.tables.iter().enumerate() {
        let uid = format!("{}-{i}", sec.id);
        let _ = write!(s, r#"<figure id="{}"><figcaption><h3>{}</h3><p class="note">{}</p></figcaption>"#, esc(&t.id), esc(&t.title), esc(&t.note));
        if t.chart {
            s.push_str(&svg(&d.ledger, t, &uid));
        }
        let _ = write!(s, r#"<details open><summary>Les chiffres</summary>{}</details>"#, html_table(&d.ledger, t));
        if has_secret(&d.ledger, t) {
            let _ = write!(s, r#"<p class="note">{}</p>"#, esc(&crate::secrecy::footnote(d.min)));
        }
        s.push_str("</figure>");
    }
    s.push_str("</section>");
    s
}

/// The whole HTML file.
pub fn html(d: &Data) -> String {
    let mut s = String::new();
    let period = if d.first_date.is_empty() { "aucune visite".to_string() } else { format!("du {} au {}", fr_date(&d.first_date), fr_date(&d.last_date)) };
    let _ = write!(
        s,
        r##"<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Positionnement numérique — rapport</title><style>{STYLE}</style></head><body>
<header><h1>Positionnement numérique : rapport</h1>
<p class="meta">{} {}, {}, {}, {}. Rapport du {}.</p>{}
<p class="rule">Protection des personnes : aucun effectif de moins de {} n'est donné exactement, ni ne peut se déduire des autres chiffres du rapport ; les bornes et les quartiers de moins de {} visites sont regroupés. {}</p>
<p class="rule">{}</p>"##,
        d.visits,
        if d.visits < 2 { "visite terminée" } else { "visites terminées" },
        plural(d.exports, "export"),
        plural(d.kiosks.len(), "borne"),
        period,
        esc(&d.generated),
        cards(d),
        d.min,
        d.min,
        esc(&crate::secrecy::footnote(d.min)),
        esc(&d.provenance)
    );
    for w in &d.warnings {
        let _ = write!(s, r#"<p class="warn">{}</p>"#, esc(w));
    }
    s.push_str(r##"</header><nav><h2 class="first">Sommaire</h2><ol>"##);
    for sec in &d.sections {
        let _ = write!(s, r##"<li><a href="#{}">{}</a></li>"##, esc(&sec.id), esc(&sec.title));
    }
    s.push_str("</ol></nav>");
    for sec in &d.sections {
        s.push_str(&section_html(d, sec));
    }
    if !d.missing.is_empty() {
        let _ = write!(s, r#"<p class="note">Absent de ces données (autre version du questionnaire) : {}.</p>"#, esc(&d.missing.join(", ")));
    }
    s.push_str("<footer><p class=\"note\">Produit par Passerelle (GPL-3.0-or-later). Les mêmes chiffres sont dans les fichiers CSV et tableur à côté de ce rapport.</p></footer></body></html>\n");
    s
}

/// The columns of `rapport.csv`.
pub const CSV_HEADER: [&str; 7] = ["perimetre", "indicateur", "categorie", "libelle", "effectif", "base", "part"];

/// A share as the CSV gives it: 4 decimals, or the band.
fn share_text(l: &Ledger, k: usize) -> String {
    match l.rates[k].shown {
        RateShown::Exact(x) => format!("{x:.4}"),
        RateShown::Hidden => String::new(),
        _ => l.rate_text(k),
    }
}

/// The figures as CSV rows (perimeter, indicator, category id, label, count, base, share).
pub fn csv_rows(d: &Data) -> Vec<[String; 7]> {
    let l = &d.ledger;
    let mut rows = Vec::new();
    // Where the figures come from, first: a report of an unverified package says so in every output.
    let verified = !d.provenance.contains("non vérifiée");
    rows.push([
        "Ensemble".into(),
        "provenance".into(),
        if verified { "verifiee" } else { "non_verifiee" }.into(),
        d.provenance.clone(),
        String::new(),
        String::new(),
        String::new(),
    ]);
    let date = d.supply.date.map(|x| x.format("%Y-%m-%d").to_string()).unwrap_or_default();
    rows.push(["Ensemble".into(), "lieux".into(), date, d.supply.source.clone(), d.supply.places.to_string(), String::new(), String::new()]);
    for sec in &d.sections {
        for t in &sec.tables {
            let category = |id: &str| if id.is_empty() { "ensemble".to_string() } else { id.to_string() };
            for (ri, r) in t.rows.iter().enumerate() {
                match t.kind {
                    Kind::Rates => {
                        let share = match &r.cells[2] {
                            Shown::Rate(k) => share_text(l, *k),
                            _ => String::new(),
                        };
                        rows.push(["Ensemble".into(), t.id.clone(), category(&r.id), r.label.trim().into(), text(l, &r.cells[1]), text(l, &r.cells[0]), share]);
                    }
                    Kind::Perimeters => {
                        for (ci, (c, col)) in r.cells.iter().zip(&t.columns).enumerate() {
                            let base = t.base_row.filter(|b| *b != ri).map(|b| &t.rows[b].cells[ci]);
                            let (count, base_text, share) = match (c, base) {
                                (Shown::Rate(k), _) => {
                                    let r = &l.rates[*k];
                                    (l.text(r.part), l.text(r.whole), share_text(l, *k))
                                }
                                (Shown::Count(i), Some(Shown::Count(b))) => {
                                    let share = match (l.shown(*i), l.shown(*b)) {
                                        (Some(n), Some(base)) if base > 0 => format!("{:.4}", n as f64 / base as f64),
                                        _ => String::new(),
                                    };
                                    (l.text(*i), l.text(*b), share)
                                }
                                (c, _) => (text(l, c), String::new(), String::new()),
                            };
                            rows.push([col.clone(), t.id.clone(), category(&r.id), r.label.trim().into(), count, base_text, share]);
                        }
                    }
                    Kind::Cross => {
                        for (c, col) in r.cells.iter().zip(&t.columns) {
                            // A descriptive cell (a commune, a path) is a label, never a count.
                            let (label, count) = match c {
                                Shown::Text(t) if t.parse::<u64>().is_err() => (format!("{} — {col} : {t}", r.label.trim()), String::new()),
                                _ => (format!("{} — {col}", r.label.trim()), text(l, c)),
                            };
                            rows.push(["Ensemble".into(), t.id.clone(), category(&r.id), label, count, String::new(), String::new()]);
                        }
                    }
                }
            }
        }
    }
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
    keys: Option<&passerelle_package::signing::TrustedKeys>,
) -> Result<(std::path::PathBuf, Data)> {
    write_with(dir, out, min, generated, keys, &Places::DataDir(std::path::PathBuf::from("/nonexistent/passerelle")))
}

/// [`write_trusted`] with the places to count the supply in.
pub fn write_with(
    dir: &Path,
    out: &Path,
    min: u64,
    generated: &str,
    keys: Option<&passerelle_package::signing::TrustedKeys>,
    places: &Places,
) -> Result<(std::path::PathBuf, Data)> {
    if min < MIN_COUNT {
        bail!("--min-count ne peut pas être inférieur à {MIN_COUNT} (secret statistique)");
    }
    let data = collect_with(dir, min, generated, keys, places)?;
    // The report's folder, made when missing (owner-only: pseudonymous health data).
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        passerelle_shared::files::create_private_dir(parent).with_context(|| format!("création du dossier {} impossible", parent.display()))?;
    }
    let csv_path = out.with_extension("csv");
    let html = html(&data);
    let rows = csv_rows(&data);
    let mut buf = passerelle_package::format::BOM.to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        w.write_record(CSV_HEADER)?;
        for r in &rows {
            w.write_record(r.iter().map(|c| passerelle_package::spreadsheet::protect(c.as_ref()).into_owned()))?;
        }
        w.flush()?;
    }
    let xlsx = crate::report_xlsx::book(&data, &rows).map_err(anyhow::Error::msg)?;
    atomic_write(out, html.as_bytes())?;
    atomic_write(&csv_path, &buf)?;
    atomic_write(&out.with_extension("xlsx"), &xlsx)?;
    Ok((csv_path, data))
}

/// Writes `path` whole or not at all: a temporary file created new and owner-only (never
/// through a link planted in its place, whatever the umask), synced, then renamed over `path`.
fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.partie-{}", std::process::id()));
    let mut f = passerelle_shared::files::create_owner_only(&tmp).with_context(|| format!("écriture de {} impossible", tmp.display()))?;
    let written = f.write_all(bytes).and_then(|_| f.sync_all()).and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("écriture de {} impossible", path.display()));
    }
    Ok(())
}
