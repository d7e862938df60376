#!/usr/bin/python3
"""A userspace delay line between two TUN devices: netem for kernels that have no netem qdisc.

    delay-line.py NEAR FAR [--spin-us N] [--rt-priority N]

Creates the TUN devices NEAR and FAR (IFF_TUN | IFF_NO_PI: bare IP packets, no link layer, no ARP) and forwards
every packet the kernel transmits into one of them (by a route, or by a tc mirred redirect) to the other, where the
kernel receives it. Packets from NEAR to FAR wait the configured delay and are dropped with the configured
probability, as netem would shape them; the way back can be given a delay of its own. The caller assigns addresses
and routes and may move FAR into another network namespace once "ready" is printed: the open file keeps the device
attached wherever it goes. The devices are not persistent: they disappear when this process exits.

Commands on stdin, one a line; each is answered on stdout with "ok ..." or "error ...":
    delay MS [BACK_MS]   delay NEAR->FAR packets by MS (and FAR->NEAR ones by BACK_MS, default 0); 0 forwards at once
    loss PERCENT         drop that share of NEAR->FAR packets (100 drops all)
    stats                one JSON line: packets forwarded/dropped each way and how late delayed packets left
                         (microseconds past their due time: p50/p99/max since the last stats)
    handshakes           one JSON line, {"rtt_ms": [...]}: for each IPv4 TCP SYN that came in at NEAR and whose
                         SYN-ACK left through NEAR since the last "handshakes", the time between the two, the
                         round trip a perfect prober on NEAR's side would measure
stdin's end, SIGTERM or SIGINT end the program (exit status 0).

Timing: due packets wait in a heap ordered by due time; select() sleeps until --spin-us (default 200) before the
earliest is due, then the loop polls with a zero timeout until the due time, reading packets meanwhile. Delayed
packets in one direction keep their order, as on a link. A constant delay thus adds only this process's wake-up and
copy time, the same as with delay 0.

Priority: netem runs in the kernel's timer and softirq context, above every process; to come close, this process
asks for SCHED_FIFO at --rt-priority (default 1, the lowest real-time priority; 0 keeps the ordinary policy, as does
lacking the privilege). Without it, a busy machine (the probes under test, other test files) delays its wake-ups by
milliseconds. A real-time task that spun without end would starve others on its CPU; this one spins at most
--spin-us before each due time, and the kernel's real-time throttling (sched_rt_runtime_us) bounds it anyway.
Ordinary tasks sleep with 50 us of timer slack, real-time ones with none; outside SCHED_FIFO this process asks for 1 ns.
"""
import fcntl
import gc
import heapq
import json
import os
import random
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA  # _IOW('T', 202, int)
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
READ_SIZE = 65536  # more than any MTU
BATCH = 64  # packets read from one device before looking at the other and at the clock again
LATE_SAMPLES = 100_000  # lateness samples kept between two "stats" commands
HANDSHAKE_SAMPLES = 2_000_000  # round trips kept between two "handshakes" commands
SYN, ACK = 0x02, 0x10


def open_tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def tcp_flags(packet):
    """(flags, source port, destination port) of an IPv4 TCP packet, or None."""
    if len(packet) < 40 or packet[0] >> 4 != 4 or packet[9] != 6:
        return None
    header = (packet[0] & 15) * 4
    source, destination = struct.unpack_from('!HH', packet, header)
    return packet[header + 13], source, destination


class Direction:
    """One way through the line: where packets come from and go, and how they are shaped."""

    def __init__(self, name, source, sink):
        self.name = name
        self.source = source
        self.sink = sink
        self.delay = 0.0  # seconds
        self.loss = 0.0  # probability, 0..1
        self.last_due = 0.0  # due time of the last packet queued, so that a smaller new delay cannot reorder
        self.queued = 0
        self.forwarded = 0
        self.dropped = 0


class DelayLine:
    def __init__(self, near, far, spin):
        self.spin = spin
        self.near_to_far = Direction('to_far', near, far)
        self.far_to_near = Direction('to_near', far, near)
        self.by_source = {near: self.near_to_far, far: self.far_to_near}
        self.heap = []  # (due, sequence, direction, packet); the sequence keeps equal due times in arrival order
        self.sequence = 0
        self.late = []  # microseconds each delayed packet left after its due time
        self.syn_at = {}  # (client port, server port) -> when the SYN came in at NEAR
        self.rtts = []  # ms from a SYN at NEAR to its SYN-ACK leaving through NEAR
        self.stdin_buffer = b''

    def run(self):
        fds = [self.near_to_far.source, self.far_to_near.source, 0]
        heap = self.heap
        while True:
            now = time.monotonic()
            while heap and heap[0][0] <= now:
                due, _, direction, packet = heapq.heappop(heap)
                direction.queued -= 1
                if len(self.late) < LATE_SAMPLES:
                    self.late.append((time.monotonic() - due) * 1e6)
                self.send(direction, packet)
            # Sleep until SPIN before the next due time; closer than that, poll (timeout 0) until it is due.
            timeout = max(0.0, heap[0][0] - now - self.spin) if heap else None
            readable, _, _ = select.select(fds, [], [], timeout)
            for fd in readable:
                if fd == 0:
                    if not self.read_commands():
                        return
                else:
                    self.receive(self.by_source[fd])

    def receive(self, direction):
        for _ in range(BATCH):
            try:
                packet = os.read(direction.source, READ_SIZE)
            except BlockingIOError:
                return
            except OSError as err:  # EBADFD: the device was deleted, e.g. with the namespace it had been moved to
                sys.exit(f'delay-line: stopping, a device is gone: {err}')
            if direction is self.near_to_far:
                flags = tcp_flags(packet)
                if flags is not None and flags[0] & (SYN | ACK) == SYN:
                    if len(self.syn_at) > HANDSHAKE_SAMPLES:  # SYNs never answered
                        self.syn_at.clear()
                    self.syn_at[flags[1:]] = time.monotonic()
            if direction.loss and random.random() < direction.loss:
                direction.dropped += 1
            elif direction.delay == 0 and direction.queued == 0:
                self.send(direction, packet)
            else:
                due = max(time.monotonic() + direction.delay, direction.last_due)
                direction.last_due = due
                direction.queued += 1
                self.sequence += 1
                heapq.heappush(self.heap, (due, self.sequence, direction, packet))

    def send(self, direction, packet):
        try:
            os.write(direction.sink, packet)
            direction.forwarded += 1
        except OSError:  # device down, or its queue full: a link drops the packet
            direction.dropped += 1
            return
        if direction is self.far_to_near and self.syn_at:
            flags = tcp_flags(packet)
            if flags is not None and flags[0] & (SYN | ACK) == SYN | ACK:
                sent = self.syn_at.pop((flags[2], flags[1]), None)
                if sent is not None and len(self.rtts) < HANDSHAKE_SAMPLES:
                    self.rtts.append(round((time.monotonic() - sent) * 1000, 4))

    def read_commands(self):
        data = os.read(0, 4096)
        if not data:
            return False
        self.stdin_buffer += data
        *lines, self.stdin_buffer = self.stdin_buffer.split(b'\n')
        for line in lines:
            words = line.decode().split()
            if words:
                try:
                    reply = self.command(words)
                except (ValueError, IndexError) as err:
                    reply = f'error {line.decode().strip()}: {err}'
                print(reply, flush=True)
        return True

    def command(self, words):
        name, args = words[0], [float(word) for word in words[1:]]
        if name == 'delay' and 1 <= len(args) <= 2 and all(ms >= 0 for ms in args):
            self.near_to_far.delay = args[0] / 1000
            self.far_to_near.delay = (args[1] if len(args) > 1 else 0) / 1000
        elif name == 'loss' and len(args) == 1 and 0 <= args[0] <= 100:
            self.near_to_far.loss = args[0] / 100
        elif name == 'stats' and not args:
            late, self.late = sorted(self.late), []
            pick = lambda q: round(late[min(len(late) - 1, int(q * len(late)))], 1) if late else None
            counts = {d.name: {'forwarded': d.forwarded, 'dropped': d.dropped, 'queued': d.queued}
                      for d in (self.near_to_far, self.far_to_near)}
            return json.dumps({**counts, 'late_us': {'n': len(late), 'p50': pick(0.5), 'p99': pick(0.99),
                                                     'max': round(late[-1], 1) if late else None}})
        elif name == 'handshakes' and not args:
            rtts, self.rtts = self.rtts, []
            return json.dumps({'rtt_ms': rtts})
        else:
            raise ValueError('expected "delay MS [BACK_MS]", "loss PERCENT" (0-100), "stats" or "handshakes"')
        return 'ok ' + ' '.join(words)


def main():
    args = sys.argv[1:]
    options = {'--spin-us': 200.0, '--rt-priority': 1.0}
    for option in options:
        if option in args:
            at = args.index(option)
            options[option] = float(args[at + 1])
            del args[at:at + 2]
    if len(args) != 2:
        sys.exit(__doc__)

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    try:
        if options['--rt-priority'] > 0:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(int(options['--rt-priority'])))
    except OSError:
        pass
    try:  # the default timer slack (50 us) would add to every sleep; lowering it for oneself needs no privilege
        with open('/proc/self/timerslack_ns', 'w') as slack:
            slack.write('1')
    except OSError:
        pass
    gc.disable()  # nothing here makes reference cycles; a collection would only pause the line

    line = DelayLine(open_tun(args[0]), open_tun(args[1]), options['--spin-us'] / 1e6)
    print('ready', flush=True)
    try:
        line.run()
    except BrokenPipeError:  # whoever reads our answers is gone
        pass


if __name__ == '__main__':
    main()
