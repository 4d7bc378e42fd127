//! The theme's colour pairs reach the contrast the kiosk promises, computed from ui/theme.slint.

use std::collections::HashMap;

/// (normal, high contrast) colour of each theme property.
fn colours() -> HashMap<String, ([f64; 3], [f64; 3])> {
    let src = include_str!("../../ui/theme.slint");
    let hex = |s: &str| -> [f64; 3] {
        let s = s.trim_start_matches('#');
        [0, 2, 4].map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap() as f64 / 255.0)
    };
    let mut m = HashMap::new();
    for line in src.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("out property <color> ")
            && let Some((name, value)) = rest.split_once(':')
            && let Some((hc, normal)) = value.trim().trim_end_matches(';').trim_start_matches("high-contrast ?").split_once(':')
        {
            m.insert(name.trim().to_string(), (hex(normal.trim()), hex(hc.trim())));
        }
    }
    m
}

fn luminance(c: [f64; 3]) -> f64 {
    let lin = |v: f64| {
        if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

fn ratio(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn text_colour_pairs_reach_7_to_1_in_both_themes() {
    let c = colours();
    assert!(c.len() >= 15, "theme colours not found");
    // (text, background) pairs as they appear on screen.
    let pairs = [
        ("text", "background"),
        ("text", "surface"),
        ("text", "selected-bg"),
        ("text", "pressed"),
        ("muted", "background"),
        ("muted", "surface"),
        ("primary", "background"),
        ("primary", "surface"),
        ("on-primary", "primary"),
        ("on-primary", "primary-pressed"),
        ("error", "surface"),
        ("text", "warning-bg"),
    ];
    for (fg, bg) in pairs {
        for (i, theme) in ["normal", "high contrast"].iter().enumerate() {
            let (f, b) = (c[fg], c[bg]);
            let (f, b) = if i == 0 { (f.0, b.0) } else { (f.1, b.1) };
            let r = ratio(f, b);
            assert!(r >= 7.0, "{theme}: {fg} on {bg} is {r:.2}:1");
        }
    }
    // Disabled text is exempt from contrast rules, but stays readable.
    let (f, b) = (c["disabled-text"], c["disabled-bg"]);
    assert!(ratio(f.0, b.0) >= 4.5 && ratio(f.1, b.1) >= 4.5);
    // Selection is shown by a border that stands out from an unselected one (not colour alone:
    // the tiles also thicken the border and show a tick).
    assert!(ratio(c["selected-border"].0, c["surface"].0) >= 3.0);
}
