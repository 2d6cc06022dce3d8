//! Escaping of user-provided text for every output format of the listing. All renderers go
//! through these functions; nothing user-provided is written raw.
//!
//! - [`html`]: text and (double-quoted) attribute values in HTML and SVG/XML.
//! - [`markdown`]: inline Markdown, including table cells.
//! - [`path_segment`]: one URL path segment (percent-encoding).
//! - [`external_url`]: an external link target (http/https only), already escaped for an
//!   attribute.
//! - [`file_key`]: a ConfigMap key fragment.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Escapes `text` for HTML/XML text and double- or single-quoted attribute values: `&`, `<`,
/// `>`, `"`, `'` become entities; control characters (other than tab, newline and carriage
/// return), which HTML and XML forbid, become U+FFFD.
pub fn html(text: &str) -> Cow<'_, str> {
    let needs = |c: char| matches!(c, '&' | '<' | '>' | '"' | '\'') || is_forbidden_control(c);
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_forbidden_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn is_forbidden_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Escapes `text` for inline Markdown (GitHub flavour), safe inside a table cell: every
/// ASCII punctuation character with a Markdown meaning is backslash-escaped, `<`, `>` and `&`
/// become entities (so no raw HTML reaches a renderer), and line breaks become spaces.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | '"' | '\'' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c if is_forbidden_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes `text` as one URL path segment: only unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) stay; `.` and `..` are encoded so a segment never walks up.
pub fn path_segment(text: &str) -> String {
    if text == "." || text == ".." {
        return text.replace('.', "%2E");
    }
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The URL if it is a plain absolute `http://` or `https://` URL without whitespace or
/// control characters; anything else (`javascript:`, `data:`, relative paths) gives `None`,
/// so it is shown as text, never as a link. The result still needs [`html`] in attributes.
pub fn external_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
    let host_present = url
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (scheme_ok && host_present && clean).then_some(url)
}

/// A ConfigMap key fragment for `text`: `[-._a-zA-Z0-9]` kept, anything else becomes `_`.
pub fn file_key(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_quotes_and_controls() {
        assert_eq!(html("plain text"), "plain text");
        assert!(matches!(html("plain"), Cow::Borrowed(_)));
        assert_eq!(
            html(r#"<script>alert("x")</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
        );
        assert_eq!(html("a & b"), "a &amp; b");
        assert_eq!(html("it's"), "it&#39;s");
        assert_eq!(html("\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
        assert_eq!(html("nul\u{0}bell\u{7}"), "nul\u{FFFD}bell\u{FFFD}");
        assert_eq!(html("tab\tnl\n"), "tab\tnl\n");
        // Entities are escaped again, not interpreted.
        assert_eq!(html("&lt;"), "&amp;lt;");
        assert_eq!(html("Ünïcødé ✅"), "Ünïcødé ✅");
    }

    #[test]
    fn markdown_escapes_links_tables_and_html() {
        assert_eq!(markdown("a|b"), r"a\|b");
        assert_eq!(markdown("[x](javascript:y)"), r"\[x\]\(javascript\:y\)");
        assert_eq!(
            markdown("<img src=x onerror=y>"),
            "&lt;img src=x onerror=y&gt;"
        );
        assert_eq!(markdown("*bold* `code`"), r"\*bold\* \`code\`");
        assert_eq!(markdown("line\nbreak"), "line break");
        assert_eq!(markdown("v5.1"), r"v5\.1");
    }

    #[test]
    fn path_segments_never_escape_their_segment() {
        assert_eq!(path_segment("regio-a"), "regio-a");
        assert_eq!(path_segment("noris-1.35"), "noris-1.35");
        assert_eq!(path_segment("a/b"), "a%2Fb");
        assert_eq!(path_segment(".."), "%2E%2E");
        assert_eq!(path_segment("\"><x"), "%22%3E%3Cx");
        assert_eq!(path_segment("ü"), "%C3%BC");
    }

    #[test]
    fn only_plain_http_urls_become_links() {
        assert_eq!(
            external_url("https://health.example.org/a?b=c"),
            Some("https://health.example.org/a?b=c")
        );
        assert_eq!(external_url("HTTP://x.org"), Some("HTTP://x.org"));
        assert_eq!(external_url("javascript:alert(1)"), None);
        assert_eq!(external_url("JaVaScRiPt:alert(1)"), None);
        assert_eq!(external_url("data:text/html,<x>"), None);
        assert_eq!(external_url("//evil.org"), None);
        assert_eq!(external_url("https://"), None);
        assert_eq!(external_url("https:///path"), None);
        assert_eq!(external_url("https://a.org/ x"), None);
        assert_eq!(external_url("/relative"), None);
        // Still needs attribute escaping, which html() gives.
        let url = external_url("https://x.org/?a=\"b\"&c").expect("http url");
        assert_eq!(html(url), "https://x.org/?a=&quot;b&quot;&amp;c");
    }

    #[test]
    fn file_keys_use_configmap_key_characters() {
        assert_eq!(file_key("regio-a"), "regio-a");
        assert_eq!(file_key("a/b c"), "a_b_c");
        assert_eq!(file_key("ü"), "_");
    }
}
