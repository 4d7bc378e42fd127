//! Writing the merged package: each table in one pass over the accepted packages (their private
//! copies), every visit once by (kiosk, reference), through the one hashing writer of
//! `passerelle_package::write` into an owner-only folder, then `SHA256SUMS` and its signature.

use crate::merge::{Conflict, MergeOutcome, Merged, Trust, readme};
use crate::merge_schema::{EXPORTS_FIELDS, ORDERS, PATHS, Schema, datapackage, known_or_unknown};
use anyhow::{Context, Result};
use passerelle_package::format::BOM;
use passerelle_package::pickup_table::{COLUMNS, PickupRow, TABLE};
use passerelle_package::read::{Package, Source, UNVERIFIED, VERIFIED, csv_reader, id_key, max_bytes};
use passerelle_package::shapes::contact_file;
use passerelle_package::spreadsheet::{protect, protect_bytes};
use passerelle_package::write::{Sink, Writer};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, Write};
use std::path::Path;

/// A package accepted into the merge: checked, and the private copy it was checked on.
pub struct Accepted {
    pub pkg: Package,
    pub src: crate::inputs::Staged,
}

fn row_hash(rec: &csv::ByteRecord) -> u64 {
    let mut h = DefaultHasher::new();
    for f in rec.iter() {
        f.hash(&mut h);
    }
    h.finish()
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A CSV writer of a merged table: the byte order mark, the header, then rows as given (cells
/// protected by the caller).
fn csv_out<'w>(out: &'w mut dyn Write, header: &[String]) -> io::Result<csv::Writer<&'w mut dyn Write>> {
    out.write_all(BOM)?;
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(header)?;
    Ok(w)
}

fn table<'a>(a: &'a Accepted, file: &str) -> io::Result<csv::Reader<io::BufReader<impl io::Read + 'a>>> {
    Ok(csv_reader(a.src.open(file, max_bytes(file)).map_err(other)?))
}

/// The kiosks of the merge, interned.
#[derive(Default)]
struct Kiosks {
    ids: HashMap<Vec<u8>, u32>,
}

impl Kiosks {
    fn intern(&mut self, k: &[u8]) -> u32 {
        if let Some(i) = self.ids.get(k) {
            return *i;
        }
        let next = self.ids.len() as u32;
        *self.ids.entry(k.to_vec()).or_insert(next)
    }
    fn name(&self, i: u32) -> Option<&[u8]> {
        self.ids.iter().find(|(_, v)| **v == i).map(|(k, _)| k.as_slice())
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn write_merged(
    accepted: &[Accepted],
    schema: &Schema,
    dict: Vec<csv::ByteRecord>,
    sink: &mut dyn Sink,
    out: &Path,
    trust: &Trust,
    pickups: &[PickupRow],
    mut outcome: MergeOutcome,
) -> Result<MergeOutcome> {
    let verified = trust.keys.is_some();
    let mut w = Writer::new(sink);
    // Which export each visit (kiosk, reference) comes from, and its row's hash (to tell a copy
    // from a conflict).
    let mut owner: HashMap<(u32, u128), (u32, u64)> = HashMap::new();
    let mut kiosks = Kiosks::default();
    // Format 1 has no kiosk column in choix_multiples nor in contact file names: its
    // references are unique in the package, so they tell the kiosk.
    let mut kiosk_of: Vec<HashMap<u128, u32>> = accepted.iter().map(|_| HashMap::new()).collect();
    let mut new_visits = vec![0u64; accepted.len()];
    let visit_names = schema.names("visits");
    w.file("visits.csv", &mut |o| {
        let mut c = csv_out(o, &visit_names)?;
        let (mut rec, mut row) = (csv::ByteRecord::new(), csv::ByteRecord::new());
        for (idx, a) in accepted.iter().enumerate() {
            let mut rdr = table(a, "visits.csv")?;
            let header = rdr.byte_headers()?.clone();
            let map: Vec<Option<usize>> = visit_names.iter().map(|n| header.iter().position(|h| h == n.as_bytes())).collect();
            let id_col = header.iter().position(|h| h == b"visit_id").ok_or_else(|| other("visit_id"))?;
            let k_col = header.iter().position(|h| h == b"kiosk_id").ok_or_else(|| other("kiosk_id"))?;
            while rdr.read_byte_record(&mut rec)? {
                row.clear();
                for m in &map {
                    row.push_field(&protect_bytes(m.map(|i| &rec[i]).unwrap_or(b"")));
                }
                let h = row_hash(&row);
                let (kiosk, id) = (kiosks.intern(&rec[k_col]), id_key(&rec[id_col]));
                if a.pkg.format < 2 {
                    kiosk_of[idx].insert(id, kiosk);
                }
                match owner.entry((kiosk, id)) {
                    Entry::Vacant(v) => {
                        v.insert((idx as u32, h));
                        c.write_byte_record(&row)?;
                        new_visits[idx] += 1;
                    }
                    Entry::Occupied(o) if o.get().1 == h => outcome.duplicate_visits += 1,
                    Entry::Occupied(o) => outcome.conflicts.push(Conflict {
                        table: "visits".into(),
                        key: format!("{} {}", String::from_utf8_lossy(&rec[k_col]), String::from_utf8_lossy(&rec[id_col])),
                        kept_from: accepted[o.get().0 as usize].pkg.name.clone(),
                        left_out_from: a.pkg.name.clone(),
                    }),
                }
            }
        }
        c.flush()
    })?;
    // choix_multiples.csv: the rows of the visits each export brought.
    let multiple_names = schema.names("choix_multiples");
    w.file("choix_multiples.csv", &mut |o| {
        let mut c = csv_out(o, &multiple_names)?;
        let (mut rec, mut row) = (csv::ByteRecord::new(), csv::ByteRecord::new());
        for (idx, a) in accepted.iter().enumerate() {
            let mut rdr = table(a, "choix_multiples.csv")?;
            let header = rdr.byte_headers()?.clone();
            let map: Vec<Option<usize>> = multiple_names.iter().map(|n| header.iter().position(|h| h == n.as_bytes())).collect();
            let id_col = header.iter().position(|h| h == b"visit_id").ok_or_else(|| other("visit_id"))?;
            let k_col = header.iter().position(|h| h == b"kiosk_id");
            while rdr.read_byte_record(&mut rec)? {
                let id = id_key(&rec[id_col]);
                let kiosk = match k_col {
                    Some(k) => kiosks.ids.get(&rec[k]).copied(),
                    None => kiosk_of[idx].get(&id).copied(),
                };
                let Some(kiosk) = kiosk else { continue };
                if owner.get(&(kiosk, id)).is_some_and(|o| o.0 == idx as u32) {
                    row.clear();
                    for (n, m) in multiple_names.iter().zip(&map) {
                        match m {
                            Some(i) => row.push_field(&protect_bytes(&rec[*i])),
                            None if n == "kiosk_id" => row.push_field(kiosks.name(kiosk).unwrap_or(b"")),
                            None => row.push_field(b""),
                        }
                    }
                    c.write_byte_record(&row)?;
                }
            }
        }
        c.flush()
    })?;
    // abandons.csv, once each by (kiosk, number).
    let mut abandon_keys: HashMap<(u32, u64), (u32, u64)> = HashMap::new();
    w.file("abandons.csv", &mut |o| {
        let mut c = csv_out(o, &schema.names("abandons"))?;
        let mut rec = csv::ByteRecord::new();
        for (idx, a) in accepted.iter().enumerate() {
            let mut rdr = table(a, "abandons.csv")?;
            let header = rdr.byte_headers()?.clone();
            let col = |n: &[u8]| header.iter().position(|h| h == n);
            let (k_col, n_col) = (col(b"kiosk_id").ok_or_else(|| other("kiosk_id"))?, col(b"abandon_id").ok_or_else(|| other("abandon_id"))?);
            while rdr.read_byte_record(&mut rec)? {
                let kiosk = kiosks.intern(&rec[k_col]);
                let number: u64 = std::str::from_utf8(&rec[n_col]).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
                let h = row_hash(&rec);
                match abandon_keys.entry((kiosk, number)) {
                    Entry::Vacant(v) => {
                        v.insert((idx as u32, h));
                        c.write_record(rec.iter().map(protect_bytes))?;
                        outcome.abandons += 1;
                    }
                    Entry::Occupied(o) if o.get().1 == h => {}
                    Entry::Occupied(o) => outcome.conflicts.push(Conflict {
                        table: "abandons".into(),
                        key: format!("{} n°{number}", String::from_utf8_lossy(&rec[k_col])),
                        kept_from: accepted[o.get().0 as usize].pkg.name.clone(),
                        left_out_from: a.pkg.name.clone(),
                    }),
                }
            }
        }
        c.flush()
    })?;
    let dict_names = schema.names("dictionnaire");
    w.file("dictionnaire.csv", &mut |o| {
        let mut c = csv_out(o, &dict_names)?;
        for r in &dict {
            c.write_record(r.iter().map(protect_bytes))?;
        }
        c.flush()
    })?;
    // exports.csv: each kiosk export once, from a kiosk's export or the rows of an earlier merge
    // (read by column name: format 1 merges have no signer columns). Without trusted keys nothing
    // is verified.
    let (mut export_rows, mut kiosk_names): (HashSet<Vec<u8>>, HashSet<Vec<u8>>) = Default::default();
    // The labels each kiosk gave itself, export by export: they are its signer's claim.
    let mut labels: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut claim = |kiosk: &[u8], structure: &[u8], commune: &[u8]| {
        let label = format!("{} ({})", String::from_utf8_lossy(structure), String::from_utf8_lossy(commune));
        let seen = labels.entry(String::from_utf8_lossy(kiosk).into_owned()).or_default();
        if !seen.contains(&label) {
            seen.push(label);
        }
    };
    let fields: Vec<String> = EXPORTS_FIELDS.map(String::from).to_vec();
    w.file("exports.csv", &mut |o| {
        let mut c = csv_out(o, &fields)?;
        let (mut rec, mut row) = (csv::ByteRecord::new(), csv::ByteRecord::new());
        for a in accepted {
            let p = &a.pkg;
            if p.merged {
                let mut rdr = table(a, "exports.csv")?;
                let header = rdr.byte_headers()?.clone();
                let map: Vec<Option<usize>> = EXPORTS_FIELDS.iter().map(|n| header.iter().position(|h| h == n.as_bytes())).collect();
                let print_col = map[7].ok_or_else(|| other("empreinte"))?;
                while rdr.read_byte_record(&mut rec)? {
                    if export_rows.insert(rec[print_col].to_vec()) {
                        row.clear();
                        for (n, m) in EXPORTS_FIELDS.iter().zip(&map) {
                            let cell = m.map(|i| &rec[i]).unwrap_or(b"");
                            if *n == "provenance" {
                                row.push_field(if verified && cell == VERIFIED.as_bytes() { VERIFIED } else { UNVERIFIED }.as_bytes());
                            } else if *n == "parcours" || *n == "ordre" {
                                let allowed: &[&str] = if *n == "parcours" { &PATHS } else { &ORDERS };
                                row.push_field(known_or_unknown(std::str::from_utf8(cell).unwrap_or(""), allowed).as_bytes());
                            } else {
                                row.push_field(&protect_bytes(cell));
                            }
                        }
                        c.write_byte_record(&row)?;
                        if let Some(k) = map[1] {
                            kiosk_names.insert(rec[k].to_vec());
                            claim(&rec[k], map[2].map(|i| &rec[i]).unwrap_or(b""), map[3].map(|i| &rec[i]).unwrap_or(b""));
                        }
                    }
                }
            } else if export_rows.insert(p.fingerprint.as_bytes().to_vec()) {
                kiosk_names.insert(p.kiosk("kiosk_id").into_bytes());
                claim(p.kiosk("kiosk_id").as_bytes(), p.kiosk("structure").as_bytes(), p.kiosk("commune").as_bytes());
                let (signer, key) = p.signer.clone().unwrap_or_default();
                let cells = [
                    p.name.clone(),
                    p.kiosk("kiosk_id"),
                    p.kiosk("structure"),
                    p.kiosk("commune"),
                    p.questionnaire_version.clone(),
                    p.visits.to_string(),
                    p.abandons.to_string(),
                    p.fingerprint.clone(),
                    signer,
                    key,
                    if p.signer.is_some() { VERIFIED } else { UNVERIFIED }.to_string(),
                    known_or_unknown(&p.kiosk("path"), &PATHS).to_string(),
                    known_or_unknown(&p.kiosk("order"), &ORDERS).to_string(),
                ];
                c.write_record(cells.iter().map(|x| protect(x).into_owned()))?;
            }
        }
        c.flush()
    })?;
    if !pickups.is_empty() || accepted.iter().any(|a| a.pkg.listed(TABLE.1).is_some()) {
        w.file(TABLE.1, &mut |o| {
            let mut c = csv_out(o, &COLUMNS.map(String::from))?;
            for p in pickups {
                c.write_record([&p.kiosk_id, &p.visit_id, &p.structure_id, &p.local_date, &p.outcome].map(|x| protect(x).into_owned()))?;
            }
            c.flush()
        })?;
    }
    // Contact details, still encrypted, for the visits each export brought: at
    // contacts/<kiosk>/<visit>.age, so that two kiosks' same reference never collide.
    let mut contacts_done = HashSet::new();
    for (idx, a) in accepted.iter().enumerate() {
        let p = &a.pkg;
        for (file, _) in &p.sums {
            let Some((kiosk, visit)) = contact_file(file) else { continue };
            let kiosk = match kiosk {
                Some(k) => kiosks.ids.get(k.as_bytes()).copied(),
                None if !p.merged => kiosks.ids.get(p.kiosk("kiosk_id").as_bytes()).copied(),
                None => kiosk_of[idx].get(&id_key(visit.as_bytes())).copied(),
            };
            let Some(kiosk) = kiosk else { continue };
            let Some(kiosk_name) = kiosks.name(kiosk).map(|k| String::from_utf8_lossy(k).into_owned()) else { continue };
            let target = format!("contacts/{kiosk_name}/{visit}.age");
            if owner.get(&(kiosk, id_key(visit.as_bytes()))).is_some_and(|o| o.0 == idx as u32) && contacts_done.insert(target.clone()) {
                w.file(&target, &mut |o| {
                    let mut r = a.src.open(file, max_bytes(file)).map_err(other)?;
                    io::copy(&mut r, o).map(|_| ())
                })?;
                outcome.contacts += 1;
            }
        }
    }
    for (idx, a) in accepted.iter().enumerate() {
        outcome.visits += new_visits[idx];
        outcome.merged.push(Merged {
            path: a.src.origin.display().to_string(),
            name: a.pkg.name.clone(),
            questionnaire_version: a.pkg.questionnaire_version.clone(),
            visits: a.pkg.visits,
            new_visits: new_visits[idx],
            abandons: a.pkg.abandons,
            signer: a.pkg.signer.as_ref().map(|s| s.0.clone()),
        });
    }
    // Exports carry no date of their own: the labels are listed in alphabetical order, not "before, after".
    outcome.label_changes = labels
        .into_iter()
        .filter(|(_, l)| l.len() > 1)
        .map(|(kiosk_id, mut labels)| {
            labels.sort();
            crate::merge::LabelChange { kiosk_id, labels }
        })
        .collect();
    outcome.kiosks = kiosk_names.len();
    outcome.exports = export_rows.len();
    let pkgs: Vec<&Package> = accepted.iter().map(|a| &a.pkg).collect();
    let package = datapackage(&pkgs, schema, w.files(), &outcome, out);
    w.file("datapackage.json", &mut |o| {
        serde_json::to_writer_pretty(&mut *o, &package).map_err(other)?;
        o.write_all(b"\n")
    })?;
    let text = readme(&outcome, trust);
    w.file("LISEZMOI.txt", &mut |o| o.write_all(text.as_bytes()))?;
    match &trust.signing {
        Some(key) => {
            w.seal(key, &format!("passerelle fusion provenance={}", outcome.provenance)).context("signature de la fusion")?;
        }
        None => {
            w.sums().context("SHA256SUMS")?;
        }
    }
    Ok(outcome)
}
