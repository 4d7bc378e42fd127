//! Unit tests of `visit_state.rs`: one dialog at a time, and a new visit that holds nothing.

use super::*;

const ALL: [Overlay; 5] = [Overlay::None, Overlay::ContactForm, Overlay::Call, Overlay::Stop { over_form: false }, Overlay::Stop { over_form: true }];

#[test]
fn an_overlay_is_one_dialog_at_a_time() {
    for o in ALL {
        // The call and stop confirmations never show together; the form is never under the
        // call confirmation.
        assert!(!(o.call_confirm() && o.stop_confirm()), "{o:?}");
        assert!(!(o.call_confirm() && o.form_open()), "{o:?}");
        assert_eq!(o.confirming(), o.call_confirm() || o.stop_confirm(), "{o:?}");
    }
    assert_eq!(ALL.iter().filter(|o| o.call_confirm()).count(), 1);
    assert_eq!(Overlay::default(), Overlay::None);
    assert!(!Overlay::None.form_open() && !Overlay::None.confirming());
}

#[test]
fn stop_keeps_the_form_under_it_and_answering_goes_back_to_it() {
    assert_eq!(Overlay::ContactForm.stop(), Overlay::Stop { over_form: true });
    assert_eq!(Overlay::None.stop(), Overlay::Stop { over_form: false });
    // "Arrêter" over the call confirmation replaces it.
    assert_eq!(Overlay::Call.stop(), Overlay::Stop { over_form: false });
    assert_eq!(Overlay::Stop { over_form: true }.stop(), Overlay::Stop { over_form: true });
    assert!(Overlay::Stop { over_form: true }.form_open());
    assert_eq!(Overlay::Stop { over_form: true }.dismissed(), Overlay::ContactForm);
    assert_eq!(Overlay::Stop { over_form: false }.dismissed(), Overlay::None);
    assert_eq!(Overlay::Call.dismissed(), Overlay::None);
    assert_eq!(Overlay::ContactForm.dismissed(), Overlay::ContactForm);
    assert_eq!(Overlay::None.dismissed(), Overlay::None);
}

#[test]
fn a_new_visit_holds_nothing() {
    let v = Visit::new();
    assert_eq!(v.overlay, Overlay::None);
    assert_eq!(v.focused_field, 0);
    assert!(v.form_error.is_none());
    assert!(v.saved.is_none() && v.over.is_none() && v.idle_left.is_none());
    assert!(!v.print.printing && v.print.printed == 0 && v.print.status.is_empty());
    assert!(v.suggestions.is_empty());
    assert!(!v.end_places && !v.end_private);
}

#[test]
fn every_visit_is_told_apart() {
    let (a, b) = (Visit::new(), Visit::new());
    assert_ne!(a.id, b.id, "a ticket's report names one visit only");
}
