//! Variable assignment (DOMAIN 1.6, 3.1): `-a KEY=VALUE` values, spec defaults, and the check
//! that every declared variable ends up assigned.

use crate::scope::Variables;
use indexmap::IndexMap;

/// A bad `-a` value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    /// No `=` in the value.
    #[error("invalid assignment {0:?}: expected KEY=VALUE")]
    NotKeyValue(String),
    /// The same key assigned twice.
    #[error("Double assignment for {0:?}")]
    Double(String),
}

/// Parses the `-a` values in order; splits at the first `=`; a repeated key is an error.
pub fn parse_assignments(raw: &[String]) -> Result<IndexMap<String, String>, AssignmentError> {
    let mut assignment = IndexMap::new();
    for item in raw {
        let Some((key, value)) = item.split_once('=') else {
            return Err(AssignmentError::NotKeyValue(item.clone()));
        };
        if assignment.contains_key(key) {
            return Err(AssignmentError::Double(key.to_string()));
        }
        assignment.insert(key.to_string(), value.to_string());
    }
    Ok(assignment)
}

/// The values scripts see: spec defaults overlaid by the `-a` assignments.
pub fn effective_assignment(
    variables: &Variables,
    cli: &IndexMap<String, String>,
) -> IndexMap<String, String> {
    let mut effective: IndexMap<String, String> = variables
        .defaults
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    for (key, value) in cli {
        effective.insert(key.clone(), value.clone());
    }
    effective
}

/// Declared variables without a value, in declaration order.
pub fn missing_variables(
    variables: &Variables,
    effective: &IndexMap<String, String>,
) -> Vec<String> {
    variables
        .names
        .iter()
        .filter(|name| !effective.contains_key(name.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::OrderedMap;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn splits_at_first_equals_and_rejects_doubles() {
        let parsed = parse_assignments(&strings(&["a=1", "b=x=y", "c="])).unwrap();
        let pairs: Vec<(&str, &str)> = parsed
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(pairs, [("a", "1"), ("b", "x=y"), ("c", "")]);
        assert_eq!(
            parse_assignments(&strings(&["a=1", "a=2"])),
            Err(AssignmentError::Double("a".into()))
        );
        assert_eq!(
            parse_assignments(&strings(&["novalue"])),
            Err(AssignmentError::NotKeyValue("novalue".into()))
        );
        assert_eq!(
            AssignmentError::Double("a".into()).to_string(),
            "Double assignment for \"a\""
        );
    }

    #[test]
    fn defaults_are_overridden_and_missing_names_reported() {
        let variables = Variables {
            names: strings(&["subject_root", "kubeconfig", "execution_mode"]),
            defaults: [("execution_mode".to_string(), "parallel".to_string())]
                .into_iter()
                .collect::<OrderedMap<String>>(),
        };
        let cli = parse_assignments(&strings(&["subject_root=x", "extra=1"])).unwrap();
        let effective = effective_assignment(&variables, &cli);
        assert_eq!(
            effective.get("execution_mode").map(String::as_str),
            Some("parallel")
        );
        assert_eq!(missing_variables(&variables, &effective), ["kubeconfig"]);
        let cli = parse_assignments(&strings(&["execution_mode=serial"])).unwrap();
        let effective = effective_assignment(&variables, &cli);
        assert_eq!(
            effective.get("execution_mode").map(String::as_str),
            Some("serial")
        );
    }
}
