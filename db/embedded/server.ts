import net from 'node:net';
import type { ScramUsers } from './auth/scram.ts';
import type { CommandExecutor } from './contract.ts';
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
}

/**
 * The TCP side of the embedded server: accepts connections and hands each
 * to a WireConnection. Owns the executor from here on and closes it last.
 */
export class WireServer {
  private readonly sockets = new Set<net.Socket>();
  private nextConnectionId = 1;
  private requestId = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: net.Server,
    private readonly executor: CommandExecutor,
    private readonly onConnectionCount?: (n: number) => void,
    private readonly users?: ScramUsers,
  ) {}

  static listen(options: WireServerOptions): Promise<WireServer> {
    const server = net.createServer();
    const wire = new WireServer(server, options.executor, options.onConnectionCount, options.users);
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

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.onConnectionCount?.(this.sockets.size);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.onConnectionCount?.(this.sockets.size);
    });
    new WireConnection({
      socket,
      connectionId: this.nextConnectionId++,
      executor: this.executor,
      nextRequestId: () => (this.requestId = (this.requestId + 1) | 0),
      users: this.users,
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
