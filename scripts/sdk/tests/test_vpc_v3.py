"""VPC 2016-04-28 through the official V3 client (alibabacloud_vpc20160428 over tea-openapi,
ACS3-HMAC-SHA256), exactly as a user's program calls Alibaba Cloud: only the endpoint and the key
differ. Every answer is checked against the SDK's own model: the fields read are present and
typed as the model declares (from_map copies JSON values without converting them)."""

import time
import unittest

from alibabacloud_vpc20160428 import models as m

import support

REGION = support.REGION


class V3Case(support.V3Case):
    def assertRequestId(self, body):
        self.assertIsInstance(body.request_id, str)
        self.assertTrue(body.request_id)

    def create_vpc(self, client, cidr="192.168.0.0/16", name="vpc1"):
        resp = client.create_vpc(m.CreateVpcRequest(region_id=REGION, cidr_block=cidr, vpc_name=name))
        self.assertEqual(resp.status_code, 200)
        self.assertTyped(resp.body)
        return resp.body

    def describe_vpcs(self, client, **filters):
        resp = client.describe_vpcs(m.DescribeVpcsRequest(region_id=REGION, **filters))
        self.assertEqual(resp.status_code, 200)
        body = resp.body
        self.assertTyped(body)
        self.assertRequestId(body)
        self.assertPaged(body, "DescribeVpcs")
        self.assertIsNotNone(body.vpcs, "DescribeVpcs has no Vpcs object (an empty list is {\"Vpc\": []})")
        return body


class DescribeRegions(V3Case):
    def test_regions_include_qingdao(self):
        tenant = support.create_account()
        resp = support.vpc_v3(tenant).describe_regions(m.DescribeRegionsRequest())
        self.assertEqual(resp.status_code, 200)
        body = resp.body
        self.assertTyped(body)
        self.assertRequestId(body)
        ids = [r.region_id for r in body.regions.region]
        self.assertIn("cn-qingdao", ids)
        for name in ("cn-beijing", "cn-hangzhou", "us-east-1"):
            self.assertIn(name, ids)
        for region in body.regions.region:
            self.assertTrue(region.local_name, f"{region.region_id} has no LocalName")


class VpcLifecycle(V3Case):
    @classmethod
    def setUpClass(cls):
        cls.owner = support.create_account(name=support.unique("owner"))
        cls.stranger = support.create_account(name=support.unique("stranger"))
        cls.client = support.vpc_v3(cls.owner)
        cls.stranger_client = support.vpc_v3(cls.stranger)

    def test_create_describe_delete(self):
        created = self.create_vpc(self.client)
        self.assertRequestId(created)
        self.assertTrue(created.vpc_id.startswith("vpc-"), created.vpc_id)
        self.assertTrue(created.vrouter_id.startswith("vrt-"), created.vrouter_id)
        self.assertTrue(created.route_table_id.startswith("vtb-"), created.route_table_id)

        # CreateVpc is asynchronous on Alibaba Cloud: a program polls until Available.
        deadline = time.monotonic() + 10
        while True:
            found = self.describe_vpcs(self.client, vpc_id=created.vpc_id)
            self.assertEqual(found.total_count, 1)
            vpc = found.vpcs.vpc[0]
            if vpc.status == "Available" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(found.page_number, 1)
        self.assertEqual(found.page_size, 10)  # Alibaba's default page size
        self.assertEqual(len(found.vpcs.vpc), 1)
        self.assertEqual(vpc.vpc_id, created.vpc_id)
        self.assertEqual(vpc.cidr_block, "192.168.0.0/16")
        self.assertEqual(vpc.vpc_name, "vpc1")
        self.assertEqual(vpc.status, "Available")
        self.assertEqual(vpc.region_id, REGION)
        self.assertEqual(vpc.vrouter_id, created.vrouter_id)
        self.assertIsInstance(vpc.owner_id, int, "OwnerId is an integer account id")
        self.assertIsInstance(vpc.is_default, bool)
        self.assertIsInstance(vpc.creation_time, str)

        attr = self.client.describe_vpc_attribute(m.DescribeVpcAttributeRequest(region_id=REGION, vpc_id=created.vpc_id)).body
        self.assertTyped(attr)
        self.assertRequestId(attr)
        self.assertEqual((attr.vpc_id, attr.cidr_block, attr.vpc_name, attr.status), (created.vpc_id, "192.168.0.0/16", "vpc1", "Available"))
        self.assertEqual(attr.vrouter_id, created.vrouter_id)
        self.assertEqual(attr.owner_id, vpc.owner_id)

        renamed = self.client.modify_vpc_attribute(
            m.ModifyVpcAttributeRequest(vpc_id=created.vpc_id, vpc_name="vpc1-renamed", description="seed 001")
        )
        self.assertEqual(renamed.status_code, 200)
        self.assertTyped(renamed.body)
        self.assertRequestId(renamed.body)
        after = self.client.describe_vpc_attribute(m.DescribeVpcAttributeRequest(region_id=REGION, vpc_id=created.vpc_id)).body
        self.assertEqual((after.vpc_name, after.description), ("vpc1-renamed", "seed 001"))

        deleted = self.client.delete_vpc(m.DeleteVpcRequest(region_id=REGION, vpc_id=created.vpc_id))
        self.assertEqual(deleted.status_code, 200)
        self.assertTyped(deleted.body)
        self.assertRequestId(deleted.body)

        gone = self.describe_vpcs(self.client, vpc_id=created.vpc_id)
        self.assertEqual(gone.total_count, 0)
        self.assertEqual(gone.vpcs.vpc, [])
        self.assertRaisesCode(
            "InvalidVpcId.NotFound", 404,
            lambda: self.client.describe_vpc_attribute(m.DescribeVpcAttributeRequest(region_id=REGION, vpc_id=created.vpc_id)),
        )

    def test_a_stranger_sees_nothing(self):
        created = self.create_vpc(self.client, name="private")
        try:
            theirs = self.describe_vpcs(self.stranger_client)
            self.assertEqual(theirs.total_count, 0)
            self.assertEqual(theirs.vpcs.vpc, [])
            by_id = self.describe_vpcs(self.stranger_client, vpc_id=created.vpc_id)
            self.assertEqual(by_id.total_count, 0)
            self.assertRaisesCode(
                "InvalidVpcId.NotFound", 404,
                lambda: self.stranger_client.describe_vpc_attribute(m.DescribeVpcAttributeRequest(region_id=REGION, vpc_id=created.vpc_id)),
            )
            self.assertRaisesCode(
                "InvalidVpcId.NotFound", 404,
                lambda: self.stranger_client.delete_vpc(m.DeleteVpcRequest(region_id=REGION, vpc_id=created.vpc_id)),
            )
            # ... and the owner's VPC is still there.
            self.assertEqual(self.describe_vpcs(self.client, vpc_id=created.vpc_id).total_count, 1)
        finally:
            self.client.delete_vpc(m.DeleteVpcRequest(region_id=REGION, vpc_id=created.vpc_id))


class Refusals(V3Case):
    def test_malformed_cidr_block_changes_nothing(self):
        tenant = support.create_account()
        client = support.vpc_v3(tenant)
        before = self.describe_vpcs(client).total_count
        self.assertRaisesCode(support.MALFORMED_CIDR, 400, lambda: self.create_vpc(client, cidr="192.168.1.0/16"))
        self.assertEqual(self.describe_vpcs(client).total_count, before)

    def test_wrong_secret(self):
        tenant = support.create_account()
        client = support.vpc_v3(tenant.access_key_id, tenant.access_key_secret + "x")
        e = self.assertRaisesCode("SignatureDoesNotMatch", 400, lambda: client.describe_vpcs(m.DescribeVpcsRequest(region_id=REGION)))
        # Alibaba's message carries the server's string to sign after a colon (the legacy SDK
        # compares it with its own; see test_vpc_legacy).
        self.assertIn(":", e.data["Message"])

    def test_wrong_secret_changes_nothing(self):
        tenant = support.create_account()
        bad = support.vpc_v3(tenant.access_key_id, tenant.access_key_secret[:-1])
        self.assertRaisesCode("SignatureDoesNotMatch", 400, lambda: self.create_vpc(bad))
        self.assertEqual(self.describe_vpcs(support.vpc_v3(tenant)).total_count, 0)

    def test_unknown_access_key(self):
        client = support.vpc_v3("LTAI" + "0" * 20, "secret")
        self.assertRaisesCode("InvalidAccessKeyId.NotFound", 404, lambda: client.describe_vpcs(m.DescribeVpcsRequest(region_id=REGION)))


if __name__ == "__main__":
    unittest.main()
