//! The mediator's commands: decoding a scanned QR code, drawing one, the mediator's window.
// Handlers take their arguments as clap parsed them (`&String`, `&PathBuf`).
#![allow(clippy::ptr_arg)]

use super::*;
use crate::mediator::mediator_config::MediatorConfig;
use crate::mediator::pickup_store::PickupStore;

/// A scanned payload from an argument, or from standard input with `-`. None: not a code.
fn read_payload(payload: &str) -> Result<Option<String>> {
    Ok(Some(if payload == "-" {
        // A scan is a few hundred bytes: a larger input is not a code (and must not
        // fill the memory).
        const MAX: u64 = 64 * 1024;
        let mut bytes = Vec::new();
        std::io::stdin().lock().take(MAX + 1).read_to_end(&mut bytes).context("lecture de l'entrée standard impossible")?;
        if bytes.len() as u64 > MAX {
            eprintln!("passerelle : l'entrée standard n'est pas un code (plus de 64 KiB)");
            return Ok(None);
        }
        match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => {
                eprintln!("passerelle : l'entrée standard n'est pas un code (ce n'est pas du texte UTF-8)");
                return Ok(None);
            }
        }
    } else {
        payload.to_string()
    }))
}

pub(super) fn decode(cli: &Cli, payload: &String, json: &bool, lang: &String, at: &Option<chrono::NaiveDateTime>) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    let Some(input) = read_payload(payload)? else {
        return Ok(ExitCode::from(2));
    };
    match crate::mediator::decode(&kiosk.defs, &input) {
        Ok(d) => {
            let book = crate::shared::place_files::load(&kiosk.defs.config.data_dir, kiosk.defs.config.departement.as_deref());
            let now = at.unwrap_or_else(|| SystemClock::new().local_now());
            if *json {
                emit(&serde_json::to_string_pretty(&crate::mediator::to_json_with_places(&kiosk.defs, &d, lang, &book, now))?)?;
            } else {
                emit(&crate::mediator::view_with_places(&kiosk.defs, &d, lang, &book, now).text())?;
            }
        }
        Err(e) => {
            eprintln!("passerelle : {}", crate::mediator::error_in_french(&e));
            return Ok(ExitCode::from(2));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn qr(payload: &String, out: &PathBuf, scale: &u32) -> Result<ExitCode> {
    if crate::core::handoff::repair(payload).is_err() {
        eprintln!("passerelle: warning: this is not a Passerelle payload; rendering it anyway");
    }
    let img = crate::shared::qr::render(payload, (*scale).clamp(1, 64)).map_err(|e| anyhow::anyhow!("cannot make a QR code of this text: {e}"))?;
    img.save(out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn mediateur(cli: &Cli) -> Result<ExitCode> {
    let cfg = MediatorConfig::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    let kiosk = cfg.definitions()?;
    crate::ui::mediator_window::run(kiosk, cfg)?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn record_pickup(cli: &Cli, payload: &str, outcome: &Option<String>, on: &Option<chrono::NaiveDate>, json: &bool) -> Result<ExitCode> {
    let cfg = MediatorConfig::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    let kiosk = cfg.definitions()?;
    let Some(input) = read_payload(payload)? else {
        return Ok(ExitCode::from(2));
    };
    let day = on.unwrap_or_else(|| SystemClock::new().local_now().date());
    let mut store = PickupStore::open(&cfg.data_dir)?;
    match crate::mediator::pickup_desk::record(&cfg, &kiosk.questionnaire, &mut store, &input, day, outcome.as_deref()) {
        Ok(r) => {
            if *json {
                emit(&serde_json::to_string_pretty(&r.to_json())?)?;
            } else {
                emit(&r.message)?;
            }
            if let Some(w) = &r.warning {
                eprintln!("passerelle: warning: {w}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("passerelle: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

pub(super) fn export_pickups(cli: &Cli, to: &PathBuf, all: &bool) -> Result<ExitCode> {
    let cfg = MediatorConfig::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    let mut store = PickupStore::open(&cfg.data_dir)?;
    let today = SystemClock::new().local_now().date();
    let r = crate::mediator::pickup_export::export(&cfg, &mut store, &crate::kiosk::export::RealFs, to, *all, today)?;
    emit(&format!("{} ({} pickups)", r.folder.display(), r.pickups))?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn pickup_signing_key(cli: &Cli) -> Result<ExitCode> {
    let cfg = MediatorConfig::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    let key = crate::shared::keys::kiosk_key(&cfg.data_dir, &cfg.structure_id).map_err(anyhow::Error::msg)?;
    emit(key.public_file().trim_end())?;
    eprintln!("Ligne pour le fichier des clés de confiance (merge --trusted-keys) :\nstructure {} {}", cfg.structure_id, key.public());
    Ok(ExitCode::SUCCESS)
}

/// The browser desk's WebAssembly module (`desk/`, wasm32-unknown-unknown), built by the
/// `passerelle-desk-module` crate.
pub const DESK_WASM: &[u8] = passerelle_desk_module::MODULE;

/// `mediateur page`: the one self-contained HTML file of the browser desk, for this structure,
/// with the definitions and places this Passerelle reads codes with.
pub(super) fn desk_page(cli: &Cli, out: &PathBuf, coop_url: &Option<String>) -> Result<ExitCode> {
    use passerelle_desk::desk_bundle::{Bundle, PlacesText, QuestionnaireTexts, StructureInfo, Text};
    let cfg = MediatorConfig::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    let defs = cfg.definitions()?;
    let (config_text, config_name, _) = crate::shared::definitions_files::config_text(cfg.kiosk_config.as_deref())?;
    let sources = crate::shared::definitions_files::sources(&defs.config)?;
    let departement = defs.config.departement.clone();
    let book = crate::shared::place_files::load(&defs.config.data_dir, departement.as_deref());
    let imported = std::fs::read_to_string(defs.config.data_dir.join(crate::shared::place_files::IMPORTED))
        .ok()
        .filter(|t| crate::core::places::parse(t, departement.as_deref()).is_ok_and(|s| !s.places.is_empty()));
    let bundle = Bundle {
        format: passerelle_desk::BUNDLE_FORMAT,
        passerelle_version: env!("CARGO_PKG_VERSION").into(),
        made_on: SystemClock::new().local_now().date().format("%Y-%m-%d").to_string(),
        structure: StructureInfo { id: cfg.structure_id.clone(), name: cfg.structure.clone(), departement: cfg.departement.clone() },
        config: Text { name: config_name, text: config_text },
        departement,
        questionnaire: sources.questionnaire.map(|(q, translations)| QuestionnaireTexts { name: q.name, text: q.text, translations }),
        rules: sources.rules.map(|r| Text { name: r.name, text: r.text }),
        places: PlacesText { csv: imported.unwrap_or_else(|| crate::core::place_book::SHIPPED.to_string()), source: book.source.clone() },
        coop_base_url: coop_url.clone().or(cfg.coop_url.clone()).unwrap_or_else(|| passerelle_desk::desk_api::COOP_DEFAULT.to_string()),
    };
    // The page's own checks, here first: a page that cannot start is never written.
    let desk = passerelle_desk::desk_api::Desk::new(&bundle).map_err(anyhow::Error::msg)?;
    let page = passerelle_desk::desk_page::render(DESK_WASM, &bundle);
    std::fs::write(out, page.as_bytes()).with_context(|| format!("cannot write {}", out.display()))?;
    emit(&format!(
        "{} ({} Ko) : bureau du médiateur pour {} ({}), {} lieux, questionnaire {}",
        out.display(),
        page.len().div_ceil(1024),
        cfg.structure,
        cfg.structure_id,
        desk.book.places.len(),
        desk.defs.questionnaire.version
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `mediateur pickups [--remove REF [--kiosk ID]] [--json]`: the pickups recorded here, or one
/// removed (exit 2 when no pickup, or several, match).
pub(super) fn list_pickups(cli: &Cli, remove: &Option<String>, kiosk: &Option<String>, json: &bool) -> Result<ExitCode> {
    use crate::mediator::pickup_store::Listed;
    let cfg = MediatorConfig::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    let mut store = PickupStore::open(&cfg.data_dir)?;
    let as_json = |l: &Listed| {
        serde_json::json!({
            "kiosk_id": l.pickup.kiosk_id,
            "reference": passerelle_core::summary::pretty_reference(&l.pickup.visit_id),
            "date": l.pickup.local_date,
            "outcome": l.pickup.outcome,
            "exported_in": l.exported_in.as_ref().map(|(folder, _)| folder),
        })
    };
    let line = |l: &Listed| {
        let outcome = l.pickup.outcome.as_deref().and_then(passerelle_package::pickup_table::outcome_label).unwrap_or("—");
        let exported = match &l.exported_in {
            Some((folder, day)) => format!("exportée le {day} ({folder})"),
            None => "pas encore exportée".into(),
        };
        format!("{}  {}  {}  {outcome}  {exported}", l.pickup.local_date, l.pickup.kiosk_id, passerelle_core::summary::pretty_reference(&l.pickup.visit_id))
    };
    let Some(reference) = remove else {
        let all = store.listed()?;
        if *json {
            emit(&serde_json::to_string_pretty(&all.iter().map(as_json).collect::<Vec<_>>())?)?;
        } else if all.is_empty() {
            emit("Aucune prise en charge enregistrée.")?;
        } else {
            emit(&all.iter().map(line).collect::<Vec<_>>().join("\n"))?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    match store.remove(reference, kiosk.as_deref()) {
        Ok(l) => {
            if *json {
                emit(&serde_json::to_string_pretty(&serde_json::json!({"removed": as_json(&l)}))?)?;
            } else {
                emit(&format!("Prise en charge retirée : {}", line(&l)))?;
            }
            if let Some((folder, _)) = &l.exported_in {
                eprintln!("Attention : elle était déjà dans l'export {folder}, qui la garde ; elle ne sera plus dans les exports suivants.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ (crate::mediator::pickup_store::RemoveError::NotFound(_) | crate::mediator::pickup_store::RemoveError::Ambiguous { .. })) => {
            eprintln!("passerelle : {e}");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}
