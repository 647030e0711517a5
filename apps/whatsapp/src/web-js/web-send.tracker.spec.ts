import { WebSendTracker } from './web-send.tracker';

const REFERENCE = { messageId: 'reply-1', conversationId: 'conversation-1', tenantId: 'tenant-acme' };

describe(WebSendTracker.name, () => {
  it('should hold an event of our number until the send in flight knows its id', async () => {
    const sut = new WebSendTracker();
    const settle = sut.begin();
    const judged: Array<string | undefined> = [];

    const judging = sut
      .settled(10_000)
      .then(() => judged.push(sut.referenceOf('true_5511987654321@c.us_3EB0')?.messageId));
    await new Promise((resolve) => setImmediate(resolve));
    expect(judged).toEqual([]);
    sut.remember('true_5511987654321@c.us_3EB0', REFERENCE);
    settle();
    await judging;

    expect(judged).toEqual(['reply-1']);
    expect(sut.sending).toBe(0);
  });

  it('should stop waiting for a send that hangs', async () => {
    const sut = new WebSendTracker();
    sut.begin();

    await sut.settled(5);

    expect(sut.sending).toBe(1);
  });

  it('should forget the oldest ids beyond its capacity', () => {
    const sut = new WebSendTracker(2);

    sut.remember('a', REFERENCE);
    sut.remember('b', REFERENCE);
    sut.remember('c', REFERENCE);

    expect([sut.referenceOf('a'), sut.referenceOf('b'), sut.referenceOf('c')]).toEqual([
      undefined,
      REFERENCE,
      REFERENCE,
    ]);
  });
});
