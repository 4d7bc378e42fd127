//! The commands of the kiosk and its admin: running it, the questionnaire, scripted visits,
//! screenshots, tickets, the USB export, keys, decrypting contacts, speech, `doctor`, `stats`,
//! `erase` and the places.
// Handlers take their arguments as clap parsed them (`&String`, `&PathBuf`).
#![allow(clippy::ptr_arg)]

use super::*;

pub(super) fn kiosk(cli: &Cli) -> Result<ExitCode> {
    let kiosk = Kiosk::load(cli.config.as_deref(), cli.data_dir.as_deref());
    // The signing key is made at first start (exports make it too if this failed).
    if let Ok(k) = &kiosk
        && let Err(e) = crate::shared::keys::kiosk_key(&k.defs.config.data_dir, &k.defs.config.kiosk_id)
    {
        log::error!("signing key: {e}");
    }
    if crate::ui::run_kiosk(kiosk, cli.windowed)? {
        return Ok(ExitCode::from(crate::ui::admin_screen::QUIT_STATUS));
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn check_translations(cli: &Cli, json: &bool) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    if *json {
        emit(&serde_json::to_string_pretty(&kiosk.defs.languages)?)?;
    } else {
        let mut out = String::new();
        for s in &kiosk.defs.languages {
            let state = if s.complete() { "complete".to_string() } else { format!("INCOMPLETE: {} missing, {} problems", s.missing.len(), s.problems.len()) };
            let offered = if kiosk.defs.config.languages.contains(&s.lang) { "offered" } else { "not offered" };
            let reviewed = if s.reviewed_by_native_speaker { "reviewed by a native speaker" } else { "NOT reviewed by a native speaker" };
            out += &format!("{} ({}): {state}; {offered}; {reviewed}\n", s.lang, crate::core::i18n::tr(&s.lang, "lang.name"));
            for m in &s.missing {
                out += &format!("  missing: {m}\n");
            }
            for p in &s.problems {
                out += &format!("  problem: {p}\n");
            }
        }
        emit(out.trim_end())?;
    }
    if kiosk.defs.languages.iter().any(|s| !s.complete()) {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn questionnaire(cli: &Cli, json: &bool, lang: &String) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    let q = &kiosk.defs.questionnaire;
    if *json {
        emit(&serde_json::to_string_pretty(&q.to_json(lang))?)?;
    } else {
        let mut s = format!("{} — {} (version {})\n", q.id, q.title.get(lang), q.version);
        for question in q.questions() {
            s += &format!("\n[{}] {} ({})\n", question.id, question.label.get(lang), question.kind.as_str());
            for r in &question.rows {
                s += &format!("    row {:<28} {}\n", r.id, r.label.get(lang));
            }
            for c in &question.choices {
                s += &format!("    {:<32} {}\n", c.id, c.label.get(lang));
            }
        }
        emit(s.trim_end())?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn replay(cli: &Cli, file: &Option<PathBuf>, random: &Option<u64>, seed: &u64) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    let mut store = kiosk.open_store()?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let mut engine = kiosk.engine(clock.clone());
    let print = |saved: &crate::kiosk::SavedVisit| -> Result<bool> {
        emit(&serde_json::json!({"id": saved.id, "profile": saved.profile, "payload": saved.payload}).to_string())
    };
    if let Some(n) = random {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(*seed);
        for _ in 0..*n {
            let visit = random_visit(&mut engine, &mut rng)?;
            let saved = kiosk.finish_visit(&mut store, clock.as_ref(), &visit)?;
            engine.saved()?;
            engine.finish()?;
            if !print(&saved)? {
                break;
            }
        }
    } else {
        let (name, text) = match file.as_deref() {
            None => {
                bail!("give a scripted visit file, - for standard input, or --random N")
            }
            Some(p) if p.as_os_str() == "-" => {
                let mut s = String::new();
                std::io::stdin().lock().read_to_string(&mut s)?;
                ("standard input".to_string(), s)
            }
            Some(p) => (p.display().to_string(), std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?),
        };
        // All or nothing: every scripted visit is read and played first; one that fails names
        // its line and why, and no visit of the file is stored.
        let visits = play_all(&kiosk, clock.clone(), &name, &text)?;
        if visits.is_empty() {
            bail!("no scripted visit found in {name}");
        }
        for visit in &visits {
            let saved = kiosk.finish_visit(&mut store, clock.as_ref(), visit)?;
            if !print(&saved)? {
                break;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every scripted visit of `text` played through its own engine, or the first that fails with
/// its number, its line and why (nothing stored yet).
fn play_all(kiosk: &Kiosk, clock: Arc<dyn Clock>, name: &str, text: &str) -> Result<Vec<crate::core::engine::CompletedVisit>> {
    let line_at = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    let mut visits = Vec::new();
    loop {
        // The value starts at the first non-blank byte after the previous one.
        let before = stream.byte_offset();
        let start = before + text[before..].len() - text[before..].trim_start().len();
        let n = visits.len() + 1;
        let value = match stream.next() {
            None => break,
            Some(Ok(v)) => v,
            Some(Err(e)) => bail!("{name}, line {}: scripted visit {n} is not valid JSON ({e}); no visit was stored", e.line()),
        };
        let why = |e: &dyn std::fmt::Display| format!("{name}, line {}: scripted visit {n}: {e}; no visit was stored", line_at(start));
        let s: Script = serde_json::from_value(value).map_err(|e| anyhow::anyhow!(why(&e)))?;
        let mut engine = kiosk.engine(clock.clone());
        let visit = script::play(&mut engine, &s).map_err(|e| anyhow::anyhow!(why(&e)))?;
        visits.push(visit);
    }
    Ok(visits)
}

pub(super) fn screenshot(
    cli: &Cli,
    screen: &Option<String>,
    all: &bool,
    size: &String,
    lang: &String,
    out: &Option<PathBuf>,
    out_dir: &Option<PathBuf>,
) -> Result<ExitCode> {
    let (w, h) = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .filter(|(w, h)| (320..=8000).contains(w) && (240..=8000).contains(h))
        .context("--size must be WIDTHxHEIGHT, for example 1920x1080")?;
    // The consent screens need a recipient key: screenshots use a throwaway one.
    let kiosk_for = || -> Result<Kiosk> {
        let mut k = load(cli)?;
        if k.defs.config.recipient.is_none() {
            k.defs.config.recipient = Some(crate::kiosk::seal::keygen().1);
        }
        Ok(k)
    };
    if !crate::config_languages().contains(&lang.as_str()) {
        bail!("--lang must be one of {}", crate::config_languages().join(", "));
    }
    if *all {
        let dir = out_dir.as_ref().context("--out-dir is needed with --all")?;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for name in crate::ui::screenshot::SCREENS {
            let file = dir.join(format!("{name}-{w}x{h}-{lang}.png"));
            crate::ui::screenshot::screenshot(&kiosk_for, name, (w, h), lang, &file)?;
            emit(&file.display().to_string())?;
        }
    } else {
        let name = screen.as_deref().context("--screen is needed")?;
        let file = out.as_ref().context("--out is needed")?;
        crate::ui::screenshot::screenshot(&kiosk_for, name, (w, h), lang, file)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn ticket(
    cli: &Cli,
    visit_id: &String,
    format: &String,
    out: &PathBuf,
    width_mm: &Option<u32>,
    at: &Option<chrono::NaiveDateTime>,
) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    let store = kiosk.open_store()?;
    let id = visit_id.replace('-', "").to_uppercase();
    let visit = store.visit(&id)?.with_context(|| format!("no visit {visit_id} in {}", store.path().display()))?;
    let data = crate::kiosk::ticket::TicketData::from_stored(&kiosk, &visit, at.unwrap_or_else(|| SystemClock::new().local_now()))?;
    let width = width_mm.unwrap_or(match &kiosk.defs.config.printer {
        crate::core::config::PrinterConfig::Escpos { width_mm, .. } => *width_mm,
        _ => 80,
    });
    let img = crate::kiosk::ticket::render(&data, width)?;
    match format.as_str() {
        "png" => img.save(out).with_context(|| format!("cannot write {}", out.display()))?,
        _ => std::fs::write(out, crate::kiosk::ticket::escpos(&img)).with_context(|| format!("cannot write {}", out.display()))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn set_pin(cli: &Cli) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    let store = kiosk.open_store()?;
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("Type the new PIN (4 to 8 digits), then Enter:");
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    crate::kiosk::admin_tools::set_pin(&store, line.trim())?;
    eprintln!("The admin PIN is set.");
    Ok(ExitCode::SUCCESS)
}

pub(super) fn export(cli: &Cli, to: &Option<PathBuf>, all: &bool) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    let mut store = kiosk.open_store()?;
    let dest = match to {
        Some(d) => d.clone(),
        None => crate::kiosk::admin_tools::find_media(&kiosk.defs.config.export_paths)
            .into_iter()
            .next()
            .map(|m| m.path)
            .ok_or(crate::kiosk::export::ExportError::NoMedia)?,
    };
    let clock = SystemClock::new();
    let r = crate::kiosk::export::export(&kiosk, &mut store, &crate::kiosk::export::RealFs, &dest, *all, clock.local_now())?;
    emit(&format!("{} ({} visits, {} abandoned, {} contacts)", r.folder.display(), r.record.visits, r.record.abandons, r.record.contacts))?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn keygen(out: &PathBuf) -> Result<ExitCode> {
    let (identity, recipient) = crate::kiosk::seal::keygen();
    let mut f = crate::shared::files::create_owner_only(out).with_context(|| format!("cannot create {} (it must not exist yet)", out.display()))?;
    f.write_all(identity.as_bytes())?;
    f.sync_all()?;
    emit(&recipient)?;
    eprintln!("Identity written to {}. Keep it off the kiosk. Put the line above in kiosk.toml as: recipient = \"{recipient}\"", out.display());
    Ok(ExitCode::SUCCESS)
}

pub(super) fn signing_key(cli: &Cli) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    let key = crate::shared::keys::kiosk_key(&kiosk.defs.config.data_dir, &kiosk.defs.config.kiosk_id).map_err(anyhow::Error::msg)?;
    emit(key.public_file().trim_end())?;
    eprintln!("Ligne pour le fichier des clés de confiance (merge --trusted-keys) :\nborne {} {}", kiosk.defs.config.kiosk_id, key.public());
    Ok(ExitCode::SUCCESS)
}

pub(super) fn decrypt(identity: &PathBuf, export_dir: &PathBuf, out: &Option<PathBuf>, trusted_keys: &Option<PathBuf>) -> Result<ExitCode> {
    let id = std::fs::read_to_string(identity).with_context(|| format!("lecture de {} impossible", identity.display()))?;
    let keys = trusted_keys.as_deref().map(crate::shared::keys::read_trusted).transpose().map_err(anyhow::Error::msg)?;
    let (csv, n) = crate::kiosk::seal::decrypt_contacts(&id, export_dir, keys.as_ref())?;
    if keys.is_none() {
        eprintln!("Provenance non vérifiée : coordonnées lues sans clés de confiance (--trusted-keys).");
    }
    match out {
        Some(p) => {
            // Personal data: a new owner-only file, never an existing one or a link.
            let mut f = crate::shared::files::create_owner_only(p)
                .with_context(|| format!("création de {} impossible (le fichier ne doit pas exister, ni être un lien)", p.display()))?;
            f.write_all(csv.as_bytes())?;
            f.sync_all()?;
            eprintln!("{n} coordonnée(s) écrite(s) dans {}", p.display());
        }
        None => {
            std::io::stdout().write_all(csv.as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn speech_script(cli: &Cli, lang: &String) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    if !kiosk.defs.config.languages.contains(lang) {
        bail!("--lang must be one of {}", kiosk.defs.config.languages.join(", "));
    }
    // The end screen is shown with the showcase visit, played on the whole questionnaire in its
    // own order (it answers questions a short path leaves out).
    let script = crate::core::script::Script::parse(crate::core::DEMO_VISIT)?;
    let mut showcase = kiosk.clone();
    showcase.defs.config.flow = Default::default();
    let mut engine = showcase.engine(Arc::new(SystemClock::new()));
    let visit = crate::core::script::play(&mut engine, &script)?;
    let profile = crate::core::profile::compute(&kiosk.defs.rules, &kiosk.defs.questionnaire, &visit.answers, lang);
    let summary = crate::core::summary::summary(&profile, &kiosk.defs.questionnaire, &kiosk.defs.rules.capability_question, lang);
    let mut out = String::new();
    for (name, text) in crate::kiosk::speech_text::script(&kiosk, lang, Some((&summary, "K7M3QX2A"))) {
        out += &format!("== {name} ==\n{text}\n\n");
    }
    emit(out.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn say(cli: &Cli, lang: &String, text: &String, out: &PathBuf) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    crate::kiosk::speech::render_wav(&kiosk.defs.config.speech, text, lang, out)?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn doctor(cli: &Cli, json: &bool) -> Result<ExitCode> {
    let kiosk = Kiosk::load(cli.config.as_deref(), cli.data_dir.as_deref());
    let checks = crate::kiosk::doctor::run(kiosk.as_ref().map_err(|e| format!("{e} [{}]", e.code())), SystemClock::new().local_now());
    if *json {
        emit(&serde_json::to_string_pretty(&checks)?)?;
    } else {
        emit(&crate::kiosk::doctor::report(&checks))?;
    }
    if crate::kiosk::doctor::failed(&checks) {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn stats(cli: &Cli, json: &bool) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    let store = kiosk.open_store()?;
    let s = store.stats()?;
    if *json {
        emit(&serde_json::to_string(&s)?)?;
    } else {
        let mut out = format!("finished visits: {}\nabandoned visits: {}\nwith contact details: {}\n", s.finished, s.abandoned, s.with_contact);
        for (k, n) in &s.autonomy {
            out += &format!("  {k}: {n}\n");
        }
        for d in &s.per_day {
            out += &format!("  {}: {} finished, {} abandoned\n", d.date, d.finished, d.abandoned);
        }
        emit(out.trim_end())?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn erase(cli: &Cli, reference: &String, json: &bool) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    let store = kiosk.open_store()?;
    let Some(e) = crate::kiosk::privacy::erase_visit(&store, reference)? else {
        eprintln!("no visit {reference} on this kiosk: nothing was erased (was it already erased, or deleted by retention?)");
        return Ok(ExitCode::from(2));
    };
    if *json {
        emit(&serde_json::to_string(&e)?)?;
    } else {
        let mut out = format!("visit {} erased{}", crate::core::summary::pretty_reference(&e.id), if e.contact { ", with its contact details" } else { "" });
        if let Some(folder) = &e.exported_in {
            out += &format!("\nit had already been exported in {folder}: have it erased from the department's copy too");
        }
        emit(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `passerelle places …`
pub(super) fn places(cli: &Cli, action: &PlacesAction) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    let dept = kiosk.defs.config.departement.as_deref();
    match action {
        PlacesAction::Import { file, json } => match crate::shared::place_files::import(file, &kiosk.defs.config.data_dir, dept) {
            Ok(r) => {
                if *json {
                    emit(&serde_json::to_string_pretty(&r)?)?;
                } else {
                    for p in &r.problems {
                        eprintln!("{}: line {}, field {}: {} (row skipped)", file.display(), p.line, p.field.escape_debug(), p.problem);
                    }
                    let dept = dept.map(|d| format!(" of département {d}")).unwrap_or_default();
                    emit(&format!(
                        "{} places{dept} imported into {} ({} rows skipped, {} of other départements left out)",
                        r.kept,
                        r.written.display(),
                        r.problems.len(),
                        r.other_departements
                    ))?;
                }
            }
            Err(e) => {
                eprintln!("passerelle: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        PlacesAction::Suggest { visit, services, support, near, count, at, json, lang } => {
            let book = crate::shared::place_files::load(&kiosk.defs.config.data_dir, dept);
            let now = at.unwrap_or_else(|| SystemClock::new().local_now());
            let (need, origin, lang) = match visit {
                Some(id) => {
                    let store = kiosk.open_store()?;
                    let id = id.replace('-', "").to_uppercase();
                    let v = store.visit(&id)?.with_context(|| format!("no visit {id} in {}", store.path().display()))?;
                    let profile: crate::core::profile::Profile = serde_json::from_value(v.profile.clone()).context("the stored profile cannot be read")?;
                    (crate::core::place_book::need(&profile), crate::core::place_book::origin(&kiosk.defs.config, &book), lang.clone())
                }
                None => {
                    let services = split_bar(services);
                    let known = crate::core::vocab::STD_SERVICES;
                    if let Some(bad) = services.iter().find(|s| !known.contains(&s.as_str())) {
                        bail!("`{bad}` is not a service of the national standard; known services: {}", known.join(" | "));
                    }
                    let support = split_bar(support);
                    let known = crate::core::vocab::STD_PRISE_EN_CHARGE;
                    if let Some(bad) = support.iter().find(|s| !known.contains(&s.as_str())) {
                        bail!("`{bad}` is not a specific support of the national standard; known: {}", known.join(" | "));
                    }
                    let origin = match near {
                        Some(c) => Some(
                            crate::core::place_book::near_commune(&book, c)
                                .with_context(|| format!("no place is known in {c}: give a commune of the kiosk's places"))?,
                        ),
                        None => crate::core::place_book::origin(&kiosk.defs.config, &book),
                    };
                    (crate::core::places::Need { services, support, ..Default::default() }, origin, lang.clone())
                }
            };
            let found = crate::core::places::suggest(&book.places, &need, origin, now, *count);
            if *json {
                emit(&serde_json::to_string_pretty(&crate::core::place_book::to_json(&found, now, &lang))?)?;
            } else if found.is_empty() {
                emit(&crate::core::i18n::tr(&lang, "places.none-found"))?;
            } else {
                emit(&crate::core::place_book::to_text(&crate::core::place_book::lines(&found, now, &lang), &lang))?;
            }
        }
        PlacesAction::List { json } => {
            let book = crate::shared::place_files::load(&kiosk.defs.config.data_dir, dept);
            if *json {
                emit(&serde_json::to_string_pretty(&serde_json::json!({"source": book.source, "places": book.places}))?)?;
            } else {
                let mut out = format!("{} places ({})\n", book.places.len(), book.source);
                for p in &book.places {
                    out += &format!("{}  {} — {} {}\n", p.id, p.nom, p.code_postal, p.commune);
                }
                emit(out.trim_end())?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
