//! Line handling exactly as the upstream check tool sees script output: Python's
//! `str.splitlines()` boundaries and `str.strip()` whitespace.
//!
//! Script output arrives as bytes in arbitrary chunks; [`LineSplitter`] turns it into lines
//! without ever holding more than one unfinished line, and decodes each line lossily so output
//! that is not UTF-8 never aborts a run (upstream records such an invocation as a launch failure).

/// Whether `c` ends a line for Python's `str.splitlines()`.
fn is_line_boundary(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Splits `text` like Python's `str.splitlines()`: `\r\n` is one boundary, a trailing boundary
/// yields no empty last line.
pub fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if !is_line_boundary(c) {
            continue;
        }
        lines.push(&text[start..at]);
        start = at + c.len_utf8();
        if c == '\r'
            && let Some(&(next_at, '\n')) = chars.peek()
        {
            chars.next();
            start = next_at + 1;
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Python's `str.strip()` without arguments (`isspace()` also covers `\x1c`..`\x1f`).
pub fn py_strip(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c))
}

/// Whether Python's `text.lower().startswith(word)` holds, without lowering the whole line.
pub fn lowercase_starts_with(text: &str, word: &str) -> bool {
    let mut lowered = text.chars().flat_map(char::to_lowercase);
    word.chars().all(|w| lowered.next() == Some(w))
}

/// Incremental splitter: feed byte chunks, get complete lines (decoded lossily).
#[derive(Debug, Default)]
pub struct LineSplitter {
    pending: Vec<u8>,
    /// Whether any byte was not valid UTF-8 (replaced by U+FFFD).
    pub saw_invalid_utf8: bool,
}

impl LineSplitter {
    /// A splitter with nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds `chunk`; calls `emit` for every line it completes.
    pub fn push(&mut self, chunk: &[u8], mut emit: impl FnMut(&str)) {
        // `\n` never occurs inside a multi-byte UTF-8 sequence, so cutting there is safe; the
        // other boundaries are found after decoding, piece by piece.
        let mut rest = chunk;
        while let Some(newline) = rest.iter().position(|&b| b == b'\n') {
            let (piece, tail) = rest.split_at(newline + 1);
            if self.pending.is_empty() {
                self.emit_piece(piece, &mut emit);
            } else {
                let mut joined = std::mem::take(&mut self.pending);
                joined.extend_from_slice(piece);
                self.emit_piece(&joined, &mut emit);
            }
            rest = tail;
        }
        self.pending.extend_from_slice(rest);
    }

    /// Flushes the unfinished last line, if any.
    pub fn finish(&mut self, mut emit: impl FnMut(&str)) {
        let pending = std::mem::take(&mut self.pending);
        if !pending.is_empty() {
            self.emit_piece(&pending, &mut emit);
        }
    }

    fn emit_piece(&mut self, piece: &[u8], emit: &mut impl FnMut(&str)) {
        let text = String::from_utf8_lossy(piece);
        if matches!(text, std::borrow::Cow::Owned(_)) {
            self.saw_invalid_utf8 = true;
        }
        for line in split_lines(&text) {
            emit(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_python_splitlines() {
        let cases: [(&str, &[&str]); 11] = [
            ("", &[]),
            ("a", &["a"]),
            ("a\n", &["a"]),
            ("a\nb", &["a", "b"]),
            ("a\n\nb\n", &["a", "", "b"]),
            ("\n", &[""]),
            ("a\r\nb\rc", &["a", "b", "c"]),
            ("a\r\r\n", &["a", ""]),
            ("a\x0c\n", &["a", ""]),
            ("x\u{85}y\u{2028}z", &["x", "y", "z"]),
            ("a\x1cb\x0bc", &["a", "b", "c"]),
        ];
        for (text, want) in cases {
            assert_eq!(split_lines(text), want, "{text:?}");
        }
    }

    fn split_chunked(chunks: &[&[u8]]) -> (Vec<String>, bool) {
        let mut splitter = LineSplitter::new();
        let mut lines = Vec::new();
        for chunk in chunks {
            splitter.push(chunk, |l| lines.push(l.to_string()));
        }
        splitter.finish(|l| lines.push(l.to_string()));
        (lines, splitter.saw_invalid_utf8)
    }

    #[test]
    fn chunk_boundaries_do_not_matter() {
        let text = "one\r\ntwo\n\nthree\rfour\x0c\nfive";
        let whole: Vec<String> = split_lines(text).into_iter().map(String::from).collect();
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(split_chunked(&[a, b]).0, whole, "cut at {cut}");
        }
        let single: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(split_chunked(&single).0, whole);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let (lines, invalid) = split_chunked(&[b"ok: PASS\n\xff\xfe bad\n", b"caf\xc3", b"\xa9\n"]);
        assert_eq!(lines, ["ok: PASS", "\u{fffd}\u{fffd} bad", "café"]);
        assert!(invalid);
        assert!(!split_chunked(&[b"fine\n"]).1);
    }

    #[test]
    fn strip_and_lowercase_prefix_follow_python() {
        assert_eq!(py_strip(" \t x y \x1f\u{a0}"), "x y");
        assert!(lowercase_starts_with("ERROR: boom", "error"));
        assert!(lowercase_starts_with("Information", "info"));
        assert!(lowercase_starts_with("Errors found", "error"));
        assert!(!lowercase_starts_with(" ERROR", "error"));
        assert!(!lowercase_starts_with("err", "error"));
    }
}
