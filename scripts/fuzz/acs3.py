"""ACS3-HMAC-SHA256 signing for the fuzzer, mirroring crates/sign/src/lib.rs.

`Acs3Auth` is a `requests` auth: requests calls it on the prepared request, after the URL and
the body are final, so the signature covers the exact bytes sent. Run as a script, it sends one
signed request and prints the JSON answer (scripts/fuzz/run uses that to create the tenant):

    python acs3.py METHOD URL [JSON_BODY]    # key from XCONNECT_ACCESS_KEY_ID/_SECRET
"""

import datetime
import hashlib
import hmac
import os
import secrets
import sys
from urllib.parse import urlsplit

import requests

ALGORITHM = "ACS3-HMAC-SHA256"
UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def percent_encode(raw: bytes) -> str:
    """RFC 3986: only A-Z a-z 0-9 - _ . ~ stay; everything else is %XX (a space is %20)."""
    return "".join(chr(b) if b in UNRESERVED else f"%{b:02X}" for b in raw)


def percent_decode(s: str) -> bytes:
    """%XX escapes only ('+' stays '+'); a broken escape is kept as it is (the server refuses it)."""
    raw, out, i = s.encode("utf-8"), bytearray(), 0
    while i < len(raw):
        if raw[i] == ord("%") and _is_hex(raw[i + 1 : i + 3]):
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def _is_hex(two: bytes) -> bool:
    return len(two) == 2 and all(c in b"0123456789abcdefABCDEF" for c in two)


def canonical_uri(raw_path: str) -> str:
    """Decoded path, each '/'-separated segment percent-encoded; '/' for an empty path."""
    path = percent_decode(raw_path)
    return "/".join(percent_encode(seg) for seg in path.split(b"/")) if path else "/"


def canonical_query(raw_query: str) -> str:
    """As the server parses it: split on '&', '+' is a space, decode, re-encode, sort."""
    pairs = []
    for part in raw_query.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        k, v = (percent_encode(percent_decode(x.replace("+", " "))) for x in (k, v))
        pairs.append((k, v))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def sign_headers(method: str, url: str, body: bytes, key_id: str, secret: str, host: str | None = None) -> dict:
    """The headers that sign one request: x-acs-*, and Authorization."""
    parts = urlsplit(url)
    content_sha = hashlib.sha256(body).hexdigest()
    signed = {
        "host": host or parts.netloc,
        "x-acs-content-sha256": content_sha,
        "x-acs-date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": secrets.token_hex(16),
    }
    names = sorted(signed)
    canonical = "\n".join(
        [
            method.upper(),
            canonical_uri(parts.path),
            canonical_query(parts.query),
            "".join(f"{n}:{signed[n].strip()}\n" for n in names),
            ";".join(names),
            content_sha,
        ]
    )
    to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers = {n: v for n, v in signed.items() if n != "host"}
    headers["Authorization"] = f"{ALGORITHM} Credential={key_id},SignedHeaders={';'.join(names)},Signature={signature}"
    return headers


class Acs3Auth(requests.auth.AuthBase):
    """Signs each request as it is sent: a fresh nonce, the current date, the body's hash."""

    def __init__(self, key_id: str, secret: str):
        self.key_id, self.secret = key_id, secret

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        body = r.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            # http.client would send a str as Latin-1; send UTF-8 bytes, and hash those.
            body = body.encode("utf-8")
        elif not isinstance(body, (bytes, bytearray)):
            body = b"".join(c if isinstance(c, bytes) else c.encode() for c in body)
        if r.body is not None:
            r.body = bytes(body)
            r.prepare_content_length(r.body)
        r.headers.update(sign_headers(r.method, r.url, bytes(body), self.key_id, self.secret, r.headers.get("Host")))
        return r


def from_env() -> Acs3Auth:
    return Acs3Auth(os.environ["XCONNECT_ACCESS_KEY_ID"], os.environ["XCONNECT_ACCESS_KEY_SECRET"])


if __name__ == "__main__":
    method, url = sys.argv[1], sys.argv[2]
    data = sys.argv[3].encode() if len(sys.argv) > 3 else None
    headers = {"Content-Type": "application/json"} if data else {}
    resp = requests.request(method, url, data=data, headers=headers, auth=from_env(), timeout=30)
    print(resp.text)
    sys.exit(0 if resp.ok else 1)
