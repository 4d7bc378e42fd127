//! The mediator's desktop window: scan (or paste), read the profile, copy it, clear it.

use super::{MediatorAdapter, MediatorWindow};
use crate::core::definitions::Definitions;
use crate::mediator;
use slint::ComponentHandle;
use std::rc::Rc;

/// Wire the window to the decoder. Nothing is stored: the profile lives only on screen.
pub fn connect(w: &MediatorWindow, kiosk: Rc<Definitions>) {
    let book = crate::shared::place_files::load(&kiosk.config.data_dir, kiosk.config.departement.as_deref());
    let weak = w.as_weak();
    let show = Rc::new(move |text: &str, quiet_if_incomplete: bool| {
        let Some(w) = weak.upgrade() else { return };
        let a = w.global::<MediatorAdapter>();
        match mediator::read(&kiosk, &book, text, chrono::Local::now().naive_local()) {
            Ok(r) => {
                a.set_code(text.into());
                show_reading(&a, &r);
            }
            Err(e) if quiet_if_incomplete && mediator::incomplete(&e) => {}
            Err(e) => {
                a.set_error(true);
                a.set_status(mediator::error_in_french(&e).into());
            }
        }
        w.invoke_refocus();
    });
    let s1 = show.clone();
    w.global::<MediatorAdapter>().on_scanned(move |t| s1(&t, false));
    // A paste without Enter: decode as soon as the text is a complete code.
    w.global::<MediatorAdapter>().on_edited(move |t| show(&t, true));
    let weak = w.as_weak();
    w.global::<MediatorAdapter>().on_cleared(move || {
        if let Some(w) = weak.upgrade() {
            show_reading(&w.global::<MediatorAdapter>(), &mediator::Reading::waiting());
        }
    });
}

fn show_reading(a: &MediatorAdapter, r: &mediator::Reading) {
    let strings = |v: &[String]| slint::ModelRc::new(slint::VecModel::from(v.iter().map(|s| s.as_str().into()).collect::<Vec<slint::SharedString>>()));
    a.set_error(false);
    a.set_status(r.status.as_str().into());
    a.set_profile(r.text.as_str().into());
    a.set_titles(strings(&r.titles));
    a.set_sections(strings(&r.sections));
}

/// "Enregistrer la prise en charge": the pickup of the code on screen (once per visit).
pub fn connect_pickups(w: &MediatorWindow, kiosk: Rc<Definitions>, desk: Rc<std::cell::RefCell<crate::mediator::pickup_desk::Desk>>) {
    let weak = w.as_weak();
    w.global::<MediatorAdapter>().on_record(move |outcome| {
        let Some(w) = weak.upgrade() else { return };
        let a = w.global::<MediatorAdapter>();
        let (ok, message) = desk.borrow_mut().record(&kiosk.questionnaire, &a.get_code(), outcome, chrono::Local::now().date_naive());
        a.set_error(!ok);
        a.set_status(message.into());
        w.invoke_refocus();
    });
}

pub fn run(kiosk: Definitions, config: crate::mediator::mediator_config::MediatorConfig) -> anyhow::Result<()> {
    let w = MediatorWindow::new()?;
    let kiosk = Rc::new(kiosk);
    connect(&w, kiosk.clone());
    connect_pickups(&w, kiosk, Rc::new(std::cell::RefCell::new(crate::mediator::pickup_desk::Desk::new(config))));
    w.invoke_refocus();
    w.run()?;
    Ok(())
}
