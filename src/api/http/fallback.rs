//! What answers when no handler does: 404 for unknown paths, 405 with `Allow` for known paths
//! called with another method (the route table comes from the OpenAPI document, so it cannot
//! drift from the handlers), and a safety net turning any non-problem error body into one.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use utoipa::openapi::OpenApi;

use crate::error::{ApiError, PROBLEM_JSON};

/// Every documented path template with its methods.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<Segment>, Vec<String>)>,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param(String),
}

impl RouteTable {
    pub fn from_openapi(api: &OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in api.paths.paths.iter() {
            let segments = split(path)
                .map(|s| {
                    if s.starts_with('{') && s.ends_with('}') {
                        Segment::Param(s[1..s.len() - 1].to_string())
                    } else {
                        Segment::Literal(s.to_string())
                    }
                })
                .collect();
            let mut methods = Vec::new();
            let ops = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            for (m, present) in ops {
                if present {
                    methods.push(m.to_string());
                }
            }
            // Every GET route answers HEAD too (see `before_routing`).
            if item.get.is_some() {
                methods.insert(1, "HEAD".to_string());
            }
            routes.push((segments, methods));
        }
        Self { routes }
    }

    /// The methods allowed on `path`, or `None` when no route matches it. When templates overlap
    /// (`/indicator-values/batch` and `/indicator-values/{id}`), the most literal ones win, as in
    /// the router.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let mut list: Vec<String> = Vec::new();
        for (_, methods) in self.matching(path) {
            for m in methods {
                if !list.contains(m) {
                    list.push(m.clone());
                }
            }
        }
        (!list.is_empty()).then_some(list)
    }

    /// The name of the path parameter at segment `index` of `path` (`id` in `/users/{id}`).
    pub fn parameter_at(&self, path: &str, index: usize) -> Option<String> {
        self.matching(path)
            .first()
            .and_then(|(segments, _)| match segments.get(index) {
                Some(Segment::Param(name)) => Some(name.clone()),
                _ => None,
            })
    }

    /// The templates matching `path` with the fewest parameters.
    fn matching(&self, path: &str) -> Vec<&(Vec<Segment>, Vec<String>)> {
        let parts: Vec<&str> = split(path).collect();
        let mut best: Vec<&(Vec<Segment>, Vec<String>)> = Vec::new();
        let mut fewest = usize::MAX;
        for route in &self.routes {
            let segments = &route.0;
            let matches = segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(s, p)| match s {
                    Segment::Literal(l) => l == p,
                    Segment::Param(_) => !p.is_empty(),
                });
            if !matches {
                continue;
            }
            let params = segments
                .iter()
                .filter(|s| matches!(s, Segment::Param(_)))
                .count();
            if params < fewest {
                fewest = params;
                best.clear();
            }
            if params == fewest {
                best.push(route);
            }
        }
        best
    }
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.trim_end_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
}

/// What every request goes through before the router: control characters in its path or query
/// are a 422; a documented path called with a method it does not allow is a 405 with `Allow`
/// (even where another template would take the path as a parameter: `GET
/// /indicator-values/batch` is not a value named "batch"); HEAD is served by the GET route
/// (actix-http sends its headers without the body).
pub fn before_routing(req: &mut ServiceRequest, table: &RouteTable) -> Result<(), ApiError> {
    crate::api::http::text::check_target(req.path(), req.query_string(), table)?;
    if let Some(methods) = table.allowed(req.path()) {
        if !methods.iter().any(|m| m == req.method().as_str()) {
            return Err(ApiError::method_not_allowed(&methods.join(", ")));
        }
    }
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    Ok(())
}

/// The default service: 405 when the path exists with other methods, 404 otherwise.
pub async fn unmatched(req: HttpRequest, table: web::Data<RouteTable>) -> HttpResponse {
    match table.allowed(req.path()) {
        Some(methods) if !methods.iter().any(|m| m == req.method().as_str()) => {
            ApiError::method_not_allowed(&methods.join(", ")).error_response()
        }
        _ => ApiError::not_found(format!("No resource at {}.", req.path())).error_response(),
    }
}

/// Error-status responses whose body is not already a problem document are rewritten as one.
pub fn ensure_problem<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let error = match status.as_u16() {
        400 => ApiError::bad_request("The request could not be understood."),
        401 => ApiError::unauthorized("Authentication is required."),
        403 => ApiError::forbidden("Access denied."),
        404 => ApiError::not_found("No such resource."),
        405 => ApiError::new(
            status,
            "method-not-allowed",
            "Method not allowed",
            "The method is not supported here.",
        ),
        413 => ApiError::payload_too_large("The request body is too large."),
        415 => ApiError::unsupported_media_type("The request body's media type is not supported."),
        500..=599 => ApiError::internal(format!("unhandled {status} response")),
        _ => ApiError::new(
            status,
            "http-error",
            "Request failed",
            status.canonical_reason().unwrap_or("error").to_string(),
        ),
    };
    let (req, old) = res.into_parts();
    let mut new = error.error_response();
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && !new.headers().contains_key(name)
        {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    new.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    let new: HttpResponse<EitherBody<B, BoxBody>> = new.map_into_right_body();
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(
        req, new,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
    use utoipa::openapi::OpenApiBuilder;

    #[test]
    fn knows_which_methods_a_templated_path_allows() {
        let paths = PathsBuilder::new()
            .path(
                "/api/v1/users",
                PathItem::new(HttpMethod::Get, OperationBuilder::new().build()),
            )
            .path(
                "/api/v1/users/{id}",
                PathItem::new(HttpMethod::Patch, OperationBuilder::new().build()),
            )
            .build();
        let table = RouteTable::from_openapi(&OpenApiBuilder::new().paths(paths).build());
        assert_eq!(
            table.allowed("/api/v1/users/abc"),
            Some(vec!["PATCH".to_string()])
        );
        assert_eq!(
            table.allowed("/api/v1/users"),
            Some(vec!["GET".to_string(), "HEAD".to_string()])
        );
        assert_eq!(table.allowed("/api/v1/nothing"), None);
        assert_eq!(
            table.parameter_at("/api/v1/users/abc", 3).as_deref(),
            Some("id")
        );
        assert_eq!(table.parameter_at("/api/v1/users/abc", 2), None);
    }
}
