//! A camera frame to the QR codes in it, in WebAssembly (rqrr, a pure-Rust port of quirc): the
//! browser's `BarcodeDetector` is absent on desktop Linux and Windows Chromium.

/// The largest frame taken (a 4K camera's frame; the page sends 640×480).
pub const MAX_PIXELS: usize = 4096 * 2160;

/// The texts of the QR codes found in an RGBA frame (`width` × `height`, 4 bytes a pixel, as a
/// canvas's `getImageData` gives it). A frame that does not match its size finds nothing.
pub fn scan_rgba(rgba: &[u8], width: usize, height: usize) -> Vec<String> {
    let Some(pixels) = width.checked_mul(height).filter(|&n| n > 0 && n <= MAX_PIXELS) else { return Vec::new() };
    if rgba.len() != pixels * 4 {
        return Vec::new();
    }
    // Luma (Rec. 601, in integers).
    let luma = |x: usize, y: usize| {
        let i = (y * width + x) * 4;
        ((rgba[i] as u32 * 299 + rgba[i + 1] as u32 * 587 + rgba[i + 2] as u32 * 114) / 1000) as u8
    };
    let found = scan(width, height, &luma);
    if !found.is_empty() {
        return found;
    }
    // A phone's screen shown to a webcam is often dim and grey: stretch the contrast, once.
    let (lo, hi) = percentiles(pixels, &luma, width);
    if hi.saturating_sub(lo) < 16 {
        return Vec::new();
    }
    let stretched = |x: usize, y: usize| (((luma(x, y).clamp(lo, hi) - lo) as u32 * 255) / (hi - lo) as u32) as u8;
    scan(width, height, &stretched)
}

fn scan(width: usize, height: usize, luma: &dyn Fn(usize, usize) -> u8) -> Vec<String> {
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(width, height, luma);
    img.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, text)| text)).collect()
}

/// The 2nd and 98th percentiles of luma (on a sample of the pixels).
fn percentiles(pixels: usize, luma: &dyn Fn(usize, usize) -> u8, width: usize) -> (u8, u8) {
    let mut hist = [0u32; 256];
    let step = (pixels / 20_000).max(1);
    let mut n = 0u32;
    for i in (0..pixels).step_by(step) {
        hist[luma(i % width, i / width) as usize] += 1;
        n += 1;
    }
    let at = |q: u32| {
        let mut acc = 0;
        for (v, c) in hist.iter().enumerate() {
            acc += c;
            if acc * 100 >= n * q {
                return v as u8;
            }
        }
        255
    };
    (at(2), at(98))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RGBA frame with the QR code of `text` drawn at `scale` pixels a module, at (`x0`,
    /// `y0`), on a grey background.
    fn frame(text: &str, w: usize, h: usize, x0: usize, y0: usize, scale: usize) -> Vec<u8> {
        let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::Q).unwrap();
        let n = code.width();
        let colors = code.to_colors();
        let mut rgba = vec![200u8; w * h * 4];
        // Quiet zone, then the modules.
        for y in 0..(n + 8) * scale {
            for x in 0..(n + 8) * scale {
                let (mx, my) = ((x / scale) as isize - 4, (y / scale) as isize - 4);
                let dark = mx >= 0 && my >= 0 && (mx as usize) < n && (my as usize) < n && colors[my as usize * n + mx as usize] == qrcode::Color::Dark;
                let i = ((y0 + y) * w + x0 + x) * 4;
                let v = if dark { 20 } else { 245 };
                rgba[i..i + 3].fill(v);
            }
        }
        rgba
    }

    #[test]
    fn a_code_in_a_frame_is_found() {
        let text = "PA1:TESTCODE123";
        let rgba = frame(text, 640, 480, 150, 60, 6);
        assert_eq!(scan_rgba(&rgba, 640, 480), vec![text.to_string()]);
    }

    #[test]
    fn a_dim_low_contrast_frame_is_found_after_stretching() {
        let text = "PA1:DIM";
        let mut rgba = frame(text, 320, 240, 40, 20, 5);
        for px in rgba.chunks_mut(4) {
            for c in &mut px[..3] {
                *c = 100 + *c / 8;
            }
        }
        assert_eq!(scan_rgba(&rgba, 320, 240), vec![text.to_string()]);
    }

    #[test]
    fn frames_of_the_wrong_size_or_empty_find_nothing() {
        assert!(scan_rgba(&[0; 16], 3, 3).is_empty());
        assert!(scan_rgba(&[], 0, 0).is_empty());
        assert!(scan_rgba(&vec![255; 64 * 64 * 4], 64, 64).is_empty());
    }
}
