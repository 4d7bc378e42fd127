//! The kiosk's own texts (buttons, hints, messages), one gettext `.po` file per language in
//! `i18n/`, embedded in the binary. Questionnaire texts are data and carry their own
//! translations. Keys are stable ids (`nav.back`); a missing text falls back to French.

use std::collections::HashMap;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));

/// Languages written right to left.
pub fn is_rtl(lang: &str) -> bool {
    matches!(lang, "ar" | "fa" | "he" | "ur")
}

type Catalogue = HashMap<String, String>;

fn catalogues() -> &'static HashMap<&'static str, Catalogue> {
    static CATS: OnceLock<HashMap<&'static str, Catalogue>> = OnceLock::new();
    CATS.get_or_init(|| {
        CATALOGUES
            .iter()
            .map(|(lang, text)| {
                let map = match polib::po_file::parse_from_reader(text.as_bytes()) {
                    Ok(cat) => cat
                        .messages()
                        .filter(|m| !m.msgid().is_empty())
                        .filter_map(|m| m.msgstr().ok().filter(|s| !s.is_empty()).map(|s| (m.msgid().to_string(), s.to_string())))
                        .collect(),
                    Err(e) => {
                        log::error!("i18n/{lang}.po cannot be read: {e}");
                        HashMap::new()
                    }
                };
                (*lang, map)
            })
            .collect()
    })
}

/// The text of `key` in `lang` (French if missing there, the key itself if missing everywhere).
pub fn tr(lang: &str, key: &str) -> String {
    let cats = catalogues();
    cats.get(lang).and_then(|c| c.get(key)).or_else(|| cats.get("fr").and_then(|c| c.get(key))).cloned().unwrap_or_else(|| key.to_string())
}

/// [`tr`] with `{name}` placeholders replaced.
pub fn tr_with(lang: &str, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = tr(lang, key);
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// A number of days as a visitor says it, in `lang`: "1 an", "3 mois", "45 jours".
pub fn duration(lang: &str, days: u32) -> String {
    let (n, one, many) = match days {
        d if d >= 365 && d % 365 == 0 => (d / 365, "time.year", "time.years"),
        d if d >= 30 && d % 30 == 0 => (d / 30, "time.month", "time.months"),
        d => (d, "time.day", "time.days"),
    };
    tr_with(lang, if n == 1 { one } else { many }, &[("n", &n.to_string())])
}

/// Sections of the catalogues written for staff in French and English only (a visitor never
/// sees them): a visitor language is complete without them.
pub const STAFF_ONLY: &[&str] = &["mediator."];

/// Keys missing or empty in `lang`, compared with French (staff-only sections count for English
/// only).
pub fn missing(lang: &str) -> Vec<String> {
    let cats = catalogues();
    let Some(fr) = cats.get("fr") else {
        return Vec::new();
    };
    let other = cats.get(lang);
    let staff = |k: &str| lang != "en" && STAFF_ONLY.iter().any(|p| k.starts_with(p));
    let mut v: Vec<String> = fr.keys().filter(|k| !staff(k) && other.is_none_or(|c| !c.contains_key(*k))).cloned().collect();
    v.sort();
    v
}

/// Whether the catalogue of `lang` says a native speaker reviewed it (`X-Reviewed-By-Native-Speaker`).
pub fn reviewed(lang: &str) -> bool {
    CATALOGUES
        .iter()
        .find(|(l, _)| *l == lang)
        .is_some_and(|(_, text)| text.lines().take(30).any(|l| l.trim_matches('"').starts_with("X-Reviewed-By-Native-Speaker: true")))
}
