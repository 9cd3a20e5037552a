"""NIS 2021-12-16 through the official V3 client (alibabacloud_nis20211216): network paths and
reachability analyses answered by xconnect's analyzer. Two instances in one VPC: the analysis
follows their security groups, a blocked path names the check that stopped it, and each answer
parses into the SDK's model with the types it declares."""

import json
import unittest

from alibabacloud_ecs20140526 import models as e
from alibabacloud_nis20211216 import models as n
from alibabacloud_vpc20160428 import models as v

import support

REGION = support.REGION
ZONE = "cn-qingdao-b"
UNKNOWN_PATH = "path-2dgm6mxzsv7qjbmhr6ly3b2c"


class Analyses(support.V3Case):
    @classmethod
    def setUpClass(cls):
        cls.owner = support.create_account(name=support.unique("owner"))
        cls.stranger = support.create_account(name=support.unique("stranger"))
        vpc = support.vpc_v3(cls.owner)
        cls.vpc = vpc.create_vpc(v.CreateVpcRequest(region_id=REGION, cidr_block="192.168.0.0/16")).body.vpc_id
        vsw = vpc.create_vswitch(
            v.CreateVSwitchRequest(vpc_id=cls.vpc, zone_id=ZONE, cidr_block="192.168.1.0/24")
        ).body.v_switch_id
        ecs = support.ecs_v3(cls.owner)
        # Two groups: the server's admits icmp from the client's block, the client's admits nothing.
        cls.client_group, cls.server_group = (
            ecs.create_security_group(e.CreateSecurityGroupRequest(region_id=REGION, vpc_id=cls.vpc)).body.security_group_id
            for _ in range(2)
        )
        ecs.authorize_security_group(
            e.AuthorizeSecurityGroupRequest(
                region_id=REGION,
                security_group_id=cls.server_group,
                permissions=[
                    e.AuthorizeSecurityGroupRequestPermissions(ip_protocol="ICMP", source_cidr_ip="192.168.1.0/24", port_range="-1/-1")
                ],
            )
        )

        def run(group):
            made = ecs.run_instances(
                e.RunInstancesRequest(region_id=REGION, v_switch_id=vsw, security_group_id=group, amount=1)
            ).body.instance_id_sets.instance_id_set[0]
            found = ecs.describe_instances(e.DescribeInstancesRequest(region_id=REGION, instance_ids=json.dumps([made])))
            return made, found.body.instances.instance[0].vpc_attributes.private_ip_address.ip_address[0]

        (cls.client_vm, cls.client_ip), (cls.server_vm, cls.server_ip) = run(cls.client_group), run(cls.server_group)
        cls.nis = support.nis_v3(cls.owner)

    def test_a_reachable_path_and_its_parameters(self):
        body = support.nis_analysis(self.owner, REGION, self.client_vm, self.server_ip)
        self.assertIs(body.reachable, True)
        self.assertEqual(body.ali_uid, support.cli(self.owner, "whoami")["number"])
        self.assertTrue(body.network_path_id.startswith("path-"), body.network_path_id)
        parameter = json.loads(body.network_path_parameter)
        self.assertEqual(
            (parameter["SourceType"], parameter["SourceId"], parameter["TargetIpAddress"], parameter["Protocol"]),
            ("ecs", self.client_vm, self.server_ip, "icmp"),
        )
        result = json.loads(body.network_reachable_analysis_result)
        self.assertIsNone(result["Blocked"])
        self.assertTrue(all(h["Passed"] for h in result["Hops"]), result["Hops"])

    def test_a_blocked_path_names_the_check_that_stopped_it(self):
        # The client's group admits nothing in: the server's packets stop at its ingress.
        body = support.nis_analysis(self.owner, REGION, self.server_vm, self.client_ip)
        self.assertIs(body.reachable, False)
        blocked = json.loads(body.network_reachable_analysis_result)["Blocked"]
        self.assertEqual(blocked["Code"], "ingress_denied")
        # A target instance named by id stands for its address.
        by_id = self.nis.create_network_path(
            n.CreateNetworkPathRequest(
                region_id=REGION, network_path_name="by-id", source_type="ecs", source_id=self.client_vm,
                target_type="ecs", target_id=self.server_vm, protocol="icmp",
            )
        ).body.network_path_id
        analysis = self.nis.create_network_reachable_analysis(
            n.CreateNetworkReachableAnalysisRequest(region_id=REGION, network_path_id=by_id)
        ).body.network_reachable_analysis_id
        got = self.nis.get_network_reachable_analysis(
            n.GetNetworkReachableAnalysisRequest(region_id=REGION, network_reachable_analysis_id=analysis)
        ).body
        self.assertIs(got.reachable, True)
        self.assertEqual(json.loads(got.network_path_parameter)["TargetIpAddress"], self.server_ip)

    def test_an_analysis_keeps_its_answer_and_holds_its_path(self):
        body = support.nis_analysis(self.owner, REGION, self.client_vm, self.server_ip)
        path, analysis = body.network_path_id, body.network_reachable_analysis_id
        self.assertRaisesCode(
            "DependencyViolation", 400,
            lambda: self.nis.delete_network_path(n.DeleteNetworkPathRequest(region_id=REGION, network_path_ids=[path])),
        )
        # Still there, and still the answer it gave.
        again = self.nis.get_network_reachable_analysis(
            n.GetNetworkReachableAnalysisRequest(region_id=REGION, network_reachable_analysis_id=analysis)
        ).body
        self.assertEqual((again.reachable, again.network_path_id), (True, path))
        deleted = self.nis.delete_network_reachable_analysis(
            n.DeleteNetworkReachableAnalysisRequest(region_id=REGION, network_reachable_analysis_ids=[analysis])
        ).body
        self.assertEqual((deleted.data, support.type_errors(deleted)), (True, []))
        deleted = self.nis.delete_network_path(n.DeleteNetworkPathRequest(region_id=REGION, network_path_ids=[path])).body
        self.assertEqual((deleted.data, support.type_errors(deleted)), (True, []))
        self.assertRaisesCode(
            "InvalidNetworkReachableAnalysisId.NotFound", 404,
            lambda: self.nis.get_network_reachable_analysis(
                n.GetNetworkReachableAnalysisRequest(region_id=REGION, network_reachable_analysis_id=analysis)
            ),
        )

    def test_refusals(self):
        def path(**fields):
            request = dict(region_id=REGION, network_path_name="p", source_type="ecs", source_id=self.client_vm,
                           target_ip_address=self.server_ip, protocol="icmp")
            request.update(fields)
            return lambda: self.nis.create_network_path(n.CreateNetworkPathRequest(**request))

        self.assertRaisesCode("InvalidParameter", 400, path(source_type="internetIp"))
        self.assertRaisesCode("MissingParameter", 400, path(network_path_name=None))
        self.assertRaisesCode("MissingParameter", 400, path(target_ip_address=None))
        self.assertRaisesCode("InvalidParameter", 400, path(target_ip_address="192.168.1.300"))
        self.assertRaisesCode("InvalidIpProtocol.Malformed", 400, path(protocol="gre"))
        self.assertRaisesCode("InvalidNetworkPathId.NotFound", 404, lambda: self.nis.create_network_reachable_analysis(
            n.CreateNetworkReachableAnalysisRequest(region_id=REGION, network_path_id=UNKNOWN_PATH)))

    def test_a_stranger_finds_nothing(self):
        body = support.nis_analysis(self.owner, REGION, self.client_vm, self.server_ip)
        stranger = support.nis_v3(self.stranger)
        # Another account's instance is not found, as a missing one is.
        self.assertRaisesCode("InvalidInstanceId.NotFound", 404, lambda: stranger.create_network_path(
            n.CreateNetworkPathRequest(region_id=REGION, network_path_name="p", source_type="ecs",
                                       source_id=self.client_vm, target_ip_address=self.server_ip)))
        self.assertRaisesCode("InvalidNetworkPathId.NotFound", 404, lambda: stranger.create_network_reachable_analysis(
            n.CreateNetworkReachableAnalysisRequest(region_id=REGION, network_path_id=body.network_path_id)))
        self.assertRaisesCode("InvalidNetworkReachableAnalysisId.NotFound", 404, lambda: stranger.get_network_reachable_analysis(
            n.GetNetworkReachableAnalysisRequest(region_id=REGION,
                                                 network_reachable_analysis_id=body.network_reachable_analysis_id)))
        self.assertRaisesCode("InvalidNetworkPathId.NotFound", 404, lambda: stranger.delete_network_path(
            n.DeleteNetworkPathRequest(region_id=REGION, network_path_ids=[body.network_path_id])))


if __name__ == "__main__":
    unittest.main()
