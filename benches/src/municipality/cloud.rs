//! The city's Microsoft 365 tenant: Entra ID sign-ins (Graph `signIns`)
//! and the unified audit log (Management Activity API), one JSON record a
//! line, as a collector script saves them.
//!
//! Staff sign in from the city's internet address during office hours and
//! work in SharePoint; the break-glass global administrator signs in once
//! in the morning, resets a password, adds a new hire and puts them in a
//! Teams group (look-alikes). Injected: at 15:20 the administrator makes an
//! ordinary clerk a Global Administrator (priv.role_granted).

use rand::Rng;
use rand::rngs::SmallRng;
use serde_json::{Value, json};

use super::clock::{BUSINESS_END, BUSINESS_START, Day, MIN, Ms, hm};
use super::dice::{between, pick};
use super::timeline::Timeline;
use super::town::{CLERKS, CLOUD_ADMIN, Desk, INTERNET_EGRESS, MAIL_DOMAIN, STAFF};
use super::truth::Truth;

const TENANT_ID: &str = "3b6f2c1e-8a4d-4e2b-9c71-5d0e8f2a6b13";
const SHAREPOINT: &str = "https://sakuragaoka-city.sharepoint.com/sites";
const APPS: [&str; 3] = [
    "Office 365 Exchange Online",
    "Microsoft Teams",
    "Office 365 SharePoint Online",
];
const SITES: [(&str, &[&str]); 3] = [
    (
        "kikaku",
        &[
            "総合計画_素案.docx",
            "議会答弁_想定問答.docx",
            "予算要求_集計.xlsx",
        ],
    ),
    (
        "somu",
        &["職員研修_日程.xlsx", "庁内通知_テンプレート.docx"],
    ),
    (
        "kouhou",
        &["広報さくらがおか_12月号.pdf", "写真_成人式.jpg"],
    ),
];
const BROWSER: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";

pub(super) const ADMIN_SIGN_IN: Ms = hm(10, 12);
pub(super) const ROLE_GRANT_AT: Ms = hm(15, 20);
/// The clerk made Global Administrator.
const GRANTEE: Desk = CLERKS[2];
const NEW_HIRE: &str = "kondo";

fn upn(user: &str) -> String {
    format!("{user}@{MAIL_DOMAIN}")
}

struct Cloud<'a> {
    day: Day,
    rng: &'a mut SmallRng,
    log: Timeline<Ms>,
}

impl Cloud<'_> {
    fn uuid(&mut self) -> String {
        let a: u128 = self.rng.random();
        let hex = format!("{:032x}", a);
        format!(
            "{}-{}-4{}-a{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[13..16],
            &hex[17..20],
            &hex[20..32]
        )
    }

    fn push(&mut self, at: Ms, record: &Value) {
        self.log.push(at, record.to_string());
    }

    /// A Graph sign-in record; `error` 0 is success.
    fn sign_in(&mut self, at: Ms, user: &str, app: &str, error: u32) {
        let failure = match error {
            0 => "Other.",
            _ => "Error validating credentials due to invalid username or password.",
        };
        let record = json!({
            "id": self.uuid(),
            "createdDateTime": self.day.utc(at).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            "userDisplayName": user,
            "userPrincipalName": user,
            "userId": self.uuid(),
            "appDisplayName": app,
            "ipAddress": INTERNET_EGRESS,
            "clientAppUsed": "Browser",
            "conditionalAccessStatus": "success",
            "isInteractive": true,
            "status": {"errorCode": error, "failureReason": failure, "additionalDetails": null},
            "deviceDetail": {"operatingSystem": "Windows10", "browser": "Edge 131.0.0"},
            "location": {"city": "Sakuragaoka", "state": "Tokyo", "countryOrRegion": "JP"},
        });
        self.push(at, &record);
    }

    /// A unified-audit record; `extra` fields are merged in.
    fn audit(
        &mut self,
        at: Ms,
        actor: &str,
        operation: &str,
        record_type: u32,
        workload: &str,
        extra: Value,
    ) {
        let mut record = json!({
            "CreationTime": self.day.utc(at).format("%Y-%m-%dT%H:%M:%S").to_string(),
            "Id": self.uuid(),
            "Operation": operation,
            "OrganizationId": TENANT_ID,
            "RecordType": record_type,
            "ResultStatus": "Success",
            "UserKey": actor,
            "UserType": 0,
            "Version": 1,
            "Workload": workload,
            "ClientIP": INTERNET_EGRESS,
            "UserId": actor,
        });
        if let (Some(record), Value::Object(extra)) = (record.as_object_mut(), extra) {
            record.extend(extra);
        }
        self.push(at, &record);
    }

    /// An Entra directory change (RecordType 8) on `target`.
    fn directory(&mut self, at: Ms, operation: &str, target: &str, modified: Value) {
        let extra = json!({
            "ObjectId": target,
            "ModifiedProperties": modified,
            "Actor": [{"ID": CLOUD_ADMIN, "Type": 5}],
            "Target": [{"ID": format!("User_{}", self.uuid()), "Type": 2}, {"ID": target, "Type": 5}],
        });
        self.audit(at, CLOUD_ADMIN, operation, 8, "AzureActiveDirectory", extra);
    }
}

/// Anyone on the staff.
fn someone(rng: &mut SmallRng) -> &'static str {
    let index = rng.random_range(0..STAFF.len() + CLERKS.len());
    match STAFF.get(index) {
        Some(account) => account.name,
        None => CLERKS[index - STAFF.len()].user,
    }
}

/// The tenant's records for the day, in time order.
pub(super) fn generate(rng: &mut SmallRng, day: Day, truth: &mut Truth) -> Vec<String> {
    let mut cloud = Cloud {
        day,
        rng,
        log: Timeline::new(),
    };
    let users = STAFF
        .iter()
        .map(|a| a.name)
        .chain(CLERKS.iter().map(|d| d.user));
    for user in users {
        for _ in 0..cloud.rng.random_range(1..=3) {
            let at = between(cloud.rng, BUSINESS_START, BUSINESS_END);
            let app = *pick(cloud.rng, &APPS);
            if cloud.rng.random_bool(0.05) {
                cloud.sign_in(at, &upn(user), app, 50_126);
            }
            let later = at + cloud.rng.random_range(MIN..3 * MIN);
            cloud.sign_in(later, &upn(user), app, 0);
        }
    }
    for _ in 0..cloud.rng.random_range(150..250) {
        let at = between(cloud.rng, BUSINESS_START, BUSINESS_END);
        let (site, files) = *pick(cloud.rng, &SITES);
        let file = *pick(cloud.rng, files);
        let operation = *pick(
            cloud.rng,
            &[
                "FileAccessed",
                "FileAccessed",
                "FileModified",
                "FileUploaded",
            ],
        );
        let user = upn(someone(cloud.rng));
        let extra = json!({
            "ObjectId": format!("{SHAREPOINT}/{site}/Shared Documents/{file}"),
            "SiteUrl": format!("{SHAREPOINT}/{site}/"),
            "SourceFileName": file,
            "UserAgent": BROWSER,
        });
        cloud.audit(at, &user, operation, 6, "SharePoint", extra);
    }
    administrator(&mut cloud, truth);
    cloud.log.into_lines()
}

fn administrator(cloud: &mut Cloud<'_>, truth: &mut Truth) {
    cloud.sign_in(ADMIN_SIGN_IN, CLOUD_ADMIN, "Microsoft 365 admin center", 0);
    let reset = upn(STAFF[2].name);
    cloud.directory(
        ADMIN_SIGN_IN + 4 * MIN,
        "Reset user password.",
        &reset,
        json!([]),
    );
    let hire = upn(NEW_HIRE);
    let added = json!([{"Name": "AccountEnabled", "NewValue": "[true]", "OldValue": "[]"}]);
    cloud.directory(ADMIN_SIGN_IN + 8 * MIN, "Add user.", &hire, added);
    let group =
        json!([{"Name": "Group.DisplayName", "NewValue": "企画課 (Teams)", "OldValue": ""}]);
    cloud.directory(
        ADMIN_SIGN_IN + 10 * MIN,
        "Add member to group.",
        &hire,
        group,
    );
    truth.look_alike(
        "priv.unregistered",
        "全体管理者 (台帳登録済み) が開庁時間に市の接続元からパスワードリセット・利用者追加",
        &[("actor", CLOUD_ADMIN)],
    );
    truth.look_alike(
        "priv.off_hours",
        "全体管理者の 10 時台の管理作業",
        &[("actor", CLOUD_ADMIN)],
    );
    truth.look_alike(
        "priv.role_granted",
        "新規採用者を Teams グループに追加 (管理者ロールではない)",
        &[("target", &hire)],
    );

    let grantee = upn(GRANTEE.user);
    let role = json!([
        {"Name": "Role.ObjectID", "NewValue": "62e90394-69f5-4237-9190-012177145e10", "OldValue": ""},
        {"Name": "Role.DisplayName", "NewValue": "Global Administrator", "OldValue": ""},
    ]);
    cloud.directory(ROLE_GRANT_AT, "Add member to role.", &grantee, role);
    truth.inject(
        "priv.role_granted",
        format!("15:20 に一般職員 {grantee} へ全体管理者 (Global Administrator) ロールを付与"),
        &[("target", &grantee)],
    );
}
