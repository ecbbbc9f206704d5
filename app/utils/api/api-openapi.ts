/**
 * The OpenAPI 3.1 description of `/api/v1/`, served at `/api/v1/openapi.json`.
 * Written by hand as a plain object: the API is small, and a generator would add a
 * dependency for what is a page of data. The enums come from the same constants the
 * server validates with, so the document cannot drift on them.
 * Isomorphic on purpose (no models): the unit kinds and genders are repeated here
 * from models/unit.ts and models/member.ts, and tests/integration/api.test.ts
 * checks they still match.
 */
import { SCHOOL_KINDS } from '~/domain/criteria/types';
import { ALL_STAGES } from '~/domain/stages';
import { OBJECT_ID_PATTERN } from '~/domain/ids';

export const API_UNIT_KINDS = ['province', 'school', 'faculty', 'branch', 'party_cell'] as const;
export const API_GENDERS = ['male', 'female', 'other'] as const;
export const API_DEFAULT_PAGE_SIZE = 50;
export const API_MAX_PAGE_SIZE = 200;

const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const id = {
  type: 'string',
  pattern: OBJECT_ID_PATTERN.source,
  description: 'Object id (24 hexadecimal characters).',
};
const day = { type: 'string', format: 'date' };
const stageCounts = {
  type: 'object',
  description: 'Members per pipeline stage; every stage is present, zero included.',
  properties: Object.fromEntries(ALL_STAGES.map((s) => [s, { type: 'integer', minimum: 0 }])),
  required: [...ALL_STAGES],
  additionalProperties: false,
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
});

const ERRORS = {
  400: errorResponse('A query parameter is invalid; `details` names each one.'),
  401: {
    ...errorResponse('Missing, malformed, unknown, revoked or expired token.'),
    headers: { 'WWW-Authenticate': { schema: { type: 'string' }, description: '`Bearer realm="api"`' } },
  },
  429: {
    ...errorResponse('Over the rate limit of this token.'),
    headers: {
      'Retry-After': { schema: { type: 'integer' }, description: 'Seconds until the next window.' },
    },
  },
};
const NOT_FOUND = errorResponse('Unknown id, malformed id, or outside the token’s scope (same body).');

const sizeParam = {
  name: 'size',
  in: 'query',
  description: `Items per page (default ${API_DEFAULT_PAGE_SIZE}).`,
  schema: { type: 'integer', minimum: 1, maximum: API_MAX_PAGE_SIZE, default: API_DEFAULT_PAGE_SIZE },
};
const idParam = (what: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  description: `The ${what}’s id.`,
  schema: { type: 'string' },
});

/** Every path of the API, as routed (the test checks each is described). */
export const API_PATHS = [
  '/api/v1/units',
  '/api/v1/units/{id}',
  '/api/v1/members',
  '/api/v1/members/{id}',
  '/api/v1/stats',
  '/api/v1/openapi.json',
] as const;

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Đoàn viên ưu tú – read-only API',
    version: '1.0.0',
    description: [
      'Read-only access to units, members and pipeline statistics within the scope of a token:',
      'its unit and everything under it. An administrator creates tokens at /admin/tokens;',
      'the secret is shown once. Sensitive personal data (ethnicity, religion, citizen ID,',
      'contact details; Law 91/2025/QH15) is never returned. Every response is JSON with',
      '`Cache-Control: no-store`. Methods other than GET/HEAD answer 405.',
      'Rate limit: a fixed number of requests per token per minute (429 with Retry-After).',
      'Unknown query parameters are ignored; an empty one counts as absent; a known one given twice is a 400.',
    ].join(' '),
  },
  servers: [{ url: '/' }],
  security: [{ bearerAuth: [] }],
  tags: [{ name: 'units' }, { name: 'members' }, { name: 'statistics' }, { name: 'meta' }],
  paths: {
    '/api/v1/units': {
      get: {
        tags: ['units'],
        operationId: 'listUnits',
        summary: 'Units in scope (the scope unit and everything below it), in id order.',
        parameters: [
          { name: 'kind', in: 'query', schema: { type: 'string', enum: [...API_UNIT_KINDS] } },
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100000, default: 1 } },
          sizeParam,
        ],
        responses: {
          200: {
            description: 'One page of units.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['data', 'page'],
                  properties: { data: { type: 'array', items: ref('Unit') }, page: ref('NumberedPage') },
                },
              },
            },
          },
          ...ERRORS,
        },
      },
    },
    '/api/v1/units/{id}': {
      get: {
        tags: ['units'],
        operationId: 'getUnit',
        summary: 'One unit in scope.',
        parameters: [idParam('unit')],
        responses: {
          200: {
            description: 'The unit.',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['data'], properties: { data: ref('Unit') } },
              },
            },
          },
          401: ERRORS[401],
          404: NOT_FOUND,
          429: ERRORS[429],
        },
      },
    },
    '/api/v1/members': {
      get: {
        tags: ['members'],
        operationId: 'listMembers',
        summary: 'Members in scope, in id order, paged with a cursor.',
        description:
          'Keyset paging: pass `page.next` of one response as `cursor` of the next request until it is null. ' +
          'Pages stay consistent while records are edited; a record created meanwhile appears if its id sorts after the cursor.',
        parameters: [
          {
            name: 'school',
            in: 'query',
            description: 'Only this school’s members (a school outside the scope matches nothing).',
            schema: id,
          },
          { name: 'stage', in: 'query', schema: { type: 'string', enum: [...ALL_STAGES] } },
          { name: 'schoolYear', in: 'query', schema: { type: 'string', pattern: '^\\d{4}-\\d{4}$' } },
          {
            name: 'q',
            in: 'query',
            description:
              'Name or student-code search: diacritic- and case-insensitive, matching word starts ("nguyen thi", "sv0012").',
            schema: { type: 'string', maxLength: 100 },
          },
          {
            name: 'updatedSince',
            in: 'query',
            description:
              'Only records changed at or after this instant: an ISO 8601 date-time with offset, or a date (midnight in Vietnam, UTC+7).',
            schema: { type: 'string' },
          },
          { name: 'cursor', in: 'query', description: '`page.next` of the previous page.', schema: id },
          sizeParam,
        ],
        responses: {
          200: {
            description: 'One page of members.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['data', 'withheld', 'page'],
                  properties: {
                    data: { type: 'array', items: ref('Member') },
                    withheld: {
                      type: 'array',
                      description:
                        'Members of this page left out of `data` because they withdrew consent to personal data processing (Law 91/2025/QH15, Decree 356/2025/ND-CP): stop processing any copy of their record until it appears in `data` again.',
                      items: ref('Withheld'),
                    },
                    page: ref('CursorPage'),
                  },
                },
              },
            },
          },
          ...ERRORS,
          403: errorResponse(
            '`sensitive_filter`: ethnicity, religion and citizen ID are never filters (nor fields) of the API; `details` names the parameter.',
          ),
        },
      },
    },
    '/api/v1/members/{id}': {
      get: {
        tags: ['members'],
        operationId: 'getMember',
        summary: 'One member in scope.',
        parameters: [idParam('member')],
        responses: {
          200: {
            description: 'The member.',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['data'], properties: { data: ref('Member') } },
              },
            },
          },
          401: ERRORS[401],
          404: NOT_FOUND,
          409: errorResponse(
            '`consent_withdrawn`: the member withdrew consent to personal data processing; the record is paused and none of its data is served.',
          ),
          429: ERRORS[429],
        },
      },
    },
    '/api/v1/stats': {
      get: {
        tags: ['statistics'],
        operationId: 'getStats',
        summary: 'Pipeline statistics in scope: per stage, per school × stage, overdue.',
        parameters: [
          {
            name: 'school',
            in: 'query',
            description: 'Only this school (404 when it is not a school in the scope).',
            schema: id,
          },
        ],
        responses: {
          200: {
            description: 'The figures.',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['data'], properties: { data: ref('Stats') } },
              },
            },
          },
          ...ERRORS,
          404: NOT_FOUND,
        },
      },
    },
    '/api/v1/openapi.json': {
      get: {
        tags: ['meta'],
        operationId: 'getOpenApi',
        summary: 'This document (no token needed).',
        security: [],
        responses: {
          200: {
            description: 'The OpenAPI 3.1 document.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description: 'A token created by an administrator: `Authorization: Bearer <token>`.',
      },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: {
                type: 'string',
                enum: [
                  'bad_request',
                  'unauthorized',
                  'not_found',
                  'method_not_allowed',
                  'rate_limited',
                  'consent_withdrawn',
                  'internal_error',
                ],
              },
              message: { type: 'string' },
              details: {
                type: 'array',
                description: 'With `bad_request`: one entry per invalid parameter.',
                items: {
                  type: 'object',
                  required: ['param', 'message'],
                  properties: { param: { type: 'string' }, message: { type: 'string' } },
                },
              },
            },
          },
        },
      },
      NumberedPage: {
        type: 'object',
        required: ['number', 'size', 'total', 'next'],
        properties: {
          number: { type: 'integer', minimum: 1 },
          size: { type: 'integer' },
          total: { type: 'integer', description: 'Matching items over all pages.' },
          next: nullable('integer', { description: 'The next page number, or null on the last page.' }),
        },
      },
      Withheld: {
        type: 'object',
        required: ['id', 'reason'],
        properties: { id, reason: { type: 'string', enum: ['consent_withdrawn'] } },
        additionalProperties: false,
      },
      CursorPage: {
        type: 'object',
        required: ['size', 'next'],
        properties: {
          size: { type: 'integer' },
          next: nullable('string', { description: 'Cursor of the next page, or null on the last page.' }),
        },
      },
      Unit: {
        type: 'object',
        required: ['id', 'name', 'code', 'kind', 'active'],
        properties: {
          id,
          name: { type: 'string' },
          shortName: nullable('string'),
          code: { type: 'string' },
          kind: { type: 'string', enum: [...API_UNIT_KINDS] },
          schoolKind: { type: ['string', 'null'], enum: [...SCHOOL_KINDS, null] },
          parentId: nullable('string'),
          schoolId: nullable('string', {
            description: 'The school the unit belongs to (itself for a school).',
          }),
          active: { type: 'boolean', description: 'False for legacy units kept after a merger.' },
          validFrom: nullable('string', { format: 'date' }),
          validTo: nullable('string', { format: 'date' }),
          updatedAt: nullable('string', { format: 'date-time' }),
        },
      },
      Member: {
        type: 'object',
        description:
          'A whitelist of fields. Never: ethnicity, religion, citizen ID, phone, email, relatives, dossier content.',
        additionalProperties: false,
        required: [
          'id',
          'fullName',
          'studentCode',
          'dateOfBirth',
          'gender',
          'schoolId',
          'branchId',
          'schoolKind',
          'schoolYear',
          'union',
          'latestGpa10',
          'pipeline',
          'eligibility',
          'updatedAt',
        ],
        properties: {
          id,
          fullName: { type: 'string' },
          studentCode: { type: 'string' },
          dateOfBirth: nullable('string', { format: 'date' }),
          gender: { type: ['string', 'null'], enum: [...API_GENDERS, null] },
          schoolId: id,
          branchId: nullable('string'),
          schoolKind: { type: 'string', enum: [...SCHOOL_KINDS] },
          schoolYear: nullable('string', { pattern: '^\\d{4}-\\d{4}$' }),
          union: {
            type: 'object',
            properties: { joinedAt: nullable('string', { format: 'date' }) },
          },
          latestGpa10: nullable('number', { description: 'Latest graded term on the 10-point scale.' }),
          pipeline: {
            type: 'object',
            required: ['stage', 'stageSince', 'due'],
            properties: {
              stage: { type: 'string', enum: [...ALL_STAGES] },
              stageSince: nullable('string', { format: 'date' }),
              due: {
                description: 'The earliest open legal deadline, or null.',
                oneOf: [
                  { type: 'null' },
                  {
                    type: 'object',
                    required: ['at', 'kind'],
                    properties: { at: day, kind: nullable('string') },
                  },
                ],
              },
            },
          },
          eligibility: {
            type: 'object',
            description: 'Stored verdict against the active selection criteria set (null: not evaluated).',
            properties: { eligible: nullable('boolean'), setVersion: nullable('integer') },
          },
          updatedAt: nullable('string', { format: 'date-time' }),
        },
      },
      Stats: {
        type: 'object',
        required: ['scope', 'school', 'asOf', 'today', 'total', 'overdue', 'byStage', 'bySchool'],
        properties: {
          scope: {
            type: 'object',
            properties: { id, name: nullable('string'), kind: nullable('string') },
          },
          school: {
            oneOf: [{ type: 'null' }, { type: 'object', properties: { id, name: { type: 'string' } } }],
          },
          asOf: { type: 'string', format: 'date-time' },
          today: { ...day, description: 'The day in Vietnam the overdue figures count from.' },
          total: { type: 'integer' },
          overdue: {
            type: 'integer',
            description: 'Members whose earliest open deadline (pipeline.due.at) is before today in Vietnam.',
          },
          byStage: stageCounts,
          bySchool: {
            type: 'array',
            items: {
              type: 'object',
              required: ['schoolId', 'name', 'total', 'overdue', 'byStage'],
              properties: {
                schoolId: nullable('string'),
                name: nullable('string'),
                total: { type: 'integer' },
                overdue: { type: 'integer' },
                byStage: stageCounts,
              },
            },
          },
        },
      },
    },
  },
} as const;
