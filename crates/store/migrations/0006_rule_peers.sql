-- A rule whose peer is another account's group is taken as named, without looking the group
-- up (whether it exists is that account's to know), so its peer_group_id no longer references
-- security_groups. The table is made again, as both backends can: SQLite cannot drop a
-- constraint in place.
CREATE TABLE security_group_rules_new (
    id                 TEXT PRIMARY KEY,
    security_group_id  TEXT NOT NULL REFERENCES security_groups (id),
    direction          TEXT NOT NULL,
    protocol           TEXT NOT NULL,
    port_from          BIGINT,
    port_to            BIGINT,
    peer_cidr          TEXT,
    peer_group_id      TEXT,
    peer_account_id    TEXT,
    priority           BIGINT NOT NULL,
    policy             TEXT NOT NULL,
    description        TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);
INSERT INTO security_group_rules_new
    SELECT id, security_group_id, direction, protocol, port_from, port_to, peer_cidr, peer_group_id,
           peer_account_id, priority, policy, description, created_at
    FROM security_group_rules;
DROP TABLE security_group_rules;
ALTER TABLE security_group_rules_new RENAME TO security_group_rules;
CREATE INDEX security_group_rules_by_group ON security_group_rules (security_group_id, created_at, id);
CREATE INDEX security_group_rules_by_peer ON security_group_rules (peer_group_id);
