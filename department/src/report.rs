//! `passerelle report`: the department's picture of many kiosks. One self-contained HTML file in
//! French (no network, charts as inline SVG with their figures in a table, printable), the same
//! figures as CSV and as a workbook next to it, from a merged package or from one kiosk's export.
//!
//! The package is checked and read once, row by row ([`crate::report_acc`]): memory depends on
//! the number of categories, not of visits. The figures are then built into one ledger of counts
//! ([`crate::secrecy`]) and protected together ([`crate::report_tables`]): no count from 1 to 4
//! is shown or can be recomputed from any other figure of the report.

use crate::report_acc::Acc;
use anyhow::Result;
use passerelle_package::read as package;
use std::path::Path;

/// The smallest count shown.
pub const MIN_COUNT: u64 = 5;

/// What an indicator counts: a question's answers (base: the visits asked) or the profile's
/// output (base: every finished visit).
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Base {
    Asked,
    Finished,
}

/// What the report counts, in its order. `multi`: several values separated by `|`.
pub struct Indicator {
    pub id: &'static str,
    pub title: &'static str,
    pub column: &'static str,
    pub multi: bool,
    /// The question whose choices name the values (dictionary), if any.
    pub question: &'static str,
    pub order: Order,
    pub base: Base,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Order {
    /// Most frequent first.
    Count,
    /// By the value itself (months).
    Value,
    /// As the dictionary lists the values.
    Dictionary,
}

const fn ind(id: &'static str, title: &'static str, column: &'static str, multi: bool, question: &'static str, order: Order, base: Base) -> Indicator {
    Indicator { id, title, column, multi, question, order, base }
}

pub const INDICATORS: &[Indicator] = &[
    ind("mois", "Visites par mois", "local_date", false, "", Order::Value, Base::Finished),
    ind("autonomie", "Niveau d'autonomie (La Coop)", "profil.autonomie", false, "", Order::Dictionary, Base::Finished),
    ind("freins", "Principaux freins", "profil.freins", true, "freins", Order::Count, Base::Finished),
    ind("outil_principal", "Outil le plus utilisé", "outil_principal", false, "outil_principal", Order::Dictionary, Base::Asked),
    ind("acces_internet", "Accès à internet à la maison", "acces_internet", false, "acces_internet", Order::Dictionary, Base::Asked),
    ind("mode_acces", "Mode d'accès à internet", "mode_acces", false, "mode_acces", Order::Count, Base::Asked),
    ind("motivations", "Motivations", "motivations", true, "motivations", Order::Count, Base::Asked),
    ind("accompagnement", "Accompagnement suggéré", "profil.type_accompagnement", false, "", Order::Count, Base::Finished),
    ind("services", "Services suggérés", "profil.services", true, "", Order::Count, Base::Finished),
    ind("thematiques", "Thématiques suggérées (La Coop)", "profil.thematiques", true, "", Order::Count, Base::Finished),
    ind("points_attention", "Points d'attention relevés par le profil", "profil.flags", true, "", Order::Count, Base::Finished),
];

/// The grid of capabilities: columns `<question>.<row>` with these answers.
pub(crate) const KNOWN: &str = "sait_faire";
/// The autonomy category of visits where no level could be found.
pub(crate) const NOT_ASSESSED: &str = "non_evalue";
pub(crate) const UNKNOWN: &str = "ne_sait_pas_faire";
/// "Je ne sais pas ce que c'est" (questionnaire 1.3.0): not known either.
pub(crate) const UNFAMILIAR: &str = "ne_connait_pas";
/// A question that was not asked (an empty cell).
pub(crate) const NOT_ASKED: &str = "-";

/// Labels of the data dictionary, and its order.
#[derive(Debug, Default)]
pub struct Dictionary {
    labels: std::collections::HashMap<(String, String), String>,
    order: std::collections::HashMap<(String, String), usize>,
    pub(crate) questions: Vec<String>,
}

impl Dictionary {
    pub(crate) fn label(&self, question: &str, id: &str) -> String {
        if let Some(l) = self.labels.get(&(question.to_string(), id.to_string())).or_else(|| self.labels.get(&(String::new(), id.to_string()))) {
            return l.clone();
        }
        let v = passerelle_core::vocab::label(id, "fr");
        if v != id {
            return v;
        }
        id.to_string()
    }
    /// One row of dictionnaire.csv (element, question_id, id, label_fr, …), as it is checked.
    pub(crate) fn add(&mut self, fields: &[passerelle_package::schema::Field], rec: &csv::ByteRecord) {
        let col = |n: &str| fields.iter().position(|f| f.name == n);
        let text = |c: Option<usize>| c.map(|c| String::from_utf8_lossy(&rec[c]).into_owned()).unwrap_or_default();
        let (element, q, id, fr) = (text(col("element")), text(col("question_id")), text(col("id")), text(col("label_fr")));
        let i = self.order.len();
        let key = if element == "question" { (String::new(), q.clone()) } else { (q.clone(), id) };
        if element == "question" {
            self.questions.push(q);
        }
        self.labels.entry(key.clone()).or_insert(fr);
        self.order.entry(key).or_insert(i);
    }

    pub(crate) fn rank(&self, question: &str, id: &str) -> usize {
        self.order.get(&(question.to_string(), id.to_string())).or_else(|| self.order.get(&(String::new(), id.to_string()))).copied().unwrap_or(usize::MAX)
    }
}

/// A kiosk as the report names it.
#[derive(Debug, Clone, Default)]
pub struct Kiosk {
    pub id: String,
    pub structure: String,
    pub commune: String,
    /// `complet`, `court`, or "inconnu" (exports before the path was recorded).
    pub path: String,
    /// `essentials_first`, `deck`, or "inconnu".
    pub order: String,
    /// The name the report gives it: the structure's (with its number when a structure has
    /// several kiosks).
    pub label: String,
}

/// The places data the supply is counted in.
#[derive(Debug, Clone, Default)]
pub struct Supply {
    /// Where the places come from, in plain words.
    pub source: String,
    /// How many places the file holds, and the newest update date among them (`date_maj`).
    pub places: usize,
    pub date: Option<chrono::NaiveDate>,
    /// Places per service, in the départements of the visits' communes.
    pub per_service: std::collections::BTreeMap<String, u64>,
    pub warning: Option<String>,
}

/// Everything the report shows.
pub struct Data {
    pub source: String,
    /// Where the data comes from, in plain words: checked against trusted keys, or not.
    pub provenance: String,
    pub exports: usize,
    pub kiosks: Vec<Kiosk>,
    pub first_date: String,
    pub last_date: String,
    pub generated: String,
    pub min: u64,
    pub visits: u64,
    pub supply: Supply,
    /// Indicator columns missing from the data (older questionnaire, or another one).
    pub missing: Vec<&'static str>,
    /// The protected figures, section by section.
    pub ledger: crate::secrecy::Ledger,
    pub sections: Vec<crate::report_tables::Section>,
    /// Warnings about the data (a pickup dated before its visit…), in French.
    pub warnings: Vec<String>,
}

/// What every output of a report made without trusted keys says.
pub const UNVERIFIED_NOTE: &str = "Provenance non vérifiée : ce rapport n'a pas contrôlé la signature des données (aucune liste de clés de confiance donnée).";

/// Where the report's places come from: a national file (standard 1.0.2, as `places import`
/// reads it), or the places of a data directory (the imported file, else the shipped ones).
#[derive(Debug, Clone)]
pub enum Places {
    File(std::path::PathBuf),
    DataDir(std::path::PathBuf),
}

/// Checks a package (an export or a merge) and reads it into the report's figures, in one pass.
pub fn collect(dir: &Path, min: u64, generated: &str) -> Result<Data> {
    collect_trusted(dir, min, generated, None)
}

/// [`collect`], checking the package's signature against trusted keys when given (a package
/// that fails gives an error and no report).
pub fn collect_trusted(dir: &Path, min: u64, generated: &str, keys: Option<&passerelle_package::signing::TrustedKeys>) -> Result<Data> {
    collect_with(dir, min, generated, keys, &Places::DataDir(std::path::PathBuf::from("/nonexistent/passerelle")))
}

/// [`collect_trusted`] with the places to count the supply in.
pub fn collect_with(dir: &Path, min: u64, generated: &str, keys: Option<&passerelle_package::signing::TrustedKeys>, places: &Places) -> Result<Data> {
    let book = match places {
        Places::File(f) => {
            let text = std::fs::read_to_string(f).map_err(|e| anyhow::anyhow!("lecture de {} impossible : {e}", f.display()))?;
            let set = passerelle_core::places::parse(&text, None).map_err(|e| anyhow::anyhow!("{} : fichier de lieux illisible : {e}", f.display()))?;
            if set.places.is_empty() {
                anyhow::bail!("{} : aucun lieu valide ({} lignes refusées)", f.display(), set.problems.len());
            }
            passerelle_core::place_book::PlaceBook { places: set.places, source: format!("fichier {}", f.display()) }
        }
        Places::DataDir(d) => passerelle_shared::place_files::load(d, None),
    };
    // One pass: every file read once, the rows counted as they are checked (and dropped with the
    // whole report when the package is refused).
    let acc = std::cell::RefCell::new(Acc::default());
    let pkg = package::open_visiting(
        &crate::inputs::FolderSource { dir: dir.to_path_buf() },
        &mut |table, fields, rec| acc.borrow_mut().row(table, fields, rec),
        &mut |file, bytes| {
            if file == passerelle_package::pickup_table::TABLE.1 {
                let rows = passerelle_package::pickup_table::rows(bytes, None).unwrap_or_default();
                acc.borrow_mut().pickups(rows);
            }
        },
    )
    .map_err(|e| anyhow::anyhow!("{} : {e}", dir.display()))?;
    let mut acc = acc.into_inner();
    let provenance = match keys {
        Some(k) => {
            let signer = package::provenance(&pkg, k).map_err(|e| anyhow::anyhow!("{} : {e}", dir.display()))?;
            format!("Provenance vérifiée : signé par la clé de confiance « {} » ({}).", signer.name, k.file)
        }
        None => UNVERIFIED_NOTE.to_string(),
    };
    let exports = if pkg.merged { acc.export_rows.len().max(1) } else { 1 };
    if !pkg.merged {
        let p = &pkg.meta["passerelle"];
        let text = |k: &str| p[k].as_str().unwrap_or_default().to_string();
        acc.export_rows.push(crate::report_acc::ExportRow {
            kiosk: text("kiosk_id"),
            structure: text("structure"),
            commune: text("commune"),
            path: text("path"),
            order: text("order"),
        });
    }
    acc.finish();
    let supply = supply(&book, &acc, generated);
    let kiosks = acc.kiosk_list();
    let (ledger, sections, warnings) = crate::report_tables::build(&acc, &kiosks, &supply, min);
    Ok(Data {
        source: dir.display().to_string(),
        provenance,
        exports,
        first_date: acc.first_date.clone(),
        last_date: acc.last_date.clone(),
        generated: generated.to_string(),
        min,
        visits: acc.visits,
        supply,
        missing: acc.missing.clone(),
        kiosks,
        ledger,
        sections,
        warnings,
    })
}

/// Places per service in the départements of the visits' communes; the file's size and date.
fn supply(book: &passerelle_core::place_book::PlaceBook, acc: &Acc, generated: &str) -> Supply {
    let norm = |s: &str| s.to_lowercase().replace(['-', '\''], " ");
    let communes: std::collections::HashSet<String> = acc.communes.iter().map(|c| norm(c)).collect();
    let deps: std::collections::HashSet<String> = book.places.iter().filter(|p| communes.contains(&norm(&p.commune))).map(|p| p.departement()).collect();
    let mut per_service = std::collections::BTreeMap::new();
    for p in book.places.iter().filter(|p| deps.is_empty() || deps.contains(&p.departement())) {
        for s in &p.services {
            *per_service.entry(s.clone()).or_default() += 1;
        }
    }
    let date = book.places.iter().filter_map(|p| chrono::NaiveDate::parse_from_str(p.date_maj.get(..10).unwrap_or(""), "%Y-%m-%d").ok()).max();
    let today = chrono::NaiveDate::parse_from_str(generated.get(..10).unwrap_or(""), "%d/%m/%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(generated.get(..10).unwrap_or(""), "%Y-%m-%d"))
        .unwrap_or_else(|_| chrono::Local::now().date_naive());
    let warning = match date {
        Some(d) if (today - d).num_days() > 365 => Some(format!(
            "Attention : les données des lieux datent du {} (plus d'un an). L'offre a pu changer : importez le fichier national à jour.",
            d.format("%d/%m/%Y")
        )),
        None => Some("Attention : la date des données des lieux est inconnue.".to_string()),
        _ => None,
    };
    Supply { source: book.source.clone(), places: book.places.len(), date, per_service, warning }
}

pub use crate::report_html::{html, write, write_trusted, write_with};
