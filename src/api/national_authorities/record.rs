//! How the register's entries go through the pipelines: validation into a row, the versioned
//! record, and the list with its CSV cells.

use super::wire::{NationalAuthorityInput, NationalAuthorityListParams};
use crate::api::http::extract::bounded;
use crate::api::http::list::ListParams;
use crate::api::http::replace::Replaceable;
use crate::api::http::rows::conflict_as;
use crate::api::http::write::{self, Versioned};
use crate::auth::{Owner, Writer};
use crate::db::text_enum::JsonText;
use crate::db::AnyConnection;
use crate::domain::{contact, MemberStateCode};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::models::national_authority::{Filter, NationalAuthority};
use crate::timestamp::Timestamp;

/// Validates every field at once; returns the row values (the pipeline gives it its identity).
fn validate(
    input: &NationalAuthorityInput,
    member_state: &str,
) -> Result<NationalAuthority, ApiError> {
    let mut errors = FieldErrors::default();
    let mut text = |field: &str, value: &Option<String>, max: usize| {
        errors.check_opt(field, value.as_deref(), |v| contact::text(v, max))
    };
    let institution = text("/institution", &Some(input.institution.clone()), 300);
    let unit = text("/unit", &input.unit, 300);
    let contact_name = text("/contact_name", &input.contact_name, 200);
    let position_title = text("/position_title", &input.position_title, 200);
    let email = errors.check_opt("/email", input.email.as_deref(), contact::email);
    let phone = errors.check_opt("/phone", input.phone.as_deref(), contact::phone);
    let address = errors.check_opt("/address", input.address.as_deref(), |v| {
        contact::text(v, 500)
    });
    let website = errors.check_opt("/website", input.website.as_deref(), contact::web_url);
    let designated_on = errors.check_opt("/designated_on", input.designated_on.as_deref(), |v| {
        contact::date(v).map(|d| d.to_string())
    });
    let notes = errors.check_opt("/notes", input.notes.as_deref(), |v| contact::text(v, 2000));
    if input.languages.len() > 20 {
        errors.add("/languages", "must have at most 20 languages");
    }
    let mut languages: Vec<String> = Vec::new();
    for (i, l) in input.languages.iter().enumerate() {
        match contact::language(l) {
            Ok(code) if !languages.contains(&code) => languages.push(code),
            Ok(_) => errors.add(format!("/languages/{i}"), "is repeated"),
            Err(m) => errors.add(format!("/languages/{i}"), m),
        }
    }
    errors.finish()?;
    Ok(NationalAuthority {
        id: String::new(),
        member_state: member_state.to_string(),
        role: input.role,
        institution: institution.unwrap_or_default(),
        unit,
        contact_name,
        position_title,
        email,
        phone,
        address,
        website,
        languages: JsonText::new(languages),
        designated_on,
        active: input.active.unwrap_or(true),
        notes,
        version: 1,
        created_at: Timestamp::now(),
        updated_at: Timestamp::now(),
    })
}

impl Replaceable for NationalAuthority {
    type Input = NationalAuthorityInput;
    /// A new entry is for the given state (a reporter's own when omitted); a changed one stays
    /// with its state.
    fn build(
        conn: &mut AnyConnection,
        writer: &Writer,
        input: &NationalAuthorityInput,
        before: Option<&Self>,
    ) -> ApiResult<Self> {
        let Some(before) = before else {
            let ms =
                write::target_state(conn, writer, input.member_state.as_deref(), "/member_state")?;
            return validate(input, &ms);
        };
        if input
            .member_state
            .as_deref()
            .is_some_and(|ms| ms != before.member_state)
        {
            return Err(ApiError::invalid(
                "/member_state",
                "cannot change: create an entry for the other state instead",
            ));
        }
        validate(input, &before.member_state)
    }
}

impl Versioned for NationalAuthority {
    const KIND: &'static str = "national_authority";
    const NOUN: &'static str = "register entry";
    type View = NationalAuthority;
    const TABLE: &'static str = "national_authorities";

    crate::versioned_row!(id);
    fn owner(&self) -> Owner<'_> {
        Owner::State(&self.member_state)
    }
    fn view(&self) -> NationalAuthority {
        self.clone()
    }
    fn location(&self) -> String {
        format!("/api/v1/national-authorities/{}", self.id)
    }
    fn write_error(&self, e: diesel::result::Error) -> ApiError {
        conflict_as(e, || {
            ApiError::conflict(format!(
                "{} already has an active national point of contact: deactivate it (DELETE) or change its role first.",
                self.member_state
            ))
        })
    }
}

/// The list filter of the query's parameters.
pub fn filter(q: NationalAuthorityListParams, list: &ListParams) -> ApiResult<Filter> {
    if let Some(ms) = &q.member_state {
        MemberStateCode::parse(ms).map_err(|m| ApiError::invalid("member_state", m))?;
    }
    bounded("q", q.q.as_deref(), 200)?;
    Ok(Filter {
        member_state: q.member_state,
        role: q.role,
        active: q.active,
        q: q.q.filter(|t| !t.is_empty()),
        updated_since: list.since()?,
    })
}

crate::listing! {
    /// The register list, ordered by creation (id).
    Register: NationalAuthority => Self, "national_authority", "national-authorities.csv", [
        "id", "member_state", "role", "institution", "unit", "contact_name", "position_title",
        "email", "phone", "address", "website", "languages", "designated_on", "active", "notes",
        "version", "created_at", "updated_at",
    ];
    fetch(conn, f: Filter, after: String, limit) =>
        NationalAuthority::list(conn, f, after.map(String::as_str), limit);
    key(r) => r.id.clone();
}
