import type { LoaderFunctionArgs } from '@remix-run/node';
import { Types } from 'mongoose';
import { isObjectId } from '~/domain/ids';
import { notFound } from './responses.server';

type Params = LoaderFunctionArgs['params'];

/** The route param `name` as an ObjectId; a malformed id is a 404, like a missing record. */
export function requireId(params: Params, name = 'id'): Types.ObjectId {
  const value = params[name];
  if (!isObjectId(value)) throw notFound();
  return new Types.ObjectId(value);
}
