//! Contact details are sealed on the kiosk for the admin's key (age, X25519 recipient): the
//! kiosk can write them but never read them back; only the holder of the identity file can
//! (`passerelle decrypt`: [`decrypt_contacts`]).

use age::secrecy::ExposeSecret;
use passerelle_core::answers::Contact;
use passerelle_package::read;
use passerelle_package::shapes::contact_file;
use passerelle_package::signing::TrustedKeys;
use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SealError {
    #[error("the recipient key in kiosk.toml is not a valid age X25519 recipient")]
    BadRecipient,
    #[error("the identity file holds no valid age X25519 identity")]
    BadIdentity,
    #[error("encryption failed: {0}")]
    Encrypt(String),
    #[error("these contact details cannot be opened with this identity")]
    Decrypt,
}

pub fn parse_recipient(s: &str) -> Result<age::x25519::Recipient, SealError> {
    age::x25519::Recipient::from_str(s.trim()).map_err(|_| SealError::BadRecipient)
}

/// Encrypt contact details (as JSON) for `recipient`.
pub fn seal(recipient: &str, contact: &Contact) -> Result<Vec<u8>, SealError> {
    let r = parse_recipient(recipient)?;
    let plain = zeroize_json(contact);
    age::encrypt(&r, plain.as_bytes()).map_err(|e| SealError::Encrypt(e.to_string()))
}

fn zeroize_json(contact: &Contact) -> String {
    serde_json::to_string(contact).unwrap_or_default()
}

/// Decrypt sealed contact details with an identity file's text (`AGE-SECRET-KEY-1…` lines).
pub fn open(identity_text: &str, sealed: &[u8]) -> Result<Contact, SealError> {
    let ids: Vec<age::x25519::Identity> =
        identity_text.lines().map(str::trim).filter(|l| l.starts_with("AGE-SECRET-KEY-")).filter_map(|l| age::x25519::Identity::from_str(l).ok()).collect();
    if ids.is_empty() {
        return Err(SealError::BadIdentity);
    }
    for id in &ids {
        if let Ok(plain) = age::decrypt(id, sealed) {
            return serde_json::from_slice(&plain).map_err(|_| SealError::Decrypt);
        }
    }
    Err(SealError::Decrypt)
}

/// A new identity: (identity file text, public recipient).
pub fn keygen() -> (String, String) {
    let id = age::x25519::Identity::generate();
    let public = id.to_public().to_string();
    let text = format!("# Passerelle admin identity: keep it secret, never on the kiosk.\n# public key: {public}\n{}\n", id.to_string().expose_secret());
    (text, public)
}

/// Contact details of an export (or of a merge, where they sit in `contacts/<kiosk>/`), decrypted
/// with the admin's identity: CSV text, one row per visitor, the kiosk last, and whether the
/// package's signature was checked.
///
/// The package is checked whole first, each file read once: only the contact files that its
/// `SHA256SUMS` lists (with their hash), under a valid name, and whose visit is in its
/// `visits.csv`, are decrypted; a file dropped beside them is not (anyone can seal for the
/// admin's public key). With trusted keys, the package's signature must hold.
pub fn decrypt_contacts(identity: &str, export_dir: &Path, keys: Option<&TrustedKeys>) -> anyhow::Result<(String, usize)> {
    let mut visits: HashSet<(String, String)> = HashSet::new();
    let mut sealed: Vec<(String, Vec<u8>)> = Vec::new();
    let src = passerelle_shared::folder::FolderSource { dir: export_dir.to_path_buf() };
    let pkg = read::open_visiting(
        &src,
        &mut |table, fields, rec| {
            if table == "visits" {
                let col = |n: &str| fields.iter().position(|f| f.name == n);
                if let (Some(k), Some(v)) = (col("kiosk_id"), col("visit_id")) {
                    visits.insert((String::from_utf8_lossy(&rec[k]).into_owned(), String::from_utf8_lossy(&rec[v]).into_owned()));
                }
            }
        },
        &mut |file, bytes| {
            if file.starts_with("contacts/") {
                sealed.push((file.to_string(), bytes.to_vec()));
            }
        },
    )
    .map_err(|e| anyhow::anyhow!("{} : {e}", export_dir.display()))?;
    if let Some(keys) = keys {
        read::provenance(&pkg, keys).map_err(|e| anyhow::anyhow!("{} : {e}", export_dir.display()))?;
    }
    let own_kiosk = pkg.kiosk("kiosk_id");
    let mut entries: Vec<(String, String, Vec<u8>)> = Vec::new(); // (kiosk, visit, sealed)
    for (file, bytes) in sealed {
        let Some((kiosk, visit)) = contact_file(&file) else { continue };
        let kiosk = kiosk.map(str::to_string).unwrap_or_else(|| own_kiosk.clone());
        if visits.contains(&(kiosk.clone(), visit.to_string())) {
            entries.push((kiosk, visit.to_string(), bytes));
        } else {
            log::warn!("a contact file names no visit of the package: left out");
        }
    }
    entries.sort();
    let mut out = Vec::new();
    out.extend_from_slice(passerelle_package::format::BOM);
    let mut c = csv::Writer::from_writer(&mut out);
    c.write_record(["visit_id", "last_name", "first_name", "phone", "address", "email", "kiosk_id"])?;
    for (kiosk, visit, bytes) in &entries {
        let contact = open(identity, bytes).map_err(|e| anyhow::anyhow!("contacts/{visit} : {e}"))?;
        // Opened by a person in a spreadsheet: every field is text (a phone number too).
        let fields = [visit.clone(), contact.last_name, contact.first_name, contact.phone, contact.address, contact.email, kiosk.clone()];
        c.write_record(fields.iter().map(|f| passerelle_package::spreadsheet::protect_text(f).into_owned()))?;
    }
    drop(c);
    Ok((String::from_utf8(out)?, entries.len()))
}
