/**
 * PDF signing (issue 20), what the rest of the app uses:
 *
 *   signForUnit(unitId, pdf, reason?)  => { signed, pdf, signer? | reason }
 *   verifyPdfSignature(pdf)            => { signed, valid, signer?, signedAt?, reason?, checks? }
 *   unitOfCertificate(fingerprint)     => the unit that installed that certificate, or null
 *
 * The signer behind signForUnit is a `DocumentSigner` (signer.server.ts); docs/signing.md
 * says how a remote signer plugs in.
 */
export { signForUnit, unitOfCertificate, type SignForUnitResult } from './unit-signing.server';
export { verifyPdfSignature, type PdfSignatureReport } from './verify.server';
export type { DocumentSigner, SignerDescription } from './signer.server';
