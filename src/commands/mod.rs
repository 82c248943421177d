//! One module per subcommand.

pub mod demo;
pub mod ingest;
pub mod lake;
pub mod parse;
pub mod rules;
pub mod serve;
pub mod sigma;
pub mod sql;
pub mod token;
pub mod verify;
