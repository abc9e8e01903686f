//! The command line: `serve` (default), `migrate`, `user create`, `openapi`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::auth::password;
use crate::config::Settings;
use crate::db::pool::write_transaction;
use crate::domain::{MemberStateCode, Password, Role, Username};
use crate::models::audit_event::Actor;
use crate::models::user::UserRow;
use crate::startup::{self, Application};

/// palermo: system of record for the OAS Work Plan against Trafficking in Persons.
#[derive(Debug, Parser)]
#[command(name = "palermo", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: Settings,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API (the default).
    Serve(Settings),
    /// Apply pending database migrations and exit.
    Migrate(Database),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the OpenAPI document (JSON) and exit.
    Openapi,
}

/// The database a command works on.
#[derive(Debug, clap::Args)]
struct Database {
    /// SQLite file path or postgres:// URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "palermo.db",
        hide_env_values = true
    )]
    database_url: String,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input (one line), never from arguments.
    Create {
        #[arg(long)]
        username: String,
        /// admin, reporter or viewer.
        #[arg(long, default_value = "admin")]
        role: String,
        /// Member state (ISO alpha-3) of a reporter.
        #[arg(long)]
        member_state: Option<String>,
        #[command(flatten)]
        database: Database,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let result = match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(settings)) => serve(settings),
        Some(Command::Migrate(db)) => migrate(&db.database_url),
        Some(Command::User(UserCommand::Create {
            username,
            role,
            member_state,
            database,
        })) => create_user(&database.database_url, &username, &role, member_state),
        Some(Command::Openapi) => print_openapi(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("palermo: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        app.run_until_stopped()
            .await
            .map_err(|e| format!("server: {e}"))
    })
}

fn migrate(database_url: &str) -> Result<(), String> {
    let settings = Settings::for_database(database_url);
    let (url, _) = startup::open_database(&settings)?;
    println!("{}: migrations applied", url.redacted());
    Ok(())
}

fn print_openapi() -> Result<(), String> {
    let json = startup::openapi_document()
        .to_pretty_json()
        .map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

fn create_user(
    database_url: &str,
    username: &str,
    role: &str,
    member_state: Option<String>,
) -> Result<(), String> {
    let username = Username::parse(username).map_err(|e| format!("--username {e}"))?;
    let role = Role::parse(role).ok_or("--role must be admin, reporter or viewer")?;
    if let Some(code) = &member_state {
        MemberStateCode::parse(code).map_err(|e| format!("--member-state {e}"))?;
    }
    match (role, &member_state) {
        (Role::Reporter, None) => return Err("a reporter needs --member-state".into()),
        (Role::Admin | Role::Viewer, Some(_)) => {
            return Err("--member-state is only for reporters".into())
        }
        _ => {}
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!(
            "Password for {} (input is visible; at least 12 characters): ",
            username.as_str()
        );
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let pw = Password::parse(line.trim_end_matches(['\r', '\n']))
        .map_err(|e| format!("password {e}"))?;
    let hash = password::hash(pw.expose())?;
    let (_, pool) = startup::open_database(&Settings::for_database(database_url))?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let row = write_transaction(&mut conn, |conn| {
        if let Some(code) = &member_state {
            crate::api::http::write::member_state_exists(conn, code, "member_state")?;
        }
        let row = UserRow::new(username.as_str(), hash.clone(), role, member_state.clone());
        crate::api::users::insert_account(conn, Actor::system("cli"), &row)?;
        Ok(row)
    })
    .map_err(|e: crate::error::ApiError| e.to_string())?;
    println!("created {} {} ({})", row.role, row.username, row.id);
    Ok(())
}
