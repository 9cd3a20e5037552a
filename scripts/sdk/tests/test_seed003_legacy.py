"""Seed 003, "Establish an intranet connection between VPCs under different accounts", end to
end through the legacy SDK (aliyun-python-sdk-core AcsClient with the aliyunsdkvpc and
aliyunsdkecs requests, V1 signature) from both accounts, with the tutorial's values: VPC A
192.168.0.0/16 (vswitch 192.168.100.0/24) of account A in cn-beijing initiates a Large.1 pair to
VPC B 172.16.0.0/12 (vswitch 172.16.100.0/24) of account B in cn-hangzhou; each routes the
other's vswitch block to its router interface and admits icmp from it. Only the tenants are made
with the CLI. Each raw answer is parsed into the V3 model of its action and type-checked. Ends
in a reachable NIS analysis from each side; the refusals the seed can meet raise the legacy
SDK's ServerException with Alibaba's code and change nothing."""

import json
import unittest

from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.AuthorizeSecurityGroupRequest import AuthorizeSecurityGroupRequest
from aliyunsdkecs.request.v20140526.CreateSecurityGroupRequest import CreateSecurityGroupRequest
from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest
from aliyunsdkecs.request.v20140526.RunInstancesRequest import RunInstancesRequest
from aliyunsdkvpc.request.v20160428.ActivateRouterInterfaceRequest import ActivateRouterInterfaceRequest
from aliyunsdkvpc.request.v20160428.ConnectRouterInterfaceRequest import ConnectRouterInterfaceRequest
from aliyunsdkvpc.request.v20160428.CreateRouteEntryRequest import CreateRouteEntryRequest
from aliyunsdkvpc.request.v20160428.CreateRouterInterfaceRequest import CreateRouterInterfaceRequest
from aliyunsdkvpc.request.v20160428.CreateVpcRequest import CreateVpcRequest
from aliyunsdkvpc.request.v20160428.CreateVSwitchRequest import CreateVSwitchRequest
from aliyunsdkvpc.request.v20160428.DeactivateRouterInterfaceRequest import DeactivateRouterInterfaceRequest
from aliyunsdkvpc.request.v20160428.DeleteRouterInterfaceRequest import DeleteRouterInterfaceRequest
from aliyunsdkvpc.request.v20160428.DescribeRouterInterfacesRequest import DescribeRouterInterfacesRequest
from aliyunsdkvpc.request.v20160428.DescribeVpcsRequest import DescribeVpcsRequest
from aliyunsdkvpc.request.v20160428.ModifyRouterInterfaceAttributeRequest import ModifyRouterInterfaceAttributeRequest
from alibabacloud_ecs20140526 import models as e
from alibabacloud_vpc20160428 import models as m

import support

BEIJING, HANGZHOU = "cn-beijing", "cn-hangzhou"


def client(account, region):
    """An AcsClient of `account` in `region` (the legacy SDK sends the client's region as
    RegionId), aimed at the server's port as support.legacy_client is."""
    _, port = support.host_port()
    return AcsClient(account.access_key_id, account.access_key_secret, region, port=port, timeout=30, connect_timeout=5)


request = support.legacy_request


class Side:
    """One account's half of the seed, made through the legacy SDK."""

    def __init__(self, case, account, region, zone, cidr, vswitch_cidr, name):
        self.account, self.region = account, region
        self.client = client(account, region)
        made = case.call(self.client, request(CreateVpcRequest, CidrBlock=cidr, VpcName=name), m.CreateVpcResponseBody)
        self.vpc, self.vrouter, self.route_table = made.vpc_id, made.vrouter_id, made.route_table_id
        self.vswitch = case.call(
            self.client, request(CreateVSwitchRequest, VpcId=self.vpc, ZoneId=zone, CidrBlock=vswitch_cidr), m.CreateVSwitchResponseBody
        ).v_switch_id
        vpcs = case.call(self.client, request(DescribeVpcsRequest, VpcId=self.vpc), m.DescribeVpcsResponseBody)
        self.number = vpcs.vpcs.vpc[0].owner_id
        self.group = case.call(
            self.client, request(CreateSecurityGroupRequest, VpcId=self.vpc), e.CreateSecurityGroupResponseBody
        ).security_group_id
        run = case.call(
            self.client, request(RunInstancesRequest, VSwitchId=self.vswitch, SecurityGroupId=self.group, Amount=1), e.RunInstancesResponseBody
        )
        (self.instance,) = run.instance_id_sets.instance_id_set
        found = case.call(
            self.client, request(DescribeInstancesRequest, InstanceIds=json.dumps([self.instance])), e.DescribeInstancesResponseBody
        )
        self.ip = found.instances.instance[0].vpc_attributes.private_ip_address.ip_address[0]


class LegacyCase(support.LegacyCase):
    def interfaces(self, side, *filters):
        req = request(DescribeRouterInterfacesRequest, PageSize=50)
        if filters:
            req.set_Filters([{"Key": k, "Value": vals} for k, vals in filters])
        body = self.call(side.client, req, m.DescribeRouterInterfacesResponseBody)
        self.assertPaged(body)
        return body.router_interface_set.router_interface_type

    def interface(self, side, ri):
        (found,) = self.interfaces(side, ("RouterInterfaceId", [ri]))
        return found

    def create(self, side, role, opposite_region, spec):
        made = self.call(
            side.client,
            request(CreateRouterInterfaceRequest, RouterType="VRouter", RouterId=side.vrouter, Role=role, OppositeRegionId=opposite_region, Spec=spec),
            m.CreateRouterInterfaceResponseBody,
        )
        self.assertTrue(made.router_interface_id.startswith("ri-"), made.router_interface_id)
        return made.router_interface_id

    def name_peer(self, mine, ri, theirs, peer_ri):
        self.call(
            mine.client,
            request(
                ModifyRouterInterfaceAttributeRequest, RouterInterfaceId=ri, OppositeInterfaceId=peer_ri,
                OppositeRouterId=theirs.vrouter, OppositeRouterType="VRouter", OppositeInterfaceOwnerId=theirs.number,
            ),
            m.ModifyRouterInterfaceAttributeResponseBody,
        )

    def connect(self, side, ri):
        return self.call(side.client, request(ConnectRouterInterfaceRequest, RouterInterfaceId=ri), m.ConnectRouterInterfaceResponseBody)

    def snapshot(self, side):
        return sorted(repr(sorted(r.to_map().items())) for r in self.interfaces(side, ("RouterId", [side.vrouter])))

    def refused(self, code, status, side, call):
        before = self.snapshot(side)
        self.assertRaisesCode(code, status, call)
        self.assertEqual(self.snapshot(side), before, f"{code} changed something")

    def sides(self, a_acc, b_acc):
        a = Side(self, a_acc, BEIJING, "cn-beijing-b", "192.168.0.0/16", "192.168.100.0/24", "VPC-A")
        b = Side(self, b_acc, HANGZHOU, "cn-hangzhou-h", "172.16.0.0/12", "172.16.100.0/24", "VPC-B")
        return a, b


class Seed003(LegacyCase):
    def test_seed_003(self):
        a_acc = support.create_account(name=support.unique("seed003-account-a"))
        b_acc = support.create_account(name=support.unique("seed003-account-b"))
        a, b = self.sides(a_acc, b_acc)

        # Step 1: the initiator (A, Beijing to Hangzhou, Large.1); step 2: the receiver (B).
        ri_a = self.create(a, "InitiatingSide", HANGZHOU, "Large.1")
        ri_b = self.create(b, "AcceptingSide", BEIJING, "Negative")
        initiator = self.interface(a, ri_a)
        self.assertEqual((initiator.spec, initiator.bandwidth, initiator.status, initiator.role), ("Large.1", 1000, "Idle", "InitiatingSide"))

        # Step 3: each side edits its peer interface, then A initiates the connection.
        self.name_peer(b, ri_b, a, ri_a)
        self.name_peer(a, ri_a, b, ri_b)
        self.connect(a, ri_a)
        active = self.interfaces(b, ("Status", ["Active"]))
        self.assertEqual([r.router_interface_id for r in active], [ri_b])
        self.assertEqual((active[0].opposite_interface_id, active[0].opposite_interface_owner_id), (ri_a, str(a.number)))
        self.assertEqual(active[0].bandwidth, 1000, "the receiver carries the initiator's 1000 Mbit/s")

        # Step 4: routes to each other's vswitch block.
        for side, dest, ri in ((a, "172.16.100.0/24", ri_a), (b, "192.168.100.0/24", ri_b)):
            self.call(
                side.client,
                request(CreateRouteEntryRequest, RouteTableId=side.route_table, DestinationCidrBlock=dest, NextHopType="RouterInterface", NextHopId=ri),
                m.CreateRouteEntryResponseBody,
            )
        # xconnect's groups deny inbound traffic by default: each admits the other's vswitch block.
        for side, block in ((a, "172.16.100.0/24"), (b, "192.168.100.0/24")):
            self.call(
                side.client,
                request(AuthorizeSecurityGroupRequest, SecurityGroupId=side.group, IpProtocol="icmp", PortRange="-1/-1", SourceCidrIp=block),
                e.AuthorizeSecurityGroupResponseBody,
            )

        self.assertTrue(support.nis_reachable(a_acc, BEIJING, a.instance, b.ip), "VPC A does not reach VPC B")
        self.assertTrue(support.nis_reachable(b_acc, HANGZHOU, b.instance, a.ip), "VPC B does not reach VPC A")


class Refusals(LegacyCase):
    """The refusals seed 003 can meet, through the legacy SDK, each changing nothing."""

    def test_refusals_along_the_seed(self):
        a_acc, b_acc = support.create_account(), support.create_account()
        stranger = client(support.create_account(), BEIJING)
        a, b = self.sides(a_acc, b_acc)

        create = lambda side, role, spec: lambda: support.legacy_call(  # noqa: E731
            side.client, request(CreateRouterInterfaceRequest, RouterType="VRouter", RouterId=side.vrouter, Role=role, OppositeRegionId=BEIJING, Spec=spec)
        )
        self.refused("InvalidParameter", 400, b, create(b, "AcceptingSide", "Large.1"))
        self.refused("InvalidParameter", 400, a, create(a, "InitiatingSide", "Negative"))

        ri_a = self.create(a, "InitiatingSide", HANGZHOU, "Large.1")
        ri_b = self.create(b, "AcceptingSide", BEIJING, "Negative")
        connect = lambda side, ri: lambda: support.legacy_call(side.client, request(ConnectRouterInterfaceRequest, RouterInterfaceId=ri))  # noqa: E731
        self.refused("IncorrectOppositeInterfaceInfo.NotSet", 400, a, connect(a, ri_a))
        self.refused(
            "InvalidOwnerId.NotFound", 404, a,
            lambda: support.legacy_call(
                a.client,
                request(ModifyRouterInterfaceAttributeRequest, RouterInterfaceId=ri_a, OppositeInterfaceId=ri_b, OppositeRouterId=b.vrouter, OppositeInterfaceOwnerId=1000000000000000001),
            ),
        )
        self.name_peer(b, ri_b, a, ri_a)
        self.name_peer(a, ri_a, b, ri_b)
        self.refused("IncorrectRole.NotInitiatingSide", 400, b, connect(b, ri_b))

        # A stranger naming either side's ids: not found, as for a missing one.
        for name, req in (
            ("Connect", request(ConnectRouterInterfaceRequest, RouterInterfaceId=ri_a)),
            ("Modify", request(ModifyRouterInterfaceAttributeRequest, RouterInterfaceId=ri_a, Description="mine")),
            ("Deactivate", request(DeactivateRouterInterfaceRequest, RouterInterfaceId=ri_b)),
            ("Delete", request(DeleteRouterInterfaceRequest, RouterInterfaceId=ri_b)),
        ):
            with self.subTest(name):
                self.refused("InvalidRouterInterfaceId.NotFound", 404, a, lambda req=req: support.legacy_call(stranger, req))

        self.connect(a, ri_a)
        delete = lambda side, ri: lambda: support.legacy_call(side.client, request(DeleteRouterInterfaceRequest, RouterInterfaceId=ri))  # noqa: E731
        self.refused("IncorrectStatus", 400, a, delete(a, ri_a))
        self.refused("IncorrectStatus", 400, b, lambda: support.legacy_call(b.client, request(ActivateRouterInterfaceRequest, RouterInterfaceId=ri_b)))
        # Taken out of service and back, then out and deleted: each answer typed as its model.
        self.call(b.client, request(DeactivateRouterInterfaceRequest, RouterInterfaceId=ri_b), m.DeactivateRouterInterfaceResponseBody)
        self.assertEqual(self.interface(b, ri_b).status, "Inactive")
        self.call(b.client, request(ActivateRouterInterfaceRequest, RouterInterfaceId=ri_b), m.ActivateRouterInterfaceResponseBody)
        self.call(b.client, request(DeactivateRouterInterfaceRequest, RouterInterfaceId=ri_b), m.DeactivateRouterInterfaceResponseBody)
        self.call(b.client, request(DeleteRouterInterfaceRequest, RouterInterfaceId=ri_b), m.DeleteRouterInterfaceResponseBody)
        self.assertEqual(self.interface(a, ri_a).status, "Inactive", "its peer gone, the initiator carries nothing")
        self.assertEqual(self.interfaces(b, ("RouterInterfaceId", [ri_b])), [])


if __name__ == "__main__":
    unittest.main()
