//! The `xconnect` program: the server (`xconnect serve`), the benchmark (`xconnect bench`) and
//! the client commands, named resource then verb (`xconnect vpc create`).

mod bench;
mod bench_analyzer;
mod bench_dataplane;
mod config;
mod output;
mod serve;

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use output::Format;
use xconnect_client::{Client, ClientError};
use xconnect_model::wire::*;

/// mimalloc instead of the system allocator: the server allocates small, short-lived buffers on
/// every request from several threads at once, where glibc's arenas contend (measured with
/// `xconnect bench api`; see the README's performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "xconnect",
    version,
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
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the API server (embedded SQLite in the data directory unless --database names PostgreSQL).
    Serve(serve::ServeArgs),
    /// Write a profile (endpoint and access key) to the config file.
    Configure(ConfigureArgs),
    /// Show the account the current credentials act for.
    Whoami,
    /// The region and area catalogue.
    #[command(subcommand)]
    Region(RegionCmd),
    /// Operator commands: accounts and access keys.
    #[command(subcommand)]
    Admin(AdminCmd),
    /// VPCs: private networks in one region, each with a VRouter and a route table.
    #[command(subcommand)]
    Vpc(VpcCmd),
    /// Vswitches: blocks of a VPC in one zone.
    #[command(subcommand)]
    Vswitch(VswitchCmd),
    /// Instances: addresses in a vswitch, guarded by security groups.
    #[command(subcommand)]
    Instance(InstanceCmd),
    /// Security groups and their rules.
    #[command(subcommand, name = "security-group")]
    SecurityGroup(SecurityGroupCmd),
    /// Route tables: the system and custom routes of a VPC.
    #[command(subcommand, name = "route-table")]
    RouteTable(RouteTableCmd),
    /// Custom route entries.
    #[command(subcommand, name = "route-entry")]
    RouteEntry(RouteEntryCmd),
    /// Router interfaces: the two sides of a peering between two VPCs' VRouters.
    #[command(subcommand, name = "router-interface")]
    RouterInterface(RouterInterfaceCmd),
    /// Orders: what your account pays for (an initiator router interface's spec, ...).
    #[command(subcommand)]
    Order(OrderCmd),
    /// The bill: monthly statements, the price list, and metered usage (the data plane's).
    #[command(subcommand)]
    Billing(BillingCmd),
    /// Hubs: transit hubs (CEN instances, cloud connections) that networks attach to.
    #[command(subcommand)]
    Hub(HubCmd),
    /// Grants: let another account's hub attach one of your VPCs.
    #[command(subcommand)]
    Grant(GrantCmd),
    /// Attachments: networks attached to a hub, and the blocks they advertise.
    #[command(subcommand)]
    Attachment(AttachmentCmd),
    /// Bandwidth packages: bandwidth bought between regions of an area, or of two areas.
    #[command(subcommand, name = "bandwidth-package")]
    BandwidthPackage(PackageCmd),
    /// Inter-region bandwidths: bandwidth between two regions of a hub, from a package.
    #[command(subcommand, name = "inter-region-bandwidth")]
    InterRegionBandwidth(IrbCmd),
    /// Cross-border permits: needed before a package joins the Chinese mainland with another area.
    #[command(subcommand)]
    Permit(PermitCmd),
    /// Physical connections: a partner's ports at access points.
    #[command(subcommand, name = "physical-connection")]
    PhysicalConnection(ConnectionCmd),
    /// Shared ports: slices of a partner's connection (a VLAN and a bandwidth) pushed to a tenant.
    #[command(subcommand, name = "shared-port")]
    SharedPort(PortCmd),
    /// VBRs: a tenant's virtual border router on an accepted shared port.
    #[command(subcommand)]
    Vbr(VbrCmd),
    /// Hosts of the data centre behind a VBR, to test connectivity from and to.
    #[command(subcommand, name = "data-centre-host")]
    DataCentreHost(HostCmd),
    /// Can one instance (or data centre host) reach an address, and if not, which hop stops it.
    #[command(subcommand)]
    Connectivity(ConnectivityCmd),
    /// The audit trail: every change, who made it and how it ended.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// The Linux data plane's agent (operator).
    #[command(subcommand)]
    Agent(AgentCmd),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
}

#[derive(Debug, Args)]
struct ConfigureArgs {
    /// e.g. http://127.0.0.1:7878
    #[arg(long)]
    endpoint: Option<String>,
    #[arg(long)]
    access_key_id: Option<String>,
    #[arg(long)]
    access_key_secret: Option<String>,
    /// Take the key from a server's operator.key file.
    #[arg(long, conflicts_with_all = ["access_key_id", "access_key_secret"])]
    operator_key: Option<std::path::PathBuf>,
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

#[derive(Debug, Subcommand)]
enum RegionCmd {
    /// Every region with its area, zones and the other clouds' ids for it.
    List,
}

#[derive(Debug, Subcommand)]
enum AdminCmd {
    /// Tenant and partner accounts.
    #[command(subcommand)]
    Account(AdminAccountCmd),
    /// Access keys of accounts.
    #[command(subcommand, name = "access-key")]
    AccessKey(AdminKeyCmd),
    /// The service's clock, which package terms run on.
    #[command(subcommand)]
    Clock(AdminClockCmd),
}

#[derive(Debug, Subcommand)]
enum AdminClockCmd {
    /// The service's clock: the real time plus the offset the operator added.
    Get,
    /// Move the clock ahead (operator only), for trying out terms and expiry.
    Advance {
        #[arg(long, default_value_t = 0)]
        days: i64,
        #[arg(long, default_value_t = 0)]
        seconds: i64,
    },
}

#[derive(Debug, Subcommand)]
enum AdminAccountCmd {
    /// Create a tenant or partner account; prints its id and first access key (shown once).
    Create {
        /// tenant or partner.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        /// Also write the new key to this profile of the config file, with the current endpoint.
        #[arg(long)]
        save_profile: Option<String>,
    },
    /// Show one account by id.
    Get { id: String },
    /// List your accounts (operator only), a page at a time (--all for every page).
    List(ListArgs),
}

#[derive(Debug, Subcommand)]
enum AdminKeyCmd {
    /// Another access key for an account (the secret is shown once).
    Create {
        #[arg(long)]
        account: String,
    },
    /// List an account's access keys (never their secrets).
    List {
        #[arg(long)]
        account: String,
    },
}

#[derive(Debug, Subcommand)]
enum VpcCmd {
    /// Create a VPC: `xconnect vpc create --region cn-qingdao --cidr 192.168.0.0/16 --name vpc1`
    Create {
        /// Region id, alias (huawei:cn-north-4) or display name (China (Qingdao)).
        #[arg(long)]
        region: String,
        /// IPv4, /8 to /28.
        #[arg(long)]
        cidr: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Repeating a create with the same token returns the first result.
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one VPC by id.
    Get { id: String },
    /// List your VPCs, a page at a time (--all for every page).
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    /// Change a VPC's name or description.
    Modify(ModifyArgs),
    /// Delete a VPC (refused while anything lives in it).
    Delete { id: String },
}

#[derive(Debug, Subcommand)]
enum VswitchCmd {
    /// Create a vswitch: a block inside the VPC's, in one zone of its region.
    Create {
        #[arg(long)]
        vpc: String,
        #[arg(long)]
        zone: String,
        #[arg(long)]
        cidr: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one vswitch by id.
    Get { id: String },
    /// List your vswitches, a page at a time (--all for every page).
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        vpc: Option<String>,
        #[arg(long)]
        region: Option<String>,
    },
    /// Change a vswitch's name or description.
    Modify(ModifyArgs),
    /// Delete a vswitch.
    Delete { id: String },
}

#[derive(Debug, Subcommand)]
enum InstanceCmd {
    /// Create an instance in a vswitch, in one to five security groups of its VPC.
    Create {
        #[arg(long)]
        vswitch: String,
        /// Security group ids, repeated or comma-separated.
        #[arg(long = "security-group", value_delimiter = ',', required = true)]
        security_groups: Vec<String>,
        /// An address of the vswitch; the lowest free one when absent.
        #[arg(long)]
        private_ip: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one instance by id.
    Get { id: String },
    /// List your instances, a page at a time (--all for every page).
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        vpc: Option<String>,
        #[arg(long)]
        region: Option<String>,
    },
    /// Rename an instance or replace its security groups.
    Modify {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long = "security-group", value_delimiter = ',')]
        security_groups: Option<Vec<String>>,
    },
    /// Delete an instance.
    Delete { id: String },
    /// Run a command inside the instance's namespace on the agent's host (as root):
    /// `xconnect instance exec i-... -- ping -c 3 172.16.100.10`. Exits with the command's status.
    Exec {
        id: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        command: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum SecurityGroupCmd {
    /// Create a security group in a VPC: inbound denied, outbound allowed until rules say more.
    Create {
        #[arg(long)]
        vpc: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one security group by id.
    Get { id: String },
    /// List your security groups, a page at a time (--all for every page).
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        vpc: Option<String>,
        #[arg(long)]
        region: Option<String>,
    },
    /// Change a security group's name or description.
    Modify(ModifyArgs),
    /// Delete a security group.
    Delete { id: String },
    /// Add a rule: `--direction ingress --protocol icmp --cidr 172.16.0.0/12`, or a group peer
    /// with `--peer-group sg-... [--peer-account acc-...]` (same region only).
    RuleAdd {
        /// The security group.
        id: String,
        #[arg(long)]
        direction: String,
        /// tcp, udp, icmp or all.
        #[arg(long)]
        protocol: String,
        /// from/to, for tcp and udp.
        #[arg(long)]
        port_range: Option<String>,
        #[arg(long)]
        cidr: Option<String>,
        #[arg(long)]
        peer_group: Option<String>,
        #[arg(long)]
        peer_account: Option<String>,
        /// 1 (first) to 100 (last).
        #[arg(long)]
        priority: Option<i64>,
        /// accept or drop.
        #[arg(long)]
        policy: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// List a security group's rules.
    RuleList {
        id: String,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Delete one rule of a security group.
    RuleDelete { id: String, rule: String },
}

#[derive(Debug, Subcommand)]
enum RouteTableCmd {
    /// A route table with its system and custom routes.
    Get { id: String },
}

#[derive(Debug, Subcommand)]
enum RouteEntryCmd {
    /// Add a custom route: `--route-table vtb-... --destination 172.16.0.0/16 --next-hop ri-...`, or
    /// `--next-hop-type blackhole`.
    Create {
        #[arg(long)]
        route_table: String,
        #[arg(long)]
        destination: String,
        /// router_interface or blackhole; taken from --next-hop's id when left out.
        #[arg(long)]
        next_hop_type: Option<String>,
        /// The next hop's id: a router interface of the same VRouter (ri-...).
        #[arg(long = "next-hop")]
        next_hop_id: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one custom route entry by id.
    Get { id: String },
    /// List your custom route entries, a page at a time (--all for every page).
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        route_table: Option<String>,
        #[arg(long)]
        vpc: Option<String>,
    },
    /// Change a custom route entry's name or description.
    Modify {
        id: String,
        #[arg(long)]
        description: String,
    },
    /// Delete a custom route entry.
    Delete { id: String },
}

#[derive(Debug, Subcommand)]
enum RouterInterfaceCmd {
    /// Create one side of a peering in a VPC's VRouter.
    ///
    /// The initiator chooses the spec and pays for it:
    /// `--vpc vpc-... --role initiator --peer-region cn-beijing --spec Mini.2`. The acceptor's spec
    /// follows the initiator's: `--vpc vpc-... --role acceptor --peer-region cn-qingdao`.
    Create {
        #[arg(long)]
        vpc: String,
        /// The local region (the VPC's), as the consoles ask for it; checked against the VPC.
        #[arg(long)]
        region: Option<String>,
        /// initiator or acceptor.
        #[arg(long)]
        role: String,
        /// The region of the VPC on the other side.
        #[arg(long)]
        peer_region: String,
        /// Initiator only: Mini.2, Mini.5, Small.1, Small.2, Small.5, Middle.1, Middle.2, Middle.5,
        /// Large.1, Large.2 or Xlarge.1 (2 to 10,000 Mbit/s).
        #[arg(long)]
        spec: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Name the other side: its account, VRouter and interface (while Idle).
    SetPeer {
        id: String,
        #[arg(long)]
        peer_account: String,
        #[arg(long)]
        peer_vrouter: String,
        #[arg(long)]
        peer_interface: String,
        /// Change the peer region given at creation.
        #[arg(long)]
        peer_region: Option<String>,
    },
    /// Initiator only: connect the pair; both sides become Active.
    Connect { id: String },
    /// Take an Active side out of service; the pair carries nothing until it is activated.
    Deactivate { id: String },
    /// Put an Inactive side back in service.
    Activate { id: String },
    /// Show one router interface by id.
    Get { id: String },
    /// List your router interfaces, a page at a time (--all for every page).
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        vpc: Option<String>,
        #[arg(long)]
        region: Option<String>,
        /// Idle, Active, Inactive...
        #[arg(long)]
        status: Option<String>,
        /// initiator or acceptor.
        #[arg(long)]
        role: Option<String>,
    },
    /// Change a router interface's name or description.
    Modify(ModifyArgs),
    /// Delete a router interface (refused while Active or while routes use it).
    Delete { id: String },
}

#[derive(Debug, Subcommand)]
enum HubCmd {
    /// Create a hub: `--name CC_01 [--enterprise-project default]`.
    Create {
        /// 1 to 64 letters, digits, '_', '-', '.'.
        #[arg(long)]
        name: String,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        enterprise_project: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one hub by id.
    Get { id: String },
    /// List your hubs.
    List {
        #[command(flatten)]
        list: ListArgs,
    },
    /// Change a hub's name or description.
    Modify(ModifyArgs),
    /// Delete a hub (refused while networks are attached).
    Delete { id: String },
}

#[derive(Debug, Subcommand)]
enum GrantCmd {
    /// Let another account's hub attach one of your networks: `--vpc vpc-... --hub hub-... --grantee acc-...`
    /// (or `--vbr vbr-...`).
    Create {
        /// The VPC or VBR.
        #[arg(long = "network", visible_aliases = ["vpc", "vbr"])]
        vpc: String,
        /// The VPC's region, as the consoles ask for it; checked against the VPC.
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        hub: String,
        /// The hub's owner.
        #[arg(long)]
        grantee: String,
        #[arg(long)]
        remarks: Option<String>,
    },
    /// Show one grant you gave or received.
    Get { id: String },
    /// The grants you gave, or with --received the ones given to you.
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        received: bool,
    },
    /// Revoke a grant (refused while the VPC is attached under it).
    Delete { id: String },
}

#[derive(Debug, Subcommand)]
enum AttachmentCmd {
    /// Attach a network (a VPC or a VBR) to your hub: yours, or another account's that granted the
    /// hub (`--owner acc-...`).
    Create {
        #[arg(long)]
        hub: String,
        /// The VPC or VBR.
        #[arg(long = "network", visible_aliases = ["vpc", "vbr"])]
        vpc: String,
        /// The VPC's owner, when it is another account.
        #[arg(long)]
        owner: Option<String>,
        /// The VPC's region, as the consoles ask for it; checked against the VPC.
        #[arg(long)]
        region: Option<String>,
        /// Blocks to advertise, comma-separated, inside the network's; by default its own blocks (a
        /// VPC's vswitches, a VBR's data centre routes) as they are.
        #[arg(long, value_delimiter = ',')]
        cidr_blocks: Option<Vec<String>>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Show one attachment of your hubs or networks.
    Get { id: String },
    /// The attachments of your hubs and of your networks.
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        hub: Option<String>,
    },
    /// Detach a network (the hub's owner or the network's may).
    Delete { id: String },
}

#[derive(Debug, Subcommand)]
enum PackageCmd {
    /// Buy a package: `--name daikuaibao1 --bandwidth 50 --area chinese-mainland --billing-mode monthly --period 1`.
    ///
    /// Give --area twice for a package between two areas (across the border of the Chinese
    /// mainland, only with an approved cross-border permit). The package waits for payment
    /// (`xconnect bandwidth-package pay`); with --hub it is bound to that hub when paid.
    Create {
        #[arg(long)]
        name: String,
        /// Mbit/s, 1 to 10,000.
        #[arg(long)]
        bandwidth: i64,
        /// An area id or name; twice for a package between two areas.
        #[arg(long = "area", required = true)]
        areas: Vec<String>,
        /// monthly or yearly (prepaid).
        #[arg(long, default_value = "monthly")]
        billing_mode: String,
        /// Months (1 to 11) or years (1 to 3) per term.
        #[arg(long, default_value_t = 1)]
        period: i64,
        #[arg(long)]
        auto_renew: bool,
        /// Bind to this hub when paid.
        #[arg(long)]
        hub: Option<String>,
        #[arg(long)]
        enterprise_project: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        client_token: Option<String>,
    },
    /// Pay for a package: Normal for its term (and bound to the hub it was bought for).
    Pay { id: String },
    /// Bind a Normal package to your hub (one per hub for each area pair).
    Bind {
        id: String,
        #[arg(long)]
        hub: String,
    },
    /// Unbind a package from its hub (refused while inter-region bandwidths use it).
    Unbind { id: String },
    /// Show one package, as it stands now.
    Get { id: String },
    /// List your packages.
    List {
        #[command(flatten)]
        list: ListArgs,
    },
    /// Change a package's name, description or auto-renewal.
    Modify {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// true or false.
        #[arg(long)]
        auto_renew: Option<bool>,
    },
}

#[derive(Debug, Subcommand)]
enum IrbCmd {
    /// Assign bandwidth between two regions of a hub from a package bound to it.
    Create {
        #[arg(long)]
        hub: String,
        #[arg(long)]
        package: String,
        /// A region; give it twice.
        #[arg(long = "region", num_args = 1, required = true)]
        regions: Vec<String>,
        /// Mbit/s.
        #[arg(long)]
        bandwidth: i64,
    },
    /// Change an inter-region bandwidth, up or down.
    Modify {
        id: String,
        #[arg(long)]
        bandwidth: i64,
    },
    /// Show one inter-region bandwidth.
    Get { id: String },
    /// List your inter-region bandwidths.
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        hub: Option<String>,
    },
    /// Delete an inter-region bandwidth.
    Delete { id: String },
}

#[derive(Debug, Subcommand)]
enum PermitCmd {
    /// Apply for a cross-border permit with the signed documents (files, uploaded with their SHA-256).
    Apply {
        #[arg(long)]
        enterprise: String,
        #[arg(long)]
        representative: String,
        /// A signed document's file; repeat for each.
        #[arg(long = "document", required = true)]
        documents: Vec<std::path::PathBuf>,
    },
    /// Show one application.
    Get { id: String },
    /// Your applications (the operator's: every account's).
    List {
        #[command(flatten)]
        list: ListArgs,
    },
    /// Operator only: approve an application pending approval.
    Approve { id: String },
    /// Operator only: reject an application pending approval, saying why.
    Reject {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
enum ConnectionCmd {
    /// Partner only: a physical connection at an access point.
    Create {
        #[arg(long)]
        name: String,
        /// The access point's name, e.g. "Equinix DC11".
        #[arg(long)]
        access_point: String,
        #[arg(long)]
        region: String,
        /// 1000Base-T, 1000Base-LX, 10GBase-T, 10GBase-LR, 40GBase-LR or 100GBase-LR.
        #[arg(long, default_value = "10GBase-LR")]
        port_type: String,
        /// Mbit/s, up to the port's line rate.
        #[arg(long)]
        bandwidth: i64,
    },
    /// Show one of your physical connections.
    Get { id: String },
    /// List your physical connections.
    List {
        #[command(flatten)]
        list: ListArgs,
    },
}

#[derive(Debug, Subcommand)]
enum PortCmd {
    /// Partner only: push a shared port to a tenant: `--connection pc-... --tenant acc-... --vlan 100 --bandwidth 50`.
    Create {
        #[arg(long)]
        connection: String,
        #[arg(long)]
        tenant: String,
        /// 0 to 2999, unique on the connection.
        #[arg(long)]
        vlan: i64,
        /// Mbit/s; the ports of a connection never exceed it.
        #[arg(long)]
        bandwidth: i64,
    },
    /// The tenant accepts a shared port pushed to it.
    Accept { id: String },
    /// The tenant declines a shared port (its VLAN id and bandwidth are freed).
    Decline { id: String },
    /// Show one shared port you made or were given.
    Get { id: String },
    /// The shared ports you made (a partner) or were given (a tenant).
    List {
        #[command(flatten)]
        list: ListArgs,
    },
}

#[derive(Debug, Subcommand)]
enum VbrCmd {
    /// A VBR on an accepted shared port; it inherits the port's VLAN id.
    ///
    /// `--port sp-... --local-gateway 10.0.0.1 --peer-gateway 10.0.0.2 --peering-subnet 10.0.0.0/30
    /// --route 10.10.0.0/16` (the data centre's blocks, repeated).
    Create {
        #[arg(long)]
        port: String,
        /// Only to check: a VBR's VLAN id is its port's and cannot be chosen.
        #[arg(long)]
        vlan: Option<i64>,
        #[arg(long)]
        local_gateway: String,
        #[arg(long)]
        peer_gateway: String,
        #[arg(long)]
        peering_subnet: String,
        /// A data centre block, routed to it through the port; repeat for each.
        #[arg(long = "route")]
        routes: Vec<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Show one VBR.
    Get { id: String },
    /// List your VBRs.
    List {
        #[command(flatten)]
        list: ListArgs,
    },
    /// Change a VBR's name, description or data centre routes (its VLAN id never changes).
    Modify {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Refused unless it is the VBR's own VLAN id: it can never be changed.
        #[arg(long)]
        vlan: Option<i64>,
        /// Replaces the data centre routes; repeat for each.
        #[arg(long = "route")]
        routes: Option<Vec<String>>,
    },
    /// Delete a VBR (refused while attached, granted or with hosts).
    Delete { id: String },
}

#[derive(Debug, Subcommand)]
enum HostCmd {
    /// A host in the data centre behind your VBR: `--vbr vbr-... --ip 10.10.1.5`.
    Create {
        #[arg(long)]
        vbr: String,
        #[arg(long)]
        ip: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Show one data centre host.
    Get { id: String },
    /// List your data centre hosts.
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        vbr: Option<String>,
    },
    /// Delete a data centre host.
    Delete { id: String },
    /// Run a command inside the host's namespace on the agent's host (as root):
    /// `xconnect data-centre-host exec dch-... -- ping -c 3 192.168.1.10`. Exits with its status.
    Exec {
        id: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        command: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum BillingCmd {
    /// Your statement for a month: every charge and the total (`--month 2026-11`).
    Statement {
        /// YYYY-MM (UTC).
        #[arg(long)]
        month: String,
        /// Operator only: another account's statement.
        #[arg(long)]
        account: Option<String>,
    },
    /// The operator's price list.
    Prices,
    /// Operator only (the data plane does this): outbound bytes of one counter window, recorded once.
    ReportUsage {
        #[arg(long)]
        account: String,
        #[arg(long)]
        counter: String,
        #[arg(long)]
        resource: String,
        /// RFC 3339, e.g. 2026-11-22T06:00:00Z.
        #[arg(long)]
        window_start: String,
        #[arg(long, default_value_t = 300)]
        window_seconds: i64,
        #[arg(long)]
        bytes_out: i64,
    },
}

#[derive(Debug, Subcommand)]
enum AgentCmd {
    /// Print the desired state the agent realises: namespaces, links, addresses, routes,
    /// nftables rulesets and shaping, as the server computes them from the model.
    Plan,
    /// Realise the desired state on this host (as root), again every interval, or once.
    ///
    /// Reads the desired state from the server (operator credentials) and applies it: namespaces,
    /// veths, addresses, routes, nftables rulesets and shaping. Namespaces this agent made that
    /// the state no longer holds are removed; the record of what it made is kept in --state.
    /// A pass that fails (the server unreachable, a command refused) is tried again, up to 10 s
    /// apart; metered bytes are counted meanwhile and reported once billing takes them.
    Run {
        /// Apply until nothing differs (three passes at most) and exit; an error if the kernel
        /// did not get there.
        #[arg(long)]
        once: bool,
        /// Milliseconds between two runs.
        #[arg(long, default_value_t = 500)]
        interval_ms: u64,
        /// Where the agent keeps the names of the namespaces it made (and its meters' windows).
        #[arg(long, default_value = "/run/xconnect-agent")]
        state: std::path::PathBuf,
        /// Seconds in a metering window: the bytes each metered link sent in a window are
        /// reported to billing as outbound data transfer once the window closes.
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(i64).range(1..=86_400))]
        meter_window_seconds: i64,
    },
    /// What is realised on this host, what is pending and what is stale, read from the kernel:
    /// namespaces, links, addresses, routes, rulesets and shaping (`-o json` lists each).
    Status {
        /// Where the agent keeps the names of the namespaces it made.
        #[arg(long, default_value = "/run/xconnect-agent")]
        state: std::path::PathBuf,
    },
    /// Remove everything the agent made on this host (the namespaces in its record, with their
    /// links and the processes inside them).
    Teardown {
        /// Where the agent keeps the names of the namespaces it made.
        #[arg(long, default_value = "/run/xconnect-agent")]
        state: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum OrderCmd {
    /// Your orders, oldest first: what was bought, for which resource, since and until when.
    List {
        #[command(flatten)]
        list: ListArgs,
        #[arg(long)]
        region: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ConnectivityCmd {
    /// Follow a packet from an instance to an address, hop by hop.
    ///
    /// `xconnect connectivity test --from i-... --to 172.16.100.10 [--protocol tcp --port 22]`.
    /// Exits 0 when it arrives and 3 when it does not, so scripts can branch on the verdict.
    Test {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// icmp (default), tcp or udp.
        #[arg(long)]
        protocol: Option<String>,
        /// Destination port, for tcp and udp.
        #[arg(long)]
        port: Option<i64>,
    },
    /// Every ordered pair of instances at once, one line per pair with its verdict.
    Matrix {
        /// Instance ids, repeated or comma-separated; all of yours when absent (up to 1,000).
        #[arg(long, value_delimiter = ',')]
        instances: Option<Vec<String>>,
        /// icmp (default), tcp or udp.
        #[arg(long)]
        protocol: Option<String>,
        /// Destination port, for tcp and udp.
        #[arg(long)]
        port: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCmd {
    /// Your own account's events, oldest first (the operator sees every account's).
    List(ListArgs),
}

/// Sends the closed metering windows billing has not taken yet; returns those that are settled:
/// accepted, recorded before (a report is recorded once), or refused for good (bad input). What
/// could not be taken now stays for the next pass: the server unreachable (then the rest is not
/// tried either), a 5xx, or a refusal that can pass (the signature, a forbidden key, a limit).
async fn report_usage(
    c: &Client,
    reports: &[xconnect_dataplane::meter::Report],
) -> Vec<xconnect_dataplane::meter::Report> {
    let mut settled = Vec::new();
    for r in reports {
        let req = UsageReportRequest {
            account_id: r.account_id.clone(),
            counter_id: r.counter_id.clone(),
            resource_id: r.resource_id.clone(),
            window_start: xconnect_model::Timestamp::from_millis(r.window_start_ms).to_string(),
            window_seconds: r.window_seconds,
            bytes_out: i64::try_from(r.bytes_out).unwrap_or(i64::MAX),
        };
        match c.usage_report(&req).await {
            Ok(_) => eprintln!(
                "reported {} bytes out of {} for the window at {}",
                r.bytes_out, r.counter_id, req.window_start
            ),
            Err(e) if matches!(e.code(), Some("Usage.WindowConflict" | "Usage.WindowOverlap")) => {
                eprintln!("usage of {} for {} was recorded before: {e}", r.counter_id, req.window_start);
            }
            Err(e) if e.status().is_some_and(|s| s < 500 && !matches!(s, 401 | 403 | 408 | 429)) => {
                eprintln!("usage of {} refused, not sent again: {e}", r.counter_id)
            }
            Err(e @ ClientError::Transport(_)) => {
                eprintln!("usage not sent yet, billing cannot be reached: {e}");
                break;
            }
            Err(e) => {
                eprintln!("usage of {} not sent yet: {e}", r.counter_id);
                continue;
            }
        }
        settled.push(r.clone());
    }
    settled
}

/// One pass of the agent: the desired state from the server, the record of what may exist
/// written before anything is made, the difference applied (until none is left with `once`).
/// Returns what is to be metered.
async fn agent_pass(
    c: &Client,
    agent: &mut xconnect_dataplane::Agent,
    record: &Path,
    once: bool,
) -> Result<Vec<xconnect_model::dataplane::Meter>> {
    let desired = c.desired_state_get().await.context("reading the desired state")?;
    let made: Vec<String> = std::fs::read_to_string(record).unwrap_or_default().lines().map(str::to_owned).collect();
    let mut now: Vec<String> = desired.namespaces.iter().map(|n| n.name.clone()).collect();
    now.sort();
    // The record holds what may exist before anything is made, so that a run killed half way
    // still knows, on restart, every namespace it may have left.
    let mut before: Vec<String> = made.iter().chain(&now).cloned().collect();
    before.sort();
    before.dedup();
    if before != made {
        write_private(record, (before.join("\n") + "\n").as_bytes())?;
    }
    let started = std::time::Instant::now();
    let diff = if once { agent.reconcile(&desired, &made).await } else { agent.pass(&desired, &made).await };
    let diff = diff.context("applying the desired state")?;
    if before != now {
        write_private(record, (now.join("\n") + "\n").as_bytes())?;
    }
    if !diff.is_empty() || once {
        eprintln!(
            "applied {} changes ({} namespaces, {} links, {} routes, {} rulesets wanted) in {} ms",
            diff.len(),
            desired.namespaces.len(),
            desired.veths.len(),
            desired.routes.len(),
            desired.rulesets.len(),
            started.elapsed().as_millis()
        );
    }
    Ok(desired.meters)
}

/// Reads the metered links' byte counters, closes the windows the clock has left behind, and
/// sends billing what it has not taken yet. The meters file is written before anything is sent
/// and after it is settled, so a report is neither lost nor counted twice across a restart.
async fn meter_pass(
    c: &Client,
    agent: &mut xconnect_dataplane::Agent,
    meters: &[xconnect_model::dataplane::Meter],
    metering: &mut xconnect_dataplane::meter::Metering,
    file: &Path,
) -> Result<()> {
    let readings = agent.counters(meters).await.context("reading the byte counters")?;
    let saved = metering.save();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    metering.tick(i64::try_from(now.as_millis()).unwrap_or(i64::MAX), &readings);
    if metering.save() != saved {
        write_private(file, metering.save().as_bytes())?;
    }
    if !metering.unsent().is_empty() {
        let settled = report_usage(c, metering.unsent()).await;
        if !settled.is_empty() {
            metering.settle(|r| settled.contains(r));
            write_private(file, metering.save().as_bytes())?;
        }
    }
    Ok(())
}

/// Runs a command inside the namespace that realises `what` (an instance or a data centre
/// host), with this terminal; fails with the command's own exit status.
fn exec_in(ns: &str, what: &str, command: &[String]) -> Result<()> {
    let mut cmd = xconnect_dataplane::command_in(ns, &command[0])
        .with_context(|| format!("{what} is not realised on this host (namespace {ns}): run `xconnect agent run`"))?;
    let status = cmd.args(&command[1..]).status().with_context(|| format!("cannot run {}", command[0]))?;
    if !status.success() {
        return Err(CommandFailed(status.code().unwrap_or(1)).into());
    }
    Ok(())
}

/// The agent's record of the namespaces it made for this server (one per server, so that
/// agents of two servers on one host keep apart).
fn agent_record(state: &std::path::Path, c: &xconnect_client::Client) -> Result<std::path::PathBuf> {
    std::fs::create_dir_all(state).with_context(|| format!("cannot make {}", state.display()))?;
    Ok(state.join(format!("{}.namespaces", c.credentials().endpoint.replace(['/', ':'], "_"))))
}

/// Writes a file readable only by its owner, whole or not at all.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    // Written beside it and renamed over it: killed at any point, the file is the old one or
    // the new one, never half of either.
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
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

/// A command run for the caller (`instance exec`) that failed: its exit code is passed on.
#[derive(Debug)]
struct CommandFailed(i32);

impl std::fmt::Display for CommandFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the command exited with {}", self.0)
    }
}

impl std::error::Error for CommandFailed {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("XCONNECT_LOG").unwrap_or_else(|_| "warn,xconnect=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
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
    Ok(Client::new(config::credentials(profile)?)?)
}

/// Fetches every page when `--all` is given, else the one asked for.
async fn pages<T, F, Fut>(list: &ListArgs, mut q: ListQuery, fetch: F) -> Result<Page<T>>
where
    F: Fn(ListQuery) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, ClientError>>,
{
    if !list.all {
        return Ok(fetch(q).await?);
    }
    let mut items = Vec::new();
    loop {
        let p = fetch(q.clone()).await?;
        items.extend(p.items);
        match p.next_token {
            Some(t) => q.next_token = Some(t),
            None => return Ok(Page { items, next_token: None }),
        }
    }
}

fn deleted(format: Format, id: &str) {
    match format {
        Format::Json => output::print_json(&serde_json::json!({ "id": id, "deleted": true })),
        Format::Table => println!("deleted {id}"),
    }
}

async fn run(cli: Cli) -> Result<()> {
    let f = cli.output;
    let profile = cli.profile.as_str();
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Bench(cmd) => bench::run(cmd, f).await,
        Command::Configure(args) => configure(profile, args),
        Command::Whoami => {
            output::one(f, &client(profile).await?.caller().await?);
            Ok(())
        }
        Command::Region(RegionCmd::List) => {
            output::regions(f, &client(profile).await?.region_list().await?);
            Ok(())
        }
        Command::Admin(cmd) => {
            let c = client(profile).await?;
            match cmd {
                AdminCmd::Account(AdminAccountCmd::Create { kind, name, save_profile }) => {
                    let made = c.account_create(&AccountCreateRequest { kind, name }).await?;
                    if let Some(profile) = save_profile {
                        let mut cfg = config::load()?;
                        cfg.profiles.insert(
                            profile.clone(),
                            config::Profile {
                                endpoint: Some(c.credentials().endpoint.clone()),
                                access_key_id: Some(made.access_key.access_key_id.to_string()),
                                access_key_secret: Some(made.access_key.access_key_secret.clone()),
                            },
                        );
                        let path = config::save(&cfg)?;
                        eprintln!("profile '{profile}' written to {}", path.display());
                    }
                    output::one(f, &made)
                }
                AdminCmd::Account(AdminAccountCmd::Get { id }) => output::one(f, &c.account_get(&id).await?),
                AdminCmd::Account(AdminAccountCmd::List(list)) => {
                    let p = pages(&list, list.query(), |q| {
                        let c = c.clone();
                        async move { c.account_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                AdminCmd::AccessKey(AdminKeyCmd::Create { account }) => {
                    output::one(f, &c.access_key_create(&account).await?)
                }
                AdminCmd::Clock(AdminClockCmd::Get) => output::one(f, &c.clock_get().await?),
                AdminCmd::Clock(AdminClockCmd::Advance { days, seconds }) => {
                    output::one(f, &c.clock_advance(days * 86_400 + seconds).await?)
                }
                AdminCmd::AccessKey(AdminKeyCmd::List { account }) => {
                    let keys = c.access_key_list(&account).await?;
                    output::page(f, &Page { items: keys, next_token: None })
                }
            }
            Ok(())
        }
        Command::Vpc(cmd) => {
            let c = client(profile).await?;
            match cmd {
                VpcCmd::Create { region, cidr, name, description, client_token } => {
                    let req = VpcCreateRequest { region, cidr_block: cidr, name, description, client_token };
                    output::one(f, &c.vpc_create(&req).await?)
                }
                VpcCmd::Get { id } => output::one(f, &c.vpc_get(&id).await?),
                VpcCmd::List { list, region, name } => {
                    let q = ListQuery { region, name, ..list.query() };
                    let p = pages(&list, q, |q| {
                        let c = c.clone();
                        async move { c.vpc_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                VpcCmd::Modify(m) => output::one(f, &c.vpc_modify(&m.id, &m.request()).await?),
                VpcCmd::Delete { id } => {
                    c.vpc_delete(&id).await?;
                    deleted(f, &id)
                }
            }
            Ok(())
        }
        Command::Vswitch(cmd) => {
            let c = client(profile).await?;
            match cmd {
                VswitchCmd::Create { vpc, zone, cidr, name, description, client_token } => {
                    let req =
                        VSwitchCreateRequest { vpc_id: vpc, zone, cidr_block: cidr, name, description, client_token };
                    output::one(f, &c.vswitch_create(&req).await?)
                }
                VswitchCmd::Get { id } => output::one(f, &c.vswitch_get(&id).await?),
                VswitchCmd::List { list, vpc, region } => {
                    let q = ListQuery { vpc_id: vpc, region, ..list.query() };
                    let p = pages(&list, q, |q| {
                        let c = c.clone();
                        async move { c.vswitch_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                VswitchCmd::Modify(m) => output::one(f, &c.vswitch_modify(&m.id, &m.request()).await?),
                VswitchCmd::Delete { id } => {
                    c.vswitch_delete(&id).await?;
                    deleted(f, &id)
                }
            }
            Ok(())
        }
        Command::Instance(cmd) => {
            let c = client(profile).await?;
            match cmd {
                InstanceCmd::Create { vswitch, security_groups, private_ip, name, description, client_token } => {
                    let req = InstanceCreateRequest {
                        vswitch_id: vswitch,
                        security_group_ids: security_groups,
                        private_ip,
                        name,
                        description,
                        client_token,
                    };
                    output::one(f, &c.instance_create(&req).await?)
                }
                InstanceCmd::Get { id } => output::one(f, &c.instance_get(&id).await?),
                InstanceCmd::List { list, vpc, region } => {
                    let q = ListQuery { vpc_id: vpc, region, ..list.query() };
                    let p = pages(&list, q, |q| {
                        let c = c.clone();
                        async move { c.instance_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                InstanceCmd::Modify { id, name, description, security_groups } => {
                    let req = InstanceModifyRequest { name, description, security_group_ids: security_groups };
                    output::one(f, &c.instance_modify(&id, &req).await?)
                }
                InstanceCmd::Exec { id, command } => {
                    // The instance must be one the caller may see; its namespace is named from its id.
                    let i = c.instance_get(&id).await?;
                    exec_in(&xconnect_net::plan::instance_namespace(i.id.as_str()), &id, &command)?
                }
                InstanceCmd::Delete { id } => {
                    c.instance_delete(&id).await?;
                    deleted(f, &id)
                }
            }
            Ok(())
        }
        Command::SecurityGroup(cmd) => {
            let c = client(profile).await?;
            match cmd {
                SecurityGroupCmd::Create { vpc, name, description, client_token } => {
                    let req = SecurityGroupCreateRequest { vpc_id: vpc, name, description, client_token };
                    output::one(f, &c.security_group_create(&req).await?)
                }
                SecurityGroupCmd::Get { id } => output::one(f, &c.security_group_get(&id).await?),
                SecurityGroupCmd::List { list, vpc, region } => {
                    let q = ListQuery { vpc_id: vpc, region, ..list.query() };
                    let p = pages(&list, q, |q| {
                        let c = c.clone();
                        async move { c.security_group_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                SecurityGroupCmd::Modify(m) => output::one(f, &c.security_group_modify(&m.id, &m.request()).await?),
                SecurityGroupCmd::Delete { id } => {
                    c.security_group_delete(&id).await?;
                    deleted(f, &id)
                }
                SecurityGroupCmd::RuleAdd {
                    id,
                    direction,
                    protocol,
                    port_range,
                    cidr,
                    peer_group,
                    peer_account,
                    priority,
                    policy,
                    description,
                } => {
                    let req = SecurityGroupRuleCreateRequest {
                        direction,
                        protocol,
                        port_range,
                        cidr_block: cidr,
                        peer_security_group_id: peer_group,
                        peer_account_id: peer_account,
                        priority,
                        policy,
                        description,
                    };
                    output::one(f, &c.security_group_rule_create(&id, &req).await?)
                }
                SecurityGroupCmd::RuleList { id, list } => {
                    let p = pages(&list, list.query(), |q| {
                        let c = c.clone();
                        let id = id.clone();
                        async move { c.security_group_rule_list(&id, &q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                SecurityGroupCmd::RuleDelete { id, rule } => {
                    c.security_group_rule_delete(&id, &rule).await?;
                    deleted(f, &rule)
                }
            }
            Ok(())
        }
        Command::RouteTable(RouteTableCmd::Get { id }) => {
            output::route_table(f, &client(profile).await?.route_table_get(&id).await?);
            Ok(())
        }
        Command::RouteEntry(cmd) => {
            let c = client(profile).await?;
            match cmd {
                RouteEntryCmd::Create {
                    route_table,
                    destination,
                    next_hop_type,
                    next_hop_id,
                    description,
                    client_token,
                } => {
                    let next_hop_type = match (next_hop_type, next_hop_id.as_deref()) {
                        (Some(t), _) => t,
                        (None, Some(id)) if id.starts_with("ri-") => "router_interface".to_owned(),
                        (None, _) => {
                            anyhow::bail!("give --next-hop ri-... (a router interface) or --next-hop-type blackhole")
                        }
                    };
                    let req = RouteEntryCreateRequest {
                        route_table_id: route_table,
                        destination_cidr_block: destination,
                        next_hop_type,
                        next_hop_id,
                        description,
                        client_token,
                    };
                    output::one(f, &c.route_entry_create(&req).await?)
                }
                RouteEntryCmd::Get { id } => output::one(f, &c.route_entry_get(&id).await?),
                RouteEntryCmd::List { list, route_table, vpc } => {
                    let q = ListQuery { route_table_id: route_table, vpc_id: vpc, ..list.query() };
                    let p = pages(&list, q, |q| {
                        let c = c.clone();
                        async move { c.route_entry_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                RouteEntryCmd::Modify { id, description } => {
                    let req = ModifyRequest { name: None, description: Some(description) };
                    output::one(f, &c.route_entry_modify(&id, &req).await?)
                }
                RouteEntryCmd::Delete { id } => {
                    c.route_entry_delete(&id).await?;
                    deleted(f, &id)
                }
            }
            Ok(())
        }
        Command::RouterInterface(cmd) => {
            let c = client(profile).await?;
            match cmd {
                RouterInterfaceCmd::Create {
                    vpc,
                    region,
                    role,
                    peer_region,
                    spec,
                    name,
                    description,
                    client_token,
                } => {
                    let req = RouterInterfaceCreateRequest {
                        vpc_id: vpc,
                        region,
                        role,
                        peer_region,
                        spec,
                        name,
                        description,
                        client_token,
                    };
                    output::one(f, &c.router_interface_create(&req).await?)
                }
                RouterInterfaceCmd::SetPeer { id, peer_account, peer_vrouter, peer_interface, peer_region } => {
                    let req = RouterInterfacePeerRequest {
                        peer_account_id: peer_account,
                        peer_vrouter_id: peer_vrouter,
                        peer_router_interface_id: peer_interface,
                        peer_region,
                    };
                    output::one(f, &c.router_interface_set_peer(&id, &req).await?)
                }
                RouterInterfaceCmd::Connect { id } => output::one(f, &c.router_interface_action(&id, "connect").await?),
                RouterInterfaceCmd::Deactivate { id } => {
                    output::one(f, &c.router_interface_action(&id, "deactivate").await?)
                }
                RouterInterfaceCmd::Activate { id } => {
                    output::one(f, &c.router_interface_action(&id, "activate").await?)
                }
                RouterInterfaceCmd::Get { id } => output::one(f, &c.router_interface_get(&id).await?),
                RouterInterfaceCmd::List { list, vpc, region, status, role } => {
                    let q = ListQuery { vpc_id: vpc, region, status, role, ..list.query() };
                    let p = pages(&list, q, |q| {
                        let c = c.clone();
                        async move { c.router_interface_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                RouterInterfaceCmd::Modify(m) => output::one(f, &c.router_interface_modify(&m.id, &m.request()).await?),
                RouterInterfaceCmd::Delete { id } => {
                    c.router_interface_delete(&id).await?;
                    deleted(f, &id)
                }
            }
            Ok(())
        }
        Command::Hub(cmd) => {
            let c = client(profile).await?;
            match cmd {
                HubCmd::Create { name, description, enterprise_project, client_token } => {
                    let req = HubCreateRequest { name, description, enterprise_project, client_token };
                    output::one(f, &c.hub_create(&req).await?)
                }
                HubCmd::Get { id } => output::one(f, &c.hub_get(&id).await?),
                HubCmd::List { list } => {
                    let p = pages(&list, list.query(), |q| {
                        let c = c.clone();
                        async move { c.hub_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                HubCmd::Modify(m) => output::one(f, &c.hub_modify(&m.id, &m.request()).await?),
                HubCmd::Delete { id } => {
                    c.hub_delete(&id).await?;
                    deleted(f, &id)
                }
            }
            Ok(())
        }
        Command::Grant(cmd) => {
            let c = client(profile).await?;
            match cmd {
                GrantCmd::Create { vpc, region, hub, grantee, remarks } => {
                    let req = GrantCreateRequest {
                        network_id: vpc,
                        network_type: None,
                        region,
                        grantee_account_id: grantee,
                        hub_id: hub,
                        remarks,
                    };
                    output::one(f, &c.grant_create(&req).await?)
                }
                GrantCmd::Get { id } => output::one(f, &c.grant_get(&id).await?),
                GrantCmd::List { list, received } => {
                    let p = pages(&list, list.query(), |q| {
                        let c = c.clone();
                        async move { c.grant_list(&q, received).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                GrantCmd::Delete { id } => {
                    c.grant_delete(&id).await?;
                    deleted(f, &id)
                }
            }
            Ok(())
        }
        Command::Attachment(cmd) => {
            let c = client(profile).await?;
            match cmd {
                AttachmentCmd::Create { hub, vpc, owner, region, cidr_blocks, description, client_token } => {
                    let req = AttachmentCreateRequest {
                        hub_id: hub,
                        network_id: vpc,
                        network_type: None,
                        network_account_id: owner,
                        region,
                        cidr_blocks,
                        description,
                        client_token,
                    };
                    output::one(f, &c.attachment_create(&req).await?)
                }
                AttachmentCmd::Get { id } => output::one(f, &c.attachment_get(&id).await?),
                AttachmentCmd::List { list, hub } => {
                    let q = ListQuery { hub_id: hub, ..list.query() };
                    let p = pages(&list, q, |q| {
                        let c = c.clone();
                        async move { c.attachment_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                AttachmentCmd::Delete { id } => {
                    c.attachment_delete(&id).await?;
                    deleted(f, &id)
                }
            }
            Ok(())
        }
        Command::BandwidthPackage(cmd) => {
            let c = client(profile).await?;
            match cmd {
                PackageCmd::Create {
                    name,
                    bandwidth,
                    areas,
                    billing_mode,
                    period,
                    auto_renew,
                    hub,
                    enterprise_project,
                    description,
                    client_token,
                } => {
                    let req = BandwidthPackageCreateRequest {
                        name,
                        description,
                        billing_mode,
                        period,
                        auto_renew: Some(auto_renew),
                        bandwidth_mbps: bandwidth,
                        areas,
                        enterprise_project,
                        hub_id: hub,
                        client_token,
                    };
                    output::one(f, &c.bandwidth_package_create(&req).await?)
                }
                PackageCmd::Pay { id } => output::one(f, &c.bandwidth_package_pay(&id).await?),
                PackageCmd::Bind { id, hub } => output::one(f, &c.bandwidth_package_bind(&id, &hub).await?),
                PackageCmd::Unbind { id } => output::one(f, &c.bandwidth_package_unbind(&id).await?),
                PackageCmd::Get { id } => output::one(f, &c.bandwidth_package_get(&id).await?),
                PackageCmd::List { list } => {
                    let p = pages(&list, list.query(), |q| {
                        let c = c.clone();
                        async move { c.bandwidth_package_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                PackageCmd::Modify { id, name, description, auto_renew } => {
                    let req = BandwidthPackageModifyRequest { name, description, auto_renew };
                    output::one(f, &c.bandwidth_package_modify(&id, &req).await?)
                }
            }
            Ok(())
        }
        Command::InterRegionBandwidth(cmd) => {
            let c = client(profile).await?;
            match cmd {
                IrbCmd::Create { hub, package, regions, bandwidth } => {
                    let req = InterRegionBandwidthCreateRequest {
                        hub_id: hub,
                        bandwidth_package_id: package,
                        regions,
                        bandwidth_mbps: bandwidth,
                    };
                    output::one(f, &c.inter_region_bandwidth_create(&req).await?)
                }
                IrbCmd::Modify { id, bandwidth } => {
                    output::one(f, &c.inter_region_bandwidth_modify(&id, bandwidth).await?)
                }
                IrbCmd::Get { id } => output::one(f, &c.inter_region_bandwidth_get(&id).await?),
                IrbCmd::List { list, hub } => {
                    let q = ListQuery { hub_id: hub, ..list.query() };
                    let p = pages(&list, q, |q| {
                        let c = c.clone();
                        async move { c.inter_region_bandwidth_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                IrbCmd::Delete { id } => {
                    c.inter_region_bandwidth_delete(&id).await?;
                    deleted(f, &id)
                }
            }
            Ok(())
        }
        Command::Permit(cmd) => {
            let c = client(profile).await?;
            match cmd {
                PermitCmd::Apply { enterprise, representative, documents } => {
                    use base64::Engine;
                    let mut uploads = Vec::new();
                    for path in documents {
                        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
                        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                        uploads.push(PermitDocumentUpload {
                            name,
                            content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                        });
                    }
                    let req = PermitCreateRequest { enterprise, representative, documents: uploads };
                    output::one(f, &c.permit_create(&req).await?)
                }
                PermitCmd::Get { id } => output::one(f, &c.permit_get(&id).await?),
                PermitCmd::List { list } => {
                    let p = pages(&list, list.query(), |q| {
                        let c = c.clone();
                        async move { c.permit_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                PermitCmd::Approve { id } => output::one(f, &c.permit_approve(&id).await?),
                PermitCmd::Reject { id, reason } => output::one(f, &c.permit_reject(&id, &reason).await?),
            }
            Ok(())
        }
        Command::PhysicalConnection(cmd) => {
            let c = client(profile).await?;
            match cmd {
                ConnectionCmd::Create { name, access_point, region, port_type, bandwidth } => {
                    let req = PhysicalConnectionCreateRequest {
                        name,
                        access_point,
                        region,
                        port_type,
                        bandwidth_mbps: bandwidth,
                    };
                    output::one(f, &c.physical_connection_create(&req).await?)
                }
                ConnectionCmd::Get { id } => output::one(f, &c.physical_connection_get(&id).await?),
                ConnectionCmd::List { list } => {
                    let p = pages(&list, list.query(), |q| {
                        let c = c.clone();
                        async move { c.physical_connection_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
            }
            Ok(())
        }
        Command::SharedPort(cmd) => {
            let c = client(profile).await?;
            match cmd {
                PortCmd::Create { connection, tenant, vlan, bandwidth } => {
                    let req = SharedPortCreateRequest {
                        physical_connection_id: connection,
                        tenant_account_id: tenant,
                        vlan_id: vlan,
                        bandwidth_mbps: bandwidth,
                    };
                    output::one(f, &c.shared_port_create(&req).await?)
                }
                PortCmd::Accept { id } => output::one(f, &c.shared_port_accept(&id).await?),
                PortCmd::Decline { id } => output::one(f, &c.shared_port_decline(&id).await?),
                PortCmd::Get { id } => output::one(f, &c.shared_port_get(&id).await?),
                PortCmd::List { list } => {
                    let p = pages(&list, list.query(), |q| {
                        let c = c.clone();
                        async move { c.shared_port_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
            }
            Ok(())
        }
        Command::Vbr(cmd) => {
            let c = client(profile).await?;
            match cmd {
                VbrCmd::Create {
                    port,
                    vlan,
                    local_gateway,
                    peer_gateway,
                    peering_subnet,
                    routes,
                    name,
                    description,
                } => {
                    let req = VbrCreateRequest {
                        shared_port_id: port,
                        vlan_id: vlan,
                        local_gateway_ip: local_gateway,
                        peer_gateway_ip: peer_gateway,
                        peering_subnet,
                        routes: Some(routes),
                        name,
                        description,
                    };
                    output::one(f, &c.vbr_create(&req).await?)
                }
                VbrCmd::Get { id } => output::one(f, &c.vbr_get(&id).await?),
                VbrCmd::List { list } => {
                    let p = pages(&list, list.query(), |q| {
                        let c = c.clone();
                        async move { c.vbr_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                VbrCmd::Modify { id, name, description, vlan, routes } => {
                    let req = VbrModifyRequest { name, description, vlan_id: vlan, routes };
                    output::one(f, &c.vbr_modify(&id, &req).await?)
                }
                VbrCmd::Delete { id } => {
                    c.vbr_delete(&id).await?;
                    deleted(f, &id)
                }
            }
            Ok(())
        }
        Command::DataCentreHost(cmd) => {
            let c = client(profile).await?;
            match cmd {
                HostCmd::Create { vbr, ip, name } => {
                    output::one(f, &c.data_centre_host_create(&HostCreateRequest { vbr_id: vbr, ip, name }).await?)
                }
                HostCmd::Get { id } => output::one(f, &c.data_centre_host_get(&id).await?),
                HostCmd::List { list, vbr } => {
                    let q = ListQuery { vbr_id: vbr, ..list.query() };
                    let p = pages(&list, q, |q| {
                        let c = c.clone();
                        async move { c.data_centre_host_list(&q).await }
                    })
                    .await?;
                    output::page(f, &p)
                }
                HostCmd::Delete { id } => {
                    c.data_centre_host_delete(&id).await?;
                    deleted(f, &id)
                }
                HostCmd::Exec { id, command } => {
                    let h = c.data_centre_host_get(&id).await?;
                    exec_in(&xconnect_net::plan::host_namespace(h.id.as_str()), &id, &command)?
                }
            }
            Ok(())
        }
        Command::Agent(AgentCmd::Plan) => {
            let c = client(profile).await?;
            output::print_json(&c.desired_state_get().await?);
            Ok(())
        }
        Command::Agent(AgentCmd::Run { once, interval_ms, state, meter_window_seconds }) => {
            let c = client(profile).await?;
            let record = agent_record(&state, &c)?;
            let meters_file = record.with_extension("meters");
            let mut metering = xconnect_dataplane::meter::Metering::load(
                meter_window_seconds,
                &std::fs::read_to_string(&meters_file).unwrap_or_default(),
            );
            // Every pass takes the same path: read the kernel, apply what differs. The agent
            // keeps its sockets between passes; killed and restarted, it reads everything anew.
            let mut agent = xconnect_dataplane::Agent::new();
            let interval = std::time::Duration::from_millis(interval_ms);
            let mut wait = interval;
            // What the last desired state said to meter: counting goes on while the server
            // cannot be reached, and the windows that close meanwhile wait on disk. Before any
            // desired state is read nothing is metered (the saved windows wait for it).
            let mut meters = None;
            loop {
                let pass = agent_pass(&c, &mut agent, &record, once).await;
                let pass = match pass {
                    Ok(now) => {
                        let now = meters.insert(now);
                        meter_pass(&c, &mut agent, now, &mut metering, &meters_file).await
                    }
                    Err(e) => {
                        if let Some(m) = &meters
                            && let Err(m) = meter_pass(&c, &mut agent, m, &mut metering, &meters_file).await
                        {
                            eprintln!("metering: {m:#}");
                        }
                        Err(e)
                    }
                };
                match pass {
                    Ok(()) if once => return Ok(()),
                    Ok(()) => wait = interval,
                    Err(e) if once => return Err(e),
                    // A pass that failed (the server unreachable, a command the kernel refused)
                    // leaves the kernel as it was; the next one starts over from what is there.
                    // The wait doubles, up to 10 s, while passes keep failing.
                    Err(e) => {
                        eprintln!("pass failed, trying again in {} ms: {e:#}", wait.as_millis());
                        wait = (wait * 2).min(std::time::Duration::from_secs(10).max(interval));
                    }
                }
                tokio::time::sleep(wait).await;
            }
        }
        Command::Agent(AgentCmd::Status { state }) => {
            let c = client(profile).await?;
            let desired = c.desired_state_get().await?;
            let record = agent_record(&state, &c)?;
            let made: Vec<String> =
                std::fs::read_to_string(&record).unwrap_or_default().lines().map(str::to_owned).collect();
            let mut agent = xconnect_dataplane::Agent::new();
            let (diff, _) = agent.diff(&desired, &made).await.context("cannot read this host's kernel state")?;
            let vlans = agent.vlans_tagged().map(|tagged| {
                if tagged {
                    "802.1Q, tagged with the shared port's VLAN id"
                } else {
                    "untagged: this kernel has no 802.1Q VLAN support"
                }
            });
            // VLAN interfaces are links of their own when the kernel makes them.
            let vlan_links = if agent.vlans_tagged() == Some(true) { desired.vlans.len() } else { 0 };
            let kinds: [(&str, usize, usize, usize); 6] = [
                ("namespaces", desired.namespaces.len(), diff.namespaces_missing.len(), diff.namespaces_stale.len()),
                (
                    "links",
                    desired.veths.len() + vlan_links,
                    diff.veths_missing.len() + diff.vlans_missing.len(),
                    diff.links_stale.len(),
                ),
                ("addresses", desired.addresses.len(), diff.addresses_missing.len(), diff.addresses_stale.len()),
                ("routes", desired.routes.len(), diff.routes_missing.len(), diff.routes_stale.len()),
                ("rulesets", desired.rulesets.len(), diff.rulesets_missing.len(), 0),
                ("shaping", desired.shaping.len(), diff.shaping_missing.len(), diff.shaping_stale.len()),
            ];
            match f {
                output::Format::Json => output::print_json(&serde_json::json!({
                    "in_sync": diff.is_empty(),
                    "vbr_links": vlans,
                    "summary": kinds.iter().map(|(k, w, p, s)| serde_json::json!({
                        "kind": k, "wanted": w, "realised": w - p, "pending": p, "stale": s,
                    })).collect::<Vec<_>>(),
                    "diff": diff,
                })),
                output::Format::Table => {
                    let rows: Vec<Vec<String>> = kinds
                        .iter()
                        .map(|(k, w, p, s)| {
                            vec![k.to_string(), w.to_string(), (w - p).to_string(), p.to_string(), s.to_string()]
                        })
                        .collect();
                    print!("{}", output::table(&["KIND", "WANTED", "REALISED", "PENDING", "STALE"], &rows));
                    println!(
                        "{}",
                        if diff.is_empty() {
                            "in sync"
                        } else {
                            "not in sync: `xconnect agent status -o json` lists what differs"
                        }
                    );
                    if let Some(v) = vlans {
                        println!("VBR links: {v}");
                    }
                }
            }
            Ok(())
        }
        Command::Agent(AgentCmd::Teardown { state }) => {
            // Scratch namespaces of agents killed while asking the kernel what it can do.
            let mut gone = xconnect_dataplane::remove_stale_probes().context("cannot remove stale probes")?;
            for entry in std::fs::read_dir(&state).into_iter().flatten() {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "namespaces") {
                    for ns in std::fs::read_to_string(&path)?.lines().filter(|l| !l.is_empty()) {
                        xconnect_dataplane::delete(ns).with_context(|| format!("cannot remove {ns}"))?;
                        gone.push(ns.to_owned());
                    }
                    std::fs::remove_file(&path)?;
                }
            }
            match f {
                output::Format::Json => output::print_json(&gone),
                output::Format::Table => println!("removed {} namespaces", gone.len()),
            }
            Ok(())
        }
        Command::Billing(cmd) => {
            let c = client(profile).await?;
            match cmd {
                BillingCmd::Statement { month, account } => {
                    output::statement(f, &c.statement_get(&month, account.as_deref()).await?)
                }
                BillingCmd::Prices => output::print_json(&c.prices().await?),
                BillingCmd::ReportUsage { account, counter, resource, window_start, window_seconds, bytes_out } => {
                    let req = UsageReportRequest {
                        account_id: account,
                        counter_id: counter,
                        resource_id: resource,
                        window_start,
                        window_seconds,
                        bytes_out,
                    };
                    output::print_json(&c.usage_report(&req).await?)
                }
            }
            Ok(())
        }
        Command::Order(OrderCmd::List { list, region }) => {
            let c = client(profile).await?;
            let q = ListQuery { region, ..list.query() };
            let p = pages(&list, q, |q| {
                let c = c.clone();
                async move { c.order_list(&q).await }
            })
            .await?;
            output::page(f, &p);
            Ok(())
        }
        Command::Connectivity(ConnectivityCmd::Test { from, to, protocol, port }) => {
            let c = client(profile).await?;
            let (from_instance_id, from_host_id) =
                if from.starts_with("host-") { (None, Some(from)) } else { (Some(from), None) };
            let req = ConnectivityTestRequest { from_instance_id, from_host_id, destination_ip: to, protocol, port };
            let answer = c.connectivity_test(&req).await?;
            output::connectivity(f, &answer);
            if answer.reachable { Ok(()) } else { Err(Unreachable.into()) }
        }
        Command::Connectivity(ConnectivityCmd::Matrix { instances, protocol, port }) => {
            let c = client(profile).await?;
            let req = ConnectivityMatrixRequest { instance_ids: instances, protocol, port };
            output::matrix(f, &c.connectivity_matrix(&req).await?);
            Ok(())
        }
        Command::Audit(AuditCmd::List(list)) => {
            let c = client(profile).await?;
            let p = pages(&list, list.query(), |q| {
                let c = c.clone();
                async move { c.audit_list(&q).await }
            })
            .await?;
            output::page(f, &p);
            Ok(())
        }
    }
}

fn configure(profile: &str, args: ConfigureArgs) -> Result<()> {
    let mut cfg = config::load()?;
    let entry = cfg.profiles.entry(profile.to_owned()).or_default();
    if let Some(e) = args.endpoint {
        entry.endpoint = Some(e);
    }
    if let Some(path) = args.operator_key {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let key: serve::OperatorKey =
            toml::from_str(&text).with_context(|| format!("{} is not an operator key file", path.display()))?;
        entry.access_key_id = Some(key.access_key_id);
        entry.access_key_secret = Some(key.access_key_secret);
    }
    if let Some(id) = args.access_key_id {
        entry.access_key_id = Some(id);
    }
    if let Some(secret) = args.access_key_secret {
        entry.access_key_secret = Some(secret);
    }
    if entry.endpoint.is_none() {
        entry.endpoint = Some(config::DEFAULT_ENDPOINT.to_owned());
    }
    let path = config::save(&cfg)?;
    println!("profile '{profile}' written to {}", path.display());
    Ok(())
}
