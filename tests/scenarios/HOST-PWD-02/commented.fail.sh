# minlen commented out, nothing on the PAM line: no length rule
sed -i -E "s/^minlen = (.*)/# minlen = \1/" /etc/security/pwquality.conf
