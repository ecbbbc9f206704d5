/**
 * The local signer: a unit's PKCS#12 file (key + certificate chain) opened with its
 * passphrase. node-forge reads the file and builds the CMS; Node's X509Certificate gives
 * the names people read (forge mangles non-ASCII names, see `fixSignerIssuer`).
 */
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { signPdfWith, type DocumentSigner, type SignerDescription } from './signer.server';

export type P12Problem = 'badFile' | 'badPassphrase' | 'noKey' | 'expired' | 'notYetValid';

export class P12Error extends Error {
  constructor(readonly problem: P12Problem) {
    super(`PKCS#12: ${problem}`);
  }
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the certificate, colon-separated hex (as X509Certificate gives it). */
  fingerprint: string;
}

interface OpenedP12 {
  key: forge.pki.rsa.PrivateKey;
  certificate: forge.pki.Certificate;
  chain: forge.pki.Certificate[];
  info: CertificateInfo;
}

const certDer = (c: forge.pki.Certificate) =>
  Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(c)).getBytes(), 'binary');

/** One line per name, "CN=…, O=…", as Node prints it (UTF-8 decoded). */
const oneLine = (name: string) => name.split('\n').join(', ');

export function certificateInfo(der: Buffer): CertificateInfo {
  const x = new X509Certificate(der);
  return {
    subject: oneLine(x.subject),
    issuer: oneLine(x.issuer),
    serialNumber: x.serialNumber,
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    fingerprint: x.fingerprint256,
  };
}

/**
 * Opens a PKCS#12 file, or throws P12Error saying what is wrong: not a PKCS#12 file, a
 * wrong passphrase, no private key with its certificate, or a certificate not valid `at`.
 */
export function openP12(p12: Buffer, passphrase: string, at = new Date()): OpenedP12 {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(p12.toString('binary'));
  } catch {
    throw new P12Error('badFile');
  }
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
  } catch (error) {
    // forge says "MAC could not be verified. Invalid password?" or fails to decrypt the bags.
    const message = error instanceof Error ? error.message : '';
    throw new P12Error(/password|MAC|decrypt/i.test(message) ? 'badPassphrase' : 'badFile');
  }
  const keyBag =
    parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[
      forge.pki.oids.pkcs8ShroudedKeyBag
    ]?.[0] ?? parsed.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag]?.[0];
  // A wrong passphrase on an unprotected MAC decrypts to garbage: no usable key.
  const key = keyBag?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new P12Error(keyBag ? 'badPassphrase' : 'noKey');
  const chain = (parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])
    .map((b) => b.cert)
    .filter((c): c is forge.pki.Certificate => !!c);
  const certificate = chain.find((c) => {
    const pub = c.publicKey as forge.pki.rsa.PublicKey;
    return pub.n?.compareTo(key.n) === 0 && pub.e?.compareTo(key.e) === 0;
  });
  if (!certificate) throw new P12Error('noKey');
  const info = certificateInfo(certDer(certificate));
  if (info.notAfter < at) throw new P12Error('expired');
  if (info.notBefore > at) throw new P12Error('notYetValid');
  return { key, certificate, chain, info };
}

/**
 * forge writes the SignerInfo's issuer by re-encoding the parsed name, which encodes
 * UTF-8 names a second time ("Äáº£ng" for "Đảng"): verifiers then cannot find the signer's
 * certificate. The issuer is put back as the certificate holds it, byte for byte. The
 * signature covers the signed attributes only, so this changes nothing it signed.
 */
function fixSignerIssuer(contentInfo: forge.asn1.Asn1, certificate: forge.pki.Certificate) {
  const tbs = forge.pki.certificateToAsn1(certificate).value[0] as forge.asn1.Asn1;
  const fields = tbs.value as forge.asn1.Asn1[];
  // [0] version is optional; then serialNumber, signature algorithm, issuer.
  const issuer = fields[fields[0].tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 3 : 2];
  const signedData = (contentInfo.value[1] as forge.asn1.Asn1).value[0] as forge.asn1.Asn1;
  const signerInfos = (signedData.value as forge.asn1.Asn1[]).at(-1)!;
  for (const si of signerInfos.value as forge.asn1.Asn1[]) {
    const sid = (si.value as forge.asn1.Asn1[])[1];
    (sid.value as forge.asn1.Asn1[])[0] = issuer;
  }
}

export class P12Signer implements DocumentSigner {
  private readonly opened: OpenedP12;

  constructor(p12: Buffer, passphrase: string) {
    this.opened = openP12(p12, passphrase);
  }

  describe(): SignerDescription {
    return { kind: 'local-p12', subject: this.opened.info.subject };
  }

  get certificate(): CertificateInfo {
    return this.opened.info;
  }

  sign(pdf: Buffer, reason: string): Promise<Buffer> {
    const { key, certificate, chain, info } = this.opened;
    const name = /CN=([^,]+)/.exec(info.subject)?.[1] ?? info.subject;
    return signPdfWith(pdf, reason, name, async (content, signingTime) => {
      const p7 = forge.pkcs7.createSignedData();
      p7.content = forge.util.createBuffer(content.toString('binary'));
      for (const c of chain) p7.addCertificate(c);
      p7.addSigner({
        key,
        certificate,
        digestAlgorithm: forge.pki.oids.sha256,
        authenticatedAttributes: [
          { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
          // forge's typings want a string; it encodes a Date as UTCTime.
          { type: forge.pki.oids.signingTime, value: signingTime as unknown as string },
          { type: forge.pki.oids.messageDigest },
        ],
      });
      p7.sign({ detached: true });
      const asn1 = p7.toAsn1();
      fixSignerIssuer(asn1, certificate);
      return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
    });
  }
}
