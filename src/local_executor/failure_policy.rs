//! `spec.podFailurePolicy` of a Job, judged like the job controller does for each failed
//! Pod: the first matching rule decides whether the failure fails the Job at once
//! (`FailJob`), does not count towards `backoffLimit` (`Ignore`) or counts as usual
//! (`Count`, and when no rule matches). Pure.

use super::job_status::JobFailure;
use k8s_openapi::api::batch::v1::{Job, PodFailurePolicyRule};
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

/// Condition reason of a Job failed by a `FailJob` rule.
pub const REASON_POD_FAILURE_POLICY: &str = "PodFailurePolicy";

/// What a failed Pod means for its Job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureVerdict {
    /// Counts towards `backoffLimit`.
    Count,
    /// Does not count; a replacement Pod is started.
    Ignore,
    /// Fails the Job now.
    FailJob(JobFailure),
}

/// Judges one failed Pod under the Job's pod failure policy.
pub fn judge_failed_pod(job: &Job, pod: &Pod) -> FailureVerdict {
    let Some(policy) = job
        .spec
        .as_ref()
        .and_then(|s| s.pod_failure_policy.as_ref())
    else {
        return FailureVerdict::Count;
    };
    for (index, rule) in policy.rules.iter().enumerate() {
        let Some(matched) = rule_matches(rule, pod) else {
            continue;
        };
        return match rule.action.as_str() {
            "FailJob" => FailureVerdict::FailJob(JobFailure::Other {
                reason: REASON_POD_FAILURE_POLICY.to_owned(),
                message: format!("{matched} matching FailJob rule at index {index}"),
            }),
            "Ignore" => FailureVerdict::Ignore,
            // Count, and FailIndex (only meaningful for Indexed Jobs, which are refused).
            _ => FailureVerdict::Count,
        };
    }
    FailureVerdict::Count
}

/// The job controller's description of what matched, when the rule matches.
fn rule_matches(rule: &PodFailurePolicyRule, pod: &Pod) -> Option<String> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let status = pod.status.as_ref();
    if let Some(requirement) = &rule.on_exit_codes {
        let matches = |statuses: Option<&Vec<ContainerStatus>>| {
            statuses.into_iter().flatten().find_map(|s| {
                if requirement
                    .container_name
                    .as_ref()
                    .is_some_and(|wanted| *wanted != s.name)
                {
                    return None;
                }
                let code = s.state.as_ref()?.terminated.as_ref()?.exit_code;
                // Exit code 0 never matches, whatever the operator.
                if code == 0 {
                    return None;
                }
                let listed = requirement.values.contains(&code);
                let hit = match requirement.operator.as_str() {
                    "In" => listed,
                    "NotIn" => !listed,
                    _ => false,
                };
                hit.then(|| (s.name.clone(), code))
            })
        };
        // Main containers first, then init containers (the job controller's order).
        let (container, code) = matches(status.and_then(|s| s.container_statuses.as_ref()))
            .or_else(|| matches(status.and_then(|s| s.init_container_statuses.as_ref())))?;
        return Some(format!(
            "Container {container} for pod {namespace}/{name} failed with exit code {code}"
        ));
    }
    for pattern in rule.on_pod_conditions.iter().flatten() {
        // The API server defaults an omitted status to True.
        let wanted_status = match pattern.status.as_str() {
            "" => "True",
            other => other,
        };
        let present = status
            .and_then(|s| s.conditions.as_ref())
            .into_iter()
            .flatten()
            .any(|c| c.type_ == pattern.type_ && c.status == wanted_status);
        if present {
            return Some(format!(
                "Pod {namespace}/{name} has condition {}",
                pattern.type_
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn job(rules: Value) -> Job {
        serde_json::from_value(json!({
            "metadata": {"name": "j"},
            "spec": {"template": {}, "podFailurePolicy": {"rules": rules}}
        }))
        .expect("job literal")
    }

    fn failed_pod(main: &[(&str, i32)], init: &[(&str, i32)], conditions: Value) -> Pod {
        let statuses = |list: &[(&str, i32)]| {
            list.iter()
                .map(|(name, code)| {
                    json!({"name": name, "image": "i", "imageID": "", "ready": false,
                           "restartCount": 0,
                           "state": {"terminated": {"exitCode": code}}})
                })
                .collect::<Vec<_>>()
        };
        serde_json::from_value(json!({
            "metadata": {"name": "p", "namespace": "ns"},
            "status": {"phase": "Failed", "containerStatuses": statuses(main),
                       "initContainerStatuses": statuses(init), "conditions": conditions}
        }))
        .expect("pod literal")
    }

    fn fail_job(message: &str) -> FailureVerdict {
        FailureVerdict::FailJob(JobFailure::Other {
            reason: REASON_POD_FAILURE_POLICY.to_owned(),
            message: message.to_owned(),
        })
    }

    #[test]
    fn rules_are_judged_in_order() {
        let rules = json!([
            {"action": "Ignore", "onExitCodes": {"operator": "In", "values": [42]}},
            {"action": "FailJob", "onExitCodes": {"containerName": "main",
                                                  "operator": "In", "values": [2, 3]}},
            {"action": "FailJob", "onPodConditions": [{"type": "DisruptionTarget"}]},
            {"action": "Count", "onExitCodes": {"operator": "NotIn", "values": [1]}}
        ]);
        let none = json!([]);
        // (main containers, init containers, pod conditions, verdict)
        let cases = [
            (
                vec![("main", 42)],
                vec![],
                none.clone(),
                FailureVerdict::Ignore,
            ),
            (
                vec![("main", 3)],
                vec![],
                none.clone(),
                fail_job(
                    "Container main for pod ns/p failed with exit code 3 matching FailJob \
                     rule at index 1",
                ),
            ),
            // Rule 1 is restricted to "main".
            (
                vec![("side", 3)],
                vec![],
                none.clone(),
                FailureVerdict::Count,
            ),
            // Exit code 0 never matches; init containers are looked at after main ones.
            (
                vec![("main", 0)],
                vec![("init", 42)],
                none.clone(),
                FailureVerdict::Ignore,
            ),
            (
                vec![("main", 1)],
                vec![],
                json!([{"type": "DisruptionTarget", "status": "True"}]),
                fail_job(
                    "Pod ns/p has condition DisruptionTarget matching FailJob rule at index 2",
                ),
            ),
            (
                vec![("main", 1)],
                vec![],
                none.clone(),
                FailureVerdict::Count,
            ),
        ];
        let job = job(rules);
        for (main, init, conditions, expected) in cases {
            let pod = failed_pod(&main, &init, conditions);
            assert_eq!(judge_failed_pod(&job, &pod), expected, "{main:?} {init:?}");
        }
    }

    #[test]
    fn no_policy_counts() {
        let job: Job = serde_json::from_value(json!({"spec": {"template": {}}})).expect("job");
        let pod = failed_pod(&[("main", 3)], &[], json!([]));
        assert_eq!(judge_failed_pod(&job, &pod), FailureVerdict::Count);
    }
}
