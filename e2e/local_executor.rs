//! The local Job executor on a real API server: it runs Jobs as local processes, writes Pod
//! and Job status the API server accepts (strict Job status rules), mounts volumes, binds
//! projected tokens to the Pod, maps image roots, survives a restart and fails odd Pods
//! with clear messages. Each test runs its own executor, scoped to the test's namespace.

use crate::harness::{TestNamespace, block_on, env};
use crate::trial;
use k8s_openapi::api::authentication::v1::TokenReview;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, Secret, ServiceAccount};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::{Client, ResourceExt};
use libtest_mimic::Trial;
use scs_cert_operator::local_executor::job_status::BackoffPolicy;
use scs_cert_operator::local_executor::{self, ExecutorConfig, ExecutorError};
use serde_json::{Value, json};
use std::future::Future;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The tests of this file.
pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "local_executor::secret_configmap_and_termination_message",
            secret_configmap_and_termination_message,
        ),
        trial(
            "local_executor::failing_command_exhausts_the_backoff_limit",
            failing_command_exhausts_the_backoff_limit,
        ),
        trial(
            "local_executor::active_deadline_kills_the_process",
            active_deadline_kills_the_process,
        ),
        trial(
            "local_executor::projected_token_is_bound_to_the_pod",
            projected_token_is_bound_to_the_pod,
        ),
        trial(
            "local_executor::image_root_rewrites_paths",
            image_root_rewrites_paths,
        ),
        trial(
            "local_executor::restart_fails_the_orphan_and_retries",
            restart_fails_the_orphan_and_retries,
        ),
        trial(
            "local_executor::suspended_job_does_not_run_until_resumed",
            suspended_job_does_not_run_until_resumed,
        ),
        trial(
            "local_executor::unsupported_volume_fails_the_pod_clearly",
            unsupported_volume_fails_the_pod_clearly,
        ),
        trial(
            "local_executor::deleted_job_kills_its_processes",
            deleted_job_kills_its_processes,
        ),
        trial(
            "local_executor::ttl_deletes_the_job_and_its_pods",
            ttl_deletes_the_job_and_its_pods,
        ),
        trial(
            "local_executor::pod_failure_policy_fails_or_ignores",
            pod_failure_policy_fails_or_ignores,
        ),
    ]
}

const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
const TIMEOUT: Duration = Duration::from_secs(60);

/// An executor running on the shared runtime for one namespace.
struct TestExecutor {
    stop: oneshot::Sender<()>,
    handle: JoinHandle<Result<(), ExecutorError>>,
    work_dir: PathBuf,
}

impl TestExecutor {
    /// Starts an executor for `namespace` with quick backoff and resync.
    fn start(namespace: &str, work_dir: &Path, image_roots: &[(&str, &Path)]) -> Self {
        let mut config = ExecutorConfig::new(work_dir.to_path_buf());
        config.namespace = Some(namespace.to_owned());
        config.backoff = BackoffPolicy {
            base: Duration::from_millis(500),
            max: Duration::from_secs(2),
        };
        config.resync_interval = Duration::from_secs(2);
        config.echo_logs = true;
        config.image_roots = image_roots
            .iter()
            .map(|(image, dir)| ((*image).to_owned(), dir.to_path_buf()))
            .collect();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = env().runtime.spawn(local_executor::run(
            env().client.clone(),
            config,
            async move {
                let _ = stopped.await;
            },
        ));
        Self {
            stop,
            handle,
            work_dir: work_dir.to_path_buf(),
        }
    }

    /// Asks the executor to shut down and waits until it did.
    async fn shut_down(self) {
        let _ = self.stop.send(());
        match tokio::time::timeout(TIMEOUT, self.handle).await {
            Ok(Ok(Ok(()))) => {}
            other => panic!("executor did not shut down cleanly: {other:?}"),
        }
    }

    /// The local directory of a pod.
    fn pod_dir(&self, namespace: &str, pod: &str) -> PathBuf {
        self.work_dir.join(namespace).join(pod)
    }
}

fn client() -> Client {
    env().client.clone()
}

/// A Job labelled for the executor, with `spec` merged over a one-container template.
fn job(name: &str, spec: Value) -> Job {
    let mut value = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": {MANAGED_BY: "scs-cert-operator"}},
        "spec": spec,
    });
    if value["spec"]["template"]["spec"]["restartPolicy"].is_null() {
        value["spec"]["template"]["spec"]["restartPolicy"] = json!("Never");
    }
    serde_json::from_value(value).expect("job literal")
}

async fn create_job(namespace: &str, job: &Job) -> Job {
    Api::<Job>::namespaced(client(), namespace)
        .create(&PostParams::default(), job)
        .await
        .unwrap_or_else(|e| panic!("create job {}: {e}", job.name_any()))
}

/// Polls `check` until it returns `Some`, or panics after `TIMEOUT` with `what`.
async fn wait_for<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(start.elapsed() < TIMEOUT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the Job has condition `type_` = True; returns the Job.
async fn wait_for_condition(namespace: &str, name: &str, type_: &str) -> Job {
    let api = Api::<Job>::namespaced(client(), namespace);
    wait_for(&format!("job {name} condition {type_}"), || async {
        let job = api.get(name).await.ok()?;
        let done = job
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == type_ && c.status == "True"));
        done.then_some(job)
    })
    .await
}

/// The Pods of a Job, oldest first.
async fn pods_of(namespace: &str, job: &str) -> Vec<Pod> {
    let mut pods = Api::<Pod>::namespaced(client(), namespace)
        .list(&ListParams::default().labels(&format!("batch.kubernetes.io/job-name={job}")))
        .await
        .expect("list pods")
        .items;
    pods.sort_by_key(|p| p.creation_timestamp().map(|t| t.0));
    pods
}

fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default()
}

/// `status.containerStatuses[0].state.terminated` as JSON.
fn terminated(pod: &Pod) -> Value {
    let status = serde_json::to_value(pod.status.as_ref()).unwrap_or(Value::Null);
    status["containerStatuses"][0]["state"]["terminated"].clone()
}

fn conditions(job: &Job) -> Vec<(String, String, String)> {
    job.status
        .as_ref()
        .and_then(|s| s.conditions.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.type_, c.status, c.reason.unwrap_or_default()))
        .collect()
}

fn condition_types(job: &Job) -> Vec<String> {
    conditions(job).into_iter().map(|(t, _, _)| t).collect()
}

/// Whether a process is gone (or only a zombie waiting to be reaped).
fn process_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.contains(") Z"),
    }
}

async fn read_pid(path: &Path) -> i32 {
    wait_for(&format!("pid file {}", path.display()), || async {
        std::fs::read_to_string(path).ok()?.trim().parse().ok()
    })
    .await
}

fn secret_configmap_and_termination_message() {
    block_on(async {
        let ns = TestNamespace::create("lx-basic").await;
        let work = tempfile::tempdir().expect("temp dir");
        let executor = TestExecutor::start(&ns.name, work.path(), &[]);
        let secret: Secret = serde_json::from_value(json!({
            "metadata": {"name": "creds"}, "stringData": {"token": "s3cret", "other": "x"}
        }))
        .expect("secret literal");
        Api::<Secret>::namespaced(client(), &ns.name)
            .create(&PostParams::default(), &secret)
            .await
            .expect("create secret");
        let config_map: ConfigMap = serde_json::from_value(json!({
            "metadata": {"name": "settings"}, "data": {"greeting": "hello"}
        }))
        .expect("configmap literal");
        Api::<ConfigMap>::namespaced(client(), &ns.name)
            .create(&PostParams::default(), &config_map)
            .await
            .expect("create configmap");
        let script = r#"set -e
test "$(cat /etc/creds/token)" = s3cret
test ! -e /etc/creds/other
test "$TOKEN" = s3cret
echo "log line from $POD_NAME"
printf '%s from %s in %s' "$(cat /etc/settings/greeting)" "$POD_NAME" "$POD_NAMESPACE" > /dev/termination-log
"#;
        let created = create_job(
            &ns.name,
            &job(
                "basic",
                json!({"template": {
                    "metadata": {"labels": {"app": "basic"}},
                    "spec": {
                        "volumes": [
                            {"name": "creds", "secret": {"secretName": "creds",
                                "items": [{"key": "token", "path": "token"}]}},
                            {"name": "settings", "configMap": {"name": "settings"}}
                        ],
                        "containers": [{
                            "name": "main", "image": "busybox",
                            "command": ["sh", "-c", script],
                            "env": [
                                {"name": "TOKEN", "valueFrom": {"secretKeyRef":
                                    {"name": "creds", "key": "token"}}},
                                {"name": "MISSING", "valueFrom": {"secretKeyRef":
                                    {"name": "nope", "key": "k", "optional": true}}},
                                {"name": "POD_NAME", "valueFrom": {"fieldRef":
                                    {"fieldPath": "metadata.name"}}},
                                {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef":
                                    {"fieldPath": "metadata.namespace"}}}
                            ],
                            "volumeMounts": [
                                {"name": "creds", "mountPath": "/etc/creds", "readOnly": true},
                                {"name": "settings", "mountPath": "/etc/settings"}
                            ]
                        }]
                    }
                }}),
            ),
        )
        .await;
        let done = wait_for_condition(&ns.name, "basic", "Complete").await;
        let status = done.status.clone().expect("status");
        assert_eq!(status.succeeded, Some(1));
        assert_eq!(status.active.unwrap_or(0), 0);
        assert_eq!(status.ready, Some(0));
        assert!(status.start_time.is_some() && status.completion_time.is_some());
        assert!(status.completion_time >= status.start_time);
        assert_eq!(
            conditions(&done),
            [
                (
                    "SuccessCriteriaMet".into(),
                    "True".into(),
                    "CompletionsReached".into()
                ),
                (
                    "Complete".into(),
                    "True".into(),
                    "CompletionsReached".into()
                ),
            ]
        );

        let pods = pods_of(&ns.name, "basic").await;
        assert_eq!(pods.len(), 1, "one pod");
        let pod = &pods[0];
        let name = pod.name_any();
        assert!(
            name.starts_with("basic-") && name.len() == "basic-".len() + 5,
            "{name}"
        );
        assert_eq!(phase(pod), "Succeeded");
        let end = terminated(pod);
        assert_eq!(end["exitCode"], 0);
        assert_eq!(end["reason"], "Completed");
        assert_eq!(end["message"], format!("hello from {name} in {}", ns.name));
        // The Pod looks like the job controller's.
        let labels = pod.labels();
        assert_eq!(labels.get("app").map(String::as_str), Some("basic"));
        assert_eq!(labels.get("job-name").map(String::as_str), Some("basic"));
        assert_eq!(
            labels.get("batch.kubernetes.io/controller-uid"),
            created.uid().as_ref()
        );
        let owner = &pod.owner_references()[0];
        assert_eq!((owner.kind.as_str(), owner.controller), ("Job", Some(true)));
        assert_eq!(Some(&owner.uid), created.uid().as_ref());
        let spec = pod.spec.as_ref().expect("spec");
        assert_eq!(spec.node_name.as_deref(), Some("local-executor"));

        // Logs and read-only volume files on disk.
        let dir = executor.pod_dir(&ns.name, &name);
        let log = std::fs::read_to_string(dir.join("logs/main.log")).expect("log file");
        assert!(log.contains(&format!("log line from {name}")), "{log}");
        let mode = std::fs::metadata(dir.join("volumes/creds/token"))
            .expect("secret file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o444, "read-only mount drops write bits");
        executor.shut_down().await;
        ns.delete().await;
    });
}

fn failing_command_exhausts_the_backoff_limit() {
    block_on(async {
        let ns = TestNamespace::create("lx-fail").await;
        let work = tempfile::tempdir().expect("temp dir");
        let executor = TestExecutor::start(&ns.name, work.path(), &[]);
        create_job(
            &ns.name,
            &job(
                "failing",
                json!({"backoffLimit": 1, "template": {"spec": {"containers": [{
                    "name": "main", "image": "busybox",
                    "command": ["sh", "-c", "echo broken >&2; exit 3"]
                }]}}}),
            ),
        )
        .await;
        let failed = wait_for_condition(&ns.name, "failing", "Failed").await;
        let status = failed.status.clone().expect("status");
        assert_eq!(status.failed, Some(2));
        assert_eq!(status.active.unwrap_or(0), 0);
        assert!(
            status.completion_time.is_none(),
            "failed jobs have no completionTime"
        );
        assert!(status.start_time.is_some());
        assert_eq!(
            conditions(&failed),
            [
                (
                    "FailureTarget".into(),
                    "True".into(),
                    "BackoffLimitExceeded".into()
                ),
                (
                    "Failed".into(),
                    "True".into(),
                    "BackoffLimitExceeded".into()
                ),
            ]
        );
        let pods = pods_of(&ns.name, "failing").await;
        assert_eq!(pods.len(), 2, "backoffLimit 1 means two pods");
        for pod in &pods {
            assert_eq!(phase(pod), "Failed");
            assert_eq!(terminated(pod)["exitCode"], 3);
            assert_eq!(terminated(pod)["reason"], "Error");
        }
        assert_ne!(pods[0].name_any(), pods[1].name_any());
        executor.shut_down().await;
        ns.delete().await;
    });
}

fn active_deadline_kills_the_process() {
    block_on(async {
        let ns = TestNamespace::create("lx-deadline").await;
        let work = tempfile::tempdir().expect("temp dir");
        let executor = TestExecutor::start(&ns.name, work.path(), &[]);
        create_job(
            &ns.name,
            &job(
                "slow",
                json!({"activeDeadlineSeconds": 3, "backoffLimit": 0, "template": {"spec": {
                    "volumes": [{"name": "scratch", "emptyDir": {}}],
                    "containers": [{
                        "name": "main", "image": "busybox",
                        "command": ["sh", "-c", "sleep 300 & echo $! > /scratch/pid; wait"],
                        "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}]
                    }]
                }}}),
            ),
        )
        .await;
        let pod_name = wait_for("the pod of job slow", || async {
            pods_of(&ns.name, "slow")
                .await
                .first()
                .map(ResourceExt::name_any)
        })
        .await;
        let pid_file = executor
            .pod_dir(&ns.name, &pod_name)
            .join("volumes/scratch/pid");
        let sleeper = read_pid(&pid_file).await;
        assert!(
            !process_gone(sleeper),
            "the sleeper runs before the deadline"
        );

        let failed = wait_for_condition(&ns.name, "slow", "Failed").await;
        assert_eq!(
            conditions(&failed),
            [
                (
                    "FailureTarget".into(),
                    "True".into(),
                    "DeadlineExceeded".into()
                ),
                ("Failed".into(), "True".into(), "DeadlineExceeded".into()),
            ]
        );
        let status = failed.status.expect("status");
        assert_eq!(status.failed, Some(1));
        assert!(status.completion_time.is_none());
        let pods = pods_of(&ns.name, "slow").await;
        assert_eq!(pods.len(), 1);
        assert_eq!(phase(&pods[0]), "Failed");
        let pod_status = pods[0].status.clone().expect("pod status");
        assert_eq!(pod_status.reason.as_deref(), Some("DeadlineExceeded"));
        wait_for("the sleeper to be gone", || async {
            process_gone(sleeper).then_some(())
        })
        .await;
        executor.shut_down().await;
        ns.delete().await;
    });
}

fn projected_token_is_bound_to_the_pod() {
    block_on(async {
        let ns = TestNamespace::create("lx-token").await;
        let work = tempfile::tempdir().expect("temp dir");
        let executor = TestExecutor::start(&ns.name, work.path(), &[]);
        // No ServiceAccount controller: create the account ourselves.
        let account: ServiceAccount =
            serde_json::from_value(json!({"metadata": {"name": "runner"}})).expect("sa");
        Api::<ServiceAccount>::namespaced(client(), &ns.name)
            .create(&PostParams::default(), &account)
            .await
            .expect("create serviceaccount");
        let audience = "scs-cert-e2e";
        create_job(
            &ns.name,
            &job(
                "token",
                json!({"template": {"spec": {
                    "serviceAccountName": "runner",
                    "automountServiceAccountToken": false,
                    "volumes": [{"name": "upload", "projected": {"sources": [
                        {"serviceAccountToken": {"audience": audience,
                                                 "expirationSeconds": 600, "path": "token"}},
                        {"downwardAPI": {"items": [
                            {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}}]}}
                    ]}}],
                    "containers": [{
                        "name": "main", "image": "busybox",
                        "command": ["sh", "-c",
                            "test \"$(cat /var/run/upload/name)\" = \"$HOSTNAME\" && \
                             cat /var/run/upload/token > /dev/termination-log"],
                        "volumeMounts": [{"name": "upload", "mountPath": "/var/run/upload",
                                          "readOnly": true}]
                    }]
                }}}),
            ),
        )
        .await;
        wait_for_condition(&ns.name, "token", "Complete").await;
        let pods = pods_of(&ns.name, "token").await;
        let pod = &pods[0];
        let token = terminated(pod)["message"]
            .as_str()
            .expect("token in the termination message")
            .trim()
            .to_owned();
        assert!(!token.is_empty());
        let review: TokenReview = serde_json::from_value(json!({
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
            "spec": {"token": token, "audiences": [audience]}
        }))
        .expect("review literal");
        let reviewed = Api::<TokenReview>::all(client())
            .create(&PostParams::default(), &review)
            .await
            .expect("create tokenreview");
        let status = reviewed.status.expect("review status");
        assert_eq!(status.authenticated, Some(true), "{status:?}");
        let user = status.user.expect("user");
        assert_eq!(
            user.username.as_deref(),
            Some(format!("system:serviceaccount:{}:runner", ns.name).as_str())
        );
        let extra = user.extra.unwrap_or_default();
        assert_eq!(
            extra.get("authentication.kubernetes.io/pod-name"),
            Some(&vec![pod.name_any()])
        );
        assert_eq!(
            extra.get("authentication.kubernetes.io/pod-uid"),
            pod.uid().map(|uid| vec![uid]).as_ref()
        );
        assert_eq!(status.audiences, Some(vec![audience.to_owned()]));

        // Another audience is refused: the token is audience-bound.
        let wrong: TokenReview = serde_json::from_value(json!({
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
            "spec": {"token": terminated(pod)["message"].as_str().unwrap_or_default().trim(),
                     "audiences": ["someone-else"]}
        }))
        .expect("review literal");
        let refused = Api::<TokenReview>::all(client())
            .create(&PostParams::default(), &wrong)
            .await
            .expect("create tokenreview");
        assert_ne!(refused.status.and_then(|s| s.authenticated), Some(true));
        executor.shut_down().await;
        ns.delete().await;
    });
}

fn image_root_rewrites_paths() {
    block_on(async {
        let ns = TestNamespace::create("lx-image").await;
        let work = tempfile::tempdir().expect("temp dir");
        // A tiny "image": a script and a config file.
        let image = tempfile::tempdir().expect("image dir");
        let root = image.path();
        std::fs::create_dir_all(root.join("opt/check")).expect("mkdir");
        std::fs::create_dir_all(root.join("etc/check")).expect("mkdir");
        std::fs::write(root.join("etc/check/config"), "from-the-image").expect("write");
        let script = root.join("opt/check/run.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\nset -e\n\
             { cat \"$1\"; echo \" cfg=$CONFIG cwd=$(pwd) out=$OUT\"; } > \"$TERM_LOG\"\n\
             echo done > \"$OUT/result\"\n",
        )
        .expect("write script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let image_name = "registry.example/scs/check:v1";
        let executor = TestExecutor::start(&ns.name, work.path(), &[(image_name, root)]);
        create_job(
            &ns.name,
            &job(
                "mapped",
                json!({"template": {"spec": {
                    "volumes": [{"name": "out", "emptyDir": {}}],
                    "containers": [{
                        "name": "check", "image": image_name,
                        "command": ["/opt/check/run.sh"],
                        "args": ["/etc/check/config"],
                        "workingDir": "/opt/check",
                        "terminationMessagePath": "/tmp/check-termination",
                        "env": [
                            {"name": "CONFIG", "value": "/etc/check/config"},
                            {"name": "OUT", "value": "/out"},
                            {"name": "TERM_LOG", "value": "/tmp/check-termination"}
                        ],
                        "volumeMounts": [{"name": "out", "mountPath": "/out"}]
                    }]
                }}}),
            ),
        )
        .await;
        wait_for_condition(&ns.name, "mapped", "Complete").await;
        let pods = pods_of(&ns.name, "mapped").await;
        let pod_dir = executor.pod_dir(&ns.name, &pods[0].name_any());
        let message = terminated(&pods[0])["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let out_dir = pod_dir.join("volumes/out");
        let expected = format!(
            "from-the-image cfg={}/etc/check/config cwd={}/opt/check out={}\n",
            root.display(),
            root.display(),
            out_dir.display()
        );
        assert_eq!(message, expected);
        assert_eq!(
            std::fs::read_to_string(out_dir.join("result")).expect("result in the volume"),
            "done\n"
        );
        executor.shut_down().await;
        ns.delete().await;
    });
}

fn restart_fails_the_orphan_and_retries() {
    block_on(async {
        let ns = TestNamespace::create("lx-restart").await;
        let work = tempfile::tempdir().expect("temp dir");
        let host = tempfile::tempdir().expect("host dir");
        let marker = host.path().join("first-attempt-ran");
        let pid_file = host.path().join("sleeper.pid");
        let script = format!(
            "if [ -e {m} ]; then echo second > /dev/termination-log; exit 0; fi; \
             touch {m}; sleep 300 & echo $! > {p}; wait",
            m = marker.display(),
            p = pid_file.display()
        );
        let first = TestExecutor::start(&ns.name, work.path(), &[]);
        create_job(
            &ns.name,
            &job(
                "restart",
                json!({"backoffLimit": 2, "template": {"spec": {"containers": [{
                    "name": "main", "image": "busybox", "command": ["sh", "-c", script]
                }]}}}),
            ),
        )
        .await;
        let sleeper = read_pid(&pid_file).await;
        let api = Api::<Pod>::namespaced(client(), &ns.name);
        let running = wait_for("the first pod to run", || async {
            let pods = pods_of(&ns.name, "restart").await;
            pods.into_iter().find(|p| phase(p) == "Running")
        })
        .await;

        // Shutdown kills the processes and leaves Pod and Job as they are.
        first.shut_down().await;
        wait_for("the sleeper to be killed by the shutdown", || async {
            process_gone(sleeper).then_some(())
        })
        .await;
        let left = api.get(&running.name_any()).await.expect("pod still there");
        assert_eq!(phase(&left), "Running", "shutdown leaves the pod as it is");
        let job_now = Api::<Job>::namespaced(client(), &ns.name)
            .get("restart")
            .await
            .expect("job");
        assert_eq!(job_now.status.and_then(|s| s.active), Some(1));

        // A new instance fails the orphan (a failed attempt) and retries.
        let second = TestExecutor::start(&ns.name, work.path(), &[]);
        let done = wait_for_condition(&ns.name, "restart", "Complete").await;
        let status = done.status.expect("status");
        assert_eq!((status.succeeded, status.failed), (Some(1), Some(1)));
        let pods = pods_of(&ns.name, "restart").await;
        assert_eq!(pods.len(), 2, "the retry is a new pod");
        // Creation timestamps have whole seconds: tell the pods apart by name.
        let (orphans, retries): (Vec<Pod>, Vec<Pod>) = pods
            .into_iter()
            .partition(|p| p.name_any() == running.name_any());
        let (orphan, retry) = (&orphans[0], &retries[0]);
        assert_eq!(phase(orphan), "Failed");
        let orphan_status = orphan.status.clone().expect("status");
        assert_eq!(orphan_status.reason.as_deref(), Some("ExecutorRestarted"));
        assert_eq!(terminated(orphan)["reason"], "ExecutorRestarted");
        assert_eq!(phase(retry), "Succeeded");
        assert_eq!(terminated(retry)["message"], "second\n");
        let annotation = "local-executor.certification.scs.community/instance";
        assert_ne!(
            orphan.annotations().get(annotation),
            retry.annotations().get(annotation),
            "each executor instance marks its pods"
        );
        second.shut_down().await;
        ns.delete().await;
    });
}

fn suspended_job_does_not_run_until_resumed() {
    block_on(async {
        let ns = TestNamespace::create("lx-suspend").await;
        let work = tempfile::tempdir().expect("temp dir");
        let executor = TestExecutor::start(&ns.name, work.path(), &[]);
        create_job(
            &ns.name,
            &job(
                "later",
                json!({"suspend": true, "template": {"spec": {"containers": [{
                    "name": "main", "image": "busybox", "command": ["true"]
                }]}}}),
            ),
        )
        .await;
        // Longer than a resync of the test executor.
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert!(
            pods_of(&ns.name, "later").await.is_empty(),
            "no pod while suspended"
        );
        let api = Api::<Job>::namespaced(client(), &ns.name);
        let job_now = api.get("later").await.expect("job");
        assert!(job_now.status.and_then(|s| s.start_time).is_none());

        api.patch(
            "later",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(json!({"spec": {"suspend": false}})),
        )
        .await
        .expect("resume");
        let done = wait_for_condition(&ns.name, "later", "Complete").await;
        assert_eq!(condition_types(&done), ["SuccessCriteriaMet", "Complete"]);
        executor.shut_down().await;
        ns.delete().await;
    });
}

fn unsupported_volume_fails_the_pod_clearly() {
    block_on(async {
        let ns = TestNamespace::create("lx-unsupported").await;
        let work = tempfile::tempdir().expect("temp dir");
        let executor = TestExecutor::start(&ns.name, work.path(), &[]);
        create_job(
            &ns.name,
            &job(
                "odd",
                json!({"backoffLimit": 0, "template": {"spec": {
                    "volumes": [{"name": "data",
                                 "persistentVolumeClaim": {"claimName": "data"}}],
                    "containers": [{
                        "name": "main", "image": "busybox", "command": ["true"],
                        "volumeMounts": [{"name": "data", "mountPath": "/data"}]
                    }]
                }}}),
            ),
        )
        .await;
        let failed = wait_for_condition(&ns.name, "odd", "Failed").await;
        assert_eq!(
            conditions(&failed)[1],
            (
                "Failed".into(),
                "True".into(),
                "BackoffLimitExceeded".into()
            )
        );
        let pods = pods_of(&ns.name, "odd").await;
        assert_eq!(pods.len(), 1);
        let status = pods[0].status.clone().expect("status");
        assert_eq!(status.phase.as_deref(), Some("Failed"));
        assert_eq!(status.reason.as_deref(), Some("Unsupported"));
        let message = status.message.unwrap_or_default();
        assert!(
            message.contains("volume \"data\" of type persistentVolumeClaim is not supported"),
            "{message}"
        );
        assert_eq!(terminated(&pods[0])["reason"], "Unsupported");
        executor.shut_down().await;
        ns.delete().await;
    });
}

fn deleted_job_kills_its_processes() {
    block_on(async {
        let ns = TestNamespace::create("lx-delete").await;
        let work = tempfile::tempdir().expect("temp dir");
        let host = tempfile::tempdir().expect("host dir");
        let pid_file = host.path().join("pid");
        let executor = TestExecutor::start(&ns.name, work.path(), &[]);
        create_job(
            &ns.name,
            &job(
                "doomed",
                json!({"template": {"spec": {"containers": [{
                    "name": "main", "image": "busybox",
                    "command": ["sh", "-c",
                        format!("sleep 300 & echo $! > {}; wait", pid_file.display())]
                }]}}}),
            ),
        )
        .await;
        let sleeper = read_pid(&pid_file).await;
        Api::<Job>::namespaced(client(), &ns.name)
            .delete("doomed", &DeleteParams::background())
            .await
            .expect("delete job");
        wait_for("the sleeper to be killed", || async {
            process_gone(sleeper).then_some(())
        })
        .await;
        wait_for("the pods to be deleted", || async {
            pods_of(&ns.name, "doomed").await.is_empty().then_some(())
        })
        .await;
        executor.shut_down().await;
        ns.delete().await;
    });
}

fn ttl_deletes_the_job_and_its_pods() {
    block_on(async {
        let ns = TestNamespace::create("lx-ttl").await;
        let work = tempfile::tempdir().expect("temp dir");
        let executor = TestExecutor::start(&ns.name, work.path(), &[]);
        create_job(
            &ns.name,
            &job(
                "short-lived",
                json!({"ttlSecondsAfterFinished": 2, "template": {"spec": {"containers": [{
                    "name": "main", "image": "busybox", "command": ["true"]
                }]}}}),
            ),
        )
        .await;
        wait_for_condition(&ns.name, "short-lived", "Complete").await;
        assert_eq!(pods_of(&ns.name, "short-lived").await.len(), 1);
        let api = Api::<Job>::namespaced(client(), &ns.name);
        wait_for("the job to be deleted after its TTL", || async {
            api.get_opt("short-lived")
                .await
                .ok()?
                .is_none()
                .then_some(())
        })
        .await;
        wait_for("its pods to be deleted", || async {
            pods_of(&ns.name, "short-lived")
                .await
                .is_empty()
                .then_some(())
        })
        .await;
        executor.shut_down().await;
        ns.delete().await;
    });
}

fn pod_failure_policy_fails_or_ignores() {
    block_on(async {
        let ns = TestNamespace::create("lx-policy").await;
        let work = tempfile::tempdir().expect("temp dir");
        let host = tempfile::tempdir().expect("host dir");
        let marker = host.path().join("ran-once");
        let executor = TestExecutor::start(&ns.name, work.path(), &[]);
        let policy = json!({"rules": [
            {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [5]}},
            {"action": "Ignore", "onExitCodes": {"operator": "In", "values": [42]}}
        ]});
        // Exit code 5: FailJob at once, although backoffLimit allows retries.
        create_job(
            &ns.name,
            &job(
                "fatal",
                json!({"backoffLimit": 6, "podFailurePolicy": policy, "template": {"spec": {
                    "containers": [{"name": "main", "image": "busybox",
                                    "command": ["sh", "-c", "exit 5"]}]
                }}}),
            ),
        )
        .await;
        // Exit code 42 first: ignored (not counted against backoffLimit 0), then success.
        create_job(
            &ns.name,
            &job(
                "flaky",
                json!({"backoffLimit": 0, "podFailurePolicy": policy, "template": {"spec": {
                    "containers": [{"name": "main", "image": "busybox", "command": ["sh", "-c",
                        format!("[ -e {m} ] && exit 0; touch {m}; exit 42", m = marker.display())]}]
                }}}),
            ),
        )
        .await;
        let fatal = wait_for_condition(&ns.name, "fatal", "Failed").await;
        let failed = fatal
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Failed"))
            .cloned()
            .expect("Failed condition");
        assert_eq!(failed.reason.as_deref(), Some("PodFailurePolicy"));
        let pods = pods_of(&ns.name, "fatal").await;
        assert_eq!(pods.len(), 1, "FailJob stops at the first pod");
        let expected = format!(
            "Container main for pod {}/{} failed with exit code 5 matching FailJob rule at index 0",
            ns.name,
            pods[0].name_any()
        );
        assert_eq!(failed.message.as_deref(), Some(expected.as_str()));

        let flaky = wait_for_condition(&ns.name, "flaky", "Complete").await;
        let status = flaky.status.expect("status");
        assert_eq!(
            status.failed.unwrap_or(0),
            0,
            "ignored failures are not counted"
        );
        assert_eq!(status.succeeded, Some(1));
        assert_eq!(pods_of(&ns.name, "flaky").await.len(), 2);
        executor.shut_down().await;
        ns.delete().await;
    });
}
