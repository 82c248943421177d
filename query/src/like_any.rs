//! `x LIKE '%a%' OR x LIKE '%b%' OR …` in one pass over `x`.
//!
//! Shadow-IT and data-exfiltration checks match a host or URL against a
//! list of patterns. DataFusion evaluates each `LIKE` over the whole column
//! and ORs the results; [`FoldLikes`] rewrites a filter's disjunction of
//! two or more such `LIKE`s on the same expression into one [`LikeAny`]
//! call that finds all the patterns' literals in one Aho-Corasick search
//! over the bytes of a batch's values (for a view array, over its data
//! buffers, each searched once however many rows point into it). Only patterns of the form `%lit%`
//! and `%lit` are folded (escaped `%`, `_` inside `lit` are literal
//! characters, as in the `LIKE`): a prefix pattern (`lit%`) stays a
//! `LIKE`, because DataFusion can prune files with it, and patterns with a
//! `_` or inner `%` wildcard, `ILIKE` and `NOT LIKE` are left alone. NULL
//! stays NULL, as for the `LIKE`s it replaces.

use std::sync::{Arc, Mutex};

use aho_corasick::{AhoCorasick, Input, MatchKind};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, BooleanBufferBuilder, ByteView, GenericStringArray,
    MAX_INLINE_VIEW_LEN, OffsetSizeTrait, StringViewArray,
};
use datafusion::arrow::buffer::{BooleanBuffer, Buffer};
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
    /// The `ends_with` literals, all occurrences found in one search.
    suffixes: Option<AhoCorasick>,
    /// The matches in the data buffers searched last (see `view_hits`).
    searched: Searched,
    signature: Signature,
}

/// Data buffers searched lately, with their matches.
#[derive(Default)]
struct Searched(Mutex<Vec<(Buffer, Arc<BufferMatches>)>>);

impl std::fmt::Debug for Searched {
    /// Not the buffers' bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Searched")
    }
}

/// How many searched data buffers are remembered: a scan's partitions
/// each read their own column chunk's dictionary.
const SEARCHED_BUFFERS: usize = 8;

/// The patterns' matches in one data buffer of a view array.
#[derive(Debug, Default)]
struct BufferMatches {
    /// Contained literals: leftmost-first, non-overlapping, in order.
    contains: Vec<(usize, usize)>,
    /// Where an occurrence of a suffix literal ends, ascending.
    suffix_ends: Vec<usize>,
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
            suffixes: match ends_with.is_empty() {
                true => None,
                false => match AhoCorasick::new(&ends_with) {
                    Ok(automaton) => Some(automaton),
                    Err(e) => return plan_err!("{NAME}: {e}"),
                },
            },
            ends_with,
            searched: Searched::default(),
            signature: Signature::user_defined(Volatility::Immutable),
        })
    }

    fn eval(&self, array: &dyn Array) -> Result<ArrayRef> {
        if let Some(views) = array.as_string_view_opt() {
            let hits = self.view_hits(views);
            return Ok(Arc::new(BooleanArray::new(hits, views.logical_nulls())));
        }
        // One contiguous buffer of the values, searched as a whole.
        let text = match array.data_type() {
            DataType::Utf8 => Arc::new(array.as_string::<i32>().clone()) as ArrayRef,
            DataType::LargeUtf8 => Arc::new(array.as_string::<i64>().clone()) as ArrayRef,
            DataType::Null => match cast(array, &DataType::Utf8) {
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
                && self.ends_with_any(value)
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

    /// Which values of a view array match. Each data buffer is searched
    /// once and each value looks up the matches inside its range, so
    /// values are neither copied nor searched one by one. The rows of a
    /// dictionary-encoded page all point into their column chunk's
    /// dictionary, which is searched once for all its batches (the last
    /// few buffers' matches are kept). A value a match only partly
    /// covers, and one kept inside its view (≤ 12 bytes), is searched on
    /// its own.
    fn view_hits(&self, array: &StringViewArray) -> BooleanBuffer {
        let buffers = array.data_buffers();
        let matches: Vec<Arc<BufferMatches>> =
            buffers.iter().map(|b| self.buffer_matches(b)).collect();
        let mut hits = BooleanBufferBuilder::new(array.len());
        for (row, raw) in array.views().iter().enumerate() {
            let len = *raw as u32 as usize;
            let hit = if len <= MAX_INLINE_VIEW_LEN as usize {
                self.value_hit(array.value(row).as_bytes())
            } else {
                let view = ByteView::from(*raw);
                let (index, start) = (view.buffer_index as usize, view.offset as usize);
                let end = start.saturating_add(len);
                match (
                    buffers
                        .get(index)
                        .and_then(|b| b.as_slice().get(start..end)),
                    matches.get(index),
                ) {
                    (Some(value), Some(found)) => self.range_hit(found, value, start, end),
                    _ => false,
                }
            };
            hits.append(hit);
        }
        hits.finish()
    }

    /// Whether `value`, at `start..end` of a buffer with matches `found`,
    /// matches any of the patterns.
    fn range_hit(&self, found: &BufferMatches, value: &[u8], start: usize, end: usize) -> bool {
        // A suffix literal's occurrence ending where the value does may
        // begin before the value: check the value itself then.
        if found.suffix_ends.binary_search(&end).is_ok() && self.ends_with_any(value) {
            return true;
        }
        // Leftmost-first, non-overlapping, in order: if a literal occurs
        // inside the value, the first match ending after the value's start
        // begins inside it (at the latest where that literal does).
        let first = found
            .contains
            .get(found.contains.partition_point(|&(_, e)| e <= start))
            .filter(|&&(s, _)| s < end);
        match first {
            Some(&(s, e)) if s >= start && e <= end => true,
            Some(_) => self.contains_hit(value),
            None => false,
        }
    }

    /// The patterns' matches in `buffer`, searched now or remembered.
    fn buffer_matches(&self, buffer: &Buffer) -> Arc<BufferMatches> {
        let same = |b: &Buffer| b.as_ptr() == buffer.as_ptr() && b.len() == buffer.len();
        if let Ok(searched) = self.searched.0.lock()
            && let Some((_, found)) = searched.iter().find(|(b, _)| same(b))
        {
            return Arc::clone(found);
        }
        let bytes = buffer.as_slice();
        let found = Arc::new(BufferMatches {
            contains: self.contains.as_ref().map_or_else(Vec::new, |automaton| {
                automaton
                    .find_iter(bytes)
                    .map(|m| (m.start(), m.end()))
                    .collect()
            }),
            suffix_ends: self.suffixes.as_ref().map_or_else(Vec::new, |automaton| {
                let mut ends: Vec<usize> = automaton
                    .find_overlapping_iter(bytes)
                    .map(|m| m.end())
                    .collect();
                ends.sort_unstable();
                ends.dedup();
                ends
            }),
        });
        if let Ok(mut searched) = self.searched.0.lock() {
            if searched.len() >= SEARCHED_BUFFERS {
                searched.remove(0);
            }
            // The buffer is kept alive with its matches, so its address
            // cannot be reused by another buffer meanwhile.
            searched.push((buffer.clone(), Arc::clone(&found)));
        }
        found
    }

    /// Whether one value matches any of the patterns.
    fn value_hit(&self, value: &[u8]) -> bool {
        self.ends_with_any(value) || self.contains_hit(value)
    }

    fn ends_with_any(&self, value: &[u8]) -> bool {
        self.ends_with
            .iter()
            .any(|lit| value.ends_with(lit.as_bytes()))
    }

    fn contains_hit(&self, value: &[u8]) -> bool {
        self.contains
            .as_ref()
            .is_some_and(|automaton| automaton.is_match(value))
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

    /// `like_any` of `%c%` for each of `contains` and `%s` for each of
    /// `suffixes`.
    fn generated(contains: &[String], suffixes: &[String]) -> LikeAny {
        let patterns: Vec<String> = contains
            .iter()
            .map(|c| format!("%{c}%"))
            .chain(suffixes.iter().map(|s| format!("%{s}")))
            .collect();
        like_any(&patterns.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// What `generated(contains, suffixes)` answers for `value`.
    fn reference(value: &str, contains: &[String], suffixes: &[String]) -> bool {
        contains.iter().any(|c| value.contains(c.as_str()))
            || suffixes.iter().any(|s| value.ends_with(s.as_str()))
    }

    proptest::proptest! {
        /// Over a small alphabet, so that matches often cross values.
        #[test]
        fn the_one_pass_search_agrees_with_each_value_searched_alone(
            values in proptest::collection::vec(proptest::option::of("[ab.]{0,6}"), 0..40),
            contains in proptest::collection::vec("[ab.]{1,3}", 0..3),
            suffixes in proptest::collection::vec("[ab.]{1,3}", 0..2),
        ) {
            proptest::prop_assume!(!contains.is_empty() || !suffixes.is_empty());
            let udf = generated(&contains, &suffixes);
            let expected: Vec<Option<bool>> = values
                .iter()
                .map(|v| v.as_ref().map(|v| reference(v, &contains, &suffixes)))
                .collect();
            let array = StringArray::from(values.clone());
            proptest::prop_assert_eq!(eval(&udf, &array), expected);
        }
    }

    #[test]
    fn a_suffix_longer_than_a_view_does_not_match_it() {
        // "…storage.example.nz" ends where the view does, but starts
        // before it in the shared buffer.
        let udf = like_any(&["%firestorage.example.nz", "%dropbox%"]);
        let text = "www.firestorage.example.nz";
        let mut builder = datafusion::arrow::array::StringViewBuilder::new();
        let block = builder.append_block(text.as_bytes().into());
        for start in [0, 4, 8] {
            builder
                .try_append_view(block, start, (text.len() - start as usize) as u32)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let expected = vec![Some(true), Some(true), Some(false)];
        assert_eq!(eval(&udf, &builder.finish()), expected);
    }

    proptest::proptest! {
        /// Views into one shared buffer at any ranges, overlapping and
        /// nested, long and inline, as a dictionary page's rows are.
        #[test]
        fn the_buffer_search_of_views_agrees_with_each_value_searched_alone(
            text in "[ab.]{0,120}",
            ranges in proptest::collection::vec((0usize..120, 0usize..40, 0u8..8), 0..40),
            contains in proptest::collection::vec("[ab.]{1,4}", 0..3),
            suffixes in proptest::collection::vec("[ab.]{1,3}", 0..2),
        ) {
            proptest::prop_assume!(!contains.is_empty() || !suffixes.is_empty());
            let udf = generated(&contains, &suffixes);
            let mut builder = datafusion::arrow::array::StringViewBuilder::new();
            let block = builder.append_block(text.as_bytes().into());
            let mut expected = Vec::new();
            for (start, len, null) in ranges {
                let start = start.min(text.len());
                let end = (start + len).min(text.len());
                if null == 0 {
                    builder.append_null();
                    expected.push(None);
                    continue;
                }
                builder
                    .try_append_view(block, start as u32, (end - start) as u32)
                    .unwrap_or_else(|e| panic!("{e}"));
                expected.push(Some(reference(&text[start..end], &contains, &suffixes)));
            }
            let array = builder.finish();
            proptest::prop_assert_eq!(eval(&udf, &array), expected.clone());
            // Again, and a slice: the same buffer's matches, remembered.
            proptest::prop_assert_eq!(eval(&udf, &array), expected.clone());
            let half = array.len() / 2;
            proptest::prop_assert_eq!(
                eval(&udf, &array.slice(half, array.len() - half)),
                expected[half..].to_vec()
            );
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
