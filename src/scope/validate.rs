//! Rule 1 (keyword allow-lists, exactly as upstream recurses) and the rule-7 warnings that
//! need the resolved spec.

use crate::scope::diagnostics::{SpecErrorKind, SpecPath, SpecWarningKind as W};
use crate::scope::extract::RawSpec;
use crate::scope::load::Diagnostics;
use crate::scope::model::ScopeSpec;
use crate::scope::node::Node;
use crate::scope::template;
use std::collections::BTreeSet;

/// Allowed keys per keyword context (DOMAIN 1.7 rule 1).
const KEYWORDS: &[(&str, &[&str])] = &[
    (
        "spec",
        &[
            "uuid",
            "name",
            "url",
            "versions",
            "prerequisite",
            "variables",
            "scripts",
            "modules",
            "timeline",
        ],
    ),
    ("scripts", &["executable", "env", "args", "testcases"]),
    (
        "testcases",
        &["lifetime", "section", "id", "description", "url"],
    ),
    ("modules", &["id", "targets", "url", "name", "parameters"]),
    (
        "versions",
        &["version", "include", "targets", "stabilized_at"],
    ),
    ("include", &["ref", "parameters"]),
];

fn context(name: &str) -> Option<(&'static str, &'static [&'static str])> {
    KEYWORDS.iter().copied().find(|(ctx, _)| *ctx == name)
}

/// Rule 1: checks keys against the allow-list of their context, recursing (like upstream)
/// only into values whose key names a context; lists are walked in the same context.
pub(crate) fn check_keywords(root: &Node, diag: &mut Diagnostics) {
    if let Some(ctx) = context("spec") {
        check_in(ctx, root, &SpecPath::root(), diag);
    }
}

fn check_in(
    ctx: (&'static str, &'static [&'static str]),
    node: &Node,
    path: &SpecPath,
    diag: &mut Diagnostics,
) {
    match node {
        Node::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                check_in(ctx, item, &path.index(i), diag);
            }
        }
        Node::Map(entries) => {
            let (name, allowed) = ctx;
            for (key, _) in entries {
                let known = key.as_str().is_some_and(|k| allowed.contains(&k));
                if !known {
                    diag.error(
                        path.clone(),
                        SpecErrorKind::UnknownKeyword {
                            keyword: key.scalar_text().unwrap_or_else(|| key.describe()),
                            context: name,
                            allowed,
                        },
                    );
                }
            }
            for (key, value) in entries {
                // a resolved-form `versions` map gets its own, clearer error (extraction)
                let resolved_form = path.as_str().is_empty()
                    && key.as_str() == Some("versions")
                    && matches!(value, Node::Map(_));
                if resolved_form {
                    continue;
                }
                if let Some(sub) = key.as_str().and_then(context) {
                    check_in(sub, value, &path.key(sub.0), diag);
                }
            }
        }
        _ => {}
    }
}

/// Rule-7 checks (DOMAIN 1.7) that need the resolved spec; the others are warned where the
/// data is read (extraction) or resolved.
pub(crate) fn warn_rule7(raw: &RawSpec, spec: &ScopeSpec, diag: &mut Diagnostics) {
    warn_unreachable_testcases(raw, spec, diag);
    warn_certifiable_but_not_stable(raw, spec, diag);
    warn_timeline_order(raw, diag);
    warn_templates(raw, spec, diag);
    for script in &raw.scripts {
        if script.testcases.is_empty() {
            diag.warn(script.path.clone(), W::ScriptWithoutTestcases);
        }
        if let Some(exe) = &script.executable
            && (exe.starts_with("http://") || exe.starts_with("https://"))
        {
            diag.warn(
                script.path.key("executable"),
                W::RemoteExecutable {
                    executable: exe.clone(),
                },
            );
        }
    }
}

fn warn_unreachable_testcases(raw: &RawSpec, spec: &ScopeSpec, diag: &mut Diagnostics) {
    let reachable: BTreeSet<&str> = spec
        .versions
        .iter()
        .flat_map(|v| v.tc_target.keys().map(String::as_str))
        .collect();
    for script in &raw.scripts {
        for tc in &script.testcases {
            if !reachable.contains(tc.id.as_str()) {
                diag.warn(
                    tc.path.clone(),
                    W::UnreachableTestcase { id: tc.id.clone() },
                );
            }
        }
    }
}

/// `effective` and `warn` require the version to be stable at the start of the period.
fn warn_certifiable_but_not_stable(raw: &RawSpec, spec: &ScopeSpec, diag: &mut Diagnostics) {
    for entry in &raw.timeline {
        for (name, code, path) in &entry.versions {
            let Some(code) = code.as_ref().filter(|c| c.is_certifiable()) else {
                continue;
            };
            let Some(version) = spec.version(name) else {
                continue;
            };
            let stable_then = match (version.stable, version.stabilized_at) {
                (false, _) => false,
                (true, Some(d)) => d <= entry.date,
                (true, None) => true, // stable, date unknown (already warned)
            };
            if !stable_then {
                diag.warn(
                    path.clone(),
                    W::CertifiableButNotStable {
                        version: name.clone(),
                        code: code.to_string(),
                        date: entry.date,
                        stabilized_at: version.stabilized_at.filter(|_| version.stable),
                    },
                );
            }
        }
    }
}

fn warn_timeline_order(raw: &RawSpec, diag: &mut Diagnostics) {
    for (i, entry) in raw.timeline.iter().enumerate() {
        if let Some(first) = raw.timeline[..i].iter().find(|e| e.date == entry.date) {
            diag.warn(
                entry.path.clone(),
                W::DuplicateTimelineDate {
                    date: entry.date,
                    first: first.path.clone(),
                },
            );
        } else if let Some(previous) = i.checked_sub(1).and_then(|p| raw.timeline.get(p))
            && previous.date < entry.date
        {
            diag.warn(
                entry.path.clone(),
                W::TimelineNotSorted {
                    date: entry.date,
                    previous: previous.date,
                },
            );
        }
    }
}

/// Placeholders must name declared variables (or the computed `testcases`), else a run aborts.
fn warn_templates(raw: &RawSpec, spec: &ScopeSpec, diag: &mut Diagnostics) {
    for script in &raw.scripts {
        let templates = script
            .args
            .iter()
            .map(|a| (script.path.key("args"), a))
            .chain(
                script
                    .env
                    .iter()
                    .map(|(k, v)| (script.path.key("env").key(k), v)),
            );
        for (path, text) in templates {
            match template::placeholders(text) {
                Err(e) => diag.warn(
                    path,
                    W::MalformedTemplate {
                        message: e.to_string(),
                    },
                ),
                Ok(names) => {
                    let mut seen = BTreeSet::new();
                    for name in names {
                        if name != "testcases"
                            && !spec.variables.is_declared(&name)
                            && seen.insert(name.clone())
                        {
                            diag.warn(path.clone(), W::UndeclaredPlaceholder { name });
                        }
                    }
                }
            }
        }
    }
}
