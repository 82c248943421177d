//! One module per subcommand.

pub mod demo;
pub mod ingest;
pub mod lake;
pub mod notify;
pub mod parse;
pub mod rules;
pub mod serve;
pub mod sigma;
pub mod sql;
pub mod verify;
