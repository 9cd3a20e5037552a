//! The `xconnect` program: the server (`xconnect serve`), the benchmark (`xconnect bench`) and
//! the client commands, named resource then verb (`xconnect vpc create`).
//!
//! Each resource's commands live in a module of the resource's name (`vpc.rs`, `hub.rs`, ...),
//! its argument enum beside the code that runs it; this file holds the top-level command, the
//! arguments every list and modify shares, the client, and the exit codes.

/// `print!` to standard output, except that a reader that has gone (`xconnect audit list --all
/// | head -1`) ends the program quietly, as it does `ls`, where `print!` would panic.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!($($arg)*)) };
}

/// `println!`, as [`out!`] is `print!`.
macro_rules! outln {
    () => { $crate::output::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

mod admin;
mod agent;
mod attachment;
mod audit;
mod backup;
mod bandwidth_package;
mod bench;
mod bench_analyzer;
mod bench_dataplane;
mod billing;
mod choices;
mod config;
mod configure;
mod connectivity;
mod data_centre_host;
mod doctor;
mod grant;
mod hub;
mod instance;
mod inter_region_bandwidth;
mod lock;
mod order;
mod output;
mod permit;
mod physical_connection;
mod region;
mod route;
mod router_interface;
mod security_group;
mod serve;
mod shared_port;
mod vbr;
mod vpc;
mod vswitch;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, CommandFactory, Parser, Subcommand};
use output::Format;
use xconnect_client::{Client, ClientError};
use xconnect_model::wire::{ListQuery, ModifyRequest, Page};

/// mimalloc instead of the system allocator: the server allocates small, short-lived buffers on
/// every request from several threads at once, where glibc's arenas contend (measured with
/// `xconnect bench api`; see the README's performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What `--version` says: the package version and the commit this binary was built from
/// (`build.rs`), as [`build`] is shown.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("XCONNECT_COMMIT"), ")");

/// This binary's build, which the server sends on every answer and the client compares with
/// the server's.
fn build() -> xconnect_model::version::Build {
    xconnect_model::version::Build::new(env!("CARGO_PKG_VERSION"), env!("XCONNECT_COMMIT"))
}

#[derive(Debug, Parser)]
#[command(
    name = "xconnect",
    version = VERSION,
    about = "Connect private cloud networks across accounts, regions and data centres",
    long_about = "Connect private cloud networks across accounts, regions and data centres.\n\n\
        `xconnect serve` runs the API server. Every other command is a signed client call to it, \
        named resource then verb (`xconnect vpc create`), using the profile written by \
        `xconnect configure` or the XCONNECT_ENDPOINT, XCONNECT_ACCESS_KEY_ID and \
        XCONNECT_ACCESS_KEY_SECRET environment variables."
)]
struct Cli {
    /// The profile of the config file to use.
    #[arg(long, global = true, default_value = "default", env = "XCONNECT_PROFILE")]
    profile: String,
    /// How to print results: a table for people, or the API's own JSON objects for scripts.
    #[arg(long, short = 'o', global = true, value_enum, default_value = "table")]
    output: Format,
    /// Print only these fields of the result (comma-separated, dotted into nested objects),
    /// tab-separated, one line per item of a list: `--query id,vrouter_id`.
    #[arg(long, global = true)]
    query: Option<String>,
    /// How to write the log (standard error): lines for people (coloured only on a terminal,
    /// and not when NO_COLOR is set), or one JSON object a line for a log collector. What is
    /// logged is set by XCONNECT_LOG (e.g. `debug`, `warn,xconnect=info`); `serve` logs each
    /// request at info.
    #[arg(long, global = true, value_enum, default_value = "text", env = "XCONNECT_LOG_FORMAT")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the API server (embedded SQLite in the data directory unless --database names PostgreSQL).
    Serve(serve::ServeArgs),
    /// Write a profile (endpoint and access key) to the config file; `configure list` shows them.
    #[command(long_about = "Write a profile (endpoint and access key) to the config file.\n\n\
        With flags, writes what they say: `xconnect configure --endpoint URL --access-key-id ID \
        --access-key-secret SECRET`, or `--operator-key FILE` for a server's operator key. With none, \
        on a terminal, asks for each (the secret without echo), offering what the profile holds; \
        off a terminal it refuses with exit code 2. `--profile NAME` picks the profile (default: \
        default).\n\n\
        `xconnect configure list` shows every profile with its endpoint and access key id, never \
        its secret.")]
    Configure(configure::ConfigureArgs),
    /// Show the account the current credentials act for.
    Whoami,
    /// Print the completion script of a shell: commands, flags and their choices (protocols,
    /// roles, specs, the shipped catalogue's regions and zones).
    #[command(long_about = "Print the completion script of a shell to standard output: commands, flags and \
        their choices (protocols, roles, specs, and the regions and zones of the catalogue shipped with \
        this binary).\n\n\
        bash: xconnect completions bash > ~/.local/share/bash-completion/completions/xconnect\n\
        zsh:  xconnect completions zsh > ~/.zfunc/_xconnect (with `fpath+=~/.zfunc` before \
        `compinit` in ~/.zshrc)\n\
        fish: xconnect completions fish > ~/.config/fish/completions/xconnect.fish\n\n\
        Then open a new shell.")]
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The region and area catalogue.
    #[command(subcommand)]
    Region(region::RegionCmd),
    /// Operator commands: accounts and access keys.
    #[command(subcommand)]
    Admin(admin::AdminCmd),
    /// VPCs: private networks in one region, each with a VRouter and a route table.
    #[command(subcommand)]
    Vpc(vpc::VpcCmd),
    /// Vswitches: blocks of a VPC in one zone.
    #[command(subcommand)]
    Vswitch(vswitch::VswitchCmd),
    /// Instances: addresses in a vswitch, guarded by security groups.
    #[command(subcommand)]
    Instance(instance::InstanceCmd),
    /// Security groups and their rules.
    #[command(subcommand, name = "security-group")]
    SecurityGroup(security_group::SecurityGroupCmd),
    /// Route tables: the system and custom routes of a VPC.
    #[command(subcommand, name = "route-table")]
    RouteTable(route::RouteTableCmd),
    /// Custom route entries.
    #[command(subcommand, name = "route-entry")]
    RouteEntry(route::RouteEntryCmd),
    /// Router interfaces: the two sides of a peering between two VPCs' VRouters.
    #[command(subcommand, name = "router-interface")]
    RouterInterface(router_interface::RouterInterfaceCmd),
    /// Orders: what your account pays for (an initiator router interface's spec, ...).
    #[command(subcommand)]
    Order(order::OrderCmd),
    /// The bill: monthly statements, the price list, and metered usage (the data plane's).
    #[command(subcommand)]
    Billing(billing::BillingCmd),
    /// Hubs: transit hubs (CEN instances, cloud connections) that networks attach to.
    #[command(subcommand)]
    Hub(hub::HubCmd),
    /// Grants: let another account's hub attach one of your VPCs.
    #[command(subcommand)]
    Grant(grant::GrantCmd),
    /// Attachments: networks attached to a hub, and the blocks they advertise.
    #[command(subcommand)]
    Attachment(attachment::AttachmentCmd),
    /// Bandwidth packages: bandwidth bought between regions of an area, or of two areas.
    #[command(subcommand, name = "bandwidth-package")]
    BandwidthPackage(bandwidth_package::BandwidthPackageCmd),
    /// Inter-region bandwidths: bandwidth between two regions of a hub, from a package.
    #[command(subcommand, name = "inter-region-bandwidth")]
    InterRegionBandwidth(inter_region_bandwidth::InterRegionBandwidthCmd),
    /// Cross-border permits: needed before a package joins the Chinese mainland with another area.
    #[command(subcommand)]
    Permit(permit::PermitCmd),
    /// Physical connections: a partner's ports at access points.
    #[command(subcommand, name = "physical-connection")]
    PhysicalConnection(physical_connection::PhysicalConnectionCmd),
    /// Shared ports: slices of a partner's connection (a VLAN and a bandwidth) pushed to a tenant.
    #[command(subcommand, name = "shared-port")]
    SharedPort(shared_port::SharedPortCmd),
    /// VBRs: a tenant's virtual border router on an accepted shared port.
    #[command(subcommand)]
    Vbr(vbr::VbrCmd),
    /// Hosts of the data centre behind a VBR, to test connectivity from and to.
    #[command(subcommand, name = "data-centre-host")]
    DataCentreHost(data_centre_host::DataCentreHostCmd),
    /// Can one instance (or data centre host) reach an address, and if not, which hop stops it.
    #[command(subcommand)]
    Connectivity(connectivity::ConnectivityCmd),
    /// The audit trail: every change, who made it and how it ended.
    #[command(subcommand)]
    Audit(audit::AuditCmd),
    /// The Linux data plane's agent (operator).
    #[command(subcommand)]
    Agent(agent::AgentCmd),
    /// Check this machine for running the server, the client and the data plane's agent.
    #[command(long_about = "Check this machine for running the server, the client and the data plane's agent, \
        one line per check: ok, warn or fail, and what to do about a warning or a failure. Exits 1 when a \
        check failed.\n\n\
        Checks: running as root (the agent needs it; a warning otherwise); the programs the agent runs (nft, \
        tc, conntrack: a failure when missing) and the ones people run beside it (ip, ping, iperf3), each with \
        its Debian package; the kernel features the agent uses (network namespaces, veth, 802.1Q, htb, \
        nftables with conntrack), as root tried for real in a scratch namespace (xcd-PID, deleted \
        again), else looked up in the kernel's module lists; and the server of the profile: it answers \
        GET /healthz, its clock is near this one (it refuses requests more than 15 minutes off), which build \
        it runs, and whether it accepts the profile's key (a signed whoami).\n\n\
        --output json prints an array of {check, status, detail, fix}; `--query check,status` one \
        line per check.")]
    Doctor,
    /// Benchmarks.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Items per page (1 to 100).
    #[arg(long)]
    max_results: Option<u32>,
    /// Where the previous page ended.
    #[arg(long)]
    next_token: Option<String>,
    /// Fetch every page.
    #[arg(long, conflicts_with = "next_token")]
    all: bool,
    /// Operator only: resources of this account.
    #[arg(long)]
    account: Option<String>,
}

impl ListArgs {
    fn query(&self) -> ListQuery {
        ListQuery {
            max_results: self.max_results,
            next_token: self.next_token.clone(),
            account_id: self.account.clone(),
            ..Default::default()
        }
    }
}

#[derive(Debug, Args)]
struct ModifyArgs {
    id: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    description: Option<String>,
}

impl ModifyArgs {
    fn request(&self) -> ModifyRequest {
        ModifyRequest { name: self.name.clone(), description: self.description.clone() }
    }
}

/// A connectivity test that answered "unreachable": not a failure of the command, but a verdict
/// a script can tell apart by the exit code.
#[derive(Debug)]
struct Unreachable;

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unreachable")
    }
}

impl std::error::Error for Unreachable {}

/// The exit code of an unreachable verdict.
const EXIT_UNREACHABLE: u8 = 3;

/// A command given too little to go on (`configure` with no flags, off a terminal): refused
/// with the exit code clap gives a usage error, so that a script tells it from a failed request.
#[derive(Debug)]
struct Usage(String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// The exit code of a usage error, clap's.
const EXIT_USAGE: u8 = 2;

/// A command run for the caller (`instance exec`) that failed: its exit code is passed on.
#[derive(Debug)]
struct CommandFailed(i32);

impl std::fmt::Display for CommandFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the command exited with {}", self.0)
    }
}

impl std::error::Error for CommandFailed {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Starts the log: `format` on standard error, filtered by XCONNECT_LOG. By default the program's
/// own messages from info up and others' warnings; the line per request only from `serve` (the
/// benchmark serves in-process, where a line per request would be the run's whole output).
fn start_log(format: LogFormat, serving: bool) {
    use std::io::IsTerminal;
    let default = if serving { "warn,xconnect=info" } else { "warn,xconnect=info,xconnect::request=warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("XCONNECT_LOG").unwrap_or_else(|_| default.into());
    let log = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => {
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            log.with_ansi(colour).init();
        }
        // Flattened, so a line reads {"timestamp":…,"level":…,"request_id":…,"status":…}.
        LogFormat::Json => log.json().flatten_event(true).with_ansi(false).init(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    start_log(cli.log_format, matches!(cli.command, Command::Serve(_)));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime starts");
    let mut cli = cli;
    if let Some(q) = &cli.query {
        output::set_query(q);
        cli.output = Format::Json;
    }
    let format = cli.output;
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<Unreachable>().is_some() => ExitCode::from(EXIT_UNREACHABLE),
        Err(e) if e.downcast_ref::<Usage>().is_some() => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
        // The doctor has said which check failed and what to do.
        Err(e) if e.downcast_ref::<doctor::ChecksFailed>().is_some() => ExitCode::FAILURE,
        Err(e) if e.downcast_ref::<CommandFailed>().is_some() => {
            let CommandFailed(code) = e.downcast_ref::<CommandFailed>().expect("matched above");
            ExitCode::from(u8::try_from(*code).unwrap_or(1))
        }
        Err(e) => {
            match e.downcast_ref::<ClientError>() {
                Some(ClientError::Api { body, .. }) if format == Format::Json => {
                    eprintln!("{}", serde_json::to_string_pretty(body).expect("error bodies serialize"));
                }
                Some(ClientError::Api { body, .. }) => {
                    eprintln!("error: {}: {} (request {})", body.code, body.message, body.request_id);
                }
                _ => eprintln!("error: {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

async fn client(profile: &str) -> Result<Client> {
    Ok(Client::new(config::credentials(profile)?)?.warning_of_other_builds(build()))
}

/// Prints a list: every page when `--all` is given, else the one asked for.
async fn print_pages<T: output::Row + serde::Serialize>(
    f: Format,
    list: &ListArgs,
    mut q: ListQuery,
    fetch: impl AsyncFn(&ListQuery) -> Result<Page<T>, ClientError>,
) -> Result<()> {
    if !list.all {
        output::page(f, &fetch(&q).await?);
        return Ok(());
    }
    let mut items = Vec::new();
    loop {
        let p = fetch(&q).await?;
        items.extend(p.items);
        match p.next_token {
            Some(t) => q.next_token = Some(t),
            None => break,
        }
    }
    output::page(f, &Page { items, next_token: None });
    Ok(())
}

async fn run(cli: Cli) -> Result<()> {
    let f = cli.output;
    let profile = cli.profile.as_str();
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Bench(cmd) => bench::run(cmd, f).await,
        Command::Configure(args) => configure::run(profile, f, args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "xconnect", &mut script);
            out!("{}", String::from_utf8(script).expect("completion scripts are UTF-8"));
            Ok(())
        }
        Command::Whoami => {
            output::one(f, &client(profile).await?.caller().await?);
            Ok(())
        }
        Command::Region(cmd) => region::run(&client(profile).await?, f, cmd).await,
        Command::Admin(cmd) => admin::run(profile, f, cmd).await,
        Command::Vpc(cmd) => vpc::run(&client(profile).await?, f, cmd).await,
        Command::Vswitch(cmd) => vswitch::run(&client(profile).await?, f, cmd).await,
        Command::Instance(cmd) => instance::run(&client(profile).await?, f, cmd).await,
        Command::SecurityGroup(cmd) => security_group::run(&client(profile).await?, f, cmd).await,
        Command::RouteTable(cmd) => route::run_table(&client(profile).await?, f, cmd).await,
        Command::RouteEntry(cmd) => route::run_entry(&client(profile).await?, f, cmd).await,
        Command::RouterInterface(cmd) => router_interface::run(&client(profile).await?, f, cmd).await,
        Command::Order(cmd) => order::run(&client(profile).await?, f, cmd).await,
        Command::Billing(cmd) => billing::run(&client(profile).await?, f, cmd).await,
        Command::Hub(cmd) => hub::run(&client(profile).await?, f, cmd).await,
        Command::Grant(cmd) => grant::run(&client(profile).await?, f, cmd).await,
        Command::Attachment(cmd) => attachment::run(&client(profile).await?, f, cmd).await,
        Command::BandwidthPackage(cmd) => bandwidth_package::run(&client(profile).await?, f, cmd).await,
        Command::InterRegionBandwidth(cmd) => inter_region_bandwidth::run(&client(profile).await?, f, cmd).await,
        Command::Permit(cmd) => permit::run(&client(profile).await?, f, cmd).await,
        Command::PhysicalConnection(cmd) => physical_connection::run(&client(profile).await?, f, cmd).await,
        Command::SharedPort(cmd) => shared_port::run(&client(profile).await?, f, cmd).await,
        Command::Vbr(cmd) => vbr::run(&client(profile).await?, f, cmd).await,
        Command::DataCentreHost(cmd) => data_centre_host::run(&client(profile).await?, f, cmd).await,
        Command::Connectivity(cmd) => connectivity::run(&client(profile).await?, f, cmd).await,
        Command::Audit(cmd) => audit::run(&client(profile).await?, f, cmd).await,
        // The agent makes its client itself: `agent teardown` works without one.
        Command::Agent(cmd) => agent::run(profile, f, cmd).await,
        // So does the doctor: it checks the profile, with or without a key.
        Command::Doctor => doctor::run(profile, f).await,
    }
}
