//! More languages: every shipped language is complete (questionnaire and the kiosk's own texts),
//! an incomplete one is not offered and the check says what is missing, the speech script names
//! every answer in every language, and the profile marks foreign languages.

use passerelle::kiosk::Kiosk;
use passerelle_core::config::Config;
use std::path::Path;
use std::process::Command;

const SHIPPED: [&str; 6] = ["fr", "en", "ar", "pt", "es", "ro"];

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    c.env("PASSERELLE_LOG", "warn");
    c
}

fn kiosk() -> Kiosk {
    let config = Config::parse(passerelle_core::DEFAULT_CONFIG, "kiosk.toml", None).unwrap();
    Kiosk::from_config(config, "test".into()).unwrap()
}

#[test]
fn every_shipped_language_is_complete_offered_and_marked_as_reviewed_or_not() {
    let k = kiosk();
    assert_eq!(k.defs.config.languages, SHIPPED, "the default configuration offers every shipped language");
    for lang in SHIPPED {
        let s = k.defs.languages.iter().find(|s| s.lang == lang).unwrap_or_else(|| panic!("{lang} not found"));
        assert!(s.complete(), "{lang}: missing {:?}, problems {:?}", s.missing, s.problems);
        assert_eq!(s.reviewed_by_native_speaker, ["fr", "en"].contains(&lang), "{lang}: machine translations are marked as not reviewed");
        assert!(passerelle::core::i18n::missing(lang).is_empty(), "{lang}: app texts missing");
        // Every text of the questionnaire exists in that language, not through the French fallback.
        for q in k.defs.questionnaire.questions() {
            assert!(q.label.0.contains_key(lang), "{lang}: {}", q.id);
            for c in q.choices.iter().filter(|c| q.kind != passerelle_core::questionnaire::Kind::List || !c.picto.is_empty()) {
                if q.kind != passerelle_core::questionnaire::Kind::List {
                    assert!(c.label.0.contains_key(lang), "{lang}: {}.{}", q.id, c.id);
                }
            }
            for r in &q.rows {
                assert!(r.label.0.contains_key(lang), "{lang}: {}.{}", q.id, r.id);
            }
        }
    }
    // The language's own name, in its own script.
    assert_eq!(passerelle::core::i18n::tr("ar", "lang.name"), "العربية");
    assert_eq!(passerelle::core::i18n::tr("pt", "lang.name"), "Português");
    let out = bin().args(["questionnaire", "--check-translations"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8_lossy(&out.stdout);
    for lang in SHIPPED {
        assert!(text.lines().any(|l| l.starts_with(&format!("{lang} (")) && l.contains(": complete; offered")), "{lang}:\n{text}");
    }
    assert!(text.contains("ar (العربية): complete; offered; NOT reviewed by a native speaker"));
}

#[test]
fn an_incomplete_translation_is_not_offered_and_the_check_lists_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("assets/questionnaire/questionnaire.toml"), dir.path().join("questionnaire.toml")).unwrap();
    std::fs::create_dir_all(dir.path().join("lang")).unwrap();
    // Portuguese without the label of one choice and with an empty one; Spanish with a wrong placeholder.
    let pt = std::fs::read_to_string(root.join("assets/questionnaire/lang/pt.toml")).unwrap();
    let pt: String = pt.lines().filter(|l| !l.starts_with("\"age.choice.soixante_dix_plus\"")).map(|l| format!("{l}\n")).collect();
    let pt = pt.replacen("\"genre.choice.feminin\" = \"", "\"genre.choice.feminin\" = \"\" # \"", 1);
    std::fs::write(dir.path().join("lang/pt.toml"), pt).unwrap();
    let es = std::fs::read_to_string(root.join("assets/questionnaire/lang/es.toml")).unwrap();
    assert!(es.contains("{structure}"));
    std::fs::write(dir.path().join("lang/es.toml"), es.replacen("{structure}", "{estructura}", 1)).unwrap();
    // `questionnaire` is a top-level key: before the first table, relative to the file.
    let config = format!("questionnaire = \"questionnaire.toml\"\n{}", passerelle_core::DEFAULT_CONFIG);
    std::fs::write(dir.path().join("kiosk.toml"), &config).unwrap();

    let out = bin().arg("--config").arg(dir.path().join("kiosk.toml")).args(["questionnaire", "--check-translations"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("pt (Português): INCOMPLETE: 2 missing"), "{text}");
    assert!(text.contains("  missing: age.choice.soixante_dix_plus"), "{text}");
    assert!(text.contains("  missing: genre.choice.feminin"), "{text}");
    assert!(text.contains("es (Español): INCOMPLETE"), "{text}");
    assert!(text.contains("placeholders differ"), "{text}");
    assert!(text.contains("ar (العربية): INCOMPLETE"), "no Arabic file next to this questionnaire:\n{text}");
    assert!(text.contains("fr (Français): complete; offered"));

    let k = Kiosk::load(Some(&dir.path().join("kiosk.toml")), None).unwrap();
    assert_eq!(k.defs.config.languages, ["fr", "en"], "only complete languages are offered");
}

#[test]
fn the_speech_script_names_every_answer_in_every_language() {
    let k = kiosk();
    for lang in SHIPPED {
        let out = bin().args(["speech-script", "--lang", lang]).output().unwrap();
        assert!(out.status.success());
        let script = String::from_utf8(out.stdout).unwrap();
        let screen = |id: &str| -> String {
            let section = script.split(&format!("== {id} ==")).nth(1).unwrap_or_else(|| panic!("{lang}: no screen {id}"));
            section.split("\n== ").next().unwrap().to_string()
        };
        // The questions this kiosk asks (an optional question only when it offers it).
        let asked = |q: &&passerelle_core::questionnaire::Question| !q.retired && (!q.optional || k.defs.config.optional_questions.contains(&q.id));
        for q in k.defs.questionnaire.questions().iter().filter(|q| q.kind != passerelle_core::questionnaire::Kind::Notice).filter(asked) {
            // A grid is read one row per screen, each with every answer.
            // (with the answers offered on that row: "pas concerné" on one row only).
            let screens: Vec<(String, Option<&str>, Option<usize>)> = if q.rows.is_empty() {
                vec![(screen(&q.id), None, None)]
            } else {
                q.rows.iter().enumerate().map(|(i, r)| (screen(&format!("{}/{}", q.id, r.id)), Some(r.label.get(lang)), Some(i))).collect()
            };
            for (text, row, index) in &screens {
                assert!(text.contains(q.label.get(lang)), "{lang} {}: the question is not read", q.id);
                if let Some(row) = row {
                    assert!(text.contains(row), "{lang} {}: row {row} not read", q.id);
                }
                for c in q.choices_for_row(*index) {
                    assert!(text.contains(c.label.get(lang)), "{lang} {}: answer {} not read", q.id, c.id);
                }
            }
        }
    }
}

#[test]
fn a_visit_in_another_language_is_flagged_for_the_mediator_and_stores_ids_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for (lang, support) in [("ar", "Langues étrangères (autres)"), ("ro", "Langues étrangères (autres)"), ("en", "Langues étrangères (anglais)")] {
        let visit = format!(r#"{{"lang":"{lang}","answers":{{"age":"soixante_dix_plus","genre":"feminin","outil_principal":"smartphone"}}}}"#);
        let mut child =
            bin().arg("--data-dir").arg(&data).args(["replay", "-"]).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(visit.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let specific = line["profile"]["prise_en_charge_specifique"].as_array().unwrap();
        assert!(specific.contains(&support.into()), "{lang}: {specific:?}");
        // The QR payload decodes to the same profile whatever the language: ids only.
        let decoded = bin().args(["decode", "--json"]).arg(line["payload"].as_str().unwrap()).output().unwrap();
        let d: serde_json::Value = serde_json::from_slice(&decoded.stdout).unwrap();
        assert_eq!(d["profile"]["prise_en_charge_specifique"], line["profile"]["prise_en_charge_specifique"]);
        assert_eq!(d["lang"], lang);
    }
}

/// French typography (issue 17): "?", "!", ":", ";" and "»" follow a no-break space, so that a
/// question mark never wraps alone onto the next line. The kiosk's fonts have U+00A0 (not the
/// narrow U+202F), so that is the space used. Every French text of the kiosk and the questionnaire.
#[test]
fn french_punctuation_never_wraps_alone() {
    let bad = |t: &str| {
        let c: Vec<char> = t.chars().collect();
        c.windows(2).any(|w| w[0].is_whitespace() && w[0] != '\u{a0}' && "?!:;»".contains(w[1])) || t.contains("« ")
    };
    let mut found = Vec::new();
    let po = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n/fr.po")).unwrap();
    found.extend(po.lines().filter(|l| l.starts_with("msgstr") && bad(l)).map(str::to_string));
    let k = kiosk();
    for q in k.defs.questionnaire.questions() {
        let mut texts = vec![q.label.get("fr").to_string()];
        texts.extend(q.help.iter().map(|h| h.get("fr").to_string()));
        texts.extend(q.choices.iter().map(|c| c.label.get("fr").to_string()));
        texts.extend(q.rows.iter().map(|r| r.label.get("fr").to_string()));
        texts.extend(q.fields.iter().map(|f| f.label.get("fr").to_string()));
        found.extend(texts.into_iter().filter(|t| bad(t)).map(|t| format!("{}: {t}", q.id)));
    }
    assert!(found.is_empty(), "French texts with a breaking space before punctuation:\n{}", found.join("\n"));
}

/// Every key the code names exists in the French catalogue: a string literal shaped like a key
/// of one of the catalogue's sections (`nav.back`, `mediator.partial`…) in the crates that make
/// text (core, kiosk, mediator, the UI and the CLI) must be a msgid of `i18n/fr.po` (English too
/// for the staff-only sections). A key built at run time (`format!("mediator.field.{f}")`) is
/// not seen here; the raw-key tests over rendered screens catch those.
#[test]
fn every_key_the_code_names_is_in_the_catalogues() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ids = |lang: &str| -> std::collections::BTreeSet<String> {
        let po = std::fs::read_to_string(root.join(format!("i18n/{lang}.po"))).unwrap();
        po.lines().filter_map(|l| l.strip_prefix("msgid \"")).map(|l| l.trim_end_matches('"').to_string()).filter(|k| !k.is_empty()).collect()
    };
    let (fr, en) = (ids("fr"), ids("en"));
    let sections: std::collections::BTreeSet<&str> = fr.iter().filter_map(|k| k.split_once('.').map(|(s, _)| s)).collect();
    assert!(sections.contains("mediator") && sections.contains("admin") && sections.contains("nav"), "{sections:?}");
    let literal = regex::Regex::new(r#""([a-z0-9_-]+)\.([a-z0-9_.-]*[a-z0-9])""#).unwrap();
    let mut files = Vec::new();
    for dir in ["core/src", "kiosk/src", "mediator/src", "src", "desk/src"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().path()) {
                if e.is_dir() {
                    stack.push(e);
                } else if e.extension().is_some_and(|x| x == "rs") {
                    files.push(e);
                }
            }
        }
    }
    let (mut named, mut unknown) = (0, Vec::new());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for c in literal.captures_iter(&text) {
            let (section, key) = (&c[1], c[0].trim_matches('"'));
            // A key's section; file names (`kiosk.toml`), hosts and versions are not keys.
            let file = [".toml", ".po", ".png", ".csv", ".json"].iter().any(|x| key.ends_with(x));
            // kiosk.toml's own keys (`[idle] warning_s`) are named in its parser.
            if !sections.contains(section) || file || f.ends_with("core/src/config.rs") {
                continue;
            }
            named += 1;
            let staff = passerelle_core::i18n::STAFF_ONLY.iter().any(|p| key.starts_with(p));
            if !fr.contains(key) || (staff && !en.contains(key)) {
                unknown.push(format!("{key} ({})", f.strip_prefix(root).unwrap().display()));
            }
        }
    }
    assert!(named > 200, "the scan finds the keys the code names ({named})");
    assert!(unknown.is_empty(), "keys named in the code but absent from i18n/fr.po (or en.po): {unknown:#?}");
}
