"""Seed 002, "Connect network instances in different regions using different accounts", through
the official V3 SDKs only (alibabacloud_cbn20170912, alibabacloud_vpc20160428,
alibabacloud_ecs20140526) from both accounts, with the tutorial's values: account A's CEN
DifferentAccountDifferentRegion and VPC in China North 2 (cn-beijing), account B's VPC in China
North 1 (cn-qingdao) attached under B's grant, the 8 Mbps MainlandBandwidthPackage (China to
China, one month, paid at once) and 5 Mbps between the two regions; it ends in a reachable
analysis from each side. Then the refusals the seed can meet, each changing nothing, and every
answer checked against the SDK's own model."""

import json

from alibabacloud_cbn20170912 import models as c
from alibabacloud_ecs20140526 import models as e
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_vpc20160428 import models as v

import support

ERROR_KEYS = {"RequestId", "HostId", "Code", "Message", "Recommend"}
# The tutorial's networks (examples/seed-002.sh): A in China North 2, B in China North 1.
A_NET = dict(region="cn-beijing", zone="cn-beijing-a", cidr="192.168.0.0/16", vswitch="192.168.1.0/24")
B_NET = dict(region="cn-qingdao", zone="cn-qingdao-b", cidr="172.16.0.0/16", vswitch="172.16.1.0/24")


def connectivity(account, instance, address) -> dict:
    """xconnect's own verdict with the bandwidth it found, which NIS's answer does not carry
    (the CLI exits 3 when unreachable)."""
    return support.cli(account, "connectivity", "test", "--from", instance, "--to", address, exit_codes=(0, 3))


class Seed002Case(support.SdkCase):
    def assertTyped(self, body):
        self.assertEqual(support.type_errors(body), [], "fields not typed as the SDK model declares")
        self.assertIsInstance(body.request_id, str)
        self.assertTrue(body.request_id)

    def assertRaisesCode(self, code, call, status=None):
        with self.assertRaises(ClientException) as caught:
            call()
        err = caught.exception
        self.assertEqual(err.code, code, f"the SDK raised: {err.message}")
        if status is not None:
            self.assertEqual(err.status_code, status)
        self.assertTrue(ERROR_KEYS <= set(err.data), f"error body keys: {sorted(err.data)}")
        return err

    def ok(self, resp):
        """A successful answer: 200, typed as its model; returns its body."""
        self.assertEqual(resp.status_code, 200)
        self.assertTyped(resp.body)
        return resp.body

    def network(self, account, net, name):
        """A VPC with a vswitch, a security group and an instance, all through the SDKs;
        returns (vpc id, group id, instance id, private address, owner number)."""
        vpc_client, ecs = support.vpc_v3(account), support.ecs_v3(account)
        region = net["region"]
        vpc = self.ok(vpc_client.create_vpc(v.CreateVpcRequest(region_id=region, cidr_block=net["cidr"], vpc_name=name))).vpc_id
        vsw = self.ok(
            vpc_client.create_vswitch(
                v.CreateVSwitchRequest(region_id=region, vpc_id=vpc, zone_id=net["zone"], cidr_block=net["vswitch"])
            )
        ).v_switch_id
        group = self.ok(ecs.create_security_group(e.CreateSecurityGroupRequest(region_id=region, vpc_id=vpc))).security_group_id
        run = self.ok(
            ecs.run_instances(e.RunInstancesRequest(region_id=region, v_switch_id=vsw, security_group_id=group, amount=1))
        )
        (instance,) = run.instance_id_sets.instance_id_set
        found = self.ok(ecs.describe_instances(e.DescribeInstancesRequest(region_id=region, instance_ids=json.dumps([instance]))))
        (address,) = found.instances.instance[0].vpc_attributes.private_ip_address.ip_address
        owner = self.ok(vpc_client.describe_vpcs(v.DescribeVpcsRequest(region_id=region, vpc_id=vpc))).vpcs.vpc[0].owner_id
        self.assertIsInstance(owner, int)
        return vpc, group, instance, address, owner

    def admit(self, account, region, group, cidr):
        """The group admits ICMP from a block (inbound is denied by default)."""
        perm = e.AuthorizeSecurityGroupRequestPermissions(ip_protocol="ICMP", port_range="-1/-1", source_cidr_ip=cidr)
        self.ok(
            support.ecs_v3(account).authorize_security_group(
                e.AuthorizeSecurityGroupRequest(region_id=region, security_group_id=group, permissions=[perm])
            )
        )

    def children(self, client, cen):
        body = self.ok(client.describe_cen_attached_child_instances(c.DescribeCenAttachedChildInstancesRequest(cen_id=cen)))
        self.assertPaged(body)
        return {i.child_instance_id: i for i in body.child_instances.child_instance}

    def limits(self, client, cen):
        body = self.ok(client.describe_cen_inter_region_bandwidth_limits(c.DescribeCenInterRegionBandwidthLimitsRequest(cen_id=cen)))
        return body.cen_inter_region_bandwidth_limits.cen_inter_region_bandwidth_limit

    def package(self, client, package_id):
        flt = c.DescribeCenBandwidthPackagesRequestFilter(key="CenBandwidthPackageId", value=[package_id])
        body = self.ok(client.describe_cen_bandwidth_packages(c.DescribeCenBandwidthPackagesRequest(filter=[flt])))
        (found,) = body.cen_bandwidth_packages.cen_bandwidth_package
        return found

    def buy(self, client, name, a="China", b="China", bandwidth=8):
        body = self.ok(
            client.create_cen_bandwidth_package(
                c.CreateCenBandwidthPackageRequest(
                    name=name, bandwidth=bandwidth, geographic_region_aid=a, geographic_region_bid=b,
                    bandwidth_package_charge_type="PREPAY", period=1, pricing_cycle="Month", auto_pay=True,
                )
            )
        )
        self.assertIsInstance(body.cen_bandwidth_package_id, str)
        return body


class Seed002(Seed002Case):
    @classmethod
    def setUpClass(cls):
        cls.a = support.create_account(name=support.unique("seed002-account-a"))
        cls.b = support.create_account(name=support.unique("seed002-account-b"))
        cls.stranger = support.create_account(name=support.unique("stranger"))

    def test_seed_002_end_to_end(self):
        a_cbn, b_vpc = support.cbn_v3(self.a), support.vpc_v3(self.b)
        vpc_a, sg_a, ecs_a, ip_a, a_number = self.network(self.a, A_NET, "vpc-a")
        vpc_b, sg_b, ecs_b, ip_b, b_number = self.network(self.b, B_NET, "vpc-b")
        self.assertNotEqual(a_number, b_number)

        # Step 1: A creates the CEN instance and attaches its own VPC.
        cen = self.ok(a_cbn.create_cen(c.CreateCenRequest(name="DifferentAccountDifferentRegion"))).cen_id
        flt = c.DescribeCensRequestFilter(key="CenId", value=[cen])
        cens = self.ok(a_cbn.describe_cens(c.DescribeCensRequest(filter=[flt])))
        self.assertEqual((cens.total_count, cens.page_number, cens.page_size), (1, 1, 10))
        (found,) = cens.cens.cen
        self.assertEqual((found.cen_id, found.name, found.status), (cen, "DifferentAccountDifferentRegion", "Active"))
        self.ok(
            a_cbn.attach_cen_child_instance(
                c.AttachCenChildInstanceRequest(
                    cen_id=cen, child_instance_id=vpc_a, child_instance_type="VPC", child_instance_region_id=A_NET["region"]
                )
            )
        )
        attach_b = c.AttachCenChildInstanceRequest(
            cen_id=cen, child_instance_id=vpc_b, child_instance_type="VPC",
            child_instance_region_id=B_NET["region"], child_instance_owner_id=b_number,
        )
        # Without B's grant, B's VPC cannot be attached, and nothing changes.
        self.assertRaisesCode("Attachment.NotGranted", lambda: a_cbn.attach_cen_child_instance(attach_b), 400)
        self.assertEqual(set(self.children(a_cbn, cen)), {vpc_a})

        # Step 2: B authorises A's CEN instance to attach its VPC.
        grant = v.GrantInstanceToCenRequest(
            cen_id=cen, cen_owner_id=a_number, instance_id=vpc_b, instance_type="VPC", region_id=B_NET["region"]
        )
        self.ok(b_vpc.grant_instance_to_cen(grant))
        rules = self.ok(
            b_vpc.describe_grant_rules_to_cen(
                v.DescribeGrantRulesToCenRequest(region_id=B_NET["region"], instance_id=vpc_b, instance_type="VPC")
            )
        )
        self.assertEqual(rules.total_count, 1)
        (rule,) = rules.cen_grant_rules.cbn_grant_rule
        self.assertEqual((rule.cen_instance_id, rule.cen_owner_id), (cen, a_number))

        # Step 3: A attaches B's VPC.
        self.ok(a_cbn.attach_cen_child_instance(attach_b))
        children = self.children(a_cbn, cen)
        self.assertEqual(set(children), {vpc_a, vpc_b})
        child_b = children[vpc_b]
        self.assertEqual(
            (child_b.cen_id, child_b.child_instance_type, child_b.child_instance_region_id, child_b.child_instance_owner_id, child_b.status),
            (cen, "VPC", B_NET["region"], b_number, "Attached"),
        )
        self.assertEqual(children[vpc_a].child_instance_owner_id, a_number)
        # A's VPC learned B's vswitch block from the CEN, and B's learned A's.
        routes_a = self.ok(
            a_cbn.describe_cen_child_instance_route_entries(
                c.DescribeCenChildInstanceRouteEntriesRequest(
                    cen_id=cen, child_instance_id=vpc_a, child_instance_type="VPC", child_instance_region_id=A_NET["region"]
                )
            )
        )
        learned = {r.destination_cidr_block: r for r in routes_a.cen_route_entries.cen_route_entry if r.type == "CEN"}
        self.assertEqual(set(learned), {B_NET["vswitch"]})
        self.assertEqual(
            (learned[B_NET["vswitch"]].status, learned[B_NET["vswitch"]].next_hop_instance_id, learned[B_NET["vswitch"]].next_hop_region_id),
            ("Active", vpc_b, B_NET["region"]),
        )
        routes_b = self.ok(
            support.cbn_v3(self.b).describe_cen_child_instance_route_entries(
                c.DescribeCenChildInstanceRouteEntriesRequest(
                    cen_id=cen, child_instance_id=vpc_b, child_instance_type="VPC", child_instance_region_id=B_NET["region"]
                )
            )
        )
        self.assertIn(A_NET["vswitch"], [r.destination_cidr_block for r in routes_b.cen_route_entries.cen_route_entry if r.type == "CEN"])
        conflicts = self.ok(
            a_cbn.describe_route_conflict(
                c.DescribeRouteConflictRequest(
                    child_instance_id=vpc_a, child_instance_type="VPC", child_instance_region_id=A_NET["region"],
                )
            )
        )
        self.assertEqual(conflicts.total_count, 0)

        # Security groups: each side admits the other's block.
        self.admit(self.a, A_NET["region"], sg_a, B_NET["cidr"])
        self.admit(self.b, B_NET["region"], sg_b, A_NET["cidr"])
        # Without a region connection only the 10 kbit/s test bandwidth joins the two regions.
        before = connectivity(self.a, ecs_a, ip_b)
        self.assertEqual((before["reachable"], before["bandwidth_kbps"], before["test_bandwidth_only"]), (True, 10, True))

        # Step 4: A buys the 8 Mbps package for one month (AutoPay pays it) and associates it.
        bought = self.buy(a_cbn, "MainlandBandwidthPackage")
        package_id = bought.cen_bandwidth_package_id
        self.assertTrue(bought.cen_bandwidth_package_order_id, "AutoPay placed and paid an order")
        idle = self.package(a_cbn, package_id)
        self.assertEqual((idle.status, idle.business_status, idle.bandwidth), ("Idle", "Normal", 8))
        self.assertEqual((idle.geographic_region_aid, idle.geographic_region_bid, idle.bandwidth_package_charge_type), ("China", "China", "PREPAY"))
        self.assertTrue(idle.expired_time)
        self.ok(a_cbn.associate_cen_bandwidth_package(c.AssociateCenBandwidthPackageRequest(cen_id=cen, cen_bandwidth_package_id=package_id)))
        in_use = self.package(a_cbn, package_id)
        self.assertEqual((in_use.status, in_use.cen_ids.cen_id), ("InUse", [cen]))
        (listed,) = self.ok(a_cbn.describe_cens(c.DescribeCensRequest(filter=[flt]))).cens.cen
        self.assertEqual(listed.cen_bandwidth_package_ids.cen_bandwidth_package_id, [package_id])

        # Step 5: 5 Mbps between China North 1 and China North 2 (a limit above the package is refused).
        def limit(mbps):
            return c.SetCenInterRegionBandwidthLimitRequest(
                cen_id=cen, local_region_id=B_NET["region"], opposite_region_id=A_NET["region"], bandwidth_limit=mbps
            )

        self.assertRaisesCode("ParameterIllegal.BandwidthLimit", lambda: a_cbn.set_cen_inter_region_bandwidth_limit(limit(9)), 400)
        self.assertEqual(self.limits(a_cbn, cen), [])
        self.ok(a_cbn.set_cen_inter_region_bandwidth_limit(limit(5)))
        (set_limit,) = self.limits(a_cbn, cen)
        self.assertEqual(
            ({set_limit.local_region_id, set_limit.opposite_region_id}, set_limit.bandwidth_limit, set_limit.bandwidth_package_id, set_limit.status),
            ({"cn-qingdao", "cn-beijing"}, 5, package_id, "Active"),
        )
        remaining = self.ok(
            a_cbn.describe_cen_geographic_span_remaining_bandwidth(
                c.DescribeCenGeographicSpanRemainingBandwidthRequest(cen_id=cen, geographic_region_aid="China", geographic_region_bid="China")
            )
        )
        self.assertEqual(remaining.remaining_bandwidth, 3)

        # Step 6: each side reaches the other, now at the 5 Mbit/s bought.
        self.assertEqual(connectivity(self.a, ecs_a, ip_b)["bandwidth_kbps"], 5000)
        self.assertTrue(support.nis_reachable(self.a, A_NET["region"], ecs_a, ip_b))
        self.assertTrue(support.nis_reachable(self.b, B_NET["region"], ecs_b, ip_a))

        # And back: the limit removed (0), the package released, B detached and its grant revoked.
        self.ok(a_cbn.set_cen_inter_region_bandwidth_limit(limit(0)))
        self.assertEqual(self.limits(a_cbn, cen), [])
        self.ok(a_cbn.unassociate_cen_bandwidth_package(c.UnassociateCenBandwidthPackageRequest(cen_id=cen, cen_bandwidth_package_id=package_id)))
        self.assertEqual(self.package(a_cbn, package_id).status, "Idle")
        self.ok(
            a_cbn.detach_cen_child_instance(
                c.DetachCenChildInstanceRequest(
                    cen_id=cen, child_instance_id=vpc_b, child_instance_type="VPC",
                    child_instance_region_id=B_NET["region"], child_instance_owner_id=b_number,
                )
            )
        )
        self.ok(
            b_vpc.revoke_instance_from_cen(
                v.RevokeInstanceFromCenRequest(cen_id=cen, cen_owner_id=a_number, instance_id=vpc_b, instance_type="VPC", region_id=B_NET["region"])
            )
        )
        self.assertEqual(
            self.ok(
                b_vpc.describe_grant_rules_to_cen(
                    v.DescribeGrantRulesToCenRequest(region_id=B_NET["region"], instance_id=vpc_b, instance_type="VPC")
                )
            ).total_count,
            0,
        )
        self.assertFalse(connectivity(self.a, ecs_a, ip_b)["reachable"])

    def test_a_cen_renamed_then_deleted(self):
        a_cbn = support.cbn_v3(self.a)
        cen = self.ok(a_cbn.create_cen(c.CreateCenRequest(name="before", description="first"))).cen_id
        self.ok(a_cbn.modify_cen_attribute(c.ModifyCenAttributeRequest(cen_id=cen, name="after", description="second")))
        by_id = c.DescribeCensRequest(filter=[c.DescribeCensRequestFilter(key="CenId", value=[cen])])
        (found,) = self.ok(a_cbn.describe_cens(by_id)).cens.cen
        self.assertEqual((found.name, found.description), ("after", "second"))
        self.ok(a_cbn.delete_cen(c.DeleteCenRequest(cen_id=cen)))
        self.assertEqual(self.ok(a_cbn.describe_cens(by_id)).total_count, 0)

    def test_refusals_change_nothing(self):
        a_cbn, stranger_cbn, stranger_vpc = support.cbn_v3(self.a), support.cbn_v3(self.stranger), support.vpc_v3(self.stranger)
        vpc_b = self.ok(
            support.vpc_v3(self.b).create_vpc(v.CreateVpcRequest(region_id=B_NET["region"], cidr_block=B_NET["cidr"]))
        ).vpc_id
        cen = self.ok(a_cbn.create_cen(c.CreateCenRequest(name="refusals", description="first"))).cen_id
        vpc_a = self.ok(
            support.vpc_v3(self.a).create_vpc(v.CreateVpcRequest(region_id=A_NET["region"], cidr_block=A_NET["cidr"]))
        ).vpc_id
        self.ok(
            a_cbn.attach_cen_child_instance(
                c.AttachCenChildInstanceRequest(cen_id=cen, child_instance_id=vpc_a, child_instance_type="VPC", child_instance_region_id=A_NET["region"])
            )
        )

        def described():
            (cen_now,) = self.ok(
                a_cbn.describe_cens(c.DescribeCensRequest(filter=[c.DescribeCensRequestFilter(key="CenId", value=[cen])]))
            ).cens.cen
            return (cen_now.name, cen_now.description, set(self.children(a_cbn, cen)), self.limits(a_cbn, cen))

        state = described()

        # A CEN with a network attached is not deleted.
        self.assertRaisesCode("DependencyViolation", lambda: a_cbn.delete_cen(c.DeleteCenRequest(cen_id=cen)), 400)
        self.assertEqual(described(), state)

        # A package for other areas than the regions' gives them no bandwidth.
        other = self.buy(a_cbn, "AsiaEurope", a="Asia-Pacific", b="Europe", bandwidth=2).cen_bandwidth_package_id
        self.assertEqual(self.package(a_cbn, other).geographic_span_id, "asia-pacific_europe")
        self.ok(a_cbn.associate_cen_bandwidth_package(c.AssociateCenBandwidthPackageRequest(cen_id=cen, cen_bandwidth_package_id=other)))
        self.assertRaisesCode(
            "ParameterIllegal.RegionId",
            lambda: a_cbn.set_cen_inter_region_bandwidth_limit(
                c.SetCenInterRegionBandwidthLimitRequest(cen_id=cen, local_region_id="cn-qingdao", opposite_region_id="cn-beijing", bandwidth_limit=1)
            ),
            400,
        )
        self.assertEqual(described(), state)
        # An area xconnect does not know is refused, and buys nothing.
        before = self.ok(a_cbn.describe_cen_bandwidth_packages(c.DescribeCenBandwidthPackagesRequest())).total_count
        self.assertRaisesCode("InvalidParameter", lambda: self.buy(a_cbn, "Nowhere", a="Atlantis"), 400)
        self.assertEqual(self.ok(a_cbn.describe_cen_bandwidth_packages(c.DescribeCenBandwidthPackagesRequest())).total_count, before)

        # A stranger naming A's CEN, package and attachment, or B's VPC, finds nothing.
        not_found_cen = "ParameterCenInstanceId"
        for call in (
            lambda: stranger_cbn.describe_cen_attached_child_instances(c.DescribeCenAttachedChildInstancesRequest(cen_id=cen)),
            lambda: stranger_cbn.delete_cen(c.DeleteCenRequest(cen_id=cen)),
            lambda: stranger_cbn.modify_cen_attribute(c.ModifyCenAttributeRequest(cen_id=cen, name="mine")),
            lambda: stranger_cbn.describe_cen_inter_region_bandwidth_limits(c.DescribeCenInterRegionBandwidthLimitsRequest(cen_id=cen)),
            lambda: stranger_cbn.set_cen_inter_region_bandwidth_limit(
                c.SetCenInterRegionBandwidthLimitRequest(cen_id=cen, local_region_id="cn-qingdao", opposite_region_id="cn-beijing", bandwidth_limit=1)
            ),
        ):
            self.assertRaisesCode(not_found_cen, call, 404)
        self.assertRaisesCode(
            "ParameterBwpInstanceId",
            lambda: stranger_cbn.unassociate_cen_bandwidth_package(c.UnassociateCenBandwidthPackageRequest(cen_id=cen, cen_bandwidth_package_id=other)),
            404,
        )
        self.assertRaisesCode(
            "ParameterInstanceId",
            lambda: stranger_cbn.detach_cen_child_instance(
                c.DetachCenChildInstanceRequest(cen_id=cen, child_instance_id=vpc_a, child_instance_type="VPC", child_instance_region_id=A_NET["region"])
            ),
            404,
        )
        for call in (
            lambda: stranger_vpc.grant_instance_to_cen(
                v.GrantInstanceToCenRequest(
                    cen_id=cen, cen_owner_id=self.children(a_cbn, cen)[vpc_a].child_instance_owner_id,
                    instance_id=vpc_b, instance_type="VPC", region_id=B_NET["region"],
                )
            ),
            lambda: stranger_vpc.describe_grant_rules_to_cen(
                v.DescribeGrantRulesToCenRequest(region_id=B_NET["region"], instance_id=vpc_b, instance_type="VPC")
            ),
        ):
            self.assertRaisesCode("InvalidVpcId.NotFound", call, 404)
        self.assertEqual(described(), state)
        self.assertEqual(self.package(a_cbn, other).status, "InUse")
