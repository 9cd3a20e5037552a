"""Checks that every action in the README's table of the Alibaba front's actions had its answer
parsed into its SDK response model (`<Action>ResponseBody`) and type-checked by the SDK tests:
the names support.type_errors recorded. Usage: parsed.py README.md RECORD."""

import re
import sys

START = "<!-- alibaba-actions: made by xconnect_front_alibaba::readme_table -->"
END = "<!-- /alibaba-actions -->"


def main(readme_path: str, record_path: str) -> int:
    readme = open(readme_path, encoding="utf-8").read()
    table = readme[readme.index(START) : readme.index(END)]
    actions = re.findall(r"^\| \w+ \| [\d-]+ \| `(\w+)` \|", table, flags=re.M)
    try:
        parsed = set(open(record_path, encoding="utf-8").read().split())
    except FileNotFoundError:
        parsed = set()
    missing = [a for a in actions if f"{a}ResponseBody" not in parsed]
    if missing:
        print(f"sdk: no test parsed the answer of {len(missing)} of {len(actions)} actions into its SDK model: "
              + ", ".join(missing), file=sys.stderr)
        return 1
    print(f"sdk: every one of the {len(actions)} actions' answers was parsed into its SDK model and type-checked")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
