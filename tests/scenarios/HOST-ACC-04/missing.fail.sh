# /etc/shadow is gone: the audit cannot see whether passwords are empty or locked
mv /etc/shadow /etc/shadow.moved
