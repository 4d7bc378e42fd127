//! The command line: the contract other tools, tests and people rely on.

use crate::shared::clock::SystemClock;
use crate::kiosk::Kiosk;
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use passerelle_core::engine::Clock;
use passerelle_core::random::random_visit;
use passerelle_core::script::{self, Script};
use rand::SeedableRng;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(name = "passerelle", version, about = "Passerelle: the digital-inclusion positioning kiosk and its tools")]
pub struct Cli {
    /// Configuration file (default: /etc/passerelle/kiosk.toml if present, else the embedded default)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Data directory (overrides `data_dir` of the configuration)
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Open the kiosk in a normal window instead of full screen (development)
    #[arg(long)]
    pub windowed: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the validated questionnaire
    Questionnaire {
        /// As JSON: {"id","version","sections":[{"id","title","questions":[…]}]}
        #[arg(long)]
        json: bool,
        /// Language of the labels
        #[arg(long, default_value = "fr")]
        lang: String,
        /// List every missing or empty text per language (questionnaire and the kiosk's own
        /// texts), whether a native speaker reviewed it, and which languages are offered; exit 1
        /// when a language is incomplete
        #[arg(long)]
        check_translations: bool,
    },
    /// Replay scripted visits (a JSON file, or - for standard input) and store them
    Replay {
        /// Scripted visit file(s): {"lang":"fr","answers":{…}}; several may follow each other
        file: Option<PathBuf>,
        /// Generate N random valid visits instead
        #[arg(long, value_name = "N", conflicts_with = "file")]
        random: Option<u64>,
        /// Seed of the random visits
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Render screens to PNG headlessly (software renderer)
    Screenshot {
        /// One screen: attract, notice, single, list, multiple, text, grid, quiz, consent, contact, idle, end, save-failed, out-of-service
        #[arg(long, required_unless_present = "all")]
        screen: Option<String>,
        /// Every screen
        #[arg(long, conflicts_with = "screen")]
        all: bool,
        /// Window size, WIDTHxHEIGHT
        #[arg(long, default_value = "1920x1080")]
        size: String,
        #[arg(long, default_value = "fr")]
        lang: String,
        /// Output file (one screen)
        #[arg(long, required_unless_present = "all")]
        out: Option<PathBuf>,
        /// Output directory (--all): one SCREEN-WxH-LANG.png per screen
        #[arg(long, required_if_eq("all", "true"))]
        out_dir: Option<PathBuf>,
    },
    /// Decode a scanned QR payload into the profile, in the mediator's words
    Decode {
        /// The payload as scanned (PA1:…); - reads it from standard input
        payload: String,
        #[arg(long)]
        json: bool,
        /// Language of the text output
        #[arg(long, default_value = "fr")]
        lang: String,
    },
    /// Render a payload's QR code as the kiosk shows it
    Qr {
        payload: String,
        #[arg(long)]
        out: PathBuf,
        /// Pixels per module
        #[arg(long, default_value_t = 10)]
        scale: u32,
    },
    /// Produce the ticket of a stored visit (for tests and support)
    Ticket {
        visit_id: String,
        #[arg(long, value_parser = ["escpos", "png"])]
        format: String,
        #[arg(long)]
        out: PathBuf,
        /// Paper width (default: the configured printer's, else 80)
        #[arg(long)]
        width_mm: Option<u32>,
        /// Suggest places as of this local time (YYYY-MM-DDTHH:MM), not now
        #[arg(long, value_parser = parse_local_time)]
        at: Option<chrono::NaiveDateTime>,
    },
    /// The mediator's desktop window: scan a visitor's QR code and read the profile
    Mediateur,
    /// Admin tasks
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Export the data to a folder (a USB stick): CSV + Frictionless data package + SHA256SUMS
    Export {
        /// Where to create the passerelle-<kiosk>-<date> folder (default: the USB stick found)
        #[arg(long)]
        to: Option<PathBuf>,
        /// Everything, not only what was not exported yet
        #[arg(long)]
        all: bool,
    },
    /// Create the admin's key pair: the private identity goes to FILE (owner-only), the public
    /// recipient is printed (paste it as `recipient` in kiosk.toml)
    Keygen {
        #[arg(long)]
        out: PathBuf,
        /// Create instead a department signing key for merged packages (minisign format; its
        /// public key is printed, for the `fusion NAME KEY` line of a trusted keys file)
        #[arg(long)]
        signing: bool,
    },
    /// Print this kiosk's public signing key in minisign format (the key is created at first
    /// start; exports are signed with it): `minisign -Vm SHA256SUMS -P KEY` checks an export
    SigningKey,
    /// Decrypt the contact details of an export with the admin's identity file
    Decrypt {
        #[arg(long)]
        identity: PathBuf,
        export_dir: PathBuf,
        /// Write the CSV here instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print the exact text spoken for every screen
    SpeechScript {
        #[arg(long, default_value = "fr")]
        lang: String,
    },
    /// Say a text with the configured speech engine into a WAV file
    Say {
        #[arg(long, default_value = "fr")]
        lang: String,
        text: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Check the kiosk: configuration, data, database, printer, speech, clock (exit 1 on failure)
    Doctor {
        #[arg(long)]
        json: bool,
    },
    /// Places where a visitor can go next (national standard of digital inclusion places)
    Places {
        #[command(subcommand)]
        action: PlacesAction,
    },
    /// Merge many kiosks' exports (folders, or folders of them) into one checked data package of
    /// the same format; exit 3 when some export was refused or conflicts (the rest is merged)
    Merge {
        /// Export folders (passerelle-<kiosk>-<date>), earlier merges, or folders holding them
        #[arg(required = true)]
        exports: Vec<PathBuf>,
        /// The merged package's folder (must not exist, or be empty)
        #[arg(long)]
        out: PathBuf,
        /// Check each export's signature: lines `KIOSK_ID PUBLIC_KEY`, `fusion NAME PUBLIC_KEY`
        /// for a key that signs merges, `#` comments. Unsigned, unknown or mismatched exports are
        /// refused (exit 3); without it the result says "provenance non vérifiée"
        #[arg(long, value_name = "FILE")]
        trusted_keys: Option<PathBuf>,
        /// Sign the merged package with this key (`passerelle keygen --signing --out FILE`)
        #[arg(long, value_name = "FILE")]
        signing_key: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// A report of a merged package (or of one export): one self-contained HTML file in French,
    /// and the same figures as CSV next to it
    Report {
        dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// The smallest count shown (smaller ones show as "< N"); at least 5
        #[arg(long, default_value_t = crate::department::report::MIN_COUNT)]
        min_count: u64,
        /// Check the package's signature against these keys (as for merge); without it the
        /// report says "provenance non vérifiée"
        #[arg(long, value_name = "FILE")]
        trusted_keys: Option<PathBuf>,
    },
    /// Print the SQL script that loads a checked package (an export or a merge) into PostgreSQL
    /// (`psql -f`) or DuckDB; it can be run again with further packages (rows already there stay once)
    Sql {
        dir: PathBuf,
        #[arg(long, value_enum, default_value = "postgres")]
        dialect: crate::department::sql::Dialect,
        /// Refuse the package unless its signature holds against these keys (as for merge)
        #[arg(long, value_name = "FILE")]
        trusted_keys: Option<PathBuf>,
    },
    /// Counts of finished and abandoned visits
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Erase one visit (its answers, profile and contact details) by its reference, when the
    /// visitor asks (docs/privacy.md); exit 2 when no visit has that reference
    Erase {
        /// The reference on the visitor's ticket or screen (ABCD-EFGH)
        reference: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PlacesAction {
    /// Replace the kiosk's places with a national export (CSV, standard v1.0.2), keeping the
    /// rows of the kiosk's département; rows that break the schema are reported and skipped
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Suggest places for a stored visit, or for services near a commune
    Suggest {
        /// A stored visit (its reference)
        #[arg(long, conflicts_with_all = ["services", "near"], required_unless_present = "services")]
        visit: Option<String>,
        /// Services of the standard, separated by | ("Aide aux démarches administratives|…")
        #[arg(long)]
        services: Option<String>,
        /// Specific support asked, separated by | ("Surdité|Langues étrangères")
        #[arg(long, requires = "services")]
        support: Option<String>,
        /// The commune the visitor starts from (default: the kiosk's location)
        #[arg(long, requires = "services")]
        near: Option<String>,
        /// How many places
        #[arg(long, default_value_t = 3)]
        count: usize,
        /// As of this local time (YYYY-MM-DDTHH:MM), not now
        #[arg(long, value_parser = parse_local_time)]
        at: Option<chrono::NaiveDateTime>,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value = "fr")]
        lang: String,
    },
    /// List the places in use and where they come from
    List {
        #[arg(long)]
        json: bool,
    },
}

fn parse_local_time(s: &str) -> Result<chrono::NaiveDateTime, String> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
        .ok_or_else(|| format!("`{s}` is not a local time like 2026-11-28T10:00"))
}

fn split_bar(s: &Option<String>) -> Vec<String> {
    s.as_deref().unwrap_or("").split('|').map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
}

#[derive(Subcommand, Debug)]
pub enum AdminAction {
    /// Set the admin PIN (4 to 8 digits), read from standard input, never from arguments
    SetPin,
}

pub fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("passerelle: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// journald-friendly logs on standard error: `<priority>message`, no timestamps (journald
/// adds them), ids and counts only.
fn init_logging() {
    let env = env_logger::Env::default().filter_or("PASSERELLE_LOG", "info");
    env_logger::Builder::from_env(env)
        .format(|buf, record| {
            let prio = match record.level() {
                log::Level::Error => 3,
                log::Level::Warn => 4,
                log::Level::Info => 6,
                _ => 7,
            };
            writeln!(buf, "<{prio}>{}", record.args())
        })
        .init();
}

fn load(cli: &Cli) -> Result<Kiosk> {
    Ok(Kiosk::load(cli.config.as_deref(), cli.data_dir.as_deref())?)
}

/// Print one line and flush it; a closed pipe ends the command quietly.
fn emit(line: &str) -> Result<bool> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{line}").and_then(|_| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e.into()),
    }
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        None => {
            let kiosk = Kiosk::load(cli.config.as_deref(), cli.data_dir.as_deref());
            // The signing key is made at first start (exports make it too if this failed).
            if let Ok(k) = &kiosk
                && let Err(e) = crate::shared::signing::kiosk_key(&k.config.data_dir, &k.config.kiosk_id)
            {
                log::error!("signing key: {e}");
            }
            if crate::ui::run_kiosk(kiosk, cli.windowed)? {
                return Ok(ExitCode::from(crate::ui::admin_screen::QUIT_STATUS));
            }
        }
        Some(Command::Questionnaire { check_translations: true, json, .. }) => {
            let kiosk = load(&cli)?;
            if *json {
                emit(&serde_json::to_string_pretty(&kiosk.languages)?)?;
            } else {
                let mut out = String::new();
                for s in &kiosk.languages {
                    let state =
                        if s.complete() { "complete".to_string() } else { format!("INCOMPLETE: {} missing, {} problems", s.missing.len(), s.problems.len()) };
                    let offered = if kiosk.config.languages.contains(&s.lang) { "offered" } else { "not offered" };
                    let reviewed = if s.reviewed_by_native_speaker { "reviewed by a native speaker" } else { "NOT reviewed by a native speaker" };
                    out += &format!("{} ({}): {state}; {offered}; {reviewed}\n", s.lang, crate::shared::i18n::tr(&s.lang, "lang.name"));
                    for m in &s.missing {
                        out += &format!("  missing: {m}\n");
                    }
                    for p in &s.problems {
                        out += &format!("  problem: {p}\n");
                    }
                }
                emit(out.trim_end())?;
            }
            if kiosk.languages.iter().any(|s| !s.complete()) {
                return Ok(ExitCode::FAILURE);
            }
        }
        Some(Command::Questionnaire { json, lang, .. }) => {
            let kiosk = load(&cli)?;
            let q = &kiosk.questionnaire;
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
        }
        Some(Command::Replay { file, random, seed }) => {
            let kiosk = load(&cli)?;
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
                let text = match file.as_deref() {
                    None => {
                        bail!("give a scripted visit file, - for standard input, or --random N")
                    }
                    Some(p) if p.as_os_str() == "-" => {
                        let mut s = String::new();
                        std::io::stdin().lock().read_to_string(&mut s)?;
                        s
                    }
                    Some(p) => std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
                };
                let mut count = 0;
                for (i, value) in serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>().enumerate() {
                    let value = value.with_context(|| format!("scripted visit {} is not valid JSON", i + 1))?;
                    let s: Script = serde_json::from_value(value).with_context(|| format!("scripted visit {}", i + 1))?;
                    let visit = script::play(&mut engine, &s).with_context(|| format!("scripted visit {}", i + 1))?;
                    let saved = kiosk.finish_visit(&mut store, clock.as_ref(), &visit)?;
                    engine.saved()?;
                    engine.finish()?;
                    count += 1;
                    if !print(&saved)? {
                        break;
                    }
                }
                if count == 0 {
                    bail!("no scripted visit found");
                }
            }
        }
        Some(Command::Screenshot { screen, all, size, lang, out, out_dir }) => {
            let (w, h) = size
                .split_once('x')
                .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
                .filter(|(w, h)| (320..=8000).contains(w) && (240..=8000).contains(h))
                .context("--size must be WIDTHxHEIGHT, for example 1920x1080")?;
            // The consent screens need a recipient key: screenshots use a throwaway one.
            let kiosk_for = || -> Result<Kiosk> {
                let mut k = load(&cli)?;
                if k.config.recipient.is_none() {
                    k.config.recipient = Some(crate::kiosk::seal::keygen().1);
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
        }
        Some(Command::Decode { payload, json, lang }) => {
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
                        let mut v = crate::mediator::to_json(&kiosk, &d);
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
        }
        Some(Command::Qr { payload, out, scale }) => {
            if passerelle_core::handoff::repair(payload).is_err() {
                eprintln!("passerelle: warning: this is not a Passerelle payload; rendering it anyway");
            }
            let img = crate::shared::qr::render(payload, (*scale).clamp(1, 64)).map_err(|e| anyhow::anyhow!("cannot make a QR code of this text: {e}"))?;
            img.save(out).with_context(|| format!("cannot write {}", out.display()))?;
        }
        Some(Command::Ticket { visit_id, format, out, width_mm, at }) => {
            let kiosk = load(&cli)?;
            let store = kiosk.open_store()?;
            let id = visit_id.replace('-', "").to_uppercase();
            let visit = store.visit(&id)?.with_context(|| format!("no visit {visit_id} in {}", store.path().display()))?;
            let data = crate::kiosk::ticket::TicketData::from_stored(&kiosk, &visit, at.unwrap_or_else(|| SystemClock::new().local_now()))?;
            let width = width_mm.unwrap_or(match &kiosk.config.printer {
                passerelle_core::config::PrinterConfig::Escpos { width_mm, .. } => *width_mm,
                _ => 80,
            });
            let img = crate::kiosk::ticket::render(&data, width)?;
            match format.as_str() {
                "png" => img.save(out).with_context(|| format!("cannot write {}", out.display()))?,
                _ => std::fs::write(out, crate::kiosk::ticket::escpos(&img)).with_context(|| format!("cannot write {}", out.display()))?,
            }
        }
        Some(Command::Mediateur) => {
            let kiosk = load(&cli)?;
            crate::ui::mediator_window::run(kiosk)?;
        }
        Some(Command::Admin { action: AdminAction::SetPin }) => {
            let kiosk = load(&cli)?;
            let store = kiosk.open_store()?;
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                eprintln!("Type the new PIN (4 to 8 digits), then Enter:");
            }
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            crate::kiosk::admin_tools::set_pin(&store, line.trim())?;
            eprintln!("The admin PIN is set.");
        }
        Some(Command::Export { to, all }) => {
            let kiosk = load(&cli)?;
            let mut store = kiosk.open_store()?;
            let dest = match to {
                Some(d) => d.clone(),
                None => crate::kiosk::admin_tools::find_media(&kiosk.config.export_paths).into_iter().next().map(|m| m.path).ok_or(crate::kiosk::export::ExportError::NoMedia)?,
            };
            let clock = SystemClock::new();
            let r = crate::kiosk::export::export(&kiosk, &mut store, &crate::kiosk::export::RealFs, &dest, *all, clock.local_now())?;
            emit(&format!("{} ({} visits, {} abandoned, {} contacts)", r.folder.display(), r.record.visits, r.record.abandons, r.record.contacts))?;
        }
        Some(Command::Keygen { out, signing: true }) => {
            let key = crate::shared::signing::SigningKey::generate().map_err(anyhow::Error::msg)?;
            key.write_new(out, "cle de signature des fusions Passerelle (a garder hors des bornes)").map_err(anyhow::Error::msg)?;
            emit(key.public_file().trim_end())?;
            eprintln!(
                "Signing key written to {}. Sign merges with: passerelle merge … --signing-key {}\nTrusted keys line: fusion NAME {}",
                out.display(),
                out.display(),
                key.public()
            );
        }
        Some(Command::SigningKey) => {
            let kiosk = load(&cli)?;
            let key = crate::shared::signing::kiosk_key(&kiosk.config.data_dir, &kiosk.config.kiosk_id).map_err(anyhow::Error::msg)?;
            emit(key.public_file().trim_end())?;
            eprintln!("Ligne pour le fichier des clés de confiance (merge --trusted-keys) :\n{} {}", kiosk.config.kiosk_id, key.public());
        }
        Some(Command::Keygen { out, signing: false }) => {
            let (identity, recipient) = crate::kiosk::seal::keygen();
            let mut f = crate::shared::files::create_owner_only(out).with_context(|| format!("cannot create {} (it must not exist yet)", out.display()))?;
            f.write_all(identity.as_bytes())?;
            f.sync_all()?;
            emit(&recipient)?;
            eprintln!("Identity written to {}. Keep it off the kiosk. Put the line above in kiosk.toml as: recipient = \"{recipient}\"", out.display());
        }
        Some(Command::Decrypt { identity, export_dir, out }) => {
            let id = std::fs::read_to_string(identity).with_context(|| format!("cannot read {}", identity.display()))?;
            let (csv, n) = crate::kiosk::seal::decrypt_contacts(&id, export_dir)?;
            match out {
                Some(p) => {
                    // Personal data: a new owner-only file, never an existing one or a link.
                    let mut f = crate::shared::files::create_owner_only(p)
                        .with_context(|| format!("cannot create {} (it must not exist yet, and not be a link)", p.display()))?;
                    f.write_all(csv.as_bytes())?;
                    f.sync_all()?;
                    eprintln!("{n} contact(s) written to {}", p.display());
                }
                None => {
                    std::io::stdout().write_all(csv.as_bytes())?;
                }
            }
        }
        Some(Command::SpeechScript { lang }) => {
            let kiosk = load(&cli)?;
            if !kiosk.config.languages.contains(lang) {
                bail!("--lang must be one of {}", kiosk.config.languages.join(", "));
            }
            // The end screen is shown with the showcase visit.
            let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT)?;
            let mut engine = kiosk.engine(Arc::new(SystemClock::new()));
            let visit = passerelle_core::script::play(&mut engine, &script)?;
            let profile = passerelle_core::profile::compute(&kiosk.rules, &kiosk.questionnaire, &visit.answers, lang);
            let summary = crate::kiosk::summary::summary(&profile, &kiosk.questionnaire, &kiosk.rules.capability_question, lang);
            let mut out = String::new();
            for (name, text) in crate::kiosk::speech_text::script(&kiosk, lang, Some((&summary, "K7M3QX2A"))) {
                out += &format!("== {name} ==\n{text}\n\n");
            }
            emit(out.trim_end())?;
        }
        Some(Command::Say { lang, text, out }) => {
            let kiosk = load(&cli)?;
            crate::kiosk::speech::render_wav(&kiosk.config.speech, text, lang, out)?;
        }
        Some(Command::Doctor { json }) => {
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
        }
        Some(Command::Places { action }) => return places(&cli, action),
        Some(Command::Merge { exports, out, trusted_keys, signing_key, json }) => {
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
            log::info!(
                "merge: {} exports, {} visits, {} refused, {} conflicts",
                outcome.merged.len(),
                outcome.visits,
                outcome.refused.len(),
                outcome.conflicts.len()
            );
            if !outcome.clean() {
                return Ok(ExitCode::from(3));
            }
        }
        Some(Command::Sql { dir, dialect, trusted_keys }) => {
            let keys = trusted_keys.as_deref().map(crate::shared::signing::TrustedKeys::read).transpose().map_err(anyhow::Error::msg)?;
            emit(crate::department::sql::script_trusted(dir, *dialect, keys.as_ref())?.trim_end())?;
        }
        Some(Command::Report { dir, out, min_count, trusted_keys }) => {
            let now = SystemClock::new().local_now();
            let keys = trusted_keys.as_deref().map(crate::shared::signing::TrustedKeys::read).transpose().map_err(anyhow::Error::msg)?;
            let (csv, data) = crate::department::report::write_trusted(dir, out, *min_count, &now.format("%d/%m/%Y %H:%M").to_string(), keys.as_ref())?;
            emit(&format!(
                "{} et {} : {} visites, {} structures",
                out.display(),
                csv.display(),
                data.total.visits,
                data.structures.len() + data.others.as_ref().map_or(0, |o| o.0)
            ))?;
        }
        Some(Command::Stats { json }) => {
            let kiosk = load(&cli)?;
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
        }
        Some(Command::Erase { reference, json }) => {
            let kiosk = load(&cli)?;
            let store = kiosk.open_store()?;
            let Some(e) = crate::kiosk::privacy::erase_visit(&store, reference)? else {
                eprintln!("no visit {reference} on this kiosk: nothing was erased (was it already erased, or deleted by retention?)");
                return Ok(ExitCode::from(2));
            };
            if *json {
                emit(&serde_json::to_string(&e)?)?;
            } else {
                let mut out = format!("visit {} erased{}", crate::kiosk::summary::pretty_reference(&e.id), if e.contact { ", with its contact details" } else { "" });
                if let Some(folder) = &e.exported_in {
                    out += &format!("\nit had already been exported in {folder}: have it erased from the department's copy too");
                }
                emit(&out)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `passerelle places …`
fn places(cli: &Cli, action: &PlacesAction) -> Result<ExitCode> {
    let kiosk = load(cli)?;
    let dept = kiosk.config.departement.as_deref();
    match action {
        PlacesAction::Import { file, json } => match crate::kiosk::place_book::import(file, &kiosk.config.data_dir, dept) {
            Ok(r) => {
                if *json {
                    emit(&serde_json::to_string_pretty(&r)?)?;
                } else {
                    for p in &r.problems {
                        eprintln!("{}: line {}, field {}: {} (row skipped)", file.display(), p.line, p.field, p.problem);
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
            let book = crate::kiosk::place_book::load(&kiosk.config.data_dir, dept);
            let now = at.unwrap_or_else(|| SystemClock::new().local_now());
            let (need, origin, lang) = match visit {
                Some(id) => {
                    let store = kiosk.open_store()?;
                    let id = id.replace('-', "").to_uppercase();
                    let v = store.visit(&id)?.with_context(|| format!("no visit {id} in {}", store.path().display()))?;
                    let profile: passerelle_core::profile::Profile = serde_json::from_value(v.profile.clone()).context("the stored profile cannot be read")?;
                    (crate::kiosk::place_book::need(&profile), crate::kiosk::place_book::origin(&kiosk, &book), lang.clone())
                }
                None => {
                    let services = split_bar(services);
                    let known = passerelle_core::vocab::STD_SERVICES;
                    if let Some(bad) = services.iter().find(|s| !known.contains(&s.as_str())) {
                        bail!("`{bad}` is not a service of the national standard; known services: {}", known.join(" | "));
                    }
                    let support = split_bar(support);
                    let known = passerelle_core::vocab::STD_PRISE_EN_CHARGE;
                    if let Some(bad) = support.iter().find(|s| !known.contains(&s.as_str())) {
                        bail!("`{bad}` is not a specific support of the national standard; known: {}", known.join(" | "));
                    }
                    let origin = match near {
                        Some(c) => Some(
                            crate::kiosk::place_book::near_commune(&book, c)
                                .with_context(|| format!("no place is known in {c}: give a commune of the kiosk's places"))?,
                        ),
                        None => crate::kiosk::place_book::origin(&kiosk, &book),
                    };
                    (passerelle_core::places::Need { services, support, modalite: None }, origin, lang.clone())
                }
            };
            let found = passerelle_core::places::suggest(&book.places, &need, origin, now, *count);
            if *json {
                emit(&serde_json::to_string_pretty(&crate::kiosk::place_book::to_json(&found, now, &lang))?)?;
            } else if found.is_empty() {
                emit(&crate::shared::i18n::tr(&lang, "places.none-found"))?;
            } else {
                emit(&crate::kiosk::place_book::to_text(&crate::kiosk::place_book::lines(&found, now, &lang), &lang))?;
            }
        }
        PlacesAction::List { json } => {
            let book = crate::kiosk::place_book::load(&kiosk.config.data_dir, dept);
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
