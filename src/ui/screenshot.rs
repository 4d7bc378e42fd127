//! Headless screenshots of every screen with Slint's software renderer
//! (`passerelle screenshot`): the kiosk is driven through its real controller to each screen.

use super::{AppWindow, Controller, Shared, build, out_of_service};
use crate::kiosk::Kiosk;
use anyhow::{Context, Result, bail};
use passerelle_core::engine::FakeClock;
use slint::ComponentHandle;
use slint::Rgb8Pixel;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

/// Every screen `--all` renders, in the order of a visit.
pub const SCREENS: &[&str] = &[
    "attract",
    "notice",
    "single",
    "list",
    "multiple",
    "text",
    "grid",
    "quiz",
    "consent",
    "contact",
    "idle",
    "end",
    "end-places",
    "end-large",
    "save-failed",
    "out-of-service",
    "pin",
    "admin",
    "a11y",
    "large",
    "large-calm",
    "contrast",
];

struct HeadlessPlatform {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

/// The window every component of this process renders into.
pub fn headless_window() -> Result<Rc<MinimalSoftwareWindow>> {
    thread_local! {
        static WINDOW: std::cell::OnceCell<Rc<MinimalSoftwareWindow>> = const { std::cell::OnceCell::new() };
    }
    WINDOW.with(|cell| {
        if let Some(w) = cell.get() {
            return Ok(w.clone());
        }
        let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
        slint::platform::set_platform(Box::new(HeadlessPlatform { window: window.clone() }))
            .map_err(|e| anyhow::anyhow!("cannot set up headless rendering: {e}"))?;
        let _ = cell.set(window.clone());
        Ok(window)
    })
}

/// Render the window's current content to an RGB image.
pub fn render(app: &AppWindow, window: &MinimalSoftwareWindow, w: u32, h: u32) -> image::RgbImage {
    window.set_size(slint::PhysicalSize::new(w, h));
    app.show().ok();
    render_window(window, w, h)
}

/// Render whatever the headless window shows.
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

fn goto(c: &mut Controller, id: &str) -> Result<()> {
    for _ in 0..200 {
        if c.engine().current().is_some_and(|q| q.id == id) {
            return Ok(());
        }
        c.skip();
    }
    bail!("question {id} not reached")
}

/// Drive the controller to `screen` (a name from [`SCREENS`]).
fn drive(c: &Shared, clock: &FakeClock, screen: &str, lang: &str) -> Result<()> {
    let mut c = c.borrow_mut();
    match screen {
        "attract" => return Ok(()),
        "pin" => {
            crate::kiosk::admin_tools::set_pin(c.store(), "2468")?;
            c.admin_long_press();
            c.admin_pin_key("2");
            c.admin_pin_key("4");
            return Ok(());
        }
        "admin" => {
            let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT)?;
            for _ in 0..3 {
                c.play_script(&script)?;
                c.finish();
            }
            crate::kiosk::admin_tools::set_pin(c.store(), "2468")?;
            c.admin_long_press();
            for k in ["2", "4", "6", "8", "OK"] {
                c.admin_pin_key(k);
            }
            return Ok(());
        }
        "end" | "end-places" | "end-large" | "save-failed" => {
            let mut script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT)?;
            script.lang = lang.to_string();
            c.play_script(&script)?;
            match screen {
                "end-places" => c.show_end_places(true),
                "end-large" => c.set_text_step(2),
                _ => {}
            }
            return Ok(());
        }
        _ => {}
    }
    c.start(lang);
    if screen == "notice" {
        return Ok(());
    }
    c.accept_notice();
    match screen {
        "single" => {}
        "list" => goto(&mut c, "quartier")?,
        "multiple" => {
            goto(&mut c, "usages_principaux")?;
            c.choose("demarches_administratives");
            c.choose("messageries_instantanees");
        }
        "text" => {
            goto(&mut c, "usages_principaux")?;
            c.choose("autre");
            c.next();
            for k in ["l", "a", " ", "c", "u", "i", "s", "i", "n", "e"] {
                c.key(k);
            }
        }
        "grid" => {
            goto(&mut c, "capacites")?;
            c.choose("sait_faire");
            c.choose("ne_sait_pas_faire");
        }
        "quiz" => goto(&mut c, "quiz_image_1")?,
        "a11y" => {
            c.open_a11y_panel();
            c.set_text_step(1);
        }
        "large" => {
            goto(&mut c, "usages_principaux")?;
            c.choose("jeux");
            c.set_text_step(2);
        }
        "large-calm" => {
            goto(&mut c, "usages_principaux")?;
            c.choose("jeux");
            c.set_text_step(2);
            c.toggle_calm();
        }
        "contrast" => {
            goto(&mut c, "usages_principaux")?;
            c.choose("jeux");
            c.toggle_contrast();
        }
        "consent" => goto(&mut c, "consentement_contact")?,
        "contact" => {
            goto(&mut c, "consentement_contact")?;
            c.open_form();
            for k in ["M", "a", "r", "t", "i", "n"] {
                c.key(k);
            }
            c.focus_field(2);
            for k in ["0", "6", " ", "1", "2"] {
                c.key(k);
            }
        }
        "idle" => {
            clock.advance(c.engine().options().idle_warning + Duration::from_secs(5));
            c.tick();
        }
        other => bail!("unknown screen `{other}` (known: {})", SCREENS.join(", ")),
    }
    Ok(())
}

/// A screen ready to render: its window is shown in the headless window. Dropping it hides the
/// window and removes the temporary store.
pub struct Prepared {
    pub app: Option<AppWindow>,
    pub mediator: Option<super::MediatorWindow>,
    pub controller: Option<Shared>,
    dir: Option<std::path::PathBuf>,
}

impl Drop for Prepared {
    fn drop(&mut self) {
        if let Some(a) = &self.app {
            a.hide().ok();
        }
        if let Some(m) = &self.mediator {
            m.hide().ok();
        }
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// Build and drive the kiosk (with a temporary store and a fixed clock) to `screen`, shown in
/// the headless window at `size`.
pub fn prepare(kiosk_for: &dyn Fn() -> Result<Kiosk>, screen: &str, size: (u32, u32), lang: &str) -> Result<Prepared> {
    let window = headless_window()?;
    window.set_size(slint::PhysicalSize::new(size.0, size.1));
    let clock = FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
    if screen == "mediateur" {
        // The mediator's window after scanning the showcase visit.
        let kiosk = kiosk_for()?;
        let dir = tempfile_dir()?;
        let mut store = crate::kiosk::store::Store::open(&dir)?;
        let mut engine = kiosk.engine(clock.clone());
        let script = passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT)?;
        let visit = passerelle_core::script::play(&mut engine, &script)?;
        let saved = kiosk.finish_visit(&mut store, clock.as_ref(), &visit)?;
        let w = super::MediatorWindow::new()?;
        super::mediator_window::connect(&w, std::rc::Rc::new(kiosk));
        w.global::<super::MediatorAdapter>().invoke_scanned(saved.payload.into());
        w.show().ok();
        return Ok(Prepared { app: None, mediator: Some(w), controller: None, dir: Some(dir) });
    }
    if screen == "out-of-service" {
        let app = out_of_service("CFG-SYNTAX")?;
        app.show().ok();
        return Ok(Prepared { app: Some(app), mediator: None, controller: None, dir: None });
    }
    let kiosk = kiosk_for()?;
    let dir = tempfile_dir()?;
    let store = crate::kiosk::store::Store::open(&dir)?;
    let (app, c) = build(kiosk, store, clock.clone())?;
    if screen == "save-failed" {
        // A store that refuses writes: the visit cannot be saved.
        c.borrow().store().connection().execute_batch("PRAGMA query_only = ON;")?;
    }
    drive(&c, &clock, screen, lang).with_context(|| format!("screen {screen}"))?;
    c.borrow_mut().refresh(&app);
    app.show().ok();
    Ok(Prepared { app: Some(app), mediator: None, controller: Some(c), dir: Some(dir) })
}

/// Render one screen to a PNG file.
pub fn screenshot(kiosk_for: &dyn Fn() -> Result<Kiosk>, screen: &str, size: (u32, u32), lang: &str, out: &Path) -> Result<()> {
    let window = headless_window()?;
    let prepared = prepare(kiosk_for, screen, size, lang)?;
    let img = render_window(&window, size.0, size.1);
    drop(prepared);
    img.save(out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("passerelle-shot-{}-{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
