//! The département's commands: the merge key, merging exports, the SQL script, the report.
// Handlers take their arguments as clap parsed them (`&String`, `&PathBuf`).
#![allow(clippy::ptr_arg)]

use super::*;

pub(super) fn keygen_signing(out: &PathBuf) -> Result<ExitCode> {
    let key = crate::package::signing::SigningKey::generate().map_err(anyhow::Error::msg)?;
    crate::shared::keys::write_new(&key, out, "cle de signature des fusions Passerelle (a garder hors des bornes)").map_err(anyhow::Error::msg)?;
    emit(key.public_file().trim_end())?;
    eprintln!(
        "Signing key written to {}. Sign merges with: passerelle merge … --signing-key {}\nTrusted keys line: fusion NAME {}",
        out.display(),
        out.display(),
        key.public()
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) fn merge(exports: &Vec<PathBuf>, out: &PathBuf, trusted_keys: &Option<PathBuf>, signing_key: &Option<PathBuf>, json: &bool) -> Result<ExitCode> {
    let trust = crate::department::merge::Trust {
        keys: trusted_keys.as_deref().map(crate::shared::keys::read_trusted).transpose().map_err(anyhow::Error::msg)?,
        signing: signing_key.as_deref().map(crate::shared::keys::read).transpose().map_err(anyhow::Error::msg)?,
    };
    let outcome = crate::department::merge::merge_with(exports, out, &trust)?;
    if *json {
        emit(&serde_json::to_string_pretty(&outcome)?)?;
    } else {
        emit(&crate::department::merge::summary(&outcome, &trust))?;
    }
    log::info!("merge: {} exports, {} visits, {} refused, {} conflicts", outcome.merged.len(), outcome.visits, outcome.refused.len(), outcome.conflicts.len());
    if !outcome.clean() {
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn sql(dir: &PathBuf, out: &PathBuf, dialect: &crate::department::sql::Dialect, trusted_keys: &Option<PathBuf>) -> Result<ExitCode> {
    let keys = trusted_keys.as_deref().map(crate::shared::keys::read_trusted).transpose().map_err(anyhow::Error::msg)?;
    let prepared = crate::department::sql::prepare(dir, out, *dialect, keys.as_ref())?;
    emit(&prepared.summary(*dialect))?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn report(cli: &Cli, dir: &PathBuf, out: &PathBuf, min_count: &u64, trusted_keys: &Option<PathBuf>, places: &Option<PathBuf>) -> Result<ExitCode> {
    let now = SystemClock::new().local_now();
    let keys = trusted_keys.as_deref().map(crate::shared::keys::read_trusted).transpose().map_err(anyhow::Error::msg)?;
    // The supply: the given national file, else the places of the data directory (the imported
    // file, else the shipped ones).
    let places = match places {
        Some(f) => crate::department::report::Places::File(f.clone()),
        None => crate::department::report::Places::DataDir(match &cli.data_dir {
            Some(d) => d.clone(),
            None => Kiosk::load(cli.config.as_deref(), None).map(|k| k.defs.config.data_dir).unwrap_or_else(|_| PathBuf::from("passerelle-data")),
        }),
    };
    let (csv, data) = crate::department::report::write_with(dir, out, *min_count, &now.format("%d/%m/%Y %H:%M").to_string(), keys.as_ref(), &places)?;
    let mut text = format!(
        "{}\n{}, {} et {} : {}, {}",
        data.provenance,
        out.display(),
        csv.display(),
        out.with_extension("xlsx").display(),
        crate::department::merge::plural(data.visits as usize, "visite"),
        crate::department::merge::plural(data.kiosks.len(), "borne"),
    );
    for w in &data.warnings {
        text += &format!("\n{w}");
    }
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
