/**
 * SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash), the server's side, as mongod
 * runs it through `saslStart` / `saslContinue` (and `hello`'s
 * `speculativeAuthenticate`). The server keeps, per user, only the salted
 * StoredKey and ServerKey: never the password, and nothing from which a
 * client proof could be made without the password.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Binary, type Document } from 'bson';

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';
/** mongod's default for SCRAM-SHA-256 (`scramSHA256IterationCount`); drivers refuse < 4096. */
export const SCRAM_ITERATIONS = 15_000;

/** What the server stores for one user (base64 fields, JSON-friendly). */
export interface ScramCredential {
  user: string;
  /** The authentication database (`authSource`). */
  db: string;
  iterationCount: number;
  salt: string;
  storedKey: string;
  serverKey: string;
}

/**
 * SASLprep (RFC 4013) is the identity on printable ASCII; anything else would
 * need the full profile, so it is refused instead of hashed differently from
 * what a driver computes.
 */
export function assertAsciiPassword(password: string): void {
  if (password.length === 0) throw new Error('SCRAM: the password must not be empty');
  if (!/^[\x20-\x7e]+$/.test(password))
    throw new Error(
      'SCRAM: only printable ASCII passwords are supported (SASLprep of other characters is not implemented)',
    );
}

const hmac = (key: Buffer, text: string | Buffer) => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

/** Derives what the server stores from a password (the password itself is not kept). */
export function deriveScramCredential(
  user: string,
  password: string,
  db = 'admin',
  iterationCount = SCRAM_ITERATIONS,
  salt: Buffer = randomBytes(28),
): ScramCredential {
  assertAsciiPassword(password);
  if (iterationCount < 4096) throw new Error('SCRAM: at least 4096 iterations');
  const salted = pbkdf2Sync(password, salt, iterationCount, 32, 'sha256');
  return {
    user,
    db,
    iterationCount,
    salt: salt.toString('base64'),
    storedKey: sha256(hmac(salted, 'Client Key')).toString('base64'),
    serverKey: hmac(salted, 'Server Key').toString('base64'),
  };
}

/** True when `password` is the one `credential` was derived from. */
export function credentialMatches(credential: ScramCredential, password: string): boolean {
  const again = deriveScramCredential(
    credential.user,
    password,
    credential.db,
    credential.iterationCount,
    Buffer.from(credential.salt, 'base64'),
  );
  return safeEqual(Buffer.from(again.storedKey, 'base64'), Buffer.from(credential.storedKey, 'base64'));
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function authenticationFailed(): Document {
  return { ok: 0, errmsg: 'Authentication failed.', code: 18, codeName: 'AuthenticationFailed' };
}

function protocolError(errmsg: string): Document {
  return { ok: 0, errmsg, code: 17, codeName: 'ProtocolError' };
}

function payloadText(value: unknown): string | null {
  if (value instanceof Binary) return Buffer.from(value.buffer.subarray(0, value.position)).toString('utf8');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  return null;
}

/** `a=1,b=2` → { a: '1', b: '2' } (values may contain '='). */
function attributes(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of text.split(',')) {
    const m = /^([a-zA-Z])=(.*)$/s.exec(part);
    if (m && !map.has(m[1])) map.set(m[1], m[2]);
  }
  return map;
}

/** RFC 5802 saslname: '=2C' is ',', '=3D' is '='; any other '=' is invalid. */
function decodeSaslName(name: string): string | null {
  if (/=(?!2C|3D)/.test(name)) return null;
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** One connection's conversation between saslStart and its end. */
interface Conversation {
  id: number;
  credential: ScramCredential;
  /** False for an unknown user: the exchange runs to its end and fails then (no user enumeration). */
  known: boolean;
  clientFirstBare: string;
  serverFirst: string;
  gs2Header: string;
  nonce: string;
  skipEmptyExchange: boolean;
  /** Proof checked, server signature sent; waiting for the client's empty last step. */
  verified: boolean;
}

export type SaslOutcome =
  | { reply: Document; authenticated?: undefined }
  | { reply: Document; authenticated: { user: string; db: string } };

/** The users a server accepts, and the conversations of one connection (see `ScramSession`). */
export class ScramUsers {
  private readonly byName = new Map<string, ScramCredential>();
  /** Salts for unknown users are derived from this, so the same name always gets the same salt. */
  private readonly fakeSaltKey = randomBytes(32);

  constructor(users: readonly ScramCredential[]) {
    for (const u of users) this.byName.set(`${u.db}.${u.user}`, u);
  }

  get size(): number {
    return this.byName.size;
  }

  find(db: string, user: string): ScramCredential | undefined {
    return this.byName.get(`${db}.${user}`);
  }

  /** A stand-in for an unknown user: a plausible salt and keys no proof can match. */
  fake(db: string, user: string): ScramCredential {
    return {
      user,
      db,
      iterationCount: SCRAM_ITERATIONS,
      salt: hmac(this.fakeSaltKey, `${db}.${user}`).subarray(0, 28).toString('base64'),
      storedKey: randomBytes(32).toString('base64'),
      serverKey: randomBytes(32).toString('base64'),
    };
  }

  session(): ScramSession {
    return new ScramSession(this);
  }
}

/** The SCRAM state of one connection. */
export class ScramSession {
  private conversation: Conversation | undefined;
  private nextId = 1;

  constructor(private readonly users: ScramUsers) {}

  /** `hello`'s `saslSupportedMechs: "db.user"`: the mechanisms of that user, if it exists. */
  supportedMechs(value: unknown): string[] | undefined {
    if (typeof value !== 'string') return undefined;
    const dot = value.indexOf('.');
    if (dot <= 0) return undefined;
    return this.users.find(value.slice(0, dot), value.slice(dot + 1)) ? [SCRAM_SHA_256] : undefined;
  }

  /** `saslStart` on database `db`. */
  start(db: string, body: Document): SaslOutcome {
    this.conversation = undefined;
    const mechanism = body.mechanism;
    if (mechanism !== SCRAM_SHA_256)
      return {
        reply: {
          ok: 0,
          errmsg: `Received authentication for mechanism ${String(mechanism)} which is not enabled`,
          code: 334,
          codeName: 'MechanismUnavailable',
        },
      };
    const text = payloadText(body.payload);
    if (text === null) return { reply: protocolError('saslStart needs a payload') };
    // gs2 header: no channel binding ('n' or 'y'), no authorization identity.
    const gs2 = /^([ny]),,/.exec(text);
    if (!gs2) return { reply: authenticationFailed() };
    const clientFirstBare = text.slice(gs2[0].length);
    const attrs = attributes(clientFirstBare);
    const encodedUser = attrs.get('n');
    const clientNonce = attrs.get('r');
    if (
      clientFirstBare.startsWith('m=') ||
      !encodedUser ||
      !clientNonce ||
      !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)
    )
      return { reply: authenticationFailed() };
    const user = decodeSaslName(encodedUser);
    if (user === null) return { reply: authenticationFailed() };
    const found = this.users.find(db, user);
    const credential = found ?? this.users.fake(db, user);
    const nonce = clientNonce + randomBytes(24).toString('base64');
    const serverFirst = `r=${nonce},s=${credential.salt},i=${credential.iterationCount}`;
    const options = body.options as Document | undefined;
    const id = this.nextId++;
    this.conversation = {
      id,
      credential,
      known: !!found,
      clientFirstBare,
      serverFirst,
      gs2Header: gs2[0],
      nonce,
      skipEmptyExchange: options?.skipEmptyExchange === true,
      verified: false,
    };
    return {
      reply: { conversationId: id, done: false, payload: new Binary(Buffer.from(serverFirst)), ok: 1 },
    };
  }

  /** `saslContinue`. */
  continue(body: Document): SaslOutcome {
    const c = this.conversation;
    if (!c || Number(body.conversationId) !== c.id) {
      this.conversation = undefined;
      return { reply: protocolError('No SASL session state found') };
    }
    const text = payloadText(body.payload);
    if (text === null) {
      this.conversation = undefined;
      return { reply: protocolError('saslContinue needs a payload') };
    }
    if (c.verified) {
      // The client's empty last step after the server's signature.
      this.conversation = undefined;
      if (text !== '') return { reply: authenticationFailed() };
      return {
        reply: { conversationId: c.id, done: true, payload: new Binary(Buffer.alloc(0)), ok: 1 },
        authenticated: { user: c.credential.user, db: c.credential.db },
      };
    }
    const proofAt = text.lastIndexOf(',p=');
    const withoutProof = proofAt < 0 ? '' : text.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
    const expectedBinding = Buffer.from(c.gs2Header).toString('base64');
    if (
      proofAt < 0 ||
      attrs.get('c') !== expectedBinding ||
      attrs.get('r') !== c.nonce ||
      proof.length !== 32 ||
      !c.known
    ) {
      this.conversation = undefined;
      return { reply: authenticationFailed() };
    }
    const authMessage = `${c.clientFirstBare},${c.serverFirst},${withoutProof}`;
    const storedKey = Buffer.from(c.credential.storedKey, 'base64');
    const clientSignature = hmac(storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i] ^ clientSignature[i];
    if (!safeEqual(sha256(clientKey), storedKey)) {
      this.conversation = undefined;
      return { reply: authenticationFailed() };
    }
    const serverSignature = hmac(Buffer.from(c.credential.serverKey, 'base64'), authMessage);
    const payload = new Binary(Buffer.from(`v=${serverSignature.toString('base64')}`));
    if (c.skipEmptyExchange) {
      this.conversation = undefined;
      return {
        reply: { conversationId: c.id, done: true, payload, ok: 1 },
        authenticated: { user: c.credential.user, db: c.credential.db },
      };
    }
    c.verified = true;
    return { reply: { conversationId: c.id, done: false, payload, ok: 1 } };
  }

  /** Forgets a conversation in progress (the connection closed). */
  reset(): void {
    this.conversation = undefined;
  }
}
