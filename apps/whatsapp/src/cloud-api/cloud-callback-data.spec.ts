import { decodeCallbackData, encodeCallbackData } from './cloud-callback-data';

describe(encodeCallbackData.name, () => {
  it('should give our ids back from what Meta repeats in statuses', () => {
    const reference = { messageId: 'reply-1', conversationId: 'conversation-1', tenantId: 'tenant-acme' };

    expect(decodeCallbackData(encodeCallbackData(reference))).toEqual(reference);
  });

  it('should leave out ids that do not fit in 512 characters', () => {
    expect(
      encodeCallbackData({ messageId: 'm'.repeat(500), conversationId: 'c', tenantId: 't' }),
    ).toBeUndefined();
  });

  it.each([['crm-42'], ['{"ponte":{"m":1}}'], ['null'], [undefined]])(
    'should ignore callback data that other senders put there (%s)',
    (data) => {
      expect(decodeCallbackData(data)).toBeUndefined();
    },
  );
});
