//! Injected shadow IT on the internet-zone proxy (inet-proxy01), beside its
//! ordinary traffic. The proxy decrypts (ssl-bump) file-sharing,
//! translation and generative-AI sites for inspection, so requests to those
//! show their method and URL.
//!
//! - 10:05-10:50 a clerk uses ChatGPT, which the city has not approved
//!   (saas.unapproved_use).
//! - 15:40 a clerk uploads documents to DeepL, approved only under its
//!   click-through terms (saas.clickthrough_upload).
//! - 13:30-14:25 a clerk holds a meeting on Whereby, not a permitted
//!   conferencing service (saas.unapproved_web_conference).

use rand::Rng;
use rand::rngs::SmallRng;

use super::clock::{Day, MIN, Ms, SEC, hm};
use super::dice::between;
use super::proxy::Access;
use super::sites::{GENERAL, Site};
use super::timeline::Timeline;
use super::town::{CLERKS, Desk};
use super::truth::Truth;

pub(super) const CHATGPT: Site = Site {
    host: "chatgpt.com",
    ip: "198.51.100.90",
};
pub(super) const WHEREBY: Site = Site {
    host: "whereby.com",
    ip: "198.51.100.91",
};
pub(super) const CHATGPT_REQUESTS: usize = 30;
pub(super) const CHATGPT_WINDOW: (Ms, Ms) = (hm(10, 5), hm(10, 50));
pub(super) const UPLOADS: usize = 4;
pub(super) const UPLOAD_AT: Ms = hm(15, 40);
pub(super) const MEETING: (Ms, Ms) = (hm(13, 30), hm(14, 25));

const CHATGPT_USER: Desk = CLERKS[4];
const UPLOADER: Desk = CLERKS[1];
const MEETING_USER: Desk = CLERKS[8];

pub(super) fn generate(rng: &mut SmallRng, day: Day, log: &mut Timeline<Ms>, truth: &mut Truth) {
    let mut record = |at: Ms, access: Access| log.push(at, access.render(&day, at));

    for _ in 0..CHATGPT_REQUESTS {
        let at = between(rng, CHATGPT_WINDOW.0, CHATGPT_WINDOW.1);
        let (method, path, bytes) = match rng.random_range(0..3) {
            0 => ("GET", "/", rng.random_range(40_000..90_000)),
            1 => (
                "POST",
                "/backend-api/conversation",
                rng.random_range(2_000..30_000),
            ),
            _ => (
                "GET",
                "/backend-api/conversations?offset=0&limit=28",
                rng.random_range(1_000..8_000),
            ),
        };
        record(at, bumped(rng, CHATGPT_USER, &CHATGPT, method, path, bytes));
    }
    truth.inject(
        "saas.unapproved_use",
        format!("{} ({}) が未承認の生成AIサービス ChatGPT を利用 (10:05-10:50 に {CHATGPT_REQUESTS} 回)", CHATGPT_USER.user, CHATGPT_USER.ip()),
        &[("src_ip", &CHATGPT_USER.ip())],
    );

    let deepl = &GENERAL[2];
    for i in 0..UPLOADS {
        let at = UPLOAD_AT + i as Ms * 2 * MIN;
        let reply = rng.random_range(300..900);
        let mut upload = bumped(rng, UPLOADER, deepl, "POST", "/web/document/upload", reply);
        upload.elapsed = rng.random_range(8 * SEC..25 * SEC);
        record(at, upload);
    }
    truth.inject(
        "saas.clickthrough_upload",
        format!(
            "{} ({}) が約款サービス DeepL に文書を {UPLOADS} 件アップロード",
            UPLOADER.user,
            UPLOADER.ip()
        ),
        &[("src_ip", &UPLOADER.ip())],
    );

    let mut at = MEETING.0;
    while at < MEETING.1 {
        let reply = rng.random_range(20_000..60_000);
        let mut tunnel = bumped(
            rng,
            MEETING_USER,
            &WHEREBY,
            "GET",
            "/sakuragaoka-kyogi",
            reply,
        );
        tunnel.elapsed = rng.random_range(30 * SEC..90 * SEC);
        record(at, tunnel);
        at += rng.random_range(MIN..3 * MIN);
    }
    truth.inject(
        "saas.unapproved_web_conference",
        format!(
            "{} ({}) が許可されていない Web 会議サービス Whereby で 13:30-14:25 に会議",
            MEETING_USER.user,
            MEETING_USER.ip()
        ),
        &[("src_ip", &MEETING_USER.ip())],
    );
    truth.look_alike(
        "saas.unapproved_use",
        "承認済み (全庁・約款) の DeepL を職員が日常的に閲覧",
        &[("url_host", deepl.host)],
    );
    truth.look_alike(
        "saas.unapproved_use",
        "GigaFile便・firestorage へのアクセスはプロキシが遮断 (TCP_DENIED)",
        &[("url_host", "gigafile.nu")],
    );
}

/// A request the proxy decrypted: method and full URL, with the user.
fn bumped(
    rng: &mut SmallRng,
    desk: Desk,
    site: &Site,
    method: &'static str,
    path: &str,
    bytes: u32,
) -> Access {
    Access {
        elapsed: rng.random_range(80..2_500),
        client: desk.ip(),
        action: "TCP_MISS",
        status: 200,
        bytes,
        method,
        url: format!("https://{}{path}", site.host),
        user: Some(desk.user),
        peer: Some(site.ip),
        content_type: if method == "POST" {
            "application/json"
        } else {
            "text/html"
        },
    }
}
