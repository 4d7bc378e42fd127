//! QR codes of the handoff payload: the same matrix for the screen, the PNG and the ticket.

use image::{Rgba, RgbaImage};
use qrcode::{EcLevel, QrCode};

/// Modules of white margin around the code (the standard's quiet zone).
pub const QUIET_ZONE: u32 = 4;

/// The QR code of a payload: error correction Q (M when Q would need a version above 10).
pub fn code(payload: &str) -> Result<QrCode, qrcode::types::QrError> {
    let q = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::Q)?;
    if let qrcode::Version::Normal(v) = q.version()
        && v > 10
    {
        return QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M);
    }
    Ok(q)
}

/// The QR version (1–40) of a payload.
pub fn version(payload: &str) -> Option<i16> {
    match code(payload).ok()?.version() {
        qrcode::Version::Normal(v) => Some(v),
        qrcode::Version::Micro(_) => None,
    }
}

/// Black on white, `scale` pixels per module, with the quiet zone.
pub fn render(payload: &str, scale: u32) -> Result<RgbaImage, qrcode::types::QrError> {
    let q = code(payload)?;
    let n = q.width() as u32;
    let side = (n + 2 * QUIET_ZONE) * scale;
    let mut img = RgbaImage::from_pixel(side, side, Rgba([255, 255, 255, 255]));
    let colors = q.to_colors();
    for y in 0..n {
        for x in 0..n {
            if colors[(y * n + x) as usize] == qrcode::Color::Dark {
                for dy in 0..scale {
                    for dx in 0..scale {
                        img.put_pixel((x + QUIET_ZONE) * scale + dx, (y + QUIET_ZONE) * scale + dy, Rgba([0, 0, 0, 255]));
                    }
                }
            }
        }
    }
    Ok(img)
}
