//! The command line: the contract other tools, tests and people rely on.

use crate::core::engine::Clock;
use crate::core::random::random_visit;
use crate::core::script::{self, Script};
use crate::kiosk::Kiosk;
use crate::shared::clock::SystemClock;
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use rand::SeedableRng;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

mod department_commands;
mod kiosk_commands;
mod mediator_commands;

use department_commands::*;
use kiosk_commands::*;
use mediator_commands::*;

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
        /// One screen: attract, notice, single, list, multiple, text, grid, quiz, consent, contact, call, stop, idle, end, save-failed, out-of-service
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
        /// Suggest places as of this local time (YYYY-MM-DDTHH:MM), not now
        #[arg(long, value_parser = parse_local_time)]
        at: Option<chrono::NaiveDateTime>,
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
    /// The mediator's desktop window: scan a visitor's QR code, read the profile, record the
    /// pickup; `record` and `export` do the same from the command line. `--config` names the
    /// mediator's file (mediateur.toml: structure, structure_id, departement, data_dir)
    Mediateur {
        #[command(subcommand)]
        action: Option<MediatorAction>,
    },
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
        /// Decrypt only when the package's signature holds against these keys (as for merge)
        #[arg(long, value_name = "FILE")]
        trusted_keys: Option<PathBuf>,
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
        /// Export folders (passerelle-<kiosk>-<date>), earlier merges, mediators' pickup packages
        /// (passerelle-prises-<structure>-<date>), or folders holding them
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
        /// The national file of digital inclusion places (standard 1.0.2, as `places import`
        /// reads it) to count the supply in; default: the places of the data directory
        #[arg(long, value_name = "FILE")]
        places: Option<PathBuf>,
    },
    /// Prepare a checked package (an export or a merge) for PostgreSQL or DuckDB: its tables and
    /// `charger.sql` in a new folder (run the script from there); it can be run again with further
    /// packages (rows already there stay once). The script holds no byte of the package
    Sql {
        dir: PathBuf,
        /// The new folder to write the tables and `charger.sql` into
        #[arg(long, value_name = "LOADDIR")]
        out: PathBuf,
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
pub enum MediatorAction {
    /// Record a pickup: this visitor (their code) was received here. Only the kiosk, the visit
    /// reference, the structure, the day and the outcome are stored; a code recorded twice
    /// counts once (and says so). Exit 2 when the code cannot be read
    Record {
        /// The payload as scanned (PA1:…); - reads it from standard input
        payload: String,
        /// What was done: accompagne_ici, rendez_vous_pris, oriente_ailleurs, demarche_faite, autre
        #[arg(long, value_name = "ID")]
        outcome: Option<String>,
        /// The day of the pickup (YYYY-MM-DD), for pickups noted on paper; default today
        #[arg(long, value_name = "DATE", value_parser = parse_day)]
        on: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Export the pickups to a folder: a signed data package for `passerelle merge`
    Export {
        /// Where to create the passerelle-prises-<structure>-<date> folder
        #[arg(long)]
        to: PathBuf,
        /// Everything, not only what was not exported yet
        #[arg(long)]
        all: bool,
    },
    /// Print the structure's public signing key (created at first use; pickup packages are
    /// signed with it) and its line for a trusted keys file
    SigningKey,
    /// Write the mediator's desk for any browser: one self-contained HTML file (the page, its
    /// script, the WebAssembly module, the questionnaire, rules, places and the structure) that
    /// reads codes (scanner, paste, camera), opens La Coop's report pre-filled, records pickups
    /// in the browser and exports them as a signed zip; it sends nothing over the network
    Page {
        /// The HTML file to write (e.g. passerelle-mediateur.html)
        #[arg(long)]
        out: PathBuf,
        /// La Coop's report form (default: `coop_url` of mediateur.toml, else La Coop's own)
        #[arg(long, value_name = "URL")]
        coop_url: Option<String>,
    },
    /// List the pickups recorded here (kiosk, reference, day, outcome, the export that took
    /// them); `--remove REF` removes the pickup of one visit recorded by mistake
    Pickups {
        /// The visit's reference, as on the ticket (ABCD-EFGH)
        #[arg(long, value_name = "REF")]
        remove: Option<String>,
        /// The kiosk, when two kiosks have a visit of that reference
        #[arg(long, value_name = "ID", requires = "remove")]
        kiosk: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("`{s}` is not a date like 2026-12-05"))
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
        None => kiosk(&cli),
        Some(Command::Questionnaire { check_translations: true, json, .. }) => check_translations(&cli, json),
        Some(Command::Questionnaire { json, lang, .. }) => questionnaire(&cli, json, lang),
        Some(Command::Replay { file, random, seed }) => replay(&cli, file, random, seed),
        Some(Command::Screenshot { screen, all, size, lang, out, out_dir }) => screenshot(&cli, screen, all, size, lang, out, out_dir),
        Some(Command::Decode { payload, json, lang, at }) => decode(&cli, payload, json, lang, at),
        Some(Command::Qr { payload, out, scale }) => qr(payload, out, scale),
        Some(Command::Ticket { visit_id, format, out, width_mm, at }) => ticket(&cli, visit_id, format, out, width_mm, at),
        Some(Command::Mediateur { action: None }) => mediateur(&cli),
        Some(Command::Mediateur { action: Some(MediatorAction::Record { payload, outcome, on, json }) }) => record_pickup(&cli, payload, outcome, on, json),
        Some(Command::Mediateur { action: Some(MediatorAction::Export { to, all }) }) => export_pickups(&cli, to, all),
        Some(Command::Mediateur { action: Some(MediatorAction::SigningKey) }) => pickup_signing_key(&cli),
        Some(Command::Mediateur { action: Some(MediatorAction::Page { out, coop_url }) }) => desk_page(&cli, out, coop_url),
        Some(Command::Mediateur { action: Some(MediatorAction::Pickups { remove, kiosk, json }) }) => list_pickups(&cli, remove, kiosk, json),
        Some(Command::Admin { action: AdminAction::SetPin }) => set_pin(&cli),
        Some(Command::Export { to, all }) => export(&cli, to, all),
        Some(Command::Keygen { out, signing: true }) => keygen_signing(out),
        Some(Command::SigningKey) => signing_key(&cli),
        Some(Command::Keygen { out, signing: false }) => keygen(out),
        Some(Command::Decrypt { identity, export_dir, out, trusted_keys }) => decrypt(identity, export_dir, out, trusted_keys),
        Some(Command::SpeechScript { lang }) => speech_script(&cli, lang),
        Some(Command::Say { lang, text, out }) => say(&cli, lang, text, out),
        Some(Command::Doctor { json }) => doctor(&cli, json),
        Some(Command::Places { action }) => places(&cli, action),
        Some(Command::Merge { exports, out, trusted_keys, signing_key, json }) => merge(exports, out, trusted_keys, signing_key, json),
        Some(Command::Sql { dir, out, dialect, trusted_keys }) => sql(dir, out, dialect, trusted_keys),
        Some(Command::Report { dir, out, min_count, trusted_keys, places }) => report(&cli, dir, out, min_count, trusted_keys, places),
        Some(Command::Stats { json }) => stats(&cli, json),
        Some(Command::Erase { reference, json }) => erase(&cli, reference, json),
    }
}
