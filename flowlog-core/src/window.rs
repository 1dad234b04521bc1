//! Capture windows (SPEC §4): epoch-aligned, in packet time. Pure integer math.

/// Nanoseconds per second.
pub const NS_PER_SEC: u64 = 1_000_000_000;

/// A packet's timestamp as the capture gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timestamp {
    /// Nanoseconds since the Unix epoch.
    Ns(u64),
    /// No timestamp (a pcapng simple packet block): takes the meter's clock.
    Missing,
    /// A timestamp after the year 2554 (beyond u64 nanoseconds): takes the clock, counted in
    /// `bad_timestamp`.
    OutOfRange,
}

impl Timestamp {
    /// From seconds and nanoseconds since the epoch; `OutOfRange` when it does not fit in u64 ns.
    pub fn from_parts(secs: u64, nanos: u64) -> Timestamp {
        match secs.checked_mul(NS_PER_SEC).and_then(|s| s.checked_add(nanos)) {
            Some(ns) => Timestamp::Ns(ns),
            None => Timestamp::OutOfRange,
        }
    }
}

/// Where a packet falls relative to the current window ([`WindowClock::place`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The packet's time in its window: its own, or the window start for a late packet.
    pub ts_ns: u64,
    /// It opens a window: the first packet, or one at or after the current window's end (a
    /// rollover, straight to the packet's own window however many lie between).
    pub opens: bool,
    /// It is earlier than the current window: counted in it, at its start.
    pub late: bool,
}

/// The meter's clock and current window.
#[derive(Debug, Clone, Copy)]
pub struct WindowClock {
    window_ns: u64,
    /// Start of the current window (0 before the first packet).
    start_ns: u64,
    /// `window_ns` once a window is open, 0 before the first packet: "in the current window" is
    /// then `start_ns <= ts < start_ns + open_ns` for every packet, with no separate test for
    /// whether there is a window.
    open_ns: u64,
    /// Largest timestamp seen (SPEC §4: "the meter's clock").
    clock_ns: u64,
}

impl WindowClock {
    /// A clock for windows of `window_secs` (≥ 1, validated by `Config`).
    pub fn new(window_secs: u64) -> WindowClock {
        let window_ns = window_secs.max(1).saturating_mul(NS_PER_SEC);
        WindowClock { window_ns, start_ns: 0, open_ns: 0, clock_ns: 0 }
    }

    /// Start of the window holding `ts_ns`: floor(ts / W) × W.
    #[inline]
    pub fn align(&self, ts_ns: u64) -> u64 {
        ts_ns - ts_ns % self.window_ns
    }

    /// Window length in ns.
    pub fn window_ns(&self) -> u64 {
        self.window_ns
    }

    /// Start of the current window, if any packet was seen.
    pub fn current_start_ns(&self) -> Option<u64> {
        (self.open_ns != 0).then_some(self.start_ns)
    }

    /// The largest timestamp seen so far (0 before any packet).
    pub fn clock_ns(&self) -> u64 {
        self.clock_ns
    }

    /// Resolve a timestamp against the clock: missing or out-of-range ones take the clock.
    #[inline]
    pub fn resolve(&self, ts: Timestamp) -> u64 {
        match ts {
            Timestamp::Ns(ns) => ns,
            Timestamp::Missing | Timestamp::OutOfRange => self.clock_ns,
        }
    }

    /// Advance the clock with a packet at `ts_ns` and say where it falls. A jump over many empty
    /// windows is one rollover, straight to the packet's window (SPEC §4).
    #[inline(always)]
    pub fn place(&mut self, ts_ns: u64) -> Placement {
        self.clock_ns = self.clock_ns.max(ts_ns);
        // Before the first packet `open_ns` is 0, so no time is in the current window.
        if ts_ns >= self.start_ns && ts_ns - self.start_ns < self.open_ns {
            return Placement { ts_ns, opens: false, late: false };
        }
        if self.open_ns != 0 && ts_ns < self.start_ns {
            return Placement { ts_ns: self.start_ns, opens: false, late: true };
        }
        self.start_ns = self.align(ts_ns);
        self.open_ns = self.window_ns;
        Placement { ts_ns, opens: true, late: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = NS_PER_SEC;

    #[test]
    fn windows_are_aligned_to_the_epoch() {
        let w = WindowClock::new(60);
        assert_eq!(w.align(1_300_475_168 * S + 5), 1_300_475_160 * S);
        assert_eq!(w.align(120 * S), 120 * S);
    }

    #[test]
    fn first_packet_opens_its_window_later_one_rolls_over() {
        let mut w = WindowClock::new(60);
        assert_eq!(w.place(61 * S), Placement { ts_ns: 61 * S, opens: true, late: false });
        assert_eq!(w.current_start_ns(), Some(60 * S));
        assert_eq!(w.place(119 * S), Placement { ts_ns: 119 * S, opens: false, late: false });
        assert_eq!(w.place(120 * S), Placement { ts_ns: 120 * S, opens: true, late: false });
        assert_eq!(w.current_start_ns(), Some(120 * S));
    }

    #[test]
    fn a_jump_over_years_is_one_rollover() {
        let mut w = WindowClock::new(600);
        w.place(10 * S);
        let years = 3 * 365 * 86_400 * S;
        assert_eq!(w.place(years + 7 * S), Placement { ts_ns: years + 7 * S, opens: true, late: false });
        assert_eq!(w.current_start_ns(), Some(w.align(years)));
    }

    #[test]
    fn late_packet_is_clamped_to_the_window_start_and_clock_does_not_go_back() {
        let mut w = WindowClock::new(60);
        w.place(130 * S);
        assert_eq!(w.place(59 * S), Placement { ts_ns: 120 * S, opens: false, late: true });
        assert_eq!(w.clock_ns(), 130 * S);
    }

    #[test]
    fn missing_and_out_of_range_timestamps_take_the_clock() {
        let mut w = WindowClock::new(60);
        assert_eq!(w.resolve(Timestamp::Missing), 0, "clock is 0 before any packet");
        w.place(77 * S);
        assert_eq!(w.resolve(Timestamp::OutOfRange), 77 * S);
        assert_eq!(Timestamp::from_parts(u64::MAX / S + 1, 0), Timestamp::OutOfRange);
        assert_eq!(Timestamp::from_parts(1, 2), Timestamp::Ns(S + 2));
    }
}
