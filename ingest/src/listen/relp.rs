//! RELP, the Reliable Event Logging Protocol, as rsyslog's `omrelp`
//! speaks it. Every frame is `TXNR SP COMMAND SP DATALEN [SP DATA] LF`;
//! the client opens a session (`open`, offering `commands=syslog`), sends
//! `syslog` commands and ends with `close`; the server answers each
//! command with `TXNR rsp LEN 200 OK…`, in order.
//!
//! bannin answers a `syslog` command only once its record is durable in
//! the write-ahead log, so a sender that got `200 OK` can forget the
//! record; one that did not resends it after reconnecting. A frame that
//! breaks the protocol ends the session with `500` and the reason.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::Utc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{Counters, Refusal, accept, each_connection};
use crate::pipeline::Pipeline;
use crate::sources::Listener;
use crate::wal::Entry;

/// How long a session may stay silent before it is closed.
const IDLE: Duration = Duration::from_secs(15 * 60);

/// One RELP frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub txnr: u64,
    pub command: String,
    pub data: Vec<u8>,
}

/// Splits a byte stream into RELP frames; bounded by the data limit.
#[derive(Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    max_data: usize,
}

impl Decoder {
    pub fn new(max_data: usize) -> Self {
        Self {
            buf: Vec::new(),
            max_data,
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole frame; `Ok(None)` when more bytes are needed; an
    /// error when the stream is not RELP (the session must end).
    pub fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        let mut fields = self.buf.splitn(4, |b| *b == b' ' || *b == b'\n');
        let (Some(txnr), Some(command), Some(len)) = (fields.next(), fields.next(), fields.next())
        else {
            return self.incomplete_header();
        };
        let header = txnr.len() + command.len() + len.len() + 2;
        let Some(&after_len) = self.buf.get(header) else {
            return self.incomplete_header();
        };
        let txnr = number(txnr, 9).ok_or("transaction number is not 1-9 digits")?;
        if command.is_empty() || command.len() > 32 || !command.iter().all(u8::is_ascii_alphabetic)
        {
            return Err("command is not 1-32 letters".into());
        }
        let len = number(len, 9).ok_or("data length is not 1-9 digits")? as usize;
        if len > self.max_data {
            return Err(format!("data length {len} exceeds {}", self.max_data));
        }
        let (start, end) = match (len, after_len) {
            (0, b'\n') => (header, header),
            (_, b' ') => (header + 1, header + 1 + len),
            _ => return Err("expected a space before the data".into()),
        };
        let Some(&trailer) = self.buf.get(end) else {
            return Ok(None);
        };
        if trailer != b'\n' {
            return Err("frame does not end with LF".into());
        }
        let frame = Frame {
            txnr,
            command: String::from_utf8_lossy(command).into_owned(),
            data: self.buf.get(start..end).unwrap_or_default().to_vec(),
        };
        self.buf.drain(..=end);
        Ok(Some(frame))
    }

    /// More bytes are needed for the header, unless too many came already.
    fn incomplete_header(&self) -> Result<Option<Frame>, String> {
        if self.buf.len() > 9 + 1 + 32 + 1 + 9 + 1 {
            Err("no RELP frame header".into())
        } else {
            Ok(None)
        }
    }
}

/// Digits only, at most `max` of them.
fn number(field: &[u8], max: usize) -> Option<u64> {
    if field.is_empty() || field.len() > max || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(field).ok()?.parse().ok()
}

/// `TXNR rsp LEN DATA\n`.
fn response(txnr: u64, data: &str) -> Vec<u8> {
    if data.is_empty() {
        format!("{txnr} rsp 0\n").into_bytes()
    } else {
        format!("{txnr} rsp {} {data}\n", data.len()).into_bytes()
    }
}

/// Accepts RELP sessions until the listener fails.
pub async fn serve(
    listener: TcpListener,
    pipeline: Arc<Pipeline>,
    counters: Arc<Counters>,
    max_frame: usize,
) -> std::io::Result<()> {
    let handler_counters = Arc::clone(&counters);
    each_connection(listener, counters, "RELP", move |stream, peer| {
        let (pipeline, counters) = (Arc::clone(&pipeline), Arc::clone(&handler_counters));
        async move { session(stream, peer, &pipeline, &counters, max_frame).await }
    })
    .await
}

async fn session(
    mut stream: TcpStream,
    peer: SocketAddr,
    pipeline: &Arc<Pipeline>,
    counters: &Counters,
    max_frame: usize,
) -> Result<(), String> {
    let source: Arc<str> = pipeline.source_name(Listener::Relp, peer.ip()).into();
    let mut decoder = Decoder::new(max_frame.max(4096));
    let mut buf = vec![0u8; 64 * 1024];
    let mut open = false;
    loop {
        let n = match tokio::time::timeout(IDLE, stream.read(&mut buf)).await {
            Ok(Ok(0)) => return Ok(()),
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return Err(format!("read failed: {e}")),
            Err(_) => return Err(format!("idle for {} s", IDLE.as_secs())),
        };
        counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
        decoder.feed(buf.get(..n).unwrap_or_default());
        // Every whole frame read so far: records are made durable
        // together, then every command is answered in order.
        let mut entries = Vec::new();
        let mut answers: Vec<(u64, String)> = Vec::new();
        let mut closing = false;
        let mut broken = None;
        loop {
            match decoder.next_frame() {
                Ok(Some(frame)) => match frame.command.as_str() {
                    "open" => {
                        open = true;
                        let offers =
                            "200 OK\nrelp_version=0\nrelp_software=bannin\ncommands=syslog";
                        answers.push((frame.txnr, offers.to_owned()));
                    }
                    "syslog" if open => {
                        let mut bytes = frame.data;
                        while bytes.last() == Some(&b'\n') {
                            bytes.pop();
                        }
                        entries.push(Entry {
                            received_at: Utc::now(),
                            source: source.clone(),
                            bytes,
                            truncated_from: None,
                            format: None,
                        });
                        answers.push((frame.txnr, "200 OK".to_owned()));
                    }
                    "close" => {
                        answers.push((frame.txnr, String::new()));
                        closing = true;
                        break;
                    }
                    other => {
                        broken = Some((
                            frame.txnr,
                            format!("command `{other}` before open or unknown"),
                        ));
                        break;
                    }
                },
                Ok(None) => break,
                Err(why) => {
                    broken = Some((0, why));
                    break;
                }
            }
        }
        let durable = accept(pipeline, counters, entries, Refusal::Answered).await;
        let mut out = Vec::new();
        for (txnr, data) in &answers {
            match (&durable, data.as_str()) {
                (Err(why), "200 OK") => out.extend(response(*txnr, &format!("500 {why}"))),
                _ => out.extend(response(*txnr, data)),
            }
        }
        if let Some((txnr, why)) = &broken {
            out.extend(response(*txnr, &format!("500 {why}")));
        }
        stream
            .write_all(&out)
            .await
            .map_err(|e| format!("write failed: {e}"))?;
        if let Some((_, why)) = broken {
            return Err(why);
        }
        durable?;
        if closing {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let mut d = Decoder::new(1024);
        let mut out = Vec::new();
        for chunk in input.chunks(3) {
            d.feed(chunk);
            while let Some(f) = d.next_frame().unwrap() {
                out.push(f);
            }
        }
        out
    }

    #[test]
    fn a_session_as_omrelp_sends_it() {
        let input = b"1 open 86 relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n2 syslog 20 <13>1 - h app - - hi\n3 close 0\n";
        let got = frames(input);
        let summary: Vec<(u64, &str, usize)> = got
            .iter()
            .map(|f| (f.txnr, f.command.as_str(), f.data.len()))
            .collect();
        assert_eq!(
            summary,
            [(1, "open", 86), (2, "syslog", 20), (3, "close", 0)]
        );
        assert_eq!(got[1].data, b"<13>1 - h app - - hi");
    }

    #[test]
    fn broken_frames_are_errors() {
        for (input, why) in [
            (&b"x open 0\n"[..], "transaction number"),
            (&b"1 op3n 0\n"[..], "command"),
            (&b"1 syslog 5000 "[..], "exceeds"),
            (&b"1 syslog 3 abcX"[..], "LF"),
            (&b"1 syslog 3abc\n"[..], "data length"),
            (&b"1 syslog 3\nabc\n"[..], "space"),
            (&[b'9'; 80][..], "no RELP frame header"),
        ] {
            let mut d = Decoder::new(1024);
            d.feed(input);
            let err = d.next_frame().unwrap_err();
            assert!(err.contains(why), "{input:?}: {err}");
        }
        assert_eq!(response(7, "200 OK"), b"7 rsp 6 200 OK\n");
        assert_eq!(response(8, ""), b"8 rsp 0\n");
    }
}
