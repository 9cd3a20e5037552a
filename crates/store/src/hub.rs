//! The queries of hubs: hubs, grants and attachments, in the manner of `queries.rs`.

use xconnect_model::*;

use crate::Tx;
use crate::queries::{ListFilter, PageToken, Rows, Table, desc, int, opt_text, text, ts};
use crate::sql::{Row, binds};

const HUBS: Table = Table {
    name: "hubs",
    columns: "id, account_id, name, description, enterprise_project, created_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: true,
    owner: "account_id = $?",
};

const GRANTS_COLUMNS: &str =
    "id, account_id, network_type, network_id, region, grantee_account_id, hub_id, remarks, created_at";

/// The grants an account gave.
const GRANTS_GIVEN: Table = Table {
    name: "grants",
    columns: GRANTS_COLUMNS,
    time_column: "created_at",
    has_region: true,
    has_vpc: false,
    has_name: false,
    owner: "account_id = $?",
};

/// The grants an account received, for its hubs.
const GRANTS_RECEIVED: Table = Table { owner: "grantee_account_id = $?", ..GRANTS_GIVEN };

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

const PACKAGES: Table = Table {
    name: "bandwidth_packages",
    columns: "id, account_id, name, description, billing_mode, period, auto_renew, bandwidth_mbps, area_a, area_b, \
              enterprise_project, status, hub_id, hub_on_payment, created_at, paid_at, expires_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: true,
    owner: "account_id = $?",
};

const IRBS: Table = Table {
    name: "inter_region_bandwidths",
    columns: "id, account_id, hub_id, bandwidth_package_id, region_a, region_b, bandwidth_mbps, created_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: false,
    owner: "account_id = $?",
};

const PERMITS: Table = Table {
    name: "permits",
    columns: "id, account_id, enterprise, representative, status, reason, created_at, decided_at",
    time_column: "created_at",
    has_region: false,
    has_vpc: false,
    has_name: false,
    owner: "account_id = $?",
};

fn bandwidth_package_row(row: &Row) -> Result<BandwidthPackage> {
    let stored = |col: &'static str| move |e: Error| Error::internal(format!("stored {col}: {e}"));
    Ok(BandwidthPackage {
        id: BandwidthPackageId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        name: Name::from_trusted(text(row, "name")?),
        description: desc(row)?,
        billing_mode: BillingMode::parse("billing_mode", &text(row, "billing_mode")?)
            .map_err(stored("billing_mode"))?,
        period: int(row, "period")? as u32,
        auto_renew: int(row, "auto_renew")? != 0,
        bandwidth_mbps: int(row, "bandwidth_mbps")? as u32,
        area_a: text(row, "area_a")?,
        area_b: text(row, "area_b")?,
        enterprise_project: Name::from_trusted(text(row, "enterprise_project")?),
        status: PackageStatus::parse("status", &text(row, "status")?).map_err(stored("status"))?,
        hub_id: opt_text(row, "hub_id")?.map(HubId::from_trusted),
        hub_on_payment: opt_text(row, "hub_on_payment")?.map(HubId::from_trusted),
        created_at: ts(row, "created_at")?,
        paid_at: row.opt_int("paid_at")?.map(Timestamp::from_millis),
        expires_at: row.opt_int("expires_at")?.map(Timestamp::from_millis),
    })
}

fn inter_region_bandwidth_row(row: &Row) -> Result<InterRegionBandwidth> {
    Ok(InterRegionBandwidth {
        id: InterRegionBandwidthId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        hub_id: HubId::from_trusted(text(row, "hub_id")?),
        bandwidth_package_id: BandwidthPackageId::from_trusted(text(row, "bandwidth_package_id")?),
        region_a: RegionId::from_trusted(text(row, "region_a")?),
        region_b: RegionId::from_trusted(text(row, "region_b")?),
        bandwidth_mbps: int(row, "bandwidth_mbps")? as u32,
        created_at: ts(row, "created_at")?,
    })
}

/// A permit row without its documents, which live in their own table.
fn permit_row(row: &Row) -> Result<Permit> {
    let status = text(row, "status")?;
    Ok(Permit {
        id: PermitId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        enterprise: text(row, "enterprise")?,
        representative: text(row, "representative")?,
        documents: Vec::new(),
        status: PermitStatus::parse("status", &status).map_err(|e| Error::internal(format!("stored status: {e}")))?,
        reason: opt_text(row, "reason")?,
        created_at: ts(row, "created_at")?,
        decided_at: row.opt_int("decided_at")?.map(Timestamp::from_millis),
    })
}

fn hub_row(row: &Row) -> Result<Hub> {
    Ok(Hub {
        id: HubId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        name: Name::from_trusted(text(row, "name")?),
        description: desc(row)?,
        enterprise_project: Name::from_trusted(text(row, "enterprise_project")?),
        created_at: ts(row, "created_at")?,
    })
}

fn network_kind(row: &Row) -> Result<NetworkKind> {
    let kind = text(row, "network_type")?;
    NetworkKind::parse("network_type", &kind).map_err(|e| Error::internal(format!("stored network_type: {e}")))
}

fn grant_row(row: &Row) -> Result<Grant> {
    Ok(Grant {
        id: GrantId::from_trusted(text(row, "id")?),
        account_id: AccountId::from_trusted(text(row, "account_id")?),
        network_type: network_kind(row)?,
        network_id: text(row, "network_id")?,
        region: RegionId::from_trusted(text(row, "region")?),
        grantee_account_id: AccountId::from_trusted(text(row, "grantee_account_id")?),
        hub_id: HubId::from_trusted(text(row, "hub_id")?),
        remarks: Description::from_trusted(text(row, "remarks")?),
        created_at: ts(row, "created_at")?,
    })
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

fn position_of_created<T>(created: Timestamp, id: &T) -> PageToken
where
    T: std::fmt::Display,
{
    PageToken { created_at: created.millis(), id: id.to_string() }
}

impl Tx {
    // ---- hubs ----

    pub async fn hub_insert(&mut self, h: &Hub) -> Result<()> {
        let sql = format!("INSERT INTO hubs ({}) VALUES ($1, $2, $3, $4, $5, $6)", HUBS.columns);
        let b = binds![
            h.id.to_string(),
            h.account_id.to_string(),
            h.name.to_string(),
            h.description.as_str().to_owned(),
            h.enterprise_project.to_string(),
            h.created_at.millis()
        ];
        self.execute(&sql, b).await.map(drop)
    }

    pub async fn hub_get(&mut self, id: &HubId) -> Result<Option<Hub>> {
        let sql = format!("SELECT {} FROM hubs WHERE id = $1", HUBS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], hub_row).await
    }

    pub async fn hub_list(&mut self, f: &ListFilter) -> Result<Rows<Hub>> {
        self.list(&HUBS, f, &[], hub_row, |h| position_of_created(h.created_at, &h.id)).await
    }

    pub async fn hub_update(&mut self, h: &Hub) -> Result<()> {
        self.execute(
            "UPDATE hubs SET name = $1, description = $2 WHERE id = $3",
            binds![h.name.to_string(), h.description.as_str().to_owned(), h.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn hub_delete(&mut self, id: &HubId) -> Result<()> {
        self.execute("DELETE FROM hubs WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    // ---- grants ----

    pub async fn grant_insert(&mut self, g: &Grant) -> Result<()> {
        let sql = format!("INSERT INTO grants ({GRANTS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        let b = binds![
            g.id.to_string(),
            g.account_id.to_string(),
            g.network_type.as_str(),
            g.network_id.clone(),
            g.region.to_string(),
            g.grantee_account_id.to_string(),
            g.hub_id.to_string(),
            g.remarks.as_str().to_owned(),
            g.created_at.millis()
        ];
        self.execute(&sql, b).await.map(drop)
    }

    pub async fn grant_get(&mut self, id: &GrantId) -> Result<Option<Grant>> {
        let sql = format!("SELECT {GRANTS_COLUMNS} FROM grants WHERE id = $1");
        self.fetch_optional(&sql, binds![id.to_string()], grant_row).await
    }

    /// The grant of a network for a hub, if its owner gave one.
    pub async fn grant_find(&mut self, network_id: &str, hub: &HubId) -> Result<Option<Grant>> {
        let sql = format!("SELECT {GRANTS_COLUMNS} FROM grants WHERE network_id = $1 AND hub_id = $2");
        self.fetch_optional(&sql, binds![network_id.to_owned(), hub.to_string()], grant_row).await
    }

    /// Every grant of a network, for the forwarding view.
    pub async fn grant_list_by_network(&mut self, network_id: &str) -> Result<Vec<Grant>> {
        let sql = format!("SELECT {GRANTS_COLUMNS} FROM grants WHERE network_id = $1 ORDER BY created_at, id");
        self.fetch_all(&sql, binds![network_id.to_owned()], grant_row).await
    }

    /// The grants the filter's account gave, or with `received`, the ones it was given.
    pub async fn grant_list(&mut self, f: &ListFilter, received: bool) -> Result<Rows<Grant>> {
        let table = if received { &GRANTS_RECEIVED } else { &GRANTS_GIVEN };
        self.list(table, f, &[], grant_row, |g| position_of_created(g.created_at, &g.id)).await
    }

    pub async fn grant_delete(&mut self, id: &GrantId) -> Result<()> {
        self.execute("DELETE FROM grants WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    /// How many grants name a network, for refusing its deletion.
    pub async fn grant_count_by_network(&mut self, network_id: &str) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM grants WHERE network_id = $1", binds![network_id.to_owned()]).await
    }

    // ---- attachments ----

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
        let mut rows =
            self.list(&ATTACHMENTS, f, &extra, attachment_row, |a| position_of_created(a.created_at, &a.id)).await?;
        self.attachment_fill(&mut rows.items).await?;
        Ok(rows)
    }

    pub async fn attachment_delete(&mut self, id: &AttachmentId) -> Result<()> {
        self.execute("DELETE FROM attachments WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    pub async fn attachment_count_by_hub(&mut self, hub: &HubId) -> Result<i64> {
        self.count("SELECT COUNT(*) FROM attachments WHERE hub_id = $1", binds![hub.to_string()]).await
    }

    // ---- bandwidth packages ----

    pub async fn bandwidth_package_insert(&mut self, p: &BandwidthPackage) -> Result<()> {
        let sql = format!(
            "INSERT INTO bandwidth_packages ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             $15, $16, $17)",
            PACKAGES.columns
        );
        let b = binds![
            p.id.to_string(),
            p.account_id.to_string(),
            p.name.to_string(),
            p.description.as_str().to_owned(),
            p.billing_mode.as_str(),
            i64::from(p.period),
            i64::from(p.auto_renew),
            i64::from(p.bandwidth_mbps),
            p.area_a.clone(),
            p.area_b.clone(),
            p.enterprise_project.to_string(),
            p.status.as_str(),
            p.hub_id.as_ref().map(|h| h.to_string()),
            p.hub_on_payment.as_ref().map(|h| h.to_string()),
            p.created_at.millis(),
            p.paid_at.map(|t| t.millis()),
            p.expires_at.map(|t| t.millis()),
        ];
        self.execute(&sql, b).await.map(drop)
    }

    /// Writes back what changes after purchase: status, binding, renewal and term.
    pub async fn bandwidth_package_update(&mut self, p: &BandwidthPackage) -> Result<()> {
        self.execute(
            "UPDATE bandwidth_packages SET name = $1, description = $2, auto_renew = $3, status = $4, hub_id = $5, \
             hub_on_payment = $6, paid_at = $7, expires_at = $8 WHERE id = $9",
            binds![
                p.name.to_string(),
                p.description.as_str().to_owned(),
                i64::from(p.auto_renew),
                p.status.as_str(),
                p.hub_id.as_ref().map(|h| h.to_string()),
                p.hub_on_payment.as_ref().map(|h| h.to_string()),
                p.paid_at.map(|t| t.millis()),
                p.expires_at.map(|t| t.millis()),
                p.id.to_string(),
            ],
        )
        .await
        .map(drop)
    }

    pub async fn bandwidth_package_get(&mut self, id: &BandwidthPackageId) -> Result<Option<BandwidthPackage>> {
        let sql = format!("SELECT {} FROM bandwidth_packages WHERE id = $1", PACKAGES.columns);
        self.fetch_optional(&sql, binds![id.to_string()], bandwidth_package_row).await
    }

    pub async fn bandwidth_package_list(&mut self, f: &ListFilter) -> Result<Rows<BandwidthPackage>> {
        self.list(&PACKAGES, f, &[], bandwidth_package_row, |p| position_of_created(p.created_at, &p.id)).await
    }

    /// How many packages are bound to a hub or waiting to be bound to it when paid.
    pub async fn bandwidth_package_count_for_hub(&mut self, hub: &HubId) -> Result<i64> {
        self.count(
            "SELECT COUNT(*) FROM bandwidth_packages WHERE hub_id = $1 OR hub_on_payment = $1",
            binds![hub.to_string()],
        )
        .await
    }

    /// The packages bound to a hub.
    pub async fn bandwidth_package_list_by_hub(&mut self, hub: &HubId) -> Result<Vec<BandwidthPackage>> {
        let sql =
            format!("SELECT {} FROM bandwidth_packages WHERE hub_id = $1 ORDER BY created_at, id", PACKAGES.columns);
        self.fetch_all(&sql, binds![hub.to_string()], bandwidth_package_row).await
    }

    // ---- inter-region bandwidths ----

    pub async fn inter_region_bandwidth_insert(&mut self, b: &InterRegionBandwidth) -> Result<()> {
        let sql =
            format!("INSERT INTO inter_region_bandwidths ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", IRBS.columns);
        let binds = binds![
            b.id.to_string(),
            b.account_id.to_string(),
            b.hub_id.to_string(),
            b.bandwidth_package_id.to_string(),
            b.region_a.to_string(),
            b.region_b.to_string(),
            i64::from(b.bandwidth_mbps),
            b.created_at.millis(),
        ];
        self.execute(&sql, binds).await.map(drop)
    }

    pub async fn inter_region_bandwidth_get(
        &mut self,
        id: &InterRegionBandwidthId,
    ) -> Result<Option<InterRegionBandwidth>> {
        let sql = format!("SELECT {} FROM inter_region_bandwidths WHERE id = $1", IRBS.columns);
        self.fetch_optional(&sql, binds![id.to_string()], inter_region_bandwidth_row).await
    }

    /// The bandwidth between two regions (in sorted order) on a hub, if one is assigned.
    pub async fn inter_region_bandwidth_find(
        &mut self,
        hub: &HubId,
        a: &RegionId,
        b: &RegionId,
    ) -> Result<Option<InterRegionBandwidth>> {
        let sql = format!(
            "SELECT {} FROM inter_region_bandwidths WHERE hub_id = $1 AND region_a = $2 AND region_b = $3",
            IRBS.columns
        );
        self.fetch_optional(&sql, binds![hub.to_string(), a.to_string(), b.to_string()], inter_region_bandwidth_row)
            .await
    }

    pub async fn inter_region_bandwidth_list(
        &mut self,
        f: &ListFilter,
        hub: Option<&HubId>,
    ) -> Result<Rows<InterRegionBandwidth>> {
        let extra: Vec<(&str, String)> = hub.map(|h| ("hub_id", h.to_string())).into_iter().collect();
        self.list(&IRBS, f, &extra, inter_region_bandwidth_row, |b| position_of_created(b.created_at, &b.id)).await
    }

    /// Every inter-region bandwidth of a hub, for the forwarding view.
    pub async fn inter_region_bandwidth_list_by_hub(&mut self, hub: &HubId) -> Result<Vec<InterRegionBandwidth>> {
        let sql =
            format!("SELECT {} FROM inter_region_bandwidths WHERE hub_id = $1 ORDER BY created_at, id", IRBS.columns);
        self.fetch_all(&sql, binds![hub.to_string()], inter_region_bandwidth_row).await
    }

    /// The bandwidth a package has given out, and to how many, leaving out `except`.
    pub async fn inter_region_bandwidth_sum_by_package(
        &mut self,
        package: &BandwidthPackageId,
        except: Option<&InterRegionBandwidthId>,
    ) -> Result<(i64, i64)> {
        let except = except.map(|e| e.to_string()).unwrap_or_default();
        let sum = self
            .count(
                "SELECT CAST(COALESCE(SUM(bandwidth_mbps), 0) AS BIGINT) FROM inter_region_bandwidths WHERE bandwidth_package_id = $1 \
                 AND id <> $2",
                binds![package.to_string(), except.clone()],
            )
            .await?;
        let n = self
            .count(
                "SELECT COUNT(*) FROM inter_region_bandwidths WHERE bandwidth_package_id = $1 AND id <> $2",
                binds![package.to_string(), except],
            )
            .await?;
        Ok((sum, n))
    }

    pub async fn inter_region_bandwidth_update(&mut self, b: &InterRegionBandwidth) -> Result<()> {
        self.execute(
            "UPDATE inter_region_bandwidths SET bandwidth_mbps = $1 WHERE id = $2",
            binds![i64::from(b.bandwidth_mbps), b.id.to_string()],
        )
        .await
        .map(drop)
    }

    pub async fn inter_region_bandwidth_delete(&mut self, id: &InterRegionBandwidthId) -> Result<()> {
        self.execute("DELETE FROM inter_region_bandwidths WHERE id = $1", binds![id.to_string()]).await.map(drop)
    }

    // ---- cross-border permits ----

    /// Stores an application with its documents (`contents`: base64 of each document's bytes,
    /// in the order of `p.documents`).
    pub async fn permit_insert(&mut self, p: &Permit, contents: &[String]) -> Result<()> {
        let sql = format!("INSERT INTO permits ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", PERMITS.columns);
        let b = binds![
            p.id.to_string(),
            p.account_id.to_string(),
            p.enterprise.clone(),
            p.representative.clone(),
            p.status.as_str(),
            p.reason.clone(),
            p.created_at.millis(),
            p.decided_at.map(|t| t.millis()),
        ];
        self.execute(&sql, b).await?;
        for (i, (d, content)) in p.documents.iter().zip(contents).enumerate() {
            self.execute(
                "INSERT INTO permit_documents (permit_id, position, name, sha256, size, content) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                binds![p.id.to_string(), i as i64, d.name.clone(), d.sha256.clone(), d.size as i64, content.clone()],
            )
            .await?;
        }
        Ok(())
    }

    async fn permit_documents_fill(&mut self, permits: &mut [Permit]) -> Result<()> {
        for p in permits {
            p.documents = self
                .fetch_all(
                    "SELECT name, sha256, size FROM permit_documents WHERE permit_id = $1 ORDER BY position",
                    binds![p.id.to_string()],
                    |row| {
                        Ok(PermitDocument {
                            name: text(row, "name")?,
                            size: int(row, "size")? as u64,
                            sha256: text(row, "sha256")?,
                        })
                    },
                )
                .await?;
        }
        Ok(())
    }

    /// A document's stored content (base64), by its permit and position.
    pub async fn permit_document_content(&mut self, permit: &PermitId, position: i64) -> Result<Option<String>> {
        self.fetch_optional(
            "SELECT content FROM permit_documents WHERE permit_id = $1 AND position = $2",
            binds![permit.to_string(), position],
            |row| text(row, "content"),
        )
        .await
    }

    pub async fn permit_get(&mut self, id: &PermitId) -> Result<Option<Permit>> {
        let sql = format!("SELECT {} FROM permits WHERE id = $1", PERMITS.columns);
        let mut found = self.fetch_optional(&sql, binds![id.to_string()], permit_row).await?;
        if let Some(p) = &mut found {
            self.permit_documents_fill(std::slice::from_mut(p)).await?;
        }
        Ok(found)
    }

    pub async fn permit_list(&mut self, f: &ListFilter) -> Result<Rows<Permit>> {
        let mut rows = self.list(&PERMITS, f, &[], permit_row, |p| position_of_created(p.created_at, &p.id)).await?;
        self.permit_documents_fill(&mut rows.items).await?;
        Ok(rows)
    }

    /// The account's permits, newest first, to decide whether it may buy across the border.
    pub async fn permit_list_by_account(&mut self, account: &AccountId) -> Result<Vec<Permit>> {
        let sql =
            format!("SELECT {} FROM permits WHERE account_id = $1 ORDER BY created_at DESC, id DESC", PERMITS.columns);
        self.fetch_all(&sql, binds![account.to_string()], permit_row).await
    }

    pub async fn permit_update(&mut self, p: &Permit) -> Result<()> {
        self.execute(
            "UPDATE permits SET status = $1, reason = $2, decided_at = $3 WHERE id = $4",
            binds![p.status.as_str(), p.reason.clone(), p.decided_at.map(|t| t.millis()), p.id.to_string()],
        )
        .await
        .map(drop)
    }

    // ---- the operator's clock ----

    /// How far the operator moved the clock ahead, in milliseconds.
    pub async fn clock_offset(&mut self) -> Result<i64> {
        Ok(self
            .fetch_optional("SELECT offset_ms FROM clock WHERE id = 1", binds![], |row| int(row, "offset_ms"))
            .await?
            .unwrap_or(0))
    }

    pub async fn clock_set(&mut self, offset_ms: i64) -> Result<()> {
        self.execute("DELETE FROM clock WHERE id = 1", binds![]).await?;
        self.execute("INSERT INTO clock (id, offset_ms) VALUES (1, $1)", binds![offset_ms]).await.map(drop)
    }
}
