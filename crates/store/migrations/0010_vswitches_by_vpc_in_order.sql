-- A VPC's vswitches listed in order (`vswitch list --vpc`, DescribeVpcAttribute's VSwitchIds)
-- read only that VPC's rows: with the account's index alone, the list read every vswitch the
-- account has and kept the VPC's.
CREATE INDEX vswitches_by_vpc_in_order ON vswitches (vpc_id, created_at, id);
