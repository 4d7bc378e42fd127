//! The integration tests of `passerelle-core`, as one binary.

mod support;

mod config;
mod engine;
mod flow;
mod handoff;
mod places;
mod profile;
mod questionnaire;
