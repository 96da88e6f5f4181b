# /etc/shadow is a directory: nothing to read
mv /etc/shadow /etc/shadow.moved
mkdir /etc/shadow
