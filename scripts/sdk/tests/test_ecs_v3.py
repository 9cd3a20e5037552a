"""ECS 2014-05-26 through the official V3 client (alibabacloud_ecs20140526 over tea-openapi,
ACS3-HMAC-SHA256): security groups, their rules (from a CIDR block and from another account's
group named by its owner's number, as seed 001 does) and instances with a private address. The
VPC is made through the VPC client and the vswitch with xconnect's CLI as the tenant (CreateVSwitch
is not in the front yet). Every answer is checked against the SDK's own model."""

import json
import unittest

from alibabacloud_ecs20140526 import models as e
from alibabacloud_vpc20160428 import models as v

import support

REGION = support.REGION
ZONE = "cn-qingdao-b"
# Well-formed ids that name nothing.
UNKNOWN_GROUP = "sg-2dgm6mxzsv7qjbmhr6ly3b2c"
UNKNOWN_VSWITCH = "vsw-2dgm6mxzsv7qjbmhr6ly3b2c"


class EcsCase(support.V3Case):
    @staticmethod
    def network(account, cidr="192.168.0.0/16", vswitch_cidr="192.168.1.0/24"):
        """A VPC (VPC client) with one vswitch (CLI); returns (vpc id, vswitch id, owner number)."""
        vpc = support.vpc_v3(account).create_vpc(v.CreateVpcRequest(region_id=REGION, cidr_block=cidr)).body.vpc_id
        vsw = support.cli(account, "vswitch", "create", "--vpc", vpc, "--zone", ZONE, "--cidr", vswitch_cidr)
        found = support.vpc_v3(account).describe_vpcs(v.DescribeVpcsRequest(region_id=REGION, vpc_id=vpc)).body
        return vpc, vsw["id"], found.vpcs.vpc[0].owner_id

    def create_group(self, client, vpc, name="sg1"):
        resp = client.create_security_group(
            e.CreateSecurityGroupRequest(region_id=REGION, vpc_id=vpc, security_group_name=name, description="web")
        )
        self.assertEqual(resp.status_code, 200)
        self.assertTyped(resp.body)
        self.assertTrue(resp.body.security_group_id.startswith("sg-"), resp.body.security_group_id)
        return resp.body.security_group_id

    def attribute(self, client, group, **extra):
        resp = client.describe_security_group_attribute(
            e.DescribeSecurityGroupAttributeRequest(region_id=REGION, security_group_id=group, **extra)
        )
        self.assertTyped(resp.body)
        self.assertIsNotNone(resp.body.permissions, "no Permissions object (an empty list is {\"Permission\": []})")
        return resp.body


class SecurityGroupsAndInstances(EcsCase):
    @classmethod
    def setUpClass(cls):
        cls.owner = support.create_account(name=support.unique("owner"))
        cls.stranger = support.create_account(name=support.unique("stranger"))
        cls.client = support.ecs_v3(cls.owner)
        cls.stranger_client = support.ecs_v3(cls.stranger)
        cls.vpc, cls.vswitch, cls.owner_number = cls.network(cls.owner)

    def test_lifecycle(self):
        c = self.client
        group = self.create_group(c, self.vpc)

        listed = c.describe_security_groups(
            e.DescribeSecurityGroupsRequest(region_id=REGION, vpc_id=self.vpc, security_group_ids=json.dumps([group]))
        ).body
        self.assertTyped(listed)
        self.assertEqual((listed.total_count, listed.page_number, listed.page_size), (1, 1, 10))
        sg = listed.security_groups.security_group[0]
        self.assertEqual((sg.security_group_id, sg.security_group_name, sg.vpc_id, sg.description), (group, "sg1", self.vpc, "web"))

        # Ingress: icmp from a block and ssh from anywhere, in the current Permissions.N form.
        authorized = c.authorize_security_group(
            e.AuthorizeSecurityGroupRequest(
                region_id=REGION,
                security_group_id=group,
                permissions=[
                    e.AuthorizeSecurityGroupRequestPermissions(ip_protocol="ICMP", port_range="-1/-1", source_cidr_ip="10.0.0.0/8"),
                    e.AuthorizeSecurityGroupRequestPermissions(
                        ip_protocol="TCP", port_range="22/22", source_cidr_ip="0.0.0.0/0", policy="accept", priority="5", description="ssh"
                    ),
                ],
            )
        )
        self.assertEqual(authorized.status_code, 200)
        self.assertTyped(authorized.body)
        # Egress, in the old top-level form.
        egress = c.authorize_security_group_egress(
            e.AuthorizeSecurityGroupEgressRequest(
                region_id=REGION, security_group_id=group, ip_protocol="udp", port_range="53/53", dest_cidr_ip="10.1.0.0/16", policy="Drop"
            )
        )
        self.assertTyped(egress.body)

        attr = self.attribute(c, group)
        self.assertEqual((attr.security_group_id, attr.vpc_id, attr.security_group_name), (group, self.vpc, "sg1"))
        rules = {(p.direction, p.ip_protocol): p for p in attr.permissions.permission}
        self.assertEqual(set(rules), {("ingress", "ICMP"), ("ingress", "TCP"), ("egress", "UDP")})
        icmp, ssh, dns = rules["ingress", "ICMP"], rules["ingress", "TCP"], rules["egress", "UDP"]
        self.assertEqual((icmp.port_range, icmp.source_cidr_ip, icmp.policy, icmp.priority), ("-1/-1", "10.0.0.0/8", "Accept", "1"))
        self.assertEqual((ssh.port_range, ssh.source_cidr_ip, ssh.priority, ssh.description), ("22/22", "0.0.0.0/0", "5", "ssh"))
        self.assertEqual((dns.port_range, dns.dest_cidr_ip, dns.source_cidr_ip, dns.policy), ("53/53", "10.1.0.0/16", "", "Drop"))
        self.assertTrue(all(p.security_group_rule_id for p in attr.permissions.permission))
        only_egress = self.attribute(c, group, direction="egress")
        self.assertEqual([p.ip_protocol for p in only_egress.permissions.permission], ["UDP"])

        # Revoke by what the rule says (old form), and the egress rule by its id.
        revoked = c.revoke_security_group(
            e.RevokeSecurityGroupRequest(region_id=REGION, security_group_id=group, ip_protocol="icmp", port_range="-1/-1", source_cidr_ip="10.0.0.0/8")
        )
        self.assertTyped(revoked.body)
        revoked = c.revoke_security_group_egress(
            e.RevokeSecurityGroupEgressRequest(region_id=REGION, security_group_id=group, security_group_rule_id=[dns.security_group_rule_id])
        )
        self.assertTyped(revoked.body)
        left = self.attribute(c, group).permissions.permission
        self.assertEqual([(p.ip_protocol, p.port_range) for p in left], [("TCP", "22/22")])
        self.assertRaisesCode(
            "InvalidSecurityGroupRuleId.NotFound", 404,
            lambda: c.revoke_security_group(
                e.RevokeSecurityGroupRequest(region_id=REGION, security_group_id=group, ip_protocol="icmp", port_range="-1/-1", source_cidr_ip="10.0.0.0/8")
            ),
        )

        # An instance with a private address of the vswitch.
        run = c.run_instances(
            e.RunInstancesRequest(
                region_id=REGION, v_switch_id=self.vswitch, security_group_ids=[group], private_ip_address="192.168.1.10",
                instance_name="web1", image_id="ubuntu_22_04_x64_20G_alibase_20240101.vhd", instance_type="ecs.g7.large", amount=1,
            )
        )
        self.assertEqual(run.status_code, 200)
        self.assertTyped(run.body)
        (instance,) = run.body.instance_id_sets.instance_id_set
        self.assertTrue(instance.startswith("i-"), instance)

        found = c.describe_instances(e.DescribeInstancesRequest(region_id=REGION, instance_ids=json.dumps([instance]))).body
        self.assertTyped(found)
        self.assertEqual((found.total_count, found.page_number, found.page_size), (1, 1, 10))
        i = found.instances.instance[0]
        self.assertEqual((i.instance_id, i.instance_name, i.status, i.region_id, i.zone_id), (instance, "web1", "Running", REGION, ZONE))
        self.assertEqual((i.vpc_attributes.vpc_id, i.vpc_attributes.v_switch_id), (self.vpc, self.vswitch))
        self.assertEqual(i.vpc_attributes.private_ip_address.ip_address, ["192.168.1.10"])
        self.assertEqual(i.security_group_ids.security_group_id, [group])
        by_vswitch = c.describe_instances(e.DescribeInstancesRequest(region_id=REGION, vpc_id=self.vpc, v_switch_id=self.vswitch)).body
        self.assertIn(instance, [x.instance_id for x in by_vswitch.instances.instance])

        # A stranger sees neither the group nor the instance.
        s = self.stranger_client
        self.assertRaisesCode("InvalidSecurityGroupId.NotFound", 404, lambda: self.attribute(s, group))
        self.assertRaisesCode(
            "InvalidSecurityGroupId.NotFound", 404,
            lambda: s.delete_security_group(e.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=group)),
        )
        self.assertRaisesCode("InvalidInstanceId.NotFound", 404, lambda: s.delete_instance(e.DeleteInstanceRequest(instance_id=instance, force=True)))
        theirs = s.describe_instances(e.DescribeInstancesRequest(region_id=REGION, instance_ids=json.dumps([instance]))).body
        self.assertEqual((theirs.total_count, theirs.instances.instance), (0, []))

        # A group with an instance in it stays.
        self.assertRaisesCode(
            "DependencyViolation", 400,
            lambda: c.delete_security_group(e.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=group)),
        )
        deleted = c.delete_instance(e.DeleteInstanceRequest(instance_id=instance, force=True))
        self.assertTyped(deleted.body)
        gone = c.delete_security_group(e.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=group))
        self.assertTyped(gone.body)
        self.assertRaisesCode("InvalidSecurityGroupId.NotFound", 404, lambda: self.attribute(c, group))
        self.assertRaisesCode("InvalidInstanceId.NotFound", 404, lambda: c.delete_instance(e.DeleteInstanceRequest(instance_id=instance, force=True)))

    def test_refused_rules_change_nothing(self):
        c = self.client
        group = self.create_group(c, self.vpc, name="refusals")
        try:
            def authorize(*permissions):
                return c.authorize_security_group(
                    e.AuthorizeSecurityGroupRequest(region_id=REGION, security_group_id=group, permissions=list(permissions))
                )

            good = e.AuthorizeSecurityGroupRequestPermissions(ip_protocol="tcp", port_range="80/80", source_cidr_ip="10.0.0.0/8")
            for bad, code in [
                (e.AuthorizeSecurityGroupRequestPermissions(ip_protocol="tcp", port_range="22/21", source_cidr_ip="10.0.0.0/8"), "InvalidPortRange.Malformed"),
                (e.AuthorizeSecurityGroupRequestPermissions(ip_protocol="tcp", port_range="0/70000", source_cidr_ip="10.0.0.0/8"), "InvalidPortRange.Malformed"),
                (e.AuthorizeSecurityGroupRequestPermissions(ip_protocol="gre", port_range="-1/-1", source_cidr_ip="10.0.0.0/8"), "InvalidIpProtocol.Malformed"),
                (e.AuthorizeSecurityGroupRequestPermissions(ip_protocol="tcp", port_range="22/22", source_cidr_ip="10.0.0.0/8", policy="maybe"), "InvalidPolicy.Malformed"),
                (e.AuthorizeSecurityGroupRequestPermissions(ip_protocol="tcp", port_range="22/22", source_cidr_ip="10.0.0.1/8"), support.MALFORMED_CIDR),
            ]:
                with self.subTest(code=code, port_range=bad.port_range):
                    # The good rule before the bad one is not kept either.
                    self.assertRaisesCode(code, 400, lambda: authorize(good, bad))
                    self.assertEqual(self.attribute(c, group).permissions.permission, [])
            # Refused inside the change itself (the second says what the first does): the first
            # is taken back with it, since the rules of one call are added in one transaction.
            self.assertRaisesCode("InvalidPermission.Duplicate", 400, lambda: authorize(good, good))
            self.assertEqual(self.attribute(c, group).permissions.permission, [])
            self.assertRaisesCode(
                "InvalidSecurityGroupId.NotFound", 404,
                lambda: c.authorize_security_group(
                    e.AuthorizeSecurityGroupRequest(region_id=REGION, security_group_id=UNKNOWN_GROUP, permissions=[good])
                ),
            )
            self.assertRaisesCode(
                "InvalidVSwitchId.NotFound", 404,
                lambda: c.run_instances(e.RunInstancesRequest(region_id=REGION, v_switch_id=UNKNOWN_VSWITCH, security_group_id=group, amount=1)),
            )
        finally:
            c.delete_security_group(e.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=group))

    def test_another_accounts_group_by_owner_number(self):
        """Seed 001's same-region rule across accounts: the peer's group, with the peer's account id."""
        mine = self.create_group(self.client, self.vpc, name="mine")
        theirs_vpc, _, _ = self.network(self.stranger, cidr="172.16.0.0/16", vswitch_cidr="172.16.1.0/24")
        theirs = self.create_group(self.stranger_client, theirs_vpc, name="theirs")
        try:
            self.stranger_client.authorize_security_group(
                e.AuthorizeSecurityGroupRequest(
                    region_id=REGION,
                    security_group_id=theirs,
                    permissions=[
                        e.AuthorizeSecurityGroupRequestPermissions(
                            ip_protocol="icmp", port_range="-1/-1", source_group_id=mine, source_group_owner_id=self.owner_number
                        )
                    ],
                )
            )
            (rule,) = self.attribute(self.stranger_client, theirs).permissions.permission
            self.assertEqual((rule.source_group_id, rule.source_group_owner_account), (mine, self.owner.id))
            # A number no account has is taken as named, as an `acc-` id no account has is: the
            # rule is made (it admits nothing), so a caller cannot tell which numbers are taken.
            nobody = 1000000000000001
            self.stranger_client.authorize_security_group(
                e.AuthorizeSecurityGroupRequest(
                    region_id=REGION,
                    security_group_id=theirs,
                    permissions=[
                        e.AuthorizeSecurityGroupRequestPermissions(
                            ip_protocol="tcp", port_range="22/22", source_group_id=mine, source_group_owner_id=nobody
                        )
                    ],
                )
            )
            owners = {p.ip_protocol: p.source_group_owner_account for p in self.attribute(self.stranger_client, theirs).permissions.permission}
            self.assertEqual(owners["ICMP"], self.owner.id)
            self.assertNotIn(owners["TCP"], (self.owner.id, self.stranger.id))
            self.stranger_client.revoke_security_group(
                e.RevokeSecurityGroupRequest(
                    region_id=REGION, security_group_id=theirs, ip_protocol="tcp", port_range="22/22", source_group_id=mine,
                    source_group_owner_id=nobody,
                )
            )
            # A number of any other length is no account's: refused, and nothing is made.
            self.assertRaisesCode(
                "InvalidOwnerId.NotFound", 404,
                lambda: self.stranger_client.authorize_security_group(
                    e.AuthorizeSecurityGroupRequest(
                        region_id=REGION,
                        security_group_id=theirs,
                        permissions=[
                            e.AuthorizeSecurityGroupRequestPermissions(
                                ip_protocol="tcp", port_range="22/22", source_group_id=mine, source_group_owner_id=1000000000000000001
                            )
                        ],
                    )
                ),
            )
            self.stranger_client.revoke_security_group(
                e.RevokeSecurityGroupRequest(
                    region_id=REGION, security_group_id=theirs, ip_protocol="icmp", source_group_id=mine, source_group_owner_id=self.owner_number
                )
            )
            self.assertEqual(self.attribute(self.stranger_client, theirs).permissions.permission, [])
        finally:
            self.stranger_client.delete_security_group(e.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=theirs))
            self.client.delete_security_group(e.DeleteSecurityGroupRequest(region_id=REGION, security_group_id=mine))


if __name__ == "__main__":
    unittest.main()
