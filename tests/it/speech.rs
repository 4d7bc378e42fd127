//! Speech: the text of every screen names every answer, in both languages; `say` writes a real
//! WAV with espeak-ng (installed by CI; skipped with a notice elsewhere).

use passerelle::kiosk::Kiosk;
use passerelle_core::questionnaire::Kind;
use std::process::Command;

#[test]
fn every_screen_speaks_every_answer_in_both_languages() {
    let kiosk = Kiosk::load(None, None).unwrap();
    for lang in ["fr", "en"] {
        let script = passerelle::kiosk::speech_text::script(&kiosk, lang, None);
        for q in kiosk.defs.questionnaire.questions() {
            let screens: Vec<&(String, String)> = script.iter().filter(|(name, _)| name == &q.id || name.starts_with(&format!("{}/", q.id))).collect();
            if q.kind == Kind::Notice {
                continue;
            }
            let sequence = kiosk.defs.questionnaire.sequence(kiosk.defs.config.flow);
            let asked = sequence.iter().any(|&i| kiosk.defs.questionnaire.questions()[i].id == q.id);
            if !asked || (q.optional && !kiosk.defs.config.optional_questions.contains(&q.id)) {
                assert!(screens.is_empty(), "{lang}: {} is not asked by this kiosk, yet spoken", q.id);
                continue;
            }
            assert!(!screens.is_empty(), "{lang}: no speech for {}", q.id);
            for (name, text) in &screens {
                if name.ends_with("/form") {
                    for f in &q.fields {
                        assert!(text.contains(f.label.get(lang)), "{lang} {name}: field {}", f.id);
                    }
                    continue;
                }
                assert!(text.contains(q.label.get(lang)), "{lang} {name}: the question");
                // A grid row reads the answers offered on it ("pas concerné" on one row only).
                let row = name.split_once('/').and_then(|(_, r)| q.rows.iter().position(|x| x.id == r));
                for (i, c) in q.choices_for_row(row).into_iter().enumerate() {
                    let label = c.label.get(lang).trim_end_matches('.');
                    assert!(
                        text.contains(&format!("{} {}", if lang == "fr" { "Réponse" } else { "Answer" }, i + 1)) && text.contains(label),
                        "{lang} {name}: answer {} missing",
                        c.id
                    );
                }
                if q.kind != Kind::Contact {
                    assert!(text.contains(if lang == "fr" { "Retour" } else { "Back" }), "{lang} {name}: how to go back");
                }
            }
            if q.kind == Kind::Grid {
                for r in &q.rows {
                    assert!(script.iter().any(|(n, t)| n == &format!("{}/{}", q.id, r.id) && t.contains(r.label.get(lang))), "{lang}: row {}", r.id);
                }
            }
        }
        let names: Vec<&str> = script.iter().map(|(n, _)| n.as_str()).collect();
        for screen in ["attract", "notice", "idle", "accessibility"] {
            assert!(names.contains(&screen), "{lang}: {screen}");
        }
        let idle = &script.iter().find(|(n, _)| n == "idle").unwrap().1;
        assert!(idle.contains("30"), "the warning says how many seconds are left: {idle}");
    }
}

#[test]
fn speech_script_command_prints_every_screen() {
    let out = Command::new(env!("CARGO_BIN_EXE_passerelle")).args(["speech-script", "--lang", "en"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "== attract ==",
        "== age ==",
        "== capacites/allumer_ordinateur ==",
        "== consentement_contact/form ==",
        "== end ==",
        "Answer 7: 70 or older.",
        "Your reference is: K 7 M 3 - Q X 2 A",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
}

#[test]
fn say_writes_a_wav_file() {
    let has = Command::new("sh").arg("-c").arg("command -v espeak-ng").output().is_ok_and(|o| o.status.success());
    if !has {
        assert!(std::env::var_os("PASSERELLE_CI").is_none(), "CI must install espeak-ng");
        eprintln!("notice: espeak-ng not installed, skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Every shipped language has a voice: the welcome of the attract screen, spoken.
    for lang in ["fr", "en", "ar", "pt", "es", "ro"] {
        let wav = dir.path().join(format!("{lang}.wav"));
        let text = format!("{} {}", passerelle::core::i18n::tr(lang, "start.welcome"), passerelle::core::i18n::tr(lang, "start.tagline"));
        let out = Command::new(env!("CARGO_BIN_EXE_passerelle")).args(["say", "--lang", lang, &text, "--out", wav.to_str().unwrap()]).output().unwrap();
        assert!(out.status.success(), "{lang}: {}", String::from_utf8_lossy(&out.stderr));
        let bytes = std::fs::read(&wav).unwrap();
        assert!(bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WAVE", "{lang}: a WAV file");
        assert!(bytes.len() > 20_000, "{lang}: with sound in it ({} bytes)", bytes.len());
    }
}
