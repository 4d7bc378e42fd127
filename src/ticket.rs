//! The printed ticket: one 1-bit raster image (so French accents always print right), sent to a
//! thermal printer as ESC/POS `GS v 0` raster bands, to CUPS as a PNG, or saved as a PNG preview.
//! The PNG and the ESC/POS stream carry exactly the same pixels.

use crate::i18n::{tr, tr_with};
use crate::summary::{Summary, pretty_reference};
use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use chrono::NaiveDate;
use image::{GrayImage, Luma};

const REGULAR: &[u8] = include_bytes!("../assets/fonts/AtkinsonHyperlegible_400Regular.ttf");
const BOLD: &[u8] = include_bytes!("../assets/fonts/AtkinsonHyperlegible_700Bold.ttf");

/// Printer resolution: 8 dots per millimetre (203 dpi), the usual thermal printer.
pub const DOTS_PER_MM: u32 = 8;
/// The printed QR code is at least this wide, quiet zone excluded.
pub const QR_MIN_MM: u32 = 35;

/// What goes on a ticket.
#[derive(Debug, Clone)]
pub struct TicketData {
    pub structure: String,
    pub commune: String,
    pub date: NaiveDate,
    pub lang: String,
    pub summary: Summary,
    pub payload: String,
    pub reference: String,
    /// Where to go next (up to three places).
    pub places: Vec<crate::orientation::PlaceLine>,
}

impl TicketData {
    /// The ticket of a stored visit (its date, its language, its profile).
    /// The ticket of a stored visit, with the places suggested as of `now`.
    pub fn from_stored(kiosk: &crate::kiosk::Kiosk, v: &crate::store::StoredVisit, now: chrono::NaiveDateTime) -> anyhow::Result<TicketData> {
        let profile: passerelle_core::profile::Profile = serde_json::from_value(v.profile.clone())?;
        Ok(TicketData {
            structure: kiosk.config.structure.clone(),
            commune: kiosk.config.commune.clone(),
            date: NaiveDate::parse_from_str(&v.local_date, "%Y-%m-%d")?,
            lang: v.lang.clone(),
            summary: crate::summary::summary(&profile, &kiosk.questionnaire, &kiosk.rules.capability_question, &v.lang),
            payload: v.payload.clone(),
            reference: v.id.clone(),
            places: {
                let book = crate::orientation::load(&kiosk.config.data_dir, kiosk.config.departement.as_deref());
                crate::orientation::lines(&crate::orientation::suggest(kiosk, &book, &profile, now), now, &v.lang)
            },
        })
    }
}

/// Printable width in dots for a paper width (58 mm paper prints 48 mm, 80 mm prints 72 mm).
pub fn printable_dots(width_mm: u32) -> u32 {
    if width_mm <= 58 { 384 } else { 576 }
}

struct Canvas {
    img: GrayImage,
    y: u32,
    margin: u32,
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

impl Canvas {
    fn width(&self) -> u32 {
        self.img.width()
    }

    fn grow(&mut self, to: u32) {
        if to > self.img.height() {
            let mut bigger = GrayImage::from_pixel(self.width(), to + 200, Luma([255]));
            image::imageops::replace(&mut bigger, &self.img, 0, 0);
            self.img = bigger;
        }
    }

    fn wrap(font: &FontRef, size: f32, text: &str, max: f32) -> Vec<String> {
        let sf = font.as_scaled(PxScale::from(size));
        let width = |s: &str| {
            let mut w = 0.0;
            let mut prev = None;
            for c in s.chars() {
                let id = sf.glyph_id(c);
                if let Some(p) = prev {
                    w += sf.kern(p, id);
                }
                w += sf.h_advance(id);
                prev = Some(id);
            }
            w
        };
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
                if width(&candidate) <= max || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_string();
                }
            }
            lines.push(line);
        }
        lines
    }

    /// Draw wrapped text; `center` centres each line. Coverage above one half is black.
    fn text(&mut self, text: &str, size: f32, bold: bool, center: bool) {
        let font = if bold { self.bold.clone() } else { self.regular.clone() };
        let sf = font.as_scaled(PxScale::from(size));
        let max = (self.width() - 2 * self.margin) as f32;
        let line_h = (sf.ascent() - sf.descent() + sf.line_gap()).ceil() as u32;
        for line in Self::wrap(&font, size, text, max) {
            self.grow(self.y + line_h + 4);
            let mut glyphs = Vec::new();
            let mut x = 0.0;
            let mut prev = None;
            for c in line.chars() {
                let id = sf.glyph_id(c);
                if let Some(p) = prev {
                    x += sf.kern(p, id);
                }
                glyphs.push(id.with_scale_and_position(PxScale::from(size), point(x, sf.ascent())));
                x += sf.h_advance(id);
                prev = Some(id);
            }
            let x0 = if center { self.margin as f32 + (max - x).max(0.0) / 2.0 } else { self.margin as f32 };
            let (w, h) = (self.img.width() as i32, self.img.height() as i32);
            for g in glyphs {
                if let Some(outline) = font.outline_glyph(g) {
                    let b = outline.px_bounds();
                    let (ox, oy) = (x0 as i32 + b.min.x as i32, self.y as i32 + b.min.y as i32);
                    let img = &mut self.img;
                    outline.draw(|gx, gy, cov| {
                        let (px, py) = (ox + gx as i32, oy + gy as i32);
                        if cov > 0.5 && px >= 0 && py >= 0 && px < w && py < h {
                            img.put_pixel(px as u32, py as u32, Luma([0]));
                        }
                    });
                }
            }
            self.y += line_h;
        }
    }

    fn space(&mut self, dots: u32) {
        self.y += dots;
        self.grow(self.y);
    }

    fn rule(&mut self) {
        self.grow(self.y + 4);
        for x in self.margin..self.width() - self.margin {
            for dy in 0..2 {
                self.img.put_pixel(x, self.y + dy, Luma([0]));
            }
        }
        self.y += 12;
    }

    /// The QR code, centred, at least `QR_MIN_MM` wide, with its quiet zone.
    fn qr(&mut self, payload: &str) -> Result<(), TicketError> {
        let code = crate::qr::code(payload).map_err(|e| TicketError::Qr(e.to_string()))?;
        let modules = code.width() as u32 + 2 * crate::qr::QUIET_ZONE;
        // At least QR_MIN_MM (aim for 45 mm), within the paper (the quiet zone may use the margins).
        let min_scale = (QR_MIN_MM * DOTS_PER_MM).div_ceil(code.width() as u32);
        let target = (45 * DOTS_PER_MM).div_ceil(code.width() as u32);
        let fit = (self.width() / modules).max(1);
        let scale = fit.min(min_scale.max(target));
        let img = crate::qr::render(payload, scale).map_err(|e| TicketError::Qr(e.to_string()))?;
        let x = (self.width().saturating_sub(img.width())) / 2;
        self.grow(self.y + img.height() + 4);
        for (ix, iy, p) in img.enumerate_pixels() {
            let v = if p.0[0] < 128 { 0 } else { 255 };
            self.img.put_pixel(x + ix, self.y + iy, Luma([v]));
        }
        self.y += img.height();
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("cannot draw the QR code: {0}")]
    Qr(String),
    #[error("cannot load the ticket font")]
    Font,
}

/// Draw the ticket for a paper width (58 or 80 mm): black (0) and white (255) pixels only.
pub fn render(t: &TicketData, width_mm: u32) -> Result<GrayImage, TicketError> {
    let width = printable_dots(width_mm);
    let k = width as f32 / 576.0;
    let regular = FontRef::try_from_slice(REGULAR).map_err(|_| TicketError::Font)?;
    let bold = FontRef::try_from_slice(BOLD).map_err(|_| TicketError::Font)?;
    let mut c = Canvas { img: GrayImage::from_pixel(width, 800, Luma([255])), y: 8, margin: 8, regular, bold };
    let lang = t.lang.as_str();
    c.text(&t.structure, 34.0 * k, true, true);
    c.text(&format!("{} · {}", t.commune, t.date.format("%d/%m/%Y")), 26.0 * k, false, true);
    c.space(8);
    c.rule();
    c.text(&tr(lang, "end.thanks"), 34.0 * k, true, false);
    let s = &t.summary;
    for (title, items) in [(&s.at_ease_title, &s.at_ease), (&s.help_title, &s.help)] {
        if !title.is_empty() {
            c.space(6);
            c.text(title, 26.0 * k, true, false);
        }
        for item in items {
            c.text(&format!("• {item}"), 26.0 * k, false, false);
        }
    }
    if !s.mode.is_empty() {
        c.space(6);
        c.text(&s.mode, 26.0 * k, true, false);
    }
    c.space(10);
    c.rule();
    c.qr(&t.payload)?;
    c.text(&tr(lang, "end.show-code"), 26.0 * k, true, true);
    c.text(&tr_with(lang, "end.reference", &[("ref", &pretty_reference(&t.reference))]), 30.0 * k, true, true);
    c.space(8);
    c.rule();
    if !t.places.is_empty() {
        c.text(&tr(lang, "places.title"), 28.0 * k, true, false);
        for p in &t.places {
            c.space(4);
            c.text(&p.name, 25.0 * k, true, false);
            c.text(&p.address, 23.0 * k, false, false);
            let mut line = p.opening.clone();
            if !p.phone.is_empty() {
                line = format!("{line} · {}", p.phone);
            }
            c.text(&line, 23.0 * k, false, false);
            c.text(&format!("• {}", p.why), 23.0 * k, false, false);
        }
        c.space(8);
        c.rule();
    }
    c.text(&tr(lang, "ticket.next"), 24.0 * k, false, false);
    c.space(24);
    let h = c.y.max(1);
    Ok(image::imageops::crop_imm(&c.img, 0, 0, width, h).to_image())
}

/// The ESC/POS stream of a ticket image: initialise, raster bands (`GS v 0`), feed, cut.
pub fn escpos(img: &GrayImage) -> Vec<u8> {
    const BAND: u32 = 256;
    let bytes_per_row = img.width().div_ceil(8);
    let mut out = vec![0x1b, 0x40]; // ESC @: initialise
    let mut y0 = 0;
    while y0 < img.height() {
        let rows = BAND.min(img.height() - y0);
        out.extend_from_slice(&[0x1d, 0x76, 0x30, 0x00]); // GS v 0, normal density
        out.extend_from_slice(&[(bytes_per_row & 0xff) as u8, (bytes_per_row >> 8) as u8, (rows & 0xff) as u8, (rows >> 8) as u8]);
        for y in y0..y0 + rows {
            for bx in 0..bytes_per_row {
                let mut byte = 0u8;
                for bit in 0..8 {
                    let x = bx * 8 + bit;
                    if x < img.width() && img.get_pixel(x, y).0[0] < 128 {
                        byte |= 0x80 >> bit;
                    }
                }
                out.push(byte);
            }
        }
        y0 += rows;
    }
    out.extend_from_slice(&[0x1b, 0x64, 0x04]); // ESC d 4: feed 4 lines
    out.extend_from_slice(&[0x1d, 0x56, 0x42, 0x00]); // GS V B 0: feed and partial cut
    out
}

/// Read the raster back from an ESC/POS stream (for tests and support): the bands of every
/// `GS v 0` command stacked into one image. Returns None on a malformed stream.
pub fn escpos_raster(stream: &[u8]) -> Option<GrayImage> {
    let mut i = 0;
    let mut width = 0u32;
    let mut rows: Vec<Vec<u8>> = Vec::new();
    while i < stream.len() {
        if stream[i..].starts_with(&[0x1d, 0x76, 0x30]) {
            let h = stream.get(i + 4..i + 8)?;
            let bpr = u32::from(h[0]) | (u32::from(h[1]) << 8);
            let n = u32::from(h[2]) | (u32::from(h[3]) << 8);
            if width != 0 && width != bpr * 8 {
                return None;
            }
            width = bpr * 8;
            let data = stream.get(i + 8..i + 8 + (bpr * n) as usize)?;
            rows.extend(data.chunks(bpr as usize).map(<[u8]>::to_vec));
            i += 8 + (bpr * n) as usize;
        } else {
            i += 1;
        }
    }
    if rows.is_empty() {
        return None;
    }
    let mut img = GrayImage::from_pixel(width, rows.len() as u32, Luma([255]));
    for (y, row) in rows.iter().enumerate() {
        for x in 0..width {
            if row[(x / 8) as usize] & (0x80 >> (x % 8)) != 0 {
                img.put_pixel(x, y as u32, Luma([0]));
            }
        }
    }
    Some(img)
}
