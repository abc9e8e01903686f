//! ISO 3166-1 alpha-3 code of a member state, syntactically valid (existence is checked by the database).

use std::fmt;

/// Three upper-case ASCII letters, e.g. `ARG`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberStateCode(String);

impl MemberStateCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.len() == 3 && raw.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(raw.to_string()))
        } else {
            Err("must be an ISO 3166-1 alpha-3 code of three upper-case letters, e.g. ARG".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MemberStateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::MemberStateCode;

    #[test]
    fn accepts_alpha3_and_refuses_everything_else() {
        assert!(MemberStateCode::parse("ARG").is_ok());
        for bad in ["arg", "AR", "ARGE", "A1G", "", "ÄRG", "' OR 1=1"] {
            assert!(MemberStateCode::parse(bad).is_err(), "{bad:?}");
        }
    }
}
