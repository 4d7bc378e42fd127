//! A screen reader on the desktop build: a whole visit driven through AT-SPI (what Orca uses),
//! checking that every visible button and answer tile exposes its action. Answer tiles used to
//! expose none after a screen change (see docs/accessibility.md, "AT-SPI and AccessKit").

use crate::display::{Reaped, xvfb};
use crate::support::tool;
use std::process::{Command, Stdio};

#[test]
#[ignore = "drives a whole visit through AT-SPI in a real window (about a minute): run by .ci/run"]
fn every_visible_button_and_tile_exposes_its_action_to_a_screen_reader() {
    let have_pyatspi = || Command::new("/usr/bin/python3").args(["-c", "import pyatspi"]).status().is_ok_and(|s| s.success());
    if !tool("Xvfb") || !tool("dbus-run-session") || !std::path::Path::new("/usr/libexec/at-spi-bus-launcher").exists() || !have_pyatspi() {
        assert!(std::env::var_os("PASSERELLE_CI").is_none(), "CI must install xvfb, dbus-x11, at-spi2-core and python3-pyatspi");
        eprintln!("notice: AT-SPI tools not installed, the screen-reader walk is skipped");
        return;
    }
    let (_x, display) = xvfb("1280x800x24");
    let data = tempfile::tempdir().unwrap();
    let settings = tempfile::tempdir().unwrap();
    let walk = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/atspi_walk.py");
    // Inside a private D-Bus session: the accessibility bus, switched on as a screen reader
    // does, then the kiosk (AccessKit starts only once the bus says it is enabled), then the walk.
    let script = format!(
        "/usr/libexec/at-spi-bus-launcher --launch-immediately & sleep 1; \
         busctl --user set-property org.a11y.Bus /org/a11y/bus org.a11y.Status IsEnabled b true; \
         '{bin}' --windowed --data-dir '{data}' >/dev/null 2>&1 & kiosk=$!; \
         timeout 300 /usr/bin/python3 '{walk}'; status=$?; kill $kiosk; exit $status",
        bin = env!("CARGO_BIN_EXE_passerelle"),
        data = data.path().display(),
    );
    let out = Reaped(
        Command::new("dbus-run-session")
            .args(["--", "sh", "-c", &script])
            .env("DISPLAY", &display)
            .env("XDG_CONFIG_HOME", settings.path())
            .env("SLINT_BACKEND", "winit-software")
            .env("PASSERELLE_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut child = out;
    let mut text = String::new();
    std::io::Read::read_to_string(child.0.stdout.as_mut().unwrap(), &mut text).unwrap();
    let screens: Vec<&str> = text.lines().filter(|l| l.starts_with("SCREEN ")).collect();
    let missing: Vec<&str> = text.lines().filter(|l| l.starts_with("NOACTION ")).collect();
    assert!(screens.len() >= 20, "the walk should cross a whole visit:\n{text}");
    assert!(screens.iter().any(|s| s.contains("Moins de 12 ans")), "the first question's tiles were seen:\n{text}");
    assert!(screens.last().is_some_and(|s| s.contains("Terminer")), "the walk should reach the end screen:\n{text}");
    assert!(missing.is_empty(), "controls a screen reader cannot press:\n{}", missing.join("\n"));
}
