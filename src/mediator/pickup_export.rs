//! `passerelle mediateur export --to DIR`: the pickups as a signed data package, with the same
//! conventions as a kiosk's export (Frictionless `datapackage.json`, CSV in UTF-8 with a BOM,
//! `SHA256SUMS` signed with the structure's key, incremental, every file read back before
//! anything is marked exported). `passerelle merge` takes it beside the kiosks' exports.

use crate::kiosk::export::{self, ExportError, ExportFs, KIOSK_ID_PATTERN, Writer, csv_io, csv_writer, tabular};
use crate::mediator::mediator_config::MediatorConfig;
use crate::mediator::pickup_store::PickupStore;
use crate::mediator::pickups::OUTCOMES;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// `passerelle.kind` of a pickup package.
pub const KIND: &str = "prises_en_charge";
/// The table: (resource name, file).
pub const TABLE: (&str, &str) = ("prises_en_charge", "prises_en_charge.csv");
pub const COLUMNS: [&str; 5] = ["kiosk_id", "visit_id", "structure_id", "local_date", "outcome"];

/// The Table Schema of the pickups (a merge writes the same).
pub fn schema() -> Value {
    json!({
        "fields": [
            {"name": "kiosk_id", "title": "Borne de la visite", "type": "string", "constraints": {"required": true, "pattern": KIOSK_ID_PATTERN}},
            {"name": "visit_id", "title": "Référence de la visite", "type": "string", "constraints": {"required": true, "pattern": "^[0-9A-HJKMNP-TV-Z]{8}$"}},
            {"name": "structure_id", "title": "Structure qui a pris en charge", "type": "string", "constraints": {"required": true, "pattern": KIOSK_ID_PATTERN}},
            {"name": "local_date", "title": "Jour de la prise en charge", "type": "date", "constraints": {"required": true}},
            {"name": "outcome", "title": "Suite donnée", "type": "string", "constraints": {"enum": OUTCOMES.iter().map(|o| o.0).collect::<Vec<_>>()}},
        ],
        "primaryKey": ["kiosk_id", "visit_id", "structure_id"],
        "missingValues": [""],
    })
}

pub fn resource() -> Value {
    tabular(TABLE.0, TABLE.1, "Prises en charge : une ligne par visiteur reçu avec son code", schema())
}

/// What an export did.
#[derive(Debug, Clone)]
pub struct PickupExport {
    pub folder: PathBuf,
    pub pickups: usize,
    pub batch: i64,
}

/// Errors are [`ExportError`]s (`NothingNew` when every pickup was exported already) or the
/// store's.
pub fn export(
    cfg: &MediatorConfig,
    store: &mut PickupStore,
    fs: &dyn ExportFs,
    dest: &Path,
    all: bool,
    today: chrono::NaiveDate,
) -> anyhow::Result<PickupExport> {
    let key = crate::shared::signing::kiosk_key(&cfg.data_dir, &cfg.structure_id).map_err(ExportError::Key)?;
    let (last, rows) = store.for_export(all)?;
    if rows.is_empty() {
        return Err(ExportError::NothingNew.into());
    }
    let base = format!("passerelle-prises-{}-{}", cfg.structure_id, today.format("%Y-%m-%d"));
    let mut folder = dest.join(&base);
    let mut n = 2;
    while fs.exists(&folder) {
        folder = dest.join(format!("{base}-{n}"));
        n += 1;
    }
    let name = folder.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
    fs.create_dir_all(&folder).map_err(|source| ExportError::Write { file: name.clone(), source })?;
    let written = (|| {
        let mut w = Writer { fs, dir: folder.clone(), files: Vec::new() };
        w.file(TABLE.1, &mut |out| {
            let mut c = csv_writer(out)?;
            c.write_record(COLUMNS).map_err(csv_io)?;
            for p in &rows {
                c.write_record([&p.kiosk_id, &p.visit_id, &p.structure_id, &p.local_date, p.outcome.as_deref().unwrap_or("")]).map_err(csv_io)?;
            }
            c.flush()
        })?;
        let mut r = resource();
        if let Some(f) = w.files.first() {
            r["hash"] = json!(format!("sha256:{}", f.sha256));
            r["bytes"] = json!(f.bytes);
        }
        let package = json!({
            "profile": "data-package",
            "name": name.to_lowercase(),
            "title": format!("Passerelle — prises en charge, {}", cfg.structure),
            "description": "Visiteurs reçus par un médiateur avec le code de leur visite à une borne Passerelle : borne, référence, structure, jour, suite donnée. Rien d'autre du profil.",
            "version": format!("{}.0.0", export::FORMAT),
            "passerelle": {
                "format": export::FORMAT,
                "kind": KIND,
                "structure_id": cfg.structure_id,
                "structure": cfg.structure,
                "departement": cfg.departement,
            },
            "resources": [r],
        });
        w.file("datapackage.json", &mut |out| {
            serde_json::to_writer_pretty(&mut *out, &package).map_err(std::io::Error::other)?;
            out.write_all(b"\n")
        })?;
        let readme = format!(
            "Prises en charge Passerelle — {} ({})\n\n\
             prises_en_charge.csv  une ligne par visiteur reçu avec son code : borne, référence de la visite,\n\
             \x20                     structure, jour, suite donnée (vide si non renseignée)\n\
             datapackage.json      description de la table (Table Schema)\n\
             SHA256SUMS            empreintes : `sha256sum -c SHA256SUMS`\n\
             SHA256SUMS.minisig    signature de la structure : `minisign -Vm SHA256SUMS -P CLE_PUBLIQUE`\n\n\
             Rien du profil ni des réponses : la référence relie seulement la prise en charge à la visite.\n\
             À fusionner avec les exports des bornes : passerelle merge EXPORTS… --out FUSION\n",
            cfg.structure, cfg.structure_id
        );
        w.file("LISEZMOI.txt", &mut |out| out.write_all(readme.as_bytes()))?;
        let sums: String = w.files.iter().map(|f| format!("{}  {}\n", f.sha256, f.name)).collect();
        w.file("SHA256SUMS", &mut |out| out.write_all(sums.as_bytes()))?;
        let sig = key
            .sign(sums.as_bytes(), &format!("passerelle structure={} prises_en_charge format={}", cfg.structure_id, export::FORMAT))
            .map_err(ExportError::Key)?;
        w.file(crate::shared::signing::SIG_FILE, &mut |out| out.write_all(sig.as_bytes()))?;
        fs.sync_dir(&folder).map_err(|source| ExportError::Write { file: ".".into(), source })?;
        if let Some(parent) = folder.parent() {
            fs.sync_dir(parent).map_err(|source| ExportError::Write { file: "..".into(), source })?;
        }
        Ok::<_, ExportError>(w.files)
    })();
    let files = match written {
        Ok(f) => f,
        Err(e) => {
            let _ = fs.remove_dir_all(&folder);
            return Err(e.into());
        }
    };
    export::read_back(fs, &folder, &files)?;
    let batch = store.mark_exported(last, &name, &today.format("%Y-%m-%d").to_string(), rows.len())?;
    log::info!("pickup export {batch}: {} pickups", rows.len());
    Ok(PickupExport { folder, pickups: rows.len(), batch })
}
