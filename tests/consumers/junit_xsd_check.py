"""Validates a supportctl JUnit report against Jenkins xUnit's junit-10.xsd
(with the `xmlschema` library), then checks what the stricter Ant schema
(windyroad's JUnit.xsd) asks for beyond it, except the two deviations the
renderer keeps on purpose (totals on <testsuites>, output per <testcase>).

usage: junit_xsd_check.py REPORT.xml JUNIT-10.XSD
"""
import re
import sys
import xml.etree.ElementTree as ET

import xmlschema

report, xsd = sys.argv[1], sys.argv[2]
xmlschema.XMLSchema(xsd).validate(report)

root = ET.parse(report).getroot()
assert root.tag == "testsuites", root.tag
DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")
for i, suite in enumerate(root):
    a = suite.attrib
    where = f"testsuite {i}"
    for key in ("name", "package", "hostname"):
        assert a.get(key, "").strip(), f"{where}: {key} must be a non-empty token"
    assert a.get("id") == str(i), f"{where}: id must count from 0, got {a.get('id')}"
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}", a.get("timestamp", "")), \
        f"{where}: timestamp without zone, got {a.get('timestamp')}"
    for key in ("tests", "failures", "errors", "skipped"):
        assert re.fullmatch(r"[0-9]+", a.get(key, "")), f"{where}: {key} must be an int"
    assert DECIMAL.match(a.get("time", "")), f"{where}: time must be a decimal"
    tags = [c.tag for c in suite]
    assert tags[0] == "properties" and tags.count("properties") == 1, f"{where}: properties first: {tags}"
    assert tags[-2:] == ["system-out", "system-err"], f"{where}: system-out and system-err last: {tags}"
    assert set(tags[1:-2]) <= {"testcase"}, f"{where}: only testcases between: {tags}"
    for case in suite.iter("testcase"):
        c = case.attrib
        assert c.get("name") and c.get("classname"), f"{where}: testcase name and classname: {c}"
        assert DECIMAL.match(c.get("time", "")), f"testcase {c.get('name')}: time must be a decimal"
        results = [r for r in case if r.tag in ("skipped", "error", "failure")]
        assert len(results) <= 1, f"testcase {c.get('name')}: at most one result"
        for r in results:
            if r.tag != "skipped":
                assert r.get("type"), f"testcase {c.get('name')}: {r.tag} needs a type"
        # Deliberate deviation from Ant: per-step output inside the testcase.
        assert {x.tag for x in case} <= {"skipped", "error", "failure", "system-out", "system-err"}
print("junit-10.xsd and Ant rules ok:", len(root), "suite(s)")
