"""VPC 2016-04-28 vswitches through the official V3 client, with seed 001's values (VPC1 in
cn-qingdao, 192.168.0.0/16; a vswitch 192.168.100.0/24 in cn-qingdao-b, a zone of the shipped
catalogue). Every answer is checked against the SDK's own model, as in test_vpc_v3."""

import unittest

from alibabacloud_vpc20160428 import models as m

import support
from test_vpc_v3 import V3Case

REGION = support.REGION
ZONE = "cn-qingdao-b"
VPC_BLOCK = "192.168.0.0/16"
VSWITCH_BLOCK = "192.168.100.0/24"


class VSwitchCase(V3Case):
    @classmethod
    def setUpClass(cls):
        cls.owner = support.create_account(name=support.unique("owner"))
        cls.stranger = support.create_account(name=support.unique("stranger"))
        cls.client = support.vpc_v3(cls.owner)
        cls.stranger_client = support.vpc_v3(cls.stranger)

    def create_vswitch(self, client, vpc_id, cidr=VSWITCH_BLOCK, zone=ZONE, name="vsw1"):
        resp = client.create_vswitch(
            m.CreateVSwitchRequest(region_id=REGION, vpc_id=vpc_id, zone_id=zone, cidr_block=cidr, v_switch_name=name)
        )
        self.assertEqual(resp.status_code, 200)
        self.assertTyped(resp.body)
        self.assertRequestId(resp.body)
        return resp.body.v_switch_id

    def describe_vswitches(self, client, **filters):
        resp = client.describe_vswitches(m.DescribeVSwitchesRequest(region_id=REGION, **filters))
        self.assertEqual(resp.status_code, 200)
        body = resp.body
        self.assertTyped(body)
        self.assertRequestId(body)
        for field in ("total_count", "page_number", "page_size"):
            self.assertIsInstance(getattr(body, field), int, f"DescribeVSwitches {field}")
        self.assertIsNotNone(body.v_switches, "DescribeVSwitches has no VSwitches object")
        return body

    def vswitch_attributes(self, client, vswitch_id):
        return client.describe_vswitch_attributes(m.DescribeVSwitchAttributesRequest(region_id=REGION, v_switch_id=vswitch_id))

    def delete_vswitch(self, client, vswitch_id):
        return client.delete_vswitch(m.DeleteVSwitchRequest(region_id=REGION, v_switch_id=vswitch_id))

    def delete_vpc(self, vpc_id):
        self.client.delete_vpc(m.DeleteVpcRequest(region_id=REGION, vpc_id=vpc_id))


class VSwitchLifecycle(VSwitchCase):
    def test_create_describe_refuse_delete(self):
        vpc = self.create_vpc(self.client, cidr=VPC_BLOCK, name="VPC1")
        vsw = self.create_vswitch(self.client, vpc.vpc_id)
        self.assertTrue(vsw.startswith("vsw-"), vsw)

        found = self.describe_vswitches(self.client, vpc_id=vpc.vpc_id)
        self.assertEqual((found.total_count, found.page_number, found.page_size), (1, 1, 10))
        v = found.v_switches.v_switch[0]
        self.assertEqual((v.v_switch_id, v.vpc_id, v.cidr_block, v.zone_id), (vsw, vpc.vpc_id, VSWITCH_BLOCK, ZONE))
        self.assertEqual((v.v_switch_name, v.status, v.is_default), ("vsw1", "Available", False))
        self.assertEqual((v.route_table.route_table_id, v.route_table.route_table_type), (vpc.route_table_id, "System"))
        self.assertIsInstance(v.owner_id, int)
        self.assertIsInstance(v.creation_time, str)
        # The filters: by id, by zone (none in the other zone), by name.
        self.assertEqual(self.describe_vswitches(self.client, v_switch_id=vsw).total_count, 1)
        self.assertEqual(self.describe_vswitches(self.client, vpc_id=vpc.vpc_id, zone_id="cn-qingdao-c").total_count, 0)
        self.assertEqual(self.describe_vswitches(self.client, v_switch_name="vsw1", vpc_id=vpc.vpc_id).total_count, 1)
        # ... and the VPC lists it.
        self.assertEqual(self.describe_vpcs(self.client, vpc_id=vpc.vpc_id).vpcs.vpc[0].v_switch_ids.v_switch_id, [vsw])

        attr = self.vswitch_attributes(self.client, vsw).body
        self.assertTyped(attr)
        self.assertRequestId(attr)
        self.assertEqual((attr.v_switch_id, attr.vpc_id, attr.cidr_block, attr.zone_id), (vsw, vpc.vpc_id, VSWITCH_BLOCK, ZONE))
        self.assertEqual(attr.owner_id, v.owner_id)

        # A block overlapping the vswitch is refused with Alibaba's code, and changes nothing.
        self.assertRaisesCode(
            "InvalidCidrBlock.Overlapped", 400, lambda: self.create_vswitch(self.client, vpc.vpc_id, cidr="192.168.100.128/25")
        )
        self.assertRaisesCode(
            "InvalidZoneId.NotFound", 404, lambda: self.create_vswitch(self.client, vpc.vpc_id, cidr="192.168.101.0/24", zone="cn-qingdao-z")
        )
        self.assertRaisesCode(
            support.MALFORMED_CIDR, 400, lambda: self.create_vswitch(self.client, vpc.vpc_id, cidr="192.168.101.1/24")
        )
        self.assertEqual(self.describe_vswitches(self.client, vpc_id=vpc.vpc_id).total_count, 1)

        deleted = self.delete_vswitch(self.client, vsw)
        self.assertEqual(deleted.status_code, 200)
        self.assertTyped(deleted.body)
        self.assertRequestId(deleted.body)
        gone = self.describe_vswitches(self.client, vpc_id=vpc.vpc_id)
        self.assertEqual((gone.total_count, gone.v_switches.v_switch), (0, []))
        self.assertRaisesCode("InvalidVSwitchId.NotFound", 404, lambda: self.vswitch_attributes(self.client, vsw))
        self.delete_vpc(vpc.vpc_id)

    def test_a_stranger_sees_none(self):
        vpc = self.create_vpc(self.client, cidr=VPC_BLOCK, name="private")
        vsw = self.create_vswitch(self.client, vpc.vpc_id)
        try:
            theirs = self.describe_vswitches(self.stranger_client)
            self.assertEqual((theirs.total_count, theirs.v_switches.v_switch), (0, []))
            self.assertEqual(self.describe_vswitches(self.stranger_client, v_switch_id=vsw).total_count, 0)
            self.assertRaisesCode("InvalidVSwitchId.NotFound", 404, lambda: self.vswitch_attributes(self.stranger_client, vsw))
            self.assertRaisesCode("InvalidVSwitchId.NotFound", 404, lambda: self.delete_vswitch(self.stranger_client, vsw))
            # A vswitch in the stranger's name in the owner's VPC: the VPC is not found.
            self.assertRaisesCode(
                "InvalidVpcId.NotFound", 404,
                lambda: self.create_vswitch(self.stranger_client, vpc.vpc_id, cidr="192.168.1.0/24"),
            )
            self.assertEqual(self.describe_vswitches(self.client, vpc_id=vpc.vpc_id).total_count, 1)
        finally:
            self.delete_vswitch(self.client, vsw)
            self.delete_vpc(vpc.vpc_id)


if __name__ == "__main__":
    unittest.main()
