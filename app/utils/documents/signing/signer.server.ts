/**
 * The one seam between official documents and whoever holds the signing key (issue 20).
 * Today: a unit's PKCS#12 file on this server (p12-signer.server.ts). Tomorrow, without
 * touching the callers: a government remote-signing service or a USB token behind a local
 * agent (docs/signing.md). A signer takes a finished PDF and gives it back signed.
 */
import { SignPdf } from '@signpdf/signpdf';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { PDFObject, Signer, SUBFILTER_ADOBE_PKCS7_DETACHED } from '@signpdf/utils';

export interface SignerDescription {
  /** 'local-p12' here; a remote signer names itself ('remote-<service>', 'token-agent'). */
  kind: string;
  /** The signing certificate's subject, as shown to people ("CN=…, O=…"). */
  subject: string;
}

export interface DocumentSigner {
  /** The PDF with one more signature; `reason` is written in the signature ("/Reason"). */
  sign(pdf: Buffer, reason: string): Promise<Buffer>;
  describe(): SignerDescription;
}

/**
 * What any signer must produce: a detached CMS SignedData (DER) over `content`, the PDF's
 * bytes outside the signature hole. A remote service that signs a hash gets
 * `sha256(content)` and returns the same structure.
 */
export type CmsSign = (content: Buffer, signingTime: Date) => Promise<Buffer>;

/** Room kept in the file for the CMS: a certificate chain of 3–4 RSA-4096 certificates fits. */
const SIGNATURE_BYTES = 16_384;

class CmsAdapter extends Signer {
  constructor(private readonly cms: CmsSign) {
    super();
  }
  async sign(pdfBuffer: Buffer, signingTime?: Date): Promise<Buffer> {
    return this.cms(pdfBuffer, signingTime ?? new Date());
  }
}

/**
 * The placeholder helper encodes a non-ASCII text string as UTF-16 ("þÿ" + code units as
 * characters) and then writes those characters as UTF-8, so "Ký" reaches the file as mojibake.
 * Here the same literal is written as the bytes it stands for; it is never longer than the
 * mojibake, and the difference is filled with spaces (allowed between a dictionary's tokens),
 * so every offset in the cross-reference table stays right.
 */
function rewriteTextString(pdf: Buffer, from: number, text: string): Buffer {
  // A String object, as the helper passes it: PDFObject writes those as text strings.
  const literal = PDFObject.convert(new String(text)) as string;
  const wrong = Buffer.from(literal, 'utf8');
  const right = Buffer.from(literal, 'latin1');
  if (wrong.equals(right)) return pdf;
  const at = pdf.indexOf(wrong, from);
  if (at < 0) return pdf;
  const out = Buffer.from(pdf);
  right.copy(out, at);
  out.fill(0x20, at + right.length, at + wrong.length);
  return out;
}

/**
 * Adds a signature to a finished PDF as an incremental update (the original bytes stay as
 * they were, so anything hashed before, such as the issue record's content hash, still
 * describes the unsigned revision) and fills it with `cms`.
 * pdfkit writes a classic cross-reference table, which the plain placeholder helper reads;
 * no change to renderDocument is needed.
 */
export async function signPdfWith(
  pdf: Buffer,
  reason: string,
  signerName: string,
  cms: CmsSign,
): Promise<Buffer> {
  let withPlaceholder = plainAddPlaceholder({
    pdfBuffer: pdf,
    reason,
    contactInfo: '',
    name: signerName,
    location: '',
    signatureLength: SIGNATURE_BYTES,
    subFilter: SUBFILTER_ADOBE_PKCS7_DETACHED,
  });
  for (const text of [reason, signerName])
    withPlaceholder = rewriteTextString(withPlaceholder, pdf.length, text);
  return new SignPdf().sign(withPlaceholder, new CmsAdapter(cms));
}
