//! The mediator's commands: decoding a scanned QR code, drawing one, the mediator's window.

use super::*;
use crate::mediator::mediator_config::MediatorConfig;
use crate::mediator::pickup_store::PickupStore;

/// A scanned payload from an argument, or from standard input with `-`. None: not a code.
fn read_payload(payload: &str) -> Result<Option<String>> {
    Ok(Some(if payload == "-" {
        // A scan is a few hundred bytes: a larger input is not a code (and must not
        // fill the memory).
        const MAX: u64 = 64 * 1024;
        let mut s = String::new();
        std::io::stdin().lock().take(MAX + 1).read_to_string(&mut s).context("standard input is not a code (not UTF-8 text)")?;
        if s.len() as u64 > MAX {
            eprintln!("standard input is not a code: more than 64 KiB");
            return Ok(None);
        }
        s
    } else {
        payload.to_string()
    }))
}

pub(super) fn decode(cli: &Cli, payload: &String, json: &bool, lang: &String) -> Result<ExitCode> {
    let kiosk = load(&cli)?;
    let Some(input) = read_payload(payload)? else {
        return Ok(ExitCode::from(2));
    };
    match crate::mediator::decode(&kiosk, &input) {
        Ok(d) => {
            let book = crate::kiosk::place_book::load(&kiosk.config.data_dir, kiosk.config.departement.as_deref());
            let now = SystemClock::new().local_now();
            let places = crate::kiosk::place_book::suggest(&kiosk, &book, &d.profile, now);
            if *json {
                let mut v = crate::mediator::to_json(&kiosk, &d, lang);
                v["places"] = crate::kiosk::place_book::to_json(&places, now, lang);
                emit(&serde_json::to_string_pretty(&v)?)?;
            } else {
                emit(&crate::mediator::to_text(&kiosk, &d, lang, &crate::kiosk::place_book::lines(&places, now, lang)))?;
            }
        }
        Err(e) => {
            eprintln!("passerelle: {e}");
            return Ok(ExitCode::from(2));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn qr(payload: &String, out: &PathBuf, scale: &u32) -> Result<ExitCode> {
    if passerelle_core::handoff::repair(payload).is_err() {
        eprintln!("passerelle: warning: this is not a Passerelle payload; rendering it anyway");
    }
    let img = crate::shared::qr::render(payload, (*scale).clamp(1, 64)).map_err(|e| anyhow::anyhow!("cannot make a QR code of this text: {e}"))?;
    img.save(out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn mediateur(cli: &Cli) -> Result<ExitCode> {
    let cfg = MediatorConfig::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    let kiosk = cfg.kiosk()?;
    crate::ui::mediator_window::run(kiosk, cfg)?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn record_pickup(cli: &Cli, payload: &str, outcome: &Option<String>, on: &Option<chrono::NaiveDate>, json: &bool) -> Result<ExitCode> {
    let cfg = MediatorConfig::load(cli.config.as_deref(), cli.data_dir.as_deref())?;
    let kiosk = cfg.kiosk()?;
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
    let key = crate::shared::signing::kiosk_key(&cfg.data_dir, &cfg.structure_id).map_err(anyhow::Error::msg)?;
    emit(key.public_file().trim_end())?;
    eprintln!("Ligne pour le fichier des clés de confiance (merge --trusted-keys) :\n{} {}", cfg.structure_id, key.public());
    Ok(ExitCode::SUCCESS)
}
