import { HEADER_SIZE, MAX_MESSAGE_SIZE_BYTES } from './constants.ts';
import { ProtocolError } from './errors.ts';

/**
 * A message at least this large is copied into its own buffer as its chunks
 * arrive, so the copy overlaps with the rest of the transfer instead of
 * delaying the command once the last chunk is in.
 */
const FILL_AS_RECEIVED = 1 << 20;

/**
 * Cuts a TCP byte stream into whole wire messages. Chunks are kept as they
 * arrive and copied once, into a buffer of the announced length: when the
 * message is complete, or, for a large one, as they arrive. Concatenating on
 * every chunk would be quadratic for a 48 MB insert arriving in 64 KB pieces.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** A large message being received, and how many of its bytes are in. */
  private filling: Buffer | null = null;
  private filled = 0;

  constructor(private readonly maxMessageSize = MAX_MESSAGE_SIZE_BYTES) {}

  /** Bytes received that do not yet form a whole message. */
  get pendingBytes(): number {
    return this.buffered + this.filled;
  }

  /** Adds a chunk and returns every message it completes (often none, sometimes several). */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (this.filling) {
      const frame = this.filling;
      const n = Math.min(chunk.length, frame.length - this.filled);
      chunk.copy(frame, this.filled, 0, n);
      this.filled += n;
      if (this.filled < frame.length) return frames;
      frames.push(frame);
      this.filling = null;
      this.filled = 0;
      chunk = chunk.subarray(n);
    }
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    while (this.buffered >= 4) {
      const length = this.peekLength();
      // Checked before waiting for the body, so a hostile header cannot make us buffer 2 GB.
      if (length < HEADER_SIZE || length > this.maxMessageSize) {
        throw new ProtocolError(`announced message length ${length} is out of range`);
      }
      if (this.buffered < length) {
        if (length >= FILL_AS_RECEIVED) {
          this.filled = this.buffered;
          this.filling = this.take(length, this.buffered);
        }
        break;
      }
      frames.push(this.take(length, length));
    }
    return frames;
  }

  private peekLength(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32LE(0);
    const bytes = Buffer.alloc(4);
    let filled = 0;
    for (const chunk of this.chunks) {
      filled += chunk.copy(bytes, filled, 0, Math.min(chunk.length, 4 - filled));
      if (filled === 4) break;
    }
    return bytes.readInt32LE(0);
  }

  /** A buffer of `length` bytes holding the first `available` buffered ones (all of them when equal). */
  private take(length: number, available: number): Buffer {
    this.buffered -= available;
    const first = this.chunks[0];
    // The common case for small messages: no copy, just a view.
    if (first.length >= length) {
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
      return first.subarray(0, length);
    }
    const frame = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < available) {
      const chunk = this.chunks[0];
      const needed = available - filled;
      if (chunk.length <= needed) {
        chunk.copy(frame, filled);
        filled += chunk.length;
        this.chunks.shift();
      } else {
        chunk.copy(frame, filled, 0, needed);
        filled += needed;
        this.chunks[0] = chunk.subarray(needed);
      }
    }
    return frame;
  }
}
