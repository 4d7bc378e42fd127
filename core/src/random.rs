//! Random valid visits, driven through the real [`Engine`] (skips, back steps and every kind of
//! question included). Used by `passerelle replay --random`, property tests and soak runs.
//! About one visit in eight ends early ("On m'appelle", [`Engine::finish_now`]).

use crate::engine::{CompletedVisit, Engine, EngineError, Outcome, Screen};
use crate::questionnaire::Kind;
use rand::{Rng, RngExt};

const WORDS: &[&str] = &["photos", "musique", "recettes", "cuisine", "jardinage", "banque", "météo", "voyages", "lecture", "vidéos", "santé", "impôts"];
const NAMES: &[&str] =
    &["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Nguyen", "Diallo", "Benali", "Da Silva"];
const FIRST: &[&str] = &["Marie", "Jean", "Fatima", "Mohamed", "Nathalie", "Pierre", "Aïcha", "José", "Élodie", "Françoise"];

/// Drive `engine` (on the attract screen) through one complete random visit and return it
/// (the engine waits on the "completed" screen for the caller to store it).
pub fn random_visit<R: Rng>(engine: &mut Engine, rng: &mut R) -> Result<CompletedVisit, EngineError> {
    let langs = ["fr", "en", "ar", "pt", "es", "ro"];
    let lang = langs[rng.random_range(0..langs.len())];
    let _ = engine.set_lang(lang);
    engine.start()?;
    engine.acknowledge()?;
    // Skip rate varies per visit, so that some visits are nearly empty and some complete.
    let skip_rate: f64 = if rng.random_bool(0.05) { 1.0 } else { rng.random_range(0.0..0.3) };
    // "On m'appelle" after this many screens, for some visits.
    let mut call_after: Option<u32> = rng.random_bool(0.125).then(|| rng.random_range(0..30));
    for _ in 0..10_000 {
        match engine.screen() {
            Screen::Completed => break,
            Screen::Notice => {
                engine.acknowledge()?;
                continue;
            }
            _ => {}
        }
        let q = engine.current().ok_or(EngineError::WrongScreen)?.clone();
        match call_after {
            Some(0) => {
                if let Outcome::Finished(v) = engine.finish_now()? {
                    return Ok(v);
                }
            }
            Some(n) => call_after = Some(n - 1),
            None => {}
        }
        if skip_rate < 1.0 && rng.random_bool(0.03) {
            engine.back()?;
            continue;
        }
        let outcome = if rng.random_bool(skip_rate) {
            engine.skip()?
        } else {
            match q.kind {
                Kind::Single | Kind::List | Kind::Quiz | Kind::Grid => {
                    let offered = q.choices_for_row(engine.current_row());
                    let id = offered[rng.random_range(0..offered.len())].id.clone();
                    engine.choose(&id)?
                }
                Kind::Multiple => {
                    let max = q.max_choices.unwrap_or(q.choices.len());
                    let n = rng.random_range(1..=max.min(4));
                    for _ in 0..n {
                        let c = &q.choices[rng.random_range(0..q.choices.len())];
                        // Ticking past the maximum is refused by the engine: that is a valid try.
                        match engine.choose(&c.id) {
                            Ok(_) | Err(EngineError::MaxReached(_)) => {}
                            Err(e) => return Err(e),
                        }
                    }
                    if engine.selected().is_empty() { engine.skip()? } else { engine.next()? }
                }
                Kind::Text => {
                    let w = WORDS[rng.random_range(0..WORDS.len())];
                    engine.set_text(w)?;
                    engine.next()?
                }
                Kind::Contact => {
                    if rng.random_bool(0.5) {
                        engine.skip()?
                    } else {
                        engine.set_contact_field("last_name", NAMES[rng.random_range(0..NAMES.len())])?;
                        if rng.random_bool(0.7) {
                            engine.set_contact_field("first_name", FIRST[rng.random_range(0..FIRST.len())])?;
                        }
                        let phone = format!(
                            "06 {:02} {:02} {:02} {:02}",
                            rng.random_range(0..100),
                            rng.random_range(0..100),
                            rng.random_range(0..100),
                            rng.random_range(0..100)
                        );
                        engine.set_contact_field("phone", &phone)?;
                        if rng.random_bool(0.3) {
                            engine.set_contact_field("email", "visiteur@example.org")?;
                        }
                        engine.next()?
                    }
                }
                Kind::Notice => engine.next()?,
            }
        };
        if let Outcome::Finished(v) = outcome {
            return Ok(v);
        }
    }
    Err(EngineError::WrongScreen)
}
