"""Opens a supportctl bundle with Python's zipfile, as a ticket system would.

Checks every entry's CRC, that manifest.json lists every stored entry with
its size and SHA-256, that names are relative without `..`, and prints the
entry names (one per line) for the calling test.
Usage: zip_check.py BUNDLE.zip
"""
import hashlib
import json
import sys
import zipfile

path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    bad = z.testzip()
    assert bad is None, f"corrupt entry: {bad}"
    names = z.namelist()
    assert len(names) == len(set(names)), "duplicate names"
    for n in names:
        assert not n.startswith("/") and ".." not in n.split("/") and ":" not in n, n
        info = z.getinfo(n)
        assert info.compress_type in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED), n
    manifest = json.loads(z.read("manifest.json"))
    stored = {e["name"]: e for e in manifest["entries"] if "sha256" in e}
    assert set(stored) == set(names) - {"manifest.json"}, (sorted(stored), names)
    for name, e in stored.items():
        data = z.read(name)
        assert len(data) == e["size"], name
        assert hashlib.sha256(data).hexdigest() == e["sha256"], name
    assert manifest["totals"]["entries"] == len(stored)
for n in names:
    print(n)
