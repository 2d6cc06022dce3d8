//! SVG badges per subject and scope (`badge/<subject>/<scope>.svg`): the scope name on the
//! left, the certification state on the right, the whole badge linked to the status page
//! (SCS-0004 item 6). No fonts or images are referenced; text is escaped.

use crate::listing::escape::html as esc;
use crate::listing::model::{CertificateState, Certification, CloudEntry, Listing, ScopeResult};
use crate::listing::render::common::link;

/// Right-hand text and colour of the badge.
pub fn badge_state(entry: &CloudEntry) -> (String, &'static str) {
    let version = entry
        .certificate
        .as_ref()
        .and_then(|c| c.version.clone())
        .unwrap_or_default();
    let with_version = |text: &str| {
        if version.is_empty() {
            text.to_owned()
        } else {
            format!("{text} {version}")
        }
    };
    match (
        entry.certification,
        entry.certificate.as_ref().map(|c| c.state),
    ) {
        (Certification::Certified, _) => (with_version("certified"), "#1a7f37"),
        (Certification::SelfAssessed, _) => (with_version("self-assessed"), "#0969da"),
        (_, Some(CertificateState::Revoked)) => (with_version("revoked"), "#cf222e"),
        (_, Some(CertificateState::Expired)) => (with_version("expired"), "#6e7781"),
        _ if entry.result == ScopeResult::Fail => ("failing".to_owned(), "#cf222e"),
        _ => ("not certified".to_owned(), "#6e7781"),
    }
}

/// Approximate rendered width of `text` at 11 px in a sans-serif font.
fn text_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ' ' | '\'' | '|' | '!' => 4,
            'm' | 'w' | 'M' | 'W' => 10,
            c if c.is_ascii_uppercase() => 8,
            c if c.is_ascii() => 7,
            _ => 11,
        })
        .sum()
}

/// The SVG badge of `entry`. The link is relative to the badge's URL (two segments deep),
/// or absolute under the base URL.
pub fn badge(listing: &Listing, entry: &CloudEntry) -> String {
    let label = entry.scope.name.as_str();
    let (value, colour) = badge_state(entry);
    let left = text_width(label) + 12;
    let right = text_width(&value) + 12;
    let total = left + right;
    let href = link(listing, &entry.links.detail, 2, true);
    let title = format!("{}: {} – {}", entry.display_name, label, value);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         width=\"{total}\" height=\"20\" role=\"img\" aria-label=\"{title}\">\
         <title>{title}</title>\
         <a href=\"{href}\" xlink:href=\"{href}\" target=\"_top\">\
         <rect width=\"{left}\" height=\"20\" fill=\"#555\"/>\
         <rect x=\"{left}\" width=\"{right}\" height=\"20\" fill=\"{colour}\"/>\
         <g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\">\
         <text x=\"6\" y=\"14\">{label}</text><text x=\"{value_x}\" y=\"14\">{value}</text></g>\
         </a></svg>\n",
        title = esc(&title),
        href = esc(&href),
        label = esc(label),
        value = esc(&value),
        value_x = left + 6,
    )
}
