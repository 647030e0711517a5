import { canAgentAct, freeFor, kindsSharingPool, limitOf, loadByKindOf, poolOf } from './agent-capacity';
import type { AgentCapacity, ChannelKind } from './queue.model';

const held = (...kinds: ChannelKind[]): { kind: ChannelKind }[] => kinds.map((kind) => ({ kind }));

describe('agent capacity', () => {
  describe(canAgentAct.name, () => {
    it('should let a member of the queue act on its conversations', () => {
      expect(canAgentAct({ role: 'solver', queueIds: ['n1-solvers'] }, 'n1-solvers')).toBe(true);
    });

    it('should refuse an agent of another queue', () => {
      expect(canAgentAct({ role: 'director', queueIds: ['n1-directors'] }, 'n3-specialists')).toBe(false);
    });

    it.each(['supervisor', 'admin'] as const)(
      'should let the %s role act on any queue when it belongs to none',
      (role) => {
        expect(canAgentAct({ role, queueIds: [] }, 'n3-specialists')).toBe(true);
      },
    );
  });

  describe(poolOf.name, () => {
    const capacity: AgentCapacity = { capacity: 5, capacityByKind: { email: 10 } };

    it('should count a kind with its own limit against that limit', () => {
      expect([poolOf(capacity, 'email'), limitOf(capacity, 'email')]).toEqual(['email', 10]);
    });

    it('should count a kind without its own limit against the shared capacity', () => {
      expect([poolOf(capacity, 'messaging'), limitOf(capacity, 'shared')]).toEqual(['shared', 5]);
      expect(kindsSharingPool(capacity, 'messaging')).toEqual(['messaging']);
    });

    it('should let every kind share the capacity when none has a limit of its own', () => {
      expect(kindsSharingPool({ capacity: 5, capacityByKind: {} }, 'email')).toEqual(['messaging', 'email']);
    });
  });

  describe(freeFor.name, () => {
    it('should subtract only the conversations of the same pool', () => {
      const capacity: AgentCapacity = { capacity: 5, capacityByKind: { email: 2 } };
      const load = held('messaging', 'messaging', 'messaging', 'email');

      expect(freeFor(capacity, load, 'messaging')).toBe(2);
      expect(freeFor(capacity, load, 'email')).toBe(1);
    });

    it('should count e-mail and chat together when they share the capacity', () => {
      expect(freeFor({ capacity: 3, capacityByKind: {} }, held('messaging', 'email'), 'email')).toBe(1);
    });

    it('should go below zero when the capacity was lowered under the load', () => {
      expect(
        freeFor({ capacity: 1, capacityByKind: {} }, held('messaging', 'messaging', 'email'), 'messaging'),
      ).toBe(-2);
    });
  });

  describe(loadByKindOf.name, () => {
    it('should count the held conversations per kind', () => {
      expect(loadByKindOf(held('email', 'messaging', 'email'))).toEqual({ messaging: 1, email: 2 });
    });
  });
});
