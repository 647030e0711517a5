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
});
