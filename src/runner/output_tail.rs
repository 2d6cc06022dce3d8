//! The last lines of a wrapped command's output (both streams, in arrival order), kept for the
//! failure record while everything is streamed to the container log.

use crate::runner::lines::LineSplitter;
use std::collections::VecDeque;

/// Longest line kept in the tail; longer lines are cut (the log has them in full).
pub const MAX_TAIL_LINE_BYTES: usize = 512;

/// Which stream a chunk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// A bounded ring of the most recent lines.
#[derive(Debug)]
pub struct OutputTail {
    max_lines: usize,
    lines: VecDeque<String>,
    total: u64,
    stdout: LineSplitter,
    stderr: LineSplitter,
}

impl OutputTail {
    /// Keeps at most `max_lines` lines.
    pub fn new(max_lines: usize) -> Self {
        OutputTail {
            max_lines,
            lines: VecDeque::new(),
            total: 0,
            stdout: LineSplitter::new(),
            stderr: LineSplitter::new(),
        }
    }

    /// Feeds a chunk of one stream.
    pub fn push(&mut self, stream: Stream, chunk: &[u8]) {
        let mut splitter = std::mem::take(self.splitter(stream));
        splitter.push(chunk, |line| self.push_line(line));
        *self.splitter(stream) = splitter;
    }

    /// Flushes unfinished lines of both streams.
    pub fn finish(&mut self) {
        for stream in [Stream::Stdout, Stream::Stderr] {
            let mut splitter = std::mem::take(self.splitter(stream));
            splitter.finish(|line| self.push_line(line));
            *self.splitter(stream) = splitter;
        }
    }

    fn splitter(&mut self, stream: Stream) -> &mut LineSplitter {
        match stream {
            Stream::Stdout => &mut self.stdout,
            Stream::Stderr => &mut self.stderr,
        }
    }

    fn push_line(&mut self, line: &str) {
        self.total += 1;
        if self.max_lines == 0 {
            return;
        }
        if self.lines.len() == self.max_lines {
            self.lines.pop_front();
        }
        self.lines.push_back(cut(line));
    }

    /// The kept lines, oldest first.
    pub fn lines(&self) -> Vec<String> {
        self.lines.iter().cloned().collect()
    }

    /// How many lines were seen in total.
    pub fn total_lines(&self) -> u64 {
        self.total
    }
}

fn cut(line: &str) -> String {
    if line.len() <= MAX_TAIL_LINE_BYTES {
        return line.to_string();
    }
    let mut end = MAX_TAIL_LINE_BYTES;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &line[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_lines_of_both_streams_bounded() {
        let mut tail = OutputTail::new(3);
        tail.push(Stream::Stdout, b"one\ntwo\n");
        tail.push(Stream::Stderr, b"err-a\nerr-");
        tail.push(Stream::Stdout, b"three\n");
        tail.push(Stream::Stderr, b"b\n");
        tail.push(Stream::Stdout, "x".repeat(2000).as_bytes());
        tail.finish();
        let lines = tail.lines();
        assert_eq!(tail.total_lines(), 6);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "three");
        assert_eq!(lines[1], "err-b");
        assert_eq!(lines[2].len(), MAX_TAIL_LINE_BYTES + 3);
    }
}
