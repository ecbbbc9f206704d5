/**
 * The authorization matrix: what every route module in `app/routes/` answers, for its
 * loader and its action, to every kind of caller, in and out of the caller's scope.
 * Data only. `tests/integration/authorization.test.ts` calls every cell and fails on
 * any difference, and on any route module that has no entry here.
 *
 * Written from the design (shared/design.md "Roles", app/domain/permissions.ts), NOT
 * recorded from what the code answers: a cell that fails is either a bug in the app or
 * a mistake here, and must be decided, never just re-recorded.
 * How to keep it: docs/decisions/014-authorization-matrix.md.
 */

/**
 * What a response means:
 * - `ok`: 2xx, or a 3xx anywhere but /login (the page, the download, a redirect home)
 * - `redirect-login`: a 3xx to /login (not signed in; or /logout, whose success it is)
 * - `bad-request` 400, `unauthorized` 401, `forbidden` 403, `not-found` 404,
 *   `method-not-allowed` 405, `conflict` 409 (the request reached the record and was
 *   refused as stale: used where a write is stopped before it happens).
 */
export const OUTCOMES = [
  'ok',
  'redirect-login',
  'bad-request',
  'unauthorized',
  'forbidden',
  'not-found',
  'method-not-allowed',
  'conflict',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Callers of the pages. `student` is sinhvien@demo.vn, the school roles are the
 * Phạm Văn Đồng accounts (doantruong.pvd, danguy.pvd), `province_union` is
 * tinhdoan@demo.vn (Quảng Ngãi), `admin` is admin@demo.vn.
 */
export const PAGE_PRINCIPALS = [
  'anonymous',
  'student',
  'school_union',
  'school_party',
  'province_union',
  'admin',
] as const;
export type PagePrincipal = (typeof PAGE_PRINCIPALS)[number];

/**
 * Callers of the JSON API (`/api/v1/`): no credentials; a signed-in admin's session
 * cookie without a token (the API takes tokens only); a revoked token; a token scoped
 * to Phạm Văn Đồng; a token scoped to the province.
 */
export const API_PRINCIPALS = [
  'anonymous',
  'session',
  'token:revoked',
  'token:school',
  'token:province',
] as const;
export type ApiPrincipal = (typeof API_PRINCIPALS)[number];

/**
 * What a route's `:id` (or the `$id` placeholder of a form) is. Plain cells use a record
 * in the caller's scope ("own"); `<principal>:other` cells one outside it:
 * - member: own = the student's own record / a Phạm Văn Đồng member; other = another
 *   student of the same school (student), another school's member (school roles and
 *   the school token), a member of the legacy Kon Tum province (province union and token)
 * - unit: own = a branch of Phạm Văn Đồng (school roles) / another school of the province
 *   (province) / the legacy province (admin); other = another school (student, school
 *   roles), the legacy Kon Tum province (province)
 * - user: own = an account of Phạm Văn Đồng; other = an account of another school
 * - criteria: own = the active university selection set (the province's; PVD is a
 *   university); other = the active high-school set (school roles: not their kind), a
 *   draft of the legacy province (province union)
 * - criteria-draft: own = a draft of the province; other = a draft of the legacy province
 * - submission: own = an evidence file of the student's own submission; other = one of
 *   another school's student
 * - notification: own = a notification of the caller; other = one of another user (every
 *   signed-in caller, the admin too: a notification is its one reader's)
 */
export const TARGETS = [
  'member',
  'unit',
  'user',
  'criteria',
  'criteria-draft',
  'submission',
  'notification',
] as const;
export type Target = (typeof TARGETS)[number];

/** Which callers get an `:other` cell for each target (admin has no "outside"). */
export const OTHER_SCOPE: Record<Target, readonly string[]> = {
  member: ['student', 'school_union', 'school_party', 'province_union', 'token:school', 'token:province'],
  unit: ['student', 'school_union', 'school_party', 'province_union', 'token:school', 'token:province'],
  user: ['school_union', 'school_party'],
  criteria: ['school_union', 'school_party', 'province_union'],
  'criteria-draft': ['province_union'],
  submission: ['student', 'school_union', 'school_party'],
  notification: ['student', 'school_union', 'school_party', 'province_union', 'admin'],
};

export interface Call {
  /** Query string appended to the path (without `?`). */
  query?: string;
  /**
   * The action's form (url-encoded POST). Chosen so that an allowed caller is REFUSED
   * by validation (or by a stale version) before anything is written. `$id` is
   * replaced by the target's id.
   */
  form?: Record<string, string>;
  /** The call ends the session (logout): sign in afresh for it. */
  fresh?: boolean;
  expect: Record<string, Outcome>;
}

export interface RouteEntry {
  /** The URL the route serves, `:id` for its parameter (used to build the Request). */
  path: string;
  api?: true;
  target?: Target;
  loader?: Call;
  action?: Call;
}

// ---------------------------------------------------------------- shorthands

type Cells = Record<string, Outcome>;

/** Every page caller gets `outcome`. */
const all = (outcome: Outcome): Cells => Object.fromEntries(PAGE_PRINCIPALS.map((p) => [p, outcome]));

/** Signed in required; the listed roles get `ok`, the others 403. */
function roles(allowed: PagePrincipal[], ok: Outcome = 'ok', denied: Outcome = 'forbidden'): Cells {
  const out: Cells = { anonymous: 'redirect-login' };
  for (const p of PAGE_PRINCIPALS) if (p !== 'anonymous') out[p] = allowed.includes(p) ? ok : denied;
  return out;
}

const STAFF: PagePrincipal[] = ['school_union', 'school_party', 'province_union', 'admin'];
const SIGNED_IN: PagePrincipal[] = ['student', ...STAFF];
const ADMIN: PagePrincipal[] = ['admin'];

/** Admin only, for a route with a target: the other scopes are refused like the own. */
const adminOnly = (ok: Outcome, others: string[]): Cells => ({
  ...roles(ADMIN, ok),
  ...Object.fromEntries(others.map((o) => [`${o}:other`, 'forbidden' as Outcome])),
});

/** Every API caller gets `outcome`. */
const allApi = (outcome: Outcome): Cells => Object.fromEntries(API_PRINCIPALS.map((p) => [p, outcome]));

/** API: every token in scope gets `ok`, nothing else gets in. */
const apiRead = (extra: Cells = {}): Cells => ({
  ...allApi('unauthorized'),
  'token:school': 'ok',
  'token:province': 'ok',
  ...extra,
});

const apiWrite = (target?: Target): Cells => ({
  ...allApi('method-not-allowed'),
  ...(target
    ? { 'token:school:other': 'method-not-allowed', 'token:province:other': 'method-not-allowed' }
    : {}),
});

/** The `:other` cells (a target outside the caller's scope) of the callers named, all `outcome`. */
const outside = (outcome: Outcome, callers: PagePrincipal[]): Cells =>
  Object.fromEntries(callers.map((c) => [`${c}:other`, outcome]));

const SCHOOL_AND_PROVINCE: PagePrincipal[] = ['school_union', 'school_party', 'province_union'];

/**
 * A scoped staff read (member:read, unit:read): the `allowed` roles in scope, 404 for staff
 * outside it, students refused.
 */
const scopedRead = (allowed: PagePrincipal[] = STAFF, ok: Outcome = 'ok'): Cells => ({
  ...roles(allowed, ok),
  ...outside('forbidden', ['student']),
  ...outside('not-found', SCHOOL_AND_PROVINCE),
});

/**
 * A page the `allowed` roles read, whose action refuses the form (chosen invalid) with
 * `refused` for them, before anything is written.
 */
const formPage = (
  path: string,
  allowed: PagePrincipal[],
  form: Record<string, string> = {},
  refused: Outcome = 'bad-request',
): RouteEntry => ({
  path,
  loader: { expect: roles(allowed) },
  action: { form, expect: roles(allowed, refused) },
});

/** An API list: read by the tokens, every POST a 405. */
const apiList = (path: string): RouteEntry => ({
  path,
  api: true,
  loader: { expect: apiRead() },
  action: { form: {}, expect: apiWrite() },
});

// ---------------------------------------------------------------- the table

export const MATRIX: Record<string, RouteEntry> = {
  // Any URL no route matches: a 404 for everyone.
  '$.tsx': {
    path: '/no-such-page',
    loader: { expect: all('not-found') },
    action: { expect: all('not-found') },
  },

  // The root sends each role home, the anonymous to /login.
  '_index.tsx': { path: '/', loader: { expect: { ...all('ok'), anonymous: 'redirect-login' } } },

  'admin._index.tsx': { path: '/admin', loader: { expect: roles(ADMIN) } },
  'admin.audit.tsx': { path: '/admin/audit', loader: { expect: roles(ADMIN) } },
  'admin.holidays.tsx': formPage('/admin/holidays', ADMIN),
  // Scheduled jobs (issue 21): the admin's; the form without an intent is refused.
  'admin.jobs.tsx': formPage('/admin/jobs', ADMIN),
  // Every mail message (decision 033): the admin's, like the audit log.
  'admin.outbox.tsx': { path: '/admin/outbox', loader: { expect: roles(ADMIN) } },
  // A message's HTML for the preview frame: the permission before the lookup (no such id: 404).
  'admin.outbox_.$id.html.ts': {
    path: '/admin/outbox/000000000000000000000000/html',
    loader: { expect: roles(ADMIN, 'not-found') },
  },
  'admin.tokens.tsx': formPage('/admin/tokens', ADMIN),
  // Units: read by every staff role within its scope (another school's unit is a 404),
  // managed by the admin only (the permission is checked before the scope: 403).
  'admin.units.$id.tsx': {
    path: '/admin/units/:id',
    target: 'unit',
    loader: { expect: scopedRead() },
    action: {
      form: {},
      expect: {
        ...roles(ADMIN, 'bad-request'),
        ...outside('forbidden', ['student', 'school_union', 'school_party', 'province_union']),
      },
    },
  },
  // A unit's signing certificate (issue 20): the admin only, read and write.
  'admin.units.$id_.signing.tsx': {
    path: '/admin/units/:id/signing',
    target: 'unit',
    loader: {
      expect: {
        ...roles(ADMIN),
        ...outside('forbidden', ['student', 'school_union', 'school_party', 'province_union']),
      },
    },
    action: {
      form: {},
      expect: {
        ...roles(ADMIN, 'bad-request'),
        ...outside('forbidden', ['student', 'school_union', 'school_party', 'province_union']),
      },
    },
  },
  'admin.units._index.tsx': { path: '/admin/units', loader: { expect: roles(STAFF) } },
  'admin.units.new.tsx': formPage('/admin/units/new', ADMIN),
  'admin.users.$id.tsx': {
    path: '/admin/users/:id',
    target: 'user',
    loader: { expect: adminOnly('ok', ['school_union', 'school_party']) },
    action: { form: {}, expect: adminOnly('bad-request', ['school_union', 'school_party']) },
  },
  'admin.users._index.tsx': { path: '/admin/users', loader: { expect: roles(ADMIN) } },
  'admin.users.new.tsx': formPage('/admin/users/new', ADMIN),

  // The JSON API: bearer tokens only, scoped; read-only (every POST is a 405).
  'api.v1.members.$id.ts': {
    path: '/api/v1/members/:id',
    api: true,
    target: 'member',
    loader: { expect: apiRead({ 'token:school:other': 'not-found', 'token:province:other': 'not-found' }) },
    action: { form: {}, expect: apiWrite('member') },
  },
  'api.v1.members.ts': apiList('/api/v1/members'),
  // The description holds no data: public.
  'api.v1.openapi[.]json.ts': {
    path: '/api/v1/openapi.json',
    api: true,
    loader: {
      expect: allApi('ok'),
    },
    action: { form: {}, expect: apiWrite() },
  },
  'api.v1.stats.ts': apiList('/api/v1/stats'),
  'api.v1.units.$id.ts': {
    path: '/api/v1/units/:id',
    api: true,
    target: 'unit',
    loader: { expect: apiRead({ 'token:school:other': 'not-found', 'token:province:other': 'not-found' }) },
    action: { form: {}, expect: apiWrite('unit') },
  },
  'api.v1.units.ts': apiList('/api/v1/units'),

  // Criteria sets: the province (and admin) manage theirs; school roles read the active
  // sets of their own school kind; students have no criteria pages.
  'criteria.$id._index.tsx': {
    path: '/criteria/:id',
    target: 'criteria',
    loader: {
      expect: {
        ...roles(STAFF),
        ...outside('not-found', SCHOOL_AND_PROVINCE),
      },
    },
    // Activating a set that is already active: refused (409) once the set is found.
    action: {
      form: { intent: 'activate' },
      expect: {
        ...roles(['province_union', 'admin'], 'conflict'),
        ...outside('forbidden', ['school_union', 'school_party']),
        ...outside('not-found', ['province_union']),
      },
    },
  },
  'criteria.$id.edit.tsx': {
    path: '/criteria/:id/edit',
    target: 'criteria-draft',
    loader: { expect: { ...roles(['province_union', 'admin']), 'province_union:other': 'not-found' } },
    action: {
      form: { intent: 'save' },
      expect: { ...roles(['province_union', 'admin'], 'bad-request'), 'province_union:other': 'not-found' },
    },
  },
  'criteria.$id.simulate.export.ts': {
    path: '/criteria/:id/simulate/export',
    target: 'criteria-draft',
    loader: {
      query: 'format=csv',
      expect: { ...roles(['province_union', 'admin']), 'province_union:other': 'not-found' },
    },
  },
  'criteria.$id.simulate.tsx': {
    path: '/criteria/:id/simulate',
    target: 'criteria-draft',
    loader: { expect: { ...roles(['province_union', 'admin']), 'province_union:other': 'not-found' } },
  },
  'criteria._index.tsx': { path: '/criteria', loader: { expect: roles(STAFF) } },

  // The public page of a document's QR code (no sign-in): an unknown code is a 404 for all.
  'verify.$code.tsx': {
    path: '/verify/AAAAAAAAAAAAAAAAAAAAAA',
    loader: { expect: all('not-found') },
    action: { expect: all('not-found') },
  },

  // Public: a link from a mail, its signature the only key; one that is not genuine (here a
  // well-formed one signed with another secret) is a 404 for anyone, and nothing changes.
  'unsubscribe.$token.tsx': {
    path: '/unsubscribe/0123456789abcdef01234567.step_overdue.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    loader: { expect: all('not-found') },
    action: { expect: all('not-found') },
  },

  'healthz.ts': { path: '/healthz', loader: { expect: all('ok') } },

  // Signed-in users are sent home; an empty sign-in form is a 400 for anyone.
  'login.tsx': {
    path: '/login',
    loader: { expect: all('ok') },
    action: { form: {}, expect: all('bad-request') },
  },
  // GET changes nothing; POST ends the session and lands on /login.
  'logout.tsx': {
    path: '/logout',
    loader: { expect: all('ok') },
    action: { form: {}, fresh: true, expect: all('redirect-login') },
  },

  // The student's own portal: self:read, which staff (admin included) do not have.
  'me._index.tsx': formPage('/me', ['student'], { intent: 'correction' }),
  'me.consent.tsx': formPage('/me/consent', ['student'], { intent: 'give' }),
  'me.data[.]json.ts': { path: '/me/data.json', loader: { expect: roles(['student']) } },
  'me.data[.]xlsx.ts': { path: '/me/data.xlsx', loader: { expect: roles(['student']) } },
  'me.print.tsx': { path: '/me/print', loader: { expect: roles(['student']) } },
  'me.submissions.$id.file.ts': {
    path: '/me/submissions/:id/file',
    target: 'submission',
    loader: {
      expect: {
        ...roles(['student']),
        ...outside('not-found', ['student']),
        ...outside('forbidden', ['school_union', 'school_party']),
      },
    },
  },
  'me.submissions.tsx': formPage('/me/submissions', ['student']),
  // The student's own issued decision: an unknown (or another student's) code is a 404.
  'me.documents.$code.ts': {
    path: '/me/documents/AAAAAAAAAAAAAAAAAAAAAA',
    loader: { expect: roles(['student'], 'not-found') },
  },

  // Member records: member:read within scope; another school's member is a 404.
  'members.$id._index.tsx': {
    path: '/members/:id',
    target: 'member',
    loader: { expect: scopedRead() },
    // Revealing sensitive fields needs sensitive:read (the school roles, admin).
    action: {
      form: { intent: 'reveal' },
      expect: {
        ...roles(['school_union', 'school_party', 'admin']),
        ...outside('forbidden', ['student', 'province_union']),
        ...outside('not-found', ['school_union', 'school_party']),
      },
    },
  },
  'members.$id.criteria.tsx': {
    path: '/members/:id/criteria',
    target: 'member',
    loader: { expect: scopedRead() },
  },
  // Editing: member:write (school Union, admin). A save without its version is refused.
  // Issuing a document (issue 20): the school roles that record steps, and admin; the
  // province reads the issue history on the tab but does not issue. A known form without
  // a format is refused (400) once the member is found in scope; outside it a 404.
  'members.$id.documents.ts': {
    path: '/members/:id/documents',
    target: 'member',
    action: {
      form: { form: '1-KNĐ' },
      expect: {
        ...roles(['school_union', 'school_party', 'admin'], 'bad-request'),
        ...outside('forbidden', ['student', 'province_union']),
        ...outside('not-found', ['school_union', 'school_party']),
      },
    },
  },
  'members.$id.edit.tsx': {
    path: '/members/:id/edit',
    target: 'member',
    loader: {
      expect: {
        ...roles(['school_union', 'admin']),
        ...outside('forbidden', ['student', 'school_party', 'province_union']),
        ...outside('not-found', ['school_union']),
      },
    },
    action: {
      form: { intent: 'save' },
      expect: {
        ...roles(['school_union', 'admin'], 'bad-request'),
        ...outside('forbidden', ['student', 'school_party', 'province_union']),
        ...outside('not-found', ['school_union']),
      },
    },
  },
  // The audit history of one member: staff in scope, and a student for their own record.
  'members.$id.history[.]csv.ts': {
    path: '/members/:id/history.csv',
    target: 'member',
    loader: {
      expect: {
        ...roles(['student', ...STAFF]),
        ...outside('not-found', ['student', 'school_union', 'school_party', 'province_union']),
      },
    },
  },
  // A step with a stale version: every pipeline side reaches the record (409), outside it a 404.
  'members.$id.pipeline.tsx': {
    path: '/members/:id/pipeline',
    target: 'member',
    loader: { expect: scopedRead() },
    action: {
      form: { intent: 'select_outstanding', version: '999999' },
      expect: scopedRead(STAFF, 'conflict'),
    },
  },
  // Signed scans: downloaded by staff reading the member in scope (no scan has this id: 404),
  // attached and removed by the school (and admin); a post without its form code is refused.
  'members.$id.scans.ts': {
    path: '/members/:id/scans',
    target: 'member',
    loader: {
      query: 'scan=000000000000000000000000',
      expect: {
        ...roles(['student', ...STAFF], 'not-found'),
        student: 'forbidden',
        ...outside('forbidden', ['student']),
        ...outside('not-found', SCHOOL_AND_PROVINCE),
      },
    },
    action: {
      form: { intent: 'scan_attach' },
      expect: {
        ...roles(['school_union', 'school_party', 'admin'], 'bad-request'),
        ...outside('forbidden', ['student', 'province_union']),
        ...outside('not-found', ['school_union', 'school_party']),
      },
    },
  },
  'members.$id.tsx': { path: '/members/:id', target: 'member', loader: { expect: scopedRead() } },
  'members._index.tsx': { path: '/members', loader: { expect: roles(STAFF) } },
  'members.export.ts': { path: '/members/export', loader: { query: 'format=csv', expect: roles(STAFF) } },
  'members.import.template.ts': {
    path: '/members/import/template',
    loader: { query: 'kind=members', expect: roles(['school_union', 'admin']) },
  },
  'members.import.tsx': formPage('/members/import', ['school_union', 'admin']),
  'members.new.tsx': formPage('/members/new', ['school_union', 'admin'], { intent: 'save' }),

  // The board: every staff role reads its scope; returning needs a pipeline right
  // (all staff roles have one) and at least one selected record.
  'pipeline._index.tsx': formPage('/pipeline', STAFF, { intent: 'return' }),
  // The batch document of a bulk step: the roles that issue; no such batch is a 404.
  'pipeline.batch-document.ts': {
    path: '/pipeline/batch-document',
    action: {
      form: { format: 'pdf' },
      expect: roles(['school_union', 'school_party', 'admin'], 'not-found'),
    },
  },
  // The ready queue: only roles with a bulk step (school Union, school Party, admin).
  // The step asked for is the Union's: the Party committee is refused it.
  'pipeline.ready.tsx': {
    path: '/pipeline/ready',
    loader: { expect: roles(['school_union', 'school_party', 'admin']) },
    action: {
      form: { step: 'select_outstanding' },
      expect: roles(['school_union', 'admin'], 'bad-request'),
    },
  },
  'province._index.tsx': { path: '/province', loader: { expect: roles(['province_union', 'admin']) } },

  // Reports: report:read (every staff role, its own scope).
  'reports._index.tsx': { path: '/reports', loader: { expect: roles(STAFF) } },
  // "Báo cáo năm": every staff role, scoped inside the service (a school role gets its own
  // school's version; another scope's ?school= is a 404: tests/integration/annual-report.test.ts).
  'reports.annual[.]docx.ts': { path: '/reports/annual.docx', loader: { expect: roles(STAFF) } },
  'reports.annual[.]pdf.ts': { path: '/reports/annual.pdf', loader: { expect: roles(STAFF) } },
  'reports.print.tsx': { path: '/reports/print', loader: { expect: roles(STAFF) } },
  'reports.targets.tsx': formPage('/reports/targets', ['province_union', 'admin'], { year: '' }),
  'reports[.]xlsx.ts': { path: '/reports.xlsx', loader: { expect: roles(STAFF) } },

  // The school home: the two school roles (and admin, who holds both pipeline rights).
  'school._index.tsx': {
    path: '/school',
    loader: { expect: roles(['school_union', 'school_party', 'admin']) },
  },
  // The chi bộ registers are the Party side's (pipeline:party: the school Party committee, admin);
  // a cell id that is not one answers 404 before anything is read or written.
  'school.party-cells.tsx': formPage(
    '/school/party-cells',
    ['school_party', 'admin'],
    { cellId: 'not-an-id' },
    'not-found',
  ),
  // Verifying submissions is the school Union's job (pipeline:union).
  'school.submissions.$id.file.ts': {
    path: '/school/submissions/:id/file',
    target: 'submission',
    loader: {
      expect: {
        ...roles(['school_union', 'admin']),
        ...outside('forbidden', ['student', 'school_party']),
        ...outside('not-found', ['school_union']),
      },
    },
  },
  'school.submissions.tsx': formPage('/school/submissions', ['school_union', 'admin'], {
    intent: 'return-many',
  }),

  // Anyone may switch the language (anonymous visitors too); GET just goes home.
  // The notification centre (issue 21): every signed-in user, their own notifications only.
  'notifications._index.tsx': formPage('/notifications', SIGNED_IN),
  // Following a notice: a POST marks the caller's own read and goes to its record; another
  // user's is a 404. A GET only leads back to the list.
  'notifications.$id.tsx': {
    path: '/notifications/:id',
    target: 'notification',
    loader: { expect: { ...roles(SIGNED_IN), ...outside('ok', SIGNED_IN) } },
    action: { form: {}, expect: { ...roles(SIGNED_IN), ...outside('not-found', SIGNED_IN) } },
  },
  // Preferences: a form without the role's kinds is refused (the admin has none to set).
  'settings.notifications.tsx': formPage('/settings/notifications', SIGNED_IN, { intent: 'preferences' }),
  'settings.locale.tsx': {
    path: '/settings/locale',
    loader: { expect: all('ok') },
    action: { form: {}, expect: all('bad-request') },
  },
};

// ---------------------------------------------------------------- sensitive filters

/**
 * An ethnicity the test gives to 3 Phạm Văn Đồng members (and no one else): a group under
 * the small-group limit in every scope (app/domain/sensitive-data.ts).
 */
export const SMALL_ETHNICITY = 'Ơ Đu';

/**
 * The same route modules asked for sensitive data through the query string (a filter by
 * ethnicity or religion, the sensitive export columns): only the roles that may reveal
 * sensitive data (`sensitive:read`: the two school roles, admin) get them, never for a
 * group of 1-4 people; the API never. Kinh and "Không" (no religion) are large groups in
 * every scope of the seed. Run by `tests/integration/authorization.test.ts` like the table.
 */
export interface SensitiveRow {
  /** The route module, a key of MATRIX (its path and kind). */
  file: string;
  /** Query string (without `?`). */
  query: string;
  expect: Record<string, Outcome>;
}

const REVEAL: PagePrincipal[] = ['school_union', 'school_party', 'admin'];

export const SENSITIVE_ROWS: readonly SensitiveRow[] = [
  // The table filtered by a sensitive field, as a dashboard link or typed in the URL.
  { file: 'members._index.tsx', query: 'ethnicity=Kinh', expect: roles(REVEAL) },
  { file: 'members._index.tsx', query: 'ethnicity=Kinh&group=open', expect: roles(REVEAL) },
  { file: 'members._index.tsx', query: 'religion=Kh%C3%B4ng', expect: roles(REVEAL) },
  // A group too small to show by name: refused to everyone.
  {
    file: 'members._index.tsx',
    query: `ethnicity=${encodeURIComponent(SMALL_ETHNICITY)}`,
    expect: roles([]),
  },
  // The export: by a sensitive field, with the sensitive columns, of a small group.
  { file: 'members.export.ts', query: 'format=csv&ethnicity=Kinh', expect: roles(REVEAL) },
  { file: 'members.export.ts', query: 'format=xlsx&religion=Kh%C3%B4ng', expect: roles(REVEAL) },
  { file: 'members.export.ts', query: 'format=csv&sensitive=1', expect: roles(REVEAL) },
  {
    file: 'members.export.ts',
    query: `format=csv&ethnicity=${encodeURIComponent(SMALL_ETHNICITY)}`,
    expect: roles([]),
  },
  // The API: no sensitive filter for any token.
  {
    file: 'api.v1.members.ts',
    query: 'ethnicity=Kinh',
    expect: apiRead({ 'token:school': 'forbidden', 'token:province': 'forbidden' }),
  },
  {
    file: 'api.v1.members.ts',
    query: 'citizenId=051205000001',
    expect: apiRead({ 'token:school': 'forbidden', 'token:province': 'forbidden' }),
  },
];
