//! Headless screenshots of every screen with Slint's software renderer
//! (`passerelle screenshot`): the kiosk is driven through its visit model to each screen
//! (`kiosk/src/screen_tour.rs`).

use super::{AppWindow, Shared, build, out_of_service};
use crate::kiosk::Kiosk;
use crate::kiosk::screen_tour;
pub use crate::kiosk::screen_tour::SCREENS;
use anyhow::{Context, Result};
use slint::ComponentHandle;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use std::path::Path;
use std::rc::Rc;

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

pub use passerelle_frame::render_window;

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
    let clock = screen_tour::clock();
    if screen == "out-of-service" {
        let app = out_of_service("CFG-SYNTAX")?;
        app.show().ok();
        return Ok(Prepared { app: Some(app), mediator: None, controller: None, dir: None });
    }
    let kiosk = screen_tour::fixed(kiosk_for()?);
    let dir = screen_tour::scratch_dir()?;
    let mut store = crate::kiosk::store::Store::open(&dir)?;
    if screen == "mediateur" {
        // The mediator's window after scanning the showcase visit.
        let saved = screen_tour::showcase_visit(&kiosk, &mut store, &clock)?;
        let w = super::MediatorWindow::new()?;
        super::mediator_window::connect(&w, std::rc::Rc::new(kiosk.defs.clone()));
        w.global::<super::MediatorAdapter>().invoke_scanned(saved.payload.into());
        w.show().ok();
        return Ok(Prepared { app: None, mediator: Some(w), controller: None, dir: Some(dir) });
    }
    let (app, c) = build(kiosk, store, clock.clone())?;
    if screen == "save-failed" {
        // A store that refuses writes: the visit cannot be saved.
        c.borrow().model().store().connection().execute_batch("PRAGMA query_only = ON;")?;
    }
    screen_tour::drive(c.borrow_mut().model_mut(), &clock, screen, lang).with_context(|| format!("screen {screen}"))?;
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
