//! Static files embedded in the binary (no CDN, no build step), served under a content hash so a browser can
//! keep them for a year and a new release is fetched at once.

use actix_web::{HttpResponse, get, web};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

pub struct Asset {
    pub name: &'static str,
    pub mime: &'static str,
    pub bytes: &'static [u8],
    /// The first 12 hex digits of the SHA-256 of the bytes.
    pub hash: String,
}

macro_rules! asset {
    ($name:literal, $mime:literal) => {
        (
            $name,
            $mime,
            include_bytes!(concat!("../../../assets/", $name)) as &'static [u8],
        )
    };
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        asset!("app.css", "text/css; charset=utf-8"),
        asset!("print.css", "text/css; charset=utf-8"),
        asset!("page-100.css", "text/css; charset=utf-8"),
        asset!("page-sign.css", "text/css; charset=utf-8"),
        asset!("page-150.css", "text/css; charset=utf-8"),
        asset!("page-200.css", "text/css; charset=utf-8"),
        asset!("page-a4.css", "text/css; charset=utf-8"),
        asset!("app.js", "text/javascript; charset=utf-8"),
        asset!("icon.svg", "image/svg+xml"),
        asset!("scan.js", "text/javascript; charset=utf-8"),
        asset!(
            "vendor/htmx-2.0.11.min.js",
            "text/javascript; charset=utf-8"
        ),
        asset!("vendor/jsqr-1.4.0.js", "text/javascript; charset=utf-8"),
    ]
    .into_iter()
    .map(|(name, mime, bytes)| Asset {
        name,
        mime,
        bytes,
        hash: hex::encode(Sha256::digest(bytes))[..12].to_owned(),
    })
    .collect()
});

/// The URL of an asset, with its content hash: `/assets/{hash}/{name}`.
pub fn url(name: &str) -> String {
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map(|a| format!("/assets/{}/{}", a.hash, a.name))
        .unwrap_or_else(|| format!("/assets/missing/{name}"))
}

#[get("/assets/{hash}/{name:.*}")]
pub async fn serve(path: web::Path<(String, String)>) -> HttpResponse {
    let (hash, name) = path.into_inner();
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) if a.hash == hash => HttpResponse::Ok()
            .content_type(a.mime)
            .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .body(a.bytes),
        // An old hash after an upgrade: the current file, but not cached for long.
        Some(a) => HttpResponse::Ok()
            .content_type(a.mime)
            .insert_header(("Cache-Control", "no-cache"))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .body(a.bytes),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such asset"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_asset_has_a_hashed_url() {
        let u = super::url("app.css");
        assert!(
            u.starts_with("/assets/") && u.ends_with("/app.css") && u.len() > 25,
            "{u}"
        );
        assert!(super::url("nope.js").contains("missing"));
    }
}

/// `/favicon.ico`, which browsers ask for whatever the page says: the icon (an SVG; every current browser takes
/// it), so the request is not a 404 in the log.
#[get("/favicon.ico")]
pub async fn favicon() -> HttpResponse {
    match ASSETS.iter().find(|a| a.name == "icon.svg") {
        Some(a) => HttpResponse::Ok()
            .content_type(a.mime)
            .insert_header(("Cache-Control", "public, max-age=86400"))
            .body(a.bytes),
        None => HttpResponse::NotFound().finish(),
    }
}
