//! Security headers on every response: `X-Content-Type-Options: nosniff` always;
//! `Cache-Control: no-store` when the request carried credentials or the response carries a
//! token, except on the public view (`/api/v1/public/`), whose answers are the same for everyone
//! and say how they may be cached; a restrictive `Content-Security-Policy` and `X-Frame-Options: DENY` on Swagger UI,
//! whose assets are all served by palermo itself (so it works offline under the policy).

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};

/// Swagger UI's policy: its own scripts, styles (it sets inline styles) and data: images, and
/// requests to this origin only; no framing.
pub const SWAGGER_UI_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// What the response's headers depend on, read from the request before it is handled.
#[derive(Debug, Clone, Copy)]
pub struct Exposure {
    credentials: bool,
    swagger_ui: bool,
}

impl Exposure {
    pub fn of(req: &ServiceRequest) -> Self {
        let path = req.path();
        Self {
            credentials: (req.headers().contains_key(header::AUTHORIZATION)
                && !path.starts_with(crate::api::public::PREFIX))
                || path == "/api/v1/auth/token",
            swagger_ui: path == "/swagger-ui" || path.starts_with("/swagger-ui/"),
        }
    }

    pub fn apply<B>(self, res: &mut ServiceResponse<B>) {
        let headers = res.headers_mut();
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if self.credentials {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if self.swagger_ui {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(SWAGGER_UI_CSP),
            );
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
    }
}
