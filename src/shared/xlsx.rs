//! Spreadsheets (`.xlsx`, with `rust_xlsxwriter`): French Excel splits a double-clicked CSV on
//! semicolons, so a comma CSV opens as one column for most admins; an `.xlsx` opens right
//! everywhere. Cells are written as text, or as numbers in the columns that hold numbers; never
//! as formulas (a text cell stays text whatever it starts with), so no protective apostrophe is
//! needed. The workbook is built in memory (the crate's "constant memory" mode writes temporary
//! files and panics when the disk is full), so a book holds at most [`MAX_CELLS`] cells: past
//! that, [`Book::row`] refuses and the caller goes on without the spreadsheet.

use rust_xlsxwriter::{Format, Workbook};

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

    pub fn bytes(mut self) -> Result<Vec<u8>, String> {
        self.wb.save_to_buffer().map_err(err)
    }
}
