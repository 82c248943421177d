//! The bannin web console: the 24-hour alert queue (監視キュー), embedded in
//! the binary so it is served without a CDN and works offline.
//!
//! - [`assets`]: the static files and their lookup by request path.

mod assets;

pub use assets::{Asset, asset, assets};
