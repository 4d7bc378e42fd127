//! The kiosk configuration (`kiosk.toml`), in two stages: deserialize (unknown keys rejected),
//! then validate into a typed [`Config`]. Every error names the line and the key.

use crate::questionnaire::{Flow, ListItem, Order, VisitPath, check_id};
use crate::text::Text;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    kiosk_id: Spanned<String>,
    structure: Spanned<String>,
    commune: Spanned<String>,
    context: Spanned<String>,
    languages: Spanned<Vec<String>>,
    data_dir: Spanned<String>,
    questionnaire: Option<Spanned<String>>,
    rules: Option<Spanned<String>>,
    #[serde(default)]
    recipient: Option<Spanned<String>>,
    idle: RawIdle,
    printer: Option<Spanned<RawPrinter>>,
    departement: Option<Spanned<String>>,
    location: Option<Spanned<RawLocation>>,
    #[serde(default)]
    export_paths: Vec<Spanned<String>>,
    retention: Option<RawRetention>,
    screen: Option<RawScreen>,
    speech: Option<RawSpeech>,
    keys: Option<RawKeys>,
    #[serde(default)]
    neighbourhoods: Vec<RawNeighbourhood>,
    order: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    optional_questions: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdle {
    warning_s: Spanned<u64>,
    reset_s: Spanned<u64>,
    /// How long the end screen keeps the code without a touch (default [`DEFAULT_END_SCREEN_S`]).
    #[serde(default)]
    end_screen_s: Option<Spanned<u64>>,
}

/// The end screen keeps the code for 5 minutes without a touch: time to queue at a counter.
pub const DEFAULT_END_SCREEN_S: u64 = 300;

/// The panel's diagonal when `[screen] diagonal_inches` is not given: a 10.1" 1280x800 touch
/// panel, the smallest the kiosk is laid out for (on a larger panel every target is larger).
pub const DEFAULT_DIAGONAL_IN: f64 = 10.1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocation {
    latitude: f64,
    longitude: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpeech {
    command: Spanned<String>,
    voices: Spanned<std::collections::BTreeMap<String, String>>,
    #[serde(default = "default_rate")]
    rate: Spanned<u32>,
    #[serde(default)]
    auto_read: bool,
}

fn default_rate() -> Spanned<u32> {
    Spanned::new(0..0, 150)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeys {
    next: Spanned<Vec<String>>,
    previous: Spanned<Vec<String>>,
    activate: Spanned<Vec<String>>,
    back: Spanned<Vec<String>>,
    repeat: Spanned<Vec<String>>,
    volume_up: Spanned<Vec<String>>,
    volume_down: Spanned<Vec<String>>,
}

/// Offline speech: a command called with a voice, a rate, a volume and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeechConfig {
    /// The program (espeak-ng by default; "none" for no speech).
    pub command: String,
    /// Voice per language.
    pub voices: std::collections::BTreeMap<String, String>,
    /// Words per minute.
    pub rate: u32,
    /// Read every screen without touching "Écouter".
    pub auto_read: bool,
}

impl Default for SpeechConfig {
    fn default() -> Self {
        SpeechConfig {
            command: "espeak-ng".into(),
            voices: [("fr", "fr"), ("en", "en"), ("ar", "ar"), ("pt", "pt"), ("es", "es"), ("ro", "ro")]
                .into_iter()
                .map(|(l, v)| (l.to_string(), v.to_string()))
                .collect(),
            rate: 150,
            auto_read: false,
        }
    }
}

/// Key names a keypad mapping may use (besides single characters).
pub const KEY_NAMES: &[&str] = &[
    "Up",
    "Down",
    "Left",
    "Right",
    "Tab",
    "Return",
    "Escape",
    "Backspace",
    "Space",
    "PageUp",
    "PageDown",
    "Home",
    "End",
    "F1",
    "F2",
    "F3",
    "F4",
    "F5",
    "F6",
    "F7",
    "F8",
    "F9",
    "F10",
    "F11",
    "F12",
];

/// What each key of a keypad (or keyboard) does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    pub next: Vec<String>,
    pub previous: Vec<String>,
    pub activate: Vec<String>,
    pub back: Vec<String>,
    pub repeat: Vec<String>,
    pub volume_up: Vec<String>,
    pub volume_down: Vec<String>,
}

impl Default for KeyMap {
    fn default() -> Self {
        let v = |k: &[&str]| k.iter().map(|s| s.to_string()).collect();
        KeyMap {
            next: v(&["Down", "Right", "Tab"]),
            previous: v(&["Up", "Left"]),
            activate: v(&["Return", "Space"]),
            back: v(&["Escape", "Backspace"]),
            repeat: v(&["F1", "*"]),
            volume_up: v(&["+", "PageUp"]),
            volume_down: v(&["-", "PageDown"]),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScreen {
    diagonal_inches: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetention {
    visits_days: Spanned<u32>,
    contacts_days: Spanned<u32>,
}

/// How long data stays on the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Exported visits (anonymous) are deleted after this many days.
    pub visits_days: u32,
    /// Contact details are deleted once exported, and after this many days at the latest.
    pub contacts_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { visits_days: 365, contacts_days: 90 }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawPrinter {
    Name(String),
    Table(RawPrinterTable),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrinterTable {
    escpos: Option<String>,
    width_mm: Option<u32>,
    cups: Option<String>,
}

/// Where tickets are printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterConfig {
    None,
    /// A thermal receipt printer spoken to in ESC/POS through its device file.
    Escpos {
        device: PathBuf,
        width_mm: u32,
    },
    /// An ordinary printer through a CUPS queue (`lp -d QUEUE`).
    Cups {
        queue: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNeighbourhood {
    id: Spanned<String>,
    label: Spanned<Text>,
    /// The commune the neighbourhood is in (default: the kiosk's `commune`).
    #[serde(default)]
    commune: Option<Spanned<String>>,
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub kiosk_id: String,
    pub structure: String,
    pub commune: String,
    pub context: String,
    pub languages: Vec<String>,
    pub data_dir: PathBuf,
    pub questionnaire: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    /// age X25519 recipient for contact details; None: consent not offered.
    pub recipient: Option<String>,
    pub idle_warning: Duration,
    pub idle_reset: Duration,
    /// `idle.end_screen_s`: the end screen (code, reference, instructions) stays this long
    /// without a touch; the profile summary is hidden after the first minute.
    pub end_screen: Duration,
    pub printer: PrinterConfig,
    /// The kiosk's département (code), to keep only its places.
    pub departement: Option<String>,
    /// Where the kiosk stands (latitude, longitude), to suggest places nearby.
    pub location: Option<(f64, f64)>,
    /// Extra places where a USB stick may be mounted (besides /media and /run/media).
    pub export_paths: Vec<PathBuf>,
    pub retention: Retention,
    /// `[screen] diagonal_inches`: the panel's physical size, so that every touch target is at
    /// least 2 × 2 cm on the real screen (docs/accessibility.md). Without the key:
    /// [`DEFAULT_DIAGONAL_IN`], the smallest panel the kiosk is laid out for.
    pub screen_diagonal_in: f64,
    pub speech: SpeechConfig,
    pub keys: KeyMap,
    /// The neighbourhoods offered by the `list` question, each with its commune (`commune` of the
    /// neighbourhood, else the kiosk's): a neighbourhood means a place only with its commune, so
    /// the département's tools key them by (commune, id) ([`Config::neighbourhood_commune`]).
    pub neighbourhoods: Vec<ListItem>,
    /// The order of the questions (`order`) and which are asked (`path`).
    pub flow: Flow,
    /// Questions marked `optional` in the questionnaire that this kiosk asks (checked against
    /// the questionnaire when the kiosk loads).
    pub optional_questions: Vec<String>,
    /// Line of `optional_questions` in the file, for errors found against the questionnaire.
    pub optional_questions_line: usize,
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: line {line}, key `{key}`: {problem}")]
    Invalid { file: String, line: usize, key: String, problem: String },
}

impl ConfigError {
    /// A short code for the "out of service" screen.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::Syntax { .. } => "CFG-SYNTAX",
            ConfigError::Invalid { .. } => "CFG-VALUE",
        }
    }
}

/// Languages the kiosk can offer (generated from assets/questionnaire/lang/ by the build script).
pub use crate::UI_LANGUAGES;

/// A label that goes into exports, tickets and reports: no control character, and no first
/// character that a spreadsheet would evaluate as a formula (`=`, `+`, `-`, `@`).
pub fn check_label(s: &str) -> Result<(), String> {
    if s.chars().any(char::is_control) {
        return Err("must not hold a control character (new line, tab…)".into());
    }
    if s.starts_with(['=', '+', '-', '@']) {
        return Err("must not start with =, +, - or @ (a spreadsheet would read it as a formula)".into());
    }
    // A spreadsheet that splits a CSV on `;` (French Excel) or `,` reads each part as a cell.
    if s.split([';', ',']).skip(1).any(|part| part.trim_start_matches([' ', '"']).starts_with(['=', '+', '-', '@'])) {
        return Err("must not hold ; or , followed by =, +, - or @ (a spreadsheet that splits on them would read a formula)".into());
    }
    Ok(())
}

fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

impl Config {
    /// Parse and check `src`. `file` names it in errors; `base` resolves relative paths
    /// (the directory of the file, or None for the current directory).
    pub fn parse(src: &str, file: &str, base: Option<&Path>) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(src).map_err(|e| {
            let mut message = e.message().to_string();
            if let Some(span) = e.span() {
                message = format!("line {}: {message}", line_of(src, span.start));
            }
            ConfigError::Syntax { file: file.to_string(), message }
        })?;
        let bad = |span: std::ops::Range<usize>, key: &str, problem: String| ConfigError::Invalid {
            file: file.to_string(),
            line: line_of(src, span.start),
            key: key.to_string(),
            problem,
        };
        let kiosk_id = raw.kiosk_id.get_ref().clone();
        if !valid_kiosk_id(&kiosk_id) {
            return Err(bad(raw.kiosk_id.span(), "kiosk_id", "use 1 to 32 lowercase letters, digits or \"-\"".into()));
        }
        let place_name = |v: &Spanned<String>, key: &str| -> Result<String, ConfigError> {
            let s = v.get_ref().trim();
            if s.is_empty() || s.chars().count() > 80 {
                return Err(bad(v.span(), key, "must be 1 to 80 characters".into()));
            }
            check_label(s).map_err(|p| bad(v.span(), key, p))?;
            Ok(s.to_string())
        };
        place_name(&raw.structure, "structure")?;
        let commune = place_name(&raw.commune, "commune")?;
        if !crate::vocab::CONTEXTS.contains(&raw.context.get_ref().as_str()) {
            return Err(bad(raw.context.span(), "context", format!("must be one of {}", crate::vocab::CONTEXTS.join(", "))));
        }
        let languages = raw.languages.get_ref().clone();
        if languages.is_empty() {
            return Err(bad(raw.languages.span(), "languages", "list at least one language".into()));
        }
        for l in &languages {
            if !UI_LANGUAGES.contains(&l.as_str()) {
                return Err(bad(raw.languages.span(), "languages", format!("`{l}` is not available (available: {})", UI_LANGUAGES.join(", "))));
            }
        }
        if languages.iter().enumerate().any(|(i, l)| languages[..i].contains(l)) {
            return Err(bad(raw.languages.span(), "languages", "a language is listed twice".into()));
        }
        let resolve = |p: &str| -> PathBuf {
            let p = PathBuf::from(p);
            match base {
                Some(b) if p.is_relative() => b.join(p),
                _ => p,
            }
        };
        if raw.data_dir.get_ref().trim().is_empty() {
            return Err(bad(raw.data_dir.span(), "data_dir", "must not be empty".into()));
        }
        let w = *raw.idle.warning_s.get_ref();
        if !(10..=3600).contains(&w) {
            return Err(bad(raw.idle.warning_s.span(), "idle.warning_s", "must be between 10 and 3600 seconds".into()));
        }
        let r = *raw.idle.reset_s.get_ref();
        if !(10..=600).contains(&r) {
            return Err(bad(raw.idle.reset_s.span(), "idle.reset_s", "must be between 10 and 600 seconds (time to answer the warning)".into()));
        }
        let end_screen_s = match &raw.idle.end_screen_s {
            Some(e) if !(30..=3600).contains(e.get_ref()) => {
                return Err(bad(e.span(), "idle.end_screen_s", "must be between 30 and 3600 seconds".into()));
            }
            Some(e) => *e.get_ref(),
            None => DEFAULT_END_SCREEN_S,
        };
        let recipient = match &raw.recipient {
            Some(s) if !s.get_ref().trim().is_empty() => {
                let v = s.get_ref().trim().to_string();
                let plausible = v.starts_with("age1") && v.len() > 50 && v.chars().all(|c| c.is_ascii_alphanumeric());
                if !plausible {
                    return Err(bad(s.span(), "recipient", "expected an age X25519 recipient \"age1…\" (see `passerelle keygen`)".into()));
                }
                Some(v)
            }
            _ => None,
        };
        let printer_help = "use \"none\", { escpos = \"/dev/usb/lp0\", width_mm = 58 or 80 } or { cups = \"QUEUE\" }";
        let printer = match &raw.printer {
            None => PrinterConfig::None,
            Some(p) => match p.get_ref() {
                RawPrinter::Name(n) if n == "none" => PrinterConfig::None,
                RawPrinter::Name(_) => return Err(bad(p.span(), "printer", printer_help.into())),
                RawPrinter::Table(t) => match (&t.escpos, &t.cups) {
                    (Some(dev), None) if !dev.trim().is_empty() => {
                        let width_mm = t.width_mm.unwrap_or(80);
                        if width_mm != 58 && width_mm != 80 {
                            return Err(bad(p.span(), "printer.width_mm", "must be 58 or 80".into()));
                        }
                        PrinterConfig::Escpos { device: PathBuf::from(dev), width_mm }
                    }
                    (None, Some(q)) if !q.trim().is_empty() && t.width_mm.is_none() => {
                        // A leading "-" would read as an option of `lp`.
                        if !q.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c)) || !q.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                            return Err(bad(
                                p.span(),
                                "printer.cups",
                                "a CUPS queue name starts with a letter or digit, then letters, digits, -, _ or .".into(),
                            ));
                        }
                        PrinterConfig::Cups { queue: q.clone() }
                    }
                    _ => return Err(bad(p.span(), "printer", printer_help.into())),
                },
            },
        };
        let departement = match &raw.departement {
            None => None,
            Some(d) => {
                let v = d.get_ref().trim().to_uppercase();
                let ok = (v.len() == 2 && (v.chars().all(|c| c.is_ascii_digit()) || v == "2A" || v == "2B"))
                    || (v.len() == 3 && v.starts_with("97") && v.chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return Err(bad(d.span(), "departement", "a département code such as \"92\", \"2A\" or \"974\"".into()));
                }
                Some(v)
            }
        };
        let location = match &raw.location {
            None => None,
            Some(l) => {
                let RawLocation { latitude, longitude } = *l.get_ref();
                if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
                    return Err(bad(l.span(), "location", "latitude between -90 and 90, longitude between -180 and 180".into()));
                }
                Some((latitude, longitude))
            }
        };
        let mut export_paths = Vec::new();
        for p in &raw.export_paths {
            let path = PathBuf::from(p.get_ref());
            if !path.is_absolute() {
                return Err(bad(p.span(), "export_paths", "use absolute paths".into()));
            }
            export_paths.push(path);
        }
        let retention = match &raw.retention {
            None => Retention::default(),
            Some(r) => {
                let v = *r.visits_days.get_ref();
                if !(30..=3650).contains(&v) {
                    return Err(bad(r.visits_days.span(), "retention.visits_days", "must be between 30 and 3650 days".into()));
                }
                let c = *r.contacts_days.get_ref();
                if !(1..=365).contains(&c) {
                    return Err(bad(r.contacts_days.span(), "retention.contacts_days", "must be between 1 and 365 days".into()));
                }
                Retention { visits_days: v, contacts_days: c }
            }
        };
        let screen_diagonal_in = match &raw.screen {
            None => DEFAULT_DIAGONAL_IN,
            Some(sc) => {
                let d = *sc.diagonal_inches.get_ref();
                if !(7.0..=100.0).contains(&d) {
                    return Err(bad(sc.diagonal_inches.span(), "screen.diagonal_inches", "must be between 7 and 100 (inches)".into()));
                }
                d
            }
        };
        let speech = match &raw.speech {
            None => SpeechConfig::default(),
            Some(sp) => {
                let command = sp.command.get_ref().trim().to_string();
                if command.is_empty() {
                    return Err(bad(sp.command.span(), "speech.command", "give a program, or \"none\"".into()));
                }
                for l in &languages {
                    if !sp.voices.get_ref().contains_key(l) {
                        return Err(bad(sp.voices.span(), "speech.voices", format!("no voice for `{l}`")));
                    }
                }
                let rate = *sp.rate.get_ref();
                if !(80..=450).contains(&rate) {
                    return Err(bad(sp.rate.span(), "speech.rate", "must be between 80 and 450 words per minute".into()));
                }
                SpeechConfig { command, voices: sp.voices.get_ref().clone(), rate, auto_read: sp.auto_read }
            }
        };
        let keys = match &raw.keys {
            None => KeyMap::default(),
            Some(k) => {
                let mut all: Vec<(&str, &Spanned<Vec<String>>)> = vec![
                    ("keys.next", &k.next),
                    ("keys.previous", &k.previous),
                    ("keys.activate", &k.activate),
                    ("keys.back", &k.back),
                    ("keys.repeat", &k.repeat),
                    ("keys.volume_up", &k.volume_up),
                    ("keys.volume_down", &k.volume_down),
                ];
                let mut seen: Vec<&str> = Vec::new();
                for (name, list) in all.drain(..) {
                    for key in list.get_ref() {
                        if !(KEY_NAMES.contains(&key.as_str()) || key.chars().count() == 1) {
                            return Err(bad(list.span(), name, format!("unknown key `{key}` (a single character or one of {})", KEY_NAMES.join(", "))));
                        }
                        if seen.contains(&key.as_str()) {
                            return Err(bad(list.span(), name, format!("key `{key}` is used twice")));
                        }
                        seen.push(key);
                    }
                }
                KeyMap {
                    next: k.next.get_ref().clone(),
                    previous: k.previous.get_ref().clone(),
                    activate: k.activate.get_ref().clone(),
                    back: k.back.get_ref().clone(),
                    repeat: k.repeat.get_ref().clone(),
                    volume_up: k.volume_up.get_ref().clone(),
                    volume_down: k.volume_down.get_ref().clone(),
                }
            }
        };
        let mut neighbourhoods = Vec::new();
        for n in &raw.neighbourhoods {
            let id = n.id.get_ref().clone();
            check_id(&id).map_err(|p| bad(n.id.span(), "neighbourhoods.id", p))?;
            if neighbourhoods.iter().any(|x: &ListItem| x.id == id) {
                return Err(bad(n.id.span(), "neighbourhoods.id", format!("`{id}` is listed twice")));
            }
            // Place names: French is required, other languages fall back to it.
            let french = ["fr".to_string()];
            let missing = n.label.get_ref().missing(&french);
            if !missing.is_empty() {
                return Err(bad(n.label.span(), "neighbourhoods.label", format!("missing translation ({})", missing.join(", "))));
            }
            for text in n.label.get_ref().0.values() {
                check_label(text.trim()).map_err(|p| bad(n.label.span(), "neighbourhoods.label", p))?;
            }
            let commune = match &n.commune {
                Some(c) => place_name(c, "neighbourhoods.commune")?,
                None => commune.clone(),
            };
            neighbourhoods.push(ListItem { id, label: n.label.get_ref().clone(), commune });
        }
        let flow = flow(&raw, &bad)?;
        Ok(Config {
            kiosk_id,
            structure: raw.structure.get_ref().trim().to_string(),
            commune,
            context: raw.context.get_ref().clone(),
            languages,
            data_dir: resolve(raw.data_dir.get_ref()),
            questionnaire: raw.questionnaire.as_ref().map(|p| resolve(p.get_ref())),
            rules: raw.rules.as_ref().map(|p| resolve(p.get_ref())),
            recipient,
            idle_warning: Duration::from_secs(w),
            idle_reset: Duration::from_secs(r),
            end_screen: Duration::from_secs(end_screen_s),
            printer,
            departement,
            location,
            export_paths,
            retention,
            screen_diagonal_in,
            speech,
            keys,
            neighbourhoods,
            flow,
            optional_questions: raw.optional_questions.as_ref().map(|v| v.get_ref().clone()).unwrap_or_default(),
            optional_questions_line: raw.optional_questions.as_ref().map_or(0, |v| line_of(src, v.span().start)),
        })
    }
}

impl Config {
    /// The commune of a neighbourhood of this kiosk (by its id, as a visit stores it); None for
    /// an id that is not one of its neighbourhoods (e.g. `autre_commune`).
    pub fn neighbourhood_commune(&self, id: &str) -> Option<&str> {
        self.neighbourhoods.iter().find(|n| n.id == id).map(|n| n.commune.as_str())
    }
}

/// `order` (default: `essentials_first` in a queue, `deck` elsewhere) and `path` (default `complet`).
fn flow(raw: &RawConfig, bad: &dyn Fn(std::ops::Range<usize>, &str, String) -> ConfigError) -> Result<Flow, ConfigError> {
    let order = match &raw.order {
        None if raw.context.get_ref() == "file_attente" => Order::EssentialsFirst,
        None => Order::Deck,
        Some(o) => match o.get_ref().as_str() {
            "deck" => Order::Deck,
            "essentials_first" => Order::EssentialsFirst,
            other => return Err(bad(o.span(), "order", format!("unknown value `{other}` (use \"deck\" or \"essentials_first\")"))),
        },
    };
    let path = match &raw.path {
        None => VisitPath::Complet,
        Some(p) => match p.get_ref().as_str() {
            "complet" => VisitPath::Complet,
            "court" => VisitPath::Court,
            other => return Err(bad(p.span(), "path", format!("unknown value `{other}` (use \"complet\" or \"court\")"))),
        },
    };
    Ok(Flow { order, path })
}

/// The shape of a kiosk id: 1 to 32 lowercase ASCII letters, digits or `-` (it names export
/// folders, and the department's tools check the ids they read against it).
pub fn valid_kiosk_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 32 && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
