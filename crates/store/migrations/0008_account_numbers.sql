-- Alibaba Cloud's API names accounts by number (OwnerId, OppositeInterfaceOwnerId, ...): each
-- account's number is derived from its id (AccountId::number) and stored here so that a number
-- is found by the index, not by reading every account. The rows made before this migration get
-- theirs from the migration runner, which can compute it (SQL cannot).
ALTER TABLE accounts ADD COLUMN number BIGINT;
CREATE INDEX accounts_by_number ON accounts (number);
