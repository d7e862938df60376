// The in-flight cap sized to the machine: the open-file limit less its reserve, within the memory share; a setting wins.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BYTES_PER_CHECK, FALLBACK_MAX_IN_FLIGHT, machineInFlightCap, parseSoftOpenFiles, sizeInFlightCap } from '../../src/probing/in-flight-cap.js';

const GiB = 1024 ** 3;

describe('sizeInFlightCap', () => {
  it('takes the open-file limit less a reserve of 10 % (at least 128) when memory allows', () => {
    expect(sizeInFlightCap(null, 1024, 16 * GiB)).toMatchObject({ maxInFlight: 896, source: 'open-files' });
    expect(sizeInFlightCap(null, 20_000, 16 * GiB)).toMatchObject({ maxInFlight: 18_000, source: 'open-files' });
    expect(sizeInFlightCap(null, 100, 16 * GiB)).toMatchObject({ maxInFlight: 16 }); // a floor
  });

  it('stays within an eighth of the memory at BYTES_PER_CHECK a check (a container with a million descriptors)', () => {
    const cap = sizeInFlightCap(null, 1_048_576, 2 * GiB);
    expect(cap).toMatchObject({ maxInFlight: (2 * GiB) / 8 / BYTES_PER_CHECK, source: 'memory', descriptorCap: 943_718 });
  });

  it('falls back to 512 where the limit is unknown', () => {
    expect(sizeInFlightCap(null, null, 16 * GiB)).toMatchObject({ maxInFlight: FALLBACK_MAX_IN_FLIGHT, source: 'fallback' });
  });

  it('keeps a configured cap, warning when the descriptors cannot carry it', () => {
    expect(sizeInFlightCap(64, 1024, GiB)).toEqual({ maxInFlight: 64, source: 'setting', openFilesLimit: 1024, descriptorCap: 896, warning: null });
    expect(sizeInFlightCap(5000, 1024, GiB).warning).toMatch(/GATEWAY_MAX_IN_FLIGHT=5000 is more than the open-file limit \(1024\) allows.*\(896\)/);
  });
});

describe('the open-file limit', () => {
  it("reads the soft limit from /proc/self/limits' text", () => {
    const text = 'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            4096                 524288               files     \n';
    expect(parseSoftOpenFiles(text)).toBe(4096);
    expect(parseSoftOpenFiles(text.replace('4096   ', 'unlimited'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseSoftOpenFiles('nothing here')).toBeNull();
  });

  it("sizes this process's cap from its own limit", () => {
    const soft = parseSoftOpenFiles(readFileSync('/proc/self/limits', 'utf8'))!;
    const cap = machineInFlightCap(null);
    expect(cap.openFilesLimit).toBe(soft);
    expect(cap.maxInFlight).toBeLessThanOrEqual(soft - 128);
    expect(machineInFlightCap(300)).toMatchObject({ maxInFlight: 300, source: 'setting' });
  });
});
