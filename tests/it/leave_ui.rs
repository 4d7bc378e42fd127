//! "Arrêter" through the real screens (issue 17, item 1): a visitor who leaves erases their visit
//! in two taps; the kiosk records it as abandoned at that step, keeps nothing else of it, and the
//! next visitor can find nothing of it, not even with "Retour". "Non, continuer" keeps everything.

use crate::support::{find, labels, tap};
use i_slint_backend_testing::ElementRoot;
use passerelle_core::engine::Screen;
use passerelle_core::questionnaire::Kind;

use crate::ui_kit::Kit;

/// A kiosk with an admin key (the contact step is offered).
fn kit() -> Kit {
    crate::ui_kit::kit().admin_key().on(2026, 12, 5).build()
}

fn step(k: &Kit) -> String {
    k.c.borrow().model().engine().step_name().unwrap_or_default()
}

/// The answer tiles shown as chosen.
fn checked(k: &Kit) -> Vec<String> {
    k.app
        .root_element()
        .query_descendants()
        .match_predicate(|e| e.accessible_checked() == Some(true))
        .find_all()
        .iter()
        .filter_map(|e| e.accessible_label().map(|s| s.to_string()))
        .collect()
}

/// Touch the first answer of the question on screen (then "Suivant" for a multiple choice).
fn answer_first(k: &Kit) {
    let q = k.c.borrow().model().engine().current().unwrap().clone();
    let row = k.c.borrow().model().engine().current_row();
    tap(&k.app, q.choices_for_row(row)[0].label.fr());
    if q.kind == Kind::Multiple {
        tap(&k.app, "Suivant");
    }
}

fn start(k: &Kit) {
    tap(&k.app, "Français — Commencer");
    assert!(find(&k.app, "Arrêter").is_some(), "Arrêter on the notice: {:?}", labels(&k.app));
    tap(&k.app, "J’ai compris");
}

#[test]
fn arreter_then_oui_erases_the_visit_and_records_it_abandoned_at_that_step() {
    let k = kit();
    assert!(find(&k.app, "Arrêter").is_none(), "nothing to stop on the welcome screen");
    start(&k);
    let first = step(&k);
    let first_answer = k.c.borrow().model().engine().current().unwrap().choices[0].label.fr().to_string();
    for _ in 0..3 {
        answer_first(&k);
    }
    let at = step(&k);
    let stop = find(&k.app, "Arrêter").unwrap();
    assert_eq!(stop.accessible_role(), Some(i_slint_backend_testing::AccessibleRole::Button));
    stop.invoke_accessible_default_action();
    assert!(find(&k.app, "Effacer mes réponses\u{a0}?").is_some(), "{:?}", labels(&k.app));
    assert!(find(&k.app, "Non, continuer").is_some());
    assert_eq!(k.c.borrow().model().store().stats().unwrap().abandoned, 0, "nothing recorded before the confirmation");
    tap(&k.app, "Oui, effacer");

    // The welcome screen, nothing of the visit on it or behind it.
    assert!(find(&k.app, "Français — Commencer").is_some(), "{:?}", labels(&k.app));
    for gone in ["Effacer mes réponses\u{a0}?", "Arrêter", "Retour", first_answer.as_str()] {
        assert!(find(&k.app, gone).is_none(), "{gone:?} still on screen");
    }
    assert_eq!(k.c.borrow().model().engine().screen(), Screen::Attract);
    assert!(k.c.borrow().model().engine().answers().is_empty(), "no answer kept in memory");
    let stats = k.c.borrow().model().store().stats().unwrap();
    assert_eq!((stats.finished, stats.abandoned), (0, 1), "one abandoned visit, no answers stored");
    assert_eq!(stats.abandoned_at.into_iter().collect::<Vec<_>>(), vec![(at, 1)], "recorded at the step where it stopped");
    let answers: i64 = k.c.borrow().model().store().connection().query_row("SELECT count(*) FROM visits", [], |r| r.get(0)).unwrap();
    assert_eq!(answers, 0);

    // The next visitor starts empty, and "Retour" brings nothing of the last visit back.
    start(&k);
    assert_eq!(step(&k), first);
    assert!(checked(&k).is_empty(), "{:?}", checked(&k));
    tap(&k.app, "Je préfère ne pas répondre");
    tap(&k.app, "Retour");
    assert_eq!(step(&k), first);
    assert!(checked(&k).is_empty(), "the previous visitor's answer is not shown: {:?}", checked(&k));
    assert!(k.c.borrow().model().engine().answers().values().all(|a| *a == passerelle_core::answers::Answer::Skipped));
}

#[test]
fn arreter_then_non_keeps_every_answer_and_the_same_screen() {
    let k = kit();
    start(&k);
    for _ in 0..3 {
        answer_first(&k);
    }
    let (at, answers) = (step(&k), k.c.borrow().model().engine().answers().clone());
    tap(&k.app, "Arrêter");
    // The keypad reaches the two answers, and only them.
    assert_eq!(k.c.borrow().model().targets().iter().map(|t| t.to_string()).collect::<Vec<_>>(), ["stop:no", "stop:yes"]);
    tap(&k.app, "Non, continuer");
    assert!(find(&k.app, "Effacer mes réponses\u{a0}?").is_none());
    assert_eq!(step(&k), at, "the same screen");
    assert_eq!(k.c.borrow().model().engine().answers(), &answers, "every answer kept");
    assert_eq!(k.c.borrow().model().store().stats().unwrap().abandoned, 0);
    tap(&k.app, "Retour");
    assert_eq!(checked(&k).len(), 1, "the answer before is still there: {:?}", labels(&k.app));
    // "Retour" (the keypad's Back key too) answers "Non" while the confirmation is open.
    tap(&k.app, "Arrêter");
    k.c.borrow_mut().model_mut().back();
    assert_eq!(k.c.borrow().model().engine().answers(), &answers);
    assert!(k.c.borrow().model().targets().iter().any(|t| *t == *"stop"), "Arrêter is on the keypad's path");
}

/// Contact details half typed are erased too: the next visitor's form is empty.
#[test]
fn arreter_in_the_contact_form_erases_the_contact_details() {
    let k = kit();
    start(&k);
    for _ in 0..200 {
        if k.c.borrow().model().engine().current().is_some_and(|q| q.kind == Kind::Contact) {
            break;
        }
        k.c.borrow_mut().model_mut().skip();
    }
    let consent = step(&k);
    k.c.borrow_mut().model_mut().open_form();
    for key in ["M", "a", "r", "t", "i", "n"] {
        k.c.borrow_mut().model_mut().key(key);
    }
    k.c.borrow_mut().refresh(&k.app);
    assert_eq!(k.c.borrow().model().engine().contact().field("last_name"), Some("Martin"));
    tap(&k.app, "Arrêter");
    tap(&k.app, "Oui, effacer");
    assert!(find(&k.app, "Français — Commencer").is_some());
    assert_eq!(k.c.borrow().model().store().stats().unwrap().abandoned_at.get(&consent), Some(&1));
    start(&k);
    for _ in 0..200 {
        if k.c.borrow().model().engine().current().is_some_and(|q| q.kind == Kind::Contact) {
            break;
        }
        k.c.borrow_mut().model_mut().skip();
    }
    k.c.borrow_mut().model_mut().open_form();
    k.c.borrow_mut().refresh(&k.app);
    assert!(find(&k.app, "Nom *").is_some(), "the form is open: {:?}", labels(&k.app));
    assert_eq!(k.c.borrow().model().engine().contact().field("last_name"), Some(""), "the new visitor's form is empty");
}
