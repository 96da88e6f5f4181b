# security updates are waiting
pending_security_updates
