//! The one self-contained HTML page (`passerelle mediateur page`): the page, its style and script,
//! the WebAssembly module (gzip, base64) and the bundle, all inline; a Content-Security-Policy
//! forbids every request (`default-src 'none'`, `connect-src 'none'`) and lets only this page's
//! own script (by its hash) and WebAssembly run.

use crate::desk_bundle::Bundle;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::Write;

const HTML: &str = include_str!("../page/desk.html");
const CSS: &str = include_str!("../page/desk.css");
const JS: &str = include_str!("../page/desk.js");

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The CSP source of an inline element's text.
fn hash(text: &str) -> String {
    format!("'sha256-{}'", b64(&Sha256::digest(text.as_bytes())))
}

/// JSON safe inside `<script type="application/json">` (no `</script>`, no `<!--`).
fn json_in_html(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("a bundle serializes").replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// The Content-Security-Policy of the page: nothing from anywhere, only its own style and script
/// and WebAssembly; images only inline (`data:`), the camera's video from a `MediaStream`.
pub fn csp() -> String {
    format!(
        "default-src 'none'; script-src {} 'wasm-unsafe-eval'; style-src {}; img-src data:; media-src blob: mediastream:; connect-src 'none'; \
         font-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; manifest-src 'none'; form-action 'none'; base-uri 'none'",
        hash(JS),
        hash(CSS)
    )
}

/// The page: `wasm` is the module's bytes (`desk.wasm`), `bundle` what it reads.
pub fn render(wasm: &[u8], bundle: &Bundle) -> String {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(wasm).expect("writing to memory");
    let wasm_gz = gz.finish().expect("writing to memory");
    let title = format!("Passerelle — médiateur · {}", bundle.structure.name);
    HTML.replace("{{CSP}}", &html_attr(&csp()))
        .replace("{{TITLE}}", &html_text(&title))
        .replace("{{STRUCTURE}}", &html_text(&bundle.structure.name))
        .replace("{{CSS}}", CSS)
        .replace("{{BUNDLE}}", &json_in_html(bundle))
        .replace("{{WASM}}", &b64(&wasm_gz))
        .replace("{{JS}}", JS)
}

fn html_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn html_attr(s: &str) -> String {
    html_text(s).replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk_bundle::StructureInfo;

    #[test]
    fn the_page_holds_everything_and_its_policy_allows_only_its_own_script() {
        let mut b = Bundle::shipped(StructureInfo { id: "m".into(), name: "Médiathèque <Aragon> & co".into(), departement: None }, "2026-12-03");
        b.coop_base_url = "https://example.org/</script><script>alert(1)</script>".into();
        let page = render(b"\0asm\x01\0\0\0", &b);
        assert!(page.contains(&hash(JS)) && page.contains(&hash(CSS)));
        assert!(page.contains("connect-src 'none'") && page.contains("default-src 'none'"));
        assert!(page.contains("Médiathèque &lt;Aragon&gt; &amp; co"));
        assert!(!page.contains("</script><script>alert(1)"), "the bundle cannot end its script element");
        assert_eq!(page.matches("<script").count(), 3, "the bundle, the module, the script");
        assert!(!page.contains("{{"), "every placeholder filled");
        // The page's own script is exactly the one hashed.
        let start = page.find("<script>").unwrap() + "<script>".len();
        let end = page[start..].find("</script>").unwrap() + start;
        assert_eq!(&page[start..end], JS);
        // No address outside the data (the places' own web sites stay data, never fetched).
        let code = page.replace(&json_in_html(&b), "");
        assert!(!code.contains("http://") && !code.contains("https://"), "the page's code names no address");
    }
}
