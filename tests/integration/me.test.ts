/**
 * The student portal: a student reaches only their own record (the scope is in every
 * query), staff roles are refused the /me routes, consent is explicit, versioned and
 * withdrawable (a guardian's name for a minor), and correction requests are stored
 * with an audit event. Every refused request leaves the database unchanged.
 */
import mongoose, { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { CorrectionRequest } from '../../models/correction-request.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { CONSENT_VERSION } from '~/domain/consent';
import { loader as unitsLoader } from '~/routes/admin.units._index';
import { loader as criteriaLoader } from '~/routes/criteria._index';
import { action as meAction, loader as meLoader } from '~/routes/me._index';
import { action as consentAction, loader as consentLoader } from '~/routes/me.consent';
import { loader as dataLoader } from '~/routes/me.data[.]json';
import { loader as printLoader } from '~/routes/me.print';
import { action as submitAction, loader as submitLoader } from '~/routes/me.submissions';
import { loader as memberLayoutLoader } from '~/routes/members.$id';
import { loader as memberProfileLoader } from '~/routes/members.$id._index';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { portalData } from '~/utils/student/me.server';
import { signIn } from '../fixtures/auth.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { call, get, post } from '../fixtures/remix.ts';

let student: string;
let staff: Record<string, string>;
let own: Types.ObjectId;
let sameSchool: Types.ObjectId;
let otherSchool: Types.ObjectId;

beforeAll(async () => {
  await seedDatabase({ members: 60, seed: 1, reset: true });
  student = await signIn('sinhvien@demo.vn');
  const [admin, province, union, party] = await Promise.all(
    ['admin@demo.vn', 'tinhdoan@demo.vn', 'doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn'].map((e) =>
      signIn(e),
    ),
  );
  staff = { admin, province, union, party };
  own = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId!;
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  sameSchool = (await Member.findOne({ schoolId: pvd._id, _id: mongoose.trusted({ $ne: own }) }).lean())!._id;
  otherSchool = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!._id;
});

const snapshot = async () =>
  JSON.stringify(
    await Member.find({ _id: mongoose.trusted({ $in: [sameSchool, otherSchool] }) })
      .select('+citizenId')
      .sort({ _id: 1 })
      .lean(),
  );
const give = (fields: Record<string, string>, cookie = student) =>
  call(consentAction, post('/me/consent', { intent: 'give', ...fields }, cookie));
const correction = (fields: Record<string, string>, cookie = student) =>
  call(meAction, post('/me?index', { intent: 'correction', ...fields }, cookie));

describe('consent at first sign-in', () => {
  it('sends a student without consent from /me to /me/consent', async () => {
    const res = await call(meLoader, get('/me', student));
    expect(res).toRedirectTo('/me/consent');
    const page = await call(consentLoader, get('/me/consent', student));
    expect(page).toHaveStatus(200);
    expect(page.data.consent).toMatchObject({ current: false, minor: false });
  });

  it('refuses an unticked box with the field message and writes nothing', async () => {
    const audits = await AuditEvent.countDocuments({ entityId: own });
    const res = await give({});
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.agree).toEqual(['consent.v.agree']);
    expect((await Member.findById(own).lean())!.consent?.givenAt).toBeFalsy();
    expect(await AuditEvent.countDocuments({ entityId: own })).toBe(audits);
  });

  it('asks a minor for a guardian, then stores the guardian with the consent', async () => {
    const before = (await Member.findById(own).lean())!.dateOfBirth;
    const seventeen = new Date(Date.UTC(new Date().getUTCFullYear() - 17, 0, 1));
    await Member.updateOne({ _id: own }, { $set: { dateOfBirth: seventeen } });
    try {
      expect((await call(consentLoader, get('/me/consent', student))).data.consent.minor).toBe(true);
      const refused = await give({ agree: 'on' });
      expect(refused).toHaveStatus(400);
      expect(refused.data.fieldErrors.guardianName).toEqual(['consent.v.guardian']);
      expect((await Member.findById(own).lean())!.consent?.givenAt).toBeFalsy();
      const ok = await give({ agree: 'on', guardianName: 'Huỳnh Văn Nam' });
      expect(ok).toHaveStatus(302);
      const c = (await Member.findById(own).lean())!.consent!;
      expect(c.guardianName).toBe('Huỳnh Văn Nam');
      // Withdraw again so the adult case below starts from no consent.
      expect(
        (await call(consentAction, post('/me/consent', { intent: 'withdraw', confirm: 'on' }, student)))
          .status,
      ).toBe(302);
    } finally {
      await Member.updateOne({ _id: own }, { $set: { dateOfBirth: before } });
    }
  });

  it('stores a versioned consent and an audit event, touching no other member', async () => {
    const others = await snapshot();
    // A smuggled member id in the form is ignored: the id comes from the session only.
    const res = await give({ agree: 'on', memberId: String(otherSchool), _id: String(sameSchool) });
    expect(res).toRedirectTo('/me');
    const c = (await Member.findById(own).lean())!.consent!;
    expect(c.version).toBe(CONSENT_VERSION);
    expect(c.givenAt).toBeInstanceOf(Date);
    expect(c.withdrawnAt).toBeFalsy();
    expect(c.guardianName).toBeFalsy();
    expect(await AuditEvent.countDocuments({ entityId: own, action: 'member.consent.give' })).toBeGreaterThan(
      0,
    );
    expect(await snapshot()).toBe(others);
  });

  it('rejects an unknown intent with a 400', async () => {
    expect((await call(consentAction, post('/me/consent', { intent: 'delete' }, student))).status).toBe(400);
  });
});

describe('the portal', () => {
  it('shows the stage, the progress, the verdict, the next steps and the deadlines', async () => {
    const res = await call(meLoader, get('/me', student));
    expect(res).toHaveStatus(200);
    const r = res.data.record;
    expect(r.fullName).toBe('Huỳnh Thị Thanh Trúc');
    expect(r.stage).toBe('dossier');
    expect(r.progress).toHaveLength(10);
    expect(r.progress.find((s: { stage: string }) => s.stage === 'dossier').state).toBe('current');
    expect(r.progress.find((s: { stage: string }) => s.stage === 'outstanding').state).toBe('done');
    expect(r.progress.find((s: { stage: string }) => s.stage === 'introduced').state).toBe('todo');
    expect(r.nextActor).toBe('school_union');
    expect(r.steps[0].key).toBe('me.step.dossier');
    expect(r.verdict.set).not.toBeNull();
    expect(r.verdict.results.length).toBeGreaterThan(0);
    for (const rule of r.verdict.results) {
      expect(rule.explanation.vi.length).toBeGreaterThan(0);
      expect(rule.explanation.en.length).toBeGreaterThan(0);
    }
    expect(r.checklist.find((c: { id: string }) => c.id === 'certificate').done).toBe(true);
    expect(r.deadlines).not.toHaveLength(0);
    for (const d of r.deadlines) {
      expect(d.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(typeof d.workingDaysLeft).toBe('number');
    }
    expect(r.history.length).toBeGreaterThan(0);
    // Only the student's own record is in the payload.
    const text = JSON.stringify(res.data);
    expect(text).not.toContain(String(sameSchool));
    expect(text).not.toContain(String(otherSchool));
  });

  it('explains a return for improvement with its reason', async () => {
    const before = (await Member.findById(own).lean())!.pipeline;
    await Member.updateOne(
      { _id: own },
      {
        $set: {
          'pipeline.stage': 'returned',
          'pipeline.returnReason': 'Lý lịch thiếu xác nhận của địa phương',
        },
        $push: { 'pipeline.history': { stage: 'returned', at: new Date() } },
      },
    );
    try {
      const r = (await call(meLoader, get('/me', student))).data.record;
      expect(r.exit).toBe('returned');
      expect(r.returnReason).toBe('Lý lịch thiếu xác nhận của địa phương');
      expect(r.nextActor).toBe('student');
      expect(r.progress.find((s: { stage: string }) => s.stage === 'dossier').state).toBe('stopped');
    } finally {
      await Member.updateOne({ _id: own }, { $set: { pipeline: before } });
    }
  });

  it('answers a missing member record with a friendly empty record, not a 500', async () => {
    const ghost = {
      id: new Types.ObjectId().toString(),
      email: 'x@demo.vn',
      name: 'X',
      role: 'student' as const,
      unitId: new Types.ObjectId().toString(),
      memberId: new Types.ObjectId().toString(),
      locale: 'vi' as const,
    };
    expect(await portalData(ghost)).toBeNull();
  });
});

describe('my data', () => {
  it('downloads the student’s own full record as an attachment, and logs it', async () => {
    await Member.updateOne({ _id: own }, { $set: { citizenId: '051204009999' } });
    const res = await call(dataLoader, get('/me/data.json', student));
    expect(res).toHaveStatus(200);
    expect(res.headers.get('Content-Disposition')).toMatch(/^attachment/);
    expect(res.data.member._id).toBe(String(own));
    expect(res.data.member.fullName).toBe('Huỳnh Thị Thanh Trúc');
    expect(res.data.member.citizenId).toBe('051204009999');
    const text = JSON.stringify(res.data);
    expect(text).not.toContain(String(sameSchool));
    expect(text).not.toContain(String(otherSchool));
    expect(await AuditEvent.countDocuments({ entityId: own, action: 'member.self.export' })).toBe(1);
  });

  it('prints the own record only', async () => {
    const res = await call(printLoader, get('/me/print', student));
    expect(res).toHaveStatus(200);
    expect(res.data.record.fullName).toBe('Huỳnh Thị Thanh Trúc');
  });

  it('validates a correction request and stores nothing when invalid', async () => {
    const res = await correction({ field: 'nope', message: 'x' });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.field).toEqual(['me.v.field']);
    expect(res.data.fieldErrors.message).toEqual(['me.v.message']);
    // conform's reply for the form (its lastResult), with what was typed to show again.
    expect(res.data.result).toMatchObject({
      status: 'error',
      error: { field: ['me.v.field'], message: ['me.v.message'] },
    });
    expect(res.data.values).toMatchObject({ field: 'nope', message: 'x' });
    expect(await CorrectionRequest.countDocuments()).toBe(0);
  });

  it('stores a correction request on the own record only, audited, and lists it as sent', async () => {
    const others = await snapshot();
    const res = await correction({
      field: 'phone',
      message: 'Số điện thoại cũ',
      correctValue: '0905123456',
      memberId: String(otherSchool),
    });
    expect(res).toHaveStatus(302);
    const stored = await CorrectionRequest.find().lean();
    expect(stored).toHaveLength(1);
    expect(String(stored[0].memberId)).toBe(String(own));
    expect(stored[0].status).toBe('open');
    expect(await AuditEvent.countDocuments({ entityId: own, action: 'member.correction.request' })).toBe(1);
    expect(await snapshot()).toBe(others);
    const r = (await call(meLoader, get('/me', student))).data.record;
    expect(r.corrections).toHaveLength(1);
    expect(r.corrections[0]).toMatchObject({ field: 'phone', status: 'open' });
  });
});

describe('isolation', () => {
  it('refuses the student every staff page, for other members and for its own', async () => {
    const others = await snapshot();
    for (const id of [String(sameSchool), String(otherSchool), String(own)]) {
      const layout = await call(memberLayoutLoader, get(`/members/${id}`, student), { id });
      const profile = await call(memberProfileLoader, get(`/members/${id}`, student), { id });
      expect([403, 404]).toContain(layout.status);
      expect([403, 404]).toContain(profile.status);
    }
    expect([403, 404]).toContain((await call(unitsLoader, get('/admin/units', student))).status);
    expect([403, 404]).toContain((await call(criteriaLoader, get('/criteria', student))).status);
    expect(await snapshot()).toBe(others);
  });

  it('refuses staff roles every /me route and changes nothing', async () => {
    const ownBefore = JSON.stringify(await Member.findById(own).lean());
    const requests = await CorrectionRequest.countDocuments();
    for (const cookie of Object.values(staff)) {
      expect((await call(meLoader, get('/me', cookie))).status).toBe(403);
      expect((await call(consentLoader, get('/me/consent', cookie))).status).toBe(403);
      expect((await call(dataLoader, get('/me/data.json', cookie))).status).toBe(403);
      expect((await call(printLoader, get('/me/print', cookie))).status).toBe(403);
      expect((await call(submitLoader, get('/me/submissions', cookie))).status).toBe(403);
      expect(
        (
          await call(
            submitAction,
            post('/me/submissions', { kind: 'activity', title: 'Mùa hè xanh' }, cookie),
          )
        ).status,
      ).toBe(403);
      expect((await give({ agree: 'on' }, cookie)).status).toBe(403);
      expect((await call(consentAction, post('/me/consent', { intent: 'withdraw' }, cookie))).status).toBe(
        403,
      );
      expect((await correction({ field: 'phone', message: 'Số điện thoại cũ' }, cookie)).status).toBe(403);
    }
    expect(JSON.stringify(await Member.findById(own).lean())).toBe(ownBefore);
    expect(await CorrectionRequest.countDocuments()).toBe(requests);
  });

  it('sends a signed-out visitor to the login page', async () => {
    const res = await call(meLoader, get('/me'));
    expect(res).toHaveStatus(302);
    expect(res.location).toMatch(/^\/login/);
  });
});

describe('withdrawing consent', () => {
  it('sets withdrawnAt and shows the consent page again', async () => {
    const res = await call(
      consentAction,
      post('/me/consent', { intent: 'withdraw', confirm: 'on' }, student),
    );
    expect(res).toRedirectTo('/me/consent?withdrawn=1');
    expect((await Member.findById(own).lean())!.consent?.withdrawnAt).toBeInstanceOf(Date);
    expect(
      await AuditEvent.countDocuments({ entityId: own, action: 'member.consent.withdraw' }),
    ).toBeGreaterThan(0);
    const me = await call(meLoader, get('/me', student));
    expect(me).toRedirectTo('/me/consent');
    expect((await call(consentLoader, get('/me/consent', student))).data.consent.current).toBe(false);
  });
});

describe('each of the student’s actions is one transaction with its event', () => {
  const consentOf = async () => {
    const m = (await Member.findById(own).lean())!;
    return { v: m.__v ?? 0, consent: JSON.stringify(m.consent ?? null) };
  };
  const events = (action: string) => AuditEvent.countDocuments({ entityId: own, action });
  const withdraw = () =>
    call(consentAction, post('/me/consent', { intent: 'withdraw', confirm: 'on' }, student));

  it('gives consent with its event or not at all, and never moves the record’s version', async () => {
    const before = await consentOf();
    expect(JSON.parse(before.consent).withdrawnAt).toBeTruthy();
    const given = await events('member.consent.give');
    await expect(
      withRefusedAuditEvent({ action: 'member.consent.give' }, () => give({ agree: 'on' })),
    ).rejects.toThrow(/duplicate key/);
    expect(await consentOf()).toEqual(before);
    expect(await events('member.consent.give')).toBe(given);

    expect((await give({ agree: 'on' })).status).toBe(302);
    const after = await consentOf();
    expect(JSON.parse(after.consent).withdrawnAt).toBeFalsy();
    // The student's own consent is not a change to the record staff edit: no version.
    expect(after.v).toBe(before.v);
    expect(await events('member.consent.give')).toBe(given + 1);
  });

  it('withdraws consent with its event or not at all', async () => {
    const before = await consentOf();
    const withdrawn = await events('member.consent.withdraw');
    await expect(withRefusedAuditEvent({ action: 'member.consent.withdraw' }, withdraw)).rejects.toThrow(
      /duplicate key/,
    );
    expect(await consentOf()).toEqual(before);
    expect(await events('member.consent.withdraw')).toBe(withdrawn);
    expect((await withdraw()).status).toBe(302);
    expect(await events('member.consent.withdraw')).toBe(withdrawn + 1);
    expect((await consentOf()).v).toBe(before.v);
  });

  it('stores a correction request with its event or not at all', async () => {
    const requests = await CorrectionRequest.countDocuments();
    const fields = { field: 'email', message: 'Email của em đã đổi', correctValue: 'truc@example.vn' };
    await expect(
      withRefusedAuditEvent({ action: 'member.correction.request' }, () => correction(fields)),
    ).rejects.toThrow(/duplicate key/);
    expect(await CorrectionRequest.countDocuments()).toBe(requests);
    expect((await correction(fields)).status).toBe(302);
    const stored = (await CorrectionRequest.findOne({ field: 'email', memberId: own }).lean())!;
    expect(
      await AuditEvent.countDocuments({
        action: 'member.correction.request',
        'details.requestId': stored._id,
      }),
    ).toBe(1);
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});
