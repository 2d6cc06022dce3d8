//! `args` / `env` templates (DOMAIN 1.6): `{name}` placeholders, `{{` and `}}` for literal
//! braces, as Python's `str.format` with keyword arguments only.
//!
//! Format specs, conversions and attribute/index access (`{a:>5}`, `{a!r}`, `{a.b}`, `{a[0]}`)
//! are not used by any spec and are rejected rather than half-implemented.

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Literal text (braces already unescaped).
    Literal(String),
    /// A `{name}` placeholder.
    Variable(String),
}

/// A template that cannot be formatted (upstream: the whole run aborts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A `{` without its `}`.
    #[error("single '{{' at byte {0} (write '{{{{' for a literal brace)")]
    UnclosedBrace(usize),
    /// A `}` that closes nothing.
    #[error("single '}}' at byte {0} (write '}}}}' for a literal brace)")]
    StrayClosingBrace(usize),
    /// `{}` or a positional `{0}`: upstream passes keyword arguments only.
    #[error("placeholder '{{{0}}}' is not a variable name")]
    NotAName(String),
    /// Format spec, conversion, attribute or index access.
    #[error("placeholder '{{{0}}}' uses unsupported format syntax")]
    Unsupported(String),
    /// A placeholder whose variable has no value.
    #[error("no value for variable '{0}'")]
    Undefined(String),
}

/// Splits a template into literal text and placeholders.
pub fn parse(template: &str) -> Result<Vec<Segment>, TemplateError> {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut chars = template.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|&(_, n)| n == '{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek().is_some_and(|&(_, n)| n == '}') => {
                chars.next();
                literal.push('}');
            }
            '}' => return Err(TemplateError::StrayClosingBrace(pos)),
            '{' => {
                let mut field = String::new();
                let mut closed = false;
                for (_, n) in chars.by_ref() {
                    if n == '}' {
                        closed = true;
                        break;
                    }
                    field.push(n);
                }
                if !closed {
                    return Err(TemplateError::UnclosedBrace(pos));
                }
                if field.contains(['.', '[', '!', ':', '{']) {
                    return Err(TemplateError::Unsupported(field));
                }
                if field.is_empty() || field.chars().all(|c| c.is_ascii_digit()) {
                    return Err(TemplateError::NotAName(field));
                }
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                segments.push(Segment::Variable(field));
            }
            other => literal.push(other),
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    Ok(segments)
}

/// Names of the placeholders, in order of appearance (repeats kept).
pub fn placeholders(template: &str) -> Result<Vec<String>, TemplateError> {
    Ok(parse(template)?
        .into_iter()
        .filter_map(|s| match s {
            Segment::Variable(name) => Some(name),
            Segment::Literal(_) => None,
        })
        .collect())
}

/// Formats `template`, looking every placeholder up with `lookup`.
pub fn render(
    template: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, TemplateError> {
    let mut out = String::new();
    for segment in parse(template)? {
        match segment {
            Segment::Literal(text) => out.push_str(&text),
            Segment::Variable(name) => match lookup(&name) {
                Some(value) => out.push_str(&value),
                None => return Err(TemplateError::Undefined(name)),
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "os_cloud" => Some("gx".into()),
            "testcases" => Some("a b".into()),
            _ => None,
        }
    }

    #[test]
    fn renders_like_python_format() {
        let cases = [
            ("-c {os_cloud} {testcases}", Ok("-c gx a b")),
            ("{{literal}}", Ok("{literal}")),
            ("{{{os_cloud}}}", Ok("{gx}")),
            ("no placeholders", Ok("no placeholders")),
            ("", Ok("")),
            ("{missing}", Err(TemplateError::Undefined("missing".into()))),
            ("{os_cloud", Err(TemplateError::UnclosedBrace(0))),
            ("a } b", Err(TemplateError::StrayClosingBrace(2))),
            ("{}", Err(TemplateError::NotAName(String::new()))),
            ("{0}", Err(TemplateError::NotAName("0".into()))),
            ("{a!r}", Err(TemplateError::Unsupported("a!r".into()))),
        ];
        for (template, expected) in cases {
            let expected = expected.map(str::to_string);
            assert_eq!(render(template, vars), expected, "{template}");
        }
    }

    #[test]
    fn lists_placeholders_in_order() {
        assert_eq!(
            placeholders("-k {kubeconfig} {{x}} -r {subject_root}/{kubeconfig}").unwrap(),
            vec!["kubeconfig", "subject_root", "kubeconfig"]
        );
    }
}
