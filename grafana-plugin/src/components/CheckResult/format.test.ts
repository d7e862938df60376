import { describe, expect, test } from 'vitest';
import { daysUntil, expiryInWords, failureReason, formatInterval, formatMs, formatSpan, formatWindow } from './format';

describe('format', () => {
  test('milliseconds', () => {
    expect(formatMs(0.4213)).toBe('0.42 ms');
    expect(formatMs(12.34)).toBe('12.3 ms');
    expect(formatMs(1520.4)).toBe('1520 ms');
    expect(formatMs(null)).toBe('–');
  });

  test('intervals', () => {
    expect(formatInterval(45)).toBe('45 s');
    expect(formatInterval(90)).toBe('90 s');
    expect(formatInterval(300)).toBe('5 min');
    expect(formatInterval(3600)).toBe('1 h');
    expect(formatInterval(5400)).toBe('1 h 30 min');
  });

  test('spans as a person says them: seconds up, minutes and hours to the nearest', () => {
    expect(formatSpan(0.2)).toBe('1 s');
    expect(formatSpan(4)).toBe('4 s');
    expect(formatSpan(59.5)).toBe('60 s');
    expect(formatSpan(89)).toBe('1 min');
    expect(formatSpan(3599)).toBe('1 h');
    expect(formatSpan(2 * 3600 + 30 * 60)).toBe('2 h 30 min');
    expect(formatSpan(86_399)).toBe('1 d');
    expect(formatSpan(27 * 3600)).toBe('1 d 3 h');
    expect(formatSpan(48 * 3600)).toBe('2 d');
  });

  test('failure reasons name the outcome and keep the system message', () => {
    expect(failureReason({ outcome: 'refused', error: 'connect ECONNREFUSED 127.0.0.1:9' })).toBe('Connection refused: connect ECONNREFUSED 127.0.0.1:9');
    expect(failureReason({ outcome: 'timeout', error: null })).toBe('Timed out');
    expect(failureReason({ outcome: 'success', error: null })).toBe('');
    expect(failureReason(null)).toBe('');
  });

  test('windows, wrapping past midnight', () => {
    expect(formatWindow('08:00', '18:00')).toBe('08:00–18:00');
    expect(formatWindow('22:00', '06:00')).toBe('22:00–06:00 (overnight)');
    expect(formatWindow(null, null)).toBe('');
  });

  test('certificate expiry in days, from the result or the metric', () => {
    expect(expiryInWords(12.5)).toBe('in 12.5 days');
    expect(expiryInWords(30)).toBe('in 30 days');
    expect(expiryInWords(1)).toBe('in 1 day');
    expect(expiryInWords(0.04)).toBe('in 0 days');
    expect(expiryInWords(-3)).toBe('expired 3 days ago');
    expect(expiryInWords(-0.5)).toBe('expired 0.5 days ago');
    expect(daysUntil(Date.UTC(2026, 0, 11, 12), Date.UTC(2026, 0, 1))).toBe(10.5);
    expect(daysUntil(Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 2))).toBe(-1);
  });
});
