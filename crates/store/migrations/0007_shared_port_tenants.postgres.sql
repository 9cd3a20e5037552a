-- A partner's shared port names its tenant without the tenant being looked up (whether an
-- account exists is not a partner's to know), so shared_ports.account_id no longer references
-- accounts. (The SQLite twin of this file makes the table again to the same effect.)
ALTER TABLE shared_ports DROP CONSTRAINT shared_ports_account_id_fkey;
