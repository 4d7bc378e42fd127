//! The kiosk's service state, apart from any visitor: its data disk (a full disk puts the kiosk
//! out of service between visits, checked again every [`SPACE_CHECK`]) and the day of the last
//! retention pass (retention runs at start-up, then once a day). Time and the disk come in as
//! arguments: the monotonic clock's reading, the local date, a [`DataDisk`].

use crate::store::Store;
use std::time::Duration;

/// How often the kiosk looks at the free space of its data disk.
pub const SPACE_CHECK: Duration = Duration::from_secs(5);

/// The data disk as the service state looks at it: the store, or a fake in tests.
pub trait DataDisk {
    /// Look at the disk again: whether it is full.
    fn refresh_full(&mut self) -> bool;
    /// Give the disk back the space the write-ahead log still holds.
    fn checkpoint(&mut self) -> Result<(), String>;
}

impl DataDisk for Store {
    fn refresh_full(&mut self) -> bool {
        self.refresh_space().full
    }
    fn checkpoint(&mut self) -> Result<(), String> {
        self.checkpoint_truncate().map_err(|e| e.to_string())
    }
}

/// What the screen can show of the service state (the tick compares it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceShown {
    pub disk_full: bool,
    pub retention_day: Option<chrono::NaiveDate>,
}

/// The data disk and the retention pass.
#[derive(Debug, Clone)]
pub struct Service {
    /// The data disk is full: no new visit; between visits the screen says "out of service"
    /// (code DISK-FULL) until space returns.
    disk_full: bool,
    /// When the disk was last checked (monotonic clock).
    space_checked: Duration,
    /// Day of the last retention pass.
    retention_day: Option<chrono::NaiveDate>,
}

impl Service {
    /// The service as the kiosk starts: the disk as the store found it, checked at `now`.
    pub fn new(disk_full: bool, now: Duration) -> Service {
        if disk_full {
            log::error!("out of service (DISK-FULL): the data disk is full");
        }
        Service { disk_full, space_checked: now, retention_day: None }
    }

    /// The data disk is full (no visitor can start).
    pub fn disk_full(&self) -> bool {
        self.disk_full
    }

    pub fn shown(&self) -> ServiceShown {
        ServiceShown { disk_full: self.disk_full, retention_day: self.retention_day }
    }

    /// The disk is due for another look ([`SPACE_CHECK`] since the last one).
    pub fn check_due(&self, now: Duration) -> bool {
        now.saturating_sub(self.space_checked) >= SPACE_CHECK
    }

    /// Look at the data disk again; logs when the kiosk goes out of service or back. True when
    /// that changed.
    pub fn check(&mut self, now: Duration, disk: &mut dyn DataDisk) -> bool {
        self.space_checked = now;
        if self.disk_full {
            // Space the WAL still holds (an export's bookkeeping, when a reader delayed its
            // checkpoint) goes back to the disk. Quick when the WAL is already empty.
            if let Err(e) = disk.checkpoint() {
                log::warn!("WAL checkpoint on a full disk failed: {e}");
            }
        }
        let full = disk.refresh_full();
        if full == self.disk_full {
            return false;
        }
        if full {
            log::error!("out of service (DISK-FULL): the data disk is full");
        } else {
            log::info!("space returned on the data disk: back in service");
        }
        self.disk_full = full;
        true
    }

    /// What a save found of the disk (the store looked at it before saving).
    pub fn saw_disk(&mut self, full: bool) {
        self.disk_full = full;
    }

    /// Whether the retention pass is due on `today` (not run yet that day); it is then noted as
    /// run.
    pub fn retention_due(&mut self, today: chrono::NaiveDate) -> bool {
        if self.retention_day == Some(today) {
            return false;
        }
        self.retention_day = Some(today);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A disk whose fullness the test sets, counting checkpoints.
    struct FakeDisk {
        full: bool,
        checkpoints: usize,
        checkpoint_fails: bool,
    }

    impl DataDisk for FakeDisk {
        fn refresh_full(&mut self) -> bool {
            self.full
        }
        fn checkpoint(&mut self) -> Result<(), String> {
            self.checkpoints += 1;
            if self.checkpoint_fails { Err("busy".into()) } else { Ok(()) }
        }
    }

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn the_disk_is_looked_at_again_every_space_check() {
        let s = Service::new(false, 10 * S);
        assert!(!s.check_due(10 * S));
        assert!(!s.check_due(10 * S + SPACE_CHECK - S));
        assert!(s.check_due(10 * S + SPACE_CHECK));
        // A clock reading before the last check (never, but not a panic).
        assert!(!s.check_due(S));
    }

    #[test]
    fn a_check_says_when_the_kiosk_goes_out_of_service_and_back() {
        let mut disk = FakeDisk { full: false, checkpoints: 0, checkpoint_fails: false };
        let mut s = Service::new(false, Duration::ZERO);
        assert!(!s.check(SPACE_CHECK, &mut disk), "nothing changed");
        assert!(!s.check_due(SPACE_CHECK), "checked now");
        disk.full = true;
        assert!(s.check(2 * SPACE_CHECK, &mut disk));
        assert!(s.disk_full() && s.shown().disk_full);
        assert_eq!(disk.checkpoints, 0, "no checkpoint while the disk was not known full");
        assert!(!s.check(3 * SPACE_CHECK, &mut disk), "still full");
        assert_eq!(disk.checkpoints, 1, "a full disk gets the WAL's space back first");
        disk.full = false;
        assert!(s.check(4 * SPACE_CHECK, &mut disk));
        assert!(!s.disk_full());
        assert_eq!(disk.checkpoints, 2);
    }

    #[test]
    fn a_failed_checkpoint_does_not_stop_the_check() {
        let mut disk = FakeDisk { full: false, checkpoints: 0, checkpoint_fails: true };
        let mut s = Service::new(true, Duration::ZERO);
        assert!(s.check(SPACE_CHECK, &mut disk), "space returned, though the checkpoint failed");
        assert!(!s.disk_full());
    }

    #[test]
    fn a_failed_save_tells_what_it_found_of_the_disk() {
        let mut s = Service::new(false, Duration::ZERO);
        s.saw_disk(true);
        assert!(s.disk_full());
        s.saw_disk(false);
        assert!(!s.disk_full());
    }

    #[test]
    fn retention_runs_once_a_day() {
        let mut s = Service::new(false, Duration::ZERO);
        let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 14).unwrap();
        assert_eq!(s.shown().retention_day, None);
        assert!(s.retention_due(day));
        assert_eq!(s.shown().retention_day, Some(day));
        assert!(!s.retention_due(day), "once that day");
        assert!(s.retention_due(day.succ_opt().unwrap()), "again the next day");
    }
}
