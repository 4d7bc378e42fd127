//! Signing keys on disk: the kiosk's (or a structure's) secret key, created at first use as an
//! owner-only file of its data directory and never exported; the department's trusted keys file;
//! a package folder's signature checked against them.

use crate::files;
use passerelle_package::signing::{KEY_FILE, SIG_FILE, SigningKey, TrustedKey, TrustedKeys, hex};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

fn refuse(path: &Path, why: impl std::fmt::Display) -> String {
    format!("{} : {why}", path.display())
}

/// Writes the secret key to a new owner-only file (never over an existing file or a link).
pub fn write_new(key: &SigningKey, path: &Path, comment: &str) -> Result<(), String> {
    let text = key.to_secret_text(comment).map_err(|e| refuse(path, e))?;
    let mut f = files::create_owner_only(path).map_err(|e| refuse(path, format!("création impossible (le fichier ne doit pas exister) : {e}")))?;
    f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).map_err(|e| refuse(path, e))
}

/// Reads a secret key file (not through a symbolic link).
pub fn read(path: &Path) -> Result<SigningKey, String> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW);
    }
    let mut text = String::new();
    o.open(path).and_then(|f| f.take(4096).read_to_string(&mut text)).map_err(|e| refuse(path, format!("clé de signature illisible : {e}")))?;
    SigningKey::from_secret_text(&text).map_err(|e| refuse(path, e))
}

/// The kiosk's key: read from its data directory, or created there at first use.
pub fn kiosk_key(data_dir: &Path, kiosk_id: &str) -> Result<SigningKey, String> {
    let path = data_dir.join(KEY_FILE);
    match std::fs::symlink_metadata(&path) {
        Ok(_) => read(&path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            files::create_private_dir(data_dir).map_err(|e| e.to_string())?;
            let key = SigningKey::generate()?;
            match write_new(&key, &path, &format!("cle de signature de la borne {kiosk_id} (ne quitte jamais la borne)")) {
                Ok(()) => {
                    log::info!("signing key created");
                    Ok(key)
                }
                // Another process (the kiosk starting, an export) made it first: that one counts.
                Err(_) if std::fs::symlink_metadata(&path).is_ok() => read(&path),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(refuse(&path, e)),
    }
}

/// Reads a trusted keys file.
pub fn read_trusted(path: &Path) -> Result<TrustedKeys, String> {
    let text = std::fs::read_to_string(path).map_err(|e| refuse(path, format!("illisible : {e}")))?;
    TrustedKeys::parse(&text, &path.display().to_string())
}

/// Checks the signature of the package in `dir`: its `SHA256SUMS` must be the one whose SHA-256
/// is `fingerprint` (the one that was checked), signed by one of `keys`. Returns the signer, or
/// the reason (French) to refuse the package.
pub fn signer<'k>(keys: &'k TrustedKeys, dir: &Path, fingerprint: &str) -> Result<&'k TrustedKey, String> {
    let sums = files::read_regular(dir, "SHA256SUMS", 64 << 20)?;
    if hex(&Sha256::digest(&sums)) != fingerprint {
        return Err("SHA256SUMS a changé pendant la vérification".into());
    }
    // A regular file of a signature's size, not a link or a device.
    let sig = match files::read_regular(dir, SIG_FILE, 4096) {
        Ok(s) => s,
        Err(e) if e.ends_with("manque") => {
            return Err(format!("export non signé ({SIG_FILE} manque) : sa provenance ne peut pas être vérifiée"));
        }
        Err(e) => return Err(e),
    };
    keys.verify(&sums, &sig)
}
