/**
 * Multipart bodies read with a bound on the number of parts as well as their size
 * (issue 17): Remix's memory handler caps each part's bytes but takes any number of
 * them, so one request could carry a hundred 5 MB files. The whole body is also capped
 * before it is read (http-limits.server.ts).
 */
import {
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
} from '@remix-run/node';
import { MULTIPART_MAX_FIELDS } from './http-limits.server';

/** More files (or fields) than the form has. */
export class TooManyPartsError extends Error {
  constructor(readonly maxFiles: number) {
    super(`more than ${maxFiles} file(s) or ${MULTIPART_MAX_FIELDS} fields`);
  }
}

export { MaxPartSizeExceededError };

/**
 * The same part limits on a form already read (by a parser bounded in bytes, such as
 * request-guards' readBoundedForm): at most `maxFiles` files and {@link MULTIPART_MAX_FIELDS}
 * other fields, else TooManyPartsError.
 */
export function assertPartCounts(form: FormData, maxFiles: number): void {
  let files = 0;
  let fields = 0;
  for (const [, value] of form.entries()) {
    if (typeof value === 'string') fields += 1;
    else files += 1;
  }
  if (files > maxFiles || fields > MULTIPART_MAX_FIELDS) throw new TooManyPartsError(maxFiles);
}

/**
 * Reads a multipart form into memory: each part at most `maxPartSize` bytes, at most
 * `maxFiles` file parts and {@link MULTIPART_MAX_FIELDS} other fields. Throws
 * MaxPartSizeExceededError or TooManyPartsError as soon as a part breaks a limit.
 */
export function parseBoundedMultipart(
  request: Request,
  { maxPartSize, maxFiles }: { maxPartSize: number; maxFiles: number },
): Promise<FormData> {
  const memory = unstable_createMemoryUploadHandler({ maxPartSize });
  let files = 0;
  let fields = 0;
  return unstable_parseMultipartFormData(request, (part) => {
    if (part.filename !== undefined) files += 1;
    else fields += 1;
    if (files > maxFiles || fields > MULTIPART_MAX_FIELDS) throw new TooManyPartsError(maxFiles);
    return memory(part);
  });
}
