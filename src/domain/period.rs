//! A reporting period in the form its indicator's periodicity requires: `2019`, `2019-Q1`, `2019-03`.

use std::fmt;

crate::text_enum! {
    /// How often values are reported (the period form: `2019`, `2019-Q1`, `2019-03`).
    pub enum Periodicity {
        Annual => "annual",
        Quarterly => "quarterly",
        Monthly => "monthly",
    }
}

impl Periodicity {
    fn example(self) -> &'static str {
        match self {
            Self::Annual => "2019",
            Self::Quarterly => "2019-Q1",
            Self::Monthly => "2019-03",
        }
    }
}

/// A valid period (years 1990 to 2100).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period(String);

impl Period {
    pub fn parse(raw: &str, periodicity: Periodicity) -> Result<Self, String> {
        let fail = || {
            format!(
                "must be a {} period such as {}",
                periodicity.as_str(),
                periodicity.example()
            )
        };
        let year = |s: &str| {
            s.len() == 4
                && s.bytes().all(|b| b.is_ascii_digit())
                && (1990..=2100).contains(&s.parse::<u32>().unwrap_or(0))
        };
        let ok = match periodicity {
            Periodicity::Annual => year(raw),
            Periodicity::Quarterly => raw
                .split_once("-Q")
                .is_some_and(|(y, q)| year(y) && matches!(q, "1" | "2" | "3" | "4")),
            Periodicity::Monthly => raw.split_once('-').is_some_and(|(y, m)| {
                year(y)
                    && m.len() == 2
                    && m.bytes().all(|b| b.is_ascii_digit())
                    && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
            }),
        };
        if ok {
            Ok(Self(raw.to_string()))
        } else {
            Err(fail())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The calendar year of the period.
    pub fn year(&self) -> i32 {
        self.0.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_periodicity_has_its_form() {
        assert!(Period::parse("2019", Periodicity::Annual).is_ok());
        assert!(Period::parse("2019-Q4", Periodicity::Quarterly).is_ok());
        assert!(Period::parse("2019-12", Periodicity::Monthly).is_ok());
        for (bad, p) in [
            ("2019-Q1", Periodicity::Annual),
            ("19", Periodicity::Annual),
            ("1989", Periodicity::Annual),
            ("2019-Q5", Periodicity::Quarterly),
            ("2019", Periodicity::Quarterly),
            ("2019-13", Periodicity::Monthly),
            ("2019-1", Periodicity::Monthly),
            ("２０１９", Periodicity::Annual),
        ] {
            assert!(Period::parse(bad, p).is_err(), "{bad} as {p:?}");
        }
        assert_eq!(
            Period::parse("2019-03", Periodicity::Monthly).map(|p| p.year()),
            Ok(2019)
        );
    }
}
