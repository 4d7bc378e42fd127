//! The merged package's schema: the fields of every questionnaire version given, widened so that
//! each version's rows fit (enums and list patterns united), and its `datapackage.json`.

use crate::merge::{MergeOutcome, plural};
use passerelle_package::format::{EXPORTS, FORMAT, SKIPPED, TABLES};
use passerelle_package::read::{Package, UNVERIFIED, VERIFIED, resource};
use passerelle_package::write::Written;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;

/// Version strings compared number by number ("1.10.0" > "1.9.2").
pub(crate) fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// The alternatives of a `^(a|b)(\|(a|b))*$` list pattern (still escaped).
fn list_alternatives(p: &str) -> Option<Vec<String>> {
    let inner = p.strip_prefix("^(")?;
    let end = inner.find(")(\\|(")?;
    let alt = &inner[..end];
    if p != format!("^({alt})(\\|({alt}))*$") {
        return None;
    }
    let (mut out, mut cur, mut chars) = (Vec::new(), String::new(), alt.chars());
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                cur.extend(chars.next());
            }
            '|' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    Some(out)
}

/// Widens field `a` so that it also accepts what `b` accepts (same column in another version).
fn widen(a: &mut Value, b: &Value) -> Result<(), String> {
    let name = a["name"].as_str().unwrap_or_default().to_string();
    if a["type"] != b["type"] {
        return Err(format!("la colonne {name} n'a pas le même type ({} / {})", a["type"], b["type"]));
    }
    let (ca, cb) = (a["constraints"].clone(), &b["constraints"]);
    let mut c = ca.as_object().cloned().unwrap_or_default();
    if let (Some(x), Some(y)) = (ca["enum"].as_array(), cb["enum"].as_array()) {
        let mut all = x.clone();
        all.extend(y.iter().filter(|v| !x.contains(v)).cloned());
        c.insert("enum".into(), Value::Array(all));
    } else if ca["enum"].is_array() != cb["enum"].is_array() {
        c.remove("enum");
    }
    match (ca["pattern"].as_str(), cb["pattern"].as_str()) {
        (Some(x), Some(y)) if x != y => {
            let (Some(mut xa), Some(ya)) = (list_alternatives(x), list_alternatives(y)) else {
                return Err(format!("la colonne {name} n'a pas le même motif"));
            };
            xa.extend(ya.into_iter().filter(|v| !xa.contains(v)).collect::<Vec<_>>());
            let alt = xa.join("|");
            c.insert("pattern".into(), Value::String(format!("^({alt})(\\|({alt}))*$")));
        }
        (Some(_), None) => {
            c.remove("pattern");
        }
        _ => {}
    }
    if let (Some(x), Some(y)) = (ca["maxLength"].as_u64(), cb["maxLength"].as_u64()) {
        c.insert("maxLength".into(), json!(x.max(y)));
    }
    if cb["required"] != true {
        c.remove("required");
    }
    a["constraints"] = Value::Object(c);
    Ok(())
}

/// The merged tables' fields, built from the newest questionnaire version down.
#[derive(Debug, Default, Clone)]
pub(crate) struct Schema {
    pub(crate) tables: HashMap<String, Vec<Value>>,
}

impl Schema {
    pub(crate) fn names(&self, table: &str) -> Vec<String> {
        self.tables.get(table).into_iter().flatten().map(|f| f["name"].as_str().unwrap_or_default().to_string()).collect()
    }

    /// Adds a package's tables; on an incompatibility nothing changes and the reason is returned.
    pub(crate) fn add(&mut self, pkg: &Package) -> Result<(), String> {
        let mut next = self.clone();
        for (table, _) in TABLES {
            let mut fields: Vec<Value> = pkg.fields(table).iter().map(|f| f.desc.clone()).collect();
            // Format 1 multiple choices have no kiosk column: the merge fills it from the visit.
            if table == "choix_multiples" && !fields.iter().any(|f| f["name"] == "kiosk_id") {
                fields.insert(
                    0,
                    json!({"name": "kiosk_id", "type": "string", "constraints": {"required": true, "pattern": passerelle_package::format::KIOSK_ID_PATTERN}}),
                );
            }
            let Some(merged) = next.tables.get_mut(table) else {
                next.tables.insert(table.to_string(), fields);
                continue;
            };
            for f in &fields {
                match merged.iter_mut().find(|m| m["name"] == f["name"]) {
                    Some(m) => widen(m, f).map_err(|e| format!("{table} : {e}"))?,
                    None if table == "visits" => {
                        // A column of another version: before the profile's columns, not required.
                        let mut f = f.clone();
                        if let Some(c) = f.get_mut("constraints").and_then(Value::as_object_mut) {
                            c.remove("required");
                        }
                        let at = merged
                            .iter()
                            .position(|m| m["name"].as_str().is_some_and(|n| n.starts_with(passerelle_package::format::PROFILE_PREFIX)))
                            .unwrap_or(merged.len());
                        merged.insert(at, f);
                    }
                    None => return Err(format!("la table {table} n'a pas les colonnes attendues")),
                }
            }
            // A column this package lacks is empty for its rows: no longer required.
            for m in merged.iter_mut() {
                if !fields.iter().any(|f| f["name"] == m["name"])
                    && let Some(c) = m.get_mut("constraints").and_then(Value::as_object_mut)
                {
                    c.remove("required");
                }
            }
        }
        *self = next;
        Ok(())
    }
}

/// The columns of exports.csv (format 2 adds `signataire`, `cle_publique`, `provenance`, then
/// `parcours` and `ordre`; older merges are read by name, a missing column as "inconnu").
pub(crate) const EXPORTS_FIELDS: [&str; 13] = [
    "export",
    "kiosk_id",
    "structure",
    "commune",
    "questionnaire_version",
    "visits",
    "abandons",
    "empreinte",
    "signataire",
    "cle_publique",
    "provenance",
    "parcours",
    "ordre",
];

/// The kiosk's path (`parcours`) and order (`ordre`) as an export declares them, or "inconnu":
/// only these values reach the merge.
pub(crate) const PATHS: [&str; 3] = ["complet", "court", "inconnu"];
pub(crate) const ORDERS: [&str; 3] = ["essentials_first", "deck", "inconnu"];

/// `value` when it is one of `allowed`, else "inconnu".
pub(crate) fn known_or_unknown<'a>(value: &'a str, allowed: &[&'a str]) -> &'a str {
    if allowed.contains(&value) { value } else { "inconnu" }
}

pub(crate) fn exports_schema() -> Value {
    json!({
        "fields": [
            {"name": "export", "title": "Dossier d'export", "type": "string", "constraints": {"required": true}},
            {"name": "kiosk_id", "title": "Borne", "type": "string", "constraints": {"pattern": passerelle_package::format::KIOSK_ID_PATTERN}},
            {"name": "structure", "title": "Structure", "type": "string"},
            {"name": "commune", "title": "Commune", "type": "string"},
            {"name": "questionnaire_version", "title": "Version du questionnaire", "type": "string"},
            {"name": "visits", "title": "Visites dans l'export", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "abandons", "title": "Abandons dans l'export", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "empreinte", "title": "SHA-256 du SHA256SUMS de l'export", "type": "string", "constraints": {"required": true, "unique": true, "pattern": "^[0-9a-f]{64}$"}},
            {"name": "signataire", "title": "Clé de confiance qui a signé l'export (son nom), si la provenance a été vérifiée", "type": "string"},
            {"name": "cle_publique", "title": "Clé publique minisign du signataire", "type": "string"},
            {"name": "provenance", "title": "Provenance vérifiée (signature d'une clé de confiance) ou non", "type": "string", "constraints": {"required": true, "enum": [VERIFIED, UNVERIFIED]}},
            {"name": "parcours", "title": "Parcours de la borne (complet, court ; inconnu pour un export qui ne le disait pas)", "type": "string", "constraints": {"enum": PATHS}},
            {"name": "ordre", "title": "Ordre des questions de la borne (essentials_first, deck ; inconnu)", "type": "string", "constraints": {"enum": ORDERS}},
        ],
        "primaryKey": ["empreinte"],
    })
}

pub(crate) fn datapackage(accepted: &[&Package], schema: &Schema, files: &[Written], outcome: &MergeOutcome, out: &Path) -> Value {
    let newest =
        accepted.iter().max_by(|a, b| version_key(&a.questionnaire_version).cmp(&version_key(&b.questionnaire_version))).expect("one package at least");
    let file = |name: &str| files.iter().find(|w| w.name == name);
    let mut resources = Vec::new();
    for (name, path) in TABLES.iter().chain([&EXPORTS]) {
        let mut r = resource(&newest.meta, name).cloned().unwrap_or_else(|| {
            json!({
                "name": name, "path": path, "title": "Exports fusionnés : une ligne par export de borne",
                "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": true},
            })
        });
        if *name == EXPORTS.0 {
            r["schema"] = exports_schema();
        } else {
            let mut fields = schema.tables.get(*name).cloned().unwrap_or_default();
            // Format 2: a reference is unique for its kiosk only.
            for f in fields.iter_mut().filter(|f| f["name"] == "visit_id") {
                if let Some(c) = f.get_mut("constraints").and_then(Value::as_object_mut) {
                    c.remove("unique");
                }
            }
            r["schema"]["fields"] = Value::Array(fields);
        }
        match *name {
            "visits" => r["schema"]["primaryKey"] = json!(["kiosk_id", "visit_id"]),
            "choix_multiples" => {
                r["schema"]["primaryKey"] = json!(["kiosk_id", "visit_id", "question_id", "choice_id"]);
                r["schema"]["foreignKeys"] =
                    json!([{"fields": ["kiosk_id", "visit_id"], "reference": {"resource": "visits", "fields": ["kiosk_id", "visit_id"]}}]);
            }
            _ => {}
        }
        if let Some(w) = file(path) {
            r["hash"] = json!(format!("sha256:{}", w.sha256));
            r["bytes"] = json!(w.bytes);
        }
        resources.push(r);
    }
    if let Some(w) = file(passerelle_package::pickup_table::TABLE.1) {
        let mut r = passerelle_package::pickup_table::resource();
        r["hash"] = json!(format!("sha256:{}", w.sha256));
        r["bytes"] = json!(w.bytes);
        resources.push(r);
    }
    for w in files.iter().filter(|w| w.name.starts_with("contacts/")) {
        resources.push(json!({
            "name": format!("contact-{}", w.name.trim_start_matches("contacts/").trim_end_matches(".age").replace('/', "-").to_lowercase()),
            "path": w.name,
            "title": "Coordonnées chiffrées (age, clé de l'administrateur)",
            "profile": "data-resource",
            "format": "age",
            "mediatype": "application/octet-stream",
            "hash": format!("sha256:{}", w.sha256),
            "bytes": w.bytes,
        }));
    }
    let mut versions: Vec<&str> = accepted.iter().map(|p| p.questionnaire_version.as_str()).collect();
    versions.sort_by_key(|v| std::cmp::Reverse(version_key(v)));
    versions.dedup();
    let name = out.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_else(|| "passerelle-fusion".into());
    let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '-' }).collect();
    json!({
        "profile": "data-package",
        "name": name,
        "title": format!("Passerelle — fusion de {} ({})", plural(outcome.exports, "export"), plural(outcome.kiosks, "borne")),
        "description": "Réponses au questionnaire de positionnement numérique et profils de plusieurs bornes Passerelle, chaque visite une seule fois (La Coop de la médiation numérique, standard des lieux de médiation numérique).",
        "version": format!("{FORMAT}.0.0"),
        "passerelle": {
            "format": FORMAT,
            "merged": true,
            "questionnaire_id": newest.questionnaire_id,
            "questionnaire_version": newest.questionnaire_version,
            "questionnaire_versions": versions,
            "skip_code": SKIPPED,
            "exports": outcome.exports,
            "kiosks": outcome.kiosks,
            "provenance": outcome.provenance,
            "pickups": outcome.pickups,
        },
        "resources": resources,
    })
}
