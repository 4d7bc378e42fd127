//! One frame of a Slint window, drawn by the software renderer into an image.
//!
//! A crate of its own for one reason: the renderer's per-pixel code is generic over the pixel
//! type, so it is compiled where `render` is called. Called from here, it is built at opt-level 3
//! even in debug builds (the workspace's `Cargo.toml` says so), and `cargo test`, which draws
//! thousands of frames, does not spend its time in unoptimised pixel loops.

use slint::Rgb8Pixel;
use slint::platform::software_renderer::MinimalSoftwareWindow;

/// The window's frame at `w`×`h` physical pixels, once its layout has settled.
pub fn render_window(window: &MinimalSoftwareWindow, w: u32, h: u32) -> image::RgbImage {
    // Layout settles over a couple of frames (window size → theme → layout).
    let mut buf = vec![Rgb8Pixel::default(); (w * h) as usize];
    for _ in 0..3 {
        slint::platform::update_timers_and_animations();
        window.request_redraw();
        window.draw_if_needed(|r| {
            r.render(&mut buf, w as usize);
        });
    }
    let mut img = image::RgbImage::new(w, h);
    for (p, px) in img.pixels_mut().zip(buf.iter()) {
        *p = image::Rgb([px.r, px.g, px.b]);
    }
    img
}
