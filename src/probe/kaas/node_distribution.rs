//! scs-0214-v2 (Kubernetes node distribution and availability), judged from node labels
//! like the upstream (retired) `k8s_node_distribution_check.py`, with the labelling and
//! per-zone rules of v2 spelt out:
//!
//! - the cluster needs at least two nodes;
//! - every node MUST carry `topology.kubernetes.io/zone`, `topology.kubernetes.io/region`
//!   and `topology.scs.community/host-id`;
//! - the control-plane nodes (`node-role.kubernetes.io/control-plane`) MUST be distributed
//!   (more than one region, zone or physical host), and every failure zone that has nodes
//!   MUST have at least one control-plane node;
//! - worker distribution over zones is RECOMMENDED (a warning when missing);
//! - when no node is labelled control-plane (a hosted control plane), the nodes that are
//!   visible must be distributed instead, as upstream does.
//!
//! A failure zone is a (region, zone) pair, so equal zone names in different regions are
//! different zones.

use super::super::Outcome;
use super::name_list;
use std::collections::{BTreeMap, BTreeSet};

/// Zone label (well-known Kubernetes label).
pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
/// Region label (well-known Kubernetes label).
pub const REGION_LABEL: &str = "topology.kubernetes.io/region";
/// Physical host label (SCS label, scs-0214-v2).
pub const HOST_LABEL: &str = "topology.scs.community/host-id";
/// Control-plane role label.
pub const CONTROL_PLANE_LABEL: &str = "node-role.kubernetes.io/control-plane";
/// Legacy control-plane role label (Kubernetes < 1.24).
pub const LEGACY_MASTER_LABEL: &str = "node-role.kubernetes.io/master";

/// The labels every node must carry, in the order of failure-domain size.
pub const REQUIRED_LABELS: [&str; 3] = [REGION_LABEL, ZONE_LABEL, HOST_LABEL];

/// What the probe needs of one Node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeFacts {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
}

impl NodeFacts {
    fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn is_control_plane(&self) -> bool {
        self.labels.contains_key(CONTROL_PLANE_LABEL)
            || self.labels.contains_key(LEGACY_MASTER_LABEL)
    }

    /// The node's failure zone (region, zone), when both labels are set.
    fn zone(&self) -> Option<(&str, &str)> {
        Some((self.label(REGION_LABEL)?, self.label(ZONE_LABEL)?))
    }
}

/// `zone` or `region/zone` when regions differ somewhere.
fn zone_name((region, zone): (&str, &str), many_regions: bool) -> String {
    if many_regions {
        format!("{region}/{zone}")
    } else {
        zone.to_owned()
    }
}

/// Distinct values of `label` among `nodes`.
fn distinct<'a>(nodes: &[&'a NodeFacts], label: &str) -> BTreeSet<&'a str> {
    nodes.iter().filter_map(|n| n.label(label)).collect()
}

/// How `nodes` spread: e.g. `3 zones`, or `None` if all share one region, zone and host.
fn spread(nodes: &[&NodeFacts]) -> Option<String> {
    let regions = distinct(nodes, REGION_LABEL).len();
    let zones: BTreeSet<(&str, &str)> = nodes.iter().filter_map(|n| n.zone()).collect();
    let hosts = distinct(nodes, HOST_LABEL).len();
    if regions > 1 {
        Some(format!("{regions} regions"))
    } else if zones.len() > 1 {
        Some(format!("{} zones", zones.len()))
    } else if hosts > 1 {
        Some(format!("{hosts} hosts (one zone)"))
    } else {
        None
    }
}

/// Decides scs-0214-v2 for the given nodes.
pub fn evaluate(nodes: &[NodeFacts]) -> Outcome {
    let mut outcome = Outcome::default();
    if nodes.len() < 2 {
        outcome.error(format!(
            "the cluster has {} node(s); a single node cannot be distributed (scs-0214-v2)",
            nodes.len()
        ));
        return outcome;
    }
    for label in REQUIRED_LABELS {
        let missing: Vec<&str> = nodes
            .iter()
            .filter(|n| n.label(label).is_none())
            .map(|n| n.name.as_str())
            .collect();
        if !missing.is_empty() {
            outcome.error(format!(
                "{} of {} nodes lack the label {label} ({}); scs-0214-v2 requires it on every node",
                missing.len(),
                nodes.len(),
                name_list(&missing)
            ));
        }
    }
    let many_regions = distinct(&nodes.iter().collect::<Vec<_>>(), REGION_LABEL).len() > 1;
    let (control, workers): (Vec<&NodeFacts>, Vec<&NodeFacts>) =
        nodes.iter().partition(|n| n.is_control_plane());

    if control.is_empty() {
        outcome.warning(format!(
            "no node is labelled {CONTROL_PLANE_LABEL} (hosted control plane?); the \
             distribution of the {} visible nodes is checked instead",
            nodes.len()
        ));
        let all: Vec<&NodeFacts> = nodes.iter().collect();
        match spread(&all) {
            Some(spread) => outcome.info(format!("the nodes are distributed over {spread}")),
            None => outcome.error(
                "all nodes share one region, zone and host: no distribution over failure \
                 zones (scs-0214-v2)",
            ),
        }
        return outcome;
    }

    // Control plane: distributed, and present in every failure zone that has nodes.
    match (control.len(), spread(&control)) {
        (1, _) => outcome.error(format!(
            "a single control-plane node ({}); scs-0214-v2 requires the control plane to be \
             distributed over several machines",
            control[0].name
        )),
        (n, None) => outcome.error(format!(
            "the {n} control-plane nodes share one region, zone and host; scs-0214-v2 \
             requires them on several machines in different failure zones"
        )),
        (n, Some(spread)) => outcome.info(format!(
            "the {n} control-plane nodes are distributed over {spread}"
        )),
    }
    let control_zones: BTreeSet<(&str, &str)> = control.iter().filter_map(|n| n.zone()).collect();
    let all_zones: BTreeSet<(&str, &str)> = nodes.iter().filter_map(|n| n.zone()).collect();
    let uncovered: Vec<String> = all_zones
        .difference(&control_zones)
        .map(|z| zone_name(*z, many_regions))
        .collect();
    if !uncovered.is_empty() {
        outcome.error(format!(
            "failure zone(s) without a control-plane node: {}; scs-0214-v2 requires at least \
             one control-plane node in each failure zone",
            name_list(&uncovered)
        ));
    }

    // Workers: distribution is a recommendation.
    if workers.is_empty() {
        outcome.warning("no worker nodes: only control-plane nodes are visible");
    } else {
        let worker_zones: BTreeSet<(&str, &str)> =
            workers.iter().filter_map(|n| n.zone()).collect();
        if worker_zones.len() > 1 {
            outcome.info(format!(
                "the {} worker nodes are distributed over {} zones",
                workers.len(),
                worker_zones.len()
            ));
        } else {
            outcome.warning(format!(
                "the {} worker nodes are all in one zone; scs-0214-v2 recommends spreading \
                 them over failure zones",
                workers.len()
            ));
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{Level, Verdict};

    /// `name`, control plane?, region, zone, host (empty = label absent).
    fn node(name: &str, control: bool, region: &str, zone: &str, host: &str) -> NodeFacts {
        let mut labels = BTreeMap::new();
        for (key, value) in [
            (REGION_LABEL, region),
            (ZONE_LABEL, zone),
            (HOST_LABEL, host),
        ] {
            if !value.is_empty() {
                labels.insert(key.to_owned(), value.to_owned());
            }
        }
        if control {
            labels.insert(CONTROL_PLANE_LABEL.to_owned(), String::new());
        }
        NodeFacts {
            name: name.into(),
            labels,
        }
    }

    /// Three zones, a control-plane node and a worker in each.
    fn spread_cluster() -> Vec<NodeFacts> {
        let mut nodes = Vec::new();
        for (i, zone) in ["a", "b", "c"].iter().enumerate() {
            nodes.push(node(
                &format!("cp-{zone}"),
                true,
                "r1",
                zone,
                &format!("h{i}"),
            ));
            nodes.push(node(
                &format!("w-{zone}"),
                false,
                "r1",
                zone,
                &format!("h{}", i + 3),
            ));
        }
        nodes
    }

    #[test]
    fn decision_table() {
        let mut legacy = spread_cluster();
        for n in &mut legacy {
            if n.labels.remove(CONTROL_PLANE_LABEL).is_some() {
                n.labels.insert(LEGACY_MASTER_LABEL.into(), String::new());
            }
        }
        let cases: Vec<(&str, Vec<NodeFacts>, Verdict, Level, &str)> = vec![
            (
                "control plane and workers in three zones",
                spread_cluster(),
                Verdict::Pass,
                Level::Info,
                "the 3 control-plane nodes are distributed over 3 zones",
            ),
            (
                "legacy master label",
                legacy,
                Verdict::Pass,
                Level::Info,
                "3 control-plane nodes",
            ),
            (
                "no nodes",
                vec![],
                Verdict::Fail,
                Level::Error,
                "the cluster has 0 node(s)",
            ),
            (
                "one node",
                vec![node("solo", true, "r1", "a", "h1")],
                Verdict::Fail,
                Level::Error,
                "a single node cannot be distributed",
            ),
            (
                "control plane in one zone on one host",
                vec![
                    node("cp-1", true, "r1", "a", "h1"),
                    node("cp-2", true, "r1", "a", "h1"),
                    node("w-1", false, "r1", "a", "h2"),
                ],
                Verdict::Fail,
                Level::Error,
                "the 2 control-plane nodes share one region, zone and host",
            ),
            (
                "single control-plane node",
                vec![
                    node("cp-1", true, "r1", "a", "h1"),
                    node("w-1", false, "r1", "b", "h2"),
                ],
                Verdict::Fail,
                Level::Error,
                "a single control-plane node (cp-1)",
            ),
            (
                "a worker zone without control plane",
                vec![
                    node("cp-a", true, "r1", "a", "h1"),
                    node("cp-b", true, "r1", "b", "h2"),
                    node("w-c", false, "r1", "c", "h3"),
                ],
                Verdict::Fail,
                Level::Error,
                "failure zone(s) without a control-plane node: c",
            ),
            (
                "same zone name in two regions is two zones",
                vec![
                    node("cp-1", true, "r1", "a", "h1"),
                    node("cp-2", true, "r2", "a", "h2"),
                    node("w-1", false, "r3", "a", "h3"),
                ],
                Verdict::Fail,
                Level::Error,
                "failure zone(s) without a control-plane node: r3/a",
            ),
            (
                "control plane on two hosts of one zone is distributed over machines",
                vec![
                    node("cp-1", true, "r1", "a", "h1"),
                    node("cp-2", true, "r1", "a", "h2"),
                    node("w-1", false, "r1", "a", "h3"),
                ],
                Verdict::Pass,
                Level::Warning,
                "worker nodes are all in one zone",
            ),
            (
                "missing labels are named",
                vec![
                    node("cp-a", true, "r1", "a", "h1"),
                    node("cp-b", true, "r1", "b", ""),
                    node("w-1", false, "", "a", "h3"),
                ],
                Verdict::Fail,
                Level::Error,
                "1 of 3 nodes lack the label topology.scs.community/host-id (cp-b)",
            ),
            (
                "hosted control plane, workers spread",
                vec![
                    node("w-1", false, "r1", "a", "h1"),
                    node("w-2", false, "r1", "b", "h2"),
                ],
                Verdict::Pass,
                Level::Warning,
                "hosted control plane?",
            ),
            (
                "hosted control plane, workers not spread",
                vec![
                    node("w-1", false, "r1", "a", "h1"),
                    node("w-2", false, "r1", "a", "h1"),
                ],
                Verdict::Fail,
                Level::Error,
                "all nodes share one region, zone and host",
            ),
            (
                "only control-plane nodes",
                vec![
                    node("cp-a", true, "r1", "a", "h1"),
                    node("cp-b", true, "r1", "b", "h2"),
                ],
                Verdict::Pass,
                Level::Warning,
                "no worker nodes",
            ),
        ];
        for (name, nodes, verdict, level, text) in cases {
            let outcome = evaluate(&nodes);
            assert_eq!(outcome.verdict(), verdict, "{name}: {outcome:#?}");
            assert!(
                outcome.mentions(level, text),
                "{name}: {text:?} in {outcome:#?}"
            );
        }
    }

    #[test]
    fn the_upstream_scenarios_agree() {
        // Shapes of upstream's testdata (success, no distribution, not enough nodes,
        // missing labels), rebuilt here with v2's three labels.
        let success = spread_cluster();
        assert_eq!(evaluate(&success).verdict(), Verdict::Pass);
        let no_distribution: Vec<NodeFacts> = (0..3)
            .map(|i| node(&format!("n{i}"), i == 0, "r1", "a", "h1"))
            .collect();
        assert_eq!(evaluate(&no_distribution).verdict(), Verdict::Fail);
        assert_eq!(evaluate(&success[..1]).verdict(), Verdict::Fail);
        let mut missing = spread_cluster();
        missing[3].labels.remove(ZONE_LABEL);
        let outcome = evaluate(&missing);
        assert_eq!(outcome.verdict(), Verdict::Fail);
        assert!(outcome.mentions(
            Level::Error,
            "lack the label topology.kubernetes.io/zone (w-b)"
        ));
    }
}
