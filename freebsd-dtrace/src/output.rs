//! Per-event output of a consumer: the formatted text libdtrace hands the buffered-output
//! handler, written to a sink and counted, and the drops its drop handler reports.

use std::io::Write;

/// What per-event output amounted to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutputCounts {
    /// Complete lines of formatted output received.
    pub lines: u64,
    /// Records the kernel dropped (principal buffer full), from the drop handler.
    pub drops: u64,
    /// Probe errors (faults in D actions), from the error handler.
    pub errors: u64,
}

/// Receives output and drops; the consumer's handlers call it.
pub struct OutputCollector {
    sink: Option<Box<dyn Write + Send>>,
    counts: OutputCounts,
    write_error: Option<std::io::Error>,
}

impl OutputCollector {
    /// Writes output to `sink` (or discards it) while counting.
    pub fn new(sink: Option<Box<dyn Write + Send>>) -> Self {
        Self {
            sink,
            counts: OutputCounts::default(),
            write_error: None,
        }
    }

    /// One piece of buffered output; a `printf` may arrive in several pieces, so lines are
    /// counted by their newlines.
    pub fn buffered(&mut self, text: &[u8]) {
        self.counts.lines += text.iter().filter(|b| **b == b'\n').count() as u64;
        if let Some(sink) = self.sink.as_mut() {
            if let Err(e) = sink.write_all(text) {
                self.write_error.get_or_insert(e);
            }
        }
    }

    /// The drop handler's report of `drops` records lost.
    pub fn dropped(&mut self, drops: u64) {
        self.counts.drops += drops;
    }

    /// The error handler's report of a fault in an action.
    pub fn probe_error(&mut self) {
        self.counts.errors += 1;
    }

    /// Counts so far.
    pub fn counts(&self) -> OutputCounts {
        self.counts
    }

    /// The first error writing to the sink, if any.
    pub fn take_write_error(&mut self) -> Option<std::io::Error> {
        self.write_error.take()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn counts_lines_across_pieces_and_writes_them() {
        let sink = Shared::default();
        let mut collector = OutputCollector::new(Some(Box::new(sink.clone())));
        collector.buffered(b"1 bytes\n");
        collector.buffered(b"1 by");
        collector.buffered(b"tes\n1 bytes\n");
        collector.dropped(40);
        collector.dropped(2);
        collector.probe_error();
        assert_eq!(
            collector.counts(),
            OutputCounts {
                lines: 3,
                drops: 42,
                errors: 1
            }
        );
        assert_eq!(&*sink.0.lock().unwrap(), b"1 bytes\n1 bytes\n1 bytes\n");
        assert!(collector.take_write_error().is_none());
    }
}
