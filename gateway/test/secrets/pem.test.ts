// PEM checks of shared-account material: each problem names the field, none repeats the PEM; summaries of certificates.
import { beforeAll, describe, expect, it } from 'vitest';
import { NO_MATERIAL } from '../../src/secrets/account-material.js';
import { certificateSummaries, materialProblems } from '../../src/secrets/pem.js';
import { testCertificates, type TestCertificates } from '../helpers/certs.js';

let certs: TestCertificates;
beforeAll(async () => { certs = await testCertificates(); }, 60_000);

const fieldsOf = (material: Partial<typeof NO_MATERIAL>) => materialProblems({ ...NO_MATERIAL, ...material }).map((p) => p.field);

describe('materialProblems', () => {
  it('accepts nothing at all, a CA bundle of several certificates, and a client certificate with its own key', () => {
    expect(fieldsOf({})).toEqual([]);
    expect(fieldsOf({ caBundle: `# our CAs\n${certs.ca.cert}\n${certs.clientCa.cert}` })).toEqual([]);
    expect(fieldsOf({ clientCert: certs.client.cert, clientKey: certs.client.key })).toEqual([]);
    expect(fieldsOf({ clientCert: certs.chainLeaf.cert, clientKey: certs.chainLeaf.key })).toEqual([]);
  });

  it('names the field: no certificate, a broken one, a key that is not one, a pair that does not belong together, one of a pair', () => {
    expect(fieldsOf({ caBundle: 'hello' })).toEqual(['caBundle']);
    const broken = certs.ca.cert.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!');
    const problems = materialProblems({ ...NO_MATERIAL, caBundle: `${certs.ca.cert}${broken}` });
    expect(problems).toEqual([{ field: 'caBundle', message: 'certificate 2 of 2 is not a valid X.509 certificate' }]);
    expect(fieldsOf({ clientCert: certs.client.cert, clientKey: 'not a key' })).toEqual(['clientKey']);
    expect(materialProblems({ ...NO_MATERIAL, clientCert: certs.client.cert, clientKey: certs.ca.key })[0]).toEqual({
      field: 'clientKey', message: 'does not belong to clientCert (the key and the certificate\'s public key differ)',
    });
    expect(fieldsOf({ clientCert: certs.client.cert })).toEqual(['clientKey']);
    expect(fieldsOf({ clientKey: certs.client.key })).toEqual(['clientCert']);
    expect(fieldsOf({ clientCert: certs.client.key, clientKey: certs.client.key })).toEqual(['clientCert']);
    for (const problem of materialProblems({ ...NO_MATERIAL, caBundle: broken, clientCert: certs.client.cert, clientKey: certs.ca.key })) {
      expect(problem.message).not.toContain('BEGIN');
    }
  });
});

describe('certificateSummaries', () => {
  it('gives subject, issuer and notAfter of each CA and of the client certificate (the leaf of a chain)', () => {
    const summaries = certificateSummaries({ ...NO_MATERIAL, caBundle: certs.ca.cert + certs.clientCa.cert, clientCert: certs.chainLeaf.cert, clientKey: certs.chainLeaf.key });
    expect(summaries.caBundle).toEqual([
      { subject: 'CN=probekit test CA', issuer: 'CN=probekit test CA', notAfter: new Date(certs.ca.notAfter).toISOString() },
      { subject: 'CN=probekit client CA', issuer: 'CN=probekit client CA', notAfter: new Date(certs.clientCa.notAfter).toISOString() },
    ]);
    expect(summaries.clientCert).toEqual({ subject: 'CN=localhost, O=probekit tests', issuer: 'CN=probekit test intermediate', notAfter: new Date(certs.chainLeaf.notAfter).toISOString() });
    expect(certificateSummaries(NO_MATERIAL)).toEqual({ caBundle: [], clientCert: null });
  });
});
