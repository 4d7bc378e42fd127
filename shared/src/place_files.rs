//! The places files on disk: the imported national file in the data directory (else the shipped
//! places), an import that never leaves the kiosk without places, and a places file found on a
//! USB stick.

use passerelle_core::place_book::{PlaceBook, SHIPPED};
use passerelle_core::places::{self, PlaceSet, RowProblem};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The largest places file read (the national export of 2026 is about 10 MB).
pub const MAX_PLACES_BYTES: u64 = 64 << 20;

/// The file an import writes in the data directory; it replaces the shipped places.
pub const IMPORTED: &str = "places.csv";

/// Load the imported places if there are some, else the shipped ones.
pub fn load(data_dir: &Path, departement: Option<&str>) -> PlaceBook {
    let path = data_dir.join(IMPORTED);
    if let Ok(text) = std::fs::read_to_string(&path) {
        match places::parse(&text, departement) {
            Ok(set) if !set.places.is_empty() => {
                let when = std::fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .ok()
                    .map(|t| chrono::DateTime::<chrono::Local>::from(t).format(" le %d/%m/%Y").to_string());
                return PlaceBook { places: set.places, source: format!("importés{}", when.unwrap_or_default()) };
            }
            Ok(_) => log::warn!("{} has no usable place: using the shipped places", path.display()),
            Err(e) => log::warn!("{}: {e}: using the shipped places", path.display()),
        }
    }
    let set = places::parse(SHIPPED, departement).unwrap_or_default();
    PlaceBook { places: set.places, source: "fournis avec Passerelle : cartographie nationale 2022, Hauts-de-Seine".into() }
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub kept: usize,
    pub other_departements: usize,
    pub problems: Vec<RowProblem>,
    pub written: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}; the places in use are unchanged")]
    Unusable(String),
    #[error("cannot write {0}: {1}; the places in use are unchanged")]
    Write(PathBuf, std::io::Error),
}

/// Import a national export: rows that break the schema are reported and skipped, rows of other
/// départements left out. If nothing usable is left, the places in use stay as they are.
pub fn import(file: &Path, data_dir: &Path, departement: Option<&str>) -> Result<ImportReport, ImportError> {
    // A regular file of a national export's size (the whole country is a few MB), not a link, a
    // device or a FIFO, read once.
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bytes = crate::files::read_regular(dir, &name, MAX_PLACES_BYTES).map_err(|e| ImportError::Read(file.to_path_buf(), std::io::Error::other(e)))?;
    let text = String::from_utf8(bytes).map_err(|_| ImportError::Unusable(format!("{} is not UTF-8 text", file.display())))?;
    let set: PlaceSet = places::parse(&text, departement).map_err(|e| ImportError::Unusable(e.to_string()))?;
    if set.places.is_empty() {
        let where_ = departement.map(|d| format!(" of département {d}")).unwrap_or_default();
        return Err(ImportError::Unusable(format!("no valid place{where_} in {} ({} rows refused)", file.display(), set.problems.len())));
    }
    // Keep only the valid rows, as they were, so that the file stays the national format.
    let mut out = String::new();
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = rd.headers().map_err(|e| ImportError::Unusable(e.to_string()))?.clone();
    let id_col = header.iter().position(|h| h == "id").unwrap_or(0);
    let keep: std::collections::HashSet<&str> = set.places.iter().map(|p| p.id.as_str()).collect();
    w.write_record(&header).map_err(|e| ImportError::Unusable(e.to_string()))?;
    let mut seen = std::collections::HashSet::new();
    for rec in rd.records().flatten() {
        let id = rec.get(id_col).unwrap_or("").trim().to_string();
        if keep.contains(id.as_str()) && seen.insert(id) {
            w.write_record(&rec).map_err(|e| ImportError::Unusable(e.to_string()))?;
        }
    }
    out.push_str(&String::from_utf8_lossy(&w.into_inner().unwrap_or_default()));
    // Written next to the old file, synced, then renamed over it: never half a file.
    let target = data_dir.join(IMPORTED);
    let tmp = data_dir.join(format!("{IMPORTED}.new"));
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        std::fs::create_dir_all(data_dir)?;
        // A leftover (or a link planted there) goes first: the new file is created new.
        if std::fs::symlink_metadata(&tmp).is_ok() {
            std::fs::remove_file(&tmp)?;
        }
        let mut f = crate::files::create_owner_only(&tmp)?;
        f.write_all(out.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &target)?;
        std::fs::File::open(data_dir)?.sync_all()
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        ImportError::Write(target.clone(), e)
    })?;
    log::info!("places imported: {} kept, {} refused, {} of other départements", set.places.len(), set.problems.len(), set.other_departements);
    Ok(ImportReport { kept: set.places.len(), other_departements: set.other_departements, problems: set.problems, written: target })
}

/// A national places file at the root of a USB stick: a `.csv` whose header is the standard's
/// (the most recently modified one if there are several).
pub fn find_places_file(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")) && p.is_file())
        .filter(|p| {
            let Ok(f) = std::fs::File::open(p) else { return false };
            let mut first = String::new();
            // The first 64 KiB are enough for a header line.
            let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(std::io::Read::take(f, 64 * 1024)), &mut first);
            let cols: Vec<&str> = first.trim_start_matches('\u{feff}').trim_end().split(',').map(|c| c.trim_matches('"')).collect();
            ["id", "nom", "commune", "services", "date_maj"].iter().all(|c| cols.contains(c))
        })
        .map(|p| (std::fs::metadata(&p).and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH), p))
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}
