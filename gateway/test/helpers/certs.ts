// Certificates for TLS tests, made with the openssl CLI in a temp dir once per test process: a CA and its leaves
// (valid, expired, not yet valid, wrong name, under a short-lived intermediate), a self-signed leaf, client certificates.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its private key, PEM, with the validity openssl was asked for (epoch ms, whole seconds). */
export interface TestCertificate {
  cert: string;
  key: string;
  notBefore: number;
  notAfter: number;
}

export interface TestCertificates {
  /** Signs the server certificates below (except selfSigned and chainLeaf); give it as the account's caBundle. */
  ca: TestCertificate;
  /** CN=localhost, O=probekit tests; SANs localhost, 127.0.0.1, ::1; valid for a year. */
  leaf: TestCertificate;
  /** The leaf's names, valid from 400 to 30 days ago. */
  expired: TestCertificate;
  /** The leaf's names, valid from 30 days on. */
  notYetValid: TestCertificate;
  /** Valid, for wrong.example only. */
  wrongName: TestCertificate;
  /** The leaf's names, issued by itself. */
  selfSigned: TestCertificate;
  /** A CA under `ca` that expires in 10 days, before the leaf it signs. */
  intermediate: TestCertificate;
  /** The leaf's names, issued by `intermediate`, valid for a year; `cert` holds the leaf then the intermediate. */
  chainLeaf: TestCertificate;
  /** The leaf's names, valid, issued by an intermediate under `ca` that expired 30 days ago; `cert` holds both. */
  expiredChainLeaf: TestCertificate;
  /** Signs client certificates; a server requiring client certificates trusts only it. */
  clientCa: TestCertificate;
  /** CN=probekit client, issued by clientCa. */
  client: TestCertificate;
  /** A client certificate from `ca`, which such a server does not trust. */
  strangerClient: TestCertificate;
}

const DAY_MS = 86_400_000;

const CONFIG = `
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $ENV::PROBEKIT_CA_DATABASE
serial = $ENV::PROBEKIT_CA_DATABASE.serial
new_certs_dir = $ENV::PROBEKIT_CA_ISSUED
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none
email_in_dn = no
[ any_name ]
organizationName = optional
commonName = supplied
[ req ]
distinguished_name = req_name
[ req_name ]
[ ca_cert ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[ server_wrong_name ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
`;

let made: Promise<TestCertificates> | undefined;

/** The test certificates, made on first use in this process (about a tenth of a second) and shared afterwards. */
export function testCertificates(): Promise<TestCertificates> {
  made ??= makeCertificates();
  return made;
}

async function makeCertificates(): Promise<TestCertificates> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'probekit-certs-'));
  try {
    const config = path.join(dir, 'openssl.cnf');
    await fs.writeFile(config, CONFIG);
    await fs.mkdir(path.join(dir, 'issued'));
    const maker = new CertificateMaker(dir, config);
    const now = Date.now();

    const [caKey, serverKey, intermediateKey, clientCaKey, clientKey] = await Promise.all([
      maker.key('ca'), maker.key('server'), maker.key('intermediate'), maker.key('client-ca'), maker.key('client'),
    ]);
    const validForAYear = { from: now - DAY_MS, to: now + 365 * DAY_MS };
    const [ca, clientCa] = await Promise.all([
      maker.issue('ca', '/CN=probekit test CA', caKey, 'ca_cert', { from: now - DAY_MS, to: now + 3650 * DAY_MS }, null),
      maker.issue('client-ca', '/CN=probekit client CA', clientCaKey, 'ca_cert', { from: now - DAY_MS, to: now + 3650 * DAY_MS }, null),
    ]);
    const leafSubject = '/O=probekit tests/CN=localhost';
    const [leaf, expired, notYetValid, wrongName, selfSigned, intermediate, expiredIntermediate, client, strangerClient] = await Promise.all([
      maker.issue('leaf', leafSubject, serverKey, 'server', validForAYear, ca),
      maker.issue('expired', leafSubject, serverKey, 'server', { from: now - 400 * DAY_MS, to: now - 30 * DAY_MS }, ca),
      maker.issue('not-yet-valid', leafSubject, serverKey, 'server', { from: now + 30 * DAY_MS, to: now + 400 * DAY_MS }, ca),
      maker.issue('wrong-name', '/O=probekit tests/CN=wrong.example', serverKey, 'server_wrong_name', validForAYear, ca),
      maker.issue('self-signed', leafSubject, serverKey, 'server', validForAYear, null),
      maker.issue('intermediate', '/CN=probekit test intermediate', intermediateKey, 'ca_cert', { from: now - DAY_MS, to: now + 10 * DAY_MS }, ca),
      maker.issue('expired-intermediate', '/CN=probekit expired intermediate', intermediateKey, 'ca_cert', { from: now - 400 * DAY_MS, to: now - 30 * DAY_MS }, ca),
      maker.issue('client', '/CN=probekit client', clientKey, 'client', validForAYear, clientCa),
      maker.issue('stranger-client', '/CN=probekit stranger', clientKey, 'client', validForAYear, ca),
    ]);
    const [chainLeaf, expiredChainLeaf] = await Promise.all([
      maker.issue('chain-leaf', leafSubject, serverKey, 'server', validForAYear, intermediate),
      maker.issue('expired-chain-leaf', leafSubject, serverKey, 'server', validForAYear, expiredIntermediate),
    ]);
    return {
      ca: plain(ca), leaf: plain(leaf), expired: plain(expired), notYetValid: plain(notYetValid),
      wrongName: plain(wrongName), selfSigned: plain(selfSigned), intermediate: plain(intermediate),
      chainLeaf: { ...plain(chainLeaf), cert: chainLeaf.cert + intermediate.cert },
      expiredChainLeaf: { ...plain(expiredChainLeaf), cert: expiredChainLeaf.cert + expiredIntermediate.cert },
      clientCa: plain(clientCa), client: plain(client), strangerClient: plain(strangerClient),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** An issued certificate with the files it was made from, to sign others with. */
type Issued = TestCertificate & { files: { cert: string; key: string } };

/** Without its files, which are deleted once all are made. */
function plain({ cert, key, notBefore, notAfter }: Issued): TestCertificate {
  return { cert, key, notBefore, notAfter };
}

interface Validity {
  from: number;
  to: number;
}

class CertificateMaker {
  constructor(
    private readonly dir: string,
    private readonly config: string,
  ) {}

  /** A P-256 key (fast to make, and what most services use today); returns its file. */
  async key(name: string): Promise<string> {
    const file = path.join(this.dir, `${name}.key`);
    await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
    return file;
  }

  /**
   * A certificate for `subject` with `keyFile`, with the extensions section `extensions`, valid as `validity` says
   * (`openssl ca` is the one command of OpenSSL 3.0 that sets both dates), signed by `issuer` or by itself when null.
   */
  async issue(
    name: string,
    subject: string,
    keyFile: string,
    extensions: string,
    validity: Validity,
    issuer: Issued | null,
  ): Promise<Issued> {
    const csr = path.join(this.dir, `${name}.csr`);
    const certFile = path.join(this.dir, `${name}.pem`);
    const database = path.join(this.dir, `${name}.index`);
    await fs.writeFile(database, '');
    const env = { ...process.env, PROBEKIT_CA_DATABASE: database, PROBEKIT_CA_ISSUED: path.join(this.dir, 'issued') };
    await run('openssl', ['req', '-new', '-config', this.config, '-key', keyFile, '-subj', subject, '-out', csr], { env });
    const signer = issuer === null ? ['-selfsign', '-keyfile', keyFile] : ['-cert', issuer.files.cert, '-keyfile', issuer.files.key];
    await run('openssl', [
      'ca', '-batch', '-notext', '-rand_serial', '-config', this.config, '-extensions', extensions,
      '-startdate', asn1Time(validity.from), '-enddate', asn1Time(validity.to),
      ...signer, '-in', csr, '-out', certFile,
    ], { env });
    const [cert, key] = await Promise.all([fs.readFile(certFile, 'utf8'), fs.readFile(keyFile, 'utf8')]);
    return {
      cert,
      key,
      notBefore: wholeSeconds(validity.from),
      notAfter: wholeSeconds(validity.to),
      files: { cert: certFile, key: keyFile },
    };
  }
}

/** GeneralizedTime, as `openssl ca -startdate` takes it: YYYYMMDDHHMMSSZ. */
function asn1Time(epochMs: number): string {
  return new Date(wholeSeconds(epochMs)).toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function wholeSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000) * 1000;
}
