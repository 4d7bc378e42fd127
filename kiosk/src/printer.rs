//! Printers behind one small trait: a thermal receipt printer in ESC/POS through its device
//! file, an ordinary printer through CUPS (`lp`), and a fake for tests. Printing is slow and may
//! fail (no paper, unplugged, busy): callers run it on a worker thread.

use image::GrayImage;
use passerelle_core::config::PrinterConfig;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum PrintError {
    #[error("no printer is configured")]
    NotConfigured,
    #[error("the printer {0} is not connected")]
    NotConnected(String),
    #[error("no permission to use the printer {0} (is the kiosk user in the lp group?)")]
    Permission(String),
    #[error("the printer does not take the ticket (out of paper, cover open or busy)")]
    Stuck,
    #[error("the print system refused the ticket: {0}")]
    Cups(String),
    #[error("printing failed: {0}")]
    Other(String),
}

pub trait Printer: Send + Sync {
    /// Print one ticket image (black and white pixels).
    fn print(&self, ticket: &GrayImage) -> Result<(), PrintError>;
    /// Paper width the tickets are laid out for.
    fn width_mm(&self) -> u32;
    /// A short description for the admin screen and logs.
    fn describe(&self) -> String;
}

/// The printer of a configuration, if any.
pub fn from_config(c: &PrinterConfig) -> Option<Arc<dyn Printer>> {
    match c {
        PrinterConfig::None => None,
        PrinterConfig::Escpos { device, width_mm } => {
            Some(Arc::new(EscposPrinter { device: device.clone(), width_mm: *width_mm, timeout: Duration::from_secs(15) }))
        }
        PrinterConfig::Cups { queue } => Some(Arc::new(CupsPrinter { queue: queue.clone(), timeout: Duration::from_secs(30) })),
    }
}

/// A thermal printer's device file (`/dev/usb/lp0`), written without blocking so that a printer
/// out of paper cannot freeze the worker forever.
pub struct EscposPrinter {
    pub device: PathBuf,
    pub width_mm: u32,
    pub timeout: Duration,
}

impl Printer for EscposPrinter {
    fn print(&self, ticket: &GrayImage) -> Result<(), PrintError> {
        let bytes = crate::ticket::escpos(ticket);
        let name = self.device.display().to_string();
        let mut o = std::fs::OpenOptions::new();
        o.write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.custom_flags(libc::O_NONBLOCK);
        }
        let mut f = o.open(&self.device).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => PrintError::NotConnected(name.clone()),
            std::io::ErrorKind::PermissionDenied => PrintError::Permission(name.clone()),
            _ if e.raw_os_error() == Some(libc::EBUSY) => PrintError::Stuck,
            _ => PrintError::Other(e.to_string()),
        })?;
        let deadline = Instant::now() + self.timeout;
        let mut done = 0;
        while done < bytes.len() {
            match f.write(&bytes[done..]) {
                Ok(0) => return Err(PrintError::Stuck),
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::Interrupted => {
                    if Instant::now() > deadline {
                        return Err(PrintError::Stuck);
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) if e.raw_os_error() == Some(libc::ENODEV) || e.raw_os_error() == Some(libc::EIO) => {
                    return Err(PrintError::NotConnected(name));
                }
                Err(e) => return Err(PrintError::Other(e.to_string())),
            }
        }
        f.flush().map_err(|e| PrintError::Other(e.to_string()))
    }
    fn width_mm(&self) -> u32 {
        self.width_mm
    }
    fn describe(&self) -> String {
        format!("ESC/POS {} ({} mm)", self.device.display(), self.width_mm)
    }
}

/// An ordinary printer through a CUPS queue: the ticket as a PNG at the thermal resolution.
pub struct CupsPrinter {
    pub queue: String,
    pub timeout: Duration,
}

impl Printer for CupsPrinter {
    fn print(&self, ticket: &GrayImage) -> Result<(), PrintError> {
        let dir = std::env::temp_dir().join(format!("passerelle-print-{}-{}", std::process::id(), rand::random::<u32>()));
        std::fs::create_dir_all(&dir).map_err(|e| PrintError::Other(e.to_string()))?;
        let file = dir.join("ticket.png");
        let result = (|| {
            ticket.save(&file).map_err(|e| PrintError::Other(e.to_string()))?;
            let mut child = std::process::Command::new("lp")
                .args(["-d", &self.queue, "-t", "Passerelle", "-o", &format!("ppi={}", crate::ticket::DOTS_PER_MM * 254 / 10)])
                .arg(&file)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        PrintError::Cups("`lp` is not installed (cups-client)".into())
                    } else {
                        PrintError::Other(e.to_string())
                    }
                })?;
            let deadline = Instant::now() + self.timeout;
            loop {
                match child.try_wait() {
                    Ok(Some(status)) if status.success() => return Ok(()),
                    Ok(Some(_)) => {
                        let mut err = String::new();
                        if let Some(mut e) = child.stderr.take() {
                            let _ = std::io::Read::read_to_string(&mut e, &mut err);
                        }
                        return Err(PrintError::Cups(err.trim().to_string()));
                    }
                    Ok(None) if Instant::now() > deadline => {
                        let _ = child.kill();
                        return Err(PrintError::Stuck);
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                    Err(e) => return Err(PrintError::Other(e.to_string())),
                }
            }
        })();
        let _ = std::fs::remove_dir_all(&dir);
        result
    }
    fn width_mm(&self) -> u32 {
        80
    }
    fn describe(&self) -> String {
        format!("CUPS queue {}", self.queue)
    }
}

/// A printer for tests: keeps the tickets, or fails as told.
#[derive(Default)]
pub struct FakePrinter {
    pub printed: Mutex<Vec<GrayImage>>,
    pub fail: Mutex<Option<PrintError>>,
    /// Every call to `print`, printed or failed (tests wait on it, not on a delay).
    pub attempts: std::sync::atomic::AtomicUsize,
}

impl Printer for FakePrinter {
    fn print(&self, ticket: &GrayImage) -> Result<(), PrintError> {
        self.attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Some(e) = self.fail.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Err(e);
        }
        self.printed.lock().unwrap_or_else(|e| e.into_inner()).push(ticket.clone());
        Ok(())
    }
    fn width_mm(&self) -> u32 {
        80
    }
    fn describe(&self) -> String {
        "test printer".into()
    }
}
