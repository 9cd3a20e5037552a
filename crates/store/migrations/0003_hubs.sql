-- Hubs: the hubs themselves, the grants that let a hub attach another account's network, the
-- attachments with the blocks they advertise, bandwidth packages, the inter-region bandwidths
-- taken from them, cross-border permits with their documents, and the operator's clock offset.
CREATE TABLE hubs (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts (id),
    name                TEXT NOT NULL,
    description         TEXT NOT NULL,
    enterprise_project  TEXT NOT NULL,
    created_at          BIGINT NOT NULL
);
CREATE INDEX hubs_by_account ON hubs (account_id, created_at, id);

-- hub_id is not a foreign key: the hub is another account's, and a grant may name one that
-- does not exist (nothing tells the grantor otherwise).
CREATE TABLE grants (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts (id),
    network_type        TEXT NOT NULL,
    network_id          TEXT NOT NULL,
    region              TEXT NOT NULL,
    grantee_account_id  TEXT NOT NULL,
    hub_id              TEXT NOT NULL,
    remarks             TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    UNIQUE (network_id, hub_id)
);
CREATE INDEX grants_by_account ON grants (account_id, created_at, id);
CREATE INDEX grants_by_grantee ON grants (grantee_account_id, created_at, id);

-- A network is attached to at most one hub, once: network_id is unique. The advertised blocks
-- are kept as one comma-separated text.
CREATE TABLE attachments (
    id                  TEXT PRIMARY KEY,
    hub_id              TEXT NOT NULL REFERENCES hubs (id),
    hub_account_id      TEXT NOT NULL REFERENCES accounts (id),
    network_type        TEXT NOT NULL,
    network_id          TEXT NOT NULL UNIQUE,
    network_account_id  TEXT NOT NULL REFERENCES accounts (id),
    region              TEXT NOT NULL,
    cidr_blocks         TEXT NOT NULL,
    description         TEXT NOT NULL,
    created_at          BIGINT NOT NULL
);
CREATE INDEX attachments_by_hub ON attachments (hub_id, created_at, id);
CREATE INDEX attachments_by_hub_account ON attachments (hub_account_id, created_at, id);
CREATE INDEX attachments_by_network_account ON attachments (network_account_id, created_at, id);

-- area_b equals area_a for a package within one area. Times are milliseconds; expires_at is
-- set when the package is paid.
CREATE TABLE bandwidth_packages (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts (id),
    name                TEXT NOT NULL,
    description         TEXT NOT NULL,
    billing_mode        TEXT NOT NULL,
    period              BIGINT NOT NULL,
    auto_renew          BIGINT NOT NULL,
    bandwidth_mbps      BIGINT NOT NULL,
    area_a              TEXT NOT NULL,
    area_b              TEXT NOT NULL,
    enterprise_project  TEXT NOT NULL,
    status              TEXT NOT NULL,
    hub_id              TEXT REFERENCES hubs (id),
    hub_on_payment      TEXT REFERENCES hubs (id),
    created_at          BIGINT NOT NULL,
    paid_at             BIGINT,
    expires_at          BIGINT
);
CREATE INDEX bandwidth_packages_by_account ON bandwidth_packages (account_id, created_at, id);
CREATE INDEX bandwidth_packages_by_hub ON bandwidth_packages (hub_id);

CREATE TABLE inter_region_bandwidths (
    id                    TEXT PRIMARY KEY,
    account_id            TEXT NOT NULL REFERENCES accounts (id),
    hub_id                TEXT NOT NULL REFERENCES hubs (id),
    bandwidth_package_id  TEXT NOT NULL REFERENCES bandwidth_packages (id),
    region_a              TEXT NOT NULL,
    region_b              TEXT NOT NULL,
    bandwidth_mbps        BIGINT NOT NULL,
    created_at            BIGINT NOT NULL,
    UNIQUE (hub_id, region_a, region_b)
);
CREATE INDEX inter_region_bandwidths_by_account ON inter_region_bandwidths (account_id, created_at, id);
CREATE INDEX inter_region_bandwidths_by_package ON inter_region_bandwidths (bandwidth_package_id);

CREATE TABLE permits (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    enterprise      TEXT NOT NULL,
    representative  TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT,
    created_at      BIGINT NOT NULL,
    decided_at      BIGINT
);
CREATE INDEX permits_by_account ON permits (account_id, created_at, id);
CREATE INDEX permits_by_time ON permits (created_at, id);

-- The documents as uploaded, base64 text (the same column type on both backends), with the
-- SHA-256 of their bytes.
CREATE TABLE permit_documents (
    permit_id  TEXT NOT NULL REFERENCES permits (id),
    position   BIGINT NOT NULL,
    name       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size       BIGINT NOT NULL,
    content    TEXT NOT NULL,
    PRIMARY KEY (permit_id, position)
);

-- The operator's clock: an offset added to the real time wherever terms and expiry are
-- decided, so that tests can move a month ahead.
CREATE TABLE clock (
    id         BIGINT PRIMARY KEY,
    offset_ms  BIGINT NOT NULL
);
