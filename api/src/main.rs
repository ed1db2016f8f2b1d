//! The `bluelight` command: serve the API (default), migrate, mint a development token, or print
//! the OpenAPI document.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use bluelight_api::auth::{Claims, mint_token};
use bluelight_api::config::{AuthArgs, DatabaseArgs, ServeArgs};
use bluelight_api::db::{self, Backend};
use bluelight_api::{app, logging, openapi};
use clap::{Parser, Subcommand};

/// mimalloc rather than the system allocator: a read allocates and frees many small buffers
/// (rows, strings, JSON) across threads, and glibc's malloc and free were 11-18% of the service's
/// CPU under load (README, "Where a read's time goes").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "bluelight",
    version,
    about = "The BlueLight category-management API",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// With no subcommand, `serve` runs with these settings.
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Mint a development token signed with JWT_SECRET (or the development secret).
    Token(TokenArgs),
    /// Print the OpenAPI document.
    Openapi,
    /// Build and test a force's rule plugin before uploading it.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Turn a plugin's core module (from `cargo build --target wasm32-unknown-unknown`) into an
    /// uploadable component, with its fixtures (`<dir>/*.json`) embedded.
    Package {
        /// The core module wit-bindgen produced.
        module: PathBuf,
        /// The folder of fixture files.
        #[arg(long)]
        fixtures: PathBuf,
        /// Where to write the component.
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Load a packaged plugin under the service's default limits, show what it says of itself,
    /// and run its fixtures; exits non-zero when one fails, as activation would refuse it.
    Test {
        /// The packaged component.
        plugin: PathBuf,
    },
}

#[derive(clap::Args)]
struct TokenArgs {
    /// The `sub` claim.
    #[arg(long, default_value = "developer")]
    sub: String,
    /// A role; repeat for several (national_admin, national_viewer, tenant_admin, buyer, viewer, supplier).
    #[arg(long = "role", required = true)]
    roles: Vec<String>,
    /// The tenant's slug, for tenant roles.
    #[arg(long)]
    tenant: Option<String>,
    /// The supplier's id, for the supplier role.
    #[arg(long)]
    supplier: Option<String>,
    /// Lifetime in minutes.
    #[arg(long, default_value_t = 480)]
    ttl_minutes: i64,
    #[command(flatten)]
    auth: AuthArgs,
}

fn main() -> ExitCode {
    match logging::LogFormat::parse(std::env::var("LOG_FORMAT").ok().as_deref()) {
        Ok(format) => logging::init(format),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    let cli = Cli::parse();
    let outcome = match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Migrate(args)) => migrate(args),
        Some(Command::Token(args)) => token(args),
        Some(Command::Openapi) => {
            print!("{}", openapi::document_json());
            Ok(())
        }
        Some(Command::Rules(command)) => rules(command),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let settings = args.resolve()?;
    let state = app::prepare_state(&settings)?;
    let listener = TcpListener::bind(settings.listen)
        .map_err(|e| anyhow::anyhow!("LISTEN: cannot listen on {}: {e}", settings.listen))?;
    tracing::info!("serving on http://{} (docs at /docs/)", listener.local_addr()?);
    actix_web::rt::System::new().block_on(async move {
        app::server(state, listener, settings.workers)?
            .await
            .map_err(anyhow::Error::from)
    })?;
    Ok(())
}

fn migrate(args: DatabaseArgs) -> anyhow::Result<()> {
    args.backend()?;
    let pool = db::connect(&args.database_url, 1)?;
    let mut conn = pool.get()?;
    let applied = db::migrate(&mut conn)?;
    println!("{applied} migration(s) applied");
    Ok(())
}

fn token(args: TokenArgs) -> anyhow::Result<()> {
    let auth = args.auth.resolve(Backend::Sqlite)?;
    let secret = auth
        .hs256_secret
        .ok_or_else(|| anyhow::anyhow!("JWT_SECRET: must be set to mint a token when JWKS_URL is set"))?;
    if args.ttl_minutes <= 0 {
        anyhow::bail!("--ttl-minutes: must be positive");
    }
    let claims = Claims {
        sub: args.sub,
        exp: (chrono::Utc::now() + chrono::Duration::minutes(args.ttl_minutes)).timestamp(),
        iss: auth.issuer,
        aud: auth.audience,
        roles: args.roles,
        tenant: args.tenant,
        supplier: args.supplier,
    };
    println!("{}", mint_token(&secret, &claims)?);
    Ok(())
}

fn rules(command: RulesCommand) -> anyhow::Result<()> {
    let read = |path: &PathBuf| std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
    match command {
        RulesCommand::Package {
            module,
            fixtures,
            output,
        } => {
            let fixtures = bluelight_rules_package::load_fixtures(&fixtures)?;
            let component = bluelight_rules_package::package(&read(&module)?, &fixtures)?;
            std::fs::write(&output, &component).map_err(|e| anyhow::anyhow!("{}: {e}", output.display()))?;
            println!(
                "{}: {} bytes, {} fixtures",
                output.display(),
                component.len(),
                fixtures.len()
            );
            Ok(())
        }
        RulesCommand::Test { plugin } => {
            let engine = bluelight_rules::RuleEngine::new(bluelight_rules::Limits::default())?;
            let plugin = engine
                .load(&read(&plugin)?)
                .map_err(|e| anyhow::anyhow!("{e} ({})", e.code()))?;
            let info = plugin.info();
            println!(
                "{} {} for {} ({} rules)",
                info.name,
                info.version,
                info.tenant,
                info.rules.len()
            );
            let report = plugin.run_fixtures();
            for result in &report.results {
                match &result.failure {
                    None => println!("  ok    {}", result.name),
                    Some(failure) => println!("  FAIL  {}: {failure}", result.name),
                }
            }
            println!("{} of {} fixtures pass", report.passed, report.total);
            anyhow::ensure!(report.all_passed, "the plugin would not be activated");
            Ok(())
        }
    }
}
