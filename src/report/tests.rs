//! Tests of report parsing, merging and writing.

use super::*;
use crate::results::Verdict;
use jiff::Timestamp;

const NEW_STYLE: &str = r#"---
spec:
  uuid: 50393e6f-2ae1-4c5c-a62c-3b75f2abef3f
  name: SCS-compatible IaaS
  url: https://example.org/scs-compatible-iaas.yaml
checked_at: 2026-08-19 14:30:00.123456
reference_date: 2026-08-19
subject: gx-scs
run:
  uuid: 0f5a7ef1-6b8e-4a4d-9a2e-5b8f1c3e9d10
  argv: [-s, gx-scs, -a, os_cloud=gx-scs]
  assignment:
    os_cloud: gx-scs
  sections: null
  forced_version: null
  forced_tests: null
  invocations:
    8c2d7b51-3a5e-4f1c-8d2e-9b0a1c2d3e4f:
      id: 8c2d7b51-3a5e-4f1c-8d2e-9b0a1c2d3e4f
      cmd: ./iaas/openstack_test.py -c gx-scs scs-0100-syntax-check scs-0117-test-backup
      results:
        scs-0100-syntax-check: 1
        scs-0117-test-backup: 0
      rc: 0
      stdout:
      - 'scs-0100-syntax-check: PASS'
      - 'scs-0117-test-backup: ABORT'
      stderr: []
      info: 0
      warning: 0
      error: 0
      critical: 0
      surprise_extra_key: ignored
future_top_level_key: ignored too
"#;

const LEGACY: &str = r#"---
spec: {uuid: 50393e6f-2ae1-4c5c-a62c-3b75f2abef3f, name: SCS-compatible IaaS, url: u}
checked_at: 2025-11-03T08:00:00
reference_date: 2025-11-03
subject: legacy-cloud
run:
  uuid: r-legacy
  argv: []
  assignment: {}
  sections: null
  forced_version: null
  forced_tests: null
  invocations:
    inv-1:
      id: inv-1
      cmd: x
      result: 0
      results: {a: 1, b: 1}
      rc: 0
      stdout: []
      stderr: []
      info: 0
      warning: 0
      error: 0
      critical: 0
versions:
  v5.1:
    a: {result: 1, invocation: inv-1}
    b: {result: -1, invocation: inv-1}
  v4:
    a: {result: 1, invocation: inv-1}
    c: {result: 0, invocation: inv-1}
    d: {result: null}
"#;

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn parses_new_style_report_with_unknown_keys() {
    let reports = parse_report_stream(NEW_STYLE).unwrap();
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(report.spec.uuid, "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f");
    assert_eq!(report.checked_at, ts("2026-08-19T14:30:00.123456Z"));
    assert_eq!(
        report.reference_date.map(|d| d.to_string()).as_deref(),
        Some("2026-08-19")
    );
    assert_eq!(report.subject, "gx-scs");
    assert_eq!(report.run.argv, ["-s", "gx-scs", "-a", "os_cloud=gx-scs"]);
    assert_eq!(report.run.sections, None);
    let invocation = &report.run.invocations["8c2d7b51-3a5e-4f1c-8d2e-9b0a1c2d3e4f"];
    assert_eq!(invocation.results["scs-0117-test-backup"], Verdict::Abort);
    assert_eq!(invocation.stdout.len(), 2);
    assert!(report.legacy_versions.is_none());
    let merged = report.testcase_results();
    assert_eq!(merged.len(), 2);
    assert_eq!(merged["scs-0100-syntax-check"], Verdict::Pass);
}

#[test]
fn multi_document_streams_keep_every_document() {
    let stream = format!("{NEW_STYLE}{LEGACY}---\n");
    let reports = parse_report_stream(&stream).unwrap();
    assert_eq!(reports.len(), 2, "trailing empty document is skipped");
    assert_eq!(reports[1].subject, "legacy-cloud");
}

#[test]
fn empty_stream_has_no_reports() {
    assert!(parse_report_stream("").unwrap().is_empty());
    assert!(
        parse_report_stream("# just a comment\n")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn legacy_versions_merge_worst_per_testcase() {
    let report = &parse_report_stream(LEGACY).unwrap()[0];
    let merged = report.testcase_results();
    // a: PASS everywhere; b: PASS in invocation, FAIL under v5.1 -> FAIL;
    // c: only legacy ABORT; d: null -> absent.
    assert_eq!(merged["a"], Verdict::Pass);
    assert_eq!(merged["b"], Verdict::Fail);
    assert_eq!(merged["c"], Verdict::Abort);
    assert!(!merged.contains_key("d"));
    assert_eq!(merged.keys().copied().collect::<Vec<_>>(), ["a", "b", "c"]);
}

#[test]
fn legacy_bare_integer_entries_are_tolerated() {
    let text = LEGACY.replace("c: {result: 0, invocation: inv-1}", "c: -1");
    let report = &parse_report_stream(&text).unwrap()[0];
    assert_eq!(report.testcase_results()["c"], Verdict::Fail);
}

fn field_error(text: &str) -> (usize, String, FieldProblem) {
    match parse_report_stream(text) {
        Err(ReportError::Field {
            document,
            field,
            problem,
        }) => (document, field, problem),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn errors_name_document_and_field() {
    let bad_verdict = format!(
        "{NEW_STYLE}{}",
        NEW_STYLE.replace("scs-0117-test-backup: 0", "scs-0117-test-backup: 5")
    );
    let (document, field, problem) = field_error(&bad_verdict);
    assert_eq!(document, 2);
    assert_eq!(
        field,
        "run.invocations.8c2d7b51-3a5e-4f1c-8d2e-9b0a1c2d3e4f.results.scs-0117-test-backup"
    );
    assert_eq!(problem, FieldProblem::InvalidVerdict("5".into()));

    let (_, field, problem) = field_error(&NEW_STYLE.replace("subject: gx-scs\n", ""));
    assert_eq!(
        (field.as_str(), problem),
        ("subject", FieldProblem::Missing)
    );

    let (_, field, problem) =
        field_error(&NEW_STYLE.replace("2026-08-19 14:30:00.123456", "last tuesday"));
    assert_eq!(field, "checked_at");
    assert!(matches!(problem, FieldProblem::InvalidTimestamp { .. }));

    let (_, field, _) = field_error(&NEW_STYLE.replace("rc: 0", "rc: [1]"));
    assert!(field.ends_with(".rc"), "{field}");

    let (_, field, _) = field_error(&NEW_STYLE.replace("warning: 0", "warning: -3"));
    assert!(field.ends_with(".warning"), "{field}");

    let (_, field, problem) =
        field_error(&NEW_STYLE.replace("  uuid: 50393e6f-2ae1-4c5c-a62c-3b75f2abef3f\n", ""));
    assert_eq!(
        (field.as_str(), problem),
        ("spec.uuid", FieldProblem::Missing)
    );

    let message = parse_report_stream(
        &NEW_STYLE.replace("scs-0100-syntax-check: 1", "scs-0100-syntax-check: PASS"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        message.starts_with("document 1: field `run.invocations."),
        "{message}"
    );
}

#[test]
fn non_mapping_and_broken_yaml_are_errors() {
    assert!(matches!(
        parse_report_stream("---\n- a\n- b\n"),
        Err(ReportError::NotAMapping { document: 1, .. })
    ));
    let broken = format!("{NEW_STYLE}---\nspec: [unclosed\n");
    assert!(matches!(
        parse_report_stream(&broken),
        Err(ReportError::Yaml { document: 2, .. })
    ));
}

#[test]
fn writer_uses_upstream_key_order_and_round_trips() {
    let report = parse_report_stream(NEW_STYLE).unwrap().remove(0);
    let yaml = write_report_yaml(&report);
    assert!(yaml.starts_with("---\nspec:\n  uuid: 50393e6f"), "{yaml}");
    let top_keys: Vec<&str> = yaml
        .lines()
        .filter(|l| !l.starts_with([' ', '-']) && l.contains(':'))
        .map(|l| l.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        top_keys,
        ["spec", "checked_at", "reference_date", "subject", "run"]
    );
    assert!(
        yaml.contains("\nchecked_at: 2026-08-19 14:30:00.123456\n"),
        "{yaml}"
    );
    assert!(yaml.contains("\nreference_date: 2026-08-19\n"), "{yaml}");
    let order = [
        "  uuid: 0f5a7ef1",
        "  argv:",
        "  assignment:",
        "  sections: null",
        "  forced_version: null",
        "  forced_tests: null",
        "  invocations:",
        "      id:",
        "      cmd:",
        "      results:",
        "      rc:",
        "      stdout:",
        "      stderr:",
        "      info:",
        "      warning:",
        "      error:",
        "      critical:",
    ];
    let mut last = 0;
    for key in order {
        let at = yaml[last..].find(key).map(|i| i + last);
        assert!(at.is_some(), "{key} missing or out of order in\n{yaml}");
        last = at.unwrap_or(last);
    }
    let again = parse_report_stream(&yaml).unwrap().remove(0);
    assert_eq!(again, report);
}

#[test]
fn stream_writer_round_trips_legacy_reports() {
    let reports = parse_report_stream(&format!("{NEW_STYLE}{LEGACY}")).unwrap();
    let text = write_report_stream(&reports);
    assert_eq!(text.matches("---\n").count(), 2);
    assert_eq!(parse_report_stream(&text).unwrap(), reports);
}

#[test]
fn writer_quotes_what_yaml_1_1_would_mistype() {
    let mut report = parse_report_stream(NEW_STYLE).unwrap().remove(0);
    let tricky = ["on", "yes", "2026-07-01", "1:20", "=", "~", "0x1F", "null"];
    report.run.argv = tricky.iter().map(|s| (*s).to_owned()).collect();
    let yaml = write_report_yaml(&report);
    for item in tricky {
        assert!(
            !yaml.contains(&format!("\n  - {item}\n")),
            "{item} written plain:\n{yaml}"
        );
    }
    assert!(
        yaml.contains("\nchecked_at: 2026-08-19 14:30:00.123456\n"),
        "{yaml}"
    );
    assert_eq!(parse_report_stream(&yaml).unwrap().remove(0), report);
}
