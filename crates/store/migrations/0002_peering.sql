-- Peering: router interfaces, and the orders that record what an account pays for.
--
-- The peer columns are what this side's owner named; they are checked against the other side
-- only when the initiator connects. peer_router_interface_id is deliberately not a foreign
-- key: the other side belongs to another account, may not exist yet, and may be deleted.
CREATE TABLE router_interfaces (
    id                        TEXT PRIMARY KEY,
    account_id                TEXT NOT NULL REFERENCES accounts (id),
    vpc_id                    TEXT NOT NULL REFERENCES vpcs (id),
    vrouter_id                TEXT NOT NULL REFERENCES vpcs (vrouter_id),
    region                    TEXT NOT NULL,
    role                      TEXT NOT NULL,
    spec                      TEXT,
    status                    TEXT NOT NULL,
    peer_region               TEXT NOT NULL,
    peer_account_id           TEXT,
    peer_vrouter_id           TEXT,
    peer_router_interface_id  TEXT,
    name                      TEXT,
    description               TEXT NOT NULL,
    created_at                BIGINT NOT NULL,
    connected_at              BIGINT
);
CREATE INDEX router_interfaces_by_account ON router_interfaces (account_id, created_at, id);
CREATE INDEX router_interfaces_by_vrouter ON router_interfaces (vrouter_id, peer_vrouter_id);
CREATE INDEX router_interfaces_by_vpc ON router_interfaces (vpc_id);

-- Route entries that point at a router interface, for refusing its deletion.
CREATE INDEX route_entries_by_next_hop ON route_entries (next_hop_id);

CREATE TABLE orders (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    product         TEXT NOT NULL,
    resource_id     TEXT NOT NULL,
    region          TEXT NOT NULL,
    item            TEXT NOT NULL,
    bandwidth_mbps  BIGINT NOT NULL,
    started_at      BIGINT NOT NULL,
    ended_at        BIGINT
);
CREATE INDEX orders_by_account ON orders (account_id, started_at, id);
CREATE INDEX orders_by_resource ON orders (resource_id);
