//! The data disk's free space, and the reserve that keeps a full disk usable: the data directory
//! holds a reserve file ([`RESERVE_FILE`]) that is released when free space runs low, so that
//! SQLite can still open the database (its `-shm` wal-index is a memory-mapped file that must be
//! able to grow), the admin can export and purge, and `doctor` and `stats` work. It is put back
//! once space returns (docs/deploy.md, "A full disk").

use serde::Serialize;
use std::path::Path;

/// Space set aside in the data directory, released when the disk is full (owner-only, 0o600).
pub const RESERVE_FILE: &str = "passerelle.reserve";
const MIB: u64 = 1024 * 1024;

/// The reserve's size on a filesystem of `total` bytes: 1/64 of it, from 2 MiB to 64 MiB. The
/// released reserve must hold the WAL of an export's bookkeeping (the rows it marks) and of a
/// purge.
pub fn reserve_bytes(total: u64) -> u64 {
    (total / 64).clamp(2 * MIB, 64 * MIB)
}

/// With less free space than this, the reserve is released and new visits are refused:
/// 1/64 of the filesystem, from 256 KiB to 16 MiB.
pub fn low_free(total: u64) -> u64 {
    (total / 64).clamp(MIB / 4, 16 * MIB)
}

/// Visits are taken again (and the reserve put back) once this much is free: the reserve,
/// twice the low mark and 1 MiB for the WAL (which shrinks to nothing when the database
/// closes), so that the kiosk does not flap in and out of service.
pub fn resume_free(total: u64) -> u64 {
    reserve_bytes(total) + 2 * low_free(total) + MIB
}

/// Below this much free space, a new wal-index (`-shm`) might not be backed by disk blocks: the
/// database is then opened in exclusive locking mode, with the wal-index in memory.
pub(crate) const SHM_ROOM: u64 = 256 * 1024;

/// The data disk as the store last saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Space {
    /// Free bytes for the kiosk's user; None when unknown.
    pub free: Option<u64>,
    /// Total bytes of the filesystem; None when unknown.
    pub total: Option<u64>,
    /// The reserve file is in place.
    pub reserve: bool,
    /// The disk is full: the reserve is released and new visits are refused.
    pub full: bool,
}

/// (free bytes for an unprivileged writer, total bytes) of the filesystem holding `path`.
pub fn statvfs(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `s` a valid out-pointer.
    let r = unsafe { libc::statvfs(c.as_ptr(), &mut s) };
    (r == 0).then(|| (s.f_bavail as u64 * s.f_frsize as u64, s.f_blocks as u64 * s.f_frsize as u64))
}

/// Create the reserve: owner-only, its blocks really allocated (not a sparse file).
fn create_reserve(path: &Path, size: u64) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    let f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    // SAFETY: a valid open file descriptor.
    let r = unsafe { libc::posix_fallocate(f.as_raw_fd(), 0, size as libc::off_t) };
    let r = if r == 0 { f.sync_all() } else { Err(std::io::Error::from_raw_os_error(r)) };
    if r.is_err() {
        drop(f);
        let _ = std::fs::remove_file(path);
    }
    r
}

/// Look at the data disk: release the reserve when free space runs low, put it back once
/// space has returned. Cheap (a `statvfs`, and a file created or removed when the state changes).
pub fn check_space(data_dir: &Path) -> Space {
    let reserve_path = data_dir.join(RESERVE_FILE);
    // A reserve cut short (a power cut while it was made) counts as missing.
    let reserve = std::fs::metadata(&reserve_path).is_ok_and(|m| m.len() >= 2 * MIB);
    let Some((free, total)) = statvfs(data_dir) else {
        return Space { free: None, total: None, reserve, full: false };
    };
    if reserve {
        if free >= low_free(total) {
            return Space { free: Some(free), total: Some(total), reserve, full: false };
        }
        match std::fs::remove_file(&reserve_path) {
            Ok(()) => log::warn!("the data disk is full ({} kB free): reserve released, new visits refused until space returns", free / 1024),
            Err(e) => log::error!("the data disk is full and the reserve cannot be released: {e}"),
        }
        let (free, total) = statvfs(data_dir).unzip();
        return Space { free, total, reserve: false, full: true };
    }
    if free >= resume_free(total) {
        let size = reserve_bytes(total);
        return match create_reserve(&reserve_path, size) {
            Ok(()) => {
                log::info!("space reserve of {} MB in place", size / MIB);
                let (free, total) = statvfs(data_dir).unzip();
                Space { free, total, reserve: true, full: false }
            }
            Err(e) => {
                // Not a reason to refuse visits while the disk has room: only logged.
                log::warn!("cannot create the space reserve: {e}");
                Space { free: Some(free), total: Some(total), reserve: false, full: false }
            }
        };
    }
    Space { free: Some(free), total: Some(total), reserve: false, full: true }
}
