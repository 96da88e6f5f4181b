# ENCRYPT_METHOD sha512 in lower case is no method shadow-utils knows: it falls back to DES
sed -i -E "s/^ENCRYPT_METHOD.*/ENCRYPT_METHOD sha512/" /etc/login.defs
