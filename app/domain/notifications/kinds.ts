/**
 * What the app tells people about, to whom, and how each person chose to hear it
 * (issue 21, docs/decisions/031-notifications.md). Pure and isomorphic: the triggers
 * (app/domain/notifications/triggers*.ts) produce `Notice`s, the server resolves each
 * notice's audience to users and delivers it by their preferences
 * (app/utils/notifications/notify.server.ts).
 */
import type { MessageKey } from '../../i18n/vi';
import type { Role } from '../permissions';

export const NOTIFICATION_KINDS = [
  /** A step's legal deadline 7, 3 or 1 working days ahead → the unit that must act. */
  'deadline_approaching',
  /** A step's deadline passed → the unit that must act. */
  'step_overdue',
  /** Still overdue N working days later (setting, default 10) → the province. */
  'overdue_escalation',
  /** The awareness-class certificate expires in 6, 3 or 1 months → the student and the school. */
  'certificate_expiring',
  /** Evidence approved or returned (with the reason) → the student. */
  'evidence_reviewed',
  /** A correction request answered → the student. */
  'correction_answered',
  /** A step recorded about the student ("Bạn đã được kết nạp …") → the student. */
  'step_recorded',
  /** A rule conflict found on a record → the school. */
  'rule_conflict',
  /** A member withdrew consent → the school. */
  'consent_withdrawn',
  /** Weekly digest per school and for the province. */
  'weekly_digest',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * How a person hears about one kind: only in the app's notification centre, by email at
 * once (and in the app), in a daily email digest (and in the app), or not at all.
 */
export const DELIVERIES = ['in_app', 'email', 'daily_digest', 'off'] as const;
export type Delivery = (typeof DELIVERIES)[number];

export interface KindRule {
  /** Used until the person chooses. */
  defaultDelivery: Delivery;
  /**
   * A mandatory kind cannot be switched off (escalations to the province): 'off' is read
   * as 'in_app', and the preferences form does not offer it.
   */
  mandatory: boolean;
  /** Roles that can receive this kind (the preferences form lists only these). */
  roles: readonly Role[];
}

const SCHOOL: readonly Role[] = ['school_union', 'school_party'];

export const KIND_RULES: Record<NotificationKind, KindRule> = {
  deadline_approaching: { defaultDelivery: 'daily_digest', mandatory: false, roles: SCHOOL },
  step_overdue: { defaultDelivery: 'email', mandatory: false, roles: SCHOOL },
  overdue_escalation: { defaultDelivery: 'email', mandatory: true, roles: ['province_union'] },
  certificate_expiring: {
    defaultDelivery: 'email',
    mandatory: false,
    roles: [...SCHOOL, 'student'],
  },
  evidence_reviewed: { defaultDelivery: 'email', mandatory: false, roles: ['student'] },
  correction_answered: { defaultDelivery: 'email', mandatory: false, roles: ['student'] },
  step_recorded: { defaultDelivery: 'email', mandatory: false, roles: ['student'] },
  rule_conflict: { defaultDelivery: 'email', mandatory: false, roles: SCHOOL },
  consent_withdrawn: { defaultDelivery: 'email', mandatory: false, roles: SCHOOL },
  weekly_digest: {
    defaultDelivery: 'email',
    mandatory: false,
    roles: [...SCHOOL, 'province_union'],
  },
};

/** A person's choices; kinds not listed use the kind's default. */
export type NotificationPreferences = Partial<Record<NotificationKind, Delivery>>;

export function isNotificationKind(value: unknown): value is NotificationKind {
  return typeof value === 'string' && (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

/** The delivery that applies: the person's choice, else the default; mandatory kinds never 'off'. */
export function effectiveDelivery(
  kind: NotificationKind,
  preferences: NotificationPreferences | null | undefined,
): Delivery {
  const rule = KIND_RULES[kind];
  const chosen = preferences?.[kind] ?? rule.defaultDelivery;
  return chosen === 'off' && rule.mandatory ? 'in_app' : chosen;
}

/** Who a notice is for; resolved to active users on the server. */
export type Audience =
  /** Users whose scope is exactly this unit (a school) and who hold one of these roles. */
  | { type: 'unit'; unitId: string; roles: readonly Role[] }
  /** The province Youth Union's users (scope: this province unit). */
  | { type: 'province'; unitId: string }
  /** The student account of this member record, if it has one. */
  | { type: 'student'; memberId: string }
  | { type: 'users'; userIds: readonly string[] };

/** A message key and its parameters, rendered in each recipient's language. */
export interface LocalizedText {
  key: MessageKey;
  params?: Record<string, string | number>;
}

export interface NoticeLine {
  text: LocalizedText;
  link?: string;
}

/** One event worth telling people about, as the triggers produce it. */
export interface Notice {
  kind: NotificationKind;
  /**
   * The event's identity: one notice per event per person, however often a scan or a
   * retry produces it, e.g. `deadline:<memberId>:<deadlineKind>:<dueDate>:7wd`.
   */
  eventKey: string;
  audience: Audience;
  title: LocalizedText;
  body?: LocalizedText;
  /** Path inside the app, e.g. `/members/<id>/pipeline`. */
  link: string;
  /**
   * Listed items (a digest's cases, an escalation's overdue records), each with its link;
   * shown in the centre and in the mail. Names and stages only, never sensitive fields.
   */
  lines?: NoticeLine[];
  memberId?: string;
  unitId?: string;
}
