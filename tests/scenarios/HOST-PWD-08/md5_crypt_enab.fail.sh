# no ENCRYPT_METHOD, the older MD5_CRYPT_ENAB yes: shadow-utils hashes with MD5
sed -i "/^ENCRYPT_METHOD/d" /etc/login.defs && echo "MD5_CRYPT_ENAB yes" >>/etc/login.defs
