//! The kiosk on a real X server with no window manager, as a newcomer starts it (`xinit` + one
//! program): the window covers the whole monitor, though nobody honours the full-screen request.

use crate::support::tool;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills a child process when dropped, so a failing assertion leaves no X server behind.
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `Xvfb` on a free display of the given size; returns it and the DISPLAY value.
pub fn xvfb(size: &str) -> (Reaped, String) {
    let n = (200 + std::process::id() % 500..).find(|n| !std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists()).unwrap();
    let display = format!(":{n}");
    let x =
        Command::new("Xvfb").args([display.as_str(), "-screen", "0", size, "-nolisten", "tcp"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let socket = format!("/tmp/.X11-unix/X{n}");
    let start = Instant::now();
    while !std::path::Path::new(&socket).exists() {
        assert!(start.elapsed() < Duration::from_secs(20), "Xvfb did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (Reaped(x), display)
}

/// The geometry (x, y, width, height) of the window titled "Passerelle", once it is mapped.
fn kiosk_geometry(display: &str) -> Option<(i64, i64, i64, i64)> {
    let out = Command::new("sh")
        .arg("-c")
        .arg("for w in $(xdotool search --onlyvisible --name '^Passerelle$'); do xdotool getwindowgeometry --shell $w; done")
        .env("DISPLAY", display)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |k: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{k}="))).and_then(|v| v.parse().ok());
    Some((get("X")?, get("Y")?, get("WIDTH")?, get("HEIGHT")?))
}

#[test]
fn without_a_window_manager_the_kiosk_covers_the_monitor() {
    if !tool("Xvfb") || !tool("xdotool") {
        return;
    }
    let (_x, display) = xvfb("1280x800x24");
    let data = tempfile::tempdir().unwrap();
    let _kiosk = Reaped(
        Command::new(env!("CARGO_BIN_EXE_passerelle"))
            .args(["--data-dir", data.path().to_str().unwrap()])
            .env("DISPLAY", &display)
            .env("SLINT_BACKEND", "winit-software")
            .env("PASSERELLE_LOG", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    let mut last = None;
    while start.elapsed() < Duration::from_secs(60) {
        last = kiosk_geometry(&display);
        if last == Some((0, 0, 1280, 800)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("the kiosk window should cover the 1280x800 monitor at 0,0; it is {last:?} (x, y, width, height)");
}
