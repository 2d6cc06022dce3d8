//! The CloudCertification reconciler: observe (caches, scope spec), decide (`plan`, pure),
//! apply (Job, status via server-side apply, events, retention).

pub mod certificate;
pub mod compliance;
pub mod external; // issue 11: executionMode External
pub mod history;
pub mod observe;
pub mod plan;
#[cfg(test)]
mod plan_tests;
pub mod selection;

use crate::api::{CloudCertification, CloudCertificationStatus, FIELD_MANAGER};
use crate::controller::Context;
use crate::controller::job::{SPEC_KEY, build_job, run_object_name, spec_config_map_name};
use crate::controller::labels;
use crate::controller::notify;
use crate::controller::scope_source::ScopeResult;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, ServiceAccount};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, PropagationPolicy};
use kube::runtime::controller::Action;
use kube::runtime::events::{Event as KubeEvent, EventType};
use kube::runtime::finalizer::{Event as Finalizer, finalizer};
use kube::{Resource, ResourceExt};
use plan::{JobState, Observation, Plan, plan};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// Finalizer that lets the operator clean up Jobs and stored reports.
pub const FINALIZER: &str = "certification.scs.community/cleanup";

/// What can go wrong while reconciling; becomes a log line, an event and a retry.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A Kubernetes API call failed.
    #[error("{action}: {source}")]
    Kube {
        /// What was being done.
        action: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
    /// The finalizer machinery failed.
    #[error("finalizer: {0}")]
    Finalizer(String),
    /// An object could not be built.
    #[error("building {what}: {message}")]
    Build {
        /// Which object.
        what: String,
        /// Why.
        message: String,
    },
}

fn kube_err(action: impl Into<String>) -> impl FnOnce(kube::Error) -> Error {
    let action = action.into();
    move |source| Error::Kube { action, source }
}

/// Reconciles one CloudCertification.
pub async fn reconcile(cloud: Arc<CloudCertification>, ctx: Arc<Context>) -> Result<Action, Error> {
    let namespace = cloud.namespace().unwrap_or_default();
    let api: Api<CloudCertification> = Api::namespaced(ctx.client.clone(), &namespace);
    finalizer(&api, FINALIZER, cloud, |event| async {
        match event {
            Finalizer::Apply(cloud) => apply(cloud, &ctx).await,
            Finalizer::Cleanup(cloud) => cleanup(cloud, &ctx).await,
        }
    })
    .await
    .map_err(|e| Error::Finalizer(e.to_string()))
}

/// Requeue after errors: soon, but not in a hot loop.
pub fn error_policy(cloud: Arc<CloudCertification>, error: &Error, _ctx: Arc<Context>) -> Action {
    tracing::warn!(name = %cloud.name_any(), namespace = ?cloud.namespace(), %error, "reconcile failed");
    Action::requeue(Duration::from_secs(30))
}

async fn apply(cloud: Arc<CloudCertification>, ctx: &Context) -> Result<Action, Error> {
    let now = jiff::Timestamp::now();
    let namespace = cloud.namespace().unwrap_or_default();
    let uid = cloud.uid().unwrap_or_default();
    let previous = cloud.status.clone().unwrap_or_default();

    let scope = load_scope(&cloud, ctx, &namespace).await;
    let jobs: Vec<Arc<Job>> = ctx
        .caches
        .jobs
        .state()
        .into_iter()
        .filter(|j| observe::belongs_to(j.labels(), &uid))
        .collect();
    let config_maps: Vec<Arc<ConfigMap>> = ctx
        .caches
        .owned_config_maps
        .state()
        .into_iter()
        .filter(|cm| observe::belongs_to(cm.labels(), &uid))
        .collect();
    let reports: Vec<_> = config_maps
        .iter()
        .filter(|cm| cm.labels().get(labels::CONTENT).map(String::as_str) == Some("report"))
        .flat_map(|cm| {
            ctx.reports
                .reports_of(cm)
                .iter()
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect();
    let job_missing = match &previous.active_run {
        Some(run)
            if !jobs
                .iter()
                .any(|j| observe::run_id_of(j.labels()) == Some(run.id.as_str())) =>
        {
            let name = run_object_name(&cloud.name_any(), &run.id);
            Api::<Job>::namespaced(ctx.client.clone(), &namespace)
                .get_opt(&name)
                .await
                .map_err(kube_err(format!("reading Job {name}")))?
                .is_none()
        }
        _ => false,
    };
    let active_run = observe::active_run(&cloud, &jobs, &config_maps, job_missing);
    let may_start_run = active_runs(ctx) < ctx.settings.max_concurrent_runs;
    let manual_trigger = cloud.annotations().get(labels::RUN_NOW).map(String::as_str);
    let created_at = cloud
        .meta()
        .creation_timestamp
        .as_ref()
        .map_or(now, |t| t.0);
    let mut plan = plan(&Observation {
        now,
        generation: cloud.meta().generation,
        created_at,
        spec: &cloud.spec,
        previous: &previous,
        manual_trigger,
        scope: scope.as_ref().map(Arc::as_ref),
        active_run,
        reports: &reports,
        may_start_run,
    });

    // Delivery records this process made may not be in the cached status yet.
    plan.status.notifications = ctx
        .notifier
        .known_log(&uid, plan.status.notifications.take());

    if let (Some(run), Ok(loaded)) = (&plan.start_run, &scope) {
        let _slot = ctx.run_slots.lock().await;
        if active_runs(ctx) >= ctx.settings.max_concurrent_runs {
            // Lost the race for the last slot: try again shortly, nothing written.
            return Ok(Action::requeue(Duration::from_secs(15)));
        }
        let spec_text = scope_text(ctx, &cloud, &namespace).await;
        let spec_config_map =
            ensure_spec_config_map(ctx, &cloud, &namespace, loaded, spec_text).await?;
        if cloud.spec.runner.service_account_name.is_none() {
            ensure_check_service_account(ctx, &namespace).await?;
        }
        let job = build_job(&cloud, run, &spec_config_map, &ctx.settings.job).map_err(|e| {
            Error::Build {
                what: "check Job".into(),
                message: e.to_string(),
            }
        })?;
        let job_name = job.name_any();
        match Api::<Job>::namespaced(ctx.client.clone(), &namespace)
            .create(&PostParams::default(), &job)
            .await
        {
            Ok(_) => {}
            // A retry after a lost status write: the run already exists.
            Err(kube::Error::Api(status)) if status.code == 409 => {}
            Err(err) => return Err(kube_err(format!("creating Job {job_name}"))(err)),
        }
        if let Some(active) = plan.status.active_run.as_mut() {
            active.job = Some(job_name);
        }
    }

    write_status(ctx, &cloud, &namespace, &previous, &plan.status).await?;
    // --- metrics (issue 9): count a run this status finished (once per run id) ---
    if let Some(run) = crate::metrics::finished_run(&previous, &plan.status) {
        ctx.metrics
            .run_finished(&uid, &namespace, &cloud.name_any(), run);
    }
    // --- end metrics ---
    publish_events(ctx, &cloud, &plan).await;
    // Notify only after the status that derives the transitions is persisted.
    let mut requeue_after = plan.requeue_after.unsigned_abs();
    if let Some(retry) = notify_transitions(ctx, &cloud, &namespace, &plan).await? {
        requeue_after = requeue_after.min(retry);
    }
    if scope.is_ok() {
        record_history(
            ctx,
            &cloud,
            &namespace,
            &config_maps,
            &reports,
            &plan.manual_checks,
            now,
        )
        .await;
    }
    enforce_retention(ctx, &cloud, &namespace, &plan.status, &jobs, &config_maps).await;
    Ok(Action::requeue(requeue_after))
}

/// Adds new runs and manual checks to the resource's history ConfigMap (18 months). Failures
/// are logged and retried on the next reconcile; the history is not needed for verdicts.
async fn record_history(
    ctx: &Context,
    cloud: &CloudCertification,
    namespace: &str,
    config_maps: &[Arc<ConfigMap>],
    reports: &[crate::report::Report],
    manual_checks: &[crate::certificate::ValidManualCheck],
    now: jiff::Timestamp,
) {
    let name = history::history_config_map_name(&cloud.name_any());
    let stored = config_maps.iter().find(|cm| cm.name_any() == name);
    let existing = match stored
        .and_then(|cm| cm.binary_data.as_ref())
        .and_then(|d| d.get(history::HISTORY_KEY))
    {
        Some(bytes) => match history::decode_history(&bytes.0) {
            Ok(entries) => entries,
            Err(err) => {
                // Start over rather than stop recording; the old data is unusable anyway.
                tracing::warn!(name = %cloud.name_any(), namespace, %err, "run history replaced");
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    let run_ids: std::collections::HashMap<String, String> = config_maps
        .iter()
        .filter_map(|cm| {
            let uuid = cm.annotations().get(labels::REPORT_UUID)?;
            Some((uuid.clone(), observe::run_id_of(cm.labels())?.to_owned()))
        })
        .collect();
    let Some(entries) = history::updated_history(&existing, reports, &run_ids, manual_checks, now)
    else {
        return;
    };
    let bytes = match history::encode_history(&entries) {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::warn!(name = %cloud.name_any(), namespace, %err, "cannot encode run history");
            return;
        }
    };
    let mut object_labels = labels::cloud_labels(&cloud.name_any());
    object_labels.insert(labels::CONTENT.into(), "history".into());
    object_labels.insert(labels::CLOUD_UID.into(), cloud.uid().unwrap_or_default());
    let patch = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": object_labels,
            "ownerReferences": [cloud.controller_owner_ref(&())],
        },
        "binaryData": {
            history::HISTORY_KEY: k8s_openapi::ByteString(bytes),
        },
    });
    let result = Api::<ConfigMap>::namespaced(ctx.client.clone(), namespace)
        .patch(
            &name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&patch),
        )
        .await;
    if let Err(err) = result {
        tracing::warn!(name = %cloud.name_any(), namespace, %err, "cannot write run history");
    }
}

/// Sends the plan's certificate transitions that the sinks have not received, records the
/// deliveries in `status.notifications` and says when to retry failed ones.
async fn notify_transitions(
    ctx: &Context,
    cloud: &CloudCertification,
    namespace: &str,
    plan: &Plan,
) -> Result<Option<Duration>, Error> {
    let sinks = cloud.spec.notifications.clone().unwrap_or_default();
    let log = plan.status.notifications.clone().unwrap_or_default();
    if !notify::anything_due(&sinks, &log, &plan.transitions) {
        return Ok(None);
    }
    let uid = cloud.uid().unwrap_or_default();
    let resource = notify::ResourceRef {
        namespace: namespace.to_owned(),
        name: cloud.name_any(),
        uid: uid.clone(),
    };
    let round = ctx
        .notifier
        .deliver(
            &ctx.client,
            &ctx.http,
            &ctx.recorder,
            &cloud.object_ref(&()),
            &resource,
            &sinks,
            &plan.transitions,
            log,
            jiff::Timestamp::now(),
        )
        .await;
    let mut status = plan.status.clone();
    status.notifications = Some(round.log).filter(|log| !log.sent.is_empty());
    write_status(ctx, cloud, namespace, &plan.status, &status).await?;
    if round.failures.is_empty() {
        return Ok(None);
    }
    let retry = ctx.notifier.retry_after(&uid);
    notify::report_failures(
        &ctx.recorder,
        &cloud.object_ref(&()),
        &resource,
        &round.failures,
        retry,
    )
    .await;
    Ok(Some(retry))
}

fn active_runs(ctx: &Context) -> usize {
    ctx.caches
        .jobs
        .state()
        .iter()
        .filter(|j| observe::job_state(j) == JobState::Active)
        .count()
}

async fn load_scope(cloud: &CloudCertification, ctx: &Context, namespace: &str) -> ScopeResult {
    let version = cloud.spec.scope.config_map.as_ref().and_then(|reference| {
        ctx.caches
            .config_map_meta
            .state()
            .into_iter()
            .find(|m| m.name_any() == reference.name && m.namespace().as_deref() == Some(namespace))
            .and_then(|m| m.resource_version())
    });
    ctx.scopes
        .load(
            &ctx.client,
            &ctx.http,
            namespace,
            &cloud.spec.scope,
            version.as_deref(),
        )
        .await
}

/// The scope YAML text to copy into the run's spec ConfigMap.
async fn scope_text(ctx: &Context, cloud: &CloudCertification, namespace: &str) -> Option<String> {
    if let Some(reference) = &cloud.spec.scope.config_map {
        let cm = Api::<ConfigMap>::namespaced(ctx.client.clone(), namespace)
            .get_opt(&reference.name)
            .await
            .ok()??;
        return cm.data?.get(&reference.key).cloned();
    }
    let url = cloud.spec.scope.url.as_ref()?;
    ctx.http.get(url).send().await.ok()?.text().await.ok()
}

async fn ensure_spec_config_map(
    ctx: &Context,
    cloud: &CloudCertification,
    namespace: &str,
    loaded: &plan::LoadedScope,
    text: Option<String>,
) -> Result<String, Error> {
    let name = spec_config_map_name(&cloud.name_any(), &loaded.sha256);
    let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), namespace);
    if api
        .get_opt(&name)
        .await
        .map_err(kube_err(format!("reading ConfigMap {name}")))?
        .is_some()
    {
        return Ok(name);
    }
    let text = text.ok_or_else(|| Error::Build {
        what: format!("ConfigMap {name}"),
        message: "the scope spec changed or vanished while the run was being prepared".into(),
    })?;
    if crate::controller::scope_source::hex_sha256(text.as_bytes()) != loaded.sha256 {
        return Err(Error::Build {
            what: format!("ConfigMap {name}"),
            message: "the scope spec changed while the run was being prepared; retrying".into(),
        });
    }
    let mut object_labels = labels::cloud_labels(&cloud.name_any());
    object_labels.insert(labels::CONTENT.into(), "scope".into());
    object_labels.insert(labels::CLOUD_UID.into(), cloud.uid().unwrap_or_default());
    let config_map = ConfigMap {
        metadata: kube::api::ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(namespace.to_owned()),
            labels: Some(object_labels),
            annotations: Some(BTreeMap::from([(
                labels::SHA256.to_owned(),
                loaded.sha256.clone(),
            )])),
            owner_references: Some(vec![cloud.controller_owner_ref(&()).unwrap_or_default()]),
            ..Default::default()
        },
        immutable: Some(true),
        data: Some(BTreeMap::from([(SPEC_KEY.to_owned(), text)])),
        ..ConfigMap::default()
    };
    match api.create(&PostParams::default(), &config_map).await {
        Ok(_) => Ok(name),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(name),
        Err(err) => Err(kube_err(format!("creating ConfigMap {name}"))(err)),
    }
}

/// The check pods' ServiceAccount: no RoleBindings, so its tokens can do nothing in the API.
async fn ensure_check_service_account(ctx: &Context, namespace: &str) -> Result<(), Error> {
    let name = &ctx.settings.job.service_account;
    let api: Api<ServiceAccount> = Api::namespaced(ctx.client.clone(), namespace);
    if api
        .get_opt(name)
        .await
        .map_err(kube_err(format!("reading ServiceAccount {name}")))?
        .is_some()
    {
        return Ok(());
    }
    let account: ServiceAccount = serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": labels::MANAGED_BY_VALUE}},
        "automountServiceAccountToken": false
    }))
    .map_err(|e| Error::Build { what: "ServiceAccount".into(), message: e.to_string() })?;
    match api.create(&PostParams::default(), &account).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(err) => Err(kube_err(format!("creating ServiceAccount {name}"))(err)),
    }
}

async fn write_status(
    ctx: &Context,
    cloud: &CloudCertification,
    namespace: &str,
    previous: &CloudCertificationStatus,
    status: &CloudCertificationStatus,
) -> Result<(), Error> {
    if status == previous {
        return Ok(());
    }
    let patch = json!({
        "apiVersion": "certification.scs.community/v1alpha1",
        "kind": "CloudCertification",
        "status": status,
    });
    Api::<CloudCertification>::namespaced(ctx.client.clone(), namespace)
        .patch_status(
            &cloud.name_any(),
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&patch),
        )
        .await
        .map_err(kube_err("writing status"))?;
    Ok(())
}

async fn publish_events(ctx: &Context, cloud: &CloudCertification, plan: &Plan) {
    let reference = cloud.object_ref(&());
    for event in &plan.events {
        let result = ctx
            .recorder
            .publish(
                &KubeEvent {
                    type_: if event.warning {
                        EventType::Warning
                    } else {
                        EventType::Normal
                    },
                    reason: event.reason.clone(),
                    note: Some(event.note.chars().take(1024).collect()),
                    action: event.reason.clone(),
                    secondary: None,
                },
                &reference,
            )
            .await;
        if let Err(err) = result {
            tracing::warn!(%err, reason = %event.reason, "cannot publish event");
        }
    }
}

/// Deletes finished Jobs beyond the history limit, and stored reports that neither supply a
/// current result nor are among the newest ones. Failures are logged and retried next time.
async fn enforce_retention(
    ctx: &Context,
    cloud: &CloudCertification,
    namespace: &str,
    status: &CloudCertificationStatus,
    jobs: &[Arc<Job>],
    config_maps: &[Arc<ConfigMap>],
) {
    let active = status.active_run.as_ref().map(|r| r.id.as_str());
    let mut finished: Vec<&Arc<Job>> = jobs
        .iter()
        .filter(|j| observe::run_id_of(j.labels()) != active)
        .filter(|j| observe::job_state(j) != JobState::Active)
        .collect();
    finished
        .sort_by_key(|j| std::cmp::Reverse(j.metadata.creation_timestamp.as_ref().map(|t| t.0)));
    let background = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Background),
        ..DeleteParams::default()
    };
    let job_api: Api<Job> = Api::namespaced(ctx.client.clone(), namespace);
    for job in finished.iter().skip(ctx.settings.finished_jobs_kept) {
        if let Err(err) = job_api.delete(&job.name_any(), &background).await {
            tracing::debug!(job = %job.name_any(), %err, "retention: cannot delete Job");
        }
    }

    let referenced: HashSet<&str> = status
        .results
        .iter()
        .filter_map(|r| r.report.as_deref())
        .collect();
    let cm_api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), namespace);
    let mut stored: Vec<&Arc<ConfigMap>> = config_maps
        .iter()
        .filter(|cm| cm.labels().get(labels::CONTENT).map(String::as_str) == Some("report"))
        .collect();
    stored
        .sort_by_key(|cm| std::cmp::Reverse(cm.metadata.creation_timestamp.as_ref().map(|t| t.0)));
    let too_old = jiff::Timestamp::now()
        .checked_sub(
            jiff::SignedDuration::try_from(ctx.settings.report_max_age)
                .unwrap_or(jiff::SignedDuration::MAX),
        )
        .unwrap_or(jiff::Timestamp::MIN);
    let expendable = stored.iter().enumerate().filter(|(i, cm)| {
        *i >= ctx.settings.reports_kept
            || cm
                .metadata
                .creation_timestamp
                .as_ref()
                .is_some_and(|t| t.0 < too_old)
    });
    for (_, cm) in expendable {
        let uuid = cm
            .annotations()
            .get(labels::REPORT_UUID)
            .map(String::as_str)
            .unwrap_or_default();
        if referenced.contains(uuid) || observe::run_id_of(cm.labels()) == active {
            continue;
        }
        if let Err(err) = cm_api
            .delete(&cm.name_any(), &DeleteParams::default())
            .await
        {
            tracing::debug!(config_map = %cm.name_any(), %err, "retention: cannot delete report");
        }
    }
    let current_scope = status.scope.as_ref().and_then(|s| s.sha256.as_deref());
    let active_scope = status
        .active_run
        .as_ref()
        .and_then(|r| r.spec_sha256.as_deref());
    for cm in config_maps
        .iter()
        .filter(|cm| cm.labels().get(labels::CONTENT).map(String::as_str) == Some("scope"))
    {
        let sha = cm.annotations().get(labels::SHA256).map(String::as_str);
        if sha.is_some() && sha != current_scope && sha != active_scope {
            let _ = cm_api
                .delete(&cm.name_any(), &DeleteParams::default())
                .await;
        }
    }
    let live: HashSet<String> = config_maps.iter().filter_map(|cm| cm.uid()).collect();
    let _ = cloud;
    ctx.reports.retain(&live);
}

/// On deletion: remove this resource's Jobs (and their Pods) and ConfigMaps. Objects that
/// are already gone are fine, so this never blocks forever.
async fn cleanup(cloud: Arc<CloudCertification>, ctx: &Context) -> Result<Action, Error> {
    let namespace = cloud.namespace().unwrap_or_default();
    ctx.notifier.forget(&cloud.uid().unwrap_or_default());
    let selector = format!("{}={}", labels::CLOUD_UID, cloud.uid().unwrap_or_default());
    let list = kube::api::ListParams::default().labels(&selector);
    let background = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Background),
        ..DeleteParams::default()
    };
    let tolerate_missing = |result: Result<_, kube::Error>, what: &str| match result {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(err) => Err(kube_err(format!("cleanup: deleting {what}"))(err)),
    };
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &namespace);
    tolerate_missing(
        jobs.delete_collection(&background, &list).await.map(|_| ()),
        "Jobs",
    )?;
    let pods: Api<k8s_openapi::api::core::v1::Pod> =
        Api::namespaced(ctx.client.clone(), &namespace);
    tolerate_missing(
        pods.delete_collection(&DeleteParams::default(), &list)
            .await
            .map(|_| ()),
        "Pods",
    )?;
    let config_maps: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), &namespace);
    tolerate_missing(
        config_maps
            .delete_collection(&DeleteParams::default(), &list)
            .await
            .map(|_| ()),
        "ConfigMaps",
    )?;
    Ok(Action::await_change())
}
