//! A tour of the kiosk's screens: the visit model driven to each screen that `passerelle
//! screenshot` renders (a fixed clock, the demo visit, a test PIN).

use crate::store::Store;
use crate::visit_model::VisitModel;
use crate::{Kiosk, SavedVisit};
use anyhow::{Result, bail};
use passerelle_core::engine::FakeClock;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The visit reference of every screenshot (a valid one: Crockford base 32): with the fixed
/// clock, the same pictures every time.
pub const REFERENCE: &str = "K7QM4XR2";

/// The clock of every screenshot: Saturday 28 November 2026, 10:00.
pub fn clock() -> Arc<FakeClock> {
    FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap())
}

/// A kiosk for screenshots: its visits take [`REFERENCE`].
pub fn fixed(mut kiosk: Kiosk) -> Kiosk {
    kiosk.fixed_reference = Some(REFERENCE.to_string());
    kiosk
}

/// A new empty folder for a screenshot's store (the caller removes it).
pub fn scratch_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("passerelle-shot-{}-{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The mediator's screenshot: the demo visit, finished and stored as if the visitor had listened
/// to most screens (the facts section shows).
pub fn showcase_visit(kiosk: &Kiosk, store: &mut Store, clock: &Arc<FakeClock>) -> Result<SavedVisit> {
    let mut engine = kiosk.engine(clock.clone());
    let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT)?;
    let visit = passerelle_core::script::play(&mut engine, &script)?;
    let signals = passerelle_core::handoff::Signals { read_aloud: true, ..Default::default() };
    Ok(kiosk.finish_visit_with_signals(store, clock.as_ref(), &visit, signals)?)
}

/// Every screen `--all` renders, in the order of a visit.
pub const SCREENS: &[&str] = &[
    "attract",
    "notice",
    "single",
    "list",
    "multiple",
    "text",
    "grid",
    "quiz",
    "consent",
    "contact",
    "call",
    "called",
    "stop",
    "languages",
    "idle",
    "end",
    "end-places",
    "end-large",
    "end-queue",
    "save-failed",
    "out-of-service",
    "pin",
    "admin",
    "a11y",
    "large",
    "large-calm",
    "contrast",
];

fn goto(c: &mut VisitModel, id: &str) -> Result<()> {
    for _ in 0..200 {
        if c.engine().current().is_some_and(|q| q.id == id) {
            return Ok(());
        }
        c.skip();
    }
    bail!("question {id} not reached")
}

/// Drive the model to `screen` (a name from [`SCREENS`]).
pub fn drive(c: &mut VisitModel, clock: &FakeClock, screen: &str, lang: &str) -> Result<()> {
    match screen {
        "attract" => return Ok(()),
        "pin" => {
            crate::admin_tools::set_pin(c.store(), "2468")?;
            c.admin_long_press();
            c.admin_pin_key("2");
            c.admin_pin_key("4");
            return Ok(());
        }
        "admin" => {
            let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT)?;
            for _ in 0..3 {
                c.play_script(&script)?;
                c.finish();
            }
            crate::admin_tools::set_pin(c.store(), "2468")?;
            c.admin_long_press();
            for k in ["2", "4", "6", "8", "OK"] {
                c.admin_pin_key(k);
            }
            return Ok(());
        }
        "end" | "end-places" | "end-large" | "end-queue" | "save-failed" => {
            let mut script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT)?;
            script.lang = lang.to_string();
            c.play_script(&script)?;
            match screen {
                "end-places" => c.show_end_places(true),
                "end-large" => c.set_text_step(2),
                // A minute later, the visitor queueing: only the code, the reference and the
                // instructions.
                "end-queue" => {
                    clock.advance(crate::visit_model::END_PRIVATE_AFTER + Duration::from_secs(1));
                    c.tick();
                }
                _ => {}
            }
            return Ok(());
        }
        _ => {}
    }
    c.start(lang);
    if screen == "notice" {
        return Ok(());
    }
    c.accept_notice();
    match screen {
        "single" => {}
        "list" => goto(c, "quartier")?,
        "multiple" => {
            goto(c, "usages_principaux")?;
            c.choose("demarches_administratives");
            c.choose("messageries_instantanees");
        }
        "text" => {
            goto(c, "usages_principaux")?;
            c.choose("autre");
            c.next();
            for k in ["l", "a", " ", "c", "u", "i", "s", "i", "n", "e"] {
                c.key(k);
            }
        }
        "grid" => {
            goto(c, "capacites")?;
            c.choose("sait_faire");
            c.choose("ne_sait_pas_faire");
        }
        "quiz" => goto(c, "quiz_navigateur")?,
        "a11y" => {
            c.open_a11y_panel();
            c.set_text_step(1);
        }
        "large" => {
            goto(c, "usages_principaux")?;
            c.choose("jeux");
            c.set_text_step(2);
        }
        "large-calm" => {
            goto(c, "usages_principaux")?;
            c.choose("jeux");
            c.set_text_step(2);
            c.toggle_calm();
        }
        "contrast" => {
            goto(c, "usages_principaux")?;
            c.choose("jeux");
            c.toggle_contrast();
        }
        "consent" => goto(c, "consentement_contact")?,
        "contact" => {
            goto(c, "consentement_contact")?;
            c.open_form();
            for k in ["M", "a", "r", "t", "i", "n"] {
                c.key(k);
            }
            c.focus_field(2);
            for k in ["0", "6", " ", "1", "2"] {
                c.key(k);
            }
        }
        // "On m'appelle" touched on the second question: its confirmation.
        "call" => {
            c.skip();
            c.call_me();
        }
        // "On m'appelle au guichet" confirmed on the second question: the code leaves with the visitor.
        "called" => {
            c.skip();
            c.call_me();
            c.call_answer(true);
        }
        // The language button on the second question: every offered language.
        "languages" => {
            c.skip();
            c.open_languages();
        }
        // "Arrêter" touched on the second question: "Effacer mes réponses ?".
        "stop" => {
            c.skip();
            c.stop();
        }
        "idle" => {
            clock.advance(c.engine().options().idle_warning + Duration::from_secs(5));
            c.tick();
        }
        other => bail!("unknown screen `{other}` (known: {})", SCREENS.join(", ")),
    }
    Ok(())
}
