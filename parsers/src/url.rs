//! Request URLs as proxies log them.

/// Host (lowercase, without port or credentials) and path of a request
/// URL; `CONNECT host:443` has only a host.
pub fn split_url(method: &str, url: &str) -> (Option<String>, Option<String>) {
    if method == "CONNECT" {
        let host = url.rsplit_once(':').map_or(url, |(h, _)| h);
        return (Some(host.to_ascii_lowercase()), None);
    }
    let Some((_, rest)) = url.split_once("://") else {
        return (None, Some(url.to_owned()));
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or(v6, |(h, _)| h),
        None => host.split_once(':').map_or(host, |(h, _)| h),
    };
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let path = if path.is_empty() { "/" } else { path };
    (
        (!host.is_empty()).then(|| host.to_ascii_lowercase()),
        Some(path.to_owned()),
    )
}
