//! `count(DISTINCT x)` beside `count(*)` as two group-bys.
//!
//! "Requests and clients per tenant and day" asks for a distinct count next
//! to a plain one. DataFusion turns a lone `count(DISTINCT x)` (or one
//! beside `sum`, `min`, `max`) into a group-by on the groups plus `x`
//! followed by a count per group, but declines when a plain `count` sits
//! beside it; each group then keeps a set of its `x` values and is handed
//! its rows batch by batch, which was the slowest query of the issue 5
//! benchmark. [`SplitDistinct`] does the two-step rewrite for those
//! aggregates too:
//!
//! ```text
//! Aggregate: groupBy=[g], aggr=[count(*), count(DISTINCT x), max(y)]
//! ⇒ Projection: g, sum(p1) AS "count(*)", count(d) AS "count(DISTINCT x)", max(p2) AS "max(y)"
//!     Aggregate: groupBy=[g], aggr=[sum(p1), count(d), max(p2)]
//!       Aggregate: groupBy=[g, x AS d], aggr=[count(*) AS p1, max(y) AS p2]
//! ```
//!
//! Only with at least one group column: every group then has rows, so a
//! sum of partial counts is the count (with no group, `count(*)` of no
//! rows is 0 but the sum of no partial counts is NULL). Aggregates with a
//! `FILTER` or `ORDER BY`, distinct aggregates over more than one
//! expression or other than `count`, `sum`, `min`, `max` and `avg`, and
//! plain ones other than `count`, `sum`, `min` and `max` are left alone,
//! as is any rewrite that would change a column's type (a sum of
//! decimal sums widens).

use std::sync::Arc;

use datafusion::common::tree_node::Transformed;
use datafusion::common::{Column, Result};
use datafusion::functions_aggregate::sum::sum_udaf;
use datafusion::logical_expr::expr::{AggregateFunction, AggregateFunctionParams};
use datafusion::logical_expr::{Aggregate, Expr, LogicalPlan, Projection, col};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

/// The optimizer rule (see the module docs).
#[derive(Debug, Default)]
pub struct SplitDistinct;

/// The name of the distinct argument in the inner group-by.
const DISTINCT: &str = "__bannin_distinct";

impl OptimizerRule for SplitDistinct {
    fn name(&self) -> &str {
        "split_distinct_beside_count"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        let LogicalPlan::Aggregate(aggregate) = &plan else {
            return Ok(Transformed::no(plan));
        };
        match split(aggregate) {
            Some(rewritten) => Ok(Transformed::yes(rewritten)),
            None => Ok(Transformed::no(plan)),
        }
    }
}

/// One aggregate of the original, as the two steps compute it.
enum Step<'a> {
    /// `f(DISTINCT x)`: `f(d)` over the inner group-by's `x AS d`.
    Distinct(&'a AggregateFunction),
    /// `f(args)`: `f(args) AS p` inside, `outer(p)` outside.
    Partial(&'a AggregateFunction, Outer),
}

#[derive(Clone, Copy)]
enum Outer {
    Sum,
    Same,
}

/// The rewritten plan, or `None` where the rule does not apply or a step
/// cannot be built (the original plan then runs as it is).
fn split(aggregate: &Aggregate) -> Option<LogicalPlan> {
    let (steps, distinct_arg) = steps(aggregate)?;
    let schema = &aggregate.schema;
    let mut inner_groups = Vec::with_capacity(aggregate.group_expr.len() + 1);
    let mut outer_groups = Vec::with_capacity(aggregate.group_expr.len());
    for (i, group) in aggregate.group_expr.iter().enumerate() {
        if let Expr::Column(_) = group {
            inner_groups.push(group.clone());
            outer_groups.push(group.clone());
        } else {
            let name = format!("__bannin_group_{i}");
            inner_groups.push(group.clone().alias(&name));
            outer_groups.push(col(name));
        }
    }
    let mut inner_aggregates = Vec::new();
    let mut outer_aggregates = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Distinct(f) => {
                outer_aggregates.push(call(f, vec![col(DISTINCT)]));
            }
            Step::Partial(f, outer) => {
                let name = format!("__bannin_partial_{i}");
                inner_aggregates.push(call(f, f.params.args.clone()).alias(&name));
                outer_aggregates.push(match outer {
                    Outer::Sum => Expr::AggregateFunction(AggregateFunction::new_udf(
                        sum_udaf(),
                        vec![col(name)],
                        false,
                        None,
                        vec![],
                        None,
                    )),
                    Outer::Same => call(f, vec![col(name)]),
                });
            }
        }
    }
    inner_groups.push(distinct_arg.clone().alias(DISTINCT));
    let inner =
        Aggregate::try_new(Arc::clone(&aggregate.input), inner_groups, inner_aggregates).ok()?;
    let outer = Aggregate::try_new(
        Arc::new(LogicalPlan::Aggregate(inner)),
        outer_groups,
        outer_aggregates,
    )
    .ok()?;
    // The outer step's columns under the original's names (and qualifiers).
    let names = (0..outer.schema.fields().len())
        .map(|i| {
            let (qualifier, field) = schema.qualified_field(i);
            Expr::Column(Column::from(outer.schema.qualified_field(i)))
                .alias_qualified(qualifier.cloned(), field.name())
        })
        .collect();
    let projection = Projection::try_new(names, Arc::new(LogicalPlan::Aggregate(outer))).ok()?;
    projection
        .schema
        .has_equivalent_names_and_types(schema)
        .ok()?;
    Some(LogicalPlan::Projection(projection))
}

/// How each aggregate is split, and the one distinct argument; `None` if
/// the aggregate is not one this rule rewrites (see the module docs).
fn steps(aggregate: &Aggregate) -> Option<(Vec<Step<'_>>, &Expr)> {
    if aggregate.group_expr.is_empty()
        || matches!(aggregate.group_expr.first(), Some(Expr::GroupingSet(_)))
    {
        return None;
    }
    let mut distinct_arg: Option<&Expr> = None;
    let mut plain_count = false;
    let mut steps = Vec::with_capacity(aggregate.aggr_expr.len());
    for expr in &aggregate.aggr_expr {
        // Other rules may have named an aggregate (its output name is
        // taken from the schema anyway).
        let f = match expr {
            Expr::AggregateFunction(f) => f,
            Expr::Alias(alias) => match alias.expr.as_ref() {
                Expr::AggregateFunction(f) => f,
                _ => return None,
            },
            _ => return None,
        };
        let AggregateFunctionParams {
            args,
            distinct,
            filter,
            order_by,
            ..
        } = &f.params;
        if filter.is_some() || !order_by.is_empty() {
            return None;
        }
        let name = f.func.name();
        if *distinct {
            let ([arg], "count" | "sum" | "min" | "max" | "avg") = (args.as_slice(), name) else {
                return None;
            };
            if distinct_arg.get_or_insert(arg) != &arg {
                return None;
            }
            steps.push(Step::Distinct(f));
        } else {
            let outer = match name {
                "count" => {
                    plain_count = true;
                    Outer::Sum
                }
                "sum" => Outer::Sum,
                "min" | "max" => Outer::Same,
                _ => return None,
            };
            steps.push(Step::Partial(f, outer));
        }
    }
    // Without a plain count DataFusion's own rule does this already.
    let distinct_arg = distinct_arg?;
    plain_count.then_some((steps, distinct_arg))
}

/// `f` (not distinct, no filter or order) over `args`.
fn call(f: &AggregateFunction, args: Vec<Expr>) -> Expr {
    Expr::AggregateFunction(AggregateFunction::new_udf(
        Arc::clone(&f.func),
        args,
        false,
        None,
        vec![],
        f.params.null_treatment,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, RecordBatch, StringViewArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::arrow::util::pretty::pretty_format_batches;
    use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
    use datafusion::datasource::MemTable;
    use datafusion::prelude::SessionContext;

    fn context(split: bool) -> SessionContext {
        let ctx = SessionContext::new();
        if split {
            ctx.add_optimizer_rule(Arc::new(SplitDistinct));
        }
        // (tenant, src_ip, bytes): repeated clients, NULL clients, a NULL
        // byte count, a group whose only client is NULL.
        let rows: [(&str, Option<&str>, Option<i64>); 10] = [
            ("kitahama", Some("10.0.0.1"), Some(100)),
            ("kitahama", Some("10.0.0.1"), Some(5)),
            ("kitahama", Some("10.0.0.2"), None),
            ("kitahama", None, Some(7)),
            ("higashino", Some("10.1.0.1"), Some(1)),
            ("higashino", Some("10.1.0.2"), Some(2)),
            ("higashino", Some("10.1.0.3"), Some(3)),
            ("higashino", Some("10.1.0.3"), Some(4)),
            ("minamiyama", None, Some(9)),
            ("minamiyama", None, None),
        ];
        let schema = Arc::new(Schema::new(vec![
            Field::new("tenant", DataType::Utf8View, false),
            Field::new("src_ip", DataType::Utf8View, true),
            Field::new("bytes_out", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(StringViewArray::from_iter_values(rows.iter().map(|r| r.0))),
                Arc::new(StringViewArray::from(
                    rows.iter().map(|r| r.1).collect::<Vec<_>>(),
                )),
                Arc::new(Int64Array::from(
                    rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                )),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        // Two partitions, so partial aggregates meet in the final step.
        let (first, second) = (batch.slice(0, 5), batch.slice(5, 5));
        let table = MemTable::try_new(schema, vec![vec![first], vec![second]])
            .unwrap_or_else(|e| panic!("{e}"));
        ctx.register_table("proxy", Arc::new(table))
            .unwrap_or_else(|e| panic!("{e}"));
        ctx
    }

    async fn rows(ctx: &SessionContext, sql: &str) -> String {
        let frame = ctx.sql(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        let schema = frame.schema().as_arrow().clone();
        let batches = frame
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let names: Vec<_> = schema
            .fields()
            .iter()
            .map(|f| format!("{}: {}", f.name(), f.data_type()))
            .collect();
        format!(
            "{}\n{}",
            names.join(", "),
            pretty_format_batches(&batches).unwrap_or_else(|e| panic!("{e}"))
        )
    }

    /// How many aggregate nodes the optimized plan of `sql` has.
    async fn aggregates(ctx: &SessionContext, sql: &str) -> usize {
        let plan = ctx
            .state()
            .create_logical_plan(sql)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let plan = ctx
            .state()
            .optimize(&plan)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut count = 0;
        let _ = plan.apply(|node| {
            if matches!(node, LogicalPlan::Aggregate(_)) {
                count += 1;
            }
            Ok(TreeNodeRecursion::Continue)
        });
        count
    }

    #[tokio::test]
    async fn split_aggregates_give_the_same_rows_names_and_types() {
        let queries = [
            "SELECT tenant, count(*) AS requests, count(DISTINCT src_ip) AS clients \
             FROM proxy GROUP BY tenant ORDER BY tenant",
            // Unnamed aggregates keep their names; a plain count of a
            // column skips its NULLs; sum, min and max beside.
            "SELECT tenant, count(*), count(src_ip), count(bytes_out), count(DISTINCT src_ip), \
             sum(bytes_out), min(bytes_out), max(src_ip) FROM proxy GROUP BY tenant ORDER BY tenant",
            // A group expression, and the distinct argument an expression.
            "SELECT upper(tenant) AS t, count(*) AS n, count(DISTINCT src_ip || '/32') AS cidrs, \
             min(DISTINCT src_ip || '/32') AS first_cidr FROM proxy GROUP BY upper(tenant) ORDER BY t",
            // Grouped by the distinct argument itself.
            "SELECT src_ip, count(*) AS n, count(DISTINCT src_ip) AS one FROM proxy \
             GROUP BY src_ip ORDER BY src_ip NULLS FIRST",
            // Groups filtered away entirely; HAVING on both counts.
            "SELECT tenant, count(*) AS n, count(DISTINCT src_ip) AS c FROM proxy \
             WHERE bytes_out > 3 GROUP BY tenant HAVING count(*) > 1 AND count(DISTINCT src_ip) >= 1 \
             ORDER BY tenant",
        ];
        let (plain, split) = (context(false), context(true));
        for sql in queries {
            assert_eq!(aggregates(&plain, sql).await, 1, "{sql}");
            assert_eq!(aggregates(&split, sql).await, 2, "{sql}");
            assert_eq!(rows(&split, sql).await, rows(&plain, sql).await, "{sql}");
        }
        // The answer itself, not only agreement: NULL is no client.
        let expected = "\
tenant: Utf8View, requests: Int64, clients: Int64
+------------+----------+---------+
| tenant     | requests | clients |
+------------+----------+---------+
| higashino  | 4        | 3       |
| kitahama   | 4        | 2       |
| minamiyama | 2        | 0       |
+------------+----------+---------+";
        assert_eq!(rows(&split, queries[0]).await, expected);
    }

    #[tokio::test]
    async fn aggregates_it_cannot_split_are_left_alone() {
        let ctx = context(true);
        let queries = [
            // No group: count(*) of no rows is 0, a sum of nothing NULL.
            "SELECT count(*) AS n, count(DISTINCT src_ip) AS c FROM proxy WHERE bytes_out > 1000",
            // Two different distinct arguments.
            "SELECT tenant, count(*), count(DISTINCT src_ip), count(DISTINCT bytes_out) FROM proxy GROUP BY tenant ORDER BY tenant",
            // A filtered aggregate, and a plain one that is not split.
            "SELECT tenant, count(*) FILTER (WHERE bytes_out > 3), count(DISTINCT src_ip) FROM proxy GROUP BY tenant ORDER BY tenant",
            "SELECT tenant, count(*), avg(bytes_out), count(DISTINCT src_ip) FROM proxy GROUP BY tenant ORDER BY tenant",
        ];
        for sql in queries {
            assert_eq!(aggregates(&ctx, sql).await, 1, "{sql}");
            assert_eq!(
                rows(&ctx, sql).await,
                rows(&context(false), sql).await,
                "{sql}"
            );
        }
        assert!(
            rows(&ctx, queries[0])
                .await
                .ends_with("| 0 | 0 |\n+---+---+")
        );
    }
}
