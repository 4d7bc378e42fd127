//! `passerelle doctor`: a report on the kiosk's health for the staff and for support, with a
//! non-zero exit status when something must be fixed.

use crate::Kiosk;
use crate::store::Store;
use passerelle_core::config::PrinterConfig;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Info,
    Warn,
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub level: Level,
    pub what: &'static str,
    pub detail: String,
}

fn check(level: Level, what: &'static str, detail: impl Into<String>) -> Check {
    Check { level, what, detail: detail.into() }
}

/// Run every check. `kiosk` is the result of loading the configuration.
pub fn run(kiosk: Result<&Kiosk, String>, now: chrono::NaiveDateTime) -> Vec<Check> {
    let mut out = Vec::new();
    let k = match kiosk {
        Ok(k) => {
            out.push(check(
                Level::Ok,
                "config",
                format!(
                    "{} (kiosk {}, {} questions, rules {})",
                    k.defs.config_source,
                    k.defs.config.kiosk_id,
                    k.defs.questionnaire.questions().len(),
                    k.defs.rules.version
                ),
            ));
            k
        }
        Err(e) => {
            out.push(check(Level::Fail, "config", e));
            return out;
        }
    };
    // Languages: those left out because incomplete, and those no native speaker reviewed.
    let incomplete: Vec<&str> = k.defs.languages.iter().filter(|s| !s.complete()).map(|s| s.lang.as_str()).collect();
    let unreviewed: Vec<&str> = k.defs.offered_languages().into_iter().filter(|(_, r)| !r).map(|(l, _)| l).collect();
    let offered = k.defs.config.languages.join(", ");
    out.push(match (incomplete.is_empty(), unreviewed.is_empty()) {
        (false, _) => check(
            Level::Warn,
            "languages",
            format!("offered: {offered}; left out, incomplete: {} (passerelle questionnaire --check-translations)", incomplete.join(", ")),
        ),
        (true, false) => {
            check(Level::Ok, "languages", format!("offered: {offered}; machine translations not reviewed by a native speaker yet: {}", unreviewed.join(", ")))
        }
        (true, true) => check(Level::Ok, "languages", format!("offered: {offered}")),
    });
    // Data directory.
    let dir = &k.defs.config.data_dir;
    if let Err(e) = std::fs::create_dir_all(dir) {
        out.push(check(Level::Fail, "data", format!("{} cannot be created: {e}", dir.display())));
        return out;
    }
    // The disk first: on a full disk the store releases its reserve, so the checks below work.
    let space = crate::disk_space::check_space(dir);
    let fs = filesystem(dir);
    let free = space.free.map(megabytes).unwrap_or_else(|| "?".into());
    let total = space.total.map(megabytes).unwrap_or_else(|| "?".into());
    if space.full {
        out.push(check(
            Level::Fail,
            "disk",
            format!(
                "the data disk {fs} is full: {free} free of {total}; new visits are refused (the kiosk is out of service, code DISK-FULL). \
                 Export the visits (admin screen or `passerelle export`), then free space on this disk (other files, old logs); \
                 the kiosk resumes by itself once {} are free",
                megabytes(crate::disk_space::resume_free(space.total.unwrap_or(0)))
            ),
        ));
    } else if space.free.is_none() {
        out.push(check(Level::Warn, "disk", format!("{fs}: free space unknown")));
    } else if space.free.is_some_and(|b| b < 200 * 1024 * 1024) {
        out.push(check(Level::Warn, "disk", format!("{fs}: {free} free of {total}: export and purge soon")));
    } else {
        out.push(check(Level::Ok, "disk", format!("{fs}: {free} free of {total}")));
    }
    let probe = dir.join(".doctor-probe");
    match std::fs::write(&probe, b"ok").and_then(|_| std::fs::remove_file(&probe)) {
        Ok(()) => out.push(check(Level::Ok, "data", format!("{} is writable", dir.display()))),
        Err(e) => {
            let _ = std::fs::remove_file(&probe);
            out.push(check(Level::Fail, "data", format!("{} is not writable: {e}", dir.display())))
        }
    }
    // Database.
    let mut last_date: Option<String> = None;
    match Store::open(dir) {
        Ok(s) => {
            match s.integrity_check() {
                Ok(()) => {
                    let st = s.stats().unwrap_or_default();
                    let (uv, ua) = s.unexported().unwrap_or_default();
                    out.push(check(
                        Level::Ok,
                        "database",
                        format!(
                            "integrity ok; {} finished, {} abandoned visits; {uv} visits and {ua} abandonments not exported yet",
                            st.finished, st.abandoned
                        ),
                    ));
                    last_date = st.per_day.last().map(|d| d.date.clone());
                }
                Err(e) => out.push(check(Level::Fail, "database", format!("{e} — the kiosk will move it aside and start a new one"))),
            }
            if let Ok(Some(m)) = s.meta_get("damaged_database") {
                out.push(check(Level::Warn, "database", format!("a damaged database was moved aside earlier: {m} (keep it for recovery)")));
            }
            if crate::admin_tools::pin_configured(&s) {
                out.push(check(Level::Ok, "admin", "admin PIN set"));
            } else {
                out.push(check(Level::Warn, "admin", "no admin PIN: set one with `passerelle admin set-pin`"));
            }
        }
        Err(e @ crate::store::StoreError::Corrupt { .. }) => {
            out.push(check(Level::Fail, "database", format!("{e} — the kiosk will move it aside and start a new one")))
        }
        Err(crate::store::StoreError::DiskFull) => out.push(check(Level::Fail, "database", "cannot be opened: the disk is full (see the disk check above)")),
        Err(crate::store::StoreError::Sql(e)) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => out.push(check(
            Level::Fail,
            "database",
            "locked by another process: on a full disk the running kiosk keeps the database to itself; \
             stop it (systemctl stop passerelle) to export with `passerelle export`",
        )),
        Err(e) => out.push(check(Level::Fail, "database", format!("{e}"))),
    }
    // Contact details.
    if k.consent_offered() {
        out.push(check(Level::Ok, "privacy", "contact details are sealed for the admin's age key"));
    } else {
        out.push(check(Level::Info, "privacy", "no `recipient` key: the \"be recontacted\" step is not offered"));
    }
    // Places where visitors are sent next.
    let imported = dir.join(passerelle_shared::place_files::IMPORTED);
    let book = passerelle_shared::place_files::load(dir, k.defs.config.departement.as_deref());
    let newest = book.places.iter().map(|p| p.date_maj.as_str()).max().unwrap_or_default().to_string();
    if book.places.is_empty() {
        out.push(check(Level::Warn, "places", "no place to suggest to visitors: import the national file (`passerelle places import FILE.csv`)"));
    } else {
        let local = book.places.iter().filter(|p| p.commune.eq_ignore_ascii_case(&k.defs.config.commune)).count();
        let detail = format!("{} places ({}), {local} in {}; newest update {newest}", book.places.len(), book.source, k.defs.config.commune);
        let old = chrono::NaiveDate::parse_from_str(&newest, "%Y-%m-%d").is_ok_and(|d| (now.date() - d).num_days() > 730);
        if old {
            out.push(check(Level::Warn, "places", format!("{detail}: more than two years old, import a newer national file")));
        } else {
            out.push(check(Level::Ok, "places", detail));
        }
    }
    if imported.exists() && !book.source.starts_with("importés") {
        out.push(check(Level::Warn, "places", format!("{} cannot be used: the shipped places are used instead", imported.display())));
    }
    // Printer.
    match &k.defs.config.printer {
        PrinterConfig::None => out.push(check(Level::Info, "printer", "none configured")),
        PrinterConfig::Escpos { device, width_mm } => {
            let writable = std::fs::OpenOptions::new().write(true).custom_flags_nonblock().open(device);
            match writable {
                Ok(_) => out.push(check(Level::Ok, "printer", format!("ESC/POS {} ({width_mm} mm) answers", device.display()))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => out.push(check(Level::Fail, "printer", format!("{} is not connected", device.display()))),
                Err(e) => out.push(check(Level::Fail, "printer", format!("{}: {e} (is the kiosk user in the lp group?)", device.display()))),
            }
        }
        PrinterConfig::Cups { queue } => match std::process::Command::new("lpstat").args(["-p", queue]).output() {
            Ok(o) if o.status.success() => {
                out.push(check(Level::Ok, "printer", String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or_default().to_string()))
            }
            Ok(o) => out.push(check(Level::Fail, "printer", format!("CUPS queue {queue}: {}", String::from_utf8_lossy(&o.stderr).trim()))),
            Err(_) => out.push(check(Level::Fail, "printer", "`lpstat` not found: install cups-client")),
        },
    }
    // Speech.
    let sp = &k.defs.config.speech;
    if sp.command == "none" {
        out.push(check(Level::Info, "speech", "switched off"));
    } else if crate::speech::installed(&sp.command) {
        out.push(check(Level::Ok, "speech", format!("{} with voices {:?}", sp.command, sp.voices)));
    } else {
        out.push(check(Level::Warn, "speech", format!("{} is not installed: the \"Écouter\" button is hidden (apt-get install espeak-ng)", sp.command)));
    }
    // Clock: kiosks often have no network time.
    let today = now.date().format("%Y-%m-%d").to_string();
    let year = chrono::Datelike::year(&now.date());
    if !(2024..=2100).contains(&year) {
        out.push(check(Level::Warn, "clock", format!("the date is {today}: set the clock (visits keep the date they get, nothing breaks)")));
    } else if last_date.as_ref().is_some_and(|d| *d > today) {
        out.push(check(Level::Warn, "clock", format!("the date is {today}, before the last visit ({}): the clock went back", last_date.unwrap_or_default())));
    } else {
        out.push(check(Level::Ok, "clock", format!("{}", now.format("%Y-%m-%d %H:%M"))));
    }
    // USB.
    match crate::admin_tools::find_media(&k.defs.config.export_paths).first() {
        Some(m) => out.push(check(Level::Info, "usb", format!("stick found at {}", m.path.display()))),
        None => out.push(check(Level::Info, "usb", "no stick plugged in")),
    }
    out
}

fn megabytes(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1024.0 / 1024.0)
}

/// The filesystem holding `dir`, in words: device, type and mount point (from /proc/mounts).
pub fn filesystem(dir: &std::path::Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let best = mounts
        .lines()
        .filter_map(|l| {
            let mut p = l.split_whitespace();
            let (dev, mnt, fstype) = (p.next()?, p.next()?.replace("\\040", " "), p.next()?);
            dir.starts_with(&mnt).then(|| (dev.to_string(), mnt, fstype.to_string()))
        })
        .max_by_key(|(_, mnt, _)| mnt.len());
    match best {
        Some((dev, mnt, fstype)) => format!("{} ({dev}, {fstype}, mounted at {mnt})", dir.display()),
        None => dir.display().to_string(),
    }
}

trait NonBlock {
    fn custom_flags_nonblock(&mut self) -> &mut Self;
}

impl NonBlock for std::fs::OpenOptions {
    fn custom_flags_nonblock(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.custom_flags(libc::O_NONBLOCK)
    }
}

/// The report as text, one line a check.
pub fn report(checks: &[Check]) -> String {
    checks
        .iter()
        .map(|c| {
            let tag = match c.level {
                Level::Ok => "ok  ",
                Level::Info => "info",
                Level::Warn => "WARN",
                Level::Fail => "FAIL",
            };
            format!("{tag}  {:<9} {}", c.what, c.detail)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn failed(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.level == Level::Fail)
}
