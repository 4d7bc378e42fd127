//! The printed ticket: one 1-bit raster image (so French accents always print right), sent to a
//! thermal printer as ESC/POS `GS v 0` raster bands, to CUPS as a PNG, or saved as a PNG preview.
//! The PNG and the ESC/POS stream carry exactly the same pixels.
//!
//! Text is shaped, not drawn char by char: each paragraph gets its bidi levels (unicode-bidi),
//! each line is cut into runs of one level and one font (Noto Naskh Arabic for Arabic, Atkinson
//! Hyperlegible for the rest), each run is shaped with harfrust and the runs are placed in visual
//! order, then the shaped glyph ids are rasterised with ab_glyph. Arabic prints joined and right
//! to left, right-aligned, with Latin words and numbers inside it left to right.

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use chrono::NaiveDate;
use harfrust::{Direction, Feature, ShapeOptions, ShaperData, Tag, UnicodeBuffer};
use image::{GrayImage, Luma};
use passerelle_core::i18n::{tr, tr_with};
use passerelle_core::summary::{Summary, pretty_reference};
use std::ops::Range;
use unicode_bidi::{BidiClass, ParagraphBidiInfo, bidi_class};

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/AtkinsonHyperlegible_400Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/AtkinsonHyperlegible_700Bold.ttf");
const ARABIC_REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoNaskhArabic-Regular.ttf");
const ARABIC_BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoNaskhArabic-Bold.ttf");

/// Printer resolution: 8 dots per millimetre (203 dpi), the usual thermal printer.
pub const DOTS_PER_MM: u32 = 8;
/// The printed QR code is at least this wide, quiet zone excluded.
pub const QR_MIN_MM: u32 = 35;
/// Heading of the French copy of the summary printed for the mediator on a ticket in another
/// language.
pub const MEDIATOR_HEADING: &str = "Pour le conseiller numérique";

/// Arabic is drawn with this em size relative to the Latin text around it: Naskh letters sit
/// lower and smaller in their em than Atkinson's, so the same em would read small.
const ARABIC_EM: f32 = 1.2;

/// OpenType features switched off in Atkinson Hyperlegible. Its kerning lives only in GPOS,
/// which the former char-by-char drawing never applied: leaving it off keeps Latin tickets
/// pixel-identical to the ones printed (and checked) before shaping. Remove to kern Latin text.
const LATIN_FEATURES: &[Feature] = &[Feature { tag: Tag::new(b"kern"), value: 0, start: 0, end: u32::MAX }];

/// What goes on a ticket.
#[derive(Debug, Clone)]
pub struct TicketData {
    pub structure: String,
    pub commune: String,
    pub date: NaiveDate,
    pub lang: String,
    /// The profile in plain words, in the visitor's language.
    pub summary: Summary,
    /// The same summary in French for the mediator, when the visitor's language is not French.
    pub summary_fr: Option<Summary>,
    pub payload: String,
    pub reference: String,
    /// Where to go next (up to three places).
    pub places: Vec<passerelle_core::place_book::PlaceLine>,
}

impl TicketData {
    /// The ticket of a stored visit (its date, its language, its profile), with the places
    /// suggested as of `now`.
    pub fn from_stored(kiosk: &crate::Kiosk, v: &crate::store::StoredVisit, now: chrono::NaiveDateTime) -> anyhow::Result<TicketData> {
        let profile: passerelle_core::profile::Profile = serde_json::from_value(v.profile.clone())?;
        let summary_in = |lang: &str| passerelle_core::summary::summary(&profile, &kiosk.defs.questionnaire, &kiosk.defs.rules.capability_question, lang);
        Ok(TicketData {
            structure: kiosk.defs.config.structure.clone(),
            commune: kiosk.defs.config.commune.clone(),
            date: NaiveDate::parse_from_str(&v.local_date, "%Y-%m-%d")?,
            lang: v.lang.clone(),
            summary: summary_in(&v.lang),
            summary_fr: (v.lang != "fr").then(|| passerelle_core::summary::mediator_copy(&profile, &kiosk.defs.questionnaire, &kiosk.defs.rules, &v.payload)),
            payload: v.payload.clone(),
            reference: v.id.clone(),
            places: {
                let book = passerelle_shared::place_files::load(&kiosk.defs.config.data_dir, kiosk.defs.config.departement.as_deref());
                passerelle_core::place_book::lines(&passerelle_core::place_book::suggest(&kiosk.defs.config, &book, &profile, now), now, &v.lang)
            },
        })
    }
}

/// Printable width in dots for a paper width (58 mm paper prints 48 mm, 80 mm prints 72 mm).
pub fn printable_dots(width_mm: u32) -> u32 {
    if width_mm <= 58 { 384 } else { 576 }
}

/// The font a glyph is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketFont {
    /// Atkinson Hyperlegible: Latin scripts, digits, punctuation.
    Atkinson,
    /// Noto Naskh Arabic.
    NotoNaskhArabic,
}

impl TicketFont {
    fn other(self) -> TicketFont {
        match self {
            TicketFont::Atkinson => TicketFont::NotoNaskhArabic,
            TicketFont::NotoNaskhArabic => TicketFont::Atkinson,
        }
    }
}

/// One glyph of a laid-out line.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedGlyph {
    pub font: TicketFont,
    /// Glyph id in `font`, after shaping (contextual forms, ligatures).
    pub id: u16,
    /// Byte offset in the line's text of the first char this glyph draws.
    pub cluster: usize,
    /// Pen position in dots from the line's left edge.
    pub x: f32,
    /// Raise above the baseline in dots (marks).
    pub y: f32,
}

/// A line of shaped text, its glyphs in visual order (left to right).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaidLine {
    pub glyphs: Vec<PlacedGlyph>,
    /// Width in dots.
    pub width: f32,
    /// The paragraph's base direction is right to left (first strong char).
    pub rtl: bool,
}

/// One font ready for both shaping (harfrust) and drawing (ab_glyph).
struct Face {
    draw: FontRef<'static>,
    shape: harfrust::FontRef<'static>,
    data: ShaperData,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Result<Face, TicketError> {
        let draw = FontRef::try_from_slice(bytes).map_err(|_| TicketError::Font)?;
        let shape = harfrust::FontRef::new(bytes).map_err(|_| TicketError::Font)?;
        let data = ShaperData::new(&shape);
        Ok(Face { draw, shape, data })
    }

    fn has(&self, c: char) -> bool {
        self.draw.glyph_id(c).0 != 0
    }

    fn em(&self) -> f32 {
        self.draw.units_per_em().unwrap_or(1000.0) / self.draw.height_unscaled()
    }
}

/// Both fonts of one weight.
struct Weight {
    latin: Face,
    arabic: Face,
}

impl Weight {
    fn face(&self, f: TicketFont) -> &Face {
        match f {
            TicketFont::Atkinson => &self.latin,
            TicketFont::NotoNaskhArabic => &self.arabic,
        }
    }

    /// The ab_glyph scale of `f` for a text size (Atkinson's pixel height, as before shaping).
    fn scale(&self, f: TicketFont, size: f32) -> PxScale {
        match f {
            TicketFont::Atkinson => PxScale::from(size),
            TicketFont::NotoNaskhArabic => PxScale::from(size * self.latin.em() / self.arabic.em() * ARABIC_EM),
        }
    }

    /// `preferred` if it has `c` or if neither font has it, otherwise the other font.
    fn pick(&self, c: char, preferred: TicketFont) -> TicketFont {
        if self.face(preferred).has(c) || !self.face(preferred.other()).has(c) { preferred } else { preferred.other() }
    }
}

struct Fonts {
    regular: Weight,
    bold: Weight,
}

impl Fonts {
    fn load() -> Result<Fonts, TicketError> {
        Ok(Fonts {
            regular: Weight { latin: Face::load(REGULAR)?, arabic: Face::load(ARABIC_REGULAR)? },
            bold: Weight { latin: Face::load(BOLD)?, arabic: Face::load(ARABIC_BOLD)? },
        })
    }

    fn weight(&self, bold: bool) -> &Weight {
        if bold { &self.bold } else { &self.regular }
    }
}

/// One paragraph: its text, its bidi levels and the font of each byte.
struct Paragraph<'t> {
    text: &'t str,
    bidi: ParagraphBidiInfo<'t>,
    fonts: Vec<TicketFont>,
}

impl<'t> Paragraph<'t> {
    fn new(text: &'t str, w: &Weight) -> Paragraph<'t> {
        Paragraph { text, bidi: ParagraphBidiInfo::new(text, None), fonts: assign_fonts(text, w) }
    }

    fn rtl(&self) -> bool {
        self.bidi.paragraph_level.is_rtl()
    }

    fn has_arabic(&self) -> bool {
        self.fonts.contains(&TicketFont::NotoNaskhArabic)
    }

    /// Baseline from the top of a line, and line height, in dots. Latin-only paragraphs keep
    /// Atkinson's metrics; with Arabic, Noto's taller ascent and deeper descent count too.
    fn metrics(&self, w: &Weight, size: f32) -> (f32, u32) {
        let sf = w.latin.draw.as_scaled(w.scale(TicketFont::Atkinson, size));
        let (mut ascent, mut descent, gap) = (sf.ascent(), sf.descent(), sf.line_gap());
        if self.has_arabic() {
            let ar = w.arabic.draw.as_scaled(w.scale(TicketFont::NotoNaskhArabic, size));
            ascent = ascent.max(ar.ascent());
            descent = descent.min(ar.descent());
        }
        (ascent, (ascent - descent + gap).ceil() as u32)
    }

    /// Shape and place `line` (a byte range of the paragraph) in visual order.
    fn lay_out(&self, w: &Weight, size: f32, line: Range<usize>) -> LaidLine {
        let mut out = LaidLine { rtl: self.rtl(), ..LaidLine::default() };
        if line.is_empty() || line.end > self.text.len() {
            return out;
        }
        let (levels, runs) = self.bidi.visual_runs(line.clone());
        let mut x = 0.0f32;
        for run in runs {
            let rtl = levels.get(run.start).is_some_and(|l| l.is_rtl());
            let mut pieces = self.font_runs(run);
            if rtl {
                pieces.reverse();
            }
            for (font, piece) in pieces {
                let face = w.face(font);
                let sf = face.draw.as_scaled(w.scale(font, size));
                let (hf, vf) = (sf.h_scale_factor(), sf.v_scale_factor());
                let shaped = shape(face, self.text, piece.clone(), rtl, font);
                for (info, pos) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
                    if let Ok(id) = u16::try_from(info.glyph_id) {
                        let cluster = (piece.start + info.cluster as usize).saturating_sub(line.start);
                        out.glyphs.push(PlacedGlyph { font, id, cluster, x: x + pos.x_offset as f32 * hf, y: pos.y_offset as f32 * vf });
                    }
                    x += pos.x_advance as f32 * hf;
                }
            }
        }
        out.width = x;
        out
    }

    /// `run` cut where the font changes, in logical order.
    fn font_runs(&self, run: Range<usize>) -> Vec<(TicketFont, Range<usize>)> {
        let mut pieces: Vec<(TicketFont, Range<usize>)> = Vec::new();
        let Some(text) = self.text.get(run.clone()) else {
            return pieces;
        };
        for (i, c) in text.char_indices() {
            let (at, font) = (run.start + i, self.fonts[run.start + i]);
            match pieces.last_mut() {
                Some((f, r)) if *f == font => r.end = at + c.len_utf8(),
                _ => pieces.push((font, at..at + c.len_utf8())),
            }
        }
        pieces
    }

    /// Greedy wrapping on spaces (the text is normalised: single spaces between words),
    /// measured with shaped advances. A word wider than `max` gets a line of its own.
    fn wrap(&self, w: &Weight, size: f32, max: f32) -> Vec<LaidLine> {
        let mut lines = Vec::new();
        let mut current: Option<(usize, LaidLine)> = None;
        let mut at = 0;
        for word in self.text.split(' ') {
            let range = at..at + word.len();
            at = range.end + 1;
            current = Some(match current.take() {
                None => (range.start, self.lay_out(w, size, range)),
                Some((start, line)) => {
                    let candidate = self.lay_out(w, size, start..range.end);
                    if candidate.width <= max {
                        (start, candidate)
                    } else {
                        lines.push(line);
                        (range.start, self.lay_out(w, size, range))
                    }
                }
            });
        }
        lines.push(current.map(|(_, l)| l).unwrap_or_else(|| LaidLine { rtl: self.rtl(), ..LaidLine::default() }));
        lines
    }
}

/// The font of each byte of `text`: Arabic letters and Arabic-Indic digits in Noto Naskh
/// Arabic, Latin (and other strong) letters and European digits in Atkinson, combining marks
/// with their base, spaces and punctuation with the char before them (else after them); then
/// a char the chosen font lacks goes to the other font if that one has it.
fn assign_fonts(text: &str, w: &Weight) -> Vec<TicketFont> {
    let chars: Vec<(char, BidiClass)> = text.chars().map(|c| (c, bidi_class(c))).collect();
    let strong: Vec<Option<TicketFont>> = chars
        .iter()
        .map(|&(c, class)| match class {
            BidiClass::AL | BidiClass::R | BidiClass::AN => Some(w.pick(c, TicketFont::NotoNaskhArabic)),
            BidiClass::L | BidiClass::EN => Some(w.pick(c, TicketFont::Atkinson)),
            _ => None,
        })
        .collect();
    let mut next_strong = vec![TicketFont::Atkinson; chars.len()];
    let mut next = None;
    for i in (0..chars.len()).rev() {
        next = strong[i].or(next);
        next_strong[i] = next.unwrap_or(TicketFont::Atkinson);
    }
    let mut out = Vec::with_capacity(text.len());
    let mut prev: Option<TicketFont> = None;
    for (i, &(c, class)) in chars.iter().enumerate() {
        let font = match (strong[i], class, prev) {
            (Some(f), _, _) => f,
            (None, BidiClass::NSM, Some(p)) => p,
            (None, _, Some(p)) => w.pick(c, p),
            (None, _, None) => w.pick(c, next_strong[i]),
        };
        out.extend(std::iter::repeat_n(font, c.len_utf8()));
        prev = Some(font);
    }
    out
}

/// Shape `text[range]` with `face` (the rest of `text` as context, for joining).
fn shape(face: &Face, text: &str, range: Range<usize>, rtl: bool, font: TicketFont) -> harfrust::GlyphBuffer {
    let shaper = face.data.shaper(&face.shape).build();
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text.get(range.clone()).unwrap_or_default());
    buffer.set_pre_context(text.get(..range.start).unwrap_or_default());
    buffer.set_post_context(text.get(range.end..).unwrap_or_default());
    buffer.set_direction(if rtl { Direction::RightToLeft } else { Direction::LeftToRight });
    buffer.guess_segment_properties();
    let features = if font == TicketFont::Atkinson { LATIN_FEATURES } else { &[] };
    shaper.shape(buffer, ShapeOptions::new().features(features))
}

/// Lay `text` out as one line, the way the ticket does (bidi, font runs, shaping), without
/// wrapping. For tests and diagnostics.
pub fn lay_out_line(text: &str, size: f32, bold: bool) -> Result<LaidLine, TicketError> {
    let fonts = Fonts::load()?;
    let w = fonts.weight(bold);
    let p = Paragraph::new(text, w);
    Ok(p.lay_out(w, size, 0..text.len()))
}

/// Draw `text` alone as the ticket draws it (margins, wrapping, alignment) on a strip `width`
/// dots wide, as tall as the text. For tests and previews.
pub fn text_image(text: &str, size: f32, bold: bool, center: bool, width: u32) -> Result<GrayImage, TicketError> {
    let fonts = Fonts::load()?;
    let mut c = Canvas { img: GrayImage::from_pixel(width.max(17), 200, Luma([255])), y: 0, margin: 8, fonts: &fonts };
    c.text(text, size, bold, center);
    let h = c.y.max(1);
    Ok(image::imageops::crop_imm(&c.img, 0, 0, c.width(), h).to_image())
}

struct Canvas<'f> {
    img: GrayImage,
    y: u32,
    margin: u32,
    fonts: &'f Fonts,
}

impl Canvas<'_> {
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

    /// Draw wrapped text; `center` centres each line, otherwise lines of a right-to-left
    /// paragraph are right-aligned. Coverage above one half is black.
    fn text(&mut self, text: &str, size: f32, bold: bool, center: bool) {
        let w = self.fonts.weight(bold);
        let max = self.width().saturating_sub(2 * self.margin) as f32;
        for raw in text.split('\n') {
            let norm = raw.split_whitespace().collect::<Vec<_>>().join(" ");
            let para = Paragraph::new(&norm, w);
            let (ascent, line_h) = para.metrics(w, size);
            for line in para.wrap(w, size, max) {
                self.grow(self.y + line_h + 4);
                let x0 = if center {
                    self.margin as f32 + (max - line.width).max(0.0) / 2.0
                } else if line.rtl {
                    self.margin as f32 + (max - line.width).max(0.0)
                } else {
                    self.margin as f32
                };
                self.draw_line(w, size, &line, x0, ascent);
                self.y += line_h;
            }
        }
    }

    fn draw_line(&mut self, w: &Weight, size: f32, line: &LaidLine, x0: f32, ascent: f32) {
        let (width, height) = (self.img.width() as i32, self.img.height() as i32);
        for g in &line.glyphs {
            let font = &w.face(g.font).draw;
            let glyph = GlyphId(g.id).with_scale_and_position(w.scale(g.font, size), point(g.x, ascent - g.y));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                let (ox, oy) = (x0 as i32 + b.min.x as i32, self.y as i32 + b.min.y as i32);
                let img = &mut self.img;
                outline.draw(|gx, gy, cov| {
                    let (px, py) = (ox + gx as i32, oy + gy as i32);
                    if cov > 0.5 && px >= 0 && py >= 0 && px < width && py < height {
                        img.put_pixel(px as u32, py as u32, Luma([0]));
                    }
                });
            }
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
        let code = passerelle_shared::qr::code(payload).map_err(|e| TicketError::Qr(e.to_string()))?;
        let modules = code.width() as u32 + 2 * passerelle_shared::qr::QUIET_ZONE;
        // At least QR_MIN_MM (aim for 45 mm), within the paper (the quiet zone may use the margins).
        let min_scale = (QR_MIN_MM * DOTS_PER_MM).div_ceil(code.width() as u32);
        let target = (45 * DOTS_PER_MM).div_ceil(code.width() as u32);
        let fit = (self.width() / modules).max(1);
        let scale = fit.min(min_scale.max(target));
        let img = passerelle_shared::qr::render(payload, scale).map_err(|e| TicketError::Qr(e.to_string()))?;
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

/// One piece of a ticket, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Wrapped text; `center` centres each line (else a right-to-left paragraph is right-aligned).
    Text {
        text: String,
        size: f32,
        bold: bool,
        center: bool,
    },
    /// Blank space, in dots.
    Space(u32),
    Rule,
    /// The QR code of this payload.
    Qr(String),
}

/// What a ticket prints, top to bottom; text sizes are for 80 mm paper, times `k`.
pub fn pieces(t: &TicketData, k: f32) -> Vec<Piece> {
    let mut v = Vec::new();
    let text = |v: &mut Vec<Piece>, text: &str, size: f32, bold: bool, center: bool| {
        v.push(Piece::Text { text: text.to_string(), size: size * k, bold, center });
    };
    let lang = t.lang.as_str();
    text(&mut v, &t.structure, 34.0, true, true);
    text(&mut v, &format!("{} · {}", t.commune, t.date.format("%d/%m/%Y")), 26.0, false, true);
    v.extend([Piece::Space(8), Piece::Rule]);
    text(&mut v, &tr(lang, "end.thanks"), 34.0, true, false);
    let s = &t.summary;
    if !s.partial.is_empty() {
        text(&mut v, &s.partial, 26.0, true, false);
        // Called to the counter: the mediator finishes the questionnaire with the visitor.
        text(&mut v, &tr(lang, "end.called.advisor"), 26.0, false, false);
    }
    for (title, items) in [(&s.at_ease_title, &s.at_ease), (&s.help_title, &s.help)] {
        if !title.is_empty() {
            v.push(Piece::Space(6));
            text(&mut v, title, 26.0, true, false);
        }
        for item in items {
            text(&mut v, &format!("• {item}"), 26.0, false, false);
        }
    }
    if !s.mode.is_empty() {
        v.push(Piece::Space(6));
        text(&mut v, &s.mode, 26.0, true, false);
    }
    v.extend([Piece::Space(10), Piece::Rule]);
    // The same summary in French for the mediator, smaller, when the visitor reads another language.
    if let Some(fr) = &t.summary_fr {
        text(&mut v, MEDIATOR_HEADING, 26.0, true, false);
        if !fr.partial.is_empty() {
            text(&mut v, &fr.partial, 23.0, true, false);
        }
        for w in &fr.words {
            text(&mut v, &format!("« {w} »"), 23.0, false, false);
        }
        for (title, items) in [(&fr.at_ease_title, &fr.at_ease), (&fr.help_title, &fr.help)] {
            if !title.is_empty() {
                v.push(Piece::Space(4));
                text(&mut v, title, 23.0, true, false);
            }
            for item in items {
                text(&mut v, &format!("• {item}"), 23.0, false, false);
            }
        }
        if !fr.mode.is_empty() {
            v.push(Piece::Space(4));
            text(&mut v, &fr.mode, 23.0, true, false);
        }
        v.extend([Piece::Space(10), Piece::Rule]);
    }
    v.push(Piece::Qr(t.payload.clone()));
    text(&mut v, &tr(lang, "end.show-code"), 26.0, true, true);
    text(&mut v, &tr_with(lang, "end.reference", &[("ref", &pretty_reference(&t.reference))]), 30.0, true, true);
    v.extend([Piece::Space(8), Piece::Rule]);
    if !t.places.is_empty() {
        text(&mut v, &tr(lang, "places.title"), 28.0, true, false);
        for p in &t.places {
            v.push(Piece::Space(4));
            text(&mut v, &p.name, 25.0, true, false);
            text(&mut v, &p.address, 23.0, false, false);
            let mut line = p.opening.clone();
            if !p.phone.is_empty() {
                line = format!("{line} · {}", p.phone);
            }
            text(&mut v, &line, 23.0, false, false);
            text(&mut v, &format!("• {}", p.why), 23.0, false, false);
        }
        v.extend([Piece::Space(8), Piece::Rule]);
    }
    text(&mut v, &tr(lang, "ticket.next"), 24.0, false, false);
    v.push(Piece::Space(24));
    v
}

/// Every text a ticket prints, in order.
pub fn texts(t: &TicketData) -> Vec<String> {
    pieces(t, 1.0)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Text { text, .. } => Some(text),
            _ => None,
        })
        .collect()
}

/// Draw the ticket for a paper width (58 or 80 mm): black (0) and white (255) pixels only.
pub fn render(t: &TicketData, width_mm: u32) -> Result<GrayImage, TicketError> {
    let width = printable_dots(width_mm);
    let k = width as f32 / 576.0;
    let fonts = Fonts::load()?;
    let mut c = Canvas { img: GrayImage::from_pixel(width, 800, Luma([255])), y: 8, margin: 8, fonts: &fonts };
    for piece in pieces(t, k) {
        match piece {
            Piece::Text { text, size, bold, center } => c.text(&text, size, bold, center),
            Piece::Space(dots) => c.space(dots),
            Piece::Rule => c.rule(),
            Piece::Qr(payload) => c.qr(&payload)?,
        }
    }
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
