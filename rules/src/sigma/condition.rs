//! The `condition:` expression: `and`, `or`, `not`, parentheses,
//! `1 of sel*`, `all of sel*`, `1 of them`, `all of them`. Aggregations
//! (`| count() …`) and `near` are refused by name.

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::take_while1,
    character::complete::{char, multispace0},
    combinator::{all_consuming, map, verify},
    multi::many0,
    sequence::{delimited, preceded, terminated},
};

use super::error::SigmaError;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Search(String),
    Not(Box<Condition>),
    And(Vec<Condition>),
    Or(Vec<Condition>),
    /// `1 of …` (also `any of …`).
    OneOf(Target),
    /// `all of …`.
    AllOf(Target),
}

/// What `1 of` / `all of` ranges over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `them`: every search whose name does not start with `_`.
    Them,
    /// A name with `*` wildcards.
    Pattern(String),
}

impl Target {
    /// The names among `names` this target covers.
    pub fn select<'a>(&self, names: &[&'a str]) -> Vec<&'a str> {
        names
            .iter()
            .copied()
            .filter(|name| match self {
                Target::Them => !name.starts_with('_'),
                Target::Pattern(pattern) => glob(pattern, name),
            })
            .collect()
    }
}

/// Parses a condition.
pub fn parse(text: &str) -> Result<Condition, SigmaError> {
    let refuse = |why: &str| SigmaError::Condition {
        condition: text.to_owned(),
        why: why.to_owned(),
    };
    if let Some((_, aggregation)) = text.split_once('|') {
        return Err(SigmaError::Unsupported(format!(
            "aggregation `| {}`",
            aggregation.trim()
        )));
    }
    if text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .any(|w| w.eq_ignore_ascii_case("near"))
    {
        return Err(SigmaError::Unsupported("`near` conditions".into()));
    }
    match all_consuming(terminated(or_expr, multispace0)).parse(text) {
        Ok((_, condition)) => Ok(condition),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            let rest = e.input.trim();
            if rest.is_empty() {
                Err(refuse("unexpected end"))
            } else {
                Err(refuse(&format!("cannot read `{rest}`")))
            }
        }
        Err(nom::Err::Incomplete(_)) => Err(refuse("unexpected end")),
    }
}

const KEYWORDS: [&str; 4] = ["and", "or", "not", "of"];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '*' | '.')
}

fn word(input: &str) -> IResult<&str, &str> {
    preceded(multispace0, take_while1(is_word_char)).parse(input)
}

fn keyword(kw: &'static str) -> impl Fn(&str) -> IResult<&str, &str> {
    move |input| verify(word, |w: &str| w.eq_ignore_ascii_case(kw)).parse(input)
}

fn or_expr(input: &str) -> IResult<&str, Condition> {
    map(
        (and_expr, many0(preceded(keyword("or"), and_expr))),
        |(first, rest)| flatten(first, rest, Condition::Or),
    )
    .parse(input)
}

fn and_expr(input: &str) -> IResult<&str, Condition> {
    map(
        (not_expr, many0(preceded(keyword("and"), not_expr))),
        |(first, rest)| flatten(first, rest, Condition::And),
    )
    .parse(input)
}

fn flatten(
    first: Condition,
    rest: Vec<Condition>,
    join: fn(Vec<Condition>) -> Condition,
) -> Condition {
    if rest.is_empty() {
        first
    } else {
        let mut all = vec![first];
        all.extend(rest);
        join(all)
    }
}

fn not_expr(input: &str) -> IResult<&str, Condition> {
    alt((
        map(preceded(keyword("not"), not_expr), |c| {
            Condition::Not(Box::new(c))
        }),
        primary,
    ))
    .parse(input)
}

fn primary(input: &str) -> IResult<&str, Condition> {
    alt((
        delimited(
            preceded(multispace0, char('(')),
            or_expr,
            preceded(multispace0, char(')')),
        ),
        quantified,
        map(
            verify(word, |w: &str| {
                !w.contains('*') && !KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k))
            }),
            |w: &str| Condition::Search(w.to_owned()),
        ),
    ))
    .parse(input)
}

fn quantified(input: &str) -> IResult<&str, Condition> {
    let quantifier = verify(word, |w: &str| {
        ["1", "any", "all"]
            .iter()
            .any(|q| w.eq_ignore_ascii_case(q))
    });
    let target = verify(word, |w: &str| {
        !KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k))
    });
    map(
        (quantifier, keyword("of"), target),
        |(q, _, target): (&str, &str, &str)| {
            let target = if target.eq_ignore_ascii_case("them") {
                Target::Them
            } else {
                Target::Pattern(target.to_owned())
            };
            if q.eq_ignore_ascii_case("all") {
                Condition::AllOf(target)
            } else {
                Condition::OneOf(target)
            }
        },
    )
    .parse(input)
}

/// `*` matches any run of characters; everything else itself.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|i| rest.is_char_boundary(*i))
                .any(|i| rest.get(i..).is_some_and(|r| glob(tail, r)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str) -> Condition {
        Condition::Search(name.into())
    }

    #[test]
    fn binds_not_over_and_over_or() {
        assert_eq!(
            parse("a or b and not c").unwrap(),
            Condition::Or(vec![
                s("a"),
                Condition::And(vec![s("b"), Condition::Not(Box::new(s("c")))])
            ])
        );
        assert_eq!(
            parse(" (a or b) AND not (c) ").unwrap(),
            Condition::And(vec![
                Condition::Or(vec![s("a"), s("b")]),
                Condition::Not(Box::new(s("c")))
            ])
        );
        assert_eq!(
            parse("android and order").unwrap(),
            Condition::And(vec![s("android"), s("order")])
        );
    }

    #[test]
    fn reads_quantifiers() {
        assert_eq!(
            parse("1 of selection_* and not all of filter*").unwrap(),
            Condition::And(vec![
                Condition::OneOf(Target::Pattern("selection_*".into())),
                Condition::Not(Box::new(Condition::AllOf(Target::Pattern(
                    "filter*".into()
                ))))
            ])
        );
        assert_eq!(
            parse("all of them").unwrap(),
            Condition::AllOf(Target::Them)
        );
        assert_eq!(
            parse("any of them").unwrap(),
            Condition::OneOf(Target::Them)
        );
    }

    #[test]
    fn refuses_aggregations_near_and_garbage() {
        let err = parse("selection | count(dst_port) by src_ip > 10").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported: aggregation `| count(dst_port) by src_ip > 10`"
        );
        assert!(matches!(parse("a near b"), Err(SigmaError::Unsupported(_))));
        for bad in ["a and", "(a or b", "a b", "sel*", "", "not"] {
            assert!(
                matches!(parse(bad), Err(SigmaError::Condition { .. })),
                "{bad:?} must be refused"
            );
        }
    }

    #[test]
    fn globs_select_names() {
        let names = ["selection_1", "selection_2", "filter", "_hidden"];
        assert_eq!(
            Target::Pattern("selection_*".into()).select(&names),
            ["selection_1", "selection_2"]
        );
        assert_eq!(Target::Them.select(&names).len(), 3);
        assert!(glob("*_x*", "a_xb"));
        assert!(!glob("a*c", "abd"));
    }
}
