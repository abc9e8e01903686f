//! Access tokens: JWT signed with HS256 only, carrying `iss`, `aud`, `exp`, `iat`, `sub`, `role`,
//! `member_state` and the user's token version (bumped to revoke every token of a user).

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "palermo";
pub const AUDIENCE: &str = "palermo-api";
/// Shortest accepted `PALERMO_JWT_SECRET`, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_state: Option<String>,
    /// The user's token version when the token was issued.
    pub tv: i32,
}

/// Issues and verifies tokens with one secret.
#[derive(Clone)]
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_seconds: i64,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("ttl_seconds", &self.ttl_seconds)
            .finish_non_exhaustive()
    }
}

impl TokenService {
    pub fn new(secret: &[u8], ttl_seconds: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "iat"]);
        validation.leeway = 30;
        validation.validate_exp = true;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds,
        }
    }

    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    pub fn issue(
        &self,
        user_id: &str,
        role: &str,
        member_state: Option<&str>,
        token_version: i32,
    ) -> Result<String, String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.into(),
            iat: now,
            exp: now + self.ttl_seconds,
            role: role.into(),
            member_state: member_state.map(str::to_string),
            tv: token_version,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| format!("jwt: {e}"))
    }

    /// Verifies signature, algorithm, issuer, audience and expiry.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn issued_tokens_verify_and_carry_their_claims() {
        let svc = TokenService::new(SECRET, 60);
        let t = svc.issue("u1", "reporter", Some("ARG"), 3).expect("issue");
        let c = svc.verify(&t).expect("verify");
        assert_eq!(
            (
                c.sub.as_str(),
                c.role.as_str(),
                c.member_state.as_deref(),
                c.tv
            ),
            ("u1", "reporter", Some("ARG"), 3)
        );
    }

    #[test]
    fn other_secrets_and_expired_tokens_are_refused() {
        let t = TokenService::new(SECRET, 60)
            .issue("u1", "admin", None, 1)
            .expect("issue");
        assert!(
            TokenService::new(b"another secret of at least 32 bytes!", 60)
                .verify(&t)
                .is_err()
        );
        let expired = TokenService::new(SECRET, -3600)
            .issue("u1", "admin", None, 1)
            .expect("issue");
        assert!(TokenService::new(SECRET, 60).verify(&expired).is_err());
    }
}
