import { WebAck } from './web-client.port';
import { deliveryStateOfAck, isWebAck } from './web-ack.mapper';

describe(deliveryStateOfAck.name, () => {
  it.each([
    [WebAck.ERROR, 'failed'],
    [WebAck.PENDING, undefined],
    [WebAck.SERVER, 'sent'],
    [WebAck.DEVICE, 'delivered'],
    [WebAck.READ, 'read'],
    [WebAck.PLAYED, 'read'],
  ] as const)('should map ack %s to %s', (ack, state) => {
    expect(deliveryStateOfAck(ack)).toBe(state);
  });

  it('should not take an unknown ack for one it knows', () => {
    expect(isWebAck(5)).toBe(false);
    expect(isWebAck('3')).toBe(false);
    expect(isWebAck(3)).toBe(true);
  });
});
