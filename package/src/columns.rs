//! The columns of `visits.csv`, **one row per column**: its name, its Table Schema field (type and
//! constraints), how its cell is read from a visit, its kind in the spreadsheet and its role for
//! the report. A new column is one more variant here; every `match` below is exhaustive, so the
//! compiler names each place a new column must be described.

use crate::format::{KIOSK_ID_PATTERN, PROFILE_PREFIX, SKIPPED};
use passerelle_core::definitions::Definitions;
use passerelle_core::profile::Profile;
use passerelle_core::profile_field::{PARTIAL_AT_START, ProfileField};
use passerelle_core::questionnaire::{Kind, Question};
use passerelle_core::vocab;
use serde_json::{Map, Value, json};

/// The columns about a visit that are not answers: who, where, when, which versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meta {
    VisitId,
    KioskId,
    Structure,
    Commune,
    /// The commune of the neighbourhood the visitor chose (kiosk.toml), empty when none: the
    /// report keys neighbourhoods by (commune, neighbourhood).
    QuartierCommune,
    Context,
    LocalDate,
    LocalHour,
    Lang,
    QuestionnaireId,
    QuestionnaireVersion,
    RulesId,
    RulesVersion,
}

impl Meta {
    pub const ALL: [Meta; 13] = [
        Meta::VisitId,
        Meta::KioskId,
        Meta::Structure,
        Meta::Commune,
        Meta::QuartierCommune,
        Meta::Context,
        Meta::LocalDate,
        Meta::LocalHour,
        Meta::Lang,
        Meta::QuestionnaireId,
        Meta::QuestionnaireVersion,
        Meta::RulesId,
        Meta::RulesVersion,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Meta::VisitId => "visit_id",
            Meta::KioskId => "kiosk_id",
            Meta::Structure => "structure",
            Meta::Commune => "commune",
            Meta::QuartierCommune => "quartier_commune",
            Meta::Context => "context",
            Meta::LocalDate => "local_date",
            Meta::LocalHour => "local_hour",
            Meta::Lang => "lang",
            Meta::QuestionnaireId => "questionnaire_id",
            Meta::QuestionnaireVersion => "questionnaire_version",
            Meta::RulesId => "rules_id",
            Meta::RulesVersion => "rules_version",
        }
    }
}

/// Where a column's cells come from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'q> {
    Meta(Meta),
    /// The answer to a question (a multiple choice: its ids joined by `|`).
    Question(&'q Question),
    /// One row of a grid question.
    Row(&'q Question, usize),
    Profile(ProfileField),
}

/// How a column reads in a spreadsheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Xlsx {
    Text,
    Number,
}

/// What the report does with a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The visit's key (kiosk, reference).
    Key,
    /// Where: structure, commune, the neighbourhood's commune.
    Place,
    /// When: day, hour.
    Time,
    /// Context, language, versions.
    About,
    /// An answer of the visitor.
    Answer,
    /// A field of the computed profile.
    Profile,
}

/// One column of `visits.csv`.
#[derive(Debug, Clone, Copy)]
pub struct Column<'q> {
    pub source: Source<'q>,
}

/// A stored visit as the export reads it.
#[derive(Debug, Clone, Copy)]
pub struct VisitRecord<'a> {
    pub id: &'a str,
    pub kiosk_id: &'a str,
    pub context: &'a str,
    pub local_date: &'a str,
    pub local_hour: u8,
    pub lang: &'a str,
    pub questionnaire_id: &'a str,
    pub questionnaire_version: &'a str,
    pub rules_id: &'a str,
    pub rules_version: &'a str,
    /// The answers' JSON (`{question_id: answer}`).
    pub answers: &'a Value,
    pub profile: &'a Profile,
}

/// The columns of a kiosk's `visits.csv`: the visit's own, one per question (one per row of a
/// grid), then the profile's.
pub fn columns(defs: &Definitions) -> Vec<Column<'_>> {
    let mut cols: Vec<Column> = Meta::ALL.iter().map(|m| Column { source: Source::Meta(*m) }).collect();
    for q in defs.questionnaire.questions() {
        match q.kind {
            Kind::Notice => {}
            Kind::Grid => cols.extend((0..q.rows.len()).map(|r| Column { source: Source::Row(q, r) })),
            Kind::Single | Kind::Multiple | Kind::Quiz | Kind::List | Kind::Text | Kind::Contact => cols.push(Column { source: Source::Question(q) }),
        }
    }
    cols.extend(ProfileField::ALL.iter().map(|f| Column { source: Source::Profile(*f) }));
    cols
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn regex_escape(s: &str) -> String {
    s.chars().map(|c| if "\\.+*?()|[]{}^$".contains(c) { format!("\\{c}") } else { c.to_string() }).collect()
}

/// `^(a|b|c)(\|(a|b|c))*$` for `|`-separated values of a vocabulary.
pub fn list_pattern(values: &[String]) -> String {
    let alt = values.iter().map(|v| regex_escape(v)).collect::<Vec<_>>().join("|");
    format!("^({alt})(\\|({alt}))*$")
}

fn enum_field(name: &str, title: &str, values: Vec<String>) -> Value {
    json!({"name": name, "title": title, "type": "string", "constraints": {"enum": values}})
}

fn list_field(name: &str, title: &str, values: Vec<String>) -> Value {
    json!({"name": name, "title": title, "type": "string", "description": "Valeurs séparées par « | ».", "constraints": {"pattern": list_pattern(&values)}})
}

/// The choices of a question, with the skip code.
fn with_skip(q: &Question) -> Vec<String> {
    let mut v: Vec<String> = q.choices.iter().map(|c| c.id.clone()).collect();
    v.push(SKIPPED.into());
    v
}

/// The question whose answer names a neighbourhood of kiosk.toml.
fn neighbourhood_question(defs: &Definitions) -> Option<&Question> {
    defs.questionnaire.questions().iter().find(|q| q.kind == Kind::List)
}

impl Column<'_> {
    /// The column's name in the CSV.
    pub fn name(&self) -> String {
        match self.source {
            Source::Meta(m) => m.name().to_string(),
            Source::Profile(f) => format!("{PROFILE_PREFIX}{}", f.name()),
            Source::Question(q) => q.id.clone(),
            Source::Row(q, r) => format!("{}.{}", q.id, q.rows[r].id),
        }
    }

    /// The column's header in `visites.xlsx`: a short French title, the question's (or the grid
    /// row's) label.
    pub fn xlsx_header(&self) -> String {
        match self.source {
            Source::Meta(m) => match m {
                Meta::VisitId => "Référence",
                Meta::KioskId => "Borne",
                Meta::Structure => "Structure",
                Meta::Commune => "Commune",
                Meta::QuartierCommune => "Commune du quartier",
                Meta::Context => "Lieu de la borne",
                Meta::LocalDate => "Date",
                Meta::LocalHour => "Heure",
                Meta::Lang => "Langue",
                Meta::QuestionnaireId => "Questionnaire",
                Meta::QuestionnaireVersion => "Version du questionnaire",
                Meta::RulesId => "Règles du profil",
                Meta::RulesVersion => "Version des règles",
            }
            .to_string(),
            Source::Profile(f) => format!("Profil : {}", f.name().replace('_', " ")),
            Source::Question(q) => q.label.fr().to_string(),
            Source::Row(q, r) => format!("{} — {}", q.label.fr(), q.rows[r].label.fr()),
        }
    }

    /// A cell of `visites.xlsx`: the French label of each id the CSV cell holds (choices, grid
    /// answers, the profile's national vocabulary), `|` lists as ` ; `; numbers and meta as they are.
    pub fn xlsx_label(&self, cell: &str) -> String {
        if cell.is_empty() {
            return String::new();
        }
        let one = |id: &str| -> String {
            if id == SKIPPED {
                return "(préfère ne pas répondre)".into();
            }
            let choice = match self.source {
                Source::Question(q) | Source::Row(q, _) => q.choices.iter().find(|ch| ch.id == id).map(|ch| ch.label.fr().to_string()),
                _ => None,
            };
            choice.unwrap_or_else(|| match self.source {
                Source::Profile(_) | Source::Row(..) => vocab::label(id, "fr"),
                _ => id.to_string(),
            })
        };
        match self.source {
            Source::Meta(_) => cell.to_string(),
            Source::Profile(f) if f.name().starts_with("pix_") || f.name().starts_with("capacites") || f.name() == "interrompu_apres" => cell.to_string(),
            _ => cell.split('|').map(one).collect::<Vec<_>>().join(" ; "),
        }
    }

    pub fn xlsx(&self) -> Xlsx {
        match self.source {
            Source::Meta(Meta::LocalHour) | Source::Profile(ProfileField::CapacitesRepondues | ProfileField::CapacitesAcquises) => Xlsx::Number,
            _ => Xlsx::Text,
        }
    }

    pub fn role(&self) -> Role {
        match self.source {
            Source::Meta(Meta::VisitId | Meta::KioskId) => Role::Key,
            Source::Meta(Meta::Structure | Meta::Commune | Meta::QuartierCommune) => Role::Place,
            Source::Meta(Meta::LocalDate | Meta::LocalHour) => Role::Time,
            Source::Meta(Meta::Context | Meta::Lang | Meta::QuestionnaireId | Meta::QuestionnaireVersion | Meta::RulesId | Meta::RulesVersion) => Role::About,
            Source::Question(_) | Source::Row(..) => Role::Answer,
            Source::Profile(_) => Role::Profile,
        }
    }

    /// The column's Table Schema field.
    pub fn field(&self, defs: &Definitions) -> Value {
        let name = self.name();
        match self.source {
            Source::Meta(m) => match m {
                Meta::VisitId => {
                    json!({"name": name, "title": "Référence de la visite (unique pour sa borne)", "type": "string", "constraints": {"required": true, "pattern": "^[0-9A-HJKMNP-TV-Z]{8}$"}})
                }
                Meta::KioskId => json!({"name": name, "title": "Borne", "type": "string", "constraints": {"required": true, "pattern": KIOSK_ID_PATTERN}}),
                Meta::Structure => json!({"name": name, "title": "Structure", "type": "string", "constraints": {"required": true}}),
                Meta::Commune => json!({"name": name, "title": "Commune de la borne", "type": "string", "constraints": {"required": true}}),
                Meta::QuartierCommune => json!({"name": name, "title": "Commune du quartier choisi (vide si aucun)", "type": "string"}),
                Meta::Context => enum_field(&name, "Contexte de la borne (profil du questionnant)", strings(vocab::CONTEXTS)),
                Meta::LocalDate => json!({"name": name, "title": "Date locale de la visite", "type": "date", "constraints": {"required": true}}),
                Meta::LocalHour => {
                    json!({"name": name, "title": "Heure locale (0-23)", "type": "integer", "constraints": {"required": true, "minimum": 0, "maximum": 23}})
                }
                Meta::Lang => enum_field(&name, "Langue de la visite", defs.config.languages.clone()),
                Meta::QuestionnaireId => json!({"name": name, "title": "Questionnaire", "type": "string", "constraints": {"required": true}}),
                Meta::QuestionnaireVersion => json!({"name": name, "title": "Version du questionnaire", "type": "string", "constraints": {"required": true}}),
                Meta::RulesId => json!({"name": name, "title": "Règles du profil", "type": "string", "constraints": {"required": true}}),
                Meta::RulesVersion => json!({"name": name, "title": "Version des règles du profil", "type": "string", "constraints": {"required": true}}),
            },
            Source::Question(question) => {
                let title = question.label.fr();
                match question.kind {
                    Kind::Multiple => list_field(&name, title, with_skip(question)),
                    // Typed by the visitor: one more character for the protective apostrophe.
                    Kind::Text => {
                        json!({"name": name, "title": title, "type": "string", "description": crate::spreadsheet::NOTE_FR, "constraints": {"maxLength": question.max_length + 1}})
                    }
                    Kind::Contact => enum_field(&name, "Accepte d'être recontacté (coordonnées chiffrées dans contacts/)", strings(&["oui", "non"])),
                    Kind::Single | Kind::Quiz | Kind::List | Kind::Grid | Kind::Notice => enum_field(&name, title, with_skip(question)),
                }
            }
            Source::Row(question, r) => enum_field(&name, question.rows[r].label.fr(), with_skip(question)),
            Source::Profile(f) => profile_field(defs, f, &name),
        }
    }

    /// The cell of a visit in this column.
    pub fn cell(&self, defs: &Definitions, v: &VisitRecord) -> String {
        let answer = |qid: &str| v.answers.get(qid);
        match self.source {
            Source::Meta(m) => match m {
                Meta::VisitId => v.id.to_string(),
                Meta::KioskId => v.kiosk_id.to_string(),
                Meta::Structure => defs.config.structure.clone(),
                Meta::Commune => defs.config.commune.clone(),
                Meta::QuartierCommune => neighbourhood_question(defs)
                    .and_then(|q| answer(&q.id))
                    .and_then(Value::as_str)
                    .and_then(|id| defs.config.neighbourhood_commune(id))
                    .unwrap_or_default()
                    .to_string(),
                Meta::Context => v.context.to_string(),
                Meta::LocalDate => v.local_date.to_string(),
                Meta::LocalHour => v.local_hour.to_string(),
                Meta::Lang => v.lang.to_string(),
                Meta::QuestionnaireId => v.questionnaire_id.to_string(),
                Meta::QuestionnaireVersion => v.questionnaire_version.to_string(),
                Meta::RulesId => v.rules_id.to_string(),
                Meta::RulesVersion => v.rules_version.to_string(),
            },
            Source::Question(q) => match (q.kind, answer(&q.id)) {
                (_, None) => String::new(),
                (Kind::Contact, Some(Value::Bool(true))) => "oui".into(),
                (Kind::Contact, Some(_)) => "non".into(),
                (_, Some(Value::Null)) => SKIPPED.into(),
                (_, Some(Value::String(s))) => s.clone(),
                (_, Some(Value::Array(a))) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("|"),
                (_, Some(Value::Bool(_) | Value::Number(_) | Value::Object(_))) => String::new(),
            },
            Source::Row(q, r) => match answer(&q.id) {
                None => String::new(),
                Some(Value::Object(o)) => o.get(&q.rows[r].id).and_then(Value::as_str).unwrap_or(SKIPPED).to_string(),
                Some(_) => SKIPPED.into(),
            },
            Source::Profile(f) => f.values(v.profile).join("|"),
        }
    }
}

fn profile_field(defs: &Definitions, f: ProfileField, name: &str) -> Value {
    match f {
        ProfileField::Autonomie => enum_field(name, "Autonomie (La Coop)", strings(vocab::COOP_AUTONOMIE)),
        ProfileField::Niveau => enum_field(name, "Niveau d'atelier (La Coop)", strings(vocab::COOP_NIVEAU)),
        ProfileField::TypeAccompagnement => enum_field(name, "Type d'accompagnement (La Coop)", strings(&["individuel", "collectif"])),
        ProfileField::ModalitePrincipale => enum_field(name, "Modalité d'accompagnement conseillée", strings(vocab::STD_MODALITES)),
        ProfileField::Modalites => list_field(name, "Modalités d'accompagnement, la conseillée d'abord", strings(vocab::STD_MODALITES)),
        ProfileField::Thematiques => list_field(name, "Thématiques suggérées (La Coop)", strings(vocab::COOP_THEMATIQUES)),
        ProfileField::Services => list_field(name, "Services suggérés (standard des lieux)", strings(vocab::STD_SERVICES)),
        ProfileField::PriseEnChargeSpecifique => list_field(name, "Prise en charge spécifique (standard des lieux)", strings(vocab::STD_PRISE_EN_CHARGE)),
        ProfileField::Flags => list_field(name, "Points d'attention", strings(vocab::FLAGS)),
        ProfileField::Freins => {
            let barriers = defs.rules.barriers_question().unwrap_or("freins");
            let v = defs.questionnaire.question(barriers).map(|x| x.choices.iter().map(|c| c.id.clone()).collect()).unwrap_or_default();
            list_field(name, "Freins", v)
        }
        ProfileField::TrancheAge => enum_field(name, "Tranche d'âge (La Coop)", strings(vocab::COOP_TRANCHE_AGE)),
        ProfileField::Genre => enum_field(name, "Genre (La Coop)", strings(vocab::COOP_GENRE)),
        ProfileField::Materiel => enum_field(name, "Matériel (La Coop)", strings(vocab::COOP_MATERIEL)),
        ProfileField::CapacitesRepondues => json!({"name": name, "title": "capacites repondues", "type": "integer", "constraints": {"minimum": 0}}),
        ProfileField::CapacitesAcquises => json!({"name": name, "title": "capacites acquises", "type": "integer", "constraints": {"minimum": 0}}),
        ProfileField::Pix(n) => {
            enum_field(name, &format!("Niveau du domaine Pix {n} (auto-évaluation du visiteur, pas une certification)"), strings(vocab::COOP_NIVEAU))
        }
        ProfileField::InterrompuApres => {
            let mut v: Vec<String> = defs.questionnaire.sections.iter().map(|s| s.id.clone()).collect();
            v.push(PARTIAL_AT_START.into());
            let mut f = enum_field(name, "Questionnaire interrompu après (« On m'appelle ») : section ; vide si complet", v);
            f["description"] =
                json!("Visite terminée plus tôt : profil partiel, établi sur les seules réponses données ; « debut » : dès la première question.");
            f
        }
    }
}

/// The Table Schema of `visits.csv`.
pub fn visits_schema(defs: &Definitions, cols: &[Column]) -> Value {
    let mut s = Map::new();
    s.insert("fields".into(), Value::Array(cols.iter().map(|c| c.field(defs)).collect()));
    s.insert("primaryKey".into(), json!(crate::format::primary_key("visits")));
    s.insert("missingValues".into(), json!([""]));
    Value::Object(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A visit of kiosk `k` with these answers and profile.
    fn record<'a>(answers: &'a serde_json::Value, profile: &'a Profile) -> VisitRecord<'a> {
        VisitRecord {
            id: "ABCDEFGH",
            kiosk_id: "k",
            context: "guichet",
            local_date: "2026-12-07",
            local_hour: 9,
            lang: "fr",
            questionnaire_id: "q",
            questionnaire_version: "1.0.0",
            rules_id: "r",
            rules_version: "1.0.0",
            answers,
            profile,
        }
    }

    #[test]
    fn every_column_has_a_field_of_its_own_name_and_a_cell() {
        let defs = Definitions::shipped().unwrap();
        let cols = columns(&defs);
        let names: std::collections::HashSet<String> = cols.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), cols.len(), "names are unique");
        let profile = Profile::default();
        let answers = json!({});
        let v = record(&answers, &profile);
        for c in &cols {
            assert_eq!(c.field(&defs)["name"], c.name());
            assert!(crate::shapes::valid_column(&c.name()), "{}", c.name());
            let _ = c.cell(&defs, &v);
        }
        assert_eq!(cols.iter().find(|c| c.name() == "quartier_commune").map(|c| c.role()), Some(Role::Place));
    }

    #[test]
    fn the_neighbourhood_s_commune_is_its_own_or_the_kiosk_s() {
        let defs = Definitions::shipped().unwrap();
        let n = &defs.config.neighbourhoods[0];
        let q = neighbourhood_question(&defs).unwrap();
        let answers = json!({ q.id.clone(): n.id });
        let profile = Profile::default();
        let v = record(&answers, &profile);
        let col = Column { source: Source::Meta(Meta::QuartierCommune) };
        assert_eq!(col.cell(&defs, &v), n.commune);
        assert!(!n.commune.is_empty());
    }
}
