//! The handlers every record by id has, written once: `record_routes!` declares the list
//! (`GET`), `POST`, `GET /{id}`, `PUT /{id}`, `PATCH /{id}`, `DELETE /{id}` (a tombstone) and
//! `GET /{id}/history` of a [`Replaceable`](super::replace::Replaceable) record, each with its doc
//! comment (the operation's summary) and its OpenAPI description. The calling module imports
//! actix-web's method attributes it uses (`get`, `post`, ...: utoipa reads them by name) and
//! the types it names.

/// ```ignore
/// record_routes! {
///     tag = "things", record = ThingRow, view = Thing, input = ThingInput, patch = ThingPatch;
///     /// List things.
///     list list_things("A page of things (JSON) or all of them (CSV)", Things, ThingListParams,
///         |params, list| Ok(Filter { name: params.name, updated_since: list.since()? }));
///     /// Add a thing.
///     create create_thing("Created", {"name": "A thing"});
///     /// Get one thing.
///     get get_thing("The thing");
///     /// Replace a thing.
///     put replace_thing("The thing after the change");
///     /// Change some fields of a thing.
///     patch update_thing("The thing after the change", {"name": "New name"});
///     /// Delete a thing (a tombstone stays).
///     delete delete_thing;
///     /// Every version of a thing.
///     history list_thing_history("The thing's history", |conn, id| load::<Thing>(conn, id).map(drop));
/// }
/// ```
///
/// A list of anything else (a [`Listing`](super::list::Listing) any signed-in caller may read)
/// names only its tag and item: `record_routes! { tag = "things", view = Thing; list ...; }`; the
/// reads of a record written by handlers of its own (`list`, `get`, `history`) name its tag,
/// record and view only. `list`, `get`, `delete` and `history` followed by `by Admin` are for a
/// record only administrators read and write: the handler takes the `Admin` grant, and a read
/// declares its 403.
#[macro_export]
macro_rules! record_routes {
    (tag = $tag:tt, record = $rec:ident, view = $view:ident, input = $input:ident, patch = $patch:ident; $($rest:tt)*) => {
        $crate::record_routes!(@next [$tag, $rec, $view, $input, $patch] $($rest)*);
    };
    // Only the reads of a record (its writes are handlers of its own).
    (tag = $tag:tt, record = $rec:ident, view = $view:ident; $($rest:tt)*) => {
        $crate::record_routes!(@next [$tag, $rec, $view, (), ()] $($rest)*);
    };
    // Only a list (of `view`s): no record, input or patch to name.
    (tag = $tag:tt, view = $view:ident; $($rest:tt)*) => {
        $crate::record_routes!(@next [$tag, (), $view, (), ()] $($rest)*);
    };
    (@next $h:tt) => {};
    // A list or a record only `$grant` may read (`Admin`): a 403 for anyone else.
    (@next [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* list $name:ident($what:tt, $listing:ty, $params:ident, $filter:expr) by $grant:ident; $($rest:tt)*) => {
        $(#[doc = $doc])*
        #[utoipa::path(tag = $tag, params($params, $crate::api::http::list::ListParams),
            responses((status = 200, description = $what, body = $crate::api::http::pagination::Page<$view>),
                (status = 403, response = $crate::api::problems::Forbidden)))]
        #[get("")]
        pub async fn $name(
            req: actix_web::HttpRequest,
            _grant: $crate::auth::$grant,
            state: actix_web::web::Data<$crate::state::AppState>,
            query: $crate::api::http::list::ListQuery<$params>,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            let $crate::api::http::list::ListQuery { filter, list } = query;
            let filter = ($filter)(filter, &list)?;
            $crate::api::http::list::respond::<$listing>(&req, &state.pool, filter, &list).await
        }
        $crate::record_routes!(@next [$tag, $rec, $view, $input, $patch] $($rest)*);
    };
    (@next [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* list $name:ident($what:tt, $listing:ty, $params:ident, $filter:expr); $($rest:tt)*) => {
        $(#[doc = $doc])*
        #[utoipa::path(tag = $tag, params($params, $crate::api::http::list::ListParams),
            responses((status = 200, description = $what, body = $crate::api::http::pagination::Page<$view>)))]
        #[get("")]
        pub async fn $name(
            req: actix_web::HttpRequest,
            who: $crate::auth::Bearer,
            state: actix_web::web::Data<$crate::state::AppState>,
            query: $crate::api::http::list::ListQuery<$params>,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            let $crate::api::http::list::ListQuery { filter, list } = query;
            let filter = ($filter)(filter, &list)?;
            $crate::api::http::list::respond_signed_in::<$listing>(&req, &state.pool, who, filter, &list).await
        }
        $crate::record_routes!(@next [$tag, $rec, $view, $input, $patch] $($rest)*);
    };
    (@next [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* create $name:ident($what:tt, $example:tt $(, $status:tt = $problem:ident)*); $($rest:tt)*) => {
        $(#[doc = $doc])*
        #[utoipa::path(tag = $tag, params($crate::api::http::idempotency::IdempotencyKey), request_body(content = $input, example = json!($example)),
            responses((status = 201, description = $what, body = $view, headers(
                ("Location" = String, description = "URL of the new record"), ("ETag" = String, description = "Version"))),
                $((status = $status, response = $crate::api::problems::$problem),)*))]
        #[post("")]
        pub async fn $name(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            body: $crate::auth::With<$crate::auth::Writer, $input>,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            let $crate::auth::With(writer, input) = body;
            $crate::api::http::replace::create::<$rec>(&req, &state.pool, writer, input).await
        }
        $crate::record_routes!(@next [$tag, $rec, $view, $input, $patch] $($rest)*);
    };
    // `get`, `delete` and `history` by any caller (a writer for `delete`), or `by Admin` only.
    (@next [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* get $name:ident($what:tt); $($rest:tt)*) => {
        $crate::record_routes!(@get [$tag, $rec, $view, $input, $patch] $(#[doc = $doc])* $name($what) Caller []; $($rest)*);
    };
    (@next [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* get $name:ident($what:tt) by $grant:ident; $($rest:tt)*) => {
        $crate::record_routes!(@get [$tag, $rec, $view, $input, $patch] $(#[doc = $doc])* $name($what) $grant [(status = 403, response = $crate::api::problems::Forbidden)]; $($rest)*);
    };
    (@next [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* delete $name:ident; $($rest:tt)*) => {
        $crate::record_routes!(@delete [$tag, $rec, $view, $input, $patch] $(#[doc = $doc])* $name Writer; $($rest)*);
    };
    (@next [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* delete $name:ident by $grant:ident; $($rest:tt)*) => {
        $crate::record_routes!(@delete [$tag, $rec, $view, $input, $patch] $(#[doc = $doc])* $name $grant; $($rest)*);
    };
    (@next [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* history $name:ident($what:tt, $exists:expr); $($rest:tt)*) => {
        $crate::record_routes!(@history [$tag, $rec, $view, $input, $patch] $(#[doc = $doc])* $name($what, $exists) Caller []; $($rest)*);
    };
    (@next [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* history $name:ident($what:tt, $exists:expr) by $grant:ident; $($rest:tt)*) => {
        $crate::record_routes!(@history [$tag, $rec, $view, $input, $patch] $(#[doc = $doc])* $name($what, $exists) $grant [(status = 403, response = $crate::api::problems::Forbidden)]; $($rest)*);
    };
    (@get [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* $name:ident($what:tt) $grant:ident [$($extra:tt)*]; $($rest:tt)*) => {
        $(#[doc = $doc])*
        #[utoipa::path(tag = $tag, params($crate::api::http::precondition::IdPath), responses((status = 200, description = $what,
            body = $view, headers(("ETag" = String, description = "Version, for If-Match")))$(, $extra)*))]
        #[get("/{id}")]
        pub async fn $name(
            _grant: $crate::auth::$grant,
            state: actix_web::web::Data<$crate::state::AppState>,
            path: actix_web::web::Path<$crate::api::http::precondition::IdPath>,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            $crate::api::http::write::read::<$rec>(&state.pool, path.into_inner().id).await
        }
        $crate::record_routes!(@next [$tag, $rec, $view, $input, $patch] $($rest)*);
    };
    (@delete [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* $name:ident $grant:ident; $($rest:tt)*) => {
        $(#[doc = $doc])*
        #[utoipa::path(tag = $tag, params($crate::api::http::precondition::IdPath, $crate::api::http::precondition::IfMatch), responses((status = 204, description = "Deleted"),
            (status = 409, response = $crate::api::problems::Conflict)))]
        #[delete("/{id}")]
        pub async fn $name(
            state: actix_web::web::Data<$crate::state::AppState>,
            path: actix_web::web::Path<$crate::api::http::precondition::IdPath>,
            precondition: $crate::api::http::precondition::IfMatch,
            grant: $crate::auth::$grant,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            let id = path.into_inner().id;
            $crate::api::http::replace::delete::<$rec>(&state.pool, grant.into(), id, precondition).await
        }
        $crate::record_routes!(@next [$tag, $rec, $view, $input, $patch] $($rest)*);
    };
    (@history [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* $name:ident($what:tt, $exists:expr) $grant:ident [$($extra:tt)*]; $($rest:tt)*) => {
        $(#[doc = $doc])*
        #[utoipa::path(tag = $tag, params($crate::api::http::precondition::IdPath, $crate::api::http::pagination::PageParams), responses(
            (status = 200, description = $what, body = $crate::api::http::pagination::Page<$crate::api::http::history::HistoryEntry>)$(, $extra)*))]
        #[get("/{id}/history")]
        pub async fn $name(
            req: actix_web::HttpRequest,
            _grant: $crate::auth::$grant,
            state: actix_web::web::Data<$crate::state::AppState>,
            path: actix_web::web::Path<$crate::api::http::precondition::IdPath>,
            page: $crate::api::http::extract::QueryParams<$crate::api::http::pagination::PageParams>,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            let id = path.into_inner().id;
            $crate::api::http::history::respond(&req, &state.pool, <$rec as $crate::api::http::write::Versioned>::KIND, id, page.0, $exists).await
        }
        $crate::record_routes!(@next [$tag, $rec, $view, $input, $patch] $($rest)*);
    };
    (@next [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* put $name:ident($what:tt); $($rest:tt)*) => {
        $(#[doc = $doc])*
        #[utoipa::path(tag = $tag, params($crate::api::http::precondition::IdPath, $crate::api::http::precondition::IfMatch), request_body = $input, responses(
            (status = 200, description = $what, body = $view, headers(("ETag" = String, description = "New version"))),
            (status = 409, response = $crate::api::problems::Conflict)))]
        #[put("/{id}")]
        pub async fn $name(
            state: actix_web::web::Data<$crate::state::AppState>,
            path: actix_web::web::Path<$crate::api::http::precondition::IdPath>,
            precondition: $crate::api::http::precondition::IfMatch,
            body: $crate::auth::With<$crate::auth::Writer, $input>,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            let $crate::auth::With(writer, input) = body;
            let id = path.into_inner().id;
            $crate::api::http::replace::replace::<$rec>(&state.pool, writer, id, precondition, input).await
        }
        $crate::record_routes!(@next [$tag, $rec, $view, $input, $patch] $($rest)*);
    };
    (@next [$tag:tt, $rec:tt, $view:ident, $input:tt, $patch:tt]
        $(#[doc = $doc:tt])* patch $name:ident($what:tt, $example:tt); $($rest:tt)*) => {
        $(#[doc = $doc])*
        #[utoipa::path(tag = $tag, params($crate::api::http::precondition::IdPath, $crate::api::http::precondition::IfMatch), request_body(content = $patch, example = json!($example)),
            responses(
                (status = 200, description = $what, body = $view, headers(("ETag" = String, description = "New version"))),
                (status = 409, response = $crate::api::problems::Conflict)))]
        #[patch("/{id}")]
        pub async fn $name(
            state: actix_web::web::Data<$crate::state::AppState>,
            path: actix_web::web::Path<$crate::api::http::precondition::IdPath>,
            precondition: $crate::api::http::precondition::IfMatch,
            body: $crate::auth::With<$crate::auth::Writer, $patch>,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            let $crate::auth::With(writer, patch) = body;
            let id = path.into_inner().id;
            $crate::api::http::replace::patch::<$rec>(&state.pool, writer, id, precondition, "update", patch).await
        }
        $crate::record_routes!(@next [$tag, $rec, $view, $input, $patch] $($rest)*);
    };
}
