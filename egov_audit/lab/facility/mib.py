#!/usr/bin/env python3
"""snmpd's pass_persist helper for the lab's facility devices: serves the values of a text
file, one object a line (`1.3.6.1.2.1.33.1.2.1.0 integer 2`, `... string LabPower LP-3000`),
for GET and GETNEXT, read-only, as a real UPS or room sensor would. `egov-audit lab` writes the
file; tests rewrite it to make a UPS go on battery. The file is read again for every request.

Protocol (snmpd.conf(5), pass_persist): PING -> PONG; get/getnext then an OID -> the OID, its
type and value, or NONE; set -> not-writable."""

import sys


def _key(oid: str) -> tuple[int, ...]:
    return tuple(int(part) for part in oid.strip().strip(".").split(".") if part)


def _load(path: str) -> list[tuple[tuple[int, ...], str, str, str]]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) == 3 and not line.startswith("#"):
                rows.append((_key(parts[0]), parts[0].strip("."), parts[1], parts[2]))
    return sorted(rows)


def main(path: str) -> None:
    out = sys.stdout
    while True:
        command = sys.stdin.readline()
        if not command:
            return
        command = command.strip()
        if command == "PING":
            out.write("PONG\n")
        elif command in ("get", "getnext"):
            wanted = _key(sys.stdin.readline())
            found = None
            for key, oid, kind, value in _load(path):
                if (command == "get" and key == wanted) or (command == "getnext" and key > wanted):
                    found = (oid, kind, value)
                    break
            out.write("NONE\n" if found is None else f".{found[0]}\n{found[1]}\n{found[2]}\n")
        elif command == "set":
            sys.stdin.readline()
            sys.stdin.readline()
            out.write("not-writable\n")
        else:
            out.write("NONE\n")
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
