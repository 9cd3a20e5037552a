"""VPC 2016-04-28 vswitches, VRouters, route tables and route entries through the official V3
client, with seed 001's values (VPC1 in cn-qingdao, 192.168.0.0/16; a vswitch 192.168.100.0/24 in
cn-qingdao-b, a zone of the shipped catalogue). Every answer is checked against the SDK's own
model, as in test_vpc_v3."""

import unittest

from alibabacloud_vpc20160428 import models as m

import support
from test_vpc_v3 import V3Case

REGION = support.REGION
ZONE = "cn-qingdao-b"
VPC_BLOCK = "192.168.0.0/16"
VSWITCH_BLOCK = "192.168.100.0/24"
PEER_BLOCK = "172.16.0.0/16"  # VPC2's block in seed 001, routed over the router interface


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
        self.assertPaged(body, "DescribeVSwitches")
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


class Routes(VSwitchCase):
    def entries(self, client, table, **filters):
        resp = client.describe_route_entry_list(m.DescribeRouteEntryListRequest(region_id=REGION, route_table_id=table, **filters))
        self.assertEqual(resp.status_code, 200)
        self.assertTyped(resp.body)
        self.assertRequestId(resp.body)
        self.assertIsInstance(resp.body.total_count, int)
        return resp.body.route_entrys.route_entry

    def create_entry(self, table, destination, hop_type, hop_id):
        resp = self.client.create_route_entry(
            m.CreateRouteEntryRequest(
                region_id=REGION, route_table_id=table, destination_cidr_block=destination,
                next_hop_type=hop_type, next_hop_id=hop_id,
            )
        )
        self.assertEqual(resp.status_code, 200)
        self.assertTyped(resp.body)
        self.assertRequestId(resp.body)
        return resp.body.route_entry_id

    def test_vrouters_tables_and_a_route_to_a_router_interface(self):
        vpc = self.create_vpc(self.client, cidr=VPC_BLOCK, name="VPC1")
        vsw = self.create_vswitch(self.client, vpc.vpc_id)
        ri = None
        try:
            routers = self.client.describe_vrouters(m.DescribeVRoutersRequest(region_id=REGION, vrouter_id=vpc.vrouter_id)).body
            self.assertTyped(routers)
            self.assertEqual(routers.total_count, 1)
            router = routers.vrouters.vrouter[0]
            self.assertEqual((router.vrouter_id, router.vpc_id, router.region_id), (vpc.vrouter_id, vpc.vpc_id, REGION))
            self.assertEqual(router.route_table_ids.route_table_id, [vpc.route_table_id])

            tables = self.client.describe_route_tables(m.DescribeRouteTablesRequest(region_id=REGION, route_table_id=vpc.route_table_id)).body
            self.assertTyped(tables)
            self.assertEqual(tables.total_count, 1)
            table = tables.route_tables.route_table[0]
            self.assertEqual((table.route_table_id, table.vrouter_id, table.route_table_type), (vpc.route_table_id, vpc.vrouter_id, "System"))
            self.assertEqual(table.v_switch_ids.v_switch_id, [vsw])
            self.assertIn(VSWITCH_BLOCK, [e.destination_cidr_block for e in table.route_entrys.route_entry])

            listed = self.client.describe_route_table_list(m.DescribeRouteTableListRequest(region_id=REGION, vpc_id=vpc.vpc_id)).body
            self.assertTyped(listed)
            self.assertEqual(listed.total_count, 1)
            row = listed.router_table_list.router_table_list_type[0]
            self.assertEqual((row.route_table_id, row.router_id, row.router_type, row.vpc_id), (vpc.route_table_id, vpc.vrouter_id, "VRouter", vpc.vpc_id))

            system = self.entries(self.client, vpc.route_table_id)
            self.assertEqual([(e.destination_cidr_block, e.type, e.status) for e in system], [(VSWITCH_BLOCK, "System", "Available")])

            # The next hop: a router interface of VPC1's VRouter, made with the CLI (this front
            # has no CreateRouterInterface yet). Control routes custom entries to nothing else.
            ri = support.cli(self.owner, "router-interface", "create", "--vpc", vpc.vpc_id, "--role", "acceptor", "--peer-region", "cn-beijing")["id"]
            entry = self.create_entry(vpc.route_table_id, PEER_BLOCK, "RouterInterface", ri)
            custom = self.entries(self.client, vpc.route_table_id, route_entry_type="Custom")
            self.assertEqual(len(custom), 1)
            e = custom[0]
            self.assertEqual((e.route_entry_id, e.destination_cidr_block, e.type, e.status, e.route_table_id), (entry, PEER_BLOCK, "Custom", "Available", vpc.route_table_id))
            self.assertEqual([(h.next_hop_type, h.next_hop_id) for h in e.next_hops.next_hop], [("RouterInterface", ri)])
            self.assertEqual(len(self.entries(self.client, vpc.route_table_id)), 2)
            shown = self.client.describe_route_tables(
                m.DescribeRouteTablesRequest(region_id=REGION, route_table_id=vpc.route_table_id, type="Custom")
            ).body
            self.assertTyped(shown)
            self.assertEqual([e.route_entry_id for e in shown.route_tables.route_table[0].route_entrys.route_entry], [entry])

            # Refusals: the same destination again, a next hop control cannot route to, a
            # stranger's look at the table.
            self.assertRaisesCode("InvalidCIDRBlock.Duplicate", 400, lambda: self.create_entry(vpc.route_table_id, PEER_BLOCK, "RouterInterface", ri))
            self.assertRaisesCode("InvalidParameter", 400, lambda: self.create_entry(vpc.route_table_id, "10.0.0.0/8", "Instance", "i-123"))
            self.assertRaisesCode("InvalidRouteTableId.NotFound", 404, lambda: self.entries(self.stranger_client, vpc.route_table_id))
            self.assertEqual(len(self.entries(self.client, vpc.route_table_id)), 2)

            deleted = self.client.delete_route_entry(m.DeleteRouteEntryRequest(region_id=REGION, route_entry_id=entry))
            self.assertEqual(deleted.status_code, 200)
            self.assertTyped(deleted.body)
            self.assertEqual(self.entries(self.client, vpc.route_table_id, route_entry_type="Custom"), [])
            self.assertRaisesCode(
                "InvalidRouteEntry.NotFound", 404,
                lambda: self.client.delete_route_entry(m.DeleteRouteEntryRequest(region_id=REGION, route_entry_id=entry)),
            )

            # Deleted by its table, destination and next hop instead of its id.
            self.create_entry(vpc.route_table_id, PEER_BLOCK, "RouterInterface", ri)
            self.client.delete_route_entry(
                m.DeleteRouteEntryRequest(region_id=REGION, route_table_id=vpc.route_table_id, destination_cidr_block=PEER_BLOCK, next_hop_id=ri)
            )
            self.assertEqual(self.entries(self.client, vpc.route_table_id, route_entry_type="Custom"), [])
        finally:
            if ri:
                support.cli(self.owner, "router-interface", "delete", ri)
            self.delete_vswitch(self.client, vsw)
            self.delete_vpc(vpc.vpc_id)


if __name__ == "__main__":
    unittest.main()
