-- A partner's shared port names its tenant without the tenant being looked up (whether an
-- account exists is not a partner's to know), so shared_ports.account_id no longer references
-- accounts. SQLite cannot drop a constraint in place and vbrs references this table, so its
-- rows are kept aside, the table made again and the rows put back; the check of vbrs' reference
-- waits for the commit, when every port it names is back.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE shared_ports_kept AS SELECT * FROM shared_ports;
DROP TABLE shared_ports;
CREATE TABLE shared_ports (
    id                      TEXT PRIMARY KEY,
    partner_account_id      TEXT NOT NULL REFERENCES accounts (id),
    account_id              TEXT NOT NULL,
    physical_connection_id  TEXT NOT NULL REFERENCES physical_connections (id),
    region                  TEXT NOT NULL,
    access_point            TEXT NOT NULL,
    vlan_id                 BIGINT NOT NULL,
    bandwidth_mbps          BIGINT NOT NULL,
    status                  TEXT NOT NULL,
    created_at              BIGINT NOT NULL,
    decided_at              BIGINT
);
INSERT INTO shared_ports
    SELECT id, partner_account_id, account_id, physical_connection_id, region, access_point, vlan_id,
           bandwidth_mbps, status, created_at, decided_at
    FROM shared_ports_kept;
DROP TABLE shared_ports_kept;
CREATE UNIQUE INDEX shared_ports_vlan ON shared_ports (physical_connection_id, vlan_id) WHERE status <> 'Declined';
CREATE INDEX shared_ports_by_account ON shared_ports (account_id, created_at, id);
CREATE INDEX shared_ports_by_partner ON shared_ports (partner_account_id, created_at, id);
