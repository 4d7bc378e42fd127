//! Issue 26's "done when", on the simulated month (tests/it/month.rs): the flagship kiosk's
//! handoff rate shown, neighbourhoods per commune, dated supply, no wrong base, the paths apart;
//! no chart label clipped (headless Chromium measures every label against its chart); the
//! workbook reads as a report (LibreOffice prints each table's labels and numbers on the same
//! page; openpyxl reads the number formats).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records().map(|rec| h.iter().cloned().zip(rec.unwrap().iter().map(String::from)).collect()).collect()
}

/// The shipped places as a national file updated this year (and one a year and more old).
fn places_file(dir: &Path, year: &str) -> PathBuf {
    let text = passerelle_core::place_book::SHIPPED.replace(",2022-", &format!(",{year}-"));
    let p = dir.join(format!("lieux-{year}.csv"));
    std::fs::write(&p, text).unwrap();
    p
}

fn report(m: &crate::month::Month, name: &str, places: Option<&Path>) -> (String, PathBuf, String) {
    let out = m.root.path().join(name).join("rapport.html");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    cmd.args(["report", m.merged.to_str().unwrap(), "--out", out.to_str().unwrap()]).arg("--data-dir").arg(m.root.path().join("nulle-part"));
    if let Some(p) = places {
        cmd.arg("--places").arg(p);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (std::fs::read_to_string(&out).unwrap(), out, String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn the_simulated_month_reads_as_a_report_the_officer_can_publish() {
    let m = crate::month::build();
    let places = places_file(m.root.path(), "2026");
    let (html, out, terminal) = report(&m, "rapport", Some(&places));
    let rows = read_csv(&out.with_extension("csv"));
    let get = |ind: &str, cat: &str| rows.iter().find(|x| x["indicateur"] == ind && x["categorie"] == cat).cloned();
    // The flagship kiosk's handoff rate is shown exactly, though another kiosk had 3 pickups.
    let (flagship, picked, visits) = (crate::month::KIOSKS[0].0, m.picked[0], m.visits[0]);
    let row = get("taux_de_prise_en_charge_borne", flagship).expect("the flagship kiosk has its own row");
    assert_eq!((row["effectif"].clone(), row["base"].clone()), (picked.to_string(), visits.to_string()));
    assert_eq!(row["part"], format!("{:.4}", picked as f64 / visits as f64));
    assert_eq!(m.picked[1], 3);
    assert!(get("taux_de_prise_en_charge_borne", crate::month::KIOSKS[1].0).is_none(), "the kiosk of 3 pickups is grouped");
    // Neighbourhoods per commune: La Caravelle of each commune apart.
    for (_, _, commune, ..) in crate::month::KIOSKS {
        assert!(
            get("fragilite_quartier", &format!("{commune}/la_caravelle")).is_some() || html.contains(&format!("Autres quartiers de {commune}")),
            "{commune}"
        );
    }
    assert!(html.contains("Villeneuve-la-Garenne (commune)") && html.contains("Colombes (commune)") && html.contains("Bagneux (commune)"));
    // Dated supply: the file's size and date; no warning for this year's file.
    let n = passerelle_core::places::parse(passerelle_core::place_book::SHIPPED, None).unwrap().places.len();
    assert!(html.contains(&format!("Lieux : {n} lieux de médiation numérique (à jour au ")), "dated supply");
    assert!(!html.replace("&#39;", "'").contains("plus d'un an"));
    // The default: the data directory's places (here none: the shipped 2022 file), with a warning.
    let (old, _, terminal_old) = report(&m, "ancien", None);
    assert!(old.replace("&#39;", "'").contains("plus d'un an") && terminal_old.contains("plus d'un an"), "{terminal_old}");
    assert!(!terminal.contains("plus d'un an"));
    // No wrong base: the watch points and the services count on every finished visit; a single
    // choice says so.
    let total: usize = m.visits.iter().sum();
    let base = |ind: &str| rows.iter().find(|x| x["indicateur"] == ind && x["perimetre"] == "Ensemble" && !x["base"].is_empty()).map(|x| x["base"].clone());
    assert_eq!(base("points_attention"), Some(total.to_string()));
    assert_eq!(base("services"), Some(total.to_string()));
    let figure = |id: &str| html.split(&format!("<figure id=\"{id}\">")).nth(1).unwrap().split("</figure>").next().unwrap().to_string();
    assert!(figure("mode_acces").contains("Une réponse par personne"));
    assert!(figure("points_attention").contains("toutes les visites terminées"));
    // The two headline answers come first, the table of contents in the page's order.
    let ids: Vec<&str> = html.split("<section id=\"").skip(1).map(|s| s.split('"').next().unwrap()).collect();
    assert_eq!(&ids[..2], ["prise-en-charge", "fragilite"]);
    let toc: Vec<&str> =
        html.split("<nav>").nth(1).unwrap().split("</nav>").next().unwrap().split("href=\"#").skip(1).map(|s| s.split('"').next().unwrap()).collect();
    assert_eq!(toc, ids);
    // The paths apart, each kiosk's path and order named; no command name or file path in titles
    // and notes.
    assert!(html.contains("Taux de fragilité numérique, par parcours") && html.contains("Parcours court"));
    assert!(html.contains("L&#39;essentiel d&#39;abord") && html.contains("Ordre du questionnaire"));
    // (An ellipsis may be a question's own words, "J'ai d'abord besoin du numérique pour…": no
    // label is cut, which the Chromium test below measures.)
    for bad in ["docs/", "passerelle ", "Borne vlg"] {
        assert!(!html.contains(bad), "{bad:?} in the report");
    }
    // The missing figures: handoff per neighbourhood, delay and outcomes per kiosk, who receives whom.
    for id in ["taux_de_prise_en_charge_quartier", "delai_borne", "suites", "flux"] {
        assert!(html.contains(&format!("<figure id=\"{id}\">")), "{id}");
    }
    assert!(html.contains("datée(s) d&#39;avant leur visite"), "the pickups dated before their visit are named");
    // Every count shown is 0 or at least 5.
    for x in &rows {
        for c in ["effectif", "base"] {
            if let Ok(v) = x[c].parse::<u64>() {
                assert!(!(1..5).contains(&v) || x["indicateur"] == "lieux", "{x:?}");
            }
        }
    }
    labels_are_never_clipped(&out);
    workbook_reads_as_a_report(&out.with_extension("xlsx"));
}

/// Headless Chromium (through Selenium, in the project's .venv) measures every text of every
/// chart: its box must be inside its chart's box.
fn labels_are_never_clipped(html: &Path) {
    let py = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let has = py.exists() && Command::new(&py).args(["-c", "import selenium"]).output().is_ok_and(|o| o.status.success());
    if !has || !crate::support::tool("chromium") || !crate::support::tool("chromedriver") {
        assert!(std::env::var_os("PASSERELLE_CI").is_none(), "CI must install chromium, chromium-driver and selenium (.venv)");
        eprintln!("notice: chromium or selenium missing, the label check is skipped");
        return;
    }
    let profile = tempfile::tempdir().unwrap();
    let script = r#"
import json, sys
from selenium import webdriver
o = webdriver.ChromeOptions()
for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--no-first-run", "--user-data-dir=" + sys.argv[2], "--window-size=1280,900"]:
    o.add_argument(a)
o.binary_location = "/usr/bin/chromium"
d = webdriver.Chrome(options=o, service=webdriver.ChromeService("/usr/bin/chromedriver"))
try:
    d.get("file://" + sys.argv[1])
    r = d.execute_script("""
      const out = []; let n = 0;
      for (const svg of document.querySelectorAll('svg.chart')) {
        const c = svg.getBoundingClientRect();
        for (const t of svg.querySelectorAll('text')) {
          n++;
          const b = t.getBoundingClientRect();
          if (b.left < c.left - 0.5 || b.right > c.right + 0.5 || b.top < c.top - 0.5 || b.bottom > c.bottom + 0.5)
            out.push([svg.closest('figure').id, t.textContent, b.left - c.left, c.right - b.right]);
        }
      }
      return {clipped: out, texts: n};""")
    print(json.dumps(r))
finally:
    d.quit()
"#;
    let o = Command::new(&py).arg("-c").arg(script).arg(html).arg(profile.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(r["texts"].as_u64().unwrap() > 100, "{r}");
    assert_eq!(r["clipped"], serde_json::json!([]), "labels outside their chart");
}

/// LibreOffice converts the workbook to PDF: each table's rows have their label and their first
/// number on the same page and line; openpyxl reads percentages formatted as such.
fn workbook_reads_as_a_report(xlsx: &Path) {
    let Some(book) = crate::support::xlsx_sheets(xlsx) else { return };
    for sheet in ["Prise en charge", "Fragilité", "Visiteurs", "Besoins et offre", "Bornes", "Réponses", "Données"] {
        assert!(book.get(sheet).is_some(), "{sheet}");
    }
    let py = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let formats = Command::new(&py)
        .args(["-c", "import sys,openpyxl\nws=openpyxl.load_workbook(sys.argv[1])['Prise en charge']\nprint('\\n'.join(sorted({c.number_format for r in ws.iter_rows() for c in r if isinstance(c.value,(int,float))})))\nfit=ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth or 1)==1 and ws.page_setup.fitToHeight==0\nprint('LANDSCAPE' if ws.page_setup.orientation=='landscape' else 'PORTRAIT', 'FIT' if fit else 'NOFIT', len(ws.tables))"])
        .arg(xlsx)
        .output()
        .unwrap();
    let formats = String::from_utf8_lossy(&formats.stdout);
    assert!(formats.lines().any(|l| l == "0 %") && formats.lines().any(|l| l == "#,##0"), "{formats}");
    // One page wide (fitToWidth absent means 1 in OOXML), as many pages tall as it takes.
    assert!(formats.contains("LANDSCAPE FIT"), "{formats}");
    if !crate::support::tool("soffice") || !crate::support::tool("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("lo").display());
    let o = Command::new("soffice").args(["--headless", &profile, "--convert-to", "pdf", "--outdir"]).arg(dir.path()).arg(xlsx).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = dir.path().join("rapport.pdf");
    let text = String::from_utf8(Command::new("pdftotext").args(["-layout"]).arg(&pdf).arg("-").output().unwrap().stdout).unwrap();
    let text = text.replace(['\u{a0}', '\u{202f}'], " ");
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let mut checked = 0;
    for (name, sheet) in book.as_object().unwrap() {
        if name == "Données" {
            continue;
        }
        for row in sheet.as_array().unwrap() {
            let cells = row.as_array().unwrap();
            let (Some(label), Some(n)) = (cells.first().and_then(|c| c.as_str()), cells.iter().skip(1).find_map(|c| c.as_f64())) else { continue };
            if label.chars().count() < 8 || n.fract() != 0.0 || !(1.0..1000.0).contains(&n) {
                continue;
            }
            // pdftotext turns no-break spaces (French « : ») into plain ones.
            let start: String = label.chars().take(12).map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
            let found = pages.iter().any(|p| p.lines().any(|l| l.contains(&start) && l.split_whitespace().any(|w| w == format!("{n}"))));
            let near: Vec<&str> = pages.iter().flat_map(|p| p.lines()).filter(|l| l.contains(&start)).collect();
            assert!(found, "{name}: « {label} » and {n} not on the same line of a page: {near:#?}");
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked} rows checked");
}
