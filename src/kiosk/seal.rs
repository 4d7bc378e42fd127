//! Contact details are sealed on the kiosk for the admin's key (age, X25519 recipient): the
//! kiosk can write them but never read them back; only the holder of the identity file can
//! (`passerelle decrypt`: [`decrypt_contacts`]).

use age::secrecy::ExposeSecret;
use passerelle_core::answers::Contact;
use serde_json::Value;
use std::io;
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
/// with the admin's identity: CSV text, one row per visitor, the kiosk last.
pub fn decrypt_contacts(identity: &str, export_dir: &Path) -> anyhow::Result<(String, usize)> {
    // A kiosk's own export names its kiosk in datapackage.json.
    let own_kiosk = crate::shared::files::read_regular(export_dir, "datapackage.json", 64 << 20)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v["passerelle"]["kiosk_id"].as_str().map(String::from))
        .unwrap_or_default();
    let mut entries: Vec<(String, String)> = Vec::new(); // (kiosk, path inside the folder)
    let list = |rel: &str| -> anyhow::Result<Vec<(String, bool)>> {
        match std::fs::read_dir(export_dir.join(rel)) {
            Ok(rd) => Ok(rd.filter_map(|e| e.ok()).map(|e| (e.file_name().to_string_lossy().into_owned(), e.file_type().is_ok_and(|t| t.is_dir()))).collect()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", export_dir.join(rel).display())),
        }
    };
    for (name, dir) in list("contacts")? {
        if dir {
            for (file, sub) in list(&format!("contacts/{name}"))? {
                if !sub && file.ends_with(".age") {
                    entries.push((name.clone(), format!("contacts/{name}/{file}")));
                }
            }
        } else if name.ends_with(".age") {
            entries.push((own_kiosk.clone(), format!("contacts/{name}")));
        }
    }
    entries.sort();
    let mut out = Vec::new();
    out.extend_from_slice(crate::kiosk::export::BOM);
    let mut c = csv::Writer::from_writer(&mut out);
    c.write_record(["visit_id", "last_name", "first_name", "phone", "address", "email", "kiosk_id"])?;
    for (kiosk, rel) in &entries {
        // A regular file of a sealed contact's size: not a link out of the folder, not a device.
        let sealed = crate::shared::files::read_regular(export_dir, rel, 1 << 20).map_err(anyhow::Error::msg)?;
        let contact = open(identity, &sealed).map_err(|e| anyhow::anyhow!("{rel}: {e}"))?;
        let id = rel.rsplit('/').next().unwrap_or_default().trim_end_matches(".age").to_string();
        // Opened by a person in a spreadsheet: every field is text (a phone number too).
        let fields = [id, contact.last_name, contact.first_name, contact.phone, contact.address, contact.email, kiosk.clone()];
        c.write_record(fields.iter().map(|f| crate::shared::spreadsheet::protect_text(f).into_owned()))?;
    }
    drop(c);
    Ok((String::from_utf8(out)?, entries.len()))
}
