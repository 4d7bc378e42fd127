//! `passerelle mediateur export --to DIR`: the pickups as a signed data package, with the same
//! conventions as a kiosk's export (Frictionless `datapackage.json`, CSV in UTF-8 with a BOM,
//! `SHA256SUMS` signed with the structure's key, incremental, every file read back before
//! anything is marked exported). `passerelle merge` takes it beside the kiosks' exports.

use crate::mediator_config::MediatorConfig;
use crate::pickup_store::PickupStore;
use passerelle_package::write::WriteError;
use passerelle_shared::folder::{self, ExportFs, FolderSink, ReadBackError};
use std::path::{Path, PathBuf};

/// Why a pickup package could not be written (in French, for the mediator).
#[derive(Debug, thiserror::Error)]
pub enum PickupExportError {
    #[error("rien de nouveau à exporter depuis le dernier export (--all pour tout exporter)")]
    NothingNew,
    #[error("écriture de {file} impossible ({source}) : rien n'a été marqué comme exporté ; réessayez")]
    Write { file: String, source: std::io::Error },
    #[error("{0}")]
    ReadBack(#[from] ReadBackError),
    #[error("clé de signature de la structure : {0}")]
    Key(String),
}

impl From<WriteError> for PickupExportError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Io { file, source } => PickupExportError::Write { file, source },
            WriteError::Key(k) => PickupExportError::Key(k),
        }
    }
}

/// What an export did.
#[derive(Debug, Clone)]
pub struct PickupExport {
    pub folder: PathBuf,
    pub pickups: usize,
    pub batch: i64,
}

/// Errors are [`PickupExportError`]s (`NothingNew` when every pickup was exported already) or the
/// store's.
pub fn export(
    cfg: &MediatorConfig,
    store: &mut PickupStore,
    fs: &dyn ExportFs,
    dest: &Path,
    all: bool,
    today: chrono::NaiveDate,
) -> anyhow::Result<PickupExport> {
    let key = passerelle_shared::keys::kiosk_key(&cfg.data_dir, &cfg.structure_id).map_err(PickupExportError::Key)?;
    let (last, rows) = store.for_export(all)?;
    if rows.is_empty() {
        return Err(PickupExportError::NothingNew.into());
    }
    let base = crate::pickup_package::folder_name(&cfg.structure_id, today);
    let mut folder = dest.join(&base);
    let mut n = 2;
    while fs.exists(&folder) {
        folder = dest.join(format!("{base}-{n}"));
        n += 1;
    }
    let name = folder.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
    fs.create_dir_all(&folder).map_err(|source| PickupExportError::Write { file: name.clone(), source })?;
    let written = (|| {
        let mut sink = FolderSink { fs, dir: folder.clone() };
        let structure = crate::pickup_package::Structure { name: cfg.structure.clone(), id: cfg.structure_id.clone(), departement: cfg.departement.clone() };
        let files = crate::pickup_package::write(&mut sink, &key, &name, &structure, &rows)?;
        fs.sync_dir(&folder).map_err(|source| PickupExportError::Write { file: ".".into(), source })?;
        if let Some(parent) = folder.parent() {
            fs.sync_dir(parent).map_err(|source| PickupExportError::Write { file: "..".into(), source })?;
        }
        Ok::<_, PickupExportError>(files)
    })();
    let files = match written {
        Ok(f) => f,
        Err(e) => {
            let _ = fs.remove_dir_all(&folder);
            return Err(e.into());
        }
    };
    folder::read_back(fs, &folder, &files).map_err(PickupExportError::from)?;
    let batch = store.mark_exported(last, &name, &today.format("%Y-%m-%d").to_string(), rows.len())?;
    log::info!("pickup export {batch}: {} pickups", rows.len());
    Ok(PickupExport { folder, pickups: rows.len(), batch })
}
