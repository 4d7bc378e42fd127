//! The integration tests of the `passerelle` crate, as one binary (one link of Slint, SQLite and
//! age instead of one per file). The tests that need a process of their own (the testing backend's
//! event loop, the headless renderer) stay in their own files next to this folder.

mod support;

mod a11y_ui;
mod admin_ui;
mod cli;
mod controls_tour;
mod cups;
mod desk_browser;
mod desk_pickups;
mod display;
mod end_screen;
mod export;
mod faults;
mod faults_ui;
mod handoff;
mod house;
mod keyboard_ui;
mod languages;
mod leave_ui;
mod mediator_ui;
mod merge;
mod model_screens;
mod month;
mod pickups;
mod places;
mod queue_ui;
mod raw_keys;
mod reach;
mod report_month;
mod report_tools;
mod scale_sql;
mod screen_reader;
mod speech;
mod store;
mod theme;
mod ticket_languages;
mod trust;
mod trust_edges;
mod trust_roles;
mod ui;
mod ui_kit;
mod ui_languages;
mod visit_reset;
