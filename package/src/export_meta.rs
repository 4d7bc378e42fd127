//! What a kiosk's export says of itself: its data dictionary (`dictionnaire.csv`), its
//! `datapackage.json` (a Table Schema per table, with hashes) and its `LISEZMOI.txt`.

use crate::columns::{Column, visits_schema};
use crate::format::{FORMAT, KIOSK_ID_PATTERN, SKIPPED};
use crate::write::{Written, tabular};
use passerelle_core::definitions::Definitions;
use passerelle_core::flow::{Order, VisitPath};
use passerelle_core::questionnaire::{Kind, Question};
use passerelle_core::vocab;
use serde_json::{Value, json};

/// Every id of the data dictionary with its labels.
pub fn dictionary(defs: &Definitions) -> Vec<[String; 5]> {
    let mut rows = Vec::new();
    for q in defs.questionnaire.questions() {
        rows.push(["question".into(), q.id.clone(), q.id.clone(), q.label.get("fr").into(), q.label.get("en").into()]);
        for c in &q.choices {
            rows.push(["choice".into(), q.id.clone(), c.id.clone(), c.label.get("fr").into(), c.label.get("en").into()]);
        }
        for r in &q.rows {
            rows.push(["row".into(), q.id.clone(), r.id.clone(), r.label.get("fr").into(), r.label.get("en").into()]);
        }
        if !q.choices.is_empty() && q.kind != Kind::Contact {
            rows.push(["choice".into(), q.id.clone(), SKIPPED.into(), "Je préfère ne pas répondre".into(), "I prefer not to answer".into()]);
        }
    }
    for v in vocab::COOP_AUTONOMIE.iter().chain(vocab::COOP_THEMATIQUES).chain(vocab::COOP_NIVEAU) {
        rows.push(["profile".into(), String::new(), v.to_string(), vocab::label(v, "fr"), vocab::label(v, "en")]);
    }
    for (f, label) in &defs.rules.flags {
        rows.push(["flag".into(), String::new(), f.clone(), label.get("fr").into(), label.get("en").into()]);
    }
    rows
}

pub fn datapackage(defs: &Definitions, cols: &[Column], files: &[Written], folder: &str) -> Value {
    let multiples: Vec<&Question> = defs.questionnaire.questions().iter().filter(|q| q.kind == Kind::Multiple).collect();
    let hash = |name: &str| files.iter().find(|f| f.name == name).map(|f| (format!("sha256:{}", f.sha256), f.bytes));
    let with_hash = |mut r: Value| {
        if let Some((h, b)) = hash(r["path"].as_str().unwrap_or_default()) {
            r["hash"] = json!(h);
            r["bytes"] = json!(b);
        }
        r
    };
    let mut resources = vec![
        with_hash(tabular("visits", "visits.csv", "Visites terminées : réponses et profil", visits_schema(defs, cols))),
        with_hash(tabular(
            "choix_multiples",
            "choix_multiples.csv",
            "Réponses des questions à choix multiples, une ligne par choix",
            json!({
                "fields": [
                    {"name": "kiosk_id", "type": "string", "constraints": {"required": true, "pattern": KIOSK_ID_PATTERN}},
                    {"name": "visit_id", "type": "string", "constraints": {"required": true}},
                    {"name": "question_id", "type": "string", "constraints": {"required": true, "enum": multiples.iter().map(|q| q.id.clone()).collect::<Vec<_>>()}},
                    {"name": "choice_id", "type": "string", "constraints": {"required": true}},
                ],
                "primaryKey": ["kiosk_id", "visit_id", "question_id", "choice_id"],
                "foreignKeys": [{"fields": ["kiosk_id", "visit_id"], "reference": {"resource": "visits", "fields": ["kiosk_id", "visit_id"]}}],
            }),
        )),
        with_hash(tabular(
            "abandons",
            "abandons.csv",
            "Visites abandonnées : seulement l'étape atteinte",
            json!({
                "fields": [
                    {"name": "kiosk_id", "type": "string", "constraints": {"required": true, "pattern": KIOSK_ID_PATTERN}},
                    {"name": "abandon_id", "type": "integer", "constraints": {"required": true}},
                    {"name": "local_date", "type": "date", "constraints": {"required": true}},
                    {"name": "local_hour", "type": "integer", "constraints": {"required": true, "minimum": 0, "maximum": 23}},
                    {"name": "step", "type": "string", "constraints": {"required": true}},
                    {"name": "questionnaire_version", "type": "string"},
                ],
                "primaryKey": ["kiosk_id", "abandon_id"],
            }),
        )),
        with_hash(tabular(
            "dictionnaire",
            "dictionnaire.csv",
            "Dictionnaire des données : chaque identifiant et son libellé",
            json!({
                "fields": [
                    {"name": "element", "type": "string", "constraints": {"required": true, "enum": ["question", "choice", "row", "profile", "flag"]}},
                    {"name": "question_id", "type": "string"},
                    {"name": "id", "type": "string", "constraints": {"required": true}},
                    {"name": "label_fr", "type": "string"},
                    {"name": "label_en", "type": "string"},
                ],
            }),
        )),
    ];
    // visites.xlsx is not a resource (Frictionless would read it as a table of its own): it is
    // a copy of visits.csv and dictionnaire.csv for people, covered by SHA256SUMS.
    for f in files.iter().filter(|f| f.name.starts_with("contacts/")) {
        resources.push(json!({
            "name": format!("contact-{}", f.name.trim_start_matches("contacts/").trim_end_matches(".age").to_lowercase()),
            "path": f.name,
            "title": "Coordonnées chiffrées (age, clé de l'administrateur)",
            "profile": "data-resource",
            "format": "age",
            "mediatype": "application/octet-stream",
            "hash": format!("sha256:{}", f.sha256),
            "bytes": f.bytes,
        }));
    }
    json!({
        "profile": "data-package",
        "name": folder.to_lowercase(),
        "title": format!("Passerelle — {} ({})", defs.config.structure, defs.config.commune),
        "description": "Réponses au questionnaire de positionnement numérique et profils (La Coop de la médiation numérique, standard des lieux de médiation numérique).",
        "version": format!("{FORMAT}.0.0"),
        "passerelle": {
            "format": FORMAT,
            "kiosk_id": defs.config.kiosk_id,
            "structure": defs.config.structure,
            "commune": defs.config.commune,
            "questionnaire_id": defs.questionnaire.id,
            "questionnaire_version": defs.questionnaire.version,
            "rules_version": defs.rules.version,
            "skip_code": SKIPPED,
            "path": match defs.config.flow.path { VisitPath::Complet => "complet", VisitPath::Court => "court" },
            "order": match defs.config.flow.order { Order::Deck => "deck", Order::EssentialsFirst => "essentials_first" },
        },
        "resources": resources,
    })
}

pub fn readme(defs: &Definitions, contacts: usize) -> String {
    format!(
        "Export Passerelle — {structure} ({commune}), borne {kiosk}\n\n\
         visits.csv            une ligne par visite terminée : réponses (identifiants) et profil\n\
         choix_multiples.csv   une ligne par choix des questions à choix multiples\n\
         abandons.csv          visites abandonnées : seulement l'étape atteinte\n\
         dictionnaire.csv      chaque identifiant avec son libellé en français et en anglais\n\
         visites.xlsx          les visites et le dictionnaire en tableur : s'ouvre d'un double-clic dans Excel ou LibreOffice\n\
         datapackage.json      description des tables (Table Schema, schema.data.gouv.fr)\n\
         contacts/             {contacts} fichier(s) de coordonnées, chiffrés pour la clé de l'administrateur\n\
         SHA256SUMS            empreintes : `sha256sum -c SHA256SUMS`\n\
         SHA256SUMS.minisig    signature de la borne : `minisign -Vm SHA256SUMS -P CLE_PUBLIQUE` (passerelle signing-key)\n\n\
         Données pseudonymes, pas anonymes : la référence d'une visite la relie à son ticket et, avec la clé\n\
         de l'administrateur, aux coordonnées chiffrées. Santé (handicap) : donnée sensible, à protéger.\n\n\
         Dans les réponses : case vide = question non posée ; « {SKIPPED} » = la personne a préféré ne pas répondre ;\n\
         plusieurs valeurs sont séparées par « | ». Fichiers CSV en UTF-8 (avec BOM), séparateur virgule, dates AAAA-MM-JJ.\n\
         Une apostrophe (') en tête d'une case, ou juste après un « ; », protège les tableurs des formules : elle ne fait pas partie de la valeur.\n\n\
         Lire les coordonnées : passerelle decrypt --identity CLE.txt DOSSIER (ou l'outil age : age -d -i CLE.txt contacts/X.age).\n\
         Vérifier : frictionless validate datapackage.json\n",
        structure = defs.config.structure,
        commune = defs.config.commune,
        kiosk = defs.config.kiosk_id,
    )
}
