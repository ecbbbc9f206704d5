/**
 * The worker thread's side: runs the wire server and the engine exactly as
 * in-process mode does (`startInProcess`), and answers the parent's messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startInProcess } from '../index.ts';
import { type FromWorker, type ToWorker, type WorkerStartData, serializeError } from './protocol.ts';

const data = workerData as WorkerStartData;
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const counters = new Int32Array(data.counters);

try {
  const server = await startInProcess({
    host: data.host,
    port: data.port,
    dataDir: data.dataDir,
    users: data.users,
    maxConnections: data.maxConnections,
    idleTimeoutMs: data.idleTimeoutMs,
    onConnectionCount: (n) => Atomics.store(counters, 0, n),
  });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      server.close().then(
        () => {
          post({ type: 'closed' });
          port.close();
        },
        (error: unknown) => {
          // Rethrown so that the parent sees the worker fail instead of a clean close.
          throw error;
        },
      );
    } else if (m.type === 'crash') {
      setImmediate(() => {
        throw new Error('crash requested by a test');
      });
    } else if (m.type === 'memory') {
      globalThis.gc?.();
      const { heapUsed, heapTotal } = process.memoryUsage();
      post({ type: 'memory', id: m.id, memory: { heapUsed, heapTotal } });
    }
  });
  post({ type: 'ready', port: server.port });
} catch (error) {
  post({ type: 'startFailed', error: serializeError(error) });
  port.close();
}
