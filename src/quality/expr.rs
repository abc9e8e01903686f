//! The expression language of validation rules: indicator references (`#{PERSONS_CONVICTED}` is
//! the total, `#{PERSONS_CONVICTED|sex=female}` one disaggregated value), numbers, `+ - * /`,
//! unary minus and parentheses. [`parse`] turns text into an [`Expr`] once, at save time, with
//! the 1-based character position of the first error; [`Expr`]'s `Display` prints it back
//! (printing and parsing again gives the same tree); [`Expr::eval`] computes it for one member
//! state and period from a lookup of stored values.

use std::collections::BTreeMap;
use std::fmt;

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    fn symbol(self) -> char {
        match self {
            Self::Add => '+',
            Self::Sub => '-',
            Self::Mul => '*',
            Self::Div => '/',
        }
    }

    /// Binding strength: `*` and `/` bind tighter than `+` and `-`.
    fn precedence(self) -> u8 {
        match self {
            Self::Add | Self::Sub => 1,
            Self::Mul | Self::Div => 2,
        }
    }
}

/// A reference to a stored value: an indicator's total (no pairs) or one disaggregated value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref {
    pub indicator: String,
    /// Dimension -> code; empty for the total.
    pub disaggregation: BTreeMap<String, String>,
}

impl Ref {
    /// The stored (canonical) form of the disaggregation: `age_group=child;sex=female`.
    pub fn canonical_disaggregation(&self) -> String {
        crate::domain::Disaggregation::new(self.disaggregation.clone()).canonical()
    }
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A finite, non-negative number (a minus sign is [`Expr::Neg`]).
    Number(f64),
    Ref(Ref),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

/// Where a reference's names stand in the text (1-based character positions), for the checks
/// against the catalog made after parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct RefSite {
    pub indicator: String,
    pub indicator_at: usize,
    /// (dimension, its position, code, its position).
    pub pairs: Vec<(String, usize, String, usize)>,
}

/// A syntax error: what was expected and where (1-based character position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub position: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at position {}: {}", self.position, self.message)
    }
}

/// Longest expression accepted, in characters.
pub const MAX_LENGTH: usize = 2000;
/// Deepest nesting of parentheses and unary minus accepted (keeps recursion bounded).
const MAX_DEPTH: usize = 64;

/// Parses an expression; also returns where each reference stands, in text order.
pub fn parse(text: &str) -> Result<(Expr, Vec<RefSite>), ParseError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_LENGTH {
        return Err(ParseError {
            position: MAX_LENGTH + 1,
            message: format!("the expression is longer than {MAX_LENGTH} characters"),
        });
    }
    let mut p = Parser {
        chars,
        at: 0,
        sites: Vec::new(),
        depth: 0,
    };
    p.skip_space();
    if p.peek().is_none() {
        return Err(p.error("expected an expression, found nothing"));
    }
    let e = p.sum()?;
    p.skip_space();
    if let Some(c) = p.peek() {
        return Err(p.error(format!("expected an operator or the end, found {c:?}")));
    }
    Ok((e, p.sites))
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    sites: Vec<RefSite>,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn position(&self) -> usize {
        self.at + 1
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            position: self.position(),
            message: message.into(),
        }
    }

    fn found(&self) -> String {
        match self.peek() {
            Some(c) => format!("{c:?}"),
            None => "the end".into(),
        }
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// sum := product (("+" | "-") product)*
    fn sum(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.product()?;
        loop {
            self.skip_space();
            let op = match self.peek() {
                Some('+') => BinOp::Add,
                Some('-') => BinOp::Sub,
                _ => return Ok(left),
            };
            self.at += 1;
            let right = self.product()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    /// product := unary (("*" | "/") unary)*
    fn product(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        loop {
            self.skip_space();
            let op = match self.peek() {
                Some('*') => BinOp::Mul,
                Some('/') => BinOp::Div,
                _ => return Ok(left),
            };
            self.at += 1;
            let right = self.unary()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    /// unary := "-" unary | atom
    fn unary(&mut self) -> Result<Expr, ParseError> {
        self.skip_space();
        if self.eat('-') {
            self.deeper()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Neg(Box::new(inner)));
        }
        self.atom()
    }

    fn deeper(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// atom := number | reference | "(" sum ")"
    fn atom(&mut self) -> Result<Expr, ParseError> {
        self.skip_space();
        match self.peek() {
            Some('(') => {
                let open = self.position();
                self.at += 1;
                self.deeper()?;
                let inner = self.sum()?;
                self.depth -= 1;
                self.skip_space();
                if !self.eat(')') {
                    return Err(self.error(format!(
                        "expected ')' closing the '(' at position {open}, found {}",
                        self.found()
                    )));
                }
                Ok(inner)
            }
            Some('#') => self.reference(),
            Some(c) if c.is_ascii_digit() => self.number(),
            _ => Err(self.error(format!(
                "expected a number, a reference #{{INDICATOR}} or '(', found {}",
                self.found()
            ))),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// number := digits ("." digits)?
    fn number(&mut self) -> Result<Expr, ParseError> {
        let start = self.at;
        self.digits();
        if self.eat('.') && self.digits() == 0 {
            return Err(self.error(format!(
                "expected digits after the decimal point, found {}",
                self.found()
            )));
        }
        let text: String = self.chars[start..self.at].iter().collect();
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Expr::Number(n)),
            _ => Err(ParseError {
                position: start + 1,
                message: format!("{text} is not a finite number"),
            }),
        }
    }

    /// A name of `allowed` characters; its 1-based position.
    fn name(
        &mut self,
        what: &str,
        allowed: fn(char) -> bool,
    ) -> Result<(String, usize), ParseError> {
        self.skip_space();
        let start = self.at;
        while self.peek().is_some_and(allowed) {
            self.at += 1;
        }
        if self.at == start {
            return Err(self.error(format!("expected {what}, found {}", self.found())));
        }
        let name = self.chars[start..self.at].iter().collect();
        let position = start + 1;
        self.skip_space();
        Ok((name, position))
    }

    /// reference := "#{" INDICATOR ("|" dimension "=" code ("," dimension "=" code)*)? "}"
    fn reference(&mut self) -> Result<Expr, ParseError> {
        self.at += 1;
        if !self.eat('{') {
            return Err(self.error(format!("expected '{{' after '#', found {}", self.found())));
        }
        let indicator_name = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_';
        let code_name = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
        let (indicator, indicator_at) =
            self.name("an indicator code (A-Z, 0-9, _)", indicator_name)?;
        let mut disaggregation = BTreeMap::new();
        let mut pairs = Vec::new();
        if self.eat('|') {
            loop {
                let (dim, dim_at) = self.name("a dimension (a-z, 0-9, _)", code_name)?;
                if !self.eat('=') {
                    return Err(self.error(format!(
                        "expected '=' after dimension {dim}, found {}",
                        self.found()
                    )));
                }
                let (code, code_at) = self.name("a code (a-z, 0-9, _)", code_name)?;
                if disaggregation.insert(dim.clone(), code.clone()).is_some() {
                    return Err(ParseError {
                        position: dim_at,
                        message: format!("dimension {dim} is named twice"),
                    });
                }
                pairs.push((dim, dim_at, code, code_at));
                if !self.eat(',') {
                    break;
                }
            }
        }
        if !self.eat('}') {
            return Err(self.error(format!(
                "expected '}}' closing the reference, found {}",
                self.found()
            )));
        }
        self.sites.push(RefSite {
            indicator: indicator.clone(),
            indicator_at,
            pairs,
        });
        Ok(Expr::Ref(Ref {
            indicator,
            disaggregation,
        }))
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{{{}", self.indicator)?;
        for (i, (d, c)) in self.disaggregation.iter().enumerate() {
            write!(f, "{}{d}={c}", if i == 0 { '|' } else { ',' })?;
        }
        write!(f, "}}")
    }
}

/// Prints with the fewest parentheses that parse back to the same tree (operators are
/// left-associative, so a right operand of the same strength keeps its parentheses).
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Number(n) => write!(f, "{n}"),
            Expr::Ref(r) => write!(f, "{r}"),
            Expr::Neg(inner) => match **inner {
                Expr::Binary(..) => write!(f, "-({inner})"),
                _ => write!(f, "-{inner}"),
            },
            Expr::Binary(op, left, right) => {
                let p = op.precedence();
                let wrap = |e: &Expr, strict: bool| match e {
                    Expr::Binary(o, ..) => {
                        if strict {
                            o.precedence() <= p
                        } else {
                            o.precedence() < p
                        }
                    }
                    _ => false,
                };
                if wrap(left, false) {
                    write!(f, "({left})")?;
                } else {
                    write!(f, "{left}")?;
                }
                write!(f, " {} ", op.symbol())?;
                if wrap(right, true) {
                    write!(f, "({right})")
                } else {
                    write!(f, "{right}")
                }
            }
        }
    }
}

/// The result of evaluating one side of a rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// The value, a missing reference counted as 0; `None` when it is not a finite number
    /// (a division by zero).
    pub value: Option<f64>,
    /// How many references the expression has, and how many of them had no stored value.
    pub refs: usize,
    pub missing: usize,
}

impl Expr {
    /// Evaluates with `lookup` giving each reference's stored value (`None`: not reported).
    pub fn eval(&self, lookup: &dyn Fn(&Ref) -> Option<f64>) -> Evaluation {
        let mut refs = 0;
        let mut missing = 0;
        let v = self.value(lookup, &mut refs, &mut missing);
        Evaluation {
            value: v.is_finite().then_some(v),
            refs,
            missing,
        }
    }

    fn value(
        &self,
        lookup: &dyn Fn(&Ref) -> Option<f64>,
        refs: &mut usize,
        missing: &mut usize,
    ) -> f64 {
        match self {
            Expr::Number(n) => *n,
            Expr::Ref(r) => {
                *refs += 1;
                lookup(r).unwrap_or_else(|| {
                    *missing += 1;
                    0.0
                })
            }
            Expr::Neg(e) => -e.value(lookup, refs, missing),
            Expr::Binary(op, l, r) => {
                let (a, b) = (
                    l.value(lookup, refs, missing),
                    r.value(lookup, refs, missing),
                );
                match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                }
            }
        }
    }

    /// Every reference, in text order.
    pub fn refs(&self) -> Vec<&Ref> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a Ref>) {
        match self {
            Expr::Number(_) => {}
            Expr::Ref(r) => out.push(r),
            Expr::Neg(e) => e.collect(out),
            Expr::Binary(_, l, r) => {
                l.collect(out);
                r.collect(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ast(text: &str) -> Expr {
        parse(text).map(|(e, _)| e).unwrap()
    }

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    fn total(code: &str) -> Expr {
        Expr::Ref(Ref {
            indicator: code.into(),
            disaggregation: BTreeMap::new(),
        })
    }

    #[test]
    fn parses_references_numbers_and_precedence() {
        assert_eq!(
            ast("#{PERSONS_CONVICTED} + 2 * #{PERSONS_PROSECUTED}"),
            Expr::Binary(
                BinOp::Add,
                Box::new(total("PERSONS_CONVICTED")),
                Box::new(Expr::Binary(
                    BinOp::Mul,
                    Box::new(Expr::Number(2.0)),
                    Box::new(total("PERSONS_PROSECUTED"))
                ))
            )
        );
        let (e, sites) = parse("#{ VICTIMS_DETECTED | sex = female , age_group=child }").unwrap();
        assert_eq!(
            e.to_string(),
            "#{VICTIMS_DETECTED|age_group=child,sex=female}"
        );
        assert_eq!(sites[0].indicator_at, 4);
        assert_eq!(sites[0].pairs[0].0, "sex");
        assert_eq!(sites[0].pairs[0].1, 23);
        assert_eq!(ast("(1 - 2) - 3").to_string(), "1 - 2 - 3");
        assert_eq!(ast("1 - (2 - 3)").to_string(), "1 - (2 - 3)");
        assert_eq!(ast("-(1 + 2) * 0.5").to_string(), "-(1 + 2) * 0.5");
    }

    #[test]
    fn errors_name_the_position() {
        assert_eq!(err("#{A} + ").position, 8);
        assert_eq!(err("#{A} +* 2").position, 7);
        assert_eq!(err("(1 + 2").position, 7);
        assert!(err("(1 + 2").message.contains("position 1"));
        assert_eq!(err("#{a}").position, 3);
        assert_eq!(err("#{A|sex}").position, 8);
        assert_eq!(err("#{A|sex=female,sex=male}").position, 16);
        assert_eq!(err("1 2").position, 3);
        assert_eq!(err("1.").position, 3);
        assert_eq!(err("").position, 1);
        assert_eq!(err("#A").position, 2);
        assert!(parse(&"(".repeat(100)).is_err());
        assert!(parse(&"1+".repeat(1500)).is_err());
    }

    #[test]
    fn evaluates_with_missing_values_as_zero() {
        let (e, _) = parse("#{A} - #{B|sex=female} / 2").unwrap();
        let lookup = |r: &Ref| match (r.indicator.as_str(), r.disaggregation.is_empty()) {
            ("A", true) => Some(10.0),
            ("B", false) => Some(4.0),
            _ => None,
        };
        assert_eq!(
            e.eval(&lookup),
            Evaluation {
                value: Some(8.0),
                refs: 2,
                missing: 0
            }
        );
        let none = |_: &Ref| None;
        assert_eq!(
            e.eval(&none),
            Evaluation {
                value: Some(0.0),
                refs: 2,
                missing: 2
            }
        );
        assert_eq!(ast("1 / 0").eval(&none).value, None);
        assert_eq!(ast("-#{A} * -2").eval(&lookup).value, Some(20.0));
        assert_eq!(e.refs().len(), 2);
    }

    fn name(upper: bool) -> impl Strategy<Value = String> {
        if upper {
            "[A-Z][A-Z0-9_]{0,12}".boxed()
        } else {
            "[a-z][a-z0-9_]{0,8}".boxed()
        }
    }

    fn arb_expr() -> impl Strategy<Value = Expr> {
        let number = prop_oneof![
            (0u32..100_000).prop_map(|n| Expr::Number(f64::from(n))),
            (0u64..u64::MAX, 1u32..1_000_000)
                .prop_map(|(a, b)| Expr::Number(a as f64 / f64::from(b))),
        ];
        let reference = (
            name(true),
            proptest::collection::btree_map(name(false), name(false), 0..3),
        )
            .prop_map(|(indicator, disaggregation)| {
                Expr::Ref(Ref {
                    indicator,
                    disaggregation,
                })
            });
        let leaf = prop_oneof![number, reference];
        leaf.prop_recursive(6, 48, 2, |inner| {
            let op = prop_oneof![
                Just(BinOp::Add),
                Just(BinOp::Sub),
                Just(BinOp::Mul),
                Just(BinOp::Div)
            ];
            prop_oneof![
                inner.clone().prop_map(|e| Expr::Neg(Box::new(e))),
                (op, inner.clone(), inner).prop_map(|(o, l, r)| Expr::Binary(
                    o,
                    Box::new(l),
                    Box::new(r)
                )),
            ]
        })
    }

    proptest! {
        #[test]
        fn printing_then_parsing_is_the_identity(e in arb_expr()) {
            let printed = e.to_string();
            let (back, sites) = parse(&printed).map_err(|err| TestCaseError::fail(format!("{printed}: {err}")))?;
            prop_assert_eq!(&back, &e);
            prop_assert_eq!(sites.len(), e.refs().len());
            prop_assert_eq!(back.to_string(), printed);
        }

        #[test]
        fn parsing_never_panics(text in "[#{}A-Z_a-z=|,0-9.+*/() -]{0,40}") {
            let _ = parse(&text);
        }
    }
}
