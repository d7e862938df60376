// Shared account: a named credential set servers refer to (CA bundle, client certificate and key, username, password).
// Its secrets are write-only: the API takes them and shows only whether they are set and what the certificates are.
import { Type, type Static } from 'typebox';
import { Audit, Id, Name, OptionalText, PageQuery, Version } from './common.js';
import { DESCRIPTION_MAX_LENGTH } from '../domain/field-rules.js';

/** Every secret of an account, in the order the API lists them. */
export const SECRET_FIELDS = ['caBundle', 'clientCert', 'clientKey', 'username', 'password'] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

const PEM_MAX_LENGTH = 256 * 1024;

const Secret = (maxLength: number, description: string) =>
  Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength }), Type.Null()], {
    description: `${description}. Write-only: left out keeps the stored value, null clears it`,
  }));

export const SharedAccountInput = Type.Object(
  {
    name: Name,
    description: Type.Optional(OptionalText(DESCRIPTION_MAX_LENGTH)),
    caBundle: Secret(PEM_MAX_LENGTH, 'PEM certificates TLS checks trust besides the system roots'),
    clientCert: Secret(PEM_MAX_LENGTH, 'PEM client certificate (and its chain) for targets that ask for one; needs clientKey'),
    clientKey: Secret(64 * 1024, 'Unencrypted PEM private key of clientCert'),
    username: Secret(256, 'For checks that log in (reserved)'),
    password: Secret(1024, 'For checks that log in (reserved)'),
    version: Type.Optional(Version),
  },
  { additionalProperties: false },
);
export type SharedAccountInput = Static<typeof SharedAccountInput>;

export const CertSummary = Type.Object({
  subject: Type.String({ description: 'e.g. CN=Example Root CA, O=Example' }),
  issuer: Type.String(),
  notAfter: Type.String({ format: 'date-time' }),
});
export type CertSummary = Static<typeof CertSummary>;

export const Configured = Type.Object(
  Object.fromEntries(SECRET_FIELDS.map((field) => [field, Type.Boolean()])) as Record<SecretField, ReturnType<typeof Type.Boolean>>,
  { description: 'Which secrets are set (their values are never returned)' },
);
export type Configured = Static<typeof Configured>;

export const CertificateSummaries = Type.Object({
  caBundle: Type.Array(CertSummary),
  clientCert: Type.Union([CertSummary, Type.Null()]),
});
export type CertificateSummaries = Static<typeof CertificateSummaries>;

export const SharedAccount = Type.Object({
  id: Id,
  name: Name,
  description: OptionalText(DESCRIPTION_MAX_LENGTH),
  configured: Configured,
  certificates: CertificateSummaries,
  usedBy: Type.Array(Type.String(), { description: 'Names of the servers that use the account' }),
  ...Audit,
});
export type SharedAccount = Static<typeof SharedAccount>;

export const SharedAccountQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export type SharedAccountQuery = Static<typeof SharedAccountQuery>;
