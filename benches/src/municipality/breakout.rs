//! lg-proxy01, the LGWAN-side proxy for approved cloud services (α' local
//! breakout), in Squid's native format. It enforces tenant restrictions,
//! so it decrypts and logs every request with its method and URL.
//!
//! LGWAN staff use the city's own SharePoint, Outlook, Teams and Box
//! heavily, Box uploads included (look-alikes: approved services). The
//! proxy's logging stops at 12:58 when its log daemon hangs: nothing after
//! that (source.silent).

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{BUSINESS_START, Day, Ms, hm};
use super::dice::{between, desk, pick};
use super::proxy::Access;
use super::timeline::Timeline;
use super::town::{CLERKS, Desk, LG_PROXY01, Zone};
use super::truth::Truth;

/// When the last line is written.
pub(super) const SILENT_FROM: Ms = hm(12, 58);
const REQUESTS: std::ops::Range<u32> = 1_400..1_700;
pub(super) const BOX_HOST: &str = "sakuragaoka.app.box.com";
pub(super) const BOX_UPLOADS: usize = 60;

/// `(host, address, [(method, path, content type)])`.
type Service = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str)],
);

const SERVICES: [Service; 4] = [
    (
        "sakuragaoka-city.sharepoint.com",
        "198.51.100.64",
        &[
            (
                "GET",
                "/sites/kikaku/Shared%20Documents/Forms/AllItems.aspx",
                "text/html",
            ),
            ("GET", "/sites/somu/_api/web/lists", "application/json"),
            (
                "POST",
                "/sites/kikaku/_api/web/GetFolderByServerRelativeUrl('Shared%20Documents')/Files/add",
                "application/json",
            ),
        ],
    ),
    (
        "outlook.office365.com",
        "198.51.100.61",
        &[
            ("GET", "/mail/inbox", "text/html"),
            (
                "POST",
                "/owa/service.svc?action=GetItem",
                "application/json",
            ),
        ],
    ),
    (
        "teams.microsoft.com",
        "198.51.100.62",
        &[
            ("GET", "/v2/", "text/html"),
            (
                "POST",
                "/api/chatsvc/jp/v1/users/ME/conversations",
                "application/json",
            ),
        ],
    ),
    (
        BOX_HOST,
        "198.51.100.65",
        &[
            ("GET", "/folder/0", "text/html"),
            ("GET", "/file/1432987654", "text/html"),
        ],
    ),
];

fn access(
    rng: &mut SmallRng,
    desk: Desk,
    host: &str,
    ip: &'static str,
    call: (&'static str, &str, &'static str),
) -> Access {
    let (method, path, content_type) = call;
    Access {
        elapsed: rng.random_range(40..1_800),
        client: Zone::Lgwan.terminal(desk.terminal),
        action: "TCP_MISS",
        status: 200,
        bytes: rng.random_range(600..180_000),
        method,
        url: format!("https://{host}{path}"),
        user: Some(desk.user),
        peer: Some(ip),
        content_type,
    }
}

/// lg-proxy01's access.log, in time order.
pub(super) fn generate(rng: &mut SmallRng, day: Day, truth: &mut Truth) -> Vec<String> {
    let mut log = Timeline::new();
    let mut record = |at: Ms, access: Access| log.push(at, access.render(&day, at));
    for _ in 0..rng.random_range(REQUESTS) {
        let at = between(rng, BUSINESS_START, SILENT_FROM);
        let (host, ip, calls) = *pick(rng, &SERVICES);
        let call = *pick(rng, calls);
        let desk = desk(rng);
        record(at, access(rng, desk, host, ip, call));
    }
    // 企画課 moves a project folder to Box in the morning.
    let mover = CLERKS[0];
    for _ in 0..BOX_UPLOADS {
        let at = between(rng, hm(9, 0), hm(11, 30));
        let upload = (
            "POST",
            "/index.php?rm=box_upload&folder_id=1432980000",
            "application/json",
        );
        record(at, access(rng, mover, BOX_HOST, "198.51.100.65", upload));
    }
    truth.inject(
        "source.silent",
        format!("LGWAN側プロキシ {LG_PROXY01} のログが 12:58 を最後に途絶"),
        &[("source", LG_PROXY01)],
    );
    truth.look_alike(
        "saas.clickthrough_upload",
        "企画課が承認済みの Box (市の契約テナント) へ午前中に 60 件アップロード",
        &[("url_host", BOX_HOST)],
    );
    truth.look_alike(
        "saas.unapproved_use",
        "市の Microsoft 365 (SharePoint / Outlook / Teams) と Box の大量利用",
        &[("url_host", BOX_HOST)],
    );
    truth.look_alike(
        "saas.unapproved_web_conference",
        "承認済みの Teams (市のテナント) での会議",
        &[("url_host", "teams.microsoft.com")],
    );
    log.into_lines()
}
