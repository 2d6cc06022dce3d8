//! The report as YAML that both our parser and upstream's PyYAML/ruamel tooling read back
//! unchanged (adapter; see below), with the upstream key order and `---` start (DOMAIN 3.9).
//!
//! Why not `crate::report::write_report_yaml`: serde_norway quotes only strings that YAML 1.2
//! would mistype, but upstream loads reports with YAML 1.1 resolvers. There, an argv item
//! `2026-07-01` becomes a date, `-a debug=on`'s value `on` a boolean, `1:20` the integer 80,
//! and a stdout line `=` makes the whole document unloadable. This emitter writes a string
//! plain only when no YAML 1.1 or 1.2 resolver can take it for anything but a string, and
//! double-quoted (with escapes for every non-printable character) otherwise. `checked_at` and
//! `reference_date` stay plain, so upstream reads them as a datetime and a date.

use crate::report::timestamp::{format_report_date, format_report_timestamp};
use crate::report::{Invocation, LegacyResult, Report};
use std::borrow::Cow;
use std::fmt::Write as _;

/// One report as a YAML document starting with `---`.
pub fn report_to_yaml(report: &Report) -> String {
    let mut out = String::from("---\n");
    out.push_str("spec:\n");
    entry(&mut out, 1, "uuid", &scalar(&report.spec.uuid));
    entry(&mut out, 1, "name", &scalar(&report.spec.name));
    entry(&mut out, 1, "url", &scalar(&report.spec.url));
    entry(
        &mut out,
        0,
        "checked_at",
        &format_report_timestamp(report.checked_at),
    );
    let reference_date = report.reference_date.map(format_report_date);
    entry(
        &mut out,
        0,
        "reference_date",
        reference_date.as_deref().unwrap_or("null"),
    );
    entry(&mut out, 0, "subject", &scalar(&report.subject));
    out.push_str("run:\n");
    let run = &report.run;
    entry(&mut out, 1, "uuid", &scalar(&run.uuid));
    string_list(&mut out, 1, "argv", Some(&run.argv));
    if run.assignment.is_empty() {
        entry(&mut out, 1, "assignment", "{}");
    } else {
        key(&mut out, 1, "assignment");
        for (name, value) in &run.assignment {
            entry(&mut out, 2, name, &scalar(value));
        }
    }
    string_list(&mut out, 1, "sections", run.sections.as_deref());
    entry(
        &mut out,
        1,
        "forced_version",
        &optional(run.forced_version.as_deref()),
    );
    entry(
        &mut out,
        1,
        "forced_tests",
        &optional(run.forced_tests.as_deref()),
    );
    if run.invocations.is_empty() {
        entry(&mut out, 1, "invocations", "{}");
    } else {
        key(&mut out, 1, "invocations");
        for (id, invocation) in &run.invocations {
            key(&mut out, 2, id);
            invocation_body(&mut out, 3, invocation);
        }
    }
    if let Some(versions) = &report.legacy_versions {
        legacy_versions(&mut out, versions);
    }
    out
}

fn invocation_body(out: &mut String, level: usize, invocation: &Invocation) {
    entry(out, level, "id", &scalar(&invocation.id));
    entry(out, level, "cmd", &scalar(&invocation.cmd));
    if invocation.results.is_empty() {
        entry(out, level, "results", "{}");
    } else {
        key(out, level, "results");
        for (id, verdict) in &invocation.results {
            entry(out, level + 1, id, &verdict.code().to_string());
        }
    }
    entry(out, level, "rc", &invocation.rc.to_string());
    string_list(out, level, "stdout", Some(&invocation.stdout));
    string_list(out, level, "stderr", Some(&invocation.stderr));
    entry(out, level, "info", &invocation.info.to_string());
    entry(out, level, "warning", &invocation.warning.to_string());
    entry(out, level, "error", &invocation.error.to_string());
    entry(out, level, "critical", &invocation.critical.to_string());
}

fn legacy_versions(
    out: &mut String,
    versions: &indexmap::IndexMap<String, indexmap::IndexMap<String, LegacyResult>>,
) {
    if versions.is_empty() {
        entry(out, 0, "versions", "{}");
        return;
    }
    key(out, 0, "versions");
    for (version, testcases) in versions {
        if testcases.is_empty() {
            entry(out, 1, version, "{}");
            continue;
        }
        key(out, 1, version);
        for (id, result) in testcases {
            key(out, 2, id);
            let code = result.result.map(|v| v.code().to_string());
            entry(out, 3, "result", code.as_deref().unwrap_or("null"));
            entry(
                out,
                3,
                "invocation",
                &optional(result.invocation.as_deref()),
            );
        }
    }
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn key(out: &mut String, level: usize, name: &str) {
    indent(out, level);
    let _ = writeln!(out, "{}:", scalar(name));
}

fn entry(out: &mut String, level: usize, name: &str, value: &str) {
    indent(out, level);
    let _ = writeln!(out, "{}: {value}", scalar(name));
}

fn optional(value: Option<&str>) -> Cow<'_, str> {
    value.map_or(Cow::Borrowed("null"), scalar)
}

/// A block sequence the way PyYAML writes it: the dashes at the key's indentation.
fn string_list(out: &mut String, level: usize, name: &str, items: Option<&[String]>) {
    match items {
        None => entry(out, level, name, "null"),
        Some([]) => entry(out, level, name, "[]"),
        Some(items) => {
            key(out, level, name);
            for item in items {
                indent(out, level);
                let _ = writeln!(out, "- {}", scalar(item));
            }
        }
    }
}

/// Whether `text` can be written plain and still loads as this very string everywhere.
fn is_plain_safe(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    // Numbers, dates, `.inf`, `~`, `=`, `<<`, anchors, tags, indicators all start elsewhere.
    if is_canonical_uuid(bytes) {
        // Digits first, but no number, date or time resolver accepts the 8-4-4-4-12 shape.
        return true;
    }
    let first_ok = first.is_ascii_alphabetic()
        || first == b'_'
        || first == b'/'
        || option_like(bytes)
        || (first == b'.' && matches!(bytes.get(1), Some(b'/' | b'.')));
    if !first_ok || bytes.last() == Some(&b' ') || bytes.last() == Some(&b':') {
        return false;
    }
    let chars_ok = bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || b" _-./:=,+@%()".contains(b));
    if !chars_ok || text.contains(": ") {
        return false;
    }
    // YAML 1.1 booleans and nulls (PyYAML), plus the 1.1 spec's y/n.
    const WORDS: [&str; 9] = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"];
    !WORDS.iter().any(|w| text.eq_ignore_ascii_case(w))
}

/// `8-4-4-4-12` lowercase hex digits, like every uuid the driver writes.
fn is_canonical_uuid(bytes: &[u8]) -> bool {
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(b),
        })
}

/// `-s` or `--debug`: one or two dashes, then a letter (never a number or `---`).
fn option_like(bytes: &[u8]) -> bool {
    let after = if bytes.starts_with(b"--") {
        bytes.get(2)
    } else if bytes.starts_with(b"-") {
        bytes.get(1)
    } else {
        None
    };
    after.is_some_and(u8::is_ascii_alphabetic)
}

/// A string scalar: plain when safe, else double-quoted with YAML escapes.
pub fn scalar(text: &str) -> Cow<'_, str> {
    if is_plain_safe(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0b' => out.push_str("\\v"),
            '\x0c' => out.push_str("\\f"),
            '\x1b' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            // Not printable for YAML 1.1 readers (PyYAML refuses them raw).
            '\x00'..='\x1f' | '\x7f'..='\u{9f}' => {
                let _ = write!(out, "\\x{:02X}", u32::from(c));
            }
            '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            other => out.push(other),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ReportSpec, Run, parse_report_stream};
    use crate::results::Verdict;
    use proptest::prelude::*;

    #[test]
    fn ambiguous_strings_are_quoted_and_plain_ones_stay_plain() {
        let quoted = [
            "",
            "2026-07-01",
            "2026-07-01 10:00:00",
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "null",
            "~",
            "=",
            "<<",
            "1:20",
            "1_000",
            "0777",
            "0x1F",
            "1e3",
            ".inf",
            "-1",
            "+1",
            "-",
            "a: b",
            "#c",
            "x #c",
            "trail ",
            " lead",
            "end:",
            "*alias",
            "&anchor",
            "!tag",
            "[x]",
            "{x}",
            "|",
            ">",
            "'q'",
            "\"q\"",
            "@at",
            "%pct",
            "`tick`",
            "tab\tx",
            "\x1b[31m",
            ".5",
            ".",
            "1ac26328-d39d-4b24-9705-33d6bb7e131",
            "---",
            "---x",
            "--1",
        ];
        for text in quoted {
            assert!(scalar(text).starts_with('"'), "{text:?} must be quoted");
        }
        let plain = [
            "tc-pass",
            "-s",
            "--debug",
            "subject_root=root",
            "https://example.org/x.yaml",
            "CHECK_MODE=parallel ./scripts/verdicts.sh -r root/data",
            "SCS-compatible IaaS",
            "python done",
            "/abs/path",
            "_x",
            "light,medium",
            "./iaas/check.py -c x",
            "../up",
            "1ac26328-d39d-4b24-9705-33d6bb7e1314",
        ];
        for text in plain {
            assert_eq!(scalar(text), text, "{text:?} should stay plain");
        }
        assert_eq!(
            scalar("a\"b\\c\u{85}\u{2028}\x01"),
            "\"a\\\"b\\\\c\\N\\L\\x01\""
        );
    }

    fn report(argv: Vec<String>, lines: Vec<String>) -> Report {
        let invocation = Invocation {
            id: "inv-1".into(),
            cmd: lines.first().cloned().unwrap_or_default(),
            results: [
                ("tc-a".to_string(), Verdict::Fail),
                ("2026-01-01".to_string(), Verdict::Pass),
            ]
            .into_iter()
            .collect(),
            rc: -15,
            stdout: lines.clone(),
            stderr: lines,
            info: 1,
            warning: 2,
            error: 3,
            critical: 4,
        };
        Report {
            spec: ReportSpec {
                uuid: "u".into(),
                name: "yes".into(),
                url: "https://example.org/s.yaml".into(),
            },
            checked_at: "2026-08-19T14:30:00.123456Z"
                .parse()
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            reference_date: Some(jiff::civil::date(2026, 8, 19)),
            subject: "on".into(),
            run: Run {
                uuid: "r".into(),
                argv: argv.clone(),
                assignment: argv.iter().map(|a| (a.clone(), a.clone())).collect(),
                sections: Some(vec![]),
                forced_version: Some("1.0".into()),
                forced_tests: None,
                invocations: [("inv-1".to_string(), invocation)].into_iter().collect(),
            },
            legacy_versions: None,
        }
    }

    #[test]
    fn key_order_and_shapes_match_upstream() {
        let text = report_to_yaml(&report(vec!["-d".into(), "2026-07-01".into()], vec![]));
        let expected = "---
spec:
  uuid: u
  name: \"yes\"
  url: https://example.org/s.yaml
checked_at: 2026-08-19 14:30:00.123456
reference_date: 2026-08-19
subject: \"on\"
run:
  uuid: r
  argv:
  - -d
  - \"2026-07-01\"
  assignment:
    -d: -d
    \"2026-07-01\": \"2026-07-01\"
  sections: []
  forced_version: \"1.0\"
  forced_tests: null
  invocations:
    inv-1:
      id: inv-1
      cmd: \"\"
      results:
        tc-a: -1
        \"2026-01-01\": 1
      rc: -15
      stdout: []
      stderr: []
      info: 1
      warning: 2
      error: 3
      critical: 4
";
        assert_eq!(text, expected);
    }

    proptest! {
        #[test]
        fn any_strings_round_trip_through_our_parser(
            argv in proptest::collection::vec(any::<String>(), 0..4),
            lines in proptest::collection::vec(any::<String>(), 0..6),
        ) {
            let original = report(argv, lines);
            let text = report_to_yaml(&original);
            let parsed = parse_report_stream(&text);
            prop_assert!(parsed.is_ok(), "{text}\n{parsed:?}");
            let parsed = parsed.unwrap_or_default();
            prop_assert_eq!(parsed.len(), 1);
            prop_assert_eq!(&parsed[0], &original);
        }
    }
}
