// Entry of the embedded server's worker thread. Plain JavaScript so that it loads
// without a TypeScript loader: it registers tsx for this thread (loader hooks are
// per thread, and a worker's `--import tsx` does not apply to its entry module on
// Node 20), then loads the TypeScript entry named by the parent.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
