# every X11Forwarding line removed (Debian ships "yes" written): compiled-in default no
sed -i -E "/^#?[[:space:]]*X11Forwarding/Id" /etc/ssh/sshd_config
rm -f /etc/ssh/sshd_config.d/*.conf
