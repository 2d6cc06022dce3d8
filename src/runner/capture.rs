//! Capturing one output stream of one invocation: lines for the report, signal counts and (for
//! stdout) verdicts, with an optional cap on the lines kept.
//!
//! Counting and verdict parsing always see every line, so the cap never changes results, counts
//! or the exit code; it only shortens what the report shows. With a cap of `N` lines the report
//! keeps the first `N/2` and the last `N - N/2` lines, every verdict line of a requested testcase
//! from the part in between (at most `N` of them), and one marker line saying how many lines were
//! left out. Kept lines longer than [`MAX_LINE_BYTES`] are shortened.

use crate::runner::lines::LineSplitter;
use crate::runner::parse_output::ResultCollector;
use crate::runner::signal_counts::SignalCounts;
use std::collections::VecDeque;

/// Longest line kept verbatim when a cap is active (longer ones are shortened in the report).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// How many lines of one stream the report keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineCap {
    /// Keep every line (upstream behaviour).
    Unlimited,
    /// Keep at most this many lines (plus kept verdict lines and one marker line).
    Lines(usize),
}

impl LineCap {
    /// `0` means unlimited.
    pub fn from_count(lines: usize) -> LineCap {
        if lines == 0 {
            LineCap::Unlimited
        } else {
            LineCap::Lines(lines)
        }
    }
}

/// The captured stream, ready for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapturedStream {
    /// Lines as the report shows them.
    pub lines: Vec<String>,
    /// Lines that were produced in total.
    pub total_lines: u64,
    /// Lines left out by the cap.
    pub omitted_lines: u64,
    /// Whether the stream contained bytes that are not UTF-8 (replaced by U+FFFD).
    pub had_invalid_utf8: bool,
}

/// Incremental capture of one stream.
#[derive(Debug)]
pub struct StreamCapture {
    splitter: LineSplitter,
    cap: LineCap,
    head: Vec<String>,
    kept_verdicts: Vec<String>,
    tail: VecDeque<String>,
    omitted: u64,
    total: u64,
    counts: SignalCounts,
    verdicts: Option<ResultCollector>,
}

impl StreamCapture {
    /// Capture of stderr (no verdicts).
    pub fn stderr(cap: LineCap) -> Self {
        Self::with_verdicts(cap, None)
    }

    /// Capture of stdout, parsing verdicts of the requested ids.
    pub fn stdout(cap: LineCap, verdicts: ResultCollector) -> Self {
        Self::with_verdicts(cap, Some(verdicts))
    }

    fn with_verdicts(cap: LineCap, verdicts: Option<ResultCollector>) -> Self {
        StreamCapture {
            splitter: LineSplitter::new(),
            cap,
            head: Vec::new(),
            kept_verdicts: Vec::new(),
            tail: VecDeque::new(),
            omitted: 0,
            total: 0,
            counts: SignalCounts::default(),
            verdicts,
        }
    }

    /// Feeds a chunk of raw output.
    pub fn push(&mut self, chunk: &[u8]) {
        let mut splitter = std::mem::take(&mut self.splitter);
        splitter.push(chunk, |line| self.push_line(line));
        self.splitter = splitter;
    }

    /// Appends a line that did not come from the script (e.g. a timeout notice).
    pub fn push_own_line(&mut self, line: &str) {
        self.push_line(line);
    }

    /// Ends the stream; flushes an unfinished last line.
    pub fn finish(&mut self) {
        let mut splitter = std::mem::take(&mut self.splitter);
        splitter.finish(|line| self.push_line(line));
        self.splitter = splitter;
    }

    fn push_line(&mut self, line: &str) {
        self.total += 1;
        self.counts.count_line(line);
        if let Some(verdicts) = self.verdicts.as_mut() {
            verdicts.push_line(line);
        }
        let LineCap::Lines(max) = self.cap else {
            self.head.push(line.to_string());
            return;
        };
        let head_max = max / 2;
        let tail_max = max - head_max;
        let line = shorten(line);
        if self.head.len() < head_max {
            self.head.push(line);
            return;
        }
        self.tail.push_back(line);
        if self.tail.len() > tail_max
            && let Some(evicted) = self.tail.pop_front()
        {
            let keep = self.kept_verdicts.len() < max
                && self
                    .verdicts
                    .as_ref()
                    .is_some_and(|v| v.is_requested_verdict(&evicted));
            if keep {
                self.kept_verdicts.push(evicted);
            } else {
                self.omitted += 1;
            }
        }
    }

    /// Signal counts over every line seen so far.
    pub fn counts(&self) -> SignalCounts {
        self.counts
    }

    /// Takes the verdict collector (stdout only).
    pub fn take_verdicts(&mut self) -> Option<ResultCollector> {
        self.verdicts.take()
    }

    /// The lines for the report.
    pub fn into_captured(self) -> CapturedStream {
        let mut lines = self.head;
        if self.omitted > 0 || !self.kept_verdicts.is_empty() {
            // No colon and no signal word: the marker can neither count nor parse as a verdict.
            lines.push(format!(
                "[scs-cert check left out {} line(s) here (line cap per stream; verdict lines kept)]",
                self.omitted
            ));
        }
        lines.extend(self.kept_verdicts);
        lines.extend(self.tail);
        CapturedStream {
            lines,
            total_lines: self.total,
            omitted_lines: self.omitted,
            had_invalid_utf8: self.splitter.saw_invalid_utf8,
        }
    }
}

fn shorten(line: &str) -> String {
    if line.len() <= MAX_LINE_BYTES {
        return line.to_string();
    }
    let mut end = MAX_LINE_BYTES;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{} [shortened by scs-cert check, {} bytes in total]",
        &line[..end],
        line.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Verdict;

    fn feed(capture: &mut StreamCapture, lines: &[String]) {
        for line in lines {
            capture.push(line.as_bytes());
            capture.push(b"\n");
        }
        capture.finish();
    }

    #[test]
    fn unlimited_keeps_everything() {
        let mut capture = StreamCapture::stderr(LineCap::Unlimited);
        let lines: Vec<String> = (0..1000).map(|i| format!("ERROR: {i}")).collect();
        feed(&mut capture, &lines);
        assert_eq!(capture.counts().error, 1000);
        let captured = capture.into_captured();
        assert_eq!(captured.lines, lines);
        assert_eq!(captured.omitted_lines, 0);
    }

    #[test]
    fn cap_keeps_head_tail_and_verdicts_but_counts_everything() {
        let mut lines: Vec<String> = (0..100).map(|i| format!("error line {i}")).collect();
        lines[40] = "tc-a: PASS".into();
        lines[41] = "tc-x: FAIL".into();
        lines[60] = "tc-b : fail".into();
        let mut capture =
            StreamCapture::stdout(LineCap::Lines(10), ResultCollector::new(["tc-a", "tc-b"]));
        feed(&mut capture, &lines);
        assert_eq!(capture.counts().error, 97);
        let verdicts = capture.take_verdicts().map(ResultCollector::into_results);
        let verdicts = verdicts.unwrap_or_default();
        assert_eq!(verdicts.get("tc-a"), Some(&Verdict::Pass));
        assert_eq!(verdicts.get("tc-b"), Some(&Verdict::Fail));
        let captured = capture.into_captured();
        assert_eq!(captured.total_lines, 100);
        assert_eq!(captured.omitted_lines, 88);
        let mut want: Vec<String> = lines[..5].to_vec();
        want.push(captured.lines[5].clone());
        want.push("tc-a: PASS".into());
        want.push("tc-b : fail".into());
        want.extend_from_slice(&lines[95..]);
        assert_eq!(captured.lines, want);
        assert!(captured.lines[5].contains("left out 88 line(s)"));
        assert!(!captured.lines[5].contains(':'));
    }

    #[test]
    fn long_lines_are_shortened_only_under_a_cap() {
        let long = "é".repeat(MAX_LINE_BYTES);
        let mut capped = StreamCapture::stderr(LineCap::Lines(4));
        feed(&mut capped, std::slice::from_ref(&long));
        let line = &capped.into_captured().lines[0];
        assert!(line.len() < long.len() && line.ends_with("bytes in total]"));
        let mut unlimited = StreamCapture::stderr(LineCap::Unlimited);
        feed(&mut unlimited, std::slice::from_ref(&long));
        assert_eq!(unlimited.into_captured().lines[0], long);
    }
}
