//! A username: 3 to 64 characters of letters, digits, `.`, `_`, `-` and `@`.

/// A valid username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let n = raw.chars().count();
        if !(3..=64).contains(&n) {
            return Err("must be 3 to 64 characters long".into());
        }
        if !raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        {
            return Err("may contain only ASCII letters, digits, '.', '_', '-' and '@'".into());
        }
        Ok(Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Username;

    #[test]
    fn accepts_service_account_names_and_refuses_odd_input() {
        assert!(Username::parse("arg-system@cancilleria").is_ok());
        for bad in [
            "ab",
            "a b c",
            "x'; DROP TABLE users;--",
            "ｕｓｅｒ",
            "\u{202e}abc",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
    }
}
