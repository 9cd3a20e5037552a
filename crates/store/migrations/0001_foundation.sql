-- The foundation: accounts and keys, VPCs and what lives in them, the audit trail and client
-- tokens. Written in the subset of SQL that SQLite and PostgreSQL read alike (TEXT, BIGINT,
-- REFERENCES, UNIQUE), so one file serves both backends. Times are milliseconds since the epoch.
-- IPv4 blocks also carry their first and last address as integers (range_first, range_last),
-- so that an overlap is found through an index: two blocks overlap when each starts before the
-- other ends.

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- The secret is sealed with the data directory's key; only its ciphertext is stored.
CREATE TABLE access_keys (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id),
    secret_sealed  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX access_keys_by_account ON access_keys (account_id);

CREATE TABLE vpcs (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    region          TEXT NOT NULL,
    cidr_block      TEXT NOT NULL,
    name            TEXT,
    description     TEXT NOT NULL,
    vrouter_id      TEXT NOT NULL UNIQUE,
    route_table_id  TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL
);
CREATE INDEX vpcs_by_account ON vpcs (account_id, created_at, id);

CREATE TABLE vswitches (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    vpc_id       TEXT NOT NULL REFERENCES vpcs (id),
    region       TEXT NOT NULL,
    zone         TEXT NOT NULL,
    cidr_block   TEXT NOT NULL,
    range_first  BIGINT NOT NULL,
    range_last   BIGINT NOT NULL,
    name         TEXT,
    description  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX vswitches_by_vpc ON vswitches (vpc_id, range_first);
CREATE INDEX vswitches_by_account ON vswitches (account_id, created_at, id);

CREATE TABLE security_groups (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    vpc_id       TEXT NOT NULL REFERENCES vpcs (id),
    region       TEXT NOT NULL,
    name         TEXT,
    description  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX security_groups_by_vpc ON security_groups (vpc_id);
CREATE INDEX security_groups_by_account ON security_groups (account_id, created_at, id);

-- Exactly one of peer_cidr and peer_group_id is set; a group peer also names its owner.
CREATE TABLE security_group_rules (
    id                 TEXT PRIMARY KEY,
    security_group_id  TEXT NOT NULL REFERENCES security_groups (id),
    direction          TEXT NOT NULL,
    protocol           TEXT NOT NULL,
    port_from          BIGINT,
    port_to            BIGINT,
    peer_cidr          TEXT,
    peer_group_id      TEXT REFERENCES security_groups (id),
    peer_account_id    TEXT,
    priority           BIGINT NOT NULL,
    policy             TEXT NOT NULL,
    description        TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE INDEX security_group_rules_by_group ON security_group_rules (security_group_id, created_at, id);
CREATE INDEX security_group_rules_by_peer ON security_group_rules (peer_group_id);

-- One address is held by at most one instance of a vswitch: the store refuses a double
-- allocation even if two requests race past the control layer's check.
CREATE TABLE instances (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    vpc_id       TEXT NOT NULL REFERENCES vpcs (id),
    vswitch_id   TEXT NOT NULL REFERENCES vswitches (id),
    region       TEXT NOT NULL,
    zone         TEXT NOT NULL,
    private_ip   TEXT NOT NULL,
    name         TEXT,
    description  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (vswitch_id, private_ip)
);
CREATE INDEX instances_by_account ON instances (account_id, created_at, id);
CREATE INDEX instances_by_vpc ON instances (vpc_id);

CREATE TABLE instance_security_groups (
    instance_id        TEXT NOT NULL REFERENCES instances (id),
    security_group_id  TEXT NOT NULL REFERENCES security_groups (id),
    position           BIGINT NOT NULL,
    PRIMARY KEY (instance_id, security_group_id)
);
CREATE INDEX instance_security_groups_by_group ON instance_security_groups (security_group_id);

CREATE TABLE route_entries (
    id                      TEXT PRIMARY KEY,
    account_id              TEXT NOT NULL REFERENCES accounts (id),
    route_table_id          TEXT NOT NULL REFERENCES vpcs (route_table_id),
    vpc_id                  TEXT NOT NULL REFERENCES vpcs (id),
    destination_cidr_block  TEXT NOT NULL,
    range_first             BIGINT NOT NULL,
    range_last              BIGINT NOT NULL,
    next_hop_type           TEXT NOT NULL,
    next_hop_id             TEXT,
    description             TEXT NOT NULL,
    created_at              BIGINT NOT NULL,
    UNIQUE (route_table_id, destination_cidr_block)
);
CREATE INDEX route_entries_by_account ON route_entries (account_id, created_at, id);
CREATE INDEX route_entries_by_table ON route_entries (route_table_id, range_first);

CREATE TABLE audit_events (
    id             TEXT PRIMARY KEY,
    at             BIGINT NOT NULL,
    account_id     TEXT NOT NULL,
    access_key_id  TEXT,
    action         TEXT NOT NULL,
    resource_id    TEXT,
    request_id     TEXT NOT NULL,
    result         TEXT NOT NULL
);
CREATE INDEX audit_events_by_account ON audit_events (account_id, at, id);
CREATE INDEX audit_events_by_time ON audit_events (at, id);

-- Nonces of changing requests, kept until their date has left the replay window, so that a
-- replayed change is refused after a restart too, and by every server sharing this database.
-- A replay is the same signed request, so it carries the same date and thus the same expiry:
-- keyed by expiry first, inserts append (nonces are random) and pruning is a range delete.
CREATE TABLE request_nonces (
    expires_at     BIGINT NOT NULL,
    access_key_id  TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    PRIMARY KEY (expires_at, access_key_id, nonce)
);

-- A create retried with the same client token returns the first result: the token remembers
-- what was asked (a fingerprint of the request) and what it made.
CREATE TABLE client_tokens (
    account_id   TEXT NOT NULL,
    token        TEXT NOT NULL,
    action       TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    resource_id  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, token)
);
