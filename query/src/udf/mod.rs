//! SQL functions for analysts and rules (docs/sql-functions.md).
//!
//! - [`cidr`]: `cidr_contains(cidr, ip)`, `is_private_ip(ip)`;
//! - [`domain`]: `registrable_domain(host)` (embedded public suffix list,
//!   LG.JP organisations);
//! - [`jst`]: `to_jst(ts)`, `jst_date(ts)`;
//! - [`time_bucket`]: `time_bucket(interval, ts)`, buckets aligned to JST;
//! - [`business_hours`]: `is_business_hours(ts)` over a [`BusinessCalendar`]
//!   ([`calendar`]) built on Japanese national holidays ([`holidays`]).
//!
//! Every function returns NULL for a NULL argument and for a value it
//! cannot read (an unparsable address, a non-host), never panics, and
//! works on whole Arrow columns; `columnar` holds the shared plumbing and
//! `unary` the shape of the one-argument functions.

pub mod business_hours;
pub mod calendar;
pub mod cidr;
pub(crate) mod columnar;
pub mod domain;
pub mod holidays;
pub mod jst;
pub mod time_bucket;
mod unary;

use datafusion::logical_expr::ScalarUDF;
use datafusion::prelude::SessionContext;

pub use calendar::{BusinessCalendar, BusinessHours, CalendarError, DayKind};
pub use holidays::holiday_name;

/// Registers every bannin SQL function in `ctx`; `is_business_hours`
/// follows `calendar`.
pub fn register_all(ctx: &SessionContext, calendar: &BusinessCalendar) {
    ctx.register_udf(ScalarUDF::from(cidr::CidrContains::new()));
    ctx.register_udf(ScalarUDF::from(cidr::is_private_ip()));
    ctx.register_udf(ScalarUDF::from(domain::function()));
    ctx.register_udf(ScalarUDF::from(jst::to_jst()));
    ctx.register_udf(ScalarUDF::from(jst::jst_date()));
    ctx.register_udf(ScalarUDF::from(time_bucket::TimeBucket::new()));
    ctx.register_udf(ScalarUDF::from(business_hours::IsBusinessHours::new(
        calendar.clone(),
    )));
}
