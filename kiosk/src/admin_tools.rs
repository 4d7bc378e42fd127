//! The admin side: the PIN (only its Argon2 hash is kept, in the store), finding USB sticks,
//! free space.

use crate::store::{Store, StoreError};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use std::path::{Path, PathBuf};

const PIN_KEY: &str = "admin_pin_argon2";
const FAILURES_KEY: &str = "admin_pin_failures";

/// Store the Argon2id hash of a new PIN (4 to 8 digits).
pub fn set_pin(store: &Store, pin: &str) -> anyhow::Result<()> {
    if !passerelle_core::admin::valid_pin(pin) {
        anyhow::bail!("a PIN is 4 to 8 digits");
    }
    let salt: [u8; 16] = rand::random();
    let hash = Argon2::default().hash_password_with_salt(pin.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("cannot hash the PIN: {e}"))?;
    store.meta_set(PIN_KEY, &hash.to_string())?;
    store.meta_set(FAILURES_KEY, "0")?;
    log::info!("admin PIN set");
    Ok(())
}

pub fn pin_configured(store: &Store) -> bool {
    store.meta_get(PIN_KEY).ok().flatten().is_some()
}

/// Whether `pin` is the admin PIN (false when none is set).
pub fn verify_pin(store: &Store, pin: &str) -> Result<bool, StoreError> {
    let Some(hash) = store.meta_get(PIN_KEY)? else {
        return Ok(false);
    };
    Ok(Argon2::default().verify_password(pin.as_bytes(), hash.as_str()).is_ok())
}

/// Consecutive wrong PINs, kept across restarts.
pub fn failures(store: &Store) -> u32 {
    store.meta_get(FAILURES_KEY).ok().flatten().and_then(|s| s.parse().ok()).unwrap_or(0)
}

pub fn set_failures(store: &Store, n: u32) {
    if let Err(e) = store.meta_set(FAILURES_KEY, &n.to_string()) {
        log::error!("cannot record PIN failures: {e}");
    }
}

/// Free bytes on the filesystem of `path`.
pub fn free_bytes(path: &Path) -> Option<u64> {
    crate::disk_space::statvfs(path).map(|(free, _)| free)
}

fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path.
    path.is_dir() && unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0
}

/// A place an export can go.
#[derive(Debug, Clone, PartialEq)]
pub struct Media {
    pub path: PathBuf,
    pub free: Option<u64>,
}

/// Writable removable media: filesystems mounted under /media or /run/media (read from
/// /proc/mounts), and the extra places of kiosk.toml's `export_paths`.
pub fn find_media(extra: &[PathBuf]) -> Vec<Media> {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    find_media_in(&mounts, extra)
}

pub fn find_media_in(mounts: &str, extra: &[PathBuf]) -> Vec<Media> {
    let mut out: Vec<PathBuf> = Vec::new();
    for line in mounts.lines() {
        let mut parts = line.split_whitespace();
        let (Some(_dev), Some(mnt), Some(_fs), Some(opts)) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        // /proc/mounts escapes spaces as \040.
        let mnt = mnt.replace("\\040", " ");
        let removable = mnt.starts_with("/media/") || mnt.starts_with("/run/media/");
        if removable && opts.split(',').any(|o| o == "rw") {
            out.push(PathBuf::from(mnt));
        }
    }
    out.extend(extra.iter().cloned());
    out.dedup();
    out.into_iter().filter(|p| writable(p)).map(|p| Media { free: free_bytes(&p), path: p }).collect()
}
