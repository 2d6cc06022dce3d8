//! scs-0211 (KaaS default storage class), the part the Kubernetes API shows:
//!
//! - exactly one StorageClass is the default (`storageclass.kubernetes.io/is-default-class:
//!   "true"`; v2: "MUST have a default storage class"; the upstream test also refuses more
//!   than one, since which one a PVC gets would then depend on creation times);
//! - its volumes MUST NOT be local or ephemeral and MUST NOT be bound to a node's lifecycle:
//!   a default without a provisioner (`kubernetes.io/no-provisioner`, statically created
//!   local volumes) or with a known node-local provisioner fails.
//!
//! Whether `ReadWriteOnce` really works can only be shown by provisioning a volume and
//! mounting it in a pod, as the upstream Sonobuoy plugin does; an API-only probe cannot, and
//! says so in an `INFO` line.

use super::super::Outcome;
use super::name_list;

/// The annotation that makes a StorageClass the default.
pub const DEFAULT_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
/// The deprecated beta annotation Kubernetes still honours.
pub const BETA_DEFAULT_ANNOTATION: &str = "storageclass.beta.kubernetes.io/is-default-class";
/// The provisioner of StorageClasses without dynamic provisioning.
pub const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";

/// Provisioners whose volumes live on one node's local disks (node-bound storage).
pub const NODE_LOCAL_PROVISIONERS: &[&str] = &[
    NO_PROVISIONER,
    "kubernetes.io/host-path",
    "rancher.io/local-path",
    "openebs.io/local",
    "local.csi.openebs.io",
    "hostpath.csi.k8s.io",
    "topolvm.io",
    "topolvm.cybozu.com",
    "lvm.csi.metal-stack.io",
];

/// What the probe needs of one StorageClass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageClassFacts {
    /// `metadata.name`.
    pub name: String,
    /// `provisioner`.
    pub provisioner: String,
    /// Value of the `is-default-class` annotation, if set.
    pub default_annotation: Option<String>,
    /// Value of the beta `is-default-class` annotation, if set.
    pub beta_default_annotation: Option<String>,
}

impl StorageClassFacts {
    /// Whether Kubernetes treats it as a default (either annotation exactly `"true"`).
    pub fn is_default(&self) -> bool {
        [&self.default_annotation, &self.beta_default_annotation]
            .iter()
            .any(|value| value.as_deref() == Some("true"))
    }
}

/// Decides the default storage class requirements.
pub fn evaluate(classes: &[StorageClassFacts]) -> Outcome {
    let mut outcome = Outcome::default();
    for class in classes {
        for (annotation, value) in [
            (DEFAULT_ANNOTATION, &class.default_annotation),
            (BETA_DEFAULT_ANNOTATION, &class.beta_default_annotation),
        ] {
            if let Some(value) = value
                && value != "true"
                && value.eq_ignore_ascii_case("true")
            {
                outcome.warning(format!(
                    "StorageClass {} has {annotation}={value:?}; Kubernetes only honours \
                     the exact value \"true\", so it is not a default",
                    class.name
                ));
            }
        }
    }
    let defaults: Vec<&StorageClassFacts> = classes.iter().filter(|c| c.is_default()).collect();
    let default = match defaults.as_slice() {
        [] => {
            outcome.error(format!(
                "no default StorageClass among {} StorageClass(es){}: scs-0211 requires one \
                 annotated {DEFAULT_ANNOTATION}=true",
                classes.len(),
                if classes.is_empty() {
                    String::new()
                } else {
                    let names: Vec<&str> = classes.iter().map(|c| c.name.as_str()).collect();
                    format!(" ({})", name_list(&names))
                }
            ));
            return outcome;
        }
        [one] => *one,
        many => {
            let names: Vec<&str> = many.iter().map(|c| c.name.as_str()).collect();
            outcome.error(format!(
                "{} StorageClasses are marked default ({}); exactly one is required",
                many.len(),
                name_list(&names)
            ));
            return outcome;
        }
    };
    if default.default_annotation.as_deref() != Some("true") {
        outcome.warning(format!(
            "StorageClass {} is the default only through the deprecated annotation \
             {BETA_DEFAULT_ANNOTATION}; use {DEFAULT_ANNOTATION}",
            default.name
        ));
    }
    if default.provisioner == NO_PROVISIONER {
        outcome.error(format!(
            "the default StorageClass {} has provisioner {NO_PROVISIONER}: claims get no \
             volume provisioned, only pre-created (local) volumes; scs-0211 requires \
             provisioned volumes that are not node-local",
            default.name
        ));
    } else if NODE_LOCAL_PROVISIONERS.contains(&default.provisioner.as_str()) {
        outcome.error(format!(
            "the default StorageClass {} uses provisioner {}, which provisions node-local \
             storage; scs-0211 forbids local storage bound to a node's lifecycle",
            default.name, default.provisioner
        ));
    } else {
        outcome.info(format!(
            "default StorageClass {} (provisioner {})",
            default.name, default.provisioner
        ));
        outcome.info(
            "ReadWriteOnce support and redundancy are judged from the provisioner only; \
             provisioning a test volume is beyond this API-only probe",
        );
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{Level, Verdict};

    fn class(
        name: &str,
        provisioner: &str,
        default: Option<&str>,
        beta: Option<&str>,
    ) -> StorageClassFacts {
        StorageClassFacts {
            name: name.into(),
            provisioner: provisioner.into(),
            default_annotation: default.map(Into::into),
            beta_default_annotation: beta.map(Into::into),
        }
    }

    const CINDER: &str = "cinder.csi.openstack.org";

    #[test]
    fn decision_table() {
        let cases: Vec<(&str, Vec<StorageClassFacts>, Verdict, Level, &str)> = vec![
            (
                "one default with a network provisioner",
                vec![
                    class("csi-cinder", CINDER, Some("true"), None),
                    class("fast", CINDER, Some("false"), None),
                ],
                Verdict::Pass,
                Level::Info,
                "default StorageClass csi-cinder (provisioner cinder.csi.openstack.org)",
            ),
            (
                "no StorageClass at all",
                vec![],
                Verdict::Fail,
                Level::Error,
                "no default StorageClass among 0",
            ),
            (
                "classes, but none default",
                vec![
                    class("a", CINDER, None, None),
                    class("b", CINDER, Some("false"), None),
                ],
                Verdict::Fail,
                Level::Error,
                "no default StorageClass among 2 StorageClass(es) (a, b)",
            ),
            (
                "two defaults",
                vec![
                    class("a", CINDER, Some("true"), None),
                    class("b", CINDER, None, Some("true")),
                ],
                Verdict::Fail,
                Level::Error,
                "2 StorageClasses are marked default (a, b)",
            ),
            (
                "default without provisioner",
                vec![class("local", NO_PROVISIONER, Some("true"), None)],
                Verdict::Fail,
                Level::Error,
                "has provisioner kubernetes.io/no-provisioner",
            ),
            (
                "default with a node-local provisioner",
                vec![class(
                    "local-path",
                    "rancher.io/local-path",
                    Some("true"),
                    None,
                )],
                Verdict::Fail,
                Level::Error,
                "provisions node-local storage",
            ),
            (
                "default through the beta annotation only",
                vec![class("old", CINDER, None, Some("true"))],
                Verdict::Pass,
                Level::Warning,
                "deprecated annotation",
            ),
            (
                "\"True\" is not \"true\"",
                vec![class("typo", CINDER, Some("True"), None)],
                Verdict::Fail,
                Level::Warning,
                "only honours the exact value",
            ),
        ];
        for (name, classes, verdict, level, text) in cases {
            let outcome = evaluate(&classes);
            assert_eq!(outcome.verdict(), verdict, "{name}: {outcome:#?}");
            assert!(
                outcome.mentions(level, text),
                "{name}: {text:?} in {outcome:#?}"
            );
        }
    }

    #[test]
    fn the_api_only_limit_is_stated() {
        let outcome = evaluate(&[class("a", CINDER, Some("true"), None)]);
        assert!(outcome.mentions(Level::Info, "beyond this API-only probe"));
    }
}
