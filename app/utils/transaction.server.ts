/**
 * One user action, one transaction (docs/decisions/018-transactions.md).
 *
 * `inTransaction(work)` runs `work` in a MongoDB transaction: every mongoose
 * operation inside it joins the transaction by itself (mongoose's
 * transactionAsyncLocalStorage, turned on in db/connect.server.ts); code that uses
 * the driver directly (`Model.collection.*`) passes `{ session: currentSession() }`.
 * Either everything `work` wrote is committed, or nothing is.
 *
 * Rules for `work`, because the driver runs it again after a transient error (a
 * write conflict with another transaction, a lost commit reply):
 * - read what it decides on inside it, never before (a retry must see the new state);
 * - return a result, and throw redirects or send anything to the outside only after
 *   `inTransaction` returns (a thrown Response would abort the transaction);
 * - never catch a database error and carry on: the server has already aborted the
 *   transaction, and the commit would fail;
 * - no operations in parallel inside one transaction (`Promise.all`): a transaction is
 *   one sequence of statements.
 * A nested call joins the transaction already running.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import mongoose, { type ClientSession } from 'mongoose';

type TransactionStore = AsyncLocalStorage<{ session?: ClientSession }>;

/** The session of the transaction this code runs in, if any. */
export function currentSession(): ClientSession | undefined {
  const als = (mongoose as unknown as { transactionAsyncLocalStorage?: TransactionStore })
    .transactionAsyncLocalStorage;
  return als?.getStore()?.session;
}

/** Runs `work` as one transaction and returns what it returned (see the rules above). */
export async function inTransaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
  const running = currentSession();
  if (running) return work(running);
  return (await mongoose.connection.transaction(work)) as T;
}
