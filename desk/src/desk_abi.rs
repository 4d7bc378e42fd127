//! The module's raw ABI, small enough for a hand-written JavaScript glue (no wasm-bindgen):
//!
//! - `desk_alloc(len) -> ptr` and `desk_free(ptr, len)`: buffers in linear memory;
//! - `desk_call(op_ptr, op_len, arg_ptr, arg_len) -> u64`: the operation's name and its argument
//!   as UTF-8 JSON; returns `ptr << 32 | len` of the answer, UTF-8 JSON, that the page reads then
//!   frees with `desk_free`;
//! - `desk_scan(rgba_ptr, rgba_len, width, height) -> u64`: a camera frame, the same answer form.
//!
//! Imported from the page (module `passerelle`): `random(ptr, len)` fills with
//! `crypto.getRandomValues` (getrandom's custom backend), `panic(ptr, len)` reports a panic's
//! message before the module traps.
//!
//! [`call`] is the same dispatcher in plain Rust: the tests call it as the page does.

use crate::desk_api::{Desk, parse_day, parse_now};
use crate::desk_bundle::Bundle;
use crate::desk_pickups::StoredPickup;
use serde_json::{Value, json};
use std::cell::RefCell;

thread_local! {
    static DESK: RefCell<Option<Desk>> = const { RefCell::new(None) };
}

fn fail(m: impl Into<String>) -> Value {
    json!({"ok": false, "message": m.into()})
}

fn text<'a>(arg: &'a Value, key: &str) -> Result<&'a str, Value> {
    arg[key].as_str().ok_or_else(|| fail(format!("Erreur interne : « {key} » manque.")))
}

fn with_desk(f: impl FnOnce(&Desk) -> Result<Value, Value>) -> Value {
    DESK.with(|d| match d.borrow().as_ref() {
        Some(desk) => f(desk).unwrap_or_else(|e| e),
        None => fail("Erreur interne : la page n'a pas encore chargé ses définitions."),
    })
}

/// The operation `op` with its JSON argument; the answer as JSON text. Every answer has `ok`;
/// `ok: false` comes with a French `message`.
pub fn call(op: &str, arg: &str) -> String {
    let arg: Value = match serde_json::from_str(arg) {
        Ok(v) => v,
        Err(e) => return fail(format!("Erreur interne : argument illisible ({e}).")).to_string(),
    };
    let pickups = |key: &str| -> Result<Vec<StoredPickup>, Value> {
        serde_json::from_value(arg[key].clone()).map_err(|e| fail(format!("Une prise en charge enregistrée est illisible : {e}.")))
    };
    let out = match op {
        "init" => match serde_json::from_value::<Bundle>(arg.clone()) {
            Ok(bundle) => match Desk::new(&bundle) {
                Ok(desk) => {
                    let info = desk.info();
                    DESK.with(|d| *d.borrow_mut() = Some(desk));
                    info
                }
                Err(m) => fail(m),
            },
            Err(e) => fail(format!("Définitions de la page illisibles : {e}")),
        },
        "decode" => with_desk(|d| Ok(d.decode(text(&arg, "payload")?, parse_now(text(&arg, "now")?).map_err(fail)?))),
        "coop_url" => with_desk(|d| {
            let ticked: Vec<String> = serde_json::from_value(arg["ticked"].clone()).map_err(|_| fail("Erreur interne : cases cochées illisibles."))?;
            Ok(d.coop_url(text(&arg, "payload")?, &ticked))
        }),
        "record" => with_desk(|d| {
            let existing: Option<StoredPickup> =
                serde_json::from_value(arg["existing"].clone()).map_err(|e| fail(format!("La prise en charge enregistrée est illisible : {e}.")))?;
            let day = parse_day(text(&arg, "day")?).map_err(fail)?;
            Ok(d.record(text(&arg, "payload")?, arg["outcome"].as_str(), day, existing.as_ref()))
        }),
        "rows" => with_desk(|d| Ok(d.rows(&pickups("pickups")?))),
        "export" => with_desk(|d| {
            let today = parse_day(text(&arg, "today")?).map_err(fail)?;
            let time = parse_now(&format!("{}T{}", text(&arg, "today")?, text(&arg, "time")?)).map_err(fail)?.time();
            let taken: Vec<String> = serde_json::from_value(arg["taken"].clone()).unwrap_or_default();
            Ok(d.export(&pickups("pickups")?, text(&arg, "secret")?, today, time, &taken))
        }),
        "new_key" => with_desk(|d| Ok(d.new_key())),
        "key_info" => with_desk(|d| Ok(d.key_info(text(&arg, "secret")?))),
        _ => fail(format!("Erreur interne : opération inconnue « {op} ».")),
    };
    out.to_string()
}

/// A camera frame's QR codes: `{ok, texts: [...]}`.
pub fn scan(rgba: &[u8], width: usize, height: usize) -> String {
    json!({"ok": true, "texts": crate::frame_scan::scan_rgba(rgba, width, height)}).to_string()
}

#[cfg(target_arch = "wasm32")]
mod exports {
    use super::{call, fail, scan};

    /// A buffer handed to the page: `ptr << 32 | len`.
    fn hand_over(s: String) -> u64 {
        let b = s.into_bytes().into_boxed_slice();
        let len = b.len() as u64;
        let ptr = Box::into_raw(b) as *mut u8 as usize as u64;
        (ptr << 32) | len
    }

    /// # Safety
    /// `ptr`, `len` must be a buffer the page got from [`desk_alloc`] (still alive).
    unsafe fn read<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
        if len == 0 {
            return &[];
        }
        // SAFETY: the caller passes a live buffer of `len` bytes from `desk_alloc`.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }

    /// A buffer of `len` bytes for the page to fill.
    #[unsafe(no_mangle)]
    pub extern "C" fn desk_alloc(len: usize) -> *mut u8 {
        Box::into_raw(vec![0u8; len].into_boxed_slice()) as *mut u8
    }

    /// Frees a buffer from [`desk_alloc`] or an answer.
    ///
    /// # Safety
    /// `ptr`, `len` must be a buffer from [`desk_alloc`] or an answer's, freed once.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn desk_free(ptr: *mut u8, len: usize) {
        if !ptr.is_null() {
            // SAFETY: the buffer was a boxed slice of exactly `len` bytes.
            drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) });
        }
    }

    /// [`call`] through linear memory.
    ///
    /// # Safety
    /// Both buffers must be live buffers from [`desk_alloc`].
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn desk_call(op_ptr: *const u8, op_len: usize, arg_ptr: *const u8, arg_len: usize) -> u64 {
        // SAFETY: the page passes buffers it allocated with desk_alloc and filled.
        let (op, arg) = unsafe { (read(op_ptr, op_len), read(arg_ptr, arg_len)) };
        match (std::str::from_utf8(op), std::str::from_utf8(arg)) {
            (Ok(op), Ok(arg)) => hand_over(call(op, arg)),
            _ => hand_over(fail("Erreur interne : texte illisible (pas de l'UTF-8).").to_string()),
        }
    }

    /// [`scan`] through linear memory.
    ///
    /// # Safety
    /// The buffer must be a live buffer from [`desk_alloc`].
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn desk_scan(rgba_ptr: *const u8, rgba_len: usize, width: usize, height: usize) -> u64 {
        // SAFETY: the page passes a buffer it allocated with desk_alloc and filled.
        hand_over(scan(unsafe { read(rgba_ptr, rgba_len) }, width, height))
    }

    #[link(wasm_import_module = "passerelle")]
    unsafe extern "C" {
        fn random(ptr: *mut u8, len: usize);
        fn panic(ptr: *const u8, len: usize);
    }

    /// getrandom's custom backend: the page's `crypto.getRandomValues`.
    ///
    /// # Safety
    /// getrandom passes a writable buffer of `len` bytes.
    #[unsafe(no_mangle)]
    unsafe extern "Rust" fn __getrandom_v03_custom(dest: *mut u8, len: usize) -> Result<(), getrandom::Error> {
        // SAFETY: the page writes exactly `len` bytes at `dest`.
        unsafe { random(dest, len) };
        Ok(())
    }

    /// A panic's message goes to the page (shown, then the module is loaded again).
    #[unsafe(no_mangle)]
    pub extern "C" fn desk_start() {
        std::panic::set_hook(Box::new(|info| {
            let m = info.to_string();
            // SAFETY: a live string.
            unsafe { panic(m.as_ptr(), m.len()) };
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_calls_get_a_french_answer_not_a_panic() {
        let v: Value = serde_json::from_str(&call("nothing", "{}")).unwrap();
        assert_eq!(v["ok"], false);
        assert!(v["message"].as_str().unwrap().contains("opération inconnue"), "{v}");
        let v: Value = serde_json::from_str(&call("init", "{not json")).unwrap();
        assert!(v["message"].as_str().unwrap().contains("argument illisible"), "{v}");
        let v: Value = serde_json::from_str(&call("init", r#"{"format": 1}"#)).unwrap();
        assert!(v["message"].as_str().unwrap().contains("Définitions de la page illisibles"), "{v}");
        let v: Value = serde_json::from_str(&scan(&[0; 12], 3, 1)).unwrap();
        assert_eq!(v["texts"], json!([]));
    }
}
