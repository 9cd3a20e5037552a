-- Outbound data transfer as the data plane counts it: one row per counter and window, so a
-- report sent twice is recorded once.
CREATE TABLE usage_records (
    counter_id      TEXT NOT NULL,
    window_start    BIGINT NOT NULL,
    window_seconds  BIGINT NOT NULL,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    resource_id     TEXT NOT NULL,
    bytes_out       BIGINT NOT NULL,
    recorded_at     BIGINT NOT NULL,
    PRIMARY KEY (counter_id, window_start)
);
CREATE INDEX usage_records_by_account ON usage_records (account_id, window_start);
