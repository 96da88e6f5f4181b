"""Server-room evidence from facility devices: UPSes and environment sensors with a network
card, read over SNMPv3 (GET and WALK only) with the standard MIBs: UPS-MIB (RFC 1628) and
ENTITY-SENSOR-MIB (RFC 3433). What the room's survey declares meets what the devices measure."""
