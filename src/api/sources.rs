//! `GET /api/v1/sources`: what each source has sent since the server
//! started — received, parsed, unparsed, bytes, last seen — for source
//! health (ログ収集途絶 is a source whose `last_seen` stops moving).

use axum::Json;
use axum::extract::State;
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
pub struct SourceList {
    sources: Vec<Source>,
}

pub async fn list(State(state): State<AppState>) -> Json<SourceList> {
    let sources = state
        .pipeline
        .map(|p| p.source_stats())
        .unwrap_or_default()
        .into_iter()
        .map(|(name, stats)| Source { name, stats })
        .collect();
    Json(SourceList { sources })
}
