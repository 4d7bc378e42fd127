//! The one kit the UI tests build a kiosk with: the real Slint window on the testing backend, on
//! the shipped configuration (edited where a test needs it), a temporary data directory, a fake
//! clock and a fake speech engine. Each test file says only what differs:
//! `ui_kit::kit().deck_order().admin_key().size(1280.0, 800.0).build()`.

use chrono::NaiveDate;
use passerelle::kiosk::Kiosk;
use passerelle::kiosk::printer::Printer;
use passerelle::kiosk::speech::FakeSpeech;
use passerelle::kiosk::store::Store;
use passerelle::ui::{self, AppWindow, Devices, Shared};
use passerelle_core::config::Config;
use passerelle_core::engine::FakeClock;
use slint::ComponentHandle;
use std::sync::Arc;

thread_local! {
    static BACKEND: () = i_slint_backend_testing::init_no_event_loop();
}

/// A kiosk on screen, and what a test reads or moves around it.
pub struct Kit {
    pub app: AppWindow,
    pub c: Shared,
    pub clock: Arc<FakeClock>,
    pub speech: Arc<FakeSpeech>,
    /// The admin's private identity (with [`Builder::admin_key`]), to open sealed contacts.
    #[allow(dead_code)]
    pub identity: String,
    #[allow(dead_code)]
    pub dir: tempfile::TempDir,
}

/// What differs from the shipped kiosk.
pub struct Builder {
    edits: Vec<Box<dyn Fn(String) -> String>>,
    identity: String,
    day: NaiveDate,
    size: Option<(f32, f32)>,
    pin: Option<String>,
    printer: Option<Arc<dyn Printer>>,
}

/// The shipped kiosk on 2026-11-28 at 10:00, without admin key, in the shipped order.
pub fn kit() -> Builder {
    Builder { edits: Vec::new(), identity: String::new(), day: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(), size: None, pin: None, printer: None }
}

#[allow(dead_code)]
impl Builder {
    /// The questionnaire's own order (the shipped kiosk asks the essentials first).
    pub fn deck_order(self) -> Self {
        self.config(|s| s.replace("order = \"essentials_first\"", "order = \"deck\""))
    }

    /// An admin key in `kiosk.toml`: the contact step is offered; the kit keeps the identity.
    pub fn admin_key(mut self) -> Self {
        let (identity, recipient) = passerelle::kiosk::seal::keygen();
        self.identity = identity;
        self.config(move |s| s.replace("recipient = \"\"", &format!("recipient = \"{recipient}\"")))
    }

    /// Any other change to the text of `kiosk.toml`.
    pub fn config(mut self, edit: impl Fn(String) -> String + 'static) -> Self {
        self.edits.push(Box::new(edit));
        self
    }

    /// The fake clock's day (10:00).
    pub fn on(mut self, year: i32, month: u32, day: u32) -> Self {
        self.day = NaiveDate::from_ymd_opt(year, month, day).unwrap();
        self
    }

    /// The window's logical size.
    pub fn size(mut self, width: f32, height: f32) -> Self {
        self.size = Some((width, height));
        self
    }

    /// An admin PIN set in the store.
    pub fn pin(mut self, pin: &str) -> Self {
        self.pin = Some(pin.to_string());
        self
    }

    pub fn printer(mut self, printer: Arc<dyn Printer>) -> Self {
        self.printer = Some(printer);
        self
    }

    pub fn build(self) -> Kit {
        BACKEND.with(|_| ());
        let dir = tempfile::tempdir().unwrap();
        let src = self.edits.iter().fold(passerelle_core::DEFAULT_CONFIG.to_string(), |s, edit| edit(s));
        let mut config = Config::parse(&src, "kiosk.toml", None).unwrap();
        config.data_dir = dir.path().to_path_buf();
        let kiosk = Kiosk::from_config(config, "test".into()).unwrap();
        let store = Store::open(dir.path()).unwrap();
        if let Some(pin) = &self.pin {
            passerelle::kiosk::admin_tools::set_pin(&store, pin).unwrap();
        }
        let clock = FakeClock::new(self.day.and_hms_opt(10, 0, 0).unwrap());
        let speech = Arc::new(FakeSpeech::default());
        let devices = Devices { printer: self.printer, speech: speech.clone() };
        let (app, c) = ui::build_with_devices(kiosk, store, clock.clone(), devices).unwrap();
        if let Some((w, h)) = self.size {
            app.window().set_size(slint::LogicalSize::new(w, h));
        }
        app.show().unwrap();
        Kit { app, c, clock, speech, identity: self.identity, dir }
    }
}
