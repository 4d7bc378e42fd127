//! The on-screen keyboard on the shipped default panel (issue 27, item 5), through the real Slint
//! screens: on a 10.1" 1280x800 panel every key is at least 1.6 x 1.6 cm and every other control
//! at least 2 cm high; the keyboard has two pages (letters; digits, accents and signs) turned by
//! a labelled key that speech announces, and a word that needs both pages is typed key by key.

use crate::support::{find, labels, skip, tap};
use i_slint_backend_testing::{AccessibleRole, ElementRoot};
use passerelle::core::i18n::tr;
use passerelle_core::config::DEFAULT_DIAGONAL_IN;

use crate::ui_kit::Kit;

/// The shipped configuration (its `[screen]` included), with an admin key so that the contact
/// form is offered, in the questionnaire's own order.
fn kit(size: (f32, f32)) -> Kit {
    let k = crate::ui_kit::kit().admin_key().deck_order().size(size.0, size.1).build();
    assert_eq!(k.c.borrow().model().kiosk().defs.config.screen_diagonal_in, DEFAULT_DIAGONAL_IN, "kiosk.toml ships the default diagonal");
    k
}

fn current(k: &Kit) -> Option<String> {
    k.c.borrow().model().engine().current().map(|q| q.id.clone())
}

/// Start in `lang` and go to the text question ("Quoi d'autre ?", after "Autre chose").
fn to_text_question(k: &Kit, lang: &str) {
    let start = format!("{} — {}", tr(lang, "lang.name"), tr(lang, "start.action"));
    tap(&k.app, &start);
    tap(&k.app, &tr(lang, "notice.ok"));
    while current(k).as_deref() != Some("usages_principaux") {
        skip(&k.app, lang);
    }
    let other = k.c.borrow().model().engine().questionnaire().question("usages_principaux").unwrap().choice("autre").unwrap().label.get(lang).to_string();
    crate::support::tap_answer(&k.app, &other, &tr(lang, "scroll.more"));
    tap(&k.app, &tr(lang, "nav.next"));
    assert_eq!(current(k).as_deref(), Some("usages_principaux_autre"));
}

/// What the text question's box holds.
fn typed(k: &Kit) -> String {
    k.app
        .root_element()
        .query_descendants()
        .match_accessible_role(AccessibleRole::TextInput)
        .find_all()
        .first()
        .and_then(|e| e.accessible_value())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

fn type_on_keys(k: &Kit, lang: &str, text: &str) {
    crate::support::type_keys(&k.app, lang, text);
}

#[test]
fn a_word_that_needs_both_pages_is_typed_key_by_key_in_french_and_arabic() {
    let k = kit((1280.0, 800.0));
    to_text_question(&k, "fr");
    // The letters page has no digits and no accents; the page key says what it turns to.
    assert!(find(&k.app, "a").is_some() && find(&k.app, "9").is_none() && find(&k.app, "é").is_none());
    assert!(find(&k.app, "Chiffres et accents").is_some(), "{:?}", labels(&k.app));
    type_on_keys(&k, "fr", "Élise 92");
    assert_eq!(typed(&k), "Élise 92");
    // On the digits page, the letters are one key away, and the page is said aloud once the
    // visitor uses speech.
    assert!(find(&k.app, "a").is_none() && find(&k.app, "Lettres").is_some());
    tap(&k.app, "Écouter");
    tap(&k.app, "Lettres");
    let said = k.speech.said.lock().unwrap().last().map(|s| s.0.clone()).unwrap_or_default();
    assert_eq!(said, "Lettres");
    tap(&k.app, "Suivant");
    assert_eq!(k.c.borrow().model().engine().answers()["usages_principaux_autre"], passerelle_core::answers::Answer::Text("Élise 92".into()));

    let k = kit((1280.0, 800.0));
    to_text_question(&k, "ar");
    assert!(find(&k.app, "س").is_some() && find(&k.app, "7").is_none());
    type_on_keys(&k, "ar", "إسلام 75");
    assert_eq!(typed(&k), "إسلام 75");
}

/// On the shipped default (a 10.1" 1280x800 panel): every keyboard key at least 1.6 x 1.6 cm,
/// every other control at least 2 cm high, on the text question (both pages) and the contact
/// form (letters, phone pad, e-mail), in French and Arabic.
#[test]
fn on_the_default_10_inch_panel_keys_are_1_6_cm_and_other_controls_2_cm() {
    let (w, h) = (1280f32, 800f32);
    let cm = (w * w + h * h).sqrt() / (DEFAULT_DIAGONAL_IN as f32 * 2.54);
    for lang in ["fr", "ar"] {
        let k = kit((w, h));
        let key_names: Vec<String> = ["key.space", "key.backspace", "key.shift", "key.page-more", "key.page-letters"].iter().map(|n| tr(lang, n)).collect();
        let check = |screen: &str| {
            let buttons = k.app.root_element().query_descendants().match_accessible_role(AccessibleRole::Button).find_all();
            let mut keys = 0;
            for b in buttons {
                let (s, label) = (b.size(), b.accessible_label().unwrap_or_default().to_string());
                if s.width == 0.0 || s.height == 0.0 {
                    continue;
                }
                let p = b.absolute_position();
                assert!(p.y + s.height <= h + 0.5 && p.x + s.width <= w + 0.5, "{lang} {screen}: \"{label}\" leaves the screen");
                // A key: one character or a few (".com", "لا"), or a named key.
                if label.chars().count() <= 4 || key_names.contains(&label) {
                    keys += 1;
                    assert!(
                        s.width + 0.5 >= 1.6 * cm && s.height + 0.5 >= 1.6 * cm,
                        "{lang} {screen}: key \"{label}\" is {:.2} x {:.2} cm",
                        s.width / cm,
                        s.height / cm
                    );
                } else {
                    assert!(s.height + 0.5 >= 2.0 * cm, "{lang} {screen}: \"{label}\" is {:.2} cm high", s.height / cm);
                }
            }
            assert!(keys >= 12, "{lang} {screen}: {keys} keys found");
        };
        to_text_question(&k, lang);
        check("text, letters");
        tap(&k.app, &tr(lang, "key.page-more"));
        check("text, digits");
        // The contact form: consent, then its fields.
        while current(&k).as_deref() != Some("consentement_contact") {
            skip(&k.app, lang);
        }
        tap(&k.app, &tr(lang, "consent.yes"));
        check("contact, name");
        let fields = k.c.borrow().model().engine().current().unwrap().fields.clone();
        for f in fields.iter().filter(|f| f.id == "phone" || f.id == "email") {
            let label = f.label.get(lang).to_string();
            tap(&k.app, &label);
            check(&format!("contact, {}", f.id));
        }
        // The field in use is the wide one; every field stays a 2 cm target to touch.
        for f in &fields {
            let label = f.label.get(lang).to_string() + if f.required { " *" } else { "" };
            let e = find(&k.app, &label).unwrap_or_else(|| panic!("{label}: {:?}", labels(&k.app)));
            assert!(e.size().height + 0.5 >= 2.0 * cm && e.size().width + 0.5 >= 2.0 * cm, "{lang}: field \"{label}\" {:?}", e.size());
        }
    }
}
