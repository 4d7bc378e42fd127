//! Build script: compiles the Slint windows (`app.slint` and what it imports) into Rust.

fn main() {
    // Debug builds (and so `cargo test`) keep element debug info for the testing backend's
    // ElementHandle queries; release builds leave it out.
    let debug = std::env::var("PROFILE").is_ok_and(|p| p == "debug");
    let config = slint_build::CompilerConfiguration::new().with_style("fluent".into()).with_debug_info(debug);
    slint_build::compile_with_config("app.slint", config).expect("Slint UI failed to compile");
}
