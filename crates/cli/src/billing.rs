//! `xconnect billing`: monthly statements, the price list, and metered usage.

use anyhow::Result;
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::UsageReportRequest;

use crate::output::{self, Format};

#[derive(Debug, Subcommand)]
pub enum BillingCmd {
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

pub async fn run(c: &Client, f: Format, cmd: BillingCmd) -> Result<()> {
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
