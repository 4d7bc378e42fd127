//! Translated texts: one string per language code ("fr", "en", …).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A text in several languages, as written in the data files: `{ fr = "…", en = "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    pub fn new(fr: &str, en: &str) -> Self {
        let mut m = BTreeMap::new();
        m.insert("fr".to_string(), fr.to_string());
        m.insert("en".to_string(), en.to_string());
        Text(m)
    }

    /// The text in `lang`, falling back to French, then to any language.
    pub fn get(&self, lang: &str) -> &str {
        self.0.get(lang).or_else(|| self.0.get("fr")).or_else(|| self.0.values().next()).map(String::as_str).unwrap_or("")
    }

    /// French text (the reference language of the data dictionary).
    pub fn fr(&self) -> &str {
        self.get("fr")
    }

    /// Languages among `required` that are missing or empty.
    pub fn missing<'a>(&self, required: &'a [String]) -> Vec<&'a str> {
        required.iter().filter(|l| self.0.get(l.as_str()).is_none_or(|s| s.trim().is_empty())).map(String::as_str).collect()
    }

    /// Replace `{key}` placeholders in every language.
    pub fn fill(&self, vars: &[(&str, &str)]) -> Text {
        Text(
            self.0
                .iter()
                .map(|(l, s)| {
                    let mut s = s.clone();
                    for (k, v) in vars {
                        s = s.replace(&format!("{{{k}}}"), v);
                    }
                    (l.clone(), s)
                })
                .collect(),
        )
    }
}
