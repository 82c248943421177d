//! `GET /api/v1/sources`: what each source has sent since it was first
//! heard from — received, parsed, unparsed, dropped, bytes, last seen —
//! for source health (ログ収集途絶 is a source whose `last_seen` stops
//! moving), and each listener's counters since the server started,
//! including the datagrams the kernel dropped on a UDP socket.

use axum::Json;
use axum::extract::State;
use bannin_ingest::listen::CountersSnapshot;
use bannin_ingest::pipeline::SourceStats;
use serde::Serialize;

use super::AppState;

#[derive(Debug, Serialize)]
pub struct Source {
    name: String,
    #[serde(flatten)]
    stats: SourceStats,
}

#[derive(Debug, Serialize)]
pub struct ListenerStatus {
    listener: &'static str,
    address: String,
    #[serde(flatten)]
    counters: CountersSnapshot,
}

#[derive(Debug, Serialize)]
pub struct SourceList {
    sources: Vec<Source>,
    listeners: Vec<ListenerStatus>,
}

pub async fn list(State(state): State<AppState>) -> Json<SourceList> {
    let sources = state
        .pipeline
        .map(|p| p.source_stats())
        .unwrap_or_default()
        .into_iter()
        .map(|(name, stats)| Source { name, stats })
        .collect();
    let listeners = state
        .endpoints
        .iter()
        .map(|e| ListenerStatus {
            listener: e.listener.name(),
            address: e.address.to_string(),
            counters: e.counters.snapshot(),
        })
        .collect();
    Json(SourceList { sources, listeners })
}
