import { randomUUID } from 'node:crypto';
import { buildConversationEvent, createEnvelope, Topics } from '@ponte/contracts';
import type { MessagingOptions } from '@ponte/messaging';
import type { GatewayConfig } from '../config/gateway.config';
import { CommandOutcomes, type ConversationEventEnvelope } from './command-outcomes';
import { stableId } from './router-ids';

/** What the consumer hands over for a conversation event (the consumer itself is not started here). */
interface Consuming {
  consume(message: {
    topic: string;
    envelope: ConversationEventEnvelope;
    headers: Record<string, string>;
  }): Promise<void>;
}

describe(CommandOutcomes.name, () => {
  let sut: CommandOutcomes;

  const eventOf = (commandId: string): ConversationEventEnvelope =>
    createEnvelope(
      Topics.conversationEvent,
      buildConversationEvent('priority.changed', { conversationId: 'c-1' }),
      {
        source: '/ponte/router',
        tenantId: 'acme',
        id: stableId(commandId, 'event', 'priority.changed'),
      },
    );

  const deliver = (envelope: ConversationEventEnvelope): Promise<void> =>
    (sut as unknown as Consuming).consume({ topic: Topics.conversationEvent, envelope, headers: {} });

  beforeEach(() => {
    sut = new CommandOutcomes({} as MessagingOptions, {} as GatewayConfig);
  });

  afterEach(async () => {
    await sut.onModuleDestroy();
  });

  it('should answer a request that starts watching after the outcome arrived with that outcome at once', async () => {
    const commandId = randomUUID();
    const first = sut.watch(commandId);
    const event = eventOf(commandId);
    await deliver(event);
    expect(await first.outcome(5_000)).toEqual({ status: 'applied', events: [event] });

    // A retry with the same Idempotency-Key that was still claiming the key meanwhile.
    const late = sut.watch(commandId);

    expect(await late.outcome(5_000)).toEqual({ status: 'applied', events: [event] });
  });

  it('should give a request that joins while the first collects the events what the first has seen', async () => {
    const commandId = randomUUID();
    const first = sut.watch(commandId);
    const firstOutcome = first.outcome(5_000);
    const event = eventOf(commandId);
    await deliver(event);

    const joining = sut.watch(commandId);

    expect(await joining.outcome(5_000)).toEqual({ status: 'applied', events: [event] });
    expect(await firstOutcome).toEqual({ status: 'applied', events: [event] });
  });

  it('should keep nothing for a command nobody saw an outcome of', async () => {
    const watch = sut.watch(randomUUID());

    expect(await watch.outcome(10)).toEqual({ status: 'pending' });
  });
});
