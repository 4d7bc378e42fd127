//! A folder on a disk or a USB stick as a package's destination: the filesystem behind a trait
//! (so that tests can pull the stick), each file synced as it is written, then read back from
//! the device and checked against the hash it was written with.

use passerelle_package::hex;
use passerelle_package::write::{Sink, Written};
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The filesystem an export writes to (a trait so that tests can pull the stick).
pub trait ExportFs {
    fn create_dir_all(&self, p: &Path) -> io::Result<()>;
    fn exists(&self, p: &Path) -> bool;
    /// Create `p`, let `fill` write it, then flush and sync it to the device.
    fn write(&self, p: &Path, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()>;
    fn sync_dir(&self, p: &Path) -> io::Result<()>;
    fn open(&self, p: &Path) -> io::Result<Box<dyn Read>>;
    fn remove_dir_all(&self, p: &Path) -> io::Result<()>;
}

/// The real filesystem.
pub struct RealFs;

impl ExportFs for RealFs {
    fn create_dir_all(&self, p: &Path) -> io::Result<()> {
        std::fs::create_dir_all(p)
    }
    fn exists(&self, p: &Path) -> bool {
        p.exists()
    }
    fn write(&self, p: &Path, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        let f = std::fs::File::create(p)?;
        let mut w = io::BufWriter::with_capacity(1 << 16, f);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        drop_cache(&f);
        Ok(())
    }
    fn sync_dir(&self, p: &Path) -> io::Result<()> {
        std::fs::File::open(p)?.sync_all()
    }
    fn open(&self, p: &Path) -> io::Result<Box<dyn Read>> {
        let f = std::fs::File::open(p)?;
        // The read-back must read the stick, not what the kernel still holds of the write: a
        // stick that lies about its writes must be caught here, while the rows stay unexported.
        drop_cache(&f);
        Ok(Box::new(io::BufReader::new(f)))
    }
    fn remove_dir_all(&self, p: &Path) -> io::Result<()> {
        std::fs::remove_dir_all(p)
    }
}

/// Asks the kernel to drop a (synced) file's cached pages, so that the next read comes from the
/// device. Advisory: where it is not supported the read-back still checks what the kernel has.
fn drop_cache(f: &std::fs::File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a plain system call on a file descriptor we own for the call's duration.
        let _ = unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = f;
}

/// A folder of an [`ExportFs`] as the package writer's sink.
pub struct FolderSink<'a> {
    pub fs: &'a dyn ExportFs,
    pub dir: PathBuf,
}

impl Sink for FolderSink<'_> {
    fn write(&mut self, name: &str, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        self.fs.write(&self.dir.join(name), fill)
    }
}

/// A file that did not read back as it was written.
#[derive(Debug, thiserror::Error)]
pub enum ReadBackError {
    #[error("{file} : {source}")]
    Io { file: String, source: io::Error },
    #[error("{file} ne se relit pas comme il a été écrit")]
    Differs { file: String },
}

/// Reads every file back from the stick and checks it against the hash it was written with.
pub fn read_back(fs: &dyn ExportFs, folder: &Path, files: &[Written]) -> Result<(), ReadBackError> {
    for f in files {
        let ok = fs.open(&folder.join(&f.name)).and_then(|mut r| {
            let mut h = Sha256::new();
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = r.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
            }
            Ok(hex(&h.finalize()))
        });
        match ok {
            Ok(h) if h == f.sha256 => {}
            Ok(_) => {
                return Err(ReadBackError::Differs { file: f.name.clone() });
            }
            Err(source) => {
                return Err(ReadBackError::Io { file: f.name.clone(), source });
            }
        }
    }
    Ok(())
}

/// A folder of this machine that only its owner may read (pseudonymous health data, whatever the
/// umask): folders 0700, every file created new (never over a file, never through a link), 0600,
/// synced as it is written.
pub struct PrivateFolder {
    pub dir: PathBuf,
}

impl PrivateFolder {
    /// Creates the folder, owner-only. It must not exist yet (a link in its place is refused).
    pub fn create_new(dir: &Path) -> io::Result<PrivateFolder> {
        match std::fs::symlink_metadata(dir) {
            Ok(_) => return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} existe déjà", dir.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(dir)?;
        Ok(PrivateFolder { dir: dir.to_path_buf() })
    }

    /// Creates `name` (relative, `/` between folders) new and owner-only, for writing.
    pub fn create(&self, name: &str) -> io::Result<std::fs::File> {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            crate::files::create_private_dir(parent)?;
        }
        crate::files::create_owner_only(&path)
    }
}

impl Sink for PrivateFolder {
    fn write(&mut self, name: &str, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        let mut w = io::BufWriter::with_capacity(1 << 18, self.create(name)?);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()
    }
}

/// A package in a folder: files read only as regular files of a bounded size, never through a
/// link.
pub struct FolderSource {
    pub dir: PathBuf,
}

impl passerelle_package::read::Source for FolderSource {
    fn name(&self) -> String {
        self.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }
    fn open(&self, file: &str, max: u64) -> Result<Box<dyn Read + Send + '_>, String> {
        // `take`: a file that grows after it was opened still stops at the bound.
        Ok(Box::new(crate::files::open_regular(&self.dir, file, max)?.take(max)))
    }
}
