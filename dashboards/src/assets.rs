//! The embedded static files and their lookup by request path.

/// One embedded file as served over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asset {
    /// Request path, e.g. `/app.js`.
    pub path: &'static str,
    /// Value for the `Content-Type` header.
    pub content_type: &'static str,
    pub body: &'static [u8],
}

const INDEX: &str = "/index.html";

static ASSETS: [Asset; 3] = [
    Asset {
        path: INDEX,
        content_type: "text/html; charset=utf-8",
        body: include_bytes!("../assets/index.html"),
    },
    Asset {
        path: "/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/app.js"),
    },
    Asset {
        path: "/style.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/style.css"),
    },
];

/// The asset served at `path`; `/` is the index page.
pub fn asset(path: &str) -> Option<&'static Asset> {
    let path = if path == "/" { INDEX } else { path };
    ASSETS.iter().find(|asset| asset.path == path)
}

/// Every embedded asset.
pub fn assets() -> &'static [Asset] {
    &ASSETS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(path: &str) -> &'static str {
        std::str::from_utf8(asset(path).expect("asset").body).expect("UTF-8")
    }

    #[test]
    fn root_and_index_serve_the_page() {
        let root = asset("/").expect("root");
        assert_eq!(root, asset("/index.html").expect("index"));
        assert_eq!(root.content_type, "text/html; charset=utf-8");
    }

    #[test]
    fn unknown_paths_are_not_found() {
        for path in [
            "",
            "/missing.js",
            "index.html",
            "/../Cargo.toml",
            "/api/v1/alerts",
        ] {
            assert!(asset(path).is_none(), "{path}");
        }
    }

    #[test]
    fn content_types_match_extensions() {
        assert_eq!(
            asset("/app.js").expect("js").content_type,
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            asset("/style.css").expect("css").content_type,
            "text/css; charset=utf-8"
        );
        assert_eq!(assets().len(), 3);
        assert!(assets().iter().all(|a| !a.body.is_empty()));
    }

    #[test]
    fn page_reads_the_alert_api_and_links_its_own_files() {
        let page = text("/");
        assert!(page.contains("/api/v1/alerts"));
        assert!(page.contains("アラート一覧"));
        for linked in ["/app.js", "/style.css"] {
            assert!(page.contains(linked), "{linked}");
        }
    }

    #[test]
    fn works_offline_and_never_injects_html() {
        for asset in assets() {
            let body = std::str::from_utf8(asset.body).expect("UTF-8");
            assert!(
                !body.contains("http://") && !body.contains("https://"),
                "{}",
                asset.path
            );
        }
        assert!(!text("/app.js").contains("innerHTML"));
        assert!(text("/app.js").contains("Asia/Tokyo"));
    }
}
