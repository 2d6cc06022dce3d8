//! A scripted stand-in for the operator's report intake: axum on 127.0.0.1, answering each
//! POST with the next status from a list (201 when the list is empty) and recording it.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::post;
use std::collections::VecDeque;
use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// One request the intake received.
#[derive(Debug, Clone)]
pub struct Received {
    /// Request path.
    pub path: String,
    /// `Authorization` header.
    pub authorization: Option<String>,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// `Content-Encoding` header.
    pub content_encoding: Option<String>,
    /// Body after undoing `Content-Encoding: gzip`.
    pub body: Vec<u8>,
}

/// A status to answer with, optionally with `Retry-After` seconds.
#[derive(Debug, Clone, Copy)]
pub struct Scripted {
    /// HTTP status.
    pub status: u16,
    /// `Retry-After` seconds.
    pub retry_after: Option<u64>,
}

impl From<u16> for Scripted {
    fn from(status: u16) -> Self {
        Scripted {
            status,
            retry_after: None,
        }
    }
}

#[derive(Default)]
struct Shared {
    answers: VecDeque<Scripted>,
    received: Vec<Received>,
}

/// A running fake intake; stops when dropped.
pub struct FakeIntake {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// A loopback address nothing listens on, outside the usual ephemeral port range so that
/// outgoing connections of parallel tests do not take it before the intake binds it.
pub fn free_addr() -> SocketAddr {
    let seed = std::process::id() as u64
        ^ u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0),
        );
    for i in 0..1000u64 {
        let port = 20_000 + ((seed.wrapping_mul(7919) + i * 104_729) % 12_000) as u16;
        if let Ok(listener) = std::net::TcpListener::bind(("127.0.0.1", port)) {
            return listener.local_addr().unwrap();
        }
    }
    panic!("no free port in 20000..32000");
}

impl FakeIntake {
    /// Starts on a port the kernel picks.
    pub fn start(answers: Vec<Scripted>) -> FakeIntake {
        Self::start_on("127.0.0.1:0".parse().unwrap(), answers)
    }

    /// Starts on `addr`.
    pub fn start_on(addr: SocketAddr, answers: Vec<Scripted>) -> FakeIntake {
        let listener = std::net::TcpListener::bind(addr).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Mutex::new(Shared {
            answers: answers.into(),
            received: Vec::new(),
        }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = Router::new()
                    .route("/v1/runs/{namespace}/{name}/{run}/{kind}", post(answer))
                    .with_state(state);
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        FakeIntake {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Base URL for `--server`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }
}

impl Drop for FakeIntake {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn answer(
    State(shared): State<Arc<Mutex<Shared>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_encoding = header("content-encoding");
    let body = if content_encoding.as_deref() == Some("gzip") {
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut decoded)
            .unwrap();
        decoded
    } else {
        body.to_vec()
    };
    let scripted = {
        let mut shared = shared.lock().unwrap();
        shared.received.push(Received {
            path: uri.path().to_string(),
            authorization: header("authorization"),
            content_type: header("content-type"),
            content_encoding,
            body,
        });
        shared.answers.pop_front().unwrap_or(Scripted::from(201))
    };
    let status = StatusCode::from_u16(scripted.status).unwrap();
    let mut response = (status, format!("scripted answer {}", scripted.status)).into_response();
    if let Some(seconds) = scripted.retry_after {
        response
            .headers_mut()
            .insert("retry-after", seconds.to_string().parse().unwrap());
    }
    response
}
