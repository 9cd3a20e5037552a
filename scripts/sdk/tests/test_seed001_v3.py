"""Seed 001, "Interconnect two VPCs under different accounts", end to end through the official
V3 SDKs (alibabacloud_vpc20160428 and alibabacloud_ecs20140526, ACS3-HMAC-SHA256) from both
accounts, with the tutorial's values: VPC1 192.168.0.0/16 in cn-qingdao (account A) initiates a
Mini.2 (2 Mbit/s) pair to VPC2 172.16.0.0/16 in cn-beijing (account B); each routes the other's
block to its router interface and admits icmp from it. Only the tenants are made with the CLI.
It ends in a reachable NIS analysis from each side. Also: every refusal the seed can meet,
sent through the SDK, raises the SDK's error with Alibaba's code and changes nothing, and every
router-interface answer parses into its V3 model, typed as declared."""

import unittest

from alibabacloud_ecs20140526 import models as e
from alibabacloud_vpc20160428 import models as v

import support

QINGDAO, BEIJING = "cn-qingdao", "cn-beijing"
# Well-formed ids that name nothing.
UNKNOWN_INTERFACE = "ri-2dgm6mxzsv7qjbmhr6ly3b2c"


class Side:
    """One account's half of the seed: its clients, VPC, vswitch, group and instance."""

    def __init__(self, case, account, region, zone, cidr, vswitch_cidr, name):
        self.account, self.region = account, region
        self.vpc_client, self.ecs = support.vpc_v3(account), support.ecs_v3(account)
        made = self.vpc_client.create_vpc(v.CreateVpcRequest(region_id=region, cidr_block=cidr, vpc_name=name)).body
        case.assertTyped(made)
        self.vpc, self.vrouter, self.route_table = made.vpc_id, made.vrouter_id, made.route_table_id
        self.vswitch = self.vpc_client.create_vswitch(
            v.CreateVSwitchRequest(region_id=region, zone_id=zone, vpc_id=self.vpc, cidr_block=vswitch_cidr)
        ).body.v_switch_id
        found = self.vpc_client.describe_vpcs(v.DescribeVpcsRequest(region_id=region, vpc_id=self.vpc)).body
        self.number = found.vpcs.vpc[0].owner_id
        self.group = self.ecs.create_security_group(
            e.CreateSecurityGroupRequest(region_id=region, vpc_id=self.vpc, security_group_name=f"SecurityGroupID_{name}")
        ).body.security_group_id
        run = self.ecs.run_instances(
            e.RunInstancesRequest(region_id=region, v_switch_id=self.vswitch, security_group_id=self.group, instance_name=f"Instance_{name}", amount=1)
        ).body
        (self.instance,) = run.instance_id_sets.instance_id_set
        shown = self.ecs.describe_instances(e.DescribeInstancesRequest(region_id=region, v_switch_id=self.vswitch)).body
        (inst,) = shown.instances.instance
        self.ip = inst.vpc_attributes.private_ip_address.ip_address[0]


class RouterInterfaceCase(support.V3Case):
    def create_interface(self, side, role, opposite_region, spec, **extra):
        resp = side.vpc_client.create_router_interface(
            v.CreateRouterInterfaceRequest(
                region_id=side.region, router_type="VRouter", router_id=side.vrouter, role=role,
                opposite_region_id=opposite_region, spec=spec, **extra,
            )
        )
        self.assertEqual(resp.status_code, 200)
        self.assertTyped(resp.body)
        self.assertTrue(resp.body.router_interface_id.startswith("ri-"), resp.body.router_interface_id)
        return resp.body.router_interface_id

    def interfaces(self, side, *filters, **extra):
        """DescribeRouterInterfaces with Filter.N (key, values) pairs; the list, type-checked."""
        body = side.vpc_client.describe_router_interfaces(
            v.DescribeRouterInterfacesRequest(
                region_id=side.region, filter=[v.DescribeRouterInterfacesRequestFilter(key=k, value=vals) for k, vals in filters], **extra
            )
        ).body
        self.assertTyped(body)
        self.assertPaged(body)
        return body

    def interface(self, side, ri):
        body = self.interfaces(side, ("RouterInterfaceId", [ri]))
        self.assertEqual(body.total_count, 1, f"{ri} as its owner lists it")
        return body.router_interface_set.router_interface_type[0]

    def name_peer(self, mine, ri, theirs, peer_ri, **extra):
        resp = mine.vpc_client.modify_router_interface_attribute(
            v.ModifyRouterInterfaceAttributeRequest(
                region_id=mine.region, router_interface_id=ri, opposite_interface_id=peer_ri,
                opposite_router_id=theirs.vrouter, opposite_router_type="VRouter", opposite_interface_owner_id=theirs.number, **extra,
            )
        )
        self.assertTyped(resp.body)


class Seed001(RouterInterfaceCase):
    def test_seed_001(self):
        a_acc = support.create_account(name=support.unique("seed001-account-a"))
        b_acc = support.create_account(name=support.unique("seed001-account-b"))
        # Prerequisites: VPC1 of A in Qingdao, VPC2 of B in Beijing, each with an instance.
        a = Side(self, a_acc, QINGDAO, "cn-qingdao-b", "192.168.0.0/16", "192.168.0.0/24", "A")
        b = Side(self, b_acc, BEIJING, "cn-beijing-a", "172.16.0.0/16", "172.16.0.0/24", "B")

        # Step 1: the acceptor (B), spec Negative as Alibaba's acceptor says.
        ri_b = self.create_interface(b, "AcceptingSide", QINGDAO, "Negative", name="acceptor", description="from VPC1")
        # Step 2: the initiator (A), 2 Mbit/s, its order paid at once.
        ri_a = self.create_interface(a, "InitiatingSide", BEIJING, "Mini.2", auto_pay=True, instance_charge_type="PostPaid")
        created = self.interface(a, ri_a)
        self.assertEqual(
            (created.role, created.spec, created.bandwidth, created.status, created.router_id, created.router_type, created.vpc_instance_id),
            ("InitiatingSide", "Mini.2", 2, "Idle", a.vrouter, "VRouter", a.vpc),
        )
        self.assertEqual(created.opposite_region_id, BEIJING)
        self.assertIsNone(created.opposite_interface_id, "no peer named yet")
        acceptor = self.interface(b, ri_b)
        self.assertEqual((acceptor.role, acceptor.spec, acceptor.status, acceptor.name), ("AcceptingSide", "Negative", "Idle", "acceptor"))

        # Step 3: B adds the initiator; step 4: A adds the acceptor and initiates the connection.
        # B names its peer and renames its side in one call.
        self.name_peer(b, ri_b, a, ri_a, name="acceptor-b", description="VPC2 to VPC1")
        self.name_peer(a, ri_a, b, ri_b)
        renamed = self.interface(b, ri_b)
        self.assertEqual((renamed.name, renamed.description, renamed.opposite_interface_id), ("acceptor-b", "VPC2 to VPC1", ri_a))
        named = self.interface(a, ri_a)
        self.assertEqual(
            (named.opposite_interface_id, named.opposite_router_id, named.opposite_interface_owner_id, named.opposite_router_type),
            (ri_b, b.vrouter, str(b.number), "VRouter"),
        )
        connected = a.vpc_client.connect_router_interface(v.ConnectRouterInterfaceRequest(region_id=QINGDAO, router_interface_id=ri_a))
        self.assertTyped(connected.body)
        for side, ri in ((a, ri_a), (b, ri_b)):
            shown = self.interface(side, ri)
            self.assertEqual(shown.status, "Active", ri)
            self.assertTrue(shown.connected_time, "ConnectedTime once connected")
        accepted = self.interface(b, ri_b)
        self.assertEqual((accepted.spec, accepted.bandwidth), ("Negative", 2), "the acceptor carries the initiator's bandwidth")
        active = self.interfaces(b, ("Status", ["Active"]))
        self.assertEqual([r.router_interface_id for r in active.router_interface_set.router_interface_type], [ri_b])

        # Connected, but nothing routes to the peer yet: the analysis says so.
        self.assertFalse(support.nis_reachable(a_acc, QINGDAO, a.instance, b.ip), "reachable before any route")

        # Step 5: routes to the peer's block through the router interfaces.
        for side, dest, ri in ((a, "172.16.0.0/16", ri_a), (b, "192.168.0.0/16", ri_b)):
            route = side.vpc_client.create_route_entry(
                v.CreateRouteEntryRequest(region_id=side.region, route_table_id=side.route_table, destination_cidr_block=dest, next_hop_type="RouterInterface", next_hop_id=ri)
            )
            self.assertTyped(route.body)
            entries = side.vpc_client.describe_route_entry_list(
                v.DescribeRouteEntryListRequest(region_id=side.region, route_table_id=side.route_table, destination_cidr_block=dest)
            ).body.route_entrys.route_entry
            self.assertEqual([(r.next_hops.next_hop[0].next_hop_type, r.next_hops.next_hop[0].next_hop_id) for r in entries], [("RouterInterface", ri)])

        # Step 6: icmp from the peer VPC's block (different regions: by CIDR block).
        for side, peer_block in ((a, "172.16.0.0/16"), (b, "192.168.0.0/16")):
            ok = side.ecs.authorize_security_group(
                e.AuthorizeSecurityGroupRequest(
                    region_id=side.region, security_group_id=side.group,
                    permissions=[e.AuthorizeSecurityGroupRequestPermissions(ip_protocol="ICMP", port_range="-1/-1", source_cidr_ip=peer_block)],
                )
            )
            self.assertTyped(ok.body)

        # Step 7: each side reaches the other.
        self.assertTrue(support.nis_reachable(a_acc, QINGDAO, a.instance, b.ip), "VPC1 does not reach VPC2")
        self.assertTrue(support.nis_reachable(b_acc, BEIJING, b.instance, a.ip), "VPC2 does not reach VPC1")


class Refusals(RouterInterfaceCase):
    """Every refusal seed 001 can meet on its router interfaces, each changing nothing."""

    @classmethod
    def setUpClass(cls):
        cls.stranger = support.vpc_v3(support.create_account(name=support.unique("ri-stranger")))

    def setUp(self):
        # Accounts of the test's own: each account holds at most 10 VPCs a region.
        self.a_acc = support.create_account(name=support.unique("ri-a"))
        self.b_acc = support.create_account(name=support.unique("ri-b"))
        self.a = Side(self, self.a_acc, QINGDAO, "cn-qingdao-b", "192.168.0.0/16", "192.168.0.0/24", support.unique("A"))
        self.b = Side(self, self.b_acc, BEIJING, "cn-beijing-a", "172.16.0.0/16", "172.16.0.0/24", support.unique("B"))

    def snapshot(self, side):
        """What the side's owner sees of its interfaces, to compare before and after a refusal."""
        body = self.interfaces(side, ("RouterId", [side.vrouter]), page_size=50)
        return sorted((r.to_map()["RouterInterfaceId"], repr(sorted(r.to_map().items()))) for r in body.router_interface_set.router_interface_type)

    def refused(self, code, status, side, call):
        before = self.snapshot(side)
        self.assertRaisesCode(code, status, call)
        self.assertEqual(self.snapshot(side), before, f"{code} changed something")

    def pair(self):
        ri_b = self.create_interface(self.b, "AcceptingSide", QINGDAO, "Negative")
        ri_a = self.create_interface(self.a, "InitiatingSide", BEIJING, "Mini.2")
        return ri_a, ri_b

    def connect(self, side, ri):
        return side.vpc_client.connect_router_interface(v.ConnectRouterInterfaceRequest(region_id=side.region, router_interface_id=ri))

    def test_a_spec_the_role_does_not_take(self):
        a, b = self.a, self.b
        create = lambda side, role, spec: lambda: side.vpc_client.create_router_interface(  # noqa: E731
            v.CreateRouterInterfaceRequest(region_id=side.region, router_type="VRouter", router_id=side.vrouter, role=role, opposite_region_id=QINGDAO, spec=spec)
        )
        self.refused("InvalidParameter", 400, b, create(b, "AcceptingSide", "Mini.2"))
        self.refused("InvalidParameter", 400, a, create(a, "InitiatingSide", "Negative"))
        self.refused("InvalidParameter", 400, a, create(a, "InitiatingSide", "Huge.9"))
        self.refused("InvalidParameter", 400, a, create(a, "Initiator", "Mini.2"))
        self.assertEqual(self.interfaces(a, ("RouterId", [a.vrouter])).total_count + self.interfaces(b, ("RouterId", [b.vrouter])).total_count, 0)

    def test_a_router_that_is_not_the_callers(self):
        self.refused(
            "InvalidVRouterId.NotFound", 404, self.a,
            lambda: self.a.vpc_client.create_router_interface(
                v.CreateRouterInterfaceRequest(region_id=QINGDAO, router_type="VRouter", router_id=self.b.vrouter, role="InitiatingSide", opposite_region_id=BEIJING, spec="Mini.2")
            ),
        )

    def test_connecting_before_the_peer_is_set(self):
        ri_a, ri_b = self.pair()
        self.refused("IncorrectOppositeInterfaceInfo.NotSet", 400, self.a, lambda: self.connect(self.a, ri_a))
        # Named on one side only: the acceptor has not named the initiator back.
        self.name_peer(self.a, ri_a, self.b, ri_b)
        self.refused("IncorrectOppositeInterfaceInfo.NotSet", 400, self.a, lambda: self.connect(self.a, ri_a))
        self.assertEqual(self.interface(self.b, ri_b).status, "Idle")

    def test_sides_that_disagree(self):
        a, b = self.a, self.b
        # The initiator says its peer is in Hangzhou; the acceptor is in Beijing.
        ri_b = self.create_interface(b, "AcceptingSide", QINGDAO, "Negative")
        ri_a = self.create_interface(a, "InitiatingSide", "cn-hangzhou", "Mini.2")
        self.name_peer(b, ri_b, a, ri_a)
        self.name_peer(a, ri_a, b, ri_b)
        self.refused("IncorrectOppositeInterfaceInfo", 400, a, lambda: self.connect(a, ri_a))
        self.assertEqual(self.interface(b, ri_b).status, "Idle")

    def test_one_pair_between_two_vrouters(self):
        a, b = self.a, self.b
        ri_a, ri_b = self.pair()
        self.name_peer(b, ri_b, a, ri_a)
        self.name_peer(a, ri_a, b, ri_b)
        self.connect(a, ri_a)
        again_a, again_b = self.pair()
        self.name_peer(b, again_b, a, again_a)
        self.name_peer(a, again_a, b, again_b)
        self.refused("Forbidden.OnlyOneConnection", 400, a, lambda: self.connect(a, again_a))
        self.assertEqual(self.interface(b, again_b).status, "Idle")

    def test_the_acceptor_cannot_connect(self):
        ri_a, ri_b = self.pair()
        self.name_peer(self.b, ri_b, self.a, ri_a)
        self.name_peer(self.a, ri_a, self.b, ri_b)
        self.refused("IncorrectRole.NotInitiatingSide", 400, self.b, lambda: self.connect(self.b, ri_b))

    def test_an_unknown_owner_and_a_half_named_peer(self):
        ri_a, ri_b = self.pair()
        modify = lambda **kw: lambda: self.a.vpc_client.modify_router_interface_attribute(  # noqa: E731
            v.ModifyRouterInterfaceAttributeRequest(region_id=QINGDAO, router_interface_id=ri_a, **kw)
        )
        self.refused("InvalidOwnerId.NotFound", 404, self.a, modify(opposite_interface_id=ri_b, opposite_router_id=self.b.vrouter, opposite_interface_owner_id=1000000000000000001))
        self.refused("MissingParameter", 400, self.a, modify(opposite_interface_id=ri_b))
        self.refused("IncorrectOppositeInterfaceInfo", 400, self.a, modify(opposite_interface_id=ri_b, opposite_router_id=self.a.vrouter, opposite_interface_owner_id=self.b.number))
        # A bad name refuses the whole call: the peer is not set either.
        self.refused("InvalidName.Malformed", 400, self.a, modify(name="no spaces", opposite_interface_id=ri_b, opposite_router_id=self.b.vrouter, opposite_interface_owner_id=self.b.number))
        # On creation too: an unknown owner leaves no interface behind.
        self.refused(
            "InvalidOwnerId.NotFound", 404, self.a,
            lambda: self.a.vpc_client.create_router_interface(
                v.CreateRouterInterfaceRequest(
                    region_id=QINGDAO, router_type="VRouter", router_id=self.a.vrouter, role="InitiatingSide", opposite_region_id=BEIJING, spec="Mini.2",
                    opposite_interface_id=ri_b, opposite_router_id=self.b.vrouter, opposite_interface_owner_id="1000000000000000001",
                )
            ),
        )

    def test_the_peer_named_at_creation(self):
        ri_b = self.create_interface(self.b, "AcceptingSide", QINGDAO, "Negative")
        create = lambda router: lambda: self.a.vpc_client.create_router_interface(  # noqa: E731
            v.CreateRouterInterfaceRequest(
                region_id=QINGDAO, router_type="VRouter", router_id=self.a.vrouter, role="InitiatingSide", opposite_region_id=BEIJING, spec="Mini.2",
                opposite_interface_id=ri_b, opposite_router_id=router, opposite_router_type="VRouter", opposite_interface_owner_id=str(self.b.number),
            )
        )
        # Its own VRouter as the peer's: refused whole, no interface left behind.
        self.refused("IncorrectOppositeInterfaceInfo", 400, self.a, create(self.a.vrouter))
        self.assertEqual(self.interfaces(self.a, ("RouterId", [self.a.vrouter])).total_count, 0)
        made = create(self.b.vrouter)().body
        self.assertTyped(made)
        shown = self.interface(self.a, made.router_interface_id)
        self.assertEqual((shown.opposite_interface_id, shown.opposite_router_id, shown.opposite_interface_owner_id), (ri_b, self.b.vrouter, str(self.b.number)))

    def test_deleting_an_active_interface_and_the_pairs_life(self):
        a, b = self.a, self.b
        ri_a, ri_b = self.pair()
        self.name_peer(b, ri_b, a, ri_a)
        self.name_peer(a, ri_a, b, ri_b)
        self.connect(a, ri_a)
        delete = lambda side, ri: lambda: side.vpc_client.delete_router_interface(v.DeleteRouterInterfaceRequest(region_id=side.region, router_interface_id=ri))  # noqa: E731
        self.refused("IncorrectStatus", 400, a, delete(a, ri_a))
        self.refused("IncorrectStatus", 400, a, lambda: self.connect(a, ri_a))
        activate = lambda side, ri: lambda: side.vpc_client.activate_router_interface(v.ActivateRouterInterfaceRequest(region_id=side.region, router_interface_id=ri))  # noqa: E731
        self.refused("IncorrectStatus", 400, a, activate(a, ri_a))
        # Deactivate, activate again, deactivate and delete: each answer typed as its model.
        for call in (
            lambda: a.vpc_client.deactivate_router_interface(v.DeactivateRouterInterfaceRequest(region_id=QINGDAO, router_interface_id=ri_a)),
            activate(a, ri_a),
            lambda: a.vpc_client.deactivate_router_interface(v.DeactivateRouterInterfaceRequest(region_id=QINGDAO, router_interface_id=ri_a)),
        ):
            self.assertTyped(call().body)
        self.assertEqual(self.interface(a, ri_a).status, "Inactive")
        self.assertEqual(self.interface(b, ri_b).status, "Active")
        self.assertTyped(delete(a, ri_a)().body)
        self.assertEqual(self.interfaces(a, ("RouterInterfaceId", [ri_a])).total_count, 0)
        self.assertEqual(self.interface(b, ri_b).status, "Inactive", "a pair with one side gone carries nothing")
        self.assertRaisesCode("InvalidRouterInterfaceId.NotFound", 404, delete(a, ri_a))

    def test_a_stranger_gets_not_found(self):
        ri_a, ri_b = self.pair()
        s = self.stranger
        calls = {
            "Modify": lambda: s.modify_router_interface_attribute(v.ModifyRouterInterfaceAttributeRequest(region_id=QINGDAO, router_interface_id=ri_a, name="mine")),
            "Connect": lambda: s.connect_router_interface(v.ConnectRouterInterfaceRequest(region_id=QINGDAO, router_interface_id=ri_a)),
            "Activate": lambda: s.activate_router_interface(v.ActivateRouterInterfaceRequest(region_id=QINGDAO, router_interface_id=ri_a)),
            "Deactivate": lambda: s.deactivate_router_interface(v.DeactivateRouterInterfaceRequest(region_id=QINGDAO, router_interface_id=ri_a)),
            "Delete": lambda: s.delete_router_interface(v.DeleteRouterInterfaceRequest(region_id=QINGDAO, router_interface_id=ri_a)),
            "Unknown": lambda: s.delete_router_interface(v.DeleteRouterInterfaceRequest(region_id=QINGDAO, router_interface_id=UNKNOWN_INTERFACE)),
        }
        for name, call in calls.items():
            with self.subTest(name):
                self.refused("InvalidRouterInterfaceId.NotFound", 404, self.a, call)
        listed = s.describe_router_interfaces(
            v.DescribeRouterInterfacesRequest(region_id=QINGDAO, filter=[v.DescribeRouterInterfacesRequestFilter(key="RouterInterfaceId", value=[ri_a])])
        ).body
        self.assertEqual(listed.total_count, 0)
        self.assertEqual(self.interface(self.a, ri_a).name, "", "the stranger renamed nothing")

    def test_filters_and_paging(self):
        ri_a, ri_b = self.pair()
        second = self.create_interface(self.a, "AcceptingSide", "cn-hangzhou", "Negative", name="spare")
        a = self.a
        both = self.interfaces(a, ("RouterInterfaceId", [ri_a, second]))
        self.assertEqual(both.total_count, 2, "values of one key OR")
        self.assertEqual(self.interfaces(a, ("RouterInterfaceId", [ri_a, second]), ("Role", ["AcceptingSide"])).total_count, 1, "keys AND")
        self.assertEqual(self.interfaces(a, ("Name", ["spare"])).router_interface_set.router_interface_type[0].router_interface_id, second)
        self.assertEqual(self.interfaces(a, ("OppositeInterfaceId", [ri_b])).total_count, 0, "no peer named yet")
        page = self.interfaces(a, ("RouterId", [a.vrouter]), page_size=1, page_number=2)
        self.assertEqual((page.total_count, page.page_number, page.page_size, len(page.router_interface_set.router_interface_type)), (2, 2, 1, 1))
        self.assertRaisesCode("InvalidParameter", 400, lambda: self.interfaces(a, ("Colour", ["red"])))
        tagged = self.interfaces(a, ("RouterId", [a.vrouter]), tags=[v.DescribeRouterInterfacesRequestTags(key="env", value="prod")])
        self.assertEqual(tagged.total_count, 0, "no interface here has tags")


if __name__ == "__main__":
    unittest.main()
