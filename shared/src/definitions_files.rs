//! Reading a kiosk's definitions from disk: `kiosk.toml` (given, else the system's, else the
//! embedded default), the questionnaire and rules files it names, their translations.

use crate::pictograms;
use passerelle_core::config::{Config, ConfigError};
use passerelle_core::definitions::{Definitions, DefinitionsError, Source, Sources};
use passerelle_core::questionnaire::DefinitionError;
use std::path::{Path, PathBuf};

/// Where a deployed kiosk reads its configuration when `--config` is not given.
pub const SYSTEM_CONFIG: &str = "/etc/passerelle/kiosk.toml";

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Definition(#[from] DefinitionError),
}

impl From<DefinitionsError> for LoadError {
    fn from(e: DefinitionsError) -> LoadError {
        match e {
            DefinitionsError::Config(c) => LoadError::Config(c),
            DefinitionsError::Definition(d) => LoadError::Definition(d),
        }
    }
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Read { path: path.to_path_buf(), source })
}

/// The translation files next to a questionnaire file: `lang/*.toml`, in name order.
fn translation_files(questionnaire: &Path) -> Vec<(String, String)> {
    let dir = questionnaire.parent().unwrap_or(Path::new(".")).join("lang");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect()).unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| match std::fs::read_to_string(&p) {
            Ok(t) => Some((p.display().to_string(), t)),
            Err(e) => {
                log::warn!("{}: cannot be read: {e}", p.display());
                None
            }
        })
        .collect()
}

/// The configuration's text and the name its errors give it: `config_path`, else
/// [`SYSTEM_CONFIG`] if present, else the embedded default (named "embedded default").
pub fn config_text(config_path: Option<&Path>) -> Result<(String, String, Option<PathBuf>), LoadError> {
    let system = Path::new(SYSTEM_CONFIG);
    let path = config_path.map(Path::to_path_buf).or_else(|| system.exists().then(|| system.to_path_buf()));
    Ok(match path {
        Some(p) => (read(&p)?, p.display().to_string(), Some(p)),
        None => (passerelle_core::DEFAULT_CONFIG.to_string(), "embedded default".to_string(), None),
    })
}

/// The configuration (`config_path`, else [`SYSTEM_CONFIG`] if present, else the embedded
/// default), with `data_dir` in place of its own when given.
pub fn load_config(config_path: Option<&Path>, data_dir: Option<&Path>) -> Result<(Config, String), LoadError> {
    let (text, source, path) = config_text(config_path)?;
    let mut config = match &path {
        Some(p) => Config::parse(&text, &source, p.parent().filter(|b| !b.as_os_str().is_empty()))?,
        None => Config::parse(&text, "kiosk.toml (embedded default)", None)?,
    };
    if let Some(d) = data_dir {
        config.data_dir = d.to_path_buf();
    }
    Ok((config, source))
}

/// The questionnaire and rules texts a configuration names (None: the shipped ones), with the
/// questionnaire's translations.
pub fn sources(config: &Config) -> Result<Sources, LoadError> {
    let questionnaire = match &config.questionnaire {
        Some(p) => Some((Source { text: read(p)?, name: p.display().to_string() }, translation_files(p))),
        None => None,
    };
    let rules = match &config.rules {
        Some(p) => Some(Source { text: read(p)?, name: p.display().to_string() }),
        None => None,
    };
    Ok(Sources { questionnaire, rules })
}

/// The definitions of a configuration: the questionnaire and rules files it names (or the shipped
/// ones), checked against it.
pub fn from_config(config: Config, config_source: String) -> Result<Definitions, LoadError> {
    let sources = sources(&config)?;
    Ok(Definitions::build(config, config_source, sources, &pictograms::exists)?)
}

/// [`load_config`] then [`from_config`].
pub fn load(config_path: Option<&Path>, data_dir: Option<&Path>) -> Result<Definitions, LoadError> {
    let (config, source) = load_config(config_path, data_dir)?;
    from_config(config, source)
}
