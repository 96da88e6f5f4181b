"""The trust gates: one module per boundary, so that no command can forget one.

- `filein`: every file from outside is read as a regular, bounded file (never a FIFO or a device).
- `jsonin`: every JSON the tool reads (result bundles and sets, fact bundles, packed inputs).
- `fileout`: every file the tool writes (reports, bundles, playbooks, keys, evidence).
- `sanitize`: one sanitiser per medium (terminal, Markdown, CSV/XLSX cell, XML, HTML).
- `names`: names that become file names or Ansible host patterns (agency codes, hosts, keys).

docs/SECURITY.md says which command trusts what, and the limits each gate enforces.
"""
