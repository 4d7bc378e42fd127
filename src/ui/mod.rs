//! The Slint user interface: the only module that knows Slint.
//!
//! [`Controller`] owns the visit [`Engine`], the store and the clock; `connect` wires the
//! adapters' callbacks (ui/adapters.slint) to it, and [`Controller::refresh`] pushes the engine's
//! state into the adapters after every input.

slint::include_modules!();

pub mod a11y;
pub mod admin_screen;
pub mod mediator_window;
pub mod screenshot;

use crate::shared::i18n::{tr, tr_with};
use crate::kiosk::{Kiosk, KioskError, SavedVisit};
use crate::shared::pictograms;
use crate::kiosk::printer::Printer;
use crate::kiosk::store::Store;
use passerelle_core::answers::AnswerError;
use passerelle_core::engine::{Clock, CompletedVisit, Engine, EngineError, IdleEvent, Outcome, Screen as EScreen};
use passerelle_core::questionnaire::{Kind, Question};
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// A screen the UI shows instead of the engine's.
#[derive(Debug, Clone, PartialEq)]
enum Override {
    /// The language is kept: the engine has already wiped the visit.
    SaveFailed { code: String, lang: String },
}

pub struct Controller {
    kiosk: Kiosk,
    engine: Engine,
    store: Store,
    clock: Arc<dyn Clock>,
    form_open: bool,
    focused_field: usize,
    form_error: String,
    saved: Option<SavedVisit>,
    qr: Option<Image>,
    over: Option<Override>,
    images: HashMap<String, Image>,
    /// Time left before the reset, from the last inactivity warning.
    idle_left: Option<Duration>,
    printer: Option<Arc<dyn Printer>>,
    print: PrintState,
    admin: admin_screen::AdminState,
    /// The places in use, and the suggestions for the visit on screen.
    places: crate::kiosk::place_book::PlaceBook,
    suggestions: Vec<passerelle_core::places::Suggestion>,
    suggested_at: chrono::NaiveDateTime,
    /// The end screen shows the places (true) or the profile (false).
    end_places: bool,
    speech: Arc<dyn crate::kiosk::speech::Speech>,
    a11y: a11y::A11yState,
    /// Keypad focus: an index into the current screen's targets.
    focus: Option<usize>,
    /// The screen last spoken (or silenced), to speak each new screen once.
    spoken_key: String,
    guard: passerelle_core::admin::PinGuard,
    /// Day of the last retention pass (retention runs at start-up and once a day).
    retention_day: Option<chrono::NaiveDate>,
    /// The data disk is full: no new visit; between visits the screen says "out of service"
    /// (code DISK-FULL) until space returns, checked every [`SPACE_CHECK`].
    disk_full: bool,
    /// When the disk was last checked (monotonic clock).
    space_checked: Duration,
}

/// How often the kiosk looks at the free space of its data disk.
pub const SPACE_CHECK: Duration = Duration::from_secs(5);

/// Tickets of the visit on screen.
#[derive(Debug, Default, Clone)]
struct PrintState {
    printing: bool,
    printed: u32,
    /// i18n key of the status line ("" for none).
    status: &'static str,
}

/// A visitor may print their ticket twice (a second try after a paper jam), not more.
const MAX_PRINTS: u32 = 2;

pub type Shared = Rc<RefCell<Controller>>;

/// The kiosk's devices, injectable for tests.
pub struct Devices {
    pub printer: Option<Arc<dyn Printer>>,
    pub speech: Arc<dyn crate::kiosk::speech::Speech>,
}

impl Devices {
    pub fn from_config(c: &passerelle_core::config::Config) -> Devices {
        Devices { printer: crate::kiosk::printer::from_config(&c.printer), speech: Arc::new(crate::kiosk::speech::CommandSpeech::new(c.speech.clone())) }
    }
}

impl Controller {
    pub fn new(kiosk: Kiosk, store: Store, clock: Arc<dyn Clock>) -> Controller {
        let printer = crate::kiosk::printer::from_config(&kiosk.config.printer);
        Self::with_printer(kiosk, store, clock, printer)
    }

    pub fn with_printer(kiosk: Kiosk, store: Store, clock: Arc<dyn Clock>, printer: Option<Arc<dyn Printer>>) -> Controller {
        let speech: Arc<dyn crate::kiosk::speech::Speech> = Arc::new(crate::kiosk::speech::CommandSpeech::new(kiosk.config.speech.clone()));
        Self::with_devices(kiosk, store, clock, Devices { printer, speech })
    }

    pub fn with_devices(kiosk: Kiosk, store: Store, clock: Arc<dyn Clock>, devices: Devices) -> Controller {
        let Devices { printer, speech } = devices;
        let kiosk_auto_read = kiosk.config.speech.auto_read;
        let places = crate::kiosk::place_book::load(&kiosk.config.data_dir, kiosk.config.departement.as_deref());
        let engine = kiosk.engine(clock.clone());
        let guard = passerelle_core::admin::PinGuard::restored(crate::kiosk::admin_tools::failures(&store), clock.monotonic());
        let disk_full = store.space().full;
        if disk_full {
            log::error!("out of service (DISK-FULL): the data disk is full");
        }
        let space_checked = clock.monotonic();
        Controller {
            kiosk,
            engine,
            store,
            clock,
            form_open: false,
            focused_field: 0,
            form_error: String::new(),
            saved: None,
            qr: None,
            over: None,
            images: HashMap::new(),
            idle_left: None,
            printer,
            print: PrintState::default(),
            admin: admin_screen::AdminState::default(),
            places,
            suggestions: Vec::new(),
            suggested_at: chrono::NaiveDateTime::default(),
            end_places: false,
            a11y: a11y::A11yState::new(kiosk_auto_read),
            speech,
            focus: None,
            spoken_key: String::new(),
            guard,
            retention_day: None,
            disk_full,
            space_checked,
        }
    }

    /// The kiosk is out of service because its data disk is full (between visits).
    pub fn disk_out_of_service(&self) -> bool {
        self.disk_full && self.over.is_none() && self.engine.screen() == EScreen::Attract
    }

    /// Look at the data disk again; logs when the kiosk goes out of service or back.
    pub fn check_disk(&mut self) {
        self.space_checked = self.clock.monotonic();
        if self.disk_full {
            // Space the WAL still holds (an export's bookkeeping, when a reader delayed its
            // checkpoint) goes back to the disk. Quick when the WAL is already empty.
            if let Err(e) = self.store.checkpoint_truncate() {
                log::warn!("WAL checkpoint on a full disk failed: {e}");
            }
        }
        let full = self.store.refresh_space().full;
        if full != self.disk_full {
            if full {
                log::error!("out of service (DISK-FULL): the data disk is full");
            } else {
                log::info!("space returned on the data disk: back in service");
            }
        }
        self.disk_full = full;
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }
    pub fn store(&self) -> &Store {
        &self.store
    }
    pub fn kiosk(&self) -> &Kiosk {
        &self.kiosk
    }
    pub fn last_saved(&self) -> Option<&SavedVisit> {
        self.saved.as_ref()
    }

    fn image(&mut self, name: &str) -> Image {
        if let Some(i) = self.images.get(name) {
            return i.clone();
        }
        let img = pictograms::svg(name).and_then(|svg| Image::load_from_svg_data(svg).ok()).unwrap_or_default();
        self.images.insert(name.to_string(), img.clone());
        img
    }

    fn lang(&self) -> String {
        self.engine.lang().to_string()
    }

    // ---- inputs (the adapters' callbacks call these) -----------------------------------------

    pub fn start(&mut self, lang: &str) {
        if self.disk_full {
            return;
        }
        if self.engine.set_lang(lang).is_ok() {
            let _ = self.engine.start();
        }
    }

    /// The language button: back to the first language (French) from any other, or from French
    /// to the second one. With six languages, the reference language stays one tap away.
    pub fn switch_language(&mut self) {
        if let Some(next) = other_language(&self.kiosk.config.languages, self.engine.lang()) {
            let _ = self.engine.set_lang(&next);
        }
    }

    pub fn accept_notice(&mut self) {
        let r = self.engine.acknowledge();
        self.after(r);
    }

    pub fn choose(&mut self, id: &str) {
        let r = self.engine.choose(id);
        self.after(r);
    }

    pub fn next(&mut self) {
        let r = self.engine.next();
        self.after(r);
    }

    pub fn skip(&mut self) {
        self.form_open = false;
        let r = self.engine.skip();
        self.after(r);
    }

    pub fn back(&mut self) {
        if self.form_open {
            self.form_open = false;
            self.form_error.clear();
            self.engine.still_here();
            return;
        }
        let r = self.engine.back();
        self.after(r);
    }

    pub fn open_form(&mut self) {
        self.form_open = true;
        self.focused_field = 0;
        self.form_error.clear();
        self.engine.still_here();
    }

    pub fn focus_field(&mut self, i: usize) {
        self.focused_field = i;
        self.engine.still_here();
    }

    /// A key of the on-screen keyboard: a text, or "\u{8}" to delete one character.
    pub fn key(&mut self, t: &str) {
        let Some(q) = self.engine.current().cloned() else {
            return;
        };
        let edit = |old: String| -> String {
            let mut s = old;
            if t == "\u{8}" {
                s.pop();
            } else {
                s.push_str(t);
            }
            s
        };
        match q.kind {
            Kind::Text => {
                let v = edit(self.engine.text());
                let _ = self.engine.set_text(&v);
            }
            Kind::Contact if self.form_open => {
                if let Some(f) = q.fields.get(self.focused_field) {
                    let old = self.engine.contact().field(&f.id).unwrap_or_default().to_string();
                    let _ = self.engine.set_contact_field(&f.id, &edit(old));
                    self.form_error.clear();
                }
            }
            _ => {}
        }
    }

    /// Play a scripted visit through the engine and store it (screenshots, demos).
    pub fn play_script(&mut self, script: &passerelle_core::script::Script) -> Result<(), passerelle_core::script::ScriptError> {
        let v = passerelle_core::script::play(&mut self.engine, script)?;
        self.save(&v);
        Ok(())
    }

    pub fn still_here(&mut self) {
        self.engine.still_here();
    }

    /// The suggested places, in words, in `lang`.
    pub fn place_lines(&self, lang: &str) -> Vec<crate::kiosk::place_book::PlaceLine> {
        crate::kiosk::place_book::lines(&self.suggestions, self.suggested_at, lang)
    }

    /// The end screen's two views: the profile, or where to go next.
    pub fn show_end_places(&mut self, places: bool) {
        self.engine.still_here();
        self.end_places = places && !self.suggestions.is_empty();
    }

    pub fn finish(&mut self) {
        self.reset_a11y();
        if self.over.take().is_some() {
            return;
        }
        let _ = self.engine.finish();
        self.saved = None;
        self.qr = None;
    }

    /// "Imprimer mon ticket": the ticket is drawn and printed on a worker thread, which reports
    /// back through `EndAdapter.print-finished` in the event loop.
    pub fn print(&mut self, app: slint::Weak<AppWindow>) {
        let (Some(printer), Some(saved)) = (self.printer.clone(), self.saved.clone()) else {
            return;
        };
        if self.print.printing || self.print.printed >= MAX_PRINTS {
            return;
        }
        self.engine.still_here();
        self.print.printing = true;
        self.print.status = "print.printing";
        let data = crate::kiosk::ticket::TicketData {
            structure: self.kiosk.config.structure.clone(),
            commune: self.kiosk.config.commune.clone(),
            date: self.clock.local_now().date(),
            lang: saved.lang.clone(),
            summary: crate::kiosk::summary::summary(&saved.profile, &self.kiosk.questionnaire, &self.kiosk.rules.capability_question, &saved.lang),
            summary_fr: (saved.lang != "fr")
                .then(|| crate::kiosk::summary::summary(&saved.profile, &self.kiosk.questionnaire, &self.kiosk.rules.capability_question, "fr")),
            payload: saved.payload.clone(),
            reference: saved.id.clone(),
            places: self.place_lines(&saved.lang),
        };
        std::thread::spawn(move || {
            let result =
                crate::kiosk::ticket::render(&data, printer.width_mm()).map_err(|e| e.to_string()).and_then(|img| printer.print(&img).map_err(|e| e.to_string()));
            match &result {
                // No reference and no line per success: journald stamps every line to the
                // second, which would date each visit far more finely than the store does.
                Ok(()) => {}
                Err(e) => log::warn!("a ticket was not printed: {e}"),
            }
            let ok = result.is_ok();
            let _ = app.upgrade_in_event_loop(move |app| app.global::<EndAdapter>().invoke_print_finished(ok, SharedString::new()));
        });
    }

    pub fn print_finished(&mut self, ok: bool) {
        self.print.printing = false;
        if ok {
            self.print.printed += 1;
            self.print.status = "print.done";
        } else {
            self.print.status = "print.failed";
        }
    }

    /// What a tick can change on screen.
    #[allow(clippy::type_complexity)]
    fn tick_state(&self) -> (EScreen, bool, Option<Duration>, bool, bool, bool, Option<chrono::NaiveDate>, bool) {
        (
            self.engine.screen(),
            self.engine.warning(),
            self.idle_left,
            self.admin.open,
            self.admin.pin_open,
            self.over.is_some(),
            self.retention_day,
            self.disk_full,
        )
    }

    /// The 1-second tick: inactivity warning, then reset.
    pub fn tick(&mut self) {
        if self.clock.monotonic().saturating_sub(self.space_checked) >= SPACE_CHECK {
            self.check_disk();
        }
        self.admin_tick();
        self.daily_retention();
        let event = self.engine.tick();
        self.idle_left = match event {
            IdleEvent::Warning { remaining } => Some(remaining),
            _ => None,
        };
        if let IdleEvent::Reset { abandoned_at } = event {
            self.reset_a11y();
            if let Some(step) = abandoned_at {
                self.record_abandon(&step);
            }
            self.form_open = false;
            self.form_error.clear();
            self.saved = None;
            self.qr = None;
            self.over = None;
        }
    }

    fn record_abandon(&mut self, step: &str) {
        match self.kiosk.record_abandon(&mut self.store, self.clock.as_ref(), step) {
            Ok(()) => {}
            Err(e) => log::error!("cannot record an abandoned visit ({}): {e}", e.code()),
        }
    }

    fn after(&mut self, r: Result<Outcome, EngineError>) {
        match r {
            Ok(Outcome::Moved) => {
                self.form_error.clear();
                if !matches!(self.engine.current().map(|q| q.kind), Some(Kind::Contact)) {
                    self.form_open = false;
                }
            }
            Ok(Outcome::Finished(v)) => {
                self.form_open = false;
                self.save(&v);
            }
            Ok(Outcome::Abandoned { step }) => {
                self.reset_a11y();
                self.record_abandon(&step);
            }
            Err(EngineError::Answer(AnswerError::Invalid { problem, .. })) if self.form_open => {
                let key = format!("form.{problem}");
                let msg = tr(&self.lang(), &key);
                self.form_error = if msg == key { tr(&self.lang(), "form.invalid") } else { msg };
            }
            Err(e) => log::debug!("input refused: {e}"),
        }
    }

    fn save(&mut self, v: &CompletedVisit) {
        match self.kiosk.finish_visit(&mut self.store, self.clock.as_ref(), v) {
            Ok(saved) => {
                self.qr = crate::shared::qr::render(&saved.payload, 1).ok().map(|img| {
                    let buf = slint::SharedPixelBuffer::<slint::Rgba8Pixel>::clone_from_slice(img.as_raw(), img.width(), img.height());
                    Image::from_rgba8(buf)
                });
                let now = self.clock.local_now();
                self.suggestions = crate::kiosk::place_book::suggest(&self.kiosk, &self.places, &saved.profile, now);
                self.suggested_at = now;
                self.end_places = false;
                self.saved = Some(saved);
                self.print = PrintState::default();
                let _ = self.engine.saved();
            }
            Err(e) => {
                log::error!("a finished visit could not be stored ({}): {e}", e.code());
                // The store looked at the disk before saving.
                self.disk_full = self.store.space().full;
                let lang = self.lang();
                self.engine.abort();
                self.over = Some(Override::SaveFailed { code: e.code().to_string(), lang });
            }
        }
    }

    // ---- output --------------------------------------------------------------------------------

    /// Push the state into the adapters.
    pub fn refresh(&mut self, app: &AppWindow) {
        self.refresh_screens(app);
        self.refresh_a11y(app);
    }

    fn refresh_screens(&mut self, app: &AppWindow) {
        let lang = match &self.over {
            Some(Override::SaveFailed { lang, .. }) => lang.clone(),
            None => self.lang(),
        };
        let langs = self.kiosk.config.languages.clone();
        let t = app.global::<Tr>();
        t.set_lang(lang.clone().into());
        app.global::<Theme>().set_rtl(crate::shared::i18n::is_rtl(&lang));
        let a = app.global::<AppAdapter>();
        a.set_structure(self.kiosk.config.structure.clone().into());
        a.set_languages(model(
            langs.iter().map(|l| LanguageItem { code: l.into(), name: tr(l, "lang.name").into(), action: tr(l, "start.action").into() }).collect(),
        ));
        let other = other_language(&langs, &lang);
        a.set_other_language_name(other.map(|o| tr(&o, "lang.name")).unwrap_or_default().into());
        // The welcome in the first two languages; the tiles name every language in its own script.
        let join = |key: &str| langs.iter().take(2).map(|l| tr(l, key)).collect::<Vec<_>>();
        let at = app.global::<AttractAdapter>();
        at.set_welcome(join("start.welcome").join(" · ").into());
        let lines: Vec<String> = langs.iter().take(2).map(|l| format!("{} {}", tr(l, "start.tagline"), tr(l, "start.anonymous"))).collect();
        at.set_lines(model(lines.into_iter().map(SharedString::from).collect()));
        at.set_hint(join("start.hint").join(" · ").into());

        let idle = app.global::<IdleAdapter>();
        idle.set_visible(self.engine.warning() && self.over.is_none());
        if self.engine.warning() {
            let remaining = self.idle_left.unwrap_or(self.engine.options().idle_reset);
            idle.set_countdown(tr_with(&lang, "idle.countdown", &[("n", &remaining.as_secs().to_string())]).into());
        }

        self.refresh_admin(app, &lang);
        if self.admin.open {
            a.set_screen(Screen::Admin);
            return;
        }
        if let Some(Override::SaveFailed { code, .. }) = &self.over {
            app.global::<ServiceAdapter>().set_code(tr_with(&lang, "oos.code", &[("code", code)]).into());
            a.set_screen(Screen::SaveFailed);
            return;
        }
        if self.disk_out_of_service() {
            app.global::<ServiceAdapter>().set_code(tr_with(&lang, "oos.code", &[("code", "DISK-FULL")]).into());
            a.set_screen(Screen::OutOfService);
            return;
        }
        match self.engine.screen() {
            EScreen::Attract => a.set_screen(Screen::Attract),
            EScreen::Notice => {
                self.refresh_notice(app, &lang);
                a.set_screen(Screen::Notice);
            }
            EScreen::Question { .. } => {
                self.refresh_question(app, &lang);
                a.set_screen(Screen::Question);
            }
            EScreen::Completed | EScreen::End => {
                self.refresh_end(app, &lang);
                a.set_screen(Screen::End);
            }
        }
    }

    fn notice_vars(&self) -> [(&'static str, String); 2] {
        [("structure", self.kiosk.config.structure.clone()), ("commune", self.kiosk.config.commune.clone())]
    }

    fn refresh_notice(&mut self, app: &AppWindow, lang: &str) {
        let q = self.kiosk.questionnaire.clone();
        let Some(notice) = q.questions().iter().find(|x| x.kind == Kind::Notice) else {
            return;
        };
        let vars = self.notice_vars();
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let n = app.global::<NoticeAdapter>();
        n.set_title(notice.label.fill(&vars).get(lang).into());
        n.set_body(notice.help.as_ref().map(|h| h.fill(&vars).get(lang).to_string()).unwrap_or_default().into());
        n.set_icon(self.image(&notice.picto));
        app.set_notice_section(q.sections[notice.section].title.get(lang).into());
    }

    fn refresh_question(&mut self, app: &AppWindow, lang: &str) {
        let Some(q) = self.engine.current().cloned() else {
            return;
        };
        let qa = app.global::<QuestionAdapter>();
        let questionnaire = self.kiosk.questionnaire.clone();
        qa.set_kind(match q.kind {
            Kind::Single => QuestionKind::Single,
            Kind::Multiple => QuestionKind::Multiple,
            Kind::Grid => QuestionKind::Grid,
            Kind::Quiz => QuestionKind::Quiz,
            Kind::List => QuestionKind::List,
            Kind::Text => QuestionKind::Text,
            Kind::Contact | Kind::Notice => QuestionKind::Contact,
        });
        qa.set_section(questionnaire.sections[q.section].title.get(lang).into());
        if let Some((n, total)) = self.engine.progress() {
            qa.set_progress_text(tr_with(lang, "progress", &[("n", &n.to_string()), ("total", &total.to_string())]).into());
            qa.set_progress(n as f32 / total.max(1) as f32);
        }
        qa.set_title(q.label.get(lang).into());
        qa.set_help(q.help.as_ref().map(|h| h.get(lang)).unwrap_or_default().into());
        qa.set_icon(self.image(&q.picto));
        let selected = self.engine.selected();
        let choices: Vec<ChoiceItem> = q
            .choices
            .iter()
            .map(|c| ChoiceItem { id: c.id.clone().into(), label: c.label.get(lang).into(), icon: self.image(&c.picto), selected: selected.contains(&c.id) })
            .collect();
        qa.set_choices(model(choices));
        let status = match (q.kind, q.max_choices, self.engine.remaining_choices()) {
            (Kind::Multiple, Some(_), Some(0)) => tr(lang, "multiple.full"),
            (Kind::Multiple, Some(_), Some(1)) => tr(lang, "multiple.remaining.one"),
            (Kind::Multiple, Some(_), Some(n)) => tr_with(lang, "multiple.remaining", &[("n", &n.to_string())]),
            (Kind::Multiple, None, _) => tr(lang, "multiple.any"),
            _ => String::new(),
        };
        qa.set_status(status.into());
        // The accented letters of the visitor's language, on their own row of the keyboard.
        qa.set_accents(model(tr(lang, "key.accents").split_whitespace().map(SharedString::from).collect()));
        let (show_next, can_next) = match q.kind {
            Kind::Multiple => (true, !selected.is_empty()),
            Kind::Text => (true, !self.engine.text().trim().is_empty()),
            Kind::Contact => (self.form_open, true),
            _ => (false, false),
        };
        qa.set_show_next(show_next);
        qa.set_can_next(can_next);
        if let Some(r) = self.engine.current_row() {
            let row = &q.rows[r];
            qa.set_row_label(row.label.get(lang).into());
            qa.set_row_icon(self.image(&row.picto));
            qa.set_row_position(tr_with(lang, "grid.position", &[("n", &(r + 1).to_string()), ("total", &q.rows.len().to_string())]).into());
        }
        if let Some(img) = &q.image {
            qa.set_picture(self.image(img));
            qa.set_picture_alt(q.image_alt.as_ref().map(|t| t.get(lang)).unwrap_or_default().into());
        }
        qa.set_text_value(self.engine.text().into());
        qa.set_text_max(q.max_length as i32);
        self.refresh_form(&qa, &q, lang);
    }

    fn refresh_form(&mut self, qa: &QuestionAdapter, q: &Question, lang: &str) {
        qa.set_form_open(self.form_open);
        if q.kind != Kind::Contact {
            return;
        }
        let contact = self.engine.contact();
        let fields: Vec<FieldItem> = q
            .fields
            .iter()
            .map(|f| FieldItem {
                id: f.id.clone().into(),
                label: f.label.get(lang).into(),
                value: contact.field(&f.id).unwrap_or_default().into(),
                icon: self.image(&f.picto),
                required: f.required,
            })
            .collect();
        qa.set_fields(model(fields));
        self.focused_field = self.focused_field.min(q.fields.len().saturating_sub(1));
        qa.set_focused_field(self.focused_field as i32);
        qa.set_form_error(self.form_error.clone().into());
        qa.set_keyboard_mode(match q.fields.get(self.focused_field).map(|f| f.id.as_str()) {
            Some("phone") => KeyboardMode::Phone,
            Some("email") => KeyboardMode::Email,
            _ => KeyboardMode::Letters,
        });
    }

    fn refresh_end(&mut self, app: &AppWindow, lang: &str) {
        let e = app.global::<EndAdapter>();
        e.set_thanks(tr(lang, "end.thanks").into());
        let Some(saved) = self.saved.clone() else {
            return;
        };
        let s = crate::kiosk::summary::summary(&saved.profile, &self.kiosk.questionnaire, &self.kiosk.rules.capability_question, lang);
        let strings = |v: Vec<String>| model(v.into_iter().map(SharedString::from).collect());
        e.set_at_ease_title(s.at_ease_title.into());
        e.set_at_ease(strings(s.at_ease));
        e.set_help_title(s.help_title.into());
        e.set_help(strings(s.help));
        e.set_mode(s.mode.into());
        e.set_places_shown(self.end_places && !self.suggestions.is_empty());
        e.set_places(model(
            self.place_lines(lang)
                .into_iter()
                .map(|p| PlaceItem { name: p.name.into(), opening: p.opening.into(), why: p.why.into(), address: p.address.into(), phone: p.phone.into() })
                .collect(),
        ));
        if let Some(qr) = &self.qr {
            e.set_qr(qr.clone());
        }
        e.set_can_print(self.printer.is_some() && self.print.printed < MAX_PRINTS);
        e.set_printing(self.print.printing);
        e.set_print_status(if self.print.status.is_empty() { SharedString::new() } else { tr(lang, self.print.status).into() });
        let pretty = crate::kiosk::summary::pretty_reference(&saved.id);
        e.set_reference(tr_with(lang, "end.reference", &[("ref", &pretty)]).into());
    }
}

fn model<T: Clone + 'static>(v: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(v))
}

/// Wire the adapters' callbacks to the controller; every input refreshes the screen.
pub fn connect(app: &AppWindow, c: &Shared) {
    app.global::<Tr>().on_translate(|key, lang| tr(&lang, &key).into());
    macro_rules! on {
        ($global:ident, $setter:ident, |$ctl:ident $(, $arg:ident : $ty:ty)*| $body:expr) => {{
            let w = app.as_weak();
            let c = c.clone();
            app.global::<$global>().$setter(move |$($arg: $ty),*| {
                let Some(app) = w.upgrade() else { return };
                {
                    let mut $ctl = c.borrow_mut();
                    $body;
                }
                c.borrow_mut().refresh(&app);
            });
        }};
    }
    on!(AppAdapter, on_switch_language, |ctl| ctl.switch_language());
    on!(AttractAdapter, on_start, |ctl, code: SharedString| ctl.start(&code));
    on!(NoticeAdapter, on_accept, |ctl| ctl.accept_notice());
    on!(NoticeAdapter, on_back, |ctl| ctl.back());
    on!(QuestionAdapter, on_choose, |ctl, id: SharedString| ctl.choose(&id));
    on!(QuestionAdapter, on_next, |ctl| ctl.next());
    on!(QuestionAdapter, on_back, |ctl| ctl.back());
    on!(QuestionAdapter, on_skip, |ctl| ctl.skip());
    on!(QuestionAdapter, on_key, |ctl, t: SharedString| ctl.key(&t));
    on!(QuestionAdapter, on_focus_field, |ctl, i: i32| ctl.focus_field(i.max(0) as usize));
    on!(QuestionAdapter, on_open_form, |ctl| ctl.open_form());
    on!(EndAdapter, on_finish, |ctl| ctl.finish());
    on!(EndAdapter, on_show_places, |ctl, places: bool| ctl.show_end_places(places));
    on!(EndAdapter, on_print_finished, |ctl, ok: bool, _m: SharedString| ctl.print_finished(ok));
    {
        let w = app.as_weak();
        let c = c.clone();
        app.global::<EndAdapter>().on_print(move || {
            let Some(app) = w.upgrade() else { return };
            c.borrow_mut().print(app.as_weak());
            c.borrow_mut().refresh(&app);
        });
    }
    on!(IdleAdapter, on_still_here, |ctl| ctl.still_here());
    admin_screen::connect(app, c);
    a11y::connect(app, c);
}

/// Create the window and its controller, wired and showing the attract screen.
pub fn build(kiosk: Kiosk, store: Store, clock: Arc<dyn Clock>) -> Result<(AppWindow, Shared), slint::PlatformError> {
    let printer = crate::kiosk::printer::from_config(&kiosk.config.printer);
    build_with_printer(kiosk, store, clock, printer)
}

/// [`build`] with a given printer (tests use a fake one).
pub fn build_with_printer(
    kiosk: Kiosk,
    store: Store,
    clock: Arc<dyn Clock>,
    printer: Option<Arc<dyn Printer>>,
) -> Result<(AppWindow, Shared), slint::PlatformError> {
    let speech: Arc<dyn crate::kiosk::speech::Speech> = Arc::new(crate::kiosk::speech::CommandSpeech::new(kiosk.config.speech.clone()));
    build_with_devices(kiosk, store, clock, Devices { printer, speech })
}

/// [`build`] with given devices (tests use fakes).
pub fn build_with_devices(kiosk: Kiosk, store: Store, clock: Arc<dyn Clock>, devices: Devices) -> Result<(AppWindow, Shared), slint::PlatformError> {
    let app = AppWindow::new()?;
    let c = Rc::new(RefCell::new(Controller::with_devices(kiosk, store, clock, devices)));
    // Retention runs at start-up, then once a day from the tick.
    c.borrow_mut().daily_retention();
    connect(&app, &c);
    c.borrow_mut().refresh(&app);
    Ok((app, c))
}

/// The 1-second timer driving the inactivity warning and reset.
pub fn start_ticking(app: &AppWindow, c: &Shared) -> slint::Timer {
    let timer = slint::Timer::default();
    let w = app.as_weak();
    let c = c.clone();
    let watchdog = sd_notify::watchdog_enabled().is_some();
    timer.start(slint::TimerMode::Repeated, Duration::from_secs(1), move || {
        // The event loop is alive: tell systemd's watchdog.
        if watchdog {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
        }
        let Some(app) = w.upgrade() else { return };
        tick_and_refresh(&app, &c);
    });
    timer
}

/// One tick of the 1-second timer. The screen is refreshed only when the tick changed something
/// (a warning, its countdown, a reset): an idle kiosk does not redraw.
pub fn tick_and_refresh(app: &AppWindow, c: &Shared) -> bool {
    let mut ctl = c.borrow_mut();
    let before = ctl.tick_state();
    ctl.tick();
    let changed = ctl.tick_state() != before;
    if changed {
        ctl.refresh(app);
    }
    changed
}

/// Show "out of service" with a short code for the staff.
pub fn out_of_service(code: &str) -> Result<AppWindow, slint::PlatformError> {
    let app = AppWindow::new()?;
    app.global::<Tr>().on_translate(|key, lang| tr(&lang, &key).into());
    app.global::<ServiceAdapter>().set_code(tr_with("fr", "oos.code", &[("code", code)]).into());
    app.global::<AppAdapter>().set_screen(Screen::OutOfService);
    Ok(app)
}

/// Run the kiosk until the window closes. A kiosk that cannot start shows "out of service".
/// Returns true when an admin quit the kiosk from the admin screen.
pub fn run_kiosk(kiosk: Result<Kiosk, KioskError>, windowed: bool) -> anyhow::Result<bool> {
    // Kept to start again when the store could not open on a full disk.
    let again = kiosk.as_ref().ok().cloned();
    let started = kiosk.and_then(|k| {
        let (store, moved) = k.open_store_recovering(chrono::Local::now().naive_local())?;
        if let Some(m) = &moved {
            store.meta_set("damaged_database", &m.display().to_string()).ok();
        }
        Ok((k, store))
    });
    let retry = Rc::new(std::cell::Cell::new(false));
    let (app, c, _timer) = match started {
        Ok((kiosk, store)) => {
            log::info!("kiosk {} started ({} questions, rules {})", kiosk.config.kiosk_id, kiosk.questionnaire.questions().len(), kiosk.rules.version);
            let (app, c) = build(kiosk, store, Arc::new(crate::shared::clock::SystemClock::new()))?;
            let timer = start_ticking(&app, &c);
            (app, Some(c), Some(timer))
        }
        Err(e) => {
            log::error!("out of service ({}): {e}", e.code());
            eprintln!("passerelle: {e}");
            let app = out_of_service(e.code())?;
            // The event loop is alive: tell systemd's watchdog, or it would restart an
            // out-of-service kiosk in a loop. When the store cannot even open for want of space,
            // look again every SPACE_CHECK and start the kiosk in this process once space returns.
            let disk = match (&e, &again) {
                (KioskError::Store(crate::kiosk::store::StoreError::DiskFull), Some(k)) => Some(k.config.data_dir.clone()),
                _ => None,
            };
            let watchdog = sd_notify::watchdog_enabled().is_some();
            let timer = slint::Timer::default();
            let retry = retry.clone();
            let mut seconds = 0u64;
            timer.start(slint::TimerMode::Repeated, Duration::from_secs(1), move || {
                if watchdog {
                    let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
                }
                seconds += 1;
                if let Some(dir) = &disk
                    && seconds.is_multiple_of(SPACE_CHECK.as_secs())
                    && !crate::kiosk::store::check_space(dir).full
                {
                    retry.set(true);
                    let _ = slint::quit_event_loop();
                }
            });
            let timer = Some(timer);
            (app, None, timer)
        }
    };
    if !windowed {
        app.window().set_fullscreen(true);
        // No way out from the visitor's side: closing the window is refused.
        app.window().on_close_requested(|| slint::CloseRequestResponse::KeepWindowShown);
    }
    // systemd: ready once the window exists; the 1-second tick then pings the watchdog.
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
    app.run()?;
    if retry.get()
        && let Some(k) = again
    {
        log::info!("space returned on the data disk: starting the kiosk");
        drop(_timer);
        let _ = app.hide();
        return run_kiosk(Ok(k), windowed);
    }
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    Ok(c.is_some_and(|c| c.borrow().quit_requested()))
}

/// What the language button switches to (see [`Controller::switch_language`]).
fn other_language(langs: &[String], current: &str) -> Option<String> {
    let first = langs.first()?;
    if current != first { Some(first.clone()) } else { langs.get(1).cloned() }
}
