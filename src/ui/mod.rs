//! The Slint user interface (the only module that knows Slint).

slint::include_modules!();

use crate::kiosk::Kiosk;

pub fn run_kiosk(_kiosk: Kiosk, _windowed: bool) -> anyhow::Result<()> {
    let app = AppWindow::new()?;
    app.run()?;
    Ok(())
}
