//! Spreadsheets (`.xlsx`, with `rust_xlsxwriter`): French Excel splits a double-clicked CSV on
//! semicolons, so a comma CSV opens as one column for most admins; an `.xlsx` opens right
//! everywhere. Cells are written as text, or as numbers in the columns that hold numbers; never
//! as formulas (a text cell stays text whatever it starts with), so no protective apostrophe is
//! needed. The workbook is built in memory (the crate's "constant memory" mode writes temporary
//! files and panics when the disk is full), so a book holds at most [`MAX_CELLS`] cells: past
//! that, [`Book::row`] refuses and the caller goes on without the spreadsheet.

use rust_xlsxwriter::{Format, FormatBorder, Table, TableColumn, TableStyle, Workbook};

pub struct Book {
    wb: Workbook,
    sheet: Option<usize>,
    sheets: usize,
    row: u32,
    numeric: Vec<bool>,
    cells: usize,
}

fn err(e: rust_xlsxwriter::XlsxError) -> String {
    format!("xlsx: {e}")
}

/// The most rows a sheet holds (Excel's limit).
pub const MAX_ROWS: u32 = 1_048_576;
/// The most cells a book holds here (about 200 MB of memory at worst).
pub const MAX_CELLS: usize = 2_000_000;

impl Default for Book {
    fn default() -> Self {
        Self::new()
    }
}

impl Book {
    pub fn new() -> Book {
        Book { wb: Workbook::new(), sheet: None, sheets: 0, row: 0, numeric: Vec::new(), cells: 0 }
    }

    /// Starts a sheet with its header (bold, frozen); `numeric[i]`: column i holds numbers.
    pub fn sheet<S: AsRef<str>>(&mut self, name: &str, header: &[S], numeric: Vec<bool>) -> Result<(), String> {
        let bold = Format::new().set_bold();
        let ws = self.wb.add_worksheet();
        ws.set_name(name).map_err(err)?;
        ws.set_freeze_panes(1, 0).map_err(err)?;
        for (i, h) in header.iter().enumerate() {
            ws.set_column_width(i as u16, 16).map_err(err)?;
            ws.write_string_with_format(0, i as u16, h.as_ref(), &bold).map_err(err)?;
        }
        self.sheet = Some(self.sheets);
        self.sheets += 1;
        self.row = 1;
        self.numeric = numeric;
        Ok(())
    }

    /// One row of the current sheet, in order.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), String> {
        let i = self.sheet.ok_or("xlsx: no sheet")?;
        self.cells += cells.len();
        if self.row >= MAX_ROWS || self.cells > MAX_CELLS {
            return Err("xlsx: too many rows for a spreadsheet (the CSV has them all)".into());
        }
        let ws = self.wb.worksheet_from_index(i).map_err(err)?;
        for (j, c) in cells.iter().enumerate() {
            let c = c.as_ref();
            if c.is_empty() {
                continue;
            }
            let number = self.numeric.get(j).copied().unwrap_or(false).then(|| c.parse::<f64>().ok()).flatten();
            match number {
                Some(n) => ws.write_number(self.row, j as u16, n).map_err(err)?,
                None => ws.write_string(self.row, j as u16, c).map_err(err)?,
            };
        }
        self.row += 1;
        Ok(())
    }

    /// Filters on the current sheet's header and rows so far (the long-format data sheet).
    pub fn filter(&mut self, columns: u16) -> Result<(), String> {
        let i = self.sheet.ok_or("xlsx: no sheet")?;
        let last = self.row.saturating_sub(1).max(1);
        let ws = self.wb.worksheet_from_index(i).map_err(err)?;
        ws.autofilter(0, 0, last, columns.saturating_sub(1)).map_err(err)?;
        Ok(())
    }

    /// A sheet of a report: its tables one under the other, each a titled Excel table (French
    /// headers, filters), each starting on a new printed page; printed landscape on A4, fitted
    /// to the page's width, the labels' column wide enough to read.
    pub fn report_sheet(&mut self, name: &str, title: &str, blocks: &[Block]) -> Result<(), String> {
        let bold = Format::new().set_bold();
        let big = Format::new().set_bold().set_font_size(14);
        let wrap = Format::new().set_text_wrap().set_italic();
        // Every cell at the top of its row: a wrapped label's first line has its numbers beside it.
        use rust_xlsxwriter::FormatAlign::{Right, Top};
        let count = Format::new().set_num_format("#,##0").set_border(FormatBorder::Thin).set_align(Top);
        let percent = Format::new().set_num_format("0 %").set_border(FormatBorder::Thin).set_align(Top);
        let text = Format::new().set_border(FormatBorder::Thin).set_align(Right).set_align(Top);
        let label = Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_align(Top);
        let ws = self.wb.add_worksheet();
        ws.set_name(name).map_err(err)?;
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        ws.set_column_width(0, 48).map_err(err)?;
        let widest = blocks.iter().map(|b| b.header.len()).max().unwrap_or(1);
        for c in 1..widest.max(2) {
            ws.set_column_width(c as u16, 16).map_err(err)?;
        }
        ws.write_string_with_format(0, 0, title, &big).map_err(err)?;
        let mut row: u32 = 2;
        let mut breaks = Vec::new();
        for (k, b) in blocks.iter().enumerate() {
            if k > 0 {
                breaks.push(row);
            }
            ws.write_string_with_format(row, 0, &b.title, &bold).map_err(err)?;
            row += 1;
            if !b.note.is_empty() {
                ws.write_string_with_format(row, 0, &b.note, &wrap).map_err(err)?;
                row += 1;
            }
            // Excel tables need unique, non-empty headers.
            let mut seen = std::collections::HashSet::new();
            let headers: Vec<String> = b
                .header
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let mut h = if h.trim().is_empty() { if i == 0 { "Libellé".to_string() } else { format!("Colonne {}", i + 1) } } else { h.clone() };
                    while !seen.insert(h.clone()) {
                        h.push(' ');
                    }
                    h
                })
                .collect();
            let first = row;
            for (i, h) in headers.iter().enumerate() {
                ws.write_string_with_format(row, i as u16, h, &bold).map_err(err)?;
            }
            for r in &b.rows {
                row += 1;
                for (j, c) in r.iter().enumerate() {
                    let j = j as u16;
                    match c {
                        XCell::Text(t) if j == 0 => ws.write_string_with_format(row, j, t, &label).map(|_| ()),
                        XCell::Text(t) => ws.write_string_with_format(row, j, t, &text).map(|_| ()),
                        XCell::Number(n) => ws.write_number_with_format(row, j, *n, &count).map(|_| ()),
                        XCell::Percent(p) => ws.write_number_with_format(row, j, *p, &percent).map(|_| ()),
                        XCell::Empty => Ok(()),
                    }
                    .map_err(err)?;
                }
            }
            if b.rows.is_empty() {
                row += 1;
            }
            let columns: Vec<TableColumn> = headers.iter().map(|h| TableColumn::new().set_header(h)).collect();
            let table = Table::new().set_columns(&columns).set_style(TableStyle::Light1).set_autofilter(true);
            ws.add_table(first, 0, row, (headers.len() - 1) as u16, &table).map_err(err)?;
            row += 1;
            if !b.footnote.is_empty() {
                ws.write_string_with_format(row, 0, &b.footnote, &wrap).map_err(err)?;
                row += 1;
            }
            row += 1;
        }
        if !breaks.is_empty() {
            ws.set_page_breaks(&breaks).map_err(err)?;
        }
        self.sheets += 1;
        self.sheet = None;
        Ok(())
    }

    pub fn bytes(mut self) -> Result<Vec<u8>, String> {
        self.wb.save_to_buffer().map_err(err)
    }
}

/// A cell of a report's table.
#[derive(Debug, Clone, PartialEq)]
pub enum XCell {
    Text(String),
    Number(f64),
    /// A share (0.26), shown as a percentage ("26 %").
    Percent(f64),
    Empty,
}

/// One table of a report's sheet.
#[derive(Debug, Clone, Default)]
pub struct Block {
    pub title: String,
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<XCell>>,
    /// Under the table (what « s » and « < 5 » mean).
    pub footnote: String,
}
