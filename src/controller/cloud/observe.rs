//! Reads what the planner needs from the operator's caches: this resource's Jobs and stored
//! reports, and the state of its active run.

use super::plan::{JobState, ObservedRun};
use crate::api::CloudCertification;
use crate::controller::labels;
use crate::controller::report_store::{FAILURE_KEY, stored_report_text};
use crate::report::{Report, parse_report_stream};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::ResourceExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Parsed stored reports by ConfigMap uid (stored reports are immutable).
#[derive(Default)]
pub struct ReportCache {
    parsed: Mutex<HashMap<String, Arc<Vec<Report>>>>,
}

impl ReportCache {
    /// The reports stored in `config_map`; a corrupt one yields none (and a log line).
    pub fn reports_of(&self, config_map: &ConfigMap) -> Arc<Vec<Report>> {
        let uid = config_map.uid().unwrap_or_default();
        if let Some(hit) = self.lock().get(&uid) {
            return hit.clone();
        }
        let parsed = match stored_report_text(config_map)
            .map_err(|e| e.to_string())
            .and_then(|text| parse_report_stream(&text).map_err(|e| e.to_string()))
        {
            Ok(reports) => reports,
            Err(err) => {
                tracing::warn!(config_map = %config_map.name_any(), %err, "stored report is unreadable; ignored");
                Vec::new()
            }
        };
        let parsed = Arc::new(parsed);
        self.lock().insert(uid, parsed.clone());
        parsed
    }

    /// Forgets ConfigMaps that no longer exist.
    pub fn retain(&self, live_uids: &std::collections::HashSet<String>) {
        self.lock().retain(|uid, _| live_uids.contains(uid));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Vec<Report>>>> {
        self.parsed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Whether `object` belongs to `cloud` (by the owner uid label; names can be reused).
pub fn belongs_to(labels_of: &std::collections::BTreeMap<String, String>, cloud_uid: &str) -> bool {
    labels_of.get(labels::CLOUD_UID).map(String::as_str) == Some(cloud_uid)
}

/// Whether a Job has finished (Complete or Failed condition).
pub fn job_state(job: &Job) -> JobState {
    let conditions = job
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .map(Vec::as_slice)
        .unwrap_or_default();
    for condition in conditions {
        if condition.status != "True" {
            continue;
        }
        let at = condition
            .last_transition_time
            .as_ref()
            .map(|t| t.0)
            .unwrap_or_else(jiff::Timestamp::now);
        match condition.type_.as_str() {
            "Complete" => return JobState::Succeeded { at },
            "Failed" => {
                return JobState::Failed {
                    at,
                    reason: condition.reason.clone().unwrap_or_default(),
                    message: condition.message.clone().unwrap_or_default(),
                };
            }
            _ => {}
        }
    }
    JobState::Active
}

/// The run id label of an object.
pub fn run_id_of(object_labels: &std::collections::BTreeMap<String, String>) -> Option<&str> {
    object_labels.get(labels::RUN_ID).map(String::as_str)
}

/// The active run: the one status names, or an unfinished Job of this resource that status
/// does not know (its status write was lost).
pub fn active_run(
    cloud: &CloudCertification,
    jobs: &[Arc<Job>],
    config_maps: &[Arc<ConfigMap>],
    job_confirmed_missing: bool,
) -> Option<ObservedRun> {
    let status = cloud.status.clone().unwrap_or_default();
    let known_finished = |id: &str| {
        status.last_run.as_ref().is_some_and(|r| r.id == id)
            || status.recent_runs.iter().any(|r| r.id == id)
    };
    let run_id = match &status.active_run {
        Some(run) => run.id.clone(),
        None => jobs
            .iter()
            .filter(|j| job_state(j) == JobState::Active)
            .filter_map(|j| run_id_of(j.labels()).map(str::to_owned))
            .find(|id| !known_finished(id))?,
    };
    let job = jobs
        .iter()
        .find(|j| run_id_of(j.labels()) == Some(run_id.as_str()));
    let job_state = match job {
        Some(job) => job_state(job),
        None if job_confirmed_missing => JobState::Missing,
        // Not in the cache yet (just created): treat as running.
        None => JobState::Active,
    };
    let with_content = |content: &str| {
        config_maps.iter().find(|cm| {
            run_id_of(cm.labels()) == Some(run_id.as_str())
                && cm.labels().get(labels::CONTENT).map(String::as_str) == Some(content)
        })
    };
    let annotation = |key: &str| job.and_then(|j| j.annotations().get(key).cloned());
    Some(ObservedRun {
        job_name: job
            .map(|j| j.name_any())
            .unwrap_or_else(|| crate::controller::job::run_object_name(&cloud.name_any(), &run_id)),
        job: job_state,
        report: with_content("report").map(|cm| cm.name_any()),
        failure: with_content("failure")
            .and_then(|cm| cm.data.as_ref()?.get(FAILURE_KEY).cloned())
            .map(|json| failure_summary(&json)),
        trigger: annotation(labels::TRIGGER),
        scheduled_for: annotation(labels::SCHEDULED_FOR).and_then(|t| t.parse().ok()),
        manual_value: annotation(labels::MANUAL_VALUE),
        created_at: job.and_then(|j| j.metadata.creation_timestamp.as_ref().map(|t| t.0)),
        id: run_id,
    })
}

/// A short human text from the runner's failure record JSON.
fn failure_summary(json: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let reason = value
        .get("reason")
        .and_then(|r| r.as_str())
        .unwrap_or("no reason given");
    let text: String = reason.chars().take(300).collect();
    match value
        .get("exit_code")
        .or_else(|| value.get("exitCode"))
        .and_then(|c| c.as_i64())
    {
        Some(code) => format!("{text} (exit code {code})"),
        None => text,
    }
}
