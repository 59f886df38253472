"""Reads a supportctl JUnit report with junitparser (a real consumer) and
checks it against the expected counts given on the command line.

usage: junit_check.py REPORT.xml TESTS FAILURES ERRORS SKIPPED
"""
import sys

from junitparser import Error, Failure, JUnitXml, Skipped

path, tests, failures, errors, skipped = sys.argv[1], *map(int, sys.argv[2:6])
xml = JUnitXml.fromfile(path)
cases = [case for suite in xml for case in suite]
kinds = [type(r) for case in cases for r in case.result]
got = (len(cases), kinds.count(Failure), kinds.count(Error), kinds.count(Skipped))
assert got == (tests, failures, errors, skipped), f"cases/failures/errors/skipped: {got}"
for suite in xml:
    assert suite.tests == len(list(suite)), "suite test count matches its cases"
print("junit ok:", got)
