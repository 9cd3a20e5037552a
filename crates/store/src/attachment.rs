//! The queries of attachments of networks (VPCs and VBRs) to hubs.

use xconnect_model::*;

use crate::Tx;
use crate::list::{ListFilter, Rows, Table};
use crate::row::{desc, position, text, ts};
use crate::sql::{Row, binds};

/// Attachments belong to two accounts: the hub's owner and the network's.
const ATTACHMENTS: Table = Table {
    name: "attachments",
    columns: "id, hub_id, hub_account_id, network_type, network_id, network_account_id, region, cidr_blocks, \
              description, created_at",
    time_column: "created_at",
    has_region: true,
    has_vpc: false,
    has_name: false,
    owner: "(hub_account_id = $? OR network_account_id = $?)",
};

pub(crate) fn network_kind(row: &Row) -> Result<NetworkKind> {
    let kind = text(row, "network_type")?;
    NetworkKind::parse("network_type", &kind).map_err(|e| Error::internal(format!("stored network_type: {e}")))
}

fn attachment_row(row: &Row) -> Result<Attachment> {
    let blocks = text(row, "cidr_blocks")?;
    let cidr_blocks = blocks
        .split(',')
        .filter(|b| !b.is_empty())
        .map(|b| Cidr::parse("cidr_blocks", b).map_err(|e| Error::internal(format!("stored cidr_blocks: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    Ok(Attachment {
        advertises_default: cidr_blocks.is_empty(),
        id: AttachmentId::from_trusted(text(row, "id")?),
        hub_id: HubId::from_trusted(text(row, "hub_id")?),
        hub_account_id: AccountId::from_trusted(text(row, "hub_account_id")?),
        network_type: network_kind(row)?,
        network_id: text(row, "network_id")?,
        network_account_id: AccountId::from_trusted(text(row, "network_account_id")?),
        region: RegionId::from_trusted(text(row, "region")?),
        cidr_blocks,
        description: desc(row)?,
        created_at: ts(row, "created_at")?,
    })
}

impl Tx {
    pub async fn attachment_insert(&mut self, a: &Attachment) -> Result<()> {
        let sql = format!(
            "INSERT INTO attachments ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            ATTACHMENTS.columns
        );
        // An attachment that follows its VPC's vswitches stores no blocks: they are read from
        // the vswitches whenever it is read.
        let blocks: Vec<String> =
            if a.advertises_default { Vec::new() } else { a.cidr_blocks.iter().map(|c| c.to_string()).collect() };
        let b = binds![
            a.id.to_string(),
            a.hub_id.to_string(),
            a.hub_account_id.to_string(),
            a.network_type.as_str(),
            a.network_id.clone(),
            a.network_account_id.to_string(),
            a.region.to_string(),
            blocks.join(","),
            a.description.as_str().to_owned(),
            a.created_at.millis()
        ];
        self.execute(&sql, b).await.map(drop)
    }

    /// Fills in the blocks of attachments that advertise their network's own blocks, as they are
    /// now: a VPC's vswitches, a VBR's data centre routes.
    async fn attachment_fill(&mut self, list: &mut [Attachment]) -> Result<()> {
        for a in list.iter_mut().filter(|a| a.advertises_default && a.network_id.starts_with(VbrId::PREFIX)) {
            let id = VbrId::from_trusted(a.network_id.clone());
            a.cidr_blocks = self.vbr_get(&id).await?.map(|v| v.routes).unwrap_or_default();
        }
        for a in list.iter_mut().filter(|a| a.advertises_default && a.network_id.starts_with(VpcId::PREFIX)) {
            a.cidr_blocks = self
                .fetch_all(
                    "SELECT cidr_block FROM vswitches WHERE vpc_id = $1 ORDER BY range_first",
                    binds![a.network_id.clone()],
                    |row| {
                        let c = text(row, "cidr_block")?;
                        Cidr::parse("cidr_block", &c).map_err(|e| Error::internal(format!("stored cidr_block: {e}")))
                    },
                )
                .await?;
        }
        Ok(())
    }

    async fn attachment_one(&mut self, sql: &str, key: String) -> Result<Option<Attachment>> {
        let mut found = self.fetch_optional(sql, binds![key], attachment_row).await?;
        if let Some(a) = &mut found {
            self.attachment_fill(std::slice::from_mut(a)).await?;
        }
        Ok(found)
    }

    pub async fn attachment_get(&mut self, id: &AttachmentId) -> Result<Option<Attachment>> {
        let sql = format!("SELECT {} FROM attachments WHERE id = $1", ATTACHMENTS.columns);
        self.attachment_one(&sql, id.to_string()).await
    }

    /// The attachment of a network, if it is attached.
    pub async fn attachment_by_network(&mut self, network_id: &str) -> Result<Option<Attachment>> {
        let sql = format!("SELECT {} FROM attachments WHERE network_id = $1", ATTACHMENTS.columns);
        self.attachment_one(&sql, network_id.to_owned()).await
    }

    /// Every attachment of a hub, oldest first (the order route learning considers them in).
    pub async fn attachment_list_by_hub(&mut self, hub: &HubId) -> Result<Vec<Attachment>> {
        let sql = format!("SELECT {} FROM attachments WHERE hub_id = $1 ORDER BY created_at, id", ATTACHMENTS.columns);
        let mut all = self.fetch_all(&sql, binds![hub.to_string()], attachment_row).await?;
        self.attachment_fill(&mut all).await?;
        Ok(all)
    }

    /// The attachments of the filter's account's hubs and networks, optionally of one hub.
    pub async fn attachment_list(&mut self, f: &ListFilter, hub: Option<&HubId>) -> Result<Rows<Attachment>> {
        let extra: Vec<(&str, String)> = hub.map(|h| ("hub_id", h.to_string())).into_iter().collect();
        let mut rows = self.list(&ATTACHMENTS, f, &extra, attachment_row, |a| position(a.created_at, &a.id)).await?;
        self.attachment_fill(&mut rows.items).await?;
        Ok(rows)
    }

    pub async fn attachment_delete(&mut self, id: &AttachmentId) -> Result<()> {
        self.execute("DELETE FROM attachments WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    pub async fn attachment_count_by_hub(&mut self, hub: &HubId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM attachments WHERE hub_id = $1", binds![hub.to_string()]).await
    }
}
