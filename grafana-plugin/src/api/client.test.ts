import { describe, expect, test } from 'vitest';
import { toQueryString } from './client';

describe('toQueryString', () => {
  test('encodes set values in order and leaves out empty ones', () => {
    expect(toQueryString({ q: 'erp prod', role: undefined, site: '', limit: 1000, enabled: false, gateway: null })).toBe('?q=erp%20prod&limit=1000&enabled=false');
  });

  test('is empty without parameters', () => {
    expect(toQueryString()).toBe('');
    expect(toQueryString({ q: undefined })).toBe('');
  });
});
