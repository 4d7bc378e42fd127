//! Issue 24, item 3: a visit's dialogs are one `Overlay`, and a new visitor is a new `Visit`:
//! whatever way the last one left (called, stopped, timed out, finished while printing), the next
//! one starts with no dialog, no answers, no form, no stored visit and no ticket.

use crate::model_screens::{goto, question};
use passerelle::kiosk::printer::{FakePrinter, Printer};
use passerelle::kiosk::speech::FakeSpeech;
use passerelle::kiosk::store::Store;
use passerelle::kiosk::visit_model::*;
use passerelle::kiosk::visit_state::Overlay;
use passerelle_core::engine::FakeClock;
use std::sync::Arc;
use std::time::Duration;

struct Kit {
    m: VisitModel,
    clock: Arc<FakeClock>,
    _dir: tempfile::TempDir,
}

fn kit() -> Kit {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = crate::support::kiosk(dir.path());
    let store = Store::open(dir.path()).unwrap();
    let clock = FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
    let printer: Arc<dyn Printer> = Arc::new(FakePrinter::default());
    let m = VisitModel::new(kiosk, store, clock.clone(), Devices { printer: Some(printer), speech: Arc::new(FakeSpeech::default()) });
    Kit { m, clock, _dir: dir }
}

/// The next visitor's first screens: nothing of the last visit.
fn assert_fresh(k: &mut Kit, how: &str) {
    assert_eq!(k.m.view().screen, ScreenView::Attract, "{how}: back to the welcome screen");
    assert!(k.m.last_saved().is_none(), "{how}: a stored visit survived");
    assert_eq!(k.m.overlay(), Overlay::None, "{how}");
    k.m.start("fr");
    k.m.accept_notice();
    assert_eq!(k.m.overlay(), Overlay::None, "{how}");
    assert!(k.m.engine().answers().is_empty(), "{how}: answers survived");
    assert_eq!(k.m.view().overlay, Overlay::None, "{how}: a dialog survived");
    // The contact form opens on its first field, with no error.
    goto(&mut k.m, "consentement_contact");
    k.m.open_form();
    let form = question(&k.m).form.unwrap();
    assert!(form.focused == 0 && form.error.is_empty(), "{how}: the form's state survived");
    assert!(form.fields.iter().all(|f| f.value.is_empty()), "{how}: contact details survived");
    // The next end screen: no ticket printing or printed, the profile shown.
    k.m.back();
    k.m.call_me();
    k.m.call_answer(true);
    let ScreenView::End { visit: Some(e), .. } = k.m.view().screen else { panic!("{how}: not the end screen") };
    assert!(!e.private && !e.places_shown, "{how}: the end screen's state survived");
    assert!(e.can_print, "{how}: tickets of the last visit counted");
}

#[test]
fn the_stop_confirmation_keeps_the_contact_form_under_it() {
    let mut k = kit();
    goto(&mut k.m, "consentement_contact");
    k.m.open_form();
    k.m.key("A");
    k.m.stop();
    assert_eq!(k.m.overlay(), Overlay::Stop { over_form: true });
    assert!(k.m.view().overlay.stop_confirm() && !k.m.view().overlay.call_confirm());
    k.m.call_me();
    assert_eq!(k.m.overlay(), Overlay::Stop { over_form: true }, "no call confirmation over the stop confirmation");
    k.m.stop_answer(false);
    assert_eq!(k.m.overlay(), Overlay::ContactForm, "\"Non\" goes back to the form");
    assert!(question(&k.m).form.unwrap().fields.iter().any(|f| f.value == "A"), "what was typed is kept");
    k.m.back();
    assert_eq!(k.m.overlay(), Overlay::None);
}

#[test]
fn a_new_visit_after_a_call_starts_with_nothing() {
    let mut k = kit();
    goto(&mut k.m, "age");
    k.m.call_me();
    assert_eq!(k.m.overlay(), Overlay::Call);
    k.m.stop();
    assert_eq!(k.m.overlay(), Overlay::Stop { over_form: false }, "\"Arrêter\" replaces the call confirmation");
    k.m.stop_answer(false);
    k.m.call_me();
    k.m.call_answer(true);
    // The called visit's ticket is printing when the visitor touches "Terminer".
    assert!(!k.m.take_jobs().is_empty());
    k.m.finish();
    assert_fresh(&mut k, "after a call");
}

#[test]
fn a_new_visit_after_a_stop_starts_with_nothing() {
    let mut k = kit();
    goto(&mut k.m, "consentement_contact");
    k.m.open_form();
    k.m.key("A");
    k.m.stop();
    k.m.stop_answer(true);
    assert_fresh(&mut k, "after a stop over the form");
}

#[test]
fn a_new_visit_after_a_timeout_starts_with_nothing() {
    // Timed out with the form open and the stop confirmation over it.
    let mut k = kit();
    goto(&mut k.m, "consentement_contact");
    k.m.open_form();
    k.m.focus_field(1);
    k.m.key("A");
    k.m.stop();
    for _ in 0..3 {
        k.clock.advance(Duration::from_secs(61));
        k.m.tick();
    }
    assert_fresh(&mut k, "after a timeout");
    // Timed out on the end screen, private and showing nothing.
    let mut k = kit();
    k.m.play_script(&passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap()).unwrap();
    k.m.print();
    // Until the end screen goes (`idle.end_screen_s`, at most an hour), its ticket printing.
    for _ in 0..61 {
        k.clock.advance(Duration::from_secs(61));
        k.m.tick();
        if k.m.view().screen == ScreenView::Attract {
            break;
        }
    }
    assert_fresh(&mut k, "after the end screen timed out");
}

/// A ticket that finishes printing after its visitor left is no one's: the next visitor's end
/// screen still says their own ticket is printing, and counts only their own tickets.
#[test]
fn a_late_ticket_report_does_not_touch_the_next_visit() {
    use passerelle::kiosk::jobs::{Job, JobDone};
    let end = |m: &VisitModel| match m.view().screen {
        ScreenView::End { visit: Some(e), .. } => *e,
        other => panic!("{other:?}"),
    };
    let mut k = kit();
    goto(&mut k.m, "age");
    k.m.call_me();
    k.m.call_answer(true);
    let first = k.m.take_jobs();
    assert!(matches!(first.as_slice(), [Job::Ticket { .. }]), "the called visit's ticket prints by itself");
    let first_visit = k.m.visit_id();
    k.m.finish();
    goto(&mut k.m, "age");
    k.m.call_me();
    k.m.call_answer(true);
    assert_eq!(k.m.take_jobs().len(), 1);
    assert_ne!(k.m.visit_id(), first_visit);
    k.m.job_done(JobDone::Ticket { visit: first_visit, ok: true });
    let e = end(&k.m);
    assert!(e.printing && e.print_status == "Impression en cours…", "{e:?}");
    k.m.job_done(JobDone::Ticket { visit: k.m.visit_id(), ok: true });
    assert!(!end(&k.m).printing);
}
