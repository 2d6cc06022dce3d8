//! Typed load errors (rules 1-6 and structural problems) and warnings (rule 7), each with the
//! path of the offending element, e.g. `scripts[0].testcases[3]`.

use std::fmt;
use std::path::PathBuf;

/// Path of an element in the spec: `versions[1].include[0]`, `timeline[0].versions["v5.1"]`.
/// The empty path means the document itself and displays as `(top level)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpecPath(String);

impl SpecPath {
    /// The document itself.
    pub fn root() -> SpecPath {
        SpecPath(String::new())
    }
    /// Path of a mapping key below this one.
    pub fn key(&self, key: &str) -> SpecPath {
        let simple = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let mut out = self.0.clone();
        if simple {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(key);
        } else {
            out.push_str(&format!("[{key:?}]"));
        }
        SpecPath(out)
    }
    /// Path of a list item below this one.
    pub fn index(&self, index: usize) -> SpecPath {
        SpecPath(format!("{}[{index}]", self.0))
    }
    /// The path as text (empty for the document itself).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SpecPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("(top level)")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// A hard error: the spec is rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct SpecError {
    /// Where the problem is.
    pub path: SpecPath,
    /// What the problem is.
    pub kind: SpecErrorKind,
}

/// What is wrong (see DOMAIN 1.7 for rules 1-6).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecErrorKind {
    /// The text is not YAML (or holds several documents).
    #[error("invalid YAML: {message}")]
    Yaml {
        /// Parser message, with line and column.
        message: String,
    },
    /// Rule 1: a key outside the allow-list of its context.
    #[error("unknown keyword '{keyword}' (allowed in {context}: {})", allowed.join(", "))]
    UnknownKeyword {
        /// The offending key.
        keyword: String,
        /// The keyword context (`spec`, `scripts`, `testcases`, `modules`, `versions`, `include`).
        context: &'static str,
        /// The keys allowed there.
        allowed: &'static [&'static str],
    },
    /// A key the loader cannot do without (upstream: `KeyError`).
    #[error("missing required key '{key}'")]
    MissingKey {
        /// The missing key.
        key: &'static str,
    },
    /// A value of the wrong YAML type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What was expected, e.g. `a list`.
        expected: &'static str,
        /// What was found, e.g. `a string`.
        found: String,
    },
    /// `versions` is a map: the spec is already in resolved form.
    #[error("spec already in resolved form: 'versions' must be a list, not a map")]
    ResolvedForm,
    /// Rule 2: a testcase id defined twice.
    #[error("duplicate testcase '{id}' (first defined at {first})")]
    DuplicateTestcase {
        /// The id.
        id: String,
        /// Path of the first definition.
        first: SpecPath,
    },
    /// Rule 3: a module id defined twice.
    #[error("duplicate module id '{id}' (first defined at {first})")]
    DuplicateModule {
        /// The id.
        id: String,
        /// Path of the first definition.
        first: SpecPath,
    },
    /// Rule 3: a version name defined twice.
    #[error("duplicate version '{name}' (first defined at {first})")]
    DuplicateVersion {
        /// The name.
        name: String,
        /// Path of the first definition.
        first: SpecPath,
    },
    /// Rule 4: an include names no module.
    #[error("include references unknown module '{id}'")]
    UnknownModule {
        /// The module id.
        id: String,
    },
    /// Rule 5: a timeline entry names no version.
    #[error("timeline references unknown version '{name}'")]
    UnknownVersion {
        /// The version name.
        name: String,
    },
    /// Rule 6: the `main` target of a stable version names an undefined testcase.
    #[error(
        "stable version '{version}' has unknown testcase '{id}' in target 'main' (from module '{module}')"
    )]
    UnknownMainTestcase {
        /// The version name.
        version: String,
        /// The testcase id.
        id: String,
        /// The included module whose `main` names it.
        module: String,
    },
    /// A timeline date that is not a date (validity cannot be computed).
    #[error("expected a date (YYYY-MM-DD), found {found}")]
    InvalidDate {
        /// What was found.
        found: String,
    },
}

/// A problem upstream does not check (rule 7 and similar); the spec still loads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct SpecWarning {
    /// Where the problem is.
    pub path: SpecPath,
    /// What the problem is.
    pub kind: SpecWarningKind,
}

/// Kinds of warnings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecWarningKind {
    /// `uuid`, `name` or `url` is absent at top level.
    #[error("missing top-level key '{key}' (required by the standard; reports need it)")]
    MissingTopLevelKey {
        /// The key.
        key: &'static str,
    },
    /// A lifetime outside day/week/month/quarter/year; evaluation reports "unknown period".
    #[error("unknown lifetime '{value}' (known: day, week, month, quarter, year)")]
    UnknownLifetime {
        /// The raw value.
        value: String,
    },
    /// A validity code outside effective/warn/draft/deprecated; it certifies nothing.
    #[error("unknown validity code '{code}' (known: effective, warn, draft, deprecated)")]
    UnknownValidity {
        /// The raw code.
        code: String,
    },
    /// A validity code of `null`: upstream treats the version as not named (implicit).
    #[error("validity code is null; the version counts as not named (implicitly deprecated)")]
    NullValidity,
    /// A date written as a quoted string: upstream tooling would compare a string to a date.
    #[error("date '{value}' is a quoted string, not a YAML date; remove the quotes")]
    QuotedDate {
        /// The text of the date.
        value: String,
    },
    /// `stabilized_at` is not a date; its presence still makes the version stable.
    #[error("stabilized_at is not a date ({found}); the version still counts as stable")]
    StabilizedAtNotADate {
        /// What was found.
        found: String,
    },
    /// `stabilized_at` is null: its presence still makes the version stable (as upstream).
    #[error("stabilized_at is empty; its presence still makes the version stable")]
    StabilizedAtNull,
    /// A testcase that no version includes in any target.
    #[error("testcase '{id}' is not reachable from any version")]
    UnreachableTestcase {
        /// The testcase id.
        id: String,
    },
    /// A testcase in several targets of one version; only the last one shows in `tc_target`.
    #[error(
        "testcase '{id}' is in several targets of version '{version}' ({}); it is attributed to '{winner}'",
        targets.join(", ")
    )]
    TestcaseInSeveralTargets {
        /// The version name.
        version: String,
        /// The testcase id.
        id: String,
        /// All targets containing it, in insertion order.
        targets: Vec<String>,
        /// The target that wins (`tc_target`).
        winner: String,
    },
    /// A testcase contributed by several included modules of one version.
    #[error("testcase '{id}' is included by several modules of version '{version}' ({})", modules.join(", "))]
    TestcaseInSeveralModules {
        /// The version name.
        version: String,
        /// The testcase id.
        id: String,
        /// The module ids.
        modules: Vec<String>,
    },
    /// A version is effective/warn in a period that starts before it was stabilised.
    #[error("version '{version}' is '{code}' from {date} but {}", match stabilized_at {
        Some(d) => format!("was stabilised only on {d}"),
        None => "is not stable (no stabilized_at)".to_string(),
    })]
    CertifiableButNotStable {
        /// The version name.
        version: String,
        /// `effective` or `warn`.
        code: String,
        /// Start of the period.
        date: jiff::civil::Date,
        /// When it was stabilised, if ever (as a date).
        stabilized_at: Option<jiff::civil::Date>,
    },
    /// A version without a `main` target: treated as an empty `main` (which passes).
    #[error("version '{version}' has no 'main' target; it is treated as empty (always passes)")]
    NoMainTarget {
        /// The version name.
        version: String,
    },
    /// A non-`main` target, or a non-stable version, names an undefined testcase.
    #[error(
        "version '{version}' target '{target}' references unknown testcase '{id}' (from module '{module}'); selecting this version will fail"
    )]
    UnknownTestcase {
        /// The version name.
        version: String,
        /// The target.
        target: String,
        /// The testcase id.
        id: String,
        /// The included module whose target names it.
        module: String,
    },
    /// An include passes a parameter its module does not declare.
    #[error("parameter '{parameter}' is not declared by module '{module}'")]
    UndeclaredParameter {
        /// The module id.
        module: String,
        /// The parameter.
        parameter: String,
    },
    /// An include does not pass a parameter its module declares.
    #[error("module '{module}' declares parameter '{parameter}' but the include does not set it")]
    MissingParameter {
        /// The module id.
        module: String,
        /// The parameter.
        parameter: String,
    },
    /// A value of the wrong type where upstream ignores it anyway.
    #[error("expected {expected}, found {found}; ignored")]
    IgnoredValue {
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// A version authors `targets`; resolution overwrites it.
    #[error("'targets' of a version is overwritten during resolution; do not author it")]
    AuthoredVersionTargets,
    /// A key that upstream ignores silently where keywords are not checked.
    #[error("unknown key '{key}' (ignored)")]
    IgnoredKey {
        /// The key.
        key: String,
    },
    /// `prerequisite` is accepted but not implemented.
    #[error("prerequisite is not implemented; it is ignored")]
    PrerequisiteNotImplemented,
    /// A mapping key written twice; the last value wins (as in PyYAML).
    #[error(
        "duplicate key '{key}'; the last value wins (the check tool agrees, the monitor's YAML loader rejects it)"
    )]
    DuplicateKey {
        /// The key.
        key: String,
    },
    /// A variable declared more than once.
    #[error("variable '{name}' is declared more than once")]
    DuplicateVariable {
        /// The name.
        name: String,
    },
    /// A default declaration with other than exactly one key.
    #[error("a variable default should be a map with exactly one key; found {count}")]
    VariableDefaultKeys {
        /// Number of keys.
        count: usize,
    },
    /// A documentation or template value that is not a string; its YAML text is used.
    #[error("expected a string, found {found}; using '{text}'")]
    NotAString {
        /// What was found.
        found: String,
        /// The text used.
        text: String,
    },
    /// A template placeholder that names no declared variable; the run would abort.
    #[error("placeholder '{{{name}}}' names no declared variable; a run would abort")]
    UndeclaredPlaceholder {
        /// The placeholder name.
        name: String,
    },
    /// A malformed template (single `{` or `}`); the run would abort.
    #[error("malformed template: {message}")]
    MalformedTemplate {
        /// What is wrong.
        message: String,
    },
    /// Timeline entries not sorted newest first (tooling does not rely on it).
    #[error("timeline is not sorted newest first (entry dated {date} follows {previous})")]
    TimelineNotSorted {
        /// This entry's date.
        date: jiff::civil::Date,
        /// The previous entry's date.
        previous: jiff::civil::Date,
    },
    /// Two timeline entries with the same date; the first in list order applies.
    #[error("timeline has another entry dated {date} at {first}; the first one applies")]
    DuplicateTimelineDate {
        /// The date.
        date: jiff::civil::Date,
        /// Path of the entry that applies.
        first: SpecPath,
    },
    /// An `http(s)://` executable: the check tool refuses to run it.
    #[error("executable '{executable}' is a remote URL; the check tool refuses to run it")]
    RemoteExecutable {
        /// The executable as written.
        executable: String,
    },
    /// A script with no testcases never runs.
    #[error("script has no testcases; it never runs")]
    ScriptWithoutTestcases,
}

/// The spec was rejected: every error found, plus the warnings collected so far.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid scope spec: {} error(s), first: {}", errors.len(),
    errors.first().map(ToString::to_string).unwrap_or_default())]
pub struct InvalidSpec {
    /// Every error, grouped by check (keywords, structure, references), each group in
    /// document order.
    pub errors: Vec<SpecError>,
    /// Warnings found while loading.
    pub warnings: Vec<SpecWarning>,
}

/// Failure of [`crate::scope::load_file`].
#[derive(Debug, thiserror::Error)]
pub enum LoadFileError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid scope spec.
    #[error(transparent)]
    Invalid(#[from] InvalidSpec),
}
