/**
 * The one way a model is compiled: mongoose refuses to compile a name twice, and the dev
 * server's reloads and the test workers import the model modules again in one process, so an
 * already compiled model is reused.
 */
import mongoose, { type Model } from 'mongoose';

/**
 * Any schema, typed loosely on purpose: checking a concrete schema against mongoose's generic
 * Schema<T, …> makes the type checker run out of memory; callers name the fields type instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnySchema = mongoose.Schema<any, any, any, any, any, any, any, any>;

export function defineModel<T>(name: string, schema: AnySchema): Model<T> {
  return (mongoose.models[name] ?? mongoose.model(name, schema)) as Model<T>;
}
