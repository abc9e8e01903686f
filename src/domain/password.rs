//! A new password that meets the policy. Never logged: `Debug` is redacted.

/// Minimum length, in characters.
pub const MIN_LEN: usize = 12;
/// Maximum length, in bytes (bounds hashing cost).
pub const MAX_LEN: usize = 1024;

/// A password accepted by the policy.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.chars().count() < MIN_LEN {
            return Err(format!("must be at least {MIN_LEN} characters long"));
        }
        if raw.len() > MAX_LEN {
            return Err(format!("must be at most {MAX_LEN} bytes long"));
        }
        if raw.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Password;

    #[test]
    fn enforces_length_and_hides_itself() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("eleven char").is_err());
        let p = Password::parse("twelve chars").expect("12 chars");
        assert!(!format!("{p:?}").contains("twelve"));
        assert!(Password::parse("contraseña segura ñ").is_ok());
    }
}
