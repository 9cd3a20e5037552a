"""VPC 2016-04-28 through the legacy SDK (aliyun-python-sdk-core AcsClient and the
aliyunsdkvpc.request.v20160428 requests), which signs with the V1 RPC signature (HMAC-SHA1 over
the sorted, percent-encoded query, `Signature` in the query). The legacy SDK hands back the raw
JSON bytes; each answer is also parsed into the V3 SDK's model of the same action, so its fields
are checked against the types the models declare."""

import time
import unittest
import warnings
import xml.etree.ElementTree as ET

from aliyunsdkvpc.request.v20160428.CreateVpcRequest import CreateVpcRequest
from aliyunsdkvpc.request.v20160428.DeleteVpcRequest import DeleteVpcRequest
from aliyunsdkvpc.request.v20160428.DescribeVpcAttributeRequest import DescribeVpcAttributeRequest
from aliyunsdkvpc.request.v20160428.DescribeVpcsRequest import DescribeVpcsRequest
from alibabacloud_vpc20160428 import models as m

import support

REGION = support.REGION


request = support.legacy_request


class LegacyCase(support.LegacyCase):
    def describe_vpcs(self, client, **params):
        body = self.call(client, request(DescribeVpcsRequest, **params), m.DescribeVpcsResponseBody)
        self.assertPaged(body, "DescribeVpcs")
        self.assertIsNotNone(body.vpcs)
        return body


class VpcLifecycle(LegacyCase):
    def test_create_describe_delete(self):
        tenant = support.create_account()
        client = support.legacy_client(tenant)

        created = self.call(client, request(CreateVpcRequest, CidrBlock="192.168.0.0/16", VpcName="vpc1"), m.CreateVpcResponseBody)
        self.assertTrue(created.vpc_id.startswith("vpc-"), created.vpc_id)
        self.assertTrue(created.vrouter_id.startswith("vrt-"), created.vrouter_id)
        self.assertTrue(created.route_table_id.startswith("vtb-"), created.route_table_id)

        deadline = time.monotonic() + 10
        while True:
            found = self.describe_vpcs(client, VpcId=created.vpc_id)
            self.assertEqual(found.total_count, 1)
            vpc = found.vpcs.vpc[0]
            if vpc.status == "Available" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual((found.page_number, found.page_size), (1, 10))
        self.assertEqual((vpc.vpc_id, vpc.cidr_block, vpc.vpc_name, vpc.status), (created.vpc_id, "192.168.0.0/16", "vpc1", "Available"))
        self.assertEqual(vpc.region_id, REGION)
        self.assertIsInstance(vpc.owner_id, int)

        attr = self.call(client, request(DescribeVpcAttributeRequest, VpcId=created.vpc_id), m.DescribeVpcAttributeResponseBody)
        self.assertEqual((attr.vpc_id, attr.status), (created.vpc_id, "Available"))

        self.call(client, request(DeleteVpcRequest, VpcId=created.vpc_id), m.DeleteVpcResponseBody)
        gone = self.describe_vpcs(client, VpcId=created.vpc_id)
        self.assertEqual((gone.total_count, gone.vpcs.vpc), (0, []))
        self.assertRaisesCode(
            "InvalidVpcId.NotFound", 404,
            lambda: support.legacy_call(client, request(DescribeVpcAttributeRequest, VpcId=created.vpc_id)),
        )

    def test_a_stranger_gets_not_found(self):
        owner, stranger = support.create_account(), support.create_account()
        mine, theirs = support.legacy_client(owner), support.legacy_client(stranger)
        created = self.call(mine, request(CreateVpcRequest, CidrBlock="10.0.0.0/8", VpcName="private"), m.CreateVpcResponseBody)
        self.assertEqual(self.describe_vpcs(theirs).total_count, 0)
        self.assertRaisesCode(
            "InvalidVpcId.NotFound", 404,
            lambda: support.legacy_call(theirs, request(DescribeVpcAttributeRequest, VpcId=created.vpc_id)),
        )
        self.call(mine, request(DeleteVpcRequest, VpcId=created.vpc_id), m.DeleteVpcResponseBody)


class Refusals(LegacyCase):
    def test_malformed_cidr_block_changes_nothing(self):
        client = support.legacy_client(support.create_account())
        self.assertRaisesCode(
            support.MALFORMED_CIDR, 400,
            lambda: support.legacy_call(client, request(CreateVpcRequest, CidrBlock="192.168.1.0/16", VpcName="vpc1")),
        )
        self.assertEqual(self.describe_vpcs(client).total_count, 0)

    def test_wrong_secret(self):
        """The server answers 400 SignatureDoesNotMatch with its string to sign after a colon
        ("... server string to sign is:POST&%2F&..."). The legacy SDK compares that with its own
        (aliyunsdkcore/client.py _get_server_exception): equal, the key is right but the secret
        wrong, and it raises InvalidAccessKeySecret; different, it keeps SignatureDoesNotMatch.
        So this passes only when the server's string to sign is byte for byte the client's."""
        tenant = support.create_account()
        client = support.legacy_client(tenant.access_key_id, tenant.access_key_secret + "x")
        e = self.assertRaisesCode("InvalidAccessKeySecret", 400, lambda: support.legacy_call(client, request(DescribeVpcsRequest)))
        self.assertIn("AccessKeySecret is incorrect", e.get_error_msg())

    def test_wrong_secret_changes_nothing(self):
        tenant = support.create_account()
        bad = support.legacy_client(tenant.access_key_id, tenant.access_key_secret[:-1])
        self.assertRaisesCode(
            "InvalidAccessKeySecret", 400,
            lambda: support.legacy_call(bad, request(CreateVpcRequest, CidrBlock="192.168.0.0/16", VpcName="vpc1")),
        )
        self.assertEqual(self.describe_vpcs(support.legacy_client(tenant)).total_count, 0)

    def test_unknown_access_key(self):
        client = support.legacy_client("LTAI" + "0" * 20, "secret")
        self.assertRaisesCode("InvalidAccessKeyId.NotFound", 404, lambda: support.legacy_call(client, request(DescribeVpcsRequest)))


class XmlAnswers(LegacyCase):
    """`set_accept_format('XML')` sends Format=XML (do_action_with_exception forces JSON, so
    these go through get_response, which keeps the format and hands back the status and the
    bytes): the answer is the JSON answer's fields under <{Action}Response>, a list's items
    repeated under its name, and a refusal is Alibaba's error body under <Error>."""

    def xml(self, client, req):
        req.set_accept_format("XML")
        host, _ = support.host_port()
        req.set_endpoint(host)
        req.set_protocol_type("http")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # get_response is the legacy way to keep XML
            status, _headers, body, *_ = client.get_response(req)
        return status, ET.fromstring(body)

    def test_answers_and_refusals_in_xml(self):
        client = support.legacy_client(support.create_account())
        status, root = self.xml(client, request(CreateVpcRequest, CidrBlock="192.168.0.0/16", VpcName="xml-vpc"))
        self.assertEqual((status, root.tag), (200, "CreateVpcResponse"))
        vpc = root.findtext("VpcId")
        self.assertTrue(vpc.startswith("vpc-"), vpc)
        self.assertTrue(root.findtext("RequestId"))

        status, root = self.xml(client, request(DescribeVpcsRequest, VpcId=vpc))
        self.assertEqual((status, root.tag, root.findtext("TotalCount")), (200, "DescribeVpcsResponse", "1"))
        self.assertEqual([v.findtext("VpcId") for v in root.findall("Vpcs/Vpc")], [vpc])
        self.assertEqual(root.findtext("Vpcs/Vpc/VpcName"), "xml-vpc")

        status, root = self.xml(client, request(DescribeVpcAttributeRequest, VpcId="vpc-2dgm6mxzsv7qjbmhr6ly3b2c"))
        self.assertEqual((status, root.tag, root.findtext("Code")), (404, "Error", "InvalidVpcId.NotFound"))
        self.assertTrue(root.findtext("RequestId"))


if __name__ == "__main__":
    unittest.main()
