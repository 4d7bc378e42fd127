//! The mediator's configuration (`mediateur.toml`): the structure, its id, the département, the
//! data directory, optional trusted keys of the kiosks. Like every command, the mediator's run on
//! the default configuration without `--config`. A kiosk's `kiosk.toml` is accepted too (the
//! structure and the kiosk id stand for the mediator's), as before pickups existed.

use anyhow::{Context, Result, bail};
use passerelle_core::definitions::Definitions;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The system-wide file, used when `--config` is not given and it exists.
pub const SYSTEM_CONFIG: &str = "/etc/passerelle/mediateur.toml";
/// The shipped default.
pub const DEFAULT: &str = include_str!("../../mediateur.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    structure: String,
    structure_id: String,
    #[serde(default)]
    departement: Option<String>,
    data_dir: String,
    #[serde(default)]
    trusted_keys: Option<String>,
    #[serde(default)]
    coop_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MediatorConfig {
    pub structure: String,
    /// Same shape as a kiosk id (`valid_kiosk_id`).
    pub structure_id: String,
    pub departement: Option<String>,
    pub data_dir: PathBuf,
    pub trusted_keys: Option<PathBuf>,
    /// La Coop's individual activity report form, for the browser desk's link (None: La Coop's
    /// production address).
    pub coop_url: Option<String>,
    /// The kiosk.toml given instead of a mediator's file (for the questionnaire and the places).
    pub kiosk_config: Option<PathBuf>,
    /// Where it was read from.
    pub source: String,
}

impl MediatorConfig {
    /// `--config` (a mediator's file, or a kiosk's), else [`SYSTEM_CONFIG`] if present, else the
    /// embedded default; `--data-dir` overrides the data directory.
    pub fn load(path: Option<&Path>, data_dir: Option<&Path>) -> Result<MediatorConfig> {
        let system = Path::new(SYSTEM_CONFIG);
        let path = path.map(Path::to_path_buf).or_else(|| system.exists().then(|| system.to_path_buf()));
        let mut c = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
                let base = p.parent().filter(|b| !b.as_os_str().is_empty());
                let table: toml::Table = text.parse().with_context(|| format!("{}: not TOML", p.display()))?;
                if table.contains_key("kiosk_id") {
                    let k = passerelle_core::config::Config::parse(&text, &p.display().to_string(), base)?;
                    MediatorConfig {
                        structure: k.structure,
                        structure_id: k.kiosk_id,
                        departement: k.departement,
                        data_dir: k.data_dir,
                        trusted_keys: None,
                        coop_url: None,
                        kiosk_config: Some(p.clone()),
                        source: p.display().to_string(),
                    }
                } else {
                    Self::parse(&text, &p.display().to_string(), base)?
                }
            }
            None => Self::parse(DEFAULT, "mediateur.toml (embedded default)", None)?,
        };
        if let Some(d) = data_dir {
            c.data_dir = d.to_path_buf();
        }
        Ok(c)
    }

    pub fn parse(text: &str, file: &str, base: Option<&Path>) -> Result<MediatorConfig> {
        let raw: Raw = toml::from_str(text).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
        let resolve = |p: &str| {
            let p = PathBuf::from(p);
            match base {
                Some(b) if p.is_relative() => b.join(p),
                _ => p,
            }
        };
        let structure = raw.structure.trim().to_string();
        if structure.is_empty() || structure.chars().any(char::is_control) {
            bail!("{file}: key `structure`: must be a name, without control characters");
        }
        if !passerelle_core::config::valid_kiosk_id(&raw.structure_id) {
            bail!("{file}: key `structure_id`: `{}` is not 1 to 32 lowercase letters, digits or `-`", raw.structure_id.escape_debug());
        }
        if let Some(d) = &raw.departement
            && !(d.len() <= 3 && !d.is_empty() && d.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            bail!("{file}: key `departement`: `{}` is not a département code (92, 2A, 974)", d.escape_debug());
        }
        if raw.data_dir.trim().is_empty() {
            bail!("{file}: key `data_dir`: must not be empty");
        }
        Ok(MediatorConfig {
            structure,
            structure_id: raw.structure_id,
            departement: raw.departement,
            data_dir: resolve(&raw.data_dir),
            trusted_keys: raw.trusted_keys.as_deref().map(resolve),
            coop_url: raw.coop_url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()),
            kiosk_config: None,
            source: file.to_string(),
        })
    }

    /// The questionnaire, rules and places used to read codes: the kiosk's file when one was
    /// given, else the default kiosk configuration, with the mediator's département.
    pub fn definitions(&self) -> Result<Definitions> {
        let mut d = passerelle_shared::definitions_files::load(self.kiosk_config.as_deref(), Some(&self.data_dir))?;
        if self.kiosk_config.is_none() {
            d.config.departement = self.departement.clone().or(d.config.departement);
        }
        Ok(d)
    }
}
