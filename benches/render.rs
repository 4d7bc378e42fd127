//! Full-frame software rendering of the kiosk's screens at 1920x1080 (target: under 8 ms).
//! Run: cargo bench --bench render

use criterion::{Criterion, criterion_group, criterion_main};
use passerelle::kiosk::Kiosk;
use passerelle::ui::screenshot::{headless_window, prepare};
use slint::Rgb8Pixel;
use std::time::Duration;

fn kiosk() -> anyhow::Result<Kiosk> {
    let (_, recipient) = passerelle::kiosk::seal::keygen();
    let src = passerelle_core::DEFAULT_CONFIG.replace("recipient = \"\"", &format!("recipient = \"{recipient}\""));
    Ok(Kiosk::from_config(passerelle_core::config::Config::parse(&src, "kiosk.toml", None)?, "bench".into())?)
}

fn render(c: &mut Criterion) {
    let window = headless_window().unwrap();
    let (w, h) = (1920u32, 1080u32);
    let mut buf = vec![Rgb8Pixel::default(); (w * h) as usize];
    let mut group = c.benchmark_group("render_1920x1080");
    group.sample_size(30).measurement_time(Duration::from_secs(3));
    for screen in ["attract", "notice", "single", "list", "multiple", "text", "grid", "quiz", "consent", "contact", "idle", "end", "a11y", "admin"] {
        let _p = prepare(&kiosk, screen, (w, h), "fr").unwrap();
        // Settle the layout.
        for _ in 0..3 {
            slint::platform::update_timers_and_animations();
            window.request_redraw();
            window.draw_if_needed(|r| {
                r.render(&mut buf, w as usize);
            });
        }
        group.bench_function(screen, |b| {
            b.iter(|| {
                window.request_redraw();
                window.draw_if_needed(|r| {
                    r.render(&mut buf, w as usize);
                });
            })
        });
    }
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
