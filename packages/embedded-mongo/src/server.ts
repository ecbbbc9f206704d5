import net from 'node:net';
import type { ScramUsers } from './auth/scram.ts';
import type { CommandExecutor, WireStats } from './contract.ts';
import { WireConnection } from './wire/connection.ts';
import { debugLog } from './wire/log.ts';

export interface WireServerOptions {
  host: string;
  /** 0 picks any free port. */
  port: number;
  executor: CommandExecutor;
  /** Told the number of open connections whenever it changes. */
  onConnectionCount?: (n: number) => void;
  /** When given, clients must authenticate as one of these users (SCRAM-SHA-256). */
  users?: ScramUsers;
  /** Connections beyond this many are closed as soon as they are accepted (default {@link WIRE_LIMITS}). */
  maxConnections?: number;
  /** A connection that sends nothing for this long is closed; 0 never (default {@link WIRE_LIMITS}). */
  idleTimeoutMs?: number;
}

/**
 * Limits of the database's TCP port, as mongod has them (`net.maxIncomingConnections`,
 * and its 10-minute cursor timeout): without them ~20,000 idle sockets opened by any
 * local process locked every new client out. The app's driver pool holds at most ~100
 * connections and drops its own idle ones sooner (db/connect.server.ts), so neither
 * limit is reached in normal use. An idle connection holds no live transaction (the
 * engine aborts those after 60 s) and its cursors would have timed out in mongod too;
 * one waiting on a long command is not idle (the timer runs only between commands).
 */
export const WIRE_LIMITS = {
  maxConnections: 500,
  idleTimeoutMs: 10 * 60 * 1000,
} as const;

/**
 * The TCP side of the embedded server: accepts connections and hands each
 * to a WireConnection. Owns the executor from here on and closes it last.
 */
export class WireServer {
  private readonly sockets = new Set<net.Socket>();
  private nextConnectionId = 1;
  private requestId = 0;
  private closing: Promise<void> | undefined;
  /** Traffic of connections already closed; open ones are read from their sockets. */
  private closedBytesIn = 0;
  private closedBytesOut = 0;
  private replies = 0;

  private constructor(
    private readonly server: net.Server,
    private readonly executor: CommandExecutor,
    private readonly onConnectionCount: ((n: number) => void) | undefined,
    private readonly maxConnections: number,
    private readonly idleTimeoutMs: number,
    private readonly users?: ScramUsers,
  ) {}

  static listen(options: WireServerOptions): Promise<WireServer> {
    const server = net.createServer();
    const wire = new WireServer(
      server,
      options.executor,
      options.onConnectionCount,
      options.maxConnections ?? WIRE_LIMITS.maxConnections,
      options.idleTimeoutMs ?? WIRE_LIMITS.idleTimeoutMs,
      options.users,
    );
    server.on('connection', (socket) => wire.accept(socket));
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      server.once('error', fail);
      server.listen({ host: options.host, port: options.port }, () => {
        server.off('error', fail);
        // After startup, a server error (e.g. EMFILE on accept) must not crash the process.
        server.on('error', (error) => debugLog(`server error: ${error.message}`));
        const host = options.host.includes(':') ? `[${options.host}]` : options.host;
        options.executor.listening?.(`${host}:${wire.port}`);
        options.executor.wireStats?.(() => wire.stats());
        resolve(wire);
      });
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  stats(): WireStats {
    let bytesIn = this.closedBytesIn;
    let bytesOut = this.closedBytesOut;
    for (const s of this.sockets) {
      bytesIn += s.bytesRead;
      bytesOut += s.bytesWritten;
    }
    return {
      connections: {
        current: this.sockets.size,
        available: Math.max(0, this.maxConnections - this.sockets.size),
        totalCreated: this.nextConnectionId - 1,
      },
      network: { bytesIn, bytesOut, numRequests: this.replies },
    };
  }

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    // Over the cap: closed at once, as mongod does, so the connections already open keep working.
    if (this.sockets.size >= this.maxConnections) {
      debugLog(`refusing a connection: ${this.sockets.size} open, the limit is ${this.maxConnections}`);
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.onConnectionCount?.(this.sockets.size);
    socket.on('close', () => {
      this.closedBytesIn += socket.bytesRead;
      this.closedBytesOut += socket.bytesWritten;
      this.sockets.delete(socket);
      this.onConnectionCount?.(this.sockets.size);
    });
    new WireConnection({
      socket,
      connectionId: this.nextConnectionId++,
      executor: this.executor,
      nextRequestId: () => {
        this.replies++;
        return (this.requestId = (this.requestId + 1) | 0);
      },
      users: this.users,
      idleTimeoutMs: this.idleTimeoutMs,
    });
  }

  /** Drops every client, stops listening, then closes the executor. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Waiting for each socket's 'close' lets the executor release their
      // cursors (connectionClosed) before it is itself closed.
      const closed = [...this.sockets].map(
        (socket) =>
          new Promise((resolve) => {
            socket.once('close', resolve);
            socket.destroy();
          }),
      );
      await Promise.all([...closed, new Promise<void>((resolve) => this.server.close(() => resolve()))]);
      await this.executor.close();
    })();
    return this.closing;
  }
}
