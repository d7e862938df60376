// The certificates of a shared account as the gateway summarises them: subject, issuer and when each expires.
import { dateTimeFormat } from '@grafana/data';
import type { CertSummary } from '../../api/types';
import { daysUntil, expiryInWords } from '../../components/CheckResult/format';

/** "CN=x (issued by CN=y), expires in 30 days (2026-…)" */
export function certificateInWords(cert: CertSummary, nowMs = Date.now()): string {
  const issuer = cert.issuer === cert.subject ? 'self-signed' : `issued by ${cert.issuer}`;
  return `${cert.subject} (${issuer}), expires ${expiryInWords(daysUntil(Date.parse(cert.notAfter), nowMs))} (${dateTimeFormat(cert.notAfter)})`;
}

export function CertificateList({ certificates, label }: { certificates: readonly CertSummary[]; label: string }) {
  if (certificates.length === 0) return <>–</>;
  return (
    <ul aria-label={label} style={{ margin: 0, paddingLeft: 0, listStyle: 'none' }}>
      {certificates.map((cert, index) => (
        <li key={index}>{certificateInWords(cert)}</li>
      ))}
    </ul>
  );
}
