//! Splitting the formatted `args` into words exactly like Python's `shlex.split` (POSIX mode,
//! no comments), which the upstream check tool uses.

/// Why `args` cannot be split (upstream: the invocation fails to launch, rc 127).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// An opening quote without its closing quote.
    #[error("No closing quotation")]
    NoClosingQuotation,
    /// A backslash at the very end.
    #[error("No escaped character")]
    NoEscapedCharacter,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Between,
    Word,
    Single,
    Double,
    Escape { back_to: Back },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Back {
    Word,
    Double,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Splits `text` into words like `shlex.split(text)`.
pub fn split(text: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut word = String::new();
    // An empty quoted word ('' or "") is still a word.
    let mut quoted = false;
    let mut state = State::Between;
    for c in text.chars() {
        state = match state {
            State::Between | State::Word => match c {
                _ if is_space(c) => {
                    if state == State::Word || quoted {
                        words.push(std::mem::take(&mut word));
                        quoted = false;
                    }
                    State::Between
                }
                '\\' => State::Escape {
                    back_to: Back::Word,
                },
                '\'' => {
                    quoted = true;
                    State::Single
                }
                '"' => {
                    quoted = true;
                    State::Double
                }
                _ => {
                    word.push(c);
                    State::Word
                }
            },
            State::Single => {
                if c == '\'' {
                    State::Word
                } else {
                    word.push(c);
                    State::Single
                }
            }
            State::Double => match c {
                '"' => State::Word,
                '\\' => State::Escape {
                    back_to: Back::Double,
                },
                _ => {
                    word.push(c);
                    State::Double
                }
            },
            State::Escape { back_to } => match back_to {
                Back::Word => {
                    word.push(c);
                    State::Word
                }
                Back::Double => {
                    // Inside double quotes only the quote and the backslash can be escaped.
                    if c != '"' && c != '\\' {
                        word.push('\\');
                    }
                    word.push(c);
                    State::Double
                }
            },
        };
    }
    match state {
        State::Single | State::Double => Err(SplitError::NoClosingQuotation),
        State::Escape { .. } => Err(SplitError::NoEscapedCharacter),
        State::Word => {
            words.push(word);
            Ok(words)
        }
        State::Between => {
            if quoted {
                words.push(word);
            }
            Ok(words)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_python_shlex() {
        let cases: [(&str, &[&str]); 13] = [
            ("", &[]),
            ("   ", &[]),
            ("-c gx a b", &["-c", "gx", "a", "b"]),
            ("  a\n\tb  \r\n c ", &["a", "b", "c"]),
            ("'a b' \"c d\"", &["a b", "c d"]),
            ("a'b c'd", &["ab cd"]),
            ("'' \"\"", &["", ""]),
            (r#""a\"b" "a\\b" "a\nb""#, &["a\"b", "a\\b", "a\\nb"]),
            (r"a\ b \'x", &["a b", "'x"]),
            (r"'a\b'", &["a\\b"]),
            ("{literal} $HOME `x`", &["{literal}", "$HOME", "`x`"]),
            ("#not-a-comment x", &["#not-a-comment", "x"]),
            ("a\\\nb", &["a\nb"]),
        ];
        for (text, want) in cases {
            let want: Vec<String> = want.iter().map(|w| (*w).to_owned()).collect();
            assert_eq!(split(text), Ok(want), "{text:?}");
        }
    }

    #[test]
    fn reports_python_errors() {
        assert_eq!(split("'open"), Err(SplitError::NoClosingQuotation));
        assert_eq!(split("\"open"), Err(SplitError::NoClosingQuotation));
        assert_eq!(split("x \\"), Err(SplitError::NoEscapedCharacter));
        assert_eq!(
            SplitError::NoClosingQuotation.to_string(),
            "No closing quotation"
        );
    }
}
