# a telnet daemon runs
daemon in.telnetd
