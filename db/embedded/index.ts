import type { CommandExecutor } from './contract.ts';
import { WireServer } from './server.ts';

export type { CommandExecutor, CommandContext } from './contract.ts';

export interface EmbeddedServer {
  uri: string;
  port: number;
  host: string;
  /** Open client connections (for /healthz and tests). */
  connectionCount(): number;
  close(): Promise<void>;
}

export interface EmbeddedServerOptions {
  /** Defaults to 127.0.0.1: the embedded server has no authentication, so it never listens publicly by default. */
  host?: string;
  /** 0 (the default) picks any free port. */
  port?: number;
  /** Where the engine persists; omit for an in-memory database. */
  dataDir?: string;
  /** Serve this executor instead of a new engine (tests); it is closed with the server. */
  executor?: CommandExecutor;
}

/** Starts a MongoDB-wire-compatible server in this process. */
export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const host = options.host ?? '127.0.0.1';
  // Imported lazily so the wire server (and its tests) load without the engine.
  const executor =
    options.executor ??
    (await (await import('./engine/index.ts')).createEngine({ dataDir: options.dataDir }));
  let wire: WireServer;
  try {
    wire = await WireServer.listen({ host, port: options.port ?? 0, executor });
  } catch (error) {
    await executor.close().catch(() => undefined);
    throw error;
  }
  const port = wire.port;
  const uriHost = host.includes(':') ? `[${host}]` : host;
  return {
    uri: `mongodb://${uriHost}:${port}/`,
    port,
    host,
    connectionCount: () => wire.connectionCount,
    close: () => wire.close(),
  };
}
