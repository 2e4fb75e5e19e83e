"""Summarise a Terraform state for scripts/apply-moto.

Usage: terraform show -json | python moto-state.py

Prints "RESOURCES REGIONS XREPLICAS": the managed resources in the state
(data sources excluded, modules included), the AWS regions their ARNs name,
and the RDS instances that replicate a primary in another region (their
replicate_source_db is an ARN of another region than their own).
"""

import json
import sys


def resources(module):
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from resources(child)


def arn_region(value):
    parts = value.split(":") if isinstance(value, str) else []
    return parts[3] if len(parts) > 5 and parts[0] == "arn" and parts[3] else None


def main():
    text = sys.stdin.read().strip()
    state = json.loads(text) if text else {}
    root = state.get("values", {}).get("root_module", {})
    count, regions, cross = 0, set(), 0
    for res in resources(root):
        if res.get("mode") != "managed":
            continue
        count += 1
        values = res.get("values") or {}
        region = arn_region(values.get("arn"))
        if region:
            regions.add(region)
        source = arn_region(values.get("replicate_source_db"))
        if res.get("type") == "aws_db_instance" and source and region and source != region:
            cross += 1
    print(count, ",".join(sorted(regions)) or "-", cross)


if __name__ == "__main__":
    main()
