//! La Coop's `encodeSerializableState` / `decodeSerializableState`
//! (`apps/web/src/utils/encodeSerializableState.ts` at [`crate::LACOOP_COMMIT`]):
//!
//! - encode: `superjson.stringify(state)` → `pako.deflate` (zlib stream: 2-byte header, deflate,
//!   Adler-32) → base64 with `+`→`-`, `/`→`_`, the `=` padding removed;
//! - decode: `-`→`+`, `_`→`/`, `atob` (which takes unpadded input) → `pako.inflate` to a UTF-8
//!   string → `superjson.parse`.
//!
//! For plain JSON values (strings, numbers, arrays, objects: no `undefined`, `Date`, `Map`…)
//! `superjson.stringify` writes `{"json": value}` and no `meta`, and `superjson.parse` returns
//! `value`: this is all the pre-fill needs. The compressed bytes need not be pako's own (any
//! valid zlib stream inflates the same); the text inside is byte for byte what La Coop parses.

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use serde_json::Value;

use crate::DecodeError;

/// Decoded states larger than this are refused (a pre-fill is a few hundred bytes).
const MAX_DECODED: u64 = 1 << 20;

/// The `v` parameter for a state: base64url without padding of the zlib deflate of
/// superjson's `{"json": state}`.
pub fn encode_serializable_state(state: &Value) -> String {
    let text = superjson_stringify(state);
    // pako.deflate's default level is zlib's 6 (Compression::default()).
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(text.as_bytes()).expect("writing to a Vec cannot fail");
    let bytes = z.finish().expect("writing to a Vec cannot fail");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `superjson.stringify` of a plain JSON value: `{"json":…}`, compact like `JSON.stringify`.
pub fn superjson_stringify(state: &Value) -> String {
    let mut wrapper = serde_json::Map::new();
    wrapper.insert("json".into(), state.clone());
    Value::Object(wrapper).to_string()
}

/// The state a `v` parameter holds, read as La Coop reads it (padding accepted, as `atob` does).
/// A superjson `meta` (values JSON cannot spell) is refused: this crate never writes one.
pub fn decode_serializable_state(v: &str) -> Result<Value, DecodeError> {
    let bytes = if v.ends_with('=') { URL_SAFE.decode(v) } else { URL_SAFE_NO_PAD.decode(v) }.map_err(|_| DecodeError::Base64)?;
    let mut text = String::new();
    let mut inflated = ZlibDecoder::new(bytes.as_slice()).take(MAX_DECODED + 1);
    inflated.read_to_string(&mut text).map_err(|_| DecodeError::Inflate)?;
    if text.len() as u64 > MAX_DECODED {
        return Err(DecodeError::TooLarge);
    }
    match serde_json::from_str::<Value>(&text).map_err(|_| DecodeError::Json)? {
        Value::Object(mut o) if o.len() == 1 && o.contains_key("json") => Ok(o.remove("json").expect("checked")),
        _ => Err(DecodeError::NotSuperjson),
    }
}

/// The state in a La Coop URL's `v` parameter (the first one, as Next.js's `searchParams` gives).
pub fn state_from_url(url: &str) -> Result<Value, DecodeError> {
    let query = url.split_once('?').map(|(_, q)| q.split('#').next().unwrap_or_default()).ok_or(DecodeError::NoParameter)?;
    let v = query.split('&').find_map(|kv| kv.strip_prefix("v=")).ok_or(DecodeError::NoParameter)?;
    decode_serializable_state(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_through_la_coop_encoding() {
        let state = json!({"beneficiaire": {"genre": "Feminin"}, "thematiques": ["Email", "SecuriteNumerique"], "note": "é ü 漢"});
        let v = encode_serializable_state(&state);
        assert!(v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{v}");
        assert_ne!(v.len() % 4, 1, "no base64 text has this length");
        assert_eq!(decode_serializable_state(&v).unwrap(), state);
    }

    #[test]
    fn the_bytes_are_a_zlib_stream_of_superjson_text() {
        let state = json!({"autonomie": "Autonome"});
        let bytes = URL_SAFE_NO_PAD.decode(encode_serializable_state(&state)).unwrap();
        // zlib header (CMF 0x78: deflate, 32 KiB window; the header checksum holds).
        assert_eq!(bytes[0], 0x78);
        assert_eq!((u16::from(bytes[0]) << 8 | u16::from(bytes[1])) % 31, 0);
        let mut text = String::new();
        ZlibDecoder::new(bytes.as_slice()).read_to_string(&mut text).unwrap();
        assert_eq!(text, r#"{"json":{"autonomie":"Autonome"}}"#);
    }

    #[test]
    fn padded_input_is_read_like_atob_reads_it() {
        let state = json!({"materiel": ["Telephone"]});
        let v = encode_serializable_state(&state);
        let padded = format!("{v}{}", "=".repeat((4 - v.len() % 4) % 4));
        assert_eq!(decode_serializable_state(&padded).unwrap(), state);
    }

    #[test]
    fn bad_parameters_get_a_clear_error() {
        assert_eq!(decode_serializable_state("$$$"), Err(DecodeError::Base64));
        assert_eq!(decode_serializable_state("aGVsbG8"), Err(DecodeError::Inflate));
        let not_wrapped = {
            let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
            z.write_all(br#"{"autonomie":"Autonome"}"#).unwrap();
            URL_SAFE_NO_PAD.encode(z.finish().unwrap())
        };
        assert_eq!(decode_serializable_state(&not_wrapped), Err(DecodeError::NotSuperjson));
        assert_eq!(state_from_url("https://example.org/cra"), Err(DecodeError::NoParameter));
        assert_eq!(DecodeError::Inflate.to_string(), "Le paramètre v ne se décompresse pas (zlib).");
    }

    #[test]
    fn a_compressed_bomb_is_refused() {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(&vec![b' '; (MAX_DECODED + 10) as usize]).unwrap();
        let v = URL_SAFE_NO_PAD.encode(z.finish().unwrap());
        assert_eq!(decode_serializable_state(&v), Err(DecodeError::TooLarge));
    }

    #[test]
    fn state_is_found_among_other_parameters() {
        let state = json!({"autonomie": "Autonome"});
        let url = format!("https://example.org/cra?retour=%2Fcoop&v={}#top", encode_serializable_state(&state));
        assert_eq!(state_from_url(&url).unwrap(), state);
    }
}
