"""Schemathesis hooks for xconnect (loaded through SCHEMATHESIS_HOOKS by scripts/fuzz/run).

- Signs every generated request with ACS3-HMAC-SHA256 as the account whose key is in
  XCONNECT_ACCESS_KEY_ID / XCONNECT_ACCESS_KEY_SECRET. It is registered as schemathesis auth, so
  the `ignored_auth` check knows the credentials are real and sends its unsigned probes bare.
- Drops positive_data_acceptance's failure for a request whose path parameters the document does
  not allow: the stateful phase may fill one from a field that was null in an earlier answer
  (`DELETE /v1/hubs/None`), and the server's 400 to that is right.
- Makes the blocks of the document's block formats (`vpc-block`, `vswitch-block`, `ipv4-block`,
  `peering-subnet`) with no host bits set, and VPC blocks in the private ranges: a random block
  of the right pattern nearly always has host bits (a 422), and without VPCs the stateful phase
  reaches nothing that lives in one. Other values stay schemathesis's to make.
- Adds the check `error_body`: every refusal (status >= 400) carries the JSON error body
  {"code", "message", "request_id"}, and an `x-acs-request-id` header equal to request_id.
"""

import ipaddress
import json
import os
import sys

import jsonschema_rs
import schemathesis
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import acs3  # noqa: E402

SIGNER = acs3.from_env()


def blocks(within, shortest, longest):
    """Blocks inside one of `within`, with a prefix length from `shortest` to `longest`."""

    def inside(base):
        base = ipaddress.ip_network(base)
        lengths = st.integers(max(shortest, base.prefixlen), longest)
        addresses = st.integers(int(base.network_address), int(base.broadcast_address))
        return st.tuples(addresses, lengths).map(lambda al: str(ipaddress.ip_network(al, strict=False)))

    return st.sampled_from(within).flatmap(inside)


PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
# Vswitches inside 10.0.0.0/8, where VPC blocks are most often (and always, for that block).
schemathesis.openapi.format("vpc-block", st.one_of(st.just("10.0.0.0/8"), blocks(PRIVATE, 8, 28)))
schemathesis.openapi.format("vswitch-block", blocks(["10.0.0.0/8"], 16, 29))
schemathesis.openapi.format("ipv4-block", blocks(["0.0.0.0/0"], 0, 32))
schemathesis.openapi.format("peering-subnet", blocks(PRIVATE, 24, 30))


@schemathesis.auth(refresh_interval=None)
class Acs3:
    def get(self, case, ctx):
        return SIGNER

    def set(self, case, data, ctx):
        # A requests auth runs on the prepared request, once the body bytes are final.
        case._auth = data


@schemathesis.check
def error_body(ctx, response, case):
    header = response.headers.get("x-acs-request-id")
    header = header[0] if isinstance(header, list) else header
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} without a JSON error body: {response.content[:200]!r}")
    if not isinstance(body, dict):
        raise AssertionError(f"{response.status_code}: the error body is not an object: {body!r}"[:300])
    missing = [k for k in ("code", "message", "request_id") if not isinstance(body.get(k), str) or not body[k]]
    if missing:
        raise AssertionError(f"{response.status_code}: the error body lacks {', '.join(missing)}: {body!r}"[:300])
    if header != body["request_id"]:
        raise AssertionError(
            f"{response.status_code}: x-acs-request-id header {header!r} is not the body's request_id {body['request_id']!r}"
        )
    return None


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if failure.code != "ST202":
        return True
    return all(
        p.admits(str(case.path_parameters.get(p.name)), jsonschema_rs.Draft202012Validator)
        for p in case.operation.path_parameters
    )
