//! The build's progress bar on standard error: documents done of all, MB/s, facts. Drawn only
//! when enabled and standard error is a terminal, and only once the build has run for a second,
//! at most five times a second.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    enabled: bool,
    total: usize,
    done: usize,
    bytes: u64,
    facts: usize,
    started: Instant,
    last_draw: Option<Instant>,
    drawn: bool,
}

impl Progress {
    pub fn new(wanted: bool, total: usize) -> Progress {
        Progress {
            enabled: wanted && std::io::stderr().is_terminal(),
            total,
            done: 0,
            bytes: 0,
            facts: 0,
            started: Instant::now(),
            last_draw: None,
            drawn: false,
        }
    }

    /// One more file handled: `bytes` read and `facts` extracted from it (0 when skipped).
    pub fn update(&mut self, bytes: usize, facts: usize) {
        self.done += 1;
        self.bytes += bytes as u64;
        self.facts += facts;
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.started) < Duration::from_secs(1)
            || self
                .last_draw
                .is_some_and(|t| now.duration_since(t) < Duration::from_millis(200))
        {
            return;
        }
        self.last_draw = Some(now);
        let line = render(
            self.done,
            self.total,
            self.bytes,
            self.facts,
            now.duration_since(self.started),
        );
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
        self.drawn = true;
    }

    /// Erases the bar (before other output, and at the end).
    pub fn clear(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

/// `[#####-----] 1200/5000 documents  12.3 MB/s  4567 facts`
pub fn render(done: usize, total: usize, bytes: u64, facts: usize, elapsed: Duration) -> String {
    const WIDTH: usize = 24;
    let filled = (done * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH)
        .min(WIDTH);
    format!(
        "[{}{}] {done}/{total} documents  {:.1} MB/s  {facts} facts",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        bytes as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_documents_done() {
        let line = render(50, 100, 2_000_000, 7, Duration::from_secs(1));
        assert!(
            line.starts_with("[############------------] 50/100 documents"),
            "{line}"
        );
        assert!(
            line.contains("2.0 MB/s") && line.ends_with("7 facts"),
            "{line}"
        );
        assert!(render(0, 0, 0, 0, Duration::ZERO).contains("0/0"));
    }
}
