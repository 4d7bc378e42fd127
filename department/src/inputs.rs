//! The packages a département tool is given: folders (or folders of them), each read **once**
//! into the tool's own private copy, checked against its `SHA256SUMS` as it is copied; everything
//! after (the checks of `passerelle_package::read`, the merge, the load script) works on that
//! copy, which nobody else can change between the check and the use.

use passerelle_package::read::{self, HashingReader, Package, Source, max_bytes, read_signature, read_sums};
use passerelle_package::signing::SIG_FILE;
use passerelle_shared::folder::PrivateFolder;
use serde::Serialize;
use std::collections::HashSet;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use passerelle_shared::folder::FolderSource;

/// A package copied into a private folder, with the name of the folder it came from.
pub struct Staged {
    pub source: FolderSource,
    pub name: String,
    pub origin: PathBuf,
}

impl Source for Staged {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn open(&self, file: &str, max: u64) -> Result<Box<dyn Read + Send + '_>, String> {
        self.source.open(file, max)
    }
}

/// Copies the package of `src` into the new private folder `dest`, reading each of its files
/// once: `SHA256SUMS`, its signature, then every file it lists, each hashed while it is copied
/// and refused when it differs from its line.
pub fn stage(src: &dyn Source, origin: &Path, dest: &Path) -> Result<Staged, String> {
    let (sums, sums_bytes) = read_sums(src)?;
    let signature = read_signature(src)?;
    let mut out = PrivateFolder::create_new(dest).map_err(|e| format!("copie de travail impossible ({}) : {e}", dest.display()))?;
    let write = |out: &mut PrivateFolder, name: &str, bytes: &[u8]| -> Result<(), String> {
        passerelle_package::write::Sink::write(out, name, &mut |w| w.write_all(bytes)).map_err(|e| format!("copie de travail impossible ({name}) : {e}"))
    };
    write(&mut out, "SHA256SUMS", &sums_bytes)?;
    if let Some(sig) = &signature {
        write(&mut out, SIG_FILE, sig)?;
    }
    for (file, expected) in &sums {
        let r = src.open(file, max_bytes(file)).map_err(|e| if e.ends_with("manque") { format!("{e} (il est dans SHA256SUMS)") } else { e })?;
        let mut hashing = HashingReader::new(r);
        let f = out.create(file).map_err(|e| format!("copie de travail impossible ({file}) : {e}"))?;
        let mut w = io::BufWriter::with_capacity(1 << 18, f);
        io::copy(&mut hashing, &mut w).map_err(|e| format!("{file} illisible : {e}"))?;
        w.into_inner().map_err(|e| format!("copie de travail impossible ({file}) : {}", e.error()))?;
        if hashing.finish().map_err(|e| format!("{file} illisible : {e}"))? != *expected {
            return Err(read::altered(file));
        }
    }
    #[cfg(feature = "test-hooks")]
    hooks::after_staging(origin);
    Ok(Staged { source: FolderSource { dir: dest.to_path_buf() }, name: src.name(), origin: origin.to_path_buf() })
}

/// What the tests of the read-once rule use to change an input between its copy and its use (a
/// stick edited while the tool works). Only in builds with the `test-hooks` feature (the tests').
#[cfg(feature = "test-hooks")]
pub mod hooks {
    use std::path::Path;
    use std::sync::Mutex;

    type Hook = Box<dyn Fn(&Path) + Send>;
    static AFTER_STAGING: Mutex<Option<Hook>> = Mutex::new(None);

    /// Runs `f` with the input's folder each time an input has been copied.
    pub fn set_after_staging(f: Option<Hook>) {
        *AFTER_STAGING.lock().unwrap_or_else(|e| e.into_inner()) = f;
    }

    pub(crate) fn after_staging(origin: &Path) {
        if let Some(f) = AFTER_STAGING.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            f(origin);
        }
    }
}

/// A private working folder beside `near`, removed with everything in it when dropped.
pub struct WorkDir {
    pub dir: PathBuf,
}

impl WorkDir {
    pub fn beside(near: &Path, what: &str) -> io::Result<WorkDir> {
        let parent = near.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = near.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let dir = parent.join(format!(".{name}.{what}-{}", std::process::id()));
        // A leftover of an earlier run of the same process id: ours to remove (never followed
        // if it is a link: remove_dir_all does not follow links).
        if std::fs::symlink_metadata(&dir).is_ok() {
            let _ = std::fs::remove_dir_all(&dir).or_else(|_| std::fs::remove_file(&dir));
        }
        PrivateFolder::create_new(&dir)?;
        Ok(WorkDir { dir })
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An input left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    pub path: String,
    pub reason: String,
}

/// The folders to read: each argument is a package, or a folder of packages (one level down).
pub fn find_exports(args: &[PathBuf], skip: &Path) -> (Vec<PathBuf>, Vec<Refused>) {
    let is_export = |d: &Path| d.join("SHA256SUMS").is_file() || d.join("datapackage.json").is_file();
    let skip = skip.canonicalize().unwrap_or_else(|_| skip.to_path_buf());
    let (mut found, mut refused) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for arg in args {
        let mut dirs = Vec::new();
        if is_export(arg) {
            dirs.push(arg.clone());
        } else if let Ok(entries) = std::fs::read_dir(arg) {
            let mut sub: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir() && is_export(p)).collect();
            sub.sort();
            dirs.extend(sub);
        }
        if dirs.is_empty() {
            refused.push(Refused { path: arg.display().to_string(), reason: "aucun export Passerelle ici (ni SHA256SUMS ni datapackage.json)".into() });
        }
        for d in dirs {
            let canon = d.canonicalize().unwrap_or_else(|_| d.clone());
            if canon != skip && seen.insert(canon) {
                found.push(d);
            }
        }
    }
    (found, refused)
}

/// What a staged input turned out to be.
pub enum Opened {
    /// A kiosk's export or a merge, checked.
    Package(Box<Package>, Staged),
    /// A mediator's pickup package, checked.
    Pickups(passerelle_package::pickup_table::PickupPackage, Staged),
}

/// Stages and checks folders on all cores, each into `work/<n>`.
pub fn stage_all(dirs: &[PathBuf], work: &Path) -> Vec<Result<Opened, String>> {
    let results: Vec<Mutex<Option<Result<Opened, String>>>> = dirs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(dirs.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(d) = dirs.get(i) else { break };
                    let r = stage_and_open(d, &work.join(i.to_string()));
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                }
            });
        }
    });
    results.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()).unwrap_or_else(|| Err("non lu".into()))).collect()
}

/// Stages one folder into `dest`, then checks the copy as what its `datapackage.json` says it is.
pub fn stage_and_open(dir: &Path, dest: &Path) -> Result<Opened, String> {
    let staged = stage(&FolderSource { dir: dir.to_path_buf() }, dir, dest)?;
    let meta = passerelle_shared::files::read_regular(&staged.source.dir, "datapackage.json", read::MAX_META_BYTES).ok();
    let is_pickups =
        meta.and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok()).is_some_and(|m| passerelle_package::pickup_table::is_pickup_package(&m));
    if is_pickups {
        let p = passerelle_package::pickup_table::open(&staged)?;
        Ok(Opened::Pickups(p, staged))
    } else {
        let p = read::open(&staged)?;
        Ok(Opened::Package(Box::new(p), staged))
    }
}
