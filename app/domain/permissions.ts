/**
 * Who may do what: the single table both the server (enforcement) and the UI (hiding
 * links) read. Pure and isomorphic. Scope (which units) is enforced separately on the
 * server by app/utils/auth/permissions.server.ts; this table only answers "may this role ever do X".
 */
export const ROLES = ['admin', 'province_union', 'school_union', 'school_party', 'student'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'unit:read',
  'unit:manage',
  'user:manage',
  'member:read',
  'member:write',
  'member:import',
  'pipeline:union',
  'pipeline:party',
  'pipeline:review',
  'report:read',
  'criteria:manage',
  'target:manage',
  'holiday:manage',
  'sensitive:read',
  'self:read',
  'self:submit',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  // Everything except the student's own-record rights, which need a member record.
  admin: PERMISSIONS.filter((p) => !p.startsWith('self:')),
  // Reads the whole province, reviews, sets targets and criteria; does not edit records.
  province_union: [
    'unit:read',
    'member:read',
    'pipeline:review',
    'report:read',
    'criteria:manage',
    'target:manage',
  ],
  // Keeps the school's member records and runs the Union side of the pipeline.
  school_union: [
    'unit:read',
    'member:read',
    'member:write',
    'member:import',
    'pipeline:union',
    'report:read',
    'sensitive:read',
  ],
  // Reads the school's members and runs the Party side (class, dossier, votes, decisions).
  school_party: ['unit:read', 'member:read', 'pipeline:party', 'report:read', 'sensitive:read'],
  student: ['self:read', 'self:submit'],
};

const TABLE: Record<Role, ReadonlySet<Permission>> = Object.fromEntries(
  ROLES.map((role) => [role, new Set(ROLE_PERMISSIONS[role])]),
) as unknown as Record<Role, ReadonlySet<Permission>>;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return !!role && TABLE[role]?.has(permission) === true;
}

export function permissionsOf(role: Role): Permission[] {
  return [...TABLE[role]];
}

/** Where each role lands after sign-in. */
export const ROLE_HOME: Record<Role, string> = {
  admin: '/admin',
  province_union: '/province',
  school_union: '/school',
  school_party: '/school',
  student: '/me',
};
