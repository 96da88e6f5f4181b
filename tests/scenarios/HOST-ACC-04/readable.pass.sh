# /etc/shadow readable by the audit account (root)
true
