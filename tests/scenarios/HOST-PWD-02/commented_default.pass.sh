# minlen commented out, nothing on the PAM line: pam_pwquality's compiled-in default 8 applies (level 3 asks 8)
sed -i -E "s/^minlen = (.*)/# minlen = \1/" /etc/security/pwquality.conf
