//! Fuzz the QR payload decoder: whatever a scanner types, it must never panic.
//! Run with `cargo fuzz run decode` (see docs/handoff.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use passerelle_core::questionnaire::Questionnaire;
use std::sync::OnceLock;

fn questionnaire() -> &'static Questionnaire {
    static Q: OnceLock<Questionnaire> = OnceLock::new();
    Q.get_or_init(|| {
        let c = passerelle_core::config::Config::parse(passerelle_core::DEFAULT_CONFIG, "kiosk.toml", None).unwrap();
        Questionnaire::load(passerelle_core::DEFAULT_QUESTIONNAIRE, "questionnaire.toml", &c.neighbourhoods, &|_| true).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let q = questionnaire();
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = passerelle_core::handoff::decode(s, q);
        let _ = passerelle_core::handoff::decode(&format!("PA1:{s}"), q);
    }
    // Raw bytes behind a valid prefix: exercises the bit reader and every field.
    let _ = passerelle_core::handoff::decode(&format!("PA1:{}", base45_encode(data)), q);
});

fn base45_encode(data: &[u8]) -> String {
    const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut out = String::new();
    for chunk in data.chunks(2) {
        let mut n = chunk.iter().fold(0u32, |acc, &b| acc * 256 + u32::from(b));
        let digits = if chunk.len() == 2 { 3 } else { 2 };
        for _ in 0..digits {
            out.push(A[(n % 45) as usize] as char);
            n /= 45;
        }
    }
    out
}
