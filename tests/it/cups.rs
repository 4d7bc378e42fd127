//! Printing a ticket through a real CUPS queue (cups-pdf): the PDF that comes out holds a QR
//! code that decodes to the visit's payload. CI installs CUPS and the `PDF` queue; elsewhere the
//! test is skipped with a notice when no such queue exists.

use passerelle::kiosk::printer::{CupsPrinter, Printer};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

fn pdfs() -> Vec<(std::path::PathBuf, SystemTime)> {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let mut v = Vec::new();
    for dir in [format!("{home}/PDF"), "/var/spool/cups-pdf/ANONYMOUS".into(), "/root/PDF".into()] {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd.flatten() {
                if e.path().extension().is_some_and(|x| x == "pdf") {
                    v.push((e.path(), e.metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH)));
                }
            }
        }
    }
    v
}

#[test]
fn a_ticket_printed_through_cups_pdf_decodes() {
    let queue = std::env::var("PASSERELLE_CUPS_QUEUE").unwrap_or_else(|_| "PDF".into());
    let ok = Command::new("lpstat").args(["-p", &queue]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("PASSERELLE_CI").is_none(), "CI must provide the CUPS queue {queue}");
        eprintln!("notice: no CUPS queue {queue}: skipped");
        return;
    }
    let payload = "PA1:TESTCUPS0123456789";
    let data = passerelle::kiosk::ticket::TicketData {
        structure: "Médiathèque de test".into(),
        commune: "Nanterre".into(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        lang: "fr".into(),
        summary: Default::default(),
        summary_fr: None,
        payload: payload.into(),
        reference: "K7M3QX2A".into(),
        places: Vec::new(),
    };
    let img = passerelle::kiosk::ticket::render(&data, 80).unwrap();
    let before: Vec<_> = pdfs().into_iter().map(|p| p.0).collect();
    let start = SystemTime::now() - Duration::from_secs(1);
    CupsPrinter { queue: queue.clone(), timeout: Duration::from_secs(30) }.print(&img).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let pdf = loop {
        if let Some((p, _)) = pdfs().into_iter().find(|(p, t)| !before.contains(p) && *t >= start) {
            // cups-pdf writes the file, then closes it: wait until its size is stable.
            std::thread::sleep(Duration::from_millis(500));
            break p;
        }
        assert!(Instant::now() < deadline, "no PDF came out of the {queue} queue");
        std::thread::sleep(Duration::from_millis(200));
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page");
    let st = Command::new("pdftoppm").args(["-r", "150", "-png", "-singlefile"]).arg(&pdf).arg(&page).status().unwrap();
    assert!(st.success());
    let img = image::open(dir.path().join("page.png")).unwrap().to_luma8();
    let mut p = rqrr::PreparedImage::prepare(img);
    let codes: Vec<String> = p.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|x| x.1)).collect();
    assert_eq!(codes, vec![payload.to_string()]);
    let _ = std::fs::remove_file(&pdf);
}
