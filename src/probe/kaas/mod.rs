//! KaaS probes: the decision logic of light KaaS testcases that need only the Kubernetes
//! API of the cluster under test (scs-0210 version policy, scs-0211 default storage class,
//! scs-0214 node distribution). Pure; the facts are plain values.

pub mod node_distribution;
pub mod storage_class;
pub mod version_policy;

/// Testcase id printed by the version policy probe (the upstream KaaS scope's id).
pub const VERSION_POLICY_TESTCASE: &str = "version-policy-check";
/// Testcase id printed by the default storage class probe.
pub const STORAGE_CLASS_TESTCASE: &str = "default-storage-class-check";
/// Testcase id printed by the node distribution probe (the upstream KaaS scope's id).
pub const NODE_DISTRIBUTION_TESTCASE: &str = "node-distribution-check";

/// At most this many names are spelt out in one message; the rest are counted.
const NAMES_SHOWN: usize = 10;

/// `a, b, c` or `a, b, c and 7 more`.
fn name_list<S: AsRef<str>>(names: &[S]) -> String {
    let shown: Vec<&str> = names.iter().take(NAMES_SHOWN).map(AsRef::as_ref).collect();
    let mut text = shown.join(", ");
    if names.len() > NAMES_SHOWN {
        text.push_str(&format!(" and {} more", names.len() - NAMES_SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_name_lists_are_cut() {
        assert_eq!(super::name_list(&["a", "b"]), "a, b");
        let many: Vec<String> = (0..13).map(|i| format!("n{i}")).collect();
        assert_eq!(
            super::name_list(&many),
            "n0, n1, n2, n3, n4, n5, n6, n7, n8, n9 and 3 more"
        );
    }
}
