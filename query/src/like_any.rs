//! `x LIKE '%a%' OR x LIKE '%b%' OR …` in one pass over `x`.
//!
//! Shadow-IT and data-exfiltration checks match a host or URL against a
//! list of patterns. DataFusion evaluates each `LIKE` over the whole column
//! and ORs the results; [`FoldLikes`] rewrites a filter's disjunction of
//! two or more such `LIKE`s on the same expression into one [`LikeAny`]
//! call that finds all the patterns' literals in one Aho-Corasick search
//! over the bytes of a batch's values. Only patterns of the form `%lit%`
//! and `%lit` are folded (escaped `%`, `_` inside `lit` are literal
//! characters, as in the `LIKE`): a prefix pattern (`lit%`) stays a
//! `LIKE`, because DataFusion can prune files with it, and patterns with a
//! `_` or inner `%` wildcard, `ILIKE` and `NOT LIKE` are left alone. NULL
//! stays NULL, as for the `LIKE`s it replaces.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, Input, MatchKind};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, BooleanBufferBuilder, GenericStringArray,
    OffsetSizeTrait,
};
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::expr::{Like, ScalarFunction};
use datafusion::logical_expr::utils::{disjunction, split_binary_owned};
use datafusion::logical_expr::{
    BinaryExpr, ColumnarValue, Expr, Filter, LogicalPlan, Operator, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use datafusion::optimizer::{ApplyOrder, OptimizerConfig, OptimizerRule};

use crate::udf::columnar::unary;

const NAME: &str = "like_any";

/// The optimizer rule (see the module docs).
#[derive(Debug, Default)]
pub struct FoldLikes;

impl OptimizerRule for FoldLikes {
    fn name(&self) -> &str {
        "fold_or_like"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn rewrite(
        &self,
        plan: LogicalPlan,
        _config: &dyn OptimizerConfig,
    ) -> Result<Transformed<LogicalPlan>> {
        // Only filters: their output columns do not depend on how the
        // predicate is written (a projection's would be renamed).
        let LogicalPlan::Filter(filter) = plan else {
            return Ok(Transformed::no(plan));
        };
        let predicate = filter.predicate.clone().transform_down(fold)?;
        if !predicate.transformed {
            return Ok(Transformed::no(LogicalPlan::Filter(filter)));
        }
        let folded = Filter::try_new(predicate.data, filter.input)?;
        Ok(Transformed::yes(LogicalPlan::Filter(folded)))
    }
}

/// At an `OR`: the foldable `LIKE`s of each expression, two or more, as
/// one `like_any`; the other terms as they were.
fn fold(expr: Expr) -> Result<Transformed<Expr>> {
    if !matches!(
        &expr,
        Expr::BinaryExpr(BinaryExpr {
            op: Operator::Or,
            ..
        })
    ) {
        return Ok(Transformed::no(expr));
    }
    let terms = split_binary_owned(expr.clone(), Operator::Or);
    // The foldable terms by the expression they match.
    let mut groups: Vec<(Expr, Vec<Foldable>)> = Vec::new();
    let mut others = Vec::new();
    for term in terms {
        match foldable(term) {
            Ok((on, like)) => match groups.iter_mut().find(|(e, _)| *e == on) {
                Some((_, likes)) => likes.push(like),
                None => groups.push((on, vec![like])),
            },
            Err(term) => others.push(term),
        }
    }
    if groups.iter().all(|(_, likes)| likes.len() < 2) {
        return Ok(Transformed::no(expr));
    }
    let mut folded = Vec::new();
    for (on, likes) in groups {
        if likes.len() < 2 {
            folded.extend(likes.into_iter().map(|like| like.term));
            continue;
        }
        let udf = LikeAny::new(likes.into_iter().map(|l| (l.text, l.pattern)).collect())?;
        let mut args = vec![on];
        args.extend(
            udf.texts
                .iter()
                .map(|t| Expr::Literal(ScalarValue::Utf8(Some(t.clone())), None)),
        );
        folded.push(Expr::ScalarFunction(ScalarFunction::new_udf(
            Arc::new(ScalarUDF::new_from_impl(udf)),
            args,
        )));
    }
    folded.extend(others);
    match disjunction(folded) {
        Some(rebuilt) => Ok(Transformed::yes(rebuilt)),
        None => Ok(Transformed::no(expr)),
    }
}

/// What a foldable `LIKE` matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Pattern {
    /// `%lit%`
    Contains(String),
    /// `%lit`
    EndsWith(String),
}

/// A `LIKE` term that can be folded.
struct Foldable {
    term: Expr,
    /// Its pattern as written.
    text: String,
    pattern: Pattern,
}

/// The expression a `LIKE` term matches and the term, or the term back
/// when it cannot be folded.
fn foldable(term: Expr) -> std::result::Result<(Expr, Foldable), Expr> {
    let Expr::Like(Like {
        negated: false,
        expr,
        pattern,
        escape_char,
        case_insensitive: false,
    }) = &term
    else {
        return Err(term);
    };
    let Expr::Literal(
        ScalarValue::Utf8(Some(text))
        | ScalarValue::LargeUtf8(Some(text))
        | ScalarValue::Utf8View(Some(text)),
        _,
    ) = pattern.as_ref()
    else {
        return Err(term);
    };
    // Without ESCAPE, a backslash escapes (as Arrow's LIKE reads it).
    let Some(parsed) = parse(text, escape_char.unwrap_or('\\')) else {
        return Err(term);
    };
    let (on, text) = ((**expr).clone(), text.clone());
    Ok((
        on,
        Foldable {
            term,
            text,
            pattern: parsed,
        },
    ))
}

/// `%lit%` or `%lit` where `lit` has no unescaped wildcard (`escape`
/// before a character makes it literal, as in the `LIKE` it came from).
fn parse(text: &str, escape: char) -> Option<Pattern> {
    let rest = text.strip_prefix('%')?;
    let mut lit = String::with_capacity(rest.len());
    let mut chars = rest.chars();
    let mut trailing = false;
    while let Some(c) = chars.next() {
        match c {
            _ if trailing => return None,
            _ if c == escape => lit.push(chars.next()?),
            '%' => trailing = true,
            '_' => return None,
            _ => lit.push(c),
        }
    }
    match (lit.is_empty(), trailing) {
        (true, _) => None,
        (false, true) => Some(Pattern::Contains(lit)),
        (false, false) => Some(Pattern::EndsWith(lit)),
    }
}

/// `like_any(x, '%a%', '%b', …)`: whether `x` is LIKE any of the patterns
/// (only built by [`FoldLikes`], with the patterns it checked).
#[derive(Debug)]
struct LikeAny {
    /// The patterns as written, for EXPLAIN and equality.
    texts: Vec<String>,
    contains: Option<AhoCorasick>,
    ends_with: Vec<String>,
    signature: Signature,
}

impl LikeAny {
    fn new(patterns: Vec<(String, Pattern)>) -> Result<Self> {
        let mut contains = Vec::new();
        let mut ends_with = Vec::new();
        let mut texts = Vec::new();
        for (text, pattern) in patterns {
            match pattern {
                Pattern::Contains(lit) => contains.push(lit),
                Pattern::EndsWith(lit) => ends_with.push(lit),
            }
            texts.push(text);
        }
        let contains = match contains.is_empty() {
            true => None,
            // Leftmost-first lets the search use its SIMD literal
            // searcher (Teddy); any match will do.
            false => match AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&contains)
            {
                Ok(automaton) => Some(automaton),
                Err(e) => return plan_err!("{NAME}: {e}"),
            },
        };
        Ok(Self {
            texts,
            contains,
            ends_with,
            signature: Signature::user_defined(Volatility::Immutable),
        })
    }

    fn eval(&self, array: &dyn Array) -> Result<ArrayRef> {
        // One contiguous buffer of the values, searched as a whole.
        let text = match array.data_type() {
            DataType::Utf8 => Arc::new(array.as_string::<i32>().clone()) as ArrayRef,
            DataType::LargeUtf8 => Arc::new(array.as_string::<i64>().clone()) as ArrayRef,
            DataType::Utf8View | DataType::Null => match cast(array, &DataType::Utf8) {
                Ok(text) => text,
                Err(_) => cast(array, &DataType::LargeUtf8)?,
            },
            other => return exec_err!("{NAME} expects text, got {other}"),
        };
        let hits = match text.data_type() {
            DataType::LargeUtf8 => self.hits(text.as_string::<i64>()),
            _ => self.hits(text.as_string::<i32>()),
        };
        Ok(Arc::new(BooleanArray::new(hits, text.logical_nulls())))
    }

    /// Which values match: the contained literals are searched once over
    /// all the values' bytes (not once per value, which costs more than
    /// the search itself for short values like host names); a match
    /// found across two values' boundary is searched again inside the
    /// value it starts in.
    fn hits<O: OffsetSizeTrait>(&self, text: &GenericStringArray<O>) -> BooleanBuffer {
        let offsets: Vec<usize> = text.value_offsets().iter().map(|o| o.as_usize()).collect();
        let data = text.value_data();
        let mut hits = BooleanBufferBuilder::new(text.len());
        hits.append_n(text.len(), false);
        for (row, bounds) in offsets.windows(2).enumerate() {
            if let [start, end] = bounds
                && let Some(value) = data.get(*start..*end)
                && self
                    .ends_with
                    .iter()
                    .any(|lit| value.ends_with(lit.as_bytes()))
            {
                hits.set_bit(row, true);
            }
        }
        let Some(automaton) = &self.contains else {
            return hits.finish();
        };
        let Some(&last) = offsets.last() else {
            return hits.finish();
        };
        let (mut row, mut at) = (0usize, offsets.first().copied().unwrap_or(0));
        while at < last {
            let Some(found) = automaton.find(Input::new(data).range(at..last)) else {
                break;
            };
            // The value the match starts in (offsets ascend).
            row += offsets
                .get(row + 1..)
                .map_or(0, |rest| rest.partition_point(|&o| o <= found.start()));
            let Some(&end) = offsets.get(row + 1) else {
                break;
            };
            let inside = found.end() <= end
                || automaton
                    .find(Input::new(data).range(found.start()..end))
                    .is_some();
            if inside {
                hits.set_bit(row, true);
            }
            row += 1;
            at = end;
        }
        hits.finish()
    }
}

impl PartialEq for LikeAny {
    fn eq(&self, other: &Self) -> bool {
        self.texts == other.texts
    }
}

impl Eq for LikeAny {}

impl std::hash::Hash for LikeAny {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.texts.hash(state);
    }
}

impl ScalarUDFImpl for LikeAny {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(args.to_vec())
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        // The patterns after the first argument are for display: the
        // automaton was built from them when the plan was.
        let Some(value) = args.args.first() else {
            return exec_err!("{NAME} takes a value and its patterns");
        };
        unary(value, |array| self.eval(array))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{AsArray, RecordBatch, StringArray, StringViewArray};
    use datafusion::arrow::datatypes::{Field, Int64Type, Schema};
    use datafusion::arrow::util::pretty::pretty_format_batches;
    use datafusion::datasource::MemTable;
    use datafusion::prelude::SessionContext;
    use std::collections::HashMap;

    /// The number of `like_any` calls and `LIKE`s in `expr`, for tests.
    fn count_likes(expr: &Expr) -> HashMap<&'static str, usize> {
        use datafusion::common::tree_node::TreeNodeRecursion;
        let mut counts = HashMap::new();
        let _ = expr.apply(|e| {
            match e {
                Expr::Like(_) => *counts.entry("like").or_insert(0) += 1,
                Expr::ScalarFunction(f) if f.name() == NAME => {
                    *counts.entry(NAME).or_insert(0) += 1
                }
                _ => {}
            }
            Ok(TreeNodeRecursion::Continue)
        });
        counts
    }

    fn context(fold: bool) -> SessionContext {
        let ctx = SessionContext::new();
        if fold {
            ctx.add_optimizer_rule(Arc::new(FoldLikes));
        }
        let hosts = [
            Some("www.dropbox.com"),
            Some("dropbox"),
            Some("mega.nz"),
            Some("mega.nz.example.jp"),
            Some("gigafile.nu"),
            None,
            Some("www.city.kitahama.lg.jp"),
            Some("upload.wetransfer.com"),
            Some("wetransfe"),
            Some(""),
            Some("ドロップボックス.example.jp"),
            Some("a%b.example.jp"),
        ];
        let schema = Arc::new(Schema::new(vec![
            Field::new("url_host", DataType::Utf8View, true),
            Field::new("plain", DataType::Utf8, true),
            Field::new("n", DataType::Int64, false),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(StringViewArray::from(hosts.to_vec())),
                Arc::new(StringArray::from(hosts.to_vec())),
                Arc::new(datafusion::arrow::array::Int64Array::from_iter_values(
                    0..hosts.len() as i64,
                )),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let table = MemTable::try_new(schema, vec![vec![batch]]).unwrap_or_else(|e| panic!("{e}"));
        ctx.register_table("proxy", Arc::new(table))
            .unwrap_or_else(|e| panic!("{e}"));
        ctx
    }

    async fn rows(ctx: &SessionContext, sql: &str) -> String {
        let frame = ctx.sql(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        let batches = frame
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        pretty_format_batches(&batches)
            .unwrap_or_else(|e| panic!("{e}"))
            .to_string()
    }

    async fn optimized(ctx: &SessionContext, sql: &str) -> LogicalPlan {
        let plan = ctx
            .state()
            .create_logical_plan(sql)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        ctx.state()
            .optimize(&plan)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn filter_counts(plan: &LogicalPlan) -> HashMap<&'static str, usize> {
        let mut counts = HashMap::new();
        let _ = plan.apply(|node| {
            if let LogicalPlan::Filter(filter) = node {
                for (k, v) in count_likes(&filter.predicate) {
                    *counts.entry(k).or_insert(0) += v;
                }
            }
            Ok(datafusion::common::tree_node::TreeNodeRecursion::Continue)
        });
        counts
    }

    #[tokio::test]
    async fn folded_patterns_give_the_same_rows_as_the_likes() {
        let queries = [
            "SELECT n, url_host FROM proxy WHERE url_host LIKE '%dropbox%' OR url_host LIKE '%wetransfer%' \
             OR url_host LIKE '%mega.nz' OR url_host LIKE '%gigafile%' ORDER BY n",
            "SELECT n FROM proxy WHERE plain LIKE '%dropbox%' OR plain LIKE '%.nz' ORDER BY n",
            "SELECT n FROM proxy WHERE (url_host LIKE '%dropbox%' OR n = 6 OR url_host LIKE '%lg.jp') \
             AND n > 0 ORDER BY n",
            // An escaped % is a literal one.
            "SELECT n FROM proxy WHERE url_host LIKE '%a\\%b%' OR url_host LIKE '%mega%' ORDER BY n",
            // As the Sigma converter writes them (docs/sigma.md).
            "SELECT n FROM proxy WHERE (lower(url_host) LIKE '%dropbox%' ESCAPE '\\' \
             OR lower(url_host) LIKE '%mega\\_%' ESCAPE '\\' OR lower(url_host) LIKE '%.nu' ESCAPE '\\') ORDER BY n",
            "SELECT n, (url_host LIKE '%mega%' OR url_host LIKE '%giga%') IS NULL AS unknown FROM proxy \
             WHERE url_host LIKE '%mega%' OR url_host LIKE '%giga%' OR url_host IS NULL ORDER BY n",
        ];
        for sql in queries {
            let expected = rows(&context(false), sql).await;
            let folded = context(true);
            assert_eq!(rows(&folded, sql).await, expected, "{sql}");
            let counts = filter_counts(&optimized(&folded, sql).await);
            assert_eq!(counts.get(NAME), Some(&1), "{sql}: {counts:?}");
        }
        // NOT (a OR b) becomes NOT a AND NOT b: nothing to fold, same rows.
        let sql = "SELECT n FROM proxy WHERE NOT (url_host LIKE '%dropbox%' OR url_host LIKE '%ボックス%')";
        assert_eq!(
            rows(&context(true), sql).await,
            rows(&context(false), sql).await
        );
        // The hosts the five patterns match, by row number.
        let sql = "SELECT n FROM proxy WHERE url_host LIKE '%dropbox%' OR url_host LIKE '%wetransfer%' \
                   OR url_host LIKE '%mega.nz' OR url_host LIKE '%gigafile%' ORDER BY n";
        let matched = context(true)
            .sql(sql)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let n: Vec<i64> = matched
            .iter()
            .flat_map(|b| b.column(0).as_primitive::<Int64Type>().values().to_vec())
            .collect();
        assert_eq!(n, [0, 1, 2, 4, 7]);
    }

    #[tokio::test]
    async fn other_likes_are_left_alone() {
        let queries = [
            // One pattern per column.
            "SELECT n FROM proxy WHERE url_host LIKE '%dropbox%' OR plain LIKE '%mega%'",
            // Prefixes prune files; `_` and escapes are not plain literals.
            "SELECT n FROM proxy WHERE url_host LIKE 'www.%' OR url_host LIKE 'upload.%'",
            "SELECT n FROM proxy WHERE url_host LIKE '%drop_ox%' OR url_host LIKE '%mega%'",
            "SELECT n FROM proxy WHERE url_host LIKE '%drop%box%' OR url_host LIKE '%mega%'",
            "SELECT n FROM proxy WHERE url_host ILIKE '%DROPBOX%' OR url_host ILIKE '%MEGA%'",
            "SELECT n FROM proxy WHERE url_host NOT LIKE '%dropbox%' OR url_host NOT LIKE '%mega%'",
            "SELECT n FROM proxy WHERE url_host LIKE '%dropbox%' AND url_host LIKE '%www%'",
        ];
        for sql in queries {
            let folded = context(true);
            let counts = filter_counts(&optimized(&folded, sql).await);
            assert_eq!(counts.get(NAME), None, "{sql}: {counts:?}");
            assert_eq!(
                rows(&folded, sql).await,
                rows(&context(false), sql).await,
                "{sql}"
            );
        }
    }

    fn like_any(patterns: &[&str]) -> LikeAny {
        let patterns = patterns
            .iter()
            .map(|t| {
                (
                    t.to_string(),
                    parse(t, '\\').unwrap_or_else(|| panic!("{t}")),
                )
            })
            .collect();
        LikeAny::new(patterns).unwrap_or_else(|e| panic!("{e}"))
    }

    fn eval(udf: &LikeAny, array: &dyn Array) -> Vec<Option<bool>> {
        let out = udf.eval(array).unwrap_or_else(|e| panic!("{e}"));
        out.as_boolean().iter().collect()
    }

    #[test]
    fn matches_across_values_do_not_count_and_hide_none() {
        let udf = like_any(&["%dropbox%", "%box.com%", "%.nz"]);
        let values = [
            Some("xdrop"),   // "dropbox" runs on into the next value
            Some("box.com"), // …which matches by itself
            None,
            Some(""),
            Some("drop"),
            Some("box"), // "drop|box": no match in either
            Some("mega.nz"),
            Some("a.nz.jp"),
        ];
        let expected = vec![
            Some(false),
            Some(true),
            None,
            Some(false),
            Some(false),
            Some(false),
            Some(true),
            Some(false),
        ];
        let plain = StringArray::from(values.to_vec());
        assert_eq!(eval(&udf, &plain), expected);
        let view = StringViewArray::from(values.to_vec());
        assert_eq!(eval(&udf, &view), expected);
        let large = datafusion::arrow::array::LargeStringArray::from(values.to_vec());
        assert_eq!(eval(&udf, &large), expected);
        // A slice starts at an offset other than 0.
        assert_eq!(eval(&udf, &plain.slice(1, 5)), expected[1..6].to_vec());
        // One long value with the match at its very end.
        let long = format!("{}dropbox", "a".repeat(10_000));
        let one = StringArray::from(vec![long.as_str(), "dropbo"]);
        assert_eq!(eval(&udf, &one), vec![Some(true), Some(false)]);
    }

    proptest::proptest! {
        /// Over a small alphabet, so that matches often cross values.
        #[test]
        fn the_one_pass_search_agrees_with_each_value_searched_alone(
            values in proptest::collection::vec(proptest::option::of("[ab.]{0,6}"), 0..40),
            contains in proptest::collection::vec("[ab.]{1,3}", 0..3),
            suffixes in proptest::collection::vec("[ab.]{1,3}", 0..2),
        ) {
            let mut patterns: Vec<String> = contains.iter().map(|c| format!("%{c}%")).collect();
            patterns.extend(suffixes.iter().map(|c| format!("%{c}")));
            proptest::prop_assume!(!patterns.is_empty());
            let refs: Vec<&str> = patterns.iter().map(String::as_str).collect();
            let udf = like_any(&refs);
            let expected: Vec<Option<bool>> = values
                .iter()
                .map(|v| {
                    v.as_ref().map(|v| {
                        contains.iter().any(|c| v.contains(c.as_str()))
                            || suffixes.iter().any(|c| v.ends_with(c.as_str()))
                    })
                })
                .collect();
            let array = StringArray::from(values.clone());
            proptest::prop_assert_eq!(eval(&udf, &array), expected);
        }
    }

    #[test]
    fn patterns_parse_as_contains_or_suffix_only() {
        let contains = |lit: &str| Some(Pattern::Contains(lit.into()));
        assert_eq!(parse("%dropbox%", '\\'), contains("dropbox"));
        assert_eq!(
            parse("%mega.nz", '\\'),
            Some(Pattern::EndsWith("mega.nz".into()))
        );
        // Escaped wildcards are literal characters.
        assert_eq!(parse(r"%100\%%", '\\'), contains("100%"));
        assert_eq!(parse(r"%a\_b%", '\\'), contains("a_b"));
        assert_eq!(parse(r"%a\\b%", '\\'), contains(r"a\b"));
        assert_eq!(parse("%a!%b%", '!'), contains("a%b"));
        assert_eq!(parse(r"%a\b%", '!'), contains(r"a\b"));
        assert_eq!(parse(r"%a\%", '\\'), Some(Pattern::EndsWith("a%".into())));
        for text in [
            "dropbox%", "dropbox", "%%", "%", "%a_b%", "%a%b%", "%a%%", r"%a\",
        ] {
            assert_eq!(parse(text, '\\'), None, "{text}");
        }
    }
}
