#!/usr/bin/env python3
"""Doxygen input filter: reads the public headers' Abseil-style `//` comments
as documentation, so the headers need no Doxygen markup.

- the comment block at the top of a file becomes its @file description;
- a comment block directly above a declaration documents it;
- a trailing `// ...` after a member documents that member.
"""
import re
import sys

LEADING = re.compile(r"^(\s*)// ?(.*)$")
TRAILING = re.compile(r"^(.*\S)\s+// (?!NOLINT)(.*)$")


def text(comment):
    """Keeps `<name>` placeholders outside code spans from reading as HTML tags."""
    parts = comment.split("`")
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("<", "\\<").replace(">", "\\>")
    return "`".join(parts)


def main(path):
    out = []
    header_done = False
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        lead = LEADING.match(line)
        if not header_done:
            if lead:
                if not out:
                    out.append("/// @file")
                out.append("/// " + text(lead.group(2)))
                continue
            header_done = True
        if lead:
            out.append(f"{lead.group(1)}/// {text(lead.group(2))}")
            continue
        trail = TRAILING.match(line)
        if trail and '"' not in trail.group(1):
            out.append(f"{trail.group(1)}  ///< {text(trail.group(2))}")
            continue
        out.append(line)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
