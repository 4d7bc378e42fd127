//! The kiosk's screens as plain data, without Slint: the visit model's views and rules (the
//! show-Next rule, the contact form, printing limits, inactivity, speech, the keypad's targets and
//! focus, the admin PIN lockout). What only the screen can show is in the `*_ui` tests.

use passerelle::kiosk::admin_model::bars;
use passerelle::kiosk::admin_state::ADMIN_IDLE;
use passerelle::kiosk::jobs::JobDone;
use passerelle::kiosk::keypad::{Target, move_focus};
use passerelle::kiosk::printer::Printer;
use passerelle::kiosk::speech::FakeSpeech;
use passerelle::kiosk::store::Store;
use passerelle::kiosk::visit_model::*;
use passerelle_core::engine::FakeClock;
use passerelle_core::i18n::tr;
use passerelle_core::questionnaire::Kind;
use std::sync::Arc;
use std::time::Duration;

struct Kit {
    m: VisitModel,
    clock: Arc<FakeClock>,
    speech: Arc<FakeSpeech>,
    _dir: tempfile::TempDir,
}

/// A model on the default configuration with an admin key (so the consent step is offered), a
/// temporary store, a fake clock and fake speech; the start-up retention pass done.
fn kit(printer: Option<Arc<dyn Printer>>) -> Kit {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = crate::support::kiosk(dir.path());
    let store = Store::open(dir.path()).unwrap();
    let clock = FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
    let speech = Arc::new(FakeSpeech::default());
    let mut m = VisitModel::new(kiosk, store, clock.clone(), Devices { printer, speech: speech.clone() });
    m.daily_retention();
    Kit { m, clock, speech, _dir: dir }
}

/// Skip questions until `id` is on screen (also used by `visit_reset`).
pub(crate) fn goto(m: &mut VisitModel, id: &str) {
    m.start("fr");
    m.accept_notice();
    for _ in 0..100 {
        if m.engine().current().is_some_and(|q| q.id == id) {
            return;
        }
        m.skip();
    }
    panic!("{id} not reached");
}

pub(crate) fn question(m: &VisitModel) -> QuestionView {
    match m.view().screen {
        ScreenView::Question(q) => *q,
        other => panic!("not a question: {other:?}"),
    }
}

#[test]
fn the_next_rule_per_kind() {
    for kind in [Kind::Single, Kind::List, Kind::Grid, Kind::Quiz] {
        assert_eq!(next_rule(kind, true, true, true), NextRule { show: false, enabled: false }, "{kind:?}");
    }
    assert_eq!(next_rule(Kind::Multiple, false, false, false), NextRule { show: true, enabled: false });
    assert_eq!(next_rule(Kind::Multiple, true, false, false), NextRule { show: true, enabled: true });
    assert_eq!(next_rule(Kind::Text, false, false, false), NextRule { show: true, enabled: false });
    assert_eq!(next_rule(Kind::Text, false, true, false), NextRule { show: true, enabled: true });
    assert_eq!(next_rule(Kind::Contact, false, false, false), NextRule { show: false, enabled: true });
    assert_eq!(next_rule(Kind::Contact, false, false, true), NextRule { show: true, enabled: true });
}

#[test]
fn a_multiple_choice_shows_next_enabled_once_chosen_and_counts_down() {
    let mut k = kit(None);
    goto(&mut k.m, "usages_principaux");
    let q = question(&k.m);
    assert_eq!((q.kind, q.next), (Kind::Multiple, NextRule { show: true, enabled: false }));
    k.m.choose("jeux");
    let q = question(&k.m);
    assert!(q.next.enabled);
    assert!(q.choices.iter().any(|c| c.id == "jeux" && c.selected));
    assert_eq!(q.status, "Vous pouvez encore choisir 2 réponses.");
    assert!(q.progress.is_some() && q.form.is_none() && q.row.is_none());
}

#[test]
fn the_contact_form_keeps_its_focus_in_range_and_picks_the_keyboard() {
    let mut k = kit(None);
    goto(&mut k.m, "consentement_contact");
    assert!(!question(&k.m).next.show, "consent first");
    k.m.open_form();
    let q = question(&k.m);
    assert!(k.m.view().overlay.form_open() && q.next.show);
    let form = q.form.unwrap();
    assert_eq!((form.focused, form.keyboard), (0, KeyboardLayout::Letters));
    let phone = form.fields.iter().position(|f| f.id == "phone").unwrap();
    k.m.focus_field(phone);
    assert_eq!(question(&k.m).form.unwrap().keyboard, KeyboardLayout::Phone);
    k.m.focus_field(99);
    let form = question(&k.m).form.unwrap();
    assert_eq!(form.focused, form.fields.len() - 1, "clamped to the last field");
    for t in ["0", "6", "\u{8}", "7"] {
        k.m.key(t);
    }
    k.m.focus_field(phone);
    k.m.key("1");
    let form = question(&k.m).form.unwrap();
    assert_eq!(form.fields[phone].value, "1");
    k.m.back();
    assert!(!k.m.view().overlay.form_open(), "Back closes the form first");
    assert_eq!(k.m.engine().current().unwrap().id, "consentement_contact");
}

#[test]
fn a_visitor_prints_twice_at_most_one_at_a_time() {
    let printer: Arc<dyn Printer> = Arc::new(passerelle::kiosk::printer::FakePrinter::default());
    let mut k = kit(Some(printer));
    k.m.play_script(&passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap()).unwrap();
    let end = |m: &VisitModel| match m.view().screen {
        ScreenView::End { visit: Some(e), .. } => *e,
        other => panic!("{other:?}"),
    };
    assert!(end(&k.m).can_print);
    k.m.print();
    k.m.print();
    assert_eq!(k.m.take_jobs().len(), 1, "one ticket at a time");
    assert!(end(&k.m).printing);
    k.m.job_done(JobDone::Ticket { visit: k.m.visit_id(), ok: false });
    assert!(end(&k.m).print_status.starts_with("Le ticket n’a pas pu être imprimé."));
    for _ in 0..2 {
        k.m.print();
        assert_eq!(k.m.take_jobs().len(), 1);
        k.m.job_done(JobDone::Ticket { visit: k.m.visit_id(), ok: true });
    }
    assert!(!end(&k.m).can_print, "two tickets printed");
    k.m.print();
    assert!(k.m.take_jobs().is_empty());
}

/// Issue 27, item 3: called to the counter, the visitor walks away: the end screen says the
/// questionnaire stops here and who finishes it, shows the code to take along (a photo, a note),
/// and with a printer the ticket prints by itself (and says so); a finished visit prints only on
/// request.
#[test]
fn called_to_the_counter_the_code_leaves_with_the_visitor() {
    use passerelle::kiosk::jobs::Job;
    let end = |m: &VisitModel| match m.view().screen {
        ScreenView::End { thanks, visit: Some(e) } => (thanks, *e),
        other => panic!("{other:?}"),
    };
    let mut k = kit(None);
    goto(&mut k.m, "age");
    k.m.call_me();
    k.m.call_answer(true);
    let (title, e) = end(&k.m);
    assert_eq!(title, "Le questionnaire s’arrête ici.");
    assert!(e.called);
    assert_eq!(e.code, passerelle::core::summary::pretty_reference(&k.m.last_saved().unwrap().id));
    assert_eq!(e.instructions, "Prenez-le en photo ou notez-le.");
    k.m.speak_if_changed();
    let said = k.m.spoken().1;
    assert!(said.contains("Le conseiller finira le questionnaire avec vous.") && said.contains("Prenez-le en photo"), "{said}");
    // With a printer, the ticket prints by itself.
    let printer: Arc<dyn Printer> = Arc::new(passerelle::kiosk::printer::FakePrinter::default());
    let mut k = kit(Some(printer));
    goto(&mut k.m, "age");
    k.m.call_me();
    k.m.call_answer(true);
    let jobs = k.m.take_jobs();
    assert!(matches!(jobs.as_slice(), [Job::Ticket { .. }]), "one ticket, printed by itself");
    assert!(end(&k.m).1.instructions.starts_with("Votre ticket s’imprime"), "{}", end(&k.m).1.instructions);
    // A visit answered to the end prints only when asked.
    k.m.finish();
    k.m.play_script(&passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap()).unwrap();
    assert!(k.m.take_jobs().is_empty());
    assert!(!end(&k.m).1.called);
}

/// The end view, the keypad and speech agree on "Imprimer mon ticket": offered while tickets may
/// be printed, gone from all three after the last one (the keypad cannot focus a hidden button,
/// speech does not ask to touch it).
#[test]
fn after_the_last_ticket_print_is_gone_from_view_keypad_and_speech() {
    let printer: Arc<dyn Printer> = Arc::new(passerelle::kiosk::printer::FakePrinter::default());
    let mut k = kit(Some(printer));
    k.m.play_script(&passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap()).unwrap();
    let print_hint = tr("fr", "speech.end-print");
    let state = |m: &VisitModel| {
        let ScreenView::End { visit: Some(e), .. } = m.view().screen else { panic!("not the end screen") };
        (e.can_print, m.targets().contains(&Target::Print), m.spoken().1.contains(&print_hint))
    };
    assert_eq!(state(&k.m), (true, true, true), "a printer and no ticket yet: offered everywhere");
    for _ in 0..2 {
        k.m.print();
        assert_eq!(k.m.take_jobs().len(), 1);
        k.m.job_done(JobDone::Ticket { visit: k.m.visit_id(), ok: true });
    }
    assert_eq!(state(&k.m), (false, false, false), "after two tickets: offered nowhere");
    assert!(k.m.spoken().1.contains(&tr("fr", "end.instructions-ticket")), "the instructions still speak of the ticket taken");
}

#[test]
fn inactivity_warns_counts_down_then_wipes() {
    let mut k = kit(None);
    goto(&mut k.m, "genre");
    assert!(!k.m.tick(), "nothing new");
    k.clock.advance(Duration::from_secs(61));
    assert!(k.m.tick());
    assert!(k.m.view().idle.is_some_and(|t| t.starts_with("Sans réponse, tout sera effacé dans 29 secondes")), "{:?}", k.m.view().idle);
    k.clock.advance(Duration::from_secs(30));
    k.m.tick();
    assert_eq!(k.m.view().screen, ScreenView::Attract);
    assert_eq!(k.m.store().stats().unwrap().abandoned, 1);
}

/// Issue 27, item 2: the language button opens a picker of every offered language (keys reach
/// each of them and "Annuler"); a language chosen there keeps every answer and the screen;
/// Escape closes the picker without a change.
#[test]
fn the_language_button_offers_every_language_and_keeps_the_answers() {
    let mut k = kit(None);
    goto(&mut k.m, "age");
    k.m.choose("dix_huit_vingt_quatre");
    let step = k.m.engine().step_name();
    let answers = k.m.engine().answers().clone();
    assert_eq!(k.m.view().chrome.language_button, "Langue");
    k.m.open_languages();
    assert!(k.m.view().a11y.languages_open);
    let offered: Vec<String> = k.m.kiosk().defs.config.languages.clone();
    assert!(offered.len() >= 6, "{offered:?}");
    let mut want: Vec<String> = offered.iter().map(|l| format!("pick:{l}")).collect();
    want.push("pick:close".into());
    assert_eq!(k.m.targets().iter().map(|t| t.to_string()).collect::<Vec<_>>(), want);
    // Keys: to Arabic (the third), then Enter.
    for _ in 0..offered.iter().position(|l| l == "ar").unwrap() + 1 {
        k.m.keypad("Down");
    }
    assert_eq!(k.speech.said.lock().unwrap().last().map(|(t, _, _)| t.clone()).as_deref(), Some("العربية"));
    k.m.keypad("Return");
    let v = k.m.view();
    assert!(!v.a11y.languages_open && v.lang == "ar" && v.rtl, "{:?}", (v.lang, v.a11y.languages_open));
    assert_eq!(k.m.engine().step_name(), step, "the same screen");
    assert_eq!(k.m.engine().answers(), &answers, "every answer kept");
    assert_eq!(answers.get("age"), Some(&passerelle_core::answers::Answer::Choice("dix_huit_vingt_quatre".into())));
    // Escape closes the picker, nothing changed; the language of the picker's speech is the visit's.
    k.m.open_languages();
    k.m.keypad("Escape");
    assert!(!k.m.view().a11y.languages_open);
    assert_eq!(k.m.view().lang, "ar");
    // From Arabic back to Portuguese: any language, one tap away.
    k.m.open_languages();
    k.m.choose_language("pt");
    assert_eq!(k.m.view().lang, "pt");
    assert_eq!(k.m.engine().answers(), &answers);
}

#[test]
fn a_new_screen_is_read_only_when_asked_and_the_next_visitor_starts_fresh() {
    let mut k = kit(None);
    goto(&mut k.m, "age");
    k.m.speak_if_changed();
    assert!(k.speech.said.lock().unwrap().is_empty(), "nothing is read unless asked");
    k.m.toggle_auto_read();
    k.m.set_text_step(9);
    k.m.toggle_contrast();
    k.m.change_volume(5);
    let v = k.m.view().a11y;
    assert_eq!((v.text_step, v.text_scale, v.high_contrast, v.volume_step), (2, 1.5, true, 3), "clamped");
    k.m.choose("soixante_dix_plus");
    k.m.speak_if_changed();
    assert_eq!(k.speech.said.lock().unwrap().last().unwrap().0, k.m.spoken().1, "the new screen is read");
    k.m.finish();
    let v = k.m.view().a11y;
    assert_eq!((v.text_step, v.high_contrast, v.auto_read, v.volume_step), (0, false, false, passerelle::kiosk::speech::DEFAULT_VOLUME));
}

#[test]
fn the_focus_starts_at_either_end_and_wraps() {
    assert_eq!(move_focus(None, 3, true), Some(0));
    assert_eq!(move_focus(None, 3, false), Some(2));
    assert_eq!(move_focus(Some(2), 3, true), Some(0));
    assert_eq!(move_focus(Some(0), 3, false), Some(2));
    assert_eq!(move_focus(Some(1), 3, true), Some(2));
    assert_eq!(move_focus(None, 0, true), None);
}

#[test]
fn each_target_has_one_text_form() {
    assert_eq!(Target::Choice("jeux".into()).to_string(), "choice:jeux");
    assert_eq!(Target::Start("fr".into()).to_string(), "start:fr");
    assert_eq!(Target::TextSize(2).to_string(), "a11y:text2");
    assert_eq!(Target::VolumeUp.to_string(), "a11y:vol+");
    assert!(Target::Next == *"nav:next");
}

#[test]
fn targets_in_reading_order_per_screen() {
    let mut k = kit(None);
    let s = |m: &VisitModel| m.targets().iter().map(|t| t.to_string()).collect::<Vec<_>>();
    let attract = s(&k.m);
    assert_eq!(attract.first().map(String::as_str), Some("start:fr"));
    assert_eq!(&attract[attract.len() - 2..], ["listen", "a11y"], "no language button on the welcome screen");
    goto(&mut k.m, "age");
    let age = s(&k.m);
    assert!(age[0].starts_with("choice:") && !age.contains(&"nav:next".to_string()), "{age:?}");
    assert_eq!(&age[age.len() - 7..], ["nav:skip", "nav:call", "nav:back", "listen", "a11y", "lang", "stop"], "Arrêter last, at the bar's outer end");
    goto(&mut k.m, "usages_principaux");
    assert!(!s(&k.m).contains(&"nav:next".to_string()), "a multiple choice's Next is disabled, off the path, until an answer is chosen");
    k.m.choose("jeux");
    assert!(s(&k.m).contains(&"nav:next".to_string()), "a multiple choice has Next");
    goto(&mut k.m, "consentement_contact");
    assert_eq!(&s(&k.m)[..4], ["consent:yes", "consent:no", "nav:call", "nav:back"], "no skip on the contact step");
    k.m.open_form();
    assert_eq!(&s(&k.m)[..2], ["nav:next", "nav:back"], "the open form has Valider");
    k.m.open_a11y_panel();
    assert_eq!(s(&k.m).last().map(String::as_str), Some("a11y:close"));
}

#[test]
fn keys_move_the_focus_say_it_and_activate_it() {
    let mut k = kit(None);
    goto(&mut k.m, "age");
    assert!(!k.m.keypad("q"), "unused keys are not taken");
    let up = k.m.kiosk().defs.config.keys.previous[0].clone();
    let down = k.m.kiosk().defs.config.keys.next[0].clone();
    let enter = k.m.kiosk().defs.config.keys.activate[0].clone();
    assert!(k.m.keypad(&up));
    let n = k.m.targets().len();
    assert_eq!(k.m.focus_index(), Some(n - 1), "from nowhere, Up goes to the last control");
    assert!(k.m.keypad(&down));
    assert!(k.m.keypad(&down));
    assert_eq!(k.m.focus_index(), Some(1), "and wraps");
    assert!(k.speech.said.lock().unwrap().last().unwrap().0.starts_with("Réponse 2"), "the focused answer is said");
    assert!(k.m.keypad(&enter));
    assert_eq!(k.m.engine().current().unwrap().id, "genre", "Enter chooses");
    k.m.speak_if_changed();
    assert_eq!(k.m.focus_index(), None, "a new screen drops the focus");
    assert!(k.m.keypad("2"), "a digit chooses that answer");
    assert_ne!(k.m.engine().current().unwrap().id, "genre");
}

/// The keypad's focus follows its control, not a place in the list: typing on a text question
/// brings "Suivant" in at the front of the list, and the focus stays on "Je préfère ne pas
/// répondre"; when the focused control leaves the path ("Suivant" disabled again once the text
/// is erased), the focus goes to the control that followed it.
#[test]
fn the_keypad_focus_stays_on_its_control_when_the_list_changes() {
    let mut k = kit(None);
    goto(&mut k.m, "usages_principaux");
    k.m.choose("autre");
    k.m.next();
    assert_eq!(k.m.engine().current().unwrap().kind, Kind::Text);
    k.m.speak_if_changed();
    let down = k.m.kiosk().defs.config.keys.next[0].clone();
    let focus = |m: &VisitModel| m.view().focus;
    assert!(!k.m.targets().contains(&Target::Next), "nothing typed: Suivant is off the path");
    while focus(&k.m) != Some(Target::Skip) {
        assert!(k.m.keypad(&down));
    }
    for key in ["v", "é", "l", "o"] {
        k.m.key(key);
        k.m.speak_if_changed();
        assert!(k.m.targets().contains(&Target::Next), "something typed: Suivant is on the path");
        assert_eq!(focus(&k.m), Some(Target::Skip), "typing \"{key}\" leaves the focus on « Je préfère ne pas répondre »");
        assert_eq!(k.m.focus_index(), k.m.targets().iter().position(|t| *t == Target::Skip));
    }
    // On "Suivant", then the text erased: "Suivant" is disabled, the focus goes to what followed it.
    while focus(&k.m) != Some(Target::Next) {
        assert!(k.m.keypad(&down));
    }
    for _ in 0..4 {
        k.m.key("\u{8}");
    }
    k.m.speak_if_changed();
    assert!(!k.m.targets().contains(&Target::Next));
    assert_eq!(focus(&k.m), Some(Target::Skip), "the control after the one that left");
    assert!(k.m.keypad(&down));
    assert_eq!(focus(&k.m), k.m.targets().get(1).cloned(), "and the keys move on from there");
}

fn pin(m: &mut VisitModel, p: &str) {
    for d in p.chars() {
        m.admin_pin_key(&d.to_string());
    }
    m.admin_pin_key("OK");
}

#[test]
fn the_pin_pad_locks_after_five_mistakes_and_opens_with_the_right_pin_afterwards() {
    let mut k = kit(None);
    passerelle::kiosk::admin_tools::set_pin(k.m.store(), "2468").unwrap();
    k.m.admin_long_press();
    assert!(k.m.view().admin.pin_open);
    k.m.admin_pin_key("1");
    k.m.admin_pin_key("⌫");
    assert_eq!(k.m.view().admin.pin_dots, "");
    for left in (1..5).rev() {
        pin(&mut k.m, "1111");
        assert_eq!(k.m.view().admin.pin_message, format!("Code incorrect. Encore {left} essai(s)."));
    }
    pin(&mut k.m, "1111");
    assert!(k.m.view().admin.pin_locked);
    pin(&mut k.m, "2468");
    assert!(!k.m.admin_open(), "even the right PIN waits for the lock");
    k.clock.advance(Duration::from_secs(61));
    pin(&mut k.m, "2468");
    assert!(k.m.admin_open());
    assert_eq!(k.m.view().screen, passerelle::kiosk::visit_model::ScreenView::Admin);
    assert!(k.m.targets().is_empty(), "the keypad leaves the admin screen alone");
    let facts = k.m.view().admin.screen.unwrap().facts;
    assert!(facts[0].starts_with("Version\u{a0}: Passerelle"), "{facts:?}");
}

#[test]
fn the_purge_asks_first_and_the_session_ends_by_itself() {
    let mut k = kit(None);
    passerelle::kiosk::admin_tools::set_pin(k.m.store(), "2468").unwrap();
    k.m.admin_long_press();
    pin(&mut k.m, "2468");
    k.m.admin_purge();
    assert!(k.m.view().admin.confirm_purge);
    k.m.admin_purge();
    assert!(!k.m.view().admin.confirm_purge);
    k.m.admin_export();
    assert!(k.m.view().admin.busy);
    assert_eq!(k.m.take_jobs().len(), 1);
    k.m.admin_export();
    assert!(k.m.take_jobs().is_empty(), "one task at a time");
    k.clock.advance(ADMIN_IDLE);
    k.m.tick();
    assert!(k.m.admin_open(), "not while a task runs");
    // The worker posts a typed report; the model takes it in and the admin reads a sentence.
    let mailbox = k.m.mailbox();
    std::thread::spawn(move || mailbox.send(JobDone::Admin(passerelle::kiosk::jobs::AdminOutcome::NoPlacesFile)).unwrap()).join().unwrap();
    assert!(k.m.collect_jobs() && !k.m.collect_jobs(), "taken in once");
    assert_eq!(k.m.view().admin.status, passerelle::core::i18n::tr("fr", "admin.places-none"));
    k.clock.advance(ADMIN_IDLE);
    k.m.tick();
    assert!(!k.m.admin_open());
}

/// Drawing the admin screen queries nothing: it shows a snapshot taken when it opens, after each
/// action and every few seconds (a visit stored meanwhile by another process shows up then).
#[test]
fn the_admin_screen_shows_a_snapshot_taken_at_opening_after_actions_and_every_few_seconds() {
    let mut k = kit(None);
    passerelle::kiosk::admin_tools::set_pin(k.m.store(), "2468").unwrap();
    k.m.admin_long_press();
    pin(&mut k.m, "2468");
    let finished_total = |m: &VisitModel| m.view().admin.screen.unwrap().stats[0].total.clone();
    assert_eq!(finished_total(&k.m), "0");
    // Another model on the same data stores a visit: the open screen does not query for it.
    let mut other = VisitModel::new(
        crate::support::kiosk(k._dir.path()),
        Store::open(k._dir.path()).unwrap(),
        k.clock.clone(),
        Devices { printer: None, speech: Arc::new(FakeSpeech::default()) },
    );
    other.play_script(&passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap()).unwrap();
    assert_eq!(finished_total(&k.m), "0", "the view is the snapshot");
    assert!(!k.m.tick(), "nothing to draw again");
    assert_eq!(finished_total(&k.m), "0", "not taken again before a few seconds");
    k.clock.advance(passerelle::kiosk::admin_state::ADMIN_SNAPSHOT_EVERY);
    assert!(k.m.tick(), "the new figures are drawn now, not at the next touch");
    assert_eq!(finished_total(&k.m), "1", "taken again after a few seconds");
    k.clock.advance(passerelle::kiosk::admin_state::ADMIN_SNAPSHOT_EVERY);
    assert!(!k.m.tick(), "the same figures again: nothing to draw");
    other.finish();
    other.play_script(&passerelle_core::script::Script::parse(passerelle_core::DEMO_VISIT).unwrap()).unwrap();
    k.m.admin_purge();
    k.m.admin_purge();
    assert_eq!(finished_total(&k.m), "2", "an action takes it again");
}

#[test]
fn bars_are_scaled_to_the_largest() {
    let b = bars(&[("a".into(), 2), ("b".into(), 4), ("c".into(), 0)]);
    assert_eq!(b.iter().map(|b| b.fraction).collect::<Vec<_>>(), vec![0.5, 1.0, 0.0]);
    assert!(bars(&[("z".into(), 0)])[0].fraction == 0.0);
}

/// The screens draw the keypad's focus from flags (`FocusFlags`, and the tiles' own), never by
/// comparing a text with the focus: no `.slint` file compares `FocusAdapter.target`, every flag
/// is read by a screen, and each control drawn on its own has a flag of its own.
#[test]
fn the_screens_read_one_focus_flag_per_control_and_compare_no_text() {
    use Target::*;
    let mut slint = String::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "slint") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(!text.contains("FocusAdapter.target"), "{} compares the focus as a text", path.display());
                slint.push_str(&text);
            }
        }
    }
    let adapters = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/adapters.slint")).unwrap();
    let start = adapters.find("export struct KeypadFocus {").unwrap();
    let fields: Vec<&str> =
        adapters[start..start + adapters[start..].find('}').unwrap()].lines().skip(1).filter_map(|l| l.trim().split_once(':').map(|(n, _)| n)).collect();
    assert!(fields.len() >= 25, "{fields:?}");
    for f in &fields {
        assert!(slint.contains(&format!("FocusAdapter.on.{f}")), "no screen draws the focus flag {f}");
    }
    for tile in ["item.focused", "root.pinned.focused"] {
        assert!(slint.contains(tile), "the tiles draw their own flag ({tile})");
    }
    let singles = [
        Listen,
        Menu,
        Language,
        CloseLanguages,
        Next,
        Back,
        Skip,
        Call,
        CallYes,
        CallNo,
        ConsentYes,
        ConsentNo,
        Print,
        Finish,
        Profile,
        Places,
        StillHere,
        Stop,
        StopYes,
        StopNo,
        Retry,
        TextSize(0),
        TextSize(2),
        Contrast,
        Calm,
        AutoRead,
        VolumeDown,
        VolumeUp,
        CloseMenu,
    ];
    let flags: Vec<FocusFlags> = singles.iter().map(|t| FocusFlags::of(Some(t))).collect();
    for (i, (t, f)) in singles.iter().zip(&flags).enumerate() {
        assert_ne!(*f, FocusFlags::default(), "{t} has no flag");
        assert!(!flags[..i].contains(f), "{t} shares its flag with another control");
    }
    for tile in [Start("fr".into()), Choice("x".into()), PickLanguage("fr".into())] {
        assert_eq!(FocusFlags::of(Some(&tile)), FocusFlags::default(), "{tile}: the tile carries its own flag");
    }
}

/// The QR code's `read_aloud` signal: set when the visitor heard most of the screens they saw
/// (automatic reading, or "Écouter" on each screen), not for one "Écouter" now and then.
#[test]
fn the_read_aloud_signal_counts_the_screens_heard() {
    let play = |auto: bool, listen_first: usize| -> passerelle_core::handoff::Signals {
        let mut k = kit(None);
        if auto {
            k.m.toggle_auto_read();
        }
        k.m.start("fr");
        k.m.speak_if_changed();
        k.m.accept_notice();
        for i in 0..200 {
            k.m.speak_if_changed();
            if i < listen_first {
                k.m.listen();
                k.m.listen(); // twice on one screen counts once
            }
            let Some(q) = k.m.engine().current() else { break };
            if q.id == "age" { k.m.choose("moins_de_douze") } else { k.m.skip() }
        }
        let saved = k.m.last_saved().expect("the visit is saved").clone();
        passerelle_core::handoff::decode(&saved.payload, &k.m.kiosk().defs.questionnaire).unwrap().signals
    };
    assert!(play(true, 0).read_aloud, "automatic reading on every screen");
    assert!(!play(false, 0).read_aloud, "never heard");
    assert!(!play(false, 3).read_aloud, "'Écouter' on a few screens only");
    assert!(play(false, 200).read_aloud, "'Écouter' on every screen");
    assert!(!play(true, 0).partial, "this issue never sets `partial`");
}

/// The notice and the consent text say what the law requires with this kiosk's own facts (issue
/// 17): who keeps the answers (the structure), how long (`[retention]`), how to have them erased,
/// every contact field asked, and never that the answers are anonymous.
#[test]
fn the_notice_and_the_consent_say_who_keeps_what_and_for_how_long() {
    for (lang, kept, time, erase) in
        [("fr", "gardées par\u{a0}: Médiathèque Jules Verne.", "2 ans", "effacer"), ("en", "kept by: Médiathèque Jules Verne.", "2 years", "deleted")]
    {
        let dir = tempfile::tempdir().unwrap();
        let mut kiosk = crate::support::kiosk(dir.path());
        kiosk.defs.config.retention.visits_days = 730;
        kiosk.defs.config.retention.contacts_days = 60;
        kiosk.defs.config.structure = "Médiathèque Jules Verne".into();
        let store = Store::open(dir.path()).unwrap();
        let clock = FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
        let mut m = VisitModel::new(kiosk, store, clock, Devices { printer: None, speech: Arc::new(FakeSpeech::default()) });
        m.start(lang);
        let ScreenView::Notice(Some(n)) = m.view().screen else { panic!("{lang}: the notice comes first") };
        assert!(n.body.contains(kept), "{lang}: who keeps the answers: {}", n.body);
        assert!(n.body.contains(time), "{lang}: for how long: {}", n.body);
        assert!(n.body.contains(erase), "{lang}: how to have them erased: {}", n.body);
        assert!(!n.body.contains('{'), "{lang}: every placeholder is filled: {}", n.body);
        m.accept_notice();
        for _ in 0..100 {
            if m.engine().current().is_some_and(|q| q.kind == Kind::Contact) {
                break;
            }
            m.skip();
        }
        let q = question(&m);
        let time = if lang == "fr" { "2 mois" } else { "2 months" };
        assert!(q.help.contains(time), "{lang}: how long contact details are kept: {}", q.help);
        for field in ["phone", "address", "email"] {
            let word = match (lang, field) {
                ("fr", "phone") => "téléphone",
                ("fr", "address") => "adresse",
                (_, "phone") => "phone",
                (_, "address") => "address",
                _ => "e-mail",
            };
            assert!(q.help.contains(word), "{lang}: the consent names the {field} field: {}", q.help);
        }
        for text in [&n.body, &q.help] {
            assert!(!text.to_lowercase().contains("anonym"), "{lang}: no 'anonymous' where a name may be asked: {text}");
        }
    }
}

/// The visitor's summary lists everything (issue 17: no "and 1 other thing" hiding content).
#[test]
fn the_summary_lists_every_skill() {
    let dir = tempfile::tempdir().unwrap();
    let k = crate::support::kiosk(dir.path());
    let rows = k.defs.questionnaire.question(&k.defs.rules.capability_question).unwrap().rows.clone();
    assert!(rows.len() > 8);
    let (easy, hard) = rows.split_at(6);
    let profile = passerelle_core::profile::Profile {
        sait_faire: easy.iter().map(|r| r.id.clone()).collect(),
        ne_sait_pas_faire: hard.iter().map(|r| r.id.clone()).collect(),
        ..Default::default()
    };
    for lang in ["fr", "ar"] {
        let s = passerelle::core::summary::summary(&profile, &k.defs.questionnaire, &k.defs.rules.capability_question, lang);
        assert_eq!(s.at_ease, easy.iter().map(|r| r.label.get(lang).to_string()).collect::<Vec<_>>(), "{lang}");
        assert_eq!(s.help, hard.iter().map(|r| r.label.get(lang).to_string()).collect::<Vec<_>>(), "{lang}");
    }
    // The rows speak as the visitor ("Me connecter seul à Internet"): so do the titles (issue 17,
    // no "vous"/"je" mix in the summary).
    let s = passerelle::core::summary::summary(&profile, &k.defs.questionnaire, &k.defs.rules.capability_question, "fr");
    assert!(s.at_ease_title.starts_with("Je ") && s.help_title.contains("m’aider"), "{} / {}", s.at_ease_title, s.help_title);
}

/// The skills grid in words: the part (its total the same as on the first question), the row
/// ("Compétence n sur 14"), and speech says both and what "Passer cette compétence" does.
#[test]
fn the_grid_says_its_part_and_row_on_screen_and_aloud() {
    let mut k = kit(None);
    goto(&mut k.m, "outil_principal");
    let first = question(&k.m).progress.unwrap();
    while k.m.engine().current().is_some_and(|q| q.id != "capacites") {
        k.m.skip();
    }
    let q = question(&k.m);
    let p = q.progress.unwrap();
    assert_eq!(p.parts, first.parts, "the total of parts does not move");
    assert_eq!(p.text, format!("Partie {} sur {}", p.part, p.parts));
    assert_eq!(q.row.unwrap().position, "Compétence 1 sur 14");
    let said = k.m.spoken().1;
    assert!(said.starts_with(&format!("Partie {} sur {}. Compétence 1 sur 14.", p.part, p.parts)), "{said}");
    assert!(said.contains("«\u{a0}Passer cette compétence\u{a0}»") && !said.contains("Je préfère ne pas répondre"), "{said}");
    k.m.skip();
    let q2 = question(&k.m);
    assert_eq!((q2.progress.unwrap().text, q2.row.unwrap().position), (p.text.clone(), "Compétence 2 sur 14".to_string()));
    assert!(q2.choices.iter().any(|c| c.id == "ne_connait_pas" && c.label == "Je ne sais pas ce que c’est"));
}

/// Issue 27: in Arabic, the structure and the commune of the notice are bidi isolates kept whole
/// (no break at their spaces or hyphens: "Villeneuve-la-Garenne" no longer splits at a hyphen and
/// sends the full stop to the next line); speech reads them plain; French is untouched.
#[test]
fn latin_names_in_an_arabic_notice_are_isolated_and_kept_whole() {
    let notice = |lang: &str| {
        let dir = tempfile::tempdir().unwrap();
        let mut kiosk = crate::support::kiosk(dir.path());
        kiosk.defs.config.structure = "Centre social Nelly Roussel".into();
        kiosk.defs.config.commune = "Villeneuve-la-Garenne".into();
        let store = Store::open(dir.path()).unwrap();
        let clock = FakeClock::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap());
        let mut m = VisitModel::new(kiosk, store, clock, Devices { printer: None, speech: Arc::new(FakeSpeech::default()) });
        m.start(lang);
        m.speak_if_changed();
        let ScreenView::Notice(Some(n)) = m.view().screen else { panic!("{lang}: the notice comes first") };
        (n.body, m.spoken().1)
    };
    let (body, said) = notice("ar");
    assert!(body.contains("\u{2068}Centre\u{a0}social\u{a0}Nelly\u{a0}Roussel\u{2069}"), "{body}");
    assert!(body.contains("\u{2068}Villeneuve\u{2011}la\u{2011}Garenne\u{2069}"), "{body}");
    assert!(said.contains("Villeneuve-la-Garenne") && !said.contains(['\u{2068}', '\u{2069}', '\u{2011}']), "{said}");
    let (body, _) = notice("fr");
    assert!(body.contains("Villeneuve-la-Garenne") && !body.contains(['\u{2068}', '\u{2011}']), "{body}");
}
