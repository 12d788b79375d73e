#!/usr/bin/env python3
"""Replaces the config reference in README.md with `tributary config-reference`'s output."""
import subprocess
import sys

binary, readme = sys.argv[1], sys.argv[2]
ref = subprocess.run([binary, "config-reference"], check=True, capture_output=True, text=True).stdout
text = open(readme, encoding="utf-8").read()
begin, end = "<!-- config-reference:begin -->\n", "<!-- config-reference:end -->"
i, j = text.index(begin) + len(begin), text.index(end)
open(readme, "w", encoding="utf-8").write(text[:i] + ref + text[j:])
