//! What the page carries besides its code: the definitions (the kiosk's configuration, the
//! questionnaire with its translations, the rules), the places, the structure and La Coop's
//! address, as texts. `passerelle mediateur page` writes it from the mediator's files; the module
//! builds the same [`Definitions`] from it as the command line does from the files.

use passerelle_core::config::Config;
use passerelle_core::definitions::{Definitions, Source, Sources};
use passerelle_core::place_book::PlaceBook;
use serde::{Deserialize, Serialize};

/// The bundle's format: a page refuses a bundle of another format.
pub const BUNDLE_FORMAT: u32 = 1;

/// A text and the name its errors give it (a file's path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub name: String,
    pub text: String,
}

/// A questionnaire and its translations (`lang/*.toml`: name, text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionnaireTexts {
    pub name: String,
    pub text: String,
    pub translations: Vec<(String, String)>,
}

/// The structure the page is made for (`mediateur.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructureInfo {
    pub id: String,
    pub name: String,
    pub departement: Option<String>,
}

/// The places the page suggests: the national file's rows (the shipped file, or the one
/// imported with `places import`) and where they come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacesText {
    pub csv: String,
    pub source: String,
}

/// Everything the page needs besides its code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    pub format: u32,
    /// The Passerelle that wrote the page (shown at the bottom; an update is a new page).
    pub passerelle_version: String,
    /// The day the page was written (`YYYY-MM-DD`).
    pub made_on: String,
    pub structure: StructureInfo,
    /// The kiosk's configuration (`kiosk.toml`: neighbourhoods, commune, languages, optional
    /// questions, location for the places).
    pub config: Text,
    /// The département the places are read for (the mediator's, else the kiosk's).
    pub departement: Option<String>,
    /// None: the shipped questionnaire (compiled into the module).
    pub questionnaire: Option<QuestionnaireTexts>,
    /// None: the shipped rules.
    pub rules: Option<Text>,
    pub places: PlacesText,
    /// La Coop's individual activity report form.
    pub coop_base_url: String,
}

impl Bundle {
    /// The definitions, built and checked as the command line builds them (pictograms are not
    /// drawn here: every name is taken as shipped, the command line checked them).
    pub fn definitions(&self) -> Result<Definitions, String> {
        if self.format != BUNDLE_FORMAT {
            return Err(format!(
                "Cette page a été écrite par une autre version de Passerelle (format {}, attendu {BUNDLE_FORMAT}) : demandez une nouvelle page au département.",
                self.format
            ));
        }
        let fail = |e: &dyn std::fmt::Display| format!("Définitions de la page illisibles : {e}");
        let mut config = Config::parse(&self.config.text, &self.config.name, None).map_err(|e| fail(&e))?;
        config.departement = self.departement.clone();
        let sources = Sources {
            questionnaire: self.questionnaire.as_ref().map(|q| (Source { text: q.text.clone(), name: q.name.clone() }, q.translations.clone())),
            rules: self.rules.as_ref().map(|r| Source { text: r.text.clone(), name: r.name.clone() }),
        };
        Definitions::build(config, self.config.name.clone(), sources, &|_| true).map_err(|e| fail(&e))
    }

    /// The places, read as `places` reads them (rows of other départements left out).
    pub fn place_book(&self) -> PlaceBook {
        let set = passerelle_core::places::parse(&self.places.csv, self.departement.as_deref()).unwrap_or_default();
        PlaceBook { places: set.places, source: self.places.source.clone() }
    }

    /// A bundle on the shipped definitions and places (tests, and the default page).
    pub fn shipped(structure: StructureInfo, made_on: &str) -> Bundle {
        Bundle {
            format: BUNDLE_FORMAT,
            passerelle_version: env!("CARGO_PKG_VERSION").into(),
            made_on: made_on.into(),
            departement: structure.departement.clone().or_else(|| Some("92".into())),
            structure,
            config: Text { name: "kiosk.toml (embedded default)".into(), text: passerelle_core::DEFAULT_CONFIG.into() },
            questionnaire: None,
            rules: None,
            places: PlacesText {
                csv: passerelle_core::place_book::SHIPPED.into(),
                source: "fournis avec Passerelle : cartographie nationale 2022, Hauts-de-Seine".into(),
            },
            coop_base_url: passerelle_lacoop::DEFAULT_BASE_URL.into(),
        }
    }
}
