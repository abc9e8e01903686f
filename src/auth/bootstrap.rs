//! The first administrator: from `PALERMO_ADMIN_USERNAME`/`PALERMO_ADMIN_PASSWORD`, or, when the
//! database has no admin and neither is set, a generated one-time password printed once.

use rand::distributions::Alphanumeric;
use rand::Rng;

use crate::auth::password;
use crate::db::{self, AnyConnection};
use crate::domain::{Password, Role, Username};
use crate::error::ApiError;
use crate::models::audit_event::Actor;
use crate::models::user::UserRow;

/// What bootstrap did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An active admin already exists.
    AdminExists,
    /// The admin named by the environment was created.
    Created(String),
    /// An admin with a generated password was created; the password is returned to be shown once.
    Generated { username: String, password: String },
}

/// Ensures an active admin exists. Errors are for the operator (refuse to start).
pub fn ensure_admin(
    conn: &mut AnyConnection,
    username: Option<&str>,
    password_raw: Option<&str>,
) -> Result<Outcome, String> {
    let admins =
        UserRow::count_active_admins(conn).map_err(|e| format!("cannot count admins: {e}"))?;
    if admins > 0 {
        return Ok(Outcome::AdminExists);
    }
    match (username, password_raw) {
        (Some(u), Some(p)) => {
            let username = Username::parse(u).map_err(|e| format!("PALERMO_ADMIN_USERNAME {e}"))?;
            let pw = Password::parse(p).map_err(|e| format!("PALERMO_ADMIN_PASSWORD {e}"))?;
            create(conn, &username, &pw).map_err(|e| format!("cannot create admin {u:?}: {e}"))?;
            Ok(Outcome::Created(u.to_string()))
        }
        (None, None) => {
            let pw: String = rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(24)
                .map(char::from)
                .collect();
            let mut name = "admin".to_string();
            if UserRow::find_by_username(conn, &name)
                .map_err(|e| e.to_string())?
                .is_some()
            {
                let suffix: String = rand::thread_rng()
                    .sample_iter(&Alphanumeric)
                    .take(6)
                    .map(char::from)
                    .collect();
                name = format!("admin-{}", suffix.to_lowercase());
            }
            let username = Username::parse(&name)?;
            let password = Password::parse(&pw)?;
            create(conn, &username, &password).map_err(|e| format!("cannot create admin: {e}"))?;
            Ok(Outcome::Generated {
                username: name,
                password: pw,
            })
        }
        _ => Err("set both PALERMO_ADMIN_USERNAME and PALERMO_ADMIN_PASSWORD, or neither".into()),
    }
}

fn create(
    conn: &mut AnyConnection,
    username: &Username,
    password: &Password,
) -> Result<(), ApiError> {
    let hash = password::hash(password.expose()).map_err(ApiError::internal)?;
    let row = UserRow::new(username.as_str(), hash, Role::Admin, None);
    db::pool::write_transaction(conn, |conn| {
        crate::api::users::insert_account(conn, Actor::system("bootstrap"), &row)
    })
}
