import { describe, expect, it } from 'vitest';
import { can, PERMISSIONS, ROLE_HOME, ROLES, type Permission, type Role } from '~/domain/permissions';

// The expected matrix, written out in full so any change to the table is a visible diff here.
const Y = true;
const N = false;
// prettier-ignore
const EXPECTED: Record<Permission, Record<Role, boolean>> = {
  'unit:read':       { admin: Y, province_union: Y, school_union: Y, school_party: Y, student: N },
  'unit:manage':     { admin: Y, province_union: N, school_union: N, school_party: N, student: N },
  'user:manage':     { admin: Y, province_union: N, school_union: N, school_party: N, student: N },
  'member:read':     { admin: Y, province_union: Y, school_union: Y, school_party: Y, student: N },
  'member:write':    { admin: Y, province_union: N, school_union: Y, school_party: N, student: N },
  'member:import':   { admin: Y, province_union: N, school_union: Y, school_party: N, student: N },
  'pipeline:union':  { admin: Y, province_union: N, school_union: Y, school_party: N, student: N },
  'pipeline:party':  { admin: Y, province_union: N, school_union: N, school_party: Y, student: N },
  'pipeline:review': { admin: Y, province_union: Y, school_union: N, school_party: N, student: N },
  'report:read':     { admin: Y, province_union: Y, school_union: Y, school_party: Y, student: N },
  'criteria:manage': { admin: Y, province_union: Y, school_union: N, school_party: N, student: N },
  'target:manage':   { admin: Y, province_union: Y, school_union: N, school_party: N, student: N },
  'holiday:manage':  { admin: Y, province_union: N, school_union: N, school_party: N, student: N },
  'sensitive:read':  { admin: Y, province_union: N, school_union: Y, school_party: Y, student: N },
  'self:read':       { admin: N, province_union: N, school_union: N, school_party: N, student: Y },
  'self:submit':     { admin: N, province_union: N, school_union: N, school_party: N, student: Y },
};

describe('permission table', () => {
  it('covers every permission', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...PERMISSIONS].sort());
  });

  const cases = ROLES.flatMap((role) => PERMISSIONS.map((permission) => [role, permission] as const));
  it.each(cases)('%s × %s', (role, permission) => {
    expect(can(role, permission)).toBe(EXPECTED[permission][role]);
  });

  it('denies when there is no role', () => {
    expect(can(null, 'unit:read')).toBe(false);
    expect(can(undefined, 'self:read')).toBe(false);
  });

  it('separates the Union and Party sides of a school', () => {
    expect(can('school_union', 'pipeline:party')).toBe(false);
    expect(can('school_party', 'pipeline:union')).toBe(false);
  });

  it('sends every role to its own home', () => {
    expect(ROLE_HOME).toEqual({
      admin: '/admin',
      province_union: '/province',
      school_union: '/school',
      school_party: '/school',
      student: '/me',
    });
  });
});
