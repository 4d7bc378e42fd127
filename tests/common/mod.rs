//! Helpers shared by the integration tests: controls found by their accessible label (as a
//! visitor's assistive technology would), and the outside tools that CI installs.
#![allow(dead_code)]

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementRoot};
use passerelle::ui::AppWindow;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The first control with this accessible label.
pub fn find(app: &AppWindow, label: &str) -> Option<ElementHandle> {
    ElementHandle::find_by_accessible_label(app, label).next()
}

/// Every accessible label on screen (for error messages).
pub fn labels(app: &AppWindow) -> Vec<String> {
    app.root_element()
        .query_descendants()
        .match_predicate(|e| e.accessible_role().is_some_and(|r| r != AccessibleRole::None))
        .find_all()
        .iter()
        .filter_map(|e| e.accessible_label().map(|s| s.to_string()))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Activate the control labelled `label`, or fail with the labels that are there.
pub fn tap(app: &AppWindow, label: &str) {
    let e = find(app, label).unwrap_or_else(|| panic!("no control labelled {label:?} on screen; labels: {:?}", labels(app)));
    e.invoke_accessible_default_action();
}

/// The `frictionless` command (the project's `.venv` first); under CI it must be there.
pub fn frictionless() -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/frictionless");
    if local.exists() {
        return Some(local);
    }
    if Command::new("frictionless").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return Some("frictionless".into());
    }
    assert!(std::env::var_os("PASSERELLE_CI").is_none(), "CI must install frictionless (.venv)");
    eprintln!("notice: frictionless not installed, validation skipped");
    None
}
