//! Turning one script and its selected testcases into a concrete invocation (DOMAIN 3.5):
//! formatted `args` and `env`, the display command `cmd`, and the argv to launch.

use crate::runner::shell_words;
use crate::scope::Script;
use crate::scope::template::{self, TemplateError};
use indexmap::IndexMap;
use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf};

/// A template of a script cannot be formatted; the whole run stops before any script runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scripts[{script}] ({executable}): {field}: {}", describe(source))]
pub struct TemplateFailure {
    /// Index of the script in the spec.
    pub script: usize,
    /// The script's executable as written.
    pub executable: String,
    /// `args` or `env.NAME`.
    pub field: String,
    /// What is wrong with the template.
    pub source: TemplateError,
}

fn describe(error: &TemplateError) -> String {
    match error {
        TemplateError::Undefined(name) => format!(
            "undefined placeholder '{{{name}}}': no variable '{name}' is assigned \
             (declare it in the spec's variables or pass -a {name}=VALUE)"
        ),
        other => other.to_string(),
    }
}

/// What to execute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// The program: the interpreter for `.py` scripts, else the script itself (absolute).
    pub program: OsString,
    /// Arguments after the program (for `.py`: the script path first).
    pub args: Vec<OsString>,
}

/// One planned invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvocationPlan {
    /// Index of the script in the spec.
    pub script: usize,
    /// The testcases requested from it, sorted.
    pub testcases: Vec<String>,
    /// Display command: `"<K=V ...> <executable> <args>"`, trimmed.
    pub cmd: String,
    /// Extra environment, formatted, in spec order (merged over the runner's environment).
    pub env: Vec<(String, String)>,
    /// What to launch, or why it cannot be launched (recorded as rc 127 + a CRITICAL line).
    pub launch: Result<Launch, String>,
}

/// Plans the invocation of `script` for `testcases` (sorted) in `spec_dir`.
pub fn plan_invocation(
    script: &Script,
    testcases: &[String],
    assignment: &IndexMap<String, String>,
    spec_dir: &Path,
    python: &OsStr,
) -> Result<InvocationPlan, TemplateFailure> {
    let executable = script.executable.clone().unwrap_or_default();
    let joined = testcases.join(" ");
    // `testcases` first, then the assignment, which may override it (as upstream).
    let lookup = |name: &str| {
        assignment
            .get(name)
            .cloned()
            .or_else(|| (name == "testcases").then(|| joined.clone()))
    };
    let failure = |field: String, source: TemplateError| TemplateFailure {
        script: script.index,
        executable: executable.clone(),
        field,
        source,
    };
    let args = template::render(script.args.as_deref().unwrap_or(""), lookup)
        .map_err(|e| failure("args".into(), e))?;
    let mut env = Vec::new();
    for (name, value) in script.env.iter() {
        let value =
            template::render(value, lookup).map_err(|e| failure(format!("env.{name}"), e))?;
        env.push((name.to_string(), value));
    }
    let env_text: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let cmd = format!("{} {executable} {args}", env_text.join(" "))
        .trim()
        .to_string();
    Ok(InvocationPlan {
        script: script.index,
        testcases: testcases.to_vec(),
        cmd,
        env,
        launch: launch_of(&executable, &args, spec_dir, python),
    })
}

fn launch_of(
    executable: &str,
    args: &str,
    spec_dir: &Path,
    python: &OsStr,
) -> Result<Launch, String> {
    if executable.starts_with("http://") || executable.starts_with("https://") {
        return Err(format!("remote check_tool {executable} not yet supported"));
    }
    let local = executable.strip_prefix("file://").unwrap_or(executable);
    let path = normalize(&spec_dir.join(local));
    let words = shell_words::split(args).map_err(|e| e.to_string())?;
    let mut argv: Vec<OsString> = words.into_iter().map(OsString::from).collect();
    // `.py` scripts run under the configured interpreter (upstream: its own interpreter).
    if path.as_os_str().as_encoded_bytes().ends_with(b".py") {
        argv.insert(0, path.into_os_string());
        Ok(Launch {
            program: python.to_os_string(),
            args: argv,
        })
    } else {
        Ok(Launch {
            program: path.into_os_string(),
            args: argv,
        })
    }
}

/// Lexical normalisation like Python's `os.path.normpath` (`.` dropped, `..` folded).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::OrderedMap;

    fn script(executable: &str, args: Option<&str>, env: &[(&str, &str)]) -> Script {
        Script {
            index: 3,
            executable: Some(executable.to_string()),
            args: args.map(str::to_string),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<OrderedMap<String>>(),
            testcases: vec![],
        }
    }

    fn assignment(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn tcs(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn formats_args_env_and_cmd() {
        let s = script(
            "./iaas/check.py",
            Some("-c {os_cloud} {{literal}} {testcases}"),
            &[("MODE", "{mode}-x")],
        );
        let plan = plan_invocation(
            &s,
            &tcs(&["a", "b"]),
            &assignment(&[("os_cloud", "gx"), ("mode", "fast")]),
            Path::new("/specs/dir"),
            OsStr::new("python3"),
        )
        .unwrap();
        assert_eq!(plan.cmd, "MODE=fast-x ./iaas/check.py -c gx {literal} a b");
        assert_eq!(plan.env, [("MODE".to_string(), "fast-x".to_string())]);
        let launch = plan.launch.unwrap();
        assert_eq!(launch.program, "python3");
        let args: Vec<&OsStr> = launch.args.iter().map(OsString::as_os_str).collect();
        assert_eq!(
            args,
            [
                "/specs/dir/iaas/check.py",
                "-c",
                "gx",
                "{literal}",
                "a",
                "b"
            ]
        );
    }

    #[test]
    fn user_assignment_overrides_testcases_and_no_env_keeps_cmd_trimmed() {
        let s = script("file://../bin/run.sh", Some("{testcases}"), &[]);
        let plan = plan_invocation(
            &s,
            &tcs(&["a"]),
            &assignment(&[("testcases", "mine")]),
            Path::new("/specs/dir"),
            OsStr::new("python3"),
        )
        .unwrap();
        assert_eq!(plan.cmd, "file://../bin/run.sh mine");
        let launch = plan.launch.unwrap();
        assert_eq!(launch.program, "/specs/bin/run.sh");
        assert_eq!(launch.args, [OsString::from("mine")]);
    }

    #[test]
    fn remote_executables_and_bad_quoting_fail_to_launch() {
        let a = assignment(&[]);
        let dir = Path::new("/d");
        let py = OsStr::new("python3");
        let remote = plan_invocation(
            &script("https://x/y.sh", None, &[]),
            &tcs(&["a"]),
            &a,
            dir,
            py,
        )
        .unwrap();
        assert_eq!(
            remote.launch,
            Err("remote check_tool https://x/y.sh not yet supported".into())
        );
        let quoting = plan_invocation(
            &script("./y.sh", Some("'open"), &[]),
            &tcs(&["a"]),
            &a,
            dir,
            py,
        )
        .unwrap();
        assert_eq!(quoting.launch, Err("No closing quotation".into()));
    }

    #[test]
    fn undefined_placeholder_names_the_placeholder_and_field() {
        let s = script("./y.sh", Some("-k {kubeconfig}"), &[("X", "{nope}")]);
        let err = plan_invocation(
            &s,
            &tcs(&["a"]),
            &assignment(&[]),
            Path::new("/d"),
            OsStr::new("p"),
        )
        .unwrap_err();
        assert_eq!(err.field, "args");
        assert_eq!(err.source, TemplateError::Undefined("kubeconfig".into()));
        let text = err.to_string();
        assert!(
            text.starts_with("scripts[3] (./y.sh): args: undefined placeholder '{kubeconfig}'"),
            "{text}"
        );
        let s = script("./y.sh", None, &[("X", "{nope}")]);
        let err = plan_invocation(
            &s,
            &tcs(&["a"]),
            &assignment(&[]),
            Path::new("/d"),
            OsStr::new("p"),
        )
        .unwrap_err();
        assert_eq!(err.field, "env.X");
    }
}
