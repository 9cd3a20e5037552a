"""Seed 004 through the official V3 client, with the tutorial's values: a data centre in Equinix
DC11 (Virginia) reaches Alibaba Cloud through a partner's shared port. The partner (standing for
Equinix) lays its circuit with xconnect's CLI (Alibaba's API has no action that lays one); from
the shared port on, every step is an SDK call: CreateVirtualPhysicalConnection (VLAN 1200,
100M) for the tenant's account number, the tenant's ConfirmPhysicalConnection, its VBR on the
port (VLAN 1200, 10.254.0.1/10.254.0.2 in 255.255.255.252), the route to the data centre as an
entry of the VBR's route table, the VPC with its vswitch, group and instance. Two variants: the
VPC in the VBR's own region joined through a hub, and the tutorial's cross-border one (VPC in
cn-beijing). Each ends in a reachable analysis from the instance to the data centre's host.
Refusals raise the SDK's error with Alibaba's code and change nothing; every answer is checked
against the SDK's own model."""

import concurrent.futures
import json
import os
import tempfile
import unittest

from alibabacloud_ecs20140526 import models as e
from alibabacloud_vpc20160428 import models as m

import support
from test_vpc_v3 import V3Case

VBR_REGION = "us-east-1"  # US (Virginia): where Equinix DC11's access point connects
VLAN = 1200
SPEC = "100M"
DC_BLOCK = "192.168.10.0/24"
DC_HOST = "192.168.10.5"
LOCAL_GW, PEER_GW, MASK = "10.254.0.1", "10.254.0.2", "255.255.255.252"
# A well-formed id that names nothing.
UNKNOWN_VBR = "vbr-2dgm6mxzsv7qjbmhr6ly3b2c"


class Hybrid(V3Case):
    """The partner, the tenant, a stranger, and the calls of seed 004, each checked against its
    model."""

    @classmethod
    def setUpClass(cls):
        cls.partner = support.create_account(kind="partner", name=support.unique("Equinix"))
        cls.tenant = support.create_account(name=support.unique("seed004-tenant"))
        cls.stranger = support.create_account(name=support.unique("stranger"))
        cls.p = support.vpc_v3(cls.partner)
        cls.t = support.vpc_v3(cls.tenant)
        cls.s = support.vpc_v3(cls.stranger)
        cls.tenant_number = cls.owner_number(cls.tenant)
        cls.circuit = cls.lay_circuit()

    @classmethod
    def lay_circuit(cls):
        """Equinix's circuit: laid with the CLI, as there is no Alibaba API for it."""
        return support.cli(
            cls.partner, "physical-connection", "create", "--name", "ecx-fabric-dc11", "--access-point", "Equinix DC11",
            "--region", "US (Virginia)", "--port-type", "10GBase-LR", "--bandwidth", "10000",
        )["id"]

    @staticmethod
    def owner_number(account):
        """The account's number, which its owner reads on its console and gives the partner."""
        return account.raw["account"]["number"]

    # --- the calls, each checked against its model ---

    def ok(self, resp):
        self.assertEqual(resp.status_code, 200)
        self.assertTyped(resp.body)
        self.assertRequestId(resp.body)
        return resp.body

    def share(self, vlan=VLAN, number=None, client=None):
        body = self.ok((client or self.p).create_virtual_physical_connection(
            m.CreateVirtualPhysicalConnectionRequest(
                region_id=VBR_REGION, physical_connection_id=self.circuit, vlan_id=vlan, spec=SPEC,
                vpconn_ali_uid=number or self.tenant_number, order_mode="PayByVirtualPhysicalConnectionOwner",
                name="seed004", description="VLAN for the tenant's data centre",
            )
        ))
        self.assertIsInstance(body.virtual_physical_connection, str)
        return body.virtual_physical_connection

    def shared(self, client=None, **filters):
        body = self.ok((client or self.p).list_virtual_physical_connections(
            m.ListVirtualPhysicalConnectionsRequest(region_id=VBR_REGION, **filters)
        ))
        self.assertIsInstance(body.total_count, int)
        return body.virtual_physical_connections

    def connections(self, client, **filters):
        flt = [m.DescribePhysicalConnectionsRequestFilter(key=k, value=[v]) for k, v in filters.items()]
        body = self.ok(client.describe_physical_connections(
            m.DescribePhysicalConnectionsRequest(region_id=VBR_REGION, filter=flt or None)
        ))
        self.assertPaged(body)
        return body.physical_connection_set.physical_connection_type

    def confirm(self, port, client=None):
        return self.ok((client or self.t).confirm_physical_connection(
            m.ConfirmPhysicalConnectionRequest(region_id=VBR_REGION, physical_connection_id=port)
        ))

    def withdraw(self, port, client=None):
        return self.ok((client or self.p).delete_physical_connection(
            m.DeletePhysicalConnectionRequest(region_id=VBR_REGION, physical_connection_id=port)
        ))

    def create_vbr(self, port, vlan=VLAN, client=None):
        body = self.ok((client or self.t).create_virtual_border_router(
            m.CreateVirtualBorderRouterRequest(
                region_id=VBR_REGION, physical_connection_id=port, vlan_id=vlan, local_gateway_ip=LOCAL_GW,
                peer_gateway_ip=PEER_GW, peering_subnet_mask=MASK, name="idc-virginia",
            )
        ))
        self.assertTrue(body.vbr_id.startswith("vbr-"), body.vbr_id)
        return body.vbr_id

    def vbrs(self, client=None, **filters):
        flt = [m.DescribeVirtualBorderRoutersRequestFilter(key=k, value=[v]) for k, v in filters.items()]
        body = self.ok((client or self.t).describe_virtual_border_routers(
            m.DescribeVirtualBorderRoutersRequest(region_id=VBR_REGION, filter=flt or None)
        ))
        self.assertPaged(body)
        return body.virtual_border_router_set.virtual_border_router_type

    def modify_vbr(self, vbr, client=None, **changes):
        return self.ok((client or self.t).modify_virtual_border_router_attribute(
            m.ModifyVirtualBorderRouterAttributeRequest(region_id=VBR_REGION, vbr_id=vbr, **changes)
        ))

    def delete_vbr(self, vbr, client=None):
        return self.ok((client or self.t).delete_virtual_border_router(
            m.DeleteVirtualBorderRouterRequest(region_id=VBR_REGION, vbr_id=vbr)
        ))

    def route_to_data_centre(self, vbr, port):
        """The data centre's block as an entry of the VBR's route table (its RouteTableId)."""
        (found,) = self.vbrs(VbrId=vbr)
        self.ok(self.t.create_route_entry(
            m.CreateRouteEntryRequest(
                region_id=VBR_REGION, route_table_id=found.route_table_id, destination_cidr_block=DC_BLOCK,
                next_hop_type="PhysicalConnection", next_hop_id=port,
            )
        ))
        entries = self.ok(self.t.describe_route_entry_list(
            m.DescribeRouteEntryListRequest(region_id=VBR_REGION, route_table_id=found.route_table_id)
        )).route_entrys.route_entry
        self.assertEqual([(r.destination_cidr_block, r.type) for r in entries], [(DC_BLOCK, "Custom")])
        (hop,) = entries[0].next_hops.next_hop
        self.assertEqual((hop.next_hop_type, hop.next_hop_id), ("PhysicalConnection", port))
        return found.route_table_id

    def accepted_vbr(self, vlan=VLAN):
        """The seed up to the VBR with its route: share, confirm, create, route."""
        port = self.share(vlan=vlan)
        self.confirm(port)
        vbr = self.create_vbr(port, vlan=vlan)
        self.route_to_data_centre(vbr, port)
        return port, vbr

    def cloud_side(self, region, zone):
        """The tenant's VPC (172.16.0.0/16), its vswitch (172.16.1.0/24), a group that lets the
        data centre's ICMP in, and an instance; returns (vpc, instance, its address)."""
        t = self.t
        vpc = self.ok(t.create_vpc(m.CreateVpcRequest(region_id=region, cidr_block="172.16.0.0/16", vpc_name="vpc-beijing"))).vpc_id
        vsw = self.ok(t.create_vswitch(
            m.CreateVSwitchRequest(region_id=region, vpc_id=vpc, zone_id=zone, cidr_block="172.16.1.0/24")
        )).v_switch_id
        ecs = support.ecs_v3(self.tenant)
        group = self.ok(ecs.create_security_group(e.CreateSecurityGroupRequest(region_id=region, vpc_id=vpc))).security_group_id
        self.ok(ecs.authorize_security_group(e.AuthorizeSecurityGroupRequest(
            region_id=region, security_group_id=group,
            permissions=[e.AuthorizeSecurityGroupRequestPermissions(ip_protocol="ICMP", port_range="-1/-1", source_cidr_ip=DC_BLOCK)],
        )))
        run = self.ok(ecs.run_instances(e.RunInstancesRequest(
            region_id=region, v_switch_id=vsw, security_group_ids=[group], amount=1, instance_name="app",
        )))
        (instance,) = run.instance_id_sets.instance_id_set
        found = self.ok(ecs.describe_instances(e.DescribeInstancesRequest(region_id=region, instance_ids=json.dumps([instance]))))
        (ip,) = found.instances.instance[0].vpc_attributes.private_ip_address.ip_address
        return vpc, instance, ip


class Seed004(Hybrid):
    def setUp(self):
        # A circuit of its own for each variant: both take VLAN 1200, as the tutorial does.
        self.circuit = self.lay_circuit()

    def seed(self, region, zone, cross_border):
        port, vbr = self.accepted_vbr()
        (v,) = self.vbrs(VbrId=vbr)
        self.assertEqual((v.vlan_id, v.physical_connection_id, v.status), (VLAN, port, "active"))
        self.assertEqual((v.local_gateway_ip, v.peer_gateway_ip, v.peering_subnet_mask), (LOCAL_GW, PEER_GW, MASK))
        self.assertEqual(v.physical_connection_owner_uid, str(self.owner_number(self.partner)))
        host = support.cli(self.tenant, "data-centre-host", "create", "--vbr", vbr, "--ip", DC_HOST, "--name", "idc-server")["id"]
        vpc, instance, ip = self.cloud_side(region, zone)
        # The hub joining the VBR and the VPC: xconnect's CLI until the CEN actions (the CBN SDK)
        # are in this front; these calls move to CreateCen / AttachCenChildInstance then.
        hub = support.cli(self.tenant, "hub", "create", "--name", support.unique("idc"))["id"]
        support.cli(self.tenant, "attachment", "create", "--hub", hub, "--vbr", vbr)
        support.cli(self.tenant, "attachment", "create", "--hub", hub, "--vpc", vpc)
        if cross_border:
            # Across the border without a package, a hub carries only the test's trickle.
            self.assertEqual(self.bandwidth_kbps(host, ip), 10)
            self.cross_border(hub, region)
            self.assertEqual(self.bandwidth_kbps(host, ip), 20000)
        self.assertTrue(support.nis_reachable(self.tenant, region, instance, DC_HOST, source_type="ecs"))
        # ... and back, from the data centre's host (behind the VBR) to the instance.
        self.assertTrue(support.nis_reachable(self.tenant, VBR_REGION, vbr, ip, source_type="vbr", source_ip_address=DC_HOST))

    def bandwidth_kbps(self, source, target):
        """What the analyzer says a path carries (xconnect's CLI: NIS does not state it)."""
        return support.cli(self.tenant, "connectivity", "test", "--from", source, "--to", target)["bandwidth_kbps"]

    def cross_border(self, hub, region):
        """The permit (applied by the tenant, approved by the operator), the package joining
        North America and the Chinese mainland, and the inter-region bandwidth: with the CLI
        until the CBN SDK's actions are in this front."""
        operator = support.Account("operator", os.environ["XCONNECT_ACCESS_KEY_ID"], os.environ["XCONNECT_ACCESS_KEY_SECRET"], {})
        with tempfile.NamedTemporaryFile(suffix=".pdf") as doc:
            doc.write(b"Cross-border circuit service agreement, signed and sealed\n")
            doc.flush()
            permit = support.cli(self.tenant, "permit", "apply", "--enterprise", "Example Corp.",
                                 "--representative", "Jane Roe", "--document", doc.name)["id"]
        support.cli(operator, "permit", "approve", permit)
        pkg = support.cli(self.tenant, "bandwidth-package", "create", "--name", "idc-cross-border", "--bandwidth", "20",
                          "--area", "North America", "--area", "Chinese mainland", "--hub", hub)["id"]
        support.cli(self.tenant, "bandwidth-package", "pay", pkg)
        support.cli(self.tenant, "inter-region-bandwidth", "create", "--hub", hub, "--package", pkg,
                    "--region", VBR_REGION, "--region", region, "--bandwidth", "20")

    def test_a_vpc_in_the_vbrs_region_through_a_hub(self):
        self.seed(VBR_REGION, "us-east-1a", cross_border=False)

    def test_the_cross_border_tutorial_beijing(self):
        self.seed("cn-beijing", "cn-beijing-a", cross_border=True)


class Routes(Hybrid):
    def test_routes_added_at_once_are_all_kept(self):
        """Eight CreateRouteEntry calls on one VBR at once: each is one change made on the routes
        as they are when it commits, so none is lost to another's write."""
        port, vbr = self.accepted_vbr(vlan=VLAN + 7)
        blocks = [f"10.{100 + i}.0.0/24" for i in range(8)]

        def add(block):
            return support.vpc_v3(self.tenant).create_route_entry(
                m.CreateRouteEntryRequest(
                    region_id=VBR_REGION, route_table_id=vbr, destination_cidr_block=block,
                    next_hop_type="PhysicalConnection", next_hop_id=port,
                )
            ).status_code

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            self.assertEqual(list(pool.map(add, blocks, timeout=60)), [200] * 8)
        entries = self.ok(self.t.describe_route_entry_list(
            m.DescribeRouteEntryListRequest(region_id=VBR_REGION, route_table_id=vbr)
        )).route_entrys.route_entry
        self.assertEqual(sorted(r.destination_cidr_block for r in entries), sorted(blocks + [DC_BLOCK]))


class Refusals(Hybrid):
    """What seed 004 can meet through the SDK: Alibaba's code, and nothing changed."""

    def test_the_shared_port_both_sides_see(self):
        port = self.share(vlan=1301)
        (mine,) = self.shared(physical_connection_id=self.circuit, virtual_physical_connection_ids=[port])
        self.assertEqual((mine.physical_connection_id, mine.parent_physical_connection_id), (port, self.circuit))
        self.assertEqual((mine.vlan_id, mine.spec, mine.bandwidth, mine.ali_uid), ("1301", SPEC, 100, str(self.tenant_number)))
        self.assertEqual((mine.virtual_physical_connection_status, mine.product_type), ("UnConfirmed", "VirtualPhysicalConnection"))
        # The partner's circuit counts it; the tenant sees the port among its connections.
        (circuit,) = self.connections(self.p, PhysicalConnectionId=self.circuit)
        self.assertEqual((circuit.product_type, circuit.status, circuit.bandwidth, circuit.port_type),
                         ("PhysicalConnection", "Enabled", 10000, "10GBase-LR"))
        self.assertGreaterEqual(circuit.virtual_physical_connection_count, 1)
        (theirs,) = self.connections(self.t, PhysicalConnectionId=port)
        self.assertEqual((theirs.vlan_id, theirs.vpconn_status, theirs.parent_physical_connection_id), ("1301", "UnConfirmed", self.circuit))
        self.assertEqual(theirs.parent_physical_connection_ali_uid, self.owner_number(self.partner))
        self.confirm(port)
        (theirs,) = self.connections(self.t, PhysicalConnectionId=port)
        self.assertEqual((theirs.status, theirs.vpconn_status), ("Enabled", "Confirmed"))
        self.assertEqual(self.shared(virtual_physical_connection_ids=[port], is_confirmed=True)[0].virtual_physical_connection_status, "Confirmed")
        # The stranger sees none of it.
        self.assertEqual(self.connections(self.s), [])
        self.assertEqual(self.shared(client=self.s), [])

    def test_a_partner_cannot_tell_which_numbers_are_accounts(self):
        """A port for a number no account has is made and shown exactly as one for a tenant's."""
        nobody = 1000000000000001
        ghost, real = self.share(vlan=1311, number=nobody), self.share(vlan=1312)
        found = {p.physical_connection_id: p for p in self.shared(virtual_physical_connection_ids=[ghost, real])}
        shown = lambda p: (p.ali_uid, p.virtual_physical_connection_status, p.vlan_id)  # noqa: E731
        self.assertEqual(shown(found[ghost]), (str(nobody), "UnConfirmed", "1311"))
        self.assertEqual(shown(found[real]), (str(self.tenant_number), "UnConfirmed", "1312"))
        # Neither is anyone else's to see; the partner withdraws both alike.
        self.assertEqual(self.shared(client=self.s), [])
        self.withdraw(ghost)
        self.withdraw(real)

    def test_a_vlan_taken_on_the_circuit(self):
        port = self.share(vlan=1302)
        before = len(self.shared(physical_connection_id=self.circuit))
        self.assertRaisesCode("InvalidVlanId.Used", 400, lambda: self.share(vlan=1302))
        self.assertEqual(len(self.shared(physical_connection_id=self.circuit)), before)
        self.withdraw(port)
        self.assertEqual(self.shared(virtual_physical_connection_ids=[port]), [])

    def test_a_vbr_on_a_port_not_yet_accepted(self):
        port = self.share(vlan=1303)
        self.assertRaisesCode("InvalidPhysicalConnectionId.NotEnabled", 400, lambda: self.create_vbr(port, vlan=1303))
        self.assertEqual(self.vbrs(PhysicalConnectionId=port), [])
        # The VBR takes the port's VLAN id, no other.
        self.confirm(port)
        self.assertRaisesCode("IllegalParam.VlanId", 400, lambda: self.create_vbr(port, vlan=1304))
        self.assertEqual(self.vbrs(PhysicalConnectionId=port), [])
        # An accepted port is the tenant's: the partner cannot withdraw it.
        self.assertRaisesCode("IncorrectStatus.PhysicalConnection", 400, lambda: self.withdraw(port))

    def test_the_vbrs_vlan_id_never_changes(self):
        port, vbr = self.accepted_vbr(vlan=1305)
        self.assertRaisesCode("IllegalParam.VlanId", 400, lambda: self.modify_vbr(vbr, vlan_id=1306, name="renamed"))
        (v,) = self.vbrs(VbrId=vbr)
        self.assertEqual((v.vlan_id, v.name), (1305, "idc-virginia"))
        # The same VLAN id and a new name are taken.
        self.modify_vbr(vbr, vlan_id=1305, name="renamed", description="DC11")
        (v,) = self.vbrs(VbrId=vbr)
        self.assertEqual((v.vlan_id, v.name, v.description), (1305, "renamed", "DC11"))
        # A setting xconnect does not keep is refused, not dropped.
        self.assertRaisesCode("InvalidParameter", 400, lambda: self.modify_vbr(vbr, mtu=9000))
        self.delete_vbr_and_routes(vbr)
        self.assertEqual(self.vbrs(VbrId=vbr), [])
        self.assertRaisesCode("InvalidVbrId.NotFound", 404, lambda: self.delete_vbr(vbr))

    def delete_vbr_and_routes(self, vbr):
        # A VBR with routes but no hosts or attachments is deleted with them.
        self.ok(self.t.delete_route_entry(
            m.DeleteRouteEntryRequest(region_id=VBR_REGION, route_table_id=vbr, destination_cidr_block=DC_BLOCK)
        ))
        self.assertRaisesCode("InvalidRouteEntry.NotFound", 404, lambda: self.t.delete_route_entry(
            m.DeleteRouteEntryRequest(region_id=VBR_REGION, route_table_id=vbr, destination_cidr_block=DC_BLOCK)
        ))
        self.delete_vbr(vbr)

    def test_a_stranger_on_the_others_ids(self):
        port, vbr = self.accepted_vbr(vlan=1307)
        pending = self.share(vlan=1308)
        nf_pc, nf_vbr = "InvalidPhysicalConnectionId.NotFound", "InvalidVbrId.NotFound"
        self.assertRaisesCode(nf_pc, 404, lambda: self.confirm(pending, client=self.s))
        self.assertRaisesCode(nf_pc, 404, lambda: self.withdraw(pending, client=self.s))
        self.assertRaisesCode(nf_pc, 404, lambda: self.shared(client=self.s, physical_connection_id=self.circuit))
        self.assertRaisesCode(nf_pc, 404, lambda: self.create_vbr(port, vlan=1307, client=self.s))
        self.assertRaisesCode(nf_vbr, 404, lambda: self.modify_vbr(vbr, client=self.s, name="mine"))
        self.assertRaisesCode(nf_vbr, 404, lambda: self.delete_vbr(vbr, client=self.s))
        self.assertRaisesCode(nf_vbr, 404, lambda: self.s.create_route_entry(m.CreateRouteEntryRequest(
            region_id=VBR_REGION, route_table_id=vbr, destination_cidr_block="192.168.20.0/24", next_hop_type="PhysicalConnection",
        )))
        self.assertRaisesCode(nf_vbr, 404, lambda: self.delete_vbr(UNKNOWN_VBR))
        self.assertEqual(self.vbrs(client=self.s), [])
        (v,) = self.vbrs(VbrId=vbr)
        self.assertEqual(v.name, "idc-virginia")
        self.assertEqual(self.shared(virtual_physical_connection_ids=[pending])[0].virtual_physical_connection_status, "UnConfirmed")

    def test_a_tenant_trying_partner_actions(self):
        before = len(self.shared(physical_connection_id=self.circuit))
        self.assertRaisesCode("Forbidden", 403, lambda: self.share(vlan=1309, number=self.owner_number(self.stranger), client=self.t))
        port = self.share(vlan=1310)
        # The partner answering its own push is refused too: only the tenant confirms.
        self.assertRaisesCode("Forbidden", 403, lambda: self.confirm(port, client=self.p))
        # Only the partner withdraws a port; the partner's circuit is not the tenant's to list.
        self.assertRaisesCode("Forbidden", 403, lambda: self.withdraw(port, client=self.t))
        self.assertRaisesCode(
            "InvalidPhysicalConnectionId.NotFound", 404, lambda: self.shared(client=self.t, physical_connection_id=self.circuit)
        )
        # A dry run is refused rather than taken for a real one.
        self.assertRaisesCode("InvalidParameter", 400, lambda: self.p.create_virtual_physical_connection(
            m.CreateVirtualPhysicalConnectionRequest(
                region_id=VBR_REGION, physical_connection_id=self.circuit, vlan_id=1311, spec=SPEC,
                vpconn_ali_uid=self.tenant_number, order_mode="PayByVirtualPhysicalConnectionOwner", dry_run=True,
            )
        ))
        self.assertEqual(len(self.shared(physical_connection_id=self.circuit)), before + 1)
        (theirs,) = self.connections(self.t, PhysicalConnectionId=port)
        self.assertEqual(theirs.vpconn_status, "UnConfirmed")


if __name__ == "__main__":
    unittest.main()
