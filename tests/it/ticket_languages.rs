//! The ticket in every language: Arabic is shaped (joined letters), ordered right to left and
//! right-aligned, with Latin references inside it left to right; a ticket in another language
//! than French carries a French copy of the summary for the mediator; Latin text draws exactly
//! as the former char-by-char code did; every text of every catalogue has its glyphs.

use crate::support::{kiosk, rqrr_decode, tool, zbar};
use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{GrayImage, Luma};
use passerelle::core::i18n::{CATALOGUES, tr, tr_with};
use passerelle::kiosk::Kiosk;
use passerelle::kiosk::store::Store;
use passerelle::kiosk::ticket::{self, LaidLine, TicketData, TicketFont};
use passerelle_core::engine::FakeClock;
use proptest::prelude::*;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/AtkinsonHyperlegible_400Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/AtkinsonHyperlegible_700Bold.ttf");
const ARABIC: &[u8] = include_bytes!("../../assets/fonts/NotoNaskhArabic-Regular.ttf");

/// The showcase visit stored in `lang`, and its ticket. If the engine does not offer `lang`
/// (yet), the visit is played in French and stored as if in `lang`: the ticket only reads the
/// stored language.
fn stored_ticket(dir: &std::path::Path, lang: &str) -> (Kiosk, passerelle_core::profile::Profile, TicketData) {
    let kiosk = kiosk(dir);
    let mut store = Store::open(dir).unwrap();
    let clock = FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(9, 0, 0).unwrap());
    let mut engine = kiosk.engine(clock.clone());
    let mut script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap();
    script.lang = lang.into();
    let v = match passerelle_core::script::play(&mut engine, &script) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("notice: the engine refuses `{lang}` ({e}): visit played in French, stored as `{lang}`");
            let mut engine = kiosk.engine(clock.clone());
            script.lang = "fr".into();
            passerelle_core::script::play(&mut engine, &script).unwrap()
        }
    };
    let saved = kiosk.finish_visit(&mut store, clock.as_ref(), &v).unwrap();
    let mut stored = store.visit(&saved.id).unwrap().unwrap();
    stored.lang = lang.into();
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap();
    let data = TicketData::from_stored(&kiosk, &stored, now).unwrap();
    (kiosk, serde_json::from_value(stored.profile).unwrap(), data)
}

fn ink(img: &GrayImage) -> usize {
    img.pixels().filter(|p| p.0[0] == 0).count()
}

/// Leftmost and rightmost inked columns.
fn ink_columns(img: &GrayImage) -> Option<(u32, u32)> {
    let cols: Vec<u32> = (0..img.width()).filter(|&x| (0..img.height()).any(|y| img.get_pixel(x, y).0[0] == 0)).collect();
    Some((*cols.first()?, *cols.last()?))
}

/// Horizontal bands of inked rows (one per printed line when lines do not touch).
fn bands(img: &GrayImage) -> Vec<GrayImage> {
    let inked: Vec<bool> = (0..img.height()).map(|y| (0..img.width()).any(|x| img.get_pixel(x, y).0[0] == 0)).collect();
    let mut out = Vec::new();
    let mut y = 0;
    while y < inked.len() {
        if inked[y] {
            let start = y;
            while y < inked.len() && inked[y] {
                y += 1;
            }
            out.push(image::imageops::crop_imm(img, 0, start as u32, img.width(), (y - start) as u32).to_image());
        }
        y += 1;
    }
    out
}

fn glyphs_of(line: &LaidLine, font: TicketFont) -> Vec<&ticket::PlacedGlyph> {
    line.glyphs.iter().filter(|g| g.font == font).collect()
}

#[test]
fn an_arabic_ticket_prints_joined_right_to_left_with_a_french_copy_and_a_readable_qr() {
    let dir = tempfile::tempdir().unwrap();
    let (kiosk, profile, data) = stored_ticket(dir.path(), "ar");
    // The visitor's summary in Arabic, the mediator's copy in French.
    assert_eq!(data.lang, "ar");
    let fr = passerelle::core::summary::mediator_copy(&profile, &kiosk.defs.questionnaire, &kiosk.defs.rules, &data.payload);
    assert_eq!(data.summary_fr.as_ref(), Some(&fr));
    // The mediator's copy gives the visitor's own words first, and marks the mode a suggestion.
    assert!(fr.words.iter().any(|w| w.starts_with("Veut : ") && w.contains("Garder le contact avec les autres")), "{:?}", fr.words);
    assert!(fr.mode.starts_with("Suggestion (à confirmer) : "), "{}", fr.mode);
    assert_eq!(data.summary, passerelle::core::summary::summary(&profile, &kiosk.defs.questionnaire, &kiosk.defs.rules.capability_question, "ar"));
    assert!(!fr.help.is_empty() && !fr.at_ease.is_empty(), "the showcase visit has both lists");
    let zbar_ok = tool("zbarimg");
    for width in [80, 58] {
        let img = ticket::render(&data, width).unwrap();
        assert_eq!(img.width(), ticket::printable_dots(width));
        assert!(img.pixels().all(|p| p.0[0] == 0 || p.0[0] == 255), "1-bit ticket");
        assert_eq!(rqrr_decode(img.clone()), vec![data.payload.clone()], "{width} mm: QR (rqrr)");
        let raster = ticket::escpos_raster(&ticket::escpos(&img)).unwrap();
        assert_eq!(raster.as_raw(), img.as_raw(), "the ESC/POS raster is the PNG ticket");
        if zbar_ok {
            let f = dir.path().join(format!("ticket-ar-{width}.png"));
            img.save(&f).unwrap();
            assert_eq!(zbar(&f), data.payload, "{width} mm: zbarimg on the Arabic ticket");
        }
        // The French copy takes room: without it the ticket is shorter by at least its heading
        // and one line per item.
        let without = ticket::render(&TicketData { summary_fr: None, ..data.clone() }, width).unwrap();
        let k = ticket::printable_dots(width) as f32 / 576.0;
        let min_extra = ((2 + fr.at_ease.len() + fr.help.len()) as f32 * 23.0 * k) as u32;
        assert!(img.height() >= without.height() + min_extra, "{width} mm: {} vs {} without the French copy", img.height(), without.height());
        // ... and it sits between the visitor's summary and the QR code: the rows above the QR
        // differ, the QR and everything under it are the same pixels, shifted down.
        let shift = img.height() - without.height();
        let tail = without.height() / 2;
        assert_eq!(
            image::imageops::crop_imm(&img, 0, img.height() - tail, img.width(), tail).to_image().as_raw(),
            image::imageops::crop_imm(&without, 0, without.height() - tail, without.width(), tail).to_image().as_raw(),
            "{width} mm: the QR and the end of the ticket, {shift} dots lower"
        );
    }
    // The French section is what the French heading and lists draw.
    let k = 1.0;
    let heading = ticket::text_image(ticket::MEDIATOR_HEADING, 26.0 * k, true, false, 576).unwrap();
    assert!(ink(&heading) > 500);
    let img = ticket::render(&data, 80).unwrap();
    img.save("/tmp/ticket-ar.png").unwrap();
    assert!(contains(&img, &heading), "the ticket shows « {} »", ticket::MEDIATOR_HEADING);
    let item = ticket::text_image(&format!("• {}", fr.help[0]), 23.0 * k, false, false, 576).unwrap();
    assert!(contains(&img, &item), "the ticket shows the French item « {} »", fr.help[0]);
    let words = ticket::text_image(&format!("« {} »", fr.words[0]), 23.0 * k, false, false, 576).unwrap();
    assert!(contains(&img, &words), "the ticket shows the visitor's words « {} »", fr.words[0]);
    // The Arabic thanks are drawn (Atkinson alone drew nothing), at the right edge.
    let thanks = ticket::text_image(&tr("ar", "end.thanks"), 34.0 * k, true, false, 576).unwrap();
    assert!(ink(&thanks) > 200, "the Arabic thanks have ink");
    assert!(contains(&img, &thanks), "the ticket shows the Arabic thanks");
}

/// `needle` (a strip as wide as `hay`, cropped to its inked rows) appears in `hay` at some row.
fn contains(hay: &GrayImage, needle: &GrayImage) -> bool {
    let rows: Vec<u32> = (0..needle.height()).filter(|&y| (0..needle.width()).any(|x| needle.get_pixel(x, y).0[0] == 0)).collect();
    let (Some(&top), Some(&bottom)) = (rows.first(), rows.last()) else { return false };
    let n = image::imageops::crop_imm(needle, 0, top, needle.width(), bottom - top + 1).to_image();
    (0..=hay.height().saturating_sub(n.height())).any(|y| image::imageops::crop_imm(hay, 0, y, hay.width(), n.height()).to_image().as_raw() == n.as_raw())
}

#[test]
fn a_french_ticket_has_no_french_copy_and_an_english_one_does() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, fr) = stored_ticket(dir.path(), "fr");
    assert!(fr.summary_fr.is_none());
    let dir = tempfile::tempdir().unwrap();
    let (_, _, en) = stored_ticket(dir.path(), "en");
    let copy = en.summary_fr.clone().expect("French copy on an English ticket");
    assert_eq!(copy.help, fr.summary.help, "the copy is the French summary");
    assert_ne!(en.summary.help, fr.summary.help, "the visitor's own summary is in English");
    let with = ticket::render(&en, 80).unwrap();
    let without = ticket::render(&TicketData { summary_fr: None, ..en.clone() }, 80).unwrap();
    assert!(with.height() > without.height());
    assert!(contains(&with, &ticket::text_image(ticket::MEDIATOR_HEADING, 26.0, true, false, 576).unwrap()));
}

#[test]
fn arabic_is_shaped_into_joined_forms_in_right_to_left_order() {
    let noto = FontRef::try_from_slice(ARABIC).unwrap();
    // "مستشار" (adviser): م, س, ت, ش join to the next letter; ا, ر do not.
    let word = "مستشار";
    let line = ticket::lay_out_line(word, 26.0, false).unwrap();
    assert!(line.rtl, "an Arabic paragraph is right to left");
    assert!(line.glyphs.iter().all(|g| g.font == TicketFont::NotoNaskhArabic), "{line:?}");
    assert!(line.glyphs.iter().all(|g| g.id != 0), "no missing glyph: {line:?}");
    // Joined forms: the first four letters are drawn with other glyphs than their isolated
    // (cmap) ones.
    let isolated: Vec<u16> = word.chars().map(|c| noto.glyph_id(c).0).collect();
    assert!(isolated.iter().all(|&id| id != 0));
    for (i, c) in word.char_indices().take(4) {
        let drawn: Vec<u16> = line.glyphs.iter().filter(|g| g.cluster == i).map(|g| g.id).collect();
        assert!(!drawn.is_empty() && !drawn.contains(&noto.glyph_id(c).0), "{c} at {i} is drawn joined: {drawn:?} vs isolated {}", noto.glyph_id(c).0);
    }
    // Visual order is the reverse of logical order: the first letter is the rightmost glyph.
    let clusters: Vec<usize> = line.glyphs.iter().map(|g| g.cluster).collect();
    assert!(clusters.windows(2).all(|w| w[0] >= w[1]), "clusters left to right: {clusters:?}");
    assert_eq!(clusters.last(), Some(&0));
    // The same letters kept apart (ZWNJ between them) draw differently: the joining shows in pixels.
    let apart: String = word.chars().flat_map(|c| [c, '\u{200C}']).collect();
    let joined = ticket::text_image(word, 26.0, false, false, 576).unwrap();
    let unjoined = ticket::text_image(&apart, 26.0, false, false, 576).unwrap();
    assert!(ink(&joined) > 100);
    assert_ne!(joined.as_raw(), unjoined.as_raw());
    // A bullet (Atkinson) before Arabic words (Noto) in a right-to-left paragraph comes first
    // from the right: the font runs of a right-to-left run are placed right to left too.
    let item = ticket::lay_out_line("• تثبيت تطبيق", 26.0, false).unwrap();
    let bullet = item.glyphs.iter().find(|g| g.cluster == 0).unwrap();
    assert_eq!(bullet.font, TicketFont::Atkinson);
    assert!(item.glyphs.iter().all(|g| g.x <= bullet.x), "the bullet is the rightmost glyph: {item:?}");
    // Arabic punctuation and lam-alef come from the Arabic font too, lam-alef in its joined form.
    let la = ticket::lay_out_line("لا،", 26.0, true).unwrap();
    assert!(la.glyphs.iter().all(|g| g.font == TicketFont::NotoNaskhArabic && g.id != 0), "{la:?}");
    let bold = FontRef::try_from_slice(include_bytes!("../../assets/fonts/NotoNaskhArabic-Bold.ttf")).unwrap();
    let isolated = [bold.glyph_id('ل').0, bold.glyph_id('ا').0];
    assert!(la.glyphs.iter().filter(|g| g.cluster < 4).all(|g| !isolated.contains(&g.id)), "lam-alef joined: {la:?}");
}

#[test]
fn a_latin_reference_inside_arabic_stays_left_to_right() {
    let atkinson = FontRef::try_from_slice(REGULAR).unwrap();
    let text = "المرجع: Référence : AB12-CD34 شكرا";
    let line = ticket::lay_out_line(text, 26.0, false).unwrap();
    assert!(line.rtl);
    // The Latin run: Atkinson glyphs, in logical order from left to right, unshaped.
    let latin = glyphs_of(&line, TicketFont::Atkinson);
    let start = text.find('R').unwrap();
    let end = text.find('4').unwrap() + 1;
    let latin_text: Vec<u16> = text[start..end].chars().map(|c| atkinson.glyph_id(c).0).collect();
    let drawn: Vec<u16> = latin.iter().filter(|g| (start..end).contains(&g.cluster)).map(|g| g.id).collect();
    assert_eq!(drawn, latin_text, "« Référence : AB12-CD34 » drawn left to right, letter by letter");
    let xs: Vec<f32> = latin.iter().filter(|g| (start..end).contains(&g.cluster)).map(|g| g.x).collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]));
    // The Arabic words around it: the first one (logically) at the right end, the last one at
    // the left end, each right to left.
    let first_word = line.glyphs.iter().filter(|g| g.cluster < "المرجع".len()).map(|g| g.x).fold(f32::INFINITY, f32::min);
    let last_word = line.glyphs.iter().filter(|g| g.cluster >= text.find('ش').unwrap()).map(|g| g.x).fold(f32::NEG_INFINITY, f32::max);
    assert!(xs[0] > last_word && xs[xs.len() - 1] < first_word, "Arabic | Latin | Arabic, mirrored: {line:?}");
    // The ticket's own reference line in Arabic, with the reference left to right.
    let reference = tr_with("ar", "end.reference", &[("ref", "AB12-CD34")]);
    let line = ticket::lay_out_line(&reference, 30.0, true).unwrap();
    let at = reference.find("AB12").unwrap();
    let bold = FontRef::try_from_slice(BOLD).unwrap();
    let drawn: Vec<u16> = line.glyphs.iter().filter(|g| g.cluster >= at && g.cluster < at + 9).map(|g| g.id).collect();
    assert_eq!(drawn, "AB12-CD34".chars().map(|c| bold.glyph_id(c).0).collect::<Vec<_>>());
    if reference.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) {
        assert!(line.rtl);
        let arabic_x = line.glyphs.iter().filter(|g| g.font == TicketFont::NotoNaskhArabic && g.cluster < at).map(|g| g.x).fold(f32::INFINITY, f32::min);
        let latin_x = line.glyphs.iter().filter(|g| g.cluster >= at).map(|g| g.x).fold(f32::NEG_INFINITY, f32::max);
        assert!(latin_x < arabic_x, "« المرجع » reads first, at the right");
    }
}

#[test]
fn right_to_left_paragraphs_are_right_aligned_and_wrap() {
    let next = tr("ar", "ticket.next");
    assert!(next.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)), "ar.po translates ticket.next");
    for width in [384, 576] {
        let img = ticket::text_image(&next, 24.0, false, false, width).unwrap();
        // Bands of ink at least 8 rows tall: the lines' letter bodies (dots and marks alone make
        // thinner bands).
        let lines: Vec<GrayImage> = bands(&img).into_iter().filter(|b| b.height() >= 8).collect();
        let one = ticket::lay_out_line(&next, 24.0, false).unwrap();
        assert!(one.width > (width - 16) as f32, "the paragraph needs wrapping at {width} dots");
        assert!(lines.len() >= 2, "{width} dots: wrapped into {} lines", lines.len());
        for (i, l) in lines.iter().enumerate() {
            let (left, right) = ink_columns(l).unwrap();
            assert!(right >= width - 8 - 4 && right < width - 8 + 2, "{width} dots, line {i}: right edge at {right}");
            assert!(left >= 8, "{width} dots, line {i}: inside the margin ({left})");
        }
        // The last line is shorter: it starts well right of the left margin.
        let (left, _) = ink_columns(lines.last().unwrap()).unwrap();
        assert!(left > 8 + 8, "{width} dots: last line starts at {left}");
    }
    // A Latin paragraph stays left-aligned, a centred one centred, in any script.
    let (left, _) = ink_columns(&ticket::text_image("Merci !", 34.0, true, false, 576).unwrap()).unwrap();
    assert!(left <= 8 + 3);
    let (left, right) = ink_columns(&ticket::text_image("شكرًا!", 34.0, true, true, 576).unwrap()).unwrap();
    assert!((left as i32 - (576 - right as i32)).abs() <= 6, "centred: {left}..{right}");
}

/// The former drawing: one glyph per char, Atkinson only, greedy wrapping on spaces.
fn old_text_image(text: &str, size: f32, bold: bool, center: bool, width: u32) -> GrayImage {
    let font = FontRef::try_from_slice(if bold { BOLD } else { REGULAR }).unwrap();
    let sf = font.as_scaled(PxScale::from(size));
    let measure = |s: &str| {
        let (mut w, mut prev) = (0.0, None);
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
    let max = (width - 16) as f32;
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if measure(&candidate) <= max || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            }
        }
        lines.push(line);
    }
    let line_h = (sf.ascent() - sf.descent() + sf.line_gap()).ceil() as u32;
    let mut img = GrayImage::from_pixel(width, line_h * lines.len() as u32 + 200, Luma([255]));
    let (w, h) = (img.width() as i32, img.height() as i32);
    let mut y = 0;
    for line in &lines {
        let (mut x, mut prev, mut glyphs) = (0.0, None, Vec::new());
        for c in line.chars() {
            let id = sf.glyph_id(c);
            if let Some(p) = prev {
                x += sf.kern(p, id);
            }
            glyphs.push(id.with_scale_and_position(PxScale::from(size), point(x, sf.ascent())));
            x += sf.h_advance(id);
            prev = Some(id);
        }
        let x0 = if center { 8.0 + (max - x).max(0.0) / 2.0 } else { 8.0 };
        for g in glyphs {
            if let Some(outline) = font.outline_glyph(g) {
                let b = outline.px_bounds();
                let (ox, oy) = (x0 as i32 + b.min.x as i32, y as i32 + b.min.y as i32);
                outline.draw(|gx, gy, cov| {
                    let (px, py) = (ox + gx as i32, oy + gy as i32);
                    if cov > 0.5 && px >= 0 && py >= 0 && px < w && py < h {
                        img.put_pixel(px as u32, py as u32, Luma([0]));
                    }
                });
            }
        }
        y += line_h;
    }
    image::imageops::crop_imm(&img, 0, 0, width, y.max(1)).to_image()
}

#[test]
fn latin_text_draws_exactly_as_the_former_char_by_char_code() {
    let texts = [
        "Merci !".to_string(),
        "Médiathèque Œuvre « Ça » — 0123456789 € ôîû ÀÉÈ ţșȚ ãõñ ¿¡ Ç".into(),
        "Villeneuve-la-Garenne · 28/11/2026".into(),
        tr("fr", "ticket.next"),
        tr("en", "ticket.next"),
        tr("pt", "ticket.next"),
        tr("es", "ticket.next"),
        tr("ro", "ticket.next"),
        tr_with("fr", "end.reference", &[("ref", "K7M3-QX2A")]),
        "Première ligne\n\nTroisième   ligne, après une ligne vide et des espaces".into(),
        "Anticonstitutionnellementanticonstitutionnellementanticonstitutionnellement court".into(),
        String::new(),
    ];
    for text in &texts {
        for (size, bold, center) in [(34.0, true, true), (26.0, false, false), (23.0 * 384.0 / 576.0, false, false), (30.0, true, true)] {
            for width in [384, 576] {
                let new = ticket::text_image(text, size, bold, center, width).unwrap();
                let old = old_text_image(text, size, bold, center, width);
                assert_eq!(new.dimensions(), old.dimensions(), "« {text} » at {size} bold={bold} on {width}");
                assert!(new.as_raw() == old.as_raw(), "« {text} » at {size} bold={bold} center={center} on {width}: pixels differ");
            }
        }
    }
}

#[test]
fn every_catalogue_text_and_questionnaire_label_has_its_glyphs() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = kiosk(dir.path());
    let keys = [
        "end.thanks",
        "end.at-ease",
        "end.help",
        "end.help-generic",
        "end.mode.collectif",
        "end.mode.individuel",
        "end.mode.autonomie",
        "end.show-code",
        "end.reference",
        "places.title",
        "ticket.next",
    ];
    let rows = kiosk.defs.questionnaire.question(&kiosk.defs.rules.capability_question).map(|q| q.rows.clone()).unwrap_or_default();
    assert!(!rows.is_empty());
    for (lang, _) in CATALOGUES {
        let texts = keys.iter().map(|k| tr(lang, k)).chain(rows.iter().map(|r| r.label.get(lang).to_string()));
        for text in texts {
            for bold in [false, true] {
                let line = ticket::lay_out_line(&text, 26.0, bold).unwrap();
                assert!(line.glyphs.iter().all(|g| g.id != 0), "{lang}: a glyph is missing in « {text} »: {line:?}");
                assert_eq!(
                    line.rtl,
                    passerelle::core::i18n::is_rtl(lang) && text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
                    "{lang}: « {text} »"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Any text, mixing scripts, marks, bidi controls and chars no font has, lays out and draws
    /// without panicking, in black and white.
    #[test]
    fn any_text_draws_without_panicking(
        chars in proptest::collection::vec(prop_oneof![
            proptest::char::range('\u{0620}', '\u{065F}'),
            proptest::char::range('a', 'z'),
            proptest::char::range('\u{00C0}', '\u{017F}'),
            proptest::char::range('\u{0300}', '\u{036F}'),
            proptest::char::range('\u{0660}', '\u{066D}'),
            proptest::char::range('\u{2000}', '\u{206F}'),
            proptest::char::range('\u{FB50}', '\u{FEFF}'),
            proptest::char::range('\u{0000}', '\u{0040}'),
            proptest::char::range('\u{0590}', '\u{05FF}'),
            Just(' '), Just('\n'), Just('\u{1F600}'), Just('\u{FFFF}'),
        ], 0..60),
        size in 8.0f32..40.0,
        bold in any::<bool>(),
        center in any::<bool>(),
        width in prop_oneof![Just(384u32), Just(576u32), Just(17u32)],
    ) {
        let text: String = chars.into_iter().collect();
        let line = ticket::lay_out_line(&text, size, bold).unwrap();
        prop_assert!(line.width.is_finite());
        prop_assert!(line.glyphs.iter().all(|g| g.cluster <= text.len()));
        let img = ticket::text_image(&text, size, bold, center, width).unwrap();
        prop_assert!(img.pixels().all(|p| p.0[0] == 0 || p.0[0] == 255));
    }
}
