/**
 * The counters behind serverStatus's sections that monitoring tools read
 * (mongostat, Compass's performance tab, exporters): `opcounters`, `asserts`,
 * `connections` and `network` (from the wire server, see WireStats), `repl`.
 * Counted as mongod counts them: an insert counts its documents, an update or a
 * delete its statements, `find` is a query, `getMore` a getmore, anything else a
 * command; a reply with an error is a user assert.
 */
import { Long, type Document } from 'bson';
import type { WireStats } from '../contract.ts';

const OPS = ['insert', 'query', 'update', 'delete', 'getmore', 'command'] as const;
type Op = (typeof OPS)[number];

const statements = (v: unknown) => (Array.isArray(v) ? v.length : 1);

export class ServerCounters {
  private readonly ops: Record<Op, number> = {
    insert: 0,
    query: 0,
    update: 0,
    delete: 0,
    getmore: 0,
    command: 0,
  };
  private userAsserts = 0;
  /** Set by the wire server once it listens; absent when the engine runs without one (tests). */
  wire?: () => WireStats;

  count(name: string, body: Document): void {
    switch (name) {
      case 'insert':
        this.ops.insert += statements(body.documents);
        break;
      case 'update':
        this.ops.update += statements(body.updates);
        break;
      case 'delete':
        this.ops.delete += statements(body.deletes);
        break;
      case 'find':
        this.ops.query++;
        break;
      case 'getMore':
        this.ops.getmore++;
        break;
      default:
        this.ops.command++;
    }
  }

  failed(): void {
    this.userAsserts++;
  }

  /** serverStatus's counter sections (numbers as mongod types them: int64). */
  sections(): Document {
    const long = (n: number) => Long.fromNumber(n);
    const opcounters = Object.fromEntries(OPS.map((k) => [k, long(this.ops[k])]));
    const out: Document = {
      opcounters,
      asserts: { regular: 0, warning: 0, msg: 0, user: this.userAsserts, tripwire: 0, rollovers: 0 },
    };
    const wire = this.wire?.();
    if (wire) {
      out.connections = { ...wire.connections, active: wire.connections.current };
      out.network = {
        bytesIn: long(wire.network.bytesIn),
        bytesOut: long(wire.network.bytesOut),
        numRequests: long(wire.network.numRequests),
      };
    }
    return out;
  }
}
