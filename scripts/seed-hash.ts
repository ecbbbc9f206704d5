// A fingerprint of all demo data for a few seeds: a refactor of seed/ must leave it unchanged.
// npx tsx scripts/seed-hash.ts  (0c8e53b7… on main at f85c91a)
import { createHash } from 'node:crypto';
import * as g from '../seed/generate.ts';

const h = createHash('sha256');
const put = (label: string, v: unknown) => h.update(label).update(JSON.stringify(v));
const fixed = g.generateFixedData(3000);
put('fixed', {
  units: fixed.units,
  users: fixed.users,
  holidays: fixed.holidays,
  targets: fixed.targets,
  criteriaSets: fixed.criteriaSets,
});
put('demo', g.DEMO_STUDENT);
put('accounts', g.DEMO_ACCOUNTS);
for (const seed of [1, 42, 20261115]) {
  const ctx = g.createContext(seed, fixed.tree);
  put(`members${seed}`, g.generateMembers(ctx, 0, 3000));
}
put('ids', [g.stableId('user', 'x@demo.vn'), g.memberId(7, 123)]);
console.log(h.digest('hex'));
