//! Which CloudCertification an uploaded report belongs to, and whether the account may
//! deliver it (pure). A report is accepted for exactly one resource: one with the report's
//! subject, `executionMode: External`, and the report's scope (by uuid). The account must
//! name the subject (its own or a delegated one, as upstream), or hold a group the resource
//! is in.

use super::accounts::Account;
use crate::api::CloudCertification;
use crate::api::cloud::ExecutionMode;
use crate::report::Report;
use kube::ResourceExt;
use std::sync::Arc;

/// Why a report is refused, in the order of the checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The account may not upload for this subject (401 upstream: "delegation problem?").
    NotDelegated {
        /// The report's subject.
        subject: String,
    },
    /// No CloudCertification has this subject.
    Unclaimed {
        /// The report's subject.
        subject: String,
    },
    /// Resources have the subject, but none is External.
    InCluster {
        /// The report's subject.
        subject: String,
        /// Indices (into the resources given) of the in-cluster resources.
        resources: Vec<usize>,
    },
    /// External resources have the subject, but none tests the report's scope.
    OtherScope {
        /// The report's scope uuid.
        scope: String,
        /// Indices of the External resources, with the scope uuid each tests (if loaded).
        resources: Vec<(usize, Option<String>)>,
    },
    /// More than one External resource tests this subject and scope.
    Ambiguous {
        /// Indices of those resources.
        resources: Vec<usize>,
    },
    /// The resource is being deleted.
    Deleting {
        /// Index of the resource.
        resource: usize,
    },
}

impl Refusal {
    /// The resources an event about this refusal goes to (none: the account's Secret).
    pub fn resources(&self) -> Vec<usize> {
        match self {
            Self::NotDelegated { .. } | Self::Unclaimed { .. } => Vec::new(),
            Self::InCluster { resources, .. } | Self::Ambiguous { resources } => resources.clone(),
            Self::OtherScope { resources, .. } => resources.iter().map(|(i, _)| *i).collect(),
            Self::Deleting { resource } => vec![*resource],
        }
    }

    /// Whether this is an authorisation failure (401) rather than a report that fits no
    /// resource (422).
    pub fn is_unauthorised(&self) -> bool {
        matches!(self, Self::NotDelegated { .. })
    }

    /// A message for the uploader, the event and the log; names resources as `ns/name`.
    pub fn message(&self, clouds: &[Arc<CloudCertification>]) -> String {
        let name = |i: &usize| {
            clouds.get(*i).map_or_else(String::new, |c| {
                format!("{}/{}", c.namespace().unwrap_or_default(), c.name_any())
            })
        };
        let names = |list: &[usize]| list.iter().map(name).collect::<Vec<_>>().join(", ");
        match self {
            Self::NotDelegated { subject } => format!(
                "Permission denied: this account may not upload reports for subject {subject:?} (delegation problem?)"
            ),
            Self::Unclaimed { subject } => {
                format!("no CloudCertification claims subject {subject:?}")
            }
            Self::InCluster { subject, resources } => format!(
                "subject {subject:?} is tested in-cluster by {}; uploads are accepted only for executionMode External",
                names(resources)
            ),
            Self::OtherScope { scope, resources } => {
                let tested: Vec<String> = resources
                    .iter()
                    .map(|(i, uuid)| match uuid {
                        Some(uuid) => format!("{} tests scope {uuid}", name(i)),
                        None => format!("{} has no scope loaded yet", name(i)),
                    })
                    .collect();
                format!("the report is for scope {scope}, but {}", tested.join("; "))
            }
            Self::Ambiguous { resources } => format!(
                "several External resources test this subject and scope ({}); refusing rather than guessing",
                names(resources)
            ),
            Self::Deleting { resource } => format!("{} is being deleted", name(resource)),
        }
    }
}

/// The resource (index into `clouds`) `report` is to be stored for, or why it is refused.
pub fn claim(
    account: &Account,
    report: &Report,
    clouds: &[Arc<CloudCertification>],
) -> Result<usize, Refusal> {
    let subject = report.subject.as_str();
    let candidates: Vec<usize> = (0..clouds.len())
        .filter(|&i| clouds[i].spec.subject == subject)
        .collect();
    let in_group = |i: &usize| {
        clouds[*i]
            .spec
            .group
            .as_ref()
            .is_some_and(|g| account.groups.contains(g))
    };
    let by_name = account.names_subject(subject);
    let external: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| clouds[i].spec.execution_mode == ExecutionMode::External)
        .collect();
    // Authorisation before anything that reveals which resources exist.
    if !by_name && !external.iter().any(in_group) {
        return Err(Refusal::NotDelegated {
            subject: subject.to_owned(),
        });
    }
    if candidates.is_empty() {
        return Err(Refusal::Unclaimed {
            subject: subject.to_owned(),
        });
    }
    if external.is_empty() {
        return Err(Refusal::InCluster {
            subject: subject.to_owned(),
            resources: candidates,
        });
    }
    let scope_of = |i: usize| {
        clouds[i]
            .status
            .as_ref()
            .and_then(|s| s.scope.as_ref())
            .and_then(|s| s.uuid.clone())
    };
    let matching: Vec<usize> = external
        .iter()
        .copied()
        .filter(|&i| scope_of(i).as_deref() == Some(report.spec.uuid.as_str()))
        .collect();
    let target = match matching.as_slice() {
        [] => {
            return Err(Refusal::OtherScope {
                scope: report.spec.uuid.clone(),
                resources: external.iter().map(|&i| (i, scope_of(i))).collect(),
            });
        }
        [one] => *one,
        _ => {
            return Err(Refusal::Ambiguous {
                resources: matching,
            });
        }
    };
    if !by_name && !in_group(&target) {
        return Err(Refusal::NotDelegated {
            subject: subject.to_owned(),
        });
    }
    if clouds[target].metadata.deletion_timestamp.is_some() {
        return Err(Refusal::Deleting { resource: target });
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::parse_report_stream;
    use std::collections::BTreeSet;

    const SCOPE: &str = "1fffebe6-fd4b-44d3-a36c-fc58b4bb0180";

    fn account(name: &str, subjects: &[&str], groups: &[&str]) -> Account {
        let mut all: BTreeSet<String> = subjects.iter().map(|s| (*s).to_owned()).collect();
        all.insert(name.to_owned());
        Account {
            name: name.into(),
            api_keys: Vec::new(),
            public_keys: Vec::new(),
            subjects: all,
            groups: groups.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn cloud(
        name: &str,
        subject: &str,
        mode: &str,
        scope: Option<&str>,
        group: Option<&str>,
    ) -> Arc<CloudCertification> {
        let status = match scope {
            Some(uuid) => serde_json::json!({"scope": {"uuid": uuid}}),
            None => serde_json::json!({}),
        };
        Arc::new(
            serde_json::from_value(serde_json::json!({
                "apiVersion": "certification.scs.community/v1alpha1",
                "kind": "CloudCertification",
                "metadata": {"name": name, "namespace": "ns"},
                "spec": {
                    "subject": subject,
                    "executionMode": mode,
                    "group": group,
                    "scope": {"url": "https://example.org/s.yaml"}
                },
                "status": status
            }))
            .expect("cloud literal"),
        )
    }

    fn report(subject: &str, scope: &str) -> Report {
        parse_report_stream(&format!(
            "spec: {{uuid: {scope}}}\nchecked_at: 2026-12-05 01:00:00\nsubject: {subject}\nrun: {{uuid: r1, invocations: {{}}}}\n"
        ))
        .expect("report literal")
        .remove(0)
    }

    #[test]
    fn the_one_external_resource_of_subject_and_scope_gets_the_report() {
        let clouds = [
            cloud("a-kaas", "cloud-a", "External", Some("other-scope"), None),
            cloud("a-iaas", "cloud-a", "External", Some(SCOPE), None),
            cloud("b", "cloud-b", "External", Some(SCOPE), None),
        ];
        let own = account("cloud-a", &[], &[]);
        assert_eq!(claim(&own, &report("cloud-a", SCOPE), &clouds), Ok(1));
        // A delegate (like upstream's zuul_ci) names the subject.
        let delegate = account("ci", &["cloud-a", "cloud-b"], &[]);
        assert_eq!(claim(&delegate, &report("cloud-b", SCOPE), &clouds), Ok(2));
    }

    #[test]
    fn an_account_uploads_only_for_its_own_or_delegated_subjects() {
        let clouds = [cloud("b", "cloud-b", "External", Some(SCOPE), None)];
        let other = account("cloud-a", &[], &[]);
        let refusal = claim(&other, &report("cloud-b", SCOPE), &clouds).unwrap_err();
        assert!(refusal.is_unauthorised());
        assert!(
            refusal.resources().is_empty(),
            "no event on a resource the caller may not see"
        );
        // Unclaimed subjects also answer 401 to a stranger: nothing about resources leaks.
        let refusal = claim(&other, &report("nobody", SCOPE), &clouds).unwrap_err();
        assert!(refusal.is_unauthorised());
    }

    #[test]
    fn a_group_delegation_covers_the_external_resources_of_that_group() {
        let clouds = [
            cloud("p1", "pco-prod1", "External", Some(SCOPE), Some("pco-prod")),
            cloud("x", "other", "External", Some(SCOPE), Some("elsewhere")),
        ];
        let group = account("pco-ci", &[], &["pco-prod"]);
        assert_eq!(claim(&group, &report("pco-prod1", SCOPE), &clouds), Ok(0));
        assert!(
            claim(&group, &report("other", SCOPE), &clouds)
                .unwrap_err()
                .is_unauthorised()
        );
    }

    #[test]
    fn reports_no_external_resource_fits_are_refused_with_a_reason() {
        let own = account("cloud-a", &[], &[]);
        let clouds: [Arc<CloudCertification>; 0] = [];
        assert_eq!(
            claim(&own, &report("cloud-a", SCOPE), &clouds),
            Err(Refusal::Unclaimed {
                subject: "cloud-a".into()
            })
        );

        let clouds = [cloud("a", "cloud-a", "InCluster", Some(SCOPE), None)];
        let refusal = claim(&own, &report("cloud-a", SCOPE), &clouds).unwrap_err();
        assert_eq!(refusal.resources(), vec![0]);
        assert!(
            refusal
                .message(&clouds)
                .contains("tested in-cluster by ns/a"),
            "{}",
            refusal.message(&clouds)
        );

        let clouds = [
            cloud(
                "a",
                "cloud-a",
                "External",
                Some("00000000-0000-4000-8000-000000000002"),
                None,
            ),
            cloud("a2", "cloud-a", "External", None, None),
        ];
        let refusal = claim(&own, &report("cloud-a", SCOPE), &clouds).unwrap_err();
        assert!(!refusal.is_unauthorised());
        assert_eq!(refusal.resources(), vec![0, 1]);
        let message = refusal.message(&clouds);
        assert!(
            message.contains(SCOPE)
                && message.contains("ns/a tests scope 00000000-0000-4000-8000-000000000002")
                && message.contains("ns/a2 has no scope loaded yet"),
            "{message}"
        );

        let clouds = [
            cloud("a", "cloud-a", "External", Some(SCOPE), None),
            cloud("a2", "cloud-a", "External", Some(SCOPE), None),
        ];
        assert_eq!(
            claim(&own, &report("cloud-a", SCOPE), &clouds),
            Err(Refusal::Ambiguous {
                resources: vec![0, 1]
            })
        );
    }
}
