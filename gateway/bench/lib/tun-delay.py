#!/usr/bin/env python3
# A delaying link made of two TUN devices: packets from A to B wait DELAY_MS, packets from B to A pass at once.
# Stands in for `tc netem delay` on kernels without sch_netem (Node has no ioctl to open a TUN device itself).
# Usage: tun-delay.py NAME_A NAME_B   then lines on stdin: "delay MS", "reset" (forget the truth so far),
# "report" (print the truth as one JSON line); end of stdin or SIGTERM stops it. Prints "ready" once the devices exist.
# Truth: for every TCP SYN read from A and its SYN-ACK written back to A, the round trip as seen at the device.
import fcntl, heapq, json, os, select, signal, struct, sys, time

TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000


def open_tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def write(fd, packet):
    """Writes a packet; one for a device that is not up yet (EIO) or has gone is dropped, as a link would."""
    try:
        os.write(fd, packet)
        return True
    except OSError:
        return False


def tcp_key(packet):
    """(flags, client port, server port) of an IPv4 TCP packet, or None."""
    if len(packet) < 40 or packet[0] >> 4 != 4 or packet[9] != 6:
        return None
    ihl = (packet[0] & 15) * 4
    sport, dport = struct.unpack_from('!HH', packet, ihl)
    return packet[ihl + 13], sport, dport


def main():
    name_a, name_b = sys.argv[1], sys.argv[2]
    delay = 0.0
    stdin = sys.stdin.fileno()
    fd_a, fd_b = open_tun(name_a), open_tun(name_b)
    queue, sequence = [], 0
    syn_seen = {}  # (client port, server port) -> time the SYN left A
    rtts, holds = [], []
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print('ready', flush=True)
    while not stop and len(rtts) < 2_000_000:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 0.5
        try:
            readable, _, _ = select.select([fd_a, fd_b, stdin], [], [], timeout)
        except InterruptedError:
            continue
        if stdin in readable:
            line = sys.stdin.readline()
            command = line.split()
            if not line:
                break
            if command[:1] == ['delay']:
                delay = float(command[1]) / 1000
            elif command == ['reset']:
                rtts.clear()
                holds.clear()
            elif command == ['report']:
                print(json.dumps({'rtts': rtts, 'holds': holds[-200_000:]}), flush=True)
        now = time.monotonic()
        if fd_a in readable:
            for _ in range(64):
                try:
                    packet = os.read(fd_a, 65535)
                except BlockingIOError:
                    break
                key = tcp_key(packet)
                if key and key[0] & 0x12 == 0x02:
                    syn_seen[(key[1], key[2])] = now
                heapq.heappush(queue, (now + delay, sequence, now, packet))
                sequence += 1
        if fd_b in readable:
            for _ in range(64):
                try:
                    packet = os.read(fd_b, 65535)
                except BlockingIOError:
                    break
                if not write(fd_a, packet):
                    continue
                key = tcp_key(packet)
                if key and key[0] & 0x12 == 0x12:
                    sent = syn_seen.pop((key[2], key[1]), None)
                    if sent is not None:
                        rtts.append((time.monotonic() - sent) * 1000)
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, read_at, packet = heapq.heappop(queue)
            if write(fd_b, packet):
                holds.append((time.monotonic() - read_at) * 1000)
            if len(holds) > 2_000_000:
                holds.clear()


main()
