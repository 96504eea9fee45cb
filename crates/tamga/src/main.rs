//! `tamga`: the one binary. Serve the API, run the demo, manage users, verify the audit
//! log, run the benchmarks. The command line is CONTRACT.md's; everything else lives in
//! the library crates.

mod commands;

// The server allocates many small strings and JSON values per request; glibc's malloc
// showed up as a sixth of lodging's CPU time, mimalloc is several times cheaper.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

const DEFAULT_DB: &str = "sqlite://tamga.db";

#[derive(Parser)]
#[command(name = "tamga", version, about = "Tamga: an open e-customs platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[arg(long, env = "TAMGA_DATABASE_URL", default_value = DEFAULT_DB)]
        database: String,
        /// A reverse proxy (IP address) whose X-Forwarded-Proto/-For and Forwarded headers
        /// are believed; repeatable. From any other peer these headers are ignored.
        #[arg(
            long = "trusted-proxy",
            env = "TAMGA_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<std::net::IpAddr>,
    },
    /// Run the server with demo users and a stream of simulated trade.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[arg(
            long,
            env = "TAMGA_DATABASE_URL",
            default_value = "sqlite://tamga-demo.db"
        )]
        database: String,
        /// Simulated declarations per second.
        #[arg(long, default_value_t = 5.0)]
        rate: f64,
        /// Seed of the simulated economy (same seed, same traders and goods).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Hidden share of fraudulent declarations (0.01 to 0.08).
        #[arg(long, default_value_t = 0.04)]
        fraud_rate: f64,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the hash-chained audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The customs tariff (CONTRACT.md's columns).
    Tariff {
        #[command(subcommand)]
        command: TableCommand,
    },
    /// Exchange rates (`date,currency,rate`).
    Rates {
        #[command(subcommand)]
        command: TableCommand,
    },
    /// Benchmarks (results end with one `RESULT key=value …` line).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum TableCommand {
    /// Load a CSV file; a bad file is refused with line-numbered errors and changes nothing.
    Import {
        file: std::path::PathBuf,
        #[arg(long, env = "TAMGA_DATABASE_URL", default_value = DEFAULT_DB)]
        database: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prints its API token alone on the last line.
    Add {
        #[arg(long)]
        name: String,
        /// trader, officer, analyst, auditor or admin
        #[arg(long)]
        role: String,
        /// The trader's party (tax id).
        #[arg(long)]
        party: Option<String>,
        /// The officer's customs office.
        #[arg(long)]
        office: Option<String>,
        /// Read a console password from standard input.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, env = "TAMGA_DATABASE_URL", default_value = DEFAULT_DB)]
        database: String,
    },
    /// Revoke a user's API token (no new one is issued); running servers refuse it within
    /// 2 seconds. The console password, if any, still works.
    Revoke {
        #[arg(long)]
        name: String,
        #[arg(long, env = "TAMGA_DATABASE_URL", default_value = DEFAULT_DB)]
        database: String,
    },
    /// Remove a user; running servers refuse its token and end its console sessions within
    /// 2 seconds. What it did stays in the log.
    Remove {
        #[arg(long)]
        name: String,
        #[arg(long, env = "TAMGA_DATABASE_URL", default_value = DEFAULT_DB)]
        database: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the event log, check signed checkpoints, rebuild the state from the events and
    /// compare it with the tables; exit 1 naming the first broken event or each mismatch.
    Verify {
        #[arg(long, env = "TAMGA_DATABASE_URL", default_value = DEFAULT_DB)]
        database: String,
        /// The checkpoint signers' public key (64 hex digits); every checkpoint must be its.
        #[arg(long, env = "TAMGA_AUDIT_PUBLIC_KEY")]
        public_key: Option<String>,
        /// Checkpoints exported earlier (`tamga audit export`) and held outside the database.
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
        /// Signing key: when given, a verify that passes signs a checkpoint of the head.
        #[arg(long, env = "TAMGA_AUDIT_KEY_FILE")]
        audit_key: Option<std::path::PathBuf>,
    },
    /// Create a signing key: writes its seed (hex) to FILE and prints the public key.
    Keygen {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Sign a checkpoint of the event log's head now.
    Checkpoint {
        #[arg(long, env = "TAMGA_DATABASE_URL", default_value = DEFAULT_DB)]
        database: String,
        #[arg(long, env = "TAMGA_AUDIT_KEY_FILE")]
        audit_key: std::path::PathBuf,
    },
    /// Print the signed checkpoints as JSON lines (to FILE with --out), to keep elsewhere.
    Export {
        #[arg(long, env = "TAMGA_DATABASE_URL", default_value = DEFAULT_DB)]
        database: String,
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Declarations lodged per second over HTTP (5 items each, durable commit).
    Lodge {
        /// Database to lodge into; default a fresh SQLite file in a temporary folder.
        #[arg(long)]
        database: Option<String>,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Concurrent clients in the peak phase.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Skip the duties-and-taxes calculation (a baseline to measure its cost).
        #[arg(long)]
        without_taxes: bool,
        /// Also measure p50/p99 at this fixed rate (declarations/s), after the half-peak
        /// phase: latency at a stated load, comparable across machines and commits.
        #[arg(long)]
        latency_rate: Option<f64>,
        /// Instead: the peak with and without taxes, two servers loaded in alternating
        /// turns (ABBA…), and the cost in percent (SQLite only).
        #[arg(long, conflicts_with_all = ["database", "without_taxes", "latency_rate"])]
        taxes_cost: bool,
        /// Turns per server in `--taxes-cost`.
        #[arg(long, default_value_t = 8, requires = "taxes_cost")]
        rounds: usize,
    },
    /// Risk assessments per second on one core against N active profiles (5 items each).
    Risk {
        #[arg(long, default_value_t = 1000)]
        profiles: usize,
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    use std::process::ExitCode;
    match cli.command {
        Command::Serve {
            addr,
            database,
            trusted_proxies,
        } => {
            commands::init_logging();
            commands::serve::run(&addr, &database, trusted_proxies).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            addr,
            database,
            rate,
            seed,
            fraud_rate,
        } => {
            commands::init_logging();
            commands::demo::run(&addr, &database, rate, seed, fraud_rate).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Add {
                    name,
                    role,
                    party,
                    office,
                    password_stdin,
                    database,
                },
        } => {
            commands::user::add(&database, name, role, party, office, password_stdin).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command: UserCommand::Revoke { name, database },
        } => {
            commands::user::revoke(&database, &name).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command: UserCommand::Remove { name, database },
        } => {
            commands::user::remove(&database, &name).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    database,
                    public_key,
                    checkpoints,
                    audit_key,
                },
        } => {
            commands::audit::verify(
                &database,
                public_key.as_deref(),
                checkpoints.as_deref(),
                audit_key.as_deref(),
            )
            .await
        }
        Command::Audit {
            command: AuditCommand::Keygen { out },
        } => commands::audit::keygen(&out),
        Command::Audit {
            command:
                AuditCommand::Checkpoint {
                    database,
                    audit_key,
                },
        } => commands::audit::checkpoint(&database, &audit_key).await,
        Command::Audit {
            command: AuditCommand::Export { database, out },
        } => commands::audit::export(&database, out.as_deref()).await,
        Command::Tariff {
            command: TableCommand::Import { file, database },
        } => commands::tables::import(&database, &file, commands::tables::Table::Tariff).await,
        Command::Rates {
            command: TableCommand::Import { file, database },
        } => commands::tables::import(&database, &file, commands::tables::Table::Rates).await,
        Command::Bench {
            command: BenchCommand::Risk { profiles, seconds },
        } => {
            anyhow::ensure!(
                seconds > 0.0 && profiles > 0,
                "--profiles and --seconds must be positive"
            );
            // One core, as the target says: the engine is pure, so one blocking thread measures it.
            let result =
                tokio::task::spawn_blocking(move || commands::bench_risk::run(profiles, seconds))
                    .await??;
            println!("{result}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            command:
                BenchCommand::Lodge {
                    database,
                    seconds,
                    clients,
                    without_taxes,
                    latency_rate,
                    taxes_cost,
                    rounds,
                },
        } => {
            if taxes_cost {
                commands::bench_lodge::taxes_cost(seconds, clients, rounds).await?;
                return Ok(ExitCode::SUCCESS);
            }
            commands::bench_lodge::run(
                database.as_deref(),
                seconds,
                clients,
                !without_taxes,
                latency_rate,
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
