# pwquality.conf.d says 16, but libpwquality reads pwquality.conf after its folder: 6 wins
mkdir -p /etc/security/pwquality.conf.d
echo "minlen = 16" >/etc/security/pwquality.conf.d/90-site.conf
sed -i -E "s/^minlen = .*/minlen = 6/" /etc/security/pwquality.conf
