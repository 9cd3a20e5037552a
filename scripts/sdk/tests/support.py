"""What the SDK tests share: the server under test, accounts made with the CLI, SDK clients
pointed at the server, and a check that a parsed response is typed as the SDK's model declares.

scripts/sdk/run sets the environment: XCONNECT_ENDPOINT (http://127.0.0.1:PORT), the operator's
XCONNECT_ACCESS_KEY_ID / XCONNECT_ACCESS_KEY_SECRET, XCONNECT_BIN (the binary, for `admin
account create`) and XCONNECT_CONFIG=/dev/null (no profile of the person running it leaks in).
"""

import inspect
import json
import os
import subprocess
import typing
import unittest
import uuid
from urllib.parse import urlsplit

REGION = "cn-qingdao"
# Alibaba documents this code for a CIDR block that is not a valid network ("Specified CIDR block
# is not valid.", HTTP 400) on ModifyVpcAttribute, CreateRouteEntry and AssociateVpcCidrBlock; the
# older CreateVpc page lists InvalidParameter with the same message. Issue 15 names this one.
MALFORMED_CIDR = "InvalidCidrBlock.Malformed"


def endpoint() -> str:
    """The server as http://HOST:PORT."""
    value = os.environ.get("XCONNECT_ENDPOINT")
    if not value:
        raise RuntimeError("XCONNECT_ENDPOINT is not set: run these tests with scripts/sdk/run")
    return value.rstrip("/")


def host_port() -> tuple[str, int]:
    parts = urlsplit(endpoint())
    return parts.hostname, parts.port or 80


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Account(typing.NamedTuple):
    id: str
    access_key_id: str
    access_key_secret: str
    raw: dict


def create_account(kind: str = "tenant", name: str | None = None) -> Account:
    """A new account made by the operator with the CLI, and its first access key."""
    env = dict(os.environ, XCONNECT_CONFIG="/dev/null")
    out = subprocess.run(
        [os.environ["XCONNECT_BIN"], "admin", "account", "create", "--kind", kind, "--name", name or unique(kind), "-o", "json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    made = json.loads(out)
    key = made["access_key"]
    return Account(made["account"]["id"], key["access_key_id"], key["access_key_secret"], made)


# --- The V3 SDK (alibabacloud_*, ACS3-HMAC-SHA256) ---------------------------------------------


def v3_config(access_key_id: str, access_key_secret: str, **extra):
    """A tea-openapi Config that talks plain HTTP to the server.

    `endpoint` is HOST:PORT with no scheme: the client sends it as the Host header (and signs it),
    and darabonba's compose_url builds `protocol + "://" + host + pathname` from it
    (alibabacloud_tea_openapi/client.py do_request; darabonba/core.py compose_url). `protocol`
    overrides the action's 'HTTPS'. `region_id` only picks an endpoint when none is given.
    """
    from alibabacloud_tea_openapi import utils_models

    host, port = host_port()
    return utils_models.Config(
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        endpoint=f"{host}:{port}",
        protocol="http",
        region_id=REGION,
        read_timeout=30000,
        connect_timeout=5000,
        **extra,
    )


def vpc_v3(account_or_key_id, access_key_secret: str | None = None, **extra):
    """The official VPC 2016-04-28 client for an account (or an explicit key pair)."""
    from alibabacloud_vpc20160428.client import Client

    if isinstance(account_or_key_id, Account):
        key_id, secret = account_or_key_id.access_key_id, account_or_key_id.access_key_secret
    else:
        key_id, secret = account_or_key_id, access_key_secret
    return Client(v3_config(key_id, secret, **extra))


def ecs_v3(account: Account, **extra):
    """The official ECS 2014-05-26 client for an account."""
    from alibabacloud_ecs20140526.client import Client

    return Client(v3_config(account.access_key_id, account.access_key_secret, **extra))


def cli(account: Account, *args: str, exit_codes: tuple[int, ...] = (0,)) -> dict:
    """xconnect's own CLI run as `account` (its key in the environment, no profile), with JSON
    output parsed: for setup the SDK front does not offer, and for what its answers do not
    carry. Any exit code outside `exit_codes` raises, with the CLI's standard error."""
    env = dict(
        os.environ,
        XCONNECT_CONFIG="/dev/null",
        XCONNECT_ACCESS_KEY_ID=account.access_key_id,
        XCONNECT_ACCESS_KEY_SECRET=account.access_key_secret,
    )
    run = subprocess.run(
        [os.environ["XCONNECT_BIN"], *args, "-o", "json"], env=env, capture_output=True, text=True, timeout=60
    )
    if run.returncode not in exit_codes:
        raise RuntimeError(f"xconnect {' '.join(args)} exited {run.returncode}: {run.stderr}")
    return json.loads(run.stdout)


# The keys of Alibaba's error body, as the V3 SDKs hand it back in ClientException.data.
ERROR_KEYS = {"RequestId", "HostId", "Code", "Message", "Recommend"}


class SdkCase(unittest.TestCase):
    """What every SDK test checks of a list's answer."""

    def assertPaged(self, body, what=""):
        """A paged answer states its numbers as the model's integers."""
        for field in ("total_count", "page_number", "page_size"):
            self.assertIsInstance(getattr(body, field), int, f"{what} {field}".strip())


class V3Case(SdkCase):
    """What every V3 SDK test checks of an answer and of a refusal."""

    def assertTyped(self, body):
        """A response body typed as its SDK model declares, with its request id."""
        self.assertEqual(type_errors(body), [], "fields not typed as the SDK model declares")
        self.assertIsInstance(body.request_id, str)
        self.assertTrue(body.request_id)

    def assertRaisesCode(self, code, status, call):
        """The call raises the SDK's own ClientException with Alibaba's code, status and error
        body; returns the exception."""
        from alibabacloud_tea_openapi.exceptions import ClientException

        with self.assertRaises(ClientException) as caught:
            call()
        e = caught.exception
        self.assertEqual((e.code, e.status_code), (code, status), f"the SDK raised: {e.message}")
        self.assertTrue(ERROR_KEYS <= set(e.data), f"error body keys: {sorted(e.data)}")
        self.assertEqual(e.data["Code"], code)
        self.assertIsInstance(e.data["Message"], str)
        self.assertTrue(e.request_id and e.request_id != "None", "no RequestId in the error body")
        return e


# --- The legacy SDK (aliyun-python-sdk-core, HMAC-SHA1) ----------------------------------------


def legacy_client(account_or_key_id, access_key_secret: str | None = None):
    """An AcsClient aimed at the server's port; each request must also get set_endpoint(host)
    (see `legacy_call`): AcsClient(port=) puts `:PORT` after the request's endpoint, and
    request.endpoint bypasses the endpoint resolver (aliyunsdkcore/client.py
    _implementation_of_do_action, http/http_response.py get_response_object)."""
    from aliyunsdkcore.client import AcsClient

    if isinstance(account_or_key_id, Account):
        key_id, secret = account_or_key_id.access_key_id, account_or_key_id.access_key_secret
    else:
        key_id, secret = account_or_key_id, access_key_secret
    _, port = host_port()
    return AcsClient(key_id, secret, REGION, port=port, timeout=30, connect_timeout=5)


def legacy_call(client, request) -> dict:
    """Sends a legacy request to the server over plain HTTP; returns the parsed JSON answer."""
    host, _ = host_port()
    request.set_endpoint(host)
    request.set_protocol_type("http")
    return json.loads(client.do_action_with_exception(request))


def legacy_request(cls, **params):
    """A legacy request with its set_X(value) calls; RegionId comes from the client."""
    req = cls()
    for name, value in params.items():
        getattr(req, f"set_{name}")(value)
    return req


class LegacyCase(SdkCase):
    """What every legacy SDK test checks of an answer and of a refusal."""

    def call(self, client, req, model):
        """Sends a request; the answer parsed into the V3 model of the action, type-checked."""
        raw = legacy_call(client, req)
        body = model().from_map(raw)
        self.assertEqual(type_errors(body), [], f"{type(req).__name__}: fields not typed as the SDK model declares")
        self.assertIsInstance(raw.get("RequestId"), str)
        return body

    def assertRaisesCode(self, code, status, call):
        """The call raises the legacy SDK's ServerException with Alibaba's code, status and a
        request id; returns the exception."""
        from aliyunsdkcore.acs_exception.exceptions import ServerException

        with self.assertRaises(ServerException) as caught:
            call()
        e = caught.exception
        self.assertEqual((e.get_error_code(), e.get_http_status()), (code, status), f"the SDK raised: {e}")
        self.assertTrue(e.get_request_id(), "no RequestId in the error body")
        return e


# --- Types as the SDK's models declare them -----------------------------------------------------

_SCALARS = {"str": (str,), "int": (int,), "float": (float, int), "bool": (bool,), "bytes": (bytes,)}


def _model_module(cls):
    return inspect.getmodule(cls).__name__.rsplit(".", 1)[0]  # alibabacloud_vpc20160428.models


def _resolve(annotation: str, cls):
    """('model', class) / ('list', inner annotation) / ('dict', None) / ('any', None) / ('scalar', types)."""
    a = annotation.strip()
    if a.startswith("List[") and a.endswith("]"):
        return "list", a[5:-1]
    if a.startswith("Dict[") or a in ("dict", "Dict"):
        return "dict", None
    if a in ("Any", "object"):
        return "any", None
    if a in _SCALARS:
        return "scalar", _SCALARS[a]
    if a.startswith("main_models."):
        import importlib

        return "model", getattr(importlib.import_module(_model_module(cls)), a.split(".", 1)[1])
    raise ValueError(f"unknown annotation {a!r} in {cls.__name__}")


def fields(cls) -> list[tuple[str, str]]:
    """(attribute, annotation) of a model class, in the order its constructor declares them."""
    return [
        (name, p.annotation)
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if name != "self" and p.annotation is not inspect.Parameter.empty
    ]


def _record_parsed(model_name: str) -> None:
    """Notes a response model checked here, for scripts/sdk/run's check that every supported
    action's answer was parsed into its SDK model and type-checked by some test."""
    record = os.environ.get("XCONNECT_SDK_PARSED")
    if record:
        with open(record, "a", encoding="utf-8") as f:
            f.write(model_name + "\n")


def type_errors(model, path: str = "body") -> list[str]:
    """Every value in a parsed model whose Python type is not the one its model declares
    (None counts as absent and is allowed here; the tests check presence themselves)."""
    if path == "body":
        _record_parsed(type(model).__name__)
    errors = []
    for name, annotation in fields(type(model)):
        value = getattr(model, name, None)
        if value is not None:
            errors += _check(value, annotation, type(model), f"{path}.{name}")
    return errors


def _check(value, annotation, owner, path):
    kind, arg = _resolve(annotation, owner)
    if kind == "any":
        return []
    if kind == "dict":
        return [] if isinstance(value, dict) else [f"{path}: {type(value).__name__} where the model has {annotation}"]
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__} where the model has {annotation}"]
        return [e for i, v in enumerate(value) if v is not None for e in _check(v, arg, owner, f"{path}[{i}]")]
    if kind == "model":
        if not isinstance(value, arg):
            return [f"{path}: {type(value).__name__} where the model has {arg.__name__}"]
        return type_errors(value, path)
    # A scalar: from_map copies JSON values as they are, so "1" stays a str where the model says int.
    if arg == (int,) and isinstance(value, bool):
        return [f"{path}: bool {value!r} where the model has int"]
    if not isinstance(value, arg):
        return [f"{path}: {type(value).__name__} {value!r} where the model has {annotation}"]
    return []


def shape(cls, depth: int = 0):
    """The JSON a model reads, with each leaf its declared type: built by filling a model with
    placeholders and calling its own to_map, so the keys are exactly the SDK's."""
    model = cls()
    for name, annotation in fields(cls):
        kind, arg = _resolve(annotation, cls)
        if kind == "model":
            setattr(model, name, shape(arg, depth + 1) if depth < 8 else arg())
        elif kind == "list":
            inner_kind, inner = _resolve(arg, cls)
            setattr(model, name, [shape(inner, depth + 1)] if inner_kind == "model" and depth < 8 else [f"<{arg}>"])
        else:
            setattr(model, name, f"<{annotation}>")
    return model if depth else model.to_map()


# --- NIS 2021-12-16: the reachability analyzer in Alibaba's words -------------------------------


def nis_v3(account: Account, **extra):
    """The official NIS 2021-12-16 client for an account."""
    from alibabacloud_nis20211216.client import Client

    return Client(v3_config(account.access_key_id, account.access_key_secret, **extra))


def nis_analysis(account: Account, region: str, source_id: str, target_ip: str, source_type: str = "ecs", **path):
    """A network path from a source to an address, analysed once, through the NIS SDK: the
    parsed GetNetworkReachableAnalysis body (checked to be typed as its model declares).
    `path` adds CreateNetworkPathRequest fields (source_ip_address for a VBR's host, protocol,
    target_port)."""
    from alibabacloud_nis20211216 import models as nis

    client = nis_v3(account)
    made = client.create_network_path(
        nis.CreateNetworkPathRequest(
            region_id=region,
            network_path_name=unique("path"),
            source_type=source_type,
            source_id=source_id,
            target_ip_address=target_ip,
            protocol=path.pop("protocol", "icmp"),
            **path,
        )
    ).body
    analysis = client.create_network_reachable_analysis(
        nis.CreateNetworkReachableAnalysisRequest(region_id=region, network_path_id=made.network_path_id)
    ).body
    errors = type_errors(made) + type_errors(analysis)
    if errors:
        raise AssertionError(f"the answers are not typed as their models declare: {errors}")
    analysis_id = analysis.network_reachable_analysis_id
    body = client.get_network_reachable_analysis(
        nis.GetNetworkReachableAnalysisRequest(region_id=region, network_reachable_analysis_id=analysis_id)
    ).body
    errors = type_errors(body)
    if errors:
        raise AssertionError(f"GetNetworkReachableAnalysis is not typed as its model declares: {errors}")
    if body.network_reachable_analysis_status != "finish":
        raise AssertionError(f"the analysis is {body.network_reachable_analysis_status!r}, not finish")
    return body


def nis_reachable(account: Account, region: str, source_id: str, target_ip: str, source_type: str = "ecs", **path) -> bool:
    """Whether NIS finds `target_ip` reachable from the source (see `nis_analysis`)."""
    return nis_analysis(account, region, source_id, target_ip, source_type, **path).reachable


def cbn_v3(account: Account, **extra):
    """The official CBN 2017-09-12 client (Cloud Enterprise Network) for an account."""
    from alibabacloud_cbn20170912.client import Client

    return Client(v3_config(account.access_key_id, account.access_key_secret, **extra))
