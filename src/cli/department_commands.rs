//! The département's commands: the merge key, merging exports, the SQL script, the report.

use super::*;

pub(super) fn keygen_signing(out: &PathBuf) -> Result<ExitCode> {
    let key = crate::shared::signing::SigningKey::generate().map_err(anyhow::Error::msg)?;
    key.write_new(out, "cle de signature des fusions Passerelle (a garder hors des bornes)").map_err(anyhow::Error::msg)?;
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
        keys: trusted_keys.as_deref().map(crate::shared::signing::TrustedKeys::read).transpose().map_err(anyhow::Error::msg)?,
        signing: signing_key.as_deref().map(crate::shared::signing::SigningKey::read).transpose().map_err(anyhow::Error::msg)?,
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

pub(super) fn sql(dir: &PathBuf, dialect: &crate::department::sql::Dialect, trusted_keys: &Option<PathBuf>) -> Result<ExitCode> {
    let keys = trusted_keys.as_deref().map(crate::shared::signing::TrustedKeys::read).transpose().map_err(anyhow::Error::msg)?;
    emit(crate::department::sql::script_trusted(dir, *dialect, keys.as_ref())?.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn report(dir: &PathBuf, out: &PathBuf, min_count: &u64, trusted_keys: &Option<PathBuf>) -> Result<ExitCode> {
    let now = SystemClock::new().local_now();
    let keys = trusted_keys.as_deref().map(crate::shared::signing::TrustedKeys::read).transpose().map_err(anyhow::Error::msg)?;
    let (csv, data) = crate::department::report::write_trusted(dir, out, *min_count, &now.format("%d/%m/%Y %H:%M").to_string(), keys.as_ref())?;
    emit(&format!(
        "{}, {} et {} : {} visites, {} structures",
        out.display(),
        csv.display(),
        out.with_extension("xlsx").display(),
        data.total.visits,
        data.structures.len() + data.others.as_ref().map_or(0, |o| o.0)
    ))?;
    Ok(ExitCode::SUCCESS)
}
