"""Every environment variable the code reads is in the README's configuration table."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READS = re.compile(r"""os\.environ(?:\.get\(|\[)\s*['"]([A-Z][A-Z0-9_]+)['"]|getenv\(\s*['"]([A-Z][A-Z0-9_]+)['"]""")


def _variables_read() -> set[str]:
    files = [ROOT / "config.py", ROOT / "wsgi.py", *sorted((ROOT / "fundapp").rglob("*.py"))]
    found = set()
    for path in files:
        for match in READS.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return found


def _configuration_table() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}


def test_every_variable_the_code_reads_is_in_the_readmes_configuration_table():
    read = _variables_read()
    assert {"SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "FIXED_TODAY"} <= read  # the scan finds them
    assert read - _configuration_table() == set()
