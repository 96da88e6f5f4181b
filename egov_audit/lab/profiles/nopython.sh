# A minimal appliance without Python: Ansible modules cannot run on it.
customize() {
  rm -f /usr/bin/python3 /usr/bin/python3.* /usr/local/bin/python3*
}
