/**
 * The thrown responses the ErrorBoundary shows. Loaders and actions `throw notFound()`
 * or `invariantResponse(member, 'Not found', { status: 404 })`; the status and the
 * plain-text body are the contract the tests check.
 */
export { invariantResponse } from '@epic-web/invariant';

export const badRequest = (message = 'Bad request', headers?: HeadersInit) =>
  new Response(message, { status: 400, headers });

export const forbidden = () => new Response('Forbidden', { status: 403 });

export const notFound = () => new Response('Not found', { status: 404 });

export const conflict = (message: string) => new Response(message, { status: 409 });

/** A form posted an `intent` this action does not handle. */
export const unknownIntent = () => new Response('Unknown intent', { status: 400 });
