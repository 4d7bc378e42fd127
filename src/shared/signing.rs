//! Signed exports (issue 14): who made a data package, checked with standard tools.
//!
//! Each kiosk creates an Ed25519 key at first start (`signing.key` in its data directory,
//! owner-only, never exported) and signs the `SHA256SUMS` of every export as
//! `SHA256SUMS.minisig`, in minisign's own formats: `minisign -Vm SHA256SUMS -P KEY` verifies a
//! stick. A department key (`passerelle keygen --signing --out FILE`) signs merged packages the
//! same way. `SHA256SUMS` covers every file (datapackage.json holds the same hashes), so one
//! signature covers the whole package.
//!
//! What it protects: a stick changed between the kiosk and the department (edited CSV, re-hashed
//! sums) no longer verifies. What it does not: whoever holds a kiosk's data directory holds its
//! key and can sign anything as that kiosk.

use minisign::{KeyPair, PublicKey, SecretKey, SecretKeyBox, SignatureBox};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

/// Lowercase hexadecimal, as in `SHA256SUMS`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The kiosk's secret key, in its data directory.
pub const KEY_FILE: &str = "signing.key";
/// The signature of a package's SHA256SUMS, next to it.
pub const SIG_FILE: &str = "SHA256SUMS.minisig";

/// A signing key (secret and public halves). Its `Debug` never shows the secret.
pub struct SigningKey {
    sk: SecretKey,
    pk: PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public())
    }
}

fn refuse(path: &Path, why: impl std::fmt::Display) -> String {
    format!("{} : {why}", path.display())
}

impl SigningKey {
    pub fn generate() -> Result<SigningKey, String> {
        let kp = KeyPair::generate_unencrypted_keypair().map_err(|e| format!("création de la clé de signature impossible : {e}"))?;
        Ok(SigningKey { sk: kp.sk, pk: kp.pk })
    }

    /// Writes the secret key to a new owner-only file (never over an existing file or a link).
    pub fn write_new(&self, path: &Path, comment: &str) -> Result<(), String> {
        let text = self.sk.to_box(Some(comment)).map_err(|e| refuse(path, e))?.into_string();
        let mut f =
            crate::shared::files::create_owner_only(path).map_err(|e| refuse(path, format!("création impossible (le fichier ne doit pas exister) : {e}")))?;
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
        let sk = SecretKeyBox::from_string(&text)
            .and_then(SecretKey::from_unencrypted_box)
            .map_err(|e| refuse(path, format!("ce n'est pas une clé de signature Passerelle (minisign, sans mot de passe) : {e}")))?;
        let pk = PublicKey::from_secret_key(&sk).map_err(|e| refuse(path, e))?;
        Ok(SigningKey { sk, pk })
    }

    /// The public key as minisign writes it on one line (`RW…`): `minisign -P` takes it.
    pub fn public(&self) -> String {
        self.pk.to_base64()
    }

    /// The public key file, as `minisign -G` writes it (`-p FILE` takes it).
    pub fn public_file(&self) -> String {
        format!("untrusted comment: minisign public key {}\n{}\n", key_id(self.pk.keynum()), self.public())
    }

    /// The signature file (`.minisig`) of `data`. The trusted comment is signed too and must be
    /// one line.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<String, String> {
        debug_assert!(!trusted_comment.contains(['\n', '\r']));
        let sig = minisign::sign(Some(&self.pk), &self.sk, data, Some(trusted_comment), Some("signature Passerelle de SHA256SUMS"))
            .map_err(|e| format!("signature impossible : {e}"))?;
        Ok(sig.into_string())
    }
}

/// A key id as minisign shows it (16 hexadecimal digits).
fn key_id(keynum: &[u8]) -> String {
    let mut b = [0u8; 8];
    let n = keynum.len().min(8);
    b[..n].copy_from_slice(&keynum[..n]);
    format!("{:016X}", u64::from_le_bytes(b))
}

/// The kiosk's key: read from its data directory, or created there at first use.
pub fn kiosk_key(data_dir: &Path, kiosk_id: &str) -> Result<SigningKey, String> {
    let path = data_dir.join(KEY_FILE);
    match std::fs::symlink_metadata(&path) {
        Ok(_) => SigningKey::read(&path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::shared::files::create_private_dir(data_dir).map_err(|e| e.to_string())?;
            let key = SigningKey::generate()?;
            match key.write_new(&path, &format!("cle de signature de la borne {kiosk_id} (ne quitte jamais la borne)")) {
                Ok(()) => {
                    log::info!("signing key created");
                    Ok(key)
                }
                // Another process (the kiosk starting, an export) made it first: that one counts.
                Err(_) if std::fs::symlink_metadata(&path).is_ok() => SigningKey::read(&path),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(refuse(&path, e)),
    }
}

/// What a trusted key may vouch for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// One kiosk's exports: every row must name this kiosk.
    Kiosk,
    /// Merged packages (the department's key).
    Merge,
}

/// One line of a trusted keys file.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// The kiosk id (or the name of a merge key).
    pub name: String,
    pub role: Role,
    /// The public key as written (minisign, one line).
    pub text: String,
    key: PublicKey,
}

/// A trusted keys file: `KIOSK_ID PUBLIC_KEY` per kiosk, `fusion NAME PUBLIC_KEY` for a key that
/// signs merged packages; `#` starts a comment.
#[derive(Debug, Clone)]
pub struct TrustedKeys {
    pub file: String,
    pub keys: Vec<TrustedKey>,
}

impl TrustedKeys {
    pub fn read(path: &Path) -> Result<TrustedKeys, String> {
        let text = std::fs::read_to_string(path).map_err(|e| refuse(path, format!("illisible : {e}")))?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, file: &str) -> Result<TrustedKeys, String> {
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let bad = |why: &str| format!("{file}, ligne {} : {why}", i + 1);
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let (role, name, key) = match words[..] {
                [name, key] => (Role::Kiosk, name, key),
                ["fusion", name, key] => (Role::Merge, name, key),
                _ => return Err(bad("attendu « IDENTIFIANT_BORNE CLÉ_PUBLIQUE » ou « fusion NOM CLÉ_PUBLIQUE »")),
            };
            if !passerelle_core::config::valid_kiosk_id(name) {
                return Err(bad("nom invalide (1 à 32 lettres minuscules, chiffres ou « - »)"));
            }
            let pk = PublicKey::from_base64(key).map_err(|_| bad("ce n'est pas une clé publique minisign (RW…)"))?;
            // One key, one name: a key that vouched for two kiosks would let one sign as the other.
            if let Some(k) = keys.iter().find(|k: &&TrustedKey| k.text == key) {
                return Err(bad(&format!("cette clé figure déjà, pour {}", k.name)));
            }
            keys.push(TrustedKey { name: name.to_string(), role, text: key.to_string(), key: pk });
        }
        if keys.is_empty() {
            return Err(format!("{file} : aucune clé de confiance"));
        }
        Ok(TrustedKeys { file: file.to_string(), keys })
    }

    /// Checks the signature of the package in `dir`: its `SHA256SUMS` must be the one whose
    /// SHA-256 is `fingerprint` (the one that was checked), signed by one of these keys.
    /// Returns the signer, or the reason (French) to refuse the package.
    pub fn signer(&self, dir: &Path, fingerprint: &str) -> Result<&TrustedKey, String> {
        let sums = crate::shared::files::read_regular(dir, "SHA256SUMS", 64 << 20)?;
        if hex(&Sha256::digest(&sums)) != fingerprint {
            return Err("SHA256SUMS a changé pendant la vérification".into());
        }
        // A regular file of a signature's size, not a link or a device.
        let sig = match crate::shared::files::read_regular(dir, SIG_FILE, 4096) {
            Ok(s) => s,
            Err(e) if e.ends_with("manque") => {
                return Err(format!("export non signé ({SIG_FILE} manque) : sa provenance ne peut pas être vérifiée"));
            }
            Err(e) => return Err(e),
        };
        let sig = std::str::from_utf8(&sig)
            .ok()
            .filter(|s| s.len() < 4096)
            .and_then(|s| SignatureBox::from_string(s).ok())
            .ok_or_else(|| format!("{SIG_FILE} illisible : ce n'est pas une signature minisign"))?;
        let candidates: Vec<&TrustedKey> = self.keys.iter().filter(|k| k.key.keynum() == sig.keynum()).collect();
        if candidates.is_empty() {
            return Err(format!("signé par une clé inconnue (identifiant {}), absente de {}", key_id(sig.keynum()), self.file));
        }
        for k in candidates {
            if minisign::verify(&k.key, &sig, std::io::Cursor::new(&sums), true, false, false).is_ok() {
                return Ok(k);
            }
        }
        Err(format!("la signature ({SIG_FILE}) ne correspond pas à SHA256SUMS : le paquet a été modifié après avoir été signé"))
    }
}
