//! A package written into one zip file, its files inside one top folder (`NAME/…`), as the
//! browser desk downloads it: unzipped, it is the folder `mediateur export` writes.

use passerelle_package::write::Sink;
use std::io::{self, Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

pub struct ZipSink {
    zip: ZipWriter<Cursor<Vec<u8>>>,
    folder: String,
    options: SimpleFileOptions,
}

impl ZipSink {
    /// A zip whose files go into `folder/`, dated `when` (the page's local time: zip dates have
    /// no time zone).
    pub fn new(folder: &str, when: chrono::NaiveDateTime) -> io::Result<ZipSink> {
        use chrono::{Datelike, Timelike};
        if folder.is_empty() || folder.contains(['/', '\\']) || folder.starts_with('.') {
            return Err(io::Error::other(format!("nom de dossier refusé : « {folder} »")));
        }
        let date = DateTime::from_date_and_time(
            u16::try_from(when.year()).unwrap_or(1980),
            when.month() as u8,
            when.day() as u8,
            when.hour() as u8,
            when.minute() as u8,
            when.second().min(59) as u8,
        )
        .unwrap_or(DateTime::DEFAULT);
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).last_modified_time(date).unix_permissions(0o644);
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        zip.add_directory(format!("{folder}/"), options.unix_permissions(0o755)).map_err(io::Error::other)?;
        Ok(ZipSink { zip, folder: folder.to_string(), options })
    }

    /// The zip file's bytes.
    pub fn finish(self) -> io::Result<Vec<u8>> {
        Ok(self.zip.finish().map_err(io::Error::other)?.into_inner())
    }
}

impl Sink for ZipSink {
    fn write(&mut self, name: &str, fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        if name.is_empty() || name.starts_with('/') || name.split('/').any(|p| p.is_empty() || p == "." || p == "..") {
            return Err(io::Error::other(format!("nom de fichier refusé : « {name} »")));
        }
        self.zip.start_file(format!("{}/{name}", self.folder), self.options).map_err(io::Error::other)?;
        fill(&mut self.zip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn files_go_into_one_top_folder_and_read_back() {
        let when = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap().and_hms_opt(14, 5, 9).unwrap();
        let mut sink = ZipSink::new("passerelle-prises-x-2026-12-03", when).unwrap();
        sink.write("a.csv", &mut |w| w.write_all(b"kiosk_id\nx\n")).unwrap();
        sink.write("SHA256SUMS", &mut |w| w.write_all(b"sums")).unwrap();
        assert!(sink.write("../evil", &mut |w| w.write_all(b"x")).is_err());
        let bytes = sink.finish().unwrap();
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let names: Vec<String> = z.file_names().map(|n| n.unwrap().to_string()).collect();
        assert_eq!(names, ["passerelle-prises-x-2026-12-03/", "passerelle-prises-x-2026-12-03/a.csv", "passerelle-prises-x-2026-12-03/SHA256SUMS"]);
        let mut f = z.by_name("passerelle-prises-x-2026-12-03/a.csv").unwrap();
        assert_eq!(f.compression(), CompressionMethod::Deflated);
        let m = f.last_modified().unwrap();
        assert_eq!((m.year(), m.month(), m.day(), m.hour(), m.minute()), (2026, 12, 3, 14, 5));
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "kiosk_id\nx\n");
        assert!(ZipSink::new("../up", when).is_err());
    }
}
