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

impl SigningKey {
    pub fn generate() -> Result<SigningKey, String> {
        let kp = KeyPair::generate_unencrypted_keypair().map_err(|e| format!("création de la clé de signature impossible : {e}"))?;
        Ok(SigningKey { sk: kp.sk, pk: kp.pk })
    }

    /// The secret key file's text (minisign's format, unencrypted), with its comment.
    pub fn to_secret_text(&self, comment: &str) -> Result<String, String> {
        Ok(self.sk.to_box(Some(comment)).map_err(|e| e.to_string())?.into_string())
    }

    /// Reads a secret key file's text.
    pub fn from_secret_text(text: &str) -> Result<SigningKey, String> {
        let sk = SecretKeyBox::from_string(text)
            .and_then(SecretKey::from_unencrypted_box)
            .map_err(|e| format!("ce n'est pas une clé de signature Passerelle (minisign, sans mot de passe) : {e}"))?;
        let pk = PublicKey::from_secret_key(&sk).map_err(|e| e.to_string())?;
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
pub fn key_id(keynum: &[u8]) -> String {
    let mut b = [0u8; 8];
    let n = keynum.len().min(8);
    b[..n].copy_from_slice(&keynum[..n]);
    format!("{:016X}", u64::from_le_bytes(b))
}

/// What a trusted key may vouch for. Each role is its own namespace: a kiosk's key never vouches
/// for a structure's pickups, nor a structure's key for a kiosk's visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// One kiosk's exports: every row must name this kiosk (`KIOSK_ID KEY` or `borne KIOSK_ID KEY`).
    Kiosk,
    /// One mediator structure's pickup packages (`structure STRUCTURE_ID KEY`).
    Structure,
    /// Merged packages, the department's key (`fusion NAME KEY`).
    Merge,
}

impl Role {
    /// The word a trusted keys file gives the role.
    pub fn word(self) -> &'static str {
        match self {
            Role::Kiosk => "borne",
            Role::Structure => "structure",
            Role::Merge => "fusion",
        }
    }

    /// The trusted comment a package signed in this role carries: `passerelle borne=ID …`,
    /// `passerelle structure=ID …`, `passerelle fusion …`.
    pub fn comment_agrees(self, name: &str, comment: &str) -> bool {
        let mut words = comment.split(' ');
        if words.next() != Some("passerelle") {
            return false;
        }
        let first = words.next().unwrap_or_default();
        match self {
            Role::Kiosk => first == format!("borne={name}"),
            Role::Structure => first == format!("structure={name}") && words.any(|w| w == "prises_en_charge"),
            Role::Merge => first == "fusion" || first == format!("fusion={name}"),
        }
    }
}

/// The words that start a line of a trusted keys file with its role: never a kiosk's name.
const ROLE_WORDS: [&str; 3] = ["borne", "structure", "fusion"];

/// One line of a trusted keys file.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// The kiosk id, the structure id, or the name of a merge key.
    pub name: String,
    pub role: Role,
    /// The public key as written (minisign, one line).
    pub text: String,
    key: PublicKey,
}

impl TrustedKey {
    /// The line of a trusted keys file for this key.
    pub fn line(&self) -> String {
        format!("{} {} {}", self.role.word(), self.name, self.text)
    }
}

/// A trusted keys file, one key a line: `KIOSK_ID KEY` or `borne KIOSK_ID KEY` for a kiosk,
/// `structure STRUCTURE_ID KEY` for a mediator structure, `fusion NAME KEY` for a key that signs
/// merged packages; `#` starts a comment.
#[derive(Debug, Clone)]
pub struct TrustedKeys {
    pub file: String,
    pub keys: Vec<TrustedKey>,
}

impl TrustedKeys {
    pub fn parse(text: &str, file: &str) -> Result<TrustedKeys, String> {
        let mut keys = Vec::new();
        // A file saved by Windows' Notepad starts with a byte order mark.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (i, line) in text.lines().enumerate() {
            let bad = |why: &str| format!("{file}, ligne {} : {why}", i + 1);
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            if line.chars().any(|c| c.is_control() && c != '\t') {
                return Err(bad("caractère de contrôle"));
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let expected = "attendu « borne IDENTIFIANT CLÉ », « structure IDENTIFIANT CLÉ » ou « fusion NOM CLÉ »";
            let (role, name, key) = match words[..] {
                ["borne", name, key] => (Role::Kiosk, name, key),
                ["structure", name, key] => (Role::Structure, name, key),
                ["fusion", name, key] => (Role::Merge, name, key),
                // A role word with one word after it is a line with its name or key missing, not a
                // kiosk named after the role.
                [word, _] if ROLE_WORDS.contains(&word) => return Err(bad(&format!("ligne ambiguë : {expected}"))),
                [name, key] => (Role::Kiosk, name, key),
                _ => return Err(bad(expected)),
            };
            if !passerelle_core::config::valid_kiosk_id(name) || ROLE_WORDS.contains(&name) {
                return Err(bad("nom invalide (1 à 32 lettres minuscules, chiffres ou « - », et pas borne, structure ni fusion)"));
            }
            let pk = PublicKey::from_base64(key).map_err(|_| bad("ce n'est pas une clé publique minisign (RW…)"))?;
            // One key, one name: a key that vouched for two kiosks would let one sign as the other.
            if let Some(k) = keys.iter().find(|k: &&TrustedKey| k.text == key) {
                return Err(bad(&format!("cette clé figure déjà, pour {}", k.name)));
            }
            if let Some(k) = keys.iter().find(|k: &&TrustedKey| k.role == role && k.name == name) {
                return Err(bad(&format!("{} {} a déjà une clé (ligne précédente) : une seule clé par nom", k.role.word(), k.name)));
            }
            keys.push(TrustedKey { name: name.to_string(), role, text: key.to_string(), key: pk });
        }
        if keys.is_empty() {
            return Err(format!("{file} : aucune clé de confiance"));
        }
        Ok(TrustedKeys { file: file.to_string(), keys })
    }

    /// The key among these that signed `sums` (the bytes of a package's `SHA256SUMS` that were
    /// checked) with `sig` (the bytes of its `SHA256SUMS.minisig`), or the reason (French) to
    /// refuse the package.
    pub fn verify(&self, sums: &[u8], sig: &[u8]) -> Result<&TrustedKey, String> {
        self.verify_with_comment(sums, sig).map(|(k, _)| k)
    }

    /// [`TrustedKeys::verify`], with the signature's trusted comment (signed with the data).
    pub fn verify_with_comment(&self, sums: &[u8], sig: &[u8]) -> Result<(&TrustedKey, String), String> {
        let sig = std::str::from_utf8(sig)
            .ok()
            .filter(|s| s.len() < 4096)
            .and_then(|s| SignatureBox::from_string(s).ok())
            .ok_or_else(|| format!("{SIG_FILE} illisible : ce n'est pas une signature minisign"))?;
        let candidates: Vec<&TrustedKey> = self.keys.iter().filter(|k| k.key.keynum() == sig.keynum()).collect();
        if candidates.is_empty() {
            return Err(format!("signé par une clé inconnue (identifiant {}), absente de {}", key_id(sig.keynum()), self.file));
        }
        for k in candidates {
            if minisign::verify(&k.key, &sig, std::io::Cursor::new(sums), true, false, false).is_ok() {
                let comment = sig.trusted_comment().map_err(|e| format!("{SIG_FILE} : commentaire signé illisible ({e})"))?;
                return Ok((k, comment));
            }
        }
        Err(format!("la signature ({SIG_FILE}) ne correspond pas à SHA256SUMS : le paquet a été modifié après avoir été signé"))
    }
}
