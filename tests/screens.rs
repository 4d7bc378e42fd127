//! Every screen renders headlessly at the three reference sizes (software renderer), and the
//! QR code on the end screen decodes, with an independent decoder, to the stored payload.
//! (Own process: the headless platform cannot share a process with the testing backend.)

use passerelle::kiosk::Kiosk;
use passerelle::ui::screenshot::{SCREENS, screenshot};
use passerelle_core::config::Config;

const SIZES: [(u32, u32); 3] = [(1920, 1080), (1280, 800), (1080, 1920)];

fn kiosk() -> anyhow::Result<Kiosk> {
    let (_, recipient) = passerelle::kiosk::seal::keygen();
    let src = passerelle_core::DEFAULT_CONFIG.replace("recipient = \"\"", &format!("recipient = \"{recipient}\""));
    Ok(Kiosk::from_config(Config::parse(&src, "kiosk.toml", None)?, "test".into())?)
}

/// The codes on a screenshot: rqrr, else zbarimg (the QR image is scaled by a fraction of a pixel
/// per module on some screens, which rqrr sometimes misses and zbar, like a phone, reads).
fn decode_qr(path: &std::path::Path) -> Vec<String> {
    let img = image::open(path).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let codes: Vec<String> = prepared.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, s)| s)).collect();
    if !codes.is_empty() {
        return codes;
    }
    std::process::Command::new("zbarimg")
        .args(["-q", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(path)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().map(str::to_string).filter(|l| !l.is_empty()).collect())
        .unwrap_or_default()
}

/// Every screen at the three sizes in French, and the end screen's QR code decodes.
#[test]
fn every_screen_renders_at_every_size_and_the_end_qr_decodes() {
    every_screen(&["fr"]);
}

/// The same in French, English and Arabic (about 2 minutes in a debug build): `.ci/run` runs it
/// with `cargo test -- --ignored`.
#[test]
#[ignore = "exhaustive (every screen x size x language): run by .ci/run with --ignored"]
fn every_screen_renders_at_every_size_in_every_script() {
    every_screen(&["fr", "en", "ar"]);
}

fn every_screen(langs: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    for (w, h) in SIZES {
        for &lang in langs {
            for name in SCREENS {
                let out = dir.path().join(format!("{name}-{w}x{h}-{lang}.png"));
                screenshot(&kiosk, name, (w, h), lang, &out).unwrap();
                let img = image::open(&out).unwrap().to_rgb8();
                assert_eq!(img.dimensions(), (w, h));
                // Not blank: a screen has text and controls, so many distinct colours.
                let distinct: std::collections::HashSet<_> = img.pixels().step_by(97).map(|p| p.0).collect();
                assert!(distinct.len() > 8, "{name} {w}x{h} {lang} looks blank");
            }
            let codes = decode_qr(&dir.path().join(format!("end-{w}x{h}-{lang}.png")));
            assert_eq!(codes.len(), 1, "one QR code on the end screen at {w}x{h}");
            assert!(codes[0].starts_with("PA1:"), "{}", codes[0]);
        }
    }
}

/// The side in pixels of the QR code image on a screen (found by its accessible label).
fn qr_side(screen: &str, (w, h): (u32, u32), lang: &str) -> f32 {
    let window = passerelle::ui::screenshot::headless_window().unwrap();
    let prepared = passerelle::ui::screenshot::prepare(&kiosk, screen, (w, h), lang).unwrap();
    let _ = passerelle::ui::screenshot::render_window(&window, w, h);
    let app = prepared.app.as_ref().unwrap();
    let label = passerelle::core::i18n::tr(lang, "end.qr-label");
    let found: Vec<_> = i_slint_backend_testing::ElementHandle::find_by_accessible_label(app, &label).collect();
    assert_eq!(found.len(), 1, "{screen} {w}x{h} {lang}: one QR code");
    let s = found[0].size();
    s.width.min(s.height)
}

#[test]
fn the_qr_code_is_at_least_6_cm_on_a_21_inch_full_hd_screen() {
    // 21.5" 1920x1080: about 102 px per inch, so 6 cm is about 241 px.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("end.png");
    screenshot(&kiosk, "end", (1920, 1080), "fr", &out).unwrap();
    let img = image::open(&out).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let b = grids[0].bounds;
    let side = ((b[1].x - b[0].x).abs()).max((b[3].y - b[0].y).abs());
    assert!(side >= 241, "QR side {side} px");
}

/// Larger text must help, not hurt (issue 17): the QR code keeps at least its normal size.
#[test]
fn larger_text_never_makes_the_qr_code_smaller() {
    for size in SIZES {
        for lang in ["fr", "ar"] {
            let (normal, large) = (qr_side("end", size, lang), qr_side("end-large", size, lang));
            assert!(large >= normal, "{size:?} {lang}: the QR code is {large} px with larger text, {normal} px without");
        }
    }
}

/// An idle kiosk does not redraw: after the first frame, ticks that change nothing leave nothing
/// to draw (the performance issue's "CPU under 1% idle" rests on this).
#[test]
fn an_idle_screen_is_not_redrawn() {
    use passerelle::ui::screenshot::{headless_window, prepare, render_window};
    let window = headless_window().unwrap();
    for screen in ["attract", "single", "end"] {
        let p = prepare(&kiosk, screen, (1280, 800), "fr").unwrap();
        render_window(&window, 1280, 800);
        let (app, c) = (p.app.as_ref().unwrap(), p.controller.as_ref().unwrap());
        for _ in 0..5 {
            assert!(!passerelle::ui::tick_and_refresh(app, c), "{screen}: a tick with nothing new changes nothing");
            slint::platform::update_timers_and_animations();
        }
        let drew = window.draw_if_needed(|_| {});
        assert!(!drew, "{screen}: nothing to redraw while idle");
        // A real change does redraw.
        c.borrow_mut().refresh(app);
        c.borrow_mut().model_mut().start("en");
        c.borrow_mut().refresh(app);
        slint::platform::update_timers_and_animations();
        assert!(window.draw_if_needed(|_| {}), "{screen}: a change is drawn");
    }
}

/// A visitor takes a photo of the end screen with a phone: the QR code still decodes with zbarimg
/// (an independent decoder) once the screen is shrunk to a 1000 px wide, blurred, JPEG-compressed
/// picture, with the summary and after it is hidden, in every layout.
#[test]
fn a_phone_photo_of_the_end_screen_decodes() {
    let present = std::process::Command::new("sh").args(["-c", "command -v zbarimg"]).output().is_ok_and(|o| o.status.success());
    if !present {
        assert!(std::env::var_os("PASSERELLE_CI").is_none(), "zbarimg is required in CI");
        eprintln!("notice: zbarimg not installed, the phone-photo check is skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let k = kiosk().unwrap();
    for screen in ["end", "end-queue"] {
        for (w, h) in SIZES {
            let shot = dir.path().join(format!("{screen}-{w}x{h}.png"));
            screenshot(&kiosk, screen, (w, h), "fr", &shot).unwrap();
            let img = image::open(&shot).unwrap().to_rgb8();
            // A phone 1 m away: the screen fills about a 1000 px wide frame, slightly out of focus.
            let nh = (1000.0 * h as f32 / w as f32).round() as u32;
            let small = image::imageops::resize(&img, 1000, nh, image::imageops::FilterType::Triangle);
            let mut photo_img = image::imageops::blur(&small, 1.2);
            // A washed-out screen (glare) and sensor noise, deterministic.
            let mut seed = 0x2545_f491_u32;
            for p in photo_img.pixels_mut() {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let noise = (seed % 25) as f32 - 12.0;
                for c in p.0.iter_mut() {
                    *c = (40.0 + f32::from(*c) * 0.7 + noise).clamp(0.0, 255.0) as u8;
                }
            }
            let photo = dir.path().join(format!("{screen}-{w}x{h}-photo.png"));
            photo_img.save(&photo).unwrap();
            let out = std::process::Command::new("zbarimg").args(["-q", "--raw", "-Sdisable", "-Sqrcode.enable"]).arg(&photo).output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).trim_end().to_string();
            assert!(text.starts_with("PA1:"), "{screen} {w}x{h}: zbarimg read {text:?} from the photo");
            let h = passerelle_core::handoff::decode(&text, &k.defs.questionnaire).unwrap();
            assert_eq!(h.kiosk_id, k.defs.config.kiosk_id);
        }
    }
}

/// Every visible text of a window: where it is, what it says, and by how much its content
/// overflows its box (the height its lines need at its width, or the width of a one-line text).
fn overflowing_texts(window: &slint::Window) -> Vec<String> {
    use i_slint_core::item_tree::ItemRc;
    use i_slint_core::item_tree::ParentItemTraversalMode;
    use i_slint_core::items::{Clip, ComplexText, Flickable, SimpleText, TextWrap};
    use i_slint_core::layout::Orientation;
    let inner = i_slint_core::window::WindowInner::from_pub(window);
    let root = ItemRc::new_root(inner.component());
    let adapter = inner.window_adapter();
    let size = window.size().to_logical(window.scale_factor());
    let (win_w, win_h) = (size.width, size.height);
    let mut found = Vec::new();
    // Inside a scroll area or a clip (which may hide part of it on purpose).
    let in_clip = |item: &ItemRc| {
        std::iter::successors(item.parent_item(ParentItemTraversalMode::FindAllParents), |p| p.parent_item(ParentItemTraversalMode::FindAllParents))
            .any(|p| p.downcast::<Flickable>().is_some() || p.downcast::<Clip>().is_some())
    };
    root.visit_descendants(|item| {
        // A control (a button, a tile) outside any scroll area lies inside the window too.
        if item.is_accessible() && item.accessible_role() == i_slint_core::items::AccessibleRole::Button && item.is_visible() && !in_clip(item) {
            let g = item.geometry();
            let at = item.map_to_window(g.origin);
            if at.x < -1.0 || at.y < -1.0 || at.x + g.width() > win_w + 1.0 || at.y + g.height() > win_h + 1.0 {
                let label = item.accessible_string_property(i_slint_core::accessibility::AccessibleStringProperty::Label).unwrap_or_default();
                found.push(format!("button \"{label}\" at ({:.0},{:.0}) size {:.0}x{:.0} is cut by the window's edge", at.x, at.y, g.width(), g.height()));
            }
        }
        let (text, wraps) = if let Some(t) = item.downcast::<SimpleText>() {
            (t.as_pin_ref().text(), false)
        } else if let Some(t) = item.downcast::<ComplexText>() {
            let t = t.as_pin_ref();
            (t.text(), t.wrap() != TextWrap::NoWrap)
        } else {
            return std::ops::ControlFlow::<()>::Continue(());
        };
        if text.trim().is_empty() || !item.is_visible() {
            return std::ops::ControlFlow::Continue(());
        }
        let g = item.geometry();
        let it = item.borrow();
        let need_h = it.as_ref().layout_info(Orientation::Vertical, g.width(), &adapter, item).min;
        // A wrapped text still needs its longest word on one line (a word wider than its box is cut).
        let need_w = if wraps {
            it.as_ref().layout_info(Orientation::Horizontal, g.height(), &adapter, item).min
        } else {
            it.as_ref().layout_info(Orientation::Horizontal, g.height(), &adapter, item).preferred
        };
        let at = item.map_to_window(g.origin);
        // A text outside any scroll area or clip must lie inside the window: else the window's
        // edge cuts it (a layout taller than the screen pushes the bottom bar out).
        if !in_clip(item) && (at.x < -1.0 || at.y < -1.0 || at.x + g.width() > win_w + 1.0 || at.y + g.height() > win_h + 1.0) {
            found.push(format!(
                "\"{}\" at ({:.0},{:.0}) size {:.0}x{:.0} is cut by the window's edge",
                text.chars().take(50).collect::<String>(),
                at.x,
                at.y,
                g.width(),
                g.height()
            ));
        }
        if need_h > g.height() + 1.0 || need_w > g.width() + 1.0 {
            found.push(format!(
                "\"{}\" at ({:.0},{:.0}) is {:.0}x{:.0} but needs {:.0}x{:.0}",
                text.chars().take(50).collect::<String>(),
                at.x,
                at.y,
                g.width(),
                g.height(),
                need_w.max(g.width()),
                need_h.max(g.height())
            ));
        }
        std::ops::ControlFlow::Continue(())
    });
    found
}

/// No text element's content overflows its box (the lines its text needs at its width, or the
/// width of a one-line text), on any screen, at the three sizes, in French and Arabic.
#[test]
fn every_text_fits_its_box_on_every_screen() {
    let window = passerelle::ui::screenshot::headless_window().unwrap();
    let mut report = Vec::new();
    // The three reference sizes, and 800x600: the smallest screen the kiosk supports (docs/accessibility.md).
    for (w, h) in SIZES.into_iter().chain([(800, 600)]) {
        for lang in ["fr", "ar"] {
            for name in SCREENS {
                let prepared = passerelle::ui::screenshot::prepare(&kiosk, name, (w, h), lang).unwrap();
                let _ = passerelle::ui::screenshot::render_window(&window, w, h);
                let win = match (&prepared.app, &prepared.mediator) {
                    (Some(a), _) => slint::ComponentHandle::window(a),
                    (_, Some(m)) => slint::ComponentHandle::window(m),
                    _ => continue,
                };
                for o in overflowing_texts(win) {
                    report.push(format!("{name} {w}x{h} {lang}: {o}"));
                }
            }
        }
    }
    assert!(report.is_empty(), "{} texts do not fit their box:\n{}", report.len(), report.join("\n"));
}

/// How many answer tiles are wholly visible in their scroll area, and how many there are.
fn visible_answers(window: &slint::Window) -> (usize, usize) {
    use i_slint_core::item_tree::{ItemRc, ParentItemTraversalMode};
    use i_slint_core::items::{AccessibleRole, Flickable};
    let inner = i_slint_core::window::WindowInner::from_pub(window);
    let root = ItemRc::new_root(inner.component());
    let (mut shown, mut all) = (0, 0);
    root.visit_descendants(|item| {
        let flick =
            std::iter::successors(item.parent_item(ParentItemTraversalMode::FindAllParents), |p| p.parent_item(ParentItemTraversalMode::FindAllParents))
                .find(|p| p.downcast::<Flickable>().is_some());
        // Answer tiles: the buttons inside the answers' scroll area.
        if let Some(f) = flick.filter(|_| item.is_accessible() && item.accessible_role() == AccessibleRole::Button) {
            all += 1;
            let (g, fg) = (item.geometry(), f.geometry());
            let (at, fat) = (item.map_to_window(g.origin), f.map_to_window(fg.origin));
            if at.y >= fat.y - 1.0 && at.y + g.height() <= fat.y + fg.height() + 1.0 {
                shown += 1;
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    (shown, all)
}

/// Larger text and the calm layout must help, not hurt (issues 17 and 27): on every kind of
/// question screen, in every mode (larger text, calm, both, high contrast), at the four sizes,
/// in French and Arabic, at least three answers are wholly visible at once (all of them when
/// there are fewer); the quiz's "Je ne sais pas" is always wholly in view, outside any scroll.
#[test]
fn at_least_three_answers_are_visible_in_every_mode() {
    let window = passerelle::ui::screenshot::headless_window().unwrap();
    let k = kiosk().unwrap();
    let mut report = Vec::new();
    for (w, h) in SIZES.into_iter().chain([(800, 600)]) {
        for lang in ["fr", "ar"] {
            let dont_know = k.defs.questionnaire.question("quiz_navigateur").and_then(|q| q.choice("ne_sait_pas")).unwrap().label.get(lang).to_string();
            for name in ["single", "multiple", "list", "grid", "quiz"] {
                for (step, calm, contrast) in [(0, false, false), (2, false, false), (0, true, false), (2, true, false), (1, false, true)] {
                    let prepared = passerelle::ui::screenshot::prepare(&kiosk, name, (w, h), lang).unwrap();
                    let (app, c) = (prepared.app.as_ref().unwrap(), prepared.controller.as_ref().unwrap());
                    c.borrow_mut().model_mut().set_text_step(step);
                    if calm {
                        c.borrow_mut().model_mut().toggle_calm();
                    }
                    if contrast {
                        c.borrow_mut().model_mut().toggle_contrast();
                    }
                    c.borrow_mut().refresh(app);
                    let _ = passerelle::ui::screenshot::render_window(&window, w, h);
                    let mode = format!("{name} {w}x{h} {lang} text {step} calm {calm} contrast {contrast}");
                    let (mut shown, mut all) = visible_answers(slint::ComponentHandle::window(app));
                    if name == "quiz" {
                        let pinned: Vec<_> = i_slint_backend_testing::ElementHandle::find_by_accessible_label(app, &dont_know).collect();
                        let whole = pinned.iter().any(|e| {
                            let (p, s) = (e.absolute_position(), e.size());
                            p.x >= -1.0 && p.y >= -1.0 && p.x + s.width <= w as f32 + 1.0 && p.y + s.height <= h as f32 + 1.0 && s.height > 0.0
                        });
                        if !whole {
                            report.push(format!("{mode}: \"{dont_know}\" is not wholly in view"));
                        }
                        shown += usize::from(whole);
                        all += 1;
                    }
                    assert!(all > 0, "{mode}: answers found");
                    if shown < all.min(3) {
                        report.push(format!("{mode}: {shown} of {all} answers visible"));
                    }
                }
            }
        }
    }
    assert!(report.is_empty(), "{}:\n{}", report.len(), report.join("\n"));
}

/// Issue 27: a line of text crossed by a scroll area's edge (half a line shown), and a child
/// drawn outside its dialog (a button sticking out of the accessibility menu). Dialogs are the
/// cards with the `groupbox` role (the accessibility menu, the language picker, the two
/// confirmations, the inactivity warning).
fn sliced_lines_and_escaping_children(window: &slint::Window) -> Vec<String> {
    use i_slint_core::item_tree::{ItemRc, ParentItemTraversalMode};
    use i_slint_core::items::{AccessibleRole, ComplexText, Flickable, SimpleText, TextVerticalAlignment};
    use i_slint_core::layout::Orientation;
    let inner = i_slint_core::window::WindowInner::from_pub(window);
    let root = ItemRc::new_root(inner.component());
    let adapter = inner.window_adapter();
    let mut found = Vec::new();
    let ancestors = |item: &ItemRc| -> Vec<ItemRc> {
        std::iter::successors(item.parent_item(ParentItemTraversalMode::FindAllParents), |p| p.parent_item(ParentItemTraversalMode::FindAllParents)).collect()
    };
    let rect = |item: &ItemRc| {
        let g = item.geometry();
        let at = item.map_to_window(g.origin);
        (at.x, at.y, at.x + g.width(), at.y + g.height())
    };
    root.visit_descendants(|item| {
        let g = item.geometry();
        if !item.is_visible() || g.width() <= 0.0 || g.height() <= 0.0 {
            return std::ops::ControlFlow::<()>::Continue(());
        }
        let up = ancestors(item);
        // Inside its dialog.
        let (x0, y0, x1, y1) = rect(item);
        for d in up.iter().filter(|p| p.is_accessible() && p.accessible_role() == AccessibleRole::Groupbox) {
            let (dx0, dy0, dx1, dy1) = rect(d);
            if x0 < dx0 - 1.0 || y0 < dy0 - 1.0 || x1 > dx1 + 1.0 || y1 > dy1 + 1.0 {
                let label = if item.is_accessible() {
                    item.accessible_string_property(i_slint_core::accessibility::AccessibleStringProperty::Label).unwrap_or_default().to_string()
                } else {
                    String::new()
                };
                found.push(format!("an element \"{label}\" at ({x0:.0},{y0:.0})-({x1:.0},{y1:.0}) leaves its dialog ({dx0:.0},{dy0:.0})-({dx1:.0},{dy1:.0})"));
                break;
            }
        }
        // Its lines against the edges of the scroll area it is in.
        let (text, align) = if let Some(t) = item.downcast::<SimpleText>() {
            let t = t.as_pin_ref();
            (t.text(), t.vertical_alignment())
        } else if let Some(t) = item.downcast::<ComplexText>() {
            let t = t.as_pin_ref();
            (t.text(), t.vertical_alignment())
        } else {
            return std::ops::ControlFlow::Continue(());
        };
        let Some(flick) = up.iter().find(|p| p.downcast::<Flickable>().is_some()) else {
            return std::ops::ControlFlow::Continue(());
        };
        if text.trim().is_empty() {
            return std::ops::ControlFlow::Continue(());
        }
        let it = item.borrow();
        let need = it.as_ref().layout_info(Orientation::Vertical, g.width(), &adapter, item).min;
        let one = it.as_ref().layout_info(Orientation::Vertical, 1.0e6, &adapter, item).min / (text.matches('\n').count() + 1) as f32;
        if one <= 0.0 {
            return std::ops::ControlFlow::Continue(());
        }
        let lines = (need / one).round().max(1.0) as usize;
        let top = y0
            + match align {
                TextVerticalAlignment::Center => (g.height() - need) / 2.0,
                TextVerticalAlignment::Bottom => g.height() - need,
                _ => 0.0,
            };
        let (_, fy0, _, fy1) = rect(flick);
        for k in 0..lines {
            let (a, b) = (top + k as f32 * one, top + (k + 1) as f32 * one);
            if let Some(edge) = [fy0, fy1].into_iter().find(|e| a < e - 1.0 && b > e + 1.0) {
                found.push(format!(
                    "line {} of \"{}\" ({a:.0}-{b:.0}) is cut by a scroll area's edge at {edge:.0}",
                    k + 1,
                    text.chars().take(40).collect::<String>()
                ));
            }
        }
        std::ops::ControlFlow::Continue(())
    });
    found
}

/// The accessibility menu and every other screen: no line cut by a scroll area's edge, no child
/// outside its dialog, at the four sizes in French and Arabic, in every mode of the question
/// screens (larger text, calm, both) and with the language picker and the confirmations open.
#[test]
fn no_line_is_sliced_by_a_scroll_edge_and_no_child_leaves_its_dialog() {
    let window = passerelle::ui::screenshot::headless_window().unwrap();
    let mut report = Vec::new();
    for (w, h) in SIZES.into_iter().chain([(800, 600)]) {
        for lang in ["fr", "ar"] {
            for name in SCREENS.iter().copied().chain(["languages", "call-answered"]) {
                let screen = match name {
                    "languages" | "call-answered" => "single",
                    other => other,
                };
                let prepared = passerelle::ui::screenshot::prepare(&kiosk, screen, (w, h), lang).unwrap();
                let (Some(app), Some(c)) = (&prepared.app, &prepared.controller) else { continue };
                match name {
                    "languages" => c.borrow_mut().model_mut().open_languages(),
                    "call-answered" => {
                        c.borrow_mut().model_mut().call_me();
                        c.borrow_mut().model_mut().call_answer(true);
                    }
                    _ => {}
                }
                c.borrow_mut().refresh(app);
                let _ = passerelle::ui::screenshot::render_window(&window, w, h);
                for o in sliced_lines_and_escaping_children(slint::ComponentHandle::window(app)) {
                    report.push(format!("{name} {w}x{h} {lang}: {o}"));
                }
            }
        }
    }
    assert!(report.is_empty(), "{}:\n{}", report.len(), report.join("\n"));
}

/// Every text drawn and every accessible label of a window.
fn drawn_texts(window: &slint::Window) -> Vec<String> {
    use i_slint_core::item_tree::ItemRc;
    use i_slint_core::items::{ComplexText, SimpleText};
    let inner = i_slint_core::window::WindowInner::from_pub(window);
    let root = ItemRc::new_root(inner.component());
    let mut out = Vec::new();
    root.visit_descendants(|item| {
        if let Some(t) = item.downcast::<SimpleText>() {
            out.push(t.as_pin_ref().text().to_string());
        } else if let Some(t) = item.downcast::<ComplexText>() {
            out.push(t.as_pin_ref().text().to_string());
        }
        if item.is_accessible() {
            out.extend(item.accessible_string_property(i_slint_core::accessibility::AccessibleStringProperty::Label).map(|s| s.to_string()));
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    out.retain(|s| !s.trim().is_empty());
    out
}

/// Never a raw key on screen (issue 27, item 4): every text Slint draws and every accessible label,
/// on every screen of the tour and with the language picker open, in every shipped language, is
/// neither an i18n key (read from `i18n/fr.po` as text) nor holds a `{placeholder}`.
#[test]
fn no_screen_draws_a_raw_key_in_any_language() {
    let po = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/fr.po")).unwrap();
    let keys: Vec<&str> = po.lines().filter_map(|l| l.strip_prefix("msgid \"")?.strip_suffix('"')).filter(|k| !k.is_empty()).collect();
    let placeholder = regex::Regex::new(r"\{[a-z_]+\}").unwrap();
    let window = passerelle::ui::screenshot::headless_window().unwrap();
    let mut report = Vec::new();
    for lang in ["fr", "en", "ar", "pt", "es", "ro"] {
        for name in SCREENS.iter().copied().chain(["languages"]) {
            let prepared = passerelle::ui::screenshot::prepare(&kiosk, if name == "languages" { "single" } else { name }, (1280, 800), lang).unwrap();
            if let (Some(app), Some(c), "languages") = (&prepared.app, &prepared.controller, name) {
                c.borrow_mut().model_mut().open_languages();
                c.borrow_mut().refresh(app);
            }
            let _ = passerelle::ui::screenshot::render_window(&window, 1280, 800);
            let win = match (&prepared.app, &prepared.mediator) {
                (Some(a), _) => slint::ComponentHandle::window(a),
                (_, Some(m)) => slint::ComponentHandle::window(m),
                _ => continue,
            };
            for t in drawn_texts(win) {
                let words = t.split(|c: char| c.is_whitespace() || "«»“”\"()[],:;!?".contains(c)).map(|w| w.trim_end_matches('.'));
                let key = words.chain([t.trim()]).find(|w| keys.contains(w) && (w.contains('.') || *w == t.trim()));
                if let Some(k) = key {
                    report.push(format!("{name} {lang}: the key {k:?} in {t:?}"));
                } else if let Some(m) = placeholder.find(&t) {
                    report.push(format!("{name} {lang}: the placeholder {} in {t:?}", m.as_str()));
                }
            }
        }
    }
    assert!(report.is_empty(), "{}:\n{}", report.len(), report.join("\n"));
}
