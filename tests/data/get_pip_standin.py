"""Stands in for pypa's get-pip.py (ansible-test fetches it from ci-files.testing.ansible.com,
out of reach here): the interpreter's own ensurepip, then pip installs what ansible-test asked
for from the package index."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True,
               stdout=subprocess.DEVNULL)
sys.exit(subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *args]).returncode)
