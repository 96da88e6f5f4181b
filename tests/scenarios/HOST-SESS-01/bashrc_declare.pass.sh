# declare -rx in /etc/bash.bashrc, which /etc/profile sources for interactive bash
rm -f /etc/profile.d/tmout.sh
echo "declare -rx TMOUT=900" >>/etc/bash.bashrc
