//! The public, redacted view of a stored report (DOMAIN 6.4, upstream #904): per invocation
//! only the verdict lines of stdout and the warning/error lines of stderr, a marker where
//! anything was dropped, the parsed results with an anchor per testcase. Pure.
//!
//! Deviation from upstream: the variable assignment, the argv and the invocation command
//! lines are not shown at all, because their values come from `spec.target.variables`, which
//! the listing never publishes.

use crate::listing::escape::html as esc;
use crate::listing::model::Listing;
use crate::listing::render::common::{date_time, link};
use crate::report::{Invocation, Report};
use std::fmt::Write as _;

/// The marker line inserted where lines were dropped.
pub const REDACTED_MARKER: &str = "(the following has been redacted)";

/// Lines of one stream after redaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedactedLines {
    /// Kept lines, with [`REDACTED_MARKER`] where lines were dropped.
    pub lines: Vec<String>,
    /// Whether anything was dropped.
    pub redacted: bool,
}

fn keep_lines(lines: &[String], keep: impl Fn(&str) -> bool) -> RedactedLines {
    let mut out = RedactedLines::default();
    let mut dropping = false;
    for line in lines {
        if keep(line) {
            out.lines.push(line.clone());
            dropping = false;
        } else {
            out.redacted = true;
            if !dropping {
                out.lines.push(REDACTED_MARKER.to_owned());
                dropping = true;
            }
        }
    }
    out
}

/// stdout: only lines whose text after the last `": "` is PASS, ABORT or FAIL.
pub fn redact_stdout(lines: &[String]) -> RedactedLines {
    keep_lines(lines, |line| {
        line.rsplit_once(": ")
            .is_some_and(|(_, verdict)| matches!(verdict.trim_end(), "PASS" | "ABORT" | "FAIL"))
    })
}

/// stderr: only lines starting with `WARNIN` or `ERROR:` (`CRITICAL:` is dropped too).
pub fn redact_stderr(lines: &[String]) -> RedactedLines {
    keep_lines(lines, |line| {
        line.starts_with("WARNIN") || line.starts_with("ERROR:")
    })
}

fn pre(out: &mut String, title: &str, lines: &RedactedLines) {
    let _ = write!(
        out,
        "<details{}><summary>{title} ({} lines{})</summary><pre>",
        if lines.lines.is_empty() { "" } else { " open" },
        lines.lines.len(),
        if lines.redacted { ", redacted" } else { "" }
    );
    for line in &lines.lines {
        let strong = line.starts_with("WARNIN") || line.starts_with("ERROR");
        if strong {
            let _ = writeln!(out, "<strong>{}</strong>", esc(line));
        } else {
            let _ = writeln!(out, "{}", esc(line));
        }
    }
    out.push_str("</pre></details>\n");
}

fn invocation(out: &mut String, index: usize, inv: &Invocation) {
    let _ = writeln!(
        out,
        "<section class=\"invocation\"><h3>Invocation {}</h3>\n<p>Exit code {}; {} critical, {} \
         errors, {} warnings.</p>",
        index + 1,
        inv.rc,
        inv.critical,
        inv.error,
        inv.warning
    );
    if !inv.results.is_empty() {
        out.push_str("<ul class=\"results\">\n");
        for (testcase, verdict) in &inv.results {
            let _ = writeln!(
                out,
                "<li id=\"{}\"><code>{}</code>: {}</li>",
                esc(testcase),
                esc(testcase),
                verdict.name()
            );
        }
        out.push_str("</ul>\n");
    }
    pre(out, "stdout", &redact_stdout(&inv.stdout));
    pre(out, "stderr", &redact_stderr(&inv.stderr));
    out.push_str("</section>\n");
}

/// The redacted report page (served at `report/<uuid>`, two segments deep).
pub fn report_page(listing: &Listing, report: &Report) -> String {
    const DEPTH: usize = 1;
    let mut body = String::with_capacity(4096);
    let _ = writeln!(
        body,
        "<h1>Report <code>{}</code></h1>\n<dl>\n<dt>Subject</dt><dd>{}</dd>\n<dt>Scope</dt><dd>{} \
         <small><code>{}</code></small></dd>\n<dt>Checked</dt><dd><time datetime=\"{}\">{}</time></dd>\n</dl>\n\
         <p class=\"muted\">Public view: stdout keeps only verdict lines and stderr only warnings \
         and errors; variables and command lines are not shown.</p>",
        esc(&report.run.uuid),
        esc(&report.subject),
        esc(&report.spec.name),
        esc(&report.spec.uuid),
        report.checked_at,
        date_time(report.checked_at),
    );
    for (index, inv) in report.run.invocations.values().enumerate() {
        invocation(&mut body, index, inv);
    }
    let _ = writeln!(
        body,
        "<p><a href=\"{}\">Back to the listing</a></p>",
        esc(&link(listing, "", DEPTH, false))
    );
    crate::listing::render::html::page(
        listing,
        &format!("Report {}", report.run.uuid),
        DEPTH,
        &body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[&str]) -> Vec<String> {
        text.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn stdout_keeps_only_verdict_lines() {
        let out = redact_stdout(&lines(&[
            "connecting to cloud secret-cloud with token abc",
            "scs-0100-syntax: PASS",
            "debug: x",
            "more",
            "scs-0101-x: FAIL",
            "a: b: ABORT",
        ]));
        assert_eq!(
            out.lines,
            [
                REDACTED_MARKER,
                "scs-0100-syntax: PASS",
                REDACTED_MARKER,
                "scs-0101-x: FAIL",
                "a: b: ABORT"
            ]
        );
        assert!(out.redacted);
        let clean = redact_stdout(&lines(&["t: PASS"]));
        assert!(!clean.redacted);
    }

    #[test]
    fn stderr_keeps_warnings_and_errors() {
        let out = redact_stderr(&lines(&[
            "WARNING: flavor missing",
            "ERROR: image missing",
            "CRITICAL: password=hunter2",
            "INFO: x",
        ]));
        assert_eq!(
            out.lines,
            [
                "WARNING: flavor missing",
                "ERROR: image missing",
                REDACTED_MARKER
            ]
        );
    }
}
