#!/usr/bin/env python3
"""Validate a JSON document against the subset of JSON Schema (2020-12) that
docs/plan.schema.json uses: type (one or a list), enum, const-free anyOf,
properties, required, additionalProperties (bool or schema), items,
minimum, maximum, minLength, maxLength and local $ref ("#/$defs/NAME").
Standard library only, so the test needs no package. Exit 1 with every
violation listed, each with its JSON path."""
import json
import sys

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}
KNOWN = {"$schema", "$id", "title", "description", "$defs", "type", "enum", "anyOf", "properties", "required",
         "additionalProperties", "items", "minimum", "maximum", "minLength", "maxLength", "$ref"}


def check(root, schema, v, path, errs):
    unknown = set(schema) - KNOWN
    if unknown:
        raise SystemExit(f"schema keyword(s) {sorted(unknown)} at {path} not supported by this checker")
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        check(root, root["$defs"][name], v, path, errs)
    if "type" in schema:
        ts = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[t](v) for t in ts):
            errs.append(f"{path}: {json.dumps(v)[:60]} is not of type {ts}")
            return
    if "enum" in schema and v not in schema["enum"]:
        errs.append(f"{path}: {json.dumps(v)} not one of {schema['enum']}")
    if "anyOf" in schema:
        if not any(not sub_errs(root, s, v, path) for s in schema["anyOf"]):
            errs.append(f"{path}: {json.dumps(v)[:60]} matches none of anyOf")
    if TYPES["number"](v):
        if "minimum" in schema and v < schema["minimum"]:
            errs.append(f"{path}: {v} < minimum {schema['minimum']}")
        if "maximum" in schema and v > schema["maximum"]:
            errs.append(f"{path}: {v} > maximum {schema['maximum']}")
    if isinstance(v, str):
        if len(v) < schema.get("minLength", 0) or len(v) > schema.get("maxLength", len(v)):
            errs.append(f"{path}: length of {v!r} out of bounds")
    if isinstance(v, dict):
        for k in schema.get("required", []):
            if k not in v:
                errs.append(f"{path}: missing required key {k!r}")
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for k, x in v.items():
            if k in props:
                check(root, props[k], x, f"{path}.{k}", errs)
            elif extra is False:
                errs.append(f"{path}: unexpected key {k!r}")
            elif isinstance(extra, dict):
                check(root, extra, x, f"{path}.{k}", errs)
    if isinstance(v, list) and "items" in schema:
        for i, x in enumerate(v):
            check(root, schema["items"], x, f"{path}[{i}]", errs)


def sub_errs(root, schema, v, path):
    e = []
    check(root, schema, v, path, e)
    return e


def main():
    schema = json.load(open(sys.argv[1]))
    doc = json.load(open(sys.argv[2]))
    errs = sub_errs(schema, schema, doc, "$")
    for e in errs[:20]:
        print(e)
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
