//! `listing.md`: the overview as Markdown, like the upstream monitor's `overview.md`: per
//! scope the certified, self-assessed and not certified subjects with their badges linked to
//! their status pages; then integrators and revocations. Every user string is escaped with
//! [`escape::markdown`](crate::listing::escape::markdown).

use crate::listing::escape::{external_url, markdown as md};
use crate::listing::model::{Certification, IntegratorState, Listing};
use crate::listing::render::common::{certificate_line, certification_title, date, link};
use std::fmt::Write as _;

/// Renders `listing.md`. Links are relative to the site root, or absolute under the base URL.
pub fn overview(listing: &Listing) -> String {
    let mut out = String::with_capacity(2048 + listing.clouds.len() * 200);
    let _ = writeln!(out, "# {}\n", md(&listing.title));
    for scope in &listing.scopes {
        let _ = writeln!(out, "## {}\n", md(&scope.name));
        for class in [
            Certification::Certified,
            Certification::SelfAssessed,
            Certification::NotCertified,
        ] {
            let rows: Vec<_> = listing
                .clouds
                .iter()
                .filter(|c| c.scope.uuid == scope.uuid && c.certification == class)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(out, "### {}\n", certification_title(class));
            out.push_str("| Name | Provider | Compliance | Certificate | Health |\n");
            out.push_str("| --- | --- | --- | --- | --- |\n");
            for c in rows {
                let health = c
                    .health_monitor_url
                    .as_deref()
                    .and_then(external_url)
                    .map_or("–".to_owned(), |u| {
                        format!("[health monitor](<{}>)", url(u))
                    });
                let _ = writeln!(
                    out,
                    "| {} | {} | [{}](<{}>) | {} | {} |",
                    md(&c.display_name),
                    c.provider.as_deref().map_or("–".to_owned(), md),
                    md(&c.badge),
                    url(&link(listing, &c.links.detail, 0, true)),
                    c.certificate
                        .as_ref()
                        .map_or("–".to_owned(), |cert| md(&certificate_line(cert))),
                    health,
                );
            }
            out.push('\n');
        }
        let groups: Vec<_> = listing
            .groups
            .iter()
            .filter(|g| g.scope.uuid == scope.uuid)
            .collect();
        if !groups.is_empty() {
            out.push_str("### Groups\n\n| Group | Worst member | Members |\n| --- | --- | --- |\n");
            for g in groups {
                let members: Vec<String> = g.members.iter().map(|m| md(&m.display_name)).collect();
                let _ = writeln!(
                    out,
                    "| {} | [{}](<{}>) | {} |",
                    md(&g.name),
                    md(&g.badge),
                    url(&link(listing, &g.links.detail, 0, true)),
                    members.join(", ")
                );
            }
            out.push('\n');
        }
    }
    let integrators: Vec<_> = listing.integrators.iter().filter(|i| i.listed).collect();
    if !integrators.is_empty() {
        out.push_str("## Certified integrators\n\n| Organisation | Layer | Tier | Valid until | State |\n| --- | --- | --- | --- | --- |\n");
        for i in integrators {
            let state = match i.state {
                IntegratorState::Valid => "valid",
                IntegratorState::Expired => "expired",
                IntegratorState::NotYetValid => "not yet valid",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {state} |",
                md(&i.organization),
                md(&i.layer),
                i.tier.as_deref().map_or("–".to_owned(), md),
                date(i.not_after),
            );
        }
        out.push('\n');
    }
    if !listing.revocations.is_empty() {
        out.push_str("## Revoked certificates\n\n| Serial | Subject | Scope | Version | Revoked | Reason |\n| --- | --- | --- | --- | --- | --- |\n");
        for r in &listing.revocations {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                r.serial.as_deref().map_or("–".to_owned(), md),
                md(&r.subject),
                md(&r.scope.name),
                r.version.as_deref().map_or("–".to_owned(), md),
                r.revoked_at.map_or("–".to_owned(), date),
                r.reason.as_deref().map_or("–".to_owned(), md),
            );
        }
        out.push('\n');
    }
    out.push_str("Legend: `*` draft, `†` expires soon (warn), `††` deprecated.\n");
    out
}

/// A link destination inside `<...>`: angle brackets, spaces and line breaks encoded.
fn url(target: &str) -> String {
    target
        .replace('<', "%3C")
        .replace('>', "%3E")
        .replace(' ', "%20")
        .replace(['\n', '\r'], "")
}
