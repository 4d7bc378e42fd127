//! Versions of the questionnaire and the rules: `MAJOR.MINOR.PATCH`, each part 0 to 255, because
//! they travel in the QR code as three bytes.

/// Versions are `MAJOR.MINOR.PATCH` with numbers up to 255 (they travel in the QR code).
pub fn check_version(v: &str) -> Result<(), String> {
    parse_version(v).map(|_| ()).ok_or_else(|| format!("version `{v}` must be MAJOR.MINOR.PATCH, each 0 to 255"))
}

pub fn parse_version(v: &str) -> Option<[u8; 3]> {
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() != 3 {
        return None;
    }
    let mut out = [0u8; 3];
    for (o, p) in out.iter_mut().zip(parts) {
        if p.is_empty() || p.len() > 3 || !p.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    Some(out)
}
