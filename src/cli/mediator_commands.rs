//! The mediator's commands: decoding a scanned QR code, drawing one, the mediator's window.

use super::*;

pub(super) fn decode(cli: &Cli, payload: &String, json: &bool, lang: &String) -> Result<ExitCode> {
    let kiosk = load(&cli)?;
    let input = if payload == "-" {
        // A scan is a few hundred bytes: a larger input is not a code (and must not
        // fill the memory).
        const MAX: u64 = 64 * 1024;
        let mut s = String::new();
        std::io::stdin().lock().take(MAX + 1).read_to_string(&mut s).context("standard input is not a code (not UTF-8 text)")?;
        if s.len() as u64 > MAX {
            eprintln!("standard input is not a code: more than 64 KiB");
            return Ok(ExitCode::from(2));
        }
        s
    } else {
        payload.clone()
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
    let kiosk = load(&cli)?;
    crate::ui::mediator_window::run(kiosk)?;
    Ok(ExitCode::SUCCESS)
}
