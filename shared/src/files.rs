//! Files at the trust boundary: owner-only files created new, and files of a data package read
//! only when they are what they claim to be (a regular file of a bounded size, not a symlink, a
//! device or a FIFO that would block or never end).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `path` for writing, owner-only (0600). It must not exist yet, and a symlink in its
/// place is refused (`O_NOFOLLOW`): nobody can make Passerelle write secrets through a link.
pub fn create_owner_only(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    o.open(path)
}

/// Creates a folder (and its parents) owner-only (0700) when it does not exist yet.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if !dir.exists() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        }
        #[cfg(not(unix))]
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}

/// Opens a file of a data package for reading: `name` is relative to `dir`, every folder on the
/// way must be a real folder (not a link out of the package), and the file a regular file of at
/// most `max_bytes`. The error says what the file is instead, in French for the department
/// officer who reads it.
pub fn open_regular(dir: &Path, name: &str, max_bytes: u64) -> Result<File, String> {
    let mut at = dir.to_path_buf();
    let parts: Vec<&str> = name.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_dir() => {}
            Ok(_) => return Err(format!("{name} : {part} n'est pas un dossier ordinaire (lien ?)")),
            Err(_) => return Err(format!("{name} manque")),
        }
    }
    let path = dir.join(name);
    let mut o = OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO must not block the open; a link must not be followed.
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = match o.open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(format!("{name} manque")),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(format!("{name} est un lien symbolique : refusé")),
        Err(e) => return Err(format!("{name} illisible : {e}")),
    };
    let meta = f.metadata().map_err(|e| format!("{name} illisible : {e}"))?;
    if !meta.file_type().is_file() {
        return Err(format!("{name} n'est pas un fichier ordinaire (périphérique, tube ou dossier) : refusé"));
    }
    if meta.len() > max_bytes {
        return Err(format!("{name} est trop gros ({} octets, au plus {max_bytes})", meta.len()));
    }
    Ok(f)
}

/// [`open_regular`], read whole.
pub fn read_regular(dir: &Path, name: &str, max_bytes: u64) -> Result<Vec<u8>, String> {
    use io::Read;
    let f = open_regular(dir, name, max_bytes)?;
    let mut buf = Vec::new();
    // `take`: a file that grows after the check still stops at the bound.
    f.take(max_bytes + 1).read_to_end(&mut buf).map_err(|e| format!("{name} illisible : {e}"))?;
    if buf.len() as u64 > max_bytes {
        return Err(format!("{name} est trop gros (au plus {max_bytes} octets)"));
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_only_files_are_new_0600_and_never_through_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("key");
        create_owner_only(&p).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(create_owner_only(&p).is_err(), "an existing file is never overwritten");
        let target = d.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, d.path().join("link")).unwrap();
        assert!(create_owner_only(&d.path().join("link")).is_err());
        assert!(!target.exists(), "nothing was written through the link");
    }

    #[test]
    fn only_regular_files_of_a_bounded_size_are_read() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("ok.csv"), b"a,b\n").unwrap();
        assert_eq!(read_regular(d.path(), "ok.csv", 10).unwrap(), b"a,b\n");
        assert!(read_regular(d.path(), "ok.csv", 3).unwrap_err().contains("trop gros"));
        std::os::unix::fs::symlink("/etc/passwd", d.path().join("link.csv")).unwrap();
        assert!(read_regular(d.path(), "link.csv", 1 << 20).unwrap_err().contains("lien"));
        let fifo = d.path().join("fifo.csv");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(read_regular(d.path(), "fifo.csv", 1 << 20).unwrap_err().contains("pas un fichier ordinaire"));
        assert!(read_regular(Path::new("/dev"), "zero", 1 << 20).unwrap_err().contains("pas un fichier ordinaire"));
        std::os::unix::fs::symlink("/etc", d.path().join("contacts")).unwrap();
        assert!(read_regular(d.path(), "contacts/passwd", 1 << 20).unwrap_err().contains("pas un dossier ordinaire"));
        assert!(read_regular(d.path(), "missing.csv", 10).unwrap_err().contains("manque"));
    }
}
