//! Public, read-only listing pages, served without authentication from the in-memory copy of
//! the published site: `/`, `/detail/{subject}/{scope}`, `/group/{group}/{scope}`,
//! `/badge/{subject}/{scope}.svg`, `/listing.json`, `/listing.md`, `/crl.json`, and (with
//! [`routes_with_reports`]) `/report/{uuid}`, the redacted view of a stored report.
//!
//! Only GET (and HEAD) are routed. Responses carry a strict Content-Security-Policy (the
//! pages need no script and load nothing from elsewhere), `nosniff`, and an ETag (the site
//! hash) for cheap revalidation.

use crate::controller::labels;
use crate::controller::report_store::stored_report_text;
use crate::listing::render::html;
use crate::listing::report_view;
use crate::listing::site::{CRL_JSON, INDEX_HTML, LISTING_JSON, LISTING_MD, Site};
use crate::listing::{SiteHandle, escape};
use crate::report::parse_report_stream;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::ResourceExt;
use kube::runtime::reflector::Store;
use std::sync::Arc;

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; \
                   base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const HTML: &str = "text/html; charset=utf-8";

/// The listing routes, reading the site from `site`.
pub fn routes(site: SiteHandle) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/listing.json", get(listing_json))
        .route("/listing.md", get(listing_md))
        .route("/crl.json", get(crl_json))
        .route("/detail/{subject}/{scope}", get(detail))
        .route("/group/{group}/{scope}", get(group))
        .route("/badge/{subject}/{file}", get(badge))
        .with_state(site)
}

/// The listing routes plus `/report/{uuid}`: the redacted public view of a stored report
/// (from `reports`, the operator's cache of its ConfigMaps), for subjects in the listing only.
pub fn routes_with_reports(site: SiteHandle, reports: Store<ConfigMap>) -> Router {
    routes(site.clone()).merge(
        Router::new()
            .route("/report/{uuid}", get(report))
            .with_state((site, reports)),
    )
}

/// The redacted page of report `uuid`, if it is stored and its subject and scope are listed.
fn report_html(site: &Site, reports: &Store<ConfigMap>, uuid: &str) -> Option<String> {
    let plausible = !uuid.is_empty()
        && uuid.len() <= 64
        && uuid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if !plausible {
        return None;
    }
    let stored = reports.state().into_iter().find(|cm| {
        cm.labels().get(labels::CONTENT).map(String::as_str) == Some("report")
            && cm
                .annotations()
                .get(labels::REPORT_UUID)
                .map(String::as_str)
                == Some(uuid)
    })?;
    let text = stored_report_text(&stored).ok()?;
    let report = parse_report_stream(&text)
        .ok()?
        .into_iter()
        .find(|r| r.run.uuid == uuid)?;
    site.cloud(&report.subject, &report.spec.uuid)?;
    Some(report_view::report_page(&site.listing, &report))
}

async fn report(
    State((handle, reports)): State<(SiteHandle, Store<ConfigMap>)>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> Response {
    let what = format!("report {uuid}");
    let Some((site, body)) = page(&handle, move |s| report_html(s, &reports, &uuid)).await else {
        return not_ready();
    };
    match body {
        Some(body) => respond(&headers, &site, StatusCode::OK, HTML, body.into_bytes()),
        None => not_found(&headers, &site, &what, 1),
    }
}

fn respond(
    request: &HeaderMap,
    site: &Site,
    status: StatusCode,
    content_type: &str,
    body: Vec<u8>,
) -> Response {
    let etag = format!("\"{}\"", site.sha256.get(..32).unwrap_or(&site.sha256));
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if status == StatusCode::OK && fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (status, body).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if status == StatusCode::OK
        && let Ok(value) = HeaderValue::from_str(&etag)
    {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

fn not_ready() -> Response {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        "the listing has not been built yet; retry in a few seconds\n",
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

fn not_found(request: &HeaderMap, site: &Site, what: &str, depth: usize) -> Response {
    let body = html::not_found(&site.listing, what, depth).into_bytes();
    respond(request, site, StatusCode::NOT_FOUND, HTML, body)
}

fn stored(request: &HeaderMap, handle: &SiteHandle, key: &str) -> Response {
    let Some(site) = handle.get() else {
        return not_ready();
    };
    match site.file(key) {
        Some(file) => respond(
            request,
            &site,
            StatusCode::OK,
            file.content_type,
            file.bytes.clone(),
        ),
        None => not_found(request, &site, key, 0),
    }
}

async fn index(State(site): State<SiteHandle>, headers: HeaderMap) -> Response {
    stored(&headers, &site, INDEX_HTML)
}

async fn listing_json(State(site): State<SiteHandle>, headers: HeaderMap) -> Response {
    stored(&headers, &site, LISTING_JSON)
}

async fn listing_md(State(site): State<SiteHandle>, headers: HeaderMap) -> Response {
    stored(&headers, &site, LISTING_MD)
}

async fn crl_json(State(site): State<SiteHandle>, headers: HeaderMap) -> Response {
    stored(&headers, &site, CRL_JSON)
}

/// Renders a page from the site off the async threads (large listings make big pages).
async fn page(
    handle: &SiteHandle,
    render: impl FnOnce(&Site) -> Option<String> + Send + 'static,
) -> Option<(Arc<Site>, Option<String>)> {
    let site = handle.get()?;
    let task_site = site.clone();
    let body = tokio::task::spawn_blocking(move || render(&task_site))
        .await
        .ok()
        .flatten();
    Some((site, body))
}

async fn detail(
    State(handle): State<SiteHandle>,
    Path((subject, scope)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let what = format!("{subject} / {scope}");
    let Some((site, body)) = page(&handle, move |s| s.detail_html(&subject, &scope)).await else {
        return not_ready();
    };
    match body {
        Some(body) => respond(&headers, &site, StatusCode::OK, HTML, body.into_bytes()),
        None => not_found(&headers, &site, &what, 2),
    }
}

async fn group(
    State(handle): State<SiteHandle>,
    Path((group, scope)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let what = format!("group {group} / {scope}");
    let Some((site, body)) = page(&handle, move |s| s.group_html(&group, &scope)).await else {
        return not_ready();
    };
    match body {
        Some(body) => respond(&headers, &site, StatusCode::OK, HTML, body.into_bytes()),
        None => not_found(&headers, &site, &what, 2),
    }
}

async fn badge(
    State(handle): State<SiteHandle>,
    Path((subject, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(site) = handle.get() else {
        return not_ready();
    };
    let found = file
        .strip_suffix(".svg")
        .and_then(|scope| site.badge(&subject, scope));
    match found {
        Some(svg) => respond(
            &headers,
            &site,
            StatusCode::OK,
            svg.content_type,
            svg.bytes.clone(),
        ),
        None => {
            let what = format!(
                "badge {}/{}",
                escape::path_segment(&subject),
                escape::path_segment(&file)
            );
            not_found(&headers, &site, &what, 2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::{ListingOptions, build_listing, history::HistoryFeed};
    use axum::body::Body;
    use http::Request;
    use tower::ServiceExt;

    const UUID: &str = "00000000-0000-4000-8000-000000000001";

    fn site() -> SiteHandle {
        let cloud: crate::api::CloudCertification = serde_json::from_value(serde_json::json!({
            "apiVersion": "certification.scs.community/v1alpha1",
            "kind": "CloudCertification",
            "metadata": {"name": "c", "namespace": "ns"},
            "spec": {"subject": "c-1", "scope": {"url": "https://example.org/s.yaml"}},
            "status": {
                "scope": {"uuid": UUID, "name": "Scope"},
                "summary": "✅ v1",
                "versions": [{"name": "v1", "validity": "effective", "result": "PASS"}],
                "results": [{"testcase": "t", "result": "PASS", "checkedAt": "2026-08-01T00:00:00Z",
                             "expiresAt": "2026-08-15T00:00:00Z"}]
            }
        }))
        .expect("cloud literal");
        let listing = build_listing(
            [&cloud],
            [],
            &HistoryFeed::new(),
            &ListingOptions::default(),
            "2026-08-02T00:00:00Z".parse().expect("now"),
        );
        let handle = SiteHandle::default();
        handle.set(Arc::new(Site::render(listing).expect("renders")));
        handle
    }

    async fn get(handle: &SiteHandle, uri: &str, etag: Option<&str>) -> Response {
        let mut request = Request::get(uri);
        if let Some(etag) = etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        routes(handle.clone())
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("infallible")
    }

    #[tokio::test]
    async fn serves_pages_badges_and_documents() {
        let handle = site();
        for (uri, content_type) in [
            ("/", "text/html; charset=utf-8"),
            ("/index.html", "text/html; charset=utf-8"),
            ("/listing.json", "application/json"),
            ("/crl.json", "application/json"),
            ("/listing.md", "text/markdown; charset=utf-8"),
            (
                &format!("/detail/c-1/{UUID}") as &str,
                "text/html; charset=utf-8",
            ),
            (&format!("/badge/c-1/{UUID}.svg") as &str, "image/svg+xml"),
        ] {
            let response = get(&handle, uri, None).await;
            assert_eq!(response.status(), StatusCode::OK, "{uri}");
            assert_eq!(
                response.headers()[header::CONTENT_TYPE],
                content_type,
                "{uri}"
            );
            assert!(
                response.headers()[header::CONTENT_SECURITY_POLICY]
                    .to_str()
                    .is_ok_and(|v| v.starts_with("default-src 'none'"))
            );
        }
    }

    #[tokio::test]
    async fn unknown_pages_are_404_and_unbuilt_is_503() {
        let handle = site();
        for uri in [
            "/detail/nope/x",
            &format!("/detail/c-1/{UUID}x") as &str,
            &format!("/badge/c-1/{UUID}") as &str,
            "/badge/%3Cscript%3E/x.svg",
            "/group/g/x",
        ] {
            let response = get(&handle, uri, None).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{uri}");
        }
        let body = axum::body::to_bytes(
            get(&handle, "/detail/%3Cscript%3E/x", None)
                .await
                .into_body(),
            1 << 20,
        )
        .await
        .expect("body");
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("&lt;script&gt;") && !text.contains("<script"));
        let empty = get(&SiteHandle::default(), "/", None).await;
        assert_eq!(empty.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(empty.headers().contains_key(header::RETRY_AFTER));
    }

    #[tokio::test]
    async fn revalidation_with_the_etag() {
        let handle = site();
        let first = get(&handle, "/listing.json", None).await;
        let etag = first.headers()[header::ETAG]
            .to_str()
            .expect("etag")
            .to_owned();
        let again = get(&handle, "/listing.json", Some(&etag)).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let other = get(&handle, "/listing.json", Some("\"other\"")).await;
        assert_eq!(other.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn only_get_is_routed() {
        let response = routes(site())
            .oneshot(
                Request::post("/listing.json")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    }
}
