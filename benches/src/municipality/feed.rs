//! The two syslog-family output feeds and how a record is rendered onto each.

use chrono::{DateTime, Utc};

use super::clock::{DAY, Day, Ms};
use super::timeline::Timeline;
use super::town::{Host, Wire};

/// Syslog facility codes (RFC 5424 section 6.2.1).
#[derive(Debug, Clone, Copy)]
pub(super) enum Facility {
    Kern = 0,
    Mail = 2,
    Daemon = 3,
    Syslog = 5,
    Cron = 9,
    Local0 = 16,
    Local7 = 23,
}

/// Syslog severity codes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Severity {
    Warning = 4,
    Notice = 5,
    Info = 6,
}

/// One syslog message before it is framed for its sender's wire format.
#[derive(Debug, Clone, Copy)]
pub(super) struct Syslog<'a> {
    facility: Facility,
    severity: Severity,
    app: &'a str,
    pid: Option<u32>,
    msgid: Option<&'a str>,
    text: &'a str,
}

impl<'a> Syslog<'a> {
    pub(super) fn new(facility: Facility, severity: Severity, app: &'a str, text: &'a str) -> Self {
        Self {
            facility,
            severity,
            app,
            pid: None,
            msgid: None,
            text,
        }
    }

    pub(super) fn pid(self, pid: u32) -> Self {
        Self {
            pid: Some(pid),
            ..self
        }
    }

    pub(super) fn msgid(self, msgid: &'a str) -> Self {
        Self {
            msgid: Some(msgid),
            ..self
        }
    }

    fn pri(&self) -> u8 {
        pri(self.facility, self.severity)
    }
}

/// The syslog PRI value (`<PRI>`) of a facility and severity.
pub(super) fn pri(facility: Facility, severity: Severity) -> u8 {
    facility as u8 * 8 + severity as u8
}

/// The syslog and auth.log feeds, each sorted once at the end.
#[derive(Debug)]
pub(super) struct Feeds {
    day: Day,
    syslog: Timeline<Ms>,
    auth: Timeline<Ms>,
}

impl Feeds {
    pub(super) fn new(day: Day) -> Self {
        Self {
            day,
            syslog: Timeline::new(),
            auth: Timeline::new(),
        }
    }

    pub(super) fn utc(&self, at: Ms) -> DateTime<Utc> {
        self.day.utc(at)
    }

    /// An /var/log/auth.log line; `tag` is e.g. `sshd[1234]` or `sudo`.
    pub(super) fn auth(&mut self, at: Ms, host: &Host, tag: &str, text: &str) {
        let at = at.min(DAY - 1);
        let stamp = self.day.bsd_stamp(at);
        self.auth
            .push(at, format!("{stamp} {} {tag}: {text}", host.name));
    }

    /// A network syslog line in the sender's own wire format.
    pub(super) fn syslog(&mut self, at: Ms, host: &Host, msg: Syslog<'_>) {
        let at = at.min(DAY - 1);
        let pri = msg.pri();
        let line = match host.wire {
            Wire::Rfc3164 => {
                let stamp = self.day.bsd_stamp(at);
                match msg.pid {
                    Some(pid) => format!(
                        "<{pri}>{stamp} {} {}[{pid}]: {}",
                        host.name, msg.app, msg.text
                    ),
                    None => format!("<{pri}>{stamp} {} {}: {}", host.name, msg.app, msg.text),
                }
            }
            Wire::Rfc5424 { structured_data } => {
                let stamp = self.day.iso_stamp(at);
                let procid = msg
                    .pid
                    .map_or_else(|| "-".to_owned(), |pid| pid.to_string());
                format!(
                    "<{pri}>1 {stamp} {} {} {procid} {} {} {}",
                    host.name,
                    msg.app,
                    msg.msgid.unwrap_or("-"),
                    structured_data.unwrap_or("-"),
                    msg.text
                )
            }
        };
        self.syslog.push(at, line);
    }

    /// Both feeds as `(syslog_lines, auth_log_lines)`, each in time order;
    /// lines with the same time keep the order they were produced in.
    pub(super) fn into_lines(self) -> (Vec<String>, Vec<String>) {
        (self.syslog.into_lines(), self.auth.into_lines())
    }
}
