//! The report documents of an upload. YAML uploads are streams of several documents (the
//! runner concatenates one report per scope × subject); JSON uploads hold exactly one. Each
//! document is kept with its own text, so it can be stored byte for byte like an in-cluster
//! report, one stored report per document.

use crate::report::{Report, parse_report_stream};

/// How the report part of the body is written (from the Content-Type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `application/x-signed-yaml`: a YAML stream.
    Yaml,
    /// `application/x-signed-json`: one JSON document.
    Json,
}

impl Format {
    /// The format a Content-Type header value names; `None` for anything else (415).
    pub fn from_content_type(value: &str) -> Option<Self> {
        let essence = value.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case("application/x-signed-yaml") {
            Some(Self::Yaml)
        } else if essence.eq_ignore_ascii_case("application/x-signed-json") {
            Some(Self::Json)
        } else {
            None
        }
    }
}

/// One report of an upload.
#[derive(Clone, Debug)]
pub struct Document {
    /// 1-based position in the upload.
    pub number: usize,
    /// The document's own text, as uploaded.
    pub text: String,
    /// The parsed report.
    pub report: Report,
}

/// Why the report part is refused.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// Not UTF-8.
    #[error("the report is not UTF-8 text")]
    NotText,
    /// JSON that does not parse.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// A JSON upload holds exactly one report.
    #[error("a JSON upload holds exactly one report, found {0}")]
    JsonCount(usize),
    /// A report that the report model refuses (same checks as the in-cluster intake).
    #[error("malformed report: {0}")]
    Report(String),
}

/// Parses the signed report bytes into documents (none for an empty stream).
pub fn documents(bytes: &[u8], format: Format) -> Result<Vec<Document>, DocumentError> {
    let text = std::str::from_utf8(bytes).map_err(|_| DocumentError::NotText)?;
    if format == Format::Json {
        serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| DocumentError::Json(e.to_string()))?;
    }
    // The whole stream first: its errors name the document and field, as the intake's do.
    let all = parse_report_stream(text).map_err(|e| DocumentError::Report(e.to_string()))?;
    if format == Format::Json {
        return match <[Report; 1]>::try_from(all) {
            Ok([report]) => Ok(vec![Document {
                number: 1,
                text: text.to_owned(),
                report,
            }]),
            Err(all) => Err(DocumentError::JsonCount(all.len())),
        };
    }
    let mut out = Vec::new();
    for chunk in split_stream(text) {
        for report in
            parse_report_stream(chunk).map_err(|e| DocumentError::Report(e.to_string()))?
        {
            out.push(Document {
                number: out.len() + 1,
                text: chunk.to_owned(),
                report,
            });
        }
    }
    // A chunk holding two documents, or a split inside one, would show here.
    if out.len() != all.len() || out.iter().zip(&all).any(|(d, r)| d.report != *r) {
        return Err(DocumentError::Report(
            "the stream cannot be split into its documents".into(),
        ));
    }
    Ok(out)
}

/// Splits a YAML stream into document texts at `---` lines (a document start marker at the
/// beginning of a line ends any scalar, so this is exact for valid YAML) and after `...`
/// lines. Leading comments and directives stay with the document they precede.
pub fn split_stream(text: &str) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut only_preamble = true;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if is_marker(content, "---") {
            if !only_preamble {
                chunks.push(&text[start..offset]);
                start = offset;
            }
            only_preamble = false;
        } else if is_marker(content, "...") {
            chunks.push(&text[start..offset + line.len()]);
            start = offset + line.len();
            only_preamble = true;
        } else if !(content.trim().is_empty()
            || content.starts_with('#')
            || content.starts_with('%'))
        {
            only_preamble = false;
        }
        offset += line.len();
    }
    if start < text.len() {
        chunks.push(&text[start..]);
    }
    chunks
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &str = include_str!("../../../tests/fixtures/sshsig/report.yaml");

    #[test]
    fn content_types_of_the_monitor_are_recognised() {
        assert_eq!(
            Format::from_content_type("application/x-signed-yaml"),
            Some(Format::Yaml)
        );
        assert_eq!(
            Format::from_content_type("Application/X-Signed-JSON; charset=utf-8"),
            Some(Format::Json)
        );
        for other in ["application/yaml", "application/json", "text/plain", ""] {
            assert_eq!(Format::from_content_type(other), None, "{other}");
        }
    }

    #[test]
    fn a_runner_stream_splits_into_its_reports_byte_for_byte() {
        let docs = documents(STREAM.as_bytes(), Format::Yaml).expect("parses");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].report.subject, "cloud-a");
        assert_eq!(docs[1].report.subject, "cloud-b");
        assert_eq!(docs[0].number, 1);
        assert_eq!(format!("{}{}", docs[0].text, docs[1].text), STREAM);
        assert!(docs[1].text.starts_with("---\n"));
    }

    #[test]
    fn splitting_keeps_preambles_and_respects_end_markers() {
        assert_eq!(
            split_stream("# c\n%YAML 1.1\n---\na: 1\n---\nb: 2\n"),
            vec!["# c\n%YAML 1.1\n---\na: 1\n", "---\nb: 2\n"]
        );
        assert_eq!(
            split_stream("a: 1\n...\n---\nb: |\n  ---x\n  text\n"),
            vec!["a: 1\n...\n", "---\nb: |\n  ---x\n  text\n"]
        );
        assert_eq!(
            split_stream("--- {a: 1}\n--- {b: 2}"),
            vec!["--- {a: 1}\n", "--- {b: 2}"]
        );
        assert!(split_stream("").is_empty());
    }

    #[test]
    fn an_empty_stream_has_no_documents() {
        assert!(documents(b"", Format::Yaml).expect("parses").is_empty());
        assert!(
            documents(b"---\n# nothing\n", Format::Yaml)
                .expect("parses")
                .is_empty()
        );
    }

    #[test]
    fn json_uploads_hold_exactly_one_report() {
        let docs = documents(STREAM.as_bytes(), Format::Yaml).expect("parses");
        let json = serde_json::to_string(&docs[0].report).expect("json");
        let parsed = documents(json.as_bytes(), Format::Json).expect("one JSON report");
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].report, docs[0].report);
        assert!(matches!(
            documents(STREAM.as_bytes(), Format::Json),
            Err(DocumentError::Json(_))
        ));
        assert!(matches!(
            documents(b"[]", Format::Json),
            Err(DocumentError::Report(_) | DocumentError::JsonCount(_))
        ));
    }

    #[test]
    fn malformed_reports_and_bytes_are_refused() {
        assert!(matches!(
            documents(b"\xff\xfe", Format::Yaml),
            Err(DocumentError::NotText)
        ));
        let err = documents(b"---\nsubject: x\n", Format::Yaml).expect_err("no spec");
        assert!(err.to_string().contains("spec"), "{err}");
    }
}
