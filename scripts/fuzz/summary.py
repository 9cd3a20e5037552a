"""Summarises schemathesis NDJSON reports (one per store and account, as scripts/fuzz/run names
them: STORE-ACCOUNT.ndjson): requests sent and time per phase, the operations that answered 2xx,
and every failure, grouped so that one cause shows once however often it was hit:

  5xx answers; transport errors (dropped connections, timeouts); answers the document does not
  allow; refusals without the error body; document-valid requests refused (by operation, status,
  code and message); signed requests refused as unauthenticated; other failed checks.

    python summary.py REPORT.ndjson...
Exits 1 if it finds a 5xx or an error (schemathesis fails on those too), else 0: the run's
verdict is schemathesis's.
"""

import base64
import collections
import json
import os
import re
import sys

CONFORMANCE = {
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
}


# Errors schemathesis reports (NonFatalError) that mean the connection failed, not the document.
TRANSPORT = re.compile(r"ServerUnavailable|Connection|Disconnected|Timeout|timed out|ChunkedEncoding|Protocol", re.I)


def decode(blob):
    if not blob:
        return b""
    if "$base64" in blob:
        return base64.b64decode(blob["$base64"])
    return str(blob.get("string", blob)).encode()


def error_of(body: bytes):
    try:
        doc = json.loads(body)
        return doc.get("code", "?"), doc.get("message", "")
    except (ValueError, AttributeError):
        return "-", body[:120].decode("utf-8", "replace")


def shape(message: str) -> str:
    """A message with its values (quoted, ids, addresses, numbers) blanked: one cause, one group."""
    message = re.sub(r"'.*'(?= is not | does not |: )", "'...'", message, count=1, flags=re.S)
    message = re.sub(r"'.*?'(?=[\s,.;:)]|$)", "'...'", message, flags=re.S)
    message = re.sub(r"`[^`]*`", "`...`", message)
    message = re.sub(r"\b\d+\.\d+\.\d+\.\d+(/\d+)?\b", "<ip>", message)
    message = re.sub(r"(?<=below )/\d+", "/N", message)
    message = re.sub(r"-?\d+(?= is out of range)", "N", message)
    message = re.sub(r"line \d+ column \d+", "line N column N", message)
    message = re.sub(r"\b[a-z]+-[2-7a-z]{24}\b", "<id>", message)
    # What is left of a generated value: any word with a non-ASCII or control character.
    return re.sub(r"\S*[^\x21-\x7e\s]\S*", "...", message)


def example(interaction) -> str:
    req = interaction["request"]
    uri = re.sub(r"^https?://[^/]+", "", req["uri"])
    body = decode(req.get("body")).decode("utf-8", "replace")
    return f"{req['method']} {uri}" + (f" {body[:300]}" if body else "")


class Pass:
    """What one report says."""

    def __init__(self, path):
        self.name = os.path.basename(path).removesuffix(".ndjson")
        self.requests = collections.Counter()  # phase -> requests
        self.seconds = collections.Counter()  # phase -> seconds
        self.started = {}
        self.reached, self.tried = set(), set()  # documented operations (scenario labels)
        self.checks = collections.Counter()  # (code, title) -> count
        self.passed = 0  # checks passed
        self.running_time, self.stop_reason = 0.0, "?"
        self.links = None
        with open(path) as f:
            for line in f:
                self.event(json.loads(line))

    def event(self, ev):
        (kind, data), = ev.items()
        if kind == "PhaseStarted":
            self.started[data["phase"]["name"]] = data["timestamp"]
            payload = data.get("payload") or {}
            if data["phase"]["name"] == "stateful" and "transitions_total" in payload:
                self.links = payload["transitions_total"]
        elif kind == "PhaseFinished" and data["phase"]["name"] in self.started:
            name = data["phase"]["name"]
            self.seconds[name] += data["timestamp"] - self.started.pop(name)
        elif kind == "EngineFinished":
            self.running_time, self.stop_reason = data["running_time"], data.get("stop_reason", "?")
        elif kind == "NonFatalError":
            err = data.get("value") or {}
            kind, message = err.get("type", "?"), str(err.get("message", ""))
            where = "transport" if TRANSPORT.search(f"{kind} {message}") else "errors"
            FOUND[where][(self.name, data.get("label", "?"), kind, " ".join(message.split())[:300])] += 1
        elif kind == "ScenarioFinished":
            self.scenario(data)

    def scenario(self, s):
        rec = s["recorder"]
        if re.match(r"[A-Z]+ /", rec.get("label", "")):
            self.tried.add(rec["label"])
        cases, interactions, checks = rec.get("cases", {}), rec.get("interactions", {}), rec.get("checks", {})
        # The document-valid requests refused: as positive_data_acceptance judged them, after the
        # hooks' filter_failure (which sets aside requests the document does not allow after all).
        refused = {
            cid
            for cid, results in checks.items()
            if any(r["name"] == "positive_data_acceptance" and r.get("status") == "failure" for r in results)
        }
        for cid, it in interactions.items():
            self.requests[s["phase"]] += 1
            value = cases.get(cid, {}).get("value", {})
            op = f"{value.get('method', it['request']['method'])} {value.get('path', '?')}"
            resp = it.get("response")
            if resp is None:
                continue
            status, body = resp["status_code"], decode(resp.get("content"))
            if 200 <= status < 300:
                self.reached.add(op)
            code, message = error_of(body)
            signed = any(h.lower() == "x-acs-signature-nonce" for h in it["request"].get("headers", {}))
            if status >= 500:
                FOUND["5xx"][(op, status, code, shape(message))].append(example(it))
            elif status == 401 and signed:
                FOUND["unauthenticated"][(op, code, shape(message))].append(example(it))
            elif cid in refused:
                FOUND["refused"][(status, code, shape(message))].append((op, example(it)))
        for cid, results in checks.items():
            value = cases.get(cid, {}).get("value", {})
            op = f"{value.get('method', '?')} {value.get('path', '?')}"
            for r in results:
                if r.get("status") == "success":
                    self.passed += 1
                if r.get("status") != "failure":
                    continue
                f = (r.get("failure_info") or {}).get("failure") or {}
                self.checks[(f.get("code", r["name"]), f.get("title", r["name"]))] += 1
                msg = (f.get("message") or "").strip().splitlines()
                msg = msg[0] if msg else ""
                if r["name"] in CONFORMANCE:
                    FOUND["conformance"][(op, r["name"], f.get("title", ""), shape(msg)[:200])] += 1
                elif r["name"] == "error_body":
                    FOUND["error_body"][(op, shape(msg)[:200])] += 1
                elif r["name"] not in ("not_a_server_error", "positive_data_acceptance"):
                    FOUND["other"][(op, r["name"], f.get("title", ""), shape(msg)[:200])] += 1

    def report(self, operations):
        phases = ", ".join(
            f"{p} {self.seconds[p]:.0f} s / {self.requests[p]} requests" for p in self.seconds if self.seconds[p] >= 0.05
        )
        print(f"=== {self.name}: {sum(self.requests.values())} requests in {self.running_time:.0f} s"
              f" (stopped: {self.stop_reason})")
        print(f"    phases: {phases}")
        if self.links is not None:
            print(f"    stateful: {self.links} links (inferred from the document)")
        print(f"    operations answered 2xx: {len(self.reached & self.tried)} of {len(self.tried)}")
        for (code, title), n in sorted(self.checks.items()):
            print(f"    failed check {code} {title}: {n}")


def section(title, groups, counts=False):
    if not groups:
        return
    print(f"\n--- {title}: {len(groups)}")
    for key, val in sorted(groups.items(), key=lambda kv: str(kv[0])):
        if isinstance(val, list) and val and isinstance(val[0], tuple):  # (operation, example) pairs: one cause, many operations
            ops = sorted({op for op, _ in val})
            print(f"  [{len(val)}x] " + " | ".join(str(k) for k in key))
            print(f"      in {', '.join(ops)}")
            print(f"      e.g. {val[0][1]}")
        elif counts:
            print(f"  [{val}x] " + " | ".join(str(k) for k in key))
        else:
            print(f"  [{len(val)}x] " + " | ".join(str(k) for k in key))
            print(f"      e.g. {val[0]}")


FOUND = {
    "5xx": collections.defaultdict(list),
    "transport": collections.Counter(),
    "errors": collections.Counter(),
    "conformance": collections.Counter(),
    "error_body": collections.Counter(),
    "refused": collections.defaultdict(list),
    "unauthenticated": collections.defaultdict(list),
    "other": collections.Counter(),
}


def main(paths):
    passes = [Pass(p) for p in paths]
    by_store = collections.defaultdict(list)
    for p in passes:
        p.report(None)
        by_store[p.name.split("-")[0]].append(p)
    for store, ps in by_store.items():
        tried = set().union(*(p.tried for p in ps))
        never = sorted(tried - set().union(*(p.reached for p in ps)))
        print(f"=== {store}: {len(tried) - len(never)} of {len(tried)} operations answered 2xx to someone;"
              f" never: {', '.join(never) or 'none'}")
    section("(a) 5xx answers", FOUND["5xx"])
    section("(b) transport errors (dropped connections, timeouts, a server gone)", FOUND["transport"], counts=True)
    section("operations schemathesis could not test (a broken document, an internal error)", FOUND["errors"], counts=True)
    section("(c) answers the document does not allow", FOUND["conformance"], counts=True)
    section("(d) refusals without the error body", FOUND["error_body"], counts=True)
    section("(e) document-valid requests refused (status | code | message)", FOUND["refused"])
    section("signed requests refused as unauthenticated", FOUND["unauthenticated"])
    section("other failed checks", FOUND["other"], counts=True)
    failed = sum(sum(p.checks.values()) for p in passes)
    print(f"\n{failed} failed checks, {len(FOUND['refused'])} distinct refusals of valid requests,"
          f" {len(FOUND['5xx'])} distinct 5xx, {len(FOUND['transport'])} transport errors")
    # The closing line CI reads: every check of every response, passed or failed.
    print(f"fuzz: {sum(p.passed for p in passes)} passed, {failed} failed")
    return 1 if FOUND["5xx"] or FOUND["transport"] or FOUND["errors"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
