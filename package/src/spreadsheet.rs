//! CSV cells that open safely in a spreadsheet (OWASP "CSV injection").
//!
//! LibreOffice and Excel evaluate a cell that starts with `=`, `+`, `-` or `@` as a formula (and
//! some versions treat a leading TAB or CR the same way). Every CSV that Passerelle writes passes
//! its cells through [`protect`] (or [`protect_text`] for text that may look like a number, such
//! as a phone number): such a cell gets a leading apostrophe, which spreadsheets show as "this is
//! text" and which the data packages' Table Schemas document. The function is idempotent: a cell
//! already protected starts with `'` and is left alone, so a merge of merges adds nothing.

use std::borrow::Cow;

/// The first characters a spreadsheet may evaluate.
const DANGEROUS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// What the data packages say of the apostrophe (Table Schema field descriptions).
pub const NOTE_FR: &str =
    "Une apostrophe (') en tête d'une case, ou juste après un « ; », protège les tableurs des formules : elle ne fait pas partie de la valeur.";

/// A cell starting with a character a spreadsheet may evaluate, that is not a plain number.
pub fn dangerous(cell: &str) -> bool {
    cell.starts_with(DANGEROUS) && !is_number(cell)
}

/// A plain decimal number (`-12`, `+3.5`, `1e3`): spreadsheets read it as the number it is.
fn is_number(cell: &str) -> bool {
    let body = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    !body.is_empty() && body.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.') && cell.parse::<f64>().is_ok_and(f64::is_finite)
}

/// The cell, with a leading apostrophe when a spreadsheet would evaluate it. Numbers stay as they
/// are. A `;` inside the cell is protected too ([`protect_semicolons`]).
pub fn protect(cell: &str) -> Cow<'_, str> {
    let head = if dangerous(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) };
    protect_semicolons(head)
}

/// Like [`protect`], but for text that is never a number even when it looks like one (a phone
/// number such as `+33612345678`).
pub fn protect_text(cell: &str) -> Cow<'_, str> {
    let head = if cell.starts_with(DANGEROUS) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) };
    protect_semicolons(head)
}

/// French Excel and LibreOffice split a double-clicked CSV on `;`, whatever its quotes: the text
/// after a `;` inside a cell then starts a cell of its own. An apostrophe goes after every `;`
/// that is followed (after spaces or quotes) by a character a spreadsheet may evaluate, so that no
/// part can be a formula whichever separator the spreadsheet uses. Idempotent.
pub fn protect_semicolons(cell: Cow<'_, str>) -> Cow<'_, str> {
    let needs = |s: &str| s.match_indices(';').any(|(i, _)| s[i + 1..].trim_start_matches([' ', '"']).starts_with(DANGEROUS));
    if !needs(&cell) {
        return cell;
    }
    let mut out = String::with_capacity(cell.len() + 4);
    let mut rest: &str = &cell;
    while let Some(i) = rest.find(';') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        if rest.trim_start_matches([' ', '"']).starts_with(DANGEROUS) {
            out.push('\'');
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// [`protect`] for raw CSV bytes (the merge copies records as bytes).
pub fn protect_bytes(cell: &[u8]) -> Cow<'_, [u8]> {
    match std::str::from_utf8(cell) {
        Ok(s) => match protect(s) {
            Cow::Borrowed(_) => Cow::Borrowed(cell),
            Cow::Owned(o) => Cow::Owned(o.into_bytes()),
        },
        // Not UTF-8: protect on the first byte alone.
        Err(_) if cell.first().is_some_and(|b| b"=+-@\t\r".contains(b)) => Cow::Owned([b"'".as_slice(), cell].concat()),
        Err(_) => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_get_an_apostrophe_numbers_do_not() {
        for (cell, out) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-12", "-12"),
            ("+3.5", "+3.5"),
            ("42", "42"),
            ("Mairie", "Mairie"),
            ("", ""),
            ("'=1", "'=1"),
            ("-", "'-"),
            ("-inf", "'-inf"),
            ("-NaN", "'-NaN"),
        ] {
            assert_eq!(protect(cell), out, "{cell:?}");
            assert_eq!(protect_bytes(cell.as_bytes()).as_ref(), out.as_bytes(), "{cell:?}");
        }
    }

    #[test]
    fn no_part_after_a_semicolon_can_be_a_formula() {
        for (cell, out) in [
            ("x;=1+1;y", "x;'=1+1;y"),
            ("Mairie; =HYPERLINK(1)", "Mairie;' =HYPERLINK(1)"),
            ("a;\"@SUM(A1)", "a;'\"@SUM(A1)"),
            ("=1;-2", "'=1;'-2"),
            ("un; deux", "un; deux"),
            ("a;'=1", "a;'=1"),
        ] {
            assert_eq!(protect(cell), out, "{cell:?}");
            assert_eq!(protect(out), out, "idempotent: {out:?}");
            assert_eq!(protect_bytes(cell.as_bytes()).as_ref(), out.as_bytes());
        }
        assert_eq!(protect_text("0612;+33 6"), "0612;'+33 6");
    }

    #[test]
    fn phone_numbers_are_text() {
        assert_eq!(protect_text("+33612345678"), "'+33612345678");
        assert_eq!(protect_text("0612345678"), "0612345678");
        assert_eq!(protect("+33612345678"), "+33612345678");
    }

    #[test]
    fn protecting_twice_changes_nothing() {
        for cell in ["=1+1", "-x", "@a", "+33 6", "ok"] {
            let once = protect(cell).into_owned();
            assert_eq!(protect(&once), once);
            let once = protect_text(cell).into_owned();
            assert_eq!(protect_text(&once), once);
        }
    }
}
