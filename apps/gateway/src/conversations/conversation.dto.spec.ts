import { RequestValidationError } from '../http/problem.error';
import { decodeCursor, encodeCursor, slaStateOf } from './conversation.dto';
import type { ConversationRecord } from './router-read.model';

const NOW = new Date('2026-01-05T12:00:00Z');
const MINUTE = 60_000;

function buildConversation(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    _id: 'conversation-1',
    tenantId: 'tenant-1',
    customerId: 'customer-1',
    status: 'open',
    channel: 'sms',
    queueId: 'billing',
    tier: 'n1',
    priority: 'normal',
    priorityRank: 1,
    assigneeId: null,
    waitingSince: NOW,
    firstResponseDueAt: new Date(NOW.getTime() + 60 * MINUTE),
    resolutionDueAt: new Date(NOW.getTime() + 24 * 60 * MINUTE),
    slaBreaches: [],
    resolvedAt: null,
    createdAt: NOW,
    ...overrides,
  };
}

describe(slaStateOf.name, () => {
  const dueSoonMs = 15 * MINUTE;

  it('should be ok when every deadline is further than the due-soon window', () => {
    expect(slaStateOf(buildConversation(), NOW, dueSoonMs)).toBe('ok');
  });

  it('should be due-soon when the first response is due within the window', () => {
    const conversation = buildConversation({ firstResponseDueAt: new Date(NOW.getTime() + 10 * MINUTE) });

    expect(slaStateOf(conversation, NOW, dueSoonMs)).toBe('due-soon');
  });

  it('should be breached when the first response is overdue and unanswered', () => {
    const conversation = buildConversation({ firstResponseDueAt: new Date(NOW.getTime() - MINUTE) });

    expect(slaStateOf(conversation, NOW, dueSoonMs)).toBe('breached');
  });

  it('should ignore a passed first-response deadline once answered', () => {
    const conversation = buildConversation({
      firstResponseDueAt: new Date(NOW.getTime() - MINUTE),
      firstRespondedAt: new Date(NOW.getTime() - 2 * MINUTE),
    });

    expect(slaStateOf(conversation, NOW, dueSoonMs)).toBe('ok');
  });

  it('should keep a resolved conversation breached only when the router recorded a breach', () => {
    const resolved = { status: 'resolved' as const, resolutionDueAt: new Date(NOW.getTime() - MINUTE) };

    expect(slaStateOf(buildConversation(resolved), NOW, dueSoonMs)).toBe('ok');
    expect(slaStateOf(buildConversation({ ...resolved, slaBreaches: ['resolution'] }), NOW, dueSoonMs)).toBe(
      'breached',
    );
  });
});

describe(decodeCursor.name, () => {
  it('should read back what encodeCursor wrote', () => {
    const cursor = encodeCursor({ p: 2, t: NOW.toISOString(), id: 'conversation-1' });

    expect(decodeCursor(cursor, ['p', 't', 'id'])).toEqual({
      p: 2,
      t: NOW.toISOString(),
      id: 'conversation-1',
    });
  });

  it.each([
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['a missing field', encodeCursor({ p: 2, t: NOW.toISOString() })],
    [
      'an object where a value is expected',
      Buffer.from('{"p":{"$gt":0},"t":"x","id":"y"}').toString('base64url'),
    ],
  ])('should refuse %s with a validation problem', (_, cursor) => {
    expect(() => decodeCursor(cursor, ['p', 't', 'id'])).toThrow(RequestValidationError);
  });
});
