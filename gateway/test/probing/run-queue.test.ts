// The queue of due checks: FIFO per standing, answering before untried before silent, one entry per probe, O(1) removal.
import { describe, expect, it } from 'vitest';
import { RunQueue } from '../../src/probing/run-queue.js';

const drain = (queue: RunQueue<string>, silentAllowed = true) => {
  const out: [string, number][] = [];
  for (let next = queue.shift(silentAllowed); next !== undefined; next = queue.shift(silentAllowed)) out.push([next.item, next.dueAt]);
  return out;
};

describe('RunQueue', () => {
  it('starts answering probes first, then untried ones, then silent ones, each standing in the order it came', () => {
    const queue = new RunQueue<string>();
    queue.push('dark-1', 1, 'silent');
    queue.push('new-1', 2, 'untried');
    queue.push('ok-1', 3, 'answering');
    queue.push('dark-2', 4, 'silent');
    queue.push('ok-2', 5, 'answering');
    queue.push('new-2', 6, 'untried');
    expect([queue.size, queue.sizeOf('answering'), queue.sizeOf('untried'), queue.sizeOf('silent')]).toEqual([6, 2, 2, 2]);
    expect(drain(queue)).toEqual([['ok-1', 3], ['ok-2', 5], ['new-1', 2], ['new-2', 6], ['dark-1', 1], ['dark-2', 4]]);
    expect(queue.size).toBe(0);
  });

  it('holds each probe once, keeping its place and its first due time', () => {
    const queue = new RunQueue<string>();
    expect(queue.push('a', 1, 'answering')).toBe(true);
    queue.push('b', 2, 'answering');
    expect(queue.push('a', 9, 'answering')).toBe(false);
    expect(queue.push('a', 9, 'silent')).toBe(false);
    expect(drain(queue)).toEqual([['a', 1], ['b', 2]]);
  });

  it('leaves untried and silent probes waiting when they may not start, answering ones still go', () => {
    const queue = new RunQueue<string>();
    queue.push('dark', 1, 'silent');
    queue.push('new', 1, 'untried');
    expect(queue.shift(false)).toBeUndefined();
    queue.push('ok', 2, 'answering');
    expect(drain(queue, false)).toEqual([['ok', 2]]);
    expect(drain(queue, true)).toEqual([['new', 1], ['dark', 1]]);
  });

  it('removes from the head, the middle and the tail, and clears', () => {
    const queue = new RunQueue<string>();
    for (const [i, id] of ['a', 'b', 'c', 'd', 'e'].entries()) queue.push(id, i, i % 2 === 1 ? 'silent' : 'answering');
    expect(queue.remove('a')).toBe(true); // head of answering
    expect(queue.remove('d')).toBe(true); // tail of silent
    expect(queue.remove('c')).toBe(true); // middle... now the tail of answering
    expect(queue.remove('zz')).toBe(false);
    expect(queue.has('c')).toBe(false);
    expect(drain(queue)).toEqual([['e', 4], ['b', 1]]);
    queue.push('x', 1, 'silent');
    queue.clear();
    expect([queue.size, queue.sizeOf('silent'), queue.shift(true)]).toEqual([0, 0, undefined]);
    queue.push('x', 1, 'silent');
    expect(drain(queue)).toEqual([['x', 1]]);
  });

  it('takes constant time per operation: 200,000 probes through it with removals in about a second (quadratic would take minutes)', () => {
    const queue = new RunQueue<number>();
    const started = performance.now();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 100_000; i++) queue.push(i, i, i % 3 === 0 ? 'silent' : i % 3 === 1 ? 'untried' : 'answering');
      for (let i = 0; i < 100_000; i += 7) queue.remove(i);
      let n = 0;
      while (queue.shift(true) !== undefined) n++;
      expect(n).toBe(100_000 - Math.ceil(100_000 / 7));
    }
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
