# A host that accepts the connection and then never answers (a stuck NFS mount, a full disk).
customize() {
  printf '#!/bin/sh\nexec sleep 3600\n' >/usr/local/bin/python3-hang
  chmod 755 /usr/local/bin/python3-hang
}
