import { customerPhoneOf, windowVerdict } from './customer-service-window';

describe(windowVerdict.name, () => {
  const lastInboundAt = new Date('2025-03-14T12:00:00.000Z');

  it('should be open until 24 hours after the last inbound message', () => {
    expect(windowVerdict(lastInboundAt, new Date('2025-03-15T11:59:59.000Z'))).toEqual({
      open: true,
      closesAt: new Date('2025-03-15T12:00:00.000Z'),
    });
  });

  it('should be closed at 24 hours and after', () => {
    expect(windowVerdict(lastInboundAt, new Date('2025-03-15T12:00:00.000Z'))).toEqual({
      open: false,
      lastInboundAt,
    });
    expect(windowVerdict(lastInboundAt, new Date('2025-03-20T12:00:00.000Z')).open).toBe(false);
  });

  it('should be closed when the customer never wrote', () => {
    expect(windowVerdict(undefined, new Date())).toEqual({ open: false });
  });
});

describe(customerPhoneOf.name, () => {
  it('should give one key for the wa_id without the 9th digit and the E.164 the router sends to', () => {
    expect(customerPhoneOf('551187654321')).toBe('+5511987654321');
    expect(customerPhoneOf('+5511987654321')).toBe('+5511987654321');
    expect(customerPhoneOf('5511987654321@c.us')).toBe('+5511987654321');
  });

  it('should have no key for addresses that are not phones', () => {
    expect(customerPhoneOf('123456789012345@lid')).toBeUndefined();
    expect(customerPhoneOf('not a phone')).toBeUndefined();
  });
});
