//! The shapes a package's strings must have before anything uses them: ids, versions, column
//! names, visit references, file names, and text without control characters.

/// A character that must never come out of a package: C0 and C1 controls (NUL, ESC, CR, LF,
/// U+0085…), the line and paragraph separators U+2028/U+2029 (JavaScript and some editors end a
/// line there) and the bidirectional overrides and isolates (they reorder what a terminal or a
/// report shows).
pub fn forbidden_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The first forbidden character of a cell's bytes (UTF-8 or not), if any: the check on every
/// cell of every table, so it looks at bytes.
pub fn forbidden_in_bytes(cell: &[u8]) -> bool {
    cell.iter().enumerate().any(|(i, &b)| match b {
        0x00..=0x1f | 0x7f => true,
        // C1 controls are C2 80..9F in UTF-8.
        0xc2 => cell.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)),
        // U+2028..U+202E are E2 80 A8..AE; U+2066..U+2069 are E2 81 A6..A9.
        0xe2 => match (cell.get(i + 1), cell.get(i + 2)) {
            (Some(0x80), Some(x)) => (0xa8..=0xae).contains(x),
            (Some(0x81), Some(x)) => (0xa6..=0xa9).contains(x),
            _ => false,
        },
        _ => false,
    })
}

/// A text from a package shown as it is, forbidden characters escaped (for reasons).
pub fn shown(s: &str) -> String {
    s.chars().take(40).flat_map(|c| if forbidden_char(c) { c.escape_unicode().collect::<Vec<_>>() } else { vec![c] }).collect()
}

/// A name of SHA256SUMS that stays inside the folder, without forbidden characters.
pub fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('/')
        && name.split('/').all(|p| !p.is_empty() && p != ".." && p != ".")
        && !name.contains('\\')
        && !name.chars().any(forbidden_char)
}

/// A version string `MAJOR.MINOR.PATCH`, digits only (`^\d+\.\d+\.\d+$`).
pub fn valid_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A column name: an id, or two joined by a dot (`capacites.allumer_ordinateur`,
/// `profil.autonomie`). Column names become SQL identifiers: ASCII lowercase letters, digits,
/// `_`, `-` and one `.` at most.
pub fn valid_column(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() <= 2
        && parts.iter().all(|p| passerelle_core::questionnaire::check_id(p).is_ok())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.'))
}

/// A visit reference: 1 to 16 digits or capital letters (the kiosk writes 8, Crockford base 32).
pub fn valid_visit_ref(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= 16 && id.iter().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

/// The kiosk and visit of an encrypted contact file: `contacts/<visit>.age` in a kiosk's export
/// (and in format 1 merges), `contacts/<kiosk>/<visit>.age` in format 2 merges.
pub fn contact_file(name: &str) -> Option<(Option<&str>, &str)> {
    let rest = name.strip_prefix("contacts/")?.strip_suffix(".age")?;
    let (kiosk, visit) = match rest.split_once('/') {
        Some((k, v)) => (Some(k), v),
        None => (None, rest),
    };
    (kiosk.is_none_or(passerelle_core::config::valid_kiosk_id) && valid_visit_ref(visit.as_bytes())).then_some((kiosk, visit))
}

/// The first string of a JSON document (keys included) that holds a forbidden character, with
/// where it is (`resources[2].schema.fields[0].name`).
pub fn forbidden_in_json(v: &serde_json::Value) -> Option<(String, String)> {
    fn walk(v: &serde_json::Value, at: &str) -> Option<(String, String)> {
        match v {
            serde_json::Value::String(s) => s.chars().any(forbidden_char).then(|| (at.to_string(), s.clone())),
            serde_json::Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| walk(x, &format!("{at}[{i}]"))),
            serde_json::Value::Object(o) => o.iter().find_map(|(k, x)| {
                let here = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
                if k.chars().any(forbidden_char) { Some((here, k.clone())) } else { walk(x, &here) }
            }),
            _ => None,
        }
    }
    walk(v, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_found_in_bytes_and_text_alike() {
        for c in ['\0', '\n', '\r', '\u{1b}', '\u{7}', '\u{7f}', '\u{85}', '\u{9f}', '\u{2028}', '\u{2029}', '\u{202e}', '\u{2066}', '\u{2069}'] {
            let s = format!("a{c}b");
            assert!(forbidden_in_bytes(s.as_bytes()), "{:?}", c);
            assert!(s.chars().any(forbidden_char), "{:?}", c);
            assert!(forbidden_in_json(&serde_json::json!({"x": [1, s.clone()]})).is_some());
            assert!(forbidden_in_json(&serde_json::json!({ s.clone(): 1 })).is_some());
        }
        for ok in ["Mairie de Clichy", "Éléonore ; « x »", "مرحبا", "a\u{200d}b", "\u{2027}\u{202f}\u{2065}"] {
            assert!(!forbidden_in_bytes(ok.as_bytes()), "{ok}");
            assert!(!ok.chars().any(forbidden_char), "{ok}");
        }
        assert_eq!(shown("a\u{1b}[31m"), "a\\u{1b}[31m");
    }

    #[test]
    fn names_and_columns_have_their_shapes() {
        assert!(safe_name("contacts/k/ABC.age") && !safe_name("../x") && !safe_name("a\0b") && !safe_name("/etc"));
        assert!(valid_column("profil.autonomie") && !valid_column("a\"b") && !valid_column("a.b.c") && !valid_column("Age"));
        assert!(valid_version("1.10.0") && !valid_version("1.0") && !valid_version("1.0.0\n"));
    }
}
