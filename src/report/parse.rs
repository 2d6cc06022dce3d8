//! Reading report YAML streams (several `---` documents, as the test runner uploads them).
//!
//! Documents are read into a generic YAML value first and converted field by field, so that
//! every error names the document (1-based) and the dotted field path. Unknown keys are
//! ignored (legacy reports carry extra ones, e.g. an obsolete `result` per invocation).

use crate::report::model::{Invocation, LegacyResult, Report, ReportSpec, Run};
use crate::report::timestamp::{parse_report_date, parse_report_timestamp};
use crate::results::Verdict;
use indexmap::IndexMap;
use serde::Deserialize;
use serde_norway::{Mapping, Value};

/// Why a report stream could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The YAML itself is malformed.
    #[error("document {document}: invalid YAML: {source}")]
    Yaml {
        /// 1-based document index in the stream.
        document: usize,
        /// The YAML parser's error (with line and column).
        #[source]
        source: serde_norway::Error,
    },
    /// The document is not a mapping.
    #[error("document {document}: expected a mapping at the top level, found {found}")]
    NotAMapping {
        /// 1-based document index in the stream.
        document: usize,
        /// What was found instead.
        found: &'static str,
    },
    /// One field is absent or has an unusable value.
    #[error("document {document}: field `{field}`: {problem}")]
    Field {
        /// 1-based document index in the stream.
        document: usize,
        /// Dotted path of the field, e.g. `run.invocations.<uuid>.rc`.
        field: String,
        /// What is wrong with it.
        problem: FieldProblem,
    },
}

/// What is wrong with one field of a report.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    /// A required field is absent (or null).
    #[error("required but missing")]
    Missing,
    /// The value has the wrong YAML type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the field must hold.
        expected: &'static str,
        /// What it held.
        found: &'static str,
    },
    /// A result that is not 1, 0 or -1.
    #[error("invalid verdict {0}: expected 1, 0 or -1")]
    InvalidVerdict(String),
    /// A timestamp that cannot be parsed.
    #[error("invalid timestamp {value:?}: {reason}")]
    InvalidTimestamp {
        /// The text found.
        value: String,
        /// Parser message.
        reason: String,
    },
    /// A date that cannot be parsed.
    #[error("invalid date {value:?}: {reason}")]
    InvalidDate {
        /// The text found.
        value: String,
        /// Parser message.
        reason: String,
    },
    /// A count that is negative or not an integer.
    #[error("invalid count {0}: expected a non-negative integer")]
    InvalidCount(String),
}

/// Parses a YAML stream of report documents. Empty (null) documents are skipped.
pub fn parse_report_stream(text: &str) -> Result<Vec<Report>, ReportError> {
    let mut reports = Vec::new();
    for (index, document) in serde_norway::Deserializer::from_str(text).enumerate() {
        let document_number = index + 1;
        let value = Value::deserialize(document).map_err(|source| ReportError::Yaml {
            document: document_number,
            source,
        })?;
        if value.is_null() {
            continue;
        }
        reports.push(report_from_value(&value, document_number)?);
    }
    Ok(reports)
}

/// Converts one parsed YAML document into a report; `document` is used in errors only.
pub fn report_from_value(value: &Value, document: usize) -> Result<Report, ReportError> {
    let top = match untag(value) {
        Value::Mapping(map) => map,
        other => {
            return Err(ReportError::NotAMapping {
                document,
                found: type_name(other),
            });
        }
    };
    let reader = Reader { document };
    let spec_map = reader.required_mapping(top, "", "spec")?;
    let spec = ReportSpec {
        uuid: reader.required_string(spec_map, "spec", "uuid")?,
        name: reader
            .optional_string(spec_map, "spec", "name")?
            .unwrap_or_default(),
        url: reader
            .optional_string(spec_map, "spec", "url")?
            .unwrap_or_default(),
    };
    let checked_at_text = reader.required_string(top, "", "checked_at")?;
    let checked_at = parse_report_timestamp(&checked_at_text).map_err(|reason| {
        reader.problem(
            "checked_at".into(),
            FieldProblem::InvalidTimestamp {
                value: checked_at_text.clone(),
                reason,
            },
        )
    })?;
    let reference_date = match reader.optional_string(top, "", "reference_date")? {
        None => None,
        Some(text) => Some(parse_report_date(&text).map_err(|reason| {
            reader.problem(
                "reference_date".into(),
                FieldProblem::InvalidDate {
                    value: text.clone(),
                    reason,
                },
            )
        })?),
    };
    let subject = reader.required_string(top, "", "subject")?;
    let run = reader.run(reader.required_mapping(top, "", "run")?)?;
    let legacy_versions = match field(top, "versions") {
        None => None,
        Some(value) => Some(reader.legacy_versions(value, "versions")?),
    };
    Ok(Report {
        spec,
        checked_at,
        reference_date,
        subject,
        run,
        legacy_versions,
    })
}

/// Field access with error context (the document number).
struct Reader {
    document: usize,
}

impl Reader {
    fn problem(&self, field: String, problem: FieldProblem) -> ReportError {
        ReportError::Field {
            document: self.document,
            field,
            problem,
        }
    }

    fn wrong_type(&self, path: String, expected: &'static str, found: &Value) -> ReportError {
        self.problem(
            path,
            FieldProblem::WrongType {
                expected,
                found: type_name(found),
            },
        )
    }

    fn required_mapping<'a>(
        &self,
        map: &'a Mapping,
        parent: &str,
        key: &str,
    ) -> Result<&'a Mapping, ReportError> {
        let path = join(parent, key);
        match field(map, key) {
            None => Err(self.problem(path, FieldProblem::Missing)),
            Some(Value::Mapping(inner)) => Ok(inner),
            Some(other) => Err(self.wrong_type(path, "a mapping", other)),
        }
    }

    fn required_string(
        &self,
        map: &Mapping,
        parent: &str,
        key: &str,
    ) -> Result<String, ReportError> {
        self.optional_string(map, parent, key)?
            .ok_or_else(|| self.problem(join(parent, key), FieldProblem::Missing))
    }

    fn optional_string(
        &self,
        map: &Mapping,
        parent: &str,
        key: &str,
    ) -> Result<Option<String>, ReportError> {
        match field(map, key) {
            None => Ok(None),
            Some(value) => self.scalar_string(value, join(parent, key)).map(Some),
        }
    }

    /// Any scalar is accepted as text: PyYAML quotes ambiguous strings, hand-written
    /// reports may not.
    fn scalar_string(&self, value: &Value, path: String) -> Result<String, ReportError> {
        scalar_text(value).ok_or_else(|| self.wrong_type(path, "a string", value))
    }

    fn string_list(&self, value: Option<&Value>, path: String) -> Result<Vec<String>, ReportError> {
        match value {
            None => Ok(Vec::new()),
            Some(Value::Sequence(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.scalar_string(item, format!("{path}[{i}]")))
                .collect(),
            Some(other) => Err(self.wrong_type(path, "a list of strings", other)),
        }
    }

    fn string_map(
        &self,
        value: Option<&Value>,
        path: String,
    ) -> Result<IndexMap<String, String>, ReportError> {
        let mut out = IndexMap::new();
        match value {
            None => {}
            Some(Value::Mapping(map)) => {
                for (key, item) in map {
                    let key = self.key_text(key, &path)?;
                    let text = self.scalar_string(item, join(&path, &key))?;
                    out.insert(key, text);
                }
            }
            Some(other) => return Err(self.wrong_type(path, "a mapping", other)),
        }
        Ok(out)
    }

    fn key_text(&self, key: &Value, path: &str) -> Result<String, ReportError> {
        scalar_text(key)
            .ok_or_else(|| self.wrong_type(format!("{path} (key)"), "a string key", key))
    }

    fn integer(&self, value: Option<&Value>, path: String) -> Result<i64, ReportError> {
        match value {
            None => Ok(0),
            Some(Value::Number(n)) => n
                .as_i64()
                .ok_or_else(|| self.problem(path, FieldProblem::InvalidCount(n.to_string()))),
            Some(other) => Err(self.wrong_type(path, "an integer", other)),
        }
    }

    fn count(&self, value: Option<&Value>, path: String) -> Result<u64, ReportError> {
        let n = self.integer(value, path.clone())?;
        u64::try_from(n).map_err(|_| self.problem(path, FieldProblem::InvalidCount(n.to_string())))
    }

    fn verdict(&self, value: &Value, path: String) -> Result<Verdict, ReportError> {
        match value {
            Value::Number(n) => n
                .as_i64()
                .and_then(Verdict::from_code)
                .ok_or_else(|| self.problem(path, FieldProblem::InvalidVerdict(n.to_string()))),
            other => Err(self.wrong_type(path, "a verdict (1, 0 or -1)", other)),
        }
    }

    fn run(&self, map: &Mapping) -> Result<Run, ReportError> {
        let sections = match field(map, "sections") {
            None => None,
            Some(value) => Some(self.string_list(Some(value), "run.sections".into())?),
        };
        let mut invocations = IndexMap::new();
        match field(map, "invocations") {
            None => {}
            Some(Value::Mapping(entries)) => {
                for (key, value) in entries {
                    let key = self.key_text(key, "run.invocations")?;
                    let path = join("run.invocations", &key);
                    let invocation = self.invocation(value, &path, &key)?;
                    invocations.insert(key, invocation);
                }
            }
            Some(other) => {
                return Err(self.wrong_type("run.invocations".into(), "a mapping", other));
            }
        }
        Ok(Run {
            uuid: self.required_string(map, "run", "uuid")?,
            argv: self.string_list(field(map, "argv"), "run.argv".into())?,
            assignment: self.string_map(field(map, "assignment"), "run.assignment".into())?,
            sections,
            forced_version: self.optional_string(map, "run", "forced_version")?,
            forced_tests: self.optional_string(map, "run", "forced_tests")?,
            invocations,
        })
    }

    fn invocation(&self, value: &Value, path: &str, key: &str) -> Result<Invocation, ReportError> {
        let map = match untag(value) {
            Value::Mapping(map) => map,
            other => return Err(self.wrong_type(path.into(), "a mapping", other)),
        };
        let mut results = IndexMap::new();
        let results_path = join(path, "results");
        match field(map, "results") {
            None => {}
            Some(Value::Mapping(entries)) => {
                for (testcase, verdict) in entries {
                    let testcase = self.key_text(testcase, &results_path)?;
                    let verdict = self.verdict(untag(verdict), join(&results_path, &testcase))?;
                    results.insert(testcase, verdict);
                }
            }
            Some(other) => return Err(self.wrong_type(results_path, "a mapping", other)),
        }
        Ok(Invocation {
            // Upstream repeats the key as `id`; fall back to the key when absent.
            id: self
                .optional_string(map, path, "id")?
                .unwrap_or_else(|| key.to_owned()),
            cmd: self.optional_string(map, path, "cmd")?.unwrap_or_default(),
            results,
            rc: self.integer(field(map, "rc"), join(path, "rc"))?,
            stdout: self.string_list(field(map, "stdout"), join(path, "stdout"))?,
            stderr: self.string_list(field(map, "stderr"), join(path, "stderr"))?,
            info: self.count(field(map, "info"), join(path, "info"))?,
            warning: self.count(field(map, "warning"), join(path, "warning"))?,
            error: self.count(field(map, "error"), join(path, "error"))?,
            critical: self.count(field(map, "critical"), join(path, "critical"))?,
        })
    }

    fn legacy_versions(
        &self,
        value: &Value,
        path: &str,
    ) -> Result<IndexMap<String, IndexMap<String, LegacyResult>>, ReportError> {
        let versions = match untag(value) {
            Value::Mapping(map) => map,
            other => return Err(self.wrong_type(path.into(), "a mapping", other)),
        };
        let mut out = IndexMap::new();
        for (version, testcases) in versions {
            let version = self.key_text(version, path)?;
            let version_path = join(path, &version);
            let testcases = match untag(testcases) {
                Value::Mapping(map) => map,
                Value::Null => {
                    out.insert(version, IndexMap::new());
                    continue;
                }
                other => return Err(self.wrong_type(version_path, "a mapping", other)),
            };
            let mut results = IndexMap::new();
            for (testcase, entry) in testcases {
                let testcase = self.key_text(testcase, &version_path)?;
                let entry_path = join(&version_path, &testcase);
                results.insert(testcase, self.legacy_result(entry, entry_path)?);
            }
            out.insert(version, results);
        }
        Ok(out)
    }

    /// A legacy entry is `{result, invocation}`; a bare integer is tolerated as well.
    fn legacy_result(&self, value: &Value, path: String) -> Result<LegacyResult, ReportError> {
        match untag(value) {
            Value::Mapping(map) => {
                let result = match field(map, "result") {
                    None => None,
                    Some(verdict) => Some(self.verdict(untag(verdict), join(&path, "result"))?),
                };
                Ok(LegacyResult {
                    result,
                    invocation: self.optional_string(map, &path, "invocation")?,
                })
            }
            Value::Null => Ok(LegacyResult {
                result: None,
                invocation: None,
            }),
            other => Ok(LegacyResult {
                result: Some(self.verdict(other, path)?),
                invocation: None,
            }),
        }
    }
}

/// Looks up `key`; an explicit `null` counts as absent.
fn field<'a>(map: &'a Mapping, key: &str) -> Option<&'a Value> {
    map.get(key).map(untag).filter(|v| !v.is_null())
}

fn untag(value: &Value) -> &Value {
    match value {
        Value::Tagged(tagged) => untag(&tagged.value),
        other => other,
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match untag(value) {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}
