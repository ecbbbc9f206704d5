import type { Socket } from 'node:net';
import type { Document } from 'bson';
import { type ScramSession, type ScramUsers } from '../auth/scram.ts';
import { type CommandExecutor, isMalformedBson } from '../contract.ts';
import { OP_MSG, OP_QUERY } from './constants.ts';
import { ProtocolError } from './errors.ts';
import { FrameReader } from './frame-reader.ts';
import { handshakeReply, isHandshake } from './handshake.ts';
import { debugLog } from './log.ts';
import { encodeOpMsg, parseOpMsg } from './op-msg.ts';
import { encodeOpQueryReply, parseOpQuery } from './op-query.ts';
import { commandError, type WireRequest } from './request.ts';

/** Frames waiting behind a slow command before we stop reading the socket. */
const PAUSE_AT_QUEUED_FRAMES = 16;

export interface ConnectionOptions {
  socket: Socket;
  connectionId: number;
  executor: CommandExecutor;
  /** Server-wide counter, so our requestIDs increase across connections. */
  nextRequestId: () => number;
  /** The users who may connect; when given, every command but UNAUTHENTICATED needs one of them. */
  users?: ScramUsers;
  /** Closes the connection after this long without a byte from the client while no command runs; 0 never. */
  idleTimeoutMs?: number;
}

/**
 * What mongod runs before authentication (`requiresAuth() == false`): the
 * handshake, the SASL conversation, `ping`, `buildInfo` and `connectionStatus`.
 * Anything else is answered 13 Unauthorized.
 */
const UNAUTHENTICATED = new Set([
  'hello',
  'isMaster',
  'ismaster',
  'saslStart',
  'saslContinue',
  'ping',
  'buildInfo',
  'buildinfo',
  'connectionStatus',
]);

/**
 * One client connection. Requests run strictly one after another, as in
 * mongod, so replies leave in request order even if the driver pipelines.
 * Nothing a client sends can throw out of here: bad bytes close this
 * connection, failing commands become error replies.
 */
export class WireConnection {
  private readonly reader = new FrameReader();
  private readonly queue: Buffer[] = [];
  private processing = false;
  private closed = false;
  /** With authentication on: this connection's SASL state, and who it authenticated as. */
  private readonly scram: ScramSession | undefined;
  private authenticatedAs: { user: string; db: string } | undefined;

  constructor(private readonly options: ConnectionOptions) {
    const { socket } = options;
    this.scram = options.users?.session();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // ECONNRESET and friends: 'close' follows, which does the cleanup.
    socket.on('error', (error) => debugLog(`connection ${options.connectionId}: ${error.message}`));
    socket.on('close', () => this.onClose());
    if (options.idleTimeoutMs) {
      // Node's socket timeout counts any traffic; a command still running is not idleness.
      const idleMs = options.idleTimeoutMs;
      // Not setTimeout's callback: that one is called once only.
      socket.on('timeout', () => {
        // A fired timer is re-armed by the next traffic or here: start the next period.
        if (this.processing || this.queue.length > 0) socket.setTimeout(idleMs);
        else this.abort(new Error(`idle for ${idleMs} ms`));
      });
      socket.setTimeout(idleMs);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      this.abort(error);
      return;
    }
    if (frames.length === 0) return;
    this.queue.push(...frames);
    if (this.queue.length >= PAUSE_AT_QUEUED_FRAMES) this.options.socket.pause();
    if (!this.processing) void this.drain();
  }

  private async drain(): Promise<void> {
    this.processing = true;
    const { socket } = this.options;
    try {
      while (this.queue.length > 0 && !this.closed) {
        await this.handle(this.queue.shift()!);
        // A client that sends but never reads must not make us buffer replies without bound.
        if (socket.writableNeedDrain && !this.closed) await this.waitForDrain();
        if (socket.isPaused() && this.queue.length < PAUSE_AT_QUEUED_FRAMES / 2) socket.resume();
      }
    } catch (error) {
      // handle() catches everything; this is a last line of defence for the process.
      this.abort(error);
    } finally {
      this.processing = false;
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    let request: WireRequest;
    try {
      const opCode = frame.readInt32LE(12);
      const { executor } = this.options;
      if (opCode === OP_MSG)
        request = parseOpMsg(
          frame,
          executor.rawInsertDocuments === true,
          executor.validatesRawDocuments !== true,
        );
      else if (opCode === OP_QUERY) request = parseOpQuery(frame);
      else throw new ProtocolError(`unsupported opcode ${opCode}`);
    } catch (error) {
      this.abort(error);
      return;
    }
    let reply: Document;
    try {
      reply = await this.execute(request);
    } catch (error) {
      // Only a MalformedBsonError gets here: bad bytes, found by the executor.
      this.abort(error);
      return;
    }
    if (request.moreToCome || this.closed) return;
    this.send(request, reply);
  }

  private async execute(request: WireRequest): Promise<Document> {
    if (request.rejection) return request.rejection;
    const { connectionId, executor } = this.options;
    if (isHandshake(request.body)) {
      const reply = executor.hello
        ? executor.hello(request.body, connectionId)
        : handshakeReply(request.body, connectionId);
      return this.scram ? this.authenticateInHello(request.body, reply) : reply;
    }
    if (this.scram) {
      const name = Object.keys(request.body)[0];
      if (name === 'saslStart' || name === 'saslContinue') return this.sasl(name, request);
      if (!this.authenticatedAs && !UNAUTHENTICATED.has(name))
        return commandError(13, 'Unauthorized', `Command ${name} requires authentication`);
    }
    try {
      // The reply is serialized as soon as it comes back (`send`) and not kept.
      const reply: unknown = await executor.run(request.dbName, request.body, {
        connectionId,
        serializesReply: true,
      });
      // BSON.serialize would turn undefined into {} and the driver would take that as success.
      if (reply === null || typeof reply !== 'object' || Array.isArray(reply)) {
        return internalError(
          `executor returned ${reply === null ? 'null' : typeof reply} instead of a document`,
        );
      }
      return reply as Document;
    } catch (error) {
      if (isMalformedBson(error)) throw error;
      // The contract says run() never rejects; if it does anyway, the client gets an error and we keep serving.
      debugLog(`connection ${connectionId}: executor threw: ${(error as Error)?.stack ?? error}`);
      return internalError(`executor failed: ${errorMessage(error)}`);
    }
  }

  /**
   * `hello` with `saslSupportedMechs: "admin.user"` is told the user's mechanisms, and
   * one with `speculativeAuthenticate` (a `saslStart` with its `db`) gets the server's
   * first SCRAM message in the same round trip, as mongod does. A failed speculative
   * start is left out of the reply; the driver then runs `saslStart` itself.
   */
  private authenticateInHello(body: Document, reply: Document): Document {
    const scram = this.scram!;
    const mechs = scram.supportedMechs(body.saslSupportedMechs);
    const out: Document = mechs ? { ...reply, saslSupportedMechs: mechs } : { ...reply };
    const speculative = body.speculativeAuthenticate as Document | undefined;
    if (speculative && typeof speculative === 'object' && speculative.saslStart !== undefined) {
      const db = typeof speculative.db === 'string' ? speculative.db : 'admin';
      const { reply: first } = scram.start(db, speculative);
      if (first.ok === 1) {
        const { ok: _ok, ...rest } = first;
        out.speculativeAuthenticate = rest;
      }
    }
    return out;
  }

  private sasl(name: 'saslStart' | 'saslContinue', request: WireRequest): Document {
    const scram = this.scram!;
    const outcome =
      name === 'saslStart' ? scram.start(request.dbName, request.body) : scram.continue(request.body);
    if (outcome.authenticated) this.authenticatedAs = outcome.authenticated;
    else if (outcome.reply.ok !== 1)
      debugLog(`connection ${this.options.connectionId}: authentication failed (${outcome.reply.errmsg})`);
    return outcome.reply;
  }

  private send(request: WireRequest, reply: Document): void {
    const encode = request.opCode === OP_QUERY ? encodeOpQueryReply : encodeOpMsg;
    const requestId = this.options.nextRequestId();
    let buffers: [Buffer, Uint8Array];
    try {
      buffers = encode(requestId, request.requestID, reply);
    } catch (error) {
      // E.g. a reply over the serializer's 17 MB buffer, or something that is not a document.
      buffers = encode(
        requestId,
        request.requestID,
        internalError(`cannot encode reply: ${errorMessage(error)}`),
      );
    }
    const { socket } = this.options;
    // The client may have half-closed while the command ran; writing would only raise an error.
    if (!socket.writable) return;
    socket.cork();
    socket.write(buffers[0]);
    socket.write(buffers[1]);
    socket.uncork();
  }

  private waitForDrain(): Promise<void> {
    const { socket } = this.options;
    return new Promise((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  private abort(reason: unknown): void {
    if (this.closed) return;
    debugLog(`closing connection ${this.options.connectionId}: ${errorMessage(reason)}`);
    this.closed = true;
    this.queue.length = 0;
    this.options.socket.destroy();
  }

  private onClose(): void {
    this.closed = true;
    this.queue.length = 0;
    const { connectionId, executor } = this.options;
    try {
      executor.connectionClosed?.(connectionId);
    } catch (error) {
      debugLog(`connectionClosed(${connectionId}) threw: ${errorMessage(error)}`);
    }
  }
}

function internalError(errmsg: string): Document {
  return commandError(1, 'InternalError', errmsg);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
