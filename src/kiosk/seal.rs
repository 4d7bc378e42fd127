//! Contact details are sealed on the kiosk for the admin's key (age, X25519 recipient): the
//! kiosk can write them but never read them back; only the holder of the identity file can.

use age::secrecy::ExposeSecret;
use passerelle_core::answers::Contact;
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
