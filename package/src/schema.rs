//! A Table Schema field of a package's `datapackage.json`, compiled once and checked against
//! every cell of its column.

use regex::bytes::Regex;
use serde_json::Value;

/// What a Table Schema field allows, compiled once.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    /// The field's descriptor as written in datapackage.json.
    pub desc: Value,
    required: bool,
    ty: Ty,
    pub(crate) allowed: Option<Vec<Vec<u8>>>,
    pub(crate) pattern: Option<Regex>,
    max_length: Option<usize>,
    minimum: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ty {
    String,
    Integer,
    Date,
    Other,
}

impl Field {
    pub fn from_json(v: &Value) -> Result<Field, String> {
        let name = v["name"].as_str().ok_or("datapackage.json : un champ sans nom")?.to_string();
        let c = &v["constraints"];
        let ty = match v["type"].as_str().unwrap_or("string") {
            "string" => Ty::String,
            "integer" => Ty::Integer,
            "date" => Ty::Date,
            _ => Ty::Other,
        };
        let allowed = c["enum"].as_array().map(|a| a.iter().filter_map(Value::as_str).map(|s| s.as_bytes().to_vec()).collect());
        // Table Schema patterns match the whole value.
        let pattern = match c["pattern"].as_str() {
            Some(p) => Some(Regex::new(&format!("^(?:{p})$")).map_err(|_| format!("datapackage.json : motif illisible pour {name}"))?),
            None => None,
        };
        Ok(Field {
            required: c["required"].as_bool().unwrap_or(false),
            ty,
            allowed,
            pattern,
            max_length: c["maxLength"].as_u64().map(|n| n as usize),
            minimum: c["minimum"].as_i64(),
            desc: v.clone(),
            name,
        })
    }

    /// Why `cell` breaks this field's schema, if it does.
    pub fn problem(&self, cell: &[u8]) -> Option<&'static str> {
        if cell.is_empty() {
            return self.required.then_some("valeur obligatoire absente");
        }
        let text = std::str::from_utf8(cell).ok()?;
        match self.ty {
            Ty::Integer => match text.parse::<i64>() {
                Ok(n) if self.minimum.is_some_and(|m| n < m) => return Some("nombre trop petit"),
                Ok(_) => {}
                Err(_) => return Some("ce n'est pas un nombre entier"),
            },
            Ty::Date if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() || text.len() != 10 => return Some("ce n'est pas une date AAAA-MM-JJ"),
            _ => {}
        }
        if let Some(allowed) = &self.allowed
            && !allowed.iter().any(|a| a == cell)
        {
            return Some("valeur non permise");
        }
        if let Some(p) = &self.pattern
            && !p.is_match(cell)
        {
            return Some("valeur non permise");
        }
        if self.max_length.is_some_and(|m| text.chars().count() > m) {
            return Some("texte trop long");
        }
        None
    }
}
