/**
 * The unit editor reads the action's refusal as conform's last result: the schema's
 * messages and the action's own checks (a taken code) under the fields' names.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as newAction } from '~/routes/admin.units.new';
import { signIn } from '../fixtures/auth.ts';
import { call, post } from '../fixtures/remix.ts';

let admin: string;
let pvd: string;

beforeAll(async () => {
  await seedDatabase({ members: 20, seed: 2, reset: true });
  admin = await signIn('admin@demo.vn');
  pvd = String((await Unit.findOne({ code: 'PVD' }).lean())!._id);
});

const createUnit = (fields: Record<string, string>) =>
  call(newAction, post('/admin/units/new', fields, admin));

describe('the unit action answers with conform reply', () => {
  it("gives the schema's messages, and a field left out is missing", async () => {
    const res = await createUnit({ code: 'bad code!', kind: 'branch', parentId: pvd });
    expect(res.status).toBe(400);
    expect(res.data.result).toMatchObject({
      status: 'error',
      error: { name: ['validation.required'], code: ['validation.codeFormat'] },
    });
    expect(res.data.fieldErrors).toEqual({ name: ['validation.required'], code: ['validation.codeFormat'] });
  });

  it("gives the action's own check under its field", async () => {
    const res = await createUnit({ name: 'Trùng mã', code: 'PVD', kind: 'branch', parentId: pvd });
    expect(res.status).toBe(409);
    expect(res.data.result).toMatchObject({ status: 'error', error: { code: ['validation.codeTaken'] } });
  });
});
