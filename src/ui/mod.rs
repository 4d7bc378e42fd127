//! The Slint user interface: the only module that knows Slint.
//!
//! The kiosk's screens are decided by the plain-Rust [`VisitModel`] (`kiosk/src/visit_model.rs`).
//! Here, [`Controller`] wraps it with what only Slint needs (cached images, the view last shown):
//! `connect` wires the adapters' callbacks to the model, [`Controller::refresh`] pushes its [`View`].

pub use passerelle_ui::*;

/// Wire an adapter's callback to a model input, then [`after_input`] (jobs, refresh).
macro_rules! on {
    ($app:expr, $c:expr, $global:ident . $setter:ident, |$m:ident $(, $arg:ident : $ty:ty)*| $body:expr) => {{
        let w = $app.as_weak();
        let c = $c.clone();
        $app.global::<$global>().$setter(move |$($arg: $ty),*| {
            let Some(app) = w.upgrade() else { return };
            (|$m: &mut $crate::kiosk::visit_model::VisitModel| $body)(c.borrow_mut().model_mut());
            $crate::ui::after_input(&app, &c);
        });
    }};
}

pub mod a11y;
pub mod admin_screen;
pub mod fullscreen;
pub mod mediator_window;
pub mod screenshot;

use crate::core::engine::Clock;
use crate::core::i18n::{tr, tr_with};
use crate::core::questionnaire::Kind;
use crate::kiosk::jobs::{Job, Mailbox};
use crate::kiosk::store::Store;
pub use crate::kiosk::visit_model::Devices;
use crate::kiosk::visit_model::{KeyboardLayout, Overlay, ScreenView, View, VisitModel};
use crate::kiosk::{Kiosk, KioskError, Start};
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// The visit model and what only the UI keeps (images, the view last pushed).
pub struct Controller {
    model: VisitModel,
    images: HashMap<String, Image>,
    qr: Option<(String, Image)>,
    shown: Option<View>,
}

pub type Shared = Rc<RefCell<Controller>>;

impl Controller {
    pub fn with_devices(kiosk: Kiosk, store: Store, clock: Arc<dyn Clock>, devices: Devices) -> Controller {
        Controller { model: VisitModel::new(kiosk, store, clock, devices), images: HashMap::new(), qr: None, shown: None }
    }
    pub fn model(&self) -> &VisitModel {
        &self.model
    }
    pub fn model_mut(&mut self) -> &mut VisitModel {
        &mut self.model
    }

    /// A pictogram by name, as an image (cached).
    fn image(&mut self, name: &str) -> Image {
        self.images
            .entry(name.to_string())
            .or_insert_with(|| crate::shared::pictograms::svg(name).and_then(|svg| Image::load_from_svg_data(svg).ok()).unwrap_or_default())
            .clone()
    }

    /// The QR code of a payload, as an image (the last one cached).
    fn qr_image(&mut self, payload: &str) -> Option<Image> {
        if self.qr.as_ref().is_none_or(|(p, _)| p != payload) {
            let img = crate::shared::qr::render(payload, 1).ok()?;
            let buf = slint::SharedPixelBuffer::<slint::Rgba8Pixel>::clone_from_slice(img.as_raw(), img.width(), img.height());
            self.qr = Some((payload.to_string(), Image::from_rgba8(buf)));
        }
        self.qr.as_ref().map(|(_, i)| i.clone())
    }

    /// A key of the keypad or keyboard (its Slint text). Returns false for keys the kiosk does not use.
    pub fn key_pressed(&mut self, text: &str, app: &slint::Weak<AppWindow>) -> bool {
        let used = self.model.keypad(&crate::kiosk::keypad::key_name(text));
        for job in self.model.take_jobs() {
            spawn_task(app.clone(), self.model.mailbox(), job);
        }
        used
    }

    /// Push the model's view into the adapters: only the parts that changed since the last push
    /// (a controller serves one window, whose adapters only Rust writes).
    pub fn refresh(&mut self, app: &AppWindow) {
        self.model.speak_if_changed();
        let v = self.model.view();
        let old = self.shown.take();
        macro_rules! fresh {
            ($($f:tt)+) => { old.as_ref().is_none_or(|o| o.$($f)+ != v.$($f)+) };
        }
        if old.is_none() {
            let diagonal = self.model.kiosk().defs.config.screen_diagonal_in;
            app.global::<Theme>().set_diagonal_inches(diagonal as f32);
        }
        if fresh!(lang) || fresh!(rtl) {
            app.global::<Tr>().set_lang(v.lang.as_str().into());
            app.global::<Theme>().set_rtl(v.rtl);
        }
        if fresh!(chrome) {
            let (a, ch) = (app.global::<AppAdapter>(), &v.chrome);
            a.set_structure(ch.structure.as_str().into());
            a.set_languages(model(ch.languages.iter().map(|l| LanguageItem {
                code: l.code.as_str().into(),
                name: l.name.as_str().into(),
                action: l.action.as_str().into(),
                focused: l.focused,
            })));
            a.set_language_button(ch.language_button.as_str().into());
            a.set_welcome_listen(ch.welcome_listen.as_str().into());
            a.set_welcome_menu(ch.welcome_menu.as_str().into());
            show_out_of_service_texts(app, &ch.out_of_service);
            let at = app.global::<AttractAdapter>();
            at.set_welcome(ch.welcome.as_str().into());
            at.set_lines(strings(&ch.lines));
            at.set_hint(ch.hint.as_str().into());
        }
        if fresh!(idle) {
            let idle = app.global::<IdleAdapter>();
            idle.set_visible(v.idle.is_some());
            if let Some(countdown) = &v.idle {
                idle.set_countdown(countdown.as_str().into());
            }
        }
        if fresh!(stop_offered) || fresh!(overlay) {
            let stop = app.global::<StopAdapter>();
            stop.set_offered(v.stop_offered);
            stop.set_confirm(v.overlay.stop_confirm());
        }
        if fresh!(admin) {
            admin_screen::show(app, &v.admin);
        }
        // The page under "Arrêter"'s confirmation is not drawn again.
        if fresh!(screen) || fresh!(overlay.form_open()) || fresh!(overlay.call_confirm()) {
            self.show_screen(app, &v.screen, v.overlay);
        }
        if fresh!(a11y) || fresh!(focus) {
            a11y::show(app, &v.a11y, v.focus.as_ref());
        }
        self.shown = Some(v);
    }

    fn show_screen(&mut self, app: &AppWindow, screen: &ScreenView, overlay: Overlay) {
        let a = app.global::<AppAdapter>();
        match screen {
            ScreenView::Attract => a.set_screen(Screen::Attract),
            ScreenView::Admin => a.set_screen(Screen::Admin),
            ScreenView::SaveFailed { code } => {
                app.global::<ServiceAdapter>().set_code(code.as_str().into());
                a.set_screen(Screen::SaveFailed);
            }
            ScreenView::OutOfService { code } => {
                app.global::<ServiceAdapter>().set_code(code.as_str().into());
                a.set_screen(Screen::OutOfService);
            }
            ScreenView::Notice(n) => {
                if let Some(n) = n {
                    let na = app.global::<NoticeAdapter>();
                    na.set_title(n.title.as_str().into());
                    na.set_body(n.body.as_str().into());
                    na.set_icon(self.image(&n.icon));
                    app.set_notice_section(n.section.as_str().into());
                }
                a.set_screen(Screen::Notice);
            }
            ScreenView::Question(q) => {
                self.show_question(app, q, overlay);
                a.set_screen(Screen::Question);
            }
            ScreenView::End { thanks, visit } => {
                let e = app.global::<EndAdapter>();
                e.set_thanks(thanks.as_str().into());
                if let Some(end) = visit {
                    e.set_at_ease_title(end.at_ease_title.as_str().into());
                    e.set_at_ease(strings(&end.at_ease));
                    e.set_help_title(end.help_title.as_str().into());
                    e.set_help(strings(&end.help));
                    e.set_mode(end.mode.as_str().into());
                    e.set_places_shown(end.places_shown);
                    e.set_places(model(end.places.iter().map(|p| PlaceItem {
                        name: p.name.as_str().into(),
                        opening: p.opening.as_str().into(),
                        why: p.why.as_str().into(),
                        address: p.address.as_str().into(),
                        phone: p.phone.as_str().into(),
                    })));
                    if let Some(qr) = self.qr_image(&end.qr_payload) {
                        e.set_qr(qr);
                    }
                    e.set_can_print(end.can_print);
                    e.set_printing(end.printing);
                    e.set_print_status(end.print_status.as_str().into());
                    e.set_reference(end.reference.as_str().into());
                    e.set_called(end.called);
                    e.set_code(end.code.as_str().into());
                    e.set_instructions(end.instructions.as_str().into());
                    e.set_private(end.private);
                }
                a.set_screen(Screen::End);
            }
        }
    }

    fn show_question(&mut self, app: &AppWindow, q: &crate::kiosk::visit_model::QuestionView, overlay: Overlay) {
        let qa = app.global::<QuestionAdapter>();
        qa.set_kind(match q.kind {
            Kind::Single => QuestionKind::Single,
            Kind::Multiple => QuestionKind::Multiple,
            Kind::Grid => QuestionKind::Grid,
            Kind::Quiz => QuestionKind::Quiz,
            Kind::List => QuestionKind::List,
            Kind::Text => QuestionKind::Text,
            Kind::Contact | Kind::Notice => QuestionKind::Contact,
        });
        qa.set_section(q.section.as_str().into());
        if let Some(p) = &q.progress {
            qa.set_progress_text(p.text.as_str().into());
            qa.set_progress_part(p.part as i32);
            qa.set_progress_parts(p.parts as i32);
            qa.set_progress_fill(p.part_fill);
        }
        qa.set_title(q.title.as_str().into());
        qa.set_help(q.help.as_str().into());
        qa.set_icon(self.image(&q.icon));
        let mut choices: Vec<ChoiceItem> = q
            .choices
            .iter()
            .map(|c| ChoiceItem {
                id: c.id.as_str().into(),
                label: c.label.as_str().into(),
                icon: self.image(&c.icon),
                selected: c.selected,
                focused: c.focused,
            })
            .collect();
        // The quiz's "Je ne sais pas" stays in view below the others.
        let pinned = q.choices.iter().position(|c| c.pinned).map(|i| choices.remove(i));
        qa.set_has_pinned(pinned.is_some());
        qa.set_pinned(pinned.unwrap_or_default());
        qa.set_choices(model(choices));
        qa.set_status(q.status.as_str().into());
        qa.set_accents(strings(&q.accents));
        qa.set_show_next(q.next.show);
        qa.set_can_next(q.next.enabled);
        if let Some(row) = &q.row {
            qa.set_row_label(row.label.as_str().into());
            qa.set_row_icon(self.image(&row.icon));
            qa.set_row_position(row.position.as_str().into());
        }
        if let Some((picture, alt)) = &q.picture {
            qa.set_picture(self.image(picture));
            qa.set_picture_alt(alt.as_str().into());
        }
        qa.set_text_value(q.text_value.as_str().into());
        qa.set_text_max(q.text_max as i32);
        qa.set_form_open(overlay.form_open());
        qa.set_can_call(q.can_call);
        qa.set_call_confirm(overlay.call_confirm());
        if let Some(form) = &q.form {
            let fields: Vec<FieldItem> = form
                .fields
                .iter()
                .map(|f| FieldItem {
                    id: f.id.as_str().into(),
                    label: f.label.as_str().into(),
                    value: f.value.as_str().into(),
                    icon: self.image(&f.icon),
                    required: f.required,
                })
                .collect();
            qa.set_fields(model(fields));
            qa.set_focused_field(form.focused as i32);
            qa.set_form_error(form.error.as_str().into());
            qa.set_keyboard_mode(match form.keyboard {
                KeyboardLayout::Phone => KeyboardMode::Phone,
                KeyboardLayout::Email => KeyboardMode::Email,
                KeyboardLayout::Letters => KeyboardMode::Letters,
            });
        }
    }
}

fn model<T: Clone + 'static>(v: impl IntoIterator<Item = T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(v.into_iter().collect::<Vec<_>>()))
}

fn strings(v: &[String]) -> ModelRc<SharedString> {
    model(v.iter().map(|s| SharedString::from(s.as_str())))
}

/// Run a job on a worker thread; its typed report goes to the model's mailbox, and the event loop
/// is woken to take it in (`AppAdapter.jobs-done`).
pub fn spawn_task(app: slint::Weak<AppWindow>, mailbox: Mailbox, job: Job) {
    std::thread::spawn(move || {
        if mailbox.send(job.run()).is_ok() {
            let _ = app.upgrade_in_event_loop(|app| app.global::<AppAdapter>().invoke_jobs_done());
        }
    });
}

/// After every input: start the work the model asked for, then refresh the screen.
fn after_input(app: &AppWindow, c: &Shared) {
    let jobs = c.borrow_mut().model.take_jobs();
    for job in jobs {
        spawn_task(app.as_weak(), c.borrow().model.mailbox(), job);
    }
    c.borrow_mut().refresh(app);
}

/// Wire the adapters' callbacks to the model; every input refreshes the screen.
pub fn connect(app: &AppWindow, c: &Shared) {
    app.global::<Tr>().on_translate(|key, lang| tr(&lang, &key).into());
    on!(app, c, AttractAdapter.on_start, |ctl, code: SharedString| ctl.start(&code));
    on!(app, c, NoticeAdapter.on_accept, |ctl| ctl.accept_notice());
    on!(app, c, NoticeAdapter.on_back, |ctl| ctl.back());
    on!(app, c, QuestionAdapter.on_choose, |ctl, id: SharedString| ctl.choose(&id));
    on!(app, c, QuestionAdapter.on_next, |ctl| ctl.next());
    on!(app, c, QuestionAdapter.on_back, |ctl| ctl.back());
    on!(app, c, QuestionAdapter.on_skip, |ctl| ctl.skip());
    on!(app, c, QuestionAdapter.on_key, |ctl, t: SharedString| ctl.key(&t));
    on!(app, c, QuestionAdapter.on_focus_field, |ctl, i: i32| ctl.focus_field(i.max(0) as usize));
    on!(app, c, QuestionAdapter.on_open_form, |ctl| ctl.open_form());
    on!(app, c, QuestionAdapter.on_call_me, |ctl| ctl.call_me());
    on!(app, c, QuestionAdapter.on_call_answer, |ctl, finish: bool| ctl.call_answer(finish));
    on!(app, c, EndAdapter.on_finish, |ctl| ctl.finish());
    on!(app, c, EndAdapter.on_show_places, |ctl, places: bool| ctl.show_end_places(places));
    on!(app, c, EndAdapter.on_print, |ctl| ctl.print());
    on!(app, c, AppAdapter.on_jobs_done, |ctl| ctl.collect_jobs());
    on!(app, c, IdleAdapter.on_still_here, |ctl| ctl.still_here());
    on!(app, c, StopAdapter.on_stop, |ctl| ctl.stop());
    on!(app, c, StopAdapter.on_answer, |ctl, erase: bool| ctl.stop_answer(erase));
    on!(app, c, ServiceAdapter.on_retry, |ctl| ctl.retry_save());
    admin_screen::connect(app, c);
    a11y::connect(app, c);
}

/// Create the window and its controller, wired and showing the attract screen.
pub fn build(kiosk: Kiosk, store: Store, clock: Arc<dyn Clock>) -> Result<(AppWindow, Shared), slint::PlatformError> {
    let devices = Devices::from_config(&kiosk.defs.config);
    build_with_devices(kiosk, store, clock, devices)
}

/// [`build`] with given devices (tests use fakes).
pub fn build_with_devices(kiosk: Kiosk, store: Store, clock: Arc<dyn Clock>, devices: Devices) -> Result<(AppWindow, Shared), slint::PlatformError> {
    let app = AppWindow::new()?;
    let c = Rc::new(RefCell::new(Controller::with_devices(kiosk, store, clock, devices)));
    // Retention runs at start-up, then once a day from the tick.
    c.borrow_mut().model.daily_retention();
    connect(&app, &c);
    c.borrow_mut().refresh(&app);
    Ok((app, c))
}

/// The 1-second timer driving the inactivity warning and reset.
pub fn start_ticking(app: &AppWindow, c: &Shared) -> slint::Timer {
    let (w, c) = (app.as_weak(), c.clone());
    every_second(move || {
        if let Some(app) = w.upgrade() {
            tick_and_refresh(&app, &c);
        }
    })
}

/// One tick of the 1-second timer. The screen is refreshed only when the tick changed something
/// (a warning, its countdown, a reset): an idle kiosk does not redraw.
pub fn tick_and_refresh(app: &AppWindow, c: &Shared) -> bool {
    let mut ctl = c.borrow_mut();
    let changed = ctl.model.tick();
    if changed {
        ctl.refresh(app);
    }
    changed
}

/// The out-of-service screen's title and line in several languages.
fn show_out_of_service_texts(app: &AppWindow, texts: &[(String, String)]) {
    let s = app.global::<ServiceAdapter>();
    s.set_titles(model(texts.iter().map(|(t, _)| SharedString::from(t.as_str()))));
    s.set_lines(model(texts.iter().map(|(_, l)| SharedString::from(l.as_str()))));
}

/// Show "out of service" with a short code for the staff (no configuration to read: in French,
/// English and Arabic).
pub fn out_of_service(code: &str) -> Result<AppWindow, slint::PlatformError> {
    let app = AppWindow::new()?;
    app.global::<Tr>().on_translate(|key, lang| tr(&lang, &key).into());
    show_out_of_service_texts(&app, &crate::kiosk::a11y_model::out_of_service_texts(&["fr", "en", "ar"].map(String::from)));
    app.global::<ServiceAdapter>().set_code(tr_with("fr", "oos.code", &[("code", code)]).into());
    app.global::<AppAdapter>().set_screen(Screen::OutOfService);
    Ok(app)
}

/// Run the kiosk until the window closes. A kiosk that cannot start shows "out of service".
/// Returns true when an admin quit the kiosk from the admin screen.
pub fn run_kiosk(kiosk: Result<Kiosk, KioskError>, windowed: bool) -> anyhow::Result<bool> {
    let retry = Rc::new(std::cell::Cell::new(false));
    let (app, c, _timer, again) = match crate::kiosk::start(kiosk) {
        Start::Ready(kiosk, store) => {
            let (app, c) = build(kiosk, store, Arc::new(crate::shared::clock::SystemClock::new()))?;
            let timer = start_ticking(&app, &c);
            (app, Some(c), timer, None)
        }
        Start::OutOfService { code, retry: again } => {
            let (again, mut watch) = again.unzip();
            // The 1-second timer pings systemd's watchdog (or an out-of-service kiosk would be
            // restarted in a loop) and ends the event loop once space returns on a full disk.
            let r = retry.clone();
            let timer = every_second(move || {
                if watch.as_mut().is_some_and(|w| w.second()) {
                    r.set(true);
                    let _ = slint::quit_event_loop();
                }
            });
            (out_of_service(code)?, None, timer, again)
        }
    };
    if !windowed {
        fullscreen::cover_monitor(&app);
        // No way out from the visitor's side: closing the window is refused.
        app.window().on_close_requested(|| slint::CloseRequestResponse::KeepWindowShown);
    }
    // systemd: ready once the window exists; the 1-second tick then pings the watchdog.
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
    app.run()?;
    if let (true, Some(k)) = (retry.get(), again) {
        log::info!("space returned on the data disk: starting the kiosk");
        drop(_timer);
        let _ = app.hide();
        return run_kiosk(Ok(k), windowed);
    }
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    Ok(c.is_some_and(|c| c.borrow().model.quit_requested()))
}

/// A 1-second timer that first tells systemd's watchdog the event loop is alive.
fn every_second(mut f: impl FnMut() + 'static) -> slint::Timer {
    let watchdog = sd_notify::watchdog_enabled().is_some();
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::Repeated, Duration::from_secs(1), move || {
        if watchdog {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
        }
        f();
    });
    timer
}
