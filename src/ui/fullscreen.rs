//! Full screen that holds without a window manager.
//!
//! A kiosk often runs as the only program of a bare X server (`xinit passerelle`), with no
//! window manager. There, the full-screen request is a hint nobody acts on: the window keeps its
//! default size in a corner of the screen. So, besides asking for full screen, the kiosk sizes
//! its window to the monitor and moves it to the monitor's origin itself. Under a window manager
//! that honours full screen, this changes nothing.

use slint::ComponentHandle;

/// Ask for full screen, and cover the monitor even when nobody honours the request.
pub fn cover_monitor<C: ComponentHandle + 'static>(app: &C) {
    app.window().set_fullscreen(true);
    #[cfg(feature = "desktop")]
    {
        use slint::winit_030::WinitWindowAccessor;
        let weak = app.as_weak();
        // The winit window exists only once the event loop runs.
        let _ = slint::spawn_local(async move {
            let Some(app) = weak.upgrade() else { return };
            let Ok(w) = app.window().winit_window().await else { return };
            let Some(monitor) = w.current_monitor().or_else(|| w.primary_monitor()).or_else(|| w.available_monitors().next()) else {
                log::warn!("no monitor found: the window keeps its size");
                return;
            };
            let (size, origin) = (monitor.size(), monitor.position());
            if w.inner_size() != size {
                log::info!("full screen not honoured: sizing the window to the monitor ({}x{})", size.width, size.height);
                let _ = w.request_inner_size(size);
                w.set_outer_position(origin);
            }
        });
    }
}
