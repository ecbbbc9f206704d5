/**
 * Checks the signatures in a PDF from its bytes alone (for /verify and the tests).
 *
 * Checked, for the last signature in the file:
 * - the ByteRange starts at 0, leaves exactly the /Contents hole and ends at the end of the
 *   file (nothing was appended after signing: `coversWholeFile`);
 * - the digest of those bytes equals the CMS messageDigest attribute;
 * - the signed attributes verify against the signer certificate's public key;
 * - the certificate was valid at the signing time the signature states;
 * - the chain: each certificate in the CMS is issued (name and signature) by the next, up to
 *   a self-signed root (`chain.complete`).
 * Not checked: whether that root is trusted (there is no trust store here; a certificate
 * installed in the app can be recognised by `signer.fingerprint`), revocation (no CRL or
 * OCSP is reachable), and timestamps from a TSA (none are added).
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { certificateInfo } from './p12-signer.server';

export interface PdfSignatureReport {
  signed: boolean;
  /** True when every check above passed. */
  valid: boolean;
  signer?: { subject: string; issuer: string; fingerprint: string; notBefore: Date; notAfter: Date };
  signedAt?: Date;
  reason?: string;
  checks?: {
    digestMatches: boolean;
    signatureVerifies: boolean;
    coversWholeFile: boolean;
    certificateValidAtSigning: boolean;
    chainComplete: boolean;
  };
  /** Why the signature could not be read at all. */
  problem?: 'unreadable' | 'unsupportedAlgorithm' | 'signerNotFound';
}

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';

type Node = forge.asn1.Asn1;
const kids = (n: Node) => n.value as Node[];
const bytes = (n: Node) => Buffer.from(n.value as string, 'binary');
const der = (n: Node) => Buffer.from(forge.asn1.toDer(n).getBytes(), 'binary');
const oid = (n: Node) => forge.asn1.derToOid(n.value as string);

/** A PDF string as written: literal "(…)" (with escapes) or hex "<FEFF…>" (UTF-16BE). */
function pdfString(raw: string): string {
  if (raw.startsWith('<')) {
    const b = Buffer.from(raw.slice(1, -1).replace(/\s/g, ''), 'hex');
    if (b[0] === 0xfe && b[1] === 0xff) return b.subarray(2).swap16().toString('utf16le');
    return b.toString('latin1');
  }
  const s = raw
    .slice(1, -1)
    .replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, e: string) =>
      /[0-7]/.test(e[0])
        ? String.fromCharCode(parseInt(e, 8))
        : ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' }[e] ?? e),
    );
  const b = Buffer.from(s, 'latin1');
  return b[0] === 0xfe && b[1] === 0xff ? b.subarray(2).swap16().toString('utf16le') : s;
}

/** The /Reason of the signature dictionary holding the ByteRange at `at`. */
function reasonNear(pdf: Buffer, at: number): string | undefined {
  const start = pdf.lastIndexOf(' obj', at);
  const end = pdf.indexOf('endobj', at);
  if (start < 0 || end < 0) return undefined;
  const dict = pdf.subarray(start, end).toString('latin1');
  const m = /\/Reason\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)/.exec(dict);
  return m ? pdfString(m[1]) : undefined;
}

/** A certificate's issuer Name as DER, as the certificate holds it. */
function issuerDer(cert: X509Certificate): Buffer {
  const tbs = kids(forge.asn1.fromDer(Buffer.from(cert.raw).toString('binary')))[0];
  const fields = kids(tbs);
  // [0] version is optional; then serialNumber, signature algorithm, issuer.
  return der(fields[fields[0].tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 3 : 2]);
}

/** The chain from the signer up through the certificates in the CMS; complete at a self-signed root. */
function chainComplete(signer: X509Certificate, pool: X509Certificate[]): boolean {
  let current = signer;
  for (let depth = 0; depth < 10; depth++) {
    if (current.checkIssued(current) && current.verify(current.publicKey)) return true;
    const parent = pool.find((c) => c !== current && current.checkIssued(c) && current.verify(c.publicKey));
    if (!parent) return false;
    current = parent;
  }
  return false;
}

export function verifyPdfSignature(pdf: Buffer): PdfSignatureReport {
  const text = pdf.toString('latin1');
  const ranges = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const last = ranges.at(-1);
  if (!last) return { signed: false, valid: false };
  const [a, b, c, d] = last.slice(1, 5).map(Number);
  const unreadable: PdfSignatureReport = { signed: true, valid: false, problem: 'unreadable' };
  if (a + b >= c || c + d > pdf.length || pdf[a + b] !== 0x3c || pdf[c - 1] !== 0x3e) return unreadable;
  const reason = reasonNear(pdf, last.index);
  let signedData: Node;
  try {
    const hex = pdf.subarray(a + b + 1, c - 1).toString('latin1');
    // The hole is padded with zeros after the DER; forge reads one value and ignores the rest.
    const contentInfo = forge.asn1.fromDer(Buffer.from(hex, 'hex').toString('binary'), {
      strict: false,
      parseAllBytes: false,
    } as unknown as boolean); // forge takes these options; its typings know only `strict`
    signedData = kids(kids(contentInfo)[1])[0];
  } catch {
    return { ...unreadable, reason };
  }
  try {
    const parts = kids(signedData);
    const certNode = parts.find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
    const certs = certNode ? kids(certNode).map((n) => new X509Certificate(der(n))) : [];
    const signerInfo = kids(parts.at(-1)!)[0];
    const si = kids(signerInfo);
    const [sidIssuer, sidSerial] = kids(si[1]);
    const serial = bytes(sidSerial).toString('hex').replace(/^0+/, '').toUpperCase();
    const hash = HASHES[oid(kids(si[2])[0])];
    if (!hash) return { signed: true, valid: false, reason, problem: 'unsupportedAlgorithm' };
    const attrsNode = si.find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
    const signature = si.find(
      (n) => n.tagClass === forge.asn1.Class.UNIVERSAL && n.type === forge.asn1.Type.OCTETSTRING,
    );
    if (!attrsNode || !signature) return { ...unreadable, reason };
    const attrs = new Map(kids(attrsNode).map((attr) => [oid(kids(attr)[0]), kids(kids(attr)[1])[0]]));
    const content = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
    const messageDigest = attrs.get(OID_MESSAGE_DIGEST);
    const digestMatches =
      !!messageDigest && createHash(hash).update(content).digest().equals(bytes(messageDigest));
    const time = attrs.get(OID_SIGNING_TIME);
    const signedAt = time
      ? time.type === forge.asn1.Type.UTCTIME
        ? forge.asn1.utcTimeToDate(time.value as string)
        : forge.asn1.generalizedTimeToDate(time.value as string)
      : undefined;
    // Issuer and serial, as RFC 5652 identifies the signer (a serial alone repeats across CAs).
    const signerCert = certs.find(
      (x) =>
        x.serialNumber.replace(/^0+/, '').toUpperCase() === serial && issuerDer(x).equals(der(sidIssuer)),
    );
    if (!signerCert) return { signed: true, valid: false, reason, signedAt, problem: 'signerNotFound' };
    // The signature is over the DER of the attributes as a SET (RFC 5652 §5.4), not as [0].
    const signedBytes = der(attrsNode);
    signedBytes[0] = 0x31;
    const signatureVerifies = verify(hash, signedBytes, signerCert.publicKey, bytes(signature));
    const info = certificateInfo(Buffer.from(signerCert.raw));
    const when = signedAt ?? new Date();
    const checks = {
      digestMatches,
      signatureVerifies,
      coversWholeFile: a === 0 && c + d === pdf.length,
      certificateValidAtSigning: info.notBefore <= when && when <= info.notAfter,
      chainComplete: chainComplete(signerCert, certs),
    };
    return {
      signed: true,
      valid: Object.values(checks).every(Boolean),
      signer: {
        subject: info.subject,
        issuer: info.issuer,
        fingerprint: info.fingerprint,
        notBefore: info.notBefore,
        notAfter: info.notAfter,
      },
      signedAt,
      reason,
      checks,
    };
  } catch {
    return { ...unreadable, reason };
  }
}
