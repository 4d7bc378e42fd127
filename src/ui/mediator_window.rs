//! The mediator's desktop window: scan (or paste), read the profile, copy it, clear it.

use super::{MediatorAdapter, MediatorWindow};
use crate::kiosk::Kiosk;
use crate::mediator;
use passerelle_core::handoff::HandoffError;
use slint::ComponentHandle;
use std::rc::Rc;

/// Wire the window to the decoder. Nothing is stored: the profile lives only on screen.
pub fn connect(w: &MediatorWindow, kiosk: Rc<Kiosk>) {
    let book = Rc::new(crate::kiosk::place_book::load(&kiosk.config.data_dir, kiosk.config.departement.as_deref()));
    let show = {
        let weak = w.as_weak();
        let kiosk = kiosk.clone();
        let book = book.clone();
        move |text: &str, quiet_if_incomplete: bool| {
            let Some(w) = weak.upgrade() else { return };
            let a = w.global::<MediatorAdapter>();
            match mediator::decode(&kiosk, text) {
                Ok(d) => {
                    a.set_error(false);
                    a.set_code(text.into());
                    a.set_status(format!("Profil lu : référence {}.", crate::kiosk::summary::pretty_reference(&d.handoff.reference)).into());
                    let now = chrono::Local::now().naive_local();
                    let places = crate::kiosk::place_book::lines(&crate::kiosk::place_book::suggest(&kiosk, &book, &d.profile, now), now, "fr");
                    let v = mediator::view(&kiosk, &d, "fr", &places);
                    a.set_profile(mediator::to_text(&kiosk, &d, "fr", &places).into());
                    show_sections(&a, &v);
                }
                Err(e)
                    if quiet_if_incomplete
                        && matches!(e, HandoffError::NotPasserelle | HandoffError::Truncated | HandoffError::Checksum | HandoffError::BadEncoding) => {}
                Err(e) => {
                    a.set_error(true);
                    a.set_status(mediator::error_in_french(&e).into());
                }
            }
            w.invoke_refocus();
        }
    };
    let s1 = show.clone();
    w.global::<MediatorAdapter>().on_scanned(move |t| s1(&t, false));
    // A paste without Enter: decode as soon as the text is a complete code.
    w.global::<MediatorAdapter>().on_edited(move |t| show(&t, true));
    let weak = w.as_weak();
    w.global::<MediatorAdapter>().on_cleared(move || {
        if let Some(w) = weak.upgrade() {
            let a = w.global::<MediatorAdapter>();
            a.set_profile("".into());
            show_sections(&a, &mediator::MediatorView::default());
            a.set_error(false);
            a.set_status("Scannez le code QR du visiteur (ou collez-le), puis Entrée.".into());
        }
    });
}

fn show_sections(a: &MediatorAdapter, v: &mediator::MediatorView) {
    let s: Vec<slint::SharedString> = [&v.header, &v.visitor, &v.suggestions, &v.details, &v.cra].iter().map(|x| x.trim_end().into()).collect();
    a.set_sections(std::rc::Rc::new(slint::VecModel::from(s)).into());
}

/// "Enregistrer la prise en charge": the pickup of the code on screen (once per visit).
pub fn connect_pickups(w: &MediatorWindow, kiosk: Rc<Kiosk>, desk: Rc<std::cell::RefCell<crate::mediator::pickup_desk::Desk>>) {
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

pub fn run(kiosk: Kiosk, config: crate::mediator::mediator_config::MediatorConfig) -> anyhow::Result<()> {
    let w = MediatorWindow::new()?;
    let kiosk = Rc::new(kiosk);
    connect(&w, kiosk.clone());
    connect_pickups(&w, kiosk, Rc::new(std::cell::RefCell::new(crate::mediator::pickup_desk::Desk::new(config))));
    w.invoke_refocus();
    w.run()?;
    Ok(())
}
