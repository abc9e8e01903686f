//! `Accept-Language` negotiation among the four OAS languages.

use actix_web::http::header;
use actix_web::HttpRequest;

pub const SUPPORTED: [&str; 4] = ["en", "es", "fr", "pt"];

/// The best supported language for the request (`en` when none matches).
pub fn negotiate(req: &HttpRequest) -> &'static str {
    let Some(value) = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return "en";
    };
    let mut best: Option<(&'static str, f32)> = None;
    for part in value.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|v| v.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        if let Some(lang) = SUPPORTED.iter().find(|l| **l == primary) {
            if q > 0.0 && best.is_none_or(|(_, bq)| q > bq) {
                best = Some((lang, q));
            }
        }
    }
    best.map_or("en", |(l, _)| l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn pick(h: &str) -> &'static str {
        negotiate(
            &TestRequest::default()
                .insert_header((header::ACCEPT_LANGUAGE, h))
                .to_http_request(),
        )
    }

    #[test]
    fn picks_the_preferred_supported_language() {
        assert_eq!(pick("es-AR,es;q=0.9,en;q=0.8"), "es");
        assert_eq!(pick("de-DE, fr;q=0.5, pt;q=0.7"), "pt");
        assert_eq!(pick("de"), "en");
        assert_eq!(pick("fr;q=0, es;q=0.1"), "es");
    }
}
