//! The one writer of packages: every file hashed on the way into any [`Sink`], then
//! `SHA256SUMS` over them all and its signature. The kiosk's export, the mediator's pickup
//! package (a folder or the browser desk's zip) and the merge write through it.

use crate::format::BOM;
use crate::signing::{SIG_FILE, SigningKey, hex};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::{self, Write};

/// Where a package's files go: a folder on a stick, a zip, memory.
pub trait Sink {
    /// Creates the file `name` (a relative path, `/` between folders), lets `fill` write it, then
    /// makes it durable (flushed, synced where that means something).
    fn write(&mut self, name: &str, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()>;
}

/// Files kept in memory, in the order they were written (tests, the browser desk's zip).
#[derive(Debug, Default, Clone)]
pub struct MemorySink {
    pub files: Vec<(String, Vec<u8>)>,
}

impl Sink for MemorySink {
    fn write(&mut self, name: &str, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        let mut buf = Vec::new();
        fill(&mut buf)?;
        self.files.retain(|(n, _)| n != name);
        self.files.push((name.to_string(), buf));
        Ok(())
    }
}

/// A file that could not be written, and why.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{file} : {source}")]
    Io { file: String, source: io::Error },
    #[error("signature impossible : {0}")]
    Key(String),
}

/// A writer that hashes and counts what goes through it.
struct Hashing<'a> {
    inner: &'a mut dyn Write,
    hash: Sha256,
    bytes: u64,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A file written: its path in the package, hash and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
}

/// Writes the files of a package, hashing them on the way.
pub struct Writer<'a> {
    sink: &'a mut dyn Sink,
    files: Vec<Written>,
}

impl<'a> Writer<'a> {
    pub fn new(sink: &'a mut dyn Sink) -> Writer<'a> {
        Writer { sink, files: Vec::new() }
    }

    /// The files written so far.
    pub fn files(&self) -> &[Written] {
        &self.files
    }

    /// Writes one file through `fill`.
    pub fn file(&mut self, name: &str, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> Result<&Written, WriteError> {
        let mut result = (String::new(), 0u64);
        self.sink
            .write(name, &mut |w| {
                let mut h = Hashing { inner: w, hash: Sha256::new(), bytes: 0 };
                fill(&mut h)?;
                h.flush()?;
                result = (hex(&h.hash.finalize()), h.bytes);
                Ok(())
            })
            .map_err(|source| WriteError::Io { file: name.to_string(), source })?;
        self.files.retain(|f| f.name != name);
        self.files.push(Written { name: name.to_string(), sha256: result.0, bytes: result.1 });
        Ok(self.files.last().expect("just pushed"))
    }

    /// Ends the package: `SHA256SUMS` over every file written, then its signature
    /// (`SHA256SUMS.minisig`, checked by `minisign -Vm SHA256SUMS -P KEY`), whose trusted
    /// comment says who signed and what. Returns every file written, these two included.
    pub fn seal(mut self, key: &SigningKey, trusted_comment: &str) -> Result<Vec<Written>, WriteError> {
        let sums = self.write_sums()?;
        let sig = key.sign(sums.as_bytes(), trusted_comment).map_err(WriteError::Key)?;
        self.file(SIG_FILE, &mut |out| out.write_all(sig.as_bytes()))?;
        Ok(self.files)
    }

    /// Ends an unsigned package: `SHA256SUMS` over every file written (a merge made without the
    /// department's key). Returns every file written, `SHA256SUMS` included.
    pub fn sums(mut self) -> Result<Vec<Written>, WriteError> {
        self.write_sums()?;
        Ok(self.files)
    }

    fn write_sums(&mut self) -> Result<String, WriteError> {
        let sums: String = self.files.iter().map(|f| format!("{}  {}\n", f.sha256, f.name)).collect();
        self.file("SHA256SUMS", &mut |out| out.write_all(sums.as_bytes()))?;
        Ok(sums)
    }
}

/// A CSV file's writer: the byte order mark, then cells that open safely in a spreadsheet.
pub fn csv_writer(w: &mut dyn Write) -> io::Result<SafeCsv<'_>> {
    w.write_all(BOM)?;
    Ok(SafeCsv(csv::WriterBuilder::new().from_writer(w)))
}

/// A CSV writer whose every cell opens safely in a spreadsheet ([`crate::spreadsheet`]): the
/// packages' only CSV writer, so that no cell can escape the protection.
pub struct SafeCsv<'a>(csv::Writer<&'a mut dyn Write>);

impl SafeCsv<'_> {
    pub fn write_record<I, T>(&mut self, cells: I) -> io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.0.write_record(cells.into_iter().map(|c| crate::spreadsheet::protect(c.as_ref()).into_owned())).map_err(csv_io)
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

pub fn csv_io(e: csv::Error) -> io::Error {
    io::Error::other(e.to_string())
}

/// A tabular data resource of datapackage.json.
pub fn tabular(name: &str, path: &str, title: &str, schema: Value) -> Value {
    json!({
        "name": name, "path": path, "title": title, "profile": "tabular-data-resource",
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "dialect": {"delimiter": ",", "header": true}, "schema": schema,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_lists_every_file_with_its_hash_and_signs_the_list() {
        let key = SigningKey::generate().unwrap();
        let mut sink = MemorySink::default();
        let mut w = Writer::new(&mut sink);
        w.file("a.csv", &mut |o| {
            let mut c = csv_writer(o)?;
            c.write_record(["x", "=1+1"])?;
            c.flush()
        })
        .unwrap();
        w.file("b.txt", &mut |o| o.write_all(b"hello")).unwrap();
        let files = w.seal(&key, "passerelle test").unwrap();
        assert_eq!(files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["a.csv", "b.txt", "SHA256SUMS", SIG_FILE]);
        let get = |n: &str| sink.files.iter().find(|(x, _)| x == n).unwrap().1.clone();
        let sums = String::from_utf8(get("SHA256SUMS")).unwrap();
        assert_eq!(sums, format!("{}  a.csv\n{}  b.txt\n", hex(&Sha256::digest(get("a.csv"))), hex(&Sha256::digest(b"hello"))));
        assert!(String::from_utf8(get("a.csv")).unwrap().contains("'=1+1"), "cells are protected");
        let keys = crate::signing::TrustedKeys::parse(&format!("borne-a {}\n", key.public()), "cles").unwrap();
        assert_eq!(keys.verify(sums.as_bytes(), &get(SIG_FILE)).unwrap().name, "borne-a");
        assert!(keys.verify(b"other", &get(SIG_FILE)).is_err());
    }
}
