//! `xconnect security-group`: security groups and their rules.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{ListQuery, SecurityGroupCreateRequest, SecurityGroupRuleCreateRequest};

use crate::output::{self, Format};
use crate::{ListArgs, ModifyArgs, choices, print_pages};

#[derive(Debug, Subcommand)]
pub enum SecurityGroupCmd {
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
        /// Only those in this region (an id, another cloud's id or a display name).
        #[arg(long, value_parser = choices::region(), hide_possible_values = true)]
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
        /// Which traffic the rule matches: ingress (arriving) or egress (leaving).
        #[arg(long, value_parser = choices::direction())]
        direction: String,
        /// The protocol matched; tcp and udp rules also take --port-range.
        #[arg(long, value_parser = choices::rule_protocol())]
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
        /// What a match does; accept when left out.
        #[arg(long, value_parser = choices::policy())]
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

pub async fn run(c: &Client, f: Format, cmd: SecurityGroupCmd) -> Result<()> {
    match cmd {
        SecurityGroupCmd::Create { vpc, name, description, client_token } => {
            let req = SecurityGroupCreateRequest { vpc_id: vpc, name, description, client_token };
            output::one(f, &c.security_group_create(&req).await?)
        }
        SecurityGroupCmd::Get { id } => output::one(f, &c.security_group_get(&id).await?),
        SecurityGroupCmd::List { list, vpc, region } => {
            let q = ListQuery { vpc_id: vpc, region, ..list.query() };
            print_pages(f, &list, q, async |q| c.security_group_list(q).await).await?
        }
        SecurityGroupCmd::Modify(m) => output::one(f, &c.security_group_modify(&m.id, &m.request()).await?),
        SecurityGroupCmd::Delete { id } => {
            c.security_group_delete(&id).await?;
            output::deleted(f, &id)
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
            print_pages(f, &list, list.query(), async |q| c.security_group_rule_list(&id, q).await).await?
        }
        SecurityGroupCmd::RuleDelete { id, rule } => {
            c.security_group_rule_delete(&id, &rule).await?;
            output::deleted(f, &rule)
        }
    }
    Ok(())
}
