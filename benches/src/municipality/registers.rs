//! The city's registers (台帳) as CSV files, consistent with the generated
//! day: what is approved, who is privileged, which address is where.

use chrono::{Datelike, NaiveDate};

use super::breakout::BOX_HOST;
use super::town::{
    ADMIN_TERMINALS, CLOUD_ADMIN, INET_MAIL01, INET_PROXY01, INTERNET_EGRESS, LG_MAIL01,
    NEWSLETTER_HOST, OPS, SERVERS, SHARED_ADMIN, Zone,
};

/// One register file: its name in the registers directory and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterFile {
    pub name: &'static str,
    pub text: String,
}

/// The fiscal year (April to March) `date` falls in, as its first and last day.
fn fiscal_year(date: NaiveDate) -> (String, String) {
    let start = if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    };
    (format!("{start}-04-01"), format!("{}-03-31", start + 1))
}

/// Every register file for a day on `date`.
pub fn register_files(date: NaiveDate) -> Vec<RegisterFile> {
    let (from, until) = fiscal_year(date);
    let servers: Vec<&str> = SERVERS.iter().map(|h| h.name).collect();
    let servers = servers.join(";");
    let [(admin01, _), (admin02, _)] = ADMIN_TERMINALS;
    let ops_terminals: Vec<String> = [Zone::MyNumber, Zone::Lgwan, Zone::Internet]
        .iter()
        .map(|z| z.terminal(OPS.terminal))
        .collect();
    let ops_terminals = ops_terminals.join(";");
    let approved = format!(
        "service,domains,category,max_confidentiality,clickthrough,departments,administrator,valid_from,valid_until,notes
Microsoft 365 (桜ヶ丘市テナント),sakuragaoka-city.sharepoint.com;outlook.office365.com;outlook.office.com;teams.microsoft.com,office_suite,2,no,全庁,情報政策課 課長,{from},{until},ISMAP登録サービス・団体契約
Box (桜ヶ丘市契約),{BOX_HOST},file_sharing,2,no,全庁,情報政策課 係長,{from},{until},承認番号 R-012
Zoom (会議室アカウント),zoom.us,conferencing,1,no,全庁,総務課 課長,{from},{until},住民向けオンライン相談・外部との会議
DeepL 翻訳 (無料版),deepl.com,translation,1,yes,全庁,国際交流課 課長,{from},{until},約款による利用: 機密性1の文章のみ・文書のアップロード禁止
"
    );
    let privileged = format!(
        "account,owner,role,systems,allowed_hosts,valid_from,valid_until,notes
root,情報政策課 基盤担当,root,{servers},{admin01};{admin02},,,緊急時のみ (封印管理)
{ops},情報政策課 運用担当,server_admin,{servers},{ops_terminals},{from},{until},日常の運用保守
{SHARED_ADMIN},情報政策課 基盤担当 (共用),server_admin,lg-file01;lg-web01;lg-ad01,{admin01};{admin02},{from},{until},共用ID: 同時に1人だけが使う
{CLOUD_ADMIN},情報政策課 クラウド担当,global_admin,Microsoft 365,{INTERNET_EGRESS},,,全体管理者
",
        ops = OPS.name,
    );
    let (mlist, mlist_ip) = NEWSLETTER_HOST;
    let assets = format!(
        "cidr,host,zone,department,role,administrator,notes
10.10.0.0/16,,mynumber,住民課;税務課,マイナンバー利用事務系,情報政策課,
10.20.0.0/16,,lgwan,,LGWAN接続系 端末,情報政策課,
10.20.9.0/28,,lgwan,情報政策課,管理端末,情報政策課,特権IDの利用元
{},{admin01},lgwan,情報政策課,管理端末,情報政策課,
{},{admin02},lgwan,情報政策課,管理端末,情報政策課,
10.30.0.0/16,,lgwan,情報政策課,LGWAN接続系 サーバ,情報政策課,
{},{},lgwan,情報政策課,メールサーバ,情報政策課,
{mlist_ip},{mlist},lgwan,広報課,メールマガジン配信 (承認済み一斉送信),広報課,承認済み一斉送信: magazine@
10.40.0.0/16,,internet,,インターネット接続系,情報政策課,
{},{},internet,情報政策課,プロキシ,情報政策課,
{},{},internet,情報政策課,メール中継,情報政策課,
{INTERNET_EGRESS},,internet,情報政策課,インターネット出口 (セキュリティクラウド),情報政策課,
",
        ADMIN_TERMINALS[0].1,
        ADMIN_TERMINALS[1].1,
        LG_MAIL01.ip,
        LG_MAIL01.name,
        INET_PROXY01.ip,
        INET_PROXY01.name,
        INET_MAIL01.ip,
        INET_MAIL01.name,
    );
    let year = date.year();
    let calendar = format!(
        "date,kind,name,open_time,close_time
{prev}-12-29,closed,年末年始,,
{prev}-12-30,closed,年末年始,,
{prev}-12-31,closed,年末年始,,
{year}-01-02,closed,年末年始,,
{year}-01-03,closed,年末年始,,
{year}-12-29,closed,年末年始,,
{year}-12-30,closed,年末年始,,
{year}-12-31,closed,年末年始,,
",
        prev = year - 1,
    );
    vec![
        RegisterFile {
            name: "approved_services.csv",
            text: approved,
        },
        RegisterFile {
            name: "privileged_accounts.csv",
            text: privileged,
        },
        RegisterFile {
            name: "assets.csv",
            text: assets,
        },
        RegisterFile {
            name: "business_calendar.csv",
            text: calendar,
        },
    ]
}
