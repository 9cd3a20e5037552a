//! `xconnect permit`: cross-border permits, needed before a package joins the Chinese mainland
//! with another area.

use anyhow::{Context, Result};
use clap::Subcommand;
use xconnect_client::Client;
use xconnect_model::wire::{PermitCreateRequest, PermitDocumentUpload};

use crate::output::{self, Format};
use crate::{ListArgs, print_pages};

#[derive(Debug, Subcommand)]
pub enum PermitCmd {
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

pub async fn run(c: &Client, f: Format, cmd: PermitCmd) -> Result<()> {
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
        PermitCmd::List { list } => print_pages(f, &list, list.query(), async |q| c.permit_list(q).await).await?,
        PermitCmd::Approve { id } => output::one(f, &c.permit_approve(&id).await?),
        PermitCmd::Reject { id, reason } => output::one(f, &c.permit_reject(&id, &reason).await?),
    }
    Ok(())
}
