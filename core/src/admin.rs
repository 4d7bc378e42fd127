//! The admin PIN's guard: after five wrong PINs the entry locks, for a delay that doubles at
//! each further failure (1 min, 2, 4 … up to 1 h). Pure: time comes from the caller's clock.

use std::time::Duration;

pub const FREE_ATTEMPTS: u32 = 5;
pub const FIRST_LOCK: Duration = Duration::from_secs(60);
pub const MAX_LOCK: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PinGuard {
    /// Consecutive wrong PINs.
    pub failures: u32,
    /// Monotonic time until which the entry is locked.
    locked_until: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Wrong PIN; `left` attempts before the lock.
    Refused {
        left: u32,
    },
    /// Wrong PIN, and the entry is now locked for this long.
    Locked {
        for_: Duration,
    },
}

impl PinGuard {
    /// A guard that remembers `failures` from before a restart: if they had reached the lock,
    /// the lock starts again now (restarting the kiosk never shortens it).
    pub fn restored(failures: u32, now: Duration) -> PinGuard {
        let mut g = PinGuard { failures, locked_until: None };
        if failures >= FREE_ATTEMPTS {
            g.locked_until = Some(now + g.lock_for());
        }
        g
    }

    fn lock_for(&self) -> Duration {
        let extra = self.failures.saturating_sub(FREE_ATTEMPTS).min(16);
        (FIRST_LOCK * 2u32.pow(extra)).min(MAX_LOCK)
    }

    /// How long the entry stays locked, if it is.
    pub fn locked(&self, now: Duration) -> Option<Duration> {
        self.locked_until.filter(|&u| u > now).map(|u| u - now)
    }

    /// Record the result of a PIN check made while not locked.
    pub fn record(&mut self, correct: bool, now: Duration) -> Verdict {
        if correct {
            self.failures = 0;
            self.locked_until = None;
            return Verdict::Accepted;
        }
        self.failures += 1;
        if self.failures >= FREE_ATTEMPTS {
            let d = self.lock_for();
            self.locked_until = Some(now + d);
            Verdict::Locked { for_: d }
        } else {
            Verdict::Refused { left: FREE_ATTEMPTS - self.failures }
        }
    }
}

/// A PIN is 4 to 8 digits.
pub fn valid_pin(pin: &str) -> bool {
    (4..=8).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_pins_lock_with_a_growing_delay() {
        let mut g = PinGuard::default();
        let t = |s| Duration::from_secs(s);
        for left in (1..5).rev() {
            assert_eq!(g.record(false, t(0)), Verdict::Refused { left });
        }
        assert_eq!(g.record(false, t(0)), Verdict::Locked { for_: t(60) });
        assert_eq!(g.locked(t(30)), Some(t(30)));
        assert_eq!(g.locked(t(60)), None);
        assert_eq!(g.record(false, t(61)), Verdict::Locked { for_: t(120) });
        assert_eq!(g.record(false, t(200)), Verdict::Locked { for_: t(240) });
        for _ in 0..20 {
            g.record(false, t(10_000));
        }
        assert_eq!(g.locked(t(10_000)), Some(MAX_LOCK), "capped at one hour");
        assert_eq!(g.record(true, t(20_000)), Verdict::Accepted);
        assert_eq!((g.failures, g.locked(t(20_000))), (0, None));
    }

    #[test]
    fn a_restart_does_not_unlock() {
        let g = PinGuard::restored(6, Duration::from_secs(5));
        assert_eq!(g.locked(Duration::from_secs(5)), Some(Duration::from_secs(120)));
        assert_eq!(PinGuard::restored(3, Duration::ZERO).locked(Duration::ZERO), None);
    }

    #[test]
    fn pins_are_4_to_8_digits() {
        assert!(valid_pin("1234") && valid_pin("12345678"));
        assert!(!valid_pin("123") && !valid_pin("123456789") && !valid_pin("12a4") && !valid_pin(""));
    }
}
