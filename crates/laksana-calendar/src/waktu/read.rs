//! Reading waktu text: splitting it into numbers, unit words and range separators, then adding
//! the terms of each side. What is accepted and refused is listed in the parent module.

use super::{Amounts, Span, WaktuError};

// ---- reading ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Menit,
    Jam,
    Hari,
    Minggu,
    Bulan,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Menit => "menit",
            Unit::Jam => "jam",
            Unit::Hari => "hari",
            Unit::Minggu => "minggu",
            Unit::Bulan => "bulan",
        }
    }

    /// The unit words and abbreviations seen in agencies' SOPs.
    fn from_word(word: &str) -> Option<Unit> {
        Some(match word {
            "menit" | "mnt" | "mnit" | "min" => Unit::Menit,
            "jam" | "j" | "jm" => Unit::Jam,
            "hari" | "hr" | "hri" | "hk" => Unit::Hari,
            "minggu" | "mgg" | "mg" | "pekan" => Unit::Minggu,
            "bulan" | "bln" | "bl" => Unit::Bulan,
            _ => return None,
        })
    }
}

/// A non-negative number as written: `numer / denom`, where denom is 1, 2 or a power of ten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Number {
    numer: u64,
    denom: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Number {
        value: Number,
        text: String,
    },
    /// A unit word, possibly with its number folded in ("sehari").
    Word(String),
    /// A range separator: "-", "–", "s.d.", "sampai", ...
    To,
}

pub(super) struct Side {
    pub(super) amounts: Amounts,
    pub(super) span: Span,
}

pub(super) struct Parsed {
    pub(super) lower: Side,
    pub(super) upper: Side,
}

pub(super) fn parse_text(s: &str) -> Result<Parsed, WaktuError> {
    let text = s.trim();
    if text.is_empty() {
        return Err(WaktuError::Empty);
    }
    let tokens = tokenize(text)?;
    let unreadable = |part: &str| WaktuError::Unreadable {
        text: text.to_string(),
        part: part.to_string(),
    };

    let separators: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| **t == Token::To)
        .map(|(i, _)| i)
        .collect();
    let (left, right) = match separators.as_slice() {
        [] => (&tokens[..], None),
        [0] => {
            return Err(match tokens.get(1) {
                Some(Token::Number { .. }) => WaktuError::Negative {
                    text: text.to_string(),
                },
                _ => unreadable("-"),
            })
        }
        [i] if *i + 1 == tokens.len() => return Err(unreadable("-")),
        [i] => (&tokens[..*i], Some(&tokens[*i + 1..])),
        _ => return Err(unreadable("-")),
    };

    let (lower, upper) = match right {
        None => {
            let terms = read_terms(text, left, None)?;
            let amounts = sum_terms(text, &terms)?;
            (amounts, amounts)
        }
        Some(right) => {
            let upper_terms = read_terms(text, right, None)?;
            // "5-10 menit": a bare number on the left takes the unit of the right.
            let lower_terms = read_terms(text, left, upper_terms.first().map(|t| t.1))?;
            (
                sum_terms(text, &lower_terms)?,
                sum_terms(text, &upper_terms)?,
            )
        }
    };
    let lower = Side {
        span: lower.to_span(text)?,
        amounts: lower,
    };
    let upper = Side {
        span: upper.to_span(text)?,
        amounts: upper,
    };
    if lower.span.is_zero() || upper.span.is_zero() {
        return Err(WaktuError::Zero {
            text: text.to_string(),
        });
    }
    let key = |s: &Span| (s.standard_minutes(), s.months, s.days, s.minutes);
    if key(&lower.span) > key(&upper.span) {
        return Err(WaktuError::ReversedRange {
            text: text.to_string(),
        });
    }
    Ok(Parsed { lower, upper })
}

/// Splits into numbers, words and range separators; letters and digits written together
/// ("30mnt") are split too.
fn tokenize(text: &str) -> Result<Vec<Token>, WaktuError> {
    let lower = text.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            // One decimal mark, comma (Indonesian) or point, when a digit follows it.
            if i + 1 < chars.len() && matches!(chars[i], ',' | '.') && chars[i + 1].is_ascii_digit()
            {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let written: String = chars[start..i].iter().collect();
            let value = read_number(&written).ok_or_else(|| WaktuError::TooLarge {
                text: text.to_string(),
            })?;
            tokens.push(Token::Number {
                value,
                text: written.replace('.', ","),
            });
        } else if matches!(c, '-' | '–' | '—' | '−' | '‐' | '‑' | '~') {
            tokens.push(Token::To);
            i += 1;
        } else if c.is_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i].is_alphabetic() || matches!(chars[i], '.' | '/')) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            push_word(&mut tokens, word.trim_end_matches('.'));
        } else {
            return Err(WaktuError::Unreadable {
                text: text.to_string(),
                part: c.to_string(),
            });
        }
    }
    Ok(tokens)
}

fn push_word(tokens: &mut Vec<Token>, word: &str) {
    let number = |n: u64, written: &str| Token::Number {
        value: Number { numer: n, denom: 1 },
        text: written.to_string(),
    };
    let small = [
        "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh",
    ];
    match word {
        "s.d" | "s/d" | "sd" | "sampai" | "hingga" => tokens.push(Token::To),
        // "sampai dengan": the separator is already there.
        "dengan" if tokens.last() == Some(&Token::To) => {}
        "setengah" => tokens.push(Token::Number {
            value: Number { numer: 1, denom: 2 },
            text: "0,5".to_string(),
        }),
        "sehari" | "seminggu" | "sebulan" | "sejam" => {
            tokens.push(number(1, "1"));
            tokens.push(Token::Word(word["se".len()..].to_string()));
        }
        _ => match small.iter().position(|w| *w == word) {
            Some(i) => tokens.push(number(i as u64 + 1, &(i + 1).to_string())),
            None => tokens.push(Token::Word(word.to_string())),
        },
    }
}

fn read_number(written: &str) -> Option<Number> {
    match written.split_once([',', '.']) {
        None => Some(Number {
            numer: written.parse().ok()?,
            denom: 1,
        }),
        Some((whole, frac)) => {
            let denom = 10u64.checked_pow(u32::try_from(frac.len()).ok()?)?;
            let whole: u64 = whole.parse().ok()?;
            let frac: u64 = frac.parse().ok()?;
            Some(Number {
                numer: whole.checked_mul(denom)?.checked_add(frac)?,
                denom,
            })
        }
    }
}

/// Reads "N unit [kerja] N unit ...". `borrowed` is the unit a bare number takes (left side
/// of a range).
fn read_terms(
    text: &str,
    tokens: &[Token],
    borrowed: Option<Unit>,
) -> Result<Vec<(Number, Unit, String)>, WaktuError> {
    let mut terms = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (value, written) = match &tokens[i] {
            Token::Number { value, text } => (*value, text.clone()),
            Token::Word(word) => {
                return Err(WaktuError::Unreadable {
                    text: text.to_string(),
                    part: word.clone(),
                })
            }
            Token::To => {
                return Err(WaktuError::Unreadable {
                    text: text.to_string(),
                    part: "-".to_string(),
                })
            }
        };
        let unit = match tokens.get(i + 1) {
            Some(Token::Word(word)) => {
                Unit::from_word(word).ok_or_else(|| WaktuError::UnknownUnit {
                    text: text.to_string(),
                    unit: word.clone(),
                })?
            }
            None if tokens.len() == 1 && borrowed.is_some() => {
                terms.push((value, borrowed.unwrap_or(Unit::Menit), written));
                break;
            }
            _ => {
                return Err(WaktuError::MissingUnit {
                    text: text.to_string(),
                    number: written,
                })
            }
        };
        i += 2;
        // "hari kerja", "jam kerja": every unit here counts working time already.
        if matches!(tokens.get(i), Some(Token::Word(w)) if w == "kerja" || w == "krj") {
            i += 1;
        }
        terms.push((value, unit, written));
    }
    Ok(terms)
}

fn sum_terms(text: &str, terms: &[(Number, Unit, String)]) -> Result<Amounts, WaktuError> {
    let mut amounts = Amounts::default();
    let mut seen: Vec<Unit> = Vec::new();
    let add = |a: u64, b: u64| {
        a.checked_add(b).ok_or_else(|| WaktuError::TooLarge {
            text: text.to_string(),
        })
    };
    for (value, unit, written) in terms {
        if seen.contains(unit) {
            return Err(WaktuError::RepeatedUnit {
                text: text.to_string(),
                unit: unit.name().to_string(),
            });
        }
        seen.push(*unit);
        let fraction = || WaktuError::Fraction {
            text: text.to_string(),
            number: written.clone(),
            unit: unit.name().to_string(),
        };
        let whole = |n: Number| n.numer.is_multiple_of(n.denom).then_some(n.numer / n.denom);
        match unit {
            Unit::Jam => {
                let minutes = value
                    .numer
                    .checked_mul(60)
                    .ok_or_else(|| WaktuError::TooLarge {
                        text: text.to_string(),
                    })?;
                let minutes = whole(Number {
                    numer: minutes,
                    denom: value.denom,
                })
                .ok_or_else(fraction)?;
                amounts.minutes = add(amounts.minutes, minutes)?;
            }
            Unit::Menit => {
                amounts.minutes = add(amounts.minutes, whole(*value).ok_or_else(fraction)?)?
            }
            Unit::Hari => amounts.days = whole(*value).ok_or_else(fraction)?,
            Unit::Minggu => amounts.weeks = whole(*value).ok_or_else(fraction)?,
            Unit::Bulan => amounts.months = whole(*value).ok_or_else(fraction)?,
        }
    }
    Ok(amounts)
}
