//! HTML pages: the overview (`index.html`), a status page per subject and scope, a page per
//! group and scope, and a not-found page. Plain, self-contained HTML: inline CSS, no
//! JavaScript, no external assets; every user-provided string goes through
//! [`escape::html`](crate::listing::escape::html).

use crate::listing::escape::{external_url, html as esc};
use crate::listing::model::{
    CertificateEntry, CertificateState, Certification, CloudEntry, GroupEntry, HistoryPoint,
    Listing, RunOutcome, ScopeRef, TestVerdict,
};
use crate::listing::render::common::{
    certificate_line, certification_title, certification_token, date, date_time, link, month,
    outcome_label, result_label, result_token, state_token, verdict_heading, verdict_symbol,
    verdict_token,
};
use crate::listing::retention::months_after;
use std::fmt::Write as _;

const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--info:#0969da}\
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#30363d;--pass:#3fb950;--fail:#f85149;--warn:#d29922;--info:#58a6ff}}\
body{font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:72rem;padding:1rem}\
a{color:var(--info)}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid var(--line)}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:color-mix(in srgb,var(--line) 35%,transparent)}caption{text-align:left;color:var(--muted);padding:.2rem 0}\
.muted,small{color:var(--muted)}code{font-size:.9em}.badge{white-space:nowrap;font-weight:600;text-decoration:none}\
.r-pass{color:var(--pass)}.r-fail{color:var(--fail)}.r-missing,.r-abort{color:var(--warn)}.r-no-data{color:var(--muted)}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}\
.timeline{display:flex;flex-wrap:wrap;gap:2px;list-style:none;padding:0;margin:.5rem 0}\
.timeline li{width:2.6rem;height:2.6rem;font-size:.65rem;line-height:1.1;display:flex;flex-direction:column;align-items:center;justify-content:center;border:1px solid var(--line);border-radius:3px}\
.t-none{color:var(--muted)}.t-ok{background:color-mix(in srgb,var(--pass) 30%,transparent)}.t-warn{background:color-mix(in srgb,var(--warn) 35%,transparent)}.t-bad{background:color-mix(in srgb,var(--fail) 35%,transparent)}\
.state-revoked,.state-refused{color:var(--fail);font-weight:600}.state-expired{color:var(--muted)}.state-valid{color:var(--pass)}.state-expiring{color:var(--warn)}\
pre{white-space:pre-wrap;overflow-wrap:anywhere;border:1px solid var(--line);padding:.5rem}\
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}";

const LEGEND: &str = "<p class=\"muted\">Legend: ✅ passing, ✅* passing with inconclusive \
testcases, 🟧 results missing or only a version that expires soon passes, 🛑 failing or only \
an outdated version passes. Version marks: <code>*</code> draft, <code>†</code> expires soon \
(warn), <code>††</code> deprecated.</p>";

/// Opens a page: doctype, head (title, inline style) and the start of the body.
fn open(out: &mut String, listing: &Listing, title: &str, depth: usize) {
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"scs-cert-operator\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n\
         <a class=\"sr-only\" href=\"#main\">Skip to content</a>\n\
         <header><nav aria-label=\"Listing\"><a href=\"{}\">{}</a></nav></header>\n\
         <main id=\"main\">",
        esc(title),
        esc(&link(listing, "", depth, false)),
        esc(&listing.title),
    );
}

fn close(out: &mut String, listing: &Listing, depth: usize) {
    let _ = write!(
        out,
        "</main>\n<footer><p class=\"muted\">Machine-readable: <a href=\"{}\">listing.json</a> · \
         <a href=\"{}\">listing.md</a> · <a href=\"{}\">certificate revocation list \
         (crl.json)</a>",
        esc(&link(listing, "listing.json", depth, false)),
        esc(&link(listing, "listing.md", depth, false)),
        esc(&link(listing, "crl.json", depth, false)),
    );
    if let Some(at) = listing.data_updated_at {
        let _ = write!(
            out,
            " · data as of <time datetime=\"{at}\">{}</time>",
            date_time(at)
        );
    }
    out.push_str("</p></footer>\n</body>\n</html>\n");
}

fn badge_link(out: &mut String, listing: &Listing, entry: &CloudEntry, depth: usize) {
    let _ = write!(
        out,
        "<a class=\"badge r-{}\" href=\"{}\" aria-label=\"{}: {}, status page of {}\">{}</a>",
        result_token(entry.result),
        esc(&link(listing, &entry.links.detail, depth, false)),
        esc(&entry.badge),
        result_label(entry.result),
        esc(&entry.display_name),
        esc(&entry.badge),
    );
}

fn health_link(out: &mut String, url: Option<&str>) {
    match url.and_then(external_url) {
        Some(url) => {
            let _ = write!(
                out,
                "<a href=\"{}\" rel=\"nofollow noopener\">health monitor</a>",
                esc(url)
            );
        }
        None => out.push('–'),
    }
}

fn time(ts: jiff::Timestamp) -> String {
    format!("<time datetime=\"{ts}\">{}</time>", date(ts))
}

/// The overview page (`index.html`): per scope, the certified, self-assessed and not
/// certified subjects with their badges (linked to their status pages) and group rollups;
/// then certified integrators and the revocation list.
pub fn index(listing: &Listing) -> String {
    let mut out = String::with_capacity(4096 + listing.clouds.len() * 600);
    open(&mut out, listing, &listing.title, 0);
    let _ = writeln!(out, "<h1>{}</h1>", esc(&listing.title));
    if listing.scopes.is_empty() {
        out.push_str("<p>No clouds are listed yet.</p>\n");
    }
    for (index, scope) in listing.scopes.iter().enumerate() {
        let _ = writeln!(
            out,
            "<section aria-labelledby=\"scope-{index}\" data-scope=\"{}\">\n\
             <h2 id=\"scope-{index}\">{}</h2>",
            esc(&scope.uuid),
            esc(&scope.name)
        );
        for class in [
            Certification::Certified,
            Certification::SelfAssessed,
            Certification::NotCertified,
        ] {
            scope_table(&mut out, listing, scope, class);
        }
        group_table(&mut out, listing, scope);
        out.push_str("</section>\n");
    }
    integrators(&mut out, listing);
    revocations(&mut out, listing);
    out.push_str(LEGEND);
    out.push('\n');
    close(&mut out, listing, 0);
    out
}

fn scope_table(out: &mut String, listing: &Listing, scope: &ScopeRef, class: Certification) {
    let rows: Vec<&CloudEntry> = listing
        .clouds
        .iter()
        .filter(|c| c.scope.uuid == scope.uuid && c.certification == class)
        .collect();
    if rows.is_empty() && class == Certification::SelfAssessed {
        return;
    }
    let _ = writeln!(
        out,
        "<h3>{} <small>({})</small></h3>",
        certification_title(class),
        rows.len()
    );
    if rows.is_empty() {
        out.push_str("<p class=\"muted\">None.</p>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<table class=\"clouds\" data-certification=\"{}\">\n<thead><tr><th scope=\"col\">Name</th>\
         <th scope=\"col\">Provider</th><th scope=\"col\">Compliance</th>\
         <th scope=\"col\">Certificate</th><th scope=\"col\">Health</th></tr></thead>\n<tbody>",
        certification_token(class)
    );
    for entry in rows {
        let _ = write!(
            out,
            "<tr data-subject=\"{}\" data-result=\"{}\"><th scope=\"row\">{} <small><code>{}</code></small></th><td>{}</td><td>",
            esc(&entry.subject),
            result_token(entry.result),
            esc(&entry.display_name),
            esc(&entry.subject),
            entry.provider.as_deref().map(esc).unwrap_or("–".into()),
        );
        badge_link(out, listing, entry, 0);
        out.push_str("</td><td>");
        match &entry.certificate {
            Some(c) => {
                let _ = write!(
                    out,
                    "<span class=\"state-{}\">{}</span>",
                    state_token(c.state),
                    esc(&certificate_line(c))
                );
            }
            None => out.push('–'),
        }
        out.push_str("</td><td>");
        health_link(out, entry.health_monitor_url.as_deref());
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn group_table(out: &mut String, listing: &Listing, scope: &ScopeRef) {
    let groups: Vec<&GroupEntry> = listing
        .groups
        .iter()
        .filter(|g| g.scope.uuid == scope.uuid)
        .collect();
    if groups.is_empty() {
        return;
    }
    out.push_str(
        "<h3>Groups</h3>\n<table class=\"groups\">\n<thead><tr><th scope=\"col\">Group</th>\
         <th scope=\"col\">Worst member</th><th scope=\"col\">Members</th></tr></thead>\n<tbody>\n",
    );
    for group in groups {
        let _ = write!(
            out,
            "<tr data-group=\"{}\"><th scope=\"row\">{}</th><td><a class=\"badge r-{}\" href=\"{}\">{}</a></td><td>",
            esc(&group.name),
            esc(&group.name),
            result_token(group.result),
            esc(&link(listing, &group.links.detail, 0, false)),
            esc(&group.badge),
        );
        let names: Vec<String> = group
            .members
            .iter()
            .map(|m| esc(&m.display_name).into_owned())
            .collect();
        out.push_str(&names.join(", "));
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn integrators(out: &mut String, listing: &Listing) {
    let listed: Vec<_> = listing.integrators.iter().filter(|i| i.listed).collect();
    let _ = writeln!(
        out,
        "<section aria-labelledby=\"integrators\"><h2 id=\"integrators\">Certified integrators \
         <small>({})</small></h2>",
        listed.len()
    );
    if listed.is_empty() {
        out.push_str("<p class=\"muted\">None.</p></section>\n");
        return;
    }
    out.push_str(
        "<table class=\"integrators\">\n<thead><tr><th scope=\"col\">Organisation</th>\
         <th scope=\"col\">Layer</th><th scope=\"col\">Tier</th><th scope=\"col\">Score</th>\
         <th scope=\"col\">Valid from</th><th scope=\"col\">Valid until</th>\
         <th scope=\"col\">State</th></tr></thead>\n<tbody>\n",
    );
    for i in listed {
        let state = match i.state {
            crate::listing::model::IntegratorState::Valid => "valid",
            crate::listing::model::IntegratorState::Expired => "expired",
            crate::listing::model::IntegratorState::NotYetValid => "not yet valid",
        };
        let _ = writeln!(
            out,
            "<tr data-organization=\"{}\"><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"state-{}\">{}</td></tr>",
            esc(&i.organization),
            esc(&i.organization),
            esc(&i.layer),
            i.tier.as_deref().map(esc).unwrap_or("–".into()),
            i.score.map_or("–".to_owned(), |s| s.to_string()),
            i.not_before.map_or("–".to_owned(), time),
            time(i.not_after),
            state.replace(' ', "-"),
            state,
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn revocations(out: &mut String, listing: &Listing) {
    let _ = writeln!(
        out,
        "<section aria-labelledby=\"revocations\"><h2 id=\"revocations\">Revoked certificates \
         <small>({})</small></h2>",
        listing.revocations.len()
    );
    if listing.revocations.is_empty() {
        out.push_str("<p class=\"muted\">None.</p></section>\n");
        return;
    }
    out.push_str(
        "<table class=\"revocations\">\n<thead><tr><th scope=\"col\">Serial</th>\
         <th scope=\"col\">Subject</th><th scope=\"col\">Scope</th><th scope=\"col\">Version</th>\
         <th scope=\"col\">Revoked</th><th scope=\"col\">Reason</th></tr></thead>\n<tbody>\n",
    );
    for r in &listing.revocations {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.serial.as_deref().map(esc).unwrap_or("–".into()),
            esc(&r.subject),
            esc(&r.scope.name),
            r.version.as_deref().map(esc).unwrap_or("–".into()),
            r.revoked_at.map_or("–".to_owned(), time),
            r.reason.as_deref().map(esc).unwrap_or("–".into()),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// The status page of one subject and scope (served at `detail/<subject>/<scope>`).
pub fn detail(listing: &Listing, entry: &CloudEntry) -> String {
    const DEPTH: usize = 2;
    let mut out = String::with_capacity(8192 + entry.results.len() * 300);
    let title = format!("{} – {}", entry.display_name, entry.scope.name);
    open(&mut out, listing, &title, DEPTH);
    let _ = writeln!(
        out,
        "<h1>{} <small>{}</small></h1>\n<dl class=\"facts\">\n<dt>Subject</dt><dd><code>{}</code></dd>\n\
         <dt>Scope</dt><dd>{} <small><code>{}</code></small></dd>",
        esc(&entry.display_name),
        esc(&entry.scope.name),
        esc(&entry.subject),
        esc(&entry.scope.name),
        esc(&entry.scope.uuid),
    );
    if let Some(provider) = &entry.provider {
        let _ = writeln!(out, "<dt>Provider</dt><dd>{}</dd>", esc(provider));
    }
    out.push_str("<dt>Compliance</dt><dd>");
    badge_link(&mut out, listing, entry, DEPTH);
    let _ = writeln!(
        out,
        " <span class=\"muted\">{}</span></dd>",
        result_label(entry.result)
    );
    out.push_str("<dt>Certification</dt><dd>");
    match &entry.certificate {
        Some(c) => {
            let _ = write!(
                out,
                "<span class=\"state-{}\" data-certificate-state=\"{}\">{}</span>",
                state_token(c.state),
                state_token(c.state),
                esc(&certificate_line(c))
            );
        }
        None => out.push_str("not certified"),
    }
    out.push_str("</dd>\n");
    if let Some(group) = &entry.group {
        let path = crate::listing::build::group_path(group, &entry.scope.uuid);
        let _ = writeln!(
            out,
            "<dt>Group</dt><dd><a href=\"{}\">{}</a></dd>",
            esc(&link(listing, &path, DEPTH, false)),
            esc(group)
        );
    }
    out.push_str("<dt>Health monitor</dt><dd>");
    health_link(&mut out, entry.health_monitor_url.as_deref());
    out.push_str("</dd>\n");
    if let Some(at) = entry.evaluated_at {
        let _ = writeln!(
            out,
            "<dt>Evaluated</dt><dd><time datetime=\"{at}\">{}</time></dd>",
            date_time(at)
        );
    }
    out.push_str("</dl>\n");
    if let Some(description) = &entry.description {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", esc(description));
    }

    certificate_section(&mut out, listing, entry, DEPTH);
    versions_section(&mut out, entry);
    testcases_section(&mut out, entry);
    history_section(&mut out, entry);
    certificate_history(&mut out, entry);
    out.push_str(LEGEND);
    out.push('\n');
    close(&mut out, listing, DEPTH);
    out
}

fn certificate_section(out: &mut String, listing: &Listing, entry: &CloudEntry, depth: usize) {
    out.push_str(
        "<section aria-labelledby=\"certificate\"><h2 id=\"certificate\">Certificate</h2>\n",
    );
    let Some(c) = &entry.certificate else {
        out.push_str("<p>No certificate is listed for this cloud and scope.</p>\n");
        embed_snippet(out, listing, entry, depth);
        out.push_str("</section>\n");
        return;
    };
    let kind = if c.self_assessed {
        "Self-assessed (not an official certificate)"
    } else {
        "Official (granted by the certification body)"
    };
    let _ = writeln!(
        out,
        "<dl class=\"certificate\">\n<dt>State</dt><dd class=\"state-{}\">{}</dd>\n<dt>Kind</dt><dd>{}</dd>",
        state_token(c.state),
        c.state.name(),
        kind
    );
    certificate_facts(out, c);
    out.push_str("</dl>\n");
    embed_snippet(out, listing, entry, depth);
    out.push_str("</section>\n");
}

fn certificate_facts(out: &mut String, c: &CertificateEntry) {
    if let Some(serial) = &c.serial {
        let _ = writeln!(out, "<dt>Serial</dt><dd><code>{}</code></dd>", esc(serial));
    }
    if let Some(version) = &c.version {
        let _ = writeln!(out, "<dt>Version</dt><dd>{}</dd>", esc(version));
    }
    if let Some(by) = &c.granted_by {
        let _ = writeln!(out, "<dt>Granted by</dt><dd>{}</dd>", esc(by));
    }
    if let Some(reference) = &c.reference {
        match external_url(reference) {
            Some(url) => {
                let _ = writeln!(
                    out,
                    "<dt>Decision</dt><dd><a href=\"{}\" rel=\"nofollow noopener\">{}</a></dd>",
                    esc(url),
                    esc(url)
                );
            }
            None => {
                let _ = writeln!(out, "<dt>Decision</dt><dd>{}</dd>", esc(reference));
            }
        }
    }
    for (label, value) in [
        ("Valid from", c.not_before),
        ("Valid until", c.not_after),
        ("Renewal from", c.renewal_time),
        ("Revoked", c.revoked_at),
    ] {
        if let Some(ts) = value {
            let _ = writeln!(out, "<dt>{label}</dt><dd>{}</dd>", time(ts));
        }
    }
    if let Some(reason) = &c.revocation_reason {
        let _ = writeln!(out, "<dt>Revocation reason</dt><dd>{}</dd>", esc(reason));
    }
}

/// SCS-0004 item 6: the logo must link to the status page; the snippet does exactly that.
fn embed_snippet(out: &mut String, listing: &Listing, entry: &CloudEntry, depth: usize) {
    let Some(badge) = &entry.links.badge else {
        return;
    };
    let page = link(listing, &entry.links.detail, depth, true);
    let image = link(listing, badge, depth, true);
    let snippet = format!(
        "<a href=\"{}\"><img src=\"{}\" alt=\"{} – {}\"></a>",
        esc(&page),
        esc(&image),
        esc(&entry.scope.name),
        esc(&entry.display_name)
    );
    let _ = writeln!(
        out,
        "<p>Badge (it links to this page, as SCS-0004 requires): \
         <a href=\"{}\"><img src=\"{}\" alt=\"{} badge of {}\" height=\"20\"></a></p>\n\
         <details><summary>Embed the badge</summary><pre><code>{}</code></pre></details>",
        esc(&link(listing, &entry.links.detail, depth, false)),
        esc(&link(listing, badge, depth, false)),
        esc(&entry.scope.name),
        esc(&entry.display_name),
        esc(&snippet),
    );
}

fn versions_section(out: &mut String, entry: &CloudEntry) {
    out.push_str("<section aria-labelledby=\"versions\"><h2 id=\"versions\">Versions</h2>\n");
    if entry.versions.is_empty() {
        out.push_str("<p>No recent test results.</p></section>\n");
        return;
    }
    out.push_str(
        "<table class=\"versions\">\n<thead><tr><th scope=\"col\">Version</th>\
         <th scope=\"col\">Validity</th><th scope=\"col\">Verdict</th></tr></thead>\n<tbody>\n",
    );
    for v in &entry.versions {
        let mark = crate::evaluation::validity_suffix(&crate::scope::Validity::parse(&v.validity));
        let _ = writeln!(
            out,
            "<tr data-version=\"{}\"><th scope=\"row\">{}{}</th><td>{}</td><td class=\"r-{}\">{} {}</td></tr>",
            esc(&v.name),
            esc(&v.name),
            mark,
            esc(&v.validity),
            verdict_token(v.result),
            verdict_symbol(v.result, v.validity != "draft"),
            v.result.name(),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn testcases_section(out: &mut String, entry: &CloudEntry) {
    out.push_str("<section aria-labelledby=\"testcases\"><h2 id=\"testcases\">Testcases</h2>\n");
    if entry.results.is_empty() {
        out.push_str("<p>No recent test results.</p></section>\n");
        return;
    }
    // Version columns: the non-draft versions, as the public view hides drafts.
    let columns: Vec<&str> = entry
        .versions
        .iter()
        .filter(|v| v.validity != "draft")
        .map(|v| v.name.as_str())
        .collect();
    for verdict in [
        TestVerdict::Fail,
        TestVerdict::Missing,
        TestVerdict::Abort,
        TestVerdict::Pass,
    ] {
        let rows: Vec<_> = entry
            .results
            .iter()
            .filter(|r| r.result == verdict)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<table class=\"testcases\" data-verdict=\"{}\">\n<caption>{} ({}); a ✗ marks the \
             versions whose main target the testcase keeps from passing</caption>\n<thead><tr>\
             <th scope=\"col\"><span class=\"sr-only\">Verdict</span></th><th scope=\"col\">Testcase</th>\
             <th scope=\"col\">Checked</th><th scope=\"col\">Valid until</th>",
            verdict_token(verdict),
            verdict_heading(verdict),
            rows.len()
        );
        for column in &columns {
            let _ = write!(out, "<th scope=\"col\">{}</th>", esc(column));
        }
        out.push_str("<th scope=\"col\">Report</th></tr></thead>\n<tbody>\n");
        for r in rows {
            let blocking = r.blocks.iter().any(|b| columns.contains(&b.as_str()));
            let _ = write!(
                out,
                "<tr data-testcase=\"{}\"><td><span role=\"img\" aria-label=\"{}\">{}</span></td><td><code>{}</code></td><td>{}</td><td>{}</td>",
                esc(&r.testcase),
                r.result.name(),
                verdict_symbol(r.result, blocking),
                esc(&r.testcase),
                r.checked_at.map_or("–".to_owned(), time),
                r.expires_at.map_or("–".to_owned(), time),
            );
            for column in &columns {
                if r.blocks.iter().any(|b| b == column) {
                    out.push_str("<td>✗</td>");
                } else {
                    out.push_str("<td></td>");
                }
            }
            // The report page is served by the operator (redacted); the link names the run.
            let _ = writeln!(
                out,
                "<td>{}</td></tr>",
                r.report
                    .as_deref()
                    .map(|u| format!(
                        "<a href=\"../../report/{}#{}\"><code>{}</code></a>",
                        esc(&crate::listing::escape::path_segment(u)),
                        esc(&crate::listing::escape::path_segment(&r.testcase)),
                        esc(u.get(..8).unwrap_or(u))
                    ))
                    .unwrap_or_else(|| "–".to_owned())
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

/// Months shown in the compact timeline.
const TIMELINE_MONTHS: i64 = 18;

fn history_section(out: &mut String, entry: &CloudEntry) {
    out.push_str(
        "<section aria-labelledby=\"history\"><h2 id=\"history\">History (18 months)</h2>\n",
    );
    let Some(newest) = entry.history.first() else {
        out.push_str("<p>No runs recorded yet.</p></section>\n");
        return;
    };
    // One cell per month, ending with the month of the newest run.
    out.push_str("<ol class=\"timeline\" aria-label=\"Runs per month\">\n");
    for back in (0..TIMELINE_MONTHS).rev() {
        let label = month(months_after(newest.at, -back));
        let points: Vec<&HistoryPoint> = entry
            .history
            .iter()
            .filter(|p| month(p.at) == label)
            .collect();
        let (class, text) = month_summary(&points);
        let _ = writeln!(
            out,
            "<li class=\"{class}\" title=\"{label}: {text}\"><span>{}</span><span>{}</span><span class=\"sr-only\">: {text}</span></li>",
            label.get(2..).unwrap_or(&label),
            points.len()
        );
    }
    out.push_str("</ol>\n");
    out.push_str(
        "<table class=\"runs\">\n<caption>Runs, newest first</caption>\n<thead><tr>\
         <th scope=\"col\">When</th><th scope=\"col\">Trigger</th><th scope=\"col\">Outcome</th>\
         <th scope=\"col\">Testcases</th></tr></thead>\n<tbody>\n",
    );
    for p in &entry.history {
        let counts = p.counts.map_or("–".to_owned(), |c| {
            format!("{} passed, {} aborted, {} failed", c.pass, c.abort, c.fail)
        });
        let _ = writeln!(
            out,
            "<tr data-run=\"{}\"><td><time datetime=\"{}\">{}</time></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.run),
            p.at,
            date_time(p.at),
            p.trigger.as_deref().map(esc).unwrap_or("–".into()),
            outcome_label(p.outcome),
            counts,
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn month_summary(points: &[&HistoryPoint]) -> (&'static str, String) {
    if points.is_empty() {
        return ("t-none", "no runs".to_owned());
    }
    let reports = points
        .iter()
        .filter(|p| p.outcome == RunOutcome::ReportReceived)
        .count();
    let worst = points.iter().filter_map(|p| p.worst).min();
    let class = match worst {
        Some(TestVerdict::Fail) => "t-bad",
        Some(TestVerdict::Missing | TestVerdict::Abort) => "t-warn",
        _ if reports < points.len() => "t-warn",
        _ => "t-ok",
    };
    let mut text = format!("{} runs, {reports} with a report", points.len());
    if let Some(worst) = worst {
        let _ = write!(text, ", worst testcase {}", worst.name());
    }
    (class, text)
}

fn certificate_history(out: &mut String, entry: &CloudEntry) {
    let listed: Vec<&CertificateEntry> = entry.certificates.iter().filter(|c| c.listed).collect();
    out.push_str(
        "<section aria-labelledby=\"certificates\"><h2 id=\"certificates\">Certificate history</h2>\n",
    );
    if listed.is_empty() {
        out.push_str("<p>No certificates.</p></section>\n");
        return;
    }
    out.push_str(
        "<table class=\"certificates\">\n<thead><tr><th scope=\"col\">Serial</th>\
         <th scope=\"col\">Version</th><th scope=\"col\">Kind</th><th scope=\"col\">State</th>\
         <th scope=\"col\">Valid from</th><th scope=\"col\">Valid until</th>\
         <th scope=\"col\">Revoked</th></tr></thead>\n<tbody>\n",
    );
    for c in listed {
        let _ = writeln!(
            out,
            "<tr data-state=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"state-{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            state_token(c.state),
            c.serial.as_deref().map(esc).unwrap_or("–".into()),
            c.version.as_deref().map(esc).unwrap_or("–".into()),
            if c.self_assessed {
                "self-assessed"
            } else {
                "official"
            },
            state_token(c.state),
            c.state.name(),
            c.not_before.map_or("–".to_owned(), time),
            c.not_after.map_or("–".to_owned(), time),
            match (c.revoked_at, &c.revocation_reason) {
                (Some(at), Some(reason)) => format!("{}: {}", time(at), esc(reason)),
                (Some(at), None) => time(at),
                _ => "–".to_owned(),
            },
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
    // Revoked certificates are on the revocation list too.
    if entry
        .certificates
        .iter()
        .any(|c| c.listed && c.state == CertificateState::Revoked && !c.self_assessed)
    {
        out.push_str("<p class=\"muted\">Revoked certificates are published on the certificate revocation list.</p>\n");
    }
}

/// The page of one group and scope (served at `group/<group>/<scope>`): the rollup badge and
/// one badge per member, each linked to its status page.
pub fn group(listing: &Listing, group: &GroupEntry) -> String {
    const DEPTH: usize = 2;
    let mut out = String::with_capacity(4096);
    let title = format!("Group {} – {}", group.name, group.scope.name);
    open(&mut out, listing, &title, DEPTH);
    let _ = writeln!(
        out,
        "<h1>Group {} <small>{}</small></h1>\n<p>Group badge (worst member): <span class=\"badge r-{}\">{}</span></p>\n\
         <ul class=\"members\">",
        esc(&group.name),
        esc(&group.scope.name),
        result_token(group.result),
        esc(&group.badge),
    );
    for m in &group.members {
        let path = crate::listing::build::detail_path(&m.subject, &group.scope.uuid);
        let _ = writeln!(
            out,
            "<li data-subject=\"{}\">{} <small><code>{}</code></small>: <a class=\"badge r-{}\" href=\"{}\">{}</a></li>",
            esc(&m.subject),
            esc(&m.display_name),
            esc(&m.subject),
            result_token(m.result),
            esc(&link(listing, &path, DEPTH, false)),
            esc(&m.badge),
        );
    }
    out.push_str("</ul>\n");
    out.push_str(LEGEND);
    out.push('\n');
    close(&mut out, listing, DEPTH);
    out
}

/// A whole page with `body` as its main content (`depth` = path segments of its URL).
pub fn page(listing: &Listing, title: &str, depth: usize, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 4096);
    open(&mut out, listing, title, depth);
    out.push_str(body);
    close(&mut out, listing, depth);
    out
}

/// A not-found page (`depth` = path segments of the request, for the links back).
pub fn not_found(listing: &Listing, what: &str, depth: usize) -> String {
    let mut out = String::with_capacity(2048);
    open(&mut out, listing, "Not found", depth);
    let _ = writeln!(
        out,
        "<h1>Not found</h1>\n<p>{} is not listed (or no longer: status pages stay online until \
         three months after a certificate expired).</p>",
        esc(what)
    );
    close(&mut out, listing, depth);
    out
}
