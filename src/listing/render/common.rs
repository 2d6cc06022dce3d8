//! Helpers shared by the renderers: dates, labels, link resolution.

use crate::listing::model::{
    CertificateEntry, CertificateState, Certification, Listing, RunOutcome, ScopeResult,
    TestVerdict,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `YYYY-MM-DD` of `ts` in UTC.
pub fn date(ts: Timestamp) -> String {
    ts.to_zoned(TimeZone::UTC).date().to_string()
}

/// `YYYY-MM-DD HH:MM UTC` of `ts`.
pub fn date_time(ts: Timestamp) -> String {
    ts.to_zoned(TimeZone::UTC)
        .strftime("%Y-%m-%d %H:%M UTC")
        .to_string()
}

/// `YYYY-MM` of `ts` in UTC.
pub fn month(ts: Timestamp) -> String {
    ts.to_zoned(TimeZone::UTC).strftime("%Y-%m").to_string()
}

/// Section title of a certification class.
pub fn certification_title(c: Certification) -> &'static str {
    match c {
        Certification::Certified => "Certified",
        Certification::SelfAssessed => "Self-assessed",
        Certification::NotCertified => "Not certified",
    }
}

/// Short stable token of a certification class (CSS classes, data attributes).
pub fn certification_token(c: Certification) -> &'static str {
    match c {
        Certification::Certified => "certified",
        Certification::SelfAssessed => "self-assessed",
        Certification::NotCertified => "not-certified",
    }
}

/// Short stable token of a scope result.
pub fn result_token(r: ScopeResult) -> &'static str {
    match r {
        ScopeResult::Fail => "fail",
        ScopeResult::Missing => "missing",
        ScopeResult::NoData => "no-data",
        ScopeResult::Abort => "abort",
        ScopeResult::Pass => "pass",
    }
}

/// Human label of a scope result.
pub fn result_label(r: ScopeResult) -> &'static str {
    match r {
        ScopeResult::Fail => "failing",
        ScopeResult::Missing => "results missing",
        ScopeResult::NoData => "no results",
        ScopeResult::Abort => "inconclusive",
        ScopeResult::Pass => "passing",
    }
}

/// Symbol of a testcase verdict on the detail page (DOMAIN 6.6); `blocking` FAILs (in a
/// non-draft version's main target) are 🛑, others 🟧.
pub fn verdict_symbol(v: TestVerdict, blocking: bool) -> &'static str {
    match v {
        TestVerdict::Fail if blocking => "🛑",
        TestVerdict::Fail => "🟧",
        TestVerdict::Missing => "❓",
        TestVerdict::Abort => "❔",
        TestVerdict::Pass => "✅",
    }
}

/// Group heading of a testcase verdict.
pub fn verdict_heading(v: TestVerdict) -> &'static str {
    match v {
        TestVerdict::Fail => "Failed",
        TestVerdict::Missing => "Missing",
        TestVerdict::Abort => "Did not finish (ABORT)",
        TestVerdict::Pass => "Passed",
    }
}

/// Lower-case token of a testcase verdict.
pub fn verdict_token(v: TestVerdict) -> &'static str {
    match v {
        TestVerdict::Fail => "fail",
        TestVerdict::Missing => "missing",
        TestVerdict::Abort => "abort",
        TestVerdict::Pass => "pass",
    }
}

/// Human label of a run outcome.
pub fn outcome_label(o: RunOutcome) -> &'static str {
    match o {
        RunOutcome::ReportReceived => "report received",
        RunOutcome::NoReport => "no report",
        RunOutcome::Skipped => "skipped",
        RunOutcome::Unknown => "unknown",
    }
}

/// Lower-case token of a certificate state.
pub fn state_token(s: CertificateState) -> &'static str {
    match s {
        CertificateState::Pending => "pending",
        CertificateState::Refused => "refused",
        CertificateState::Valid => "valid",
        CertificateState::Expiring => "expiring",
        CertificateState::Expired => "expired",
        CertificateState::Revoked => "revoked",
        CertificateState::Unknown => "unknown",
    }
}

/// One-line summary of a certificate, e.g. `v5.1, valid until 2027-03-01 (self-assessed)`.
pub fn certificate_line(c: &CertificateEntry) -> String {
    let version = c.version.as_deref().unwrap_or("–");
    let state = match (c.state, c.not_after, c.revoked_at) {
        (CertificateState::Revoked, _, Some(at)) => format!("revoked on {}", date(at)),
        (CertificateState::Valid, Some(end), _) => format!("valid until {}", date(end)),
        (CertificateState::Expiring, Some(end), _) => format!("expiring on {}", date(end)),
        (CertificateState::Expired, Some(end), _) => format!("expired on {}", date(end)),
        (state, _, _) => state_token(state).to_owned(),
    };
    let kind = if c.self_assessed {
        " (self-assessed)"
    } else {
        ""
    };
    format!("{version}, {state}{kind}")
}

/// `path` (relative to the site root) as seen from a page `depth` segments deep, or
/// absolute under the listing's base URL when `absolute` and one is configured.
pub fn link(listing: &Listing, path: &str, depth: usize, absolute: bool) -> String {
    if absolute && let Some(base) = listing.base_url.as_deref() {
        return format!("{}/{}", base.trim_end_matches('/'), path);
    }
    let up = "../".repeat(depth);
    if path.is_empty() && up.is_empty() {
        "./".to_owned()
    } else {
        format!("{up}{path}")
    }
}
