//! The operations dashboard: plain HTML, CSS and ES modules compiled into the binary
//! (`src/dashboard/`), served without authentication (the page holds no data; it asks for a
//! bearer token and calls the API with it). Navigation is by URL fragment (`#/orders/<id>`),
//! so every page is `/dashboard/`.
//!
//! The Content-Security-Policy allows scripts, styles and images from this origin only, and
//! connections to this origin and to the owning services whose APIs the operator actions call.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::config::DashboardSettings;

/// (file, content type, contents).
const FILES: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("../dashboard/index.html"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../dashboard/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../dashboard/app.js"),
    ),
    (
        "api.js",
        "text/javascript; charset=utf-8",
        include_str!("../dashboard/api.js"),
    ),
    (
        "ui.js",
        "text/javascript; charset=utf-8",
        include_str!("../dashboard/ui.js"),
    ),
    (
        "graph.js",
        "text/javascript; charset=utf-8",
        include_str!("../dashboard/graph.js"),
    ),
    (
        "pages.js",
        "text/javascript; charset=utf-8",
        include_str!("../dashboard/pages.js"),
    ),
    (
        "order.js",
        "text/javascript; charset=utf-8",
        include_str!("../dashboard/order.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../dashboard/favicon.svg"),
    ),
];

/// The origin (`scheme://host:port`) of a URL, for the CSP.
fn origin(url: &str) -> Option<&str> {
    let after_scheme = url.find("://")? + 3;
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    Some(&url[..end])
}

fn policy(settings: &DashboardSettings) -> String {
    let mut connect = vec!["'self'".to_owned()];
    for url in [&settings.order_capture_url, &settings.fulfillment_url] {
        if let Some(origin) = origin(url)
            && !connect.iter().any(|c| c == origin)
        {
            connect.push(origin.to_owned());
        }
    }
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src {}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        connect.join(" ")
    )
}

fn serve(name: &str, csp: &str) -> Response {
    let Some((_, content_type, body)) = FILES.iter().find(|(file, _, _)| *file == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = (*body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(value) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// `/` and `/dashboard/...`.
pub fn routes(settings: &DashboardSettings) -> Router {
    let csp = policy(settings);
    let index_csp = csp.clone();
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard/") }))
        .route("/dashboard", get(|| async { Redirect::to("/dashboard/") }))
        .route(
            "/dashboard/",
            get(move || {
                let csp = index_csp.clone();
                async move { serve("index.html", &csp) }
            }),
        )
        .route(
            "/dashboard/{file}",
            get(move |Path(file): Path<String>| {
                let csp = csp.clone();
                async move { serve(&file, &csp) }
            }),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_lets_the_page_call_the_owning_services_only() {
        let csp = policy(&DashboardSettings {
            order_capture_url: "http://127.0.0.1:8080/".to_owned(),
            fulfillment_url: "http://127.0.0.1:8083".to_owned(),
        });
        assert!(csp.contains("connect-src 'self' http://127.0.0.1:8080 http://127.0.0.1:8083;"));
        assert!(csp.contains("script-src 'self'"));
        assert_eq!(
            origin("https://oms.example/api"),
            Some("https://oms.example")
        );
    }

    #[test]
    fn every_file_is_served_with_its_type_and_unknown_ones_are_404() {
        for (name, content_type, _) in FILES {
            let response = serve(name, "default-src 'none'");
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.headers()[header::CONTENT_TYPE], *content_type);
        }
        assert_eq!(serve("secrets.txt", "").status(), StatusCode::NOT_FOUND);
    }
}
