//! `rapport.xlsx`: the report as a workbook. A sheet per section (its tables one under the other,
//! French headers, counts as numbers, shares as percentages, filters, printed landscape and
//! fitted to the page's width), then the long-format data of `rapport.csv` as one more sheet.

use crate::report::Data;
use crate::report_html::{CSV_HEADER, has_secret, text};
use crate::report_tables::{Shown, Table};
use crate::secrecy::{Ledger, RateShown, State};
use passerelle_shared::xlsx::{Block, Book, XCell};

/// A sheet's name for a section (at most 31 characters, none of `[]:*?/\`).
pub fn sheet_name(section: &str) -> &'static str {
    match section {
        "prise-en-charge" => "Prise en charge",
        "fragilite" => "Fragilité",
        "personnes" => "Visiteurs",
        "besoins" => "Besoins et offre",
        "bornes" => "Bornes",
        "reponses" => "Réponses",
        _ => "Autres",
    }
}

/// The name of the long-format data sheet.
pub const DATA_SHEET: &str = "Données";

fn cell(l: &Ledger, c: &Shown) -> XCell {
    match c {
        Shown::Count(i) => match l.cell(*i).state {
            State::Shown => XCell::Number(l.cell(*i).value as f64),
            _ => XCell::Text(l.text(*i)),
        },
        Shown::Rate(r) => match l.rates[*r].shown {
            RateShown::Exact(x) => XCell::Percent(x),
            _ => XCell::Text(l.rate_text(*r)),
        },
        Shown::Text(t) if t.is_empty() => XCell::Empty,
        c => XCell::Text(text(l, c)),
    }
}

fn block(d: &Data, t: &Table) -> Block {
    let mut header = vec![if t.head.is_empty() { "Libellé".to_string() } else { t.head.clone() }];
    header.extend(t.columns.iter().cloned());
    let mut rows: Vec<Vec<XCell>> = Vec::new();
    for r in &t.rows {
        let mut row = vec![XCell::Text(r.label.trim().to_string())];
        row.extend(r.cells.iter().map(|c| cell(&d.ledger, c)));
        rows.push(row);
    }
    let footnote = if has_secret(&d.ledger, t) { crate::secrecy::footnote(d.min) } else { String::new() };
    Block { title: t.title.clone(), note: t.note.clone(), header, rows, footnote }
}

/// The workbook's bytes.
pub fn book(d: &Data, rows: &[[String; 7]]) -> Result<Vec<u8>, String> {
    let mut book = Book::new();
    for sec in &d.sections {
        let blocks: Vec<Block> = sec.tables.iter().map(|t| block(d, t)).collect();
        book.report_sheet(sheet_name(&sec.id), &sec.title, &blocks)?;
    }
    let header = ["Périmètre", "Indicateur", "Catégorie", "Libellé", "Effectif", "Base", "Part"];
    debug_assert_eq!(header.len(), CSV_HEADER.len());
    book.sheet(DATA_SHEET, &header, vec![false, false, false, false, true, true, true])?;
    for r in rows {
        book.row(r)?;
    }
    book.filter(header.len() as u16)?;
    book.bytes()
}
