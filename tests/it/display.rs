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
///
/// Tests run in parallel in one process: each call takes the next display number, and the
/// server counts as started only when the display's lock file holds this server's own pid (a
/// stale socket, or another server on the same number, does not count; a server that exits at
/// once, because the display was taken, is replaced by one on the next number).
pub fn xvfb(size: &str) -> (Reaped, String) {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let base = 200 + std::process::id() % 500;
    for _ in 0..50 {
        let n = base + NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let lock = format!("/tmp/.X{n}-lock");
        if std::path::Path::new(&lock).exists() {
            continue;
        }
        let display = format!(":{n}");
        let mut x = Reaped(
            Command::new("Xvfb")
                .args([display.as_str(), "-screen", "0", size, "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let pid = x.0.id().to_string();
        let socket = format!("/tmp/.X11-unix/X{n}");
        let start = Instant::now();
        loop {
            if x.0.try_wait().unwrap().is_some() {
                break;
            }
            let ours = std::fs::read_to_string(&lock).is_ok_and(|l| l.trim() == pid);
            if ours && std::path::Path::new(&socket).exists() {
                return (x, display);
            }
            assert!(start.elapsed() < Duration::from_secs(20), "Xvfb did not start on {display}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    panic!("no free X display for Xvfb");
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
    // The kiosk's own log, to say why when its window never comes.
    let log = data.path().join("kiosk.log");
    let mut kiosk = Reaped(
        Command::new(env!("CARGO_BIN_EXE_passerelle"))
            .args(["--data-dir", data.path().join("data").to_str().unwrap()])
            .env("DISPLAY", &display)
            .env("SLINT_BACKEND", "winit-software")
            .env("PASSERELLE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    let mut last = None;
    while start.elapsed() < Duration::from_secs(90) {
        last = kiosk_geometry(&display);
        if last == Some((0, 0, 1280, 800)) {
            return;
        }
        if let Some(status) = kiosk.0.try_wait().unwrap() {
            panic!("the kiosk exited ({status}) before covering the monitor: {}", std::fs::read_to_string(&log).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    eprintln!("the kiosk's log: {}", std::fs::read_to_string(&log).unwrap_or_default());
    panic!("the kiosk window should cover the 1280x800 monitor at 0,0; it is {last:?} (x, y, width, height)");
}
