import {
  CLOUD_MESSAGE_STATUSES,
  cloudErrorMessage,
  deliveryStateOf,
  isCloudMessageStatus,
} from './cloud-status.mapper';

describe(deliveryStateOf.name, () => {
  it('should map every Cloud API status', () => {
    const mapped = Object.fromEntries(
      CLOUD_MESSAGE_STATUSES.map((status) => [status, deliveryStateOf(status)]),
    );

    expect(mapped).toEqual({
      sent: 'sent',
      delivered: 'delivered',
      read: 'read',
      played: 'read',
      failed: 'failed',
      deleted: undefined,
      warning: undefined,
    });
  });

  it('should not recognise statuses Meta does not document', () => {
    expect(isCloudMessageStatus('accepted')).toBe(false);
    expect(isCloudMessageStatus(undefined)).toBe(false);
  });
});

describe(cloudErrorMessage.name, () => {
  it("should explain known codes and keep Meta's words for the others", () => {
    expect(cloudErrorMessage('131047')).toMatch(/24 hours.*template/);
    expect(cloudErrorMessage('999999', 'Something odd')).toBe('Something odd');
    expect(cloudErrorMessage('999999')).toBe('WhatsApp Cloud API error 999999');
  });
});
