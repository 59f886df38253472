"""Validates TOML playbooks against the committed JSON Schema with the
`jsonschema` package (what editors such as Taplo do), and checks that a
playbook with a typo is rejected.

usage: schema_check.py SCHEMA.json GOOD.toml... -- BAD.toml...
"""
import json
import sys
import tomllib

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
args = sys.argv[2:]
split = args.index("--")
for path in args[:split]:
    jsonschema.validate(tomllib.load(open(path, "rb")), schema)
for path in args[split + 1:]:
    try:
        jsonschema.validate(tomllib.load(open(path, "rb")), schema)
    except jsonschema.ValidationError:
        continue
    raise SystemExit(f"{path} should be rejected by the schema")
print("schema ok:", len(args) - 1, "files")
