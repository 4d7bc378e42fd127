//! The state the visit model keeps between inputs for its accessibility and admin modes (their
//! behaviour is in `a11y_model.rs` and `admin_model.rs`).

use crate::speech::DEFAULT_VOLUME;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct A11yState {
    pub panel_open: bool,
    /// The language picker is open (the language button).
    pub languages_open: bool,
    pub text_step: usize,
    pub high_contrast: bool,
    pub calm: bool,
    pub auto_read: bool,
    pub(crate) default_auto_read: bool,
    pub volume: usize,
    /// The visitor used speech during this visit (the inactivity warning is then spoken too).
    pub used_speech: bool,
    /// The visitor uses keys (a keypad): every new screen is then read aloud.
    pub used_keys: bool,
    /// Screens of the visit (notice and questions) seen, and those read aloud (automatically or
    /// with "Écouter"): the `read_aloud` signal of the QR code.
    pub screens_seen: u32,
    pub screens_heard: u32,
    pub(crate) heard_current: bool,
}

impl A11yState {
    /// The visitor used the read-aloud on most (more than half) of the screens they saw.
    pub fn read_aloud_most(&self) -> bool {
        self.screens_seen > 0 && self.screens_heard * 2 > self.screens_seen
    }

    pub fn new(auto_read: bool) -> A11yState {
        A11yState {
            panel_open: false,
            languages_open: false,
            text_step: 0,
            high_contrast: false,
            calm: false,
            auto_read,
            default_auto_read: auto_read,
            volume: DEFAULT_VOLUME,
            used_speech: false,
            used_keys: false,
            screens_seen: 0,
            screens_heard: 0,
            heard_current: false,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct AdminState {
    pub pin_open: bool,
    pub(crate) pin: String,
    pub(crate) message: String,
    pub open: bool,
    pub(crate) last_input: Duration,
    pub(crate) status: String,
    pub(crate) busy: bool,
    pub(crate) confirm_purge: bool,
    /// A places import is running: reload the places when it reports.
    pub(crate) reload_places: bool,
    pub quit: bool,
    /// What the admin screen shows, taken when it opens and after each action (the store's
    /// counts, free space, the stick, the printer): drawing the screen never queries anything.
    pub(crate) screen: Option<crate::screen_views::AdminScreenView>,
    /// When `screen` was taken (monotonic): it is taken again every [`ADMIN_SNAPSHOT_EVERY`]
    /// so that a stick plugged in meanwhile shows up.
    pub(crate) screen_at: Duration,
}

/// How often an open admin screen takes its facts again (a stick plugged in, a visit finished).
pub const ADMIN_SNAPSHOT_EVERY: Duration = Duration::from_secs(5);
