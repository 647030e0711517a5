import { decideThread, type ThreadingFacts } from './threading-policy';

const HOUR = 3_600_000;
const buildFacts = (overrides: Partial<ThreadingFacts> = {}): ThreadingFacts => ({
  receivedAt: new Date('2026-11-23T12:00:00Z'),
  reopenWindowMs: 24 * HOUR,
  ...overrides,
});
const resolvedAgo = (id: string, ms: number) => ({
  id,
  status: 'resolved' as const,
  resolvedAt: new Date(new Date('2026-11-23T12:00:00Z').getTime() - ms),
});

describe(decideThread.name, () => {
  it('should start the first conversation of a new customer', () => {
    expect(decideThread(buildFacts())).toEqual({
      action: 'create',
      reason: 'first conversation of this customer',
    });
  });

  it('should append to the open conversation', () => {
    expect(decideThread(buildFacts({ open: { id: 'c1', status: 'open' } }))).toMatchObject({
      action: 'append',
      conversationId: 'c1',
    });
  });

  it('should reopen the referenced conversation when an e-mail replies to one that was resolved', () => {
    const decision = decideThread(buildFacts({ referenced: resolvedAgo('c0', 30 * 24 * HOUR) }));

    expect(decision).toEqual({
      action: 'reopen',
      conversationId: 'c0',
      reason: 'replies to a message of this resolved conversation',
    });
  });

  it('should keep one open conversation when the reference points to a resolved one and another is open', () => {
    const decision = decideThread(
      buildFacts({ referenced: resolvedAgo('c0', HOUR), open: { id: 'c1', status: 'open' } }),
    );

    expect(decision).toMatchObject({ action: 'append', conversationId: 'c1' });
    expect(decision.reason).toContain('c0');
  });

  it('should reopen within the reopen window after resolution', () => {
    const decision = decideThread(buildFacts({ lastResolved: resolvedAgo('c0', 2 * HOUR) }));

    expect(decision).toEqual({
      action: 'reopen',
      conversationId: 'c0',
      reason: 'arrived 2 h after resolution, within the 24 h reopen window',
    });
  });

  it('should start a new conversation beyond the reopen window', () => {
    const decision = decideThread(buildFacts({ lastResolved: resolvedAgo('c0', 72 * HOUR) }));

    expect(decision).toEqual({
      action: 'create',
      reason: 'the last conversation was resolved 3 d ago, beyond the 24 h reopen window',
    });
  });

  it.each([
    ['within the reopen window', { lastResolved: resolvedAgo('c0', HOUR) }],
    ['beyond the reopen window', { lastResolved: resolvedAgo('c0', 72 * HOUR) }],
    ['replying to a resolved conversation', { referenced: resolvedAgo('c0', 30 * 24 * HOUR) }],
  ])(
    'should join the resolved conversation without reopening it when an auto-reply arrives %s',
    (_, facts) => {
      const decision = decideThread(buildFacts({ ...facts, automated: 'auto-reply' }));

      expect(decision).toEqual({
        action: 'append',
        conversationId: 'c0',
        reason: 'an automatic message (auto-reply) joins the resolved conversation without reopening it',
      });
    },
  );

  it('should append an automatic message to the open conversation when there is one', () => {
    const decision = decideThread(
      buildFacts({
        open: { id: 'c1', status: 'open' },
        lastResolved: resolvedAgo('c0', HOUR),
        automated: 'bounce',
      }),
    );

    expect(decision).toMatchObject({ action: 'append', conversationId: 'c1' });
  });

  it('should start a conversation for an automatic message when the customer has none', () => {
    expect(decideThread(buildFacts({ automated: 'bounce' }))).toMatchObject({ action: 'create' });
  });
});
