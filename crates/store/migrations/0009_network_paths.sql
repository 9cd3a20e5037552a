-- Saved connectivity questions (Alibaba Cloud NIS's network paths) and their answers. The
-- question and the answer are stored whole, as JSON: they are read back whole and never
-- searched, and an answer must stay as it was when asked, whatever the network became since.
CREATE TABLE network_paths (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    name         TEXT,
    description  TEXT NOT NULL,
    question     TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX network_paths_by_account ON network_paths (account_id, created_at, id);

CREATE TABLE path_analyses (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts (id),
    network_path_id  TEXT NOT NULL REFERENCES network_paths (id),
    answer           TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX path_analyses_by_path ON path_analyses (network_path_id);
