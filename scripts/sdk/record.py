"""Records what the official Alibaba Cloud Python SDKs send, and what they make of the answers.

Starts a small HTTP server on 127.0.0.1 that logs every request byte for byte, checks its
signature the way a server must (ACS3-HMAC-SHA256 from the headers, or the V1 HMAC-SHA1 RPC
signature from the query and form), and answers with Alibaba-shaped JSON: canned successes, and
Alibaba's errors for a wrong secret (SignatureDoesNotMatch with the server's string to sign after
a colon), an unknown key, a malformed CIDR block and an unknown VPC. Then it drives the V3 client
(alibabacloud_vpc20160428), the V3 client in `signature_algorithm='v2'` mode and the legacy client
(aliyunsdkcore + aliyunsdkvpc) through the calls the tests make, and prints each request, the
signature check, and what the SDK returned or raised. scripts/sdk/WIRE.md was written from it.

    target/sdk-venv/bin/python scripts/sdk/record.py            # after scripts/sdk/run made the venv
    target/sdk-venv/bin/python scripts/sdk/record.py --fixed    # WIRE.md's worked examples (date, nonce pinned)

The verifier here is a reference for the Rust one: it works only from the bytes on the wire.
Nothing here talks to any address but 127.0.0.1.
"""

import base64
import hashlib
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

sys.dont_write_bytecode = True  # no __pycache__ beside the tests in the work tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tests"))

KEYS = {"LTAI5tExampleKeyId0001": "ExampleSecretForTheRecorder0001"}
AK, SK = next(iter(KEYS.items()))
REQUESTS = []  # every request the recorder saw, in order


def rfc3986(s: str) -> str:
    """Percent-encode all but A-Z a-z 0-9 - _ . ~ (a space is %20, '*' is %2A)."""
    return quote(s, safe="~", encoding="utf-8")


def parse_params(raw: str) -> list[tuple[str, str]]:
    """A query string or form body as the server must read it: split on '&', '+' is a space."""
    return parse_qsl(raw, keep_blank_values=True, strict_parsing=False, encoding="utf-8")


# --- ACS3-HMAC-SHA256 ---------------------------------------------------------------------------


def acs3_check(method: str, target: str, headers: dict, body: bytes) -> dict:
    auth = headers.get("authorization", "")
    algorithm, _, rest = auth.partition(" ")
    parts = dict(p.split("=", 1) for p in rest.split(",") if "=" in p)
    signed = parts.get("SignedHeaders", "").split(";")
    url = urlsplit(target)
    canonical_query = "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in sorted(parse_params(url.query)))
    canonical_headers = "".join(f"{h}:{headers.get(h, '').strip()}\n" for h in signed)
    payload = hashlib.sha256(body).hexdigest()
    canonical_request = "\n".join([method, url.path or "/", canonical_query, canonical_headers, ";".join(signed), payload])
    string_to_sign = f"{algorithm}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    secret = KEYS.get(parts.get("Credential", ""))
    expected = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest() if secret else None
    return {
        "scheme": "ACS3",
        "key": parts.get("Credential"),
        "known_key": secret is not None,
        "canonical_request": canonical_request,
        "string_to_sign": string_to_sign,
        "expected": expected,
        "given": parts.get("Signature"),
        "payload_header_matches": headers.get("x-acs-content-sha256") == payload,
        "ok": expected is not None and hmac.compare_digest(expected, parts.get("Signature", "")),
    }


# --- The V1 RPC signature (HMAC-SHA1) -----------------------------------------------------------


def v1_check(method: str, target: str, headers: dict, body: bytes) -> dict:
    params = parse_params(urlsplit(target).query)
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params += parse_params(body.decode())
    given = dict(params).get("Signature")
    signed = sorted((k, v) for k, v in params if k != "Signature")
    canonical = "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in signed)
    string_to_sign = f"{method}&{rfc3986('/')}&{rfc3986(canonical)}"
    key_id = dict(params).get("AccessKeyId", "")
    secret = KEYS.get(key_id)
    expected = (
        base64.b64encode(hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()
        if secret
        else None
    )
    return {
        "scheme": "V1",
        "key": key_id,
        "known_key": secret is not None,
        "canonical_query": canonical,
        "string_to_sign": string_to_sign,
        "expected": expected,
        "given": given,
        "ok": expected is not None and hmac.compare_digest(expected, given or ""),
    }


# --- Alibaba-shaped answers ---------------------------------------------------------------------

VPC = {
    "VpcId": "vpc-m5eexample0000000000001",
    "VRouterId": "vrt-m5eexample0000000000001",
    "RouteTableId": "vtb-m5eexample0000000000001",
}


def error(status: int, code: str, message: str) -> tuple[int, dict]:
    return status, {
        "RequestId": "7B4F1C2D-0000-4000-8000-000000000001",
        "HostId": "vpc.cn-qingdao.aliyuncs.com",
        "Code": code,
        "Message": message,
        "Recommend": "https://api.aliyun.com/troubleshoot?q=" + code,
    }


def answer(action: str, params: dict) -> tuple[int, dict]:
    ok = {"RequestId": "7B4F1C2D-0000-4000-8000-000000000000"}
    if action == "DescribeRegions":
        regions = [("cn-qingdao", "华北1（青岛）"), ("cn-beijing", "华北2（北京）"), ("us-east-1", "美国（弗吉尼亚）")]
        return 200, {
            **ok,
            "Regions": {"Region": [{"RegionId": r, "LocalName": n, "RegionEndpoint": f"vpc.{r}.aliyuncs.com"} for r, n in regions]},
        }
    if action == "CreateVpc":
        if params.get("CidrBlock") == "192.168.1.0/16":
            return error(400, "InvalidCidrBlock.Malformed", "Specified CIDR block is not valid.")
        return 200, {**ok, **VPC, "ResourceGroupId": "rg-acfmexample0001"}
    if action == "DescribeVpcs":
        vpc = {
            **VPC,
            "RegionId": "cn-qingdao",
            "Status": "Available",
            "VpcName": "vpc1",
            "CidrBlock": "192.168.0.0/16",
            "CreationTime": "2026-12-01T21:50:10Z",
            "Description": "",
            "IsDefault": False,
            "OwnerId": 1234567890123456,
            "VSwitchIds": {"VSwitchId": []},
            "UserCidrs": {"UserCidr": []},
            "RouterTableIds": {"RouterTableIds": [VPC["RouteTableId"]]},
            "SecondaryCidrBlocks": {"SecondaryCidrBlock": []},
            "Tags": {"Tag": []},
        }
        return 200, {**ok, "TotalCount": 1, "PageNumber": 1, "PageSize": 10, "Vpcs": {"Vpc": [vpc]}}
    if action == "DescribeVpcAttribute":
        return error(404, "InvalidVpcId.NotFound", "Specified VPC does not exist.")
    if action == "DeleteVpc":
        return 200, ok
    return error(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        params = dict(parse_params(urlsplit(self.path).query))
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            params.update(parse_params(body.decode()))
        check = (acs3_check if "authorization" in headers else v1_check)(self.command, self.path, headers, body)
        action = headers.get("x-acs-action") or params.get("Action")
        if not check["known_key"]:
            status, reply = error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        elif not check["ok"]:
            status, reply = error(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. server string to sign is:" + check["string_to_sign"],
            )
        else:
            status, reply = answer(action, params)
        REQUESTS.append(
            {"method": self.command, "target": self.path, "version": self.request_version, "headers": list(self.headers.items()),
             "body": body.decode(errors="replace"), "check": check, "status": status, "reply": reply}
        )
        data = json.dumps(reply, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def show_request(r):
    print(f"    {r['method']} {r['target']} {r['version']}")
    for k, v in r["headers"]:
        print(f"    {k}: {v}")
    print(f"    (body: {r['body']!r})")
    c = r["check"]
    print(f"  signature {c['scheme']}: ok={c['ok']} given={c['given']} expected={c['expected']}")
    if c["scheme"] == "ACS3":
        print("  canonical request:\n" + "\n".join("    | " + line for line in c["canonical_request"].split("\n")))
        print("  string to sign:\n" + "\n".join("    | " + line for line in c["string_to_sign"].split("\n")))
        print(f"  x-acs-content-sha256 is sha256(body): {c['payload_header_matches']}")
    else:
        print(f"  canonical query: {c['canonical_query']}")
        print(f"  string to sign: {c['string_to_sign']}")
    print(f"  answer {r['status']}: {json.dumps(r['reply'], ensure_ascii=False)[:300]}")


def run(title, call):
    print(f"\n=== {title}")
    before = len(REQUESTS)
    try:
        result = call()
        outcome = f"returned {type(result).__name__}"
        body = getattr(result, "body", None)
        if body is not None:
            import support

            outcome += f", status_code={result.status_code}, body={json.dumps(body.to_map(), ensure_ascii=False)[:300]}"
            outcome += f", type errors: {support.type_errors(body)}"
        elif isinstance(result, (bytes, dict)):
            outcome += f": {result!r}"[:300]
    except Exception as e:  # what the SDK raises is the point
        attrs = {a: getattr(e, a) for a in ("status_code", "code", "message", "request_id", "data", "http_status", "error_code", "access_denied_detail") if hasattr(e, a)}
        outcome = f"raised {type(e).__module__}.{type(e).__name__} {attrs}"
    for r in REQUESTS[before:]:
        show_request(r)
    print(f"  SDK: {outcome}")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    os.environ["XCONNECT_ENDPOINT"] = f"http://127.0.0.1:{port}"
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        os.environ.pop(var, None)
    import support
    from alibabacloud_vpc20160428 import models as m

    fixed = "--fixed" in sys.argv
    if fixed:  # the worked examples of WIRE.md: fixed date and nonce
        from alibabacloud_tea_openapi.utils import Utils
        from aliyunsdkcore.utils import parameter_helper

        Utils.get_timestamp = staticmethod(lambda: "2026-12-01T21:50:10Z")
        Utils.get_nonce = staticmethod(lambda: "3c1ac1b5a8ed4e9a9c2b5f0d1e2f3a4b")
        parameter_helper.get_iso_8061_date = lambda: "2026-12-01T21:50:10Z"
        parameter_helper.get_uuid = lambda: "3c1ac1b5a8ed4e9a9c2b5f0d1e2f3a4b"

    from aliyunsdkvpc.request.v20160428 import (
        CreateVpcRequest, DeleteVpcRequest, DescribeRegionsRequest, DescribeVpcAttributeRequest, DescribeVpcsRequest)

    def legacy_req(module, **params):
        req = getattr(module, module.__name__.rsplit(".", 1)[-1])()  # aliyunsdkvpc...CreateVpcRequest.CreateVpcRequest
        for k, v in params.items():
            getattr(req, f"set_{k}")(v)
        return req

    v3 = support.vpc_v3(AK, SK)
    v2 = support.vpc_v3(AK, SK, signature_algorithm="v2")
    legacy = support.legacy_client(AK, SK)
    run("V3 CreateVpc", lambda: v3.create_vpc(m.CreateVpcRequest(region_id="cn-qingdao", cidr_block="192.168.0.0/16", vpc_name="vpc1")))
    run("V3 client in v2 mode: CreateVpc", lambda: v2.create_vpc(m.CreateVpcRequest(region_id="cn-qingdao", cidr_block="192.168.0.0/16", vpc_name="vpc1")))
    run("legacy CreateVpc", lambda: support.legacy_call(legacy, legacy_req(CreateVpcRequest, CidrBlock="192.168.0.0/16", VpcName="vpc1")))
    if fixed:
        return
    run("V3 DescribeRegions", lambda: v3.describe_regions(m.DescribeRegionsRequest()))
    run("V3 DescribeVpcs", lambda: v3.describe_vpcs(m.DescribeVpcsRequest(region_id="cn-qingdao", vpc_id=VPC["VpcId"])))
    run("V3 DescribeVpcs (paged, is_default, a name with a space and *~)", lambda: v3.describe_vpcs(
        m.DescribeVpcsRequest(region_id="cn-qingdao", page_number=2, page_size=50, is_default=False, vpc_name="my vpc*~/")))
    run("V3 DescribeVpcAttribute (unknown)", lambda: v3.describe_vpc_attribute(m.DescribeVpcAttributeRequest(region_id="cn-qingdao", vpc_id="vpc-nosuch")))
    run("V3 CreateVpc (malformed CIDR)", lambda: v3.create_vpc(m.CreateVpcRequest(region_id="cn-qingdao", cidr_block="192.168.1.0/16")))
    run("V3 DeleteVpc", lambda: v3.delete_vpc(m.DeleteVpcRequest(region_id="cn-qingdao", vpc_id=VPC["VpcId"])))
    run("V3 DescribeVpcs, wrong secret", lambda: support.vpc_v3(AK, "not-the-secret").describe_vpcs(m.DescribeVpcsRequest(region_id="cn-qingdao")))
    run("V3 DescribeVpcs, unknown key", lambda: support.vpc_v3("LTAInosuchkey", SK).describe_vpcs(m.DescribeVpcsRequest(region_id="cn-qingdao")))
    run("V3 DescribeVpcs in v2 mode, a name with a space and *~/", lambda: v2.describe_vpcs(
        m.DescribeVpcsRequest(region_id="cn-qingdao", is_default=True, vpc_name="my vpc*~/")))
    run("legacy DescribeRegions", lambda: support.legacy_call(legacy, legacy_req(DescribeRegionsRequest)))
    run("legacy DescribeVpcs", lambda: support.legacy_call(legacy, legacy_req(DescribeVpcsRequest, VpcId=VPC["VpcId"], PageSize=50, IsDefault=False)))
    run("legacy DescribeVpcs, a name with a space and *~/", lambda: support.legacy_call(legacy, legacy_req(DescribeVpcsRequest, VpcName="my vpc*~/")))
    run("legacy DescribeVpcAttribute (unknown)", lambda: support.legacy_call(legacy, legacy_req(DescribeVpcAttributeRequest, VpcId="vpc-nosuch")))
    run("legacy CreateVpc (malformed CIDR)", lambda: support.legacy_call(legacy, legacy_req(CreateVpcRequest, CidrBlock="192.168.1.0/16")))
    run("legacy DeleteVpc", lambda: support.legacy_call(legacy, legacy_req(DeleteVpcRequest, VpcId=VPC["VpcId"])))
    run("legacy DescribeVpcs, wrong secret", lambda: support.legacy_call(support.legacy_client(AK, "not-the-secret"), legacy_req(DescribeVpcsRequest)))
    run("legacy DescribeVpcs, unknown key", lambda: support.legacy_call(support.legacy_client("LTAInosuchkey", SK), legacy_req(DescribeVpcsRequest)))
    server.shutdown()


if __name__ == "__main__":
    main()
