import { describe, expect, test } from 'vitest';
import type { SharedAccount } from '../../api/types';
import { toAccountFormValues, toSharedAccountInput } from './accountForm';

const stored: SharedAccount = {
  id: 3,
  name: 'sap-tls',
  description: 'CA of the SAP landscape',
  configured: { caBundle: true, clientCert: true, clientKey: true, username: false, password: false },
  certificates: { caBundle: [{ subject: 'CN=SAP CA', issuer: 'CN=SAP CA', notAfter: '2030-01-01T00:00:00.000Z' }], clientCert: null },
  usedBy: ['erp-prod'],
  version: 4,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'alice',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'alice',
};

describe('shared account form', () => {
  test('a new account sends the secrets typed, nothing for the empty ones', () => {
    const values = { ...toAccountFormValues(null), name: ' vault ', caBundle: '-----BEGIN CERTIFICATE-----\n…', password: ' s3cret ' };
    expect(toSharedAccountInput(values, null)).toEqual({ name: 'vault', description: null, caBundle: '-----BEGIN CERTIFICATE-----\n…', password: ' s3cret ' });
  });

  test('editing: configured secrets are kept (left out), reset ones cleared (null), retyped ones replaced', () => {
    const values = toAccountFormValues(stored);
    expect(values).toMatchObject({ name: 'sap-tls', caBundle: '', configured: stored.configured });
    expect(toSharedAccountInput(values, stored)).toEqual({ name: 'sap-tls', description: 'CA of the SAP landscape', version: 4 });
    const reset = { ...values, configured: { ...values.configured, clientCert: false, clientKey: false, caBundle: false }, caBundle: 'NEW PEM' };
    expect(toSharedAccountInput(reset, stored)).toEqual({
      name: 'sap-tls',
      description: 'CA of the SAP landscape',
      caBundle: 'NEW PEM',
      clientCert: null,
      clientKey: null,
      version: 4,
    });
  });

  test('a secret never set and left empty is not sent, not even as null', () => {
    expect(toSharedAccountInput(toAccountFormValues(stored), stored)).not.toHaveProperty('username');
  });
});
