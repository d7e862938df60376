// Checks the PEM of a shared account (CA bundle, client certificate and key) and summarizes its certificates. Never
// puts the PEM itself in a message.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { AccountMaterial } from '../probing/types.js';
import type { FieldProblem } from '../schemas/common.js';
import type { CertSummary } from '../schemas/shared-account.js';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificates of a PEM text, or the problem with them, phrased for `field`. */
function parseCertificates(pem: string, field: string): { certificates: X509Certificate[] } | { problem: FieldProblem } {
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) return { problem: { field, message: 'must hold one or more PEM certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)' } };
  const certificates: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      return { problem: { field, message: `certificate ${index + 1} of ${blocks.length} is not a valid X.509 certificate` } };
    }
  }
  return { certificates };
}

function parsePrivateKey(pem: string): KeyObject | null {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return null;
  }
}

/** Problems of the material as it would be stored (after an update's keep/clear/replace rules). */
export function materialProblems(material: AccountMaterial): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (material.caBundle !== null) {
    const parsed = parseCertificates(material.caBundle, 'caBundle');
    if ('problem' in parsed) problems.push(parsed.problem);
  }
  const { clientCert, clientKey } = material;
  if (clientCert !== null && clientKey === null) problems.push({ field: 'clientKey', message: 'is required with clientCert: set both or neither' });
  if (clientKey !== null && clientCert === null) problems.push({ field: 'clientCert', message: 'is required with clientKey: set both or neither' });
  let certificate: X509Certificate | undefined;
  if (clientCert !== null) {
    const parsed = parseCertificates(clientCert, 'clientCert');
    if ('problem' in parsed) problems.push(parsed.problem);
    else certificate = parsed.certificates[0];
  }
  if (clientKey !== null) {
    const key = parsePrivateKey(clientKey);
    if (key === null) problems.push({ field: 'clientKey', message: 'must be an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----, RSA or EC)' });
    else if (certificate && !certificate.checkPrivateKey(key)) problems.push({ field: 'clientKey', message: 'does not belong to clientCert (the key and the certificate\'s public key differ)' });
  }
  return problems;
}

/**
 * Node's "O=Example\nCN=example.com" (certificate order) as "CN=example.com, O=Example": most specific first, as RFC
 * 4514 writes names and as TLS results show them (probing/tls.ts).
 */
const distinguishedName = (text: string) => text.split('\n').filter(Boolean).reverse().join(', ');

function summary(certificate: X509Certificate): CertSummary {
  return {
    subject: distinguishedName(certificate.subject),
    issuer: distinguishedName(certificate.issuer),
    notAfter: new Date(certificate.validTo).toISOString(),
  };
}

/** What the API shows of valid material's certificates. */
export function certificateSummaries(material: AccountMaterial): { caBundle: CertSummary[]; clientCert: CertSummary | null } {
  const certificatesOf = (pem: string | null) => {
    if (pem === null) return [];
    const parsed = parseCertificates(pem, '');
    return 'certificates' in parsed ? parsed.certificates : [];
  };
  return {
    caBundle: certificatesOf(material.caBundle).map(summary),
    clientCert: certificatesOf(material.clientCert).map(summary)[0] ?? null,
  };
}
