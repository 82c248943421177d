//! Sigma `logsource` → the lake table (and row filter) that holds those
//! records, with its field mapping.

use super::document::LogSource;
use super::error::SigmaError;
use super::fields::{self, FieldMap};
use super::sql;

/// Where a log source's records are in the lake.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub table: &'static str,
    /// A predicate that picks the source's rows out of a shared table.
    pub filter: Option<String>,
    pub fields: &'static [FieldMap],
    /// The column that names who or what acted (grouped on), unquoted.
    pub identity: &'static str,
}

/// The column keyword searches read: the original record.
pub const KEYWORD_COLUMN: &str = "raw";

/// Resolves a rule's log source; a source bannin does not store is refused.
pub fn resolve(ls: &LogSource) -> Result<Source, SigmaError> {
    let lower = |v: &Option<String>| v.as_deref().map(str::to_ascii_lowercase);
    let (category, product, service) =
        (lower(&ls.category), lower(&ls.product), lower(&ls.service));
    let source = |table, filter: Option<String>, fields, identity| Source {
        table,
        filter,
        fields,
        identity,
    };
    let cloud = |filter: String, fields| Ok(source("cloud_audit", Some(filter), fields, "actor"));
    match (category.as_deref(), product.as_deref(), service.as_deref()) {
        (Some("proxy"), _, _) => Ok(source("proxy", None, fields::PROXY, "src_ip")),
        (Some("firewall"), _, _) => Ok(source("firewall", None, fields::FIREWALL, "src_ip")),
        (None, Some("linux"), Some("auth")) => Ok(source("auth", None, fields::LINUX_AUTH, "user")),
        (None, Some("linux"), Some(app @ ("sshd" | "sudo"))) => Ok(source(
            "auth",
            Some(format!("app = {}", sql::quote(app))),
            fields::LINUX_AUTH,
            "user",
        )),
        (None, Some("linux"), None | Some("syslog")) => {
            Ok(source("syslog", None, fields::LINUX_SYSLOG, "app_name"))
        }
        (None, Some("aws"), Some("cloudtrail")) => {
            cloud("provider = 'aws'".into(), fields::CLOUDTRAIL)
        }
        (None, Some("azure"), Some("signinlogs")) => cloud(
            "provider = 'entra' AND service LIKE '%SignInLogs'".into(),
            fields::AZURE_SIGNIN,
        ),
        (None, Some("azure"), Some("auditlogs")) => cloud(
            "provider = 'entra' AND (service IS NULL OR service NOT LIKE '%SignInLogs')".into(),
            fields::AZURE_AUDIT,
        ),
        (None, Some("m365"), _) => cloud("provider = 'm365'".into(), fields::M365),
        (None, Some("gcp" | "google_workspace"), Some(service))
            if service == "google_workspace" || service.starts_with("google_workspace.") =>
        {
            let app = service
                .strip_prefix("google_workspace.")
                .filter(|app| !app.is_empty());
            let filter = match app {
                Some(app) => format!(
                    "provider = 'google_workspace' AND service = {}",
                    sql::quote(app)
                ),
                None => "provider = 'google_workspace'".into(),
            };
            cloud(filter, fields::GOOGLE_WORKSPACE)
        }
        (None, Some("google_workspace"), None) => cloud(
            "provider = 'google_workspace'".into(),
            fields::GOOGLE_WORKSPACE,
        ),
        _ => Err(SigmaError::LogSource(ls.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ls(category: Option<&str>, product: Option<&str>, service: Option<&str>) -> LogSource {
        LogSource {
            category: category.map(str::to_owned),
            product: product.map(str::to_owned),
            service: service.map(str::to_owned),
        }
    }

    #[test]
    fn maps_the_stored_sources() {
        assert_eq!(
            resolve(&ls(Some("proxy"), None, None)).unwrap().table,
            "proxy"
        );
        let sudo = resolve(&ls(None, Some("linux"), Some("sudo"))).unwrap();
        assert_eq!(
            (sudo.table, sudo.filter.as_deref()),
            ("auth", Some("app = 'sudo'"))
        );
        let gws = resolve(&ls(None, Some("gcp"), Some("google_workspace.admin"))).unwrap();
        assert_eq!(
            gws.filter.as_deref(),
            Some("provider = 'google_workspace' AND service = 'admin'")
        );
        let ct = resolve(&ls(None, Some("aws"), Some("cloudtrail"))).unwrap();
        assert_eq!((ct.table, ct.identity), ("cloud_audit", "actor"));
    }

    #[test]
    fn refuses_sources_not_stored() {
        for (c, p, s) in [
            (Some("process_creation"), Some("windows"), None),
            (None, Some("azure"), Some("activitylogs")),
            (None, Some("gcp"), Some("gcp.audit")),
            (Some("webserver"), None, None),
            (None, Some("linux"), Some("auditd")),
        ] {
            let err = resolve(&ls(c, p, s)).unwrap_err();
            assert!(err.to_string().contains("is not stored by bannin"), "{err}");
        }
    }
}
