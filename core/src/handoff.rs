//! The QR handoff payload: a visit as a mediator needs it, in a few dozen bytes, with no name.
//!
//! Text form: `PA1:` followed by Base45 (RFC 9285) of a bit-packed binary, so the whole code is
//! in the QR alphanumeric alphabet. Binary layout (format 2), most significant bit first:
//!
//! | field | bits |
//! |---|---|
//! | kiosk id (6-bit chars, length first) | 6 + 6·n |
//! | visit reference | 40 |
//! | local date (days since 2020-01-01) | 16 |
//! | language (index in [`LANGS`]) | 4 |
//! | signals (format 2 only; see [`Signals`]) | 8 |
//! | questionnaire fingerprint, version | 16, 24 |
//! | rules fingerprint, version | 16, 24 |
//! | profile: national vocabularies as indices (see [`write_profile`]) | ~90 |
//! | answers: per question, 2 bits state then its value (see [`write_answers`]) | ~150 |
//! | CRC-32 of all the above | 32 |
//!
//! Format 1 payloads (no signals byte) are still decoded, with every signal off.
//!
//! Free text ("autre") and contact details are never encoded; only whether they were given.
//! The profile part uses Passerelle's fixed vocabularies (vocab.rs), so a mediator's decoder
//! shows it even when the kiosk's questionnaire differs from its own; the answers part needs
//! the same questionnaire (checked by its fingerprint).

use crate::answers::{Answer, Answers, Contact};
use crate::profile::{DomainLevel, Profile, Rules};
use crate::questionnaire::{Kind, Questionnaire};
use crate::version::parse_version;
use crate::vocab;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use thiserror::Error;

pub const PREFIX: &str = "PA1:";
const FORMAT_VERSION: u8 = 2;
/// The oldest format this decoder still reads.
const OLDEST_FORMAT: u8 = 1;
/// Languages a payload can name (index = code).
pub const LANGS: &[&str] = &["fr", "en", "ar", "pt", "es", "ro", "de", "it", "tr", "ru", "uk", "zh", "ta", "wo", "bm"];
const CHARSET: &str = "abcdefghijklmnopqrstuvwxyz0123456789-_";
const NIVEAUX: &[&str] = vocab::COOP_NIVEAU;
/// The date field's value for "unknown" (a kiosk clock outside 2020–2199).
const UNKNOWN_DATE: u16 = u16::MAX;

#[derive(Debug, Error, PartialEq)]
pub enum HandoffError {
    #[error("this is not a Passerelle code (it should start with \"PA1:\")")]
    NotPasserelle,
    #[error("this code was made by a newer Passerelle (format {0}): update Passerelle to read it")]
    FutureVersion(String),
    #[error("this code is damaged (invalid characters): scan it again")]
    BadEncoding,
    #[error("this code is incomplete: scan it again")]
    Truncated,
    #[error("this code is damaged (checksum mismatch): scan it again")]
    Checksum,
    #[error("this code holds an invalid value ({0})")]
    Invalid(String),
    #[error("cannot encode: {0}")]
    Encode(String),
}

/// What a payload carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Handoff {
    pub kiosk_id: String,
    /// The visit's reference (also printed on the ticket): 8 Crockford Base32 characters.
    pub reference: String,
    /// The kiosk's local date; None when the kiosk's clock was outside 2020–2199 (set wrong).
    pub date: Option<NaiveDate>,
    pub lang: String,
    pub questionnaire_fingerprint: u16,
    pub questionnaire_version: String,
    pub rules_fingerprint: u16,
    pub rules_version: String,
    /// Profile fields in the national vocabularies (the rest of [`Profile`] comes from answers).
    pub profile: Profile,
    /// Facts about the visit itself (not answers): see [`Signals`].
    pub signals: Signals,
    /// Answers, decoded when the questionnaire is known (free text shown as "…", contact as a
    /// consent without details).
    pub answers: Option<Answers>,
}

/// Facts about how the visit went, one bit each (format 2). They are facts, never diagnoses.
/// Bit positions are a file-format contract: never reuse one; the unused bits are written as 0
/// and ignored when read (a newer kiosk may set them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Signals {
    /// Bit 0: the visitor ended the questionnaire early ("On m'appelle"); the questions not
    /// reached are recorded as not asked.
    pub partial: bool,
    /// Bit 1: the visitor used the read-aloud on most of the screens they saw.
    pub read_aloud: bool,
}

impl Signals {
    const PARTIAL: u8 = 1 << 0;
    const READ_ALOUD: u8 = 1 << 1;

    fn to_bits(self) -> u8 {
        (if self.partial { Self::PARTIAL } else { 0 }) | (if self.read_aloud { Self::READ_ALOUD } else { 0 })
    }

    fn from_bits(b: u8) -> Self {
        Signals { partial: b & Self::PARTIAL != 0, read_aloud: b & Self::READ_ALOUD != 0 }
    }
}

// ---------------------------------------------------------------------------------------------
// Bits

#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    nbits: usize,
}

impl BitWriter {
    fn put(&mut self, value: u64, bits: u32) {
        for i in (0..bits).rev() {
            if self.nbits.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if (value >> i) & 1 == 1 {
                let last = self.bytes.len() - 1;
                self.bytes[last] |= 0x80 >> (self.nbits % 8);
            }
            self.nbits += 1;
        }
    }
    fn put_bool(&mut self, b: bool) {
        self.put(u64::from(b), 1);
    }
}

struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl BitReader<'_> {
    fn get(&mut self, bits: u32) -> Result<u64, HandoffError> {
        let mut v = 0u64;
        for _ in 0..bits {
            let byte = *self.bytes.get(self.pos / 8).ok_or(HandoffError::Truncated)?;
            v = (v << 1) | u64::from((byte >> (7 - self.pos % 8)) & 1);
            self.pos += 1;
        }
        Ok(v)
    }
    fn get_bool(&mut self) -> Result<bool, HandoffError> {
        Ok(self.get(1)? == 1)
    }
}

/// Bits needed to write a value below `n` (at least 1).
fn width(n: usize) -> u32 {
    (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1)
}

fn put_str(w: &mut BitWriter, s: &str, max_len: usize) -> Result<(), HandoffError> {
    if s.len() > max_len {
        return Err(HandoffError::Encode(format!("`{s}` is too long")));
    }
    w.put(s.len() as u64, 6);
    for c in s.chars() {
        let i = CHARSET.find(c).ok_or_else(|| HandoffError::Encode(format!("`{s}` has a character outside [a-z0-9-_]")))?;
        w.put(i as u64, 6);
    }
    Ok(())
}

fn get_str(r: &mut BitReader) -> Result<String, HandoffError> {
    let n = r.get(6)? as usize;
    let mut s = String::with_capacity(n);
    for _ in 0..n {
        let i = r.get(6)? as usize;
        s.push(CHARSET.chars().nth(i).ok_or_else(|| HandoffError::Invalid("character".into()))?);
    }
    Ok(s)
}

/// An index into a fixed vocabulary.
fn index_of(list: &[&str], v: &str, what: &str) -> Result<u64, HandoffError> {
    list.iter().position(|x| *x == v).map(|i| i as u64).ok_or_else(|| HandoffError::Encode(format!("`{v}` is not a {what}")))
}

fn from_index(list: &[&str], i: u64, what: &str) -> Result<String, HandoffError> {
    list.get(i as usize).map(|s| s.to_string()).ok_or_else(|| HandoffError::Invalid(what.to_string()))
}

/// An optional vocabulary value: 0 = none, i+1 = list[i].
fn put_opt(w: &mut BitWriter, list: &[&str], v: &Option<String>, what: &str) -> Result<(), HandoffError> {
    let bits = width(list.len() + 1);
    match v {
        None => w.put(0, bits),
        Some(v) => w.put(index_of(list, v, what)? + 1, bits),
    }
    Ok(())
}

fn get_opt(r: &mut BitReader, list: &[&str], what: &str) -> Result<Option<String>, HandoffError> {
    let i = r.get(width(list.len() + 1))?;
    if i == 0 { Ok(None) } else { from_index(list, i - 1, what).map(Some) }
}

/// An ordered list of vocabulary values: count (4 bits), then indices.
fn put_list(w: &mut BitWriter, list: &[&str], v: &[String], what: &str) -> Result<(), HandoffError> {
    if v.len() > 15 {
        return Err(HandoffError::Encode(format!("too many {what}")));
    }
    w.put(v.len() as u64, 4);
    for x in v {
        w.put(index_of(list, x, what)?, width(list.len()));
    }
    Ok(())
}

fn get_list(r: &mut BitReader, list: &[&str], what: &str) -> Result<Vec<String>, HandoffError> {
    let n = r.get(4)?;
    let mut out = Vec::new();
    for _ in 0..n {
        let x = from_index(list, r.get(width(list.len()))?, what)?;
        if out.contains(&x) {
            return Err(HandoffError::Invalid(format!("{what} repeated")));
        }
        out.push(x);
    }
    Ok(out)
}

fn put_version(w: &mut BitWriter, v: &str) -> Result<(), HandoffError> {
    let p = parse_version(v).ok_or_else(|| HandoffError::Encode(format!("version `{v}`")))?;
    for x in p {
        w.put(u64::from(x), 8);
    }
    Ok(())
}

fn get_version(r: &mut BitReader) -> Result<String, HandoffError> {
    Ok(format!("{}.{}.{}", r.get(8)?, r.get(8)?, r.get(8)?))
}

// ---------------------------------------------------------------------------------------------
// Fingerprints

/// A fingerprint of the questionnaire's structure (ids, kinds, choices, rows): two kiosks with
/// the same fingerprint encode answers the same way.
pub fn questionnaire_fingerprint(q: &Questionnaire) -> u16 {
    let mut h = crc32fast::Hasher::new();
    h.update(q.id.as_bytes());
    for question in q.questions() {
        h.update(b"\x01");
        h.update(question.id.as_bytes());
        h.update(question.kind.as_str().as_bytes());
        if question.kind == Kind::List {
            continue; // the kiosk's neighbourhoods travel as ids
        }
        for c in &question.choices {
            h.update(b"\x02");
            h.update(c.id.as_bytes());
        }
        for r in &question.rows {
            h.update(b"\x03");
            h.update(r.id.as_bytes());
        }
    }
    (h.finalize() & 0xffff) as u16
}

pub fn rules_fingerprint(rules: &Rules) -> u16 {
    let mut h = crc32fast::Hasher::new();
    h.update(rules.id.as_bytes());
    h.update(b"\x00");
    h.update(rules.version.as_bytes());
    (h.finalize() & 0xffff) as u16
}

// ---------------------------------------------------------------------------------------------
// Profile and answers

/// The profile's vocabulary fields (everything but the lists derived from answers).
fn write_profile(w: &mut BitWriter, p: &Profile) -> Result<(), HandoffError> {
    put_opt(w, vocab::COOP_AUTONOMIE, &p.autonomie, "autonomy level")?;
    put_opt(w, NIVEAUX, &p.niveau, "niveau")?;
    w.put(u64::from(p.capacites_repondues.min(15)), 4);
    w.put(u64::from(p.capacites_acquises.min(15)), 4);
    if p.domaines.len() > 7 {
        return Err(HandoffError::Encode("too many domains".into()));
    }
    w.put(p.domaines.len() as u64, 3);
    for d in &p.domaines {
        w.put(u64::from(d.pix), 3);
        put_opt(w, NIVEAUX, &d.niveau, "niveau")?;
        w.put(u64::from(d.known.min(15)), 4);
        w.put(u64::from(d.assessed.min(15)), 4);
    }
    put_list(w, vocab::COOP_THEMATIQUES, &p.thematiques, "thematique")?;
    put_list(w, vocab::STD_SERVICES, &p.services, "service")?;
    put_list(w, vocab::STD_MODALITES, &p.modalites, "modalite")?;
    put_list(w, vocab::STD_PRISE_EN_CHARGE, &p.prise_en_charge_specifique, "prise en charge")?;
    put_list(w, vocab::FLAGS, &p.flags, "flag")?;
    put_opt(w, vocab::COOP_TRANCHE_AGE, &p.tranche_age, "tranche d'âge")?;
    put_opt(w, vocab::COOP_GENRE, &p.genre, "genre")?;
    put_opt(w, vocab::COOP_MATERIEL, &p.materiel, "matériel")?;
    Ok(())
}

fn read_profile(r: &mut BitReader) -> Result<Profile, HandoffError> {
    let mut p = Profile {
        autonomie: get_opt(r, vocab::COOP_AUTONOMIE, "autonomy level")?,
        niveau: get_opt(r, NIVEAUX, "niveau")?,
        capacites_repondues: r.get(4)? as u8,
        capacites_acquises: r.get(4)? as u8,
        ..Profile::default()
    };
    let n = r.get(3)?;
    for _ in 0..n {
        let pix = r.get(3)? as u8;
        let niveau = get_opt(r, NIVEAUX, "niveau")?;
        let known = r.get(4)? as u8;
        let assessed = r.get(4)? as u8;
        p.domaines.push(DomainLevel { id: String::new(), pix, niveau, known, assessed });
    }
    p.thematiques = get_list(r, vocab::COOP_THEMATIQUES, "thematique")?;
    p.services = get_list(r, vocab::STD_SERVICES, "service")?;
    p.modalites = get_list(r, vocab::STD_MODALITES, "modalite")?;
    p.prise_en_charge_specifique = get_list(r, vocab::STD_PRISE_EN_CHARGE, "prise en charge")?;
    p.flags = get_list(r, vocab::FLAGS, "flag")?;
    p.tranche_age = get_opt(r, vocab::COOP_TRANCHE_AGE, "tranche d'âge")?;
    p.genre = get_opt(r, vocab::COOP_GENRE, "genre")?;
    p.materiel = get_opt(r, vocab::COOP_MATERIEL, "matériel")?;
    p.type_accompagnement = p.modalites.first().and_then(|m| vocab::coop_type_accompagnement(m)).map(str::to_string);
    Ok(p)
}

const NOT_ASKED: u64 = 0;
const SKIPPED: u64 = 1;
const ANSWERED: u64 = 2;

/// Per question (notice excluded), in questionnaire order: 2 bits (not asked / skipped /
/// answered), then: single & quiz: choice index; list: the id; multiple: one bit per choice;
/// grid: per row, 0 = skipped or the choice index + 1; text: nothing; contact: nothing.
fn write_answers(w: &mut BitWriter, q: &Questionnaire, answers: &Answers) -> Result<(), HandoffError> {
    for question in q.questions().iter().filter(|x| x.kind != Kind::Notice) {
        let idx = |c: &str| -> Result<u64, HandoffError> {
            question
                .choices
                .iter()
                .position(|x| x.id == c)
                .map(|i| i as u64)
                .ok_or_else(|| HandoffError::Encode(format!("unknown choice `{c}` of `{}`", question.id)))
        };
        match answers.get(&question.id) {
            None => w.put(NOT_ASKED, 2),
            Some(Answer::Skipped) => w.put(SKIPPED, 2),
            Some(a) => {
                w.put(ANSWERED, 2);
                match (question.kind, a) {
                    (Kind::Single | Kind::Quiz, Answer::Choice(c)) => w.put(idx(c)?, width(question.choices.len())),
                    (Kind::List, Answer::Choice(c)) => put_str(w, c, 48)?,
                    (Kind::Multiple, Answer::Choices(v)) => {
                        for c in &question.choices {
                            w.put_bool(v.contains(&c.id));
                        }
                    }
                    (Kind::Grid, Answer::Grid(g)) => {
                        for r in &question.rows {
                            let v = match g.get(&r.id) {
                                None => 0,
                                Some(c) => idx(c)? + 1,
                            };
                            w.put(v, width(question.choices.len() + 1));
                        }
                    }
                    (Kind::Text, Answer::Text(_)) | (Kind::Contact, Answer::Contact(_)) => {}
                    _ => {
                        return Err(HandoffError::Encode(format!("answer to `{}` has the wrong shape", question.id)));
                    }
                }
            }
        }
    }
    Ok(())
}

fn read_answers(r: &mut BitReader, q: &Questionnaire) -> Result<Answers, HandoffError> {
    let mut answers = BTreeMap::new();
    for question in q.questions().iter().filter(|x| x.kind != Kind::Notice) {
        let state = r.get(2)?;
        let bad = || HandoffError::Invalid(format!("answer to `{}`", question.id));
        let choice = |i: u64| question.choices.get(i as usize).map(|c| c.id.clone()).ok_or_else(bad);
        let a = match state {
            NOT_ASKED => continue,
            SKIPPED => Answer::Skipped,
            ANSWERED => match question.kind {
                Kind::Single | Kind::Quiz => Answer::Choice(choice(r.get(width(question.choices.len()))?)?),
                Kind::List => Answer::Choice(get_str(r)?),
                Kind::Multiple => {
                    let mut v = Vec::new();
                    for c in &question.choices {
                        if r.get_bool()? {
                            v.push(c.id.clone());
                        }
                    }
                    Answer::Choices(v)
                }
                Kind::Grid => {
                    let mut g = BTreeMap::new();
                    for row in &question.rows {
                        let v = r.get(width(question.choices.len() + 1))?;
                        if v > 0 {
                            g.insert(row.id.clone(), choice(v - 1)?);
                        }
                    }
                    Answer::Grid(g)
                }
                Kind::Text => Answer::Text("…".into()),
                Kind::Contact => Answer::Contact(Contact::default()),
                Kind::Notice => unreachable!("notices are filtered out"),
            },
            _ => return Err(bad()),
        };
        if question.kind != Kind::List && !matches!(a, Answer::Text(_) | Answer::Contact(_)) {
            question.check(&a).map_err(|e| HandoffError::Invalid(e.to_string()))?;
        }
        answers.insert(question.id.clone(), a);
    }
    Ok(answers)
}

// ---------------------------------------------------------------------------------------------
// Public API

/// The visit's reference: 40 random bits as 8 Crockford Base32 characters.
pub const REF_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

pub fn reference_from_bits(v: u64) -> String {
    (0..8).rev().map(|i| REF_ALPHABET[((v >> (i * 5)) & 31) as usize] as char).collect()
}

pub fn reference_to_bits(s: &str) -> Option<u64> {
    if s.len() != 8 {
        return None;
    }
    s.bytes().try_fold(0u64, |acc, b| REF_ALPHABET.iter().position(|&x| x == b).map(|i| (acc << 5) | i as u64))
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date")
}

/// Encode a stored visit. Contact details and free text are left out by construction.
pub fn encode(h: &Handoff, q: &Questionnaire) -> Result<String, HandoffError> {
    let mut w = BitWriter::default();
    w.put(u64::from(FORMAT_VERSION), 4);
    put_str(&mut w, &h.kiosk_id, 32)?;
    w.put(reference_to_bits(&h.reference).ok_or_else(|| HandoffError::Encode("bad reference".into()))?, 40);
    // A clock set wrong must never stop a visit from being saved: such a date travels as unknown.
    let days = h.date.map(|d| (d - epoch()).num_days()).filter(|d| (0..i64::from(UNKNOWN_DATE)).contains(d));
    w.put(days.map_or(u64::from(UNKNOWN_DATE), |d| d as u64), 16);
    w.put(index_of(LANGS, &h.lang, "language")?, 4);
    w.put(u64::from(h.signals.to_bits()), 8);
    w.put(u64::from(h.questionnaire_fingerprint), 16);
    put_version(&mut w, &h.questionnaire_version)?;
    w.put(u64::from(h.rules_fingerprint), 16);
    put_version(&mut w, &h.rules_version)?;
    write_profile(&mut w, &h.profile)?;
    let answers = h.answers.as_ref().ok_or_else(|| HandoffError::Encode("no answers".into()))?;
    write_answers(&mut w, q, answers)?;
    let mut bytes = w.bytes;
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_be_bytes());
    Ok(format!("{PREFIX}{}", base45::encode(&bytes)))
}

/// Decode a payload as scanned. The questionnaire is used to decode the answers when its
/// fingerprint matches, as it is or as it was at the code's version ([`Questionnaire::as_of`]);
/// otherwise only the profile is returned.
pub fn decode(input: &str, q: &Questionnaire) -> Result<Handoff, HandoffError> {
    let text = repair(input)?;
    let body = &text[PREFIX.len()..];
    let bytes = base45::decode(body).map_err(|_| HandoffError::BadEncoding)?;
    if bytes.len() < 5 {
        return Err(HandoffError::Truncated);
    }
    let (data, crc) = bytes.split_at(bytes.len() - 4);
    if crc32fast::hash(data).to_be_bytes() != crc {
        return Err(HandoffError::Checksum);
    }
    let mut r = BitReader { bytes: data, pos: 0 };
    let version = r.get(4)?;
    if !(u64::from(OLDEST_FORMAT)..=u64::from(FORMAT_VERSION)).contains(&version) {
        return Err(HandoffError::FutureVersion(version.to_string()));
    }
    let kiosk_id = get_str(&mut r)?;
    // A kiosk id names files, keys and pickups downstream: only a real one is read.
    if !crate::config::valid_kiosk_id(&kiosk_id) {
        return Err(HandoffError::Invalid("kiosk id".into()));
    }
    let reference = reference_from_bits(r.get(40)?);
    let days = r.get(16)?;
    let date = (days != u64::from(UNKNOWN_DATE)).then(|| epoch() + chrono::Duration::days(days as i64));
    let lang = from_index(LANGS, r.get(4)?, "language")?;
    let signals = if version >= 2 { Signals::from_bits(r.get(8)? as u8) } else { Signals::default() };
    let questionnaire_fingerprint = r.get(16)? as u16;
    let questionnaire_version = get_version(&mut r)?;
    let rules_fingerprint = r.get(16)? as u16;
    let rules_version = get_version(&mut r)?;
    let mut profile = read_profile(&mut r)?;
    profile.rules_version = rules_version.clone();
    // The same questionnaire, or the same one at the code's older version (before choices
    // added since, e.g. "Je ne sais pas ce que c'est" in 1.3.0): the answers keep their ids.
    let layout = if questionnaire_fingerprint == self::questionnaire_fingerprint(q) {
        Some(std::borrow::Cow::Borrowed(q))
    } else {
        q.as_of(&questionnaire_version).filter(|old| self::questionnaire_fingerprint(old) == questionnaire_fingerprint).map(std::borrow::Cow::Owned)
    };
    let answers = if let Some(layout) = layout {
        let a = read_answers(&mut r, &layout)?;
        // Only padding (< 8 bits) may remain.
        if data.len() * 8 - r.pos >= 8 {
            return Err(HandoffError::Invalid("trailing data".into()));
        }
        Some(a)
    } else {
        None
    };
    Ok(Handoff {
        kiosk_id,
        reference,
        date,
        lang,
        questionnaire_fingerprint,
        questionnaire_version,
        rules_fingerprint,
        rules_version,
        profile,
        signals,
        answers,
    })
}

/// A US-layout keyboard-wedge scanner typing into an AZERTY PC: what arrives for each
/// character of the QR alphanumeric alphabet (e.g. `0013` arrives as `àà&"`, `A` as `Q`).
const AZERTY: &[(char, char)] = &[
    ('0', 'à'),
    ('1', '&'),
    ('2', 'é'),
    ('3', '"'),
    ('4', '\''),
    ('5', '('),
    ('6', '-'),
    ('7', 'è'),
    ('8', '_'),
    ('9', 'ç'),
    ('A', 'Q'),
    ('Q', 'A'),
    ('Z', 'W'),
    ('W', 'Z'),
    ('M', '?'),
    ('$', '4'),
    ('%', '5'),
    ('*', '8'),
    ('+', '+'),
    ('-', ')'),
    ('.', ':'),
    ('/', '!'),
    (':', 'M'),
    (' ', ' '),
];

/// What a US scanner on an AZERTY PC types for `s` (for tests and the docs).
pub fn azerty_mangle(s: &str) -> String {
    s.chars().map(|c| AZERTY.iter().find(|(us, _)| *us == c).map_or(c, |(_, fr)| *fr)).collect()
}

fn azerty_repair(s: &str) -> String {
    s.chars().map(|c| AZERTY.iter().find(|(_, fr)| *fr == c).map_or(c, |(us, _)| *us)).collect()
}

/// Recognise a payload however it arrived: surrounding spaces or line breaks, lower case (some
/// phone apps), or typed by a keyboard-wedge scanner on an AZERTY PC (also with Caps Lock).
pub fn repair(input: &str) -> Result<String, HandoffError> {
    let s = input.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    if s.chars().count() > 4096 {
        return Err(HandoffError::NotPasserelle);
    }
    let candidates = [s.to_string(), s.to_ascii_uppercase(), azerty_repair(s), azerty_repair(&s.to_ascii_uppercase())];
    for c in &candidates {
        if c.starts_with(PREFIX) {
            return Ok(c.clone());
        }
    }
    // A Passerelle code from a newer format: "PA2:", "PA3:"…
    for c in &candidates {
        if let Some(rest) = c.strip_prefix("PA")
            && let Some((v, _)) = rest.split_once(':')
            && !v.is_empty()
            && v.chars().all(|x| x.is_ascii_digit())
        {
            return Err(HandoffError::FutureVersion(v.to_string()));
        }
    }
    Err(HandoffError::NotPasserelle)
}
