//! Path mapping: turns the absolute container paths a pod spec mentions into local paths.
//!
//! A container has two kinds of paths: mount paths (volumes, the termination-message file)
//! and everything else, which belongs to its image. Mount paths map to the per-pod local
//! directories the executor prepared (longest mount path wins). Image paths map into the
//! directory given for that image with `--image-root`, but only when the path exists
//! there; anything else stays a host path. The exact rules are documented in `docs/local-executor.md`.

use std::path::{Path, PathBuf};

/// One container path that is backed by a local path (a volume mount or a single file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Absolute path inside the container, without a trailing slash (except `/`).
    pub container_path: String,
    /// Where that path lives on this machine.
    pub local_path: PathBuf,
}

/// The container-to-local path mapping of one container.
#[derive(Debug, Clone, Default)]
pub struct PathMap {
    /// Local directory playing the image's root filesystem; `None` runs on the host as-is.
    image_root: Option<PathBuf>,
    /// Mounts, longest container path first so the first match is the most specific one.
    mounts: Vec<Mount>,
}

impl PathMap {
    /// Builds the mapping of one container from its image root and its mounts.
    pub fn new(image_root: Option<PathBuf>, mounts: Vec<Mount>) -> Self {
        let mut mounts: Vec<Mount> = mounts
            .into_iter()
            .map(|m| Mount {
                container_path: normalise_mount_path(&m.container_path),
                local_path: m.local_path,
            })
            .collect();
        // Longest prefix wins; a stable sort keeps the first of two equal mount paths.
        mounts.sort_by_key(|m| std::cmp::Reverse(m.container_path.len()));
        Self { image_root, mounts }
    }

    /// The image root this container runs in, if its image is mapped.
    pub fn image_root(&self) -> Option<&Path> {
        self.image_root.as_deref()
    }

    /// Maps one absolute container path; `None` when it stays a host path.
    pub fn map_path(&self, path: &str) -> Option<PathBuf> {
        if !path.starts_with('/') {
            return None;
        }
        if let Some(local) = self.map_mount(path) {
            return Some(local);
        }
        let root = self.image_root.as_deref()?;
        // Only what the image has: a program or file missing from it is the host's (so
        // `/bin/sh` works with a sparse image root).
        let in_root = join_under(root, path);
        in_root.exists().then_some(in_root)
    }

    /// Maps a path through the mounts only (longest mount path wins).
    fn map_mount(&self, path: &str) -> Option<PathBuf> {
        self.mounts.iter().find_map(|m| {
            let rest = strip_mount_prefix(path, &m.container_path)?;
            Some(if rest.is_empty() {
                m.local_path.clone()
            } else {
                join_under(&m.local_path, rest)
            })
        })
    }

    /// Maps a working directory. In a mapped image the working directory is always inside
    /// the image root (a container runtime creates a missing one there); otherwise only
    /// mounts apply and the host path is used as-is.
    pub fn map_working_dir(&self, path: &str) -> PathBuf {
        if let Some(local) = self.map_mount(path) {
            return local;
        }
        match &self.image_root {
            Some(root) => join_under(root, path),
            None => PathBuf::from(path),
        }
    }

    /// Rewrites every absolute path that appears in `text` (a command, an argument or an
    /// environment value) and leaves everything else byte for byte as it was.
    pub fn rewrite_text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut previous: Option<char> = None;
        while let Some(token) = next_path_token(rest, previous) {
            out.push_str(&rest[..token.start]);
            let path = &rest[token.start..token.end];
            match self.map_path(path) {
                Some(local) => {
                    let local = local.to_string_lossy();
                    out.push_str(&local);
                    // `/mount/` stays a directory spelling: `/local/`.
                    if path.ends_with('/') && !local.ends_with('/') {
                        out.push('/');
                    }
                }
                None => out.push_str(path),
            }
            previous = path.chars().last();
            rest = &rest[token.end..];
        }
        out.push_str(rest);
        out
    }
}

/// Byte range of one absolute path token inside a string.
struct Token {
    start: usize,
    end: usize,
}

/// Characters that can be part of a path token: letters and digits of any script and
/// `/._-+@%~`. Everything else (whitespace, quotes,
/// shell operators, `=`, `:`, `,`, `$`, brackets) ends a path, so `--out=/x`, `A:/b`,
/// `'/c'` and `cat /d > /e` all expose their paths.
pub fn is_path_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | '@' | '%' | '~')
}

/// Finds the next absolute path token: a `/` that does not continue a word and is not the
/// start of `//` (URLs such as `https://host/x` stay untouched), then all path characters.
fn next_path_token(text: &str, previous_before_text: Option<char>) -> Option<Token> {
    let mut previous = previous_before_text;
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let starts_token = c == '/'
            && !previous.is_some_and(is_path_char)
            && chars.peek().is_none_or(|(_, next)| *next != '/');
        if starts_token {
            let end = text[index..]
                .char_indices()
                .find(|(_, c)| !is_path_char(*c))
                .map_or(text.len(), |(offset, _)| index + offset);
            return Some(Token { start: index, end });
        }
        previous = Some(c);
    }
    None
}

/// `Some(rest)` when `path` is `mount` itself (rest empty) or lies below it (rest starts
/// after the separating slash).
fn strip_mount_prefix<'a>(path: &'a str, mount: &str) -> Option<&'a str> {
    if mount == "/" {
        return Some(path.trim_start_matches('/'));
    }
    let rest = path.strip_prefix(mount)?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix('/')
    }
}

/// `root` joined with an absolute container path (leading slashes dropped, so `join` does
/// not replace `root`).
fn join_under(root: &Path, container_path: &str) -> PathBuf {
    let relative = container_path.trim_start_matches('/');
    if relative.is_empty() {
        root.to_path_buf()
    } else {
        root.join(relative)
    }
}

/// Drops trailing slashes so `/data/` and `/data` are the same mount path.
fn normalise_mount_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(container: &str, local: &str) -> Mount {
        Mount {
            container_path: container.to_owned(),
            local_path: PathBuf::from(local),
        }
    }

    /// An image root with `bin/tool`, `etc/app/config.yaml` and an empty `out/` directory.
    fn image_root() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("bin")).expect("mkdir");
        std::fs::write(dir.path().join("bin/tool"), "").expect("write");
        std::fs::create_dir_all(dir.path().join("etc/app")).expect("mkdir");
        std::fs::write(dir.path().join("etc/app/config.yaml"), "").expect("write");
        std::fs::create_dir_all(dir.path().join("out")).expect("mkdir");
        dir
    }

    #[test]
    fn rewrite_text_with_mounts_only() {
        let map = PathMap::new(
            None,
            vec![
                mount("/etc/secret", "/w/vol/secret"),
                mount("/etc/secret/nested", "/w/vol/nested"),
                mount("/data/", "/w/vol/data"),
                mount("/dev/termination-log", "/w/term/main"),
            ],
        );
        // (input, expected)
        let cases = [
            ("/etc/secret", "/w/vol/secret"),
            ("/etc/secret/", "/w/vol/secret/"),
            ("/data/ü", "/w/vol/data/ü"),
            ("/etc/secret/key", "/w/vol/secret/key"),
            ("/etc/secrets/key", "/etc/secrets/key"),
            ("/etc/secret/nested/a", "/w/vol/nested/a"),
            ("/data", "/w/vol/data"),
            ("/data/x.txt", "/w/vol/data/x.txt"),
            (
                "cat /etc/secret/key > /dev/termination-log",
                "cat /w/vol/secret/key > /w/term/main",
            ),
            ("--config=/data/c.yaml", "--config=/w/vol/data/c.yaml"),
            ("A:/data/a,/data/b", "A:/w/vol/data/a,/w/vol/data/b"),
            ("'/data/q' \"/data/r\"", "'/w/vol/data/q' \"/w/vol/data/r\""),
            ("$(cat /data/f)", "$(cat /w/vol/data/f)"),
            ("https://example.org/data/x", "https://example.org/data/x"),
            ("file:///data/x", "file:///data/x"),
            ("relative/data/x", "relative/data/x"),
            ("x/data", "x/data"),
            ("/usr/bin/env", "/usr/bin/env"),
            ("", ""),
            ("no paths here", "no paths here"),
            ("ünïcode /data/ü", "ünïcode /w/vol/data/ü"),
        ];
        for (input, expected) in cases {
            assert_eq!(map.rewrite_text(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn rewrite_text_with_image_root() {
        let root = image_root();
        let r = root.path().to_string_lossy().into_owned();
        let map = PathMap::new(
            Some(root.path().to_path_buf()),
            vec![mount("/etc/app/secret", "/w/vol/secret")],
        );
        let cases = [
            // Exists in the image: rewritten.
            ("/bin/tool", format!("{r}/bin/tool")),
            ("/etc/app/config.yaml", format!("{r}/etc/app/config.yaml")),
            ("/etc/app", format!("{r}/etc/app")),
            ("/out", format!("{r}/out")),
            // Not in the image (even in a directory the image has): the host path.
            ("/out/report.yaml", "/out/report.yaml".to_owned()),
            ("/bin/sh", "/bin/sh".to_owned()),
            ("/nonexistent/x", "/nonexistent/x".to_owned()),
            ("/newfile", "/newfile".to_owned()),
            // Mounts win over the image.
            ("/etc/app/secret/k", "/w/vol/secret/k".to_owned()),
            (
                "/bin/tool --config /etc/app/config.yaml",
                format!("{r}/bin/tool --config {r}/etc/app/config.yaml"),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(map.rewrite_text(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn working_dir_mapping() {
        let root = image_root();
        let mapped = PathMap::new(
            Some(root.path().to_path_buf()),
            vec![mount("/work", "/w/vol/work")],
        );
        let host = PathMap::new(None, vec![mount("/work", "/w/vol/work")]);
        let cases = [
            (&mapped, "/work/sub", PathBuf::from("/w/vol/work/sub")),
            (
                &mapped,
                "/does/not/exist",
                root.path().join("does/not/exist"),
            ),
            (&mapped, "/", root.path().to_path_buf()),
            (&host, "/work", PathBuf::from("/w/vol/work")),
            (&host, "/tmp", PathBuf::from("/tmp")),
        ];
        for (map, input, expected) in cases {
            assert_eq!(map.map_working_dir(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn root_mount_maps_everything() {
        let map = PathMap::new(None, vec![mount("/", "/w/root"), mount("/x", "/w/x")]);
        assert_eq!(map.map_path("/a/b"), Some(PathBuf::from("/w/root/a/b")));
        assert_eq!(map.map_path("/x/y"), Some(PathBuf::from("/w/x/y")));
        assert_eq!(map.map_path("relative"), None);
    }
}
