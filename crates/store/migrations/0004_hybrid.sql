-- Data centres through partners: physical connections, the shared ports partners push to
-- tenants on them, and the tenants' VBRs.
CREATE TABLE physical_connections (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    name            TEXT NOT NULL,
    access_point    TEXT NOT NULL,
    region          TEXT NOT NULL,
    port_type       TEXT NOT NULL,
    bandwidth_mbps  BIGINT NOT NULL,
    status          TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX physical_connections_by_account ON physical_connections (account_id, created_at, id);

-- A shared port belongs to two accounts: the partner that made it and the tenant it is for.
-- Its VLAN id is unique on its connection among the ports not declined; the control layer
-- checks that in the transaction, and this index is the store's own guard.
CREATE TABLE shared_ports (
    id                      TEXT PRIMARY KEY,
    partner_account_id      TEXT NOT NULL REFERENCES accounts (id),
    account_id              TEXT NOT NULL REFERENCES accounts (id),
    physical_connection_id  TEXT NOT NULL REFERENCES physical_connections (id),
    region                  TEXT NOT NULL,
    access_point            TEXT NOT NULL,
    vlan_id                 BIGINT NOT NULL,
    bandwidth_mbps          BIGINT NOT NULL,
    status                  TEXT NOT NULL,
    created_at              BIGINT NOT NULL,
    decided_at              BIGINT
);
CREATE UNIQUE INDEX shared_ports_vlan ON shared_ports (physical_connection_id, vlan_id) WHERE status <> 'Declined';
CREATE INDEX shared_ports_by_account ON shared_ports (account_id, created_at, id);
CREATE INDEX shared_ports_by_partner ON shared_ports (partner_account_id, created_at, id);

-- One VBR per shared port. Its data centre routes are one comma-separated text.
CREATE TABLE vbrs (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts (id),
    shared_port_id   TEXT NOT NULL UNIQUE REFERENCES shared_ports (id),
    region           TEXT NOT NULL,
    vlan_id          BIGINT NOT NULL,
    bandwidth_mbps   BIGINT NOT NULL,
    local_gateway_ip TEXT NOT NULL,
    peer_gateway_ip  TEXT NOT NULL,
    peering_subnet   TEXT NOT NULL,
    routes           TEXT NOT NULL,
    name             TEXT,
    description      TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX vbrs_by_account ON vbrs (account_id, created_at, id);

-- Hosts of the data centre behind a VBR, to test connectivity from and to: one per address.
CREATE TABLE dc_hosts (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    vbr_id      TEXT NOT NULL REFERENCES vbrs (id),
    ip          TEXT NOT NULL,
    name        TEXT,
    created_at  BIGINT NOT NULL,
    UNIQUE (vbr_id, ip)
);
CREATE INDEX dc_hosts_by_account ON dc_hosts (account_id, created_at, id);
